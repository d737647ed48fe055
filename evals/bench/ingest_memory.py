"""Where an ingest's memory goes, stage by stage (issue 15, the 1M <= 2 GB target).

    python -m evals.bench.ingest_memory N [--dim 384] [--server] [--work DIR]

Writes ``bench_hybrid``'s synthetic corpus of N chunks (kept in the work dir for the next run),
ingests it in this process with the hashing embedder, samples the RSS every 0.25 s and reads RSS
and the peak (``VmHWM``) at the start and end of the stages that matter: the streamed writes, the
intent artefacts' example embedding, their similarity pass over the chunk vectors and the scope
training. ``--server`` ingests through a fresh ``chroma run`` on loopback and reports its peak too.
Prints a JSON summary and the stage table. The stages are timed by wrapping the functions in this
process only. Not part of CI; the README's "Ingest memory and the 1M target" comes from it.
"""

from __future__ import annotations

import argparse
import functools
import json
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psutil

from advisor import build, ingest, intent
from advisor.config import Settings, bundled_knowledge_dir
from evals.bench import bench_hybrid
from evals.bench.synthetic import real_sentences, write_corpus

STAGES = (
    (build.Build, "_flush", "write a buffer (streamed)"),
    (ingest.Ingestor, "_build_intent", "intent artefacts, in all"),
    (intent, "_embed", "  embed the scope examples"),
    (intent, "best_similarities", "  similarity pass over the chunk vectors"),
    (intent, "train_scope", "  scope training"),
)


def _mb(field: str) -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field):
                return int(line.split()[1]) / 1024
    return 0.0


class Probe:
    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.rows: list[tuple[str, float, float, float, float, float]] = []

    def wrap(self, owner: Any, name: str, label: str) -> None:
        original = getattr(owner, name)

        @functools.wraps(original)
        def timed(*args: Any, **kwargs: Any) -> Any:
            t0, rss0 = time.perf_counter() - self.started, _mb("VmRSS")
            try:
                return original(*args, **kwargs)
            finally:
                now = time.perf_counter() - self.started
                self.rows.append((label, t0, now, rss0, _mb("VmRSS"), _mb("VmHWM")))

        setattr(owner, name, timed)

    def table(self) -> str:
        lines = [f"{'stage':42} {'start s':>8} {'end s':>8} {'RSS in':>7} {'RSS out':>7} {'peak':>7}"]
        flushes = [r for r in self.rows if r[0] == STAGES[0][2]]
        shown = flushes[:: max(1, len(flushes) // 6)]
        shown += [r for r in flushes[-1:] if r not in shown]
        for label, t0, t1, rss0, rss1, peak in shown + [r for r in self.rows if r[0] != STAGES[0][2]]:
            lines.append(f"{label:42} {t0:8.1f} {t1:8.1f} {rss0:7.0f} {rss1:7.0f} {peak:7.0f}")
        return "\n".join(lines)


def corpus(work: Path, size: int) -> Path:
    source = work / f"corpus-{size}"
    if not source.is_dir():
        sentences = [s for s in real_sentences([bundled_knowledge_dir()]) if len(s) <= 380]
        write_corpus(source, size - bench_hybrid.PLANTED, sentences)
        bench_hybrid.write_planted(source, sentences)
    return source


def main(size: int, dim: int, server: bool, work: Path) -> dict:
    work.mkdir(parents=True, exist_ok=True)
    source = corpus(work, size)
    proc, url = None, None
    if server:
        from evals.bench.bench_scale import _free_port

        url, proc = bench_hybrid._start_server(Path(tempfile.mkdtemp(dir=work)) / "server", _free_port())
    probe = Probe()
    for owner, name, label in STAGES:
        probe.wrap(owner, name, label)
    server_peak = [0.0]
    done = threading.Event()

    def sample() -> None:
        watched = psutil.Process(proc.pid) if proc is not None else None
        while not done.wait(0.25):
            if watched is not None:
                server_peak[0] = max(server_peak[0], watched.memory_info().rss / 2**20)

    threading.Thread(target=sample, daemon=True).start()
    data = Path(tempfile.mkdtemp(dir=work))
    settings = Settings(
        data_dir=data, embedder=bench_hybrid.EMBEDDERS[dim], plugins=bench_hybrid.PLUGIN, chroma_url=url
    )
    try:
        report = ingest.Ingestor(settings).run([source], "synth")
    finally:
        done.set()
        if proc is not None:
            from evals.bench.bench_scale import _stop

            _stop(proc)
    summary = {
        "chunks": report.chunks,
        "dim": dim,
        "server": server,
        "seconds": round(time.perf_counter() - probe.started, 1),
        "peak_rss_mb": round(_mb("VmHWM")),
        "server_peak_rss_mb": round(server_peak[0]) if server else None,
    }
    print(json.dumps(summary))
    print(probe.table())
    return summary


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", type=int)
    parser.add_argument("--dim", type=int, choices=sorted(bench_hybrid.EMBEDDERS), default=384)
    parser.add_argument("--server", action="store_true")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "advisor-ingest-memory")
    args = parser.parse_args()
    main(args.size, args.dim, args.server, args.work)
