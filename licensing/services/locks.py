"""Sweep locks: one run of a sweep at a time, however many beat and worker instances there are.

Why not a Redis lock (``cache.add`` with a timeout)? Because a lock with a timeout has to guess
how long the holder needs: too short and a slow sweep runs twice at once, too long and a worker
killed mid-sweep blocks the next run until the key expires. Kyoka takes locks that die with their
holder instead:

* **PostgreSQL**: a session-level advisory lock (``pg_try_advisory_lock``) on the sweep's
  connection. The server releases it the moment that connection goes away, so a killed worker
  never leaves a stale lock, and the next beat tick simply runs the sweep again.
* **SQLite (the embedded stack)**: ``flock()`` on a file under ``KYOKA_LOCK_DIR``. The kernel
  releases it when the holding process dies. SQLite means one machine, so a file lock covers
  every process that can reach the database. (The embedded file cache would not do: its ``add``
  is a check-then-write, not atomic.)

Both are non-blocking: a sweep that finds its lock taken skips this run (the holder is doing the
work), it never queues up behind it.
"""

import fcntl
import hashlib
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.transaction import TransactionManagementError

logger = logging.getLogger(__name__)


def advisory_key(name: str) -> int:
    """A stable signed 64-bit key for ``pg_try_advisory_lock`` (Python's hash() is salted)."""
    digest = hashlib.blake2b(f"kyoka.sweep:{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@contextmanager
def sweep_lock(name: str, *, using: str = DEFAULT_DB_ALIAS) -> Iterator[bool]:
    """Try to take the lock named ``name``; yields True if this process holds it, else False."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with _advisory_lock(connection, name) as acquired:
            yield acquired
    else:
        with _file_lock(name) as acquired:
            yield acquired


@contextmanager
def _advisory_lock(connection, name: str) -> Iterator[bool]:  # type: ignore[no-untyped-def]
    key = advisory_key(name)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        acquired = bool(cursor.fetchone()[0])
    try:
        yield acquired
    finally:
        if acquired:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
            except (DatabaseError, TransactionManagementError):
                # The connection broke or sits in an aborted transaction. Closing the session
                # releases the lock with it (a session-level lock survives a rollback).
                logger.warning("Could not release sweep lock %r explicitly; closing the connection.", name)
                if not connection.in_atomic_block:
                    connection.close()


@contextmanager
def _file_lock(name: str) -> Iterator[bool]:
    lock_dir = Path(settings.KYOKA_LOCK_DIR)
    lock_dir.mkdir(parents=True, exist_ok=True)
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
    fd = os.open(lock_dir / f"{safe}.lock", os.O_CREAT | os.O_RDWR, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
