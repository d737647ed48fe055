"""Checklists for the moments people ask one for: the data, the matching and the plan."""

from __future__ import annotations

from citing import numbered

from advisor.checklists import asked_checklist, checklist_lines
from advisor.compose import checklist_plan


def near(*texts: str):
    """A similarity that finds the request close to exactly these names."""
    return lambda candidates: [0.8 if t in texts else 0.3 for t in candidates]


def test_every_checklist_line_is_an_item_with_a_citation(domain):
    assert len(domain.checklists) >= 5
    assert len({c.id for c in domain.checklists}) == len(domain.checklists)
    for checklist in domain.checklists:
        assert checklist.intro and checklist.names
        assert set(checklist.items) <= set(domain.items), set(checklist.items) - set(domain.items)
        assert all(cites for _, _, cites in checklist_lines(domain, checklist))


def test_a_request_naming_a_moment_gets_that_checklist(domain):
    before = next(c for c in domain.checklists if c.id == "before-signing")
    found = asked_checklist(domain, "What do we need before we sign?", near(before.names[0]))
    assert found is before


def test_no_clear_winner_means_no_named_checklist(domain):
    first, second = domain.checklists[0], domain.checklists[1]
    tie = near(first.names[0], second.names[0])
    assert asked_checklist(domain, "Zorp quux checklist?", tie) is None
    assert asked_checklist(domain, "Zorp quux checklist?", near()) is None


def test_the_plan_shows_each_line_cited_and_keeps_the_rest_for_more(domain):
    leaving = next(c for c in domain.checklists if c.id == "leaving")
    plan = checklist_plan(domain, [], numbered, "exit checklist please", near(leaving.names[0]))
    assert plan is not None and plan.kind == "checklist"
    assert plan.lead.startswith(leaving.intro) and plan.lead.endswith("Checklist:")
    assert all(p.startswith("[ ] **") and p.rstrip().endswith("]") for p in plan.points + plan.more)
    assert plan.items == [name for name, _, _ in checklist_lines(domain, leaving)]
