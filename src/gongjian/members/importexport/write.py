"""Writing an import: the batches written in order (on a second thread on PostgreSQL), the
rollback of an import with a bad row, SQLite's settings for the write phase."""

from __future__ import annotations

import contextvars
import queue
import threading
from collections.abc import Callable
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections

#: SQLite page cache during the import's write phase (KiB): index pages of a big ledger stay hot.
SQLITE_IMPORT_CACHE_KIB = 131_072


# --- import ---------------------------------------------------------------------------------


class _Writer:
    """Runs the import's writes, in order, on a second thread that shares the import's connection
    (and so its transaction), while the first thread checks the next rows with look-ups on a
    connection of its own. Used on PostgreSQL, where the server maintains the indexes in its own
    process and psycopg waits for it without the GIL; on SQLite the writes stay on the first thread
    (sqlite3 takes the GIL back after every row, which would stall both threads). Without a thread
    the work runs in place."""

    def __init__(self, threaded: bool) -> None:
        self.threaded = threaded
        self.failure: BaseException | None = None
        if not threaded:
            return
        self.alias = DEFAULT_DB_ALIAS
        self.conn = connections[self.alias]
        self.tasks: queue.Queue[tuple[Callable[..., Any], tuple[Any, ...]] | None] = queue.Queue(maxsize=2)
        self.conn.inc_thread_sharing()
        # in a copy of this thread's context: the figures' deferred refreshes are collected there
        context = contextvars.copy_context()
        self.thread = threading.Thread(
            target=context.run, args=(self._run,), daemon=True, name="ledger-import-write"
        )
        self.thread.start()

    def _run(self) -> None:
        connections[self.alias] = self.conn
        while True:
            task = self.tasks.get()
            if task is None:
                return
            if self.failure is None:
                fn, args = task
                try:
                    fn(*args)
                except BaseException as exc:  # handed to the first thread
                    self.failure = exc

    def later(self, fn: Callable[..., Any], *args: Any) -> None:
        if not self.threaded:
            fn(*args)
            return
        if self.failure is not None:
            raise self.failure
        self.tasks.put((fn, args))

    def finish(self) -> None:
        if not self.threaded:
            return
        self.tasks.put(None)
        self.thread.join()
        self.conn.dec_thread_sharing()
        if self.failure is not None:
            raise self.failure


class _Rollback(Exception):
    """Leave the import's transaction without writing anything."""


class _SqlitePragmas:
    """A bigger page cache on SQLite while the import writes; restored afterwards."""

    def __enter__(self) -> None:
        self.old: int | None = None
        if connection.vendor == "sqlite":
            with connection.cursor() as cur:
                cur.execute("PRAGMA cache_size")
                self.old = cur.fetchone()[0]
                cur.execute(f"PRAGMA cache_size = -{SQLITE_IMPORT_CACHE_KIB}")

    def __exit__(self, *exc: object) -> None:
        if self.old is not None:
            with connection.cursor() as cur:
                cur.execute(f"PRAGMA cache_size = {int(self.old)}")
