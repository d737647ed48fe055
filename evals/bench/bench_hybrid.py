"""``advisor bench --sizes 50000,200000,1000000``: hybrid retrieval at size (issue 15).

Per size, in a temporary work dir: a synthetic corpus of N chunks (shuffled real sentences of the
bundled knowledge base, evals/bench/synthetic.py) with planted facts, ingested by a fresh
``advisor ingest`` process with the hashing embedder (wall, peak RSS, keyword-index size); then a
cold ``advisor ask`` in a fresh process (wall, peak RSS) in the default hybrid mode and with
``ADVISOR_RETRIEVAL=bm25``, each checked for the planted clause code; then, warm and in-process,
every planted question through the retriever: hit@5 and latency per mode. ``--server`` repeats the
ingest and the cold asks through a real ``chroma run`` (two data dirs: the builder and a replica
that downloads the published keyword index).

Planted facts: each is one chunk holding a unique code ("zanzibar-7781") inside ordinary prose.
Two questions per fact: by the code ("Which note states clause code zanzibar-7781?") and reworded
(the code's name word and the fact's topic in other words, no number). Both lean on a rare word:
with the hashing embedder (no meaning) a by-meaning paraphrase set would measure nothing.
"""

from __future__ import annotations

import json
import os
import random
import resource
import shutil
import time
from pathlib import Path

from advisor.config import Settings, bundled_knowledge_dir
from evals.bench.bench_util import Results, RssSampler, advisor_command, child_env, pct, run_child
from evals.bench.synthetic import _paragraph, real_sentences, write_corpus

SECTION = "4c scale: hybrid retrieval at size (hashing embedder)"
PLANTED = 40
# The hashing embedder's width -> its name; "hashing-384" comes from the bench's plugin (bulk_embedder).
EMBEDDERS = {1024: "hashing", 384: "hashing-384"}
PLUGIN = "evals.bench.bulk_embedder"
_NAMES = (
    "zanzibar aldebaran borealis cassiopeia dorado eridanus fornax gemini hydra indus lacerta lyra "
    "mensa norma octans pavo pictor puppis pyxis reticulum sagitta scutum sextans taurus vela volans "
    "antlia caelum carina circinus columba corvus crater delphinus equuleus grus horologium lepus lupus"
).split()
_TOPICS = (
    ("caps the liability of each partner at the fees paid in the prior year", "limit on what a partner owes"),
    ("lets either party leave after a change of control of the other", "exit when the other firm is bought"),
    ("gives the smaller partner a veto on new markets", "block expansion into new regions"),
    (
        "requires quarterly steering committee reviews of the joint roadmap",
        "how often the roadmap is reviewed",
    ),
)


def planted_facts() -> list[dict]:
    rng = random.Random(7781)
    facts = []
    for n in range(PLANTED):
        name = _NAMES[n % len(_NAMES)]
        code = "7781" if n == 0 else f"{rng.randint(1000, 9999)}"
        clause, reworded = _TOPICS[n % len(_TOPICS)]
        facts.append(
            {
                "code": f"{name}-{code}",
                "sentence": f"Clause code {name}-{code} {clause}.",
                "keyword": f"Which note states clause code {name}-{code}?",
                "reworded": f"In the {name} agreement, what is the {reworded}?",
            }
        )
    return facts


def write_planted(target: Path, sentences: list[str]) -> list[dict]:
    """One Markdown file, one section per fact: the fact's sentence inside ordinary prose."""
    rng = random.Random(13)
    facts = planted_facts()
    parts = ["# Partnership clause register\n"]
    for n, fact in enumerate(facts):
        prose = _paragraph(rng, sentences)
        cut = prose.find(". ", len(prose) // 2)
        body = (
            f"{prose[: cut + 1]} {fact['sentence']} {prose[cut + 2 :]}"
            if cut > 0
            else f"{prose} {fact['sentence']}"
        )
        parts.append(f"## Clause note {n}\n\n{body}\n")
    (target / "clause-register.md").write_text("\n".join(parts), encoding="utf-8")
    return facts


def run_size(results: Results, size: int, work: Path, server_url: str | None = None, dim: int = 1024) -> None:
    label = (
        f"{size:,} chunks" + (" (chroma run)" if server_url else "") + (f", {dim}-dim" if dim != 1024 else "")
    )
    sentences = [s for s in real_sentences([bundled_knowledge_dir()]) if len(s) <= 380]
    source = work / f"corpus-{size}"
    if not source.is_dir():
        started = time.perf_counter()
        write_corpus(source, size - PLANTED, sentences)
        write_planted(source, sentences)
        results.add(SECTION, f"{label}: corpus generation", time.perf_counter() - started, "s")
    facts = planted_facts()
    data = work / f"data-{size}{'-server' if server_url else ''}"
    extra = {"ADVISOR_CHROMA_URL": server_url} if server_url else {}
    embedder = EMBEDDERS[dim]
    extra = {**extra, "ADVISOR_PLUGINS": PLUGIN}
    env = child_env(ADVISOR_DATA_DIR=str(data), ADVISOR_EMBEDDER=embedder, **extra)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    run = run_child(
        advisor_command("ingest", str(source), "--collection", "synth", "--json"), env, work, 4 * 3600
    )
    if run.returncode != 0:
        results.note(SECTION, f"{label}: ingest failed ({run.returncode}): {run.stderr.strip()[-300:]}")
        return
    report = json.loads(run.stdout)
    results.add(SECTION, f"{label}: ingest wall", run.seconds, "s")
    results.add(SECTION, f"{label}: ingest CPU (user+sys)", _cpu_since(before), "s")
    results.add(
        SECTION, f"{label}: ingest chunks/s", report["chunks"] / max(report["seconds"], 1e-9), "chunk/s"
    )
    target = "<= 2048" if size >= 1_000_000 else None
    results.add(SECTION, f"{label}: ingest peak RSS", run.max_rss_mb, "MB", target)
    folder = data / "keywords"
    if folder.is_dir():
        results.add(SECTION, f"{label}: keyword index on disk", _du(folder) / 2**20, "MB")
    replica = work / f"replica-{size}" if server_url else data
    cold_asks(results, label, size, replica, facts[0], {**extra, "ADVISOR_EMBEDDER": embedder}, work)
    warm(results, label, replica, facts, extra, embedder)


def cold_asks(
    results: Results, label: str, size: int, data: Path, fact: dict, extra: dict, work: Path
) -> None:
    target_s, target_mb = (1.5, 350) if size <= 50_000 else (2.0, 400) if size <= 100_000 else (2.5, None)
    for mode in ("hybrid", "bm25"):
        env = child_env(ADVISOR_DATA_DIR=str(data), ADVISOR_RETRIEVAL=mode, **extra)
        for attempt in ("first", "cold"):  # the first may download the published index (replica)
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            run = run_child(
                advisor_command("ask", fact["keyword"], "--collection", "synth", "--json"), env, work, 600
            )
            cpu = _cpu_since(before)
            if run.returncode != 0:
                results.note(SECTION, f"{label}: cold ask failed: {run.stderr.strip()[-300:]}")
                return
            if attempt == "first" and "ADVISOR_CHROMA_URL" not in extra:
                continue  # embedded: the first ask is as cold as the second
            answer = json.loads(run.stdout)
            found = any(s.get("section") == "Clause note 0" for s in answer.get("sources", []))
            name = f"{label}: cold ask ({mode}{', first on replica' if attempt == 'first' else ''})"
            results.add(
                SECTION, f"{name} wall", run.seconds, "s", f"<= {target_s}" if mode == "hybrid" else None
            )
            mb_target = f"<= {target_mb}" if mode == "hybrid" and target_mb else None
            results.add(SECTION, f"{name} peak RSS", run.max_rss_mb, "MB", mb_target)
            # CPU seconds: what the wall would be on an idle core (the bench machine may be shared).
            results.add(SECTION, f"{name} CPU (user+sys)", cpu, "s")
            results.add(SECTION, f"{name}: clause code among the sources", int(found), "", ">= 1")


def warm(
    results: Results, label: str, data: Path, facts: list[dict], extra: dict, embedder: str = "hashing"
) -> None:
    from advisor.embeddings import get_embedder
    from advisor.retrieval import Retriever
    from advisor.store import VectorStore

    settings = Settings(
        data_dir=data, embedder=embedder, chroma_url=extra.get("ADVISOR_CHROMA_URL"), plugins=PLUGIN
    )
    store = VectorStore(settings)
    retriever = Retriever(store, get_embedder(settings))
    retriever.retrieve(facts[0]["keyword"], "synth", 5)
    for mode in ("hybrid", "bm25", "dense"):
        for kind in ("keyword", "reworded"):
            latencies, hits = [], 0
            for fact in facts:
                started = time.perf_counter()
                found = retriever.retrieve(fact[kind], "synth", 5, mode)
                latencies.append((time.perf_counter() - started) * 1000)
                hits += any(fact["code"] in p.text for p in found.passages)
            results.add(SECTION, f"{label}: {mode} {kind} planted hit@5", hits / len(facts), "")
            if kind == "keyword":
                target = "<= 100" if mode == "hybrid" else None
                results.add(SECTION, f"{label}: warm {mode} p50", pct(latencies, 50), "ms")
                results.add(SECTION, f"{label}: warm {mode} p95", pct(latencies, 95), "ms", target)


def _load() -> str:
    """The 1/5/15-minute load averages: the machine may be shared, and wall times depend on it."""
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def _cpu_since(before: resource.struct_rusage) -> float:
    """CPU seconds (user + sys) of the children that ended since ``before``."""
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def _du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main(
    sizes: list[int], work: Path, server: bool, keep: bool, dim: int = 1024, embedded: bool = True
) -> Results:
    """Each size embedded (unless ``embedded`` is false) and, with ``server``, through a ``chroma run``."""
    results = Results(meta={"sizes": sizes, "server": server, "dim": dim, "loadavg_start": _load()})
    work.mkdir(parents=True, exist_ok=True)
    for size in sizes:
        if embedded:
            run_size(results, size, work, dim=dim)
        if server:
            run_server(results, size, work, dim)
        if not keep:
            for path in work.glob(f"*-{size}*"):
                shutil.rmtree(path, ignore_errors=True)
        results.meta[f"loadavg_after_{size}"] = _load()
        print(results.render(), flush=True)
    return results


def run_server(results: Results, size: int, work: Path, dim: int) -> None:
    """``run_size`` through a fresh ``chroma run``, with the server's own peak RSS and disk."""
    from evals.bench.bench_scale import _free_port, _stop

    path = work / f"server-{size}"
    url, proc = _start_server(path, _free_port())
    try:
        with RssSampler(proc.pid, interval=0.5) as rss:
            run_size(results, size, work, url, dim)
    finally:
        _stop(proc)
    label = f"{size:,} chunks (chroma run)" + (f", {dim}-dim" if dim != 1024 else "")
    results.add(SECTION, f"{label}: chroma server peak RSS", rss.peak_mb, "MB")
    results.add(SECTION, f"{label}: chroma server data on disk", _du(path) / 2**20, "MB")


def _start_server(path: Path, port: int):
    import subprocess
    import sys

    from evals.bench.bench_scale import _connect

    chroma = Path(sys.executable).parent / "chroma"
    log = open(path.with_suffix(".log"), "w")  # noqa: SIM115 - lives as long as the server
    proc = subprocess.Popen(
        [str(chroma), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    if _connect(proc, port) is None:
        raise RuntimeError(f"chroma run did not start: {path.with_suffix('.log')}")
    return f"http://127.0.0.1:{port}", proc
