"""``advisor ask "QUESTION"``: ask one question and print the cited answer (or one JSON object)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from advisor.config import Settings


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ask", help="ask one question and print the answer")
    p.add_argument("question", help="the question (quote it)")
    p.add_argument("--session", metavar="ID", help="continue this conversation (any id you choose)")
    p.add_argument("--engine", help="answer engine for this question (see `advisor config`)")
    p.add_argument("--collection", help="collection to search")
    p.add_argument(
        "--long",
        action="store_true",
        help="the full detail instead of the short answer (the point and a few points)",
    )
    p.add_argument(
        "--json", action="store_true", help="print one JSON object: answer, refused, sources, session"
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from advisor import Advisor
    from bots.cli.render import print_answer

    advisor = Advisor.from_settings(settings, notify=lambda m: print(m, file=sys.stderr))
    answer = advisor.ask(
        args.question,
        session_id=args.session,
        collection=args.collection,
        engine=args.engine,
        detail="long" if args.long else "short",
    )
    if args.json:
        print(json.dumps(answer.to_json(), ensure_ascii=False))
    else:
        print_answer(answer, sys.stdout)
    return 0
