"""Input checks and prompt-injection handling, applied before any model runs.

Questions are trimmed of control characters and checked for length. Instructions aimed at the
model ("ignore previous instructions", "print your system prompt") are recognised and removed from
what is searched and sent on; they never change what the advisor does, and a question made only of
them gets the ordinary out-of-scope reply.
"""

from __future__ import annotations

import re
import unicodedata

from advisor.errors import InputError

REFUSAL = (
    "That's outside what I know, so I won't guess. I can help with strategic alliances and partnerships: "
    "alliance types (joint ventures, equity and non-equity alliances, co-marketing, licensing, R&D "
    "partnerships), why firms partner, choosing a partner, governance and success factors, the "
    "partnership lifecycle, why alliances fail and what to do about it, and when to walk away."
)

_INJECTION = re.compile(
    r"(ignore|disregard|forget|override|bypass)\s+(all\s+|any\s+|the\s+|your\s+|my\s+)?"
    r"(previous|prior|above|earlier|system|existing|these|those)?\s*(instructions|prompts?|rules|directions)"
    r"|(reveal|print|show|repeat|output|display|tell me|what is|what's)\s+(me\s+)?(your|the)\s+"
    r"(system\s+prompt|hidden\s+prompt|initial\s+prompt|instructions|prompt)"
    r"|system\s+prompt|you\s+are\s+now\s+\w+|act\s+as\s+(an?\s+)?(unrestricted|jailbroken|dan)\b"
    r"|developer\s+mode|jailbreak|pretend\s+(you\s+are|to\s+be)",
    re.I,
)


def clean_question(question: object, max_chars: int) -> str:
    if not isinstance(question, str):
        raise InputError("the question must be text")
    text = "".join(ch for ch in question if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    text = text.strip()
    if not text:
        raise InputError("the question is empty; ask something about strategic alliances or partnerships")
    if len(text) > max_chars:
        raise InputError(
            f"the question is {len(text):,} characters long; the limit is {max_chars:,}. "
            "Ask the essential question in a few sentences."
        )
    return text


def strip_injection(question: str) -> tuple[str, bool]:
    """Remove instruction-like clauses; return (what is left, whether any were found)."""
    if not _INJECTION.search(question):
        return question, False
    kept = [
        s
        for s in re.split(r"(?<=[.!?;\n])\s+|,\s*(?:and\s+)?(?=then\b)", question)
        if not _INJECTION.search(s)
    ]
    return " ".join(kept).strip(), True


def looks_like_injection(text: str) -> bool:
    return bool(_INJECTION.search(text))
