"""The alliance health check: findings, a verdict and a 90-day plan for a running alliance.

Each statement signals items of lists.yaml (failure modes, exit signs, governance basics). An item's
score is the weighted mean of the statements that signal it; the first severity rule it falls below
makes it a finding. Verdict rules are tried in data order and a rule matches when any of its
conditions holds (see ``CONDITIONS``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from advisor.workflows.model import (
    HEALTH,
    Advice,
    Answers,
    Citation,
    HealthSpec,
    Item,
    VerdictRule,
    merge_citations,
)
from advisor.workflows.scoring import weighted_mean

HIGH = "high"  # the severity level the verdict conditions count
WATCH_ITEMS = 3  # with no finding but a verdict other than the fallback, plan for the weakest items


@dataclass(frozen=True)
class ItemScore:
    item: Item
    score: float
    severity: str | None  # None: not a finding


@dataclass(frozen=True)
class Finding:
    item: Item
    score: float
    severity: str
    countermeasure: Advice | None

    @property
    def cites(self) -> tuple[Citation, ...]:
        return merge_citations(self.item.cites, self.countermeasure.cites if self.countermeasure else ())

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.item.id,
            "name": self.item.name,
            "list": self.item.list_id,
            "kind": self.item.kind,
            "severity": self.severity,
            "score": self.score,
            "summary": self.item.summary,
            "countermeasure": self.countermeasure.text if self.countermeasure else None,
            "sources": [c.to_json() for c in self.cites],
        }


@dataclass(frozen=True)
class Action:
    text: str
    cites: tuple[Citation, ...]
    item: str

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "for": self.item, "sources": [c.to_json() for c in self.cites]}


@dataclass
class HealthReport:
    title: str
    overall: float
    verdict: VerdictRule
    reasons: list[str]
    findings: list[Finding]
    next_90_days: list[Action]
    scores: list[ItemScore]
    notes: dict[str, str] = field(default_factory=dict)
    subject: str = ""
    trend: list[dict[str, Any]] = field(default_factory=list)
    result_id: int | None = None  # set once stored

    workflow = HEALTH

    @property
    def outcome(self) -> str:
        return self.verdict.id

    @property
    def outcome_label(self) -> str:
        return self.verdict.label

    def citations(self) -> tuple[Citation, ...]:
        return merge_citations(
            self.verdict.cites, *(f.cites for f in self.findings), *(a.cites for a in self.next_90_days)
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "workflow": self.workflow,
            "title": self.title,
            "subject": self.subject,
            "overall": self.overall,
            "verdict": self.verdict.id,
            "verdict_label": self.verdict.label,
            "reasons": list(self.reasons),
            "verdict_sources": [c.to_json() for c in self.verdict.cites],
            "findings": [f.to_json() for f in self.findings],
            "next_90_days": [a.to_json() for a in self.next_90_days],
            "scores": {s.item.id: s.score for s in self.scores},
            "notes": dict(self.notes),
            "trend": list(self.trend),
        }


def assess_health(spec: HealthSpec, answers: Answers, subject: str = "") -> HealthReport:
    """Assess validated answers (see ``answers.validate``) against the health-check data."""
    scores = _item_scores(spec, answers)
    rank = {s.level: n for n, s in enumerate(spec.severity)}
    findings = sorted(
        (Finding(s.item, s.score, s.severity, _countermeasure(spec, s.item)) for s in scores if s.severity),
        key=lambda f: rank[f.severity],
    )
    overall = weighted_mean(spec.questions, answers.ratings)
    verdict, reasons = _verdict(spec, findings, overall)
    return HealthReport(
        title=spec.title,
        overall=overall,
        verdict=verdict,
        reasons=reasons,
        findings=findings,
        next_90_days=_plan(spec, findings, scores, verdict),
        scores=scores,
        notes=dict(answers.notes),
        subject=subject,
    )


def _item_scores(spec: HealthSpec, answers: Answers) -> list[ItemScore]:
    out = []
    for item in spec.items:
        questions = [q for q in spec.questions if item.id in q.group and q.id in answers.ratings]
        if not questions:
            continue
        score = weighted_mean(questions, answers.ratings)
        level = next((s.level for s in spec.severity if score < s.below), None)
        out.append(ItemScore(item, score, level))
    return out


def _countermeasure(spec: HealthSpec, item: Item) -> Advice | None:
    if item.advice:
        return Advice(item.advice, item.cites)
    actions = spec.next_90_days.get(item.id)
    return actions[0] if actions else None


def _verdict(spec: HealthSpec, findings: list[Finding], overall: float) -> tuple[VerdictRule, list[str]]:
    for rule in spec.verdicts:
        reasons = _matched(rule.when, findings, overall, spec.exit_sign_list)
        if reasons:
            return rule, [*reasons, rule.reason]
    raise ValueError("no verdict rule matched; the data's last rule should have `always: true`")


def _matched(when: dict[str, Any], findings: list[Finding], overall: float, exit_list: str) -> list[str]:
    """One plain sentence per condition of ``when`` that holds."""
    high = [f for f in findings if f.severity == HIGH]
    reasons = []
    if "high_exit_signs_at_least" in when:
        signs = [f.item.name for f in high if f.item.list_id == exit_list]
        if len(signs) >= int(when["high_exit_signs_at_least"]):
            reasons.append(f"{len(signs)} exit signs are alarming: {', '.join(signs)}.")
    if "any_high_in" in when:
        hits = [f.item.name for f in high if f.item.id in when["any_high_in"]]
        if hits:
            reasons.append(f"Alarming: {', '.join(hits)}.")
    if "findings_at_least" in when and len(findings) >= int(when["findings_at_least"]):
        reasons.append(f"{len(findings)} finding(s): {', '.join(f.item.name for f in findings)}.")
    if "overall_below" in when and overall < float(when["overall_below"]):
        reasons.append(f"The overall score {overall:.2f} is below {float(when['overall_below']):.1f}.")
    if when.get("always") and not reasons:
        reasons.append("No failure mode or exit sign was rated as a concern.")
    return reasons


def _plan(
    spec: HealthSpec, findings: list[Finding], scores: list[ItemScore], verdict: VerdictRule
) -> list[Action]:
    targets = [f.item.id for f in findings]
    if not targets and verdict is not spec.verdicts[-1]:
        targets = [s.item.id for s in sorted(scores, key=lambda s: s.score)[:WATCH_ITEMS]]
    if not targets:
        return [Action(verdict.reason, verdict.cites, "")]
    seen: set[str] = set()
    plan = []
    for item_id in targets:
        for advice in spec.next_90_days.get(item_id, ()):
            if advice.text not in seen:
                seen.add(advice.text)
                plan.append(Action(advice.text, advice.cites, item_id))
    return plan
