"""Services of projects: roll-up, completion rules, rating, satisfaction once, evidence checks,
the demand following its projects, and one audit entry per write."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from gongjian.accounts.models import RoleKind
from gongjian.accounts.services import role_grant, user_create
from gongjian.core.audit import audit_verify
from gongjian.core.models import AuditEntry
from gongjian.lists.models import (
    DemandKind,
    DemandStatus,
    Evidence,
    Milestone,
    ProgressReport,
    Project,
    ProjectStatus,
    Satisfaction,
)
from gongjian.lists.services import projects as s
from gongjian.lists.tests.fixtures_projects import (
    PDF_BYTES,
    WISH_REQUESTER,
    jpeg_with_gps,
    make_project,
    png_bytes,
    upload,
)
from gongjian.testing import PASSWORD, World


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()


@pytest.fixture
def project(world: World) -> Project:
    return make_project(world, name="楼道照明共建项目", area_org=world.wjl_committee, unit=world.minzheng)


def _audits(action: str) -> int:
    return AuditEntry.objects.filter(action=action).count()


# --- opening -------------------------------------------------------------------------------------


def test_open_links_the_demand_and_records_the_times(world: World, project: Project) -> None:
    assert project.demand is not None
    assert project.lead_unit == world.minzheng
    assert project.area == world.wjl
    assert project.demand.status == DemandStatus.IN_PROGRESS
    assert project.days_to_claim == 2.0  # published three days ago, claimed one day ago
    assert project.days_to_complete is None
    assert _audits("project.open") == 1


# --- milestones and the roll-up ------------------------------------------------------------------


def test_percent_is_the_weighted_mean_of_the_milestones(world: World, project: Project) -> None:
    a = s.milestone_add(actor=world.liaison, project=project, title="勘察", weight=1, percent=100)
    project.refresh_from_db()
    assert project.percent == 100
    b = s.milestone_add(actor=world.liaison, project=project, title="施工", weight=3, percent=0)
    project.refresh_from_db()
    assert project.percent == 25
    s.milestone_update(actor=world.wjl_admin, milestone=b, percent=60)
    project.refresh_from_db()
    assert project.percent == 70  # (100·1 + 60·3) / 4
    s.milestone_update(actor=world.wjl_admin, milestone=a, weight=5)
    project.refresh_from_db()
    assert project.percent == 85  # (100·5 + 60·3) / 8
    assert [m.position for m in Milestone.objects.filter(project=project)] == [1, 2]
    a.refresh_from_db()
    assert a.done_on == timezone.localdate()  # 100% is done today
    entries = AuditEntry.objects.filter(action="project.milestone_update").order_by("seq")
    assert entries.count() == 2
    assert entries[0].changes["project_percent"] == [25, 70]


def test_a_milestone_below_100_is_not_done(world: World, project: Project) -> None:
    m = s.milestone_add(actor=world.liaison, project=project, title="勘察", percent=100)
    s.milestone_update(actor=world.liaison, milestone=m, percent=50)
    m.refresh_from_db()
    assert m.done_on is None
    with pytest.raises(ValidationError) as err:
        s.milestone_update(actor=world.liaison, milestone=m, done_on=timezone.localdate())
    assert "done_on" in err.value.message_dict
    with pytest.raises(ValidationError):
        s.milestone_update(actor=world.liaison, milestone=m, percent=100, done_on=dt.date(2999, 1, 1))
    with pytest.raises(ValidationError):
        s.milestone_update(actor=world.liaison, milestone=m, colour="red")
    with pytest.raises(ValidationError):
        s.milestone_add(actor=world.liaison, project=project, title="  ")


def test_reorder_needs_every_milestone_once(world: World, project: Project) -> None:
    a = s.milestone_add(actor=world.liaison, project=project, title="一")
    b = s.milestone_add(actor=world.liaison, project=project, title="二")
    c = s.milestone_add(actor=world.liaison, project=project, title="三")
    s.milestone_reorder(actor=world.liaison, project=project, order=[c.pk, a.pk, b.pk])
    titles = list(
        Milestone.objects.filter(project=project).order_by("position").values_list("title", flat=True)
    )
    assert titles == ["三", "一", "二"]
    with pytest.raises(ValidationError):
        s.milestone_reorder(actor=world.liaison, project=project, order=[c.pk, a.pk])
    with pytest.raises(ValidationError):
        s.milestone_reorder(actor=world.liaison, project=project, order=[c.pk, c.pk, a.pk])
    s.milestone_move(actor=world.liaison, milestone=a, step=-1)
    titles = list(
        Milestone.objects.filter(project=project).order_by("position").values_list("title", flat=True)
    )
    assert titles == ["一", "三", "二"]
    assert _audits("project.milestone_reorder") == 2


def test_only_the_projects_side_changes_it(world: World, project: Project) -> None:
    for outsider in (world.jsh_admin, world.member, world.resident):
        with pytest.raises(PermissionDenied):
            s.milestone_add(actor=outsider, project=project, title="越界")
        with pytest.raises(PermissionDenied):
            s.project_update(actor=outsider, project=project, plan="越界")
    # the lead's liaison, the area's administrators above, a partner's liaison
    s.project_update(actor=world.liaison, project=project, plan="计划")
    # a unit from outside the project's area joins only through an administrator who reaches it
    with pytest.raises(ValidationError):
        s.project_update(actor=world.dongfeng_admin, project=project, partners=[world.jsh_firm])
    s.project_update(actor=world.city_admin, project=project, partners=[world.jsh_firm])
    partner_liaison = user_create(actor=None, username="partner", password=PASSWORD)
    role_grant(actor=None, user=partner_liaison, kind=RoleKind.UNIT_LIAISON, unit=world.jsh_firm)
    s.milestone_add(actor=partner_liaison, project=project, title="合作单位的一步")
    assert _audits("project.update") == 2


def test_partners_exclude_the_lead_and_changes_are_checked(world: World, project: Project) -> None:
    with pytest.raises(ValidationError) as err:
        s.project_update(actor=world.wjl_admin, project=project, partners=[world.minzheng])
    assert "partners" in err.value.message_dict
    with pytest.raises(ValidationError):
        s.project_update(
            actor=world.wjl_admin, project=project, due_on=project.starts_on - dt.timedelta(days=1)
        )
    with pytest.raises(ValidationError):
        s.project_update(actor=world.wjl_admin, project=project, status="done")
    project.refresh_from_db()
    assert project.status == ProjectStatus.IN_PROGRESS


# --- evidence -------------------------------------------------------------------------------------


def test_photos_are_checked_by_content_and_lose_their_metadata(world: World, project: Project) -> None:
    photo = s.evidence_add(actor=world.liaison, project=project, upload=upload(jpeg_with_gps(), "x.pdf"))
    assert photo.kind == Evidence.Kind.PHOTO
    assert str(photo.file.name).endswith(".jpg") and "x.pdf" not in str(photo.file.name)
    with photo.file.open("rb") as fh, Image.open(io.BytesIO(fh.read())) as image:
        assert image.format == "JPEG"
        assert not image.getexif()  # no GPS, no camera
    png = s.evidence_add(
        actor=world.wjl_admin, project=project, upload=upload(png_bytes(), "a.png"), public=True
    )
    assert png.kind == Evidence.Kind.PHOTO and str(png.file.name).endswith(".png") and png.public
    pdf = s.evidence_add(
        actor=world.liaison, project=project, upload=upload(PDF_BYTES, "方案.pdf"), caption="方案"
    )
    assert pdf.kind == Evidence.Kind.FILE and str(pdf.file.name).endswith(".pdf")
    assert _audits("project.evidence_add") == 3


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"MZ\x90\x00 not a document", "setup.exe"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "a.svg"),
        (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "a.gif"),
        (PDF_BYTES, "plan.docx"),  # a PDF calling itself Word
        (b"", "empty.pdf"),
    ],
)
def test_other_uploads_are_refused_and_change_nothing(
    world: World,
    project: Project,
    settings: Any,
    data: bytes,
    name: str,
) -> None:
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as err:
        s.evidence_add(actor=world.liaison, project=project, upload=upload(data, name))
    assert "file" in err.value.message_dict
    assert not Evidence.objects.exists()
    assert AuditEntry.objects.count() == before
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_office_files_are_recognised(world: World, project: Project) -> None:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    doc = s.evidence_add(actor=world.liaison, project=project, upload=upload(out.getvalue(), "总结.docx"))
    assert doc.kind == Evidence.Kind.FILE and str(doc.file.name).endswith(".docx")


def test_a_too_large_upload_is_refused(
    world: World, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(s, "EVIDENCE_MAX_BYTES", 100)
    with pytest.raises(ValidationError) as err:
        s.evidence_add(actor=world.liaison, project=project, upload=upload(PDF_BYTES * 10, "big.pdf"))
    assert "MB" in str(err.value)
    assert not Evidence.objects.exists()


def test_evidence_comes_from_the_projects_side(world: World, project: Project) -> None:
    for outsider in (world.jsh_admin, world.member, world.resident):
        with pytest.raises(PermissionDenied):
            s.evidence_add(actor=outsider, project=project, upload=upload(png_bytes(), "a.png"))


# --- reports --------------------------------------------------------------------------------------


def test_one_report_a_quarter_by_the_lead_inspected_from_above(world: World, project: Project) -> None:
    year, quarter = s.quarter_of(timezone.localdate())
    with pytest.raises(PermissionDenied):
        s.report_add(actor=world.jsh_admin, project=project, year=year, quarter=quarter, text="x")
    report = s.report_add(actor=world.liaison, project=project, year=year, quarter=quarter, text="进展顺利")
    assert report.percent == project.percent
    with pytest.raises(ValidationError):
        s.report_add(actor=world.liaison, project=project, year=year, quarter=quarter, text="又一份")
    with pytest.raises(ValidationError):
        s.report_add(actor=world.liaison, project=project, year=year + 1, quarter=quarter, text="未来")
    with pytest.raises(ValidationError):
        s.report_add(actor=world.liaison, project=project, year=year, quarter=quarter, text="  ")
    assert ProgressReport.objects.count() == 1
    # the community's own administrators are not the review team; the street above is
    assert not s.report_inspect_allowed(actor=world.wjl_admin, report=report)
    with pytest.raises(PermissionDenied):
        s.report_inspect(actor=world.wjl_admin, report=report)
    s.report_inspect(actor=world.dongfeng_admin, report=report)
    report.refresh_from_db()
    assert report.inspected and report.inspected_by == world.dongfeng_admin
    with pytest.raises(ValidationError):
        s.report_inspect(actor=world.kaifu_admin, report=report)
    assert _audits("project.report_add") == 1 and _audits("project.report_inspect") == 1


# --- completion, rating, closing, cancelling ------------------------------------------------------


def test_completion_needs_100_percent_and_evidence(world: World, project: Project) -> None:
    with pytest.raises(ValidationError):
        s.project_complete(actor=world.liaison, project=project)  # no milestone at all
    m = s.milestone_add(actor=world.liaison, project=project, title="施工", percent=90)
    with pytest.raises(ValidationError) as err:
        s.project_complete(actor=world.liaison, project=project)
    assert "90%" in str(err.value)
    s.milestone_update(actor=world.liaison, milestone=m, percent=100)
    with pytest.raises(ValidationError) as err:
        s.project_complete(actor=world.liaison, project=project)
    assert "佐证材料" in str(err.value)  # evidence
    project.refresh_from_db()
    assert project.status == ProjectStatus.IN_PROGRESS and project.completed_at is None
    s.evidence_add(actor=world.liaison, project=project, upload=upload(png_bytes(), "a.png"))
    with pytest.raises(PermissionDenied):
        s.project_complete(actor=world.jsh_admin, project=project)
    project = s.project_complete(actor=world.liaison, project=project, beneficiaries=120, hours=36.5)
    assert project.status == ProjectStatus.DONE and project.completed_at is not None
    assert project.beneficiaries == 120 and str(project.hours) == "36.5"
    assert project.days_to_complete is not None and project.days_to_complete >= 3
    assert project.demand is not None
    project.demand.refresh_from_db()
    assert project.demand.status == DemandStatus.DONE and project.demand.done_at is not None
    entry = AuditEntry.objects.get(action="project.complete")
    assert entry.changes["demand_status"] == ["in_progress", "done"]
    # nothing changes a done project's milestones any more
    with pytest.raises(PermissionDenied):
        s.milestone_add(actor=world.liaison, project=project, title="晚了")


def _done(world: World, project: Project) -> Project:
    s.milestone_add(actor=world.liaison, project=project, title="完成", percent=100)
    s.evidence_add(actor=world.liaison, project=project, upload=upload(png_bytes(), "a.png"))
    return s.project_complete(actor=world.liaison, project=project)


def test_year_end_rating_by_the_areas_administrators(world: World, project: Project) -> None:
    with pytest.raises(PermissionDenied):
        s.project_rate(actor=world.wjl_admin, project=project, rating="excellent")  # not done yet
    project = _done(world, project)
    for outsider in (world.liaison, world.jsh_admin):
        with pytest.raises(PermissionDenied):
            s.project_rate(actor=outsider, project=project, rating="excellent")
    with pytest.raises(ValidationError):
        s.project_rate(actor=world.wjl_admin, project=project, rating="superb")
    with pytest.raises(ValidationError):
        s.project_rate(actor=world.wjl_admin, project=project, rating="fair", rated_on=dt.date(2000, 1, 1))
    project = s.project_rate(actor=world.wjl_admin, project=project, rating="fair")
    assert project.status == ProjectStatus.EVALUATED and project.rating == "fair"
    assert project.rated_on == timezone.localdate()
    assert project.demand is not None
    project.demand.refresh_from_db()
    assert project.demand.status == DemandStatus.EVALUATED
    with pytest.raises(PermissionDenied):
        s.project_rate(actor=world.wjl_admin, project=project, rating="excellent")  # once
    project = s.project_close(actor=world.wjl_admin, project=project)
    assert project.status == ProjectStatus.CLOSED and project.closed_at is not None
    demand = project.demand
    assert demand is not None
    demand.refresh_from_db()
    assert demand.status == DemandStatus.CLOSED and demand.closed_at is not None
    assert _audits("project.rate") == 1 and _audits("project.close") == 1


def test_the_demand_is_done_only_when_none_of_its_projects_runs(world: World, project: Project) -> None:
    from gongjian.lists.models import Claim, ClaimStatus

    assert project.demand is not None
    second_claim = Claim.objects.create(
        demand=project.demand,
        claimant_unit=world.jsh_firm,
        status=ClaimStatus.ACCEPTED,
        claimed_at=timezone.now(),
        decided_at=timezone.now(),
    )
    second = s.project_open_from_claim(actor=world.superuser, claim=second_claim)
    _done(world, project)
    project.demand.refresh_from_db()
    assert project.demand.status == DemandStatus.IN_PROGRESS
    s.project_cancel(actor=world.wjl_admin, project=second, reason="单位搬迁")
    # a cancelled project does not hold the demand back, but a later step moves it
    project.demand.refresh_from_db()
    assert project.demand.status == DemandStatus.IN_PROGRESS
    s.project_rate(actor=world.wjl_admin, project=project, rating="excellent")
    project.demand.refresh_from_db()
    assert project.demand.status == DemandStatus.EVALUATED


def test_cancel_needs_a_reason(world: World, project: Project) -> None:
    with pytest.raises(ValidationError):
        s.project_cancel(actor=world.liaison, project=project, reason="  ")
    with pytest.raises(PermissionDenied):
        s.project_cancel(actor=world.jsh_admin, project=project, reason="越界")
    project = s.project_cancel(actor=world.liaison, project=project, reason="场地不具备条件")
    assert project.status == ProjectStatus.CANCELLED and project.cancelled_at is not None
    entry = AuditEntry.objects.get(action="project.cancel")
    assert entry.reason == "场地不具备条件"
    with pytest.raises(PermissionDenied):
        s.project_cancel(actor=world.liaison, project=project, reason="again")


# --- residents' satisfaction ----------------------------------------------------------------------


def test_residents_rate_a_finished_project_once(world: World, project: Project) -> None:
    with pytest.raises(PermissionDenied):
        s.satisfaction_rate(actor=world.resident, project=project, score=5)  # not finished yet
    project = _done(world, project)
    for outsider in (world.member, world.wjl_admin, world.liaison):
        with pytest.raises(PermissionDenied):
            s.satisfaction_rate(actor=outsider, project=project, score=5)
    with pytest.raises(ValidationError):
        s.satisfaction_rate(actor=world.resident, project=project, score=6)
    s.satisfaction_rate(actor=world.resident, project=project, score=4, comment="灯亮了")
    with pytest.raises(ValidationError):
        s.satisfaction_rate(actor=world.resident, project=project, score=1)
    assert Satisfaction.objects.filter(project=project).count() == 1
    assert not s.satisfaction_allowed(actor=world.resident, project=project)
    # a resident of 尖山湖 does not live in 王家垅; a resident of the compound below does
    jsh_resident = user_create(actor=None, username="jsh_resident", password=PASSWORD)
    role_grant(actor=None, user=jsh_resident, kind=RoleKind.RESIDENT, area=world.jsh)
    with pytest.raises(PermissionDenied):
        s.satisfaction_rate(actor=jsh_resident, project=project, score=3)
    neighbour = user_create(actor=None, username="neighbour", password=PASSWORD)
    role_grant(actor=None, user=neighbour, kind=RoleKind.RESIDENT, area=world.wjl_building)
    s.satisfaction_rate(actor=neighbour, project=project, score=2)
    assert _audits("project.satisfaction") == 2


def test_the_resident_who_raised_the_demand_rates_it(world: World) -> None:
    raiser = user_create(actor=None, username="raiser", password=PASSWORD)
    project = make_project(
        world, name="路灯", area_org=world.wjl_committee, unit=world.minzheng, raised_by=raiser
    )
    project = _done(world, project)
    assert s.satisfaction_allowed(actor=raiser, project=project)
    s.satisfaction_rate(actor=raiser, project=project, score=5)


def test_a_micro_wish_keeps_its_requester_sealed(world: World) -> None:
    project = make_project(
        world,
        name="一台助听器",
        area_org=world.wjl_committee,
        unit=world.minzheng,
        kind=DemandKind.MICRO_WISH,
    )
    assert project.demand is not None
    assert WISH_REQUESTER not in project.demand.requester_sealed
    assert WISH_REQUESTER not in str(list(AuditEntry.objects.values_list("changes", flat=True)))


def test_the_audit_chain_stays_valid(world: World, project: Project) -> None:
    _done(world, project)
    assert audit_verify().ok


def test_a_partly_claimed_demand_stays_open_for_the_rest_when_its_project_closes(
    world: World, project: Project
) -> None:
    """Issue 16: a demand needed 4, 3 were claimed; when the project closed it became 已办结 with 1
    unmet and could no longer be claimed. It stays open (claimed, claimable) for the rest."""
    from gongjian.lists.services.list_rules import demand_claim_allowed

    demand = project.demand
    assert demand is not None
    demand.quantity, demand.claimed = 4, 3
    demand.save(update_fields=["quantity", "claimed"])
    _done(world, project)
    demand.refresh_from_db()
    assert demand.status == DemandStatus.CLAIMED and demand.remaining == 1
    assert demand_claim_allowed(actor=world.liaison, demand=demand)
    s.project_rate(actor=world.wjl_admin, project=project, rating="excellent")
    s.project_close(actor=world.wjl_admin, project=project)
    demand.refresh_from_db()
    assert demand.status == DemandStatus.CLAIMED and demand.closed_at is None
    # once the rest is claimed too, the demand follows its projects as before
    demand.claimed = 4
    demand.save(update_fields=["claimed"])
    other = make_project(world, name="另一个项目", area_org=world.wjl_committee, unit=world.minzheng)
    assert other.demand is not None
    other.demand.quantity = other.demand.claimed
    other.demand.save(update_fields=["quantity"])
    _done(world, other)
    other.demand.refresh_from_db()
    assert other.demand.status == DemandStatus.DONE


# --- who is told ----------------------------------------------------------------------------------


def _told(user: Any, kind: str) -> list[Any]:
    from gongjian.core.models import Notification

    return list(Notification.objects.filter(recipient=user, kind=kind).order_by("pk"))


def test_milestones_reports_and_ratings_reach_the_other_side_and_the_level_above(
    world: World, project: Project
) -> None:
    """The lead (民政厅's liaison) moves a milestone and reports: the community that owns the demand
    hears of the milestone, the street (the review team) of the report, and the lead of its
    inspection; a resident's rating reaches both sides."""
    step = s.milestone_add(actor=world.liaison, project=project, title="更换灯具", percent=0)
    s.milestone_update(actor=world.liaison, milestone=step, percent=100)
    [done] = _told(world.wjl_admin, "project.milestone_update")
    assert "楼道照明共建项目" in done.title and "更换灯具" in done.body and "✓" in done.body
    assert not _told(world.liaison, "project.milestone_update"), "not told of one's own change"
    year, quarter = s.quarter_of(timezone.localdate())
    report = s.report_add(actor=world.liaison, project=project, year=year, quarter=quarter, text="进展顺利")
    [filed] = _told(world.dongfeng_admin, "project.report_add")
    assert f"{year} Q{quarter}" in filed.body and filed.url == reverse(
        "lists:project_detail", args=[project.pk]
    )
    s.report_inspect(actor=world.dongfeng_admin, report=report)
    assert len(_told(world.liaison, "project.report_inspect")) == 1
    project = _done(world, project)
    s.satisfaction_rate(actor=world.resident, project=project, score=4, comment="灯亮了")
    assert [n.body.splitlines()[-1] for n in _told(world.liaison, "project.satisfaction")] == ["4/5"]
    assert len(_told(world.wjl_admin, "project.satisfaction")) == 1


def test_a_milestone_due_reminds_both_sides_a_week_before_and_once_overdue(
    world: World, project: Project, settings: Any
) -> None:
    """``gongjian daily`` tells the community owning the demand and the lead unit's liaison of an
    unfinished milestone a week before it is due and once when overdue, never twice on a re-run;
    the milestone waits on both homes until it is done."""
    from gongjian.web.inbox import inbox_for

    assert "gongjian.lists.services.projects.milestones_remind" in settings.GONGJIAN_DAILY
    today = timezone.localdate()
    due = today + dt.timedelta(days=10)
    step = s.milestone_add(actor=world.liaison, project=project, title="更换灯具", percent=40, due_on=due)
    s.milestone_add(actor=world.liaison, project=project, title="已完成", percent=100, due_on=due)
    assert s.milestones_remind(today=due - dt.timedelta(days=8)) == 0, "not yet"
    assert s.milestones_remind(today=due - dt.timedelta(days=7)) == 2, "both sides, the done step not"
    assert s.milestones_remind(today=due - dt.timedelta(days=6)) == 0, "once per stage"
    for user in (world.wjl_admin, world.liaison):
        [soon] = _told(user, "project.milestone.due")
        assert "更换灯具" in soon.title and due.isoformat() in soon.title and "楼道照明共建项目" in soon.title
        assert soon.url == reverse("lists:project_detail", args=[project.pk])
    assert not _told(world.jsh_admin, "project.milestone.due"), "the other community is not told"
    assert s.milestones_remind(today=due + dt.timedelta(days=1)) == 2
    assert s.milestones_remind(today=due + dt.timedelta(days=2)) == 0, "once overdue"
    assert len(_told(world.liaison, "project.milestone.overdue")) == 1

    now = timezone.now() + dt.timedelta(days=11)
    for user in (world.wjl_admin, world.liaison):
        [waiting] = [i for i in inbox_for(user, now=now) if i.kind == "lists.milestones_due"]
        assert waiting.count == 1 and waiting.overdue and waiting.due == due
    assert not [i for i in inbox_for(world.jsh_admin, now=now) if i.kind == "lists.milestones_due"]
    s.milestone_update(actor=world.liaison, milestone=step, percent=100)
    assert not [i for i in inbox_for(world.liaison, now=now) if i.kind == "lists.milestones_due"]
    assert s.milestones_remind(today=due + dt.timedelta(days=3)) == 0, "done: no more reminders"
