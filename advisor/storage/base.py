"""The one boundary that talks SQL: a ``Database`` runs short transactions in either dialect.

Stores write their SQL once, with ``?`` placeholders and the subset both SQLite and PostgreSQL
accept (``INSERT ... ON CONFLICT``, ``RETURNING``); the PostgreSQL backend rewrites the placeholders.
Where the dialects differ (an auto-increment key, the schema itself) the migrations hold one script
per dialect (:mod:`advisor.storage.migrations`).

    StorageError            (an AdvisorError)
    └── DatabaseUnavailable the database cannot be reached or opened: says what to check
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

from advisor.errors import AdvisorError

_PASSWORD = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)(?P<user>[^:@/]*):[^@/]*@", re.IGNORECASE)
_QUERY_SECRET = re.compile(r"(?i)\b(password|sslpassword|passfile)=[^&\s]*")


class StorageError(AdvisorError):
    """The conversation/feedback database failed."""


class DatabaseUnavailable(StorageError):
    """The database cannot be reached or opened; the message names it (redacted) and what to do."""


def redact(url: str) -> str:
    """``url`` with any password masked: ``postgresql://bot:****@db:5432/advisor``."""
    masked = _PASSWORD.sub(lambda m: f"{m['scheme']}{m['user']}:****@", url)
    return _QUERY_SECRET.sub(lambda m: f"{m[1]}=****", masked)


class Tx(Protocol):
    """One open transaction: ``execute`` returns the rows (``[]`` for statements without any)."""

    rowcount: int

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]: ...


class Database(ABC):
    """A place to keep the advisor's shared state, with a versioned schema.

    ``dialect`` is ``"sqlite"`` or ``"postgres"``; ``name`` is a log-safe description (a path, or a
    URL with its password masked).
    """

    dialect: str
    name: str

    @abstractmethod
    def transaction(self, write: bool = True) -> AbstractContextManager[Tx]:
        """A transaction, committed when the block ends (rolled back on an exception)."""

    @abstractmethod
    def migrate(self) -> list[int]:
        """Bring the schema up to date under a lock; return the versions applied now (oldest first)."""

    @abstractmethod
    def version(self) -> int:
        """The newest schema version applied (0 for an empty database)."""

    def close(self) -> None:  # noqa: B027 - SQLite holds nothing open between calls
        """Release pooled connections."""

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        """Run one read in its own transaction."""
        with self.transaction(write=False) as tx:
            return tx.execute(sql, params)

    def run(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one write in its own transaction; return the number of rows it touched."""
        with self.transaction() as tx:
            tx.execute(sql, params)
            return tx.rowcount

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"


def statements(script: str) -> Iterator[str]:
    """The statements of a migration script (they never contain ';' inside a literal)."""
    for statement in script.split(";"):
        if statement.strip():
            yield statement.strip()
