"""``advisor scorecard``: rate a candidate partner on the four partner-selection factors.

    advisor scorecard                                   # interactive: a name, then one key per statement
    advisor scorecard --questions --json                # the statements: a JSON list of {id, text, ...}
    advisor scorecard --answers FILE [--json] [--subject NAME] [--out report.md] [--out chart.png]

The shared options and the run live in ``bots.cli.workflow_command``.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from advisor.config import Settings

NAME = "scorecard"


def add_parser(sub: argparse._SubParsersAction) -> None:
    from bots.cli.workflow_command import add_workflow_parser

    add_workflow_parser(sub, NAME).set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from bots.cli.workflow_command import run_workflow

    return run_workflow(args, settings, NAME)
