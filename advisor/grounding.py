"""Grounding rules for generated answers.

Each sentence (or bullet) of a model's answer is kept only if:
- it says something (three content words or more) and is not a question echoed back;
- its citations refer to passages that were actually retrieved (others are removed) and share most
  of its words; or, uncited, a retrieved passage plainly supports it and it is cited to that one;
- every number and capitalised name in it appears in the passages it cites.
What fails is dropped and counted; the advisor falls back to an extractive answer if nothing is left.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from advisor.answer import Passage
from advisor.text import content_words

CITATION = re.compile(r"\s*\[(\d+)\]")
_SPLIT = re.compile(r"(?<=[.!?])(?:\s*\[\d+\])*\s+(?=[A-Z0-9*\-\"“(])|\n+")
_NUMBER = re.compile(r"\d[\d,.]*%?")
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-zA-Z&]+(?:\s+[A-Z][a-zA-Z&]+)*")
MIN_WORDS = 3
CITED_SUPPORT = 0.4  # share of a sentence's content words its cited passage must contain
UNCITED_SUPPORT = 0.6  # the same for a sentence the model left uncited
_COMMON = frozenset("I A The This That These Those It In On For And Or But If When Partners Partner".split())


@dataclass
class Grounded:
    text: str
    dropped: list[str] = field(default_factory=list)


def split_units(text: str) -> list[str]:
    """Sentences and bullet lines, each with its trailing citations attached."""
    units: list[str] = []
    for line in text.split("\n"):
        if not line.strip():
            continue
        pieces = re.split(r"(?<=[.!?])((?:\s*\[\d+\])*)\s+(?=[A-Z\"“(])", line.strip())
        # re.split with a group yields [sentence, citations, sentence, citations, ..., last]
        for i in range(0, len(pieces), 2):
            units.append((pieces[i] + (pieces[i + 1] if i + 1 < len(pieces) else "")).strip())
    return [u for u in units if u]


def _support(unit: str, passage: Passage) -> float:
    words = set(content_words(unit))
    if not words:
        return 0.0
    return len(words & set(content_words(passage.text + " " + passage.section))) / len(words)


def ground(text: str, passages: list[Passage]) -> Grounded:
    by_n = {p.n: p for p in passages}
    out = Grounded(text="")
    lines: list[str] = []
    for unit in split_units(text):
        bullet = unit.lstrip().startswith(("- ", "* ", "• "))
        body = re.sub(r"^[-*•]\s+", "", unit.strip())
        cited = [int(n) for n in CITATION.findall(body) if int(n) in by_n]
        plain = CITATION.sub("", body).strip().rstrip("[( ").strip()
        if len(content_words(plain)) < MIN_WORDS or plain.endswith("?"):
            # Too short to say anything, or a question echoed back: not an answer.
            out.dropped.append(plain)
            continue
        if cited and max(_support(plain, by_n[n]) for n in cited) < CITED_SUPPORT:
            cited = []  # the citation does not back the sentence: judge it as uncited
        if not cited:
            best = max(passages, key=lambda p: _support(plain, p), default=None)
            if best is None or _support(plain, best) < UNCITED_SUPPORT:
                out.dropped.append(plain)
                continue
            cited = [best.n]
        evidence = " ".join(by_n[n].text for n in cited)
        if not _facts_present(plain, evidence):
            out.dropped.append(plain)
            continue
        marks = "".join(f" [{n}]" for n in dict.fromkeys(cited))
        lines.append(("- " if bullet else "") + plain + marks)
    out.text = "\n".join(lines)
    return out


def _facts_present(sentence: str, evidence: str) -> bool:
    lowered = evidence.lower()
    for number in _NUMBER.findall(sentence):
        token = number.rstrip(".,")
        if token and token not in evidence:
            return False
    for name in _NAME.findall(sentence):
        if name.split()[0] in _COMMON and len(name.split()) == 1:
            continue
        if name.lower() not in lowered:
            return False
    return True
