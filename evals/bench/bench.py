"""Performance benchmark: answer latency, ingest throughput, no-op re-ingest and scale, in one run.

    advisor bench                 # full run (synthetic scale 100k chunks; ~15-25 min on 2 cores)
    advisor bench --quick         # small sizes, a smoke run in under two minutes
    advisor bench --scale 20000   # pick the synthetic corpus size
    advisor bench --json          # one JSON object with every figure
    advisor bench --sizes 50000,200000,1000000 [--server | --server-only] [--keep DIR]
                                  # only hybrid retrieval at size (evals/bench/bench_hybrid.py)

Everything happens in a temporary data dir (removed afterwards) with the real MiniLM model; the
user's own index, sessions and settings are never touched. Every figure with a target prints its
ratio (value / target) and ok or MISS. Sections:

1. warm answer latency per stage (embed, search, generate, total) for each available engine;
2. ingest throughput on real text against the raw encode rate of the same model on the same chunks;
3. no-op re-ingest of the bundled knowledge base, in a fresh process and in-process;
4. scale: (a) the ingest pipeline over a synthetic corpus with the hashing embedder (peak RSS), and
   (b) Chroma query latency and recall@10 over MiniLM-derived vectors, embedded and on a server.
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from advisor.config import Settings, bundled_knowledge_dir
from advisor.embeddings import Embedder, get_embedder
from advisor.errors import AdvisorError
from advisor.ingest import Ingestor
from evals.bench.bench_util import Results, RssSampler, pct

log = logging.getLogger(__name__)

QUESTIONS_FILE = Path(__file__).with_name("bench_questions.txt")
SEEDS_DIR = Path(__file__).resolve().parents[3] / "shared" / "seeds"
COLD = "0 cold build of the bundled knowledge base (real MiniLM)"
LATENCY = "1 warm answer latency (real MiniLM index)"


@dataclass(frozen=True)
class Sizes:
    questions: int
    llm_questions: int
    corpus_chunks: int
    noop_runs: int
    scale: int
    base_texts: int
    vector_queries: int
    app_queries: int


def sizes(args: argparse.Namespace) -> Sizes:
    if args.quick:
        return Sizes(
            questions=10,
            llm_questions=1,
            corpus_chunks=100,
            noop_runs=1,
            scale=min(args.scale, 2000),
            base_texts=300,
            vector_queries=50,
            app_queries=10,
        )
    return Sizes(
        questions=50,
        llm_questions=8,
        corpus_chunks=1000,
        noop_runs=3,
        scale=args.scale,
        base_texts=3000,
        vector_queries=200,
        app_queries=20,
    )


def questions(limit: int) -> list[str]:
    lines = QUESTIONS_FILE.read_text(encoding="utf-8").splitlines()
    return [q.strip() for q in lines if q.strip() and not q.startswith("#")][:limit]


def bench_settings(settings: Settings, data_dir: Path, **update) -> Settings:
    """The user's settings pointed at a throwaway data dir, the embedded store and the bundled KB."""
    return settings.model_copy(
        update={
            "data_dir": data_dir,
            "chroma_url": None,
            "collection": "alliance",
            "knowledge_dir": bundled_knowledge_dir(),
            **update,
        }
    )


def cold_build(results: Results, settings: Settings) -> Embedder:
    embedder = get_embedder(settings)
    with RssSampler() as rss:
        started = time.perf_counter()
        report = Ingestor(settings, embedder=embedder).run()
        seconds = time.perf_counter() - started
    results.add(COLD, "chunks", report.chunks, "chunks")
    results.add(COLD, "seconds (model load + embed + ONNX export)", seconds, "s")
    results.add(COLD, "peak RSS", rss.peak_mb, "MB")
    onnx = report.onnx or {}
    verified, cosine = onnx.get("verified"), onnx.get("min_cosine")
    results.note(COLD, f"ONNX query model verified={verified} (min cosine {cosine})")
    return embedder


def engines_to_run(settings: Settings, n: Sizes) -> list[tuple[str, int]]:
    from advisor.engines import engine_names

    runs = [("extractive", n.questions)]
    if "fake" in engine_names(settings):  # the scripted engine the tests register: no-LLM overhead
        runs.append(("fake", n.questions))
    if importlib.util.find_spec("llama_cpp") is not None:
        runs.append(("llamacpp", n.llm_questions))
    return runs


def latency(results: Results, settings: Settings, embedder: Embedder, n: Sizes) -> None:
    from advisor.core import Advisor

    advisor = Advisor(settings, embedder=embedder)
    advisor.warm()
    asked = questions(n.questions)
    for engine, count in engines_to_run(settings, n):
        try:
            advisor.ask("What is a strategic alliance?", engine=engine)  # loads the engine
        except AdvisorError as exc:
            results.note(LATENCY, f"{engine}: skipped ({exc})")
            continue
        stages: dict[str, list[float]] = {"embed_ms": [], "search_ms": [], "generate_ms": [], "total_ms": []}
        refused = 0
        engine_used = set()
        for question in asked[:count]:
            answer = advisor.ask(question, engine=engine)
            refused += answer.refused
            engine_used.add(answer.engine)
            for stage, values in stages.items():
                values.append(answer.timings.get(stage, 0.0))
        _latency_rows(results, engine, stages)
        used = ", ".join(sorted(engine_used))
        results.note(LATENCY, f"{engine}: {count} questions, {refused} refused, answered by {used}")


def _latency_rows(results: Results, engine: str, stages: dict[str, list[float]]) -> None:
    for stage, values in stages.items():
        p50, p95 = pct(values, 50), pct(values, 95)
        is_total = stage == "total_ms" and engine == "extractive"
        results.add(LATENCY, f"{engine} {stage[:-3]} p50", p50, "ms", "<= 50" if is_total else None)
        results.add(LATENCY, f"{engine} {stage[:-3]} p95", p95, "ms", "<= 150" if is_total else None)


def run(args: argparse.Namespace, settings: Settings, work: Path) -> Results:
    from evals.bench import bench_ingest, bench_scale
    from evals.bench.synthetic import real_sentences

    n = sizes(args)
    results = Results(
        meta={
            "cpu_count": os.cpu_count(),
            "quick": bool(args.quick),
            "scale": n.scale,
            "python": sys.version.split()[0],
            "loadavg_1m_start": round(os.getloadavg()[0], 2),
        }
    )
    started = time.perf_counter()
    # --quick caps the local model's answer length so a smoke run stays short.
    llm = {"llm_max_tokens": 64} if args.quick else {}
    real = bench_settings(settings, work / "data", embedder="minilm", **llm)
    sources = [bundled_knowledge_dir()] + ([SEEDS_DIR] if SEEDS_DIR.is_dir() else [])
    sentences = real_sentences(sources)

    _step("cold build")
    embedder = cold_build(results, real)
    _step("latency")
    latency(results, real, embedder, n)
    _step("ingest throughput")
    bench_ingest.ingest_throughput(results, real, embedder, sources, work / "ingest", n.corpus_chunks)
    _step("no-op re-ingest")
    bench_ingest.noop_reingest(results, real, embedder, n.noop_runs)
    _step(f"scale pipeline ({n.scale} chunks)")
    synth_data = bench_ingest.pipeline_at_scale(results, sentences, work, n.scale)
    if (synth_data / "chroma").is_dir():
        fake = bench_settings(settings, synth_data, embedder="hashing", engine="extractive")
        bench_ingest.query_at_scale(results, fake, questions(n.app_queries))
    _step(f"scale vectors ({n.scale})")
    bench_scale.vectors_at_scale(results, embedder, sentences, work, n.scale, n.base_texts, n.vector_queries)
    results.meta["bench_seconds"] = round(time.perf_counter() - started, 1)
    results.meta["loadavg_1m_end"] = round(os.getloadavg()[0], 2)
    return results


def _step(name: str) -> None:
    print(f"[bench] {time.strftime('%H:%M:%S')} {name}…", file=sys.stderr, flush=True)


def main(args: argparse.Namespace, settings: Settings) -> int:
    keep = getattr(args, "keep", None) if getattr(args, "sizes", None) else None
    work = keep or Path(tempfile.mkdtemp(prefix="advisor-bench-"))
    try:
        if getattr(args, "sizes", None):
            from evals.bench import bench_hybrid

            sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
            server_only = getattr(args, "server_only", False)
            results = bench_hybrid.main(
                sizes,
                work,
                args.server or server_only,
                keep=keep is not None,
                dim=args.dim,
                embedded=not server_only,
            )
        else:
            results = run(args, settings, work)
    finally:
        if keep is None:
            shutil.rmtree(work, ignore_errors=True)
    print(results.dumps() if args.json else results.render())
    return 0
