"""Retention: drop what is older than a number of days, or everything one person asked and voted.

    advisor db prune --older-than 90      # or ADVISOR_RETENTION_DAYS=90 on a long-running replica
    advisor db forget --user U123 [--team T1]

A person's questions live in their votes, the records of answers they were given, the conversation
turns, the threads listed on their home screen and their workflow results. Turns carry the asker
where the caller knew it; turns written without one are matched through the answer records (same
workspace, session and question).
"""

from __future__ import annotations

import logging
import threading
import time

from advisor.storage.base import Database

log = logging.getLogger(__name__)

DAY = 86_400.0
PRUNED = ("turns", "answers", "votes", "recent_threads", "workflow_results")
_scheduled: set[str] = set()
_scheduled_lock = threading.Lock()


def prune(db: Database, older_than_days: float, now: float | None = None) -> dict[str, int]:
    """Delete turns, answer records, votes, recent threads and workflow results older than
    ``older_than_days``;
    return the counts."""
    cutoff = (now if now is not None else time.time()) - older_than_days * DAY
    counts: dict[str, int] = {}
    with db.transaction() as tx:
        for table in PRUNED:
            tx.execute(f"DELETE FROM {table} WHERE ts < ?", (cutoff,))
            counts[table] = tx.rowcount
        tx.execute("DELETE FROM claims WHERE expires < ?", (cutoff + older_than_days * DAY,))
        tx.execute("DELETE FROM windows WHERE window_start < ?", (cutoff + older_than_days * DAY - DAY,))
    return counts


def forget(db: Database, user: str, team: str | None = None) -> dict[str, int]:
    """Delete every turn, answer record, vote, recent thread and workflow result of ``user`` (in
    ``team``, or in every workspace)."""
    mine, params = ("user_id = ?", [user]) if team is None else ("user_id = ? AND team = ?", [user, team])
    theirs = "a.user_id = ?" if team is None else "a.user_id = ? AND a.team = ?"
    counts: dict[str, int] = {}
    with db.transaction() as tx:
        tx.execute(
            f"DELETE FROM turns WHERE {mine} OR EXISTS (SELECT 1 FROM answers a WHERE {theirs} "
            "AND a.team = turns.team AND a.session_id = turns.session_id AND a.question = turns.question)",
            params + params,
        )
        counts["turns"] = tx.rowcount
        for table in ("answers", "votes", "recent_threads", "workflow_results"):
            tx.execute(f"DELETE FROM {table} WHERE {mine}", params)
            counts[table] = tx.rowcount
    return counts


def keep_pruning(db: Database, older_than_days: float, every: float = 6 * 3600.0) -> None:
    """Prune now and every ``every`` seconds, in a daemon thread (once per database per process)."""
    with _scheduled_lock:
        if db.name in _scheduled:
            return
        _scheduled.add(db.name)

    def loop() -> None:
        while True:
            try:
                counts = prune(db, older_than_days)
                log.info("retention (%s days) pruned %s", older_than_days, counts)
            except Exception as exc:  # the next round tries again; answering goes on meanwhile
                log.warning("retention pruning failed: %s", type(exc).__name__)
            time.sleep(every)

    threading.Thread(target=loop, daemon=True, name="advisor-retention").start()
