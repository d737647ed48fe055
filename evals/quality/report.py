"""Writing an eval run to disk: report.md (tables, per-topic scores, failures), results.json, and
PNG charts drawn with matplotlib's Agg backend (per-topic scores, engines side by side, latency).

    path = write_report(report_dir, runs, meta)   # runs: list of Run (see evals/quality/runner.py)
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict
from pathlib import Path

from evals.quality.summary import TARGETS, by_group

log = logging.getLogger(__name__)

COLUMNS = [
    ("hit@5", "hit@5"),
    ("mrr", "MRR"),
    ("ndcg@10", "nDCG@10"),
    ("key_fact_recall", "facts"),
    ("lead_hit", "lead"),
    ("answer_words_p50", "words p50"),
    ("answer_words_p90", "words p90"),
    ("citation_validity", "cite ok"),
    ("citation_correctness", "cite doc"),
    ("grounded_facts", "grounded"),
    ("sentence_support", "sent sim"),
    ("refusal_recall", "refuse R"),
    ("refusal_precision", "refuse P"),
    ("false_refusal_rate", "false ref"),
    ("false_refusal_situational", "false ref sit"),
    ("diagnosis_named", "diagnosis"),
    ("followup_success", "follow-up"),
    ("smalltalk_handled", "chat ok"),
    ("total_ms_p50", "p50 ms"),
    ("total_ms_p95", "p95 ms"),
]


def fmt(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.0f}" if abs(value) >= 10 else f"{value:.3f}"
    return str(value)


def table(runs) -> list[list[str]]:
    """Header plus one row per run (skipped runs show their reason)."""
    rows = [["run", "n"] + [title for _, title in COLUMNS]]
    for run in runs:
        if run.skipped:
            rows.append([run.name, "skipped"] + ["–"] * len(COLUMNS))
        else:
            rows.append([run.name, str(run.row["items"])] + [fmt(run.row.get(key)) for key, _ in COLUMNS])
    return rows


def kind_table(run) -> list[list[str]]:
    """Header plus one row per item kind: n, hit@5, facts, lead hit, median words, share refused."""
    rows = [["kind", "n", "hit@5", "facts", "lead", "words p50", "refused"]]
    for name, g in by_group(run.results, "kind", everything=True).items():
        rows.append(
            [
                name,
                str(g["items"]),
                fmt(g["hit@5"]),
                fmt(g["key_fact_recall"]),
                fmt(g["lead_hit"]),
                fmt(g["words_p50"]),
                fmt(g["refused"]),
            ]
        )
    return rows


def grounding_lines(score: dict) -> list[str]:
    """The grounding set's keep and drop rates, overall, per split and per kind, as Markdown."""
    rows = [["", "n", "faithful kept", "unfaithful dropped"]]
    for name, rate in [("all", score), *score["splits"].items(), *score["kinds"].items()]:
        rows.append([name, str(rate["n"]), fmt(rate["faithful_kept"]), fmt(rate["unfaithful_dropped"])])
    return ["## Grounding set", "", md_table(rows), ""]


def skipped_lines(runs) -> list[str]:
    return [f"{run.name}: skipped ({run.skipped})" for run in runs if run.skipped]


def plain_table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows if i < len(r)) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(r)).rstrip() for r in rows)


def md_table(rows: list[list[str]]) -> str:
    out = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
    out += ["| " + " | ".join(cell.replace("|", "\\|") for cell in r) + " |" for r in rows[1:]]
    return "\n".join(out)


def write_report(report_dir: Path, runs, meta: dict, grounding: dict | None = None) -> Path:
    report_dir.mkdir(parents=True, exist_ok=True)
    charts = draw_charts(report_dir, [r for r in runs if not r.skipped])
    lines = [
        f"# Eval report {meta['stamp']}",
        "",
        f"Split: **{meta['split']}** · embedder: {meta['embedder']} · retrieval: {meta['retrieval']} · "
        f"top_k: {meta['top_k']} · scope_threshold: {meta.get('scope_threshold')}",
        "",
        "## Summary",
        "",
        md_table(table(runs)),
        "",
        *[f"- {line}" for line in skipped_lines(runs)],
        "",
        "Gate thresholds (checked for every engine row on the main collection): "
        + ", ".join(f"{k} {op} {v}" for k, (op, v) in TARGETS.items()),
        "",
    ]
    for run in runs:
        if run.gate is not None:
            lines.append(
                f"- **{run.name}** gate: " + ("PASS" if not run.gate else "FAIL: " + "; ".join(run.gate))
            )
    lines.append("")
    lines += [f"![{name}]({name})" for name in charts] + [""]
    if grounding:
        lines += grounding_lines(grounding)
    for run in runs:
        if not run.skipped:
            lines += run_section(run)
    path = report_dir / "report.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    data = {
        "meta": meta,
        "runs": [
            {
                "name": r.name,
                "skipped": r.skipped,
                "summary": r.row,
                "gate": r.gate,
                "items": [asdict(i) for i in r.results],
            }
            for r in runs
        ],
        "grounding": grounding,
    }
    (report_dir / "results.json").write_text(json.dumps(data, indent=1, default=str), encoding="utf-8")
    return path


def run_section(run) -> list[str]:
    lines = [f"## {run.name}", ""]
    groups = by_group(run.results, "topic")
    rows = [["topic", "items", "hit@5", "facts", "refused"]] + [
        [name, str(g["items"]), fmt(g["hit@5"]), fmt(g["key_fact_recall"]), fmt(g["refused"])]
        for name, g in groups.items()
    ]
    lines += ["### Per topic", "", md_table(rows), ""]
    lines += ["### Per kind", "", md_table(kind_table(run)), ""]
    failures = [r for r in run.results if r.failed()]
    lines += [f"### Failures ({len(failures)} of {len(run.results)})", ""]
    for r in failures:
        want = "refuse" if r.refuse_expected else "a short reply" if r.chat else "; ".join(r.expected)
        got = (
            "refused"
            if r.refused
            else (r.answer[:300].replace("\n", " ") + ("…" if len(r.answer) > 300 else ""))
        )
        lines += [f"- **{r.id}** ({r.split}, {r.kind}) — {r.question}", f"  - expected: {want}"]
        if not (r.refuse_expected or r.chat):
            lines.append(
                f"  - hit@5 {fmt(r.hit5)} · facts {fmt(r.key_fact_recall)} · missing: "
                f"{', '.join(f[0] for f in r.missing_facts) or 'none'}"
            )
            lines.append(f"  - retrieved: {'; '.join(r.retrieved) or '–'}")
        lines.append(f"  - got: {r.error or got}")
    return [*lines, ""]


def draw_charts(report_dir: Path, runs) -> list[str]:
    if not runs:
        return []
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = []
    names.append(_topic_chart(plt, report_dir, runs))
    names.append(_engine_chart(plt, report_dir, runs))
    names.append(_latency_chart(plt, report_dir, runs))
    return [n for n in names if n]


def _topic_chart(plt, report_dir: Path, runs) -> str:
    topics = sorted({t for r in runs for t in by_group(r.results, "topic")})
    if not topics:
        return ""
    fig, axes = plt.subplots(1, 2, figsize=(13, 4.5), sharey=True)
    width = 0.8 / len(runs)
    for metric, ax in zip(("hit@5", "key_fact_recall"), axes, strict=True):
        for i, run in enumerate(runs):
            groups = by_group(run.results, "topic")
            values = [(groups.get(t, {}).get(metric) or 0.0) for t in topics]
            ax.bar([x + i * width for x in range(len(topics))], values, width, label=run.name)
        ax.set_title(metric)
        ax.set_xticks([x + 0.4 - width / 2 for x in range(len(topics))], topics, rotation=35, ha="right")
        ax.set_ylim(0, 1.05)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper center", ncol=min(len(runs), 6), fontsize=8)
    fig.tight_layout(rect=(0, 0, 1, 0.9))
    fig.savefig(report_dir / "per_topic.png", dpi=90)
    plt.close(fig)
    return "per_topic.png"


def _engine_chart(plt, report_dir: Path, runs) -> str:
    metrics = ["hit@5", "mrr", "key_fact_recall", "citation_validity", "refusal_recall", "followup_success"]
    fig, ax = plt.subplots(figsize=(11, 4.5))
    width = 0.8 / len(runs)
    for i, run in enumerate(runs):
        values = [run.row.get(m) or 0.0 for m in metrics]
        ax.bar([x + i * width for x in range(len(metrics))], values, width, label=run.name)
    ax.set_xticks([x + 0.4 - width / 2 for x in range(len(metrics))], metrics, rotation=20)
    ax.set_ylim(0, 1.05)
    ax.legend(fontsize=8)
    ax.set_title("engines side by side")
    fig.tight_layout()
    fig.savefig(report_dir / "engines.png", dpi=90)
    plt.close(fig)
    return "engines.png"


def _latency_chart(plt, report_dir: Path, runs) -> str:
    data = [[r.timings["total_ms"] for r in run.results if "total_ms" in r.timings] for run in runs]
    if not any(data):
        return ""
    fig, ax = plt.subplots(figsize=(9, 4))
    ax.boxplot([d or [0.0] for d in data], showfliers=True)
    ax.set_xticks(range(1, len(runs) + 1), [r.name for r in runs], rotation=15)
    ax.set_yscale("log")
    ax.set_ylabel("total ms per question (log)")
    ax.set_title("latency distribution")
    fig.tight_layout()
    fig.savefig(report_dir / "latency.png", dpi=90)
    plt.close(fig)
    return "latency.png"
