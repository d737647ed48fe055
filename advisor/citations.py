"""Citation numbers as the reader sees them: [1] first, then [2], in order of first appearance.

Retrieval numbers passages by rank, and an answer may cite the third passage before the first; a
reader expects [1] to open the answer. :class:`Citations` renumbers an answer's citations as its
pieces stream out (a citation split across two pieces waits for the rest) and renumbers the
passages to match, so sources and text always agree.
"""

from __future__ import annotations

import re
from dataclasses import replace

from advisor.answer import Passage

_CITE = re.compile(r"\[(\d+)\]")
_OPEN = re.compile(r"\[\d*$")  # an unfinished citation at the end of a piece
_LABEL = re.compile(r"^(?:- )?\*\*([^*\n]{2,80}?)\*\*", re.M)


class Citations:
    def __init__(self, passages: list[Passage]) -> None:
        self._passages = passages
        self._known = {p.n for p in passages}
        self._mapping: dict[int, int] = {}
        self._held = ""

    def feed(self, piece: str) -> str:
        """The piece with its citations renumbered (an unfinished one is held for the next piece)."""
        text = self._held + piece
        held = _OPEN.search(text)
        self._held = text[held.start() :] if held else ""
        text = text[: held.start()] if held else text
        return _CITE.sub(self._number, text)

    def flush(self) -> str:
        held, self._held = self._held, ""
        return held

    def passages(self) -> list[Passage]:
        """The passages renumbered to match: cited ones first, in citation order, then the rest."""
        order = sorted(self._mapping, key=self._mapping.__getitem__)
        order += [p.n for p in self._passages if p.n not in self._mapping]
        numbers = {old: new for new, old in enumerate(order, 1)}
        return sorted((replace(p, n=numbers[p.n]) for p in self._passages), key=lambda p: p.n)

    def _number(self, match: re.Match[str]) -> str:
        old = int(match.group(1))
        if old not in self._known:
            return match.group(0)
        if old not in self._mapping:
            self._mapping[old] = len(self._mapping) + 1
        return f"[{self._mapping[old]}]"


def renumber(text: str, passages: list[Passage]) -> tuple[str, list[Passage]]:
    """A whole answer's citations renumbered in order of first appearance, and its passages."""
    citations = Citations(passages)
    text = citations.feed(text) + citations.flush()
    return text, citations.passages()


def shown_labels(text: str) -> list[str]:
    """The bold labels an answer's lines open with, in order (what "the second one" can point to)."""
    return [re.sub(r"^\d+[.)]\s*", "", m.strip()).rstrip(".:") for m in _LABEL.findall(text)]
