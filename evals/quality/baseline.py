"""The textbook LangChain RAG pipeline, scored on the same gold questions as a baseline row.

RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200) over the raw files, the same
MiniLM model through HuggingFaceEmbeddings, a langchain_chroma.Chroma store of its own, and
``similarity_search(k=4)``. Its "answer" is the four chunks concatenated: what the textbook chain
stuffs into the prompt, so key-fact recall here is an upper bound for any model reading that
context. Retrieval metrics use the same depth-10 ranking as the advisor's, so hit@5 and MRR compare
the two retrievers like for like. It never refuses and has no conversation memory (a follow-up's
last turn is searched as asked).
A chunk belongs to every ``##`` section it overlaps, which favours the baseline on hit@k.
Needs the ``baseline`` extra (langchain-huggingface, langchain-chroma, langchain-text-splitters).
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections import Counter
from pathlib import Path

from advisor.errors import ConfigError
from evals.quality import scorers
from evals.quality.evaluate import CHAT_MAX_WORDS, DEPTH, ItemResult, finish, new_result
from evals.quality.gold import GoldItem

log = logging.getLogger(__name__)

K = 4
_H2 = re.compile(r"^##\s+(.+?)\s*$", re.M)


def sections_of(text: str) -> list[tuple[int, int, str]]:
    """(start, end, heading) spans of the ``##`` sections of a Markdown text."""
    marks = [(m.start(), m.group(1).strip()) for m in _H2.finditer(text)]
    return [
        (start, marks[i + 1][0] if i + 1 < len(marks) else len(text), name)
        for i, (start, name) in enumerate(marks)
    ]


def overlapping(spans: list[tuple[int, int, str]], start: int, length: int) -> str:
    return " | ".join(name for s, e, name in spans if s < start + length and e > start)


class Baseline:
    """A persisted Chroma store built from ``files``; ``search`` returns (text, source, sections)."""

    def __init__(self, files: list[Path], persist_dir: Path, source_prefix: str = "knowledge/") -> None:
        try:
            from chromadb.config import Settings as ChromaSettings
            from langchain_chroma import Chroma
            from langchain_huggingface import HuggingFaceEmbeddings
            from langchain_text_splitters import RecursiveCharacterTextSplitter
        except ImportError:
            raise ConfigError("the baseline needs: pip install 'alliance-advisor[evals]'") from None
        from advisor.embeddings import minilm_dir

        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for the hub
        t0 = time.perf_counter()
        splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200, add_start_index=True)
        docs = []
        for path in files:
            text = path.read_text(encoding="utf-8", errors="replace")
            spans = sections_of(text)
            for doc in splitter.create_documents([text], metadatas=[{"source": source_prefix + path.name}]):
                doc.metadata["sections"] = overlapping(
                    spans, doc.metadata["start_index"], len(doc.page_content)
                )
                docs.append(doc)
        embeddings = HuggingFaceEmbeddings(model_name=str(minilm_dir()))
        self.store = Chroma(
            collection_name="baseline",
            embedding_function=embeddings,
            persist_directory=str(persist_dir),
            client_settings=ChromaSettings(anonymized_telemetry=False),
        )
        self.store.add_documents(docs)
        self.chunks: Counter[tuple[str, str]] = Counter()
        for doc in docs:
            for name in filter(None, doc.metadata["sections"].split(" | ")):
                self.chunks[(doc.metadata["source"], name)] += 1
        self.build_seconds = time.perf_counter() - t0
        log.info("baseline built: %s chunks in %.1fs", len(docs), self.build_seconds)

    def search(self, question: str, k: int = K) -> list[tuple[str, str, set[str]]]:
        found = self.store.similarity_search(question, k=k)
        return [
            (
                d.page_content,
                str(d.metadata.get("source", "")),
                set(filter(None, str(d.metadata.get("sections", "")).split(" | "))),
            )
            for d in found
        ]


def evaluate_baseline(
    baseline: Baseline, items: list[GoldItem], with_sources: bool = True
) -> list[ItemResult]:
    results = []
    for item in items:
        result = new_result(item, engine_used="baseline")
        t0 = time.perf_counter()
        ranked = baseline.search(item.question, DEPTH)  # depth 10 for MRR/nDCG; the answer uses the top 4
        elapsed = (time.perf_counter() - t0) * 1000
        found = ranked[:K]
        result.timings = {"search_ms": elapsed, "total_ms": elapsed}
        result.answer = "\n\n".join(text for text, _, _ in found)
        result.retrieved = [
            f"{src.rsplit('/', 1)[-1]} § {' | '.join(sorted(secs))}" for _, src, secs in found
        ]
        result.words = scorers.answer_words(result.answer)
        if item.chat:
            result.chat_ok = result.words <= CHAT_MAX_WORDS  # four chunks are never a short reply
        elif not item.refuse:
            result.key_fact_recall, result.missing_facts = scorers.key_fact_recall(
                result.answer, item.key_facts
            )
            result.lead_hit = scorers.lead_hit(result.answer, item.key_facts)
            if with_sources:
                ranking = [(src, secs) for _, src, secs in ranked]
                expected = [(e.source, e.section) for e in item.expected]
                n_relevant = sum(baseline.chunks[(e.source, e.section)] for e in item.expected)
                result.hit1 = scorers.hit_at_k(ranking, expected, 1)
                result.hit3 = scorers.hit_at_k(ranking, expected, 3)
                result.hit5 = scorers.hit_at_k(ranking, expected, 5)
                result.rr = scorers.reciprocal_rank(ranking, expected)
                result.ndcg = scorers.ndcg_at_k(ranking, expected, DEPTH, n_relevant or None)
        finish(result, item, with_sources)
        results.append(result)
    return results
