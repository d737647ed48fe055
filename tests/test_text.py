"""The shared text helpers: business shorthand spelled out for retrieval and the wording cues."""

from __future__ import annotations

import pytest

from advisor.text import spell_out


@pytest.mark.parametrize(
    ("text", "spelled"),
    [
        ("nobody shows up to QBRs anymore", "nobody shows up to QBRs (quarterly business reviews) anymore"),
        ("the IP clause is vague", "the IP (intellectual property) clause is vague"),
        ("M&A or a JV?", "M&A (mergers and acquisitions) or a JV (joint venture)?"),
        # already spelled out, lower case, or part of a word: left alone
        ("a joint venture (JV)", "a joint venture (JV)"),
        ("is it bd or sales?", "is it bd or sales?"),
        ("JVs are common", "JVs (joint ventures) are common"),
        ("SKIP the IPO talk", "SKIP the IPO talk"),
        # a shorthand that labels an earlier point ("the IP one") points back: left as it is
        ("and the IP one?", "and the IP one?"),
    ],
)
def test_business_shorthand_is_spelled_out(text, spelled):
    assert spell_out(text) == spelled
