"""Benchmark: importing the synthetic city's member ledger, against a bare read of the same file.

For each database (SQLite, and PostgreSQL when reachable) it builds the synthetic city's map
(``gongjian synth --scale city --map-only``) in a fresh database, writes ``--rows`` members as an
.xlsx once, then measures, each in its own process (so the peak RSS, ``ru_maxrss``, is that step's):

* **bare read**: python-calamine, the fastest xlsx reader on PyPI, opening the sheet and turning
  every row into Python values (``get_sheet_by_name`` + ``iter_rows``), nothing else; run twice,
  the faster counts;
* **check only**: ``import_ledger(dry_run=True)``: every check of the import (ID numbers, dates,
  enumerations, codes and scope with batched look-ups, duplicates, the ledgers already there),
  nothing written;
* **import**: ``import_ledger``: the same, plus sealing, indexing and writing every member and
  ledger entry with its audit entries, in one transaction;
* **re-import**: the same file again: every row compared, nothing written;
* **through the page's job** (``--job``): the import as a user starts it from the page in the
  default setup — ``ledger_import_start`` keeps the upload and queues the job, a Celery worker
  started as ``./run`` starts it (filesystem broker, concurrency 1) runs it — timed from the
  upload to the job's end, on a copy of the database taken before the direct import, with the
  peak memory of the worker's pool process (``VmHWM``).

It prints a table of seconds, ratios to the bare read, and peak memory. Never a timed test: run it
by hand (see bench/README.md). The files hold synthetic ID numbers; the work folder is temporary.

    .venv/bin/python bench/bench_ledger_import.py --rows 100000
    .venv/bin/python bench/bench_ledger_import.py --rows 600000 --db both
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GONGJIAN = [PYTHON, "-m", "gongjian"]
SHEET = "党员台账"


# --- the measured steps, each in a child process ------------------------------------------------


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def child_read(path: str) -> dict[str, Any]:
    from python_calamine import CalamineWorkbook

    started = time.perf_counter()
    book = CalamineWorkbook.from_path(path)
    rows = 0
    for _values in book.get_sheet_by_name(SHEET).iter_rows():
        rows += 1
    return {"seconds": time.perf_counter() - started, "rows": rows - 1, "peak_mib": _peak_mib()}


def child_import(path: str, dry_run: bool) -> dict[str, Any]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongjian.settings")
    django.setup()
    from gongjian.accounts.models import User
    from gongjian.members.importexport import import_ledger

    actor = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    started = time.perf_counter()
    result = import_ledger(actor=actor, path=path, dry_run=dry_run)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "ok": result.ok,
        "rows": result.rows,
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "errors": [e.reason for e in result.errors[:3]],
        "split": {k: round(v, 2) for k, v in result.seconds.items()},
        "peak_mib": _peak_mib(),
    }


def child_job(path: str) -> dict[str, Any]:
    """Start the import as the page does and wait for the worker to finish it."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongjian.settings")
    django.setup()
    from django.core.files.uploadedfile import TemporaryUploadedFile
    from django.db import transaction

    from gongjian.accounts.models import User
    from gongjian.core.models import Job
    from gongjian.members.importexport import ledger_import_start

    actor = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    started = time.perf_counter()
    upload = TemporaryUploadedFile(
        Path(path).name, "application/octet-stream", Path(path).stat().st_size, None
    )
    with open(path, "rb") as fh:
        shutil.copyfileobj(fh, upload)
    upload.seek(0)
    with transaction.atomic():
        job = ledger_import_start(actor=actor, upload=upload)
    progress_seen = 0
    while True:
        time.sleep(0.5)
        job = Job.objects.get(pk=job.pk)
        if job.done and job.status == Job.Status.RUNNING:
            progress_seen += 1
        if job.finished_at is not None:
            break
    seconds = time.perf_counter() - started
    result = job.result or {}
    return {
        "seconds": seconds,
        "ok": job.status == Job.Status.DONE,
        "rows": result.get("rows", 0),
        "created": result.get("created", 0),
        "progress_polls": progress_seen,
        "errors": [r.get("reason") for r in result.get("reasons", [])[:3]] or [job.message],
    }


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _hwm_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def run_job(path: Path, env: dict[str, str]) -> dict[str, Any]:
    """The import through a worker started as ``./run`` starts it."""
    worker = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "celery"),
            "-A",
            "gongjian",
            "worker",
            "--concurrency",
            "1",
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
        ],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        got = run_child("job", path, env)
        pool = _children(worker.pid)
        got["peak_mib"] = max([_hwm_mib(p) for p in pool] or [_hwm_mib(worker.pid)])
        return got
    finally:
        worker.terminate()
        worker.wait(timeout=60)


def clone(kind: str, env: dict[str, str], name: str, pg_url: str) -> tuple[dict[str, str], str]:
    """A copy of the database as it is now (before the import), for the job step."""
    copy_env = dict(env)
    if kind == "sqlite":
        target = f"{name[: -len('.sqlite3')]}-job.sqlite3"
        subprocess.run(  # checkpoint the WAL, then copy the file
            [
                PYTHON,
                "-c",
                f"import sqlite3; c=sqlite3.connect({name!r}); c.execute('PRAGMA wal_checkpoint(TRUNCATE)'); c.close()",
            ],
            check=True,
        )
        shutil.copyfile(name, target)
        copy_env["DATABASE_URL"] = f"sqlite:///{target}"
        return copy_env, target
    target = f"{name}_job"
    _pg_admin(pg_url, f'DROP DATABASE IF EXISTS "{target}"')
    _pg_admin(pg_url, f'CREATE DATABASE "{target}" TEMPLATE "{name}"')
    copy_env["DATABASE_URL"] = urlunsplit(urlsplit(pg_url)._replace(path=f"/{target}"))
    return copy_env, target


def run_child(kind: str, path: Path, env: dict[str, str]) -> dict[str, Any]:
    out = subprocess.run(
        [PYTHON, __file__, "--child", kind, "--file", str(path)],
        env=env,
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


# --- databases ---------------------------------------------------------------------------------


def _pg_admin(url: str, sql: str) -> None:
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin.replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
        conn.execute(sql)


def pg_reachable(url: str) -> bool:
    try:
        _pg_admin(url, "SELECT 1")
        return True
    except Exception:
        return False


def prepare(kind: str, work: Path, pg_url: str) -> tuple[dict[str, str], str]:
    """A fresh database with migrations applied; the environment that points at it."""
    env = dict(os.environ)
    env["GONGJIAN_VAR_DIR"] = str(work / "var")
    env["PYTHONPATH"] = str(REPO / "src") + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("CELERY_BROKER_URL", None)
    if kind == "sqlite":
        db = work / "bench.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        env["DATABASE_URL"] = f"sqlite:///{db}"
        name = str(db)
    else:
        name = f"gongjian_bench_{os.getpid()}"
        _pg_admin(pg_url, f'DROP DATABASE IF EXISTS "{name}"')
        _pg_admin(pg_url, f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = urlunsplit(urlsplit(pg_url)._replace(path=f"/{name}"))
    subprocess.run([*GONGJIAN, "migrate", "-v0"], env=env, cwd=REPO, check=True)
    return env, name


def drop(kind: str, name: str, pg_url: str) -> None:
    if kind == "postgresql":
        _pg_admin(pg_url, f'DROP DATABASE IF EXISTS "{name}"')


# --- the run -------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="members in the file (600000: the city)")
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument(
        "--pg",
        default=os.environ.get("DATABASE_URL", "")
        if "postgres" in os.environ.get("DATABASE_URL", "")
        else "",
        help="PostgreSQL server URL (default: DATABASE_URL when it is one, else postgres://postgres@127.0.0.1:5432/postgres)",
    )
    parser.add_argument("--work", type=Path, default=None, help="work folder (default: a temporary one)")
    parser.add_argument("--seed", type=int, default=20231231)
    parser.add_argument("--keep", action="store_true", help="keep the work folder and databases")
    parser.add_argument(
        "--job",
        action="store_true",
        help="also import through the page's job and a worker as ./run starts it",
    )
    parser.add_argument("--child", choices=["read", "check", "import", "job"], help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        if args.child == "read":
            result = child_read(args.file)
        elif args.child == "job":
            result = child_job(args.file)
        else:
            result = child_import(args.file, dry_run=args.child == "check")
        print(json.dumps(result, ensure_ascii=False))
        return 0

    pg_url = args.pg or "postgres://postgres@127.0.0.1:5432/postgres"
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    if "postgresql" in kinds and not pg_reachable(pg_url):
        print(
            f"PostgreSQL not reachable at {urlsplit(pg_url).hostname}: measuring SQLite only", file=sys.stderr
        )
        kinds = [k for k in kinds if k != "postgresql"]
    work = args.work or Path(tempfile.mkdtemp(prefix="gongjian-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    xlsx = work / "synth-city-members.xlsx"
    rows: list[dict[str, Any]] = []
    try:
        for kind in kinds:
            env, name = prepare(kind, work, pg_url)
            try:
                synth = [*GONGJIAN, "synth", "--scale", "city", "--map-only", "--seed", str(args.seed)]
                if not xlsx.exists():
                    synth += ["--xlsx", "--members", str(args.rows), "--out", str(work)]
                    print(f"building the city and writing {args.rows:,} members…", file=sys.stderr)
                else:
                    synth += ["--members", "0"]
                    print(f"building the city ({kind})…", file=sys.stderr)
                started = time.perf_counter()
                subprocess.run(synth, env=env, cwd=REPO, check=True, stdout=subprocess.DEVNULL)
                print(f"  {time.perf_counter() - started:.0f} s", file=sys.stderr)
                jobbed: dict[str, Any] | None = None
                if args.job:
                    job_env, job_db = clone(kind, env, name, pg_url)
                    try:
                        print(f"  import through the job ({kind})…", file=sys.stderr)
                        jobbed = run_job(xlsx, job_env)
                    finally:
                        if not args.keep:
                            drop(kind, job_db, pg_url)
                    if not jobbed["ok"]:
                        raise SystemExit(f"job failed: {jobbed['errors']}")
                reads = [run_child("read", xlsx, env)]
                check = run_child("check", xlsx, env)
                imported = run_child("import", xlsx, env)
                again = run_child("import", xlsx, env)
                reads.append(run_child("read", xlsx, env))
                for step, got in (("check", check), ("import", imported), ("re-import", again)):
                    if not got["ok"]:
                        raise SystemExit(f"{step} failed: {got['errors']}")
                read = min(reads, key=lambda r: r["seconds"])
                rows.append(
                    {
                        "db": kind,
                        "rows": imported["rows"],
                        "read": read,
                        "check": check,
                        "import": imported,
                        "again": again,
                        "job": jobbed,
                    }
                )
                print(
                    f"  {kind}: import split {imported['split']}, re-import unchanged {again['unchanged']:,}",
                    file=sys.stderr,
                )
            finally:
                if not args.keep:
                    drop(kind, name, pg_url)
    finally:
        if not args.keep and args.work is None:
            shutil.rmtree(work, ignore_errors=True)

    print()
    print(
        "| database | rows | bare read (s) | check only (s) | ratio | import (s) | ratio | re-import (s) | ratio "
        "| peak MiB, import | peak MiB, bare read |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        base = r["read"]["seconds"]
        print(
            f"| {r['db']} | {r['rows']:,} | {base:.1f} | {r['check']['seconds']:.1f} | "
            f"{r['check']['seconds'] / base:.2f}× | {r['import']['seconds']:.1f} | "
            f"{r['import']['seconds'] / base:.2f}× | {r['again']['seconds']:.1f} | "
            f"{r['again']['seconds'] / base:.2f}× | {r['import']['peak_mib']:.0f} | {r['read']['peak_mib']:.0f} |"
        )
    if any(r["job"] for r in rows):
        print()
        print(
            "| database | rows | through the job (s) | ratio to bare read | ratio to the direct import "
            "| progress seen (polls) | peak MiB, worker |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|")
        for r in rows:
            job = r["job"]
            if job:
                print(
                    f"| {r['db']} | {job['rows']:,} | {job['seconds']:.1f} | {job['seconds'] / r['read']['seconds']:.2f}× "
                    f"| {job['seconds'] / r['import']['seconds']:.2f}× | {job['progress_polls']} | {job['peak_mib']:.0f} |"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
