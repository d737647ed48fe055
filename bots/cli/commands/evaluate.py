"""``advisor eval``: measure answer quality on the gold question set (needs the ``evals`` extra)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from advisor.config import Settings


def add_parser(sub: argparse._SubParsersAction) -> None:
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
    p.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from bots.cli.extras import require

    require("eval", "evals", "matplotlib")
    from evals.quality.runner import main

    return main(args, settings)
