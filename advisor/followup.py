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

_REFERENCE = re.compile(
    r"\b(the|that|this)\s+(?:[\w'’-]+\s+){0,3}?(one|ones)\b"
    r"|\b(that|this|those|these)\s+(?!(?:a|an|the|is|was)\b)(?:[\w'’-]+\s+){0,2}?(point|item|bit|part|"
    r"factor|stage|sign|mode|step|company|companies|firm|example|case|type|option|pillar|reason|list|"
    r"countermeasure|criterion|criteria|partner|deal|alliance|venture|thing)s?\b"
    r"|\b(go\s+deeper|(tell|say)\s+(me\s+)?more|more\s+(on|about|detail)|elaborate|expand\s+on)\b"
    r"|^\W*(and|so|ok|okay|but)?[\s,]*(what|how)\s+about\b"
    r"|\b(first|second|third|fourth|fifth|sixth|seventh|last|final|middle|other)\s+(one|ones|point|item|"
    r"factor|stage|sign|step|type|option|reason)\b"
    r"|\bwhich\s+(one|of\s+(those|these|them))\b",
    re.I,
)
_TRAILING_PRONOUN = re.compile(r"\b(those|these|them|it|that|this|one)\s*[?.!]*\s*$", re.I)
# "Why does that matter?", "What made it durable?": a pronoun as the subject of a short question
# (not the "it" of "will it rain", "what does it take").
_PRONOUN_SUBJECT = re.compile(
    r"\b(does|did|do|is|was|are|were|would|will|can|could|should|made|makes|make)\s+"
    r"(it|that|this|they|those|these)\b(?!\s+(a|an|the|rain\w*|snow\w*|be|take|takes|cost)\b)"
    r"|\b(their|its)\s+\w+",  # "How long does their partnership run?"
    re.I,
)
TRAILING_PRONOUN_MAX_WORDS = 3
# "What is a paper partnership and how do you prevent it?": the pronoun's antecedent is in the
# question itself.
_SECOND_CLAUSE = re.compile(r"\band\s+(how|what|who|why|when|where|which|is|are|do|does|can|should)\b", re.I)
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
        "further deeper clarify mean meaning exactly really else expand say more why how so"
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
        (bool(_REFERENCE.search(question)) and n <= REFERENCE_MAX_WORDS)
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
