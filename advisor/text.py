"""The shared tokeniser: lower-cased words, stop words removed, a tiny stemmer.

Retrieval (BM25), grounding, the extractive engine and the hashing embedder all compare texts by
these content words, so they agree on what a "word" is. Imports nothing of the project.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[a-z0-9]+")
STOP_WORDS = frozenset(
    "a about after all also am an and any are as at be been before being but by can could did do does "
    "doing for from get got had has have having he her here hers him his how i if in into is it its "
    "just let me might more most must my no not now of off on once only or other our ours out over own "
    "please same she should so some such tell than that the their theirs them then there these they "
    "this those through to too under until up us very was we were what when where which while who whom "
    "why will with would yes you your yours".split()
)


# The words a question opens with ("How do we ...", "Should we ...").
QUESTION_START = r"^\W*(how|what|which|when|why|where|who|is|are|do|does|did|can|could|should|would|will)\b"


def stem(word: str) -> str:
    """A tiny suffix stripper: enough for 'partners'/'partnership'/'partnering' to meet."""
    for suffix in ("ships", "ship", "ings", "ing", "ies", "es", "ed", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def content_words(text: str) -> list[str]:
    """The stemmed words of a text that carry meaning, in order (repeats kept)."""
    return [stem(w) for w in _WORD.findall(text.lower()) if w not in STOP_WORDS]
