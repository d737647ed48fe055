"""Checks for the structured domain layer in knowledge/_domain/*.yaml.

* every file loads with yaml.safe_load and has the documented top-level shape;
* every `cites` entry names an existing knowledge/*.md file and an exact `## ` heading in it;
* ids are unique (lists, items across all lists, types, cases, statements);
* every type has the same attribute keys; cross-references (schemes, case types, illustrates, signals,
  findings, next_90_days) point at existing ids;
* every number in a case's or fact's `figures` appears in its cited section text;
* named items of the core lists appear verbatim in their cited sections;
* the scorecard has 12-16 statements over all four partner factors, and the health check has 15-20
  statements covering every failure mode and every exit sign.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE_DIR = REPO_ROOT / "knowledge"
DOMAIN_DIR = KNOWLEDGE_DIR / "_domain"
FILES = ("lists.yaml", "types.yaml", "cases.yaml", "workflows.yaml")

LIST_KINDS = {
    "factors",
    "stages",
    "signs",
    "failure-modes",
    "reasons",
    "pillars",
    "success-factors",
    "bodies",
    "types",
    "steps",
    "tasks",
    "other",
}
LIST_KEYS = {"id", "title", "names", "kind", "intro", "items", "cites"}
ITEM_REQUIRED = {"id", "name", "aliases", "summary", "cites"}
ITEM_KEYS = ITEM_REQUIRED | {"advice"}
TYPE_KEYS = {"id", "name", "aliases", "contrast", "schemes", "definition", "attributes", "cites"}
CASE_REQUIRED = {
    "id",
    "name",
    "companies",
    "type",
    "illustrates",
    "years",
    "what",
    "outcome",
    "lesson",
    "figures",
    "cites",
}
CASE_KEYS = CASE_REQUIRED | {"sources_named"}
FACT_KEYS = {"id", "what", "figures", "cites"}
KEBAB = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# Kinds whose item names must appear verbatim in the cited sections ("keep the list item names exactly").
VERBATIM_KINDS = {
    "factors",
    "stages",
    "signs",
    "failure-modes",
    "pillars",
    "success-factors",
    "bodies",
    "reasons",
}


@cache
def load(name: str) -> Any:
    with (DOMAIN_DIR / name).open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@cache
def sections() -> dict[str, dict[str, str]]:
    """{doc file name: {exact `## ` heading text: section text up to the next `## ` heading}}."""
    out: dict[str, dict[str, str]] = {}
    for path in sorted(KNOWLEDGE_DIR.glob("*.md")):
        doc: dict[str, str] = {}
        heading = None
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("## "):
                heading = line[3:].strip()
                doc[heading] = ""
            elif heading is not None:
                doc[heading] += line + "\n"
        out[path.name] = doc
    return out


def cited_text(cites: list[dict]) -> str:
    return "\n".join(sections()[c["doc"]][c["section"]] for c in cites)


def plain(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("**", "").replace("*", "")).lower()


def walk_cites(node: Any, path: str = ""):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "cites":
                yield path, value
            else:
                yield from walk_cites(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from walk_cites(value, f"{path}[{i}]")


def walk_values(node: Any, path: str = ""):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from walk_values(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from walk_values(value, f"{path}[{i}]")
    else:
        yield path, node


def all_items() -> dict[str, tuple[str, dict]]:
    return {item["id"]: (lst["id"], item) for lst in load("lists.yaml")["lists"] for item in lst["items"]}


def assert_unique(ids: list[str], what: str) -> None:
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    assert not dupes, f"duplicate {what} ids: {dupes}"
    bad = [i for i in ids if not KEBAB.match(i)]
    assert not bad, f"{what} ids not kebab-case: {bad}"


# --- every file -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", FILES)
def test_file_loads_and_starts_with_a_comment(name):
    text = (DOMAIN_DIR / name).read_text(encoding="utf-8")
    assert text.startswith("#"), f"{name} must start with a comment saying what it is"
    assert isinstance(load(name), dict)


@pytest.mark.parametrize("name", FILES)
def test_every_cite_names_an_existing_doc_and_exact_heading(name):
    found = 0
    for path, cites in walk_cites(load(name)):
        assert isinstance(cites, list) and cites, f"{name}{path}: cites must be a non-empty list"
        for cite in cites:
            found += 1
            assert set(cite) == {"doc", "section"}, f"{name}{path}: bad cite {cite}"
            assert cite["doc"] in sections(), f"{name}{path}: no knowledge/{cite['doc']}"
            assert cite["section"] in sections()[cite["doc"]], (
                f"{name}{path}: no '## {cite['section']}' in {cite['doc']}"
            )
    assert found


@pytest.mark.parametrize("name", FILES)
def test_no_empty_values(name):
    """A null usually means a flow mapping split an unquoted value at a comma."""
    allowed = re.compile(r"^/scorecard/next_steps\[\d+\]/factor$")
    bad = [p for p, v in walk_values(load(name)) if (v is None or v == "") and not allowed.match(p)]
    assert not bad, f"{name}: empty values at {bad}"


# --- lists.yaml -------------------------------------------------------------------------------------


def test_lists_shape_and_unique_ids():
    lists = load("lists.yaml")["lists"]
    assert_unique([lst["id"] for lst in lists], "list")
    assert_unique([item["id"] for lst in lists for item in lst["items"]], "list item")
    for lst in lists:
        assert set(lst) == LIST_KEYS, f"{lst['id']}: keys {sorted(set(lst) ^ LIST_KEYS)}"
        assert lst["kind"] in LIST_KINDS, f"{lst['id']}: kind {lst['kind']!r}"
        assert lst["names"] and all(isinstance(n, str) for n in lst["names"])
        assert len(lst["items"]) >= 2, lst["id"]
        for item in lst["items"]:
            keys = set(item)
            assert ITEM_REQUIRED <= keys <= ITEM_KEYS, f"{lst['id']}/{item['id']}: keys {sorted(keys)}"
            assert isinstance(item["aliases"], list) and all(isinstance(a, str) for a in item["aliases"])


def test_core_lists_are_present_with_their_counts():
    by_id = {lst["id"]: lst for lst in load("lists.yaml")["lists"]}
    expected = {
        "partner-factors": 4,
        "failure-modes": 5,
        "exit-signs": 7,
        "lifecycle-stages": 5,
        "alliance-phases": 4,
        "management-tasks": 4,
        "four-pillars": 4,
        "critical-success-factors": 4,
        "governance-bodies": 3,
        "partnering-reasons": 5,
        "classification-schemes": 3,
        "types-by-ownership": 3,
        "types-by-activity": 6,
        "strategic-features": 4,
    }
    for list_id, count in expected.items():
        assert list_id in by_id, f"missing list {list_id}"
        assert len(by_id[list_id]["items"]) == count, f"{list_id}: {len(by_id[list_id]['items'])} items"
    assert all("advice" in item for item in by_id["failure-modes"]["items"]), (
        "every failure mode needs its countermeasure"
    )


def test_core_list_item_names_are_verbatim_in_their_sections():
    for lst in load("lists.yaml")["lists"]:
        if lst["kind"] not in VERBATIM_KINDS:
            continue
        for item in lst["items"]:
            text = plain(cited_text(item["cites"]))
            assert plain(item["name"]) in text, (
                f"{lst['id']}/{item['id']}: {item['name']!r} not in cited text"
            )


# --- types.yaml -------------------------------------------------------------------------------------


def test_types_share_attribute_keys_and_refs_resolve():
    types = load("types.yaml")["types"]
    assert_unique([t["id"] for t in types], "type")
    list_ids = {lst["id"] for lst in load("lists.yaml")["lists"]}
    first = set(types[0]["attributes"])
    for t in types:
        assert set(t) == TYPE_KEYS, f"{t['id']}: keys {sorted(set(t) ^ TYPE_KEYS)}"
        assert set(t["attributes"]) == first, (
            f"{t['id']}: attribute keys {sorted(set(t['attributes']) ^ first)}"
        )
        assert all(isinstance(v, str) and v for v in t["attributes"].values()), t["id"]
        assert isinstance(t["contrast"], bool)
        assert set(t["schemes"]) <= list_ids, f"{t['id']}: unknown schemes {t['schemes']}"
    assert {"joint-venture", "equity-strategic-alliance", "non-equity-alliance", "merger-acquisition"} <= {
        t["id"] for t in types
    }


# --- cases.yaml -------------------------------------------------------------------------------------


def test_cases_shape_and_refs():
    data = load("cases.yaml")
    type_ids = {t["id"] for t in load("types.yaml")["types"]}
    items = all_items()
    assert_unique([c["id"] for c in data["cases"]] + [f["id"] for f in data["facts"]], "case/fact")
    for case in data["cases"]:
        keys = set(case)
        assert CASE_REQUIRED <= keys <= CASE_KEYS, f"{case['id']}: keys {sorted(keys)}"
        assert case["type"] in type_ids or case["type"] == "not stated", f"{case['id']}: type {case['type']}"
        assert set(case["illustrates"]) <= set(items), f"{case['id']}: unknown items {case['illustrates']}"
        assert case["companies"]
    for fact in data["facts"]:
        assert set(fact) == FACT_KEYS, fact["id"]


def test_every_figure_appears_in_its_cited_sections():
    data = load("cases.yaml")
    checked = 0
    for entry in data["cases"] + data["facts"]:
        text = cited_text(entry["cites"])
        for figure in entry["figures"]:
            numbers = NUMBER.findall(figure)
            assert numbers, f"{entry['id']}: figure without a number: {figure!r}"
            for number in numbers:
                checked += 1
                assert number in text, f"{entry['id']}: {number} (from {figure!r}) not in cited sections"
        if str(entry.get("years", "")).strip()[:1].isdigit():
            for number in NUMBER.findall(str(entry["years"])):
                assert number in text, f"{entry['id']}: year {number} not in cited sections"
    assert checked


# --- workflows.yaml ---------------------------------------------------------------------------------


def test_scorecard_statements_cover_the_four_factors():
    scorecard = load("workflows.yaml")["scorecard"]
    factor_ids = [
        item["id"]
        for item in next(x for x in load("lists.yaml")["lists"] if x["id"] == "partner-factors")["items"]
    ]
    assert [f["id"] for f in scorecard["factors"]] == factor_ids
    statements = scorecard["statements"]
    assert 12 <= len(statements) <= 16, len(statements)
    assert_unique([s["id"] for s in statements], "scorecard statement")
    for s in statements:
        assert set(s) == {"id", "factor", "text", "weight"}, s["id"]
        assert s["factor"] in factor_ids and s["weight"] > 0
    for factor in factor_ids:
        count = sum(s["factor"] == factor for s in statements)
        assert 3 <= count <= 4, f"{factor}: {count} statements"
    for f in scorecard["factors"]:
        assert {"guidance", "red_flag", "red_flag_below", "cites"} <= set(f)
        assert scorecard["scale"]["min"] < f["red_flag_below"] < scorecard["scale"]["max"]
    for step in scorecard["next_steps"]:
        assert step["factor"] in factor_ids or step["factor"] is None
    scores = [b["min_score"] for b in scorecard["bands"]]
    assert scores == sorted(scores, reverse=True) and scores[-1] <= scorecard["scale"]["min"]
    for rule in scorecard["interactions"]:
        assert set(rule["when"]["high"]) | set(rule["when"]["low"]) <= set(factor_ids)


def test_health_statements_cover_every_failure_mode_and_exit_sign():
    health = load("workflows.yaml")["health"]
    lists = {lst["id"]: lst for lst in load("lists.yaml")["lists"]}
    items = all_items()
    statements = health["statements"]
    assert 15 <= len(statements) <= 20, len(statements)
    assert_unique([s["id"] for s in statements], "health statement")
    signalled: set[str] = set()
    for s in statements:
        assert set(s) == {"id", "text", "weight", "signals"}, s["id"]
        assert s["weight"] > 0 and s["signals"]
        unknown = set(s["signals"]) - set(items)
        assert not unknown, f"{s['id']}: unknown signals {sorted(unknown)}"
        signalled |= set(s["signals"])
    for list_id in ("failure-modes", "exit-signs"):
        missing = {i["id"] for i in lists[list_id]["items"]} - signalled
        assert not missing, f"no health statement signals {list_id}: {sorted(missing)}"
    finding_items = [f["item"] for f in health["findings"]]
    assert set(finding_items) == signalled, "every signalled item needs exactly one finding entry"
    assert len(finding_items) == len(set(finding_items))
    for f in health["findings"]:
        assert items[f["item"]][0] == f["list"], f"{f['item']} is not in list {f['list']}"
    assert set(health["next_90_days"]) == signalled, "every finding needs next_90_days actions"
    assert [v["id"] for v in health["verdict"]] == ["plan-an-exit", "fix-these", "healthy"]
    assert health["verdict"][-1]["when"] == {"always": True}
    levels = [r["below"] for r in health["severity"]]
    assert levels == sorted(levels)
