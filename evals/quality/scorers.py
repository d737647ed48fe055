"""Small deterministic scorers: each takes plain data (an Answer, a ranking, a list of facts) and
returns a number, a flag or ``None`` (not applicable). evals/README.md explains each metric.

Retrieval: ``hit_at_k``, ``reciprocal_rank``, ``ndcg_at_k`` over a ranking of (source, section) pairs.
Answers: ``key_fact_recall``, ``lead_hit``, ``answer_words``, ``citation_valid``,
``citation_correct``, ``grounded_facts``, ``sentence_support``.
Sets of items: ``refusal_scores``, ``percentiles``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence

import numpy as np

from advisor.answer import Answer

Ranked = tuple[str, set[str]]  # (source document, top-level section headings the passage belongs to)

CITATION = re.compile(r"\[(\d+)\]")
_NUMBER = re.compile(r"\d[\d,.]*%?")
_NAME = re.compile(r"\b[A-Z][a-zA-Z&]+(?:[ -][A-Z][a-zA-Z&]+)*")
_SENTENCE = re.compile(r"(?<=[.!?])(?:\s*\[\d+\])*\s+(?=[A-Z\"“(])")
_TRANSLATE = str.maketrans(
    {
        "‐": "-",
        "‑": "-",
        "–": "-",
        "—": "-",
        "‘": "'",
        "’": "'",
        "“": '"',
        "”": '"',
        "\u00a0": " ",
        "*": None,
        "`": None,
    }
)


_JOINED = re.compile(r"(?<=\w)-(?=\w)")  # "cash-flow", "joint-IP": the same words as "cash flow"


def normalize(text: str) -> str:
    """Lower case, Markdown emphasis removed, dash and quote variants unified, a hyphen between two
    words read as a space ("cash-flow health" states "cash flow"), whitespace collapsed."""
    return " ".join(_JOINED.sub(" ", text.translate(_TRANSLATE)).lower().split())


def top_section(section: str) -> str:
    """A chunk's section metadata is an "H2 > H3" path; gold items name the H2."""
    return section.split(" > ")[0].strip()


# -- retrieval ----------------------------------------------------------------------------------------


def relevant(ranked: Ranked, expected: Iterable[tuple[str, str]]) -> bool:
    source, sections = ranked
    return any(source == exp_source and exp_section in sections for exp_source, exp_section in expected)


def hit_at_k(ranking: Sequence[Ranked], expected: Sequence[tuple[str, str]], k: int) -> float:
    return 1.0 if any(relevant(r, expected) for r in ranking[:k]) else 0.0


def reciprocal_rank(ranking: Sequence[Ranked], expected: Sequence[tuple[str, str]]) -> float:
    for rank, item in enumerate(ranking, 1):
        if relevant(item, expected):
            return 1.0 / rank
    return 0.0


def ndcg_at_k(
    ranking: Sequence[Ranked], expected: Sequence[tuple[str, str]], k: int = 10, n_relevant: int | None = None
) -> float:
    """Binary-relevance nDCG; the ideal ranking puts all ``n_relevant`` passages of the index first."""
    gains = [1.0 if relevant(r, expected) else 0.0 for r in ranking[:k]]
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
    ideal_n = min(k, n_relevant if n_relevant is not None else int(sum(gains)))
    idcg = sum(1.0 / math.log2(i + 2) for i in range(ideal_n))
    return dcg / idcg if idcg else 0.0


# -- answers -----------------------------------------------------------------------------------------


def key_fact_recall(text: str, facts: Sequence[Sequence[str]]) -> tuple[float, list[list[str]]]:
    """Share of facts stated in the text (any accepted phrasing), and the facts that were missed."""
    if not facts:
        return 1.0, []
    body = normalize(text)
    missing = [list(f) for f in facts if not any(normalize(p) in body for p in f)]
    return (len(facts) - len(missing)) / len(facts), missing


def citations(text: str) -> list[int]:
    return [int(n) for n in CITATION.findall(text)]


def citation_valid(answer: Answer) -> bool | None:
    """An answer cites at least once, every [n] is a returned source, and every source was retrieved."""
    if answer.refused or answer.kind == "chat":  # a small-talk reply uses no sources
        return None
    numbers = citations(answer.text)
    returned = {s.n for s in answer.sources}
    return (
        bool(numbers)
        and set(numbers) <= returned
        and {s.id for s in answer.sources} <= set(answer.retrieved_ids)
    )


def citation_correct(answer: Answer, expected_sources: set[str]) -> bool | None:
    """Among the cited sources is one of the documents the gold item expects."""
    if answer.refused or not expected_sources:
        return None
    return any(s.source in expected_sources for s in answer.sources)


_TABLE_RULE = re.compile(r"^\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?$")


def sentences(text: str) -> list[tuple[str, list[int]]]:
    """The answer's sentences and bullet lines, each with its own citation numbers, citations removed.
    A Markdown table row is one sentence (its cells joined); the rule under the header is none."""
    out = []
    for line in text.split("\n"):
        line = re.sub(r"^\s*[-*•]\s+", "", line).strip()
        if line.startswith("|"):
            if not _TABLE_RULE.match(line):
                row = " ; ".join(c.strip() for c in line.strip("|").split("|") if c.strip())
                out.append((CITATION.sub("", row).strip(), citations(row)))
            continue
        for piece in _SENTENCE.split(line) if line else []:
            marks = citations(piece)
            plain = CITATION.sub("", piece).strip()
            if len(plain) >= 3:
                out.append((plain, marks))
    return out


def lead_hit(text: str, facts: Sequence[Sequence[str]], lead: int = 2) -> bool | None:
    """A key fact is stated in the answer's first ``lead`` sentences (None when there are no facts)."""
    if not facts:
        return None
    opening = " ".join(plain for plain, _ in sentences(text)[:lead])
    return key_fact_recall(opening, facts)[0] > 0


_MARKUP = re.compile(r"\[\d+\]|[*_`#|>]|^\s*[-•]\s+|^\s*\d+[.)]\s+|^\s*:?-{2,}.*$", re.M)


def answer_words(text: str) -> int:
    """Words in the answer, with citations and Markdown (emphasis, bullets, headings, tables) removed."""
    return len(re.findall(r"[\w][\w'’.-]*", _MARKUP.sub(" ", text)))


def _evidence(answer: Answer, marks: list[int]) -> list[str]:
    by_n = {s.n: s.text for s in answer.sources}
    cited = [by_n[n] for n in marks if n in by_n]
    return cited or list(by_n.values())


def grounded_facts(answer: Answer) -> tuple[int, int]:
    """(supported, total) numbers and capitalised names found in the passages each sentence cites.

    A capitalised word that opens a sentence is not counted as a name.
    """
    supported = total = 0
    if answer.refused:
        return 0, 0
    for sentence, marks in sentences(answer.text):
        evidence = " ".join(_evidence(answer, marks))
        low = normalize(evidence)
        for number in _NUMBER.findall(sentence):
            total += 1
            supported += number.rstrip(".,") in evidence
        for match in _NAME.finditer(sentence):
            if match.start() == 0:
                continue
            total += 1
            supported += normalize(match.group(0)) in low
    return supported, total


def sentence_support(
    answer: Answer, embed: Callable[[list[str]], np.ndarray], threshold: float
) -> tuple[int, int]:
    """(sentences whose embedding is within ``threshold`` cosine of a passage they cite, sentences)."""
    if answer.refused:
        return 0, 0
    units = sentences(answer.text)
    if not units:
        return 0, 0
    vectors = embed([u for u, _ in units])
    above = 0
    for (_, marks), vector in zip(units, vectors, strict=True):
        evidence = _evidence(answer, marks)
        if not evidence:
            continue
        best = float(np.max(embed(evidence) @ vector))
        above += best >= threshold
    return above, len(units)


# -- sets of items -------------------------------------------------------------------------------


def refusal_scores(pairs: Iterable[tuple[bool, bool]]) -> dict[str, float | None]:
    """From (should_refuse, refused) pairs: precision and recall of refusing, and false-refusal rate."""
    pairs = list(pairs)
    tp = sum(1 for want, got in pairs if want and got)
    fp = sum(1 for want, got in pairs if not want and got)
    fn = sum(1 for want, got in pairs if want and not got)
    in_scope = sum(1 for want, _ in pairs if not want)
    return {
        "refusal_precision": tp / (tp + fp) if tp + fp else None,
        "refusal_recall": tp / (tp + fn) if tp + fn else None,
        "false_refusal_rate": fp / in_scope if in_scope else None,
    }


def percentiles(values: Sequence[float], qs: Sequence[float] = (50, 95)) -> tuple[float | None, ...]:
    if not values:
        return tuple(None for _ in qs)
    return tuple(float(v) for v in np.percentile(np.asarray(values, dtype=float), list(qs)))


def mean(values: Iterable[float | bool | None]) -> float | None:
    kept = [float(v) for v in values if v is not None]
    return sum(kept) / len(kept) if kept else None
