"""What an answer posted to Slack was about, kept so a later thumbs up/down can be stored with it.

A feedback button carries only a short record id (button values are limited to 2,000 characters);
the question, answer and cited source ids live in ``<data_dir>/slack_answers.sqlite3``.
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
CREATE TABLE IF NOT EXISTS answers (
    id TEXT PRIMARY KEY,
    ts REAL NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    source_ids TEXT NOT NULL,
    session_id TEXT NOT NULL,
    place TEXT NOT NULL,
    engine TEXT NOT NULL
);
"""


@dataclass
class AnswerRecord:
    question: str
    answer: str
    source_ids: list[str] = field(default_factory=list)
    session_id: str = ""
    place: str = ""  # channel:thread_ts, or "slash:<channel>"
    engine: str = ""
    id: str = ""


class AnswerRecords:
    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.path = data_dir / "slack_answers.sqlite3"
        self._lock = threading.Lock()
        with self._connect() as db:
            db.executescript(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10)

    def save(self, record: AnswerRecord) -> str:
        record.id = record.id or uuid.uuid4().hex[:16]
        with self._lock, self._connect() as db:
            db.execute(
                "INSERT OR REPLACE INTO answers VALUES (?,?,?,?,?,?,?,?)",
                (
                    record.id,
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

    def get(self, record_id: str) -> AnswerRecord | None:
        with self._lock, self._connect() as db:
            row = db.execute(
                "SELECT question, answer, source_ids, session_id, place, engine FROM answers WHERE id=?",
                (record_id,),
            ).fetchone()
        if row is None:
            return None
        question, answer, source_ids, session_id, place, engine = row
        return AnswerRecord(question, answer, json.loads(source_ids), session_id, place, engine, record_id)
