"""Services for background jobs: create one, move it along, finish it, keep and hand out its file."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import re
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import excel, pii
from .audit import audit_record, audit_verify
from .events import Event
from .models import Job

if TYPE_CHECKING:
    from gongjian.accounts.actor import Actor

log = logging.getLogger(__name__)


#: What a person calls each kind of job (the job page and the finished notice show it, never the kind).
JOB_LABELS: dict[str, Promise] = {
    "orgs.map_import": gettext_lazy("Map import"),
    "members.ledger_import": gettext_lazy("Ledger import"),
    "members.ledger_export": gettext_lazy("Ledger export"),
    "matching.propose": Event.MATCHING_SESSION_PROPOSE.label,
}


def job_label(kind: str) -> str:
    """The label of a kind of job, in the active language (the kind itself for one not listed)."""
    label = JOB_LABELS.get(kind)
    return str(label) if label is not None else kind


@transaction.atomic
def job_create(*, actor: Actor, kind: str, params: dict[str, Any] | None = None, input_file: str = "") -> Job:
    assert actor.is_authenticated, "a job belongs to a signed-in user (the pages that start one require it)"
    return Job.objects.create(kind=kind, actor=actor, params=params or {}, input_file=input_file)


def job_progress(*, job: Job, done: int, total: int | None = None) -> None:
    """Record progress; a separate small write so watchers see it while the work runs."""
    job.done = done
    fields = ["done", "status"]
    if total is not None:
        job.total = total
        fields.append("total")
    job.status = Job.Status.RUNNING
    job.heartbeat_at = timezone.now()
    fields.append("heartbeat_at")
    job.save(update_fields=fields)


def job_finish(
    *, job: Job, ok: bool, message: str = "", result: dict[str, Any] | None = None, result_file: str = ""
) -> None:
    job.status = Job.Status.DONE if ok else Job.Status.FAILED
    job.message = message
    job.result = result or {}
    job.result_file = result_file
    job.finished_at = timezone.now()
    if ok:
        job.done = job.total
    job.save()
    _tell_finished(job)


# --- the worker's heartbeat -------------------------------------------------------------------


def _heartbeat_seconds() -> float:
    return float(getattr(settings, "GONGJIAN_JOB_HEARTBEAT_SECONDS", 20))


def _stale_seconds() -> float:
    return float(getattr(settings, "GONGJIAN_JOB_STALE_SECONDS", 300))


def _this_worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class _Heartbeat:
    """Writes the job's ``heartbeat_at`` every few seconds from a thread with its own database
    connection while the task runs (a courtesy write: on SQLite it may wait for the import's own
    transaction and give up, which the stale threshold allows for)."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True, name=f"job-heartbeat-{job_id}")
        self.thread.start()

    def _run(self) -> None:
        from django.db import connection as own

        try:
            while not self.stop.wait(_heartbeat_seconds()):
                try:
                    Job.objects.filter(pk=self.job_id, status=Job.Status.RUNNING).update(
                        heartbeat_at=timezone.now()
                    )
                except Exception:  # the database is busy (SQLite's one writer): try again later
                    log.info("heartbeat of job %s not saved this time", self.job_id)
        finally:
            own.close()

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=10)


@contextmanager
def job_alive(job_id: int) -> Iterator[Job | None]:
    """Run a job's task body with a heartbeat: the job is marked running by this worker, its
    ``heartbeat_at`` kept fresh while the body runs, and an exception that escapes the body fails
    the job (never "running" for ever). Yields the job, or None when it had already finished (a
    message delivered twice, or a job marked failed by ``jobs_mark_dead``) and must not run again.
    The heartbeat thread is started only outside a transaction (a worker; not a test's)."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None or job.finished:
        yield None
        return
    job.status, job.heartbeat_at, job.worker = Job.Status.RUNNING, timezone.now(), _this_worker()[:120]
    job.save(update_fields=["status", "heartbeat_at", "worker"])
    beat = None if connection.in_atomic_block else _Heartbeat(job_id)
    try:
        yield job
    except Exception:
        log.exception("job %s stopped", job_id)
        job.refresh_from_db()
        if not job.finished:
            job_finish(
                job=job,
                ok=False,
                message="internal error; nothing was written",
                result={"ok": False, "crashed": True},
            )
        raise
    finally:
        if beat is not None:
            beat.close()


def _pid_gone(worker: str) -> bool:
    """The job's worker ran on this host and its process is gone."""
    host, _sep, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


def jobs_mark_dead(*, now: dt.datetime | None = None, jobs: list[Job] | None = None) -> int:
    """Mark failed the running jobs whose worker died: no heartbeat for
    ``GONGJIAN_JOB_STALE_SECONDS`` (300), or a worker process on this host that no longer exists.
    Their owner is told, as for any failed job. Run every minute by beat, when a worker starts, and
    when someone looks at a running job's page. Returns how many were marked."""
    now = now or timezone.now()
    stale = now - dt.timedelta(seconds=_stale_seconds())
    candidates = jobs if jobs is not None else list(Job.objects.filter(status=Job.Status.RUNNING))
    count = 0
    for job in candidates:
        if job.status != Job.Status.RUNNING:
            continue
        beat = job.heartbeat_at or job.created_at
        if beat > stale and not (job.worker and _pid_gone(job.worker)):
            continue
        marked = Job.objects.filter(
            pk=job.pk, status=Job.Status.RUNNING, heartbeat_at=job.heartbeat_at
        ).update(
            status=Job.Status.FAILED,
            message="the worker running this job stopped; nothing was written",
            result={**(job.result or {}), "ok": False, "worker_lost": True},
            finished_at=now,
        )
        if marked:
            job.refresh_from_db()
            _tell_finished(job)
            count += 1
    return count


def job_check_alive(job: Job) -> Job:
    """The job as it stands, marked failed first if it is running and its worker died."""
    if job.status == Job.Status.RUNNING and jobs_mark_dead(jobs=[job]):
        job.refresh_from_db()
    return job


def _tell_finished(job: Job) -> None:
    """The person who started the job hears it finished (or failed), with a link to its page."""
    from django.urls import reverse

    from .notify import remind  # notify sits above the jobs in core (it sends through services)

    done = job.status == Job.Status.DONE
    kind = job.kind
    remind(
        "core.job.finished",
        recipients=[job.actor],
        title=lambda: (
            (_("Finished: %(kind)s") if done else _("Failed: %(kind)s")) % {"kind": job_label(kind)}
        ),
        body=job.message[:500],
        url=reverse("core:job", args=[job.pk]),
        dedupe_key=f"core.job.{job.pk}",
        audit=False,  # the job is its own record (a masked export writes no audit entry)
    )


def audit_verify_run(*, job: Job) -> None:
    """Verify the audit chain and record the verdict on the job (a nightly task, or on demand)."""
    job_progress(job=job, done=0, total=1)
    verdict = audit_verify()
    job_finish(
        job=job,
        ok=verdict.ok,
        message=verdict.problem,
        result={"ok": verdict.ok, "entries": verdict.entries, "seq": verdict.seq},
    )


# --- imports of uploaded workbooks ----------------------------------------------------------


class ImportOutcome(Protocol):
    """What an importer returns: enough to finish its job."""

    @property
    def ok(self) -> bool: ...

    @property
    def bad_rows(self) -> int: ...

    @property
    def error_workbook(self) -> bytes | None: ...

    def summary(self) -> dict[str, Any]: ...


def _import_max_bytes(default: int) -> int:
    return int(getattr(settings, "GONGJIAN_IMPORT_MAX_BYTES", default))


def import_upload_start(
    *,
    actor: Actor,
    upload: UploadedFile[bytes],
    kind: str,
    task: Any,
    params: dict[str, Any] | None = None,
    max_bytes: int = 100 * 1024 * 1024,
) -> Job:
    """Check that ``upload`` is a workbook (.xlsx, .xls, .ods or .csv: ``excel.WORKBOOK_SUFFIXES``)
    of an allowed size, keep it under MEDIA_ROOT/jobs/uploads/<random>/ with its own name (a .csv
    becomes the sheet named like the file), create the job and queue ``task`` (a Celery task taking
    the job id) when the transaction commits. Errors are ValidationErrors in the user's language."""
    name = Path(upload.name or "").name
    limit = _import_max_bytes(max_bytes)
    if Path(name).suffix.lower() not in excel.WORKBOOK_SUFFIXES:
        raise ValidationError(
            _("Please upload a spreadsheet: .xlsx or .xls (Excel, WPS), .ods (LibreOffice) or .csv."),
            code="file_type",
        )
    if (upload.size or 0) > limit:
        raise ValidationError(
            _("The file is too large (at most %(mb)d MB).") % {"mb": limit // (1024 * 1024)}, code="file_size"
        )
    upload.seek(0)
    head = upload.read(64 * 1024)
    if excel.format_of(name, head) is None:
        raise ValidationError(
            _(
                "The content of this file does not match its name (%(name)s). Open it and save it again as .xlsx."
            )
            % {"name": name[:100]},
            code="file_type",
        )
    upload.seek(0)
    media = Path(settings.MEDIA_ROOT)
    safe = re.sub(r"[\\/:*?\"<>|\x00-\x1f]", "_", name)[-120:] or "upload"
    target = media / "jobs" / "uploads" / uuid.uuid4().hex / safe
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as fh:
        for chunk in upload.chunks():
            fh.write(chunk)
    max_inflated = int(getattr(settings, "GONGJIAN_IMPORT_MAX_INFLATED_BYTES", excel.MAX_INFLATED_BYTES))
    try:
        excel.check_container(target, max_inflated=max_inflated)
    except excel.ExcelError as exc:
        upload_discard(target)
        raise ValidationError(
            _(
                "This file would take more than %(mb)d MB once unpacked, or its compressed content is "
                "damaged, so it was not read. Check the file, or split it and import the parts."
            )
            % {"mb": max_inflated // (1024 * 1024)},
            code="file_inflated",
        ) from exc
    with transaction.atomic():
        job = job_create(
            actor=actor,
            kind=kind,
            params={"filename": name[:200], **(params or {})},
            input_file=target.relative_to(media).as_posix(),
        )
        transaction.on_commit(lambda: task.delay(job.pk))
    return job


def job_upload_path(job: Job) -> Path:
    """The job's uploaded file, refused unless it lies inside MEDIA_ROOT."""
    media = Path(settings.MEDIA_ROOT).resolve()
    source = (media / job.input_file).resolve()
    if not job.input_file or not source.is_relative_to(media):
        raise ValueError("the job has no upload inside MEDIA_ROOT")
    return source


def upload_discard(source: Path) -> None:
    """Delete a kept upload (it may hold clear personal data) and its folder."""
    source.unlink(missing_ok=True)
    uploads = Path(settings.MEDIA_ROOT) / "jobs" / "uploads"
    if source.parent.resolve() != uploads.resolve():
        with contextlib.suppress(OSError):
            source.parent.rmdir()


def import_job_finish(*, job: Job, outcome: ImportOutcome) -> None:
    """Finish an import job: the counts, or the error workbook.

    The error workbook holds the uploader's own rows as they typed them (clear ID numbers and
    phones, so a row can be corrected in it and imported again), so it is kept sealed at rest
    like a clear export (:func:`job_result_store`): only the uploader can download it, each
    download is audited, and it is deleted ``GONGJIAN_CLEAR_EXPORT_HOURS`` (24) after the import.
    It is a copy to correct, never the source of truth: nothing in it was imported."""
    if outcome.ok:
        job_finish(job=job, ok=True, result=outcome.summary())
        return
    stored = job_result_store(
        job=job, data=outcome.error_workbook or b"", download_name=ERROR_BOOK_NAME, sealed=True
    )
    job_finish(
        job=job,
        ok=False,
        message=f"{outcome.bad_rows} bad row(s); nothing was imported",
        result=outcome.summary(),
        result_file=stored,
    )


#: The error workbook's download name.
ERROR_BOOK_NAME = "导入错误.xlsx"


# --- result files -------------------------------------------------------------------------------

#: Associated data of sealed result files (a file sealed for another purpose does not open here).
SEALED_RESULT_PURPOSE = "job-result"


def _clear_file_hours() -> int:
    return int(getattr(settings, "GONGJIAN_CLEAR_EXPORT_HOURS", 24))


def job_result_store(*, job: Job, data: bytes, download_name: str, sealed: bool = False) -> str:
    """Keep a job's result under MEDIA_ROOT/jobs/<id>/ and return its path there.

    ``sealed``: the file holds clear personal data, so it is kept encrypted with the personal-data
    key (AES-GCM), handed out only to the job's owner, audited at each download, and deleted
    ``GONGJIAN_CLEAR_EXPORT_HOURS`` (24) after it was made (``job_files_expire``)."""
    media = Path(settings.MEDIA_ROOT)
    suffix = Path(download_name).suffix or ".bin"
    target = media / "jobs" / str(job.pk) / f"result{suffix}{'.sealed' if sealed else ''}"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(pii.seal_bytes(data, purpose=SEALED_RESULT_PURPOSE) if sealed else data)
    job.params = {**(job.params or {}), "download_name": download_name[:200], "sealed": sealed}
    if sealed:
        expires = timezone.now() + dt.timedelta(hours=_clear_file_hours())
        job.params["expires"] = expires.isoformat()
    job.save(update_fields=["params"])
    return target.relative_to(media).as_posix()


def job_result_open(*, actor: Actor, job: Job) -> tuple[Path | bytes, str]:
    """The job's result file for its owner: a path, or the bytes of a sealed file (whose download
    is written to the audit log). Http404 when there is none, it is gone, or it has expired."""
    from django.http import Http404

    if not getattr(actor, "is_authenticated", False) or job.actor_id != actor.pk or not job.result_file:
        raise Http404
    media = Path(settings.MEDIA_ROOT).resolve()
    path = (media / job.result_file).resolve()
    if not path.is_relative_to(media) or not path.exists():
        raise Http404
    name = str((job.params or {}).get("download_name") or path.name)
    if not (job.params or {}).get("sealed"):
        return path, name
    if not job.result_available:
        raise Http404
    data = pii.unseal_bytes(path.read_bytes(), purpose=SEALED_RESULT_PURPOSE)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=Event.PII_EXPORT_DOWNLOAD,
            obj=job,
            object_label=name,
            changes={"kind": job.kind, "params": {k: v for k, v in job.params.items() if k != "reason"}},
            reason=str(job.params.get("reason", "")),
        )
    return data, name


def job_files_expire(*, now: dt.datetime | None = None) -> int:
    """Delete sealed result files past their time (a daily task); the job says the file expired."""
    now = now or timezone.now()
    count = 0
    media = Path(settings.MEDIA_ROOT)
    for job in Job.objects.filter(params__sealed=True).exclude(result_file=""):
        expires = job.params.get("expires")
        if expires and dt.datetime.fromisoformat(expires) <= now:
            (media / job.result_file).unlink(missing_ok=True)
            job.result_file = ""
            job.result = {**job.result, "expired": True}
            job.save(update_fields=["result_file", "result"])
            count += 1
    return count
