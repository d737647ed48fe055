"""Small arithmetic shared by both workflows."""

from __future__ import annotations

from collections.abc import Iterable

from advisor.workflows.model import Question


def weighted_mean(questions: Iterable[Question], ratings: dict[str, int]) -> float:
    pairs = [(q.weight, ratings[q.id]) for q in questions if q.id in ratings]
    total = sum(w for w, _ in pairs)
    if not total:
        raise ValueError("no rated statements to score")
    return round(sum(w * r for w, r in pairs) / total, 2)
