"""The CI quality gate: the default engine with the real MiniLM embedder on the gold set's test split,
and the grounding layer on the grounding set's test half.

CI fails when any metric falls below its regression floor (evals/quality/summary.py FLOORS: what the
advisor measured when the floors were set, less a small margin; floors only ever move up). The
issue's targets (TARGETS) are not all met yet: `advisor eval --gate` fails on them, and this test's
message lists every target still missed, with its gap, beside the floors.
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
from evals.quality.summary import FLOORS, TARGETS, check_gate, summarize


@pytest.mark.real
def test_default_engine_meets_the_quality_gate_on_the_test_split(real_settings, tmp_path):
    advisor = Advisor(real_settings, sessions=SessionStore(tmp_path / "sessions.sqlite3"))
    items = load_gold(split="test")
    results = evaluate_engine(advisor, items, real_settings.engine, real_settings.collection)
    row = summarize(results) | grounding_row(score_grounding_set(advisor, "test"))
    misses = check_gate(row, FLOORS)
    short_of_targets = check_gate(row, TARGETS)
    measured = ", ".join(
        f"{metric}={row[metric]:.3f}" if row.get(metric) is not None else f"{metric}=n/a"
        for metric in TARGETS
    )
    failing = [
        f"{r.id} (hit@5={r.hit5}, facts={r.key_fact_recall}, lead={r.lead_hit}, refused={r.refused})"
        for r in results
        if r.failed()
    ]
    report = (
        f"quality gate on {len(items)} test items with engine {real_settings.engine}: "
        + "; ".join(misses)
        + f"\nmeasured: {measured}\nstill short of the targets: {'; '.join(short_of_targets)}"
        + "\nfailing items: "
        + ", ".join(failing)
    )
    print(report)  # the target gaps, shown with -rA or -s
    assert not misses, report
