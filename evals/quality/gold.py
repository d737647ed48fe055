"""The gold question set: loading ``evals/gold.yaml`` into items, and checking it against the knowledge base.

    items = load_gold(split="dev")
    problems = validate_gold(load_gold(), settings.knowledge_dir)   # [] when the set is sound

An item is either in scope (it names the expected document/section pairs and its key facts) or out of
scope (``expect: refuse``). A conversation (``turns:``) is one item; only its last turn is scored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from advisor.errors import ConfigError

GOLD_PATH = Path(__file__).resolve().parents[1] / "gold.yaml"
SPLITS = ("dev", "test", "all")
KINDS = (
    "plain",
    "paraphrase",
    "multi",
    "followup",
    "situational",
    "reference",
    "switch",
    "comparison",
    "checklist",
)
CHAT_KINDS = ("smalltalk", "meta")


@dataclass(frozen=True)
class Expected:
    source: str  # e.g. "knowledge/alliance-types.md"
    section: str  # the exact "##" heading text


@dataclass
class GoldItem:
    id: str
    turns: list[str]
    topic: str
    kind: str
    split: str
    refuse: bool = False
    chat: bool = False  # small talk or a question about the advisor itself: a short friendly reply
    expected: list[Expected] = field(default_factory=list)
    key_facts: list[list[str]] = field(default_factory=list)
    diagnosis: list[str] = field(default_factory=list)  # a situation's conditions (lists.yaml item ids)

    @property
    def question(self) -> str:
        """The scored question: the last turn."""
        return self.turns[-1]

    @property
    def sources(self) -> set[str]:
        return {e.source for e in self.expected}


def load_gold(path: Path | None = None, split: str = "all") -> list[GoldItem]:
    if split not in SPLITS:
        raise ConfigError(f"unknown split {split!r}; choose one of: {', '.join(SPLITS)}")
    path = path or GOLD_PATH
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read the gold set {path}: {exc}") from None
    items = [_item(entry) for entry in (raw or {}).get("items", [])]
    return [i for i in items if split == "all" or i.split == split]


def _item(entry: dict) -> GoldItem:
    turns = entry.get("turns") or [entry["question"]]
    return GoldItem(
        id=str(entry["id"]),
        turns=[str(t) for t in turns],
        topic=str(entry["topic"]),
        kind=str(entry["kind"]),
        split=str(entry["split"]),
        refuse=entry.get("expect") == "refuse",
        chat=entry.get("expect") == "chat",
        expected=[Expected(str(e["source"]), str(e["section"])) for e in entry.get("expected", [])],
        key_facts=[[str(p) for p in fact] for fact in entry.get("key_facts", [])],
        diagnosis=[str(d) for d in entry.get("diagnosis", [])],
    )


def headings(markdown: str) -> set[str]:
    return {m.group(1).strip() for m in re.finditer(r"^##\s+(.+?)\s*$", markdown, re.M)}


def validate_gold(items: list[GoldItem], knowledge_dir: Path) -> list[str]:
    """Problems with the set: duplicate ids, unknown headings, key facts absent from the expected docs."""
    from evals.quality.scorers import normalize

    problems: list[str] = []
    seen: set[str] = set()
    for item in items:
        if item.id in seen:
            problems.append(f"{item.id}: duplicate id")
        seen.add(item.id)
        if item.split not in ("dev", "test"):
            problems.append(f"{item.id}: split must be dev or test")
        if item.refuse:
            continue
        if item.chat:
            if item.kind not in CHAT_KINDS or item.expected or item.key_facts:
                problems.append(f"{item.id}: chat items need a kind in {CHAT_KINDS}, no key facts")
            continue
        if item.kind not in KINDS or not item.expected or not item.key_facts:
            problems.append(f"{item.id}: in-scope items need a kind in {KINDS}, expected and key_facts")
        texts = []
        for exp in item.expected:
            path = knowledge_dir / Path(exp.source).name
            if not path.is_file():
                problems.append(f"{item.id}: no such document {exp.source}")
                continue
            text = path.read_text(encoding="utf-8")
            texts.append(normalize(text))
            if exp.section not in headings(text):
                problems.append(f"{item.id}: {exp.source} has no '## {exp.section}' heading")
        corpus = " ".join(texts)
        for fact in item.key_facts:
            if not any(normalize(p) in corpus for p in fact):
                problems.append(f"{item.id}: key fact {fact} appears in none of its expected documents")
    return problems
