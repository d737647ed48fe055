"""Running the gold set through one engine of an Advisor and scoring every item.

    results = evaluate_engine(advisor, items, engine="extractive", collection="alliance")
    summary = summarize(results)        # see evals/quality/summary.py

Each conversation gets its own session id; every turn is asked in order and the last answer is
scored. Retrieval metrics re-run retrieval for the last turn's standalone query at depth 10 (the
first ``top_k`` of that ranking are the passages the answer was given).
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from advisor.domain import load_domain
from evals.quality import scorers
from evals.quality.gold import GoldItem

log = logging.getLogger(__name__)

DEPTH = 10
SUPPORT_THRESHOLD = 0.5  # cosine between an answer sentence and a passage it cites
FOLLOWUP_MIN_RECALL = 0.5
FOLLOWUP_KINDS = ("followup", "reference", "switch")  # conversations whose last turn leans on earlier ones
CHAT_MAX_WORDS = 60  # a small-talk reply longer than this is not "short"


@dataclass
class ItemResult:
    id: str
    topic: str
    kind: str
    split: str
    refuse_expected: bool
    question: str
    chat: bool = False  # small talk or a question about the advisor: a short reply, no retrieval metrics
    turns: int = 1
    refused: bool = False
    answer: str = ""
    engine_used: str = ""
    notice: str = ""
    retrieved: list[str] = field(default_factory=list)  # "file.md § Section" of the top passages
    expected: list[str] = field(default_factory=list)
    hit1: float | None = None
    hit3: float | None = None
    hit5: float | None = None
    rr: float | None = None
    ndcg: float | None = None
    key_fact_recall: float | None = None
    missing_facts: list[list[str]] = field(default_factory=list)
    lead_hit: bool | None = None  # a key fact in the first two sentences
    diagnosis_named: bool | None = None  # a labelled situation: the answer names one of its conditions
    words: int | None = None  # answer length, citations and Markdown removed (answered items)
    chat_ok: bool | None = None  # a chat item answered, not refused, with a short reply
    citation_valid: bool | None = None
    citation_correct: bool | None = None
    facts_supported: int = 0
    facts_total: int = 0
    sentences_supported: int = 0
    sentences_total: int = 0
    followup_ok: bool | None = None
    timings: dict[str, float] = field(default_factory=dict)
    error: str = ""

    def failed(self) -> bool:
        """Wrong on what the gate measures: refusal, retrieval, key facts or citations."""
        if self.refuse_expected:
            return not self.refused
        if self.chat:
            return not self.chat_ok
        return bool(
            self.refused
            or self.hit5 == 0.0
            or (self.key_fact_recall or 0.0) < 1.0
            or self.citation_valid is False
            or self.error
        )


def label(source: str, section: str) -> str:
    return f"{source.rsplit('/', 1)[-1]} § {scorers.top_section(section)}"


def section_counts(advisor, collection: str) -> Counter:
    """How many passages of the index belong to each (source, top-level section)."""
    counts: Counter = Counter()
    for page in advisor.store.records(advisor.store.live(collection).physical):
        for meta in (r.metadata for r in page):
            counts[(str(meta.get("source", "")), scorers.top_section(str(meta.get("section", ""))))] += 1
    return counts


def make_embed(embedder) -> Callable[[list[str]], np.ndarray]:
    cache: dict[str, np.ndarray] = {}

    def embed(texts: list[str]) -> np.ndarray:
        for text in texts:
            if text not in cache:
                cache[text] = np.asarray(embedder.embed_query(text), dtype=np.float32)
        return np.stack([cache[t] for t in texts])

    return embed


def new_result(item: GoldItem, **extra) -> ItemResult:
    """An empty result for one gold item, to be filled in by asking and scoring."""
    return ItemResult(
        id=item.id,
        topic=item.topic,
        kind=item.kind,
        split=item.split,
        refuse_expected=item.refuse,
        question=item.question,
        chat=item.chat,
        turns=len(item.turns),
        expected=[label(e.source, e.section) for e in item.expected],
        **extra,
    )


def evaluate_engine(
    advisor, items: list[GoldItem], engine: str, collection: str, with_sources: bool = True, tag: str = ""
) -> list[ItemResult]:
    """Ask every item (all its turns, one session each) and score the last answer."""
    advisor.ensure_index(collection)
    counts = section_counts(advisor, collection) if with_sources else Counter()
    embed = make_embed(advisor.embedder)
    names = condition_names(advisor.settings.knowledge_dir)
    tag = tag or time.strftime("%H%M%S")
    results = []
    for item in items:
        result = new_result(item)
        try:
            answer = None
            for turn in item.turns:
                answer = advisor.ask(
                    turn, session_id=f"eval-{tag}-{engine}-{item.id}", collection=collection, engine=engine
                )
            assert answer is not None
            score_answer(result, answer, item, embed, with_sources)
            result.diagnosis_named = diagnosis_named(answer, item, names)
            if with_sources:
                score_retrieval(result, advisor, answer.retrieval_query, item, collection, counts)
        except Exception as exc:  # one broken item must not stop the run; it is reported as a failure
            log.warning("item %s failed: %s", item.id, exc)
            result.error = f"{exc.__class__.__name__}: {exc}"
            result.refused = False
        finish(result, item, with_sources)
        results.append(result)
    return results


def condition_names(knowledge_dir) -> dict[str, str]:
    """Item id -> name, lower-cased, of the bundled domain layer (empty without one)."""
    domain = load_domain(knowledge_dir)
    return {i.id: i.name.lower() for i in domain.items.values()} if domain else {}


def diagnosis_named(answer, item: GoldItem, names: dict[str, str]) -> bool | None:
    """For a situation labelled with its conditions: whether the answer names one of them among the
    items it shows (a diagnosis, or a passage answer's bold labels). None for other items."""
    wanted = {names[d] for d in item.diagnosis if d in names}
    if not wanted:
        return None
    if answer.refused:
        return False
    return any(str(shown).lower().strip(" .:") in wanted for shown in answer.items)


def score_answer(result: ItemResult, answer, item: GoldItem, embed, with_sources: bool = True) -> None:
    result.refused = answer.refused
    result.answer = answer.text
    result.engine_used = answer.engine
    result.notice = answer.notice
    result.timings = dict(answer.timings)
    result.words = None if answer.refused else scorers.answer_words(answer.text)
    if item.chat:
        result.chat_ok = not answer.refused and (result.words or 0) <= CHAT_MAX_WORDS
        return
    if not item.refuse:
        text = "" if answer.refused else answer.text
        result.key_fact_recall, result.missing_facts = scorers.key_fact_recall(text, item.key_facts)
        result.lead_hit = scorers.lead_hit(text, item.key_facts)
        if with_sources:  # file names differ in other collections (the seeds run)
            result.citation_correct = scorers.citation_correct(answer, item.sources)
    result.citation_valid = scorers.citation_valid(answer)
    result.facts_supported, result.facts_total = scorers.grounded_facts(answer)
    result.sentences_supported, result.sentences_total = scorers.sentence_support(
        answer, embed, SUPPORT_THRESHOLD
    )


def score_retrieval(
    result: ItemResult, advisor, query: str, item: GoldItem, collection: str, counts: Counter
) -> None:
    if item.refuse or item.chat:
        return
    ranking: list[scorers.Ranked] = []
    if query:
        retrieval = advisor.retriever.retrieve(query, collection, DEPTH)
        ranking = [(p.source, {scorers.top_section(p.section)}) for p in retrieval.passages]
        result.retrieved = [label(p.source, p.section) for p in retrieval.passages[: advisor.settings.top_k]]
    expected = [(e.source, e.section) for e in item.expected]
    n_relevant = sum(counts[(e.source, e.section)] for e in item.expected)
    result.hit1 = scorers.hit_at_k(ranking, expected, 1)
    result.hit3 = scorers.hit_at_k(ranking, expected, 3)
    result.hit5 = scorers.hit_at_k(ranking, expected, 5)
    result.rr = scorers.reciprocal_rank(ranking, expected)
    result.ndcg = scorers.ndcg_at_k(ranking, expected, DEPTH, n_relevant or None)


def finish(result: ItemResult, item: GoldItem, with_sources: bool) -> None:
    """Fill in what an errored item lacks and decide follow-up success."""
    if item.chat:
        result.chat_ok = bool(result.chat_ok)
        return
    if not item.refuse:
        if result.key_fact_recall is None:
            result.key_fact_recall, result.missing_facts = 0.0, [list(f) for f in item.key_facts]
            result.lead_hit = False
        if with_sources and result.hit5 is None:
            result.hit1 = result.hit3 = result.hit5 = result.rr = result.ndcg = 0.0
    if item.kind in FOLLOWUP_KINDS and not item.refuse:
        retrieved_ok = result.hit5 == 1.0 if with_sources else True
        result.followup_ok = bool(
            not result.refused
            and not result.error
            and retrieved_ok
            and (result.key_fact_recall or 0.0) >= FOLLOWUP_MIN_RECALL
        )
