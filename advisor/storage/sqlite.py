"""The embedded backend: one SQLite file (WAL mode), a fresh connection per transaction.

Connections are cheap and never shared, so threads and processes on one machine use the file safely.
Writes start with ``BEGIN IMMEDIATE``: a writer waits for the file's write lock (up to ``timeout``)
instead of failing half-way, and migrations run under that same lock, so processes starting together
apply each migration once.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from advisor.storage.base import Database, DatabaseUnavailable
from advisor.storage.migrations import LEDGER, pending


class _SQLiteTx:
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        self.rowcount = 0

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        cursor = self._db.execute(sql, params)
        rows = cursor.fetchall()
        self.rowcount = cursor.rowcount
        return rows


class SQLiteDatabase(Database):
    dialect = "sqlite"

    def __init__(self, path: Path, timeout: float = 10.0) -> None:
        self.path = path
        self.name = str(path)
        self.timeout = timeout

    def _connect(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            return sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise DatabaseUnavailable(
                f"cannot open the database {self.path} ({exc}); check ADVISOR_DATA_DIR is writable"
            ) from None

    @contextmanager
    def transaction(self, write: bool = True) -> Iterator[_SQLiteTx]:
        db = self._connect()
        try:
            db.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield _SQLiteTx(db)
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        finally:
            db.close()

    def migrate(self) -> list[int]:
        db = self._connect()
        try:
            self._use_wal(db)
            db.execute("BEGIN IMMEDIATE")  # the migration lock: other processes wait here
            try:
                tx = _SQLiteTx(db)
                tx.execute(LEDGER)
                applied = [m.version for m in pending(_applied(tx))]
                for migration in pending(_applied(tx)):
                    migration.apply(tx, self.dialect, self.path)
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
            return applied
        finally:
            db.close()

    def _use_wal(self, db: sqlite3.Connection) -> None:
        """Switch the file to WAL (a property of the file: set once), waiting out other openers.

        Changing the journal mode needs the file to itself and SQLite does not always call its busy
        handler for it, so processes opening a new file together retry here until ``timeout``.
        """
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                    db.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as exc:
                if ("locked" not in str(exc) and "busy" not in str(exc)) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def version(self) -> int:
        with self.transaction(write=False) as tx:
            rows = tx.execute("SELECT name FROM sqlite_master WHERE name='schema_migrations'")
            return _applied(tx) if rows else 0


def _applied(tx: _SQLiteTx) -> int:
    return tx.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")[0][0]
