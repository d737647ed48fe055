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
from typing import Literal

Act = Literal["draft", "review", "pick", "news", "advice"]


def _any(*alternatives: str) -> str:
    return "(?:" + "|".join(alternatives) + ")"


# The start of a request addressed to the advisor: a sentence start, optionally softened ("ok, can
# you please", "I need you to", "help me"). "I'm drafting our strategy" is not a request to draft.
_ASK = r"(?:^|[.!?:;]\s+|\n)\s*(?:ok(?:ay)?,?\s+|so,?\s+|hey,?\s+|hi,?\s+)?(?:please\s+|pls\s+)?" + _any(
    r"(?:can|could|would|will)\s+you\s+(?:please\s+|just\s+|quickly\s+)?",
    r"(?:i|we)\s+(?:need|want|would\s+like|'d\s+like)\s+(?:you\s+)?to\s+",
    r"help\s+(?:me|us)\s+(?:to\s+)?",
    "",
)
# Things a user might want written or read for them. Not "report" or "plan": the advisor explains those.
_DOCUMENT = _any(
    r"clauses?",
    r"contracts?",
    r"agreements?",
    "nda",
    "mou",
    r"memo(?:randum|s)?",
    r"term\s*sheets?",
    r"letters?",
    r"e-?mails?",
    r"messages?",
    r"press\s+releases?",
    r"announcements?",
    r"posts?",
    r"tweets?",
    r"newsletters?",
    r"slogans?",
    r"taglines?",
    r"poems?",
    r"stor(?:y|ies)",
    r"essays?",
    r"speech(?:es)?",
    r"scripts?",
    "code",
    r"functions?",
    r"quer(?:y|ies)",
    r"regex\w*",
    r"polic(?:y|ies)",
    r"job\s+ad\w*",
    r"job\s+descriptions?",
    r"proposals?",
    r"pitch(?:\s+deck)?",
    r"decks?",
    r"slides?",
    r"presentations?",
    r"invoices?",
    r"templates?",
    "wording",
    "copy",
    r"blog\s*posts?",
    r"articles?",
    r"addend(?:um|a)",
    r"amendments?",
    r"rfps?",
    r"statements?\s+of\s+work",
    "minutes",
    r"agendas?",
    "bylaws",
    r"logos?",
    r"resumes?",
    r"cvs?",
)
_DRAFT = _any(
    _ASK
    + _any(
        "draft",
        "write",
        r"re-?write",
        r"re-?word",
        "compose",
        "prepare",
        "redline",
        "translate",
        "generate",
        "create",
        "design",
        "produce",
        r"put\s+together",
        r"come\s+up\s+with",
        r"fill\s+(?:in|out)",
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
    + _any(
        "review",
        "check",
        r"look\s+(?:over|through|at)",
        r"go\s+(?:over|through)",
        "vet",
        "audit",
        "read",
        r"mark\s+up",
        r"sanity[- ]check",
        r"proof-?read",
        "edit",
        r"summari[sz]e",
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
_TOOL = _any(
    "software",
    r"(?:software|project[- ]management|collaboration|tracking|e-?signature|online|ai)\s+tools?",
    r"apps?",
    r"applications?",
    r"platforms?",
    "crm",
    "prm",
    "erp",
    "saas",
    r"plugins?",
    r"vendors?",
    r"agenc(?:y|ies)",
    r"law\s+firms?",
    r"lawyers?",
    r"attorneys?",
    r"consultanc(?:y|ies)",
    r"consulting\s+firms?",
    r"consultants?",
    r"banks?",
    r"brokers?",
    r"cloud(?:\s+providers?)?",
    "hosting",
)
_PRODUCT = _any(
    _TOOL,
    r"providers?",
    r"suppliers?",
    r"manufacturers?",
    r"distributors?",
    r"resellers?",
    "companies",
    "firms",
)
_PICK = _any(
    r"\b(?:which|what(?:'s|\s+is|\s+are)?|who(?:'s|\s+is|\s+are)?|recommend\w*|suggest\w*|name|list)\s+"
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
    r"\b(?:latest|recent|breaking)\s+(?:news|updates?|headlines|announcements?|developments?|deals?|rumou?rs?)\b",
    r"\b(?:any|the)\s+news\s+(?:on|about|from|of)\b",
    r"\bin\s+the\s+news\s+(?:this|today|lately)\b",
    # a question about a named company's recent doings: "did Nestle sign ... last month"
    r"\b(?:did|has|have|is|are|was|were)\s+(?:the\s+)?(?-i:[A-Z])\S*\s+(?:\S+\s+){0,6}?"
    r"(?:this|last)\s+(?:week|month|quarter|year)\b",
    r"\b(?:annual|current|latest|quarterly)\s+(?:revenues?|sales|profits?|earnings|headcount|valuation|ceo)\b",
    r"\b(?:share|stock)\s+prices?\b",
    r"\bmarket\s+cap\w*\b",
    r"\b(?:valuation|revenue|earnings)\s+(?:of|for)\s+(?-i:[A-Z])\w+\b",
    r"\bright\s+now\b(?=.*\?)",
    r"\bwill\s+(?:\S+\s+){0,3}?(?:go\s+up|go\s+down|rise|fall|outperform|crash|recover)\b",
)
# Regulated or specialist advice: tax and accounting, payroll and employment law, fundraising and
# investing, partnership law (LLPs), compliance regimes, valuation arithmetic.
_ADVICE = (
    r"\b"
    + _any(
        "vat",
        r"sales\s+tax",
        r"withholding\s+tax",
        r"tax(?:es|ed|able|ation)?",
        r"transfer\s+pric\w+",
        "ifrs",
        "gaap",
        r"asc\s*\d+",
        r"journal\s+entr\w+",
        r"depreciat\w+",
        r"amorti[sz]\w+",
        r"revenue\s+recognition",
        r"equity\s+method",
        "payroll",
        "overtime",
        r"parental\s+leave",
        "maternity",
        "paternity",
        "severance",
        r"notice\s+period",
        r"minimum\s+wage",
        r"pay\s*slips?",
        "pensions?",
        r"performance\s+improvement\s+plans?",
        r"remote\s+work",
        r"interview\s+questions",
        r"salar(?:y|ies)",
        r"sick\s+(?:leave|pay)",
        r"employee\s+handbook",
        r"vacation\s+policy",
        r"holiday\s+allowance",
        r"(?:fire|dismiss|lay\s+off)\s+(?:an?\s+|our\s+|my\s+)?(?:employee|someone|staff|people|worker)s?",
        r"(?-i:visas?)",
        r"work\s+permits?",
        r"seed\s+round",
        r"series\s+[a-d]",
        r"venture\s+capital\w*",
        "vcs?",
        r"angel\s+investors?",
        r"convertible\s+notes?",
        r"cap\s+table",
        r"equity\s+dilution",
        r"(?:funding|investment|next|seed|first)\s+round",
        r"raise\s+(?:money|capital|funds|funding|a\s+round)",
        r"(?:buy|sell|hold|short)\w*\s+(?:\S+\s+){0,3}?(?:shares|stocks?)",
        r"stock\s+(?:tips?|market|picks?)",
        r"(?:good|safe|long-term)\s+investments?",
        r"etfs?",
        r"index\s+funds?",
        r"dividend\s+stocks?",
        r"(?:investment|stock|my)\s+portfolio",
        "bitcoin",
        r"crypto\w*",
        "ethereum",
        "mortgage",
        "retirement",
        r"credit\s+score",
        r"insurance\s+(?:policy|policies|cover|coverage|premiums?)",
        "d&o",
        "ebitda",
        "npv",
        "irr",
        "dcf",
        r"discount\s+rate",
        "llps?",
        r"limited(?:\s+liability)?\s+partnerships?",
        r"general\s+partnerships?",
        r"partnership\s+deed",
        r"iso\s*\d+",
        r"ai\s+act",
        "fcpa",
        r"anti-?bribery",
        r"anti-?corruption",
        "aml",
        "kyc",
        r"export\s+controls?",
    )
    + r"\b"
)

_PATTERNS: tuple[tuple[Act, re.Pattern[str]], ...] = tuple(
    (act, re.compile(pattern, re.I))
    for act, pattern in (
        ("draft", _DRAFT),
        ("review", _REVIEW),
        ("pick", _PICK),
        ("news", _NEWS),
        ("advice", _ADVICE),
    )
)


def request_act(text: str) -> Act | None:
    """The act of a request the knowledge base cannot perform, or None (explain, advise, compare...)."""
    for act, pattern in _PATTERNS:
        if pattern.search(text):
            return act
    return None
