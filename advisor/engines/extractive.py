"""The extractive engine: a readable answer made only of retrieved sentences, each with its citation.

The best-ranked passage carries the answer: its most relevant sentence leads, and the rest of it
follows as points in reading order (list introductions keep their items; runs of short items are
joined into one line). Sentences from the next passages are added when they match the question
well and say something new. Scores are overlap with the question (rarer words count more), the
passage's rank and the sentence's place. No language model: deterministic, fast, and grounded by
construction.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from advisor.answer import Passage
from advisor.engines import EngineRequest
from advisor.guard import looks_like_injection
from advisor.registry import Register
from advisor.sessions import Turn
from advisor.text import content_words

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9“\"(*])")
_BULLET = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+")
_LABEL = re.compile(r"^\*\*([^*]+)\*\*$")
SHORT_ITEM = 60
MIN_OVERLAP = 2.0  # an extra point must share at least one fairly rare word with the question
SECOND_PART_UNITS = 3
LONG_BLOCK = 320  # paragraphs longer than this are split into sentences


@dataclass
class Unit:
    text: str
    n: int  # citation number of its passage
    rank: int  # passage rank (0 = best)
    position: int  # place in its passage
    words: set[str] = field(default_factory=set)
    overlap: float = 0.0  # idf-weighted overlap with the question
    score: float = 0.0

    @property
    def is_intro(self) -> bool:
        return self.text.rstrip("*").endswith(":")


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
        if len(text) >= 12 and not looks_like_injection(text):
            units.append(Unit(text, passage.n, rank, len(units), set(content_words(text))))
    return units


class ExtractiveEngine:
    name = "extractive"
    uses_llm = False

    def __init__(self, max_chars: int = 1800, extra_points: int = 4, passages: int = 5) -> None:
        self.max_chars = max_chars
        self.extra_points = extra_points
        self.passages = passages

    def condense(self, question: str, history: list[Turn]) -> str | None:
        return None

    def answer(self, request: EngineRequest) -> Iterator[str]:
        passages = request.passages[: self.passages]
        if not passages:
            return
        # The top-ranked passage leads, with any retrieved neighbour from its section, in reading order.
        top = passages[0]
        group = sorted((p for p in passages if _same_section(p, top)), key=_order)
        main_ranks = {passages.index(p) for p in group}
        units = [u for p in group for u in passage_units(p, 0)]
        units += [
            u for rank, p in enumerate(passages) if rank not in main_ranks for u in passage_units(p, rank)
        ]
        if not units:
            return
        self._score(units, request.query)
        main = [u for u in units if u.rank == 0] or units
        lead = self._lead(main)
        chosen = self._points(units, main, lead, self._second_parts(request, units, main_ranks))
        yield f"{lead.text} [{lead.n}]"
        for unit in chosen:
            yield f"\n- {unit.text} [{unit.n}]"

    @staticmethod
    def _lead(main: list[Unit]) -> Unit:
        """The passage's opening sentence, unless a later one answers the question much better."""
        prose = [u for u in main if not u.is_intro] or main
        first, best = prose[0], max(prose, key=lambda u: u.score)
        return best if best.score - first.score > 1.5 else first

    @staticmethod
    def _score(units: list[Unit], query: str) -> None:
        doc_freq: Counter[str] = Counter()
        for unit in units:
            doc_freq.update(unit.words)
        query_words = set(content_words(query))
        total = len(units)
        for unit in units:
            unit.overlap = sum(math.log(1 + total / doc_freq[w]) for w in query_words & unit.words)
            unit.score = unit.overlap + 2.0 / (1 + unit.rank) + 0.5 / (1 + unit.position)

    @staticmethod
    def _second_parts(request: EngineRequest, units: list[Unit], main_ranks: set[int]) -> list[Unit]:
        """For a multi-part question, the opening of each later part's best passage, in reading order."""
        out: list[Unit] = []
        for head in request.heads[1:]:
            if head in main_ranks:
                continue
            out.extend([u for u in units if u.rank == head][:SECOND_PART_UNITS])
        return out

    def _points(self, units: list[Unit], main: list[Unit], lead: Unit, second: list[Unit]) -> list[Unit]:
        budget = self.max_chars - len(lead.text)
        chosen: list[Unit] = []
        reserve = sum(len(u.text) + 6 for u in second)
        for unit in main:  # the lead's passage, in reading order
            if unit is lead or len(unit.text) + 6 > budget - reserve:
                continue
            chosen.append(unit)
            budget -= len(unit.text) + 6
        while chosen and chosen[-1].is_intro:  # an introduction whose items did not fit
            budget += len(chosen.pop().text) + 6
        for unit in second:
            if len(unit.text) + 6 <= budget:
                chosen.append(unit)
                budget -= len(unit.text) + 6
        # Then the best point of each next-ranked passage that matches the question: when the top
        # passage is not the whole answer (multi-part and paraphrased questions), this is where the
        # rest of it usually is.
        added = 0
        for rank in sorted({u.rank for u in units if u.rank > 0}):
            if added >= self.extra_points:
                break
            candidates = [u for u in units if u.rank == rank and not u.is_intro and u.overlap >= MIN_OVERLAP]
            for unit in sorted(candidates, key=lambda u: -u.score):
                if len(unit.text) + 6 > budget or any(_similar(unit, o) for o in [lead, *chosen]):
                    continue
                chosen.append(unit)
                budget -= len(unit.text) + 6
                added += 1
                break
        return chosen


def _same_section(a: Passage, b: Passage) -> bool:
    return a.source == b.source and a.section == b.section


def _order(p: Passage) -> int:
    return int(p.metadata.get("chunk_index", 0))


def _similar(a: Unit, b: Unit) -> bool:
    if not a.words or not b.words:
        return False
    return len(a.words & b.words) / min(len(a.words), len(b.words)) > 0.7


def register_engines(register: Register) -> None:
    register("extractive", lambda settings: ExtractiveEngine())
