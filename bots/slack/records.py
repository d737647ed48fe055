"""What an answer posted to Slack was about, kept so a later thumbs up/down can be stored with it.

A feedback button carries only a short record id (button values are limited to 2,000 characters);
the question, answer, asker and cited source ids live in the advisor's database (``answers`` table),
so a click delivered to any replica finds the record another replica wrote.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from advisor.storage import Database, sqlite_database


@dataclass
class AnswerRecord:
    question: str
    answer: str
    source_ids: list[str] = field(default_factory=list)
    session_id: str = ""
    place: str = ""  # channel:thread_ts, or "slash:<channel>"
    engine: str = ""
    id: str = ""
    user: str = ""  # the asker (``advisor db forget --user`` removes the record)
    team: str = ""  # the workspace; "" in single-workspace mode


class AnswerRecords:
    """Answer records in ``db`` (a Database, or a data directory whose SQLite database is used)."""

    def __init__(self, db: Database | Path) -> None:
        self.db = sqlite_database(db) if isinstance(db, Path) else db

    def save(self, record: AnswerRecord) -> str:
        record.id = record.id or uuid.uuid4().hex[:16]
        self.db.run(
            "INSERT INTO answers (team, id, user_id, ts, question, answer, source_ids, session_id, place, "
            "engine) VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT (team, id) DO UPDATE SET "
            "user_id=excluded.user_id, ts=excluded.ts, question=excluded.question, answer=excluded.answer, "
            "source_ids=excluded.source_ids, session_id=excluded.session_id, place=excluded.place, "
            "engine=excluded.engine",
            (
                record.team,
                record.id,
                record.user,
                time.time(),
                record.question,
                record.answer,
                json.dumps(record.source_ids),
                record.session_id,
                record.place,
                record.engine,
            ),
        )
        return record.id

    def get(self, record_id: str, team: str = "") -> AnswerRecord | None:
        rows = self.db.query(
            "SELECT question, answer, source_ids, session_id, place, engine, user_id FROM answers "
            "WHERE team=? AND id=?",
            (team, record_id),
        )
        if not rows:
            return None
        question, answer, source_ids, session_id, place, engine, user = rows[0]
        return AnswerRecord(
            question, answer, json.loads(source_ids), session_id, place, engine, record_id, user, team
        )
