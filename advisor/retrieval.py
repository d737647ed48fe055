"""Retrieval: dense search in Chroma fused with BM25 keyword search (reciprocal rank fusion).

Modes (``ADVISOR_RETRIEVAL``): ``dense`` (Chroma only), ``bm25`` (keywords only), ``hybrid`` (both,
fused; the default, chosen on the eval set), ``hybrid-mmr`` (hybrid, then maximal marginal relevance
to spread the passages over more sections). The keyword index is the build's persistent BM25 index
(advisor/keywords.py), opened on first use (memory-mapped, no rebuild) and reopened when the
collection's pointer moves; it has no size cut-off. Keyword hits come back as ids: their text and
metadata are fetched from the store in one request with the question index's hits.

The fused lists are the dense hits, the keyword hits, the chunks of the sections whose example
questions are nearest (advisor/questions.py) and, in a large build, the chunks that hold a word of
the question that almost no chunk holds (a name or a code: see ``NAMING_SHARE``).
"""

from __future__ import annotations

import logging
import math
import re
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np

from advisor import intent
from advisor.answer import Passage
from advisor.conditions import ConditionModel
from advisor.embeddings import Embedder
from advisor.errors import ConfigError, unknown_choice
from advisor.keywords import KeywordIndex
from advisor.scope import Scope
from advisor.store import BUILD_SEP, Hit, Record, VectorStore
from advisor.text import STOP_WORDS, content_words

log = logging.getLogger(__name__)

MODES = ("dense", "bm25", "hybrid", "hybrid-mmr")
CANDIDATES = 20
RRF_K = 5
# A question's word that at most this share of a build's chunks hold (and no more than a candidate
# list's worth) names something: a firm, a project, a clause code. Rank fusion counts votes, so
# without a list of their own the chunks holding it lost to chunks that the dense and keyword lists
# both rank in the middle for the question's common words (evals/bench/bench_hybrid.py, reworded
# questions, 5,000 and 20,000 chunks: bm25 alone had the planted chunk in its top 5 for 38 and 40
# of 40, hybrid for 22).
# In a small build a rare word is not a name (in the bundled 80-chunk knowledge base "know" and
# "stand" are in 5 and 3 chunks), so below 1,000 chunks no word counts.
NAMING_SHARE = 0.001


@dataclass
class Retrieval:
    passages: list[Passage]
    best_similarity: float
    timings: dict
    coverage: float = 1.0  # share of the query's content words that occur anywhere in the collection
    heads: list[int] = field(default_factory=lambda: [0])  # index of each sub-question's best passage
    # P(in), P(out), P(chat) from the build's scope model (advisor/scope.py); None without one
    scope: dict[Scope, float] | None = None
    question_similarity: float = 0.0  # cosine of the nearest example question (advisor/questions.py)


_PARTS = re.compile(
    r",?\s+and\s+(?=(?:how|what|which|why|when|who|where|is|are|do|does|can|should)\b)|(?<=[?])\s+(?=[A-Z])",
    re.I,
)


# "it" as a thing, not the empty subject of "it is time to ..." / "is it worth ..."
_EMPTY_IT = r"(?!\s+(?:is|was)\s+(?:time|worth|wise|best|better|possible|important)\b)"
_IT = re.compile(rf"\bit\b{_EMPTY_IT}", re.I)
_BACK = re.compile(rf"\bit\b{_EMPTY_IT}|\b(its|they|them|their|these|those)\b|\b(that|this)\s*\?*$", re.I)
_SENTENCE_END = re.compile(r"[.!?]\s+[A-Z]")
_NOUN_PHRASE = re.compile(
    r"\b(?:an?|the|our|your|their|this|that)\s+([a-z][a-z-]*(?:\s+[a-z][a-z-]*){0,2})", re.I
)


def split_question(query: str) -> list[str]:
    """The sub-questions of a multi-part question ("Why X, and how Y?"); one part otherwise.

    A later part that says "it" gets the first part's thing instead ("What should be in place when
    an alliance is formed, and how is it governed?" -> "how is the alliance governed?"): alone, "how
    is it governed" finds and leads with anything about governance."""
    parts = [p.strip(" ,;") for p in _PARTS.split(query) if p and p.strip(" ,;")]
    parts = [p for p in parts if content_words(p)]
    if len(parts) < 2:
        return [query]
    # the thing of a first part told in several sentences (a situation) is anyone's guess
    thing = "" if _SENTENCE_END.search(parts[0]) else _thing(parts[0])
    later = [_IT.sub(thing, p, count=1) if thing else p for p in parts[1:]]
    if any(_leans_back(p, bool(thing)) for p in later):
        # "..., and which is more common?" alone finds anything: the question is asked as one
        return [query]
    return [parts[0], *later]


def _leans_back(part: str, resolved: bool) -> bool:
    """A part that cannot be understood alone: a pronoun for something said before (another "it"
    once the first is ``resolved`` is the same thing), or one word."""
    leaning = _BACK.search(_IT.sub("", part) if resolved else part)
    return bool(leaning) or len(content_words(part)) < 2


def _thing(text: str) -> str:
    """The first thing a question names after an article ("an alliance is formed" -> "the alliance")."""
    for match in _NOUN_PHRASE.finditer(text):
        words = []
        for word in match.group(1).split():
            if word.lower() in STOP_WORDS:
                break
            words.append(word)
        if words:
            return "the " + " ".join(words)
    return ""


class LexicalIndex:
    """Okapi BM25 over title, section and text of every chunk, in memory: the reference the persistent
    index (advisor/keywords.py) is measured against (evals/bench/keyword_candidates.py)."""

    def __init__(
        self,
        records: list[tuple[str, str, dict]],
        k1: float = 1.2,
        b: float = 0.75,
        extra: dict[str, str] | None = None,
    ) -> None:
        """``extra``: more words per chunk id (its section's example questions, doc2query)."""
        extra = extra or {}
        self.records = records
        self.k1, self.b = k1, b
        self.postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        lengths = []
        for index, (cid, text, meta) in enumerate(records):
            words = content_words(
                f"{meta.get('title', '')} {meta.get('section', '')} {text} {extra.get(cid, '')}"
            )
            lengths.append(len(words))
            for term, tf in Counter(words).items():
                self.postings[term].append((index, tf))
        self.lengths = np.asarray(lengths or [1], dtype=np.float32)
        self.avg = float(self.lengths.mean()) or 1.0
        n = len(records)
        self.idf = {t: math.log(1 + (n - len(p) + 0.5) / (len(p) + 0.5)) for t, p in self.postings.items()}

    def search(self, query: str, k: int) -> list[tuple[int, float]]:
        scores: dict[int, float] = defaultdict(float)
        for term in set(content_words(query)):
            idf = self.idf.get(term)
            if idf is None:
                continue
            for index, tf in self.postings[term]:
                norm = self.k1 * (1 - self.b + self.b * self.lengths[index] / self.avg)
                scores[index] += idf * tf * (self.k1 + 1) / (tf + norm)
        return sorted(scores.items(), key=lambda kv: -kv[1])[:k]


class BuildKeywords:
    """A build's keyword index as the retriever and its callers use it.

    ``hits`` and ``coverage`` read the persistent index. ``records``, ``by_id`` and ``search`` (row
    numbers into ``records``) read the whole build from the store on first use, so they cost memory
    in proportion to the build: only tests and the parity eval use them; the advisor does not
    (``Advisor.topics`` and a citation's fallback passage ask the store for metadata pages or one
    document's chunks)."""

    def __init__(self, store: VectorStore, physical: str, index: KeywordIndex) -> None:
        self.store = store
        self.physical = physical
        self.index = index
        self._records: list[tuple[str, str, dict]] | None = None
        self._rows: dict[str, int] = {}

    def hits(self, query: str, k: int) -> list[tuple[str, float]]:
        return self.index.search(query, k)

    def coverage(self, query: str) -> float:
        return self.index.coverage(query)

    def unknown(self, words: list[str]) -> list[str]:
        return self.index.unknown(words)

    def naming(self, query: str, k: int) -> list[tuple[str, float]]:
        """The chunks holding the question's naming words (``NAMING_SHARE``), best first."""
        return self.index.search_rare(query, k, min(k, int(self.index.count * NAMING_SHARE)))

    @property
    def records(self) -> list[tuple[str, str, dict]]:
        if self._records is None:
            records = [(r.id, r.text, r.metadata) for page in self.store.records(self.physical) for r in page]
            self._rows = {r[0]: i for i, r in enumerate(records)}
            self._records = records
        return self._records

    def by_id(self, chunk_id: str) -> tuple[str, str, dict] | None:
        row = self._rows.get(chunk_id) if self._records is not None else None
        if row is None:
            found = self.store.fetch(self.physical, [chunk_id]).get(chunk_id)
            return (found.id, found.text, found.metadata) if found else None
        return self.records[row]

    def search(self, query: str, k: int) -> list[tuple[int, float]]:
        if self._records is None:
            self._records = self.records  # builds the id -> row map
        return [(self._rows[i], s) for i, s in self.hits(query, k) if i in self._rows]


class Retriever:
    def __init__(self, store: VectorStore, embedder: Embedder, mode: str = "hybrid") -> None:
        if mode not in MODES:
            raise ConfigError(unknown_choice("retrieval mode", mode, MODES))
        self.store = store
        self.embedder = embedder
        self.mode = mode
        self._lexical: dict[str, BuildKeywords] = {}
        self._lock = threading.Lock()

    def conditions(self, collection_name: str) -> ConditionModel | None:
        """The live build's condition model (advisor/conditions.py), trained at ingest; None without."""
        artefacts = intent.load(self.store.settings.data_dir, self.store.live(collection_name).info)
        return artefacts.conditions if artefacts is not None else None

    def lexical(self, physical: str) -> BuildKeywords | None:
        """The keyword index of a live build (opened on first use; rebuilt only when missing or stale),
        or None for a build that is no longer any collection's live one."""
        with self._lock:
            found = self._lexical.get(physical)
            if found is None:
                from advisor.keywords_build import open_for

                pointer = self.store.pointer(physical.split(BUILD_SEP)[0])
                if pointer is None or pointer.physical != physical:
                    return None
                found = BuildKeywords(
                    self.store, physical, open_for(self.store.settings, self.store, pointer)
                )
                self._lexical = {physical: found}  # one live build per collection is enough
            return found

    def unknown_words(self, words: list[str], collection_name: str) -> list[str]:
        """Of these content words, those no chunk of the collection's live build contains (none
        when the build has no keyword index)."""
        pointer = self.store.live(collection_name)
        index = self.lexical(pointer.physical)
        return index.unknown(words) if index is not None else []

    def retrieve(self, query: str, collection_name: str, k: int, mode: str | None = None) -> Retrieval:
        """Passages for the query; for a multi-part question, each part's best passage leads."""
        whole = self._retrieve_one(query, collection_name, k, mode)
        parts = split_question(query)
        if len(parts) == 1 or not whole.passages:
            return whole
        leaders: list[Passage] = []
        for part in parts:
            found = self._retrieve_one(part, collection_name, 1, mode)
            for key, value in found.timings.items():
                whole.timings[key] = whole.timings.get(key, 0.0) + value
            if found.passages and all(p.id != found.passages[0].id for p in leaders):
                leaders.append(found.passages[0])
        rest = [p for p in whole.passages if all(p.id != q.id for q in leaders)]
        merged = (leaders + rest)[: max(k, len(leaders) + 1)]
        whole.passages = [
            Passage(n=i, id=p.id, text=p.text, metadata=p.metadata, score=p.score, similarity=p.similarity)
            for i, p in enumerate(merged, 1)
        ]
        whole.heads = list(range(len(leaders)))
        return whole

    def _retrieve_one(self, query: str, collection_name: str, k: int, mode: str | None = None) -> Retrieval:
        mode = mode or self.mode
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        pointer = self.store.live(collection_name)
        physical = pointer.physical
        artefacts = intent.load(self.store.settings.data_dir, pointer.info)
        vector = self.embedder.embed_query(query)
        t1 = time.perf_counter()
        timings["embed_ms"] = (t1 - t0) * 1000
        dense = self.store.query(physical, vector, CANDIDATES) if mode != "bm25" else []
        index = self.lexical(physical)
        coverage = index.coverage(query) if index is not None else 1.0
        keyword: list[tuple[str, float]] = []
        naming: list[tuple[str, float]] = []
        if mode != "dense" and index is not None:
            keyword, naming = index.hits(query, CANDIDATES), index.naming(query, CANDIDATES)
        asked_ids, question_similarity = self._by_question(artefacts, index, vector, dense, mode)
        records = self._records(physical, dense, [i for i, _ in keyword + naming] + asked_ids)
        lexical_hits = [_hit(records[i], score) for i, score in keyword if i in records]
        named = [_hit(records[i], score) for i, score in naming if i in records]
        asked = [_hit(records[i], 0.0) for i in asked_ids if i in records]
        timings["search_ms"] = (time.perf_counter() - t1) * 1000
        similarity = {h.id: h.score for h in dense}
        best = max(similarity.values(), default=0.0)
        if mode == "bm25" and lexical_hits:
            best = self._similarities(physical, vector, [h.id for h in lexical_hits[:1]]).get(
                lexical_hits[0].id, 0.0
            )
        ranked = (
            _fuse([dense, lexical_hits, asked, named])
            if mode != "dense"
            else [(h, 1 / (RRF_K + r)) for r, h in enumerate(dense, 1)]
        )
        if mode == "hybrid-mmr":
            ranked = self._mmr(physical, ranked, k)
        top = ranked[:k]
        missing = [h.id for h, _ in top if h.id not in similarity]
        if missing:
            similarity.update(self._similarities(physical, vector, missing))
        top_score = top[0][1] if top else 1.0
        passages = [
            Passage(
                n=i,
                id=h.id,
                text=h.text,
                metadata=h.metadata,
                score=round(s / top_score, 4),
                similarity=round(similarity.get(h.id, 0.0), 4),
            )
            for i, (h, s) in enumerate(top, 1)
        ]
        scope = None
        if artefacts is not None and artefacts.scope is not None:
            scope = artefacts.scope.probabilities(vector, best)
        return Retrieval(
            passages=passages,
            best_similarity=best,
            timings=timings,
            coverage=coverage,
            scope=scope,
            question_similarity=question_similarity,
        )

    def _by_question(
        self,
        artefacts: intent.Intent | None,
        index: BuildKeywords | None,
        vector: np.ndarray,
        dense: list[Hit],
        mode: str,
    ) -> tuple[list[str], float]:
        """Chunk ids of the sections whose example questions are nearest to the query (best section
        first; advisor/questions.py), and the nearest question's cosine."""
        if artefacts is None:
            return [], 0.0
        questions = artefacts.questions
        nearest = questions.nearest_sections(vector, 1)
        similarity = nearest[0][1] if nearest else 0.0
        if index is None or mode == "dense":
            return [], similarity
        return questions.ranked_chunk_ids(vector, CANDIDATES, prefer=[h.id for h in dense]), similarity

    def _records(self, physical: str, dense: list[Hit], ids: list[str]) -> dict[str, Record]:
        """Text and metadata of the given ids: from the dense hits when there, else one store request."""
        known = {h.id: Record(h.id, h.text, h.metadata) for h in dense}
        missing = list(dict.fromkeys(i for i in ids if i not in known))
        return {**known, **self.store.fetch(physical, missing)}

    def _similarities(self, physical: str, vector: np.ndarray, ids: list[str]) -> dict[str, float]:
        return {i: float(v @ vector) for i, v in self.store.vectors(physical, ids).items()}

    def _mmr(
        self, physical: str, ranked: list[tuple[Hit, float]], k: int, weight: float = 0.7
    ) -> list[tuple[Hit, float]]:
        emb = self.store.vectors(physical, [h.id for h, _ in ranked])
        chosen: list = []
        pool = list(ranked)
        while pool and len(chosen) < k:

            def gain(item):
                h, s = item
                redundancy = max((float(emb[h.id] @ emb[c.id]) for c, _ in chosen), default=0.0)
                return weight * s * RRF_K - (1 - weight) * redundancy

            best = max(pool, key=gain)
            pool.remove(best)
            chosen.append(best)
        return chosen + pool


def _hit(record: Record, score: float) -> Hit:
    return Hit(id=record.id, text=record.text, metadata=record.metadata, score=score)


def _fuse(result_lists: list[list[Hit]]) -> list[tuple[Hit, float]]:
    scores: dict[str, float] = defaultdict(float)
    hits: dict[str, Hit] = {}
    for results in result_lists:
        for rank, hit in enumerate(results, 1):
            scores[hit.id] += 1.0 / (RRF_K + rank)
            hits.setdefault(hit.id, hit)
    return sorted(((hits[i], s) for i, s in scores.items()), key=lambda hs: -hs[1])
