"""The CI quality gate: the default engine with the real MiniLM embedder on the gold set's test split.

Thresholds are fixed in evals/quality/summary.py (GATE) and are never lowered to make this pass; when the
advisor misses one, the failure message gives every measured number, the gap, and the failing items.
A metric listed in KNOWN_GAPS (evals/quality/summary.py) that misses its bar but holds its recorded floor is
reported as an expected failure with the measured numbers (visible in every CI run's summary); any
other miss, or a known gap falling below its floor, fails the run.
Follow-up success: the last turn of a conversation is answered (not refused), its expected section is
among the top 5 retrieved passages, and it states at least half its key facts.
"""

from __future__ import annotations

import pytest

from advisor.core import Advisor
from advisor.sessions import SessionStore
from evals.quality.evaluate import evaluate_engine
from evals.quality.gold import load_gold
from evals.quality.summary import GATE, KNOWN_GAPS, check_gate, summarize


@pytest.mark.real
def test_default_engine_meets_the_quality_gate_on_the_test_split(real_settings, tmp_path):
    advisor = Advisor(real_settings, sessions=SessionStore(tmp_path / "sessions.sqlite3"))
    items = load_gold(split="test")
    results = evaluate_engine(advisor, items, real_settings.engine, real_settings.collection)
    row = summarize(results)
    misses = check_gate(row)
    measured = ", ".join(
        f"{metric}={row[metric]:.3f}" if row[metric] is not None else f"{metric}=n/a" for metric in GATE
    )
    failing = [
        f"{r.id} (hit@5={r.hit5}, facts={r.key_fact_recall}, refused={r.refused})"
        for r in results
        if r.failed()
    ]
    known = [m for m in misses if m.split(":")[0] in KNOWN_GAPS]
    regressions = [
        f"{metric}: {row[metric]:.3f} fell below its recorded floor {floor:.2f}"
        for metric, floor in KNOWN_GAPS.items()
        if row[metric] is not None and row[metric] < floor
    ]
    unexpected = [m for m in misses if m not in known] + regressions
    report = (
        f"quality gate on {len(items)} test items with engine {real_settings.engine}: "
        + "; ".join(unexpected or known)
        + f"\nmeasured: {measured}\nfailing items: "
        + ", ".join(failing)
    )
    assert not unexpected, report
    if known:
        pytest.xfail("known gap (see evals/quality/summary.py KNOWN_GAPS): " + report)
