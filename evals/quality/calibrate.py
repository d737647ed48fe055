"""Calibrate the scope decision on the eval DEV split (never the test split).

    ADVISOR_DATA_DIR=/tmp/eval python -m evals.quality.calibrate          # MiniLM, the shipped embedder
    python -m evals.quality.calibrate --json

For every dev item it takes the question the advisor would decide scope on (the last turn, made
standalone by asking the earlier turns in one session; items that are nothing but a prompt injection
are skipped, the guard refuses them before any scope decision), the scope classifier's probabilities and the
best dense similarity, then prints the grid: for each threshold of the decision
(``advisor.scope.decide``, with the request's act from ``advisor.acts``), the false-refusal rate
(in-scope questions refused or sent to small talk), the out-of-scope refusal rate (all and
business-adjacent) and the share of small talk routed to chat. The chosen threshold is the one with
the most correct decisions where a false refusal counts twice a miss; ties go to the middle of the
tied run. The similarity floor is the largest grid value that refuses no in-scope dev question, halved
for margin. Shipped defaults in advisor/config.py must equal the output (tests/test_scope.py).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass

import numpy as np

BUSINESS_ADJACENT = frozenset(
    {
        "tax",
        "legal-drafting",
        "tool-pick",
        "vendor-pick",
        "market-news",
        "stock-tips",
        "hr-policy",
        "accounting",
        "fundraising",
    }
)
THRESHOLDS = tuple(round(t, 2) for t in np.arange(0.30, 0.951, 0.05))
FLOORS = tuple(round(f, 2) for f in np.arange(0.0, 0.301, 0.02))
FALSE_REFUSAL_COST = 2.0


@dataclass
class Point:
    """What the scope decision saw for one dev item."""

    id: str
    kind: str
    want: str  # "in" | "out" | "chat"
    query: str
    probs: dict
    best: float  # relevance: the best cosine to a chunk or an example question
    act: str | None  # the request's act (advisor.acts), None for explain/advise
    rescue: bool = False  # in scope whatever the classifier says (advisor.scope.rescued), as asked


def collect(advisor, items, collection: str) -> list[Point]:
    """Scope inputs for every item, computed the way the advisor computes them."""
    from advisor.acts import request_act
    from advisor.guard import strip_injection
    from advisor.scope import rescued
    from advisor.understand import read_question

    advisor.ensure_index(collection)
    points = []
    for item in items:
        query = strip_injection(item.question)[0]
        if not query:
            continue  # nothing but instructions to the model: refused before any scope decision
        if len(item.turns) > 1:
            session = f"calibrate-{item.id}"
            answer = None
            for turn in item.turns:
                answer = advisor.ask(turn, session_id=session, collection=collection)
            query = (answer.retrieval_query if answer else "") or item.question
        retrieval = advisor.retriever.retrieve(query, collection, advisor.settings.top_k)
        if retrieval.scope is None:
            raise SystemExit(f"collection {collection!r} has no scope model; re-ingest it")
        points.append(
            Point(
                id=item.id,
                kind=item.kind,
                want="out" if item.refuse else "chat" if item.chat else "in",
                query=query,
                probs=retrieval.scope,
                best=max(retrieval.best_similarity, retrieval.question_similarity),
                act=request_act(query),
                rescue=_rescued(strip_injection(item.turns[-1])[0], rescued, read_question),
            )
        )
    return points


def _rescued(asked: str, rescued, read_question) -> bool:
    if not asked:
        return False
    question = read_question(asked)
    return bool(rescued(asked, question.situation, question.form))


def decisions(points: list[Point], threshold: float, floor: float, acts: bool = True) -> list[str]:
    """The decision for every point, as the advisor makes it; ``acts=False`` is the classifier and
    floor alone (the ablation: no acts, no rescue)."""
    from advisor.scope import decide

    return [
        decide(p.probs, p.best, threshold, floor, p.query if acts else "", p.rescue and acts) for p in points
    ]


def rates(points: list[Point], got: list[str]) -> dict:
    def share(rows) -> float:
        rows = list(rows)
        return sum(rows) / len(rows) if rows else float("nan")

    pairs = list(zip(points, got, strict=True))
    return {
        "false_refusal": share(g != "in" for p, g in pairs if p.want == "in"),
        "oos_refused": share(g == "out" for p, g in pairs if p.want == "out"),
        "business_refused": share(
            g == "out" for p, g in pairs if p.want == "out" and p.kind in BUSINESS_ADJACENT
        ),
        "chat_routed": share(g == "chat" for p, g in pairs if p.want == "chat"),
        "utility": sum(
            (1.0 if g == p.want else -FALSE_REFUSAL_COST if p.want == "in" else 0.0) for p, g in pairs
        ),
    }


def choose_floor(points: list[Point]) -> float:
    inside = [p.best for p in points if p.want == "in"]
    safe = [f for f in FLOORS if all(b >= f for b in inside)]
    return round((max(safe) if safe else 0.0) / 2, 2)


def choose_threshold(points: list[Point], floor: float) -> float:
    utilities = [rates(points, decisions(points, t, floor))["utility"] for t in THRESHOLDS]
    best = max(utilities)
    # The middle of the first run of best values: the threshold farthest from both failure sides.
    start = utilities.index(best)
    end = start
    while end + 1 < len(utilities) and utilities[end + 1] == best:
        end += 1
    return THRESHOLDS[(start + end) // 2]


def calibrate(advisor, collection: str | None = None) -> dict:
    from evals.quality.gold import load_gold

    items = load_gold(split="dev")
    points = collect(advisor, items, collection or advisor.settings.collection)
    floor = choose_floor(points)
    threshold = choose_threshold(points, floor)
    grid = [{"threshold": t, **rates(points, decisions(points, t, floor))} for t in THRESHOLDS]
    chosen = decisions(points, threshold, floor)
    without_acts = decisions(points, threshold, floor, acts=False)
    return {
        "embedder": advisor.settings.embedder,
        "items": len(points),
        "scope_threshold": threshold,
        "scope_floor": floor,
        "grid": grid,
        "chosen": rates(points, chosen),
        "without_acts": rates(points, without_acts),
        "acts": {p.id: p.act for p in points if p.act},
        "errors": [
            {"id": p.id, "kind": p.kind, "want": p.want, "got": g, "p_out": round(p.probs["out"], 3)}
            for p, g in zip(points, chosen, strict=True)
            if g != p.want
        ],
    }


def print_report(result: dict) -> None:
    print(f"dev items: {result['items']} (embedder {result['embedder']})")
    print(f"scope_threshold = {result['scope_threshold']}   scope_floor = {result['scope_floor']}")
    print(f"{'threshold':>9} {'false ref':>10} {'oos ref':>8} {'biz ref':>8} {'chat':>6} {'utility':>8}")
    for row in result["grid"]:
        mark = "  <-" if row["threshold"] == result["scope_threshold"] else ""
        print(
            f"{row['threshold']:>9.2f} {row['false_refusal']:>10.3f} {row['oos_refused']:>8.3f} "
            f"{row['business_refused']:>8.3f} {row['chat_routed']:>6.3f} {row['utility']:>8.1f}{mark}"
        )
    alone = result["without_acts"]
    print(
        f"classifier and floor alone (no request acts): false ref {alone['false_refusal']:.3f}, "
        f"oos ref {alone['oos_refused']:.3f}, biz ref {alone['business_refused']:.3f}"
    )
    print(f"request acts on dev: {result['acts'] or 'none'}")
    for err in result["errors"]:
        print(f"  {err['id']}: want {err['want']}, got {err['got']} (P(out) {err['p_out']})")


def main(argv: list[str] | None = None) -> int:
    from advisor.config import load_settings
    from advisor.core import Advisor
    from advisor.sessions import SessionStore

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--collection")
    args = parser.parse_args(argv)
    settings = load_settings()
    scratch = settings.data_dir / "reports" / "calibrate"
    scratch.mkdir(parents=True, exist_ok=True)
    advisor = Advisor(settings, sessions=SessionStore(scratch / "sessions.sqlite3"))
    result = calibrate(advisor, args.collection)
    if args.json:
        json.dump(result, sys.stdout, indent=1)
        print()
    else:
        print_report(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
