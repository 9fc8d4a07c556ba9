"""The import job: one import checks every row and writes the clean batches through
``members.bulk`` inside one transaction (see the package's docstring); the job around it."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from python_calamine import CalamineError

from gongjian.accounts.actor import Actor
from gongjian.accounts.scope import scope_for
from gongjian.core.bulkwrite import refresh_statistics
from gongjian.core.events import Event
from gongjian.core.excel import (
    HEADER_SEARCH_ROWS,
    PAGE_REASONS,
    REASON_HEADER,
    ROW_HEADER,
    SHEET_HEADER,
    SUMMARY_SHEET,
    BookWriter,
    ExcelError,
    RowBudget,
    RowError,
    as_bool,
    failure_summary,
    readable,
)
from gongjian.core.jobs import (
    import_job_finish,
    import_upload_start,
    job_finish,
    job_progress,
    job_upload_path,
    upload_discard,
)
from gongjian.core.models import Job
from gongjian.core.xlsxstream import iter_blocks, row_estimate
from gongjian.stats import tally
from gongjian.stats.models import Contribution, Tally

from .. import bulk
from ..models import (
    Member,
    MemberCategory,
    MemberStatus,
    Standing,
)
from .decide import _Deciding
from .parse import _Batch, _date, _Memo, _parse_birth, _parse_categories, _Reader, _Reading
from .sheet import EDUCATIONS, GENDERS, SHEET, STANDINGS, STATUSES, Progress, _plain_choice
from .write import _Rollback, _SqlitePragmas, _Writer

log = logging.getLogger(__package__)  # the package's logger, as before the split

JOB_KIND = "members.ledger_import"
#: Rows checked together (one set of look-ups) and written together (one audit entry).
BATCH = 5000
#: Subjects (summed over the figures) whose kept figures wait before they are refreshed: gathering
#: many makes fewer tally rows to write near the root; this bounds the memory they take.
FIGURES_WAITING = 1_200_000
#: Job progress is saved once per batch.
PROGRESS_EVERY = BATCH
DEFAULT_MAX_BYTES = 200 * 1024 * 1024
#: Files with at least this many rows are checked on a second thread (see ``_Checker``).
THREAD_MIN_ROWS = 2 * BATCH
#: After an import that wrote at least this many members, PostgreSQL's planner statistics of the
#: ledger tables are refreshed (``core.bulkwrite.refresh_statistics``).
STATISTICS_MIN_ROWS = 50_000


# --- import: result -------------------------------------------------------------------------


@dataclass
class ImportResult:
    """What an import did, or the errors and their workbook (nothing written)."""

    ok: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    bad_rows: int = 0
    error_workbook: bytes | None = None
    #: where the time went: reading and checking, look-ups, writing
    seconds: dict[str, float] = field(default_factory=dict)
    #: checked only: the counts say what an import would do, nothing was written
    dry_run: bool = False
    #: the ledger sheets read, and the sheets skipped at the user's request, as the user named them
    sheets: list[str] = field(default_factory=list)
    skipped_sheets: list[str] = field(default_factory=list)
    #: failed because of the file itself (a sheet, a column, the format), no data row at fault
    file_level: bool = False
    #: rows recognised as totals or notes and skipped: (sheet, row)
    note_rows: list[tuple[str, int]] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """JSON for ``Job.result``."""
        if not self.ok:
            return failure_summary(
                self.errors, bad_rows=self.bad_rows, rows=self.rows, file_level=self.file_level
            )
        return {
            "ok": True,
            "dry_run": self.dry_run,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped_sheets": self.skipped_sheets,
            "note_rows": [{"sheet": sheet, "row": row} for sheet, row in self.note_rows[:PAGE_REASONS]],
            "note_rows_count": len(self.note_rows),
            "sheets": [
                {
                    "sheet": "、".join(self.sheets) or SHEET,
                    "created": self.created,
                    "updated": self.updated,
                    "unchanged": self.unchanged,
                }
            ],
        }


class _Import(_Reading, _Deciding):
    """One import (module docstring): check every row, writing each clean batch inside one
    transaction that is rolled back as soon as the import ends with a bad row."""

    def __init__(self, actor: Actor, path: Path, progress: Progress) -> None:
        self.actor = actor
        self.path = path
        self.scope = scope_for(actor)
        self.report = progress
        self.today = timezone.localdate()
        self.today_iso = self.today.isoformat()
        self.sheet = SHEET
        self.header_row = 0
        self.index = {}
        self.errors = []
        self.bad_rows = 0
        self.bad_copies = []
        self.sheets_read = {}
        self.skip_other_sheets = False
        self.skipped_sheets = []
        self.note_rows = []
        self.headers = []
        self.rows = 0
        self.total = 0
        self.created = self.updated = self.unchanged = 0
        self.seconds = {"read_and_check": 0.0, "look_up": 0.0, "write": 0.0}
        #: check every row but write nothing (``import_ledger(dry_run=True)``)
        self.dry_run = False
        #: may check on one thread and write on another (not inside an outer transaction)
        self.parallel = False
        self.reader = _Reader(connection)
        self.sealer = bulk.Sealer()
        self.checker = bulk.IdChecker()
        self.names = bulk.NameKeys()
        self.org_scope = bulk._OrgScope(actor)
        self.orgs = {}
        self.orgs_by_pk = {}
        self.areas = {}
        self.areas_by_path = {}
        self.community_of = {}
        self.units = {}
        self.org_ok = {}
        self.area_ok = {}
        self.seen = {}  # blind index (as 32 bytes, half the memory) -> row
        self.seen_pk = {}  # member id -> row
        self.memos = {
            "gender": _Memo(lambda v: _plain_choice(GENDERS.parse(v, default=""))),
            "education": _Memo(lambda v: _plain_choice(EDUCATIONS.parse(v, default=""))),
            "standing": _Memo(lambda v: _plain_choice(STANDINGS.parse(v, default=Standing.FULL))),
            "status": _Memo(lambda v: _plain_choice(STATUSES.parse(v, default=MemberStatus.NORMAL))),
            "categories": _Memo(_parse_categories),
            "hardship": _Memo(as_bool, "困难党员"),
            "lost_contact": _Memo(as_bool, "失联党员"),
            "joined_on": _Memo(_date, "入党时间"),
            "birth_date": _Memo(_parse_birth, "出生日期"),
        }

    def run(self) -> None:
        """Check every row of every ledger sheet; write the clean batches as they come, in the
        caller's transaction. Every sheet is accounted for (``_ledger_sheets``)."""
        names = self._ledger_sheets()
        if not names:
            return
        self.total = sum(max(0, row_estimate(self.path, name) - 1) for name in names)
        self.report(0, self.total)
        threaded = self.parallel and connection.vendor == "postgresql" and self.total >= THREAD_MIN_ROWS
        side = connections.create_connection(DEFAULT_DB_ALIAS) if threaded else None
        self.reader = _Reader(side if side is not None else connection)
        db = _Writer(threaded=threaded)
        started = time.perf_counter()
        budget = RowBudget()
        try:
            for name in names:
                self.sheet = name
                self.header_row, self.index, self.headers, self.bad_copies = 0, {}, [], []
                self.sheets_read[name] = (self.headers, self.bad_copies)
                if not self._run_sheet(name, db, budget):
                    return
        except ExcelError as exc:
            self.error(0, exc.message)
        except CalamineError:
            self.error(0, "文件无法读取：工作表的内容不完整或格式不正确。")
        finally:
            try:
                db.finish()
            finally:
                if side is not None:
                    side.close()
            self.seconds["read_and_check"] = time.perf_counter() - started - self.seconds["look_up"]
        self.total = self.rows
        self.report(self.rows, self.total)

    def _run_sheet(self, name: str, db: _Writer, budget: RowBudget) -> bool:
        """One ledger sheet; False when its header is wrong (nothing more is read)."""
        blocks = iter_blocks(self.path, name)
        try:
            header_found = False
            width = 0
            for first, rows in blocks:
                budget.take(len(rows), sum(map(len, rows)))
                if not header_found:
                    self._find_header(list(enumerate(rows[:HEADER_SEARCH_ROWS], start=first)))
                    if self.errors:
                        return False
                    header_found = True
                    self.sheets_read[name] = (self.headers, self.bad_copies)
                    width = max(self.index.values()) + 1
                    skip = self.header_row - first + 1
                    first, rows = first + skip, rows[skip:]
                for start in range(0, len(rows), BATCH):
                    chunk = rows[start : start + BATCH]
                    numbers = [first + start + j for j, values in enumerate(chunk) if any(values)]
                    kept = [values for values in chunk if any(values)]
                    short = [i for i, values in enumerate(kept) if len(values) < width]
                    for i in short:  # trailing empty cells: pad, so every column reads by position
                        kept[i] = kept[i] + [""] * (width - len(kept[i]))
                    if kept:
                        self._batch(_Batch(numbers, kept), db)
            if not header_found:
                self.error(1, "工作表是空的")
                return False
            return True
        finally:
            blocks.close()

    def _batch(self, b: _Batch, db: _Writer) -> None:
        self._parse(b)
        started = time.perf_counter()
        found = self._look_up(b)
        self.seconds["look_up"] += time.perf_counter() - started
        creates, updates = self._decide(b, *found)
        if not self.bad_rows and not self.dry_run and (creates or updates):
            db.later(self._write, creates, updates)
        db.later(self.report, self.rows, max(self.total, self.rows))

    def _write(self, creates: list[bulk.NewMember], updates: list[bulk.MemberChange]) -> None:
        started = time.perf_counter()
        bulk.members_insert(
            actor=self.actor,
            members=creates,
            action=Event.MEMBER_IMPORT_CREATE,
            scope=self.org_scope,
            checked=True,
        )
        bulk.members_bulk_update(
            actor=self.actor,
            changes=updates,
            action=Event.MEMBER_IMPORT_UPDATE,
            scope=self.org_scope,
            on=self.today,
        )
        self.seconds["write"] += time.perf_counter() - started
        started = time.perf_counter()
        tally.settle(FIGURES_WAITING)  # the figures of what is written, a large part at a time
        self.seconds["figures"] = self.seconds.get("figures", 0.0) + time.perf_counter() - started


def _failed(job: _Import) -> ImportResult:
    return ImportResult(
        ok=False,
        rows=job.rows,
        errors=job.errors,
        bad_rows=job.bad_rows or len({e.row for e in job.errors}),
        file_level=not job.bad_rows,
        error_workbook=_error_book(job),
        seconds=job.seconds,
    )


def _error_book(job: _Import) -> bytes:
    """The bad rows with the reasons (the layout of ``core.excel.error_workbook``), built from the
    copies taken while reading, so a big file is not read a second time; ID numbers, phones and
    birth dates masked."""
    book = BookWriter()
    summary = book.sheet(SUMMARY_SHEET)
    summary.header([SHEET_HEADER, ROW_HEADER, REASON_HEADER], widths=[14, 8, 80])
    by_row: dict[tuple[str, int], list[str]] = {}
    for err in job.errors:
        reasons = by_row.setdefault((err.sheet, err.row), [])
        if err.reason not in reasons:
            reasons.append(err.reason)
    order = {name: i for i, name in enumerate(job.sheets_read)}
    for sheet, row in sorted(by_row, key=lambda k: (order.get(k[0], -1), k[1])):
        summary.append([sheet, row or "", "；".join(by_row[(sheet, row)])])
    listed = len({(e.sheet, e.row) for e in job.errors if e.row})
    if job.bad_rows > listed:
        summary.append(["", "", f"另有 {job.bad_rows - listed} 行有错误，未一一列出；请先改正以上各行再导入"])
    for sheet, (headers, copies) in job.sheets_read.items():
        if not (copies and headers):
            continue
        out = book.sheet(sheet)
        out.header(
            [ROW_HEADER, *headers, REASON_HEADER],
            widths=[8, *(max(10, 2 * len(h) + 4) for h in headers), 60],
        )
        width = len(headers)
        for row, cells in copies:
            cells = (cells + [""] * width)[:width]
            out.append([row, *cells, "；".join(by_row.get((sheet, row), []))])
    return book.close()


def import_ledger(
    *,
    actor: Actor,
    path: str | Path,
    progress: Progress | None = None,
    dry_run: bool = False,
    skip_other_sheets: bool = False,
) -> ImportResult:
    """Import the ledger workbook at ``path`` (.xlsx, .xls, .ods or .csv): every row or none
    (module docstring).

    ``dry_run`` checks every row exactly as an import does and says what it would create, change
    and leave alone, writing nothing. ``skip_other_sheets``: a sheet with data that is not a
    ledger is skipped (and named in the result) instead of failing the import."""
    try:
        with readable(path) as book:
            return _import_ledger(
                actor=actor,
                path=book,
                progress=progress,
                dry_run=dry_run,
                skip_other_sheets=skip_other_sheets,
            )
    except ExcelError as exc:  # a .csv that cannot be read
        job = _Import(actor, Path(path), progress or (lambda done, total: None))
        job.error(0, exc.message)
        return _failed(job)


def _import_ledger(
    *, actor: Actor, path: Path, progress: Progress | None, dry_run: bool, skip_other_sheets: bool
) -> ImportResult:
    job = _Import(actor, Path(path), progress or (lambda done, total: None))
    job.skip_other_sheets = skip_other_sheets
    job.dry_run = dry_run
    job.parallel = not connection.in_atomic_block
    with translation.override("zh-hans"):
        if job.scope.empty:
            job.error(0, "您没有导入党员台账的权限（需要区域管理员或单位联络员角色）")
            return _failed(job)
        try:
            with _SqlitePragmas(), transaction.atomic():
                # the figures of every member written are kept once, at the end, in this transaction
                with tally.deferred():
                    job.run()
                    if job.errors or job.bad_rows:
                        raise _Rollback
                    started = time.perf_counter()
                job.seconds["figures"] = job.seconds.get("figures", 0.0) + time.perf_counter() - started
                if dry_run:
                    transaction.set_rollback(True)
        except _Rollback:
            return _failed(job)
        except (ValidationError, PermissionDenied, IntegrityError) as exc:
            # The ledgers changed while the import read them: nothing was written.
            log.warning("ledger import rolled back: %s", type(exc).__name__)
            job.error(0, "导入期间台账已被修改（或有并发导入），未导入任何数据，请重新导入")
            return _failed(job)
        if not dry_run and job.parallel and job.created + job.updated >= STATISTICS_MIN_ROWS:
            refresh_statistics([Member, MemberCategory, Contribution, Tally])
        job.report(job.total, job.total)
        return ImportResult(
            ok=True,
            rows=job.rows,
            created=job.created,
            updated=job.updated,
            unchanged=job.unchanged,
            seconds=job.seconds,
            dry_run=dry_run,
            sheets=list(job.sheets_read),
            skipped_sheets=job.skipped_sheets,
            note_rows=job.note_rows,
        )


# --- jobs -----------------------------------------------------------------------------------


def ledger_import_allowed(*, actor: Actor) -> bool:
    return not scope_for(actor).empty


def ledger_import_start(
    *, actor: Actor, upload: UploadedFile, dry_run: bool = False, skip_other_sheets: bool = False
) -> Job:
    """Keep the upload, create the job, and queue the import on commit (``dry_run``: check every
    row, write nothing)."""
    if not ledger_import_allowed(actor=actor):
        raise PermissionDenied(_("Only administrators and unit liaisons may import ledgers."))
    from ..tasks import import_ledger_task

    return import_upload_start(
        actor=actor,
        upload=upload,
        kind=JOB_KIND,
        task=import_ledger_task,
        params={"dry_run": bool(dry_run), "skip_other_sheets": bool(skip_other_sheets)},
        max_bytes=DEFAULT_MAX_BYTES,
    )


def _live_progress_possible() -> bool:
    """A second connection can save progress while the import's transaction is open: PostgreSQL,
    with the job's row committed (SQLite has one writer at a time)."""
    return connection.vendor == "postgresql" and not connection.in_atomic_block


class _LiveProgress:
    """Saves the latest progress from a thread with its own database connection, so watchers see
    it while the import's transaction is still open."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.latest: tuple[int, int] | None = None
        self.wake = threading.Event()
        self.stopping = False
        self.thread = threading.Thread(target=self._run, daemon=True, name="import-progress")
        self.thread.start()

    def __call__(self, done: int, total: int) -> None:
        self.latest = (done, total)
        self.wake.set()

    def _run(self) -> None:
        from django.db import connection as own

        try:
            job = Job.objects.get(pk=self.job_id)
            while True:
                self.wake.wait(timeout=1.0)
                self.wake.clear()
                latest, self.latest = self.latest, None
                if latest is not None:
                    job_progress(job=job, done=latest[0], total=latest[1])
                if self.stopping and self.latest is None:
                    return
        except Exception:  # progress is a courtesy: never let it stop the import
            log.warning("ledger import progress for job %s not saved", self.job_id)
        finally:
            own.close()

    def close(self) -> None:
        self.stopping = True
        self.wake.set()
        self.thread.join(timeout=10)


def ledger_import_run(*, job_id: int) -> Job:
    """Run a queued import job (the Celery task calls this): progress, then the counts or the error
    workbook under MEDIA_ROOT/jobs/<id>/. The upload holds clear ID numbers: it is deleted
    afterwards, whatever happened."""
    job = Job.objects.select_related("actor").get(pk=job_id)
    if job.finished:
        return job
    last = {"done": -1}

    def progress(done: int, total: int) -> None:
        if done != last["done"]:
            last["done"] = done
            job_progress(job=job, done=done, total=total)

    progress(0, 0)
    live = _LiveProgress(job.pk) if _live_progress_possible() else None
    source: Path | None = None
    try:
        source = job_upload_path(job)
        dry_run = bool((job.params or {}).get("dry_run"))
        skip = bool((job.params or {}).get("skip_other_sheets"))
        result = import_ledger(
            actor=job.actor, path=source, progress=live or progress, dry_run=dry_run, skip_other_sheets=skip
        )
        if live is not None:
            live.close()
            job.refresh_from_db(fields=["total", "done"])
        job.total = max(job.total, result.rows)
        import_job_finish(job=job, outcome=result)
    except Exception:
        if live is not None:
            live.close()
        log.exception("ledger import job %s stopped", job.pk)
        job_finish(
            job=job,
            ok=False,
            message="internal error; nothing was imported",
            result={"ok": False, "crashed": True},
        )
    finally:
        if source is not None:
            upload_discard(source)
    return job
