"""Thumbs-down feedback turned into gold-set candidates for a person to review.

    advisor eval --from-feedback candidates.yaml

Each downvoted answer becomes one YAML entry with the question, the answer that was given, the ids
it cited and ``needs_review: true``. No key facts, expected sections or split are invented: a
reviewer writes them from the knowledge base (or marks the item ``expect: refuse``) before moving
it into evals/gold.yaml.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import yaml

from advisor.feedback import Feedback, FeedbackStore


def candidate(item: Feedback) -> dict:
    digest = hashlib.sha256(f"{item.question}\x00{item.answer}".encode()).hexdigest()[:8]
    return {
        "id": f"fb-{digest}",
        "question": item.question,
        "answer_given": item.answer,
        "cited_ids": list(item.source_ids),
        "engine": item.engine,
        "needs_review": True,
    }


def candidates(feedback: list[Feedback]) -> list[dict]:
    """One candidate per distinct (question, answer) pair, in the order first voted."""
    seen: set[str] = set()
    out = []
    for item in feedback:
        entry = candidate(item)
        if entry["id"] not in seen:
            seen.add(entry["id"])
            out.append(entry)
    return out


def export_candidates(settings, out: Path) -> int:
    entries = candidates(FeedbackStore.from_settings(settings).downvoted())
    header = (
        "# Gold-set candidates from thumbs-down feedback. Review each one: write its expected\n"
        "# source/section and key facts from the knowledge base (or `expect: refuse`), pick a split,\n"
        "# drop `answer_given`/`needs_review`, then move it into evals/gold.yaml.\n"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    body = yaml.safe_dump({"candidates": entries}, sort_keys=False, allow_unicode=True, width=110)
    out.write_text(header + body, encoding="utf-8")
    return len(entries)
