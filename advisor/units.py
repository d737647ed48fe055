"""Answer units: the sentences, list items and labelled paragraphs a passage is read as.

The extractive engine builds answers from these units, and ingest embeds the same units ahead of
time (:mod:`advisor.sentences`) so that the lead sentence can be chosen by meaning without embedding
anything at question time. Both must split a passage the same way: this module is the one place
that does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from advisor.answer import Passage
from advisor.text import content_words

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9“\"(*])")
# Sentence ends for the short form: not after a list number ("**5. Persistent") or an abbreviation.
_SHORT_SENTENCE = re.compile(r"(?<!\b\d\.)(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\bvs\.)(?<=[.!?])\s+(?=[A-Z“\"(*])")
_BULLET = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+")
_LABEL = re.compile(r"^\*\*([^*]+)\*\*$")
UNIT_LABEL = re.compile(r"^\*\*([^*]+?)[.:]?\*\*")  # a labelled paragraph's unit ("**Label:** text")
_FOLLOWING = re.compile(r"^(the\s+)?following\b|\bthe\s+following\s+(\w+\s+){0,2}(are|is|include)\b", re.I)
_ELSEWHERE = re.compile(
    r"\b(is|are)\s+(described|covered|discussed|explained|set\s+out)\s+in\s+(the|this|another)\b"
    r"[^.]*\b(document|section|article|chapter|page)\b",
    re.I,
)
POINTER_WORDS = 25  # a sentence this short that points elsewhere says nothing itself
SHORT_ITEM = 60
LONG_BLOCK = 320  # paragraphs longer than this are split into sentences
SHORT_UNIT = 200  # longer prose units are split into sentences for the short form


@dataclass
class Unit:
    text: str
    n: int  # citation number of its passage
    rank: int  # passage rank (0 = best)
    position: float  # place in its passage
    words: set[str] = field(default_factory=set)
    overlap: float = 0.0  # idf-weighted overlap with the question
    score: float = 0.0

    @property
    def is_intro(self) -> bool:
        """Introduces what follows ("...include:", "The following seven signs ...") or only points
        elsewhere ("... are described in the governance document"): not a point."""
        return (
            self.text.rstrip("*").endswith(":")
            or bool(_FOLLOWING.search(self.text))
            or (bool(_ELSEWHERE.search(self.text)) and len(self.text.split()) <= POINTER_WORDS)
        )


def passage_units(passage: Passage, rank: int) -> list[Unit]:
    """Split a passage into answer units: sentences, list items, labelled paragraphs."""
    texts: list[str] = []
    label = ""
    short_run: list[str] = []

    def flush_run() -> None:
        if not short_run:
            return
        items = [s.rstrip(";,. ") for s in short_run]
        joined = "; ".join(items) + "."
        if len(items) > 1 and texts and texts[-1].endswith(":"):
            texts[-1] = f"{texts[-1]} {joined}"
        else:
            texts.extend(s if s.endswith((".", "!", "?")) else s + "." for s in short_run)
        short_run.clear()

    for block in passage.text.split("\n"):
        block = block.strip()
        if not block:
            continue
        if block.startswith("|") and block.endswith("|"):
            flush_run()  # a table row: its cells are not a sentence to show (the prose says it)
            continue
        heading = _LABEL.match(block)
        if heading:
            flush_run()
            label = heading.group(1).strip()
            continue
        if _BULLET.match(block):
            item = _BULLET.sub("", block).strip()
            if len(item) <= SHORT_ITEM:
                short_run.append(item)
                continue
            flush_run()
            pieces = [item]
        else:
            flush_run()
            pieces = [block] if len(block) <= LONG_BLOCK else _SENTENCE.split(block)
        for piece in pieces:
            piece = " ".join(piece.split())
            if label:
                piece = f"**{label.rstrip('.:')}:** {piece}"
                label = ""
            texts.append(piece)
    flush_run()
    units: list[Unit] = []
    for text in texts:
        if len(text) >= 12:
            units.append(Unit(text, passage.n, rank, len(units), set(content_words(text))))
    return units


def sentences_of(unit: Unit) -> list[Unit]:
    """A long prose unit as its sentences (a list introduction with its items stays whole)."""
    if len(unit.text) <= SHORT_UNIT:
        return [unit]
    pieces = [p for p in _SHORT_SENTENCE.split(unit.text) if len(p) >= 12]
    if len(pieces) <= 1:
        return [unit]
    return [
        Unit(p, unit.n, unit.rank, unit.position + i / 10, set(content_words(p)))
        for i, p in enumerate(pieces)
    ]


def answer_sentences(text: str) -> list[str]:
    """Every unit text the short form can show for a chunk of this text (what ingest embeds)."""
    passage = Passage(n=1, id="", text=text, metadata={}, score=0.0, similarity=0.0)
    return [piece.text for unit in passage_units(passage, 0) for piece in sentences_of(unit)]


def paragraph_about(passage: Passage, labels: list[str]) -> list[str]:
    """The sentences of the passage's paragraph labelled with one of these names ("**2. Persistent
    governance dysfunction**" for the item of that name), without the label; empty when no
    paragraph is labelled so. (A plan's support drops those that say what it already says.)"""
    wanted = [set(content_words(label)) for label in labels if content_words(label)]
    for unit in passage_units(passage, 0):
        label = UNIT_LABEL.match(unit.text)
        if label and any(words <= set(content_words(label.group(1))) for words in wanted):
            pieces = _SHORT_SENTENCE.split(unit.text[label.end() :].lstrip(" :"))
            return [p for p in pieces if len(p) >= 12]
    return []
