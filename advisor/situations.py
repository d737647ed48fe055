"""Situations: recognise what a described predicament is, then advise from the domain layer.

People rarely ask "what is a paper partnership?"; they write "we announced the deal in March and
nothing has happened since, what now?". Items of the domain layer that are conditions to recognise
(failure modes, root causes, exit signs, partner factors, success factors, lifecycle stages) carry
``signals`` and ``told`` (knowledge/_domain/situations.yaml): plain descriptions of running into them,
and messages telling of them. A question that describes a situation is read by the condition model
trained on them (advisor/conditions.py) and compared by meaning with each of them and the summary; the
best items, when close enough, are the diagnosis. The answer names it, says what to do (the item's
advice, or the steps of the list that follows it, such as how to leave well after an exit sign) and
cites each point.

What the asker wants shifts the diagnosis between lists that describe the same trouble: "should we
walk away?" prefers the exit signs, "is there a fix?" the items that come with a countermeasure, and
"what should we check about this candidate?" the partner-selection factors.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from advisor.conditions import NONE
from advisor.domain import GENERIC_WORDS, Cite, Citer, Domain, Item, top_sections
from advisor.text import QUESTION_START, content_words
from advisor.understand import tells_trouble

Similarity = Callable[[list[str]], Sequence[float]]
Likelihood = Callable[[str], Mapping[str, float]]  # per condition id, its log-probability for a text

# Calibrated on the dev split's situational items (evals/gold.yaml): right diagnoses scored 0.24-0.46,
# wrong ones up to 0.24 with a near tie between two lists.
MATCH = 0.23  # score a described situation needs for an item to be diagnosed as it (see diagnose)
MARGIN = 0.02  # ...and its lead over the best item of any other list
CLEAR_MATCH = 0.17  # or, a lower score with a wide lead: the one condition the message is about
CLEAR_MARGIN = 0.045
LEXICAL = 0.03  # per shared word (weighted by rarity among the items)...
LEXICAL_CAP = 0.09  # ...up to this
RETRIEVED = 0.05  # the item's section is among the question's top retrieved sections
STRONG = 0.35  # ...which a diagnosis needs unless it scores at least this
SECTIONS = 5
CLAUSE_WORDS = 3  # a clause with fewer content words describes nothing on its own
MAX_CLAUSES = 3
CLAUSE_PENALTY = 0.05  # a clause is short and nearer any one signal: it must stand out further
DECISIVE = 0.1  # a clause's diagnosis that leads every other item by this and that retrieval finds for
# the clause alone needs no backing from the retrieval of the whole message
NEAR = 0.03  # a whole message's best item this close to MATCH leads a diagnosis found in one clause
ALSO = 0.03  # further items within this of the best are named too (several symptoms in one message)
MAX_ITEMS = 3
MAX_QUOTED = 12  # words of a clause quoted back to the asker
TOGETHER = frozenset({"failure-modes", "signs", "other"})  # list kinds whose items can co-occur
# How the lead names an item that is not a trouble: a stage the alliance is at, a factor it needs
NOT_TROUBLES = {
    "stages": "What you describe belongs to the **{name}** stage ({title})",
    "factors": "What you describe comes down to **{name}** ({title})",
    "success-factors": "What you describe comes down to **{name}** ({title})",
}
# With a condition model, an item's closeness is its log-probability and its nearest signal's cosine
# together: the model ranks better (dev, 67 labelled situations: right first 0.60 -> 0.78), but is
# sure of itself on messages that are no condition at all, where the cosine stays low. Weights put
# the sum on the scale the thresholds above were calibrated on (dev: model alone at 0.13 or 0.2, or
# 0.7/0.3 and 0.5/0.5 of the two at either scale, were within a point of each other on key facts;
# this pair did best on the fresh situations, s8 and s9).
MODEL_WEIGHT = 0.14  # per unit of log-probability
NEAREST_WEIGHT = 0.3  # per unit of cosine
TOLD_WORDS = 14  # a message shorter than this tells too little for the model alone to call it a situation
SURE = 0.5  # a long message the model reads as a condition this likely is a situation (told_to_the_model)
PREFER = 0.04  # what the asker wants moves an item of the fitting list ahead of a near tie
LEAVING = frozenset({"signs"})  # what "at what point do we walk?" asks of a told situation

_EXIT = re.compile(
    r"\b(exit|walk(\s+away)?(?!\s+(me|us|you|through)\b)|leave|leaving|pull\s+(out|the\s+plug)|get\s+out|end\s+(it|this|the\s+"
    r"(alliance|partnership|deal))|terminat\w*|quit|cut\s+(ties|our\s+losses)|break\s+up)\b",
    re.I,
)
_CANDIDATE = re.compile(
    r"\b(candidates?|potential\s+partners?|prospective|would[- ]be|before\s+(we|i)\s+(sign|commit|agree)|"
    r"wants?\s+to\s+(partner|be\s+our)|partner\s+with\s+them|due\s+diligence|vet\w*)\b",
    re.I,
)
_CLAUSE = re.compile(
    r"(?<=[.!?;])\s+|,?\s+\b(?:and|but|while|yet|so)\s+(?=(?:they|we|our|their|the|it|he|she|i|now)\b)"
    r"|,\s+(?=(?:nobody|no\s+one|they|we|our|their)\b)",  # "revenue is flat, nobody shows up anymore"
    re.I,
)
_ASKING = re.compile(QUESTION_START + r"|.*\?\s*$", re.I)
_LOOKUP = re.compile(
    r"^\s*(so\s+|and\s+)?(what|which)(\s+|(?=['’]s))(types?|kinds?|sorts?|forms?|stages?|phases?|steps|are\s+the|is\s+the|"
    r"was\s+the|['’]s\s+the|would\s+(that|this|it)\s+be|does\s+\w+\s+(mean|say))\b",
    re.I,
)
_ACTION = re.compile(
    r"\b(what\s+now|what\s+(should|can|do)\s+(we|i)\s+do|how\s+(do|can|should)\s+(we|i)\s+(fix|handle|deal|"
    r"respond|get|stop|turn|sort|save|rescue|recover)|fix|remed\w+|countermeasures?|respond|handle|turn\s+"
    r"(it|this)\s+around|sort\s+(it|this)\s+out|get\s+(it|this)\s+back\s+on\s+track)\b",
    re.I,
)


@dataclass(frozen=True)
class Match:
    item: Item
    score: float  # how far the item stands out for this question (see diagnose)
    rank: float = 0.0  # the score with what the asker wants added: the order of the diagnosis
    decisive: bool = False  # found in one clause, far ahead of every other item for it
    clause: str = ""  # the part of the message it was found in, when not the message as a whole
    beside: bool = False  # nearly clear for the whole message: named first, beside a clause's diagnosis


def diagnose(
    domain: Domain,
    question: str,
    similarity: Similarity,
    sections: Sequence[tuple[str, str]] = (),
    similar_to: Callable[[str], Similarity] | None = None,
    sections_for: Callable[[str], Sequence[tuple[str, str]]] | None = None,
    likelihood: Likelihood | None = None,
    among: frozenset[str] = frozenset(),
) -> list[Match]:
    """The items the described situation is most like, best first (empty when none is close);
    ``among`` keeps to the lists of those kinds.

    An item scores how likely the condition model finds it for the question (``likelihood``,
    :mod:`advisor.conditions`; without one, its best cosine to the question over its signals and
    its summary), plus a little for each rarely shared word it has in common with the question,
    plus a little when retrieval found its section among the question's top ``sections`` ((source,
    section) pairs)."""
    items = [
        item for lst in domain.lists if not among or lst.kind in among for item in lst.items if item.described
    ]
    if not items or not _asks_for_judgement(question):
        return []
    found = top_sections(sections, SECTIONS)
    lexical = _shared_words(items, question)
    texts: list[str] = []
    owner: list[int] = []
    for n, item in enumerate(items):
        for text in item.texts():
            texts.append(text)
            owner.append(n)
    kinds = _preferred_kinds(domain, question)
    bonus = np.array(
        [
            min(LEXICAL_CAP, LEXICAL * lexical[n])
            + (RETRIEVED if any((c.source, c.section) in found for c in item.cites) else 0.0)
            for n, item in enumerate(items)
        ]
    )
    prefer = np.array([_preference(domain, item, kinds) for item in items])
    # A stage is where an alliance is, not what is wrong with it: a message telling of trouble is not
    # read as a stage ("zero joint work since the MoU" is a paper partnership, not the Activate stage)
    trouble = tells_trouble(question)
    out = np.array([trouble and domain.by_list[item.list_id].kind == "stages" for item in items])

    def standout(text: str, view: Similarity) -> np.ndarray:
        best = np.zeros(len(items))
        for n, score in zip(owner, view(texts), strict=True):
            best[n] = max(best[n], float(score))
        if likelihood is not None:
            logp = likelihood(text)
            least = min(logp.values(), default=0.0)  # an item the model does not know is least likely
            model = np.array([logp.get(item.id, least) for item in items])
            best = MODEL_WEIGHT * model + NEAREST_WEIGHT * best
        # Any alliance question is somewhat like every item ("the partnership ..."): what counts is
        # how far an item stands out from the typical item for this text.
        return np.where(out, -1.0, best - float(np.median(best)) + bonus)

    if likelihood is not None and _reads_as_no_condition(likelihood(question)):
        return []  # "Does ending a partnership mean we failed?" asks about exits; it tells of none
    whole = standout(question, similarity)
    matches = _winners(domain, items, whole, prefer, ALSO)
    if matches and len(whole) > 1 and matches[0].score - float(np.sort(whole)[-2]) >= DECISIVE:
        matches[0] = replace(matches[0], decisive=True)
    clauses = _clauses(question) if similar_to is not None and _together(domain, matches) else []
    for clause in clauses:  # one more symptom per clause, when it stands out on its own
        assert similar_to is not None
        scores = standout(clause, similar_to(clause)) - CLAUSE_PENALTY
        for match in _winners(domain, items, scores, prefer, 0.0)[:1]:
            if all(m.item is not match.item for m in matches):
                runner_up = float(np.sort(scores)[-2]) if len(scores) > 1 else -1.0
                decisive = match.score - runner_up >= DECISIVE and _retrieved_for(
                    match.item, clause, sections_for
                )
                matches.append(replace(match, decisive=decisive, clause=clause))
    if matches and matches[0].clause:
        # No item stood out for the whole message but one did for a clause: the whole message's own
        # best item, when nearly there and backed by retrieval, comes first ("keeps missing the
        # milestones ... and the board is losing patience": the missed milestones are the point)
        n = int(np.argmax(whole))
        near = items[n]
        if (
            whole[n] >= MATCH - NEAR
            and whole[n] - float(np.sort(whole)[-2]) >= MARGIN  # nearly clear, not a tie
            and domain.by_list[near.list_id].kind in TOGETHER
            and any((c.source, c.section) in found for c in near.cites)
            and all(m.item is not near for m in matches)
        ):
            top = max(m.rank for m in matches)
            matches.insert(0, Match(near, float(whole[n]), top + 1.0, beside=True))
    if not _together(domain, matches[:1]) and len({m.item.list_id for m in matches}) < len(matches):
        return []  # two factors (or stages) at once: a weighing question, which the passages answer
    # Retrieval is the other, independent reading of the question: a diagnosis it does not back (the
    # item's section is not among the top sections) must stand out strongly on its own, or be far
    # ahead for one clause of a message that describes several things at once (retrieval reads the
    # whole message, where one symptom among three may not reach the top sections).
    backed = [
        m
        for m in matches
        if m.score >= STRONG or m.decisive or any((c.source, c.section) in found for c in m.item.cites)
    ]
    if not matches or backed[:1] != matches[:1]:
        return []
    if all(m.beside for m in backed):
        return []  # only the whole message's nearly-clear item is left: it was there beside a clause's
    backed.sort(key=lambda m: (bool(m.clause), -m.rank))  # the whole message's reading first
    return backed[:MAX_ITEMS]


# "and if it doesn't get better by Q3?" after a told trouble asks what then: whether it is time to go
_NO_BETTER = re.compile(
    r"\bif\s+(it|this|that|things|they)\s+(still\s+)?(doesn['’]?t|does\s+not|don['’]?t|do\s+not|won['’]?t|"
    r"will\s+not|never)\s+(improve|get\s+better|change|turn\s+around|pick\s+up)"
    r"|\bif\s+nothing\s+(changes|improves|gets\s+better)\b",
    re.I,
)


# Things named after an exit, which a question can ask about without asking whether to leave ("what
# should the no-fault exit clause cover?")
_EXIT_THING = re.compile(
    r"\bexit\s+(clauses?|terms?|ramps?|logic|mechanisms?|strateg\w+|plans?|provisions?|options?|rights?)\b",
    re.I,
)


def asks_to_leave(text: str) -> bool:
    """Whether a message asks about leaving the alliance ("at what point do we walk?", "and if it
    doesn't get better by Q3?"), not about an exit clause or the like."""
    text = _EXIT_THING.sub(" ", text)
    return bool(_EXIT.search(text) or _NO_BETTER.search(text))


def told_to_the_model(domain: Domain, question: str, likelihood: Likelihood | None) -> bool:
    """Whether a message the wording cues did not read as a situation tells of one all the same: it
    is long enough to tell something, asks for no lookup, and the condition model is sure of the
    condition ("Procurement lead. The agreement is 212 pages ... How are others structuring this?").
    A stage is no such condition: "my CEO asks why we'd partner at all" reads as the Align stage."""
    if likelihood is None or len(question.split()) < TOLD_WORDS or not _asks_for_judgement(question):
        return False
    sure = _sure_of(likelihood(question))
    item = domain.items.get(sure) if sure else None
    return item is not None and domain.by_list[item.list_id].kind != "stages"


def _sure_of(logp: Mapping[str, float]) -> str | None:
    """The condition the model finds likelier than SURE for the message, if any."""
    best = max(logp, key=logp.__getitem__, default=None)
    return best if best and logp[best] >= math.log(SURE) else None


def _reads_as_no_condition(logp: Mapping[str, float]) -> bool:
    """Whether the condition model finds the message likelier a question about the knowledge base
    than a telling of any condition (:data:`advisor.conditions.NONE`)."""
    conditions = [v for cid, v in logp.items() if cid != NONE]
    return NONE in logp and bool(conditions) and logp[NONE] >= max(conditions)


def _winners(
    domain: Domain, items: list[Item], scores: np.ndarray, prefer: np.ndarray, also: float
) -> list[Match]:
    """The best item (and those within ``also`` of it), if it clears MATCH and leads the best item
    of any other list by MARGIN, or clears CLEAR_MATCH with a lead of CLEAR_MARGIN; else none (two
    different kinds of trouble tie: passages answer).

    The lead is judged on the scores alone; what the asker wants (``prefer``) only orders the items
    that are named, so a preference never turns a tie into a diagnosis."""
    ranked = sorted(range(len(items)), key=lambda n: -scores[n])
    first = items[ranked[0]]
    if domain.by_list[first.list_id].kind in TOGETHER:
        rival = next((scores[n] for n in ranked if items[n].list_id != first.list_id), -1.0)
    else:  # one stage or one factor at a time: a sibling in a near tie is a rival too
        rival = scores[ranked[1]] if len(ranked) > 1 else -1.0
    best, lead = scores[ranked[0]], scores[ranked[0]] - rival
    if not (best >= MATCH and lead >= MARGIN) and not (best >= CLEAR_MATCH and lead >= CLEAR_MARGIN):
        return []
    named = [n for n in ranked if scores[n] >= scores[ranked[0]] - also][:MAX_ITEMS]
    return [Match(items[n], float(scores[n]), float(scores[n] + prefer[n])) for n in named]


def _retrieved_for(
    item: Item, clause: str, sections_for: Callable[[str], Sequence[tuple[str, str]]] | None
) -> bool:
    """Whether retrieval, reading this clause alone, finds the item's section among its top ones."""
    if sections_for is None:
        return False
    found = top_sections(sections_for(clause), SECTIONS)
    return any((c.source, c.section) in found for c in item.cites)


def _together(domain: Domain, matches: list[Match]) -> bool:
    return not matches or domain.by_list[matches[0].item.list_id].kind in TOGETHER


def _clauses(question: str) -> list[str]:
    """The parts of a message that may each describe a symptom (none when it is one part)."""
    parts = [p.strip(" ,;") for p in _CLAUSE.split(question) if p and p.strip(" ,;")]
    parts = [p for p in parts if len(content_words(p)) >= CLAUSE_WORDS]
    return parts[:MAX_CLAUSES] if len(parts) > 1 else []


def _asks_for_judgement(question: str) -> bool:
    """Whether the question asks what to make of, or do about, the situation it describes, rather
    than looking something up in its context ("...: what type of alliance would that be?")."""
    ask = re.split(r"(?<=[.!])\s+", question.strip())[-1]
    return not _LOOKUP.search(ask)


def _shared_words(items: list[Item], question: str) -> list[float]:
    """Per item, the question's words it also uses, each weighted by how few items use it."""
    bags = [
        set(content_words(" ".join((i.name, *i.aliases, i.summary, *i.signals, *i.told)))) - GENERIC_WORDS
        for i in items
    ]
    df: dict[str, int] = {}
    for bag in bags:
        for word in bag:
            df[word] = df.get(word, 0) + 1
    asked = set(content_words(question))
    return [sum(1 / df[w] for w in asked & bag) for bag in bags]


def _preferred_kinds(domain: Domain, question: str) -> set[str]:
    kinds = set()
    if _EXIT.search(question):
        kinds.add("signs")
    if _CANDIDATE.search(question):
        kinds.add("factors")
    if _ACTION.search(question):
        kinds.add("advice")
    return kinds


def _preference(domain: Domain, item: Item, kinds: set[str]) -> float:
    lst = domain.by_list[item.list_id]
    bonus = 0.0
    if lst.kind in kinds:
        bonus += PREFER
    if "advice" in kinds and (item.advice or lst.id in domain.then or item.id in domain.then):
        bonus += PREFER
    return bonus


@dataclass
class Advice:
    """What a recognised situation is and what to do about it, as cited lines."""

    lead: str
    points: list[str]
    items: list[str]
    cites: list[Cite]  # every section the lines cite: the passages that may support them
    siblings: list[str]  # the other items of the diagnosed lists (what the answer is not about)
    more: list[str] = field(default_factory=list)  # the long form's extra lines: the steps in full


def advise(domain: Domain, matches: list[Match], cite: Citer) -> Advice:
    """The lead names the diagnosis; the points say what to do, one cited line each."""
    first = matches[0].item
    lst = domain.by_list[first.list_id]
    # Conditions can occur together (two exit signs at once); stages and factors are one at a time.
    same = [m.item for m in matches if m.item.list_id == first.list_id]
    if lst.kind not in TOGETHER:
        same = same[:1]
    others = [m.item for m in matches if m.item.list_id != first.list_id and lst.kind in TOGETHER]
    if len(same) > 1:
        named = " and ".join(f"**{i.name.lower()}** ({_lower_first(i.summary.rstrip('.'))})" for i in same)
        title = _lower_first(lst.title)
        lead = f"What you describe matches {_count(len(same))} of {title}: {named}.{cite(lst.cites)}"
    else:
        summary = _lower_first(first.summary)
        clause = matches[0].clause
        if clause and _ASKING.match(clause):  # the question part of the message matched, not a symptom
            said = f'On your question ("{_quoted(clause)}"), the knowledge base points to'
        else:
            said = (
                f'Part of what you describe ("{_quoted(clause)}") sounds like'
                if clause
                else "What you describe sounds like"
            )
        named = f"{said} **{first.name.lower()}**"
        if lst.kind in NOT_TROUBLES and not clause:  # where the alliance stands, or what it needs
            named = NOT_TROUBLES[lst.kind].format(name=first.name.lower(), title=_lower_first(lst.title))
        lead = f"{named}: {summary}{cite(first.cites, first.labels)}"
    points = [
        f"What to do about {i.name.lower()}: {i.advice}{cite(i.cites, i.labels)}" for i in same if i.advice
    ]
    follow = domain.by_list.get(domain.then.get(lst.id, ""))
    looks = domain.by_list.get(domain.then.get(first.id, "")) if len(same) == 1 else None
    if looks is not None:  # what to look at for this one item ("how to judge cultural fit")
        points.append(f"{looks.intro}{cite(looks.cites)}")
    if lst.kind == "steps" and len(same) == 1:
        # one step of a plan ("exit ramps" of planning the exit): the plan as a whole, in a line
        points.append(
            f"It is one step of {_lower_first(lst.title)}: {_lower_first(lst.intro)}{cite(lst.cites)}"
        )
    if follow is not None:
        steps = "; ".join(_lower_first(i.name) for i in follow.items)
        where = (
            f"It is one of {_lower_first(lst.title)}; if it persists" if len(same) == 1 else "If they persist"
        )
        points.append(f"{where}: {steps}.{cite(follow.cites)}")
    for other in others:
        kind = domain.by_list[other.list_id].kind
        # another trouble "may also be" it; a factor or a stage is what the message also comes down to
        said = "It may also be" if kind in TOGETHER else "It also comes down to"
        line = f"{said} **{other.name.lower()}**: {_lower_first(other.summary)}"
        points.append(
            f"{line} {other.advice}{cite(other.cites, other.labels)}"
            if other.advice
            else f"{line}{cite(other.cites, other.labels)}"
        )
    cites = [c for i in (*same, *others) for c in i.cites] + [
        c for extra in (looks, follow) if extra is not None for c in extra.cites
    ]
    shown = {i.id for i in (*same, *others)}
    siblings = [
        f"{i.name} {' '.join(i.aliases)} {i.summary} {i.advice}"
        for m in matches
        for i in domain.by_list[m.item.list_id].items
        if i.id not in shown
    ]
    more = [f"**{i.name}**: {i.summary}{cite(i.cites, i.labels)}" for i in follow.items] if follow else []
    return Advice(
        lead=lead,
        points=points,
        items=[i.name for i in (*same, *others)],
        cites=cites,
        siblings=siblings,
        more=more,
    )


def _quoted(clause: str) -> str:
    words = clause.rstrip(" .!?").split()
    return " ".join(words[:MAX_QUOTED]) + (" ..." if len(words) > MAX_QUOTED else "")


def _count(n: int) -> str:
    return {2: "two", 3: "three"}.get(n, str(n))


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text
