"""The workflows as one object for the edges: questions, validation, scoring, storage and trend.

    workflows = Workflows.from_settings(settings)
    report = workflows.submit("health", {"h-jsc": 2, ...}, team="T1", user="U1", subject="Acme JV")
    print(to_markdown(report))

Bad answers raise AnswersError before anything is stored.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from advisor.workflows.answers import validate
from advisor.workflows.data import domain_dir, load_workflows
from advisor.workflows.errors import AnswersError
from advisor.workflows.health import HealthReport, assess_health
from advisor.workflows.model import HEALTH, SCORECARD, WORKFLOW_NAMES, Answers, Question, Scale, WorkflowData
from advisor.workflows.scorecard import ScorecardReport, score_scorecard
from advisor.workflows.store import ResultStore, StoredResult

Report = ScorecardReport | HealthReport
SUBJECT = "subject"  # the problems key for the alliance/partner name
MAX_SUBJECT_CHARS = 120


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Workflows:
    def __init__(
        self, data: WorkflowData, store: ResultStore | None = None, clock: Callable[[], str] = utc_now
    ) -> None:
        self.data = data
        self.store = store
        self.clock = clock

    @classmethod
    def from_settings(cls, settings: Any) -> Workflows:
        return cls(load_workflows(domain_dir(settings.knowledge_dir)), ResultStore.for_settings(settings))

    def title(self, workflow: str) -> str:
        return self.data.spec(_name(workflow)).title

    def questions(self, workflow: str) -> tuple[Question, ...]:
        return self.data.spec(_name(workflow)).questions

    def topics(self, workflow: str) -> dict[str, str]:
        """What each statement is about (a factor, or the items it signals), for headings."""
        if _name(workflow) == SCORECARD:
            names = {f.id: f.name for f in self.data.scorecard.factors}
        else:
            names = {i.id: i.name for i in self.data.health.items}
        return {q.id: ", ".join(names[g] for g in q.group) for q in self.questions(workflow)}

    def scale(self, workflow: str) -> Scale:
        return self.data.spec(_name(workflow)).scale

    def intro(self, workflow: str) -> str:
        return self.data.spec(_name(workflow)).intro

    def questions_json(self, workflow: str) -> list[dict[str, Any]]:
        spec = self.data.spec(_name(workflow))
        return [q.to_json(spec.scale) for q in spec.questions]

    def check(
        self,
        workflow: str,
        raw: Mapping[str, Any],
        subject: str | None = None,
        *,
        require_subject: bool = False,
    ) -> tuple[Answers, str]:
        """Validated answers and the cleaned subject; one AnswersError listing every problem."""
        spec = self.data.spec(_name(workflow))
        problems: dict[str, str] = {}
        messages: list[str] = []
        answers = None
        try:
            answers = validate(raw, spec.questions, spec.scale, title=spec.title.lower())
        except AnswersError as exc:
            problems.update(exc.problems)
            messages.append(str(exc))
        clean = " ".join((subject or "").split())
        if require_subject and not clean:
            problems[SUBJECT] = "Please name the partner or alliance."
            messages.append("no partner or alliance name given")
        elif len(clean) > MAX_SUBJECT_CHARS:
            problems[SUBJECT] = f"Please keep the name under {MAX_SUBJECT_CHARS} characters."
            messages.append(f"the name is longer than {MAX_SUBJECT_CHARS} characters")
        if messages or answers is None:
            raise AnswersError("; ".join(messages), problems)
        return answers, clean

    def evaluate(self, workflow: str, answers: Answers, subject: str = "") -> Report:
        if _name(workflow) == SCORECARD:
            return score_scorecard(self.data.scorecard, answers, subject)
        return assess_health(self.data.health, answers, subject)

    def submit(
        self,
        workflow: str,
        raw: Mapping[str, Any],
        *,
        team: str,
        user: str,
        subject: str | None = None,
        require_subject: bool = False,
    ) -> Report:
        """Validate, score, add the subject's trend and store the result (when a subject is named)."""
        answers, clean = self.check(workflow, raw, subject, require_subject=require_subject)
        report = self.evaluate(workflow, answers, clean)
        if self.store is None or not clean:
            return report
        history = self.store.history(team=team, user=user, workflow=report.workflow, subject=clean)
        report.trend = [r.trend_point() for r in history]
        report.result_id = self.store.add(
            StoredResult(
                team=team,
                user=user,
                workflow=report.workflow,
                subject=clean,
                created_at=self.clock(),
                overall=report.overall,
                outcome=report.outcome,
                outcome_label=report.outcome_label,
                report=report.to_json(),
            )
        )
        return report

    def stored(self, result_id: int) -> StoredResult | None:
        """A stored result by id (for sharing a report later), or None."""
        return self.store.get(result_id) if self.store is not None else None


def _name(workflow: str) -> str:
    if workflow not in WORKFLOW_NAMES:
        raise ValueError(f"unknown workflow {workflow!r}; choose {' or '.join(WORKFLOW_NAMES)}")
    return workflow


__all__ = ["HEALTH", "SCORECARD", "Report", "Workflows"]
