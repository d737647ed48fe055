"""The ``advisor`` subcommands, one module each: ``add_parser(subparsers)`` and ``run(args, settings)``.

A module's top level imports nothing heavy (``advisor --help`` stays fast); ``run`` imports what the
command needs. Edge commands check their extra first (``bots.cli.extras``).
"""

from __future__ import annotations

from bots.cli.commands import (
    ask,
    bench,
    chat,
    config,
    db,
    evaluate,
    feedback,
    health,
    ingest,
    scorecard,
    slack,
)

COMMANDS = (ingest, ask, chat, scorecard, health, slack, evaluate, bench, feedback, db, config)

__all__ = ["COMMANDS"]
