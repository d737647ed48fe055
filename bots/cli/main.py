"""The ``advisor`` command: ingest, ask, chat, scorecard, health, slack, eval, bench, feedback, db, config.

    advisor ingest [PATH ...] [--collection NAME] [--json]
    advisor ask "How do I choose a partner?" [--session ID] [--engine NAME] [--json]
    advisor chat [--continue | --session ID]
    advisor scorecard [--questions | --answers FILE] [--subject NAME] [--json] [--out FILE ...]
    advisor health [--questions | --answers FILE] [--subject NAME] [--json] [--out FILE ...]
    advisor slack                                            # needs the slack extra
    advisor eval [--engine NAME ...] [--split dev|test|all]  # needs the evals extra
    advisor bench                                            # needs the evals extra
    advisor config [--json]
    advisor feedback export [--format jsonl|yaml] [--votes down|up|all]
    advisor db migrate | prune --older-than DAYS | forget --user ID   [--json]

Each command lives in ``bots/cli/commands/<name>.py`` with its own parser and run function.
Errors print one line on stderr and exit non-zero; no stack trace reaches the user
(set ADVISOR_LOG_LEVEL=DEBUG to see details in the log).
"""

from __future__ import annotations

import argparse
import logging
import sys

from bots.cli.commands import COMMANDS

EXIT_ERROR = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="advisor",
        description="A cited, conversational advisor on strategic alliances and partnerships.",
        epilog="Settings come from ADVISOR_* environment variables or a .env file; see `advisor config`.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(sub)
    return parser


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=getattr(logging, level.upper(), logging.WARNING),
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for noisy in ("chromadb", "httpx", "urllib3", "sentence_transformers", "transformers"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLogger().level))


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 0
    from advisor.errors import AdvisorError

    try:
        from advisor.config import load_settings

        settings = load_settings()
        configure_logging(settings.log_level)
        return args.run(args, settings)
    except AdvisorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
