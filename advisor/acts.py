"""What a request asks the advisor to *do*, apart from what it is about.

The knowledge base explains alliances and advises on them: what they are, how to choose a partner,
govern, measure, rescue or leave one. Some requests name an alliance, a partner or a contract and
still ask for something no passage can give: produce a document ("draft the exit clause"), give a
legal opinion on one ("review our reseller contract"), name a product or vendor ("which PRM tool
should we buy?"), report live facts ("latest news on their deal", "current share price"), or give
regulated professional advice (tax, accounting standards, payroll, employment law, litigation,
fundraising, investing). Their topic looks in scope to a sentence embedding, so the scope classifier
alone answers them; their *act* does not.

    request_act("Can you draft a termination clause for our JV?")   # -> "draft"
    request_act("Our partner keeps missing deadlines. What now?")   # -> None

The patterns are general cues of each act written from the kinds of requests, never from eval
items; ``tests/test_scope.py`` checks that none fires on the written in-domain questions of
``knowledge/_domain/questions.yaml``. Imports nothing of the project.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Literal

Act = Literal["draft", "review", "pick", "news", "advice"]


def _any(*alternatives: str) -> str:
    return "(?:" + "|".join(alternatives) + ")"


def _words(alternatives: str) -> str:
    """A group of whitespace-separated alternatives (each a regex without spaces: ``\\s+`` inside)."""
    return _any(*alternatives.split())


# The start of a request addressed to the advisor: a sentence start, optionally softened ("ok, can
# you please", "I need you to", "help me"). "I'm drafting our strategy" is not a request to draft.
_ASK = r"(?:^|[.!?:;]\s+|\n)\s*(?:ok(?:ay)?,?\s+|so,?\s+|hey,?\s+|hi,?\s+)?(?:please\s+|pls\s+)?" + _any(
    r"(?:can|could|would|will)\s+you\s+(?:please\s+|just\s+|quickly\s+)?",
    r"(?:i|we)\s+(?:need|want|would\s+like|'d\s+like)\s+(?:you\s+)?to\s+",
    r"help\s+(?:me|us)\s+(?:to\s+)?",
    "",
)
# Things a user might want written or read for them. Not "report" or "plan": the advisor explains those.
_DOCUMENT = _words(
    r"clauses? contracts? agreements? nda mou memo(?:randum|s)? term\s*sheets? letters? e-?mails? "
    r"messages? press\s+releases? announcements? posts? tweets? newsletters? slogans? taglines? "
    r"poems? stor(?:y|ies) essays? speech(?:es)? scripts? code functions? quer(?:y|ies) regex\w* "
    r"polic(?:y|ies) job\s+ad\w* job\s+descriptions? proposals? pitch(?:\s+deck)? decks? slides? "
    r"presentations? invoices? templates? wording copy blog\s*posts? articles? addend(?:um|a) "
    r"amendments? rfps? statements?\s+of\s+work minutes agendas? bylaws logos? resumes? cvs? charters?"
)
_DRAFT = _any(
    _ASK
    + _words(
        r"draft write re-?write re-?word compose prepare redline translate generate create design "
        r"produce put\s+together come\s+up\s+with fill\s+(?:in|out)"
    )
    + r"\s+(?:\S+\s+){0,6}?"
    + _DOCUMENT
    + r"\b",
    r"\b(?:exact|actual|precise|sample|model|standard|boilerplate)\s+(?:wording|language|text)\b",
    r"\bgive\s+(?:me|us)\s+(?:\d+|some|a\s+few|ten|five)\s+(?:\S+\s+){0,3}?"
    r"(?:ideas|names|slogans|taglines|posts|tweets|headlines|captions|subject\s+lines)\b",
)
_REVIEW = _any(
    _ASK
    + _words(
        r"review check look\s+(?:over|through|at) go\s+(?:over|through) vet audit read mark\s+up "
        r"sanity[-\s]check proof-?read edit summari[sz]e"
    )
    + r"\s+(?:my|our|this|these|the\s+attached|the\s+following|attached|the\s+draft|a\s+draft)\b"
    + r"(?:\s+\S+){0,5}?\s+"
    + _DOCUMENT
    + r"\b",
    # a legal opinion, or a document the advisor cannot see
    r"\b(?:enforceable|legally\s+binding|statute\s+of\s+limitations|sue\s+(?:them|the|our|a|for)"
    r"|in\s+(?:which\s+)?court|antitrust\s+(?:clearance|approval|filing)|merger\s+control|gdpr"
    r"|attached|attaching|uploaded|this\s+(?:pdf|doc|document|file|spreadsheet|deck))\b",
    r"\b(?:valid|legal|lawful|enforceable|allowed|permitted)\s+(?:under|in)\s+(?:\S+\s+){0,3}?law\b",
    r"\bis\s+(?:this|the|our|my|that|an?)\s+(?:\S+\s+){0,4}?(?:clause|contract|agreement|term|provision)s?\s+"
    r"(?:legal|valid|lawful|enforceable|binding)\b",
)
# Products and providers a user might ask to have named for them.
_TOOL = _words(
    r"software (?:software|project[-\s]management|collaboration|tracking|e-?signature|online|ai)\s+tools? "
    r"apps? applications? platforms? crm prm erp saas plugins? vendors? agenc(?:y|ies) law\s+firms? "
    r"lawyers? attorneys? consultanc(?:y|ies) consulting\s+firms? consultants? banks? brokers? "
    r"cloud(?:\s+providers?)? hosting"
)
_PRODUCT = _any(
    _TOOL, _words("providers? suppliers? manufacturers? distributors? resellers? companies firms")
)
_PICK = _any(
    r"\b(?:which|what(?:'s|\s+is|\s+are)?|who(?:'s|\s+is|\s+are)?|recommend\w*|suggest\w*|name|list|"
    r"checklist\s+of|list\s+of|give\s+me)\s+"
    r"(?:\S+\s+){0,4}?(?:best|top|cheapest|leading|good|right|most\s+\w+)\s+(?:\S+\s+){0,3}?"
    + _PRODUCT
    + r"\b",
    r"\b(?:which|what)\s+(?:\S+\s+){0,3}?" + _TOOL + r"\s+(?:should|would|could|do|to|is|are|for)\b",
    r"\b(?:which|what)\s+(?:\S+\s+){0,3}?" + _PRODUCT + r"\s+(?:is|are)\s+(?:the\s+)?"
    r"(?:best|cheapest|better|cheaper|fastest|most\s+\w+)\b",
    r"\b(?:recommend|suggest)\s+(?:me\s+|us\s+)?(?:an?\s+|some\s+|good\s+)?(?:\S+\s+){0,5}?"
    + _PRODUCT
    + r"\b",
    r"\b(?:list|find|give\s+me|name)\s+(?:me\s+)?(?:a\s+list\s+of\s+|some\s+|\d+\s+)(?:\S+\s+){0,3}?"
    r"(?:companies|firms|vendors|suppliers|manufacturers|distributors|agencies|startups)\b",
)
# Live facts and forecasts: the knowledge base is a fixed text with no date.
_NEWS = _any(
    r"\b(?:latest|recent|breaking)\s+(?:news|updates?|headlines|announcements?|developments?|deals?"
    r"|rumou?rs?)\b",
    r"\b(?:any|the)\s+news\s+(?:on|about|from|of)\b",
    r"\bthe\s+latest\s+(?:on|about|with|from)\b",
    r"\banything\s+new\s+(?:on|about|with|from|at)\b",
    r"\bwhat(?:'s|’s|s|\s+is)\s+new\s+(?:with|at)\s+(?:the\s+)?(?-i:[A-Z])",
    r"\bin\s+the\s+news\s+(?:this|today|lately)\b",
    # a question on a named company's recent doings: "did Nestle sign ... last month?"
    r"\b(?:did|has|have|is|are|was|were)\s+(?:the\s+)?(?-i:[A-Z])\S*\s+(?:\S+\s+){0,6}?"
    r"(?:this|last)\s+(?:week|month|quarter|year)\b",
    r"\b(?:annual|current|latest|quarterly)\s+(?:revenues?|sales|profits?|earnings|headcount|valuation|ceo)\b",
    r"\b(?:share|stock)\s+prices?\b",
    r"\bmarket\s+cap\w*\b",
    r"\b(?:valuation|revenue|earnings)\s+(?:of|for)\s+(?-i:[A-Z])\w+\b",
    r"\bwill\s+(?:\S+\s+){0,3}?(?:go\s+up|go\s+down|rise|fall|outperform|crash|recover)\b",
)
# Regulated or specialist advice: tax and accounting, payroll and employment law, fundraising and
# investing, partnership law (LLPs), compliance regimes, valuation arithmetic.
_ADVICE = (
    r"\b"
    + _words(
        r"vat sales\s+tax withholding\s+tax tax(?:es|ed|able|ation)? transfer\s+pric\w+ ifrs gaap "
        r"asc\s*\d+ journal\s+entr\w+ depreciat\w+ amorti[sz]\w+ revenue\s+recognition equity\s+method "
        r"payroll overtime parental\s+leave maternity paternity severance "
        r"minimum\s+wage pay\s*slips? pensions? performance\s+improvement\s+plans? remote\s+work "
        r"interview\s+questions salar(?:y|ies) sick\s+(?:leave|pay) employee\s+handbook "
        r"vacation\s+policy holiday\s+allowance "
        r"(?:fire|dismiss|lay\s+off)\s+(?:an?\s+|our\s+|my\s+)?(?:employee|someone|staff|people|worker)s? "
        r"(?-i:visas?) work\s+permits? seed\s+round series\s+[a-d] venture\s+capital\w* vcs? "
        r"angel\s+investors? convertible\s+notes? cap\s+table equity\s+dilution "
        r"(?<!their\s)(?<!its\s)(?<!last\s)(?:funding|investment|next|seed|first)\s+round "
        r"raise\s+(?:money|capital|funds|funding|a\s+round) "
        r"(?:buy|sell|hold|short)\w*\s+(?:\S+\s+){0,3}?(?:shares|stocks?) "
        r"stock\s+(?:tips?|market|picks?) (?:good|safe|long-term)\s+investments? etfs? index\s+funds? "
        r"dividend\s+stocks? (?:investment|stock|my)\s+portfolio bitcoin crypto\w* ethereum mortgage "
        r"retirement credit\s+score insurance\s+(?:policy|policies|cover|coverage|premiums?) d&o "
        r"ebitda npv irr dcf discount\s+rate llps? limited(?:\s+liability)?\s+partnerships? "
        r"general\s+partnerships? partnership\s+deed iso\s*\d+ ai\s+act fcpa anti-?bribery "
        r"anti-?corruption aml kyc export\s+controls?"
    )
    + r"\b"
    # An employee's notice period is HR; a partner contract's termination notice is the domain's.
    + r"|\b(?:employees?|staff|workers?)\b.{0,60}\bnotice\s+periods?\b"
    + r"|\bnotice\s+periods?\b.{0,60}\b(?:employees?|staff|workers?)\b"
)

_ACTS: tuple[tuple[Act, str], ...] = (
    ("draft", _DRAFT),
    ("review", _REVIEW),
    ("pick", _PICK),
    ("news", _NEWS),
    ("advice", _ADVICE),
)


@cache
def _patterns() -> tuple[tuple[Act, re.Pattern[str]], ...]:
    # Compiled on first use (~9 ms), not at import: `advisor chat` shows its prompt without them.
    return tuple((act, re.compile(pattern, re.I)) for act, pattern in _ACTS)


# How named companies are doing now ("Are Panasonic and Tesla still working together?", "Is the
# Microsoft OpenAI partnership in trouble these days?"): live news, when the asker tells of no alliance
# of their own.
_NOW = re.compile(
    r"\b(these\s+days|lately|recently|nowadays|currently|at\s+the\s+moment|right\s+now|"
    r"this\s+(week|month|quarter|year)|last\s+(week|month|quarter))\b"
    r"|\bstill\s+(working|together|partners?|partnering|allied|running|going|alive|active|on\s+good\s+terms|"
    r"in\s+(business|the\s+alliance|the\s+deal))\b",
    re.I,
)
_NAMED = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+[A-Za-z]*\b")
# (a partner firm of the asker's is theirs too: "contract signed last week with a payments partner";
# so are "both teams" and "week 1" of a deal told without a pronoun: "contract with Orbis signed last
# week ... now it's week 1 and both teams are looking at each other")
_OWN = re.compile(
    r"\b(we|we['’]re|we['’]ve|our|ours|us|my|i|i['’]m|i['’]ve|partners?|both\s+(teams|sides|parties)|"
    r"(day|week|month)\s+(\d+|one|two|three))\b",
    re.I,
)


def request_act(text: str) -> Act | None:
    """The act of a request the knowledge base cannot perform, or None (explain, advise, compare...)."""
    for act, pattern in _patterns():
        if pattern.search(text):
            return act
    if _NOW.search(text) and not _OWN.search(text) and len(_NAMED.findall(text.strip())) >= 1:
        return "news"
    return None
