"""A joint meeting's pledges against what was delivered: the projects claimed at the meeting in the
pledge's category and the verified hours of their activities, on the meeting's page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongjian.cobuild.models import Pledge
from gongjian.cobuild.tests.fixtures_meetings import convene
from gongjian.lists.models import ProjectStatus
from gongjian.lists.tests.fixtures_projects import make_project
from gongjian.orgs.models import PartyOrg
from gongjian.service.delivery import meeting_delivery
from gongjian.service.models import Activity, Attendance, ServiceHours, Volunteer
from gongjian.testing import World


def _served(world: World, project, volunteer: Volunteer, hours: str, status: str = "verified") -> None:
    start = timezone.now() - dt.timedelta(days=2)
    activity = Activity.objects.create(
        title="义诊",
        organiser_kind="project",
        project=project,
        area=world.wjl,
        place="王家垅社区",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=3),
    )
    attendance = Attendance.objects.create(activity=activity, volunteer=volunteer, status="walk_in")
    ServiceHours.objects.create(
        volunteer=volunteer,
        area=world.wjl,
        on=start.date(),
        hours=Decimal(hours),
        source="activity",
        attendance=attendance,
        status=status,
    )


def test_a_meeting_shows_pledges_by_kind_against_projects_and_verified_hours(world: World) -> None:
    meeting = convene(world, PartyOrg.objects.get(code="PO-DFL"))
    Pledge.objects.create(
        meeting=meeting,
        text="志愿者1500人以上",
        quantity=1500,
        measure="人",
        at_least=True,
        kind="volunteers",
    )
    Pledge.objects.create(meeting=meeting, text="开放场地", quantity=2, measure="处", kind="venues")
    Pledge.objects.create(meeting=meeting, text="专家讲座", kind="lecturers")
    served = make_project(world, name="志愿服务项目", area_org=world.wjl_committee, unit=world.minzheng)
    venue = make_project(world, name="共享活动室", area_org=world.wjl_committee, unit=world.minzheng)
    assert venue.demand is not None
    venue.demand.category = "venue"
    venue.demand.save(update_fields=["category"])
    dropped = make_project(world, name="已取消项目", area_org=world.wjl_committee, unit=world.minzheng)
    dropped.status = ProjectStatus.CANCELLED
    for project in (served, venue, dropped):
        project.meeting = meeting
        project.save()
    a, b = (Volunteer.objects.create(name=n, area=world.wjl) for n in ("志愿者甲", "志愿者乙"))
    _served(world, served, a, "3")
    _served(world, served, b, "2.5")
    _served(world, served, b, "4", status="pending")  # not verified: not delivered
    _served(world, dropped, a, "6")  # a cancelled project delivers nothing

    rows = {d.kind: d for d in meeting_delivery(meeting=meeting)}
    assert list(rows) == ["lecturers", "volunteers", "venues"]
    volunteers = rows["volunteers"]
    assert (volunteers.pledged, volunteers.at_least, volunteers.delivered) == (1500, True, 2)
    assert (volunteers.hours, volunteers.projects) == (Decimal("5.5"), {served.pk})
    assert (rows["venues"].pledged, rows["venues"].delivered) == (2, 1)
    assert (rows["lecturers"].pledged, rows["lecturers"].pledges, rows["lecturers"].delivered) == (None, 1, 0)

    admin = Client()
    admin.force_login(world.dongfeng_admin)
    page = admin.get(reverse("cobuild:meeting_detail", args=[meeting.pk])).content.decode()
    assert 'id="panel-pledged-delivered"' in page
    assert f"{reverse('lists:project_list')}?meeting={meeting.pk}" in page
    assert "1500+" in page and "5.5" in page
