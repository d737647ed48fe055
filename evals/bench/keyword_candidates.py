"""Measure keyword-index candidates on one synthetic corpus: bm25s, tantivy, SQLite FTS5.

    python -m evals.bench.keyword_candidates 200000 /tmp/kw   # N chunks, a work directory
    python -m evals.bench.keyword_candidates 1000000 /tmp/kw tantivy   # only the named candidates

Every candidate indexes the same pre-tokenised chunks (advisor/text.py ``content_words``), so the
comparison is about the engine, not the tokeniser. Per candidate: build time, size on disk, a cold
load + first query in a fresh process (seconds and RSS), warm query p50/p95 over 100 questions, and
the top-20 overlap with the project's in-memory BM25 (advisor.retrieval.LexicalIndex) as the
reference. Candidates that are not installed are skipped. Not part of CI; the figures that chose the
design are in the README ("Scaling").
"""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from advisor.config import bundled_knowledge_dir
from advisor.text import content_words
from evals.bench.synthetic import _paragraph, real_sentences

QUERIES = 100


def corpus(n: int) -> tuple[list[str], list[str]]:
    sentences = [s for s in real_sentences([bundled_knowledge_dir()]) if len(s) <= 380]
    rng = random.Random(5)
    docs = [_paragraph(rng, sentences) for _ in range(n)]
    questions = [" ".join(rng.choice(sentences).split()[:8]) for _ in range(QUERIES)]
    return docs, questions


def build_bm25s(tokens: list[list[str]], path: Path) -> None:
    import bm25s

    retriever = bm25s.BM25(method="lucene", k1=1.2, b=0.75)
    retriever.index(tokens, show_progress=False)
    retriever.save(str(path))


def build_tantivy(tokens: list[list[str]], path: Path) -> None:
    import tantivy

    schema = _tantivy_schema()
    path.mkdir(parents=True, exist_ok=True)
    index = tantivy.Index(schema, path=str(path))
    writer = index.writer(heap_size=200_000_000, num_threads=1)
    for row, words in enumerate(tokens):
        writer.add_document(tantivy.Document(body=" ".join(words), row=row))
    writer.commit()
    writer.wait_merging_threads()


def _tantivy_schema():
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("body", stored=False, tokenizer_name="whitespace", index_option="freq")
    builder.add_integer_field("row", stored=True, indexed=False, fast=True)
    return builder.build()


def build_fts5(tokens: list[list[str]], path: Path) -> None:
    db = sqlite3.connect(path)
    db.execute("CREATE VIRTUAL TABLE chunks USING fts5(body, tokenize='unicode61')")
    db.executemany(
        "INSERT INTO chunks(rowid, body) VALUES (?, ?)", ((i, " ".join(t)) for i, t in enumerate(tokens))
    )
    db.commit()
    db.close()


LOADERS = {
    "bm25s": """
import bm25s, numpy as np
r = bm25s.BM25.load(PATH, mmap=True)
vocab = r.vocab_dict
def search(words):
    ids = [[vocab[w] for w in words if w in vocab]]
    if not ids[0]: return []
    docs, scores = r.retrieve(ids, k=20, show_progress=False, n_threads=0)
    return [int(d) for d in docs[0]]
""",
    "tantivy": """
import tantivy
index = tantivy.Index.open(PATH)
searcher = index.searcher()
def search(words):
    should = tantivy.Occur.Should
    terms = [tantivy.Query.term_query(index.schema, "body", w) for w in set(words)]
    q = tantivy.Query.boolean_query([(should, t) for t in terms])
    return [searcher.doc(a)["row"][0] for _, a in searcher.search(q, 20).hits]
""",
    "fts5": """
import sqlite3
db = sqlite3.connect(PATH)
def search(words):
    q = " OR ".join('"%s"' % w for w in set(words))
    sql = "SELECT rowid FROM chunks WHERE chunks MATCH ? ORDER BY bm25(chunks) LIMIT 20"
    return [r[0] for r in db.execute(sql, (q,))]
""",
}

PROBE = """
import json, sys, time
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM"):
            return int(line.split()[1]) / 1024
t0 = time.perf_counter()
PATH = sys.argv[1]
{loader}
queries = json.loads(open(sys.argv[2]).read())
first = search(queries[0])
cold = time.perf_counter() - t0
lat, tops = [], []
for q in queries:
    s = time.perf_counter(); tops.append(search(q)); lat.append((time.perf_counter() - s) * 1000)
lat.sort()
print(json.dumps({{"cold_s": cold, "p50_ms": lat[len(lat) // 2], "p95_ms": lat[int(len(lat) * 0.95)],
  "rss_mb": rss(), "tops": tops}}))
"""


REFERENCE_MAX = 300_000  # the in-memory reference needs several GB beyond this


def main(n: int, work: Path, only: list[str] | None = None) -> None:
    docs, questions = corpus(n)
    started = time.perf_counter()
    tokens = [content_words(d) for d in docs]
    print(f"{n} chunks tokenised in {time.perf_counter() - started:.1f} s")
    queries = [content_words(q) for q in questions]
    (work / "queries.json").write_text(json.dumps(queries))
    from advisor.retrieval import LexicalIndex

    ref_tops: list[list[int]] = []
    if n <= REFERENCE_MAX:
        started = time.perf_counter()
        reference = LexicalIndex([(str(i), d, {}) for i, d in enumerate(docs)])
        print(f"reference in-memory BM25 build {time.perf_counter() - started:.1f} s")
        ref_tops = [[i for i, _ in reference.search(q, 20)] for q in questions]
        del reference
    del docs
    builders = {"bm25s": build_bm25s, "tantivy": build_tantivy, "fts5": build_fts5}
    for name, build in builders.items():
        if only and name not in only:
            continue
        path = work / name
        shutil.rmtree(path, ignore_errors=True)
        path.unlink(missing_ok=True) if path.is_file() else None
        try:
            started = time.perf_counter()
            build(tokens, path)
        except ImportError:
            print(f"{name}: not installed, skipped")
            continue
        built = time.perf_counter() - started
        size = sum(p.stat().st_size for p in path.rglob("*")) if path.is_dir() else path.stat().st_size
        probe = PROBE.format(loader=LOADERS[name])
        out = subprocess.run(
            [sys.executable, "-c", probe, str(path), str(work / "queries.json")],
            capture_output=True,
            text=True,
            check=True,
        )
        got = json.loads(out.stdout)
        pairs = list(zip(got["tops"], ref_tops, strict=True)) if ref_tops else []
        overlap = sum(len(set(a[:5]) & set(b[:5])) / max(1, len(b[:5])) for a, b in pairs) / max(
            1, len(pairs)
        )
        top1 = sum(bool(a) and bool(b) and a[0] == b[0] for a, b in pairs) / max(1, len(pairs))
        print(
            f"{name}: build {built:.1f} s, {size / 2**20:.0f} MB on disk, "
            f"cold load+query {got['cold_s']:.3f} s, "
            f"RSS {got['rss_mb']:.0f} MB, warm p50 {got['p50_ms']:.1f} ms p95 {got['p95_ms']:.1f} ms, "
            f"top-5 overlap with reference {overlap:.3f}, same top-1 {top1:.2f}"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]), Path(sys.argv[2]), sys.argv[3].split(",") if len(sys.argv) > 3 else None)
