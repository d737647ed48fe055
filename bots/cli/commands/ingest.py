"""``advisor ingest [PATH ...]``: add documents to the index (default: the bundled knowledge base)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from advisor.config import Settings


def add_parser(sub: argparse._SubParsersAction) -> None:
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
    p.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from advisor.ingest import Ingestor

    progress = ProgressBar() if sys.stderr.isatty() and not args.json else None
    roots = [Path(p) for p in args.paths] or None
    try:
        report = Ingestor(settings, progress=progress).run(roots, args.collection, wait=args.wait)
    finally:
        if progress:
            progress.close()
    if args.json:
        print(json.dumps(report.summary(), indent=2))
    else:
        for failure in report.failed:
            print(f"failed: {failure['file']}: {failure['reason']}", file=sys.stderr)
        for skipped in report.skipped:
            print(f"skipped: {skipped['file']}: {skipped['reason']}", file=sys.stderr)
        state = "rebuilt" if report.built else "unchanged (nothing to embed)"
        print(
            f"collection {report.collection!r} {state}: {report.chunks} chunks; "
            f"added {len(report.added)}, updated {len(report.updated)}, removed {len(report.removed)}, "
            f"unchanged {len(report.unchanged)}, failed {len(report.failed)} "
            f"({report.embedded} chunks embedded in {report.seconds:.1f} s)"
        )
    return 1 if report.failed else 0


class ProgressBar:
    """A tqdm bar per stage, fed by the ingestor's progress callback. Ingest streams (load a file,
    embed a batch, load the next), so stages interleave: each keeps its own bar, and a stage whose
    total grows as files are read (embed) updates it."""

    def __init__(self) -> None:
        self.bars: dict[str, Any] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        from tqdm import tqdm

        bar = self.bars.get(stage)
        if bar is None:
            bar = self.bars[stage] = tqdm(
                total=total,
                desc=stage,
                unit="chunk" if stage == "embed" else "file",
                file=sys.stderr,
                leave=False,
                position=len(self.bars),
            )
        bar.total = total
        bar.n = done
        bar.refresh()

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()
        self.bars = {}
