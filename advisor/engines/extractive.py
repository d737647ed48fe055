"""The extractive engine: a readable answer made only of retrieved sentences, each with its citation.

The best-ranked passage carries the answer: its most relevant sentence leads, and the rest of it
follows as points in reading order (list introductions keep their items; runs of short items are
joined into one line). Sentences from the next passages are added when they match the question
well and say something new. Scores are overlap with the question (rarer words count more), the
passage's rank and the sentence's place. No language model: deterministic, fast, and grounded by
construction.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator

from advisor.answer import Passage
from advisor.engines import EngineRequest
from advisor.registry import Register
from advisor.sessions import Turn
from advisor.text import content_words
from advisor.units import UNIT_LABEL, Unit, passage_units, sentences_of

MIN_OVERLAP = 2.0  # an extra point must share at least one fairly rare word with the question
SECOND_PART_UNITS = 3
SHORT_WORDS = 110  # the default answer's length in words (the long form is one step away)
SHORT_POINTS = 4  # supporting points after the lead
SHORT_PASSAGES = 4  # passages the short form draws from
LEAD_PASSAGES = 2  # passages the lead sentence may come from
SECTION_BONUS = 1.5  # score a point gains for coming from the lead's own section
GENERIC_STEMS = {"allianc", "partner", "partnership", "strategic", "company", "firm"}
HEADING_BONUS = (
    3.0  # a sentence from the section whose heading names what is asked (all of a definition's term)
)
HEAD_BONUS = 1.0  # a multi-part lead candidate from its part's own best passage
# Words that mark a sentence as the kind of answer a question form asks for.
_CUES = {
    "why": re.compile(
        r"\b(because|causes?|caused|reasons?|due\s+to|attributable|fail\w*|leads?\s+to)\b", re.I
    ),
    "superlative": re.compile(r"\b(most|least|biggest|largest|main|primary|top|common|percent|\d)", re.I),
    "definition": re.compile(r"\b(is|are|means|refers\s+to|defined\s+as)\s+(an?|the|when|two|one)\b", re.I),
    "example": re.compile(
        r"\b(example|for\s+instance|such\s+as|[A-Z][a-z]+\s+(and|with)\s+[A-Z][a-z]+)", re.I
    ),
    "decision": re.compile(r"\b(when|if|signs?|time\s+to|should|consider|worth)\b", re.I),
    "howto": re.compile(
        r"\b(by|through|start|use|set\s+up|build|hold|run|review|agree|define|create)\b", re.I
    ),
    "situation": re.compile(r"\b(should|need|must|consider|review|raise|agree|escalat\w+|re-?\w+)\b", re.I),
}
# What a question asks for in so many words, and the sentences that give it, beyond their meaning:
# what something should contain ("what should our due diligence cover?", "what goes in it?") is said by
# the sentence that enumerates it ("... evaluate four things: financial statements ...; organisational
# turnover; ..."), not by the one that repeats its words; a number or evidence ("is there a number?",
# "do we have any evidence?") by the sentence with a figure or a study in it; a person ("who should
# step in?") by the sentence that names a role.
_ASKED = (
    (
        re.compile(
            r"\b(cover|covers|include|includes|contain|consist\w*|go(es)?\s+in(to)?|made\s+of|"
            r"pin\s+down|spell\s+out|settle|look\s+at)\b",
            re.I,
        ),
        re.compile(r":\s+[^:]+[;,][^:]+\b(and|or)\b|:\s+[^:]*;", re.I),
    ),
    (
        re.compile(
            r"\b(stats?|statistics?|evidence|research|stud(y|ies)|proof|percentages?|(success|failure)\s+rates?|"
            r"how\s+(often|common|likely)|(is\s+there|any|got|have|know|what['’]?s\s+the)\s+(an?\s+|the\s+|"
            r"any\s+|some\s+)?(number|figure|data)s?)\b",
            re.I,
        ),
        # a finding, not any number ("the $500 billion Stargate venture" is no evidence)
        re.compile(
            r"\d\s*(%|percent\b)|\btimes\s+(more|less)\b|\b(according\s+to|research|survey|study|studies|"
            r"has\s+tracked|found\s+that)\b",
            re.I,
        ),
    ),
    (
        re.compile(
            r"^\W*(and\s+|so\s+|ok\.?\s+|but\s+)?who\b|\bwho\s+(should|would|will|can|must|needs?\s+to)\b",
            re.I,
        ),
        re.compile(
            r"\b(ceos?|c-level|c-suite|executives?|senior\s+(leaders?|managers?)|leaders?|managers?|sponsors?|"
            r"champions?|board|chair\w*)\b",
            re.I,
        ),
    ),
)
ASKED_BONUS = 2.5
_DANGLING = re.compile(
    r"^(it|its|this|that|these|those|they|them|their|such|both|each|either|neither|the latter|the former)\b",
    re.I,
)


class ExtractiveEngine:
    name = "extractive"
    uses_llm = False

    def __init__(self, max_chars: int = 1800, extra_points: int = 4, passages: int = 5) -> None:
        self.max_chars = max_chars
        self.extra_points = extra_points
        self.passages = passages

    def condense(self, question: str, history: list[Turn]) -> str | None:
        return None

    def answer(self, request: EngineRequest) -> Iterator[str]:
        passages = request.passages[: self.passages]
        if not passages:
            return
        # The top-ranked passage leads, with any retrieved neighbour from its section, in reading order.
        top = passages[0]
        group = sorted((p for p in passages if _same_section(p, top)), key=_order)
        main_ranks = {passages.index(p) for p in group}
        units = [u for p in group for u in passage_units(p, 0)]
        units += [
            u for rank, p in enumerate(passages) if rank not in main_ranks for u in passage_units(p, rank)
        ]
        if not units:
            return
        self._score(units, request.query)
        if request.detail != "long":
            yield from self._short(request, units)
            return
        main = [u for u in units if u.rank == 0] or units
        lead = self._lead(main)
        chosen = self._points(units, main, lead, self._second_parts(request, units, main_ranks))
        yield f"{lead.text} [{lead.n}]"
        for unit in chosen:
            yield f"\n- {unit.text} [{unit.n}]"

    def _short(self, request: EngineRequest, units: list[Unit]) -> Iterator[str]:
        """The point first, then up to ``SHORT_POINTS`` supporting points, about ``SHORT_WORDS`` words."""
        units = [piece for u in units for piece in sentences_of(u)]
        self._score(units, request.query)
        prose = [u for u in units if not u.is_intro and u.rank < SHORT_PASSAGES] or units
        cosines = request.similarity([u.text for u in prose]) if request.similarity else None
        if cosines is not None:
            for unit, cosine in zip(prose, cosines, strict=True):
                unit.score = float(cosine) * 10 + unit.overlap * 0.3 + 1.0 / (1 + unit.rank)
        gives = [says for asks, says in _ASKED if asks.search(request.question)]
        for unit in prose:
            unit.score += _fit(unit, request.form)
            if any(says.search(unit.text) for says in gives):
                unit.score += ASKED_BONUS
        # The section whose heading names what is asked says it: "What is a non-equity alliance?" is
        # defined under "Non-equity strategic alliances", not in the examples section that mentions
        # it among others; in a scraped article, "Cultural Similarity: The Glue ..." answers what
        # cultural similarity means better than the article's introduction does.
        asked = _stems(request.query) - GENERIC_STEMS
        headings = {p.n: _stems(p.section.split(" > ")[0]) for p in request.passages}
        for unit in prose:
            covered = asked & headings.get(unit.n, set())
            whole_term = request.form == "definition" and bool(asked) and covered == asked
            # ...and so does a paragraph labelled with the whole term ("**Collaborative inertia.** ...")
            label = UNIT_LABEL.match(unit.text)
            labelled = request.form == "definition" and bool(asked) and label is not None
            names_it = labelled and asked <= _stems(label.group(1) if label else "")
            if whole_term or names_it or (len(covered) >= 2 and len(covered) * 2 >= len(asked)):
                unit.score += HEADING_BONUS
        leads = (
            self._part_leads(request, prose) if len(request.parts) > 1 else self._head_leads(request, prose)
        )
        # The lead comes from the best passages: a lower-ranked passage's sentence may match the
        # question's words and still answer another question.
        top = [u for u in prose if u.rank < LEAD_PASSAGES] or prose
        lead = leads[0] if len(leads) > 1 else max(top, key=lambda u: u.score)
        chosen: list[Unit] = [lead, *[u for u in leads[1:] if u is not lead]]
        words = _words(lead.text) + sum(_words(u.text) for u in chosen[1:])
        # The points that follow stay with what the lead answers: the lead's own section (and each
        # part's, for a multi-part question) says the rest of it; other sections come after.
        sections = {p.n: _section_key(p) for p in request.passages}
        focus = {sections.get(u.n) for u in chosen}
        for unit in prose:
            if sections.get(unit.n) in focus:
                unit.score += SECTION_BONUS
        for unit in sorted(prose, key=lambda u: -u.score):
            if len(chosen) > SHORT_POINTS or words >= SHORT_WORDS:
                break
            if unit in chosen or any(_similar(unit, o) for o in chosen):
                continue
            if words + _words(unit.text) > SHORT_WORDS + 15:
                continue
            chosen.append(unit)
            words += _words(unit.text)
        opening = len(leads) if len(request.parts) > 1 else 1  # each part's answer, in one paragraph
        yield " ".join(f"{u.text} [{u.n}]" for u in chosen[:opening])
        for unit in chosen[opening:]:
            yield f"\n- {unit.text} [{unit.n}]"

    @staticmethod
    def _head_leads(request: EngineRequest, prose: list[Unit]) -> list[Unit]:
        """Each head passage's best unit (a multi-part question whose parts the request lacks)."""
        leads: list[Unit] = []
        for head in [h for h in request.heads if h < SHORT_PASSAGES]:
            part = [u for u in prose if u.rank == head]
            if part:
                leads.append(max(part, key=lambda u: u.score))
        return leads

    @staticmethod
    def _part_leads(request: EngineRequest, prose: list[Unit]) -> list[Unit]:
        """The direct answer to each part of a multi-part question, in the order asked: the unit
        closest in meaning to that part alone (and of the kind its form asks for), each a different
        one. Scored against the whole question, a sentence touching both parts won both leads."""
        aligned = len(request.heads) == len(request.parts)  # else two parts shared a best passage
        leads: list[Unit] = []
        for i, part in enumerate(request.parts):
            heads = {request.heads[i]} if aligned else set(request.heads)
            pool = [u for u in prose if u not in leads and not any(_similar(u, o) for o in leads)]
            if not pool:
                break
            overlaps = _overlaps(pool, part.text)
            cosines = part.similarity([u.text for u in pool]) if part.similarity else None
            scores = [
                (float(cosines[j]) * 10 if cosines is not None else 0.0)
                + overlaps[j] * 0.3
                + 1.0 / (1 + u.rank)
                + (HEAD_BONUS if u.rank in heads else 0.0)
                + _fit(u, part.form)
                for j, u in enumerate(pool)
            ]
            leads.append(pool[max(range(len(pool)), key=scores.__getitem__)])
        return leads

    @staticmethod
    def _lead(main: list[Unit]) -> Unit:
        """The passage's opening sentence, unless a later one answers the question much better."""
        prose = [u for u in main if not u.is_intro] or main
        first, best = prose[0], max(prose, key=lambda u: u.score)
        return best if best.score - first.score > 1.5 else first

    @staticmethod
    def _score(units: list[Unit], query: str) -> None:
        doc_freq: Counter[str] = Counter()
        for unit in units:
            doc_freq.update(unit.words)
        query_words = set(content_words(query))
        total = len(units)
        for unit in units:
            unit.overlap = sum(math.log(1 + total / doc_freq[w]) for w in query_words & unit.words)
            unit.score = unit.overlap + 2.0 / (1 + unit.rank) + 0.5 / (1 + unit.position)

    @staticmethod
    def _second_parts(request: EngineRequest, units: list[Unit], main_ranks: set[int]) -> list[Unit]:
        """For a multi-part question, the opening of each later part's best passage, in reading order."""
        out: list[Unit] = []
        for head in request.heads[1:]:
            if head in main_ranks:
                continue
            out.extend([u for u in units if u.rank == head][:SECOND_PART_UNITS])
        return out

    def _points(self, units: list[Unit], main: list[Unit], lead: Unit, second: list[Unit]) -> list[Unit]:
        budget = self.max_chars - len(lead.text)
        chosen: list[Unit] = []
        reserve = sum(len(u.text) + 6 for u in second)
        for unit in main:  # the lead's passage, in reading order
            if unit is lead or len(unit.text) + 6 > budget - reserve:
                continue
            chosen.append(unit)
            budget -= len(unit.text) + 6
        while chosen and chosen[-1].is_intro:  # an introduction whose items did not fit
            budget += len(chosen.pop().text) + 6
        for unit in second:
            if len(unit.text) + 6 <= budget:
                chosen.append(unit)
                budget -= len(unit.text) + 6
        # Then the best point of each next-ranked passage that matches the question: when the top
        # passage is not the whole answer (multi-part and paraphrased questions), this is where the
        # rest of it usually is.
        added = 0
        for rank in sorted({u.rank for u in units if u.rank > 0}):
            if added >= self.extra_points:
                break
            candidates = [u for u in units if u.rank == rank and not u.is_intro and u.overlap >= MIN_OVERLAP]
            for unit in sorted(candidates, key=lambda u: -u.score):
                if len(unit.text) + 6 > budget or any(_similar(unit, o) for o in [lead, *chosen]):
                    continue
                chosen.append(unit)
                budget -= len(unit.text) + 6
                added += 1
                break
        return chosen


def _fit(unit: Unit, form: str) -> float:
    """How well a unit reads as the opening answer to a question of this form, beyond its meaning."""
    score = 0.0
    if _DANGLING.match(unit.text) and unit.position > 0:
        score -= 1.0
    if unit.text[:1].islower():  # a fragment of a sentence split elsewhere: never the lead
        score -= 3.0
    cue = _CUES.get(form)
    if cue is not None and cue.search(unit.text):
        score += 1.5
    return score


def _stems(text: str) -> set[str]:
    """Content words with plural and final-e endings cut ("alliances", "alliance" -> "allianc")."""
    return {re.sub(r"(es|s|e)$", "", w) for w in content_words(text)}


def _overlaps(units: list[Unit], query: str) -> list[float]:
    """Each unit's idf-weighted word overlap with the query (idf over these units)."""
    doc_freq: Counter[str] = Counter()
    for unit in units:
        doc_freq.update(unit.words)
    words = set(content_words(query))
    total = len(units)
    return [sum(math.log(1 + total / doc_freq[w]) for w in words & u.words) for u in units]


def _section_key(p: Passage) -> tuple[str, str]:
    return p.source, p.section.split(" > ")[0]


def _same_section(a: Passage, b: Passage) -> bool:
    return a.source == b.source and a.section == b.section


def _order(p: Passage) -> int:
    return int(p.metadata.get("chunk_index", 0))


def _words(text: str) -> int:
    return len(text.split())


def _similar(a: Unit, b: Unit) -> bool:
    if not a.words or not b.words:
        return False
    return len(a.words & b.words) / min(len(a.words), len(b.words)) > 0.7


def register_engines(register: Register) -> None:
    register("extractive", lambda settings: ExtractiveEngine())
