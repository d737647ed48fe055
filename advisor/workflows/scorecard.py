"""The partner scorecard: score a candidate partner on the four partner-selection factors.

A factor's score is the weighted mean of its statements; below the factor's ``red_flag_below`` it is a
red flag and its guidance is reported. Interactions (risky combinations of strong and weak factors),
the band (first matching, in data order) and the due-diligence next steps all come from the data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from advisor.workflows.model import (
    SCORECARD,
    Answers,
    Band,
    Citation,
    Factor,
    ScorecardSpec,
    merge_citations,
)
from advisor.workflows.scoring import weighted_mean


@dataclass(frozen=True)
class FactorScore:
    factor: Factor
    score: float
    red_flag: bool
    high: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.factor.id,
            "name": self.factor.name,
            "score": self.score,
            "red_flag": self.red_flag,
            "guidance": self.factor.guidance if self.red_flag else None,
            "sources": [c.to_json() for c in self.factor.cites],
        }


@dataclass(frozen=True)
class Point:
    """A line of the report (red flag, interaction, next step) with its citations."""

    text: str
    cites: tuple[Citation, ...]
    id: str = ""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id} if self.id else {}
        return {**out, "text": self.text, "sources": [c.to_json() for c in self.cites]}


@dataclass
class ScorecardReport:
    title: str
    factors: list[FactorScore]
    overall: float
    band: Band
    red_flags: list[Point]
    interactions: list[Point]
    next_steps: list[Point]
    notes: dict[str, str] = field(default_factory=dict)
    subject: str = ""
    trend: list[dict[str, Any]] = field(default_factory=list)
    result_id: int | None = None  # set once stored

    workflow = SCORECARD

    @property
    def outcome(self) -> str:
        return self.band.id

    @property
    def outcome_label(self) -> str:
        return self.band.label

    def citations(self) -> tuple[Citation, ...]:
        return merge_citations(
            *(f.factor.cites for f in self.factors if f.red_flag),
            self.band.cites,
            *(p.cites for p in self.interactions),
            *(p.cites for p in self.next_steps),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "workflow": self.workflow,
            "title": self.title,
            "subject": self.subject,
            "factors": [f.to_json() for f in self.factors],
            "overall": self.overall,
            "band": {
                "id": self.band.id,
                "label": self.band.label,
                "text": self.band.text,
                "sources": [c.to_json() for c in self.band.cites],
            },
            "red_flags": [p.to_json() for p in self.red_flags],
            "interactions": [p.to_json() for p in self.interactions],
            "next_steps": [p.to_json() for p in self.next_steps],
            "notes": dict(self.notes),
            "trend": list(self.trend),
        }


def score_scorecard(spec: ScorecardSpec, answers: Answers, subject: str = "") -> ScorecardReport:
    """Score validated answers (see ``answers.validate``) against the scorecard data."""
    scores = [_factor_score(spec, f, answers) for f in spec.factors]
    overall = weighted_mean(spec.questions, answers.ratings)
    flags = [s for s in scores if s.red_flag]
    return ScorecardReport(
        title=spec.title,
        factors=scores,
        overall=overall,
        band=_band(spec, overall, len(flags)),
        red_flags=[Point(s.factor.red_flag, s.factor.cites, s.factor.id) for s in flags],
        interactions=_interactions(spec, scores),
        next_steps=_next_steps(spec, scores),
        notes=dict(answers.notes),
        subject=subject,
    )


def _factor_score(spec: ScorecardSpec, factor: Factor, answers: Answers) -> FactorScore:
    score = weighted_mean((q for q in spec.questions if q.group[0] == factor.id), answers.ratings)
    return FactorScore(
        factor=factor,
        score=score,
        red_flag=score < factor.red_flag_below,
        high=score >= spec.high_at_least,
    )


def _band(spec: ScorecardSpec, overall: float, red_flags: int) -> Band:
    for band in spec.bands:
        if overall >= band.min_score and red_flags <= band.max_red_flags:
            return band
    return spec.bands[-1]  # the data's last band is the catch-all


def _interactions(spec: ScorecardSpec, scores: list[FactorScore]) -> list[Point]:
    by_id = {s.factor.id: s for s in scores}
    return [
        Point(i.text, i.cites, i.id)
        for i in spec.interactions
        if all(by_id[f].high for f in i.high) and all(by_id[f].red_flag for f in i.low)
    ]


def _next_steps(spec: ScorecardSpec, scores: list[FactorScore]) -> list[Point]:
    """Steps for every factor not yet strong, weakest first, then the general steps."""
    open_factors = sorted((s for s in scores if not s.high), key=lambda s: s.score)
    steps = [
        Point(n.text, n.cites, n.id) for s in open_factors for n in spec.next_steps if n.factor == s.factor.id
    ]
    return steps + [Point(n.text, n.cites, n.id) for n in spec.next_steps if n.factor is None]
