"""Vocabulary of the guided workflows: citations, questions, the loaded data and the reports.

Imports nothing of the project, so every other workflows module can depend on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SCORECARD = "scorecard"
HEALTH = "health"
WORKFLOW_NAMES = (SCORECARD, HEALTH)
# The conditions a health verdict rule may use (schema: knowledge/_domain/README.md).
VERDICT_CONDITIONS = frozenset(
    {"high_exit_signs_at_least", "any_high_in", "findings_at_least", "overall_below", "always"}
)


@dataclass(frozen=True)
class Citation:
    """A ``## `` section of a knowledge-base document (``doc`` is a file name in ``knowledge/``)."""

    doc: str
    section: str

    def to_json(self) -> dict[str, str]:
        return {"doc": self.doc, "section": self.section}

    def label(self) -> str:
        return f"knowledge/{self.doc} § {self.section}"


def merge_citations(*groups: tuple[Citation, ...] | list[Citation]) -> tuple[Citation, ...]:
    """The citations of all groups, in order, without repeats."""
    seen: dict[Citation, None] = {}
    for group in groups:
        for cite in group:
            seen.setdefault(cite, None)
    return tuple(seen)


@dataclass(frozen=True)
class Scale:
    min: int
    max: int
    low_label: str
    high_label: str


@dataclass(frozen=True)
class Question:
    """One statement to rate. ``group`` is the factor id (scorecard) or the signalled items (health)."""

    id: str
    text: str
    weight: float
    group: tuple[str, ...]

    def to_json(self, scale: Scale) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "weight": self.weight,
            "group": list(self.group),
            "min": scale.min,
            "max": scale.max,
        }


@dataclass(frozen=True)
class Answers:
    """Validated ratings (question id -> rating) and optional notes (question id -> text)."""

    ratings: dict[str, int]
    notes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Advice:
    text: str
    cites: tuple[Citation, ...]


# --- data read from knowledge/_domain/workflows.yaml (+ lists.yaml) -------------------------------


@dataclass(frozen=True)
class Factor:
    id: str
    name: str
    red_flag_below: float
    red_flag: str
    guidance: str
    cites: tuple[Citation, ...]


@dataclass(frozen=True)
class Interaction:
    id: str
    high: tuple[str, ...]
    low: tuple[str, ...]
    text: str
    cites: tuple[Citation, ...]


@dataclass(frozen=True)
class Band:
    id: str
    label: str
    min_score: float
    max_red_flags: int
    text: str
    cites: tuple[Citation, ...]


@dataclass(frozen=True)
class NextStep:
    id: str
    factor: str | None
    text: str
    cites: tuple[Citation, ...]


@dataclass(frozen=True)
class ScorecardSpec:
    title: str
    intro: str
    scale: Scale
    factors: tuple[Factor, ...]
    questions: tuple[Question, ...]
    interactions: tuple[Interaction, ...]
    bands: tuple[Band, ...]
    next_steps: tuple[NextStep, ...]
    high_at_least: float


@dataclass(frozen=True)
class Item:
    """An item of a lists.yaml list that a health statement signals (a failure mode, an exit sign ...)."""

    id: str
    name: str
    list_id: str
    list_title: str
    kind: str  # "failure mode", "exit sign" or "governance basic", for reports
    summary: str
    advice: str | None
    cites: tuple[Citation, ...]


@dataclass(frozen=True)
class Severity:
    below: float
    level: str


@dataclass(frozen=True)
class VerdictRule:
    id: str
    label: str
    when: dict[str, Any]
    reason: str
    cites: tuple[Citation, ...]


@dataclass(frozen=True)
class HealthSpec:
    title: str
    intro: str
    scale: Scale
    questions: tuple[Question, ...]
    items: tuple[Item, ...]  # the findings' items, in data order
    severity: tuple[Severity, ...]
    verdicts: tuple[VerdictRule, ...]
    next_90_days: dict[str, tuple[Advice, ...]]
    exit_sign_list: str = "exit-signs"


@dataclass(frozen=True)
class WorkflowData:
    scorecard: ScorecardSpec
    health: HealthSpec

    def spec(self, workflow: str) -> ScorecardSpec | HealthSpec:
        return self.scorecard if workflow == SCORECARD else self.health
