"""Load the workflows' statements, weights, thresholds and advice from ``knowledge/_domain/``.

``workflows.yaml`` holds both assessments; it names items of ``lists.yaml`` by id (the partner factors,
failure modes, exit signs ...), whose names, summaries, advice and citations are read from there.
Nothing about the assessments is written in code: edit the YAML and the workflows change.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from advisor.workflows.errors import WorkflowDataError
from advisor.workflows.model import (
    VERDICT_CONDITIONS,
    Advice,
    Band,
    Citation,
    Factor,
    HealthSpec,
    Interaction,
    Item,
    NextStep,
    Question,
    Scale,
    ScorecardSpec,
    Severity,
    VerdictRule,
    WorkflowData,
)
from advisor.yamlfile import read_yaml

WORKFLOWS_FILE = "workflows.yaml"
LISTS_FILE = "lists.yaml"
# How reports name the kind of a health finding, by its list; every other list is a governance basic.
KIND_BY_LIST = {"failure-modes": "failure mode", "exit-signs": "exit sign"}
DEFAULT_HIGH_AT_LEAST = 4.0  # README: an interaction's "high" factor scores >= 4.0


def domain_dir(knowledge_dir: Path) -> Path:
    return knowledge_dir / "_domain"


def load_workflows(directory: Path) -> WorkflowData:
    """Read ``workflows.yaml`` and ``lists.yaml`` from ``directory`` (a ``_domain`` folder)."""
    raw = _read_yaml(directory / WORKFLOWS_FILE)
    items = _items_by_id(_read_yaml(directory / LISTS_FILE), directory / LISTS_FILE)
    where = directory / WORKFLOWS_FILE
    try:
        return WorkflowData(
            scorecard=_scorecard(raw["scorecard"], items),
            health=_health(raw["health"], items),
        )
    except KeyError as exc:
        raise WorkflowDataError(f"{where}: missing key {exc}") from None
    except (TypeError, ValueError) as exc:
        raise WorkflowDataError(f"{where}: {exc}") from None


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = read_yaml(path)
    except OSError as exc:
        raise WorkflowDataError(f"cannot read {path}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise WorkflowDataError(f"{path}: not valid YAML ({exc})") from None
    if not isinstance(data, dict):
        raise WorkflowDataError(f"{path}: expected a mapping at the top level")
    return data


def _items_by_id(raw: Mapping[str, Any], path: Path) -> dict[str, Item]:
    items: dict[str, Item] = {}
    for lst in raw.get("lists") or []:
        for it in lst.get("items") or []:
            items[it["id"]] = Item(
                id=it["id"],
                name=it["name"],
                list_id=lst["id"],
                list_title=lst["title"],
                kind=KIND_BY_LIST.get(lst["id"], "governance basic"),
                summary=it.get("summary", ""),
                advice=it.get("advice") or None,
                cites=_cites(it.get("cites")),
            )
    if not items:
        raise WorkflowDataError(f"{path}: no list items")
    return items


def _cites(raw: Any) -> tuple[Citation, ...]:
    return tuple(Citation(doc=str(c["doc"]), section=str(c["section"])) for c in raw or [])


def _scale(raw: Mapping[str, Any]) -> Scale:
    scale = Scale(int(raw["min"]), int(raw["max"]), str(raw["low_label"]), str(raw["high_label"]))
    if scale.min >= scale.max:
        raise ValueError(f"scale min {scale.min} must be below max {scale.max}")
    return scale


def _scorecard(raw: Mapping[str, Any], items: Mapping[str, Item]) -> ScorecardSpec:
    factors = tuple(
        Factor(
            id=f["id"],
            name=f["name"],
            red_flag_below=float(f["red_flag_below"]),
            red_flag=f["red_flag"],
            guidance=f["guidance"],
            cites=_cites(f["cites"]),
        )
        for f in raw["factors"]
    )
    factor_ids = {f.id for f in factors}
    _known(factor_ids, items, "scorecard factor")
    questions = tuple(
        Question(id=s["id"], text=s["text"], weight=float(s["weight"]), group=(s["factor"],))
        for s in raw["statements"]
    )
    _unique([q.id for q in questions], "scorecard statement")
    for q in questions:
        _known(q.group, factor_ids, f"factor of statement {q.id!r}")
    empty = factor_ids - {q.group[0] for q in questions}
    if empty:
        raise ValueError(f"factor(s) without statements: {', '.join(sorted(empty))}")
    interactions = tuple(
        Interaction(
            id=i["id"],
            high=tuple(i["when"].get("high") or ()),
            low=tuple(i["when"].get("low") or ()),
            text=i["text"],
            cites=_cites(i["cites"]),
        )
        for i in raw.get("interactions") or []
    )
    for inter in interactions:
        _known(inter.high + inter.low, factor_ids, f"factor of interaction {inter.id!r}")
    bands = tuple(
        Band(
            id=b["id"],
            label=b["label"],
            min_score=float(b["min_score"]),
            max_red_flags=int(b["max_red_flags"]),
            text=b["text"],
            cites=_cites(b["cites"]),
        )
        for b in raw["bands"]
    )
    if not bands:
        raise ValueError("scorecard needs at least one band")
    steps = tuple(
        NextStep(id=s["id"], factor=s.get("factor"), text=s["text"], cites=_cites(s["cites"]))
        for s in raw.get("next_steps") or []
    )
    for step in steps:
        if step.factor is not None:
            _known((step.factor,), factor_ids, f"factor of next step {step.id!r}")
    return ScorecardSpec(
        title=raw["title"],
        intro=raw["intro"],
        scale=_scale(raw["scale"]),
        factors=factors,
        questions=questions,
        interactions=interactions,
        bands=bands,
        next_steps=steps,
        high_at_least=float(raw.get("high_at_least", DEFAULT_HIGH_AT_LEAST)),
    )


def _health(raw: Mapping[str, Any], items: Mapping[str, Item]) -> HealthSpec:
    questions = tuple(
        Question(id=s["id"], text=s["text"], weight=float(s["weight"]), group=tuple(s["signals"]))
        for s in raw["statements"]
    )
    _unique([q.id for q in questions], "health statement")
    finding_items = []
    for f in raw["findings"]:
        _known((f["item"],), items, "finding item")
        item = items[f["item"]]
        if item.list_id != f["list"]:
            raise ValueError(f"finding {item.id!r} is in list {item.list_id!r}, not {f['list']!r}")
        finding_items.append(item)
    finding_ids = {i.id for i in finding_items}
    for q in questions:
        _known(q.group, finding_ids, f"signal of statement {q.id!r}")
    severity = tuple(Severity(float(s["below"]), str(s["level"])) for s in raw["severity"])
    verdicts = tuple(
        VerdictRule(
            id=v["id"], label=v["label"], when=dict(v["when"]), reason=v["reason"], cites=_cites(v["cites"])
        )
        for v in raw["verdict"]
    )
    for rule in verdicts:
        odd = set(rule.when) - VERDICT_CONDITIONS
        if odd or not rule.when:
            raise ValueError(f"verdict {rule.id!r}: unknown or no conditions {sorted(odd)}")
        _known(rule.when.get("any_high_in") or (), finding_ids, f"item of verdict {rule.id!r}")
    if not verdicts or not verdicts[-1].when.get("always"):
        raise ValueError("the last verdict rule must have `always: true`")
    plan = {
        key: tuple(Advice(a["text"], _cites(a["cites"])) for a in actions)
        for key, actions in (raw.get("next_90_days") or {}).items()
    }
    _known(plan, finding_ids, "next_90_days item")
    return HealthSpec(
        title=raw["title"],
        intro=raw["intro"],
        scale=_scale(raw["scale"]),
        questions=questions,
        items=tuple(finding_items),
        severity=severity,
        verdicts=verdicts,
        next_90_days=plan,
    )


def _known(ids: Any, known: Any, what: str) -> None:
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise ValueError(f"unknown {what}: {', '.join(map(str, unknown))}")


def _unique(ids: list[str], what: str) -> None:
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ValueError(f"duplicate {what} id(s): {', '.join(dupes)}")
