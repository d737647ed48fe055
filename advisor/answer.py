"""The advisor's vocabulary of results: retrieved passages, and the answer with the sources it cites.

Imports nothing of the project.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Passage:
    n: int  # citation number, 1-based, in rank order
    id: str
    text: str
    metadata: dict
    score: float  # fused rank score (0..1], for display and ordering
    similarity: float  # dense cosine similarity to the query (0 when unknown)

    @property
    def title(self) -> str:
        return str(self.metadata.get("title", ""))

    @property
    def section(self) -> str:
        return str(self.metadata.get("section", ""))

    @property
    def source(self) -> str:
        return str(self.metadata.get("source", ""))


@dataclass
class Source:
    n: int
    title: str
    section: str
    source: str
    id: str
    score: float
    text: str = ""
    origin: str = ""  # ids of the articles the passage was written from, e.g. "s002,s003"

    def to_json(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "title": self.title,
            "section": self.section,
            "source": self.source,
            "id": self.id,
            "score": round(float(self.score), 4),
        }


@dataclass
class Answer:
    text: str
    refused: bool
    sources: list[Source]
    session_id: str
    engine: str = ""
    question: str = ""
    kind: str = "answer"  # answer | chat (small talk, about the advisor) | refusal | clarify (what "that" is)
    detail: str = "short"  # short (the point and a few points) | long (the full detail)
    items: list[str] = field(default_factory=list)  # labels the answer displayed, in order ("the second one")
    notice: str = ""  # one line for the user, e.g. "the openai engine is unreachable; answered extractively"
    retrieval_query: str = ""
    composed_query: bool = False  # the query joins the question to what it follows up or points at
    retrieved_ids: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "answer": self.text,
            "refused": self.refused,
            "kind": self.kind,
            "detail": self.detail,
            "sources": [s.to_json() for s in self.sources],
            "session": self.session_id,
            "engine": self.engine,
            "notice": self.notice,
            "timings_ms": {k: round(v, 1) for k, v in self.timings.items()},
        }
