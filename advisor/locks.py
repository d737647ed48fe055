"""The ingest lock: one writer per collection, on this machine and across machines sharing a store.

- Always: a file lock under the data directory (one writer at a time on this machine).
- With ``ADVISOR_DATABASE_URL``: also a PostgreSQL advisory lock (session-level, so it goes with the
  connection if the writer dies). ``psycopg`` is imported only then.
- Else with ``ADVISOR_CHROMA_URL``: also a lease record in the Chroma server
  (``VectorStore.claim_lease``): inserted only if absent, renewed by a heartbeat thread, expiring
  ``LEASE_TTL`` seconds after the last renewal, so a crashed writer's lease lapses. Chroma has no
  transactions: claiming relies on ``add`` keeping an existing id and on a conditional delete of an
  expired record, which the single server applies one at a time. Expiry compares wall clocks:
  machines sharing a server need clocks within a few seconds of each other.

Every build records its writer's lease owner (``VectorStore.new_build``); leftover-build cleanup
removes only builds whose writer no longer holds a live lease (advisor/ingest.py).
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from advisor.errors import IngestLockedError

log = logging.getLogger(__name__)

LEASE_TTL = 60.0  # seconds a lease lives after its last renewal
POLL = 0.5  # seconds between attempts while waiting


class Lease:
    """The writer's identity while it holds the ingest lock; ``check`` fails once it lost it."""

    def __init__(self, owner: str) -> None:
        self.owner = owner
        self.lost = threading.Event()

    def check(self) -> None:
        if self.lost.is_set():
            raise IngestLockedError(
                "this ingest lost its lease on the shared store (stalled for longer than "
                f"{LEASE_TTL:.0f} s?); its build was not made live"
            )

    def holds_build(self, writer: str) -> bool:
        """Whether a build's recorded writer may still be writing: only ourselves, while we hold the
        lock (any other writer of this collection lost or never had the lease)."""
        return writer == self.owner


@contextmanager
def ingest_lock(
    data_dir: Path, collection: str, wait: float = 0.0, store: Any = None, database_url: str | None = None
) -> Iterator[Lease]:
    """Hold the collection's ingest lock for the block; ``store`` (a VectorStore on a Chroma server)
    or ``database_url`` make it hold across machines too. Raises IngestLockedError when busy."""
    lease = Lease(f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}")
    deadline = time.monotonic() + wait
    with ExitStack() as stack:
        stack.enter_context(_file_lock(data_dir, collection, wait))
        if database_url:
            stack.enter_context(_pg_lock(database_url, collection, deadline))
        elif store is not None and getattr(store.settings, "chroma_url", None):
            stack.enter_context(_chroma_lease(store, collection, lease, deadline))
        yield lease


@contextmanager
def _file_lock(data_dir: Path, collection: str, wait: float) -> Iterator[None]:
    lock_dir = data_dir / "locks"
    lock_dir.mkdir(parents=True, exist_ok=True)
    path = lock_dir / f"ingest-{collection}.lock"
    lock = FileLock(str(path))
    try:
        lock.acquire(timeout=wait)
    except Timeout:
        raise _busy(collection, _holder(path)) from None
    try:
        (lock_dir / f"ingest-{collection}.pid").write_text(str(os.getpid()))
        yield
    finally:
        (lock_dir / f"ingest-{collection}.pid").unlink(missing_ok=True)
        lock.release()


def _busy(collection: str, holder: str) -> IngestLockedError:
    return IngestLockedError(
        f"another ingest of collection {collection!r} is running{holder}; wait for it to finish, "
        "or pass --wait SECONDS to queue behind it"
    )


def _holder(path: Path) -> str:
    try:
        return f" (pid {path.with_suffix('.pid').read_text().strip()})"
    except OSError:
        return ""


# --- across machines: PostgreSQL --------------------------------------------------------------------


def _pg_key(collection: str) -> int:
    digest = hashlib.sha256(f"advisor-ingest:{collection}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextmanager
def _pg_lock(url: str, collection: str, deadline: float) -> Iterator[None]:
    try:
        import psycopg
    except ImportError:
        from advisor.errors import ConfigError

        raise ConfigError("ADVISOR_DATABASE_URL is set but psycopg is not installed") from None
    key = _pg_key(collection)
    with psycopg.connect(url, autocommit=True) as conn:
        while True:
            row = conn.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()
            if row and row[0]:
                break
            if time.monotonic() >= deadline:
                raise _busy(collection, " (on another machine: PostgreSQL advisory lock)")
            time.sleep(POLL)
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (key,))


# --- across machines: a lease in the Chroma server ---------------------------------------------------


def lease_key(collection: str) -> str:
    return f"ingest:{collection}"


def _record(lease: Lease) -> dict:
    return {"owner": lease.owner, "expires": time.time() + LEASE_TTL, "host": socket.gethostname()}


@contextmanager
def _chroma_lease(store: Any, collection: str, lease: Lease, deadline: float) -> Iterator[None]:
    key = lease_key(collection)
    while not store.claim_lease(key, _record(lease)):
        held = store.lease(key)
        if held is not None and float(held.get("expires", 0)) < time.time():
            log.warning(
                "ingest lease of %s held by %s expired; taking it over", collection, held.get("owner")
            )
            store.drop_lease(key, str(held.get("owner")))
            continue
        if time.monotonic() >= deadline:
            who = f" (lease held by {held.get('owner')})" if held else ""
            raise _busy(collection, who)
        time.sleep(POLL)
    stop = threading.Event()
    beat = threading.Thread(target=_heartbeat, args=(store, key, lease, stop), daemon=True)
    beat.start()
    try:
        yield
    finally:
        stop.set()
        beat.join(timeout=10)
        try:
            store.drop_lease(key, lease.owner)
        except Exception as exc:  # the server went away: the lease expires by itself
            log.warning("could not release the ingest lease of %s: %s", collection, exc)


def _heartbeat(store: Any, key: str, lease: Lease, stop: threading.Event) -> None:
    while not stop.wait(LEASE_TTL / 4):
        try:
            if not store.renew_lease(key, _record(lease)):
                lease.lost.set()
                return
        except Exception as exc:  # a transient server error: try again next beat
            log.warning("renewing the ingest lease failed: %s", exc)
