"""Every read of demands, resources and claims that a person triggers; each takes the actor.

Who sees what (written once here; the scope walk's Oracle writes it again plainly):

- administrators: demands, resources and claims whose area is in their subtree; published
  resources that serve an area of their subtree; claims made by an organisation of their subtree;
- unit liaisons: published demands within their unit's **reach** (below), and everything their
  unit raised, offers or claimed (with the claims on it);
- members: published micro-wishes of their community, the micro-wishes they claimed, their own
  claims and resources;
- residents: the demands they raised.

**Reach** of a resident unit (which demands it sees and may claim): the district (or county) it
sits in, and the area of every alliance it is currently a member of (a city alliance reaches the
city). **Service area** of a resource: the areas listed as served (with everything below them);
with none listed, the district it sits in (the radius is shown to claimants: areas carry no
coordinates to measure it).

A micro-wish's sealed requester is never read here: only the wish and the first name leave.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from gongjian.accounts.actor import Actor
from gongjian.accounts.models import Role, RoleKind
from gongjian.accounts.scope import scope_for
from gongjian.cobuild.models import JointMeeting, MeetingStatus
from gongjian.core.excel import BookWriter
from gongjian.core.search import name_search_q
from gongjian.members.models import Member
from gongjian.orgs.models import AllianceMember, Area, Dated, Level, PartyOrg, ResidentUnit

from ..models import (
    Claim,
    ClaimStatus,
    Demand,
    DemandKind,
    DemandStatus,
    Resource,
    ResourceStatus,
)

#: Demands that have been published (and stay public through their project's life).
PUBLIC_DEMAND = [
    DemandStatus.PUBLISHED,
    DemandStatus.CLAIMED,
    DemandStatus.IN_PROGRESS,
    DemandStatus.DONE,
    DemandStatus.EVALUATED,
    DemandStatus.CLOSED,
]
#: Meetings at which claims are recorded: held, or with the minutes archived.
MEETING_RECORDS = [MeetingStatus.HELD, MeetingStatus.CLOSED]


# --- places ----------------------------------------------------------------------------------


def _prefix(path: str, depth: int) -> str:
    return path[: depth * Area.steplen]


def district_path(area: Area) -> str:
    """The path of the district (or county) ``area`` sits in (the area itself above that level)."""
    return _prefix(area.path, Level.DISTRICT) if area.depth >= Level.DISTRICT else area.path


def community_of(area: Area | None) -> Area | None:
    """The community (or village) an area sits in, or None above that level."""
    if area is None or area.level < Level.COMMUNITY:
        return None
    if area.level == Level.COMMUNITY:
        return area
    return Area.objects.get_ancestors(area).filter(level=Level.COMMUNITY).first()


def unit_reach_paths(unit: ResidentUnit, on: dt.date | None = None) -> list[str]:
    """The reach of a unit: its district and the areas of the alliances it belongs to on ``on``."""
    paths = {district_path(unit.area)}
    memberships = AllianceMember.objects.filter(Dated.on(on or timezone.localdate()), unit=unit)
    paths |= set(memberships.values_list("alliance__area__path", flat=True))
    return sorted(paths)


def unit_reaches(unit: ResidentUnit, area: Area) -> bool:
    return any(area.path.startswith(p) for p in unit_reach_paths(unit))


def _paths_q(paths: list[str], prefix: str) -> Q:
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{prefix}path__startswith": path})
    return q


def resource_served_paths(resource: Resource) -> list[str]:
    """The subtrees a resource serves: its listed areas, else the district it sits in."""
    listed = sorted(resource.service_areas.values_list("path", flat=True))
    return listed or [district_path(resource.area)]


def resource_serves(resource: Resource, area: Area) -> bool:
    return any(area.path.startswith(p) for p in resource_served_paths(resource))


def _ancestor_paths(path: str) -> list[str]:
    return [path[:i] for i in range(Area.steplen, len(path) + 1, Area.steplen)]


def _serves_any_q(paths: tuple[str, ...] | list[str]) -> Q:
    """Resources serving some area inside one of ``paths``: a listed area inside or around one of
    them, or (none listed) a district that overlaps one of them."""
    listed = Resource.service_areas.through.objects.filter(resource_id=OuterRef("pk"))
    has_listed = Exists(listed)
    inside = Q(pk__in=[])
    around: list[str] = []
    district = Q(pk__in=[])
    for path in paths:
        inside |= Q(area__path__startswith=path)
        around += _ancestor_paths(path)
        district_len = Level.DISTRICT * Area.steplen
        district |= Q(area__path__startswith=path[:district_len] if len(path) >= district_len else path)
        # a resource sitting above district level serves the subtree of where it sits
        district |= Q(area__path__in=[a for a in _ancestor_paths(path) if len(a) < district_len])
    listed_overlap = Resource.service_areas.through.objects.filter(resource_id=OuterRef("pk")).filter(
        _paths_q(list(paths), "area__") | Q(area__path__in=around)
    )
    return Q(Exists(listed_overlap)) | (~Q(has_listed) & district)


# --- who the actor is --------------------------------------------------------------------------


def actor_member(actor: Actor) -> Member | None:
    """The Party member record linked to the actor's account, if any."""
    if not actor.is_authenticated:
        return None
    return Member.objects.filter(user_id=actor.pk).select_related("residence", "org__area").first()


def actor_communities(actor: Actor, kind: str) -> list[Area]:
    """The communities where the actor holds a member's or resident's role (``kind``)."""
    if not actor.is_authenticated:
        return []
    roles = Role.objects.filter(user_id=actor.pk, active=True, kind=kind).select_related("area")
    out: dict[int, Area] = {}
    for role in roles:
        community = community_of(role.area)
        if community is not None:
            out[community.pk] = community
    return list(out.values())


def actor_units_choices(*, actor: Actor) -> QuerySet[ResidentUnit]:
    """The units the actor is the liaison of (for which they raise demands and offer resources)."""
    scope = scope_for(actor)
    if scope.everything:
        return ResidentUnit.objects.all().order_by("name_key", "pk")
    return ResidentUnit.objects.filter(pk__in=sorted(scope.unit_ids)).order_by("name_key", "pk")


# --- demands ---------------------------------------------------------------------------------


def _demand_scope_q(actor: Actor) -> Q:
    scope = scope_for(actor)
    if scope.everything:
        return Q()
    q = Q(pk__in=[])
    if scope.area_paths:
        q |= scope.area_q("area__")
    if scope.unit_ids:
        units = sorted(scope.unit_ids)
        reach: list[str] = []
        for unit in ResidentUnit.objects.filter(pk__in=units).select_related("area"):
            reach += unit_reach_paths(unit)
        q |= Q(status__in=PUBLIC_DEMAND) & _paths_q(reach, "area__")
        q |= Q(raised_by_unit_id__in=units)
        q |= Q(
            pk__in=Claim.objects.filter(claimant_unit_id__in=units, demand__isnull=False).values("demand_id")
        )
    if not actor.is_authenticated:
        return q
    homes = [c.path for c in actor_communities(actor, RoleKind.MEMBER)]
    if homes:
        q |= Q(kind=DemandKind.MICRO_WISH, status__in=PUBLIC_DEMAND) & _paths_q(homes, "area__")
    q |= Q(
        pk__in=Claim.objects.filter(claimant_member__user_id=actor.pk, demand__isnull=False).values(
            "demand_id"
        )
    )
    q |= Q(raised_by_id=actor.pk)
    return q


def demand_list(
    *,
    actor: Actor,
    within: Area | None = None,
    q: str = "",
    status: str = "",
    category: str = "",
    urgency: str = "",
    kind: str = "",
) -> QuerySet[Demand]:
    """Demands the actor may see, newest first, filtered."""
    qs = Demand.objects.filter(_demand_scope_q(actor))
    if within is not None:
        qs = qs.filter(area__path__startswith=within.path)
    if q:
        qs = qs.filter(name_search_q(q))
    if status == "open":
        qs = qs.filter(status__in=[DemandStatus.PUBLISHED, DemandStatus.CLAIMED, DemandStatus.IN_PROGRESS])
    elif status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category=category)
    if urgency:
        qs = qs.filter(urgency=urgency)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.select_related("area", "owner_org__area").order_by("-raised_at", "-pk")


def demand_get(*, actor: Actor, pk: int) -> Demand:
    demand = demand_list(actor=actor).filter(pk=pk).select_related("raised_by_unit", "meeting").first()
    if demand is None:
        raise Http404
    return demand


# --- resources -------------------------------------------------------------------------------


def _resource_scope_q(actor: Actor) -> Q:
    scope = scope_for(actor)
    if scope.everything:
        return Q()
    q = Q(pk__in=[])
    if scope.area_paths:
        q |= scope.area_q("area__")
        q |= Q(status=ResourceStatus.PUBLISHED) & _serves_any_q(scope.area_paths)
        claimed = Claim.objects.filter(scope.area_q("claimant_org__area__"), resource__isnull=False)
        q |= Q(pk__in=claimed.values("resource_id"))
    if scope.unit_ids:
        q |= Q(provider_unit_id__in=sorted(scope.unit_ids))
    if actor.is_authenticated:
        q |= Q(provider_member__user_id=actor.pk)
    return q


def resource_list(
    *,
    actor: Actor,
    within: Area | None = None,
    q: str = "",
    status: str = "",
    category: str = "",
    kind: str = "",
) -> QuerySet[Resource]:
    """Resources the actor may see, newest first, filtered."""
    qs = Resource.objects.filter(_resource_scope_q(actor))
    if within is not None:
        qs = qs.filter(area__path__startswith=within.path)
    if q:
        qs = qs.filter(name_search_q(q))
    if status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category=category)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.select_related("area", "provider_unit", "provider_org__area", "provider_member").order_by(
        "-created_at", "-pk"
    )


def resource_get(*, actor: Actor, pk: int) -> Resource:
    resource = resource_list(actor=actor).filter(pk=pk).first()
    if resource is None:
        raise Http404
    return resource


# --- claims ----------------------------------------------------------------------------------


def _claim_scope_q(actor: Actor) -> Q:
    scope = scope_for(actor)
    if scope.everything:
        return Q()
    q = Q(pk__in=[])
    if scope.area_paths:
        q |= scope.area_q("demand__area__") | scope.area_q("resource__area__")
        q |= scope.area_q("claimant_org__area__")
    if scope.unit_ids:
        units = sorted(scope.unit_ids)
        q |= Q(claimant_unit_id__in=units) | Q(resource__provider_unit_id__in=units)
        q |= Q(demand__raised_by_unit_id__in=units)
    if actor.is_authenticated:
        q |= Q(claimant_member__user_id=actor.pk) | Q(resource__provider_member__user_id=actor.pk)
    return q


def claim_list(
    *,
    actor: Actor,
    status: str = "",
    demand: Demand | None = None,
    resource: Resource | None = None,
    side: str = "",
) -> QuerySet[Claim]:
    """Claims the actor may see: made by their side or on what they own. ``side`` ``made`` keeps
    the claims the actor's units, organisations or member record made."""
    qs = Claim.objects.filter(_claim_scope_q(actor))
    if status:
        qs = qs.filter(status=status)
    if demand is not None:
        qs = qs.filter(demand=demand)
    if resource is not None:
        qs = qs.filter(resource=resource)
    if side == "made":
        qs = qs.filter(claims_made_q(actor))
    return qs.select_related(
        "demand__area",
        "resource__area",
        "claimant_unit",
        "claimant_org__area",
        "claimant_member",
        "meeting",
    ).order_by("-claimed_at", "-pk")


def claims_made_q(actor: Actor) -> Q:
    """Claims made by the actor's side: their units, organisations they administer, themself."""
    scope = scope_for(actor)
    if scope.everything:
        return Q()
    q = Q(pk__in=[])
    if scope.unit_ids:
        q |= Q(claimant_unit_id__in=sorted(scope.unit_ids))
    if scope.area_paths:
        q |= scope.area_q("claimant_org__area__")
    if actor.is_authenticated:
        q |= Q(claimant_member__user_id=actor.pk)
    return q


def claim_get(*, actor: Actor, pk: int) -> Claim:
    claim = claim_list(actor=actor).filter(pk=pk).first()
    if claim is None:
        raise Http404
    return claim


def claim_target_visible(*, actor: Actor, claim: Claim) -> bool:
    """Whether the actor may open the demand or resource a claim is on."""
    if claim.demand_id is not None:
        return demand_list(actor=actor).filter(pk=claim.demand_id).exists()
    return resource_list(actor=actor).filter(pk=claim.resource_id or 0).exists()


def claimant_label(claim: Claim) -> str:
    """Who claimed, as shown in lists: the unit, the community (its organisation's area), or the
    member."""
    if claim.claimant_unit is not None:
        return claim.claimant_unit.name
    if claim.claimant_org is not None:
        return claim.claimant_org.area.name
    return claim.claimant_member.name if claim.claimant_member is not None else ""


def provider_label(resource: Resource) -> str:
    """Who offers a resource, as shown in lists: the unit, the organisation's area, or the member."""
    if resource.provider_unit is not None:
        return resource.provider_unit.name
    if resource.provider_org is not None:
        return resource.provider_org.area.name
    return resource.provider_member.name if resource.provider_member is not None else ""


# --- choices for forms and serializers ---------------------------------------------------------


def owner_org_choices(*, actor: Actor) -> QuerySet[PartyOrg]:
    """Territorial organisations (district, street, community) whose list the actor keeps."""
    scope = scope_for(actor)
    return (
        PartyOrg.objects.filter(
            scope.area_q("area__"),
            unit__isnull=True,
            until__isnull=True,
            area__level__in=[Level.DISTRICT, Level.STREET, Level.COMMUNITY],
        )
        .select_related("area")
        .order_by("area__path", "name_key")
    )


def area_choices(*, actor: Actor) -> QuerySet[Area]:
    """Areas the actor administers (where a demand or a resource may be placed)."""
    return Area.objects.filter(scope_for(actor).area_q()).order_by("path")


def unit_choices(*, actor: Actor) -> QuerySet[ResidentUnit]:
    """Units that may claim or offer in the actor's name: the liaison's units; for meeting staff,
    the units sitting in or allied within their subtree (checked against the demand's reach by the
    services)."""
    scope = scope_for(actor)
    if scope.everything:
        return ResidentUnit.objects.all().order_by("name_key", "pk")
    q = Q(pk__in=sorted(scope.unit_ids))
    if scope.area_paths:
        q |= scope.area_q("area__")
        members = AllianceMember.objects.filter(scope.area_q("alliance__area__"), until__isnull=True)
        q |= Q(pk__in=members.values("unit_id"))
    return ResidentUnit.objects.filter(q).order_by("name_key", "pk")


def meeting_choices(*, actor: Actor) -> QuerySet[JointMeeting]:
    """Joint meetings whose claims the actor records: held ones in their subtree."""
    scope = scope_for(actor)
    if not (scope.everything or scope.area_paths):
        return JointMeeting.objects.none()
    return (
        JointMeeting.objects.filter(scope.area_q("area__"), status__in=MEETING_RECORDS)
        .select_related("area")
        .order_by("-starts_at")
    )


def service_area_choices(*, actor: Actor) -> QuerySet[Area]:
    """Areas a resource may list as served (districts down to communities): an administrator's
    subtree, a liaison's units' reach, a member's community."""
    scope = scope_for(actor)
    q = scope.area_q() if (scope.everything or scope.area_paths) else Q(pk__in=[])
    for unit in ResidentUnit.objects.filter(pk__in=sorted(scope.unit_ids)).select_related("area"):
        q |= _paths_q(unit_reach_paths(unit), "")
    q |= _paths_q([c.path for c in actor_communities(actor, RoleKind.MEMBER)], "")
    return Area.objects.filter(q, level__lte=Level.COMMUNITY, level__gte=Level.DISTRICT).order_by("path")


def within_get(*, actor: Actor, pk: int) -> Area:
    """The area of a ``within`` filter: inside the scope of an administrator (404 outside it);
    any area for the other roles, whose lists the scope already limits."""
    area = Area.objects.filter(pk=pk).first()
    scope = scope_for(actor)
    if area is None or ((scope.everything or scope.area_paths) and not scope.covers_path(area.path)):
        raise Http404
    return area


# --- export ----------------------------------------------------------------------------------


def _label(value: Any) -> str:
    return str(value) if value is not None else ""


def demand_export(*, actor: Actor, rows: QuerySet[Demand]) -> bytes:
    """The demand list as a workbook. A micro-wish's requester is never in it (only the first
    name the wish is published with)."""
    book = BookWriter()
    sheet = book.sheet("需求清单")
    sheet.header(
        [
            "编号",
            "名称",
            "类型",
            "类别",
            "数量",
            "单位",
            "已认领",
            "区域",
            "地点",
            "截止日期",
            "紧急程度",
            "来源",
            "状态",
            "发布时间",
            "心愿人",
        ],
        widths=[8, 30, 10, 16, 8, 8, 8, 16, 20, 12, 10, 14, 10, 18, 10],
    )
    for d in rows.filter(pk__in=demand_list(actor=actor).values("pk")).iterator(chunk_size=2000):
        sheet.append(
            [
                d.pk,
                d.name,
                d.get_kind_display(),
                d.get_category_display(),
                d.quantity,
                d.measure,
                d.claimed,
                d.area.name,
                d.place,
                d.deadline,
                d.get_urgency_display(),
                d.get_source_display(),
                d.get_status_display(),
                timezone.localtime(d.published_at) if d.published_at else None,
                d.requester_first_name if d.kind == DemandKind.MICRO_WISH else "",
            ]
        )
    return book.close()


def resource_export(*, actor: Actor, rows: QuerySet[Resource]) -> bytes:
    book = BookWriter()
    sheet = book.sheet("资源清单")
    sheet.header(
        [
            "编号",
            "名称",
            "类型",
            "类别",
            "容量",
            "单位",
            "已认领",
            "所在区域",
            "提供方",
            "开始",
            "截止",
            "服务半径(公里)",
            "状态",
        ],
        widths=[8, 30, 12, 16, 8, 8, 8, 16, 24, 12, 12, 10, 10],
    )
    for r in rows.filter(pk__in=resource_list(actor=actor).values("pk")).iterator(chunk_size=2000):
        sheet.append(
            [
                r.pk,
                r.name,
                r.get_kind_display(),
                r.get_category_display(),
                r.capacity,
                r.measure,
                r.claimed,
                r.area.name,
                provider_label(r),
                r.available_from,
                r.available_until,
                r.radius_km,
                r.get_status_display(),
            ]
        )
    return book.close()


__all__ = [
    "PUBLIC_DEMAND",
    "ClaimStatus",
    "actor_communities",
    "actor_member",
    "claim_get",
    "claim_list",
    "demand_get",
    "demand_list",
    "resource_get",
    "resource_list",
    "unit_reach_paths",
]
