"""The extractive engine: a readable answer made only of retrieved sentences, each with its citation.

It picks a lead sentence that best answers the question, then the points that add most, scored by
overlap with the question (rarer words count more), the passage's rank and the sentence's place in
its passage. No language model: deterministic, fast, and grounded by construction.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from advisor.config import Settings
from advisor.embeddings import content_words
from advisor.engines import EngineRequest, register_engine
from advisor.guard import looks_like_injection
from advisor.sessions import Turn

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9“\"(])")
_BULLET = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+")
_LIST_QUESTION = re.compile(
    r"\b(what are|which|list|types?|kinds?|factors?|signs?|stages?|steps?|ways?|examples?|how (do|can|should|to)"
    r"|pillars?|reasons?|modes?|benefits?|risks?|tips?|criteria|indicators?)\b", re.I)


@dataclass
class Unit:
    text: str
    n: int  # citation number of its passage
    rank: int  # passage rank (0 = best)
    position: int  # place in its passage
    bullet: bool
    score: float = 0.0


class ExtractiveEngine:
    name = "extractive"
    uses_llm = False

    def __init__(self, max_chars: int = 1100, max_points: int = 7, passages: int = 4) -> None:
        self.max_chars = max_chars
        self.max_points = max_points
        self.passages = passages

    def condense(self, question: str, history: list[Turn]) -> str | None:
        return None

    def answer(self, request: EngineRequest) -> Iterator[str]:
        units = self._units(request)
        if not units:
            return
        self._score(units, request.query)
        lead = self._lead(units)
        points = self._points(units, lead, request.query)
        yield f"{lead.text} [{lead.n}]"
        for unit in points:
            yield f"\n- {unit.text} [{unit.n}]"

    def _units(self, request: EngineRequest) -> list[Unit]:
        units: list[Unit] = []
        seen: set[str] = set()
        for rank, passage in enumerate(request.passages[: self.passages]):
            position = 0
            for block in passage.text.split("\n"):
                block = block.strip()
                if not block:
                    continue
                bullet = bool(_BULLET.match(block))
                pieces = [_BULLET.sub("", block)] if bullet else _SENTENCE.split(block)
                for piece in pieces:
                    piece = piece.strip()
                    key = piece.lower()
                    if len(piece) < 12 or key in seen or looks_like_injection(piece):
                        continue
                    seen.add(key)
                    units.append(Unit(piece, passage.n, rank, position, bullet))
                    position += 1
        return units

    def _score(self, units: list[Unit], query: str) -> None:
        doc_freq: Counter[str] = Counter()
        unit_words = [set(content_words(u.text)) for u in units]
        for words in unit_words:
            doc_freq.update(words)
        query_words = set(content_words(query))
        total = len(units)
        for unit, words in zip(units, unit_words, strict=True):
            overlap = sum(math.log(1 + total / doc_freq[w]) for w in query_words & words)
            unit.score = overlap + 2.0 / (1 + unit.rank) + 0.6 / (1 + unit.position)

    def _lead(self, units: list[Unit]) -> Unit:
        prose = [u for u in units if not u.bullet and not u.text.endswith(":")] or units
        return max(prose, key=lambda u: u.score + (1.0 if u.rank == 0 else 0.0))

    def _points(self, units: list[Unit], lead: Unit, query: str) -> list[Unit]:
        wants_list = bool(_LIST_QUESTION.search(query))
        top_rank = lead.rank
        candidates = [u for u in units if u is not lead]
        # The lead's own passage comes first (its bullets whole when the question asks for a list),
        # then the best of the rest.
        own = [u for u in candidates if u.rank == top_rank and (u.bullet and wants_list or u.score > 2.5)]
        others = sorted((u for u in candidates if u not in own), key=lambda u: -u.score)
        chosen: list[Unit] = []
        budget = self.max_chars - len(lead.text)
        for unit in own + [u for u in others if u.score > 2.6]:
            if len(chosen) >= self.max_points or len(unit.text) + 6 > budget:
                continue
            chosen.append(unit)
            budget -= len(unit.text) + 6
        return sorted(chosen, key=lambda u: (u.rank != top_rank, u.rank, u.position))


register_engine("extractive", lambda settings: ExtractiveEngine())


def make(settings: Settings) -> ExtractiveEngine:
    return ExtractiveEngine()
