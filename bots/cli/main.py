"""The ``advisor`` command: ingest, ask, chat, slack, eval, bench, config.

    advisor ingest [PATH ...] [--collection NAME] [--json]
    advisor ask "How do I choose a partner?" [--session ID] [--engine NAME] [--json]
    advisor chat [--continue | --session ID]
    advisor slack
    advisor eval [--engine NAME ...] [--split dev|test|all]
    advisor bench
    advisor config [--json]
    advisor feedback export [--format jsonl|yaml] [--votes down|up|all]

Errors print one line on stderr and exit non-zero; no stack trace reaches the user
(set ADVISOR_LOG_LEVEL=DEBUG to see details in the log).
"""

from __future__ import annotations

import argparse
import logging
import sys

EXIT_ERROR = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="advisor",
        description="A cited, conversational advisor on strategic alliances and partnerships.",
        epilog="Settings come from ADVISOR_* environment variables or a .env file; see `advisor config`.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("ingest", help="add documents to the index (default: the bundled knowledge base)")
    p.add_argument("paths", nargs="*", metavar="PATH", help="files or folders (.md .txt .html .pdf)")
    p.add_argument("--collection", help="collection to build (default: ADVISOR_COLLECTION)")
    p.add_argument(
        "--wait",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="wait this long for another ingest of the same collection to finish",
    )
    p.add_argument("--json", action="store_true", help="print the summary as one JSON object")

    p = sub.add_parser("ask", help="ask one question and print the answer")
    p.add_argument("question", help="the question (quote it)")
    p.add_argument("--session", metavar="ID", help="continue this conversation (any id you choose)")
    p.add_argument("--engine", help="answer engine for this question (see `advisor config`)")
    p.add_argument("--collection", help="collection to search")
    p.add_argument(
        "--json", action="store_true", help="print one JSON object: answer, refused, sources, session"
    )

    p = sub.add_parser("chat", help="an interactive conversation in the terminal")
    p.add_argument("--continue", dest="resume", action="store_true", help="resume the last session")
    p.add_argument("--session", metavar="ID", help="open (or start) a named session")
    p.add_argument("--engine", help="answer engine")
    p.add_argument("--collection", help="collection to search")

    sub.add_parser("slack", help="run the Slack bot (Socket Mode with SLACK_APP_TOKEN, else HTTP)")

    p = sub.add_parser("eval", help="measure answer quality on the gold question set")
    p.add_argument(
        "--engine",
        action="append",
        dest="engines",
        metavar="NAME",
        help="engine to evaluate (repeatable; default: the configured engine)",
    )
    p.add_argument("--collection", help="collection to evaluate against")
    p.add_argument("--split", choices=["dev", "test", "all"], default="test")
    p.add_argument("--seeds", action="store_true", help="also evaluate against the raw seed articles")
    p.add_argument("--no-baseline", action="store_true", help="skip the textbook LangChain baseline row")
    p.add_argument(
        "--gate", action="store_true", help="exit non-zero when the CI gate's thresholds are missed"
    )
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument(
        "--seeds-dir",
        metavar="DIR",
        help="folder of raw seed articles for --seeds (default: ../shared/seeds beside the checkout)",
    )
    p.add_argument(
        "--from-feedback",
        metavar="OUT.yaml",
        help="write thumbs-down answers as gold-set candidates to OUT.yaml and exit",
    )

    p = sub.add_parser("bench", help="benchmark latency, ingest throughput and scale")
    p.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    p.add_argument("--scale", type=int, default=100_000, metavar="N", help="synthetic corpus size (chunks)")
    p.add_argument("--json", action="store_true", help="print the results as JSON")

    from bots.cli.feedback_cmd import add_parser as add_feedback_parser

    add_feedback_parser(sub)

    p = sub.add_parser("config", help="show the effective settings (secrets masked) and the index")
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("status", help="same as config")
    p.add_argument("--json", action="store_true")
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
        return dispatch(args, settings)
    except AdvisorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def dispatch(args: argparse.Namespace, settings) -> int:
    if args.command == "ingest":
        from bots.cli.commands import ingest_command

        return ingest_command(args, settings)
    if args.command == "ask":
        from bots.cli.commands import ask_command

        return ask_command(args, settings)
    if args.command in ("config", "status"):
        from bots.cli.commands import config_command

        return config_command(args, settings)
    if args.command == "chat":
        from bots.cli.repl import run_chat

        return run_chat(args, settings)
    if args.command == "slack":
        from bots.slack.app import main as slack_main

        return slack_main(settings)
    if args.command == "feedback":
        from bots.cli.feedback_cmd import feedback_command

        return feedback_command(args, settings)
    if args.command == "eval":
        from evals.runner import main as eval_main

        return eval_main(args, settings)
    if args.command == "bench":
        from evals.bench import main as bench_main

        return bench_main(args, settings)
    raise AssertionError(args.command)  # pragma: no cover


if __name__ == "__main__":
    sys.exit(main())
