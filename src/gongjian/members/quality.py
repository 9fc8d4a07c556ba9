"""The ledgers' data-quality checks (``quality.*``, see ``gongjian.stats.quality``): each the query of
the records an office should look at under a node on a day.

The same person on two communities' direct ledgers needs no check: the database refuses it (one
member per ID number, by its blind index, and one open entry per ledger a member), as
``stats/tests/test_quality.py`` shows."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from gongjian.orgs.models import Area, Dated, PartyOrg
from gongjian.stats.quality import check
from gongjian.stats.registry import Figure

from .models import Category, Member, MemberCategory, MemberReport, MemberStatus, MobileRecord, ReportStatus

#: An in-service member has this long to be confirmed by a community after joining the ledger.
REPORT_DAYS = 90
#: A mobile member reports back at least once in this long.
REPORT_BACK_DAYS = 365


def _listed(area: Area, date: dt.date, category: str | None = None) -> QuerySet[MemberCategory]:
    rows = MemberCategory.objects.filter(Dated.on(date), area__path__startswith=area.path)
    return rows.filter(category=category) if category else rows


def transferred_out_listed(area: Area, date: dt.date) -> QuerySet[Member]:
    """Members transferred out who are still on a ledger in force under the node."""
    return Member.objects.filter(
        status=MemberStatus.TRANSFERRED_OUT, pk__in=_listed(area, date).values("member_id")
    )


def in_service_unconfirmed(area: Area, date: dt.date) -> QuerySet[Member]:
    """In-service members listed under the node for 90 days or more without a confirmed report."""
    listed = _listed(area, date, Category.IN_SERVICE).filter(since__lte=date - dt.timedelta(days=REPORT_DAYS))
    confirmed = MemberReport.objects.filter(
        Dated.on(date), status=ReportStatus.CONFIRMED, confirmed_on__lte=date
    )
    return Member.objects.filter(status=MemberStatus.NORMAL, pk__in=listed.values("member_id")).exclude(
        pk__in=confirmed.values("member_id")
    )


def mobile_silent(area: Area, date: dt.date) -> QuerySet[Member]:
    """Members listed under the node away on a mobile record that has had no report-back for a year."""
    year_ago = date - dt.timedelta(days=REPORT_BACK_DAYS)
    silent = MobileRecord.objects.filter(Dated.on(date)).filter(
        Q(last_report_back__lt=year_ago) | Q(last_report_back__isnull=True, since__lte=year_ago)
    )
    return Member.objects.filter(
        status=MemberStatus.NORMAL,
        pk__in=silent.values("member_id"),
    ).filter(pk__in=_listed(area, date).values("member_id"))


def orgs_without_members(area: Area, date: dt.date) -> QuerySet[PartyOrg]:
    """Organisations in force under the node with no member in good standing and no organisation
    below them."""
    parents = PartyOrg.objects.filter(Dated.on(date), parent__isnull=False).values("parent_id")
    return (
        PartyOrg.objects.filter(Dated.on(date), area__path__startswith=area.path)
        .exclude(pk__in=Member.objects.filter(status=MemberStatus.NORMAL).values("org_id"))
        .exclude(pk__in=parents)
    )


def areas_without_org(area: Area, date: dt.date) -> QuerySet[Area]:
    """Nodes (the node or below) with members on a ledger there but no organisation in force there."""
    return (
        Area.objects.filter(path__startswith=area.path)
        .filter(pk__in=MemberCategory.objects.filter(Dated.on(date)).values("area_id"))
        .exclude(pk__in=PartyOrg.objects.filter(Dated.on(date)).values("area_id"))
    )


CHECKS: list[Figure] = [
    check(
        "transferred_out_listed",
        (
            "已转出但仍在台账上的党员",
            "已轉出但仍在台賬上的黨員",
            "Members transferred out but still on a ledger",
        ),
        transferred_out_listed,
        1,
    ),
    check(
        "in_service_unconfirmed",
        (
            "在职党员入册满90天仍无确认的报到",
            "在職黨員入冊滿90天仍無確認的報到",
            "In-service members with no confirmed report after 90 days",
        ),
        in_service_unconfirmed,
        2,
    ),
    check(
        "mobile_silent",
        (
            "流动党员一年以上未汇报",
            "流動黨員一年以上未匯報",
            "Mobile members with no report-back for a year",
        ),
        mobile_silent,
        3,
    ),
    check(
        "orgs_without_members",
        ("没有党员的党组织", "沒有黨員的黨組織", "Party organisations with no members"),
        orgs_without_members,
        4,
    ),
    check(
        "areas_without_org",
        (
            "有党员但没有党组织的区域",
            "有黨員但沒有黨組織的區域",
            "Areas with members but no Party organisation",
        ),
        areas_without_org,
        8,
    ),
]
