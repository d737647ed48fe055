"""``advisor db``: the database that holds conversations, answer records, votes, claims and limits.

advisor db migrate [--json]                       # bring the schema up to date (also done at start-up)
advisor db prune --older-than DAYS [--json]       # delete turns, answer records and votes older than DAYS
advisor db forget --user ID [--team T] [--json]   # delete one person's questions, answers and votes

The database is SQLite in ADVISOR_DATA_DIR unless ADVISOR_DATABASE_URL names PostgreSQL.
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from advisor.config import Settings


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("db", help="migrate, prune or forget in the conversation/feedback database")
    actions = p.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    m = actions.add_parser("migrate", help="bring the schema up to date (safe to run on every replica)")
    m.add_argument("--json", action="store_true")
    r = actions.add_parser("prune", help="delete conversations, answer records and votes older than DAYS")
    r.add_argument("--older-than", type=_days, required=True, metavar="DAYS")
    r.add_argument("--json", action="store_true")
    f = actions.add_parser("forget", help="delete one person's questions, answers and votes")
    f.add_argument("--user", required=True, metavar="ID", help="the user id (a Slack user id such as U123)")
    f.add_argument("--team", metavar="T", help="only in this workspace (default: every workspace)")
    f.add_argument("--json", action="store_true")
    p.set_defaults(run=run)


def _days(value: str) -> float:
    try:
        days = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of days: {value!r}") from None
    if not days > 0:
        raise argparse.ArgumentTypeError("DAYS must be more than 0")
    return days


def run(args: argparse.Namespace, settings: Settings) -> int:
    from advisor.storage import open_database, retention

    db = open_database(settings, migrate=False)
    if args.db_command == "migrate":
        before = db.version()
        applied = db.migrate()
        result: dict = {"database": db.name, "from": before, "to": db.version(), "applied": applied}
        line = (
            f"{db.name}: schema {before} -> {result['to']} (applied {', '.join(map(str, applied))})"
            if applied
            else f"{db.name}: schema {before}, up to date"
        )
    elif args.db_command == "prune":
        db.migrate()
        counts = retention.prune(db, args.older_than)
        result = {"database": db.name, "older_than_days": args.older_than, "deleted": counts}
        line = f"deleted {_counts(counts)} older than {args.older_than:g} days from {db.name}"
    else:
        db.migrate()
        counts = retention.forget(db, args.user, args.team)
        result = {"database": db.name, "user": args.user, "team": args.team, "deleted": counts}
        line = f"deleted {_counts(counts)} of user {args.user} from {db.name}"
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(line)
    return 0


def _counts(counts: dict[str, int]) -> str:
    names = {
        "turns": "conversation turn(s)",
        "answers": "answer record(s)",
        "votes": "vote(s)",
        "recent_threads": "recent thread(s)",
        "workflow_results": "workflow result(s)",
    }
    return ", ".join(f"{n} {names[table]}" for table, n in counts.items())
