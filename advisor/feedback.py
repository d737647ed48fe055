"""Thumbs up/down on answers, kept in the advisor's database and exportable for the evals.

Each vote records when, where (an opaque place id such as a Slack channel and thread), who (an
opaque user id, scoped by ``team``, the workspace), the question, the answer, the cited source ids
and the vote ("up" or "down"). Votes clicked on any replica sharing the database are seen by all.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from advisor.storage import Database, open_database, sqlite_database

if TYPE_CHECKING:  # pragma: no cover
    from advisor.config import Settings

_COLUMNS = "vote, question, answer, source_ids, session_id, place, user_id, engine, ts, team"


@dataclass
class Feedback:
    vote: str  # "up" | "down"
    question: str
    answer: str
    source_ids: list[str] = field(default_factory=list)
    session_id: str = ""
    place: str = ""
    user: str = ""
    engine: str = ""
    ts: float = 0.0
    team: str = ""


class FeedbackStore:
    """Votes in ``db`` (a Database, or a data directory whose SQLite database is used)."""

    def __init__(self, db: Database | Path) -> None:
        self.db = sqlite_database(db) if isinstance(db, Path) else db

    @classmethod
    def from_settings(cls, settings: Settings) -> FeedbackStore:
        return cls(open_database(settings))

    def record(self, item: Feedback) -> None:
        if item.vote not in ("up", "down"):
            raise ValueError(f"vote must be 'up' or 'down', not {item.vote!r}")
        item.ts = item.ts or time.time()
        self.db.run(
            f"INSERT INTO votes ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (
                item.vote,
                item.question,
                item.answer,
                json.dumps(item.source_ids),
                item.session_id,
                item.place,
                item.user,
                item.engine,
                item.ts,
                item.team,
            ),
        )

    def __iter__(self) -> Iterator[Feedback]:
        order = "rowid" if self.db.dialect == "sqlite" else "id"
        for vote, question, answer, source_ids, session_id, place, user, engine, ts, team in self.db.query(
            f"SELECT {_COLUMNS} FROM votes ORDER BY ts, {order}"
        ):
            yield Feedback(
                vote, question, answer, json.loads(source_ids), session_id, place, user, engine, ts, team
            )

    def downvoted(self) -> list[Feedback]:
        return [f for f in self if f.vote == "down"]
