"""Past workflow results, in the advisor's database (``workflow_results``; advisor/storage).

Results are keyed by (team, user, workflow, subject), so a later health check of the same alliance can
show the trend, on any replica when the database is shared. The subject key is case- and
space-insensitive; ``subjects`` gives each name as last typed. Results of earlier versions, kept in
``<data_dir>/workflows.sqlite3``, are imported once by migration 4 (the file is left as it was).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from advisor.storage.base import Database

_COLUMNS = "team, user_id, workflow, subject, created_at, overall, outcome, outcome_label, report"


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

    def __init__(self, db: Database) -> None:
        self.db = db

    @classmethod
    def for_settings(cls, settings: Any) -> ResultStore:
        from advisor.storage import open_database

        return cls(open_database(settings))

    def add(self, result: StoredResult) -> int:
        with self.db.transaction() as tx:
            rows = tx.execute(
                "INSERT INTO workflow_results (team, user_id, workflow, subject_key, subject, created_at,"
                " ts, overall, outcome, outcome_label, report) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " RETURNING id",
                (
                    result.team,
                    result.user,
                    result.workflow,
                    subject_key(result.subject),
                    result.subject,
                    result.created_at,
                    time.time(),
                    result.overall,
                    result.outcome,
                    result.outcome_label,
                    json.dumps(result.report, ensure_ascii=False),
                ),
            )
        return int(rows[0][0])

    def history(
        self, *, team: str, user: str, workflow: str, subject: str, limit: int = 20
    ) -> list[StoredResult]:
        """Earlier results for this subject, oldest first (at most ``limit``, the most recent ones)."""
        rows = self.db.query(
            f"SELECT {_COLUMNS} FROM workflow_results"
            " WHERE team = ? AND user_id = ? AND workflow = ? AND subject_key = ?"
            " ORDER BY created_at DESC, id DESC LIMIT ?",
            (team, user, workflow, subject_key(subject), limit),
        )
        return [_row(r) for r in reversed(rows)]

    def get(self, result_id: int) -> StoredResult | None:
        rows = self.db.query(f"SELECT {_COLUMNS} FROM workflow_results WHERE id = ?", (result_id,))
        return _row(rows[0]) if rows else None

    def subjects(self, *, team: str, user: str, workflow: str) -> list[str]:
        """Subjects this user has assessed with this workflow, most recent first (each as last typed)."""
        rows = self.db.query(
            "SELECT subject_key, subject, created_at FROM workflow_results"
            " WHERE team = ? AND user_id = ? AND workflow = ? ORDER BY created_at DESC, id DESC",
            (team, user, workflow),
        )
        latest: dict[str, str] = {}
        for key, subject, _ in rows:
            latest.setdefault(key, subject)
        return list(latest.values())

    def count(self) -> int:
        return int(self.db.query("SELECT COUNT(*) FROM workflow_results")[0][0])


def _row(row: tuple[Any, ...]) -> StoredResult:
    team, user, workflow, subject, created_at, overall, outcome, label, report = row
    return StoredResult(
        team, user, workflow, subject, created_at, float(overall), outcome, label, json.loads(report)
    )
