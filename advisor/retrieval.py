"""Retrieval: dense search in Chroma fused with BM25 keyword search (reciprocal rank fusion).

Modes (``ADVISOR_RETRIEVAL``): ``dense`` (Chroma only), ``bm25`` (keywords only), ``hybrid`` (both,
fused; the default, chosen on the eval set), ``hybrid-mmr`` (hybrid, then maximal marginal relevance
to spread the passages over more sections). The keyword index is built in memory from the live
collection on first use and rebuilt when the collection's pointer moves; above ``LEXICAL_MAX``
chunks hybrid quietly falls back to dense.
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

from advisor.answer import Passage
from advisor.embeddings import Embedder
from advisor.errors import ConfigError, unknown_choice
from advisor.store import Hit, VectorStore
from advisor.text import content_words

log = logging.getLogger(__name__)

MODES = ("dense", "bm25", "hybrid", "hybrid-mmr")
CANDIDATES = 20
RRF_K = 5
LEXICAL_MAX = 50_000


@dataclass
class Retrieval:
    passages: list[Passage]
    best_similarity: float
    timings: dict
    coverage: float = 1.0  # share of the query's content words that occur anywhere in the collection
    heads: list[int] = field(default_factory=lambda: [0])  # index of each sub-question's best passage


_PARTS = re.compile(
    r",?\s+and\s+(?=(?:how|what|which|why|when|who|where|is|are|do|does|can|should)\b)|(?<=[?])\s+(?=[A-Z])",
    re.I,
)


def split_question(query: str) -> list[str]:
    """The sub-questions of a multi-part question ("Why X, and how Y?"); one part otherwise."""
    parts = [p.strip(" ,;") for p in _PARTS.split(query) if p and p.strip(" ,;")]
    parts = [p for p in parts if content_words(p)]
    return parts if len(parts) > 1 else [query]


class LexicalIndex:
    """Okapi BM25 over title, section and text of every chunk."""

    def __init__(self, records: list[tuple[str, str, dict]], k1: float = 1.2, b: float = 0.75) -> None:
        self.records = records
        self.k1, self.b = k1, b
        self.postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        lengths = []
        for index, (_, text, meta) in enumerate(records):
            words = content_words(f"{meta.get('title', '')} {meta.get('section', '')} {text}")
            lengths.append(len(words))
            for term, tf in Counter(words).items():
                self.postings[term].append((index, tf))
        self.lengths = np.asarray(lengths or [1], dtype=np.float32)
        self.avg = float(self.lengths.mean()) or 1.0
        n = len(records)
        self.idf = {t: math.log(1 + (n - len(p) + 0.5) / (len(p) + 0.5)) for t, p in self.postings.items()}

    def coverage(self, query: str) -> float:
        words = content_words(query)
        if not words:
            return 0.0
        return sum(1 for w in words if w in self.idf) / len(words)

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


class Retriever:
    def __init__(self, store: VectorStore, embedder: Embedder, mode: str = "hybrid") -> None:
        if mode not in MODES:
            raise ConfigError(unknown_choice("retrieval mode", mode, MODES))
        self.store = store
        self.embedder = embedder
        self.mode = mode
        self._lexical: dict[str, LexicalIndex] = {}
        self._too_big: set[str] = set()  # builds above LEXICAL_MAX (a live build never changes size)
        self._lock = threading.Lock()

    def lexical(self, physical: str) -> LexicalIndex | None:
        """The keyword index of a build (built on first use), or None above LEXICAL_MAX chunks."""
        with self._lock:
            if physical in self._too_big:  # Chroma's embedded count() scans: ~6 ms at 60k chunks
                return None
            index = self._lexical.get(physical)
            if index is None:
                if self.store.count(physical) > LEXICAL_MAX:
                    self._too_big.add(physical)
                    return None
                records: list[tuple[str, str, dict]] = []
                for page in self.store.records(physical):
                    records.extend((r.id, r.text, r.metadata) for r in page)
                index = LexicalIndex(records)
                self._lexical = {physical: index}  # one live build per collection is enough
            return index

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
        physical = self.store.live(collection_name).physical
        vector = self.embedder.embed_query(query)
        t1 = time.perf_counter()
        timings["embed_ms"] = (t1 - t0) * 1000
        dense = self.store.query(physical, vector, CANDIDATES) if mode != "bm25" else []
        lexical_hits: list[Hit] = []
        index = self.lexical(physical)
        coverage = index.coverage(query) if index is not None else 1.0
        if mode != "dense" and index is not None:
            lexical_hits = [
                Hit(
                    id=index.records[i][0],
                    text=index.records[i][1],
                    metadata=index.records[i][2],
                    score=score,
                )
                for i, score in index.search(query, CANDIDATES)
            ]
        timings["search_ms"] = (time.perf_counter() - t1) * 1000
        similarity = {h.id: h.score for h in dense}
        best = max(similarity.values(), default=0.0)
        if mode == "bm25" and lexical_hits:
            best = self._similarities(physical, vector, [h.id for h in lexical_hits[:1]]).get(
                lexical_hits[0].id, 0.0
            )
        ranked = (
            _fuse([dense, lexical_hits])
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
        return Retrieval(passages=passages, best_similarity=best, timings=timings, coverage=coverage)

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


def _fuse(result_lists: list[list[Hit]]) -> list[tuple[Hit, float]]:
    scores: dict[str, float] = defaultdict(float)
    hits: dict[str, Hit] = {}
    for results in result_lists:
        for rank, hit in enumerate(results, 1):
            scores[hit.id] += 1.0 / (RRF_K + rank)
            hits.setdefault(hit.id, hit)
    return sorted(((hits[i], s) for i, s in scores.items()), key=lambda hs: -hs[1])
