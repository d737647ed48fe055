"""Past workflow results in a small SQLite file, ``<data_dir>/workflows.sqlite3``.

Results are keyed by (team, user, workflow, subject), so a later health check of the same alliance can
show the trend. The subject key is case- and space-insensitive; ``subjects`` gives each name as last typed.
Each call opens and closes its own connection, so the store is safe to share between threads.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FILE_NAME = "workflows.sqlite3"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    team TEXT NOT NULL,
    user TEXT NOT NULL,
    workflow TEXT NOT NULL,
    subject_key TEXT NOT NULL,
    subject TEXT NOT NULL,
    created_at TEXT NOT NULL,
    overall REAL NOT NULL,
    outcome TEXT NOT NULL,
    outcome_label TEXT NOT NULL,
    report TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS results_by_subject
    ON results (team, user, workflow, subject_key, created_at);
"""


@dataclass(frozen=True)
class StoredResult:
    team: str
    user: str
    workflow: str
    subject: str
    created_at: str  # ISO 8601, UTC
    overall: float
    outcome: str  # band or verdict id
    outcome_label: str
    report: dict[str, Any]

    def trend_point(self) -> dict[str, Any]:
        return {
            "at": self.created_at,
            "overall": self.overall,
            "outcome": self.outcome,
            "label": self.outcome_label,
        }


def subject_key(subject: str) -> str:
    return " ".join(subject.split()).casefold()


class ResultStore:
    """Typed access to stored results; the only code that talks SQL about workflows."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._ready = False

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> ResultStore:
        return cls(data_dir / FILE_NAME)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # closing() closes the connection; `with conn` commits, or rolls back on error.
        with closing(sqlite3.connect(self.path, timeout=10)) as conn, conn:
            if not self._ready:
                conn.executescript(_SCHEMA)
                self._ready = True
            yield conn

    def add(self, result: StoredResult) -> int:
        with self._connect() as conn:
            cur = conn.execute(
                "INSERT INTO results (team, user, workflow, subject_key, subject, created_at, overall,"
                " outcome, outcome_label, report) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    result.team,
                    result.user,
                    result.workflow,
                    subject_key(result.subject),
                    result.subject,
                    result.created_at,
                    result.overall,
                    result.outcome,
                    result.outcome_label,
                    json.dumps(result.report, ensure_ascii=False),
                ),
            )
            return int(cur.lastrowid or 0)

    def history(
        self, *, team: str, user: str, workflow: str, subject: str, limit: int = 20
    ) -> list[StoredResult]:
        """Earlier results for this subject, oldest first (at most ``limit``, the most recent ones)."""
        if not self.path.exists():
            return []
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT team, user, workflow, subject, created_at, overall, outcome, outcome_label, report"
                " FROM results WHERE team = ? AND user = ? AND workflow = ? AND subject_key = ?"
                " ORDER BY created_at DESC, id DESC LIMIT ?",
                (team, user, workflow, subject_key(subject), limit),
            ).fetchall()
        return [_row(r) for r in reversed(rows)]

    def get(self, result_id: int) -> StoredResult | None:
        if not self.path.exists():
            return None
        with self._connect() as conn:
            row = conn.execute(
                "SELECT team, user, workflow, subject, created_at, overall, outcome, outcome_label, report"
                " FROM results WHERE id = ?",
                (result_id,),
            ).fetchone()
        return _row(row) if row else None

    def subjects(self, *, team: str, user: str, workflow: str) -> list[str]:
        """Subjects this user has assessed with this workflow, most recent first."""
        if not self.path.exists():
            return []
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT subject, MAX(created_at) AS last FROM results"
                " WHERE team = ? AND user = ? AND workflow = ? GROUP BY subject_key ORDER BY last DESC",
                (team, user, workflow),
            ).fetchall()
        return [r[0] for r in rows]

    def count(self) -> int:
        if not self.path.exists():
            return 0
        with self._connect() as conn:
            return int(conn.execute("SELECT COUNT(*) FROM results").fetchone()[0])


def _row(row: tuple[Any, ...]) -> StoredResult:
    team, user, workflow, subject, created_at, overall, outcome, label, report = row
    return StoredResult(
        team, user, workflow, subject, created_at, float(overall), outcome, label, json.loads(report)
    )
