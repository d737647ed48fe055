"""Conversations: when a question builds on the last answer and when it starts afresh, what the
session remembers, and instructions in questions and documents."""

from __future__ import annotations

import pytest


def lead(answer) -> str:
    return answer.text.split("\n")[0]


# --- follow-ups and topic switches -------------------------------------------------------------------

SWITCHES = [
    ("What is a joint venture?", "Why do alliances fail?"),
    ("What are the signs it's time to exit an alliance?", "Why do firms partner in the first place?"),
    ("Tell me about the Cisco and Microsoft Azure partnership.", "How often do strategic alliances fail?"),
    ("How do I choose an alliance partner?", "What does it take to govern an alliance well?"),
    ("What's coopetition?", "What are the stages of the partnership lifecycle?"),
]


@pytest.mark.parametrize(("first", "second"), SWITCHES)
def test_a_new_question_is_answered_as_in_a_fresh_session(advisor, first, second):
    fresh = advisor.ask(second)
    advisor.ask(first, session_id="s")
    switched = advisor.ask(second, session_id="s")
    assert switched.sources[0].id == fresh.sources[0].id
    assert lead(switched) == lead(fresh)
    assert switched.retrieval_query == second


FOLLOW_UPS = [
    ("What is a joint venture?", "Can you give an example?"),
    ("What factors should I use to evaluate a potential partner?", "How do I assess the second one?"),
    ("What are the three types of strategic alliance by ownership?", "What about the last one?"),
]


@pytest.mark.parametrize(("first", "second"), FOLLOW_UPS)
def test_a_follow_up_is_read_with_the_previous_question(advisor, first, second):
    advisor.ask(first, session_id="s")
    answer = advisor.ask(second, session_id="s")
    assert first in answer.retrieval_query and second in answer.retrieval_query


def test_queries_do_not_grow_over_follow_ups(advisor):
    first = "What are the three types of strategic alliance by ownership?"
    follow_ups = [
        "Can you give an example?",
        "Tell me more about the second one.",
        "What about the last one?",
        "Go deeper on that.",
    ]
    bound = len(first) + max(len(q) for q in follow_ups) + 2
    advisor.ask(first, session_id="s")
    for question in follow_ups:
        answer = advisor.ask(question, session_id="s")
        assert first in answer.retrieval_query and question in answer.retrieval_query
        assert len(answer.retrieval_query) <= bound
    turns = advisor.sessions.history("s", 10)
    assert len(turns) == 5 and all(len(t.query) <= bound for t in turns)


def test_nothing_is_merged_into_a_refused_turn(advisor):
    advisor.ask("What is the weather in Paris tomorrow?", session_id="s")
    answer = advisor.ask("What about the second one?", session_id="s")
    assert answer.retrieval_query == "What about the second one?"
