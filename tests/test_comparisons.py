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


def test_which_type_gives_the_most_of_something_compares_the_types_by_ownership(domain):
    from advisor.compose import plan_answer

    question = read_question("Which alliance type gives the most control?")
    plan = plan_answer(question, question.text, [], domain, cite)
    assert plan is not None and plan.kind == "comparison"
    assert plan.items == ["Joint venture", "Equity strategic alliance", "Non-equity strategic alliance"]
    assert plan.lead.startswith("On control: Joint venture:")
    assert "states nothing on control for equity strategic alliance" in plan.lead
    # ...but "which type is best for us" is not a point the types are rated on
    best = read_question("Which alliance type is best for a startup?")
    plan = plan_answer(best, best.text, [], domain, cite)
    assert plan is None or plan.kind != "comparison"


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("R&D consortium", "An"),
        ("equity alliance", "An"),
        ("joint venture", "A"),
        ("IP licence", "An"),
        ("JV", "A"),
        ("Technology/IP licensing partnership", "A"),
    ],
)
def test_the_article_follows_how_the_name_is_said(name, said):
    from advisor.comparisons import article

    assert article(name) == said
