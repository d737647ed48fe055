"""``advisor chat``: the interactive conversation in the terminal (the REPL is ``bots.cli.repl``)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from advisor.config import Settings


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("chat", help="an interactive conversation in the terminal")
    p.add_argument("--continue", dest="resume", action="store_true", help="resume the last session")
    p.add_argument("--session", metavar="ID", help="open (or start) a named session")
    p.add_argument("--engine", help="answer engine")
    p.add_argument("--collection", help="collection to search")
    p.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from bots.cli.repl import run_chat

    return run_chat(args, settings)
