"""The CI quality gate: the default engine with the real MiniLM embedder on the gold set's test split,
and the grounding layer on the grounding set's test half.

Thresholds are fixed in evals/quality/summary.py (GATE) and are never lowered to make this pass, and no metric
is exempted: any miss fails the run, with every measured number, the gap, and the failing items.
Follow-up success: the last turn of a conversation (follow-up, reference or switch) is answered (not
refused), its expected section is among the top 5 retrieved passages, and it states at least half its
key facts. Small talk is handled when every chat item gets a short reply, not a refusal.
"""

from __future__ import annotations

import pytest

from advisor.core import Advisor
from advisor.sessions import SessionStore
from evals.quality.evaluate import evaluate_engine
from evals.quality.gold import load_gold
from evals.quality.runner import grounding_row, score_grounding_set
from evals.quality.summary import GATE, check_gate, summarize


@pytest.mark.real
def test_default_engine_meets_the_quality_gate_on_the_test_split(real_settings, tmp_path):
    advisor = Advisor(real_settings, sessions=SessionStore(tmp_path / "sessions.sqlite3"))
    items = load_gold(split="test")
    results = evaluate_engine(advisor, items, real_settings.engine, real_settings.collection)
    row = summarize(results) | grounding_row(score_grounding_set(advisor, "test"))
    misses = check_gate(row)
    measured = ", ".join(
        f"{metric}={row[metric]:.3f}" if row.get(metric) is not None else f"{metric}=n/a" for metric in GATE
    )
    failing = [
        f"{r.id} (hit@5={r.hit5}, facts={r.key_fact_recall}, lead={r.lead_hit}, refused={r.refused})"
        for r in results
        if r.failed()
    ]
    report = (
        f"quality gate on {len(items)} test items with engine {real_settings.engine}: "
        + "; ".join(misses)
        + f"\nmeasured: {measured}\nfailing items: "
        + ", ".join(failing)
    )
    assert not misses, report
