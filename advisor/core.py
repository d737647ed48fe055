"""The Advisor: question in, grounded and cited answer out, with memory per session.

    advisor = Advisor.from_settings()
    answer = advisor.ask("What is a joint venture?", session_id="demo")
    for piece in advisor.stream("Can you give an example?", session_id="demo"):
        ...  # str pieces, then the final Answer

It knows nothing of terminals or Slack: edges pass a ``notify`` callback for one-line notices
(first-use indexing, engine fallback) and render the Answer themselves.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Iterator

from advisor.answer import Answer, Passage, Source
from advisor.config import Settings, load_settings
from advisor.embeddings import Embedder, get_embedder
from advisor.engines import Engine, EngineRequest, get_engine
from advisor.errors import EngineError, IndexError_, no_index
from advisor.grounding import ground
from advisor.guard import REFUSAL, asks_for_market_advice, clean_question, strip_injection
from advisor.retrieval import Retrieval, Retriever
from advisor.sessions import SessionStore, Turn, new_session_id
from advisor.store import VectorStore

log = logging.getLogger(__name__)

_FOLLOWUP = re.compile(
    r"\b(those|these|that|this|it|its|they|them|their|which one|the first|the second|the last|above|"
    r"example|examples|more|elaborate|why|how so|what about|and the|same)\b",
    re.I,
)
_UNIT_END = re.compile(r"(?:[.!?](?:\s*\[\d+\])*\s+(?=[A-Z\"“(])|\n)")


def is_followup(question: str) -> bool:
    return bool(_FOLLOWUP.search(question))


class Advisor:
    def __init__(
        self,
        settings: Settings,
        store: VectorStore | None = None,
        embedder: Embedder | None = None,
        sessions: SessionStore | None = None,
        notify: Callable[[str], None] | None = None,
    ) -> None:
        self.settings = settings
        self._store = store
        self._embedder = embedder
        self._retriever: Retriever | None = None
        self.sessions = sessions or SessionStore(settings.data_dir / "sessions.sqlite3")
        self.notify = notify or (lambda message: log.info("%s", message))
        self._engines: dict[str, Engine] = {}
        self._checked: set[str] = set()
        self._lock = threading.RLock()

    @classmethod
    def from_settings(cls, settings: Settings | None = None, **kwargs) -> Advisor:
        return cls(settings or load_settings(), **kwargs)

    # -- lazily built parts (the REPL warms them in the background) --------------------------------

    @property
    def store(self) -> VectorStore:
        with self._lock:
            if self._store is None:
                self._store = VectorStore(self.settings)
            return self._store

    @property
    def embedder(self) -> Embedder:
        with self._lock:
            if self._embedder is None:
                self._embedder = get_embedder(self.settings)
            return self._embedder

    @property
    def retriever(self) -> Retriever:
        with self._lock:
            if self._retriever is None:
                self._retriever = Retriever(self.store, self.embedder, self.settings.retrieval)
            return self._retriever

    def engine(self, name: str | None = None) -> Engine:
        name = name or self.settings.engine
        with self._lock:
            if name not in self._engines:
                self._engines[name] = get_engine(name, self.settings)
            return self._engines[name]

    def warm(self, collection: str | None = None) -> None:
        """Load the embedder, the index and the default engine so the first answer is quick."""
        name = collection or self.settings.collection
        self.ensure_index(name)
        warm = getattr(self.embedder, "warm", None)
        if warm:
            warm()
        self.retriever.lexical(self.store.live(name).physical)
        self.engine()

    def ensure_index(self, collection: str | None = None) -> None:
        """Build the bundled knowledge base into the default collection on first use (or when stale)."""
        name = collection or self.settings.collection
        with self._lock:
            if name in self._checked:
                return
            if name == self.settings.collection and self.settings.knowledge_dir.is_dir():
                from advisor.ingest import Ingestor, knowledge_is_stale

                if knowledge_is_stale(self.settings, self.store, name):
                    self.notify("Building the knowledge index for first use (this takes a little while)…")
                    report = Ingestor(self.settings, store=self.store, embedder=self.embedder).run(
                        [self.settings.knowledge_dir], name, wait=600
                    )
                    documents = len(report.added) + len(report.updated) + len(report.unchanged)
                    self.notify(f"Index ready: {report.chunks} passages from {documents} documents.")
            elif self.store.pointer(name) is None:
                raise IndexError_(no_index(name))
            self._checked.add(name)

    # -- answering ---------------------------------------------------------------------------------

    def ask(
        self,
        question: str,
        session_id: str | None = None,
        collection: str | None = None,
        engine: str | None = None,
    ) -> Answer:
        for item in self.stream(question, session_id, collection, engine):
            if isinstance(item, Answer):
                return item
        raise EngineError("no answer was produced")  # pragma: no cover - stream always ends with one

    def stream(
        self,
        question: str,
        session_id: str | None = None,
        collection: str | None = None,
        engine: str | None = None,
    ) -> Iterator[str | Answer]:
        started = time.perf_counter()
        text = clean_question(question, self.settings.max_question_chars)
        session_id = session_id or new_session_id()
        name = collection or self.settings.collection
        eng = self.engine(engine)
        self.ensure_index(name)
        asked, injected = strip_injection(text)
        if injected:
            log.info("session %s: instruction-like text removed from the question", session_id)
        history = self.sessions.history(session_id, self.settings.history_turns)
        answer = Answer(
            text="", refused=False, sources=[], session_id=session_id, engine=eng.name, question=text
        )
        retrieval = None
        if asked:
            answer.retrieval_query = self._standalone(asked, history, eng)
            retrieval = self.retriever.retrieve(answer.retrieval_query, name, self.settings.top_k)
            answer.timings.update(retrieval.timings)
            answer.retrieved_ids = [p.id for p in retrieval.passages]
        if retrieval is None or not retrieval.passages or self._out_of_scope(asked, retrieval):
            answer.refused = True
            answer.text = REFUSAL
            yield REFUSAL
        else:
            yield from self._compose(answer, asked, eng, retrieval, history)
        answer.timings["total_ms"] = (time.perf_counter() - started) * 1000
        self.sessions.append(
            session_id,
            Turn(
                question=text,
                answer=answer.text,
                refused=answer.refused,
                query=answer.retrieval_query or text,
                sources=[s.id for s in answer.sources],
                ts=time.time(),
            ),
        )
        log.info(
            "session %s: engine=%s refused=%s sources=%s total=%.0fms",
            session_id,
            answer.engine,
            answer.refused,
            [s.id for s in answer.sources],
            answer.timings["total_ms"],
        )
        yield answer

    def _out_of_scope(self, question: str, retrieval: Retrieval) -> bool:
        s = self.settings
        if asks_for_market_advice(question):
            return True
        if retrieval.best_similarity < s.min_relevance:
            return True
        return retrieval.best_similarity < s.confident_relevance and retrieval.coverage < s.min_coverage

    def _standalone(self, question: str, history: list[Turn], eng: Engine) -> str:
        answered = [t for t in history if not t.refused]
        if not answered or not is_followup(question):
            return question
        condensed = eng.condense(question, answered) if eng.uses_llm else None
        return condensed or f"{answered[-1].query} {question}"

    def _compose(
        self, answer: Answer, asked: str, eng: Engine, retrieval: Retrieval, history: list[Turn]
    ) -> Iterator[str]:
        request = EngineRequest(
            question=asked,
            query=answer.retrieval_query,
            passages=retrieval.passages,
            history=history,
            heads=retrieval.heads,
        )
        t0 = time.perf_counter()
        pieces: list[str] = []
        try:
            for piece in self._grounded(eng, request) if eng.uses_llm else eng.answer(request):
                pieces.append(piece)
                yield piece
        except EngineError as exc:
            answer.notice = f"{exc}; answered from the sources' own words (extractive) instead."
            self.notify(answer.notice)
            log.info("engine %s failed: %s", eng.name, exc)
        if not "".join(pieces).strip():
            if eng.uses_llm and not answer.notice:
                answer.notice = (
                    "The model's answer could not be grounded in the sources; showing their own words."
                )
            fallback = self.engine("extractive")
            answer.engine = f"{eng.name}->extractive" if eng.name != "extractive" else "extractive"
            lead = "" if not pieces else "\n\n"
            for piece in fallback.answer(request):
                piece = lead + piece
                lead = ""
                pieces.append(piece)
                yield piece
        answer.timings["generate_ms"] = (time.perf_counter() - t0) * 1000
        answer.text = "".join(pieces).strip()
        numbers = {int(n) for n in re.findall(r"\[(\d+)\]", answer.text)}
        answer.sources = [_source(p) for p in retrieval.passages if p.n in numbers]

    def _grounded(self, eng: Engine, request: EngineRequest) -> Iterator[str]:
        """Stream a model's answer one grounded sentence at a time."""
        buffer = ""
        emitted = 0
        for piece in eng.answer(request):
            buffer += piece
            cut = None
            for match in _UNIT_END.finditer(buffer):
                cut = match.end()
            if cut:
                ready, buffer = buffer[:cut], buffer[cut:]
                text = self._ground_piece(ready, request.passages)
                if text:
                    yield ("\n" if emitted else "") + text
                    emitted += 1
        text = self._ground_piece(buffer, request.passages)
        if text:
            yield ("\n" if emitted else "") + text

    @staticmethod
    def _ground_piece(text: str, passages: list[Passage]) -> str:
        if not text.strip():
            return ""
        grounded = ground(text, passages)
        if grounded.dropped:
            log.info("grounding dropped %s unsupported sentence(s)", len(grounded.dropped))
        return grounded.text

    # -- browsing ----------------------------------------------------------------------------------

    def topics(self, collection: str | None = None) -> list[tuple[str, list[str]]]:
        """(document title, section headings) for everything in the collection, in reading order."""
        name = collection or self.settings.collection
        self.ensure_index(name)
        index = self.retriever.lexical(self.store.live(name).physical)
        docs: dict[str, list[str]] = {}
        records = index.records if index else []
        for _, _, meta in sorted(records, key=lambda r: (r[2].get("source", ""), r[2].get("chunk_index", 0))):
            sections = docs.setdefault(str(meta.get("title", "")), [])
            top = str(meta.get("section", "")).split(" > ")[0]
            if top and top not in sections:
                sections.append(top)
        return list(docs.items())


def _source(p: Passage) -> Source:
    return Source(
        n=p.n,
        title=p.title,
        section=p.section,
        source=p.source,
        id=p.id,
        score=p.score,
        text=p.text,
        origin=str(p.metadata.get("origin", "")),
    )
