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


def join_words(words: list[str], conjunction: str = "and") -> str:
    """ "a", "a and b", "a, b and c" (or "or")."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + f" {conjunction} " + words[-1]


# Business shorthand people write in chat, spelled out so that the embedder, the keyword index and
# the wording cues meet the words the knowledge base uses ("nobody shows up to QBRs anymore").
# Upper-case forms only (with a plural "s"): "it", "bd" in lower case are left alone.
ACRONYMS = {
    "QBR": "quarterly business review",
    "KPI": "key performance indicator",
    "OKR": "objectives and key results",
    "MoU": "memorandum of understanding",
    "MOU": "memorandum of understanding",
    "LOI": "letter of intent",
    "NDA": "non-disclosure agreement",
    "SLA": "service level agreement",
    "ROI": "return on investment",
    "GTM": "go-to-market",
    "BD": "business development",
    "SteerCo": "steering committee",
    "PMO": "programme management office",
    "IP": "intellectual property",
    "JV": "joint venture",
    "M&A": "mergers and acquisitions",
    "P&L": "profit and loss",
}
_ACRONYM = re.compile(
    r"(?<![\w&])(" + "|".join(sorted(map(re.escape, ACRONYMS), key=len, reverse=True)) + r")(s?)(?![\w&])"
    r"(?!\s+(?:one|ones|bit|side|point|part|thing)\b)"  # "the IP one" points back: left as it is
)


def spell_out(text: str) -> str:
    """The text with business shorthand followed by its meaning: "QBRs" -> "QBRs (quarterly business
    reviews)". A shorthand already spelled out next to it is left as it is."""
    low = text.lower()

    def expand(match: re.Match) -> str:
        meaning = ACRONYMS[match.group(1)]
        if meaning.lower() in low:
            return match.group(0)
        return f"{match.group(0)} ({meaning}{match.group(2)})"

    return _ACRONYM.sub(expand, text)
