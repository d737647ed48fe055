"""Guided workflows: a partner scorecard and an alliance health check, driven by knowledge/_domain data.

    from advisor.workflows import Workflows, to_markdown
    workflows = Workflows.from_settings(settings)
    report = workflows.submit("scorecard", ratings, team="local", user="me", subject="Acme")

Modules: ``model`` (vocabulary), ``data`` (YAML loader), ``answers`` (validation), ``scorecard`` and
``health`` (scoring), ``markdown`` and ``chart`` (export), ``store`` (SQLite history), ``service``
(the facade the edges use). Nothing here knows about terminals or Slack.
"""

from advisor.workflows.answers import parse_rating, read_answers_file, validate
from advisor.workflows.chart import write_chart
from advisor.workflows.data import domain_dir, load_workflows
from advisor.workflows.errors import AnswersError, MissingExtraError, WorkflowDataError
from advisor.workflows.health import HealthReport, assess_health
from advisor.workflows.markdown import to_markdown
from advisor.workflows.model import HEALTH, SCORECARD, WORKFLOW_NAMES, Answers, Citation, Question
from advisor.workflows.scorecard import ScorecardReport, score_scorecard
from advisor.workflows.service import SUBJECT, Report, Workflows
from advisor.workflows.store import ResultStore, StoredResult

__all__ = [
    "HEALTH",
    "SCORECARD",
    "SUBJECT",
    "WORKFLOW_NAMES",
    "Answers",
    "AnswersError",
    "Citation",
    "HealthReport",
    "MissingExtraError",
    "Question",
    "Report",
    "ResultStore",
    "ScorecardReport",
    "StoredResult",
    "WorkflowDataError",
    "Workflows",
    "assess_health",
    "domain_dir",
    "load_workflows",
    "parse_rating",
    "read_answers_file",
    "score_scorecard",
    "to_markdown",
    "validate",
    "write_chart",
]
