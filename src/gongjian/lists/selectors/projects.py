"""Every read of projects that a person triggers; each takes the actor and returns only what the
actor may see.

Who sees what (written once, here):

- an administrator sees the projects whose area is inside their subtree;
- a unit liaison sees the projects their unit leads (as the lead unit, or through its Party
  organisation as the lead organisation) or joins as a partner;
- members and residents see none of this: they see the public board, which anyone may read without
  signing in and which carries no personal data (no person's name, phone or ID number; a
  micro-wish shows only the wish and the first name the requester chose to give);
- a superuser sees everything.

Milestones, evidence, reports and ratings are seen with their project.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import Avg, Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation

from gongjian.accounts.actor import Actor
from gongjian.accounts.scope import scope_for
from gongjian.core.excel import BookWriter
from gongjian.core.search import name_search_q
from gongjian.core.text import search_key
from gongjian.orgs.models import Area, ResidentUnit

from ..models import (
    DemandKind,
    Evidence,
    Milestone,
    ProgressReport,
    Project,
    ProjectStatus,
    Rating,
    Satisfaction,
)

#: Projects on a page of the public board.
BOARD_PAGE_SIZE = 12
#: How long a page of the public board is kept (seconds); every write that shows on it starts anew.
BOARD_CACHE_SECONDS = 300
BOARD_VERSION_KEY = "lists:board:version"


# --- scope --------------------------------------------------------------------------------------


def _project_scope_q(actor: Actor, prefix: str = "") -> Q:
    scope = scope_for(actor)
    if scope.everything:
        return Q()
    q = Q(**{f"{prefix}pk__in": []})
    if scope.area_paths:
        q |= scope.area_q(f"{prefix}area__")
    if scope.unit_ids:
        units = sorted(scope.unit_ids)
        partnered = Project.objects.filter(partners__in=units).values("pk")
        q |= (
            Q(**{f"{prefix}lead_unit_id__in": units})
            | Q(**{f"{prefix}lead_org__unit_id__in": units})
            | Q(**{f"{prefix}pk__in": partnered})
        )
    return q


def project_reaches(*, actor: Actor) -> bool:
    """Whether the actor's roles reach the project pages at all (administrators, liaisons)."""
    return not scope_for(actor).empty


def project_search_q(text: str) -> Q:
    """The project's name, its lead's or a partner's name (either script, pinyin initials)."""
    text = text.strip()
    if not text:
        return Q()
    partnered = Project.objects.filter(name_search_q(text, prefix="partners__")).values("pk")
    return (
        name_search_q(text)
        | Q(name__icontains=text)
        | Q(name__icontains=search_key(text))
        | name_search_q(text, prefix="lead_unit__")
        | name_search_q(text, prefix="lead_org__")
        | Q(pk__in=partnered)
    )


def project_list(
    *,
    actor: Actor,
    q: str = "",
    status: str = "",
    rating: str = "",
    meeting: Any = None,
    within: Area | None = None,
) -> QuerySet[Project]:
    """Projects the actor may see, newest claim first; ``within`` keeps those in that subtree."""
    qs = Project.objects.filter(_project_scope_q(actor))
    if status:
        qs = qs.filter(status=status)
    if rating:
        qs = qs.filter(rating=rating)
    if meeting is not None:
        qs = qs.filter(meeting=meeting)
    if within is not None:
        qs = qs.filter(area__path__startswith=within.path)
    if q:
        qs = qs.filter(project_search_q(q))
    return qs.select_related("area", "lead_unit", "lead_org", "demand", "resource", "meeting").order_by(
        "-claimed_at", "-pk"
    )


def milestone_due_list(*, actor: Actor, today: dt.date, days: int = 7) -> QuerySet[Milestone]:
    """Unfinished milestones of the projects in progress the actor may see, due within ``days``
    of ``today`` or overdue, earliest first."""
    projects = project_list(actor=actor, status=ProjectStatus.IN_PROGRESS).values("pk")
    return (
        Milestone.objects.filter(
            project_id__in=projects,
            percent__lt=100,
            due_on__isnull=False,
            due_on__lte=today + dt.timedelta(days=days),
        )
        .select_related("project")
        .order_by("due_on", "pk")
    )


def project_get(*, actor: Actor, pk: int) -> Project:
    project = project_list(actor=actor).filter(pk=pk).first()
    if project is None:
        raise Http404
    return project


def project_milestones(*, actor: Actor, project: Project) -> QuerySet[Milestone]:
    project_get(actor=actor, pk=project.pk)
    return Milestone.objects.filter(project=project).order_by("position", "pk")


def project_evidence(*, actor: Actor, project: Project) -> QuerySet[Evidence]:
    project_get(actor=actor, pk=project.pk)
    return Evidence.objects.filter(project=project).select_related("milestone").order_by("uploaded_at", "pk")


def project_reports(*, actor: Actor, project: Project) -> QuerySet[ProgressReport]:
    project_get(actor=actor, pk=project.pk)
    return ProgressReport.objects.filter(project=project).order_by("-year", "-quarter")


def project_partners(*, actor: Actor, project: Project) -> QuerySet[ResidentUnit]:
    project_get(actor=actor, pk=project.pk)
    return project.partners.order_by("name")


@dataclass(frozen=True)
class SatisfactionSummary:
    average: float | None
    count: int


def satisfaction_summary(project: Project) -> SatisfactionSummary:
    """Residents' satisfaction with a project (no person in it): the average score and how many."""
    row = Satisfaction.objects.filter(project=project).aggregate(avg=Avg("score"), n=Count("pk"))
    return SatisfactionSummary(round(row["avg"], 1) if row["avg"] is not None else None, row["n"])


def project_satisfaction(*, actor: Actor, project: Project) -> QuerySet[Satisfaction]:
    """The residents' ratings (score, comment, when) for the project's side; the raters are not
    named on any page."""
    project_get(actor=actor, pk=project.pk)
    return (
        Satisfaction.objects.filter(project=project).order_by("-at").only("score", "comment", "at", "project")
    )


def milestone_get(*, actor: Actor, pk: int) -> Milestone:
    milestone = Milestone.objects.filter(pk=pk, project__in=project_list(actor=actor).values("pk")).first()
    if milestone is None:
        raise Http404
    return milestone


def evidence_get(*, actor: Actor, pk: int) -> Evidence:
    evidence = (
        Evidence.objects.filter(pk=pk, project__in=project_list(actor=actor).values("pk"))
        .select_related("project", "project__area")
        .first()
    )
    if evidence is None:
        raise Http404
    return evidence


def report_get(*, actor: Actor, pk: int) -> ProgressReport:
    report = (
        ProgressReport.objects.filter(pk=pk, project__in=project_list(actor=actor).values("pk"))
        .select_related("project", "project__area")
        .first()
    )
    if report is None:
        raise Http404
    return report


def project_partner_choices(*, actor: Actor, project: Project) -> QuerySet[ResidentUnit]:
    """Units that may join a project: those sitting in the project's area (and below), those in the
    actor's scope, and the partners it has; never the lead unit."""
    scope = scope_for(actor)
    q = Q(area__path__startswith=project.area.path) | Q(pk__in=project.partners.values("pk"))
    if scope.everything:
        q = Q()
    else:
        q |= scope.rows_q("area__", "pk")
    qs = ResidentUnit.objects.filter(q)
    if project.lead_unit_id is not None:
        qs = qs.exclude(pk=project.lead_unit_id)
    return qs.order_by("name")


def project_milestone_choices(*, actor: Actor, project: Project) -> QuerySet[Milestone]:
    return project_milestones(actor=actor, project=project)


# --- figures --------------------------------------------------------------------------------------


def project_timing(*, actor: Actor, within: Area | None = None, **filters: Any) -> dict[str, Any]:
    """How fast projects go, over the projects the actor sees: the average days from publication to
    the accepted claim, and from publication to completion (each project's ``days_to_claim`` and
    ``days_to_complete``)."""
    rows = (
        project_list(actor=actor, within=within, **filters)
        .select_related(None)
        .only("published_at", "claimed_at", "completed_at")
    )
    to_claim = [p.days_to_claim for p in rows if p.days_to_claim is not None]
    to_done = [p.days_to_complete for p in rows if p.days_to_complete is not None]
    return {
        "days_to_claim": round(sum(to_claim) / len(to_claim), 1) if to_claim else None,
        "claimed": len(to_claim),
        "days_to_complete": round(sum(to_done) / len(to_done), 1) if to_done else None,
        "completed": len(to_done),
    }


# --- Excel export ---------------------------------------------------------------------------------


def project_export(*, actor: Actor, **filters: Any) -> bytes:
    """The projects the actor sees (with the list's filters) as a workbook, one row a project.
    No person is named: the lead and partners are units or organisations."""
    book = BookWriter()
    sheet = book.sheet("项目清单")
    sheet.header(
        [
            "编号",
            "项目",
            "区域",
            "牵头单位",
            "合作单位",
            "状态",
            "进度(%)",
            "开始",
            "计划完成",
            "发布",
            "认领",
            "完成",
            "发布到认领(天)",
            "发布到完成(天)",
            "受益人数",
            "服务时长(小时)",
            "年终评定",
            "群众满意度",
            "评价人数",
        ],
        widths=[8, 30, 16, 24, 30, 10, 8, 11, 11, 16, 16, 16, 10, 10, 10, 10, 10, 10, 8],
    )
    rows = (
        project_list(actor=actor, **filters)
        .prefetch_related("partners")
        .annotate(sat_avg=Avg("satisfaction__score"), sat_n=Count("satisfaction"))
    )
    with translation.override("zh-hans"):
        for p in rows:
            sheet.append(
                [
                    p.pk,
                    p.name,
                    p.area.name,
                    _lead_name(p),
                    "、".join(u.name for u in p.partners.all()),
                    str(p.get_status_display()),
                    p.percent,
                    p.starts_on,
                    p.due_on,
                    _local(p.published_at),
                    _local(p.claimed_at),
                    _local(p.completed_at),
                    p.days_to_claim,
                    p.days_to_complete,
                    p.beneficiaries,
                    p.hours,
                    str(p.get_rating_display()) if p.rating else "",
                    round(p.sat_avg, 1) if p.sat_avg is not None else None,
                    p.sat_n,
                ]
            )
    return book.close()


def _local(value: dt.datetime | None) -> dt.datetime | None:
    return timezone.localtime(value) if value is not None else None


def _lead_name(project: Project) -> str:
    if project.lead_unit is not None:
        return project.lead_unit.name
    if project.lead_org is not None:
        return project.lead_org.name
    return ""


# --- the public board -----------------------------------------------------------------------------


def board_area(*, actor: Actor, pk: int) -> Area:
    """Any area has a public board (place names are public)."""
    area = Area.objects.filter(pk=pk).first()
    if area is None:
        raise Http404
    return area


def board_crumbs(*, actor: Actor, area: Area) -> list[dict[str, Any]]:
    """The way down to ``area``, each step linking to its own board."""
    rows = [*Area.objects.get_ancestors(area), area]
    return [
        {"label": a.name, "url": reverse("lists:board", args=[a.pk]) if a.pk != area.pk else None}
        for a in rows
    ]


def _board_rows(area: Area) -> QuerySet[Project]:
    photos = Evidence.objects.filter(public=True, kind=Evidence.Kind.PHOTO).order_by("uploaded_at", "pk")
    return (
        Project.objects.filter(area__path__startswith=area.path, public=True)
        .exclude(status=ProjectStatus.CANCELLED)
        .select_related("area", "lead_unit", "lead_org", "demand", "resource")
        .prefetch_related(
            "partners",
            Prefetch("milestones", queryset=Milestone.objects.order_by("position", "pk")),
            Prefetch("evidence", queryset=photos, to_attr="public_photos"),
        )
        .annotate(sat_avg=Avg("satisfaction__score"), sat_n=Count("satisfaction"))
        .order_by("-claimed_at", "-pk")
    )


def _board_item(p: Project) -> dict[str, Any]:
    """What the board shows of a project: no person at all."""
    demand = p.demand
    micro_wish = demand is not None and demand.kind == DemandKind.MICRO_WISH
    return {
        "id": p.pk,
        "name": p.name,
        "micro_wish": micro_wish,
        "wish_first_name": demand.requester_first_name if micro_wish and demand is not None else "",
        "area": p.area.name,
        "status": p.status,
        "status_label": str(p.get_status_display()),
        "percent": p.percent,
        "lead": _lead_name(p),
        "partners": [u.name for u in p.partners.all()],
        "starts_on": p.starts_on,
        "due_on": p.due_on,
        "completed_on": timezone.localtime(p.completed_at).date() if p.completed_at else None,
        "days_to_claim": p.days_to_claim,
        "days_to_complete": p.days_to_complete,
        "beneficiaries": p.beneficiaries,
        "hours": p.hours,
        "rating": p.rating,
        "rating_label": str(Rating(p.rating).label) if p.rating else "",
        "finished": p.status in (ProjectStatus.DONE, ProjectStatus.EVALUATED, ProjectStatus.CLOSED),
        "milestones": [
            {
                "title": m.title,
                "percent": m.percent,
                "due_on": m.due_on,
                "done_on": m.done_on,
                "done": m.percent >= 100,
            }
            for m in p.milestones.all()
        ],
        "photos": [
            {"url": reverse("lists:board_evidence", args=[e.pk]), "caption": e.caption}
            for e in getattr(p, "public_photos", [])
        ],
        "satisfaction": {
            "average": round(p.sat_avg, 1) if p.sat_avg is not None else None,  # type: ignore[attr-defined]
            "count": p.sat_n,  # type: ignore[attr-defined]
        },
    }


@dataclass
class BoardPage:
    page: Page[Any]
    projects: list[dict[str, Any]]


def board_page(*, actor: Actor, area: Area, page: Any = 1) -> BoardPage:
    """A page of the public board of ``area`` and its subtree: the public projects (cancelled ones
    aside), newest first, as plain data without any personal data; cached until a project changes."""
    version = cache.get(BOARD_VERSION_KEY, 0)
    count_key = f"lists:board:{version}:{area.pk}:count"
    count = cache.get(count_key)
    if count is None:
        count = _board_rows(area).count()
        cache.set(count_key, count, BOARD_CACHE_SECONDS)
    pager = Paginator(range(count), BOARD_PAGE_SIZE).get_page(page)
    language = translation.get_language() or "zh-hans"
    key = f"lists:board:{version}:{area.pk}:{pager.number}:{language}"
    projects = cache.get(key)
    if projects is None:
        start = (pager.number - 1) * BOARD_PAGE_SIZE
        projects = [_board_item(p) for p in _board_rows(area)[start : start + BOARD_PAGE_SIZE]]
        cache.set(key, projects, BOARD_CACHE_SECONDS)
    return BoardPage(page=pager, projects=projects)


def board_evidence_get(*, actor: Actor, pk: int) -> Evidence:
    """A photo shown on the public board: public, of a public project that is not cancelled."""
    evidence = (
        Evidence.objects.filter(pk=pk, public=True, kind=Evidence.Kind.PHOTO, project__public=True)
        .exclude(project__status=ProjectStatus.CANCELLED)
        .first()
    )
    if evidence is None:
        raise Http404
    return evidence


def board_project_get(*, actor: Actor, pk: int) -> Project:
    """A project of the public board (for residents' ratings)."""
    project = (
        Project.objects.filter(pk=pk, public=True)
        .exclude(status=ProjectStatus.CANCELLED)
        .select_related("area", "demand")
        .first()
    )
    if project is None:
        raise Http404
    return project


def board_status_choices() -> list[tuple[str, str]]:
    return [(s.value, str(s.label)) for s in ProjectStatus if s != ProjectStatus.CANCELLED]
