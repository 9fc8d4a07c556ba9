"""Benchmark: the daily pages of a large city beside the same pages of the demo (issue 17).

Two PostgreSQL databases, measured side by side in one run: the synthetic city (``gongjian synth
--scale city``, with ``--members`` members: the full map of 61,991 areas, 40,000 organisations and
20,000 units) and the Changsha demo (``gongjian demo``). A database that already holds members is
reused (a city load takes longer than the benchmark); ``--load`` (re)builds both first. After a
load the loaders run ``ANALYZE`` themselves.

For each database a child process signs in a city administrator (the root), a district
administrator (the district where the most members live) and a community administrator (the
community of that district where the most members live), with Django's test client in the process (no network), and
asks each page ``--runs`` times after one warm-up: the root ledger (page 1, page 500, a search by
name and by pinyin initials), a district ledger, the API ``members/`` (within the root; the
community administrator's own), the community administrator's member list, the rows of
``members.direct`` at the root, the map at the root, a district and a community, a member's page
and the dashboards. Then ``--clients`` threads (a mix of the three roles, each its own client and
database connection) ask random pages of their role for ``--seconds`` seconds: errors, median, p95.

It prints a table of milliseconds (median and p95 on each database) and the ratio city ÷ demo.
Never a timed test: run it by hand.

    .venv/bin/python bench/bench_pages.py --members 200000            # reuses loaded databases
    .venv/bin/python bench/bench_pages.py --load --members 200000     # loads both first (≈ 15 min)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PG = "postgres://postgres@127.0.0.1:5432/"


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def _gongjian(url: str, *args: str) -> None:
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run([str(ROOT / ".venv/bin/gongjian"), *args], env=env, check=True)


def _load(url: str, kind: str, members: int) -> None:
    name = url.rsplit("/", 1)[1]
    subprocess.run(["psql", PG + "postgres", "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True)
    subprocess.run(["psql", PG + "postgres", "-qc", f"CREATE DATABASE {name}"], check=True)
    _gongjian(url, "migrate", "-v0")
    if kind == "city":
        _gongjian(url, "synth", "--scale", "city", "--members", str(members))
    else:
        _gongjian(url, "demo")


# --- the child: one database ------------------------------------------------------------------


def _setup_users() -> dict[str, Any]:
    from gongjian.accounts.models import Role, RoleKind, User
    from gongjian.members.models import Member
    from gongjian.orgs.models import Area, Level

    root = Area.objects.get_root_nodes().first()
    assert root is not None, "an empty database"
    # the district and, in it, the community where the most members live (busy nodes, not empty ones)
    district = max(
        Area.objects.filter(path__startswith=root.path, depth=root.depth + 1).order_by("path"),
        key=lambda d: Member.objects.filter(residence__path__startswith=d.path).count(),
    )
    communities = Area.objects.filter(path__startswith=district.path, level=Level.COMMUNITY).order_by("path")
    community = max(
        communities[:200], key=lambda c: Member.objects.filter(residence__path__startswith=c.path).count()
    )
    users = {}
    for role, area, kind in (
        ("city", root, RoleKind.CITY_ADMIN),
        ("district", district, RoleKind.DISTRICT_ADMIN),
        ("community", community, RoleKind.COMMUNITY_ADMIN),
    ):
        user, _ = User.objects.get_or_create(username=f"bench-{role}")
        Role.objects.get_or_create(user=user, kind=kind, area=area)
        users[role] = user
    member = Member.objects.filter(residence__path__startswith=community.path).order_by("pk").first()
    assert member is not None, "no member in the community"
    # the cursor the "Next" link of page 499 of the root's ledger carries (the last row of page 499;
    # on a ledger shorter than that, the row before its last page)
    from gongjian.members import selectors
    from gongjian.members.models import Category

    ledger = selectors.member_list(actor=users["city"], within=root, category=Category.DIRECT)
    ids = ledger.values_list("pk", flat=True)
    n = ledger.order_by().count()
    deep = ids[max(0, min(499 * 50, n - 50) - 1)]
    return {
        "users": users,
        "root": root,
        "district": district,
        "community": community,
        "member": member,
        "deep": deep,
    }


def _pages(w: dict[str, Any]) -> list[tuple[str, str, str]]:
    root, district, community, member = w["root"], w["district"], w["community"], w["member"]
    return [
        ("city", "ledger at the root, page 1", f"/ledgers/area/{root.pk}/"),
        (
            "city",
            "ledger at the root, page 500 (cursor)",
            f"/ledgers/area/{root.pk}/?page=500&after={w['deep']}",
        ),
        ("city", "search at the root, 李娜", f"/ledgers/area/{root.pk}/?q=李娜"),
        ("city", "search at the root, lnx", f"/ledgers/area/{root.pk}/?q=lnx"),
        ("city", "ledger at a district", f"/ledgers/area/{district.pk}/"),
        ("city", "API members/?within=root", f"/api/v1/members/?within={root.pk}"),
        ("city", "rows of members.direct at the root", f"/stats/{root.code}/members.direct/"),
        ("city", "map at the root", f"/map/area/{root.pk}/"),
        ("city", "map at a district", f"/map/area/{district.pk}/"),
        ("city", "map at a community", f"/map/area/{community.pk}/"),
        ("city", "dashboard at the root", f"/stats/{root.code}/"),
        ("district", "ledger at the district", f"/ledgers/area/{district.pk}/"),
        ("district", "API members/", "/api/v1/members/"),
        ("district", "map at the district", f"/map/area/{district.pk}/"),
        ("district", "dashboard at the district", f"/stats/{district.code}/"),
        ("community", "member list /ledgers/members/", "/ledgers/members/"),
        ("community", "API members/", "/api/v1/members/"),
        ("community", "ledger at the community", f"/ledgers/area/{community.pk}/"),
        ("community", "map at the community", f"/map/area/{community.pk}/"),
        ("community", "a member's page", f"/ledgers/members/{member.pk}/"),
        ("community", "dashboard at the community", f"/stats/{community.code}/"),
    ]


def _child(runs: int, clients: int, seconds: float) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongjian.settings")
    import django

    django.setup()
    from django.db import close_old_connections
    from django.test import Client

    from gongjian.members.models import Member

    w = _setup_users()
    pages = _pages(w)
    browsers = {}
    for role, user in w["users"].items():
        browsers[role] = Client()
        browsers[role].force_login(user)
    result: dict[str, Any] = {"members": Member.objects.count(), "pages": {}}
    for role, label, url in pages:
        client = browsers[role]
        first = client.get(url)
        assert first.status_code == 200, (role, url, first.status_code)
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, (role, url, response.status_code)
        result["pages"][f"{role}: {label}"] = {
            "median": statistics.median(times),
            "p95": _pct(times, 0.95),
        }
    if clients:
        result["load"] = _load_test(w, pages, clients, seconds, Client, close_old_connections)
    return result


def _load_test(
    w: dict[str, Any],
    pages: list[tuple[str, str, str]],
    clients: int,
    seconds: float,
    client_cls: Any,
    close: Any,
) -> dict[str, Any]:
    roles = list(w["users"])
    times: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def run(i: int) -> None:
        role = roles[i % len(roles)]
        client = client_cls()
        client.force_login(w["users"][role])
        own = [url for r, _label, url in pages if r == role]
        rng = random.Random(i)
        while time.perf_counter() < deadline:
            url = rng.choice(own)
            t0 = time.perf_counter()
            try:
                status = client.get(url).status_code
            except Exception as exc:  # counted as an error
                status = 0
                with lock:
                    errors.append(f"{url}: {type(exc).__name__}")
            elapsed = (time.perf_counter() - t0) * 1000
            with lock:
                times.append(elapsed)
                if status != 200:
                    errors.append(f"{url}: {status}")
        close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {
        "requests": len(times),
        "errors": len(errors),
        "first_errors": errors[:5],
        "median": statistics.median(times) if times else 0,
        "p95": _pct(times, 0.95) if times else 0,
    }


# --- the parent -------------------------------------------------------------------------------


def _measure(url: str, args: argparse.Namespace, clients: int) -> dict[str, Any]:
    env = {**os.environ, "DATABASE_URL": url}
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            "--runs",
            str(args.runs),
            "--clients",
            str(clients),
            "--seconds",
            str(args.seconds),
        ],
        env=env,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--city-db", default=PG + "gj_bench_city")
    parser.add_argument("--demo-db", default=PG + "gj_bench_demo")
    parser.add_argument("--members", type=int, default=200_000, help="members of the city (with --load)")
    parser.add_argument("--load", action="store_true", help="(re)build both databases first")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(args.runs, args.clients, args.seconds)))
        return
    if args.load:
        _load(args.city_db, "city", args.members)
        _load(args.demo_db, "demo", 0)
    city = _measure(args.city_db, args, args.clients)
    demo = _measure(args.demo_db, args, 0)
    print(
        f"PostgreSQL; city: {city['members']:,} members; demo: {demo['members']:,} members; {args.runs} runs a page\n"
    )
    print("| page (role: page) | city median / p95 (ms) | demo median / p95 (ms) | city ÷ demo (median) |")
    print("|---|---:|---:|---:|")
    worst = 0.0
    for key, c in city["pages"].items():
        d = demo["pages"][key]
        ratio = c["median"] / d["median"] if d["median"] else float("inf")
        worst = max(worst, ratio)
        print(
            f"| {key} | {c['median']:.0f} / {c['p95']:.0f} | {d['median']:.0f} / {d['p95']:.0f} | {ratio:.2f}× |"
        )
    slowest = max(c["median"] for c in city["pages"].values())
    print(f"\nworst ratio {worst:.2f}× (goal ≤ 1.5×); slowest city median {slowest:.0f} ms (goal ≤ 200 ms)")
    if "load" in city:
        load = city["load"]
        print(
            f"{args.clients} concurrent clients on the city for {args.seconds:.0f} s (threads, Django's test "
            f"client): {load['requests']} requests, {load['errors']} errors, median {load['median']:.0f} ms, "
            f"p95 {load['p95']:.0f} ms (goal: no errors, p95 ≤ 500 ms)"
        )
        for line in load["first_errors"]:
            print("  error:", line)


if __name__ == "__main__":
    main()
