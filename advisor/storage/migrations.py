"""The schema, as numbered migrations with one script per dialect, recorded in ``schema_migrations``.

A migration is applied once per database, in order, by whichever process gets the migration lock
first (``Database.migrate``: ``pg_advisory_lock`` on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite); the
others wait, find it recorded and move on. Add a change as a new number, never edit an applied one.

Every key carries the Slack workspace (``team``, ``""`` for the CLI and single-workspace bots), and
every row written on a person's behalf carries their ``user_id``, so ``advisor db forget`` can find it.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from advisor.storage.base import Tx, statements

log = logging.getLogger(__name__)

LEDGER = (
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
    "applied_at DOUBLE PRECISION NOT NULL)"
)

# Tables beside ``turns`` are the same in both dialects but for the auto-increment key.
_SHARED = """
CREATE TABLE IF NOT EXISTS answers (
    team TEXT NOT NULL DEFAULT '', id TEXT NOT NULL, user_id TEXT NOT NULL DEFAULT '',
    ts DOUBLE PRECISION NOT NULL, question TEXT NOT NULL, answer TEXT NOT NULL, source_ids TEXT NOT NULL,
    session_id TEXT NOT NULL, place TEXT NOT NULL, engine TEXT NOT NULL, PRIMARY KEY (team, id));
CREATE INDEX IF NOT EXISTS answers_user ON answers (team, user_id);
CREATE INDEX IF NOT EXISTS answers_ts ON answers (ts);
CREATE TABLE IF NOT EXISTS votes (
    id {serial}, team TEXT NOT NULL DEFAULT '', user_id TEXT NOT NULL DEFAULT '',
    ts DOUBLE PRECISION NOT NULL, vote TEXT NOT NULL, question TEXT NOT NULL, answer TEXT NOT NULL,
    source_ids TEXT NOT NULL, session_id TEXT NOT NULL, place TEXT NOT NULL, engine TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS votes_user ON votes (team, user_id);
CREATE INDEX IF NOT EXISTS votes_ts ON votes (ts);
CREATE TABLE IF NOT EXISTS claims (key TEXT PRIMARY KEY, expires DOUBLE PRECISION NOT NULL);
CREATE INDEX IF NOT EXISTS claims_expires ON claims (expires);
CREATE TABLE IF NOT EXISTS windows (
    key TEXT NOT NULL, window_start DOUBLE PRECISION NOT NULL, hits INTEGER NOT NULL,
    PRIMARY KEY (key, window_start));
CREATE INDEX IF NOT EXISTS turns_team_session ON turns (team, session_id, ts);
CREATE INDEX IF NOT EXISTS turns_ts ON turns (ts);
CREATE INDEX IF NOT EXISTS turns_user ON turns (team, user_id)
"""

_POSTGRES_V1 = """
CREATE TABLE IF NOT EXISTS turns (
    id BIGSERIAL PRIMARY KEY, team TEXT NOT NULL DEFAULT '', session_id TEXT NOT NULL,
    ts DOUBLE PRECISION NOT NULL, question TEXT NOT NULL, answer TEXT NOT NULL, refused INTEGER NOT NULL,
    query TEXT NOT NULL, sources TEXT NOT NULL, items TEXT NOT NULL DEFAULT '[]',
    user_id TEXT NOT NULL DEFAULT '');
""" + _SHARED.format(serial="BIGSERIAL PRIMARY KEY")

# Conversation files of earlier versions hold a ``turns`` table without the later columns: it is
# kept, and gains them (SQLite's rowid orders turns written in the same instant).
_SQLITE_TURNS = (
    "CREATE TABLE IF NOT EXISTS turns (session_id TEXT NOT NULL, ts REAL NOT NULL, question TEXT NOT NULL, "
    "answer TEXT NOT NULL, refused INTEGER NOT NULL, query TEXT NOT NULL, sources TEXT NOT NULL)"
)
_SQLITE_ADDED = {
    "items": "TEXT NOT NULL DEFAULT '[]'",
    "team": "TEXT NOT NULL DEFAULT ''",
    "user_id": "TEXT NOT NULL DEFAULT ''",
}


def _sqlite_v1(tx: Tx, path: Path | None) -> None:
    tx.execute(_SQLITE_TURNS)
    present = {row[1] for row in tx.execute("PRAGMA table_info(turns)")}
    for column, definition in _SQLITE_ADDED.items():
        if column not in present:
            tx.execute(f"ALTER TABLE turns ADD COLUMN {column} {definition}")
    tx.execute("DROP INDEX IF EXISTS turns_session")  # the old index, without the team
    for statement in statements(_SHARED.format(serial="INTEGER PRIMARY KEY AUTOINCREMENT")):
        tx.execute(statement)


def _sqlite_v2(tx: Tx, path: Path | None) -> None:
    """Copy the files an earlier version kept beside this database into it (the files stay, untouched)."""
    if path is None:
        return
    data_dir = path.parent
    old_sessions = data_dir / "sessions.sqlite3"
    if old_sessions.exists() and old_sessions.resolve() != path.resolve():
        columns = {row[1] for row in _read(old_sessions, "PRAGMA table_info(turns)")}
        items = "items" if "items" in columns else "'[]'"  # files from before the column was added
        turns = "session_id, ts, question, answer, refused, query, sources"
        _copy(
            tx, old_sessions, f"SELECT {turns}, {items} FROM turns ORDER BY rowid", f"turns ({turns}, items)"
        )
    old_answers = data_dir / "slack_answers.sqlite3"
    if old_answers.exists():
        answers = "id, ts, question, answer, source_ids, session_id, place, engine"
        _copy(tx, old_answers, f"SELECT {answers} FROM answers", f"answers ({answers})")
    old_votes = data_dir / "feedback.jsonl"
    if old_votes.exists():
        count = 0
        for line in old_votes.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                vote = json.loads(line)
                tx.execute(
                    "INSERT INTO votes (team, user_id, ts, vote, question, answer, source_ids, session_id, "
                    "place, engine) VALUES ('',?,?,?,?,?,?,?,?,?)",
                    (
                        str(vote.get("user", "")),
                        float(vote.get("ts") or time.time()),
                        str(vote["vote"]),
                        str(vote.get("question", "")),
                        str(vote.get("answer", "")),
                        json.dumps(list(vote.get("source_ids") or [])),
                        str(vote.get("session_id", "")),
                        str(vote.get("place", "")),
                        str(vote.get("engine", "")),
                    ),
                )
                count += 1
            except (ValueError, TypeError, KeyError, AttributeError):
                continue  # a torn or foreign line never stops the upgrade
        _imported(old_votes, count)


def _copy(tx: Tx, path: Path, select: str, into: str) -> None:
    """Insert the rows ``select`` reads from the SQLite file ``path`` into ``into`` (table and columns)."""
    rows = _read(path, select)
    marks = ",".join("?" * len(rows[0])) if rows else ""
    for row in rows:
        tx.execute(f"INSERT INTO {into} VALUES ({marks}) ON CONFLICT DO NOTHING", row)
    _imported(path, len(rows))


def _read(path: Path, sql: str) -> list[tuple]:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def _imported(path: Path, count: int) -> None:
    log.info("imported %s row(s) from %s (the file is left as it was)", count, path)


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sqlite: str | Callable[[Tx, Path | None], None]
    postgres: str

    def apply(self, tx: Tx, dialect: str, path: Path | None = None) -> None:
        step = self.sqlite if dialect == "sqlite" else self.postgres
        if callable(step):
            step(tx, path)
        else:
            for statement in statements(step):
                tx.execute(statement)
        tx.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?,?,?)",
            (self.version, self.name, time.time()),
        )


# A chat front end installed in many workspaces: each install's record (opaque JSON, its tokens
# included), one-time install states, and the threads each person asked in (for a home screen).
_INSTALLS = """
CREATE TABLE IF NOT EXISTS installations (
    install_key TEXT PRIMARY KEY, enterprise_id TEXT NOT NULL, team TEXT NOT NULL, data TEXT NOT NULL,
    installed_at DOUBLE PRECISION NOT NULL);
CREATE TABLE IF NOT EXISTS install_states (state TEXT PRIMARY KEY, expires DOUBLE PRECISION NOT NULL);
CREATE TABLE IF NOT EXISTS recent_threads (
    team TEXT NOT NULL, user_id TEXT NOT NULL, channel TEXT NOT NULL, thread_ts TEXT NOT NULL,
    question TEXT NOT NULL, ts DOUBLE PRECISION NOT NULL, PRIMARY KEY (team, user_id, channel, thread_ts));
CREATE INDEX IF NOT EXISTS recent_threads_ts ON recent_threads (ts)
"""

# Guided workflows' results (partner scorecards, health checks), per person and subject, for trends.
_WORKFLOWS = """
CREATE TABLE IF NOT EXISTS workflow_results (
    id {serial}, team TEXT NOT NULL DEFAULT '', user_id TEXT NOT NULL DEFAULT '',
    workflow TEXT NOT NULL, subject_key TEXT NOT NULL, subject TEXT NOT NULL, created_at TEXT NOT NULL,
    ts DOUBLE PRECISION NOT NULL, overall DOUBLE PRECISION NOT NULL, outcome TEXT NOT NULL,
    outcome_label TEXT NOT NULL, report TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS workflow_results_subject
    ON workflow_results (team, user_id, workflow, subject_key, created_at);
CREATE INDEX IF NOT EXISTS workflow_results_ts ON workflow_results (ts)
"""


def _sqlite_v4(tx: Tx, path: Path | None) -> None:
    """The workflow results table, with the results an earlier version kept in workflows.sqlite3."""
    for statement in statements(_WORKFLOWS.format(serial="INTEGER PRIMARY KEY AUTOINCREMENT")):
        tx.execute(statement)
    old = path.parent / "workflows.sqlite3" if path is not None else None
    if old is None or not old.exists():
        return
    columns = (
        "team, user, workflow, subject_key, subject, created_at, overall, outcome, outcome_label, report"
    )
    rows = _read(old, f"SELECT {columns} FROM results ORDER BY id")
    for team, user, workflow, key, subject, created_at, overall, outcome, label, report in rows:
        tx.execute(
            "INSERT INTO workflow_results (team, user_id, workflow, subject_key, subject, created_at, ts,"
            " overall, outcome, outcome_label, report) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (
                team,
                user,
                workflow,
                key,
                subject,
                created_at,
                _epoch(created_at),
                overall,
                outcome,
                label,
                report,
            ),
        )
    _imported(old, len(rows))


def _epoch(iso: str) -> float:
    try:
        return datetime.fromisoformat(iso).timestamp()
    except ValueError:
        return time.time()


MIGRATIONS = (
    Migration(1, "conversations, answer records, votes, claims, rate windows", _sqlite_v1, _POSTGRES_V1),
    Migration(2, "import the files of earlier versions (SQLite)", _sqlite_v2, ""),
    Migration(3, "workspace installations, install states, recent threads", _INSTALLS, _INSTALLS),
    Migration(4, "guided workflow results", _sqlite_v4, _WORKFLOWS.format(serial="BIGSERIAL PRIMARY KEY")),
)
LATEST = MIGRATIONS[-1].version


def pending(applied: int) -> list[Migration]:
    return [m for m in MIGRATIONS if m.version > applied]
