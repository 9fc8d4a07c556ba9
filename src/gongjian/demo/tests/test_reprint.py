"""Figures that never rewrite the past (issue 20, "Done when"): the report of every place the
article names, printed for the article's date, is printed again after a day of new records of
every kind (entered today through the services, most with their start left blank): the same
figures, no difference. After an audited correction of the past, the reprint still shows the
figures as printed and notes exactly the corrected figure, with the correction behind it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone, translation

from gongjian.accounts.models import User
from gongjian.core.synthetic import id_number
from gongjian.members import services as member_services
from gongjian.members.models import Category
from gongjian.orgs import services as org_services
from gongjian.orgs.models import Area, Level, PartyOrg
from gongjian.stats import services as stats_services
from gongjian.stats.management.commands.indicators import resolve_area
from gongjian.stats.models import PrintedReport
from gongjian.stats.reports import Report, report_fingerprint, report_snapshot
from gongjian.testing import credit_code

from .test_article_figures import ARTICLE_DATE, FIGURES

ARTICLE = dt.date.fromisoformat(ARTICLE_DATE)
#: Every place the article's table names (as the article writes them).
PLACES = sorted({place for place, _indicator, _value, _compare in FIGURES})


def _print(admin: User, place: str) -> Report:
    with translation.override("zh-hans"):
        return stats_services.report_print(actor=admin, area=resolve_area(place), date=ARTICLE)


def _numbers(report: Report) -> dict[str, Any]:
    return report_snapshot(report)


def _a_day_of_new_records(admin: User) -> dict[str, Any]:
    """Today's records of every kind the map and the ledgers keep, in every article place: units,
    a compound with its branch, an alliance member, members on the direct and in-service ledgers
    and a report to the community confirmed today; starts left blank, or today."""
    today = timezone.localdate()
    made: dict[str, Any] = {}
    for n, place in enumerate(PLACES):
        area = resolve_area(place)
        assert isinstance(area, Area)
        unit = org_services.unit_create(
            actor=admin,
            name=f"今日新登记单位{n}",
            credit_code=credit_code(8800 + n),
            kind="private",
            area=area,  # 入驻日期 left blank
        )
        made.setdefault("units", []).append(unit)
        if area.level < Level.COMPOUND:
            compound = org_services.area_create(
                actor=admin, parent=area, name=f"今日新建小区{n}", level=Level.COMPOUND
            )
            org_services.party_org_create(
                actor=admin, name=f"今日新建小区{n}党支部", kind="branch", code=f"I20-{n}", area=compound
            )
        alliance = area.alliances.order_by("pk").first()
        if alliance is not None:
            org_services.alliance_member_add(actor=admin, alliance=alliance, unit=unit)
        org = PartyOrg.objects.filter(area=area, unit__isnull=True).order_by("pk").first()
        if org is not None:
            member = member_services.member_create(
                actor=admin,
                name=f"今日新党员{n}",
                id_number=id_number(480 + n, birth=dt.date(1975, 2, 28)),
                org=org,
                joined_on=dt.date(2010, 7, 1),
                residence=area,
            )
            member_services.category_add(actor=admin, member=member, category=Category.DIRECT)
            if area.level < Level.COMMUNITY:
                continue  # in-service members are listed where they live: a community
            worker = member_services.member_create(
                actor=admin,
                name=f"今日在职党员{n}",
                id_number=id_number(480 + n, birth=dt.date(1976, 2, 28)),
                org=org,
                joined_on=dt.date(2012, 7, 1),
                residence=area,
                work_unit=unit,
            )
            member_services.category_add(actor=admin, member=worker, category=Category.IN_SERVICE)
            if area.level == Level.COMMUNITY:
                report = member_services.member_report_create(actor=admin, member=worker, community=area)
                member_services.member_report_decide(actor=admin, report=report, confirm=True, on=today)
    return made


def test_a_day_of_new_records_leaves_every_printed_article_figure_as_it_was(demo, db) -> None:
    admin = User.objects.get(username="admin")
    first = {place: _print(admin, place) for place in PLACES}
    assert PrintedReport.objects.filter(date=ARTICLE).count() == len(PLACES)
    for place, report in first.items():
        # kept with a fingerprint of its numbers; the first print has no difference to note
        assert report.fingerprint == report_fingerprint(report.area.code, ARTICLE, _numbers(report))
        assert report.differences == [], place

    made = _a_day_of_new_records(admin)

    for place in PLACES:
        again = _print(admin, place)
        assert _numbers(again) == _numbers(first[place]), place
        assert again.fingerprint == first[place].fingerprint
        assert again.differences == [], (place, [d.note for d in again.differences])

    # an audited correction of the past: 王家垅社区's new unit really came in June 2018
    unit = next(u for u in made["units"] if u.area.name == "王家垅社区")
    org_services.start_correct(actor=admin, row=unit, since=dt.date(2018, 6, 1), reason="据入驻协议补正")
    report = _print(admin, "王家垅社區")
    assert _numbers(report) == _numbers(first["王家垅社區"])  # the figures as printed
    assert [(d.where, d.name, d.on) for d in report.differences] == [("王家垅社区", "驻区单位", ARTICLE)]
    difference = report.differences[0]
    printed = first["王家垅社區"].figures
    was = next(f.value for f in printed if f.indicator.id == "units.resident")
    assert isinstance(was, int)
    assert (difference.printed, difference.live) == (str(was), str(was + 1))
    assert [c.reason for c in difference.corrections] == ["据入驻协议补正"]
    with translation.override("zh-hans"):
        assert "据入驻协议补正" in difference.note and "打印时为" in difference.note
    # every other article place: only its resident units differ, only where the unit sits below it
    for place in PLACES:
        again = _print(admin, place)
        assert {d.name for d in again.differences} <= {"驻区单位"}, place
        below = again.area.path and unit.area.path.startswith(again.area.path)
        assert bool(again.differences) == bool(below), place
