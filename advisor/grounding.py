"""Grounding rules for generated answers.

Each sentence (or bullet) of a model's answer is kept only if:
- it says something (three content words or more) and is not a question echoed back;
- its citations refer to passages that were actually retrieved (others are removed), and the passages
  it cites back it: most of its words are there, or, given an embedder, it means what one of their
  sentences says (and, given an embedder, a sentence far in meaning from all of them is dropped
  unless nearly all its words are theirs). A sentence cited to the wrong passage is dropped, not
  re-cited. An uncited sentence is kept only when one passage plainly supports it, and is cited to
  that one;
- its facts are in what it cites (see ``advisor.grounding_facts``): numbers (spelled-out counts and
  time units too), capitalised names and alliance types, a type beside the name it describes, names
  and terms in their roles, and no "always"/"never", comparison or negation the passages do not give.
What fails is dropped and counted; the advisor falls back to an extractive answer if nothing is left.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from advisor.answer import Passage
from advisor.grounding_claims import CLAIM_CHECKS
from advisor.grounding_facts import FACT_CHECKS, Evidence, roots
from advisor.text import content_words

Embed = Callable[[list[str]], np.ndarray]  # texts -> unit vectors, one row each
CITATION = re.compile(r"\s*\[(\d+)\]")
MIN_WORDS = 3
CITED_SUPPORT = 0.6  # share of a sentence's content words its cited passages must contain
UNCITED_SUPPORT = 0.75  # the same for a sentence the model left uncited
# With an embedder: a paraphrase whose words differ is still kept when it means what a sentence of
# its passage says (cosine at least SEMANTIC_SUPPORT) and shares some words with it.
SEMANTIC_SUPPORT = 0.75
SEMANTIC_MIN_WORDS = 0.4
# ... and the embedder has a veto: a sentence whose meaning is far from every sentence of its
# passages (cosine below MEANING_FLOOR) is dropped unless nearly all its words are theirs
# (NEARLY_ALL_WORDS): passage words rearranged into a claim the passage does not make.
MEANING_FLOOR = 0.6
NEARLY_ALL_WORDS = 0.8


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


def word_support(sentence: str, evidence: str) -> float:
    """Share of the sentence's content words that occur in the evidence."""
    words = set(roots(sentence))
    if not words:
        return 0.0
    return len(words & set(roots(evidence))) / len(words)


def _passage_text(passage: Passage) -> str:
    return passage.text + " " + passage.section


def ground(text: str, passages: list[Passage], embed: Embed | None = None) -> Grounded:
    """Keep the sentences of ``text`` that ``passages`` back, with valid citations; drop the rest.

    ``embed`` (the advisor's embedder, texts to unit vectors) lets a paraphrase in other words pass
    on meaning; without it the word rules decide alone.
    """
    by_n = {p.n: p for p in passages}
    out = Grounded(text="")
    lines: list[str] = []
    for unit in split_units(text):
        bullet = unit.lstrip().startswith(("- ", "* ", "• "))
        body = re.sub(r"^[-*•]\s+", "", unit.strip())
        cited = list(dict.fromkeys(int(n) for n in CITATION.findall(body) if int(n) in by_n))
        plain = CITATION.sub("", body).strip().rstrip("[( ").strip()
        if len(content_words(plain)) < MIN_WORDS or plain.endswith("?"):
            # Too short to say anything, or a question echoed back: not an answer.
            out.dropped.append(plain)
            continue
        if not cited:
            best = max(passages, key=lambda p: word_support(plain, _passage_text(p)), default=None)
            if best is None or word_support(plain, _passage_text(best)) < UNCITED_SUPPORT:
                out.dropped.append(plain)
                continue
            cited = [best.n]
        evidence = Evidence([by_n[n] for n in cited])
        if not _backed(plain, evidence, embed) or fact_problem(plain, evidence):
            out.dropped.append(plain)
            continue
        marks = "".join(f" [{n}]" for n in cited)
        lines.append(("- " if bullet else "") + plain + marks)
    out.text = "\n".join(lines)
    return out


def _backed(sentence: str, evidence: Evidence, embed: Embed | None) -> bool:
    """Do the cited passages say this, in words or (with an embedder) in meaning?"""
    words = word_support(sentence, evidence.text)
    if embed is None:
        return words >= CITED_SUPPORT
    if words >= NEARLY_ALL_WORDS:
        return True
    if words < SEMANTIC_MIN_WORDS:
        return False
    meaning = semantic_support(sentence, evidence, embed)
    return meaning >= (MEANING_FLOOR if words >= CITED_SUPPORT else SEMANTIC_SUPPORT)


def semantic_support(sentence: str, evidence: Evidence, embed: Embed) -> float:
    """Highest cosine between the sentence and a sentence (or two neighbouring ones) of the evidence."""
    candidates = evidence.windows()
    if not candidates:
        return 0.0
    vectors = embed([sentence, *candidates])
    return float(np.max(vectors[1:] @ vectors[0]))


def fact_problem(sentence: str, evidence: Evidence) -> str | None:
    """None when every fact and claim check passes (advisor.grounding_facts, advisor.grounding_claims),
    else the first check's short reason."""
    for check in (*FACT_CHECKS, *CLAIM_CHECKS):
        problem = check(sentence, evidence)
        if problem:
            return problem
    return None
