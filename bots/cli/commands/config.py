"""``advisor config`` (or ``status``): the effective settings, secrets masked, and the index."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from advisor.config import Settings


def add_parser(sub: argparse._SubParsersAction) -> None:
    for name, help_text in (
        ("config", "show the effective settings (secrets masked) and the index"),
        ("status", "same as config"),
    ):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("--json", action="store_true")
        p.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from advisor.embeddings import embedder_names
    from advisor.engines import engine_names
    from bots.slack.config import load_slack_settings

    data: dict[str, Any] = {
        "settings": settings.masked() | load_slack_settings().masked(),
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


def _collections(settings: Settings) -> list[dict[str, Any]]:
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
                        "files": pointer.info.get("files", len(pointer.legacy_manifest or {})),
                        "embedder": pointer.info.get("embedder", "?"),
                    }
                )
        return out
    except AdvisorError as exc:
        return [{"name": "(unavailable)", "count": 0, "files": 0, "embedder": str(exc)}]
