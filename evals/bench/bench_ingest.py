"""``advisor bench`` ingest sections: throughput against the model's own limit, no-op re-ingest,
and the ingestion pipeline at scale (hashing embedder, separate process, peak RSS)."""

from __future__ import annotations

import json
import logging
import math
import time
from pathlib import Path

import numpy as np

from advisor.build import EMBED_BATCH
from advisor.chunking import chunk_document
from advisor.config import Settings
from advisor.documents import load
from advisor.embeddings import Embedder
from advisor.ingest import Ingestor
from evals.bench.bench_util import Results, RssSampler, advisor_command, child_env, pct, run_child
from evals.bench.synthetic import text_files, write_corpus, write_variants

log = logging.getLogger(__name__)

INGEST = "2 ingest throughput (real MiniLM)"
NOOP = "3 no-op re-ingest (bundled knowledge)"
PIPELINE = "4a scale: ingest pipeline (hashing embedder)"


def corpus_chunks(root: Path) -> list:
    """The unique chunks the ingest pipeline would make of the files under root."""
    unique: dict[str, object] = {}
    for path in text_files([root]):
        source = f"{root.name}/{path.relative_to(root).as_posix()}"  # as the pipeline names it
        for chunk in chunk_document(load(path.resolve(), source, 20_000_000)):
            unique.setdefault(chunk.id, chunk)
    return list(unique.values())


def ingest_throughput(
    results: Results, settings: Settings, embedder: Embedder, sources: list[Path], work: Path, min_chunks: int
) -> None:
    """Ingest N edited copies of the sources (>= min_chunks) and compare with raw encoding."""
    probe = work / "probe"
    write_variants(sources, probe, 1)
    per_variant = len(corpus_chunks(probe))
    variants = max(1, math.ceil(min_chunks / max(per_variant, 1)))
    corpus = work / "corpus"
    files = write_variants(sources, corpus, variants)
    texts = [c.embed_text for c in corpus_chunks(corpus)]
    results.add(INGEST, "corpus files", files, "files")
    results.add(INGEST, "corpus chunks", len(texts), "chunks")
    results.note(INGEST, f"corpus: {', '.join(p.name for p in sources)} copied x{variants} with word swaps")

    with RssSampler() as rss:
        started = time.perf_counter()
        report = Ingestor(settings, embedder=embedder).run([corpus], collection="bench-corpus")
        pipeline_s = time.perf_counter() - started
    if report.chunks != len(texts):
        results.note(INGEST, f"pipeline made {report.chunks} chunks, the direct chunking {len(texts)}")
    pipeline_rate = report.embedded / pipeline_s
    results.add(INGEST, "pipeline seconds", pipeline_s, "s")
    results.add(INGEST, "pipeline chunks/s", pipeline_rate, "chunk/s")
    results.add(INGEST, "process RSS before ingest", rss.start_mb, "MB")
    results.add(INGEST, "peak RSS during ingest", rss.peak_mb, "MB")

    started = time.perf_counter()
    vectors = embedder.embed_documents(texts)
    raw_rate = len(texts) / (time.perf_counter() - started)
    results.add(INGEST, "raw encode chunks/s (one call)", raw_rate, "chunk/s")
    results.add(INGEST, "pipeline / raw encode", pipeline_rate / raw_rate, "x", ">= 0.80")
    _diagnose(results, settings, embedder, texts, vectors)


def _diagnose(
    results: Results, settings: Settings, embedder: Embedder, texts: list[str], vectors: np.ndarray
) -> None:
    """Where the time goes: encoding in unsorted slices (the pipeline sorts by length), Chroma writes."""
    started = time.perf_counter()
    for start in range(0, len(texts), EMBED_BATCH):
        embedder.embed_documents(texts[start : start + EMBED_BATCH])
    sliced = len(texts) / (time.perf_counter() - started)
    results.add(INGEST, f"diag: raw encode, unsorted {EMBED_BATCH}-slices", sliced, "chunk/s")

    from advisor.store import VectorStore

    store = VectorStore(settings)
    physical = store.new_build("bench-write", "diag")
    started = time.perf_counter()
    for start in range(0, len(texts), EMBED_BATCH):
        ids = [f"d{i}" for i in range(start, min(start + EMBED_BATCH, len(texts)))]
        end = start + len(ids)
        store.add(physical, ids, vectors[start:end], texts[start:end], [{"source": "diag"}] * len(ids))
    rate = len(texts) / (time.perf_counter() - started)
    results.add(INGEST, f"diag: Chroma add rows/s ({EMBED_BATCH}-row batches)", rate, "rows/s")
    store.drop(physical)


def noop_reingest(results: Results, settings: Settings, embedder: Embedder, runs: int) -> None:
    """Re-ingest the unchanged knowledge base: a fresh ``advisor ingest`` process, then in-process."""
    env = child_env(ADVISOR_DATA_DIR=str(settings.data_dir), ADVISOR_EMBEDDER=settings.embedder)
    walls = []
    for _ in range(runs):
        run = run_child(advisor_command("ingest", "--json"), env, settings.data_dir.parent, timeout=120)
        if run.returncode != 0:
            results.note(NOOP, f"advisor ingest failed ({run.returncode}): {run.stderr.strip()[-200:]}")
            return
        report = json.loads(run.stdout)
        if report["built"]:
            results.note(NOOP, "the re-ingest rebuilt the index: it was not a no-op")
        walls.append(run.seconds)
    results.add(NOOP, f"fresh process wall (median of {runs})", pct(walls, 50), "s", "<= 2")
    results.add(NOOP, "fresh process: ingest's own seconds", report["seconds"], "s")
    results.add(NOOP, "fresh process peak RSS", run.max_rss_mb, "MB")
    started = time.perf_counter()
    Ingestor(settings, embedder=embedder).run()
    results.add(NOOP, "in-process (warm)", time.perf_counter() - started, "s")


def pipeline_at_scale(results: Results, sentences: list[str], work: Path, scale: int) -> Path:
    """Ingest a synthetic corpus of ``scale`` chunks with the hashing embedder in a separate process."""
    source = work / "synthetic"
    started = time.perf_counter()
    files = write_corpus(source, scale, sentences)
    results.add(PIPELINE, "synthetic corpus files", files, "files")
    results.add(PIPELINE, "corpus generation", time.perf_counter() - started, "s")
    data = work / "synthetic-data"
    env = child_env(ADVISOR_DATA_DIR=str(data), ADVISOR_EMBEDDER="hashing")
    run = run_child(
        advisor_command("ingest", str(source), "--collection", "synth", "--json"), env, work, timeout=3600
    )
    if run.returncode != 0:
        results.note(PIPELINE, f"advisor ingest failed ({run.returncode}): {run.stderr.strip()[-300:]}")
        return data
    report = json.loads(run.stdout)
    results.add(PIPELINE, "chunks ingested", report["chunks"], "chunks")
    results.add(PIPELINE, "wall (fresh process)", run.seconds, "s")
    results.add(PIPELINE, "pipeline chunks/s", report["chunks"] / report["seconds"], "chunk/s")
    results.add(PIPELINE, "peak RSS (sampled)", run.max_rss_mb, "MB", "<= 2048")
    run = run_child(
        advisor_command("ingest", str(source), "--collection", "synth", "--json"), env, work, timeout=600
    )
    if run.returncode == 0:
        results.add(PIPELINE, "no-op re-ingest wall", run.seconds, "s")
        results.add(PIPELINE, "no-op re-ingest peak RSS", run.max_rss_mb, "MB")
    return data


def query_at_scale(results: Results, settings: Settings, questions: list[str]) -> None:
    """The app's own query path (fake embedder) against the synthetic collection."""
    from advisor.core import Advisor

    advisor = Advisor(settings)
    advisor.ask(questions[0], collection="synth")  # opens the collection (and any keyword index)
    search, total = [], []
    for question in questions:
        answer = advisor.ask(question, collection="synth")
        search.append(answer.timings.get("search_ms", 0.0))
        total.append(answer.timings["total_ms"])
    mode = settings.retrieval
    results.add(PIPELINE, "app search p50", pct(search, 50), "ms")
    results.add(PIPELINE, "app search p95", pct(search, 95), "ms", "<= 100")
    results.add(PIPELINE, "app total p95", pct(total, 95), "ms")
    results.note(PIPELINE, f"app queries: {len(questions)} questions, fake embedder (1024-d), {mode}")
