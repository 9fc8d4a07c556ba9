"""Every read of appeals that a person triggers; each takes the actor.

Who sees which appeals:

- administrators (city, district, street, community): appeals about an area in their subtree;
- a unit's liaison: appeals assigned to a Party organisation of their unit (the unit handles them,
  as a unit's liaison handles its unit's organisations everywhere else);
- anyone (a resident, a member): the appeals they raised online themself, and no other;
- superusers: everything.

Overdue: due (``due_at`` passed) and not answered yet.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from gongjian.accounts.actor import Actor, is_person
from gongjian.accounts.models import Role, RoleKind
from gongjian.accounts.scope import scope_for
from gongjian.orgs.models import Area, Dated, Level, PartyOrg

from .models import OPEN_STATUSES, Appeal, AppealEvent, AppealStatus, EventKind


def community_path(path: str) -> str:
    """The community (or village) an area's path sits in; the path itself at or above that level."""
    return path[: Area.steplen * Level.COMMUNITY]


def home_paths(actor: Actor) -> list[str]:
    """Paths of the communities where the actor holds a resident or member role: where they may
    raise an appeal online."""
    if not is_person(actor):
        return []
    roles = Role.objects.filter(
        user_id=actor.pk, kind__in=[RoleKind.RESIDENT, RoleKind.MEMBER], active=True
    ).select_related("area")
    return sorted(
        {community_path(r.area.path) for r in roles if r.area is not None and r.area.level >= Level.COMMUNITY}
    )


def _visible_q(actor: Actor) -> Q:
    scope = scope_for(actor)
    if scope.everything:
        return Q()
    cond = scope.area_q("area__")
    if scope.unit_ids:
        cond |= Q(assigned_org__unit_id__in=sorted(scope.unit_ids))
    if is_person(actor):
        cond |= Q(resident_id=actor.pk)
    return cond


def overdue_q(now: dt.datetime | None = None) -> Q:
    """Due and not answered at ``now``."""
    return Q(answered_at__isnull=True, due_at__lt=now or timezone.now())


def appeal_list(
    *,
    actor: Actor,
    status: str = "",
    kind: str = "",
    overdue: bool | None = None,
    open_only: bool = False,
    within: Area | None = None,
    registered_from: dt.date | None = None,
    registered_to: dt.date | None = None,
    q: str = "",
    mine: bool = False,
) -> QuerySet[Appeal]:
    """Appeals the actor may see, filtered: ``status``, ``kind``, ``overdue`` (True: due and not
    answered; False: not so), ``open_only`` (not closed), ``within`` an area's subtree, registered
    between two local dates (both included), ``q`` in the number or title; ``mine``: only those the
    actor raised online."""
    if not is_person(actor):
        return Appeal.objects.none()
    qs = Appeal.objects.filter(_visible_q(actor))
    if mine:
        qs = qs.filter(resident_id=actor.pk)
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if overdue is True:
        qs = qs.filter(overdue_q())
    elif overdue is False:
        qs = qs.exclude(overdue_q())
    if open_only:
        qs = qs.filter(status__in=OPEN_STATUSES)
    if within is not None:
        qs = qs.filter(area__path__startswith=within.path)
    if registered_from is not None:
        qs = qs.filter(registered_at__date__gte=registered_from)
    if registered_to is not None:
        qs = qs.filter(registered_at__date__lte=registered_to)
    if q.strip():
        term = q.strip()
        qs = qs.filter(Q(number__iexact=term) | Q(title__icontains=term))
    return qs.select_related("area", "assigned_org").order_by("-registered_at", "-pk")


def appeal_get(*, actor: Actor, pk: int) -> Appeal:
    """One appeal the actor may see (404 otherwise)."""
    appeal = (
        Appeal.objects.filter(_visible_q(actor), pk=pk)
        .select_related("area", "assigned_org", "resident")
        .first()
        if is_person(actor)
        else None
    )
    if appeal is None:
        raise Http404
    return appeal


#: Steps whose note is written for the resident (the answer given, their own rating's comment);
#: every other note (an instruction to the organisation assigned, a reassignment's reason, the
#: handler's report, the call-back record) is the staff's own and never reaches the resident.
RESIDENT_NOTE_KINDS = frozenset({EventKind.ANSWERED, EventKind.RATED})


def appeal_staff_view(*, actor: Actor, appeal: Appeal) -> bool:
    """Whether the actor sees the appeal as staff (their area, or their unit's organisation handles
    it), not only as the resident who raised it: staff see internal notes."""
    scope = scope_for(actor)
    return (
        scope.everything
        or scope.covers_path(appeal.area.path)
        or (appeal.assigned_org is not None and scope.covers_unit(appeal.assigned_org.unit_id))
    )


def appeal_events(*, actor: Actor, appeal: Appeal) -> list[AppealEvent]:
    """The timeline of an appeal the actor may see, oldest first; for the resident, the staff's
    internal notes are left out (the rows carry an empty note)."""
    appeal = appeal_get(actor=actor, pk=appeal.pk)
    rows = list(AppealEvent.objects.filter(appeal=appeal).select_related("actor", "org").order_by("at", "pk"))
    if not appeal_staff_view(actor=actor, appeal=appeal):
        for row in rows:
            if row.kind not in RESIDENT_NOTE_KINDS:
                row.note = ""
    return rows


def appeal_counts(*, actor: Actor, rows: QuerySet[Appeal] | None = None) -> dict[str, int]:
    """How many of the actor's appeals (or of ``rows``) are open, overdue, and in each status."""
    base = rows if rows is not None else appeal_list(actor=actor)
    by_status = dict(base.order_by().values_list("status").annotate(n=Count("pk")))
    return {
        "total": sum(by_status.values()),
        "open": sum(n for s, n in by_status.items() if s != AppealStatus.CLOSED),
        "overdue": base.filter(overdue_q()).count(),
        **{str(s): by_status.get(s, 0) for s in AppealStatus.values},
    }


def area_choices(*, actor: Actor) -> QuerySet[Area]:
    """Areas an appeal may be registered for by the actor on a form: community level or below, in
    force, inside the actor's subtree (staff), or their own community itself (residents and
    members: the map below a community is the staff's to browse; they say the place in words)."""
    scope = scope_for(actor)
    cond = scope.area_q()
    homes = home_paths(actor)
    if homes:
        cond |= Q(path__in=homes)
    return Area.objects.filter(cond, Dated.on(timezone.localdate()), level__gte=Level.COMMUNITY).order_by(
        "path"
    )


def org_choices(*, actor: Actor, on: dt.date | None = None) -> QuerySet[PartyOrg]:
    """Party organisations an appeal may be assigned to by the actor: in force (today, or ``on``),
    sitting in the actor's subtree (territorial ones and those of resident units there)."""
    scope = scope_for(actor)
    if not (scope.everything or scope.area_paths):
        return PartyOrg.objects.none()
    return (
        PartyOrg.objects.filter(scope.area_q("area__"), Dated.on(on or timezone.localdate()))
        .select_related("area", "unit")
        .order_by("area__path", "code")
    )
