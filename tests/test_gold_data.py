"""The evaluation data: the situational, conversational, business-adjacent and small-talk items of
the gold set (``evals/gold.yaml``) and the labelled grounding set (``evals/grounding.yaml``) are
sound against the knowledge base, and meet the sizes and shares they promise."""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
import yaml

from evals.quality.calibrate import BUSINESS_ADJACENT
from evals.quality.scorers import normalize

REPO = Path(__file__).resolve().parents[1]
KNOWLEDGE = REPO / "knowledge"

ASKED_KINDS = {"situational": 64, "reference": 14, "switch": 6, "comparison": 6, "checklist": 6}
CHAT_KINDS = {"smalltalk", "meta"}
# the business-adjacent categories are the ones calibration reports on (one list for both)
FAITHFUL_KINDS = {"paraphrase", "quote", "summary"}
UNFAITHFUL_KINDS = {
    "wrong-number",
    "swapped-name",
    "swapped-company",
    "swapped-type",
    "unsupported-claim",
    "wrong-citation",
}


@cache
def gold_items() -> list[dict]:
    return yaml.safe_load((REPO / "evals" / "gold.yaml").read_text(encoding="utf-8"))["items"]


@cache
def grounding_items() -> list[dict]:
    return yaml.safe_load((REPO / "evals" / "grounding.yaml").read_text(encoding="utf-8"))["items"]


@cache
def section_text(doc: str, heading: str) -> str | None:
    """The normalised text of one `## ` section (heading line to the next `## `), or None."""
    path = KNOWLEDGE / Path(doc).name
    if not path.is_file():
        return None
    for part in re.split(r"^(?=## )", path.read_text(encoding="utf-8"), flags=re.M):
        if part.startswith("## ") and part.splitlines()[0][3:].strip() == heading:
            return normalize(part)
    return None


def new_gold_items() -> list[dict]:
    return [i for i in gold_items() if i["kind"] in ASKED_KINDS or i.get("expect") == "chat"]


def turns(item: dict) -> list[str]:
    return item.get("turns") or [item["question"]]


# -- the gold set --------------------------------------------------------------------------------------


@pytest.mark.parametrize("item", new_gold_items(), ids=lambda i: i["id"])
def test_new_item_is_sound(item):
    if item.get("expect") == "chat":
        assert item["topic"] == "chat" and item["kind"] in CHAT_KINDS
        assert not item.get("expected") and not item.get("key_facts")
        return
    assert 1 <= len(item["expected"]) <= 2
    assert 1 <= len(item["key_facts"]) <= 3
    texts = []
    for exp in item["expected"]:
        text = section_text(exp["source"], exp["section"])
        assert text is not None, f"{exp['source']} has no '## {exp['section']}'"
        texts.append(text)
    corpus = " ".join(texts)
    for fact in item["key_facts"]:
        assert any(normalize(p) in corpus for p in fact), f"{fact} is in none of the expected sections"
    n = len(turns(item))
    if item["kind"] == "reference":
        assert 2 <= n <= 3
    elif item["kind"] == "switch":
        assert n == 2
    else:
        assert n == 1
    if item["kind"] == "comparison":
        assert len(item["expected"]) == 2


def test_new_kinds_meet_their_minimums():
    items = gold_items()
    kinds = Counter(i["kind"] for i in items if "expect" not in i)
    for kind, minimum in ASKED_KINDS.items():
        assert kinds[kind] >= minimum, kind
    situational_topics = {i["topic"] for i in items if i["kind"] == "situational"}
    in_scope_topics = {i["topic"] for i in items if "expect" not in i}
    assert situational_topics == in_scope_topics
    chat = [i for i in items if i.get("expect") == "chat"]
    assert len(chat) >= 8 and {i["kind"] for i in chat} == CHAT_KINDS
    adjacent = [i for i in items if i.get("expect") == "refuse" and i["kind"] in BUSINESS_ADJACENT]
    assert len(adjacent) >= 14
    assert {i["kind"] for i in adjacent} == BUSINESS_ADJACENT
    assert all(i["topic"] == "out-of-scope" for i in adjacent)


def _follows_the_split_rule(batch: list[dict]) -> None:
    """Sorted by (topic, kind), positions 2 and 4 of every five are dev."""
    ordered = sorted(batch, key=lambda i: (i["topic"], i["kind"]))
    for pos, item in enumerate(ordered):
        assert item["split"] == ("dev" if pos % 5 in (1, 3) else "test"), item["id"]


def test_new_batch_follows_the_split_rule():
    """The batches after the original 135 items are each split by the rule on their own: the second
    from sit-def-vendor up to the third batch, the third the items with an s5- id, the fourth those
    with an s8- id, the sixth those with an s10- id. The fifth (s9-), the seventh (s11-) and the eighth
    (s12-) are tuning material, dev only."""
    items = gold_items()
    start = {
        prefix: next(n for n, i in enumerate(items) if i["id"].startswith(prefix))
        for prefix in ("s5-", "s8-", "s9-", "s10-", "s11-", "s12-")
    }
    second, third = items[135 : start["s5-"]], items[start["s5-"] : start["s8-"]]
    fourth, fifth, sixth, seventh = (
        items[start["s8-"] : start["s9-"]],
        items[start["s9-"] : start["s10-"]],
        items[start["s10-"] : start["s11-"]],
        items[start["s11-"] : start["s12-"]],
    )
    eighth = items[start["s12-"] :]
    assert fifth and all(i["id"].startswith("s9-") and i["split"] == "dev" for i in fifth)
    assert seventh and all(i["id"].startswith("s11-") and i["split"] == "dev" for i in seventh)
    assert eighth and all(i["id"].startswith("s12-") and i["split"] == "dev" for i in eighth)
    assert sixth and all(i["id"].startswith("s10-") for i in sixth)
    assert second and second[0]["id"] == "sit-def-vendor"
    assert not any(i["id"].startswith(("s5-", "s8-")) for i in second)
    assert third and all(i["id"].startswith("s5-") for i in third)
    assert fourth and all(i["id"].startswith("s8-") for i in fourth)
    for batch in (second, third, fourth, sixth):
        _follows_the_split_rule(batch)


# -- the grounding set ---------------------------------------------------------------------------------


def test_grounding_set_shape():
    items = grounding_items()
    assert len(items) >= 160
    assert len({i["id"] for i in items}) == len(items)
    faithful = sum(i["label"] == "faithful" for i in items)
    assert 0.45 <= faithful / len(items) <= 0.65
    kinds = Counter(i["kind"] for i in items if i["label"] == "unfaithful")
    assert set(kinds) == UNFAITHFUL_KINDS
    assert min(kinds.values()) >= 8
    docs = {p["doc"] for i in items for p in i["passages"]}
    assert docs == {p.name for p in KNOWLEDGE.glob("*.md")}


@pytest.mark.parametrize("item", grounding_items(), ids=lambda i: i["id"])
def test_grounding_item_is_sound(item):
    assert item["label"] in ("faithful", "unfaithful")
    assert item["kind"] in (FAITHFUL_KINDS if item["label"] == "faithful" else UNFAITHFUL_KINDS)
    assert 1 <= len(item["passages"]) <= 3
    for p in item["passages"]:
        assert section_text(p["doc"], p["section"]) is not None, f"{p['doc']} has no '## {p['section']}'"
    cited = [int(n) for n in re.findall(r"\[(\d+)\]", item["sentence"])]
    assert cited and all(1 <= n <= len(item["passages"]) for n in cited)
    if item["kind"] == "wrong-citation":
        assert len(item["passages"]) >= 2
