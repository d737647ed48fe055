"""Claim checks for grounding: who does what, and what the sentence adds that its passages do not say.

The checks (each ``check(sentence, evidence) -> reason | None``, see :mod:`advisor.grounding_facts` for
the evidence and the fact checks that run first):

- comparison: a comparison ("more formal than") is made by one evidence sentence;
- negation: a negation, or what the evidence sets aside with "instead of" / "rather than", matches;
- roles: two names are not swapped around the words that relate them ("Tesla invested in Panasonic"
  against "Panasonic invested in Tesla"), nor around "instead of" / "rather than"; a thing of one
  name is not given to another ("in Spotify stores" for "in Starbucks stores"); and the evidence
  sentence that says the claim is not about another name, type or key term;
- no new phrase: three content words in a row that the evidence never uses are a claim of their own,
  and two of them where the closest evidence sentence has its key term replace that term.
"""

from __future__ import annotations

import itertools
import re

from advisor.grounding_facts import (
    CLAUSE,
    COMMON_WORDS,
    NEGATION,
    SOFT_NEGATION,
    TYPE_PATTERNS,
    TYPES,
    Evidence,
    fold,
    names,
    plain_text,
    roots,
)
from advisor.text import STOP_WORDS, content_words, stem

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


_CONTRAST = re.compile(r"\b(?:instead of|rather than)\b", re.I)


def _negated(text: str, contrast: bool = False) -> list[set[str]]:
    """The content words each negation in the text governs: from "not" to the end of its clause
    (with ``contrast``, what "instead of" and "rather than" set aside too)."""
    scopes = []
    matches = list(NEGATION.finditer(text)) + (list(_CONTRAST.finditer(text)) if contrast else [])
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
    negated = bool(NEGATION.search(sentence) or SOFT_NEGATION.search(sentence))
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
        denied = [c for c in backing if SOFT_NEGATION.search(c) or any(scope & n for n in _negated(c))]
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
        if thing not in STOP_WORDS | _SHARED and owner.split()[-1] not in COMMON_WORDS:
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
    before = content_words(CLAUSE.split(text[: marker.start()])[-1])[-2:]
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
    blocks = [plain_text(" ".join(section)) for section in evidence.sections]
    for clause in CLAUSE.split(sentence):
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
    for name, pattern in TYPE_PATTERNS.items():
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
    pattern = TYPE_PATTERNS.get(anchor)
    if pattern:
        match = pattern.search(folded)
        return match.start() if match else -1
    return folded.find(anchor)


def _positions(folded: str, anchor: str) -> list[int]:
    pattern = TYPE_PATTERNS.get(anchor)
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
    clauses = [c for c in CLAUSE.split(sentence) if len(content_words(c)) >= 4]
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


CLAIM_CHECKS = (_comparison, _negation, _roles, _new_phrase, _term_replaced)
