"""``advisor feedback export``: print the thumbs up/down votes collected in Slack, for the evals.

The votes come from the configured database (ADVISOR_DATABASE_URL, else SQLite in ADVISOR_DATA_DIR), so
any machine pointed at a team's PostgreSQL exports every replica's votes.

advisor feedback export                      # every vote, one JSON object a line
advisor feedback export --votes down --format yaml > evals/review.yaml
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from advisor.config import Settings


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("feedback", help="work with the thumbs up/down votes collected in Slack")
    actions = p.add_subparsers(dest="feedback_command", metavar="ACTION", required=True)
    e = actions.add_parser("export", help="print the votes (question, answer, source ids, vote)")
    e.add_argument("--format", choices=["jsonl", "yaml"], default="jsonl")
    e.add_argument("--votes", choices=["down", "up", "all"], default="all", help="which votes (default: all)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from advisor.feedback import FeedbackStore

    store = FeedbackStore.from_settings(settings)
    records = [asdict(f) for f in store if args.votes in ("all", f.vote)]
    if args.format == "yaml":
        import yaml

        if records:
            yaml.safe_dump(records, sys.stdout, allow_unicode=True, sort_keys=False, width=100)
        else:
            print("[]")
    else:
        for record in records:
            print(json.dumps(record, ensure_ascii=False))
    print(f"{len(records)} vote(s) exported from {store.db.name}", file=sys.stderr)
    return 0
