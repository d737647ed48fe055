"""Comparisons of alliance types: a table of their attributes, led by the answer to what was asked.

"Compare a JV and an equity alliance" wants the table. "Licensing or a JV: which is less risky?" wants
the table too, but first the one row it asks about, said plainly, and where the knowledge base does not
rate the types on that point (most types have no stated risks), the lead says so instead of guessing a
winner.
"""

from __future__ import annotations

import re

from advisor.domain import AllianceType, Citer
from advisor.plan import Plan

SKIP_ATTRIBUTES = {"not stated", ""}
ATTRIBUTE_LABELS = {
    "structure": "Structure",
    "ownership": "Ownership",
    "control": "Control",
    "commitment": "Commitment",
    "profit_sharing": "Profit sharing",
    "best_for": "Best for",
    "risks": "Risks",
    "example": "Example",
}
_IN_A_SENTENCE = {"risks": "risk", "best_for": "what each suits best"}
# The attribute a "which is ...?" question asks about, by its words (first match wins).
_ASKED = (
    ("risks", re.compile(r"\b(risk\w*|safe\w*|danger\w*|downside\w*|exposure)\b", re.I)),
    ("control", re.compile(r"\b(control\w*|say\s+over|decid\w*|autonom\w*|independen\w*)\b", re.I)),
    ("profit_sharing", re.compile(r"\b(profit\w*|revenue|earn\w*|money|returns?)\b", re.I)),
    ("ownership", re.compile(r"\b(own\w*|equity|stakes?)\b", re.I)),
    ("commitment", re.compile(r"\b(commit\w*|formal\w*|binding|lock\w*\s+in|flexib\w*|tie\w*\s+us)\b", re.I)),
    ("best_for", re.compile(r"\b(better|best|suit\w*|fit\w*|right\s+for|choose|pick|go\s+with)\b", re.I)),
)


def asked_attribute(text: str) -> str | None:
    """The attribute key a comparison question asks about ("which is less risky?" -> risks), if any."""
    for key, pattern in _ASKED:
        if pattern.search(text):
            return key
    return None


def comparison_plan(kinds: list[AllianceType], cite: Citer, text: str = "") -> Plan:
    marks = [cite(k.cites) for k in kinds]
    header = ["", *[f"{k.name}{m}" for k, m in zip(kinds, marks, strict=True)]]
    rows = []
    for key, label in ATTRIBUTE_LABELS.items():
        values = [k.attributes.get(key, "not stated") for k in kinds]
        if all(v.strip().lower() in SKIP_ATTRIBUTES for v in values):
            continue
        rows.append([label, *[v if v.strip() else "not stated" for v in values]])
    for k in kinds:  # "non-equity alliance" names a type, it does not ask about equity
        for name in (k.name, *k.aliases):
            text = re.sub(rf"(?i)\b{re.escape(name)}s?\b", " ", text)
    asked = asked_attribute(text)
    lead = _asked_lead(kinds, marks, asked) if asked else _definitions(kinds, marks, bold=True)
    return Plan(kind="comparison", lead=lead, table=[header, *rows], items=[k.name for k in kinds])


def _asked_lead(kinds: list[AllianceType], marks: list[str], key: str) -> str:
    """The asked row said plainly; where a type has nothing stated on it, the lead says so."""
    label = _IN_A_SENTENCE.get(key, ATTRIBUTE_LABELS[key].lower())
    stated = [
        (k, m, k.attributes[key])
        for k, m in zip(kinds, marks, strict=True)
        if k.attributes.get(key, "").strip().lower() not in SKIP_ATTRIBUTES
    ]
    names = " and ".join(f"**{lower_name(k.name)}**" for k in kinds)
    if not stated:
        said = f"The knowledge base does not rate {names} on {label}, so it cannot say which is better there."
        return f"{said} {_definitions(kinds, marks)}"
    said = "; ".join(f"{k.name}: {_lower_first(value.rstrip('.'))}{m}" for k, m, value in stated)
    missing = " or ".join(lower_name(k.name) for k in kinds if all(k is not s[0] for s in stated))
    gap = f" The knowledge base states nothing on {label} for {missing}." if missing else ""
    return f"On {label}: {said}.{gap}"


def _definitions(kinds: list[AllianceType], marks: list[str], bold: bool = False) -> str:
    star = "**" if bold else ""
    return " ".join(
        f"{article(k.name)} {star}{lower_name(k.name)}{star}: {k.definition}{m}"
        for k, m in zip(kinds, marks, strict=True)
    )


def lower_name(name: str) -> str:
    """A type's name inside a sentence: capitalised words lowered, acronyms kept ("Technology/IP ...")."""
    return re.sub(r"\b[A-Z][a-z]+\b", lambda m: m[0].lower(), name)


def article(name: str) -> str:
    """ "A" or "An" as the name is said: an alliance, an R&D consortium (letters said one by one)."""
    first = name.split()[0] if name.split() else ""
    spelled = len(first) > 1 and first.replace("&", "").replace("/", "").isupper()  # "R&D", "IP", "JV"
    vowel_sound = first[:1].upper() in "AEFHILMNORSX" if spelled else first[:1].lower() in "aeiou"
    return "An" if vowel_sound else "A"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if not text[1:2].isupper() else text
