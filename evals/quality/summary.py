"""Aggregating item results into one row of metrics, per-topic and per-kind breakdowns, and the CI gate.

    row = summarize(results)             # {"hit@5": 0.97, "key_fact_recall": 0.93, ...}
    misses = check_gate(row)             # [] when every threshold is met

Metrics that do not apply to a run (retrieval on the seeds run, citations for the baseline) are None.
Chat items (small talk, questions about the advisor) count only towards ``smalltalk_handled``. The
grounding-set rates (``grounding_*``) are added to a row by the runner (evals/quality/grounding.py).
"""

from __future__ import annotations

from collections import defaultdict

from evals.quality.evaluate import ItemResult
from evals.quality.scorers import mean, percentiles, refusal_scores

# The quality targets (">=" unless the op says "<="): `advisor eval --gate` fails on any miss. Never
# lowered to make a run pass, and no metric is exempted. Not all are met yet (issue 10 stays open).
TARGETS: dict[str, tuple[str, float]] = {
    "hit@5": (">=", 0.97),
    "key_fact_recall": (">=", 0.95),
    "lead_hit": (">=", 0.90),
    "answer_words_p50": ("<=", 120),
    "citation_validity": (">=", 1.00),
    "refusal_recall": (">=", 0.95),
    "false_refusal_rate": ("<=", 0.01),
    "false_refusal_situational": ("<=", 0.01),
    "followup_success": (">=", 0.95),
    "smalltalk_handled": (">=", 1.00),
    "grounding_faithful_kept": (">=", 0.90),
    "grounding_unfaithful_dropped": (">=", 0.95),
}
# The CI regression floors: what the default engine measured on the test split when they were set
# (first set 2026-11-26: hit@5 0.956, facts 0.694, lead 0.689, words p50 103, refusal recall 0.861,
# false refusals 0.015 / situational 0.043, follow-ups 0.818, small talk 1.0, grounding 0.905 / 0.826;
# raised the same day where the third session's work measured higher: facts 0.755, lead 0.741,
# refusal recall 0.944, follow-ups 0.864),
# less a small margin for noise. They catch a change that makes answers worse; they are not the
# targets, and they only ever move up, towards TARGETS, while the measure stays the same. One
# exception, when the measure changed: the grounding set grew from 182 to 300 hand-written items
# (session 4), on which the rules of the day measured kept 0.835 / dropped 0.795 before and
# 0.804 / 0.843 after that session's rules; the grounding floors were re-set on the grown set.
# Again when the gold set grew (session 5): a third batch of 72 items written by a separate author
# who had not read the earlier questions (43 of them test). On the 220-item test split the advisor
# measured hit@5 0.935, facts 0.735, lead 0.726, refusal recall 0.932, false refusals 0.024 /
# situational 0.047, follow-ups 0.793 (from 0.864 on the 177 items before), small talk 1.0: the
# follow-up floor was re-set on the grown split; every other floor still held.
# And again (session 7): a fourth batch of 61 situational, reference and follow-up items by another
# separate author (37 of them test). On the 220 items before it this session's code measured hit@5
# 0.935, facts 0.737, lead 0.720, false refusals 0.018 / situational 0.031, follow-ups 0.793 (every
# floor held); on the grown 257-item split hit@5 0.917, facts 0.694, lead 0.678, false refusals 0.024 /
# 0.033, follow-ups 0.711 (the code before this session's changes: 0.917, 0.690, 0.688, 0.034 / 0.054,
# 0.711). hit@5, facts, lead and follow-ups were re-set on the grown split. A sixth batch of 28
# out-of-scope requests (17 test) kept the set's share of refusals at 20%: on the 61 out-of-scope test
# items refusal recall is 0.902 with this session's scope changes and 0.932 without them (two more
# requests answered, against two fewer in-scope questions refused: false refusals 0.034 -> 0.024, and
# calibration counts a false refusal twice a miss); the refusal floor was re-set on the grown split.
# Session 8 (same 274 items): facts 0.699, lead 0.707, follow-ups 0.737, false refusals 0.020: the
# facts, lead and follow-up floors moved up.
FLOORS: dict[str, tuple[str, float]] = {
    "hit@5": (">=", 0.91),
    "key_fact_recall": (">=", 0.69),
    "lead_hit": (">=", 0.69),
    "answer_words_p50": ("<=", 120),
    "citation_validity": (">=", 1.00),
    "refusal_recall": (">=", 0.89),
    "false_refusal_rate": ("<=", 0.03),
    "false_refusal_situational": ("<=", 0.06),
    "followup_success": (">=", 0.72),
    "smalltalk_handled": (">=", 1.00),
    "grounding_faithful_kept": (">=", 0.80),
    "grounding_unfaithful_dropped": (">=", 0.84),
}
STAGES = ("embed_ms", "search_ms", "generate_ms", "total_ms")


def summarize(results: list[ItemResult]) -> dict:
    chat = [r for r in results if r.chat]
    scoped = [r for r in results if not r.chat]  # chat items have no retrieval, facts or refusal label
    in_scope = [r for r in scoped if not r.refuse_expected]
    answered = [r for r in scoped if not r.refused and not r.error]
    followups = [r for r in in_scope if r.followup_ok is not None]
    supported = sum(r.facts_supported for r in answered)
    facts = sum(r.facts_total for r in answered)
    sentences = sum(r.sentences_total for r in answered)
    words_p50, words_p90 = percentiles([r.words for r in in_scope if r.words is not None], (50, 90))
    row: dict = {
        "items": len(results),
        "in_scope": len(in_scope),
        "out_of_scope": len(scoped) - len(in_scope),
        "chat": len(chat),
        "hit@1": mean(r.hit1 for r in in_scope),
        "hit@3": mean(r.hit3 for r in in_scope),
        "hit@5": mean(r.hit5 for r in in_scope),
        "mrr": mean(r.rr for r in in_scope),
        "ndcg@10": mean(r.ndcg for r in in_scope),
        "key_fact_recall": mean(r.key_fact_recall for r in in_scope),
        "lead_hit": mean(r.lead_hit for r in in_scope),
        "answer_words_p50": words_p50,
        "answer_words_p90": words_p90,
        "citation_validity": mean(r.citation_valid for r in answered),
        "citation_correctness": mean(r.citation_correct for r in in_scope if not r.refused),
        "grounded_facts": supported / facts if facts else None,
        "sentence_support": (sum(r.sentences_supported for r in answered) / sentences) if sentences else None,
        "followup_success": mean(r.followup_ok for r in followups),
        "false_refusal_situational": mean(r.refused for r in in_scope if r.kind == "situational"),
        "diagnosis_named": mean(r.diagnosis_named for r in in_scope if r.diagnosis_named is not None),
        "smalltalk_handled": mean(r.chat_ok for r in chat),
        "errors": sum(1 for r in results if r.error),
        "fallbacks": sum(1 for r in results if r.notice),
    }
    row.update(refusal_scores((r.refuse_expected, r.refused) for r in scoped))
    for stage in STAGES:
        p50, p95 = percentiles([r.timings[stage] for r in results if stage in r.timings])
        row[f"{stage}_p50"], row[f"{stage}_p95"] = p50, p95
    return row


def by_group(results: list[ItemResult], key: str, everything: bool = False) -> dict[str, dict]:
    """Per topic (or per kind): items, hit@5, key-fact recall, lead hit, median words and the share
    refused. In-scope items only unless ``everything`` (then refusal and chat kinds get rows too)."""
    groups: dict[str, list[ItemResult]] = defaultdict(list)
    for r in results:
        if everything or not (r.refuse_expected or r.chat):
            groups[getattr(r, key)].append(r)
    return {
        name: {
            "items": len(rs),
            "hit@5": mean(r.hit5 for r in rs),
            "key_fact_recall": mean(r.key_fact_recall for r in rs),
            "lead_hit": mean(r.lead_hit for r in rs),
            "words_p50": percentiles([r.words for r in rs if r.words is not None], (50,))[0],
            "refused": mean(r.refused for r in rs),
        }
        for name, rs in sorted(groups.items())
    }


def check_gate(row: dict, bars: dict[str, tuple[str, float]] | None = None) -> list[str]:
    """One line per missed threshold (TARGETS unless ``bars`` says), with the measured value and the gap."""
    misses = []
    for metric, (op, bar) in (bars or TARGETS).items():
        value = row.get(metric)
        if value is None:
            misses.append(f"{metric}: not measured (bar {op} {bar:.2f})")
        elif op == ">=" and value < bar - 1e-9:
            misses.append(f"{metric}: {value:.3f} < {bar:.2f} (gap {bar - value:.3f})")
        elif op == "<=" and value > bar + 1e-9:
            misses.append(f"{metric}: {value:.3f} > {bar:.2f} (over by {value - bar:.3f})")
    return misses
