"""Follow-ups: does a question build on the last answer, or start afresh?

In a session every question after the first could be either. "How do I assess the second one?"
cannot be answered without the previous question; "Why do alliances fail?" must be answered
exactly as in a fresh session, even right after "What is a joint venture?". The decision uses
three signals, measured on the gold dev conversations with MiniLM (see the thresholds below):

- the wording: a reference back ("the second one", "that company", "the contract one", "go deeper",
  "what about", a trailing "it" in a short question), a question with no words of its own beyond a
  request ("Can you give an example?", "Why?"), or an explicit switch ("Different question: ...");
- how few content words the question has;
- the retrieval gain: the question is retrieved alone and with the previous query in front. A short
  question without a reference cue is merged only when the merged query finds clearly closer
  passages (best dense similarity); one with a cue unless it finds clearly less close ones.

The Advisor never merges into small talk or a refused turn, and a short question that is out of
scope alone is not merged into an in-scope one (merging would make it look in scope). Imports nothing of the
project but the tokeniser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from advisor.text import content_words

# A question that refers back cannot be read alone: it is merged unless the merged query finds
# clearly less close passages (then the cue was probably a false one, such as an "it" that points
# inside the question). -0.05 rather than 0: 'Why does it make partnerships hard?' after 'What is
# coopetition?' loses 0.01 merged yet only the merged query finds the coopetition section.
REFERENCE_GAIN = -0.05
# A short question with no reference cue ("How do we counter strategy drift?") is merged only on a
# large gain, and only when it is in scope on its own (short out-of-scope questions gain as much).
FEW_WORDS = 4
FEW_WORDS_GAIN = 0.30
FEW_WORDS_MIN_SIMILARITY = 0.25
# A reference cue in a long question usually points inside the question itself.
REFERENCE_MAX_WORDS = 8

# -- references back: the wording that points at something said before --------------------------------
# Shared with advisor.understand (Question.refers_back, Question.descriptor), so the two read a reference
# the same way.

# Nouns a reference back points with: "the contract one", "that stage", "the chip company".
POINTER_NOUNS = (
    "point|item|bit|part|factor|stage|phase|sign|mode|step|pillar|reason|option|type|kind|example|case|"
    "countermeasure|criterion|company|firm|partner|deal|alliance|venture|thing|list|clause|provision|mechanism|"
    "body|committee|tip|idea|suggestion|advice|metric|kpi"
)
# Nouns the items of a list go by after an ordinal: "the second one", "the last pillar".
LIST_NOUNS = (
    "one|ones|point|item|factor|stage|sign|step|type|option|reason|pillar|phase|mode|cause|criterion|"
    "element|area|task|body|motive|benefit|trait|bullet|part|check|tip|lesson|example|case|kpi|metric"
)
# A determiner that is no noun: "that a partner ...", "this is ...", "that we ...".
_NOT_A_NOUN = (
    r"(?:a|an|the|is|was|are|were|it|its|they|them|their|we|our|you|your|i|he|she|to|of|in|on|at|for|with|"
    r"and|or|but|if|when|can|will|would|should|could|may|might|must|do|does|did|has|have|had|not|means?|way|"
    r"much|many|(?:time|year|month|quarter|week|weekend|day|morning|afternoon|evening|night)s?)\b"
)
REFERENCE = re.compile(
    r"\b(the|that|this)\s+(?:[\w'’-]+\s+){0,3}?(one|ones)\b"
    # "that company", "this stage": singular after that/this ("that partners share ..." is a clause)
    rf"|\b(that|this)\s+(?!{_NOT_A_NOUN})(?:[\w'’-]+\s+){{0,2}}?({POINTER_NOUNS})\b"
    rf"|\b(those|these)\s+(?!{_NOT_A_NOUN})(?:[\w'’-]+\s+){{0,2}}?({POINTER_NOUNS}|companies|criteria)s?\b"
    r"|\b(go\s+deeper|(tell|say)\s+(me\s+)?more|more\s+(on|about|detail)|elaborate|expand\s+on)\b"
    r"|^\W*(and|so|ok|okay|but)?[\s,]*(what|how)\s+about\b"
    rf"|\b(first|second|third|fourth|fifth|sixth|seventh|last|final|middle|other)\s+({LIST_NOUNS})s?\b"
    r"|\bwhich\s+(one|of\s+(those|these|them))\b"
    # "the clause you mentioned", "what you said about trust", "as you listed above"
    r"|\byou\s+(just\s+)?(mentioned|said|listed|named|described|suggested|recommended|brought\s+up|talked\s+about)\b"
    # "the culture bit", "the money side": colloquial pointers at one part of the last answer
    r"|\bthe\s+(?:[\w'’-]+\s+){1,2}?(bit|side)\b",
    re.I,
)
# "this/these/those" before any noun ("is this normal?", "who sits on those committees?") and a closing
# "that <noun>" ("how do we fix that problem"): references back in a short question only.
_DETERMINER = re.compile(
    rf"\b(this|those|these)\s+(?!{_NOT_A_NOUN})[\w'’-]{{3,}}"
    rf"|\b(that)\s+(?!{_NOT_A_NOUN})[\w'’-]{{3,}}\s*[?.!]*\s*$"
    # an elliptical follow-up: "and the adapt stage?", "and for a JV?", "but with a rival?"
    r"|^\W*(and|but|or)\s+(the|that|this|for|with|in|on|if|when|what\s+if)\b",
    re.I,
)
_EARLIER_SENTENCE = re.compile(r"[.!?]\s+\S")
# A question that ends on a pronoun ("why does that matter?" is caught by the subject rule below).
_ENDS_ON_PRONOUN = re.compile(r"\b(those|these|them|it|that)\s*\??\s*$", re.I)
# What a reference describes its target by: "contract" in "the contract one", "chip" in "the chip
# company", "retailer" in "the one with the retailer".
_DESCRIPTOR = re.compile(
    r"\bthe\s+one\s+(?:with|about|on|for|from|where|in)\s+(?:the\s+|a\s+|an\s+|its\s+)?"
    r"(?P<after>[\w'’ /&-]{2,40})"
    rf"|\b(?:the|that|this)\s+(?P<before>(?:[\w'’-]+\s+){{0,3}}?)(?:one|ones|side|{POINTER_NOUNS})s?\b",
    re.I,
)
_ORDINAL_WORDS = frozenset(
    "first 1st second 2nd third 3rd fourth 4th fifth 5th sixth seventh last final middle other next".split()
)
# Words around a descriptor that do not describe anything.
_FILLER = frozenset(
    "the that this those these one ones point item bit part about on more go deeper and what how so "
    "is are was does do did work works mean means look looks like".split()
)

# Words every item of this domain could be described by ("the partner's public behaviour"): they tell
# no item from another.
_GENERIC = re.compile(r"(partner|partnership|alliance|company|firm|deal)(s|'s|’s)?", re.I)


def descriptor(text: str) -> str:
    """The words a reference back describes its target by ("" when it has none)."""
    for match in _DESCRIPTOR.finditer(text):
        after = match.group("after")
        phrase = re.split(r"\s[-–—]|[?,.;:!]", after)[0] if after else match.group("before")
        words = [w for w in phrase.lower().split() if w not in _FILLER and w not in _ORDINAL_WORDS]
        specific = [w for w in words if not _GENERIC.fullmatch(w)]
        if words:
            return " ".join(specific or words)
    return ""


# Words of a message that talk to the advisor rather than about a topic ("are you sure?", "cool, what
# else?"): no follow-up is read from them alone.
_CHATTY = frozenset(
    content_words("sure really else cool ok okay lol thanks thank great nice bot name human help hi hey")
)
_ASKS = re.compile(
    r"\?\s*$|^\W*(and\s+|so\s+|ok\.?\s+|okay\.?\s+|but\s+)?(why|how|what|who|when|where|which)\b", re.I
)


def asks_on(question: str) -> bool:
    """Whether a message asks something with words of its own about a topic ("why, usually?", "ok.
    how do we write down who brings what, early on?"), not only about the advisor ("how are you?")."""
    return bool(_ASKS.search(question)) and bool(set(content_words(question)) - _CHATTY)


# A pronoun as what a short question acts on: "how would we set that up?", "who should run it?"
OBJECT_PRONOUN = re.compile(
    r"\b(set|run|fund|staff|structure|organi[sz]e|measure|track|write|draft|negotiate|implement|do|"
    r"handle|raise|frame|chair|lead|own|start|build|test|check)\s+(that|it|this|those|these|them)\b"
    r"(?!\s+(is|was|are|were|will|would|can|should)\b)",
    re.I,
)


def refers_back(text: str) -> bool:
    """Whether the wording points at something said before ("the contract one", "that company",
    "go deeper", "...those?"), however long the question."""
    if REFERENCE.search(text) or _ENDS_ON_PRONOUN.search(text):
        return True
    short = len(content_words(text)) <= REFERENCE_MAX_WORDS
    return short and (_determiner(text) or bool(OBJECT_PRONOUN.search(text)))


def _determiner(text: str) -> bool:
    """Whether "this/these/those <noun>" points back, not at a sentence before it in the same message
    ("Someone compared an alliance to a wedding. What was the point of that comparison?")."""
    return bool(_DETERMINER.search(text)) and not _EARLIER_SENTENCE.search(text.strip())


# ...also before a particle: "any stat that backs that up?", "can you spell it out?"
_TRAILING_PRONOUN = re.compile(
    r"\b(those|these|them|it|that|this|one)(\s+(up|out|down|again|further))?\s*[?.!]*\s*$", re.I
)
# "Why does that matter?", "What made it durable?": a pronoun as the subject of a short question
# (not the "it" of "will it rain", "what does it take").
_PRONOUN_SUBJECT = re.compile(
    r"\b(does|did|do|is|was|are|were|would|will|can|could|should|has|have|had|made|makes|make)\s+"
    r"(it|that|this|they|those|these)\b(?!\s+(a|an|the|rain\w*|snow\w*|be|take|takes|cost)\b)"
    r"|\b(their|its)\s+\w+"  # "How long does their partnership run?"
    # "one" standing for the thing just discussed: "when should we put one in?", "do we need one?"
    r"|\b(need|want|have|get|put|set\s+up|draft|write|add|use|build|create|start|pick|choose|form)\s+one\b"
    r"(?!\s+(of|more|another|thing|day|year|partner|company|firm|side))",
    re.I,
)
TRAILING_PRONOUN_MAX_WORDS = 3
# "What is a paper partnership and how do you prevent it?": the pronoun's antecedent is in the
# question itself.
# (A leading "and" continues the conversation: "and how do we prevent that?" points back.)
_SECOND_CLAUSE = re.compile(
    r"\w[\s,]+and\s+(how|what|who|why|when|where|which|is|are|do|does|can|should)\b", re.I
)
# "What is a resource map?": a definition question names its own topic.
_DEFINITION = re.compile(
    r"^\W*(so\s+|and\s+|ok\s+)?(what\s+(is|are)|what['’]s|define)\s+(?!(it|this|that|those|these|they|them)\b)"
    r"[\w\s/&'’-]{2,60}\??\s*$",
    re.I,
)
_SWITCH = re.compile(
    r"\b(different|separate|another|new|unrelated|other)\s+(question|topic|thing|subject|matter)\b"
    r"|\bsomething\s+(else|different)\b|\bswitch(ing)?\s+(topics?|gears|subjects?)\b"
    r"|\bchange\s+of\s+(topic|subject)\b|\bon\s+another\s+note\b|\bunrelated\b",
    re.I,
)
# Words that ask for something about a topic without naming one.
_REQUEST_WORDS = frozenset(
    content_words(
        "give show share example examples instance case explain explanation elaborate detail details "
        "further deeper clarify mean meaning exactly really else expand say more why how so "
        "other others another additional"
    )
)


@dataclass(frozen=True)
class Cues:
    """What a question's wording says about its link to the previous turn."""

    words: int  # content words
    refers_back: bool = False  # "the second one", "that company", "go deeper", a short "...it?"
    generic: bool = False  # no words of its own beyond a request: "Can you give an example?"
    switch: bool = False  # "Different question: ...", "Something else: ..."
    definition: bool = False  # "What is a resource map?"

    @property
    def candidate(self) -> bool:
        """Worth retrieving merged with the previous query to find out."""
        if self.switch or (self.definition and not self.refers_back):
            return False
        return self.refers_back or self.generic or self.words <= FEW_WORDS


def read_cues(question: str) -> Cues:
    words = content_words(question)
    n = len(words)
    pronoun = n <= TRAILING_PRONOUN_MAX_WORDS and not _SECOND_CLAUSE.search(question)
    refers = (
        (
            (
                bool(REFERENCE.search(question))
                or _determiner(question)
                or bool(OBJECT_PRONOUN.search(question))
            )
            and n <= REFERENCE_MAX_WORDS
        )
        or (pronoun and bool(_TRAILING_PRONOUN.search(question)))
        or (pronoun and bool(_PRONOUN_SUBJECT.search(question)))
    )
    return Cues(
        words=n,
        refers_back=refers,
        generic=all(w in _REQUEST_WORDS for w in words),
        switch=bool(_SWITCH.search(question)),
        definition=bool(_DEFINITION.match(question)),
    )


# "that office", "that second layer", "those addenda": a determiner before a word
_DETERMINED = re.compile(
    rf"\b(?:that|this|those|these)\s+(?!{_NOT_A_NOUN})((?:[\w'’-]+\s+)?[\w'’-]{{3,}})", re.I
)


def points_into(question: str, answer: str) -> bool:
    """Whether the question names, after "that/this/those/these", a thing the last answer spoke of
    ("how long do we keep that office going?" after an answer on a joint integration office): a
    reference back, wherever it stands in the question."""
    said = set(content_words(answer))
    for match in _DETERMINED.finditer(question):
        words = [w for w in content_words(match.group(1)) if not _GENERIC.fullmatch(w)]
        if (words and words[-1] in said) or (len(words) > 1 and words[0] in said):
            return True
    return False


def merges(cues: Cues, alone_similarity: float, merged_similarity: float) -> bool:
    """Whether the question is read together with the previous query, given both retrievals' best
    dense similarity."""
    if not cues.candidate:
        return False
    if cues.generic:
        return True
    gain = merged_similarity - alone_similarity
    if cues.refers_back:
        return gain >= REFERENCE_GAIN
    return gain >= FEW_WORDS_GAIN and alone_similarity >= FEW_WORDS_MIN_SIMILARITY


def merged_query(previous: str, question: str) -> str:
    return f"{previous} {question}"


def root_query(query: str, question: str) -> str:
    """The standalone query a merged query was built on ("What is a JV? Can you give an example?"
    asked as "Can you give an example?" gives "What is a JV?"); any other query unchanged."""
    suffix = f" {question}"
    if query.endswith(suffix) and len(query) > len(suffix):
        return query[: -len(suffix)]
    return query


# -- what a reference back points to -------------------------------------------------------------------
# Beyond the labels an answer showed ("the contract one"), a reference may point to a name it mentioned
# ("the chip company" after an answer naming BMW, Intel and Mobileye) or to a named item the user knows
# from elsewhere ("the adapt stage"). Matching by meaning asks for a clear winner: MiniLM puts "chip
# company" at 0.52 to "Intel" and 0.37 to "BMW", but "car maker" at 0.60 to BMW and 0.62 to Tesla.
NAME_MATCH = 0.45
NAME_MARGIN = 0.1
_NAME_RUN = re.compile(r"\b[A-Z][\w&'’-]*(?:\s+(?:&\s+)?[A-Z][\w&'’-]*)*")
_NOT_NAMES = frozenset(
    "A An And As At But By Each Example For From How If In It Its No Not On Once One Or Our So That The "
    "Their These They This Those To Together Unlike We What When Where Which While Why With You Your "
    "Outcomes Practical Tip Do".split()
)


def names_in(text: str, besides: tuple[str, ...] | list[str] = ()) -> list[str]:
    """The bold terms and capitalised names an answer mentions ("supply chain/channel", "Intel"), without
    the capitalised words every sentence opens with, nor those that are part of a name ``besides``."""
    found: list[str] = []
    for term in re.findall(r"\*\*([^*]+)\*\*", text):  # the bold terms it showed ("supply chain/channel")
        term = term.strip(" .:;,").removesuffix("'s").removesuffix("’s")
        if term and not re.search(r"\d", term) and not any(_within(term, o) for o in [*besides, *found]):
            found.append(term)
    plain = re.sub(r"\[\d+\]|[*_#`]", " ", text)
    for run in _NAME_RUN.findall(plain):
        words = run.split()
        while words and words[0] in _NOT_NAMES:
            words = words[1:]
        name = " ".join(words).removesuffix("'s").removesuffix("’s")
        if len(name) > 1 and not any(_within(name, other) for other in [*besides, *found]):
            found.append(name)
    return found


def _within(name: str, other: str) -> bool:
    """Whether a name is (a part of) another one: "Supply" of "Supply chain/channel"."""
    return re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", other, re.I) is not None


def by_words(description: str, names: list[str]) -> str | None:
    """The one name that holds every word of the description ("adapt" -> "Adapt")."""
    words = set(content_words(description))
    if not words:
        return None
    hits = [n for n in names if words <= set(content_words(n))]
    return hits[0] if len(set(hits)) == 1 else None


def by_meaning(names: list[str], cosines: list[float]) -> str | None:
    """The name closest in meaning to the description, when it is close and clearly the closest."""
    if not names:
        return None
    ranked = sorted(zip(cosines, names, strict=True), reverse=True)
    best, name = ranked[0]
    runner_up = ranked[1][0] if len(ranked) > 1 else -1.0
    return name if best >= NAME_MATCH and best - runner_up >= NAME_MARGIN else None
