"""The floor under the import: what the database alone takes to store N members and their ledger
entries, with the real schema (its indexes and foreign keys), from rows already prepared in
memory. No reading, no checks, no sealing: ``executemany`` on SQLite, ``COPY`` on PostgreSQL,
then ``COMMIT`` (where PostgreSQL checks the deferred foreign keys). Compare it with the bare read
of ``bench_ledger_import.py``: when this alone exceeds twice the read, so does any import.

    .venv/bin/python bench/bench_write_floor.py --rows 100000 --db both
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_ledger_import import GONGJIAN, REPO, drop, pg_reachable, prepare

MEMBER_COLUMNS = (
    "id,name,name_key,initials,user_id,gender,ethnicity,birth_date,id_number_sealed,id_number_index,"
    "id_number_masked,phone_sealed,phone_index,phone_masked,education,joined_on,standing,status,org_id,"
    "residence_id,work_unit_id,work_unit_name,volunteer_no,created_at,updated_at"
)
CATEGORY_COLUMNS = "since,until,member_id,category,area_id,note"


def measure(kind: str, url: str, rows: int) -> dict[str, float]:
    rng = random.Random(1)

    def hexes() -> str:
        return f"{rng.getrandbits(256):064x}"

    if kind == "sqlite":
        import sqlite3

        conn: Any = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON", "cache_size=-262144"):
            conn.execute(f"PRAGMA {pragma}")
    else:
        import psycopg

        conn = psycopg.connect(url.replace("postgres://", "postgresql://", 1))
    orgs = [r[0] for r in conn.execute("SELECT id FROM orgs_partyorg").fetchall()]
    areas = [r[0] for r in conn.execute("SELECT id FROM orgs_area").fetchall()]
    now = "2024-01-01 00:00:00"
    members = [
        (
            i + 1,
            "王小明",
            "王小明",
            "wxm",
            None,
            "M",
            "汉族",
            "1970-01-01",
            "v1:" + hexes(),
            hexes(),
            "430121********0018",
            "v1:" + hexes(),
            hexes(),
            "138****0001",
            "bachelor",
            "2000-07-01",
            "full",
            "normal",
            rng.choice(orgs),
            rng.choice(areas),
            None,
            "",
            "",
            now,
            now,
        )
        for i in range(rows)
    ]
    categories = [("2024-01-01", None, i + 1, "direct", rng.choice(areas), "") for i in range(rows)]
    out: dict[str, float] = {}
    if kind == "sqlite":
        conn.execute("BEGIN IMMEDIATE")
        started = time.perf_counter()
        conn.executemany(
            f"INSERT INTO members_member ({MEMBER_COLUMNS}) VALUES ({','.join('?' * 25)})", members
        )
        out["members"] = time.perf_counter() - started
        started = time.perf_counter()
        conn.executemany(
            f"INSERT INTO members_membercategory ({CATEGORY_COLUMNS}) VALUES (?,?,?,?,?,?)", categories
        )
        out["ledger entries"] = time.perf_counter() - started
    else:
        started = time.perf_counter()
        with conn.cursor() as cur, cur.copy(f"COPY members_member ({MEMBER_COLUMNS}) FROM STDIN") as copy:
            for row in members:
                copy.write_row(row)
        out["members"] = time.perf_counter() - started
        started = time.perf_counter()
        with (
            conn.cursor() as cur,
            cur.copy(f"COPY members_membercategory ({CATEGORY_COLUMNS}) FROM STDIN") as copy,
        ):
            for row in categories:
                copy.write_row(row)
        out["ledger entries"] = time.perf_counter() - started
    started = time.perf_counter()
    conn.execute("COMMIT") if kind == "sqlite" else conn.commit()
    out["commit"] = time.perf_counter() - started
    conn.close()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    if "postgresql" in kinds and not pg_reachable(args.pg):
        kinds = [k for k in kinds if k != "postgresql"]
    work = Path(tempfile.mkdtemp(prefix="gongjian-floor-"))
    print("| database | rows | members (s) | ledger entries (s) | commit (s) | total (s) |")
    print("|---|---:|---:|---:|---:|---:|")
    try:
        for kind in kinds:
            env, name = prepare(kind, work, args.pg)
            try:
                subprocess.run(
                    [*GONGJIAN, "synth", "--scale", "small", "--map-only", "--members", "0"],
                    env=env,
                    cwd=REPO,
                    check=True,
                    stdout=subprocess.DEVNULL,
                )
                got = measure(kind, env["DATABASE_URL"], args.rows)
                total = sum(got.values())
                print(
                    f"| {kind} | {args.rows:,} | {got['members']:.1f} | {got['ledger entries']:.1f} | "
                    f"{got['commit']:.1f} | {total:.1f} |"
                )
            finally:
                drop(kind, name, args.pg)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
