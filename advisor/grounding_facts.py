"""Fact checks for grounding: is each checkable fact of a sentence in the passages it cites?

``fact_problem(sentence, Evidence(passages))`` returns None when every check passes, else a short
reason. The checks, each aimed at a way a fluent sentence goes wrong while sharing most of its words
with its passage:

- numbers: every figure, range and spelled-out count ("five") is in the evidence, and a figure
  followed by a unit ("two years", "$30 million") has that unit there too; time units ("every
  month", "quarterly") must be the evidence's; "the two firms" may stand for "both firms", and a
  fraction ("almost half", "two-thirds") for a percentage near it;
- names: every capitalised name (not sentence-initial) appears in the evidence;
- alliance types (joint venture, equity / non-equity alliance, licensing, consortium, ...) appear in
  the evidence, and beside the sentence's names the type the evidence gives there;
- roles: two names are not swapped around the words that relate them ("Tesla invested in
  Panasonic" against "Panasonic invested in Tesla"), nor around "instead of" / "rather than"; a
  thing of one name is not given to another ("in Spotify stores" for "in Starbucks stores"); and the
  evidence sentence that says the claim is not about another name, type or key term;
- hedges: "always", "only", "mainly", superlatives and the like, and a negation, match the evidence,
  and a quantifier ("most", "usually") is said of the alliance type the evidence says it of; a
  comparison ("more formal than") is made by one evidence sentence;
- no new phrase: three content words in a row that the evidence never uses are a claim of their own,
  and two of them where the closest evidence sentence has its key term replace that term.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from functools import cached_property

from advisor.answer import Passage
from advisor.text import STOP_WORDS, content_words, stem

_NUMBER = re.compile(r"\$?\d[\d,.]*(?:[-–]\d[\d,.]*)?%?")
_NUMBER_WORDS = {
    w: str(n)
    for n, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen twenty".split()
    )
    if n >= 2  # "one" is as often a pronoun as a count
} | {"thirty": "30", "forty": "40", "fifty": "50", "hundred": "100", "dozen": "12", "half": "half"}
_UNITS = {
    "year": "year",
    "years": "year",
    "annual": "year",
    "annually": "year",
    "yearly": "year",
    "quarter": "quarter",
    "quarters": "quarter",
    "quarterly": "quarter",
    "month": "month",
    "months": "month",
    "monthly": "month",
    "week": "week",
    "weeks": "week",
    "weekly": "week",
    "day": "day",
    "days": "day",
    "daily": "day",
    "billion": "billion",
    "million": "million",
    "percent": "percent",
    "times": "times",
}
_TIME_UNITS = {"year", "quarter", "month", "week"}
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-zA-Z&]+(?:\s+(?:&\s+)?[A-Z][a-zA-Z&]+)*")
COMMON_WORDS = frozenset(
    "I A The This That These Those It Its In On At By As To For From With And Or But If When What How Why "
    "Who Which Where Each Both Their They We You Our Not No So Once After Before Unlike While Example "
    "Partners Partner".split()
)
TYPES = {
    "joint venture": r"joint[- ]ventures?",
    "non-equity alliance": r"non-equity (?:strategic )?(?:alliances?|partnerships?)",
    "equity alliance": r"(?<!non-)equity (?:strategic )?(?:alliances?|partnerships?)",
    "licensing": r"licens(?:ing|es?)\b",
    "consortium": r"(?:R&D )?consorti(?:um|a)",
    "co-marketing": r"co-(?:marketing|branding)",
    "strategic investment": r"strategic investments?",
    "complementary services": r"complementary services?",
    "supply chain": r"supply[- ]chain|channel partnerships?",
    "merger": r"mergers?\b|acquisitions?\b|\bM&A\b",
    "public-private partnership": r"public-private",
    "commercial partnership": r"commercial partnerships?",
    "technological partnership": r"technolog(?:y|ical) partnerships?",
    "coopetition": r"coopetition",
}
TYPE_PATTERNS = {name: re.compile(pattern, re.I) for name, pattern in TYPES.items()}
_HEDGES = frozenset(
    "always never all every only must mainly mostly primarily chiefly solely already invariably "
    "guarantee guarantees guaranteed certainly usually typically "
    # superlatives: "the best partner", "the biggest cause"
    "best worst biggest largest greatest highest lowest fastest strongest weakest easiest hardest "
    "cheapest smallest least".split()
)
# Hedges that say how much of something a claim holds for: where the evidence has one, it must be
# said of what the sentence says it of ("most alliances are joint ventures" against "most alliances
# are non-equity alliances").
_QUANTIFIERS = frozenset(
    "always never all every only mainly mostly primarily usually typically most majority".split()
)
NEGATION = re.compile(
    r"\b(?:not|no(?!-)|never|nor|neither|cannot)\b|n't\b", re.I
)  # "no-fault" is no negation
SOFT_NEGATION = re.compile(r"\b(?:rather than|instead|unlike|less|without|beyond|more than|but)\b", re.I)
CLAUSE = re.compile(r"[,;:—()]|\b(?:while|whereas|but)\b")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9“\"(*])")
_BULLET = re.compile(r"^(?:[-*•]|\d+[.)])\s+")
_LABELLED = re.compile(r"^(?:example|practical tip|outcomes)\b")  # lead-ins, not terms
_LABEL = re.compile(r"^(?:\*\*[^*]+\*\*|#+ .+|[A-Z][^.!?]{0,60}:)$")


def fold(text: str) -> str:
    """Lower case without accents, so "Nestle" finds "Nestlé"."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


class Evidence:
    """The passages a sentence cites, as text and as sentences."""

    def __init__(self, passages: list[Passage]) -> None:
        self.passages = passages
        self.text = " ".join(p.text + " " + p.section for p in passages)
        self.folded = fold(self.text)

    @cached_property
    def sentences(self) -> list[str]:
        """Sentences of the passages; a label line ("**Activate**") stays with the line it heads."""
        out: list[str] = []
        for passage in self.passages:
            label = ""
            for line in passage.text.splitlines():
                line = (
                    line.strip().lstrip("-*•| ").strip()
                    if not line.strip().startswith("**")
                    else line.strip()
                )
                if not line:
                    continue
                if _LABEL.match(line):
                    label = (label + " " + line).strip()
                    continue
                pieces = [s for s in _SENTENCE.split(line) if s.strip()]
                if label and pieces:
                    pieces[0] = f"{label} {pieces[0]}"
                    label = ""
                out.extend(pieces)
            if label:
                out.append(label)
        return out

    @cached_property
    def blocks(self) -> list[list[str]]:
        """The sentences of each bullet and of each labelled subsection ("**Activate**" to the next)."""
        return self._grouped(bullets_apart=True)

    @cached_property
    def sections(self) -> list[list[str]]:
        """The sentences under each label or subsection heading, bullets included."""
        return self._grouped(bullets_apart=False)

    def _grouped(self, bullets_apart: bool) -> list[list[str]]:
        out: list[list[str]] = []
        for passage in self.passages:
            current: list[str] = []
            for line in passage.text.splitlines():
                stripped = line.strip()
                if _BULLET.match(stripped):
                    if bullets_apart:
                        out.append(_split_sentences(stripped))
                        continue
                    stripped = _BULLET.sub("", stripped)
                if _LABEL.match(stripped) and current:
                    out.append(current)
                    current = []
                current.extend(_split_sentences(stripped))
            if current:
                out.append(current)
        return out

    def beside(self, name: str, heads: bool = True) -> str:
        """Where a name's description lies: the sentences naming it, the one after each (which
        often goes on about it), and (with ``heads``) the first sentence of their bullet or subsection."""
        near: list[str] = []
        for block in self.blocks:
            for i, sentence in enumerate(block):
                if name in fold(sentence):
                    near.extend([*block[:1]] * heads + block[i : i + 2])
        return " ".join(dict.fromkeys(near))

    def head(self, sentence: str) -> str:
        """What a sentence of the evidence is about: the label and first sentence of its bullet or
        subsection ("### Strategy drift" and "With strategy drift, ..." for "The countermeasure is ...").
        A paragraph without a label is headed by its first sentence alone: the second is no heading
        ("Non-equity alliances pool resources. They are less formal than joint ventures.")."""
        for block in self.blocks:
            if any(s.strip() and (s in sentence or sentence in s) for s in block):
                labelled = _LABEL.match(block[0].strip()) or len(block[0].split()) <= 6
                return " ".join(block[: 2 if labelled else 1])
        return ""

    @cached_property
    def key_terms(self) -> set[str]:
        """The passages' own bold terms ("**strategy drift**", "**Tier-two**") and subsection headings
        ("**5. Lack of reciprocity**" as the chunker writes them), figures left out."""
        terms = set()
        text = " ".join(p.text for p in self.passages)
        spans = re.findall(r"\*\*([^*]+)\*\*", text) + re.findall(r"^#{3,}\s+(.+)$", text, re.M)
        for span in spans:
            term = re.sub(r"^\d+[.)]\s*", "", plain_text(span).strip(" .:;,"))  # "7. Internal ..."
            if term and not re.search(r"\d", term) and not _LABELLED.match(term) and len(term) > 3:
                terms.add(term)
        return terms

    def terms_in(self, text: str) -> list[str]:
        plain = plain_text(text)
        return [t for t in sorted(self.key_terms) if re.search(rf"\b{re.escape(t)}\b", plain)]

    def windows(self) -> list[str]:
        """Each sentence and each pair of neighbouring sentences."""
        s = self.sentences
        return s + [f"{a} {b}" for a, b in itertools.pairwise(s)]


def roots(text: str) -> list[str]:
    """Content words with the stemmer's loose ends tied ("company" and "companies" both "compan")."""
    return [w[:-1] if len(w) > 4 and w.endswith("y") else w for w in content_words(text)]


def plain_text(text: str) -> str:
    """Folded, without parentheses, quotes or emphasis: how key terms are compared."""
    return " ".join(fold(re.sub(r"\(.*?\)|[\"“”*]", " ", text)).split())


def _split_sentences(line: str) -> list[str]:
    return [s for s in _SENTENCE.split(line) if s.strip()]


def _has_number(value: str, folded: str) -> bool:
    return re.search(rf"(?<![\d.]){re.escape(value)}(?![\d]|[.,]\d)", folded) is not None


def _number_tokens(folded: str) -> list[tuple[str, str | None, str]]:
    """(value, unit, next word) for every figure and spelled-out count; the unit is the next word
    when it is one ("two years"), the next word is what is counted ("seven signs")."""
    out: list[tuple[str, str | None, str]] = []
    words = re.findall(r"\$?\d[\d,.]*(?:[-–]\d[\d,.]*)?%?|[a-z]+", folded)
    for i, word in enumerate(words):
        value = _NUMBER_WORDS.get(word)
        if value is None and word[0] in "$0123456789":
            value = word.strip("$%.,").replace("–", "-")
        if not value:
            continue
        following = words[i + 1] if i + 1 < len(words) else ""
        counted = stem(following) if following.isalpha() and following not in STOP_WORDS else ""
        out.append((value, _UNITS.get(following), counted))
    return out


_FRACTION = re.compile(r"\b(?:(two)[- ]thirds?|(?:one|a)[- ]third|(three)[- ]quarters|half)\b")
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)(?:[-–](\d+(?:\.\d+)?))?\s*(?:%|percent)")


def _fractions(folded: str, evidence: Evidence) -> tuple[str, str | None]:
    """The sentence without its fractions ("almost half", "two-thirds"), and the first one the
    evidence's percentages do not come near (45 percent is about half; 60-70 percent two-thirds)."""
    for match in _FRACTION.finditer(folded):
        share = (
            200 / 3 if match.group(1) else 75 if match.group(2) else 100 / 3 if "third" in match[0] else 50
        )
        given = [(float(lo), float(hi or lo)) for lo, hi in _PERCENT.findall(evidence.folded)]
        if not any(lo - 8 <= share <= hi + 8 for lo, hi in given) and match[0] not in evidence.folded:
            return folded, match[0]
    return _FRACTION.sub(" ", folded), None


def _numbers(sentence: str, evidence: Evidence) -> str | None:
    folded, fraction = _fractions(fold(sentence), evidence)
    if fraction:
        return f"fraction {fraction}"
    said = _number_tokens(folded)
    given = _number_tokens(evidence.folded)
    given_values = {v for v, _, _ in given}
    both = {stem(w) for w in re.findall(r"\bboth (?:the |of the )?([a-z]+)", evidence.folded)}
    for value, unit, counted in said:
        if value == "2" and not unit and counted in both:
            continue  # "the two companies" for "both companies"
        if value not in given_values and not _has_number(value, evidence.folded):
            return f"number {value}"
        if unit and (value, unit) not in {(v, u) for v, u, _ in given}:
            return f"number {value} {unit}"
        counts = {v for v, _, c in given if counted and c == counted}
        if counts and value not in counts:
            return f"{value} {counted}, not {'/'.join(sorted(counts))}"
    for word in re.findall(r"[a-z]+", fold(sentence)):
        unit = _UNITS.get(word)
        if unit in _TIME_UNITS and not any(
            _UNITS.get(w) == unit for w in re.findall(r"[a-z]+", evidence.folded)
        ):
            return f"time unit {word}"
    return None


def names(sentence: str, evidence: Evidence | None = None) -> list[str]:
    """Capitalised names in a sentence, not the commonest capitalised words.

    The capitalised run that opens the sentence may be an ordinary word; given the evidence, it counts
    when the evidence has it, and a run of two words or more counts (less a first word the evidence
    writes in lower case) even when the evidence lacks it ("Microsoft Best Buy sells ...")."""
    found = [n for n in _NAME.findall(sentence) if not (len(n.split()) == 1 and n in COMMON_WORDS)]
    first = re.match(r"\s*([A-Z][a-zA-Z&]+(?:\s+(?:&\s+)?[A-Z][a-zA-Z&]+)*)", sentence)
    if evidence is None or not first:
        return found
    run = first.group(1)
    paired = re.match(r"\s*(?:'s|’s|,\s*[A-Z]|(?:and|&)\s+[A-Z])", sentence[first.end() :])
    # a name when the evidence writes it mid-sentence too, or when it stands beside another name
    # ("Google and OpenAI ...", "Google's ...")
    in_evidence = re.search(rf"(?<![.!?])\s+{re.escape(run)}\b", evidence.text)
    if run not in COMMON_WORDS and (in_evidence or paired):
        found.insert(0, run)
    elif len(run.split()) > 1:
        head, rest = run.split(maxsplit=1)
        common = head in COMMON_WORDS or re.search(rf"\b{head.lower()}\b", evidence.text)
        found.insert(0, rest if common else run)
    return found


def _names(sentence: str, evidence: Evidence) -> str | None:
    for name in names(sentence, evidence):
        if fold(name) not in evidence.folded:
            return f"name {name}"
    return None


def types_in(text: str) -> set[str]:
    return {name for name, pattern in TYPE_PATTERNS.items() if pattern.search(text)}


def _types(sentence: str, evidence: Evidence) -> str | None:
    said = types_in(sentence)
    if not said:
        return None
    if said - types_in(evidence.text):
        return f"type {', '.join(sorted(said - types_in(evidence.text)))}"
    untyped = sentence
    for pattern in TYPE_PATTERNS.values():
        untyped = pattern.sub(" ", untyped)  # "R&D" of "R&D consortium" is not a name
    named = [fold(n) for n in names(untyped, evidence) if fold(n) in evidence.folded]
    if not named:
        return None
    # the types the evidence gives beside the names themselves; only when it gives none there, the
    # types of their subsection and section headings
    near = types_in(" ".join(evidence.beside(n, heads=False) for n in named))
    if not near:
        headings = " ".join(p.section for p in evidence.passages)
        near = types_in(headings + " " + " ".join(evidence.beside(n) for n in named))
    missing = said - near
    return f"type {', '.join(sorted(missing))} not beside {named[0]}" if missing else None


def _hedges(sentence: str, evidence: Evidence) -> str | None:
    given = set(re.findall(r"[a-z]+", evidence.folded))
    folded = fold(sentence)
    negated = [m.end() for m in NEGATION.finditer(folded)]
    for match in re.finditer(r"[a-z]+", folded):
        word = match[0]
        if word not in _HEDGES and word not in _QUANTIFIERS:
            continue
        after = folded[match.end() :].split()
        if word in ("all", "every", "both") and after and after[0] in _NUMBER_WORDS:
            continue  # "all three partnerships": a count, not a claim about every case
        clause = CLAUSE.split(folded[: match.start()])[-1]
        if any(NEGATION.search(clause) for _ in negated):
            continue  # "no single company carries all the cost" claims less, not more
        if word not in given and word in _HEDGES:
            return f"hedge {word}"
        if word in _QUANTIFIERS and _hedge_elsewhere(word, sentence, evidence):
            return f"hedge {word} said of something else"
    return None


def _hedge_elsewhere(word: str, sentence: str, evidence: Evidence) -> bool:
    """The evidence says ``word`` only in sentences about none of the sentence's types."""
    said = types_in(sentence)
    if not said:
        return False
    with_word = [s for s in evidence.sentences if re.search(rf"\b{word}\b", fold(s))]
    return bool(with_word) and not any(said & types_in(s) for s in with_word)


# The checks of this module, in the order they run (advisor.grounding.fact_problem runs them all).
FACT_CHECKS = (_numbers, _names, _types, _hedges)
