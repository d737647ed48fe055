"""Structured answers: lists, comparisons, checklists and single items from the domain layer.

When a question asks for a list ("what are the four criteria?"), a comparison ("JV vs equity
alliance?"), a checklist ("what should be on our list before we sign?"), or points at one item of
an earlier answer ("and the contract one?"), the domain layer (:mod:`advisor.domain`) holds the
exact answer. :func:`plan_answer` picks the plan; :class:`Plan` renders it as Markdown with every
line cited. Citations are numbers handed out by a ``cite`` callback, which maps a cited section to
a passage of the live index (adding it to the answer's passages when retrieval did not return it).

The same plan serves every engine: it is exact without a language model.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from advisor.checklists import asked_checklist, checklist_lines
from advisor.comparisons import ATTRIBUTE_LABELS, SKIP_ATTRIBUTES, article, asked_attribute, comparison_plan
from advisor.domain import (
    GENERIC_WORDS,
    AllianceType,
    Case,
    Citer,
    Domain,
    DomainList,
    Item,
    name_words,
    top_sections,
)
from advisor.plan import Plan
from advisor.situations import Likelihood, advise, diagnose, told_to_the_model
from advisor.text import content_words, join_words
from advisor.understand import Question, asks_for_example

Similarity = Callable[[list[str]], Sequence[float]]  # texts -> cosine to the question
# Lists whose items a described situation can be matched to (each item is a condition to recognise).
SITUATION_KINDS = frozenset({"failure-modes", "signs", "factors", "pillars", "success-factors"})
ITEM_MATCH = 0.55  # cosine a described situation needs to one item of a list to be answered with it
ITEM_MARGIN = 0.05  # ...and its lead over the next item
# Lists whose items a question may name on their own, with the words for their kind.
_KIND_WORDS = {
    "stages": {"stage", "phase"},
    "signs": {"sign", "signal", "warn"},
    "failure-modes": {"mode", "failure", "fail"},
    "factors": {"factor", "criterion", "criteria"},
    "success-factors": {"factor"},
    "pillars": {"pillar"},
    "bodies": {"body", "bodi", "committee", "mechanism"},
}
_ITEM_GENERIC = frozenset({"partner", "strategic", "alliance", "allianc", "exit"})
LIST_MEANT = 0.6  # cosine a how-to question needs to a list's title to be answered with the list
LIST_MEANT_MARGIN = 0.12  # ...and its lead over every other list's title
LIST_SECTIONS = 5  # ...whose section retrieval must find among this many
CASE_MATCH = 0.4  # cosine a described situation needs to a case told in the best section
LABEL_MATCH = 0.3
THIN_PLANS = frozenset({"item"})
CHECKLIST_POINTS = 6  # checklist lines in the short form (the rest in the long one)
CHECKLIST_LISTS = 3  # lists a checklist draws on at most
CHECKLIST_CANDIDATES = 8  # lists compared by meaning (their titles are embedded once, then kept)
# Words of a checklist request that say it is one, not what it is about.
_CHECKLIST_WORDS = frozenset(
    "checklist check list quick give need new make put place before sign signing agreement "
    "strategic allianc alliance partner compani firm".split()
)  # cosine a descriptor ("the legal one") needs to a label of the last answer

# Words that ask what to DO about an item (countermeasure, fix) rather than what it is.
_WANTS_ACTION = re.compile(
    r"\b(what\s+(do|can|should)\s+(we|i)\s+do|how\s+(do|can|should|to)\s+(we\s+|i\s+)?(fix|counter|handle|"
    r"deal|address|prevent|avoid|respond|tackle|stop|solve|manage|recover)|countermeasures?|fix|remed\w+|"
    r"what\s+now|what\s+to\s+do|prevent\w*|avoid\w*|respond|tackle|address|breaks?|unstick|unblock|"
    r"get\s+(us\s+)?unstuck)\b",
    re.I,
)


def wants_action(text: str) -> bool:
    """Whether the question asks what to do about something ("how do we prevent that?")."""
    return bool(_WANTS_ACTION.search(text))


_DEEPER = re.compile(r"\b(deeper|more|elaborate|expand|detail\w*|explain)\b", re.I)

_GENERIC_TYPES = {"strategic-partnership"}
OWNERSHIP_SCHEME = "types-by-ownership"
_WHICH_TYPE = re.compile(
    r"\b(which|what)\s+(alliance\s+|partnership\s+)?(types?|kinds?|forms?|structures?)\s+(of\s+(alliance|partnership)s?\s+)?"
    r"(gives?|offers?|has|have|is|are|carries|carry|keeps?|means?|needs?|requires?)\b",
    re.I,
)
SHORT_ATTRIBUTES = ("structure", "ownership", "commitment", "best_for", "example")


def plan_answer(
    question: Question,
    query: str,
    sections: list[tuple[str, str]],
    domain: Domain,
    cite: Citer,
    focus: Item | None = None,
    similarity: Similarity | None = None,
    parts: int = 1,
    similar_to: Callable[[str], Similarity] | None = None,
    sections_for: Callable[[str], Sequence[tuple[str, str]]] | None = None,
    likelihood: Likelihood | None = None,
) -> Plan | None:
    """The structured plan for this question, or None for the passage path.

    ``sections`` are the (source, section) pairs of the retrieved passages in rank order; ``focus``
    is an item an earlier answer showed and the question points back to; ``parts`` is how many
    questions the message asks ("why partner at all, and what if it is badly run?" asks two);
    ``similar_to`` gives the similarity to another text (a clause of a described situation), and
    ``sections_for`` the sections retrieval finds for it; ``likelihood`` is the build's condition
    model (how likely each named condition is for a text).
    """
    if focus is not None:
        # "go deeper on ..." wants more than the item's one-line summary again: the passages behind
        # it, after what to do about it when it has advice (a list answer showed only the summary)
        if _DEEPER.search(question.text) and not focus.advice:
            return None
        example = domain.case_of(focus) if question.form == "example" else None
        if example is not None:  # "the middle one of those three, got a real example?"
            return case_plan(example, cite, question.text)
        return item_plan(focus, query, cite)
    if question.form == "comparison":
        kinds = _compared_types(domain, question.text)
        if len(kinds) >= 2:
            return comparison_plan(kinds[:3], cite, question.text)
    if question.form == "checklist":
        return checklist_plan(domain, sections, cite, question.text, similarity)
    if _WHICH_TYPE.search(question.text) and len(_compared_types(domain, question.text)) < 2:
        # "Which alliance type gives the most control?": the three types by ownership, on that point
        asked = asked_attribute(question.text)
        kinds = [t for t in domain.types if OWNERSHIP_SCHEME in t.schemes]
        if asked not in (None, "best_for") and len(kinds) >= 2:
            return comparison_plan(kinds, cite, question.text)
    followed = domain.case_in(query) if query != question.text and not domain.case_in(question.text) else None
    if followed is not None and (_CASE_OUTCOME.search(question.text) or _CASE_LESSON.search(question.text)):
        # "what made it durable?", "how has it played out since?" after a case: that part of the case
        return case_plan(followed, cite, question.text)
    if parts > 1 and not question.among:
        # one list or one item answers one part: the passages of each part's section answer both
        return None
    case = _asked_case(domain, question, query, sections, similarity)
    if case is not None:
        return case_plan(case, cite, question.text)
    if (
        question.situation or told_to_the_model(domain, question.text, likelihood)
    ) and similarity is not None:
        # a follow-up asking for one kind of diagnosis reads the situation told before it with itself
        told_text = query if question.among else question.text
        matches = diagnose(
            domain, told_text, similarity, sections, similar_to, sections_for, likelihood, question.among
        )
        if matches:
            advice = advise(domain, matches, cite)
            return Plan(
                kind="item",
                lead=advice.lead,
                points=advice.points,
                items=advice.items,
                anchors=advice.cites,
                avoid=advice.siblings,
                more=advice.more,
            )
        wanted = next((lst for lst in domain.lists if lst.kind in question.among), None)
        if wanted is not None:  # no one sign stands out: the signs to watch for, each in a line
            return list_plan(wanted, query, cite)
    named = domain.list_named(question.text)
    if named is not None and question.form in ("why", "general", "howto"):
        return _with_rival(list_plan(named, query, cite), named, question.text, domain, sections, cite)
    if (
        question.form == "howto"  # a procedure asked for; "when" and "should we" ask for a judgement
        and not question.situation
        and query == question.text
        and similarity is not None
    ):
        # "How do I pick a partner?", "How do you end an alliance well?": a list whose title says
        # what the question asks, far ahead of every other list, and backed by retrieval (a
        # follow-up, read with the turn before it, is left to the passages)
        meant = _list_meant(domain, similarity, sections)
        if meant is not None:
            return _with_rival(list_plan(meant, query, cite), meant, question.text, domain, sections, cite)
    if question.form in ("general", "howto", "why", "decision", "definition"):
        one = named_item(domain, question.text, sections)
        if one is not None:  # "what does the Activate stage involve?", "what is strategy drift?"
            return item_plan(one, query, cite)
    if question.form == "list" or (question.form == "superlative" and question.count):
        lst = _asked_list(domain, question, sections)
        if lst is not None:
            return _with_rival(list_plan(lst, query, cite), lst, question.text, domain, sections, cite)
    if question.form in ("situation", "howto", "decision", "why", "general") and sections:
        item = _matching_item(domain, query, sections[:2], similarity)
        if item is not None:
            plan = item_plan(item, query, cite, situation=question.situation)
            others = [i.name for i in domain.by_list[item.list_id].items if i is not item]
            if question.situation and others:
                title = _lower_first(domain.by_list[item.list_id].title)
                plan.points.append(
                    f"Also check {title}: {join_words(others)}.{cite(domain.by_list[item.list_id].cites)}"
                )
            return plan
    return None


# -- the plans ------------------------------------------------------------------------------------


def without_siblings(plan: Plan, domain: Domain) -> Plan:
    """A plan about one item is not to be padded with passage lines about its siblings."""
    if plan.kind == "item" and not plan.avoid and plan.items:
        item = item_named(domain, plan.items[0])
        if item is not None:
            plan.avoid = [
                f"{i.name} {' '.join(i.aliases)} {i.summary} {i.advice}"
                for i in domain.by_list[item.list_id].items
                if i is not item
            ]
    return plan


def list_plan(lst: DomainList, query: str, cite: Citer) -> Plan:
    action = bool(_WANTS_ACTION.search(query)) and any(i.advice for i in lst.items)
    points = []
    for item in lst.items:
        body = item.advice if action and item.advice else item.summary
        points.append(f"**{item.name}**: {_first_sentence(body)}{cite(item.cites, item.labels)}")
    long_points = [
        f"**{i.name}**: {i.summary}{' What to do: ' + i.advice if i.advice else ''}{cite(i.cites, i.labels)}"
        for i in lst.items
    ]
    return Plan(
        kind="list",
        lead=f"{lst.intro}{cite(lst.cites)}",
        points=points,
        long_points=long_points,
        items=[i.name for i in lst.items],
    )


def item_plan(item: Item, query: str, cite: Citer, situation: bool = False) -> Plan:
    mark = cite(item.cites, item.labels)
    if situation:
        lead = f"What you describe sounds like **{item.name.lower()}**: {item.summary}{mark}"
        points = [f"What to do: {item.advice}{mark}"] if item.advice else []
    elif item.advice and _WANTS_ACTION.search(query):
        lead = f"For **{item.name.lower()}**: {item.advice}{mark}"
        points = [f"Why it matters: {item.summary}{mark}"]
    else:
        lead = f"**{item.name}**: {item.summary}{mark}"
        points = [f"What to do: {item.advice}{mark}"] if item.advice else []
    return Plan(kind="item", lead=lead, points=points, items=[item.name])


_CASE_OUTCOME = re.compile(
    r"\b(outcomes?|results?|came\s+of|turn(ed)?\s+out|play(ed|s|ing)?\s+out|achiev\w*|impact|bring\s+in|"
    r"brought\s+in|gain\w*|"
    r"deliver\w*|how\s+much|what\s+did\s+\w+\s+get)\b",
    re.I,
)
_CASE_LESSON = re.compile(
    r"\b(what\s+made|why\s+did\s+[\w\s]{0,30}(work|succeed|last|endure)|why\s+(it|this|that)\s+(worked|works|lasted)|"
    r"lessons?|takeaways?|learn\s+from|secret|durable|key\s+to|made\s+it\s+(work|last))\b",
    re.I,
)


def case_plan(case: Case, cite: Citer, asked: str = "") -> Plan:
    """A case study: what the partners did, then what came of it and what made it work; when the
    question asks for the outcome or the lesson ("what made it work?"), that leads."""
    mark = cite(case.cites)
    years = f" ({case.years})" if case.years and case.years not in SKIP_ATTRIBUTES else ""
    parts = [
        (label, text)
        for label, text in (("Outcome", case.outcome), ("What made it work", case.lesson))
        if text.strip().lower() not in SKIP_ATTRIBUTES
    ]
    wanted = (
        "What made it work"
        if _CASE_LESSON.search(asked)
        else "Outcome"
        if _CASE_OUTCOME.search(asked)
        else ""
    )
    first = next((p for p in parts if p[0] == wanted), None)
    if first is None:
        lead = f"**{case.name}**{years}: {case.what}{mark}"
        rest = parts
    else:
        lead = f"**{case.name}**{years}, {first[0].lower()}: {first[1]}{mark}"
        rest = [p for p in parts if p is not first] + [("What the partners did", case.what)]
    points = [f"**{label}**: {text}{mark}" for label, text in rest]
    return Plan(kind="case", lead=lead, points=points, items=[case.name])


def type_plan(kind: AllianceType, cite: Citer) -> Plan:
    mark = cite(kind.cites)
    points = [
        f"**{ATTRIBUTE_LABELS[key]}**: {kind.attributes[key]}{mark}"
        for key in SHORT_ATTRIBUTES
        if kind.attributes.get(key, "").strip().lower() not in SKIP_ATTRIBUTES
    ]
    more = [
        f"**{label}**: {kind.attributes[key]}{mark}"
        for key, label in ATTRIBUTE_LABELS.items()
        if key not in SHORT_ATTRIBUTES and kind.attributes.get(key, "").strip().lower() not in SKIP_ATTRIBUTES
    ]
    lead = f"{article(kind.name)} **{kind.name.lower()}**: {kind.definition}{mark}"
    return Plan(kind="type", lead=lead, points=points, more=more, items=[kind.name])


def checklist_plan(
    domain: Domain,
    sections: list[tuple[str, str]],
    cite: Citer,
    text: str = "",
    similarity: Similarity | None = None,
) -> Plan | None:
    """The checklist for the moment the request names (checklists.yaml), or one drawn from the lists
    that fit the request best (several, when several do)."""
    named = asked_checklist(domain, text, similarity)
    if named is not None:
        lines = checklist_lines(domain, named)
        shown = [
            f"[ ] **{name}**: {_first_sentence(body)}{cite(cites, (name,))}" for name, body, cites in lines
        ]
        lead_cites = tuple(c for _, _, cites in lines[:2] for c in cites[:1])
        return Plan(
            kind="checklist",
            lead=f"{named.intro}{cite(lead_cites)} Checklist:",
            points=shown[:CHECKLIST_POINTS],
            more=shown[CHECKLIST_POINTS:],
            items=[name for name, _, _ in lines],
        )
    chosen = _checklist_lists(domain, sections, text, similarity)
    if not chosen:
        return None
    points: list[str] = []
    labels: list[str] = []
    per_list = max(2, CHECKLIST_POINTS // len(chosen))
    for lst in chosen:
        for item in lst.items[:per_list]:
            body = item.advice or item.summary
            points.append(f"[ ] **{item.name}**: {_first_sentence(body)}{cite(item.cites, item.labels)}")
            labels.append(item.name)
    lead_list = chosen[0]
    return Plan(
        kind="checklist",
        lead=f"{lead_list.intro}{cite(lead_list.cites)} Checklist:",
        points=points[:CHECKLIST_POINTS],
        more=points[CHECKLIST_POINTS:],
        items=labels,
    )


def _checklist_lists(
    domain: Domain, sections: list[tuple[str, str]], text: str, similarity: Similarity | None
) -> list[DomainList]:
    """Lists for a checklist, best first: backed by a top retrieved section, named by the
    request's own words ("our governance checklist"), and close in meaning to it."""
    asked = set(content_words(text)) - _CHECKLIST_WORDS
    scores: dict[str, float] = {}
    for rank, (source, section) in enumerate(sections[:5]):
        for lst in domain.lists_citing(source, section):
            scores.setdefault(lst.id, 0.5 - 0.05 * rank)
    for lst in domain.lists:
        named = {w for n in (lst.title, *lst.names) for w in content_words(n)} - _CHECKLIST_WORDS
        shared = len(asked & named)
        if shared:
            scores[lst.id] = scores.get(lst.id, 0.0) + 0.5 * shared
    candidates = [domain.by_list[i] for i in scores if domain.by_list[i].items]
    candidates = sorted(candidates, key=lambda lst: -scores[lst.id])[:CHECKLIST_CANDIDATES]
    if similarity is not None and candidates:
        for lst, cosine in zip(candidates, similarity([lst.title for lst in candidates]), strict=True):
            scores[lst.id] += float(cosine)
    ranked = sorted(candidates, key=lambda lst: -scores[lst.id])
    if not ranked:
        return []
    best = scores[ranked[0].id]
    return [lst for lst in ranked[:CHECKLIST_LISTS] if scores[lst.id] >= 0.6 * best]


# -- choosing ---------------------------------------------------------------------------------------


def _asked_case(
    domain: Domain,
    question: Question,
    query: str,
    sections: list[tuple[str, str]],
    similarity: Similarity | None,
) -> Case | None:
    """The case study a question is about: named by its companies, or described ("a coffee chain
    inside bookstores") when the best section tells that case and the description fits it best."""
    if question.form in ("list", "checklist", "comparison"):
        return None
    named = domain.case_in(f"{question.text} {query}")
    if named is not None or similarity is None or not sections:
        return named
    top = sections[0]
    told = [c for c in domain.cases if c.cites and (c.cites[0].source, c.cites[0].section) == top]
    # a situation of the asker's own is a case only when it asks for one ("did that ever work for
    # anyone?"): "nine months in, little progress" is no Microsoft and OpenAI because they compete
    if not told or not (
        question.form == "example" or (question.situation and asks_for_example(question.text))
    ):
        return None
    if domain.lists_citing(*top) or any((c.source, c.section) == top for t in domain.types for c in t.cites):
        return None  # a section on a type or a list, which a case only illustrates
    scores = list(similarity([f"{c.name}: {c.what} {c.outcome}" for c in told]))
    ranked = sorted(zip(scores, range(len(told)), strict=True), reverse=True)
    best, second = ranked[0][0], ranked[1][0] if len(ranked) > 1 else 0.0
    return told[ranked[0][1]] if best >= CASE_MATCH and best - second >= ITEM_MARGIN else None


def _compared_types(domain: Domain, text: str) -> list[AllianceType]:
    kinds = domain.types_in(text)
    specific = [k for k in kinds if k.id not in _GENERIC_TYPES]
    return specific if len(specific) >= 2 else kinds


def _asked_list(domain: Domain, question: Question, sections: list[tuple[str, str]]) -> DomainList | None:
    named = domain.list_named(question.text)
    candidates = [named] if named else []
    for source, section in sections[:3]:
        candidates.extend(domain.lists_citing(source, section))
    words = set(content_words(question.text))
    best, best_score = None, -1.0
    for rank, lst in enumerate(candidates):
        if not lst.items:
            continue
        score = -0.1 * rank
        if question.count and len(lst.items) == question.count:
            score += 2.0
        elif question.count:
            score -= 2.0
        name_words = set(content_words(" ".join((lst.title, *lst.names))))
        score += len(words & name_words) / max(1, len(words))
        if score > best_score:
            best, best_score = lst, score
    return best if best is not None and best_score > 0 else None


def _list_meant(
    domain: Domain, similarity: Similarity, sections: Sequence[tuple[str, str]]
) -> DomainList | None:
    """The list whose title is far closer to the question than any other list's, when its own
    section is among the top retrieved ones."""
    lists = [lst for lst in domain.lists if lst.items and lst.kind != "types"]
    if len(lists) < 2:
        return None
    scores = list(similarity([lst.title for lst in lists]))
    ranked = sorted(range(len(lists)), key=lambda n: -scores[n])
    best, runner_up = scores[ranked[0]], scores[ranked[1]]
    if best < LIST_MEANT or best - runner_up < LIST_MEANT_MARGIN:
        return None
    found = top_sections(sections, LIST_SECTIONS)
    lst = lists[ranked[0]]
    cited = {(c.source, c.section) for c in lst.cites} | {
        (c.source, c.section) for i in lst.items for c in i.cites
    }
    return lst if cited & found else None


def _with_rival(
    plan: Plan, shown: DomainList, text: str, domain: Domain, sections: list[tuple[str, str]], cite: Citer
) -> Plan:
    """A list answer, plus one line for another list of the same kind, backed by a top retrieved
    section and named by the question's words too ("the main reasons alliances fail": the root
    causes, and Harvard Business Review's three usual ones)."""
    asked = name_words(text) - GENERIC_WORDS
    for other in (lst for pair in sections[:2] for lst in domain.lists_citing(*pair)):
        named = {w for n in (other.title, *other.names) for w in name_words(n)}
        if other.kind == shown.kind and other.items and other is not shown and asked & named:
            plan.points.insert(0, f"Also: {other.intro}{cite(other.cites)}")
            plan.items.extend(i.name for i in other.items)
            break
    return plan


def named_item(domain: Domain, text: str, sections: list[tuple[str, str]]) -> Item | None:
    """The item of a list the question names in full ("the Activate stage", "strategy drift").

    A one-word name counts only beside the word for its kind ("Activate stage", not "activate").
    Of two items with the name, the one whose list backs a top retrieved section wins.
    """
    words = set(content_words(text))
    backed = {lst.id for source, section in sections[:3] for lst in domain.lists_citing(source, section)}
    found: list[tuple[int, bool, Item]] = []
    for lst in domain.lists:
        kind_words = _KIND_WORDS.get(lst.kind)
        if kind_words is None:
            continue
        for item in lst.items:
            name = set(content_words(item.name))
            if not name or not name <= words or not name - _ITEM_GENERIC:
                continue
            if len(name) == 1 and not words & kind_words:
                continue
            found.append((len(name), lst.id in backed, item))
    if not found:
        return None
    return max(found, key=lambda f: (f[0], f[1]))[2]


def _matching_item(
    domain: Domain, query: str, sections: list[tuple[str, str]], similarity: Similarity | None
) -> Item | None:
    """The one item of a list behind the top sections that the question names or describes."""
    words = set(content_words(query))
    candidates: list[Item] = []
    for source, section in sections:
        for lst in domain.lists_citing(source, section):
            if lst.kind in SITUATION_KINDS:
                candidates.extend(i for i in lst.items if i not in candidates)
    if _WANTS_ACTION.search(query):  # "is there a fix?": the items that come with something to do
        candidates = [i for i in candidates if i.advice] or candidates
    if not candidates:
        return None
    named = max(candidates, key=lambda i: len(words & i.words()))
    if len(words & named.words()) >= 2:
        return named
    if similarity is None:
        return None
    scores = list(similarity([f"{i.name}: {i.summary}" for i in candidates]))
    ranked = sorted(zip(scores, range(len(candidates)), strict=True), reverse=True)
    best, second = ranked[0][0], ranked[1][0] if len(ranked) > 1 else 0.0
    if best >= ITEM_MATCH and best - second >= ITEM_MARGIN:
        return candidates[ranked[0][1]]
    return None


def resolve_label(
    labels: list[str], question: Question, domain: Domain | None, similarity: Similarity | None
) -> str | None:
    """Which label of an earlier answer the question points to ("the second one", "the IP one").

    Ordinals count in the list the user saw; a descriptor is matched by stemmed words against each
    label (and, for domain items, their aliases, summary, advice and the plain words people use for
    them), then by meaning.
    """
    if not labels or not question.refers_back:
        return None
    if question.ordinal == 0:  # "the middle one": only an odd number of labels has one
        return labels[len(labels) // 2] if len(labels) % 2 == 1 and len(labels) > 1 else None
    if question.ordinal is not None:
        if len(labels) >= abs(question.ordinal):
            return labels[question.ordinal - 1] if question.ordinal > 0 else labels[-1]
        return None
    if not question.descriptor:
        return None
    words = set(content_words(question.descriptor))
    texts = []
    scored = []
    for i, label in enumerate(labels):
        item = item_named(domain, label) if domain else None
        names = set(content_words(label)) | (item.words() if item else set())
        body = set(content_words(" ".join((item.summary, item.advice, *item.signals)))) if item else set()
        scored.append((2 * len(words & names) + len(words & body), -i))
        texts.append(f"{label}: {item.summary}" if item else label)
    best = max(scored)
    if best[0] > 0:
        return labels[-best[1]]
    if similarity is None:
        return None
    cosines = list(similarity(texts))
    top = max(range(len(labels)), key=lambda i: cosines[i])
    return labels[top] if cosines[top] >= LABEL_MATCH else None


def item_named(domain: Domain, name: str) -> Item | None:
    key = name.lower().strip("* ")
    for item in domain.items.values():
        if item.name.lower() == key:
            return item
    return None


# -- wording ----------------------------------------------------------------------------------------


def _first_sentence(text: str) -> str:
    match = re.search(r"(?<=[.!?])\s+(?=[A-Z])", text)
    return text[: match.start()] if match else text


def _lower_first(text: str) -> str:
    words = text.split()
    if words and words[0] == "The":
        words[0] = "the"
    return " ".join(words)
