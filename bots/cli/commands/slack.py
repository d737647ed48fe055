"""``advisor slack``: run the Slack bot (needs the ``slack`` extra)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from advisor.config import Settings


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("slack", help="run the Slack bot (Socket Mode with SLACK_APP_TOKEN, else HTTP)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from bots.cli.extras import require
    from bots.slack.config import load_slack_settings

    require("slack", "slack", "slack_bolt", "slack_sdk", "uvicorn", "starlette")
    from bots.slack.app import main

    return main(settings, load_slack_settings())
