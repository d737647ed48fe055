"""Checks the domain data under knowledge/_domain/: the questions each section answers, and scope examples.

``questions.yaml`` must name real documents and exact ``## `` headings, cover every section of every
document with enough questions, and hold no duplicates; ``scope.yaml`` must have enough out-of-scope
items (each with a category) and small-talk items (each with a kind).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
KNOWLEDGE = ROOT / "knowledge"
DOMAIN = KNOWLEDGE / "_domain"

MIN_QUESTIONS_PER_SECTION = 4
MIN_OUT_OF_SCOPE = 120
MIN_CHAT = 50


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def _headings(path: Path) -> list[str]:
    """The text of every level-two (``## ``) heading, outside fenced code blocks."""
    headings, fenced = [], False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif not fenced and line.startswith("## "):
            headings.append(line[3:].strip())
    return headings


@pytest.fixture(scope="module")
def sections() -> list[dict]:
    data = yaml.safe_load((DOMAIN / "questions.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict), "questions.yaml: not a mapping"
    assert isinstance(data.get("sections"), list), "questions.yaml: no sections list"
    return data["sections"]


@pytest.fixture(scope="module")
def scope() -> dict:
    data = yaml.safe_load((DOMAIN / "scope.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict), "scope.yaml: not a mapping"
    return data


@pytest.fixture(scope="module")
def documents() -> dict[str, list[str]]:
    docs = {path.name: _headings(path) for path in sorted(KNOWLEDGE.glob("*.md"))}
    assert docs, "no knowledge/*.md documents found"
    return docs


def test_entries_are_well_formed(sections):
    bad = []
    for index, entry in enumerate(sections):
        questions = entry.get("questions")
        if not isinstance(entry.get("doc"), str) or not isinstance(entry.get("section"), str):
            bad.append(f"entry {index}: doc and section must be strings")
        elif not isinstance(questions, list) or not all(isinstance(q, str) and q.strip() for q in questions):
            where = f"{entry['doc']} / {entry['section']}"
            bad.append(f"entry {index} ({where}): questions must be non-empty strings")
    assert not bad, "\n".join(bad)


def test_every_entry_names_an_existing_doc_and_heading(sections, documents):
    bad = []
    for entry in sections:
        doc, section = entry["doc"], entry["section"]
        if doc not in documents:
            bad.append(f"{doc}: no such file in knowledge/")
        elif section not in documents[doc]:
            bad.append(f"{doc}: no '## {section}' heading")
    assert not bad, "\n".join(bad)


def test_each_section_is_listed_once(sections):
    counts = Counter((entry["doc"], entry["section"]) for entry in sections)
    repeated = [f"{doc} / {section}" for (doc, section), n in counts.items() if n > 1]
    assert not repeated, "sections listed more than once:\n" + "\n".join(repeated)


def test_every_section_has_enough_questions(sections, documents):
    counts: Counter[tuple[str, str]] = Counter()
    for entry in sections:
        counts[(entry["doc"], entry["section"])] += len(entry["questions"])
    missing = [
        f"{doc} / {heading}: {counts[(doc, heading)]} question(s)"
        for doc, headings in documents.items()
        for heading in headings
        if counts[(doc, heading)] < MIN_QUESTIONS_PER_SECTION
    ]
    assert not missing, f"sections with fewer than {MIN_QUESTIONS_PER_SECTION} questions:\n" + "\n".join(
        missing
    )


def test_no_duplicate_questions(sections):
    counts = Counter(_norm(q) for entry in sections for q in entry["questions"])
    duplicates = sorted(q for q, n in counts.items() if n > 1)
    assert not duplicates, "duplicate questions:\n" + "\n".join(duplicates)


def test_scope_has_enough_examples(scope):
    assert len(scope.get("out_of_scope") or []) >= MIN_OUT_OF_SCOPE
    assert len(scope.get("chat") or []) >= MIN_CHAT


def _labelled(item: object, label: str) -> bool:
    return (
        isinstance(item, dict)
        and bool(str(item.get(label) or "").strip())
        and bool(str(item.get("text") or "").strip())
    )


def test_scope_items_are_labelled(scope):
    bad = [f"out_of_scope: {item!r}" for item in scope["out_of_scope"] if not _labelled(item, "category")]
    bad += [f"chat: {item!r}" for item in scope["chat"] if not _labelled(item, "kind")]
    assert not bad, "items without a category/kind or text:\n" + "\n".join(bad)


def test_no_example_is_both_in_and_out_of_scope(sections, scope):
    """A text may appear once across the in-scope questions, the out-of-scope items and the chat items."""
    texts = [q for entry in sections for q in entry["questions"]]
    texts += [item["text"] for item in scope["out_of_scope"]] + [item["text"] for item in scope["chat"]]
    counts = Counter(_norm(t) for t in texts)
    duplicates = sorted(t for t, n in counts.items() if n > 1)
    assert not duplicates, "texts listed more than once across questions.yaml and scope.yaml:\n" + "\n".join(
        duplicates
    )
