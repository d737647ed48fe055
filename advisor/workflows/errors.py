"""Errors of the guided workflows, children of the advisor's tree (see ``advisor.errors``).

    AdvisorError
    ├── ConfigError
    │   ├── WorkflowDataError   workflows.yaml / lists.yaml is missing or inconsistent
    │   └── MissingExtraError   an optional package (matplotlib, for charts) is not installed
    └── InputError
        └── AnswersError        ratings that cannot be scored (unknown id, out of range, missing)

``AnswersError.problems`` maps a question id to what is wrong with its answer, so a form (a Slack
modal) can show each message beside its field; ``str(error)`` is one line for a terminal.
"""

from __future__ import annotations

from advisor.errors import ConfigError, InputError


class WorkflowDataError(ConfigError):
    """The workflow data cannot be loaded; the message names the file and the problem."""


class MissingExtraError(ConfigError):
    """An optional dependency is missing; the message says what to install."""


class AnswersError(InputError):
    """Answers that cannot be scored. Nothing is stored when this is raised."""

    def __init__(self, message: str, problems: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.problems = dict(problems or {})
