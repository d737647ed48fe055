"""What kind of question this is: the shape an answer to it should take.

People ask an advisor in many ways: a lookup ("what is a joint venture?"), a list ("what are the
four criteria?"), a comparison ("JV vs licensing?"), a checklist ("what should be on our list before
we sign?"), a superlative ("what's the most common reason they fail?"), a situation plus a need
("our partner stopped answering, what now?"), or small talk ("hello", "what can you do?").
:func:`read_question` recognises the form from the wording alone, deterministically, so that the
answer can open with the point in the shape that was asked for. It imports nothing of the project
but the reference-back cues of :mod:`advisor.followup` (and through them the tokeniser).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from advisor.followup import LIST_NOUNS, POINTER_NOUNS, refers_back
from advisor.followup import descriptor as describes
from advisor.text import QUESTION_START, STOP_WORDS

FORMS = (
    "chat",
    "comparison",
    "checklist",
    "list",
    "superlative",
    "example",
    "definition",
    "decision",
    "situation",
    "howto",
    "why",
    "general",
)

_ORDINALS = {
    "first": 1,
    "1st": 1,
    "second": 2,
    "2nd": 2,
    "third": 3,
    "3rd": 3,
    "fourth": 4,
    "4th": 4,
    "fifth": 5,
    "5th": 5,
    "sixth": 6,
    "seventh": 7,
    "last": -1,
    "final": -1,
    "middle": 0,  # the middle one of an odd number
}
_NUMBERS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}

_HELLO_BODY = (
    r"(hi|hello|hey|hiya|howdy|yo|greetings(\s+from\s+[\w\s]{2,30}?)?|good\s+(morning|afternoon|evening|day)|"
    r"morning|happy\s+(mon|tues|wednes|thurs|fri|satur|sun)day|happy\s+(weekend|new\s+year|holidays)|"
    r"hey\s+there|hi\s+there|hello\s+there)\b[\s,!.:)]*(advisor|bot|there|all|team|folks|everyone)?[\s!.:),-]*"
)
_HELLO = r"^\s*" + _HELLO_BODY
_GREETING = re.compile(
    _HELLO + r"((i|we)\s+(have|had|got|'ve\s+got)\s+(a|one|some|two|a\s+few)\s+(quick\s+)?questions?"
    r"(\s+(about|on|regarding|for\s+you)[^?]{0,60})?|quick\s+(one|question)[^?]{0,40}|"
    r"(are\s+)?you\s+(there|around|free|awake)\??|can\s+i\s+ask\s+(you\s+)?(something|a\s+question)\??)?"
    r"[\s!.:)]*$",
    re.I,
)
_THANKS = re.compile(
    r"^\s*((lol|haha|ha|ok(ay)?|great|nice|cool|awesome|perfect|brilliant|wow|oh)[\s,!.]+)*(thanks?|thank\s+you|thx|ty|cheers|much\s+appreciated|appreciate\s+it|great,?\s+thanks?|"
    r"perfect,?\s+thanks?|ok(ay)?,?\s+thanks?|got\s+it,?\s+thanks?|that\s+helps?|helpful|nice|cool|great|"
    r"awesome|perfect|ok(ay)?|got\s+it)\b[\w\s,!.'’]{0,40}$",
    re.I,
)
_BYE = re.compile(
    r"^\s*(bye|goodbye|see\s+you|see\s+ya|later|good\s*night|ciao|talk\s+(later|soon|tomorrow)|"
    r"(i['’]ll|i\s+will|will)\s+(come|be|check)\s+back)\b[\s\w!.,]{0,20}$",
    re.I,
)
# Thanks that go on to say what for ("cheers for that, super useful for the board pack").
_THANKS_FOR = re.compile(
    r"^\s*(thanks?|thank\s+you|thx|ty|cheers|much\s+appreciated|appreciate\s+(it|that|this|the\s+help))\b[^?]{0,80}$",
    re.I,
)
# An opener: a greeting or a plea for help that does not yet say what with ("Hey, I need some help with
# a partner issue"): the reply asks for the situation rather than guessing one.
_VAGUE_THING = (
    r"(a|an|our|my|the|this|some)\s+(new\s+)?(partner(ship)?|alliance|jv|joint\s+venture|deal|collaboration)"
    r"(\s+(issue|problem|question|situation|thing|matter))?"
)
_OPENER = re.compile(
    r"^\W*(" + _HELLO_BODY + r")?[\s,!.:-]*("
    rf"(can|could|would)\s+(you|u)\s+help\s+(me|us)(\s+(with|think\s+through|figure\s+out)\s+{_VAGUE_THING})?"
    rf"|(i|we)\s+(need|could\s+use|want|would\s+like)\s+(some\s+|a\s+little\s+)?(help|advice)(\s+(with|on)\s+{_VAGUE_THING})?"
    rf"|(i|we)(['’]ve|\s+have)?\s+(got\s+)?(a|one|some)\s+(quick\s+)?questions?\s+(about|on)\s+{_VAGUE_THING}"
    r")[\s?!.]*$",
    re.I,
)
_META = re.compile(
    r"\b(who|what)\s+(are|r)\s+(you|u)\b|\bwho\s+(built|made|created|wrote|trained|develop(ed|s))\s+(you|this)"
    r"|\bwhat\s+(can|could|do)\s+(you|u)\s+(do|help|answer|know|cover)|\bhow\s+(do|can|should)\s+i\s+use\s+"
    r"(you|this)|\bwhat\s+(is|'s)\s+this\s+(bot|tool|thing)|\bare\s+you\s+(a\s+)?(bot|human|real|an?\s+ai)"
    r"|\bwhat\s+do\s+you\s+know\s+about\s*\??$|\bhelp\s*$|^\s*help\s+me\s*\??\s*$|\bwhat\s+topics\b"
    r"|\bwhat\s+kinds?\s+of\s+questions\b|\bhow\s+does\s+this\s+work\b|\bwhat\s+are\s+your\s+sources\b"
    r"|\bwhat\s+languages?\s+(do|can)\s+(you|u)\b|\bhow\s+(should|do|can)\s+i\s+(phrase|word|ask|frame)\s+"
    r"(my\s+)?(questions?|things)|\bis\s+this\s+(thing|bot|tool)\s+(on|working|live)\b"
    r"|\bcan\s+i\s+ask\s+(you\s+)?(something|a\s+question)\s*\??\s*$"
    # about the advisor itself: its answers, sources, limits, memory, languages, age, rivals
    r"|^\s*(what|where|how|which|when)(['’]s|\s+(is|are|do|does|did))?\s+your\s+(answers?|sources?|citations?|"
    r"knowledge(\s+cut-?off)?|cut-?off|data|information|model|name|limits?|training|memory|privacy)\b"
    r"|\bcan\s+i\s+trust\s+(you|u|your\s+(answers?|sources?|advice))\b"
    r"|\bare\s+(you|u)\s+(able|allowed|better|smarter|trained|updated|reliable|accurate|still\s+there|there)\b"
    r"|\bcan\s+(you|u)\s+(speak|talk\s+in|understand|remember|learn|do\s+anything\s+(else|besides|other))\b"
    r"|\bhow\s+(old|accurate|reliable|smart|recent|up\s+to\s+date)\s+(are\s+(you|u)|is\s+your)\b"
    r"|\bdo\s+(you|u)\s+(store|save|log|remember|learn\s+from)\s+(my|our|what\s+i|conversations?|chats?|messages?)"
    r"|\bdo\s+(you|u)\s+have\s+feelings\b"
    r"|\bhow\s+(can|could|would|might)\s+(you|u)\s+help\b|\bthis\s+(tool|bot|assistant|app|thing)\b"
    r"|\bis\s+(this|it)\s+(open[\s-]?source|free|paid)\b|\bwho\s+(maintains|runs|owns|hosts)\s+(this|you)\s*\??\s*$"
    r"|\b(introduce|about)\s+yourself\b|\bis\s+this\s+the\s+[\w\s-]{0,30}(bot|advisor|assistant)\b"
    r"|\byour\s+knowledge\s+base\b|\b(documents?|sources?|articles?)\s+do\s+(you|u)\s+(use|have|rely\s+on|draw\s+on)\b",
    re.I,
)
_COMPARE = re.compile(
    r"\bcompar(e|ing|ison)\b|\b(vs\.?|versus)\b|\bdifferen(ce|ces|t)\s+(between|from)\b|\bdiffer(s)?\s+from\b"
    r"|\b(better|worse|riskier|cheaper|safer|faster)\b[^?]{0,60}\bor\b|\bor\s+an?\b[^?]{0,40}\?\s*$"
    r"|\bpros\s+and\s+cons\b|\bhow\s+(is|are|does|do)\b[^?]{1,60}\b(differ|compare)\b"
    r"|\bor\b[^?.]{1,50}[-:,]\s*which\b|\bor\s+an?\b[^?]{1,50}\b(better|worse|riskier|safer|cheaper)\b|\bwhich\b[^?]{0,50}\b(less|more|better|worse|riskier|safer|cheaper)\b[^?]{0,60}\bor\b",
    re.I,
)
_CHECKLIST = re.compile(
    r"\bcheck\s?-?list\b|\bto-?do\s+list\b|\b(on|in)\s+(our|my|the|a)\s+list\b|\bwhat\s+(should|do)\s+(we|i)\s+"
    r"(check|verify|cover|prepare|have\s+in\s+place|look\s+at)\b|\bwhat\s+(needs|has)\s+to\s+be\s+(in\s+place|"
    r"checked|covered)\b|\b(before|prior\s+to)\s+(we\s+|i\s+)?(sign|signing|commit|committing|launch|launching|"
    r"kick(ing)?\s*off|start|starting)\b[^?]{0,60}\bwhat\b|\bwhat\b[^?]{0,60}\b(before|prior\s+to)\s+"
    r"(we\s+|i\s+)?(sign|signing|commit|committing|launch|launching)\b|\bsteps\s+(to|before|for)\b",
    re.I,
)
_LIST_WORD = re.compile(r"\b(check\s?-?list|to-?do\s+list|list)\b", re.I)
_LIST = re.compile(
    r"\b(what|which)\s+(are|were)\s+(the\s+)?([\w-]+\s+){0,3}"
    r"(criteria|factors|stages|phases|steps|signs|reasons|types|kinds|forms|pillars|modes|causes|bodies|"
    r"categories|elements|components|models|ways|benefits|risks|tasks|motives|drivers|lessons|examples)\b"
    r"|\b(list|name|enumerate|outline)\s+(the|all|every)\b|\b(the|all)\s+(two|three|four|five|six|seven)\s+\w+"
    r"|\bwhat\s+(criteria|factors|stages|signs|reasons|types)\b"
    # "how many stages are there?" counts a list; "how many alliances end up failing?" asks for a rate
    r"|\bhow\s+many\b(?!\s+(of\s+(them|those)|[\w-]+)\s+(\w+\s+){0,2}(fail|succeed|surviv|last|end|break|"
    r"collaps|die|work|disappoint|achiev|deliver)\w*)",
    re.I,
)
# a list asked for without naming it: steps for a plan ("what steps should we follow", "a 5-step plan",
# "step by step"), or several things of one kind ("what metrics should we track?")
_LIST_REQUEST = re.compile(
    r"\bwhat\s+(steps|stages|phases)\s+(should|do|does|must|would|will|to)\b"
    r"|\b(\d|two|three|four|five|six|seven)[\s-](step|stage|phase)\b"
    r"|\bstep[\s-]by[\s-]step\b|\bwalk\s+(me|us)\s+through\s+the\s+(steps|stages|phases)\b"
    # "What metrics should we track?", "Which KPIs do we use?": several things of one kind asked for
    r"|^\W*(what|which)\s+([\w-]+\s+)?(metrics|kpis|measures|criteria|factors|things|questions|terms|"
    r"clauses|signs|roles|bodies|mechanisms)\s+(should|do|must|would|could|can|to)\b",
    re.I,
)
_SUPERLATIVE = re.compile(
    r"\b(most|least|biggest|largest|smallest|main|top|number\s+one|#1|primary|single\s+(biggest|most))\b"
    r"|\bbest\b(?!\s+practices?)|\bworst\b|\bhow\s+(much|many|often|long)\b|\bwhat\s+(percentage|share|"
    r"proportion|fraction)\b|\bwhat\s+(year|amount|figure)\b",
    re.I,
)
_EXAMPLE = re.compile(
    r"\bexamples?\b|\bfor\s+instance\b|\bcase\s+stud(y|ies)\b|\breal[- ]world\b|\bwhich\s+companies\b"
    r"|\bwho\s+(has|have|did)\b|\bany\s+(famous|well-known|known)\b|\bshow\s+me\s+(a|an|one)\b"
    r"|\bprecedents?\b|\bwork(ed|s)?\s+for\s+(anyone|anybody|others|other\s+(firms|companies))\b"
    r"|\b(has|did)\s+any(one|body)\s+(else\s+)?(done|tried|pulled\s+off)\b",
    re.I,
)


def asks_for_example(text: str) -> bool:
    """Whether a message asks for an example or a precedent ("did that ever work for anyone?")."""
    return bool(_EXAMPLE.search(text))


_DEFINITION = re.compile(
    r"^\s*(so\s+|and\s+|ok\s+)?(what(\s+is|\s+are|'s|’s)\s+(an?\s+|the\s+)?[\w\s/&-]{2,60}\??\s*$)|\bdefin(e|ition)\b"
    r"|\bmeaning\s+of\b|\bwhat\s+does\s+[\w\s-]{2,40}\s+mean\b|\bexplain\s+(what|the\s+term)\b",
    re.I,
)
_DECISION = re.compile(
    r"\b(should|shall)\s+(we|i)\b|\bwhen\s+(should|do|to|is\s+it)\b|\bis\s+it\s+(time|worth|wise|smart|"
    r"better|too\s+late|ok)\b|\bwhether\b|\bdo\s+we\s+(need|have\s+to)\b|\bworth\s+it\b|\bwalk\s+away\b",
    re.I,
)
_HOWTO = re.compile(r"\bhow\s+(do|can|should|could|would|to|might)\b|\bwhat\s+(steps|can\s+we\s+do)\b", re.I)
_WHY = re.compile(r"^\s*(and\s+|so\s+)?why\b|\bwhy\s+(do|does|did|is|are|would|should)\b", re.I)
_SITUATION = re.compile(
    r"\b(we|we've|we're|we'd|our|my|i'm|i've|i|us)\b[^?]*\b(is|are|was|were|has|have|had|keeps?|kept|stopped|"
    r"started|signed|launched|missed|breach\w*|ignor\w*|refus\w*|slipp\w*|fail\w*|stall\w*|lost|losing|"
    r"want|wants|need|needs|plan\w*|think\w*|considering|about\s+to|going\s+to|just)\b",
    re.I,
)
# A statement before the question ("A startup wants to be our partner. What should we look at?")
_STATEMENT = re.compile(r"^[^?]{20,}?[.!]\s+\S")
_FIRST_PERSON = re.compile(r"\b(we|we've|we're|we'd|our|ours|us|my|i|i'm|i've|i'd)\b", re.I)
_NEED = re.compile(
    r"\bwhat\s+now\b|\bwhat\s+(should|do|can|could|would)\s+(we|i)\b|\bhow\s+(should|do|can)\s+(we|i)\b"
    r"|\bany\s+(advice|tips|thoughts|ideas)\b|\bhelp\b|\bideas?\b|\bwhere\s+do\s+(we|i)\s+start\b"
    r"|\bnext\s+steps?\b|\?\s*$",
    re.I,
)
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}
_NUMBERED = re.compile(
    r"(?:\b(?:number|no\.|item|point|sign|step|stage|mode|factor|reason)\s*|#)"
    r"([1-7]|one|two|three|four|five|six|seven)\b"
    # not an amount, nor a superlative ("the number one reason alliances fail")
    r"(?!\s*(%|percent|years?|months?|weeks?|days?|quarters?|reasons?|causes?|things?|priorit\w+|issues?|"
    r"problems?|mistakes?|risks?|ways?|tips?|killers?|rules?)\b)",
    re.I,
)
# The nouns the items of a list go by, and the words that are no noun ("the first of those"); any
# other word after an ordinal points into a list only if the answer it points to used it ("that second
# layer" after an answer on failure modes is no "second one").
_POINTER_AFTER_ORDINAL = re.compile(
    rf"(?:{LIST_NOUNS}|{POINTER_NOUNS})s?|\d+|[a-z]{{1,3}}|three|four|five|seven|couple|few", re.I
)
_ORDINAL = re.compile(
    r"\b(first|1st|second|2nd|third|3rd|fourth|4th|fifth|5th|sixth|seventh|last|final|middle)\b", re.I
)
# ...unless it asks for something in so many words ("Need the business case in a few bullets.")
_REQUEST = re.compile(
    r"(^|[.!:;-]\s+)(please\s+)?(need|want|give|tell|show|list|explain|share|send|summari[sz]e|outline|"
    r"draft|write|compare|help|looking\s+for|can\s+you|could\s+you)\b",
    re.I,
)
# One question and nothing told before it ("How do we know if the partnership is succeeding?") is a
# situation only when it names a trouble ("Should we exit if our partner keeps missing deadlines?").
_ONE_QUESTION = re.compile(QUESTION_START + r"[^.!?;:]*\?\s*$", re.I)
_TROUBLE = re.compile(
    r"\b(keeps?|kept|stopped|stops|missed|miss(es|ing)|breach\w*|ignor\w*|refus\w*|slipp\w*|fail\w*|stall\w*|"
    r"lost|losing|late|behind|worse|broke\w*|clash\w*|conflict\w*|disput\w*|fight\w*|argu\w*|angry|unhappy|"
    r"frustrat\w*|tense|tension|distrust\w*|stuck|silent|silence|ghost\w*|nobody|no\s+one|never|won['’]?t|"
    r"doesn['’]?t|don['’]?t|can['’]?t|isn['’]?t|aren['’]?t|not|no\s+longer|anymore|copied|poach\w*|undercut\w*|"
    r"acquired|bought|scandal\w*|probe|lawsuit|sued|burn\w*|exhaust\w*|drift\w*|overdue|delay\w*|zero|nothing|"
    r"being\s+used)\b",
    re.I,
)


def tells_trouble(text: str) -> bool:
    """Whether a message says something is going wrong ("keeps missing", "nobody owns it", "silent")."""
    return bool(_TROUBLE.search(text))


TOLD_WORDS = 12  # a first-person account this long with no question in it is a situation to advise on
_COUNT = re.compile(r"\b(two|three|four|five|six|seven|eight|nine|[2-9])\b", re.I)


@dataclass(frozen=True)
class Question:
    """The form of a question and the cues in its wording."""

    text: str
    form: str  # one of FORMS
    chat: str = ""  # greeting | thanks | bye | meta, when form == "chat"
    refers_back: bool = False  # points at something said before ("the second one", "that company")
    ordinal: int | None = None  # 1-based; -1 for "the last one", 0 for "the middle one"
    ordinal_noun: str = ""  # "layer" in "that second layer": a noun no list is known to go by
    descriptor: str = ""  # "contract" in "the contract one"
    count: int | None = None  # "the four factors" -> 4
    situation: bool = False  # describes the asker's own situation
    # the kinds of list a diagnosis may name, when the question asks for one kind ("at what point do
    # we walk?" after a told situation: the exit signs); any kind when empty
    among: frozenset[str] = frozenset()

    @property
    def wants_list(self) -> bool:
        return self.form in ("list", "checklist")


def read_question(text: str) -> Question:
    """Classify a (cleaned) question by its wording."""
    plain = " ".join(text.split())
    chat = _chat_kind(plain)
    if chat:
        return Question(plain, "chat", chat=chat)
    refers = refers_back(plain)
    ordinal, ordinal_noun = _ordinal(plain) if refers or len(plain.split()) <= 8 else (None, "")
    descriptor = describes(plain) if refers else ""
    count = _count(plain)
    statement = _STATEMENT.search(plain)
    # "The partnership is 2 years in, nobody on their side shows up anymore. Time to pull the plug?"
    # tells a trouble of the asker's alliance without saying "we"
    described = bool(_SITUATION.search(plain)) or (
        statement is not None
        and (bool(_FIRST_PERSON.search(plain)) or tells_trouble(plain[: statement.end()]))
    )
    # In chat a trouble told without a question ("the deal feels dead, no steering meeting in six
    # months") asks what to make of it as much as one that ends in "what now?".
    told = "?" not in plain and len(plain.split()) >= TOLD_WORDS and not _REQUEST.search(plain)
    situation = described and (bool(_NEED.search(plain)) or told) and len(plain.split()) >= 7
    if situation and _ONE_QUESTION.match(plain) and not tells_trouble(plain):
        situation = False  # "How do we know if the partnership is succeeding?" asks, it tells nothing
    form = _form(plain, situation)
    return Question(
        plain,
        form,
        refers_back=refers or ordinal is not None,
        ordinal=ordinal,
        ordinal_noun=ordinal_noun,
        descriptor=descriptor,
        count=count,
        situation=situation,
    )


_WAVE = re.compile(r"^[\s👋🖐✋🤚]+$")
_THUMBS = re.compile(r"^[\s🙏👍🙌💯✅❤️🔥👏]+$")


def _chat_kind(text: str) -> str:
    if len(text) > 120:
        return ""
    if _WAVE.match(text):
        return "greeting"
    if _THUMBS.match(text):
        return "thanks"
    if _GREETING.match(text):
        return "greeting"
    if _BYE.match(text):
        return "bye"
    if _THANKS.match(text):
        return "thanks"
    if _THANKS_FOR.match(text) and len(text.split()) <= 14:
        return "thanks"
    if _OPENER.match(text):
        return "opener"
    if len(text.split()) <= 14 and (_META.search(text) or (_LIMITS.search(text) and _ADDRESSED.search(text))):
        return "meta"
    return ""


# What the advisor covers, asked of it ("can you help with stuff beyond partnerships?", "do you only
# know about alliances?"): with a "you" addressed to it, in a short message.
_LIMITS = re.compile(
    r"\b(beyond|besides|apart\s+from|other\s+than|outside(\s+of)?|except)\s+(the\s+)?(alliances?|partnerships?|"
    r"partner|alliance|partnering)\b|\b(only|just|limited\s+to)\s+((know|knows|cover|do|answer)\s+(about\s+)?)?"
    r"(alliances?|partnerships?|alliance\s+\w+|partnership\s+\w+)\b|\b(other|general|different)\s+"
    r"(topics|subjects|areas|business\s+questions)\b",
    re.I,
)
_ADDRESSED = re.compile(
    r"\b(can|could|do|are|will|would)\s+(you|u)\b|\b(you|u)\s+(can|could|know|cover|do|help)\b", re.I
)
_THANKS_CUE = re.compile(
    r"\b(thanks?|thank\s+you|thx|ty|cheers|appreciated?|helpful|clears?\s+it\s+up)\b", re.I
)
_HELLO_CUE = re.compile(_HELLO, re.I)
_BYE_CUE = re.compile(r"\b(bye|goodbye|good\s*night|see\s+(you|ya)|brb|gotta\s+go|signing\s+off)\b", re.I)
_UNHAPPY = re.compile(
    r"\b(useless|((that|this|it)('?s|\s+is|\s+was)|you('?re|\s+are)|totally|completely)\s+wrong|wrong\s+answer|not\s+(helpful|useful|what\s+i\s+asked)|didn'?t\s+help|doesn'?t\s+help|bad\s+answer|"
    r"makes?\s+no\s+sense|nonsense)\b",
    re.I,
)


def chat_kind(text: str) -> str:
    """Which friendly reply fits a message the scope model reads as small talk but whose wording
    matched no pattern ("lol thanks, that's super helpful", "that was useless"): meta by default."""
    plain = " ".join(text.split())
    kind = _chat_kind(plain)
    if kind:
        return kind
    if _UNHAPPY.search(plain):
        return "unhappy"
    if _THANKS_CUE.search(plain):
        return "thanks"
    if _BYE_CUE.search(plain):
        return "bye"
    if _HELLO_CUE.match(plain):
        return "greeting"
    return "meta"


def _form(text: str, situation: bool) -> str:
    if _COMPARE.search(text):
        return "comparison"
    if _CHECKLIST.search(text) and (not situation or _LIST_WORD.search(text)):
        # "...not sure they'll be around in 18 months. What should we look at?" describes a
        # situation and wants advice on it; a checklist is asked for by name
        return "checklist"
    if _LIST.search(text) or (_LIST_REQUEST.search(text) and not situation):
        return "list"
    if _EXAMPLE.search(text) and not situation:
        return "example"
    if _SUPERLATIVE.search(text) and not situation:
        return "superlative"
    if situation:
        return "situation"
    if _DEFINITION.search(text):
        return "definition"
    if _DECISION.search(text):
        return "decision"
    if _WHY.search(text):
        return "why"
    if _HOWTO.search(text):
        return "howto"
    return "general"


def _ordinal(text: str) -> tuple[int | None, str]:
    """The position a question points to ("the second one" is 2), and the noun after the ordinal
    when it is not one a list is known to go by ("layer" in "that second layer")."""
    numbered = _NUMBERED.search(text)  # "number five on that list", "#2", "point 3"
    if numbered:
        value = numbered.group(1).lower()
        return (int(value) if value.isdigit() else _NUMBER_WORDS[value]), ""
    match = _ORDINAL.search(text)
    if not match:
        return None, ""
    # "first" in "what should we do first?" is not a pointer; require a noun-ish pointer nearby,
    # and not an idiom ("in the first place", "the first time", "last year")
    after = text[match.end() : match.end() + 25].lower()
    if re.match(r"\s*(place|time|times|glance|sight|hand|year|month|week|quarter|night)\b", after):
        return None, ""
    noun = re.match(r"\s*(\w+)\b", after)
    if not noun:
        return None, ""
    known = _POINTER_AFTER_ORDINAL.fullmatch(noun.group(1)) or noun.group(1) in STOP_WORDS
    return _ORDINALS[match.group(1).lower()], "" if known else noun.group(1)


def _count(text: str) -> int | None:
    match = _COUNT.search(text)
    if not match:
        return None
    word = match.group(1).lower()
    return _NUMBERS.get(word) or (int(word) if word.isdigit() else None)


# What people type to see the rest of the last answer (the REPL's "more", Slack's "Show more").
MORE_WORDS = frozenset(
    {"more", "more please", "tell me more", "go on", "show more", "more detail", "full answer"}
)


def asks_for_more(text: str) -> bool:
    """Whether a message only asks for the full detail of the last answer ("more", "go on")."""
    return " ".join(text.lower().split()).rstrip(".!?") in MORE_WORDS
