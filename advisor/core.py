"""The Advisor: question in, grounded and cited answer out, with memory per session.

    advisor = Advisor.from_settings()
    answer = advisor.ask("What is a joint venture?", session_id="demo")
    for piece in advisor.stream("Can you give an example?", session_id="demo"):
        ...  # str pieces, then the final Answer

It knows nothing of terminals or Slack: edges pass a ``notify`` callback for one-line notices
(first-use indexing, engine fallback) and render the Answer themselves.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence

import numpy as np

from advisor.acts import request_act
from advisor.answer import Answer, Passage, Source
from advisor.citations import Citations, shown_labels
from advisor.compose import (
    THIN_PLANS,
    item_named,
    named_item,
    plan_answer,
    resolve_label,
    wants_action,
    without_siblings,
)
from advisor.config import Settings, load_settings
from advisor.domain import ABOUT_SUBSECTION, Cite, Domain, load_domain, passage_about
from advisor.embeddings import Embedder, get_embedder
from advisor.engines import Engine, EngineRequest, SubQuestion, get_engine
from advisor.errors import EngineError, IndexError_, InputError, no_index
from advisor.followup import (
    OBJECT_PRONOUN,
    asks_on,
    by_meaning,
    by_words,
    merged_query,
    merges,
    names_in,
    points_into,
    read_cues,
    refers_back,
    root_query,
)
from advisor.grounding import ground
from advisor.guard import REFUSAL, clean_question, strip_injection, without_instructions
from advisor.plan import LONG_SUPPORT_WORDS, SUPPORT_WORDS, Plan
from advisor.retrieval import Retrieval, Retriever, split_question
from advisor.scope import Scope, decide, rescued
from advisor.sentences import SentenceVectors
from advisor.sessions import SessionStore, Turn, new_session_id
from advisor.situations import LEAVING, asks_to_leave
from advisor.smalltalk import chat_reply
from advisor.store import Record, VectorStore
from advisor.text import content_words, join_words, spell_out, stem
from advisor.understand import Question, asks_for_more, chat_kind, read_question
from advisor.units import answer_sentences, paragraph_about

log = logging.getLogger(__name__)
# "What comes next?" after an answer about one stage or step: the one that follows it.
_NEXT = re.compile(
    r"^\W*(and|ok(ay)?|so)?[\s,]*(then\s+what|what\s+(comes|happens|follows)\s+(next|after(\s+(that|this|it))?)|"
    r"(and\s+)?after\s+(that|this|it)|what['’]?s\s+next|(the\s+)?next\s+(one|stage|step|phase)|and\s+next)\W*$",
    re.I,
)
ORDERED_KINDS = ("stages", "steps")
SHORT_FOLLOW_UP = 14  # words: after an answer, a message this short is read as a follow-up of it
SECTIONS_FOR_CLAUSE = 5  # passages retrieved for one clause of a described situation (see diagnose)
ASKED_VECTORS = 32  # questions and clauses whose vectors are kept (one answer reads a few, twice)
DETAILS = ("short", "long")
CLARIFY = (
    "I'm not sure what that refers to: there is no earlier answer in this conversation. Ask the whole "
    'question, for example "Why does partner stability matter?"'
)
UNGROUNDED = "The model's answer could not be grounded in the sources; showing their own words."
NOT_COVERED = (
    "The knowledge base says nothing specific about {words}: the points above are the nearest it has."
)
MIN_GAP_WORD = 4  # shorter words (and numbers) are too often noise to name back to the asker
MAX_GAP_WORDS = 3
CENTRAL = 0.92  # a question without a word its meaning turns on is less like itself than this
GAP_PASSAGES = 3
GAP_CANDIDATES = 5  # unknown words weighed at most (each costs one embedding)
GAP_MARGIN = 0.02  # ...and the best passages are this much closer to the question without that word
_WORD = re.compile(r"[A-Za-z][A-Za-z'’]+")
_ASKING_WORDS = frozenset(content_words("advice tips thoughts ideas help question answer thanks please"))


FOCUS_MARK = ": "  # "<item>: <summary> <question>", the query of a turn answered about one item
NOTHING_TO_EXPAND = "there is no earlier answer in this conversation to expand; ask a question first"

_UNIT_END = re.compile(r"(?:[.!?](?:\s*\[\d+\])*\s+(?=[A-Z\"“(])|\n)")


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
        self.sessions = sessions or SessionStore.from_settings(settings)
        self.notify = notify or (lambda message: log.info("%s", message))
        self._engines: dict[str, Engine] = {}
        self._checked: set[str] = set()
        self._sentences: SentenceVectors | None = None
        self._kept: dict[str, np.ndarray] = {}  # domain texts embedded at question time
        self._asked: dict[str, np.ndarray] = {}  # the last few questions' and clauses' vectors
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
        detail: str = "short",
    ) -> Answer:
        for item in self.stream(question, session_id, collection, engine, detail):
            if isinstance(item, Answer):
                return item
        raise EngineError("no answer was produced")  # pragma: no cover - stream always ends with one

    def more(
        self, session_id: str, collection: str | None = None, engine: str | None = None
    ) -> Iterator[str | Answer]:
        """The full detail behind the last answer of a session ("more" in the REPL, "Show more" in Slack)."""
        last = next((t for t in reversed(self.sessions.history(session_id, 1)) if not t.refused), None)
        if last is None or not last.query:
            raise InputError(NOTHING_TO_EXPAND)
        yield from self.stream(last.query, session_id, collection, engine, detail="long", standalone=True)

    def stream(
        self,
        question: str,
        session_id: str | None = None,
        collection: str | None = None,
        engine: str | None = None,
        detail: str = "short",
        standalone: bool = False,
    ) -> Iterator[str | Answer]:
        """Answer pieces as they are written, then the Answer.

        ``detail`` is "short" (the point and a few cited points) or "long" (the full detail);
        ``standalone`` says the question needs no earlier turn to be understood.
        """
        if detail not in DETAILS:
            raise InputError(f"detail must be one of: {', '.join(DETAILS)}")
        if session_id and not standalone and isinstance(question, str) and asks_for_more(question):
            # "more" typed in a Slack thread or over the API, as in the REPL
            yield from self.more(session_id, collection, engine)
            return
        started = time.perf_counter()
        text = clean_question(question, self.settings.max_question_chars)
        session_id = session_id or new_session_id()
        name = collection or self.settings.collection
        eng = self.engine(engine)
        self.ensure_index(name)
        asked, injected = strip_injection(text)
        if injected:
            log.info("session %s: instruction-like text removed from the question", session_id)
        asked = spell_out(asked)  # "QBRs" -> "QBRs (quarterly business reviews)"
        history = [] if standalone else self.sessions.history(session_id, self.settings.history_turns)
        answer = Answer(
            text="",
            refused=False,
            sources=[],
            session_id=session_id,
            engine=eng.name,
            question=text,
            detail=detail,
        )
        form = read_question(asked) if asked else None
        if form is not None and form.form == "chat":
            answer.kind = "chat"
            answer.text = chat_reply(form.chat)
            yield answer.text
        else:
            yield from self._answer(answer, asked, form, eng, history, name, detail)
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
                items=answer.items,
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

    def _answer(
        self,
        answer: Answer,
        asked: str,
        question: Question | None,
        eng: Engine,
        history: list[Turn],
        collection: str,
        detail: str,
    ) -> Iterator[str]:
        anchor = _anchor(history)
        if asked and anchor is None and _points_back_only(asked):
            # "Why does that matter?" with nothing before it: ask, rather than guess what "that" is
            answer.refused = True
            answer.kind = "clarify"
            answer.text = CLARIFY
            yield CLARIFY
            return
        retrieval = None
        focus = None
        short = len(asked.split()) < SHORT_FOLLOW_UP  # read as a follow-up of the turn before it
        if asked and question is not None:
            question = _counted_in_a_list(question, history)
            focus = self._referred(question, history, collection)
            if focus:
                query = self._focused_query(focus, asked, collection)
                retrieval = self.retriever.retrieve(query, collection, self.settings.top_k)
            else:
                query, retrieval = self._standalone(asked, history, eng, collection)
            retrieval = _take(answer, query, retrieval)
        scope: Scope = "out"
        if question is not None and retrieval is not None and retrieval.passages:
            # a follow-up read with the answered turn before it ("which of those matters most?") is in
            # scope as that turn was, unless it asks for something the knowledge base cannot do
            followup = answer.retrieval_query != asked and request_act(asked) is None
            rescue = rescued(asked, question.situation, question.form) or followup
            # a reference back to an item the user was shown stays in scope, unless it asks for
            # something the knowledge base cannot do ("can you write that clause for us?")
            pointed = focus is not None and request_act(asked) is None
            scope = "in" if pointed else self._scope(answer.retrieval_query, retrieval, rescue)
            if scope == "chat" and not followup and anchor is not None and asks_on(asked):
                # The classifier reads a fragment as small talk ("why, usually?"), but small talk's
                # own wording matched no pattern (advisor/understand.py): after an answer, a question
                # with words of its own continues it.
                retrieval = _take(answer, *self._standalone(asked, history, eng, collection, force=True))
                scope = "in"
            elif (
                scope == "out"
                and not followup
                and anchor is not None
                and request_act(asked) is None
                and short
                and not read_cues(asked).switch  # "OK, different topic. Who is the best football player?"
            ):
                # Alone, a short follow-up may read as out of scope ("he'll ask if this is normal. is
                # there a number?"): read with the answered turn before it, scope decides again.
                query, merged = self._standalone(asked, history, eng, collection, force=True)
                if self._scope(query, merged, rescue=True) == "in":
                    retrieval, scope = _take(answer, query, merged), "in"
        answer.composed_query = bool(answer.retrieval_query) and answer.retrieval_query != asked
        if scope == "chat":
            answer.kind = "chat"
            answer.text = chat_reply(chat_kind(asked))
            yield answer.text
            return
        if scope == "out":
            answer.refused = True
            answer.kind = "refusal"
            answer.text = REFUSAL
            yield REFUSAL
            return
        assert question is not None and retrieval is not None  # scope is "in" only with both
        if question.situation and answer.composed_query and short:
            # "how long do we keep that office going?" after a diagnosis asks about it: a new
            # situation is told in a message of its own, not in a few words read with the last turn
            question = dataclasses.replace(question, situation=False)
        if focus is None and short and asks_to_leave(asked) and (told := _told_before(history)) is not None:
            # "and if it doesn't improve, at what point do we walk?" after a told situation (or a few
            # turns after it): which of the signs it may be time to exit that situation shows, read
            # with the situation itself
            if not answer.retrieval_query.startswith(told):
                query = merged_query(told, asked)
                merged = self.retriever.retrieve(query, collection, self.settings.top_k)
                retrieval = _take(answer, query, merged)
                answer.composed_query = True
            question = dataclasses.replace(question, situation=True, among=LEAVING)
        yield from self._compose(answer, question, eng, retrieval, history, collection, detail, focus)

    def _scope(self, query: str, retrieval: Retrieval, rescue: bool = False) -> Scope:
        """In scope, out of scope or small talk, for the standalone query (advisor/scope.py)."""
        s = self.settings
        relevance = max(retrieval.best_similarity, retrieval.question_similarity)
        return decide(retrieval.scope, relevance, s.scope_threshold, s.scope_floor, query, rescue)

    def _standalone(
        self, question: str, history: list[Turn], eng: Engine, collection: str, force: bool = False
    ) -> tuple[str, Retrieval]:
        """The query to retrieve a question with, and its retrieval.

        A new question is retrieved alone. A follow-up is retrieved with the standalone query of
        the turn it builds on in front (or as a model condenses it). That query is taken without
        the earlier turn's own follow-up words (:func:`~advisor.followup.root_query`), so queries
        do not grow over a conversation. ``force`` reads it as a follow-up whatever its cues.
        """
        k = self.settings.top_k
        alone = self.retriever.retrieve(question, collection, k)
        anchor = _anchor(history)
        cues = read_cues(question)
        if anchor is not None and not cues.refers_back and points_into(question, anchor.answer):
            cues = dataclasses.replace(cues, refers_back=True)
        if anchor is None or not (cues.candidate or force) or self._names_an_item(question, collection):
            return question, alone
        query = merged_query(root_query(anchor.query, anchor.question), question)
        merged = self.retriever.retrieve(query, collection, k)
        for key, value in alone.timings.items():
            merged.timings[key] = merged.timings.get(key, 0.0) + value
        if not force and not merges(cues, alone.best_similarity, merged.best_similarity):
            log.debug(
                "not a follow-up: similarity %.3f alone, %.3f merged",
                alone.best_similarity,
                merged.best_similarity,
            )
            alone.timings = merged.timings
            return question, alone
        if eng.uses_llm:
            condensed = eng.condense(question, [t for t in history if not t.refused])
            if condensed:
                return condensed, self.retriever.retrieve(condensed, collection, k)
        return query, merged

    def _compose(
        self,
        answer: Answer,
        question: Question,
        eng: Engine,
        retrieval: Retrieval,
        history: list[Turn],
        collection: str,
        detail: str,
        focus: str | None = None,
    ) -> Iterator[str]:
        query = answer.retrieval_query
        asked = question.text
        request = EngineRequest(
            question=asked,
            query=query,
            passages=list(retrieval.passages),
            history=history,
            heads=retrieval.heads,
            detail=detail,
            form=question.form,
            similarity=self._similarity(query),
            parts=self._parts(query),
        )
        t0 = time.perf_counter()
        plan = self._plan(question, query, request, collection, focus)
        if plan is not None and plan.kind in THIN_PLANS:
            # one item's summary and advice: the passages behind it say the rest, in their own words
            extractive = self.engine("extractive")
            anchored = _anchored(request, plan.anchors)
            # the item's own paragraph, in the knowledge base's words ("Either pattern indicates that
            # governance has broken down"), then the passages of its sections, then the rest
            lines = self._own_words(plan, request, collection)
            lines += "".join(extractive.answer(anchored))
            if anchored is not request:  # the diagnosis's own sections first, then the rest retrieved
                lines += "\n" + "".join(extractive.answer(request))
            plan.support([lines], LONG_SUPPORT_WORDS if detail == "long" else SUPPORT_WORDS)
        citations = Citations(request.passages)
        pieces: list[str] = []
        if plan is not None:
            answer.items = plan.items
            for i, line in enumerate(plan.render(detail).split("\n")):  # line by line, so edges can stream
                pieces.append(citations.feed(line if i == 0 else "\n" + line))
                yield pieces[-1]
        else:
            yield from self._write(answer, eng, request, citations, pieces)
        gap = ""
        if not question.situation and focus is None:
            gap = self._not_covered(asked, collection, request.passages)
        if gap:
            pieces.append(citations.feed(gap))
            yield pieces[-1]
        tail = citations.flush()
        if tail:
            pieces.append(tail)
            yield tail
        text = "".join(pieces)
        if plan is None:
            answer.items = shown_labels(text)
        answer.timings["generate_ms"] = (time.perf_counter() - t0) * 1000
        self._finish(answer, text, citations.passages())

    def _own_words(self, plan: Plan, request: EngineRequest, collection: str) -> str:
        """Support lines from the paragraph the knowledge base gives each item the plan names, from
        the passages its lines cite."""
        domain = self._domain(collection)
        cited = {int(n) for n in re.findall(r"\[(\d+)\]", " ".join((plan.lead, *plan.points)))}
        lines = []
        for name in plan.items:
            item = item_named(domain, name) if domain else None
            if item is None:
                continue
            for p in request.passages:
                if p.n in cited and any(
                    (p.source, p.section.split(" > ")[0]) == (c.source, c.section) for c in item.cites
                ):
                    lines += [f"- {text} [{p.n}]\n" for text in paragraph_about(p, list(item.labels))]
        return "".join(lines)

    def _not_covered(self, asked: str, collection: str, passages: list[Passage]) -> str:
        """A line saying which words of the question the collection never mentions ("franchise",
        "seats" in "does an equity alliance mean giving up board seats?"), so that the nearest
        points are not mistaken for an answer to them; empty when it knows every word."""
        surface: dict[str, str] = {}
        for word in _WORD.findall(asked):
            for term in content_words(word):
                if len(term) >= MIN_GAP_WORD and term not in _ASKING_WORDS:
                    surface.setdefault(term, word)
        unknown = self.retriever.unknown_words(list(surface), collection)
        if not unknown:
            return ""
        # Only a word the question turns on: without it the question means something else (its
        # vector moves away). "bookstores help both brands" without "shops" means the same thing.
        # And only a word whose meaning the passages lack: "wedding" is in no chunk, but the sentence on
        # the marriage analogy is closer to the question with it than without it; "franchise" is not.
        # (The passages' sentences were embedded at ingest: only the question's variants are embedded.)
        unknown = unknown[:GAP_CANDIDATES]
        asked_vector = self.embedder.embed_query(asked)
        without = self._vectors([re.sub(rf"\b{re.escape(surface[t])}\b", "", asked) for t in unknown])
        found = self._vectors([t for p in passages[:GAP_PASSAGES] for t in answer_sentences(p.text)])
        nearest = float((found @ asked_vector).max()) if len(found) else 0.0
        unknown = [
            t
            for t, vector in zip(unknown, without, strict=True)
            if float(vector @ asked_vector) < CENTRAL
            and (float((found @ vector).max()) if len(found) else 0.0) >= nearest + GAP_MARGIN
        ][:MAX_GAP_WORDS]
        if not unknown:
            return ""
        named = join_words([f'"{surface[t]}"' for t in unknown], "or")
        return f"\n\n{NOT_COVERED.format(words=named)}"

    def _parts(self, query: str) -> list[SubQuestion]:
        """The parts of a multi-part query, each with its own form and similarity (the lead answers
        each in turn); none for a one-part query. Two parts may share a best passage: both still lead."""
        parts = split_question(query)
        if len(parts) < 2:
            return []
        return [SubQuestion(part, read_question(part).form, self._similarity(part)) for part in parts]

    def _write(
        self, answer: Answer, eng: Engine, request: EngineRequest, citations: Citations, pieces: list[str]
    ) -> Iterator[str]:
        """The engine's answer (grounded, for a model), or the extractive one when it fails."""
        try:
            for piece in self._grounded(eng, request) if eng.uses_llm else eng.answer(request):
                pieces.append(citations.feed(piece))
                yield pieces[-1]
        except EngineError as exc:
            answer.notice = f"{exc}; answered from the sources' own words (extractive) instead."
            self.notify(answer.notice)
            log.info("engine %s failed: %s", eng.name, exc)
        if "".join(pieces).strip():
            return
        if eng.uses_llm and not answer.notice:
            answer.notice = UNGROUNDED
        fallback = self.engine("extractive")
        answer.engine = f"{eng.name}->extractive" if eng.name != "extractive" else "extractive"
        lead = "" if not pieces else "\n\n"
        for piece in fallback.answer(request):
            pieces.append(citations.feed(lead + piece))
            lead = ""
            yield pieces[-1]

    @staticmethod
    def _finish(answer: Answer, text: str, passages: list[Passage]) -> None:
        answer.text = text.strip()
        numbers = {int(n) for n in re.findall(r"\[(\d+)\]", answer.text)}
        answer.sources = [_source(p) for p in passages if p.n in numbers]
        known = set(answer.retrieved_ids)
        answer.retrieved_ids += [p.id for p in passages if p.id not in known]

    def _similarity(self, query: str) -> Callable[[list[str]], list[float]]:
        """Cosine of texts to the query: stored sentence vectors, embedding only what is missing."""

        def similarity(texts: list[str]) -> list[float]:
            if not texts:
                return []
            return [float(s) for s in self._vectors(texts, keep=True) @ self._query_vector(query)]

        return similarity

    def _query_vector(self, text: str) -> np.ndarray:
        """A question's (or a clause's) vector, kept for the next few: the similarities and the
        condition model of one answer read the same texts."""
        with self._lock:
            found = self._asked.get(text)
        if found is None:
            found = self.embedder.embed_query(text)
            with self._lock:
                self._asked[text] = found
                while len(self._asked) > ASKED_VECTORS:
                    self._asked.pop(next(iter(self._asked)))
        return found

    def _vectors(self, texts: list[str], keep: bool = False) -> np.ndarray:
        """Unit vectors of texts: those stored at ingest, the rest embedded one by one (query path).

        ``keep`` keeps the ones embedded here in memory: the domain layer's texts (item summaries,
        list titles, cases) recur on every question, and a model's own sentences (grounding) do not.
        """
        found = self._sentence_vectors().lookup(texts)
        embed = self.embedder.embed_query
        vectors = []
        for vector, text in zip(found, texts, strict=True):
            if vector is None and keep:
                vector = self._kept.get(text)
                if vector is None:
                    vector = self._kept[text] = embed(text)
            vectors.append(vector if vector is not None else embed(text))
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)

    def _sentence_vectors(self) -> SentenceVectors:
        with self._lock:
            if self._sentences is None:
                self._sentences = SentenceVectors(self.settings.data_dir, self.embedder.name)
            return self._sentences

    def _referred(self, question: Question, history: list[Turn], collection: str) -> str | None:
        """What the question points back to, if it points to something: an item the last answer showed
        ("the second one", "the contract one"), a name it mentioned ("the chip company"), or a named
        item of the domain ("the adapt stage")."""
        following = self._following(question, history, collection)
        if following is not None:
            return following
        if not question.refers_back:
            return None
        last = _anchor(history)
        if question.ordinal is None and not question.descriptor and last is not None:
            # "and how do we prevent that?" right after an answer about one item: what to do about it;
            # "how would we set that up?" right after a diagnosis of one: its advice
            focused = _focused_on(last) if wants_action(question.text) else None
            if focused is None and OBJECT_PRONOUN.search(question.text) and len(last.items) == 1:
                focused = last.items[0]
            if (
                focused is None
                and last.items
                and (wants_action(question.text) or OBJECT_PRONOUN.search(question.text))
                and read_question(last.question).situation
            ):
                # "so what actually breaks that kind of stalemate?", "how would we check that?" after a
                # diagnosis: about the condition it named first
                focused = last.items[0]
            if focused is not None:
                return focused
        # The most recent answer that showed a list, within the last few turns ("the second one" may
        # follow a detour into one of its items).
        recent = [t for t in history[-3:] if not t.refused and t.items]
        lists = [t for t in recent if len(t.items) > 1]
        shown = (lists or recent)[-1] if recent else None
        labels = list(shown.items) if shown else []
        domain = self._domain(collection)
        if question.ordinal is not None or not question.descriptor:
            return resolve_label(labels, question, domain, None) if labels else None
        found = resolve_label(labels, question, domain, None) if labels else None  # shared words
        if found:
            return found
        mentioned = names_in(last.answer, besides=labels) if last else []
        # the other items of the lists the shown labels come from ("the resources factor" after an
        # answer that showed one of the four partner factors)
        shown_items = [item_named(domain, label) for label in labels] if domain else []
        list_ids = {i.list_id for i in shown_items if i}
        siblings = (
            [i.name for i in domain.items.values() if i.list_id in list_ids and i.name not in labels]
            if domain
            else []
        )
        found = by_words(question.descriptor, mentioned + siblings)
        if found:
            return found
        candidates = labels + siblings + mentioned
        texts = [self._label_texts(name, domain) for name in labels + siblings] + [[m] for m in mentioned]
        cosines = list(self._similarity(question.descriptor)([t for group in texts for t in group]))
        best = []
        for group in texts:  # a candidate is as close as the closest of its texts
            best.append(max(cosines[: len(group)]))
            cosines = cosines[len(group) :]
        return by_meaning(candidates, best)

    @staticmethod
    def _label_texts(label: str, domain: Domain | None) -> list[str]:
        """What a descriptor is compared with: the item's name and summary, and the plain words
        people use for it (its signals: "the lawyers one" is the over-engineered contract)."""
        item = item_named(domain, label) if domain else None
        return [f"{label}: {item.summary}", *item.signals] if item else [label]

    def _following(self, question: Question, history: list[Turn], collection: str) -> str | None:
        """The stage or step after the one the last answer was about ("what does Architect involve?"
        then "and after that?" is Activate), when the question asks what comes next."""
        if not _NEXT.match(question.text):
            return None
        domain = self._domain(collection)
        last = _anchor(history)
        if domain is None or last is None or not last.items:
            return None
        item = item_named(domain, last.items[0])
        lst = domain.by_list.get(item.list_id) if item else None
        if item is None or lst is None or lst.kind not in ORDERED_KINDS:
            return None
        position = lst.items.index(item)
        return lst.items[position + 1].name if position + 1 < len(lst.items) else None

    def _focused_query(self, focus: str, asked: str, collection: str) -> str:
        domain = self._domain(collection)
        item = item_named(domain, focus) if domain else None
        return f"{focus}{FOCUS_MARK}{item.summary} {asked}" if item else f"{focus}{FOCUS_MARK}{asked}"

    def _names_an_item(self, question: str, collection: str) -> bool:
        """Whether the question names an item or a case of the domain in full ("how do we counter
        strategy drift?", "and what about Starbucks and Nestle?"): short, but it stands on its own."""
        domain = self._domain(collection)
        return domain is not None and (
            named_item(domain, question, []) is not None or domain.case_in(question) is not None
        )

    def _domain(self, collection: str) -> Domain | None:
        """The structured domain layer: the bundled knowledge base's own, for its collection only."""
        if collection != self.settings.collection:
            return None
        return load_domain(self.settings.knowledge_dir)

    def _plan(
        self, question: Question, query: str, request: EngineRequest, collection: str, focus: str | None
    ) -> Plan | None:
        domain = self._domain(collection)
        if domain is None:
            return None
        sections = [(p.source, p.section.split(" > ")[0]) for p in request.passages]

        chunks: dict[str, list[Record]] = {}  # the cited documents' chunks from the store, fetched once

        def cite(cites: Sequence[Cite], about: Sequence[str] = ()) -> str:
            marks = []
            for c in cites[:2]:
                n = self._passage_for(c, request, collection, about, chunks)
                if n and n not in marks:
                    marks.append(n)
            return "".join(f" [{n}]" for n in marks) if marks else ""

        item = item_named(domain, focus) if focus else None
        model = self.retriever.conditions(collection)
        plan = plan_answer(
            question,
            query,
            sections,
            domain,
            cite,
            item,
            request.similarity,
            parts=len(request.heads),
            similar_to=self._similarity,
            sections_for=lambda text: [
                (p.source, p.section)
                for p in self.retriever.retrieve(text, collection, SECTIONS_FOR_CLAUSE).passages
            ],
            likelihood=(lambda text: model.log_probabilities(self._query_vector(text))) if model else None,
        )
        return without_siblings(plan, domain) if plan is not None else None

    def _passage_for(
        self,
        cite: Cite,
        request: EngineRequest,
        collection: str,
        about: Sequence[str] = (),
        chunks: dict[str, list[Record]] | None = None,
    ) -> int | None:
        """The number of the passage that backs a line citing this section: of the section's passages,
        the one about the entry the line names (``about``: its subsection, else a mention), fetched
        from the store when retrieval did not bring it; else the first retrieved, else its opening.
        ``chunks`` keeps each cited document's chunks for the rest of the answer."""

        def fit(section: str, text: str) -> int:
            return passage_about(about, section, text)

        retrieved = [
            p
            for p in request.passages
            if (p.source, p.section.split(" > ")[0]) == (cite.source, cite.section)
        ]
        best = max(retrieved, key=lambda p: fit(p.section, p.text), default=None)
        if best is not None and (not about or fit(best.section, best.text) == ABOUT_SUBSECTION):
            return best.n
        chunks = {} if chunks is None else chunks
        if cite.source not in chunks:  # the document's chunks, a page at a time, not the whole build
            physical = self.store.live(collection).physical
            chunks[cite.source] = [
                r for page in self.store.find(physical, {"source": cite.source}) for r in page
            ]
        records = sorted(
            (
                r
                for r in chunks[cite.source]
                if str(r.metadata.get("section", "")).split(" > ")[0] == cite.section
            ),
            key=lambda r: (
                -fit(str(r.metadata.get("section", "")), r.text),
                r.metadata.get("chunk_index", 0),
            ),
        )
        if records and (
            best is None
            or fit(str(records[0].metadata.get("section", "")), records[0].text)
            > fit(best.section, best.text)
        ):
            return self._cited(records[0], request) or (best.n if best is not None else None)
        return best.n if best is not None else None

    def _cited(self, record: Record, request: EngineRequest) -> int | None:
        """The number of a stored chunk among the request's passages, added when it is not there yet
        (None when it holds nothing but instructions)."""
        for p in request.passages:
            if p.id == record.id:
                return p.n
        n = len(request.passages) + 1
        cleaned = without_instructions(
            [
                Passage(
                    n=n, id=record.id, text=record.text, metadata=record.metadata, score=0.0, similarity=0.0
                )
            ]
        )
        if not cleaned:
            return None
        request.passages.append(cleaned[0])
        return n

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

    def _ground_piece(self, text: str, passages: list[Passage]) -> str:
        if not text.strip():
            return ""
        grounded = ground(text, passages, embed=self._vectors)
        if grounded.dropped:
            log.info("grounding dropped %s unsupported sentence(s)", len(grounded.dropped))
        return grounded.text

    # -- browsing ----------------------------------------------------------------------------------

    def topics(self, collection: str | None = None) -> list[tuple[str, list[str]]]:
        """(document title, section headings) for everything in the collection, in reading order."""
        name = collection or self.settings.collection
        self.ensure_index(name)
        # Metadata only, a page at a time: memory grows with the sections, not with the chunks' text.
        # Per (source, title): where it starts and where each top-level section first appears.
        first: dict[tuple[str, str], tuple[int, dict[str, int]]] = {}
        for page in self.store.records(self.store.live(name).physical, texts=False):
            for r in page:
                key = (str(r.metadata.get("source", "")), str(r.metadata.get("title", "")))
                at = int(r.metadata.get("chunk_index", 0))
                start, tops = first.get(key, (at, {}))
                first[key] = (min(start, at), tops)
                top = str(r.metadata.get("section", "")).split(" > ")[0]
                if top:
                    tops[top] = min(tops.get(top, at), at)
        docs: dict[str, list[str]] = {}
        for (_, title), (_, tops) in sorted(first.items(), key=lambda kv: (kv[0][0], kv[1][0])):
            sections = docs.setdefault(title, [])
            sections.extend(t for t in sorted(tops, key=lambda t: tops[t]) if t not in sections)
        return list(docs.items())


def _focused_on(turn: Turn) -> str | None:
    """The item a turn was about, when it was answered as a reference back to one item (its query
    was built by ``Advisor._focused_query``)."""
    return next((name for name in turn.items[:1] if turn.query.startswith(f"{name}{FOCUS_MARK}")), None)


def _take(answer: Answer, query: str, retrieval: Retrieval) -> Retrieval:
    """Record what the answer is retrieved with (instruction-like passages dropped); the retrieval."""
    retrieval.passages = without_instructions(retrieval.passages)
    answer.retrieval_query = query
    answer.timings.update(retrieval.timings)
    answer.retrieved_ids = [p.id for p in retrieval.passages]
    return retrieval


def _anchor(history: list[Turn]) -> Turn | None:
    """The turn a follow-up builds on: the last one that was not small talk, if it was answered."""
    for turn in reversed(history):
        if read_question(turn.question).form != "chat":
            return None if turn.refused else turn
    return None


def _counted_in_a_list(question: Question, history: list[Turn]) -> Question:
    """The question, without its ordinal when that counts something no recent answer spoke of
    ("who would sit on that second layer?" after an answer on failure modes is no "second one")."""
    noun = question.ordinal_noun
    if question.ordinal is None or not noun:
        return question
    said = " ".join(f"{t.question} {t.answer}" for t in history[-3:] if not t.refused)
    if stem(noun.lower()) in content_words(said):
        return question
    return dataclasses.replace(question, ordinal=None, refers_back=refers_back(question.text))


def _told_before(history: list[Turn]) -> str | None:
    """The situation the user told in the last few answered turns (the standalone query a follow-up
    was read with), if any."""
    for turn in reversed(history[-3:]):
        root = root_query(turn.query, turn.question)
        if not turn.refused and read_question(root).situation:
            return root
    return None


def _points_back_only(question: str) -> bool:
    """Whether the question is only a pointer to an earlier answer ("why does that matter?")."""
    cues = read_cues(question)
    return (cues.refers_back or cues.generic) and cues.words <= 2


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


def _anchored(request: EngineRequest, anchors: list[Cite]) -> EngineRequest:
    """The request with only the passages of the anchoring sections (all of them without anchors, or
    when none of those sections was retrieved)."""
    wanted = {(c.source, c.section) for c in anchors}
    kept = [p for p in request.passages if (p.source, p.section.split(" > ")[0]) in wanted]
    return dataclasses.replace(request, passages=kept) if kept else request
