"""The shared backend: PostgreSQL through psycopg 3 and a psycopg_pool connection pool.

Imported only when ``ADVISOR_DATABASE_URL`` names PostgreSQL, so the embedded default never pays
for the driver. Migrations run on their own connection under ``pg_advisory_lock``: replicas that
start together queue on the lock, and each migration is applied once.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from advisor.storage.base import Database, DatabaseUnavailable, StorageError, redact
from advisor.storage.migrations import LEDGER, pending

log = logging.getLogger(__name__)

MIGRATION_LOCK = 0x616476_6D6967  # pg_advisory_lock key: "adv" "mig"


@functools.lru_cache(maxsize=256)
def _pg(sql: str) -> str:
    """``?`` placeholders as psycopg's ``%s`` (the shared SQL holds no literal ``?`` or ``%``)."""
    return sql.replace("?", "%s")


class _PostgresTx:
    def __init__(self, cursor: psycopg.Cursor) -> None:
        self._cursor = cursor
        self.rowcount = 0

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        self._cursor.execute(_pg(sql), tuple(params))
        self.rowcount = self._cursor.rowcount
        return self._cursor.fetchall() if self._cursor.description else []


class PostgresDatabase(Database):
    dialect = "postgres"

    def __init__(self, url: str, pool_size: int = 10, timeout: float = 10.0) -> None:
        self._url = url
        self.name = redact(url)
        self.timeout = timeout
        self._pool = ConnectionPool(
            url,
            min_size=1,
            max_size=max(1, pool_size),
            timeout=timeout,
            open=False,
            name="advisor",
            check=ConnectionPool.check_connection,  # a restarted server's dead connections are replaced
            kwargs={"connect_timeout": max(1, int(timeout))},
        )
        self._opened = False

    def _unavailable(self, exc: BaseException) -> DatabaseUnavailable:
        reason = redact(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__)
        return DatabaseUnavailable(
            f"cannot reach the database at {self.name} ({reason}); "
            "check ADVISOR_DATABASE_URL and that PostgreSQL is running"
        )

    def _connect(self) -> psycopg.Connection:
        try:
            return psycopg.connect(self._url, autocommit=True, connect_timeout=max(1, int(self.timeout)))
        except psycopg.Error as exc:
            raise self._unavailable(exc) from None

    @contextmanager
    def transaction(self, write: bool = True) -> Iterator[_PostgresTx]:
        if not self._opened:
            self._pool.open(wait=False)
            self._opened = True
        try:
            with self._pool.connection() as conn, conn.transaction(), conn.cursor() as cursor:
                yield _PostgresTx(cursor)
        except PoolTimeout as exc:
            raise self._unavailable(exc) from None
        except psycopg.OperationalError as exc:
            raise self._unavailable(exc) from None
        except psycopg.Error as exc:
            raise StorageError(
                f"the database at {self.name} refused a statement ({type(exc).__name__})"
            ) from exc

    def migrate(self) -> list[int]:
        with self._connect() as conn:
            conn.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK,))
            try:
                conn.execute(LEDGER)
                current = _applied(conn)
                done = []
                for migration in pending(current):
                    with conn.transaction(), conn.cursor() as cursor:
                        migration.apply(_PostgresTx(cursor), self.dialect)
                    done.append(migration.version)
                    log.info("database %s: applied migration %s", self.name, migration.version)
                return done
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK,))

    def version(self) -> int:
        with self._connect() as conn:
            exists = conn.execute("SELECT to_regclass('schema_migrations')").fetchone()
            return _applied(conn) if exists and exists[0] else 0

    def close(self) -> None:
        if self._opened:
            self._pool.close()
            self._opened = False


def _applied(conn: psycopg.Connection) -> int:
    row = conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").fetchone()
    return int(row[0]) if row else 0
