"""Turn raw answers (a file, a form, typed keys) into validated ratings, or one clear AnswersError.

An answers file is YAML or JSON: a mapping of question id to a whole-number rating, or to
``{rating: N, note: "..."}`` to keep a note with the rating. Every question must be answered.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from advisor.workflows.errors import AnswersError
from advisor.workflows.model import Answers, Question, Scale

MAX_NOTE_CHARS = 2000
_SHOWN = 5  # how many ids a one-line message names before "and N more"


def parse_rating(value: Any, scale: Scale) -> int:
    """A whole number within the scale; raises ValueError with a message for a person."""
    if isinstance(value, bool):
        raise ValueError(_range(scale, value))
    if isinstance(value, str):
        value = value.strip()
        if not value.lstrip("-").isdigit():
            raise ValueError(_range(scale, value))
        value = int(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or not scale.min <= value <= scale.max:
        raise ValueError(_range(scale, value))
    return value


def _range(scale: Scale, value: Any) -> str:
    return f"must be a whole number from {scale.min} to {scale.max}, got {value!r}"


def validate(
    raw: Mapping[str, Any],
    questions: Sequence[Question],
    scale: Scale,
    *,
    title: str = "this workflow",
    require_all: bool = True,
) -> Answers:
    """Check every id and rating of ``raw`` (id -> rating or {rating, note}) against the questions."""
    known = {q.id for q in questions}
    ratings: dict[str, int] = {}
    notes: dict[str, str] = {}
    problems: dict[str, str] = {}
    unknown = [str(k) for k in raw if k not in known]
    for qid, value in raw.items():
        if qid not in known:
            continue
        rating, note = (
            (value.get("rating"), value.get("note")) if isinstance(value, Mapping) else (value, None)
        )
        try:
            ratings[qid] = parse_rating(rating, scale)
        except ValueError as exc:
            problems[qid] = f"rating {exc}"
        if note is not None and str(note).strip():
            notes[qid] = str(note).strip()[:MAX_NOTE_CHARS]
    missing = [q.id for q in questions if q.id not in raw] if require_all else []
    if unknown or problems or missing:
        raise AnswersError(
            _message(title, unknown, problems, missing, len(questions)), _fields(problems, missing)
        )
    return Answers(ratings=ratings, notes=notes)


def _message(title: str, unknown: list[str], problems: dict[str, str], missing: list[str], total: int) -> str:
    parts = []
    if unknown:
        parts.append(f"unknown question id(s) for the {title}: {_names(unknown)}")
    if problems:
        qid, why = next(iter(problems.items()))
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        parts.append(f"{qid}: {why}{more}")
    if missing:
        parts.append(f"{len(missing)} of {total} questions not answered: {_names(missing)}")
    return "; ".join(parts)


def _names(ids: list[str]) -> str:
    shown = ", ".join(ids[:_SHOWN])
    return shown + (f" and {len(ids) - _SHOWN} more" if len(ids) > _SHOWN else "")


def _fields(problems: dict[str, str], missing: list[str]) -> dict[str, str]:
    fields = dict(problems)
    for qid in missing:
        fields[qid] = "Please choose a rating."
    return fields


def read_answers_file(path: Path) -> dict[str, Any]:
    """The mapping in a YAML or JSON answers file; AnswersError if unreadable, empty or not a mapping."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise AnswersError(f"cannot read answers file {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise AnswersError(f"answers file {path} is not UTF-8 text") from None
    if not text.strip():
        raise AnswersError(f"answers file {path} is empty: expected a mapping of question id to a rating")
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        kind = "JSON" if path.suffix.lower() == ".json" else "YAML"
        first = str(exc).splitlines()[0] if str(exc) else kind
        raise AnswersError(f"answers file {path} is not valid {kind}: {first}") from None
    if data is None:
        raise AnswersError(f"answers file {path} is empty: expected a mapping of question id to a rating")
    if not isinstance(data, dict):
        raise AnswersError(
            f"answers file {path} must map question ids to ratings, not be a {type(data).__name__}"
        )
    return {str(k): v for k, v in data.items()}
