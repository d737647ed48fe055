"""Comparisons: the table, and a lead that answers the point asked about (or says it cannot)."""

from __future__ import annotations

import pytest

from advisor.comparisons import asked_attribute, comparison_plan
from advisor.understand import read_question


def cite(cites):
    return " [1]" if cites else ""


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("which is less risky?", "risks"),
        ("which one gives us more control", "control"),
        ("which is better for a first step?", "best_for"),
        ("compare them", None),
    ],
)
def test_the_point_a_comparison_asks_about(text, key):
    assert asked_attribute(text) == key


@pytest.mark.parametrize(
    "text",
    [
        "Licensing or a joint venture - which is less risky?",
        "Which is safer, a JV or licensing?",
        "Is a joint venture or an equity alliance better when we want to keep control?",
    ],
)
def test_which_questions_between_two_types_are_comparisons(text):
    assert read_question(text).form == "comparison"


def test_a_point_no_type_states_is_said_plainly_not_guessed(domain):
    kinds = [t for t in domain.types if t.id in ("technology-ip-licensing", "joint-venture")]
    plan = comparison_plan(kinds, cite, "Licensing or a joint venture - which is less risky?")
    assert plan.lead.startswith("The knowledge base does not rate")
    assert "which is better there" in plan.lead
    assert [row[0] for row in plan.table[1:]]  # the table still shows what is stated


def test_a_stated_point_leads_and_a_type_name_is_not_a_point(domain):
    kinds = [t for t in domain.types if t.id in ("joint-venture", "equity-strategic-alliance")]
    control = comparison_plan(kinds, cite, "JV vs equity alliance: which gives us more control?")
    assert control.lead.startswith("On control: Joint venture:")
    assert "states nothing on control for equity strategic alliance" in control.lead
    named = comparison_plan(kinds, cite, "Compare joint ventures and equity alliances")
    assert named.lead.startswith("A **joint venture**")
