"""Projects on both sides of the 王家垅/尖山湖 line, for the projects tests and the scope walk.

Demands and accepted claims are made directly with the models (the claims part has its own
services and tests); each project is then opened by ``project_open_from_claim`` and carried on
through the project services. Evidence files go to a temporary MEDIA_ROOT, never into var/.

The sealed micro-wish requester is ``WISH_REQUESTER``: tests assert it appears nowhere public.
"""

from __future__ import annotations

import atexit
import datetime as dt
import io
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.utils import override_settings
from django.utils import timezone

from gongjian.accounts.actor import Actor
from gongjian.accounts.models import User
from gongjian.orgs.models import PartyOrg, ResidentUnit
from gongjian.testing import World

from ..models import Claim, ClaimStatus, Demand, DemandKind, DemandStatus, Evidence, Project
from ..services import projects as s

WISH_FIRST_NAME = "李奶奶"
WISH_REQUESTER = "李桂兰 13700001111 王家垅30号"

_media_dir: Path | None = None


def use_temporary_media() -> Path:
    """Point MEDIA_ROOT at a temporary directory, unless a test already did (``settings``
    fixture): for the rest of this test process, removed at exit. For callers without a
    ``settings`` fixture, such as the scope walk."""
    global _media_dir
    current = Path(settings.MEDIA_ROOT).resolve()
    if _media_dir is not None and current == _media_dir.resolve():
        return _media_dir
    if current != (Path(settings.VAR_DIR) / "media").resolve():
        return current
    _media_dir = Path(tempfile.mkdtemp(prefix="gongjian-test-media-"))
    atexit.register(shutil.rmtree, _media_dir, True)
    override_settings(MEDIA_ROOT=str(_media_dir)).enable()
    return _media_dir


def png_bytes(color: str = "red", size: tuple[int, int] = (8, 6)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    """A JPEG carrying EXIF data with a GPS position (which the services must strip)."""
    from PIL import Image

    image = Image.new("RGB", (10, 10), "blue")
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"  # Make
    exif[0x8825] = {1: "N", 2: (28.0, 12.0, 0.0)}  # GPSInfo
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def upload(data: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def make_project(
    world: World,
    *,
    name: str,
    area_org: PartyOrg,
    unit: ResidentUnit,
    kind: str = DemandKind.GENERAL,
    published_days_ago: float = 3,
    raised_by: User | None = None,
) -> Project:
    """A published demand of ``area_org``'s list, claimed by ``unit`` and accepted: the project."""
    now = timezone.now()
    demand = Demand.objects.create(
        name=name,
        kind=kind,
        category="volunteers",
        area=area_org.area,
        owner_org=area_org,
        status=DemandStatus.CLAIMED,
        raised_at=now - dt.timedelta(days=published_days_ago + 1),
        published_at=now - dt.timedelta(days=published_days_ago),
        first_claimed_at=now - dt.timedelta(days=1),
        deadline=timezone.localdate() + dt.timedelta(days=60),
        requester_first_name=WISH_FIRST_NAME if kind == DemandKind.MICRO_WISH else "",
        raised_by=raised_by,
        claimed=1,
    )
    if kind == DemandKind.MICRO_WISH:
        demand.set_requester(WISH_REQUESTER)
        demand.save(update_fields=["requester_sealed"])
    claim = Claim.objects.create(
        demand=demand,
        claimant_unit=unit,
        status=ClaimStatus.ACCEPTED,
        claimed_at=now - dt.timedelta(days=1),
        decided_at=now - dt.timedelta(days=1),
        decided_by=world.superuser,
    )
    return s.project_open_from_claim(actor=world.superuser, claim=claim)


def finish(world: World, project: Project, *, actor: Actor | None = None) -> Project:
    """One milestone at 100%, a public photo, then done."""
    actor = actor or world.superuser
    s.milestone_add(actor=actor, project=project, title="完成", percent=100)
    s.evidence_add(actor=actor, project=project, upload=upload(png_bytes("green"), "done.png"), public=True)
    return s.project_complete(actor=actor, project=project, beneficiaries=30, hours=12)


@dataclass
class ListsProjects:
    wjl: Project  # 王家垅社区, led by 民政厅, in progress: two milestones, a public photo, a file, a report
    jsh: Project  # 尖山湖社区, led by 芯城科技园, done and rated
    wish: Project  # a micro-wish of 王家垅社区, led by 民政厅, done; the resident rated it
    photo: Evidence
    document: Evidence


def build_lists_projects(world: World) -> ListsProjects:
    use_temporary_media()
    jsh_org = PartyOrg.objects.get(code="PO-JSH")

    wjl = make_project(world, name="楼道照明共建项目", area_org=world.wjl_committee, unit=world.minzheng)
    s.milestone_add(actor=world.liaison, project=wjl, title="勘察线路", weight=1, percent=100)
    s.milestone_add(actor=world.liaison, project=wjl, title="更换灯具", weight=3, percent=20)
    photo = s.evidence_add(
        actor=world.liaison, project=wjl, upload=upload(png_bytes(), "a.png"), caption="勘察现场", public=True
    )
    document = s.evidence_add(
        actor=world.wjl_admin, project=wjl, upload=upload(PDF_BYTES, "plan.pdf"), caption="施工方案"
    )
    year, quarter = s.quarter_of(timezone.localdate())
    s.report_add(actor=world.liaison, project=wjl, year=year, quarter=quarter, text="已完成勘察。")

    jsh = make_project(
        world, name="员工公寓床位对接", area_org=jsh_org, unit=world.jsh_firm, published_days_ago=2
    )
    jsh = finish(world, jsh)
    jsh = s.project_rate(actor=world.jsh_admin, project=jsh, rating="excellent")

    wish = make_project(
        world,
        name="一台助听器",
        area_org=world.wjl_committee,
        unit=world.minzheng,
        kind=DemandKind.MICRO_WISH,
    )
    wish = finish(world, wish, actor=world.liaison)
    s.satisfaction_rate(actor=world.resident, project=wish, score=5, comment="很满意")
    return ListsProjects(wjl=wjl, jsh=jsh, wish=wish, photo=photo, document=document)
