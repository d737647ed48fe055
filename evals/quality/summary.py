"""Aggregating item results into one row of metrics, per-topic breakdowns, and the CI gate.

    row = summarize(results)             # {"hit@5": 0.97, "key_fact_recall": 0.93, ...}
    misses = check_gate(row)             # [] when every threshold is met

Metrics that do not apply to a run (retrieval on the seeds run, citations for the baseline) are None.
"""

from __future__ import annotations

from collections import defaultdict

from evals.quality.evaluate import ItemResult
from evals.quality.scorers import mean, percentiles, refusal_scores

# The CI gate: fixed thresholds (">=" unless the name says max). Never lowered to make a run pass.
GATE: dict[str, tuple[str, float]] = {
    "hit@5": (">=", 0.95),
    "key_fact_recall": (">=", 0.90),
    "citation_validity": (">=", 1.00),
    "refusal_recall": (">=", 0.90),
    "false_refusal_rate": ("<=", 0.05),
    "followup_success": (">=", 0.90),
}
# Gate metrics the project misses today, each with a floor just under the figure measured when the
# gap was recorded (2026-11-23: key_fact_recall 0.892 on the test split). The gate test reports a
# known gap as an expected failure that prints every number; falling below the floor fails it
# outright, and an entry is deleted as soon as its bar is met. The bars themselves never move.
KNOWN_GAPS: dict[str, float] = {"key_fact_recall": 0.88}
STAGES = ("embed_ms", "search_ms", "generate_ms", "total_ms")


def summarize(results: list[ItemResult]) -> dict:
    in_scope = [r for r in results if not r.refuse_expected]
    answered = [r for r in results if not r.refused and not r.error]
    followups = [r for r in in_scope if r.followup_ok is not None]
    supported = sum(r.facts_supported for r in answered)
    facts = sum(r.facts_total for r in answered)
    sentences = sum(r.sentences_total for r in answered)
    row: dict = {
        "items": len(results),
        "in_scope": len(in_scope),
        "out_of_scope": len(results) - len(in_scope),
        "hit@1": mean(r.hit1 for r in in_scope),
        "hit@3": mean(r.hit3 for r in in_scope),
        "hit@5": mean(r.hit5 for r in in_scope),
        "mrr": mean(r.rr for r in in_scope),
        "ndcg@10": mean(r.ndcg for r in in_scope),
        "key_fact_recall": mean(r.key_fact_recall for r in in_scope),
        "citation_validity": mean(r.citation_valid for r in answered),
        "citation_correctness": mean(r.citation_correct for r in in_scope if not r.refused),
        "grounded_facts": supported / facts if facts else None,
        "sentence_support": (sum(r.sentences_supported for r in answered) / sentences) if sentences else None,
        "followup_success": mean(r.followup_ok for r in followups),
        "errors": sum(1 for r in results if r.error),
        "fallbacks": sum(1 for r in results if r.notice),
    }
    row.update(refusal_scores((r.refuse_expected, r.refused) for r in results))
    for stage in STAGES:
        p50, p95 = percentiles([r.timings[stage] for r in results if stage in r.timings])
        row[f"{stage}_p50"], row[f"{stage}_p95"] = p50, p95
    return row


def by_group(results: list[ItemResult], key: str) -> dict[str, dict]:
    """hit@5, key-fact recall and item counts per topic (or per kind) of the in-scope items."""
    groups: dict[str, list[ItemResult]] = defaultdict(list)
    for r in results:
        if not r.refuse_expected:
            groups[getattr(r, key)].append(r)
    return {
        name: {
            "items": len(rs),
            "hit@5": mean(r.hit5 for r in rs),
            "key_fact_recall": mean(r.key_fact_recall for r in rs),
            "refused": sum(1 for r in rs if r.refused),
        }
        for name, rs in sorted(groups.items())
    }


def check_gate(row: dict) -> list[str]:
    """One line per missed threshold, with the measured value and the gap."""
    misses = []
    for metric, (op, bar) in GATE.items():
        value = row.get(metric)
        if value is None:
            misses.append(f"{metric}: not measured (bar {op} {bar:.2f})")
        elif op == ">=" and value < bar - 1e-9:
            misses.append(f"{metric}: {value:.3f} < {bar:.2f} (gap {bar - value:.3f})")
        elif op == "<=" and value > bar + 1e-9:
            misses.append(f"{metric}: {value:.3f} > {bar:.2f} (over by {value - bar:.3f})")
    return misses
