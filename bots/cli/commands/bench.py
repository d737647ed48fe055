"""``advisor bench``: latency, ingest throughput and scale benchmarks (needs the ``evals`` extra)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from advisor.config import Settings


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bench", help="benchmark latency, ingest throughput and scale")
    p.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    p.add_argument("--scale", type=int, default=100_000, metavar="N", help="synthetic corpus size (chunks)")
    p.add_argument(
        "--sizes",
        metavar="N,N,...",
        help="only hybrid retrieval at these corpus sizes (planted facts, cold/warm latency, peak RSS)",
    )
    p.add_argument("--server", action="store_true", help="with --sizes: also through a real `chroma run`")
    p.add_argument(
        "--server-only",
        action="store_true",
        help="with --sizes: only through a real `chroma run` (skip the embedded build)",
    )
    p.add_argument(
        "--keep",
        metavar="DIR",
        type=Path,
        help="with --sizes: work in DIR and keep the builds there (to re-run cold asks later)",
    )
    p.add_argument(
        "--dim",
        type=int,
        choices=(1024, 384),
        default=1024,
        help="with --sizes: the hashing embedder's width (384 is MiniLM's: a MiniLM build's memory figures)",
    )
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from bots.cli.extras import require

    require("bench", "evals", "psutil")
    from evals.bench.bench import main

    return main(args, settings)
