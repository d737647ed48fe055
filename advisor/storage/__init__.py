"""Where the advisor keeps what it remembers: conversations, answer records, votes, claims, rate windows.

    db = open_database(settings)          # SQLite under ADVISOR_DATA_DIR, or ADVISOR_DATABASE_URL
    SessionStore(db), FeedbackStore(db)   # the stores take the database they live in

By default everything lives in one SQLite file, ``<ADVISOR_DATA_DIR>/advisor.sqlite3``: nothing to set
up. ``ADVISOR_DATABASE_URL=postgresql://...`` moves all of it to PostgreSQL, which several replicas
share (the driver, psycopg, is imported only then). Opening a database brings its schema up to date
(:mod:`advisor.storage.migrations`); ``advisor db migrate`` does the same on demand.

The generic primitives that several replicas need are here too, free of any chat vocabulary:
:class:`Claims` (insert-if-absent with expiry: "was this already taken?") and :class:`Windows`
(fixed-window counters: "how many this minute?"). Retention lives in :mod:`advisor.storage.retention`.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from advisor.errors import ConfigError
from advisor.storage.base import Database, DatabaseUnavailable, StorageError, redact
from advisor.storage.claims import Claims
from advisor.storage.sqlite import SQLiteDatabase
from advisor.storage.windows import Windows

if TYPE_CHECKING:  # pragma: no cover
    from advisor.config import Settings

SQLITE_FILE = "advisor.sqlite3"
POSTGRES_SCHEMES = ("postgresql://", "postgres://", "postgresql+psycopg://")

_shared: dict[str, Database] = {}
_shared_lock = threading.Lock()


def sqlite_database(path: Path, migrate: bool = True) -> SQLiteDatabase:
    """The SQLite database in file ``path`` (or ``<path>/advisor.sqlite3`` for a directory)."""
    if path.is_dir():
        path = path / SQLITE_FILE
    db = SQLiteDatabase(path)
    if migrate:
        db.migrate()
    return db


def open_database(settings: Settings, migrate: bool = True) -> Database:
    """The configured database, its schema up to date. A PostgreSQL pool is shared per process.

    With ``ADVISOR_RETENTION_DAYS`` set, a background thread prunes older rows now and every few hours.
    """
    db = _open(settings, migrate)
    if migrate and settings.retention_days:
        from advisor.storage.retention import keep_pruning

        keep_pruning(db, settings.retention_days)
    return db


def _open(settings: Settings, migrate: bool) -> Database:
    url = settings.database_url.get_secret_value() if settings.database_url else ""
    if not url:
        return sqlite_database(settings.data_dir / SQLITE_FILE, migrate=migrate)
    if url.startswith("sqlite:///"):
        return sqlite_database(Path(url.removeprefix("sqlite:///")).expanduser(), migrate=migrate)
    if not url.startswith(POSTGRES_SCHEMES):
        raise ConfigError(
            f"ADVISOR_DATABASE_URL must start with postgresql:// (or sqlite:///PATH), not {redact(url)!r}"
        )
    with _shared_lock:
        db = _shared.get(url)
        if db is None:
            db = _postgres(url.replace("postgresql+psycopg://", "postgresql://", 1), settings.database_pool)
            if migrate:
                db.migrate()
            _shared[url] = db
        return db


def _postgres(url: str, pool_size: int) -> Database:
    try:
        from advisor.storage.postgres import PostgresDatabase
    except ImportError:
        raise ConfigError(
            "ADVISOR_DATABASE_URL names PostgreSQL, which needs: pip install 'alliance-advisor[postgres]'"
        ) from None
    return PostgresDatabase(url, pool_size=pool_size)


def close_shared() -> None:
    """Close every shared pool (tests; a process exiting needs nothing)."""
    with _shared_lock:
        for db in _shared.values():
            db.close()
        _shared.clear()


__all__ = [
    "SQLITE_FILE",
    "Claims",
    "Database",
    "DatabaseUnavailable",
    "SQLiteDatabase",
    "StorageError",
    "Windows",
    "close_shared",
    "open_database",
    "redact",
    "sqlite_database",
]
