"""The five rates (响应率, 解决率, 满意率, 按时办结率, 回访率) and the monthly ranking: the rule (pure),
the ranking per unit, community, street and district for a month and the year to date, the
catalogue's two new figures kept equal to their rows, the page with its xlsx and PDF, and the API."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from gongjian.appeals import ranking, rates, selectors
from gongjian.appeals import services as s
from gongjian.appeals.models import Appeal
from gongjian.core.pdf import pdf_text
from gongjian.core.synthetic import fake_phone
from gongjian.stats import tally
from gongjian.stats.registry import catalogue
from gongjian.stats.selectors import indicators_for

OCTOBER = dt.date(2026, 10, 1)
RATE_KEYS = [(r.key, r.part, r.whole) for r in rates.RATES]


# --- the rule, pure ---------------------------------------------------------------------------


def _entry(key: str, cases: int, **counts: int) -> ranking.Entry:
    return ranking.Entry(key, key, cases, counts)


def _all(part: int, whole: int) -> dict[str, int]:
    return {
        "answered_in_time": part,
        "due": whole,
        "closed_solved": part,
        "closed": whole,
        "satisfied": part,
        "reached": whole,
    }


def test_equal_scores_share_a_place_and_the_next_place_is_skipped() -> None:
    rows = ranking.rank(
        [
            _entry("a", 10, **_all(9, 10)),
            _entry("b", 12, **_all(9, 10)),
            _entry("c", 10, **_all(10, 10)),
            _entry("d", 10, **_all(5, 10)),
        ],
        rates=RATE_KEYS,
        min_cases=10,
    )
    assert [(r.entry.key, r.place, r.score) for r in rows] == [
        ("c", 1, 1.0),
        ("b", 2, 0.9),  # more cases first within a place
        ("a", 2, 0.9),
        ("d", 4, 0.5),
    ]


def test_a_unit_with_one_fast_case_is_listed_but_not_ranked() -> None:
    rows = ranking.rank(
        [_entry("fast", 1, **_all(1, 1)), _entry("busy", 10, **_all(8, 10))], rates=RATE_KEYS, min_cases=10
    )
    assert [(r.entry.key, r.place, r.reason) for r in rows] == [
        ("busy", 1, ""),
        ("fast", None, ranking.TOO_FEW),
    ]
    assert rows[1].score is None
    assert rows[1].rates["response_rate"] == 1.0  # its rates are shown, only not ranked


def test_no_data_is_none_never_zero_and_is_not_ranked() -> None:
    counts = _all(5, 10)
    counts.update(satisfied=0, reached=0)
    (row,) = ranking.rank([_entry("x", 10, **counts)], rates=RATE_KEYS, min_cases=1)
    assert row.rates["satisfaction_rate"] is None
    assert row.rates["on_time_rate"] == 0.0  # closed: 10, on time: none counted
    assert (row.place, row.reason, row.missing) == (None, ranking.NO_DATA, ("satisfaction_rate",))


def test_the_weights_weigh_the_three_scored_rates() -> None:
    counts = {"answered_in_time": 0, "due": 1, "closed_solved": 1, "closed": 1, "satisfied": 1, "reached": 1}
    (row,) = ranking.rank([_entry("x", 1, **counts)], rates=RATE_KEYS, min_cases=1, weights=(2, 1, 1))
    assert row.score == 0.5
    with pytest.raises(ValueError):
        ranking.rank([], rates=RATE_KEYS, min_cases=1, weights=(0, 0, 0))


# --- a month of appeals on the test world -----------------------------------------------------


def _at(day: dt.date | str, hour: int = 9) -> dt.datetime:
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@dataclass
class Case:
    registered: str
    kind: str = "general"
    answered: str | None = None
    answered_hour: int = 12
    solved: str | None = None
    unsolvable: bool = False
    closed: str | None = None
    callback: tuple[str, str] | None = None


def _make(world, area, org, case: Case, n: int) -> Appeal:
    root = world.superuser
    appeal = s.appeal_register(
        actor=root,
        area=area,
        channel="hotline",
        kind=case.kind,
        title=f"诉求{n}",
        resident_name=f"居民{n}",
        phone=fake_phone(100 + n),
        registered_at=_at(case.registered),
    )
    if org is not None:
        appeal = s.appeal_assign(actor=root, appeal=appeal, org=org, at=_at(case.registered, 10))
    if case.answered:
        appeal = s.appeal_answer(
            actor=root, appeal=appeal, answer="已联系", at=_at(case.answered, case.answered_hour)
        )
    if case.solved:
        appeal = s.appeal_solve(
            actor=root, appeal=appeal, solved=not case.unsolvable, note="处理", at=_at(case.solved, 15)
        )
    if case.closed:
        appeal = s.appeal_close(actor=root, appeal=appeal, at=_at(case.closed, 16))
    if case.callback:
        result, day = case.callback
        appeal = s.appeal_call_back(
            actor=world.city_admin, appeal=appeal, result=result, channel="phone", at=_at(day, 17)
        )
    return appeal


@pytest.fixture
def month(world) -> dict[str, Appeal]:
    """东风路街道 (王家垅社区, cases handled by 省民政厅): one September case and three October ones;
    东方红街道 (尖山湖社区, handled by 芯城科技园): two October cases."""
    wjl_cases = {
        "sept": Case(
            "2026-09-10",
            answered="2026-09-10",
            solved="2026-09-11",
            closed="2026-09-12",
            callback=("satisfied", "2026-09-13"),
        ),
        "good": Case(
            "2026-10-05",
            answered="2026-10-05",
            solved="2026-10-06",
            closed="2026-10-07",
            callback=("satisfied", "2026-10-08"),
        ),
        "late": Case(
            "2026-10-06",
            answered="2026-10-14",
            solved="2026-10-15",
            unsolvable=True,
            closed="2026-10-16",
            callback=("dissatisfied", "2026-10-17"),
        ),
        "ignored": Case("2026-10-20", kind="emergency"),
    }
    jsh_cases = {
        "jsh_good": Case(
            "2026-10-05",
            answered="2026-10-05",
            solved="2026-10-06",
            closed="2026-10-07",
            callback=("satisfied", "2026-10-08"),
        ),
        "jsh_no_call": Case("2026-10-06", answered="2026-10-06", solved="2026-10-07", closed="2026-10-08"),
    }
    out = {}
    for n, (key, case) in enumerate(wjl_cases.items()):
        org = None if key == "ignored" else world.minzheng_org
        out[key] = _make(world, world.wjl_compound, org, case, n)
    for n, (key, case) in enumerate(jsh_cases.items(), start=10):
        out[key] = _make(world, world.jsh_compound, world.jsh_firm_org, case, n)
    return out


def _by_name(table: selectors.Ranking) -> dict[str, ranking.Row]:
    return {r.entry.name: r for r in table.rows}


def test_the_streets_of_a_month(world, month) -> None:
    table = selectors.appeal_ranking(actor=world.superuser, level="street", month=OCTOBER, min_cases=2)
    assert (table.first, table.last) == (OCTOBER, dt.date(2026, 10, 31))
    rows = _by_name(table)
    dongfeng, dongfanghong = rows["东风路街道"], rows["东方红街道"]
    assert dongfeng.entry.cases == 3
    assert dongfeng.rates == {
        "response_rate": 0.3333,  # due in October: 3; answered in time: 1 (one late, one not at all)
        "resolution_rate": 0.5,  # closed: 2; solved: 1
        "satisfaction_rate": 0.5,  # reached: 2; satisfied: 1
        "on_time_rate": 0.5,  # the late one closed after its due time
        "callback_rate": 1.0,
    }
    assert dongfanghong.rates["callback_rate"] == 0.5
    assert dongfanghong.rates["response_rate"] == 1.0
    assert [(r.entry.name, r.place) for r in table.rows] == [("东方红街道", 1), ("东风路街道", 2)]
    assert dongfeng.score == round((0.3333 + 0.5 + 0.5) / 3, 4)


def test_the_minimum_number_of_cases_is_a_setting(world, month, settings) -> None:
    settings.GONGJIAN_APPEALS_RANKING_MIN_CASES = 3
    table = selectors.appeal_ranking(actor=world.superuser, level="community", month=OCTOBER)
    assert table.min_cases == 3
    assert [(r.entry.name, r.place, r.reason) for r in table.rows] == [
        ("王家垅社区", 1, ""),
        ("尖山湖社区", None, ranking.TOO_FEW),
    ]


def test_year_to_date_counts_from_january(world, month) -> None:
    table = selectors.appeal_ranking(
        actor=world.superuser, level="district", month=OCTOBER, year_to_date=True, min_cases=1
    )
    assert table.first == dt.date(2026, 1, 1)
    kaifu = _by_name(table)["开福区"]
    assert kaifu.entry.cases == 4
    assert kaifu.rates["response_rate"] == 0.5  # 2 of 4 due this year answered in time
    assert kaifu.rates["resolution_rate"] == round(2 / 3, 4)


def test_units_are_ranked_by_the_appeals_assigned_to_them(world, month) -> None:
    table = selectors.appeal_ranking(actor=world.superuser, level="unit", month=OCTOBER, min_cases=1)
    rows = {r.entry.key: r for r in table.rows}
    assert set(rows) == {str(world.minzheng_org.pk), str(world.jsh_firm_org.pk)}
    assert rows[str(world.minzheng_org.pk)].entry.cases == 2  # the unassigned emergency counts for no unit
    assert rows[str(world.minzheng_org.pk)].rates["response_rate"] == 0.5


def test_each_reader_ranks_what_they_may_see(world, month) -> None:
    mine = selectors.appeal_ranking(actor=world.kaifu_admin, level="street", month=OCTOBER, min_cases=1)
    assert [r.entry.name for r in mine.rows] == ["东风路街道"]
    unit = selectors.appeal_ranking(actor=world.liaison, level="unit", month=OCTOBER, min_cases=1)
    assert [r.entry.key for r in unit.rows] == [str(world.minzheng_org.pk)]
    with pytest.raises(PermissionDenied):
        selectors.appeal_ranking(actor=world.resident, level="street", month=OCTOBER)


def test_the_catalogue_has_the_five_rates_kept_equal_to_their_rows(world, month) -> None:
    ids = [i for i in catalogue() if i.startswith("appeals.")]
    assert ids == [
        "appeals.response_rate",
        "appeals.resolution_rate",
        "appeals.satisfaction_rate",
        "appeals.on_time_rate",
        "appeals.callback_rate",
    ]
    date = dt.date(2026, 10, 31)
    kept = indicators_for(actor=world.superuser, area=world.dongfeng, date=date)
    assert kept["appeals.on_time_rate"] == round(2 / 3, 4)  # September's and the good one of three
    assert kept["appeals.callback_rate"] == 1.0
    for key in ids:
        assert kept[key] == catalogue()[key].compute(world.dongfeng, date), key
    rows = catalogue()["appeals.on_time_rate"].rows
    assert rows is not None
    assert {c.appeal_id for c in rows(world.dongfeng, date)} == {month["sept"].pk, month["good"].pk}
    assert tally.verify() == {}


# --- page, xlsx, PDF, API ---------------------------------------------------------------------


def test_the_ranking_page_with_its_workbook_and_pdf(client, world, month, settings) -> None:
    settings.GONGJIAN_APPEALS_RANKING_MIN_CASES = 2
    client.force_login(world.city_admin)
    query = {"level": "street", "month": "2026-10"}
    page = client.get(reverse("appeals:ranking"), query)
    assert page.status_code == 200
    html = page.content.decode()
    assert html.index('data-entity="东方红街道"') < html.index('data-entity="东风路街道"')
    assert "33.3%" in html

    book = client.get(reverse("appeals:ranking_xlsx"), query)
    assert book.status_code == 200
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(book.content))
    values = sheet.get_sheet_by_index(0).to_python()
    names = [row[1] for row in values[3:]]
    assert names == ["东方红街道", "东风路街道"]
    assert values[4][3] == pytest.approx(0.3333)

    pdf = client.get(reverse("appeals:ranking_pdf"), query)
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert "东方红街道" in text and "33.3%" in text


def test_the_page_refuses_residents_and_says_what_is_wrong_with_a_bad_month(client, world, month) -> None:
    client.force_login(world.resident)
    assert client.get(reverse("appeals:ranking")).status_code == 403
    client.force_login(world.city_admin)
    bad = client.get(reverse("appeals:ranking"), {"month": "2026-13"})
    assert bad.status_code == 400


def test_the_api_ranking(client, world, month) -> None:
    client.force_login(world.city_admin)
    url = "/api/v1/appeals/ranking/"
    data = client.get(url, {"level": "community", "month": "2026-10", "period": "month"}).json()
    assert data["first"] == "2026-10-01" and data["last"] == "2026-10-31"
    row = next(r for r in data["rows"] if r["name"] == "王家垅社区")
    assert row["rates"]["response_rate"] == 0.3333
    assert row["counts"]["due"] == 3
    assert row["place"] is None and row["reason"] == "too_few"  # fewer than the default 10 cases
    assert client.get(url, {"level": "planet"}).status_code == 400
    assert client.get(url, {"month": "October"}).status_code == 400
