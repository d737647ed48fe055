"""``advisor eval``: run the gold set through one or more engines (plus the textbook LangChain
baseline), print a summary table and write a report under <data_dir>/reports/<timestamp>/.

    advisor eval                              # configured engine + baseline, test split
    advisor eval --split dev --no-baseline    # tune against dev
    advisor eval --engine extractive --engine fake --split all --seeds
    advisor eval --gate                       # exit 1 when a CI-gate threshold is missed
    advisor eval --from-feedback OUT.yaml     # thumbs-down answers -> gold-set candidates

Engines that cannot run here (a ConfigError, e.g. a missing model) appear as skipped rows.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from advisor.errors import ConfigError
from evals.quality.evaluate import ItemResult, evaluate_engine
from evals.quality.gold import load_gold, validate_gold
from evals.quality.grounding import format_score
from evals.quality.report import kind_table, plain_table, skipped_lines, table, write_report
from evals.quality.summary import by_group, check_gate, summarize

log = logging.getLogger(__name__)

SEEDS_COLLECTION = "seeds"


@dataclass
class Run:
    name: str
    results: list[ItemResult] = field(default_factory=list)
    row: dict = field(default_factory=dict)
    skipped: str = ""
    gate: list[str] | None = None  # None: not gated; []: passed


def grounding_row(score: dict) -> dict:
    """The grounding-set rates as summary-row metrics (gated like the others)."""
    return {
        "grounding_faithful_kept": score["faithful_kept"],
        "grounding_unfaithful_dropped": score["unfaithful_dropped"],
    }


def default_seeds_dir(settings) -> Path:
    return settings.knowledge_dir.resolve().parent.parent / "shared" / "seeds"


def main(args, settings) -> int:
    out = getattr(args, "from_feedback", None)
    if out:
        from evals.quality.candidates import export_candidates

        count = export_candidates(settings, Path(out))
        print(f"wrote {count} gold-set candidate(s) from thumbs-down feedback to {out}")
        return 0
    items = load_gold(split=args.split)
    problems = validate_gold(items, settings.knowledge_dir)
    if problems:
        raise ConfigError(f"the gold set has {len(problems)} problem(s), first: {problems[0]}")
    stamp = time.strftime("%Y%m%d-%H%M%S")
    report_dir = settings.data_dir / "reports" / stamp
    runs, grounding = evaluate_all(args, settings, items, report_dir)
    meta = {
        "stamp": stamp,
        "split": args.split,
        "embedder": settings.embedder,
        "retrieval": settings.retrieval,
        "top_k": settings.top_k,
        "min_relevance": settings.min_relevance,
        "items": len(items),
    }
    path = write_report(report_dir, runs, meta, grounding)
    print_summary(args, runs, path, grounding)
    failed = [r for r in runs if r.gate]
    return 1 if getattr(args, "gate", False) and failed else 0


def evaluate_all(args, settings, items, report_dir: Path) -> tuple[list[Run], dict]:
    from advisor.core import Advisor
    from advisor.sessions import SessionStore

    # Eval conversations go to the report's own session store, never the user's history.
    report_dir.mkdir(parents=True, exist_ok=True)
    advisor = Advisor(
        settings,
        sessions=SessionStore(report_dir / "sessions.sqlite3"),
        notify=lambda message: log.info("%s", message),
    )
    collection = args.collection or settings.collection
    engines = args.engines or [settings.engine]
    runs = [run_engine(advisor, items, name, collection, name) for name in engines]
    grounding = score_grounding_set(advisor, args.split)
    for run in runs:
        if not run.skipped:
            run.row.update(grounding_row(grounding))
            run.gate = check_gate(run.row)
    if not args.no_baseline:
        files = sorted(settings.knowledge_dir.glob("*.md"))
        runs.append(
            run_baseline(items, files, report_dir / "baseline-chroma", "knowledge/", "baseline", True)
        )
    if args.seeds:
        runs += run_seeds(args, settings, advisor, items, engines, report_dir)
    return runs, grounding


def score_grounding_set(advisor, split: str) -> dict:
    """The grounding layer on the labelled grounding set's split, with the advisor's embedder."""
    from evals.quality.evaluate import make_embed
    from evals.quality.grounding import load_grounding, score_grounding

    return score_grounding(load_grounding(split=split), embed=make_embed(advisor.embedder))


def run_engine(advisor, items, engine: str, collection: str, name: str, with_sources: bool = True) -> Run:
    run = Run(name=name)
    try:
        advisor.engine(engine)
        advisor.warm(collection)
    except ConfigError as exc:
        run.skipped = str(exc)
        log.warning("engine %s skipped: %s", engine, exc)
        return run
    t0 = time.perf_counter()
    run.results = evaluate_engine(advisor, items, engine, collection, with_sources=with_sources)
    run.row = summarize(run.results)
    run.row["seconds"] = round(time.perf_counter() - t0, 1)
    return run


def run_baseline(
    items, files: list[Path], persist_dir: Path, prefix: str, name: str, with_sources: bool
) -> Run:
    from evals.quality.baseline import Baseline, evaluate_baseline

    run = Run(name=name)
    try:
        baseline = Baseline(files, persist_dir, prefix)
    except ConfigError as exc:
        run.skipped = str(exc)
        return run
    run.results = evaluate_baseline(baseline, items, with_sources)
    run.row = summarize(run.results)
    run.row["build_seconds"] = round(baseline.build_seconds, 1)
    return run


def run_seeds(args, settings, advisor, items, engines: list[str], report_dir: Path) -> list[Run]:
    """The same questions against the five raw seed articles: key facts, refusal and citations only."""
    from advisor.ingest import Ingestor

    seeds_dir = Path(getattr(args, "seeds_dir", None) or default_seeds_dir(settings))
    files = sorted(p for p in seeds_dir.glob("*") if p.is_file()) if seeds_dir.is_dir() else []
    if not files:
        reason = f"no seed articles at {seeds_dir} (pass --seeds-dir DIR)"
        print(f"seeds run skipped: {reason}", file=sys.stderr)
        return [Run(name="seeds", skipped=reason)]
    Ingestor(settings, store=advisor.store, embedder=advisor.embedder).run(
        [seeds_dir], SEEDS_COLLECTION, wait=600
    )
    runs = [
        run_engine(advisor, items, name, SEEDS_COLLECTION, f"{name} @seeds", with_sources=False)
        for name in engines
    ]
    if not args.no_baseline:
        runs.append(
            run_baseline(
                items, files, report_dir / "baseline-seeds-chroma", "seeds/", "baseline @seeds", False
            )
        )
    return runs


def print_summary(args, runs: list[Run], path: Path, grounding: dict | None = None) -> None:
    if getattr(args, "json", False):
        print(
            json.dumps(
                {
                    "report": str(path),
                    "runs": [
                        {
                            "name": r.name,
                            "skipped": r.skipped or None,
                            "summary": r.row,
                            "per_kind": by_group(r.results, "kind", everything=True),
                            "gate": r.gate,
                        }
                        for r in runs
                    ],
                    "grounding": grounding,
                },
                indent=1,
                default=str,
            )
        )
        return
    print(plain_table(table(runs)))
    for line in skipped_lines(runs):
        print(line)
    for run in runs:
        if run.gate is not None:
            print(f"\nper kind, {run.name}:")
            print(plain_table(kind_table(run)))
    if grounding:
        print()
        print(format_score(grounding, "set"))
    for run in runs:
        if run.gate is not None:
            print(f"gate {run.name}: " + ("PASS" if not run.gate else "FAIL - " + "; ".join(run.gate)))
    print(f"report: {path}")
