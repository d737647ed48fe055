"""The benchmark: its table and JSON plumbing, its synthetic material, and one real ``--quick`` run.

The real run asserts that every section and figure is there with a number, never timing targets
(machines are noisy); the targets themselves are checked by reading the table.
"""

from __future__ import annotations

import argparse
import json
import re

import numpy as np
import pytest

from evals.bench.bench_util import Results, run_child
from evals.bench.synthetic import base_texts, exact_top_k, mixed_vectors, write_corpus


def test_ratio_and_status_follow_the_target_direction():
    results = Results(meta={"cpu_count": 2})
    results.add("s", "latency", 60.0, "ms", "<= 50")
    results.add("s", "recall", 0.97, "", ">= 0.95")
    results.add("s", "chunks", 12, "chunks")
    latency, recall, chunks = results.figures
    assert latency.ratio == pytest.approx(1.2) and latency.ok is False
    assert recall.ratio == pytest.approx(0.97 / 0.95) and recall.ok is True
    assert chunks.ratio is None and chunks.ok is None
    assert [f.name for f in results.misses()] == ["latency"]


def test_table_and_json_carry_every_figure_and_note():
    results = Results(meta={"cpu_count": 2, "quick": True})
    results.add("1 latency", "total p50", 12.345, "ms", "<= 50")
    results.add("2 ingest", "ratio", 0.5, "x", ">= 0.80")
    results.note("2 ingest", "pipeline slower than the model")
    table = results.render()
    assert "cpu_count=2" in table
    assert "== 1 latency ==" in table and "== 2 ingest ==" in table
    assert re.search(r"ratio\s+0\.500 x\s+>= 0\.8\s+0\.62\s+MISS", table)
    assert "note: pipeline slower than the model" in table
    data = json.loads(results.dumps())
    assert data["sections"]["1 latency"]["total p50"] == {
        "value": 12.345,
        "unit": "ms",
        "target": "<= 50",
        "ratio": 0.247,
        "ok": True,
    }
    assert data["notes"] == {"2 ingest": ["pipeline slower than the model"]}
    assert data["misses"] == ["2 ingest: ratio"]


def test_synthetic_corpus_has_exactly_the_chunks_asked_for(tmp_path):
    from advisor.chunking import chunk_document
    from advisor.documents import load

    sentences = [f"Sentence {i} explains how alliance partners share risk and reward." for i in range(60)]
    files = write_corpus(tmp_path, 123, sentences)
    paths = sorted(tmp_path.glob("*.md"))
    assert files == len(paths) == 3
    chunks = [c for p in paths for c in chunk_document(load(p, p.name, 10**7))]
    assert len(chunks) == 123
    assert all(450 <= len(c.text) <= 850 for c in chunks)


def test_mixed_vectors_stay_near_their_real_bases_and_exact_search_is_exact():
    rng = np.random.default_rng(0)
    base = rng.normal(size=(50, 16)).astype(np.float32)
    base /= np.linalg.norm(base, axis=1, keepdims=True)
    vectors = mixed_vectors(base, 500, seed=1, neighbours=5)
    assert vectors.shape == (500, 16)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.median((vectors @ base.T).max(axis=1)) > 0.8  # each is a blend of real vectors
    queries = mixed_vectors(base, 7, seed=2, neighbours=5)
    top = exact_top_k(vectors, queries, k=10)
    for query, ids in zip(queries, top, strict=True):
        expected = np.argsort(-(vectors @ query))[:10]
        assert ids == [int(i) for i in expected]


def test_base_texts_adds_runs_of_adjacent_sentences_after_the_sentences():
    texts = base_texts(["A.", "B.", "C."], 6)
    assert texts == ["A.", "B.", "C.", "A. B.", "B. C.", "A. B. C."]


def test_child_runs_report_their_own_peak_memory_not_the_parents(tmp_path):
    import sys

    ballast = np.ones(300 * 2**20 // 8)  # the parent holds 300 MB; a child's ru_maxrss would inherit it
    code = "import time; x = bytearray(120 * 2**20); time.sleep(0.5)"
    run = run_child([sys.executable, "-c", code], {}, tmp_path, timeout=30)
    assert run.returncode == 0
    assert 110 < run.max_rss_mb < 250, run.max_rss_mb
    assert ballast.sum() > 0


SECTIONS = (
    "0 cold build",
    "1 warm answer latency",
    "2 ingest throughput",
    "3 no-op re-ingest",
    "4a scale: ingest pipeline",
    "4b scale: Chroma vectors",
)
FIGURES = (
    "extractive total p50",
    "extractive total p95",
    "fake total p95",
    "pipeline / raw encode",
    "peak RSS during ingest",
    "fresh process wall",
    "peak RSS (sampled)",
    "app search p95",
    "embedded, default HNSW: recall@10",
    "server, default HNSW: query p95",
)


@pytest.mark.real
@pytest.mark.timeout(420)
def test_quick_bench_prints_every_section_with_figures(settings, capsys):
    from evals.bench.bench import main

    args = argparse.Namespace(quick=True, scale=1000, json=False)
    assert main(args, settings) == 0
    table = capsys.readouterr().out
    assert re.search(r"cpu_count=\d+ quick=True scale=1000", table)
    for section in SECTIONS:
        assert f"== {section}" in table, section
    for figure in FIGURES:
        row = re.search(rf"^{re.escape(figure)}.*?\s+([\d,]+\.?\d*) ", table, re.M)
        assert row, figure
    assert re.search(r"^chunks ingested\s+1,000 chunks", table, re.M)
    assert "failed" not in table and "did not come up" not in table
    assert "targets missed:" in table


def test_the_bulk_embedder_plugin_gives_a_hashing_embedder_of_minilms_width(monkeypatch):
    from advisor.config import load_settings
    from advisor.embeddings import EMBEDDERS, get_embedder

    monkeypatch.setattr(EMBEDDERS, "_factories", dict(EMBEDDERS._factories))
    monkeypatch.setattr(EMBEDDERS, "_loaded", set(EMBEDDERS._loaded))
    settings = load_settings(embedder="hashing-384", plugins="evals.bench.bulk_embedder")
    embedder = get_embedder(settings)
    # The name carries the width: a build made at one width is never reused at another.
    assert (embedder.name, embedder.dim, embedder.embed_query("partners").shape) == (
        "hashing-384",
        384,
        (384,),
    )
    assert get_embedder(load_settings(embedder="hashing")).name == "hashing-1024"


@pytest.mark.parametrize(
    ("flags", "server", "embedded"),
    [([], False, True), (["--server"], True, True), (["--server-only"], True, False)],
)
def test_sizes_runs_the_halves_asked_for_and_keep_leaves_the_builds(
    tmp_path, monkeypatch, flags, server, embedded
):
    from bots.cli.main import main
    from evals.bench import bench_hybrid

    calls = []

    def record(sizes, work, server, keep, dim=1024, embedded=True):
        (work / "corpus-10").mkdir(parents=True)
        calls.append((sizes, server, keep, dim, embedded))
        return Results()

    monkeypatch.setattr(bench_hybrid, "main", record)
    keep = tmp_path / "builds"
    assert main(["bench", "--sizes", "10", "--dim", "384", "--keep", str(keep), *flags]) == 0
    assert calls == [([10], server, True, 384, embedded)]
    assert (keep / "corpus-10").is_dir()  # kept: cold asks can be re-run on the build later
