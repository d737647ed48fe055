"""One-shot commands: ``advisor ingest``, ``advisor ask`` and ``advisor config``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from advisor.config import Settings
from bots.cli.render import print_answer


def ingest_command(args, settings: Settings) -> int:
    from advisor.ingest import Ingestor

    progress = _progress_bar() if sys.stderr.isatty() and not args.json else None
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


class _progress_bar:
    """A tqdm bar per stage, fed by the ingestor's progress callback."""

    def __init__(self) -> None:
        self.bar = None
        self.stage = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        from tqdm import tqdm

        if stage != self.stage:
            self.close()
            self.stage = stage
            self.bar = tqdm(
                total=total,
                desc=stage,
                unit="chunk" if stage == "embed" else "file",
                file=sys.stderr,
                leave=False,
            )
        if self.bar is not None:
            self.bar.n = done
            self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def ask_command(args, settings: Settings) -> int:
    from advisor import Advisor

    notices: list[str] = []
    advisor = Advisor.from_settings(settings, notify=lambda m: print(m, file=sys.stderr))
    answer = advisor.ask(
        args.question, session_id=args.session, collection=args.collection, engine=args.engine
    )
    notices.append(answer.notice)
    if args.json:
        print(json.dumps(answer.to_json(), ensure_ascii=False))
    else:
        print_answer(answer, sys.stdout)
    return 0


def config_command(args, settings: Settings) -> int:
    from advisor.embeddings import embedder_names
    from advisor.engines import engine_names

    data = {
        "settings": settings.masked(),
        "engines": engine_names(),
        "embedders": embedder_names(),
        "collections": _collections(settings),
    }
    if args.json:
        print(json.dumps(data, indent=2, default=str))
        return 0
    width = max(len(k) for k in data["settings"])
    for key, value in data["settings"].items():
        print(f"{key.upper():<{width}}  {value if value not in (None, '') else '(unset)'}")
    print(f"\nengines: {', '.join(data['engines'])}")
    for col in data["collections"]:
        print(
            f"collection {col['name']}: {col['count']} chunks, {col['files']} files, "
            f"embedder {col['embedder']}"
        )
    if not data["collections"]:
        print("no index yet: `advisor ingest` builds it (the first question does too)")
    return 0


def _collections(settings: Settings) -> list[dict]:
    from advisor.errors import AdvisorError
    from advisor.store import VectorStore

    try:
        store = VectorStore(settings)
        out = []
        for name in store.names():
            pointer = store.pointer(name)
            if pointer:
                out.append(
                    {
                        "name": name,
                        "count": pointer.info.get("count", 0),
                        "files": len(pointer.info.get("manifest", {})),
                        "embedder": pointer.info.get("embedder", "?"),
                    }
                )
        return out
    except AdvisorError as exc:
        return [{"name": "(unavailable)", "count": 0, "files": 0, "embedder": str(exc)}]
