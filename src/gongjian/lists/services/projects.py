"""Services of projects: opening a project from an accepted claim, milestones and their roll-up,
evidence, quarterly reports, completion, the year-end rating and residents' satisfaction.

Every write is ``noun_verb(*, actor, ...)``, one transaction, one audit entry.

Who may do what (the ``*_allowed`` functions answer pages and API clients; the services check the
same rules again before writing):

- **the project's side**: the lead (the lead unit's liaison; for a lead organisation, its unit's
  liaison or, for a territorial one, the administrators of its area), the partner units' liaisons,
  and the administrators whose subtree holds the project's area. While a project is in progress
  they edit the plan, due date and partners, keep the milestones and upload evidence;
- **the lead** (or the area's administrators) files one progress report a quarter and completes
  the project (at 100% with at least one piece of evidence) or cancels it with a reason;
- **the review team**, administrators of a level strictly above the project's area, marks the
  quarterly reports inspected;
- **the area's administrators** give the year-end rating (excellent, fair, poor) and close it;
- **residents** of the project's area (a resident role on an area inside it) and the resident who
  raised the demand rate a finished project 1-5, once each, from the public board.

A project's ``percent`` is the weighted mean of its milestones, recomputed and stored by every
service that changes a milestone. The demand follows its projects: done when none of them is still
in progress, evaluated when all are rated, closed when all are closed (cancelled ones do not count).
"""

from __future__ import annotations

import datetime as dt
import io
import uuid
import zipfile
from collections.abc import Iterable, Sequence
from decimal import Decimal
from functools import partial
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.accounts.actor import Actor, person, signed_in
from gongjian.accounts.models import Role, RoleKind
from gongjian.accounts.scope import scope_for
from gongjian.core.audit import audit_record, diff, snapshot
from gongjian.core.events import Event
from gongjian.core.notify import announce, remind
from gongjian.core.services import apply_changes
from gongjian.orgs.models import Area, ResidentUnit

from .. import audience
from ..models import (
    Claim,
    ClaimStatus,
    Demand,
    DemandStatus,
    Evidence,
    Milestone,
    ProgressReport,
    Project,
    ProjectStatus,
    Rating,
    Satisfaction,
)
from ..selectors.projects import BOARD_VERSION_KEY, project_partner_choices

#: Project fields the project's side may change while it is in progress.
PROJECT_FIELDS = ("plan", "due_on", "beneficiaries", "hours", "public")
MILESTONE_FIELDS = ("title", "weight", "due_on", "percent", "done_on")
#: Largest evidence upload (bytes).
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
#: Image formats taken as photos (checked by content with Pillow), and the files taken as documents.
PHOTO_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
FILE_EXTENSIONS = ("pdf", "docx", "xlsx")
#: Statuses in which a project counts as finished (residents may rate it).
FINISHED = (ProjectStatus.DONE, ProjectStatus.EVALUATED, ProjectStatus.CLOSED)


def _text(value: Any) -> str:
    return str(value or "").strip()


def _board_bump() -> None:
    try:
        cache.incr(BOARD_VERSION_KEY)
    except ValueError:
        cache.set(BOARD_VERSION_KEY, 1, None)


def board_changed() -> None:
    """Invalidate every cached public board: now (the writer's own next read is fresh) and again
    once the transaction commits (a page cached meanwhile from the old rows is dropped)."""
    _board_bump()
    transaction.on_commit(_board_bump)


# --- permissions ----------------------------------------------------------------------------------


def _lead_unit_ids(project: Project) -> set[int]:
    ids = {project.lead_unit_id}
    if project.lead_org is not None:
        ids.add(project.lead_org.unit_id)
    return {i for i in ids if i is not None}


def _covers_area(actor: Actor, project: Project) -> bool:
    return scope_for(actor).covers_path(project.area.path)


def _is_lead(actor: Actor, project: Project) -> bool:
    """The lead unit's liaison; for a lead organisation its unit's liaison, or (a territorial one)
    the administrators of its area; the area's administrators stand in for any lead."""
    scope = scope_for(actor)
    if any(scope.covers_unit(i) for i in _lead_unit_ids(project)):
        return True
    org = project.lead_org
    if org is not None and org.unit_id is None and scope.covers_path(org.area.path):
        return True
    return _covers_area(actor, project)


def _on_side(actor: Actor, project: Project) -> bool:
    """The lead, a partner unit's liaison, or an administrator of the area."""
    if _is_lead(actor, project):
        return True
    units = scope_for(actor).unit_ids
    return bool(units) and project.partners.filter(pk__in=sorted(units)).exists()


def _above(actor: Actor, area: Area) -> bool:
    """An administrator of a level strictly above ``area`` (the review team)."""
    scope = scope_for(actor)
    if scope.everything:
        return True
    return any(area.path.startswith(p) and len(p) < len(area.path) for p in scope.area_paths)


def project_edit_allowed(*, actor: Actor, project: Project) -> bool:
    """Plan, due date, partners, milestones: the project's side while it is in progress."""
    return project.status == ProjectStatus.IN_PROGRESS and _on_side(actor, project)


def evidence_add_allowed(*, actor: Actor, project: Project) -> bool:
    """Evidence comes from the project's side while in progress or done (before the rating)."""
    return project.status in (ProjectStatus.IN_PROGRESS, ProjectStatus.DONE) and _on_side(actor, project)


def evidence_edit_allowed(*, actor: Actor, evidence: Evidence) -> bool:
    project = evidence.project
    return project.status != ProjectStatus.CANCELLED and _on_side(actor, project)


def report_add_allowed(*, actor: Actor, project: Project) -> bool:
    """The lead files the quarterly report while the project runs (and once it is done)."""
    return project.status in (ProjectStatus.IN_PROGRESS, ProjectStatus.DONE) and _is_lead(actor, project)


def report_inspect_allowed(*, actor: Actor, report: ProgressReport) -> bool:
    return not report.inspected and _above(actor, report.project.area)


def project_complete_allowed(*, actor: Actor, project: Project) -> bool:
    return project.status == ProjectStatus.IN_PROGRESS and _is_lead(actor, project)


def project_cancel_allowed(*, actor: Actor, project: Project) -> bool:
    return project.status == ProjectStatus.IN_PROGRESS and _is_lead(actor, project)


def project_rate_allowed(*, actor: Actor, project: Project) -> bool:
    return project.status == ProjectStatus.DONE and _covers_area(actor, project)


def project_close_allowed(*, actor: Actor, project: Project) -> bool:
    return project.status == ProjectStatus.EVALUATED and _covers_area(actor, project)


def project_actions_allowed(*, actor: Actor, project: Project) -> dict[str, bool]:
    """Every button of a project page at once."""
    return {
        "edit": project_edit_allowed(actor=actor, project=project),
        "evidence": evidence_add_allowed(actor=actor, project=project),
        "report": report_add_allowed(actor=actor, project=project),
        "complete": project_complete_allowed(actor=actor, project=project),
        "cancel": project_cancel_allowed(actor=actor, project=project),
        "rate": project_rate_allowed(actor=actor, project=project),
        "close": project_close_allowed(actor=actor, project=project),
    }


def _resident_areas(actor: Actor) -> list[str]:
    if not actor.is_authenticated:
        return []
    roles = Role.objects.filter(user=actor, active=True, kind=RoleKind.RESIDENT, area__isnull=False)
    return list(roles.values_list("area__path", flat=True))


def satisfaction_allowed(*, actor: Actor, project: Project) -> bool:
    """A resident of the project's area (a resident role on an area inside it), or the resident
    who raised the demand, rates a finished public project once."""
    if not actor.is_authenticated or not actor.is_active:
        return False
    if project.status not in FINISHED or not project.public:
        return False
    lives_there = any(p.startswith(project.area.path) for p in _resident_areas(actor))
    raised_it = project.demand is not None and project.demand.raised_by_id == actor.pk
    if not (lives_there or raised_it):
        return False
    return not Satisfaction.objects.filter(project=project, user=actor).exists()


def satisfaction_allowed_ids(*, actor: Actor, project_ids: Iterable[int]) -> set[int]:
    """Of the given projects, those the actor may rate now (``satisfaction_allowed`` for many)."""
    if not actor.is_authenticated or not actor.is_active:
        return set()
    ids = sorted(set(project_ids))
    paths = _resident_areas(actor)
    rated = set(
        Satisfaction.objects.filter(user=actor, project_id__in=ids).values_list("project_id", flat=True)
    )
    rows = Project.objects.filter(pk__in=ids, public=True, status__in=FINISHED).select_related(
        "area", "demand"
    )
    return {
        p.pk
        for p in rows
        if p.pk not in rated
        and (
            any(path.startswith(p.area.path) for path in paths)
            or (p.demand is not None and p.demand.raised_by_id == actor.pk)
        )
    }


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _locked(project: Project) -> Project:
    return (
        Project.objects.select_for_update(of=("self",))
        .select_related("area", "lead_org", "lead_unit", "demand")
        .get(pk=project.pk)
    )


# --- opening -------------------------------------------------------------------------------------


def project_open_from_claim(*, actor: Actor, claim: Claim) -> Project:
    """The project formed by an accepted claim (called by the claim's acceptance, in its
    transaction): linked to the demand or resource claimed, led by the side that gives (the
    claiming unit of a demand, the providing unit of a resource), in the area of the list. A
    member who gives leads through their own Party organisation (never by name)."""
    assert claim.status == ClaimStatus.ACCEPTED, claim.status
    with transaction.atomic():
        demand, resource = claim.demand, claim.resource
        if demand is not None:
            area = demand.area
            name = demand.name
            lead_unit = claim.claimant_unit
            lead_org = claim.claimant_org if lead_unit is None else None
            if lead_unit is None and lead_org is None and claim.claimant_member is not None:
                lead_org = claim.claimant_member.org
            published_at = demand.published_at
        else:
            assert resource is not None
            area = claim.claimant_org.area if claim.claimant_org is not None else resource.area
            name = resource.name
            lead_unit = resource.provider_unit
            lead_org = resource.provider_org if lead_unit is None else None
            if lead_unit is None and lead_org is None and resource.provider_member is not None:
                lead_org = resource.provider_member.org
            published_at = resource.published_at
        project = Project.objects.create(
            claim=claim,
            demand=demand,
            resource=resource,
            area=area,
            name=name,
            lead_unit=lead_unit,
            lead_org=lead_org,
            starts_on=timezone.localdate(),
            due_on=demand.deadline if demand is not None else None,
            meeting=claim.meeting,
            published_at=published_at,
            claimed_at=claim.decided_at or timezone.now(),
            created_by=signed_in(actor),
        )
        if demand is not None and demand.status in (DemandStatus.PUBLISHED, DemandStatus.CLAIMED):
            demand.status = DemandStatus.IN_PROGRESS
            demand.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action=Event.PROJECT_OPEN,
            obj=project,
            changes={"claim": claim.pk, "demand": claim.demand_id, "resource": claim.resource_id},
        )
        _announce_project(Event.PROJECT_OPEN, actor, project)
        board_changed()
        return project


def _announce_project(event: Event, actor: Actor, project: Project, reason: str = "") -> None:
    """Both sides of the project hear of it: "<event>: <project>", its status, a reason."""
    name, status = project.name, project.get_status_display()
    announce(
        event,
        actor=actor,
        recipients=audience.project_people(project),
        title=lambda: f"{event.label}：{name}",
        body="\n".join(part for part in (str(status), reason) if part),
        url=audience.project_url(project),
    )


# --- the project itself ---------------------------------------------------------------------------


def _check_partners(actor: Actor, project: Project, partners: Iterable[ResidentUnit]) -> list[ResidentUnit]:
    units = list(dict.fromkeys(partners))
    lead = _lead_unit_ids(project)
    if any(u.pk in lead for u in units):
        raise ValidationError({"partners": _("The lead unit is not also a partner.")})
    choices = set(
        project_partner_choices(actor=actor, project=project)
        .filter(pk__in=[u.pk for u in units])
        .values_list("pk", flat=True)
    )
    outside = [u.name for u in units if u.pk not in choices]
    if outside:
        raise ValidationError(
            {"partners": _("These units cannot join this project: %(units)s") % {"units": "、".join(outside)}}
        )
    return units


@transaction.atomic
def project_update(
    *, actor: Actor, project: Project, partners: Iterable[ResidentUnit] | None = None, **changes: Any
) -> Project:
    """Change the plan, due date, beneficiaries, service hours, the public flag and the partner
    units of a project in progress."""
    project = _locked(project)
    _require(
        project_edit_allowed(actor=actor, project=project),
        _("%(name)s cannot be changed by you now.") % {"name": project.name},
    )
    if "plan" in changes:
        changes["plan"] = _text(changes["plan"])
    due_on = changes.get("due_on", project.due_on)
    if due_on is not None and due_on < project.starts_on:
        raise ValidationError({"due_on": _("The project cannot be due before it starts.")})
    if "hours" in changes and changes["hours"] is not None:
        changes["hours"] = Decimal(str(changes["hours"]))
        if changes["hours"] < 0:
            raise ValidationError({"hours": _("Hours cannot be negative.")})
    changed = apply_changes(project, changes, PROJECT_FIELDS)
    if partners is not None:
        units = _check_partners(actor, project, partners)
        before = sorted(project.partners.values_list("pk", flat=True))
        after = sorted(u.pk for u in units)
        if before != after:
            project.partners.set(units)
            changed["partners"] = [before, after]
    if changed:
        project.save()
        audit_record(actor=actor, action=Event.PROJECT_UPDATE, obj=project, changes=changed)
        board_changed()
    return project


# --- milestones -----------------------------------------------------------------------------------


def _rollup(project: Project) -> list[int]:
    """Store the weighted mean of the milestones' percent on the project; [before, after]."""
    rows = list(Milestone.objects.filter(project=project).values_list("weight", "percent"))
    total = sum(w for w, _p in rows)
    percent = round(sum(w * p for w, p in rows) / total) if total else 0
    before = project.percent
    if percent != before:
        project.percent = percent
        project.save(update_fields=["percent"])
    return [before, percent]


def _check_milestone(milestone: Milestone) -> None:
    today = timezone.localdate()
    if milestone.percent > 100:
        raise ValidationError({"percent": _("A milestone is at most 100% done.")})
    if milestone.done_on is not None:
        if milestone.percent < 100:
            raise ValidationError({"done_on": _("Only a milestone at 100% has a date it was done.")})
        if milestone.done_on > today:
            raise ValidationError({"done_on": _("A milestone cannot be done on a future date.")})
    elif milestone.percent == 100:
        milestone.done_on = today
    if not _text(milestone.title):
        raise ValidationError({"title": _("Name the milestone.")})


def _project_for_change(actor: Actor, project: Project) -> Project:
    project = _locked(project)
    _require(
        project_edit_allowed(actor=actor, project=project),
        _("The milestones of %(name)s cannot be changed by you now.") % {"name": project.name},
    )
    return project


@transaction.atomic
def milestone_add(
    *,
    actor: Actor,
    project: Project,
    title: str,
    weight: int = 1,
    due_on: dt.date | None = None,
    percent: int = 0,
    done_on: dt.date | None = None,
) -> Milestone:
    """A new last step of the project; the project's percent is rolled up again."""
    project = _project_for_change(actor, project)
    last = Milestone.objects.filter(project=project).order_by("-position").first()
    milestone = Milestone(
        project=project,
        position=(last.position + 1) if last else 1,
        title=_text(title),
        weight=weight,
        due_on=due_on,
        percent=percent,
        done_on=done_on,
    )
    _check_milestone(milestone)
    milestone.full_clean()
    milestone.save()
    rolled = _rollup(project)
    audit_record(
        actor=actor,
        action=Event.PROJECT_MILESTONE_ADD,
        obj=milestone,
        changes={
            **snapshot(milestone, ("project", "title", "weight", "due_on", "percent", "done_on")),
            "project_percent": rolled,
        },
    )
    board_changed()
    return milestone


@transaction.atomic
def milestone_update(*, actor: Actor, milestone: Milestone, **changes: Any) -> Milestone:
    """Change a step (its title, weight, due date, percent, done date); the roll-up follows. A
    step set to 100% is done today unless a date is given; below 100% it is no longer done."""
    project = _project_for_change(actor, milestone.project)
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    unknown = sorted(set(changes) - set(MILESTONE_FIELDS))
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed here: %(fields)s") % {"fields": ", ".join(unknown)}
        )
    if "title" in changes:
        changes["title"] = _text(changes["title"])
    if changes.get("percent") is not None and changes["percent"] < 100 and "done_on" not in changes:
        changes["done_on"] = None
    before = snapshot(milestone, MILESTONE_FIELDS)
    for name, value in changes.items():
        setattr(milestone, name, value)
    _check_milestone(milestone)
    milestone.full_clean()
    changed = diff(before, snapshot(milestone, MILESTONE_FIELDS))
    if changed:
        milestone.save()
        changed["project_percent"] = _rollup(project)
        audit_record(actor=actor, action=Event.PROJECT_MILESTONE_UPDATE, obj=milestone, changes=changed)
        board_changed()
        done = f"{milestone.done_on.isoformat()} ✓" if milestone.done_on else f"{milestone.percent}%"
        _announce_project(Event.PROJECT_MILESTONE_UPDATE, actor, project, f"{milestone.title} · {done}")
    return milestone


@transaction.atomic
def milestone_reorder(*, actor: Actor, project: Project, order: Sequence[int]) -> list[Milestone]:
    """Put the project's milestones in the order of ``order`` (every milestone id, once)."""
    project = _project_for_change(actor, project)
    rows = {m.pk: m for m in Milestone.objects.select_for_update().filter(project=project)}
    order = [int(i) for i in order]
    if sorted(order) != sorted(rows) or len(set(order)) != len(order):
        raise ValidationError(
            {"order": _("Give every milestone of this project exactly once, in the new order.")}
        )
    before = [m.pk for m in sorted(rows.values(), key=lambda m: (m.position, m.pk))]
    if before != order:
        for position, pk in enumerate(order, start=1):
            rows[pk].position = position
        Milestone.objects.bulk_update(list(rows.values()), ["position"])
        audit_record(
            actor=actor,
            action=Event.PROJECT_MILESTONE_REORDER,
            obj=project,
            changes={"order": [before, order]},
        )
        board_changed()
    return [rows[pk] for pk in order]


def milestone_move(*, actor: Actor, milestone: Milestone, step: int) -> list[Milestone]:
    """Move a milestone ``step`` places (-1 up, +1 down) within its project."""
    project = milestone.project
    ids = list(
        Milestone.objects.filter(project=project).order_by("position", "pk").values_list("pk", flat=True)
    )
    at = ids.index(milestone.pk)
    to = max(0, min(len(ids) - 1, at + step))
    ids.insert(to, ids.pop(at))
    return milestone_reorder(actor=actor, project=project, order=ids)


#: Milestones are reminded this many days before they are due, and once when overdue.
MILESTONE_DUE_SOON = dt.timedelta(days=7)


def _milestone_title(overdue: bool, values: dict[str, str]) -> str:
    """The reminder's title, in the site's language when it is sent."""
    if overdue:
        return _("Milestone overdue since %(due)s: %(title)s (%(project)s)") % values
    return _("Milestone due on %(due)s: %(title)s (%(project)s)") % values


def milestones_remind(*, today: dt.date) -> int:
    """Daily (``gongjian daily``): both sides of a project in progress hear of each unfinished
    milestone seven days before it is due and once when it is overdue, once per milestone, stage and
    due date (a milestone moved to a new date is reminded again). Returns how many were sent."""
    sent = 0
    steps = (
        Milestone.objects.filter(
            project__status=ProjectStatus.IN_PROGRESS,
            percent__lt=100,
            due_on__isnull=False,
            due_on__lte=today + MILESTONE_DUE_SOON,
        )
        .select_related(
            "project__lead_org__area",
            "project__lead_unit__area",
            "project__demand__owner_org__area",
            "project__resource__area",
        )
        .order_by("due_on", "pk")
    )
    for step in steps:
        assert step.due_on is not None
        overdue = step.due_on < today
        kind = "project.milestone.overdue" if overdue else "project.milestone.due"
        project = step.project
        values = {"due": step.due_on.isoformat(), "title": step.title, "project": project.name}
        sent += remind(
            kind,
            recipients=audience.project_people(project),
            title=partial(_milestone_title, overdue, values),
            body=f"{step.percent}%",
            url=audience.project_url(project),
            dedupe_key=f"{kind}.{step.pk}.{step.due_on.isoformat()}",
        )
    return sent


# --- evidence -------------------------------------------------------------------------------------


def _read_upload(upload: UploadedFile) -> bytes:
    size = upload.size or 0
    if size > EVIDENCE_MAX_BYTES:
        raise ValidationError(
            {"file": _("The file is too large: at most %(mb)d MB.") % {"mb": EVIDENCE_MAX_BYTES // 2**20}}
        )
    data = upload.read(EVIDENCE_MAX_BYTES + 1)
    if len(data) > EVIDENCE_MAX_BYTES:
        raise ValidationError(
            {"file": _("The file is too large: at most %(mb)d MB.") % {"mb": EVIDENCE_MAX_BYTES // 2**20}}
        )
    if not data:
        raise ValidationError({"file": _("The file is empty.")})
    return data


def _photo(data: bytes) -> tuple[bytes, str] | None:
    """The image re-encoded without its metadata (no GPS position or camera serial reaches the
    board), with its extension; None when the content is not a JPEG, PNG or WebP image."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format or ""
            probe.verify()
        if fmt not in PHOTO_FORMATS:
            return None
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            clean = ImageOps.exif_transpose(image) or image
            if fmt == "JPEG" and clean.mode not in ("RGB", "L"):
                clean = clean.convert("RGB")
            out = io.BytesIO()
            options: dict[str, Any] = {"quality": 88} if fmt in ("JPEG", "WEBP") else {}
            clean.save(out, format=fmt, **options)
        return out.getvalue(), PHOTO_FORMATS[fmt]
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError, SyntaxError):
        return None


def _document_kind(data: bytes) -> str | None:
    """pdf, docx or xlsx by content (an Office file is a zip with its main part inside)."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, ValueError):
            return None
        if "[Content_Types].xml" in names:
            if "word/document.xml" in names:
                return "docx"
            if "xl/workbook.xml" in names:
                return "xlsx"
    return None


def evidence_check(upload: UploadedFile) -> tuple[str, bytes, str]:
    """(kind, content, extension) of an upload, or a ValidationError saying what is accepted."""
    data = _read_upload(upload)
    photo = _photo(data)
    if photo is not None:
        return Evidence.Kind.PHOTO, photo[0], photo[1]
    ext = (upload.name or "").rsplit(".", 1)[-1].lower()
    kind = _document_kind(data)
    if kind is None or (ext in FILE_EXTENSIONS and ext != kind):
        raise ValidationError(
            {"file": _("Upload a photo (JPEG, PNG or WebP) or a PDF, Word (.docx) or Excel (.xlsx) file.")}
        )
    return Evidence.Kind.FILE, data, kind


@transaction.atomic
def evidence_add(
    *,
    actor: Actor,
    project: Project,
    upload: UploadedFile,
    caption: str = "",
    public: bool = False,
    milestone: Milestone | None = None,
) -> Evidence:
    """A photo or a file for the project, checked by its content; stored under a random name (the
    uploaded name is not kept). Only public photos reach the public board."""
    project = _locked(project)
    _require(
        evidence_add_allowed(actor=actor, project=project),
        _("You may not add evidence to %(name)s now.") % {"name": project.name},
    )
    if milestone is not None and milestone.project_id != project.pk:
        raise ValidationError({"milestone": _("That milestone belongs to another project.")})
    kind, data, ext = evidence_check(upload)
    evidence = Evidence(
        project=project,
        milestone=milestone,
        kind=kind,
        caption=_text(caption)[:200],
        public=bool(public),
        uploaded_by=signed_in(actor),
        uploaded_at=timezone.now(),
    )
    evidence.file.save(f"{uuid.uuid4().hex}.{ext}", ContentFile(data), save=False)
    path = str(evidence.file.name)

    def forget_file() -> None:  # a rolled-back upload leaves no file behind
        if not Evidence.objects.filter(file=path).exists():
            evidence.file.storage.delete(path)

    try:
        evidence.save()
        audit_record(
            actor=actor,
            action=Event.PROJECT_EVIDENCE_ADD,
            obj=evidence,
            changes={
                **snapshot(evidence, ("project", "milestone", "kind", "caption", "public")),
                "size": len(data),
            },
        )
    except Exception:
        forget_file()
        raise
    board_changed()
    return evidence


@transaction.atomic
def evidence_update(*, actor: Actor, evidence: Evidence, **changes: Any) -> Evidence:
    """Change the caption of a piece of evidence, or whether it shows on the public board."""
    evidence = (
        Evidence.objects.select_for_update().select_related("project", "project__area").get(pk=evidence.pk)
    )
    _require(
        evidence_edit_allowed(actor=actor, evidence=evidence),
        _("You may not change the evidence of %(name)s.") % {"name": evidence.project.name},
    )
    if "caption" in changes:
        changes["caption"] = _text(changes["caption"])
    changed = apply_changes(evidence, changes, ("caption", "public"))
    if changed:
        evidence.save()
        audit_record(actor=actor, action=Event.PROJECT_EVIDENCE_UPDATE, obj=evidence, changes=changed)
        board_changed()
    return evidence


# --- quarterly reports ----------------------------------------------------------------------------


def quarter_of(date: dt.date) -> tuple[int, int]:
    return date.year, (date.month - 1) // 3 + 1


@transaction.atomic
def report_add(
    *, actor: Actor, project: Project, year: int, quarter: int, text: str, percent: int | None = None
) -> ProgressReport:
    """The lead's progress report for a quarter (one a quarter), with the percent done then (the
    project's own by default)."""
    project = _locked(project)
    _require(
        report_add_allowed(actor=actor, project=project),
        _("Only the lead of %(name)s reports its progress.") % {"name": project.name},
    )
    errors: dict[str, str] = {}
    if quarter not in (1, 2, 3, 4):
        errors["quarter"] = _("A quarter is 1, 2, 3 or 4.")
    elif (year, quarter) > quarter_of(timezone.localdate()):
        errors["quarter"] = _("That quarter has not begun yet.")
    elif (year, quarter) < quarter_of(project.starts_on):
        errors["quarter"] = _("The project had not started in that quarter.")
    if not _text(text):
        errors["text"] = _("Write what was done this quarter.")
    percent = project.percent if percent is None else percent
    if not 0 <= percent <= 100:
        errors["percent"] = _("A percentage is between 0 and 100.")
    if errors:
        raise ValidationError(errors)
    if ProgressReport.objects.filter(project=project, year=year, quarter=quarter).exists():
        raise ValidationError(
            {
                "quarter": _("%(year)s Q%(quarter)s has been reported already.")
                % {"year": year, "quarter": quarter}
            }
        )
    try:
        with transaction.atomic():
            report = ProgressReport.objects.create(
                project=project,
                year=year,
                quarter=quarter,
                text=_text(text),
                percent=percent,
                reported_by=signed_in(actor),
                reported_at=timezone.now(),
            )
    except IntegrityError as exc:  # the same quarter, reported at the same moment
        raise ValidationError(
            {
                "quarter": _("%(year)s Q%(quarter)s has been reported already.")
                % {"year": year, "quarter": quarter}
            }
        ) from exc
    audit_record(
        actor=actor,
        action=Event.PROJECT_REPORT_ADD,
        obj=report,
        changes=snapshot(report, ("project", "year", "quarter", "percent")),
    )
    name, period = project.name, f"{year} Q{quarter} · {percent}%"
    announce(
        Event.PROJECT_REPORT_ADD,
        actor=actor,
        recipients=audience.above_people(project.area),
        title=lambda: f"{Event.PROJECT_REPORT_ADD.label}：{name}",
        body=period,
        url=audience.project_url(project),
    )
    return report


@transaction.atomic
def report_inspect(*, actor: Actor, report: ProgressReport) -> ProgressReport:
    """The review team (administrators of a level above the project's area) inspected it."""
    report = ProgressReport.objects.select_for_update().select_related("project__area").get(pk=report.pk)
    if report.inspected:
        raise ValidationError(_("This report has been inspected already."))
    _require(
        report_inspect_allowed(actor=actor, report=report),
        _("Only the review team of the level above inspects these reports."),
    )
    report.inspected = True
    report.inspected_by = signed_in(actor)
    report.inspected_at = timezone.now()
    report.save(update_fields=["inspected", "inspected_by", "inspected_at"])
    audit_record(
        actor=actor, action=Event.PROJECT_REPORT_INSPECT, obj=report, changes={"inspected": [False, True]}
    )
    _announce_project(Event.PROJECT_REPORT_INSPECT, actor, report.project, f"{report.year} Q{report.quarter}")
    return report


# --- completion, rating, closing, cancelling ------------------------------------------------------


def _demand_follow(demand: Demand | None, now: dt.datetime) -> dict[str, Any]:
    """Move the demand along with its projects (cancelled ones aside); the changes made."""
    if demand is None:
        return {}
    demand = Demand.objects.select_for_update().get(pk=demand.pk)
    statuses = set(
        Project.objects.filter(demand=demand)
        .exclude(status=ProjectStatus.CANCELLED)
        .values_list("status", flat=True)
    )
    before = demand.status
    fields: list[str] = []
    if not statuses or ProjectStatus.IN_PROGRESS in statuses:
        return {}
    if demand.claimed < demand.quantity:
        # Partly claimed: the projects finished their part, the rest stays open to claims.
        if before != DemandStatus.IN_PROGRESS:
            return {}
        demand.status = DemandStatus.CLAIMED
        demand.save(update_fields=["status"])
        return {"demand_status": [before, DemandStatus.CLAIMED]}
    if statuses == {ProjectStatus.CLOSED}:
        target = DemandStatus.CLOSED
    elif statuses <= {ProjectStatus.EVALUATED, ProjectStatus.CLOSED}:
        target = DemandStatus.EVALUATED
    else:
        target = DemandStatus.DONE
    order: list[str] = [DemandStatus.DONE, DemandStatus.EVALUATED, DemandStatus.CLOSED]
    if before in order and order.index(before) >= order.index(target):
        return {}
    if before not in (*order, DemandStatus.PUBLISHED, DemandStatus.CLAIMED, DemandStatus.IN_PROGRESS):
        return {}
    demand.status = target
    fields.append("status")
    if demand.done_at is None:
        demand.done_at = now
        fields.append("done_at")
    if target == DemandStatus.CLOSED and demand.closed_at is None:
        demand.closed_at = now
        fields.append("closed_at")
    demand.save(update_fields=fields)
    return {"demand_status": [before, target]}


@transaction.atomic
def project_complete(
    *,
    actor: Actor,
    project: Project,
    beneficiaries: int | None = None,
    hours: Decimal | float | None = None,
) -> Project:
    """Done: at 100% with at least one piece of evidence; records when (and, if given, how many
    people benefited and the service hours). The demand is done once none of its projects runs."""
    project = _locked(project)
    _require(
        project_complete_allowed(actor=actor, project=project),
        _("%(name)s cannot be completed by you now.") % {"name": project.name},
    )
    if project.percent < 100 or not Milestone.objects.filter(project=project).exists():
        raise ValidationError(
            _("%(name)s is %(percent)s%% done: every milestone must reach 100%% first.")
            % {"name": project.name, "percent": project.percent}
        )
    if not Evidence.objects.filter(project=project).exists():
        raise ValidationError(_("Add at least one photo or file as evidence before completing the project."))
    errors: dict[str, str] = {}
    if beneficiaries is not None and beneficiaries < 0:
        errors["beneficiaries"] = _("The number of beneficiaries cannot be negative.")
    if hours is not None and Decimal(str(hours)) < 0:
        errors["hours"] = _("Hours cannot be negative.")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    changes: dict[str, Any] = {"status": [project.status, ProjectStatus.DONE], "completed_at": now}
    if beneficiaries is not None:
        changes["beneficiaries"] = [project.beneficiaries, beneficiaries]
        project.beneficiaries = beneficiaries
    if hours is not None:
        changes["hours"] = [project.hours, Decimal(str(hours))]
        project.hours = Decimal(str(hours))
    project.status = ProjectStatus.DONE
    project.completed_at = now
    project.save()
    changes.update(_demand_follow(project.demand, now))
    audit_record(actor=actor, action=Event.PROJECT_COMPLETE, obj=project, changes=changes)
    _announce_project(Event.PROJECT_COMPLETE, actor, project)
    board_changed()
    return project


@transaction.atomic
def project_rate(*, actor: Actor, project: Project, rating: str, rated_on: dt.date | None = None) -> Project:
    """The year-end rating (excellent, fair, poor) by the area's administrators: evaluated."""
    project = _locked(project)
    _require(
        project_rate_allowed(actor=actor, project=project),
        _("%(name)s cannot be rated by you now.") % {"name": project.name},
    )
    if rating not in Rating.values:
        raise ValidationError({"rating": _("Choose excellent, fair or poor.")})
    rated_on = rated_on or timezone.localdate()
    if rated_on > timezone.localdate():
        raise ValidationError({"rated_on": _("A rating cannot be given on a future date.")})
    assert project.completed_at is not None
    if rated_on < timezone.localtime(project.completed_at).date():
        raise ValidationError({"rated_on": _("A project is rated after it is completed.")})
    project.rating = rating
    project.rated_on = rated_on
    project.status = ProjectStatus.EVALUATED
    project.save(update_fields=["rating", "rated_on", "status"])
    changes: dict[str, Any] = {
        "status": [ProjectStatus.DONE, ProjectStatus.EVALUATED],
        "rating": rating,
        "rated_on": rated_on,
    }
    changes.update(_demand_follow(project.demand, timezone.now()))
    audit_record(actor=actor, action=Event.PROJECT_RATE, obj=project, changes=changes)
    _announce_project(Event.PROJECT_RATE, actor, project)
    board_changed()
    return project


@transaction.atomic
def project_close(*, actor: Actor, project: Project) -> Project:
    """Close a rated project (its record stays; nothing changes it any more)."""
    project = _locked(project)
    _require(
        project_close_allowed(actor=actor, project=project),
        _("%(name)s cannot be closed by you now.") % {"name": project.name},
    )
    now = timezone.now()
    project.status = ProjectStatus.CLOSED
    project.closed_at = now
    project.save(update_fields=["status", "closed_at"])
    changes: dict[str, Any] = {"status": [ProjectStatus.EVALUATED, ProjectStatus.CLOSED]}
    changes.update(_demand_follow(project.demand, now))
    audit_record(actor=actor, action=Event.PROJECT_CLOSE, obj=project, changes=changes)
    _announce_project(Event.PROJECT_CLOSE, actor, project)
    board_changed()
    return project


@transaction.atomic
def project_cancel(*, actor: Actor, project: Project, reason: str) -> Project:
    """Cancel a project in progress, with the reason. The demand stays as it is: its owner decides
    to publish it again or withdraw it (claims part)."""
    project = _locked(project)
    _require(
        project_cancel_allowed(actor=actor, project=project),
        _("%(name)s cannot be cancelled by you now.") % {"name": project.name},
    )
    reason = _text(reason)
    if not reason:
        raise ValidationError({"reason": _("Give the reason for cancelling.")})
    project.status = ProjectStatus.CANCELLED
    project.cancelled_at = timezone.now()
    project.cancel_reason = reason[:300]
    project.save(update_fields=["status", "cancelled_at", "cancel_reason"])
    audit_record(
        actor=actor,
        action=Event.PROJECT_CANCEL,
        obj=project,
        changes={"status": [ProjectStatus.IN_PROGRESS, ProjectStatus.CANCELLED]},
        reason=project.cancel_reason,
    )
    _announce_project(Event.PROJECT_CANCEL, actor, project, project.cancel_reason)
    board_changed()
    return project


# --- residents' satisfaction ----------------------------------------------------------------------


@transaction.atomic
def satisfaction_rate(*, actor: Actor, project: Project, score: int, comment: str = "") -> Satisfaction:
    """A resident's rating (1-5, an optional comment) of a finished project: once per resident."""
    project = Project.objects.select_related("area", "demand").get(pk=project.pk)
    if actor.is_authenticated and Satisfaction.objects.filter(project=project, user=actor).exists():
        raise ValidationError(_("You have rated this project already; thank you."))
    _require(
        satisfaction_allowed(actor=actor, project=project),
        _("Residents of the area rate a project once it is finished."),
    )
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise ValidationError({"score": _("Give a score from 1 to 5.")})
    try:
        with transaction.atomic():
            row = Satisfaction.objects.create(
                project=project,
                user=person(actor),
                score=score,
                comment=_text(comment)[:300],
                at=timezone.now(),
            )
    except IntegrityError as exc:
        raise ValidationError(_("You have rated this project already; thank you.")) from exc
    audit_record(
        actor=actor,
        action=Event.PROJECT_SATISFACTION,
        obj=row,
        changes={"project": project.pk, "score": score},
    )
    board_changed()
    _announce_project(Event.PROJECT_SATISFACTION, actor, project, f"{score}/5")
    return row


__all__ = [
    "EVIDENCE_MAX_BYTES",
    "board_changed",
    "evidence_add",
    "evidence_update",
    "milestone_add",
    "milestone_move",
    "milestone_reorder",
    "milestone_update",
    "project_cancel",
    "project_close",
    "project_complete",
    "project_open_from_claim",
    "project_rate",
    "project_update",
    "report_add",
    "report_inspect",
    "satisfaction_rate",
]
