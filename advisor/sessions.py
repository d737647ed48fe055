"""Conversation memory: each session's turns in SQLite under the data directory.

A session is a CLI conversation or a Slack thread; its id is any string. Turns survive restarts, so
a follow-up asked tomorrow in the same thread still knows what "those" refers to. Every call opens
its own connection and closes it (SQLite connections are cheap; threads and processes share the
file safely in WAL mode).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS turns (
    session_id TEXT NOT NULL,
    ts REAL NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    refused INTEGER NOT NULL,
    query TEXT NOT NULL,
    sources TEXT NOT NULL,
    items TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS turns_session ON turns(session_id, ts);
"""
# Columns added after the first release, with their definitions: added to older files on open.
_ADDED = {"items": "TEXT NOT NULL DEFAULT '[]'"}
_COLUMNS = "question, answer, refused, query, sources, ts, items"


@dataclass
class Turn:
    question: str
    answer: str
    refused: bool
    query: str  # the standalone query of this turn (a follow-up's is the query it builds on)
    sources: list[str]
    ts: float
    items: list[str] = field(default_factory=list)  # the labels the answer displayed, in order


def new_session_id() -> str:
    return uuid.uuid4().hex[:12]


class SessionStore:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        with self._db() as db:
            db.execute("PRAGMA journal_mode=WAL")  # a property of the file: set once
            db.executescript(SCHEMA)
            present = {row[1] for row in db.execute("PRAGMA table_info(turns)")}
            for column, definition in _ADDED.items():
                if column not in present:
                    db.execute(f"ALTER TABLE turns ADD COLUMN {column} {definition}")

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        """One connection for one call: committed (or rolled back) and always closed."""
        with self._lock:
            db = sqlite3.connect(self.path, timeout=10)
            try:
                with db:
                    yield db
            finally:
                db.close()

    def history(self, session_id: str, limit: int = 6) -> list[Turn]:
        """The session's last ``limit`` turns, oldest first."""
        with self._db() as db:
            rows = db.execute(
                f"SELECT {_COLUMNS} FROM turns WHERE session_id=? ORDER BY ts DESC, rowid DESC LIMIT ?",
                (session_id, limit),
            ).fetchall()
        return [
            Turn(q, a, bool(r), qu, json.loads(s), ts, json.loads(items))
            for q, a, r, qu, s, ts, items in reversed(rows)
        ]

    def append(self, session_id: str, turn: Turn) -> None:
        with self._db() as db:
            db.execute(
                f"INSERT INTO turns (session_id, {_COLUMNS}) VALUES (?,?,?,?,?,?,?,?)",
                (
                    session_id,
                    turn.question,
                    turn.answer,
                    int(turn.refused),
                    turn.query,
                    json.dumps(turn.sources),
                    turn.ts or time.time(),
                    json.dumps(turn.items),
                ),
            )

    def last_session(self) -> str | None:
        with self._db() as db:
            row = db.execute("SELECT session_id FROM turns ORDER BY ts DESC, rowid DESC LIMIT 1").fetchone()
        return row[0] if row else None

    def sessions(self, limit: int = 20) -> list[tuple[str, int, float, str]]:
        """(session id, turns, last activity, first question) for the most recent sessions."""
        with self._db() as db:
            return db.execute(
                "SELECT session_id, COUNT(*), MAX(ts), (SELECT question FROM turns t2 WHERE "
                "t2.session_id=t.session_id ORDER BY ts, rowid LIMIT 1) FROM turns t GROUP BY session_id "
                "ORDER BY MAX(ts) DESC LIMIT ?",
                (limit,),
            ).fetchall()
