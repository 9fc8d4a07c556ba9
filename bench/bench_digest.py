"""Benchmark: the daily digest (``gongjian.core.notify.digest_send``) for N people, side by side
with ten times as many (by default 4,000 and 40,000: the Decidim lesson, a digest run must not
flood the queue nor build one giant list).

For each size a child process makes a fresh SQLite database (migrated), N active users with an
e-mail address who chose the digest, and ``--per`` waiting notifications each (plus, for one person
in ten, more than the cap, so "and N more" is exercised); then it runs the digest once timed, with
the queries counted, and once more (the same rows put back as due) under ``tracemalloc`` for the
peak of Python memory. E-mail goes to Django's dummy backend (nothing kept in memory). The parent
prints seconds, queries, messages and peak MiB per size, and the ratios of the larger to the
smaller: linear time shows as a ratio near the ratio of the sizes, flat memory as one near 1.

    .venv/bin/python bench/bench_digest.py                  # 4,000 and 40,000
    .venv/bin/python bench/bench_digest.py --people 1000 --factor 4
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


def child(people: int, per: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)
    from gongjian.accounts.models import User
    from gongjian.core import notify
    from gongjian.core.models import Notification, NotificationPreference

    batch = 5000
    for start in range(0, people, batch):
        User.objects.bulk_create(
            [
                User(username=f"u{i}", email=f"u{i}@example.org", password="!")
                for i in range(start, min(people, start + batch))
            ]
        )
    ids = list(User.objects.order_by("pk").values_list("pk", flat=True))
    NotificationPreference.objects.bulk_create(
        [NotificationPreference(user_id=pk, topic="claim.accept", mode="digest") for pk in ids],
        batch_size=batch,
    )
    rows: list[Notification] = []
    total = 0
    for n, pk in enumerate(ids):
        count = notify.DIGEST_CAP + 5 if n % 10 == 0 else per
        rows += [
            Notification(
                recipient_id=pk,
                kind="claim.accept",
                title=f"认领已接受：需求 {k}",
                url="/lists/claims/1/",
                digest=True,
            )
            for k in range(count)
        ]
        if len(rows) >= batch:
            Notification.objects.bulk_create(rows)
            total += len(rows)
            rows = []
    Notification.objects.bulk_create(rows)
    total += len(rows)

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        sent = notify.digest_send()
        seconds = time.perf_counter() - started
    Notification.objects.update(digested_at=None)
    tracemalloc.start()
    notify.digest_send()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "people": people,
        "notifications": total,
        "messages": sent,
        "seconds": seconds,
        "queries": len(queries),
        "peak_mib": peak / 2**20,
    }


def run_child(people: int, per: int, folder: Path) -> dict[str, Any]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": f"sqlite:///{folder / f'digest-{people}.sqlite3'}",
            "DJANGO_SETTINGS_MODULE": "gongjian.settings",
            "GONGJIAN_EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        }
    )
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(people), "--per", str(per)],
        env=env,
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=4000)
    parser.add_argument("--factor", type=int, default=10)
    parser.add_argument("--per", type=int, default=3, help="waiting notifications a person")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.per)))
        return
    with tempfile.TemporaryDirectory(prefix="bench-digest-") as tmp:
        small = run_child(args.people, args.per, Path(tmp))
        large = run_child(args.people * args.factor, args.per, Path(tmp))
    keys = ["people", "notifications", "messages", "seconds", "queries", "peak_mib"]
    print(f"{'':>14} {'small':>12} {'large':>12} {'ratio':>8}")
    for key in keys:
        a, b = small[key], large[key]
        ratio = b / a if a else float("nan")
        fmt = "{:>12.2f}" if isinstance(a, float) else "{:>12,}"
        print(f"{key:>14} {fmt.format(a)} {fmt.format(b)} {ratio:>8.2f}")


if __name__ == "__main__":
    main()
