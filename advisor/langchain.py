"""The advisor as LangChain parts: a retriever and a chain a LangChain user can compose.

    from advisor.langchain import AdvisorRetriever, advisor_chain

    retriever = AdvisorRetriever.from_settings(k=4)      # hybrid (dense + BM25) retrieval
    docs = retriever.invoke("How do we choose a partner?")

    chain = advisor_chain()                              # the whole Advisor pipeline
    out = chain.invoke({"question": "What is a joint venture?", "session_id": "demo"})
    out["answer"], out["sources"], out["refused"], out["session_id"]
    for chunk in chain.stream({"question": "Can you give an example?", "session_id": "demo"}):
        print(chunk.get("answer", ""), end="")

Both delegate to the project's own code: the retriever to the Advisor's hybrid retriever, the chain
to ``Advisor.stream``, so answers, refusals, citations and per-session memory are the Advisor's own
(one session store, not a second LangChain memory). The chain is plain LCEL over langchain-core.

Importing this module costs ~0.4 s (langchain_core's retriever and tracer modules), so nothing on
the ``advisor ask`` path imports it.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any, Protocol

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import Runnable, RunnableGenerator
from langchain_core.runnables.config import run_in_executor
from langchain_core.runnables.utils import AddableDict
from pydantic import Field

from advisor import Advisor, Answer, InputError, Settings

log = logging.getLogger(__name__)

__all__ = ["AdvisorRetriever", "advisor_chain"]


class _Cited(Protocol):
    """What a retrieved passage and a cited source have in common."""

    n: int
    id: str
    text: str
    score: float

    @property
    def title(self) -> str: ...
    @property
    def section(self) -> str: ...
    @property
    def source(self) -> str: ...


def _document(item: _Cited) -> Document:
    return Document(
        id=item.id,
        page_content=item.text,
        metadata={
            "n": item.n,
            "id": item.id,
            "source": item.source,
            "title": item.title,
            "section": item.section,
            "score": item.score,
        },
    )


class AdvisorRetriever(BaseRetriever):
    """The Advisor's hybrid retrieval (dense + BM25, fused) as a LangChain retriever.

    Each Document's metadata holds ``n`` (rank, 1-based), ``id``, ``source``, ``title``,
    ``section`` and ``score`` (fused rank score, 1.0 for the best passage).
    """

    advisor: Advisor
    collection: str | None = None  # None: the settings' default collection
    k: int | None = Field(default=None, ge=1)  # None: the settings' top_k

    @classmethod
    def from_settings(
        cls, collection: str | None = None, k: int | None = None, *, settings: Settings | None = None
    ) -> AdvisorRetriever:
        return cls(advisor=Advisor.from_settings(settings), collection=collection, k=k)

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        name = self.collection or self.advisor.settings.collection
        self.advisor.ensure_index(name)
        found = self.advisor.retriever.retrieve(query, name, self.k or self.advisor.settings.top_k)
        return [_document(p) for p in found.passages]


def advisor_chain(
    advisor: Advisor | None = None, *, collection: str | None = None, engine: str | None = None
) -> Runnable[Any, AddableDict]:
    """The Advisor's whole pipeline as a Runnable.

    Input: ``{"question": str, "session_id": str (optional)}`` or just the question. ``invoke``
    returns ``{"answer", "sources", "refused", "session_id"}`` (sources are the cited passages as
    Documents); ``stream`` yields ``{"answer": piece}`` chunks and then one chunk with the rest,
    and the chunks add up to what ``invoke`` returns. Turns asked with the same session_id share
    the Advisor's memory; without one, a new session is started and its id returned.
    """
    advisor = advisor or Advisor.from_settings()

    def answer(inputs: Iterator[Any]) -> Iterator[AddableDict]:
        question, session_id = _request(inputs)
        yield from _chunks(advisor.stream(question, session_id, collection, engine))

    async def aanswer(inputs: AsyncIterator[Any]) -> AsyncIterator[AddableDict]:
        question, session_id = _request([chunk async for chunk in inputs])
        # Advisor.stream blocks (embedding, SQLite, a local model): step it in a worker thread.
        # run_in_executor copies the context, so an LLM engine's own runs nest under this one.
        chunks = _chunks(advisor.stream(question, session_id, collection, engine))
        while (chunk := await run_in_executor(None, next, chunks, None)) is not None:
            yield chunk

    return RunnableGenerator(answer, aanswer, name="advisor_chain")


def _request(inputs: Iterator[Any] | list[Any]) -> tuple[str, str | None]:
    """The question and session id from the input chunks (one dict, or a str, as a rule)."""
    merged: Any = None
    for chunk in inputs:
        if isinstance(chunk, dict):
            chunk = AddableDict(chunk)
        merged = chunk if merged is None else merged + chunk
    if isinstance(merged, str):
        return merged, None
    if not isinstance(merged, dict) or not isinstance(merged.get("question"), str):
        raise InputError('the advisor chain takes {"question": str, "session_id": str} or a str')
    session_id = merged.get("session_id")
    return merged["question"], str(session_id) if session_id else None


def _chunks(stream: Iterator[str | Answer]) -> Iterator[AddableDict]:
    """Answer pieces as ``{"answer": piece}``, whitespace trimmed at both ends so that the pieces
    join to exactly ``Answer.text``; then ``{"sources", "refused", "session_id"}``."""
    pending = ""  # whitespace held back until more text follows it
    emitted = False
    for item in stream:
        if isinstance(item, Answer):
            last = AddableDict(
                sources=[_document(s) for s in item.sources],
                refused=item.refused,
                session_id=item.session_id,
            )
            if not emitted:
                last["answer"] = ""
            yield last
            return
        piece = item if emitted else item.lstrip()
        body = piece.rstrip()
        if body:
            yield AddableDict(answer=pending + body)
            emitted = True
            pending = piece[len(body) :]
        elif emitted:
            pending += piece
