"""Conversation memory: each session's turns, kept in the advisor's database (:mod:`advisor.storage`).

A session is a CLI conversation or a Slack thread; its id is any string, scoped by ``team`` (the
Slack workspace; ``""`` for the CLI and single-workspace bots). Turns survive restarts and are shared
by every replica on the same database, so a follow-up asked tomorrow, or on another replica, in the
same thread still knows what "those" refers to.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from advisor.storage import Database, open_database, sqlite_database

if TYPE_CHECKING:  # pragma: no cover
    from advisor.config import Settings

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
    user: str = ""  # who asked, when the caller knows (``advisor db forget --user`` finds it)


def new_session_id() -> str:
    return uuid.uuid4().hex[:12]


class SessionStore:
    """Turns per (team, session). ``db`` is a Database, or the path of a SQLite file."""

    def __init__(self, db: Database | Path) -> None:
        self.db = sqlite_database(db) if isinstance(db, Path) else db
        self.path = db if isinstance(db, Path) else None

    @classmethod
    def from_settings(cls, settings: Settings) -> SessionStore:
        return cls(open_database(settings))

    @property
    def _order(self) -> str:  # the insertion order of turns written in the same instant
        return "rowid" if self.db.dialect == "sqlite" else "id"

    def history(self, session_id: str, limit: int = 6, team: str = "") -> list[Turn]:
        """The session's last ``limit`` turns, oldest first."""
        rows = self.db.query(
            f"SELECT {_COLUMNS}, user_id FROM turns WHERE team=? AND session_id=? "
            f"ORDER BY ts DESC, {self._order} DESC LIMIT ?",
            (team, session_id, limit),
        )
        return [
            Turn(q, a, bool(r), qu, json.loads(s), ts, json.loads(items), user)
            for q, a, r, qu, s, ts, items, user in reversed(rows)
        ]

    def append(self, session_id: str, turn: Turn, team: str = "") -> None:
        self.db.run(
            f"INSERT INTO turns (team, session_id, user_id, {_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (
                team,
                session_id,
                turn.user,
                turn.question,
                turn.answer,
                int(turn.refused),
                turn.query,
                json.dumps(turn.sources),
                turn.ts or time.time(),
                json.dumps(turn.items),
            ),
        )

    def last_session(self, team: str = "") -> str | None:
        rows = self.db.query(
            f"SELECT session_id FROM turns WHERE team=? ORDER BY ts DESC, {self._order} DESC LIMIT 1", (team,)
        )
        return rows[0][0] if rows else None

    def sessions(self, limit: int = 20, team: str = "") -> list[tuple[str, int, float, str]]:
        """(session id, turns, last activity, first question) for the most recent sessions."""
        return self.db.query(
            "SELECT session_id, COUNT(*), MAX(ts), (SELECT question FROM turns t2 WHERE t2.team=t.team AND "
            f"t2.session_id=t.session_id ORDER BY ts, {self._order} LIMIT 1) FROM turns t WHERE team=? "
            "GROUP BY team, session_id ORDER BY MAX(ts) DESC LIMIT ?",
            (team, limit),
        )
