"""Conversation memory: each session's turns in SQLite under the data directory.

A session is a CLI conversation or a Slack thread; its id is any string. Turns survive restarts, so
a follow-up asked tomorrow in the same thread still knows what "those" refers to.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
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


@dataclass
class Turn:
    question: str
    answer: str
    refused: bool
    query: str  # the standalone query this turn was retrieved with
    sources: list[str]
    ts: float
    items: list[str] = field(default_factory=list)  # labels the answer displayed, in order


def new_session_id() -> str:
    return uuid.uuid4().hex[:12]


class SessionStore:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        with self._connect() as db:
            db.executescript(SCHEMA)
            columns = {row[1] for row in db.execute("PRAGMA table_info(turns)")}
            if "items" not in columns:  # a store written before answers recorded their items
                db.execute("ALTER TABLE turns ADD COLUMN items TEXT NOT NULL DEFAULT '[]'")

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=10)
        db.execute("PRAGMA journal_mode=WAL")
        return db

    def history(self, session_id: str, limit: int = 6) -> list[Turn]:
        with self._lock, self._connect() as db:
            rows = db.execute(
                "SELECT question, answer, refused, query, sources, ts, items FROM turns WHERE session_id=? "
                "ORDER BY ts DESC LIMIT ?",
                (session_id, limit),
            ).fetchall()
        return [
            Turn(q, a, bool(r), qu, json.loads(s), ts, json.loads(i))
            for q, a, r, qu, s, ts, i in reversed(rows)
        ]

    def append(self, session_id: str, turn: Turn) -> None:
        with self._lock, self._connect() as db:
            db.execute(
                "INSERT INTO turns VALUES (?,?,?,?,?,?,?,?)",
                (
                    session_id,
                    turn.ts or time.time(),
                    turn.question,
                    turn.answer,
                    int(turn.refused),
                    turn.query,
                    json.dumps(turn.sources),
                    json.dumps(turn.items),
                ),
            )

    def last_session(self) -> str | None:
        with self._lock, self._connect() as db:
            row = db.execute("SELECT session_id FROM turns ORDER BY ts DESC LIMIT 1").fetchone()
        return row[0] if row else None

    def sessions(self, limit: int = 20) -> list[tuple[str, int, float, str]]:
        """(session id, turns, last activity, first question) for the most recent sessions."""
        with self._lock, self._connect() as db:
            return db.execute(
                "SELECT session_id, COUNT(*), MAX(ts), (SELECT question FROM turns t2 WHERE "
                "t2.session_id=t.session_id ORDER BY ts LIMIT 1) FROM turns t GROUP BY session_id "
                "ORDER BY MAX(ts) DESC LIMIT ?",
                (limit,),
            ).fetchall()
