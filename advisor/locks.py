"""A per-collection ingest lock under the data directory (one writer at a time on this machine)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from advisor.errors import IngestLockedError


@contextmanager
def ingest_lock(data_dir: Path, collection: str, wait: float = 0.0) -> Iterator[None]:
    lock_dir = data_dir / "locks"
    lock_dir.mkdir(parents=True, exist_ok=True)
    path = lock_dir / f"ingest-{collection}.lock"
    lock = FileLock(str(path))
    try:
        lock.acquire(timeout=wait)
    except Timeout:
        holder = _holder(path)
        raise IngestLockedError(
            f"another ingest of collection {collection!r} is running{holder}; wait for it to finish, "
            "or pass --wait SECONDS to queue behind it"
        ) from None
    try:
        (lock_dir / f"ingest-{collection}.pid").write_text(str(os.getpid()))
        yield
    finally:
        (lock_dir / f"ingest-{collection}.pid").unlink(missing_ok=True)
        lock.release()


def _holder(path: Path) -> str:
    try:
        return f" (pid {path.with_suffix('.pid').read_text().strip()})"
    except OSError:
        return ""
