"""``advisor scorecard`` and ``advisor health``: the guided workflows from the command line.

    advisor scorecard                                  # interactive: name, then one key per statement
    advisor scorecard --questions --json               # the statements as a JSON list of {id, text, ...}
    advisor health --answers answers.yaml --json       # score a file of {id: rating} and print JSON
    advisor health --answers a.yaml --subject "Acme JV" --out report.md --out chart.png

With a subject (``--subject``, or the name asked interactively) the result is stored under the data
dir for the local user, and a later run for the same subject shows the trend. Bad answers raise
AnswersError, which the CLI prints as one line with a non-zero exit; nothing is stored then.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:  # pragma: no cover
    from advisor.config import Settings
    from advisor.workflows import Report, Workflows

LOCAL_TEAM = "local"  # the terminal has no workspace; Slack results are keyed by the Slack team
SUBJECT_LABEL = {"scorecard": "Candidate partner", "health": "Alliance name"}
HELP = {
    "scorecard": "rate a candidate partner on the four partner-selection factors",
    "health": "check a running alliance for failure modes and exit signs",
}


def add_workflow_parser(sub: argparse._SubParsersAction, name: str) -> argparse.ArgumentParser:
    p = sub.add_parser(name, help=HELP[name], description=HELP[name] + ".")
    p.add_argument("--questions", action="store_true", help="list the statements and their ids, then exit")
    p.add_argument(
        "--answers",
        metavar="FILE",
        type=Path,
        help="YAML or JSON mapping each statement id to a rating 1-5 (skips the questions)",
    )
    p.add_argument("--subject", metavar="NAME", help="the partner or alliance; keys the stored results")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.add_argument(
        "--out",
        metavar="FILE",
        type=Path,
        action="append",
        default=[],
        help="also save the report: .png draws a chart, anything else is Markdown (repeatable)",
    )
    return p


def local_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (some containers)
        return "local"


def run_workflow(args: argparse.Namespace, settings: Settings, name: str) -> int:
    try:
        return _run(args, settings, name)
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, and keep Python's exit flush from complaining.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _run(args: argparse.Namespace, settings: Settings, name: str) -> int:
    from advisor.workflows import Workflows, read_answers_file

    workflows = Workflows.from_settings(settings)
    if args.questions:
        return _print_questions(workflows, name, args.json)
    if any(path.suffix.lower() == ".png" for path in args.out):
        from advisor.workflows.chart import check_available

        check_available()  # before the questions, and before anything is stored
    subject = args.subject
    if args.answers is not None:
        raw = read_answers_file(args.answers)
    else:
        # With --json the questions go to stderr, so stdout stays one JSON document.
        asked = interview(workflows, name, subject, sys.stderr if args.json else sys.stdout)
        if asked is None:
            print("stopped; nothing was saved", file=sys.stderr)
            return 1
        raw, subject = asked
    report = workflows.submit(name, raw, team=LOCAL_TEAM, user=local_user(), subject=subject)
    saved = save_outputs(report, args.out)
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        from advisor.workflows import to_markdown

        print(to_markdown(report), end="")
    for path in saved:
        print(f"saved {path}", file=sys.stderr)
    return 0


def interview(
    workflows: Workflows, name: str, subject: str | None, out: TextIO
) -> tuple[dict[str, Any], str] | None:
    """Ask the subject (unless given) and every statement in the terminal, or read them from stdin."""
    from bots.cli.interview import Interview, KeyReader, LineReader

    interactive = sys.stdin.isatty() and out.isatty()
    session = Interview(
        title=workflows.title(name),
        intro=workflows.intro(name),
        scale=workflows.scale(name),
        questions=workflows.questions(name),
        topics=workflows.topics(name),
        reader=KeyReader() if interactive else LineReader(sys.stdin, out),
        say=lambda line: print(line, file=out, flush=True),
    )
    subject = subject or session.ask_subject(SUBJECT_LABEL[name])
    if subject is None:
        return None
    raw = session.run()
    return None if raw is None else (raw, subject)


def save_outputs(report: Report, paths: list[Path]) -> list[Path]:
    """Write each --out file: a PNG chart for .png, Markdown otherwise."""
    from advisor.errors import InputError
    from advisor.workflows import to_markdown, write_chart

    saved = []
    for path in paths:
        try:
            if path.suffix.lower() == ".png":
                saved.append(write_chart(report, path))
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(to_markdown(report), encoding="utf-8")
                saved.append(path)
        except OSError as exc:
            raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None
    return saved


def _print_questions(workflows: Workflows, name: str, as_json: bool) -> int:
    if as_json:
        print(json.dumps(workflows.questions_json(name), ensure_ascii=False, indent=2))
        return 0
    topics = workflows.topics(name)
    for question in workflows.questions(name):
        print(f"{question.id:<20} [{topics[question.id]}] {question.text}")
    return 0
