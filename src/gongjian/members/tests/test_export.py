"""The ledger export as a job: progress while rows are written, the file on the job's page, the
unmasked export audited and kept sealed, and a unit's members for its liaison (masked).

ID numbers are generated at run time; assertion messages never carry one."""

from __future__ import annotations

import datetime as dt
import io
import itertools
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from gongjian.core import jobs as core_jobs
from gongjian.core import pii
from gongjian.core.models import AuditEntry, Job
from gongjian.core.synthetic import id_number
from gongjian.core.tests.test_broker import real_worker  # noqa: F401 - a fixture used below
from gongjian.members import importexport, services
from gongjian.members.importexport import SHEET
from gongjian.members.importexport import export as ledger_export
from gongjian.members.models import Category, Member
from gongjian.members.tests.people import ledger_member
from gongjian.testing import World


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def ident(n: int) -> str:
    return id_number(n, birth=dt.date(1980, 5, 6))


def names(data: bytes) -> list[Any]:
    sheet = openpyxl.load_workbook(io.BytesIO(data))[SHEET]
    return [r[0].value for r in sheet.iter_rows(min_row=2)]


def text(data: bytes) -> str:
    sheet = openpyxl.load_workbook(io.BytesIO(data))[SHEET]
    return str([[c.value for c in r] for r in sheet.iter_rows()])


def has(data: bytes, value: str) -> bool:
    """Whether ``value`` is in the workbook (a bool, so a failing assertion never prints it)."""
    return value in text(data)


def _member(world: World, n: int, name: str, **kw: Any) -> Member:
    return ledger_member(world, n, name, birth=dt.date(1980, 5, 6), **kw)


@pytest.fixture
def people(world: World) -> dict[str, Member]:
    return {
        "plain": _member(world, 1, "社区党员"),
        "staff": _member(world, 2, "民政职工", work_unit=world.minzheng, categories=[Category.IN_SERVICE]),
        "unit_org": _member(world, 3, "机关党员", org=world.minzheng_org, residence=None, categories=[]),
        "other_unit": _member(
            world,
            4,
            "园区党员",
            org=world.jsh_firm_org,
            residence=world.jsh_compound,
            work_unit=world.jsh_firm,
            categories=[],
        ),
    }


def _download(job: Job, actor: Any) -> bytes:
    body, _name = core_jobs.job_result_open(actor=actor, job=job)
    return body.read_bytes() if isinstance(body, Path) else body


def _run(actor: Any, django_capture_on_commit_callbacks: Any, **kw: Any) -> Job:
    with django_capture_on_commit_callbacks(execute=True):
        job = importexport.ledger_export_start(actor=actor, **kw)
    job.refresh_from_db()
    return job


# --- the job ---------------------------------------------------------------------------------


def test_progress_moves_while_rows_are_written(
    world, people, monkeypatch, django_capture_on_commit_callbacks
):
    for n in range(10, 15):
        _member(world, n, f"进度{n}")
    monkeypatch.setattr(ledger_export, "EXPORT_PROGRESS_EVERY", 2)
    saved: list[tuple[int, int]] = []
    real = ledger_export.job_progress

    def spy(*, job: Job, done: int, total: int | None = None) -> None:
        real(job=job, done=done, total=total)
        stored = Job.objects.get(pk=job.pk)  # what a watcher polling the job sees
        saved.append((stored.done, stored.total))

    monkeypatch.setattr(ledger_export, "job_progress", spy)
    job = _run(world.wjl_admin, django_capture_on_commit_callbacks, area=world.wjl)
    total = 8  # 社区党员, 民政职工, 机关党员 (the unit sits in 王家垅) and five more
    assert saved[0] == (0, total) and saved[-1] == (total, total)
    assert len(saved) >= 5 and all(a[0] <= b[0] for a, b in itertools.pairwise(saved))
    assert job.status == Job.Status.DONE and job.percent == 100
    assert job.result == {"exported": total, "clear": False}
    assert job.kind == "members.ledger_export" and job.params["download_name"].endswith("党员台账.xlsx")
    data = _download(job, world.wjl_admin)
    clear, masked = has(data, ident(1)), has(data, pii.mask_id_number(ident(1)))
    assert len(names(data)) == total and not clear and masked


def test_a_masked_export_writes_no_audit_entry_and_only_its_owner_downloads(
    world, people, django_capture_on_commit_callbacks
):
    before = AuditEntry.objects.count()
    job = _run(world.wjl_admin, django_capture_on_commit_callbacks, area=world.wjl)
    assert _download(job, world.wjl_admin)
    assert AuditEntry.objects.count() == before
    with pytest.raises(Http404):
        core_jobs.job_result_open(actor=world.dongfeng_admin, job=job)


def test_refusals_are_checked_before_anything_is_queued(world, people, monkeypatch):
    with pytest.raises(Http404):
        importexport.ledger_export_start(actor=world.jsh_admin, area=world.wjl)
    with pytest.raises(ValidationError):
        importexport.ledger_export_start(actor=world.wjl_admin, area=world.wjl, clear=True, reason="  ")
    real = services.member_change_allowed
    monkeypatch.setattr(
        services,
        "member_change_allowed",
        lambda *, actor, member: member.name != "社区党员" and real(actor=actor, member=member),
    )
    with pytest.raises(PermissionDenied):
        importexport.ledger_export_start(actor=world.wjl_admin, area=world.wjl, clear=True, reason="核对")
    with pytest.raises(ValidationError):
        importexport.ledger_export_start(actor=world.wjl_admin)
    assert not Job.objects.exists()


def test_a_clear_export_is_audited_sealed_on_disk_and_expires(
    world, people, settings, django_capture_on_commit_callbacks
):
    job = _run(
        world.wjl_admin, django_capture_on_commit_callbacks, area=world.wjl, clear=True, reason="换届核对"
    )
    assert job.status == Job.Status.DONE and job.result["clear"] is True
    audit = AuditEntry.objects.get(action="pii.export")
    assert audit.reason == "换届核对" and audit.changes["members"] == 3
    on_disk = (Path(settings.MEDIA_ROOT) / job.result_file).read_bytes()
    leaked = ident(1).encode() in on_disk
    assert not leaked and b"PK" not in on_disk[:16]  # sealed, not a zip
    data = _download(job, world.wjl_admin)
    clear = has(data, ident(1))
    assert clear and has(data, "datetime.datetime(1980, 5, 6")
    download = AuditEntry.objects.get(action="pii.export_download")
    assert download.reason == "换届核对" and download.object_id == str(job.pk)
    with pytest.raises(Http404):
        core_jobs.job_result_open(actor=world.city_admin, job=job)
    # after its time the file is refused, then deleted by the daily clean-up
    assert core_jobs.job_files_expire() == 0
    later = timezone.now() + dt.timedelta(hours=settings.GONGJIAN_CLEAR_EXPORT_HOURS + 1)
    job.params["expires"] = (timezone.now() - dt.timedelta(seconds=1)).isoformat()
    job.save(update_fields=["params"])
    with pytest.raises(Http404):
        core_jobs.job_result_open(actor=world.wjl_admin, job=job)
    assert core_jobs.job_files_expire(now=later) == 1
    job.refresh_from_db()
    assert job.result_file == "" and job.result["expired"] is True
    assert not list((Path(settings.MEDIA_ROOT) / "jobs" / str(job.pk)).iterdir())


def test_a_job_whose_actor_lost_the_right_is_refused_when_it_runs(world, people):
    job = Job.objects.create(
        kind=importexport.EXPORT_JOB_KIND, actor=world.jsh_admin, params={"area": world.wjl.pk}
    )
    importexport.ledger_export_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.result["refused"] and not job.result_file


# --- a unit's members -------------------------------------------------------------------------


def test_a_liaison_exports_their_unit_members_masked(world, people, django_capture_on_commit_callbacks):
    job = _run(world.liaison, django_capture_on_commit_callbacks, unit=world.minzheng)
    assert job.status == Job.Status.DONE, job.message
    data = _download(job, world.liaison)
    assert sorted(names(data)) == ["机关党员", "民政职工"]
    clear, masked = has(data, ident(2)), has(data, pii.mask_id_number(ident(2)))
    assert not clear and masked
    with pytest.raises(Http404):
        importexport.ledger_export_start(actor=world.liaison, unit=world.jsh_firm)
    with pytest.raises(PermissionDenied):
        importexport.ledger_export_start(actor=world.liaison, unit=world.minzheng, clear=True, reason="x")
    with pytest.raises(Http404):  # a liaison holds no node of the map
        importexport.ledger_export_start(actor=world.liaison, area=world.wjl)


def test_administrators_export_a_unit_in_their_area_only(world, people, django_capture_on_commit_callbacks):
    job = _run(world.wjl_admin, django_capture_on_commit_callbacks, unit=world.minzheng)
    assert sorted(names(_download(job, world.wjl_admin))) == ["机关党员", "民政职工"]
    with pytest.raises(Http404):
        importexport.ledger_export_start(actor=world.jsh_admin, unit=world.minzheng)
    job = _run(world.jsh_admin, django_capture_on_commit_callbacks, unit=world.jsh_firm)
    assert names(_download(job, world.jsh_admin)) == ["园区党员"]


def test_unit_export_pages(world, people, client, django_capture_on_commit_callbacks):
    client.force_login(world.liaison)
    listing = client.get(reverse("members:member_list")).content.decode()
    url = reverse("members:unit_export", args=[world.minzheng.pk])
    assert url in listing
    page = client.get(url)
    assert page.status_code == 200 and b'data-count="2"' in page.content
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(url)
    job = Job.objects.get()
    assert resp.status_code == 302 and resp["Location"] == reverse("core:job", args=[job.pk])
    assert reverse("core:job_download", args=[job.pk]) in client.get(resp["Location"]).content.decode()
    other = reverse("members:unit_export", args=[world.jsh_firm.pk])
    assert client.get(other).status_code == 404 and client.post(other).status_code == 404
    # the unit's page offers it too
    assert url in client.get(reverse("orgs:unit_detail", args=[world.minzheng.pk])).content.decode()
    client.force_login(world.member)
    assert client.get(url).status_code == 403


def test_unit_export_api(world, people, django_capture_on_commit_callbacks):
    api = APIClient()
    api.force_authenticate(world.liaison)
    export = reverse("api-ledger-export")
    with django_capture_on_commit_callbacks(execute=True):
        resp = api.post(export, {"unit": world.minzheng.pk}, format="json")
    assert resp.status_code == 202
    data = api.get(resp.json()["download"])
    assert sorted(names(b"".join(data.streaming_content))) == ["机关党员", "民政职工"]
    assert api.post(export, {"unit": world.jsh_firm.pk}, format="json").status_code == 404
    assert (
        api.post(export, {"unit": world.minzheng.pk, "area": world.wjl.pk}, format="json").status_code == 400
    )
    assert api.post(export, {"area": world.wjl.pk}, format="json").status_code == 404
    resp = api.post(export, {"unit": world.minzheng.pk, "clear": True, "reason": "x"}, format="json")
    assert resp.status_code == 403


# --- through a real broker and worker: the job's page sees the progress move ---------------------


@pytest.mark.broker
@pytest.mark.usefixtures("real_worker")
@pytest.mark.django_db(transaction=True)
def test_progress_moves_through_a_real_worker(world, monkeypatch):
    import time

    for n in range(40, 52):
        _member(world, n, f"远程{n}")
    monkeypatch.setattr(ledger_export, "EXPORT_PROGRESS_EVERY", 3)
    real = ledger_export.job_progress

    def slow(*, job: Job, done: int, total: int | None = None) -> None:
        real(job=job, done=done, total=total)
        time.sleep(0.3)  # a large export's pace, so the watcher below can see each step

    monkeypatch.setattr(ledger_export, "job_progress", slow)
    job = importexport.ledger_export_start(actor=world.wjl_admin, area=world.wjl)
    seen: set[int] = set()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job.refresh_from_db()
        seen.add(job.done)
        if job.finished:
            break
        time.sleep(0.05)
    assert job.status == Job.Status.DONE, job.message
    assert job.total == 12 and any(0 < d < 12 for d in seen), sorted(seen)
    assert len(names(_download(job, world.wjl_admin))) == 12
