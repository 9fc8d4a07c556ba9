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
* **re-import**: the same file again: every row compared, nothing written.

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
    parser.add_argument("--child", choices=["read", "check", "import"], help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        if args.child == "read":
            result = child_read(args.file)
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
