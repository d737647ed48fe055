"""Grounding rules applied to generated answers, sentence by sentence."""

from __future__ import annotations

import pytest

from advisor.answer import Passage
from advisor.grounding import ground

PASSAGES = [
    Passage(
        n=1,
        id="jv",
        metadata={},
        score=1.0,
        similarity=0.6,
        text="A joint venture creates a new legal entity that two parent companies own jointly. "
        "Panasonic invested $30 million in Tesla.",
    ),
    Passage(
        n=2,
        id="ne",
        metadata={},
        score=0.8,
        similarity=0.5,
        text="Most strategic alliances are non-equity alliances that pool resources without equity.",
    ),
]


@pytest.mark.parametrize(
    ("reply", "kept"),
    [
        (
            "A joint venture is a new legal entity owned jointly by two parent companies. [1]",
            "A joint venture is a new legal entity owned jointly by two parent companies. [1]",
        ),
        (
            "Most strategic alliances are non-equity alliances.",
            "Most strategic alliances are non-equity alliances. [2]",
        ),
        ("Panasonic invested $30 million in Tesla. [1] [7]", "Panasonic invested $30 million in Tesla. [1]"),
    ],
)
def test_supported_sentences_are_kept_with_valid_citations(reply, kept):
    assert ground(reply, PASSAGES).text == kept


@pytest.mark.parametrize(
    "reply",
    [
        "The answer to the question is: [ [1]",  # says nothing
        "When should a company walk away from an alliance? [1]",  # the question echoed back
        "Bananas grow on trees near volcanoes. [1]",  # cited, but the passage does not back it
        "Panasonic invested $45 million in Tesla. [1]",  # a number the passage does not give
        "Two parent companies such as Toyota own a joint venture jointly. [1]",  # a name the passage lacks
        "Alliances usually succeed when the weather is good.",  # uncited and unsupported
    ],
)
def test_unsupported_sentences_are_dropped(reply):
    grounded = ground(reply, PASSAGES)
    assert grounded.text == ""
    assert grounded.dropped
