"""A planned answer: a lead, cited points, an optional table, and the labels it showed.

Every structured answer (a list, a comparison, a checklist, a diagnosed situation, a case) is laid out
as a :class:`Plan` before it is rendered, whatever the engine, so references back ("the second one")
can point at what the user saw.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from advisor.domain import Cite
from advisor.text import content_words

SUPPORT_WORDS = 110  # a thin plan (one item) is filled with passage sentences up to this length
LONG_SUPPORT_WORDS = 320  # ...and up to this in the long form ("more")
AVOID_WORDS = 2  # a support line sharing this many words only a sibling item uses is about that sibling


@dataclass
class Plan:
    """An answer laid out in advance: a lead, cited points, an optional table, and what it showed."""

    kind: str  # list | comparison | checklist | item | case
    lead: str
    points: list[str] = field(default_factory=list)
    table: list[list[str]] = field(default_factory=list)  # header row first
    more: list[str] = field(default_factory=list)  # extra points shown in the long form only
    long_points: list[str] = field(default_factory=list)  # the points in full, for the long form
    items: list[str] = field(default_factory=list)  # labels the user saw, in order (for "the second one")
    anchors: list[Cite] = field(default_factory=list)  # when set, only these sections' passages support it
    # what the plan is not about (a diagnosed item's siblings): support lines closer to one are skipped
    avoid: list[str] = field(default_factory=list)

    def support(self, lines: Iterable[str], words: int = SUPPORT_WORDS) -> None:
        """Add passage sentences (an engine's answer, line by line) that say something the plan
        does not, as further points, until the answer is about ``words`` long."""
        shown = [set(content_words(t)) for t in (self.lead, *self.points)]
        own = set().union(*shown)
        others = [set(content_words(t)) - own for t in self.avoid]
        total = sum(len(t.split()) for t in (self.lead, *self.points))
        for line in "".join(lines).split("\n"):
            text = line.removeprefix("- ").strip()
            said = set(content_words(re.sub(r"\[\d+\]", "", text)))
            if not said or any(len(said & s) / len(said) > 0.5 for s in shown):
                continue
            if any(len(said & other) >= AVOID_WORDS for other in others):
                continue  # about a sibling of what the plan is about
            if total + len(text.split()) > words:
                break
            self.points.append(text)
            shown.append(said)
            total += len(text.split())

    def render(self, detail: str = "short") -> str:
        lines = [self.lead]
        if self.table:
            header, *rows = self.table
            lines.append("")
            lines.append("| " + " | ".join(header) + " |")
            lines.append("|" + "---|" * len(header))
            lines.extend("| " + " | ".join(cell.replace("|", "/") for cell in row) + " |" for row in rows)
        points = (self.long_points or self.points) + self.more if detail == "long" else self.points
        if points:
            lines.extend(f"- {p}" for p in points)
        return "\n".join(lines)
