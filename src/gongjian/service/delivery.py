"""A joint meeting's pledges against what was delivered (issue 21): the pledges by kind, beside the
projects claimed at the meeting in the matching category and the verified service hours of their
activities (how many people served, how many hours). Shown on the meeting's page as a record panel
(``web.holders``, kind "meeting"): the meeting page (cobuild) sits below the lists and service, so
it asks for panels and this module, on the service floor, answers.

A pledge's kind meets the categories of the demands and resources it is delivered through:
lecturers and experts → expertise, volunteers → volunteers and service, venues → venue, funds →
funds, goods → goods; anything else (and a pledge without a kind) → other. For the kinds counted in
people (lecturers, volunteers) the delivered figure is the people who served; for the others, the
projects (amounts of money or goods are not recorded by the projects: the page says "projects").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from gongjian.accounts.actor import Actor
from gongjian.cobuild.models import JointMeeting, Pledge, PledgeKind
from gongjian.lists.models import Category, Project, ProjectStatus
from gongjian.web import holders
from gongjian.web.holders import Panel, PanelRow

from .models import HoursStatus, ServiceHours

#: The category of the demands and resources through which a kind of pledge is delivered.
KIND_OF_CATEGORY: dict[str, str] = {
    Category.EXPERTISE: PledgeKind.LECTURERS,
    Category.VOLUNTEERS: PledgeKind.VOLUNTEERS,
    Category.VENUE: PledgeKind.VENUES,
    Category.FUNDS: PledgeKind.FUNDS,
    Category.GOODS: PledgeKind.GOODS,
}
#: Kinds whose delivery is counted in people who served.
PEOPLE_KINDS = (PledgeKind.LECTURERS, PledgeKind.VOLUNTEERS)


@dataclass
class Delivery:
    kind: str
    label: str
    pledged: int | None = None  # the sum of the pledges' quantities (None: no quantity given)
    at_least: bool = False
    pledges: int = 0
    projects: set[int] = field(default_factory=set)
    people: set[tuple[str, int]] = field(default_factory=set)
    hours: Decimal = Decimal(0)

    @property
    def delivered(self) -> int:
        return len(self.people) if self.kind in PEOPLE_KINDS else len(self.projects)


def meeting_delivery(*, meeting: JointMeeting) -> list[Delivery]:
    """Pledged against delivered for a meeting the caller may already read, by kind (catalogue
    order). Cancelled projects deliver nothing; only verified hours count."""
    rows: dict[str, Delivery] = {}

    def row(kind: str) -> Delivery:
        kind = kind if kind in PledgeKind.values else PledgeKind.OTHER
        if kind not in rows:
            rows[kind] = Delivery(kind=kind, label=str(PledgeKind(kind).label))
        return rows[kind]

    pledge: Pledge
    for pledge in meeting.pledges.all():
        r = row(pledge.kind)
        r.pledges += 1
        if pledge.quantity is not None:
            r.pledged = (r.pledged or 0) + pledge.quantity
            r.at_least = r.at_least or pledge.at_least
    projects = Project.objects.filter(meeting=meeting).exclude(status=ProjectStatus.CANCELLED)
    kind_of: dict[int, str] = {}
    for pk, demand_category, resource_category in projects.values_list(
        "pk", "demand__category", "resource__category"
    ):
        kind_of[pk] = KIND_OF_CATEGORY.get(demand_category or resource_category or "", PledgeKind.OTHER)
        row(kind_of[pk]).projects.add(pk)
    hours = ServiceHours.objects.filter(
        status=HoursStatus.VERIFIED, attendance__activity__project__in=list(kind_of)
    ).values_list("attendance__activity__project_id", "member_id", "volunteer_id", "hours")
    for project_id, member_id, volunteer_id, amount in hours:
        r = row(kind_of[project_id])
        r.people.add(("m", member_id) if member_id else ("v", volunteer_id))
        r.hours += amount
    order = list(PledgeKind.values)
    return sorted(rows.values(), key=lambda d: order.index(d.kind))


def _describe(d: Delivery) -> str:
    pledged = (
        _("pledged %(n)s%(plus)s") % {"n": d.pledged, "plus": "+" if d.at_least else ""}
        if d.pledged is not None
        else _("pledged (no number)")
        if d.pledges
        else _("not pledged")
    )
    if d.kind in PEOPLE_KINDS:
        delivered = _("delivered: %(people)d people served %(hours)s hours in %(projects)d projects") % {
            "people": len(d.people),
            "hours": f"{d.hours.normalize():f}",
            "projects": len(d.projects),
        }
    else:
        delivered = _("delivered: %(projects)d projects") % {"projects": len(d.projects)}
    return f"{pledged} · {delivered}"


def delivery_panels(kind: str, obj: Any, actor: Actor) -> list[Panel]:
    if kind != "meeting":
        return []
    url = f"{reverse('lists:project_list')}?meeting={obj.pk}"
    rows = [
        PanelRow(label=d.label, detail=_describe(d), url=url if d.projects else "")
        for d in meeting_delivery(meeting=obj)
    ]
    return [
        Panel(
            key="pledged-delivered",
            title=_("Pledged and delivered"),
            rows=rows,
            empty=_("No pledge and no project of this meeting yet."),
        )
    ]


def register() -> None:
    holders.register(delivery_panels)
