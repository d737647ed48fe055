"""``advisor bench`` section 4b: Chroma query latency and recall@10 at scale, with realistic vectors.

Real MiniLM vectors of a few thousand real texts are blended into ``scale`` vectors (see
``evals.synthetic.mixed_vectors``), added to a Chroma collection in batches (embeddings passed
explicitly, telemetry off), and queried with held-out blends. Recall@10 is measured against exact
brute-force search in numpy, first on the embedded client, then on a real ``chroma run`` server
over the same directory. Two collections hold the same vectors: one with Chroma's default HNSW
settings and one created with a wider ``ef_search`` (it must be set at creation: measured here,
``collection.modify(configuration={"hnsw": {"ef_search": ...}})`` on an existing embedded index
changes the stored configuration but not the recall).
"""

from __future__ import annotations

import logging
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from advisor.embeddings import Embedder
from evals.bench.bench_util import Results, RssSampler, pct
from evals.bench.synthetic import base_texts, exact_top_k, mixed_vectors

if TYPE_CHECKING:  # pragma: no cover
    from chromadb.api.collection_configuration import CreateHNSWConfiguration

log = logging.getLogger(__name__)

SECTION = "4b scale: Chroma vectors (MiniLM-derived)"
NOISE = 0.06  # per-dimension sigma of the blends; 0.03 is too easy (recall 1.0), 0.10 much harder
COLLECTIONS: dict[str, tuple[str, CreateHNSWConfiguration]] = {  # name -> (label, HNSW config at creation)
    "bench-default": ("default HNSW", {"space": "cosine"}),
    "bench-wide": ("ef_search=400", {"space": "cosine", "ef_search": 400}),
}
SERVER_START_TIMEOUT = 60.0


def chroma_settings():
    from chromadb.config import Settings as ChromaSettings

    return ChromaSettings(anonymized_telemetry=False)


def make_vectors(
    results: Results, embedder: Embedder, sentences: list[str], scale: int, n_base: int, n_queries: int
) -> tuple[np.ndarray, np.ndarray]:
    texts = base_texts(sentences, n_base)
    started = time.perf_counter()
    base = embedder.embed_documents(texts)
    results.add(SECTION, "real texts embedded (MiniLM)", len(texts), "texts")
    results.add(SECTION, "their encode rate", len(texts) / (time.perf_counter() - started), "text/s")
    started = time.perf_counter()
    vectors = mixed_vectors(base, scale, seed=1, sigma=NOISE)
    queries = mixed_vectors(base, n_queries, seed=2, sigma=NOISE)
    results.add(SECTION, "vectors generated", len(vectors), "vectors")
    results.add(SECTION, "generation", time.perf_counter() - started, "s")
    return vectors, queries


def fill(results: Results, path: Path, vectors: np.ndarray) -> None:
    import chromadb

    client = chromadb.PersistentClient(path=str(path), settings=chroma_settings())
    batch = min(5000, client.get_max_batch_size())
    for name, (label, hnsw) in COLLECTIONS.items():
        collection = client.create_collection(name, embedding_function=None, configuration={"hnsw": hnsw})
        with RssSampler() as rss:
            started = time.perf_counter()
            for start in range(0, len(vectors), batch):
                end = min(start + batch, len(vectors))
                collection.add(
                    ids=[f"v{i}" for i in range(start, end)],
                    embeddings=vectors[start:end],
                    metadatas=[{"n": i} for i in range(start, end)],
                )
            seconds = time.perf_counter() - started
        results.add(SECTION, f"{label}: Chroma add, batches of {batch}", len(vectors) / seconds, "vec/s")
        results.add(SECTION, f"{label}: bench RSS growth while adding", rss.peak_mb - rss.start_mb, "MB")
    results.add(SECTION, "both indexes on disk", _du(path) / 2**20, "MB")


def measure(results: Results, label: str, collection, queries: np.ndarray, exact: list[list[int]]) -> None:
    collection.query(query_embeddings=[queries[0].tolist()], n_results=10)  # the first query loads the index
    latencies, recalls = [], []
    for query, truth in zip(queries, exact, strict=True):
        started = time.perf_counter()
        got = collection.query(query_embeddings=[query.tolist()], n_results=10, include=["distances"])
        latencies.append((time.perf_counter() - started) * 1000)
        found = {int(i[1:]) for i in got["ids"][0]}
        recalls.append(len(found & set(truth)) / len(truth))
    results.add(SECTION, f"{label}: query p50", pct(latencies, 50), "ms")
    results.add(SECTION, f"{label}: query p95", pct(latencies, 95), "ms", "<= 100")
    results.add(SECTION, f"{label}: recall@10", float(np.mean(recalls)), "", ">= 0.95")


def query_variants(results: Results, where: str, client, queries, exact) -> None:
    for name, (label, _) in COLLECTIONS.items():
        collection = client.get_collection(name, embedding_function=None)
        measure(results, f"{where}, {label}", collection, queries, exact)


def vectors_at_scale(
    results: Results,
    embedder: Embedder,
    sentences: list[str],
    work: Path,
    scale: int,
    n_base: int,
    n_queries: int,
) -> None:
    import chromadb
    from chromadb.api.client import SharedSystemClient

    vectors, queries = make_vectors(results, embedder, sentences, scale, n_base, n_queries)
    started = time.perf_counter()
    exact = exact_top_k(vectors, queries, 10)
    per_query = (time.perf_counter() - started) * 1000 / len(queries)
    results.add(SECTION, "numpy brute force, per query", per_query, "ms")
    path = work / "vectors"
    fill(results, path, vectors)
    client = chromadb.PersistentClient(path=str(path), settings=chroma_settings())
    query_variants(results, "embedded", client, queries, exact)
    del client
    SharedSystemClient.clear_system_cache()  # let the server own the directory alone
    on_server(results, path, work, queries, exact)


def on_server(results: Results, path: Path, work: Path, queries, exact) -> None:
    chroma = Path(sys.executable).parent / "chroma"
    if not chroma.is_file():
        results.note(SECTION, "no `chroma` command next to this Python: server figures skipped")
        return
    port = _free_port()
    log_path = work / "chroma-server.log"
    with open(log_path, "w") as log_file:
        server = subprocess.Popen(
            [str(chroma), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        started = time.perf_counter()
        client = _connect(server, port)
        if client is None:
            tail = log_path.read_text()[-300:]
            results.note(SECTION, f"chroma server did not come up in {SERVER_START_TIMEOUT:.0f}s: {tail}")
            return
        results.add(SECTION, "server start (until heartbeat)", time.perf_counter() - started, "s")
        collection = client.get_collection(next(iter(COLLECTIONS)), embedding_function=None)
        started = time.perf_counter()
        collection.query(query_embeddings=[queries[0].tolist()], n_results=10)
        results.add(
            SECTION, "server first query (loads the index)", (time.perf_counter() - started) * 1000, "ms"
        )
        query_variants(results, "server", client, queries, exact)
        results.add(SECTION, "server RSS after queries", _rss_mb(server.pid), "MB")
    finally:
        _stop(server)


def _connect(server: subprocess.Popen, port: int):
    import chromadb

    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline and server.poll() is None:
        try:
            client = chromadb.HttpClient(host="127.0.0.1", port=port, settings=chroma_settings())
            client.heartbeat()
            return client
        except Exception:  # not listening yet
            time.sleep(0.25)
    return None


def _stop(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=10)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _rss_mb(pid: int) -> float:
    import psutil

    return psutil.Process(pid).memory_info().rss / 2**20


def _du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
