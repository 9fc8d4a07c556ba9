"""The report for the level above: the node's figures on a date beside the same day a year before,
with the change, and the areas below, as PDF and Excel in the user's language."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from gongjian.core.pdf import pdf_text
from gongjian.core.synthetic import id_number
from gongjian.orgs import services as org_services
from gongjian.orgs.models import Level
from gongjian.stats import selectors
from gongjian.stats.management.commands.indicators import today
from gongjian.stats.reports import (
    report_for,
    show,
    show_change,
    visible_indicators,
    year_before,
)
from gongjian.testing import World, build_ledgers

pytestmark = pytest.mark.django_db


def _client(user: Any, language: str = "zh-hans") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def _get(client: Client, name: str, *args: str, **query: str) -> Any:
    resp = client.get(reverse(name, args=list(args)), query)
    assert resp.status_code == 200, resp.content[:500]
    return resp


def test_year_before_and_changes_read_as_people_expect() -> None:
    assert year_before(dt.date(2026, 6, 30)) == dt.date(2025, 6, 30)
    assert year_before(dt.date(2024, 2, 29)) == dt.date(2023, 2, 28)
    with translation.override("zh-hans"):
        assert show_change(3, "stock") == "+3"
        assert show_change(-2, "flow") == "−2"
        assert show_change(0, "stock") == "0"
        assert show_change(1.5, "flow") == "+1.50"  # hours: two decimals, as on the cards
        assert show_change(0.125, "ratio") == "+12.5 个百分点"
        assert show_change(-0.05, "ratio") == "−5.0 个百分点"
        assert show(0.8333, "ratio") == "83.3%"


def test_pdf_holds_the_figures_their_values_a_year_before_and_the_children(world: World) -> None:
    build_ledgers(world)
    client = _client(world.dongfeng_admin)
    date = today()
    resp = _get(client, "stats:report_pdf", world.dongfeng.code)
    assert resp["Content-Type"] == "application/pdf"
    assert "filename" in resp["Content-Disposition"]
    text = pdf_text(resp.content)
    flat = text.replace("\n", "")
    assert f"东风路街道区域化党建工作数据（{date.isoformat()}）" in flat
    assert year_before(date).isoformat() in text
    values = selectors.indicators_for(actor=world.dongfeng_admin, area=world.dongfeng, date=date)
    for indicator in visible_indicators():
        assert indicator.name_hans in flat, indicator.id
    lines = text.splitlines()
    direct = next(line for line in lines if line.startswith("直管党员 "))
    assert direct.split()[1] == str(values["members.direct"]) == "1"
    rate = next(line for line in lines if line.startswith("在职党员报到率 "))
    assert rate.split()[1] == show(values["members.report_rate"], "ratio")
    assert "同比变化" in flat
    # the areas below, ranked
    assert "王家垅社区" in text
    assert "下级区划（按“在职党员报到率”排名）" in flat


def test_pdf_in_english_names_the_figures_in_english(world: World) -> None:
    build_ledgers(world)
    resp = _get(_client(world.wjl_admin, "en"), "stats:report_pdf", world.wjl.code, date="2026-06-30")
    flat = pdf_text(resp.content).replace("\n", " ")
    squeezed = "".join(flat.split())  # lines wrap anywhere in Chinese text
    assert "RegionalPartybuildingfiguresof王家垅社区on2026-06-30" in squeezed
    assert "Directly managed members" in flat and "直管党员" not in flat
    assert "2025-06-30" in flat


def test_xlsx_holds_the_figures_and_the_children(world: World) -> None:
    build_ledgers(world)
    date = dt.date(2026, 6, 30)
    resp = _get(_client(world.kaifu_admin), "stats:report_xlsx", world.kaifu.code, date=date.isoformat())
    assert resp["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(resp.content))
    figures, children = book.worksheets
    assert figures.title == "数据统计" and children.title == "下级区划"
    rows = list(figures.iter_rows(values_only=True))
    assert rows[0][0] == f"开福区区域化党建工作数据（{date.isoformat()}）"
    assert rows[1] == ("指标代码", "指标", "2026-06-30", "2025-06-30", "同比变化")
    now = selectors.indicators_for(actor=world.kaifu_admin, area=world.kaifu, date=date)
    then = selectors.indicators_for(actor=world.kaifu_admin, area=world.kaifu, date=year_before(date))
    table = rows[2 : rows.index((None,) * len(rows[1]))] if (None,) * len(rows[1]) in rows else rows[2:]
    by_id = {row[0]: row for row in table}
    assert list(by_id) == [i.id for i in visible_indicators()]
    for indicator in visible_indicators():
        row = by_id[indicator.id]
        assert row[1] == indicator.name_hans
        value, before = now[indicator.id], then[indicator.id]
        # a ratio with nothing to divide by is written as words, never a 0 that reads as 0 %
        assert row[2] == ("—（无数据）" if value is None else pytest.approx(value))
        assert row[3] == ("—（无数据）" if before is None else pytest.approx(before))
        if value is None or before is None:
            assert row[4] == "—"
        else:
            assert row[4] == pytest.approx(value - before)
    assert by_id["members.direct"][2] == 1
    # ratios are numbers formatted as percentages
    rate = next(c for c in figures[3 + [i.id for i in visible_indicators()].index("members.report_rate")])
    assert rate.value == "members.report_rate"
    assert "%" in figures.cell(row=rate.row, column=3).number_format
    child_rows = list(children.iter_rows(values_only=True))
    assert child_rows[1][:3] == ("区划代码", "名称", visible_indicators()[0].name_hans)
    assert [r[1] for r in child_rows[2:]] == ["东风路街道"]
    header = list(child_rows[1])
    assert child_rows[2][header.index("直管党员")] == 1


def test_report_follows_the_selectors_and_ranks_the_children(world: World) -> None:
    build_ledgers(world)
    with translation.override("zh-hans"):
        report = report_for(actor=world.city_admin, area=world.changsha, date=today())
    board = selectors.dashboard(actor=world.city_admin, area=world.changsha, date=today())
    assert [c.area for c in report.children] == [c.area for c in board.children]
    assert report.rank_by.id == board.rank_by
    assert [f.indicator.id for f in report.figures] == [i.id for i in visible_indicators()]
    for f in report.figures:
        if f.value is None or f.before is None:
            assert f.change is None  # a change against no data is "—", never +100 %
        else:
            assert f.change == pytest.approx(f.value - f.before)
    groups = report.column_groups(8)
    assert sum(len(g["names"]) for g in groups) == len(visible_indicators())
    assert all(len(row["cells"]) == len(g["names"]) for g in groups for row in g["rows"])


def test_texts_that_could_run_as_formulas_are_neutralised(world: World) -> None:
    org_services.area_create(
        actor=world.superuser,
        parent=world.wjl,
        name="=HYPERLINK(1)小区",
        level=Level.COMPOUND,
        kind_label="小区",
    )
    resp = _get(_client(world.wjl_admin), "stats:report_xlsx", world.wjl.code)
    children = openpyxl.load_workbook(io.BytesIO(resp.content)).worksheets[1]
    names = [row[1] for row in children.iter_rows(min_row=3, values_only=True)]
    assert "'=HYPERLINK(1)小区" in names
    assert all(not str(n).startswith("=") for n in names)


def test_rows_download_lists_the_records_masked(world: World) -> None:
    ledgers = build_ledgers(world)
    resp = _get(_client(world.wjl_admin), "stats:rows_xlsx", world.wjl.code, "members.direct")
    sheet = openpyxl.load_workbook(io.BytesIO(resp.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1] == ("序号", "记录", "地点", "记录编号")
    direct = ledgers.rows["member"][0]
    assert [r[1] for r in rows[2:]] == [direct.name]
    text = repr(rows)
    assert id_number(10) not in text and direct.id_number_masked not in text


def test_a_ratio_with_nothing_to_divide_by_reads_no_data_never_zero_or_plus_100(world: World) -> None:
    """王家垅社区 has no appeal: its appeal rates are "—（无数据）" on the card, in the report and its
    PDF, and the change against the year before is "—", never "+100.0 个百分点" (issue 20)."""
    with translation.override("zh-hans"):
        assert show(None, "ratio") == "—（无数据）"
        assert show_change(None, "ratio") == "—"
        report = report_for(actor=world.wjl_admin, area=world.wjl, date=dt.date(2026, 6, 30))
    rate = next(f for f in report.figures if f.indicator.id == "appeals.response_rate")
    assert (rate.value, rate.before, rate.change) == (None, None, None)
    with translation.override("zh-hans"):
        assert (rate.value_text, rate.before_text, rate.change_text) == ("—（无数据）", "—（无数据）", "—")
    client = _client(world.wjl_admin)
    page = _get(client, "stats:dashboard", world.wjl.code, date="2026-06-30").content.decode()
    card = page[page.index('data-indicator="appeals.response_rate"') :]
    assert "—（无数据）" in card[: card.index("</div>\n          </div>")]
    pdf = pdf_text(_get(client, "stats:report_pdf", world.wjl.code, date="2026-06-30").content)
    assert "—（无数据）" in pdf and "+100.0" not in pdf
