"""Scoring the grounding layer on the labelled grounding set (``evals/grounding.yaml``).

Each item's passages become the advisor's own ``Passage`` objects (the section's text as the
ingester would store it), ``ground()`` judges the item's sentence against them, and the score is the
share of faithful sentences kept and of unfaithful ones dropped, overall, per kind and per split.

The split is fixed by a rule, not chosen: items sorted by id, the 2nd and 4th of every five are
``dev`` (tune on these), the rest ``test`` (report these).

    PYTHONPATH=. python -m evals.quality.grounding                 # word rules alone and with MiniLM
    PYTHONPATH=. python -m evals.quality.grounding --embedder none --split dev --json
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import yaml

from advisor.answer import Passage
from advisor.chunking import chunk_document
from advisor.documents import load
from advisor.grounding import ground

GROUNDING_PATH = Path(__file__).resolve().parents[1] / "grounding.yaml"
KNOWLEDGE_DIR = Path(__file__).resolve().parents[2] / "knowledge"
SPLITS = ("dev", "test", "all")
TARGETS = {"faithful_kept": 0.90, "unfaithful_dropped": 0.95}
Embed = Callable[[list[str]], np.ndarray]


@dataclass(frozen=True)
class GroundingItem:
    id: str
    passages: tuple[tuple[str, str], ...]  # (document file name, "##" heading), in citation order
    sentence: str
    faithful: bool
    kind: str
    split: str


def load_grounding(path: Path | None = None, split: str = "all") -> list[GroundingItem]:
    raw = yaml.safe_load((path or GROUNDING_PATH).read_text(encoding="utf-8"))["items"]
    entries = sorted(raw, key=lambda e: str(e["id"]))
    items = [
        GroundingItem(
            id=str(e["id"]),
            passages=tuple((str(p["doc"]), str(p["section"])) for p in e["passages"]),
            sentence=str(e["sentence"]),
            faithful=e["label"] == "faithful",
            kind=str(e["kind"]),
            split="dev" if i % 5 in (1, 3) else "test",
        )
        for i, e in enumerate(entries)
    ]
    return [i for i in items if split == "all" or i.split == split]


@cache
def _sections(doc: str, knowledge_dir: Path) -> dict[str, tuple[str, dict]]:
    """heading -> (text, metadata) of one knowledge document, as the ingester would chunk it."""
    path = knowledge_dir / doc
    document = load(path, f"knowledge/{doc}", max_bytes=10_000_000)
    out: dict[str, tuple[str, dict]] = {}
    for chunk in chunk_document(document, max_chars=1_000_000):
        heading = str(chunk.metadata["section"]).split(" > ")[0]
        text, meta = out.get(heading, ("", chunk.metadata))
        out[heading] = ((text + "\n\n" + chunk.text).strip(), meta)
    return out


def passages_for(item: GroundingItem, knowledge_dir: Path = KNOWLEDGE_DIR) -> list[Passage]:
    passages = []
    for n, (doc, heading) in enumerate(item.passages, start=1):
        text, meta = _sections(doc, knowledge_dir)[heading]
        passages.append(
            Passage(n=n, id=f"{doc}#{heading}", text=text, metadata=dict(meta), score=1.0, similarity=1.0)
        )
    return passages


def kept(item: GroundingItem, embed: Embed | None = None, knowledge_dir: Path = KNOWLEDGE_DIR) -> bool:
    return bool(ground(item.sentence, passages_for(item, knowledge_dir), embed=embed).text.strip())


def _rate(outcomes: list[tuple[GroundingItem, bool]]) -> dict:
    faithful = [k for i, k in outcomes if i.faithful]
    unfaithful = [k for i, k in outcomes if not i.faithful]
    return {
        "n": len(outcomes),
        "faithful_kept": sum(faithful) / len(faithful) if faithful else None,
        "unfaithful_dropped": (len(unfaithful) - sum(unfaithful)) / len(unfaithful) if unfaithful else None,
    }


def score_grounding(
    items: list[GroundingItem], embed: Embed | None = None, knowledge_dir: Path = KNOWLEDGE_DIR
) -> dict:
    """Keep/drop rates overall, per kind and per split, and the items judged wrongly."""
    outcomes = [(item, kept(item, embed, knowledge_dir)) for item in items]
    by_kind: dict[str, list] = defaultdict(list)
    by_split: dict[str, list] = defaultdict(list)
    for item, was_kept in outcomes:
        by_kind[item.kind].append((item, was_kept))
        by_split[item.split].append((item, was_kept))
    return {
        **_rate(outcomes),
        "splits": {s: _rate(o) for s, o in sorted(by_split.items())},
        "kinds": {k: _rate(o) for k, o in sorted(by_kind.items())},
        "wrong": [i.id for i, k in outcomes if k != i.faithful],
    }


def grounding_misses(score: dict, bars: dict[str, float] | None = None) -> list[str]:
    """Bars (TARGETS unless given) the score misses, one line each ([] when all are met)."""
    return [
        f"grounding {name} {score[name]:.3f} < {bar:.2f}"
        for name, bar in (bars or TARGETS).items()
        if score[name] is None or score[name] < bar
    ]


def format_score(score: dict, label: str = "") -> str:
    def cell(value: float | None) -> str:
        return "-" if value is None else f"{value:.3f}"

    lines = [f"grounding {label}".rstrip() + f": {score['n']} sentences"]
    lines.append(f"  {'':<20}{'n':>5}{'kept':>8}{'dropped':>9}")
    rows = [("all", score), *score["splits"].items(), *score["kinds"].items()]
    for name, rate in rows:
        lines.append(
            f"  {name:<20}{rate['n']:>5}{cell(rate['faithful_kept']):>8}{cell(rate['unfaithful_dropped']):>9}"
        )
    return "\n".join(lines)


def minilm_embed() -> Embed:
    from advisor.config import load_settings
    from advisor.embeddings import get_embedder

    embedder = get_embedder(load_settings(embedder="minilm"))
    return lambda texts: embedder.embed_documents(texts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.quality.grounding", description="Score ground().")
    parser.add_argument("--split", choices=SPLITS, default="all")
    parser.add_argument("--embedder", choices=("minilm", "none", "both"), default="both")
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    parser.add_argument("--wrong", action="store_true", help="list the sentences judged wrongly")
    args = parser.parse_args(argv)
    items = load_grounding(split=args.split)
    factories: dict[str, Callable[[], Embed] | None] = {"none": None, "minilm": minilm_embed}
    runs = factories if args.embedder == "both" else {args.embedder: factories[args.embedder]}
    scores = {}
    for name, factory in runs.items():
        scores[name] = score_grounding(items, factory() if factory else None)
    if args.json:
        print(json.dumps(scores, indent=2))
        return 0
    by_id = {i.id: i for i in items}
    for name, score in scores.items():
        print(format_score(score, f"({'word rules' if name == 'none' else name})"))
        if args.wrong:
            for item_id in score["wrong"]:
                item = by_id[item_id]
                print(f"    {item_id} {item.split} {item.kind}: {item.sentence}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
