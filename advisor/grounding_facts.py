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
_COMMON = frozenset(
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
_TYPES = {name: re.compile(pattern, re.I) for name, pattern in TYPES.items()}
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
_NEGATION = re.compile(
    r"\b(?:not|no(?!-)|never|nor|neither|cannot)\b|n't\b", re.I
)  # "no-fault" is no negation
_SOFT_NEGATION = re.compile(r"\b(?:rather than|instead|unlike|less|without|beyond|more than|but)\b", re.I)
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
            term = re.sub(r"^\d+[.)]\s*", "", _plain(span).strip(" .:;,"))  # "7. Internal ..."
            if term and not re.search(r"\d", term) and not _LABELLED.match(term) and len(term) > 3:
                terms.add(term)
        return terms

    def terms_in(self, text: str) -> list[str]:
        plain = _plain(text)
        return [t for t in sorted(self.key_terms) if re.search(rf"\b{re.escape(t)}\b", plain)]

    def windows(self) -> list[str]:
        """Each sentence and each pair of neighbouring sentences."""
        s = self.sentences
        return s + [f"{a} {b}" for a, b in itertools.pairwise(s)]


def roots(text: str) -> list[str]:
    """Content words with the stemmer's loose ends tied ("company" and "companies" both "compan")."""
    return [w[:-1] if len(w) > 4 and w.endswith("y") else w for w in content_words(text)]


def _plain(text: str) -> str:
    """Folded, without parentheses, quotes or emphasis: how key terms are compared."""
    return " ".join(fold(re.sub(r"\(.*?\)|[\"“”*]", " ", text)).split())


def _split_sentences(line: str) -> list[str]:
    return [s for s in _SENTENCE.split(line) if s.strip()]


def fact_problem(sentence: str, evidence: Evidence) -> str | None:
    checks = (_numbers, _names, _types, _hedges, _comparison, _negation, _roles, _new_phrase, _term_replaced)
    for check in checks:
        problem = check(sentence, evidence)
        if problem:
            return problem
    return None


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
    found = [n for n in _NAME.findall(sentence) if not (len(n.split()) == 1 and n in _COMMON)]
    first = re.match(r"\s*([A-Z][a-zA-Z&]+(?:\s+(?:&\s+)?[A-Z][a-zA-Z&]+)*)", sentence)
    if evidence is None or not first:
        return found
    run = first.group(1)
    paired = re.match(r"\s*(?:'s|’s|,\s*[A-Z]|(?:and|&)\s+[A-Z])", sentence[first.end() :])
    # a name when the evidence writes it mid-sentence too, or when it stands beside another name
    # ("Google and OpenAI ...", "Google's ...")
    in_evidence = re.search(rf"(?<![.!?])\s+{re.escape(run)}\b", evidence.text)
    if run not in _COMMON and (in_evidence or paired):
        found.insert(0, run)
    elif len(run.split()) > 1:
        head, rest = run.split(maxsplit=1)
        common = head in _COMMON or re.search(rf"\b{head.lower()}\b", evidence.text)
        found.insert(0, rest if common else run)
    return found


def _names(sentence: str, evidence: Evidence) -> str | None:
    for name in names(sentence, evidence):
        if fold(name) not in evidence.folded:
            return f"name {name}"
    return None


def types_in(text: str) -> set[str]:
    return {name for name, pattern in _TYPES.items() if pattern.search(text)}


def _types(sentence: str, evidence: Evidence) -> str | None:
    said = types_in(sentence)
    if not said:
        return None
    if said - types_in(evidence.text):
        return f"type {', '.join(sorted(said - types_in(evidence.text)))}"
    untyped = sentence
    for pattern in _TYPES.values():
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
    negated = [m.end() for m in _NEGATION.finditer(folded)]
    for match in re.finditer(r"[a-z]+", folded):
        word = match[0]
        if word not in _HEDGES and word not in _QUANTIFIERS:
            continue
        after = folded[match.end() :].split()
        if word in ("all", "every", "both") and after and after[0] in _NUMBER_WORDS:
            continue  # "all three partnerships": a count, not a claim about every case
        clause = _CLAUSE.split(folded[: match.start()])[-1]
        if any(_NEGATION.search(clause) for _ in negated):
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


_COMPARATIVE = re.compile(
    r"\b(more|less|fewer|greater|higher|lower|better|worse|larger|smaller|faster|slower|cheaper|"
    r"stronger|weaker|easier|harder|riskier|safer)\s+((?:[a-z-]+\s+){0,3}?)than\b"
)


def _comparison(sentence: str, evidence: Evidence) -> str | None:
    """A comparison ("more formal than", "faster than") that no evidence sentence makes: the
    comparative, the word it compares on ("formal") and "than" must stand in one sentence."""
    for match in _COMPARATIVE.finditer(fold(sentence)):
        on = content_words(match.group(2))[:1]
        needed = {match.group(1), *on}
        if not any(
            "than" in words and needed <= words
            for words in ({*re.findall(r"[a-z]+", fold(s)), *content_words(s)} for s in evidence.sentences)
        ):
            return f"comparison {match[0]}"
    return None


_CLAUSE_END = re.compile(r"[,;:—()]|\bbut\b|\bwhile\b|\bwhereas\b|$")
_CLAUSE = re.compile(r"[,;:—()]|\b(?:while|whereas|but)\b")


_CONTRAST = re.compile(r"\b(?:instead of|rather than)\b", re.I)


def _negated(text: str, contrast: bool = False) -> list[set[str]]:
    """The content words each negation in the text governs: from "not" to the end of its clause
    (with ``contrast``, what "instead of" and "rather than" set aside too)."""
    scopes = []
    matches = list(_NEGATION.finditer(text)) + (list(_CONTRAST.finditer(text)) if contrast else [])
    for match in matches:
        tail = text[match.end() :]
        end = _CLAUSE_END.search(tail)
        words = set(content_words(tail[: end.start() if end else len(tail)]))
        if words:
            scopes.append(words)
    return scopes


def _negation(sentence: str, evidence: Evidence) -> str | None:
    """A claim the evidence denies ("X does not require Y" said as "X requires Y"), or the reverse."""
    words = set(content_words(sentence))
    negated = bool(_NEGATION.search(sentence) or _SOFT_NEGATION.search(sentence))
    for candidate in evidence.sentences:
        if negated:
            break
        for scope in _negated(candidate, contrast=True):
            if len(scope & words) / len(scope) >= 0.5 and len(
                words & set(content_words(candidate))
            ) >= 0.5 * len(words):
                return "negation dropped"
    for scope in _negated(sentence):
        backing = [c for c in evidence.sentences if len(scope & set(content_words(c))) / len(scope) >= 0.5]
        denied = [c for c in backing if _SOFT_NEGATION.search(c) or any(scope & n for n in _negated(c))]
        if backing and not denied:
            return "negation added"
    return None


def _roles(sentence: str, evidence: Evidence) -> str | None:
    return (
        _swapped_contrast(sentence, evidence)
        or _swapped_owner(sentence, evidence)
        or _swapped_pair(sentence, evidence)
        or _claim_of_another(sentence, evidence)
        or _terms_apart(sentence, evidence)
    )


_OWNED = (
    r"\b(?:in|on|at|of|the|into|with|from|for|to)\s+({name})\s+([a-z][a-z-]+)"  # "in Starbucks stores"
    r"|({name})(?:'s|’s|')\s+([a-z][a-z-]+)"  # "Tesla's approach"
)


# what every partner of a partnership has a part in: no owner to swap
_SHARED = frozenset(
    "partnership partnerships partner partners alliance alliances relationship deal example case "
    "story".split()
)


def _owners(text: str, name: str = r"[A-Z][\w&]*") -> dict[str, set[str]]:
    """thing -> the names that own it in the text: "in Starbucks stores", "Tesla's approach"."""
    out: dict[str, set[str]] = {}
    for match in re.finditer(_OWNED.format(name=name), text):
        owner, thing = (
            (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
        )
        if thing not in STOP_WORDS | _SHARED and owner.split()[-1] not in _COMMON:
            out.setdefault(stem(thing), set()).add(fold(owner.split()[-1]))
    return out


def _swapped_owner(sentence: str, evidence: Evidence) -> str | None:
    """A thing the evidence gives one name said to be another's ("music curation in Spotify stores"
    where the stores are Starbucks')."""
    given = _owners(evidence.text)
    for name in names(sentence, evidence):
        for thing, owners in _owners(sentence, re.escape(name)).items():
            if thing in given and not owners & given[thing]:
                return f"{thing} of {'/'.join(sorted(given[thing]))}, not {name}"
    return None


def _sides(text: str, marker: re.Match[str]) -> tuple[set[str], set[str]]:
    """The two content words before a contrast marker and the two after it, each side less the
    words both share ("collaborative inertia instead of collaborative advantage")."""
    before = content_words(_CLAUSE.split(text[: marker.start()])[-1])[-2:]
    after = content_words(_CLAUSE_END.split(text[marker.end() :])[0])[:2]
    common = set(before) & set(after)
    return set(before) - common, set(after) - common


def _swapped_contrast(sentence: str, evidence: Evidence) -> str | None:
    """What the evidence prefers set aside and what it sets aside preferred ("A instead of B" said as
    "B instead of A")."""
    for said in _CONTRAST.finditer(sentence):
        chosen, refused = _sides(sentence, said)
        for candidate in evidence.sentences:
            for given in _CONTRAST.finditer(candidate):
                g_chosen, g_refused = _sides(candidate, given)
                if chosen & g_refused and refused & g_chosen and not chosen & g_chosen:
                    return f"{' '.join(sorted(chosen))} and {' '.join(sorted(refused))} swapped"
    return None


def _terms_apart(sentence: str, evidence: Evidence) -> str | None:
    """Two key terms one clause joins that no bullet or subsection of the evidence puts together ("the
    countermeasure for cultural collision is an annual re-charter workshop", where the workshop is the
    countermeasure for strategy drift)."""
    if len(evidence.passages) > 1:  # a summary over passages joins terms from several
        return None
    blocks = [_plain(" ".join(section)) for section in evidence.sections]
    for clause in _CLAUSE.split(sentence):
        terms = evidence.terms_in(clause)
        for a, b in itertools.combinations(terms, 2):
            if a in b or b in a:
                continue
            if not any(_has_term(block, a) and _has_term(block, b) for block in blocks):
                return f"{a} and {b} are not together in the evidence"
    return None


def _has_term(plain: str, term: str) -> bool:
    return re.search(rf"\b{re.escape(term)}\b", plain) is not None


def _anchors(text: str, evidence: Evidence) -> list[str]:
    """The names and alliance types of a text, in order of first appearance."""
    folded = fold(text)
    found = {fold(n): folded.find(fold(n)) for n in names(text, evidence)}
    for name, pattern in _TYPES.items():
        match = pattern.search(folded)
        if match:
            found.setdefault(name, match.start())
    return [name for name, pos in sorted(found.items(), key=lambda kv: kv[1]) if pos >= 0]


def _kind(anchor: str, evidence: Evidence) -> str:
    """A name stands in for a name; an alliance type or a key term for a type or a key term (a
    definition said of "collaborative advantage" that the evidence gives for coopetition)."""
    return "term" if anchor in TYPES or anchor in evidence.key_terms else "name"


def _relations(text: str, a: str, b: str) -> list[tuple[int, set[str]]]:
    """How a and b stand in the text: for each occurrence of one, the nearest occurrence of the other,
    as (1 when a comes first, else -1; the content words between them)."""
    folded = fold(text)
    at_a, at_b = _positions(folded, a), _positions(folded, b)
    out = []
    for i, j in [(i, min(at_b, key=lambda j: abs(j - i))) for i in at_a if at_b]:
        lo, hi = sorted((i, j))
        gap = folded[lo:hi].replace(a, " ").replace(b, " ")
        out.append((1 if i < j else -1, set(content_words(gap))))
    return out


def _find(folded: str, anchor: str) -> int:
    pattern = _TYPES.get(anchor)
    if pattern:
        match = pattern.search(folded)
        return match.start() if match else -1
    return folded.find(anchor)


def _positions(folded: str, anchor: str) -> list[int]:
    pattern = _TYPES.get(anchor)
    if pattern:
        return [m.start() for m in pattern.finditer(folded)]
    return [m.start() for m in re.finditer(re.escape(anchor), folded)]


def _swapped_pair(sentence: str, evidence: Evidence) -> str | None:
    anchors = _anchors(sentence, evidence)
    named = {w for a in anchors for w in content_words(a)}
    people = [a for a in anchors if a not in TYPES]  # a type has no role to swap ("Joint venture: A and B")
    for a, b in itertools.combinations(people, 2):
        said = _relations(sentence, a, b)
        if not said or not said[0][1] - named:
            continue  # "A and B", "A with B": no direction to swap
        order, words = said[0][0], said[0][1] - named
        # How the evidence relates the two with some of the same words, in its order.
        given = [o for s in evidence.sentences for o, w in _relations(s, a, b) if w & words]
        if given and all(o != order for o in given):
            return f"roles of {a} and {b} swapped"
    return None


def _claim_of_another(sentence: str, evidence: Evidence) -> str | None:
    """:func:`_one_claim_of_another` for each clause that makes a claim of its own ("X counters A,
    while Y counters B" makes two)."""
    clauses = [c for c in _CLAUSE.split(sentence) if len(content_words(c)) >= 4]
    for clause in clauses if len(clauses) > 1 else [sentence]:
        problem = _one_claim_of_another(clause, evidence)
        if problem:
            return problem
    return None


def _one_claim_of_another(sentence: str, evidence: Evidence) -> str | None:
    """The evidence sentence that carries the claim is about another name or alliance type, and the
    sentences about the sentence's own are much further from it ("the Align stage sets up a PMO"
    where the Activate stage does)."""
    own = _anchors(sentence, evidence) + evidence.terms_in(sentence)
    if not own or len(evidence.passages) > 1:  # a summary over passages joins claims about several names
        return None
    claim = set(content_words(sentence)) - {w for a in own for w in content_words(a)}
    if len(claim) < 2:  # one word ("counters") says too little to tell whose claim it is
        return None

    def cover(s: str) -> float:
        return len(claim & set(content_words(s))) / len(claim)

    best = max(evidence.sentences, key=cover, default="")
    folded = fold(sentence)
    # what the best sentence is about: what it names, and what heads its bullet or subsection
    about = f"{best} {evidence.head(best)}"
    candidates = _anchors(about, evidence) + evidence.terms_in(about)
    others = [a for a in candidates if a not in own and _find(folded, a) < 0]
    if not others:
        return None
    for anchor in own:
        rivals = [a for a in others if _kind(a, evidence) == _kind(anchor, evidence)]
        if not rivals or _find(fold(about), anchor) >= 0:
            continue
        with_anchor = [cover(s) for s in evidence.sentences if _find(fold(s), anchor) >= 0]
        if with_anchor and cover(best) - max(with_anchor) >= 0.3:
            return f"claim is about {rivals[0]}, not {anchor}"
    return None


NEW_PHRASE = 3  # this many content words in a row that the evidence lacks make a claim of its own


_PHRASE_BREAK = re.compile(
    r"[,;:—()]|\b(?:and|or|but|that|which|who|when|while|because|as|than|then|if|so|ones?)\b", re.I
)


def _new_phrase(sentence: str, evidence: Evidence) -> str | None:
    """A run of content words the evidence never uses, inside one phrase ("severance for seconded
    employees"); a comma, a conjunction or a relative word ends the run, and "ones" is a pronoun."""
    run = _new_run(sentence, evidence, NEW_PHRASE)
    return f"new phrase {run}" if run else None


def _new_run(sentence: str, evidence: Evidence, length: int) -> str | None:
    given = set(roots(evidence.text))
    for phrase in _PHRASE_BREAK.split(sentence):
        run: list[str] = []
        for word in roots(phrase):
            run = [*run, word] if word not in given else []
            if len(run) >= length:
                return " ".join(run)
    return None


def _term_replaced(sentence: str, evidence: Evidence) -> str | None:
    """The sentence follows one evidence sentence but puts words the evidence never uses where that
    sentence has its key term ("draw up a charter document" where the passage says "draw up a
    resource map")."""
    words = set(roots(sentence))
    if not words:
        return None
    best = max(evidence.sentences, key=lambda s: len(words & set(roots(s))), default="")
    if len(words & set(roots(best))) < 0.5 * len(words):
        return None
    # a term is a few words; a longer bold span is a lead-in ("What made the alliance durable:")
    missing = [
        t for t in evidence.terms_in(best) if len(t.split()) <= 4 and t not in evidence.terms_in(sentence)
    ]
    if not missing:
        return None
    run = _new_run(sentence, evidence, 2)
    return f"{missing[0]} replaced by {run}" if run else None
