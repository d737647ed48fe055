"""Short, friendly replies to greetings, thanks, goodbyes and questions about the advisor itself.

A person who says "hello" or asks "what can you do?" should learn in a few lines what the advisor
covers and how to ask; they should not get an out-of-scope refusal or a passage about partners.
"""

from __future__ import annotations

COVERS = (
    "alliance types (joint ventures, equity and non-equity alliances, co-marketing, licensing, R&D "
    "partnerships), why firms partner, choosing a partner, governance and success factors, the "
    "partnership lifecycle, why alliances fail and what to do about it, and when to walk away"
)
EXAMPLES = (
    "How should we choose an alliance partner?",
    "Our partner keeps missing deadlines and the launch is slipping. What should we do?",
    "Compare a joint venture and an equity alliance.",
)


def examples_block() -> str:
    return "\n".join(f"- {q}" for q in EXAMPLES)


def chat_reply(kind: str) -> str:
    """The reply for a chat kind from :func:`advisor.understand.read_question` (or the scope model)."""
    if kind == "thanks":
        return "You're welcome. Ask me anything else about alliances and partnerships whenever you need it."
    if kind == "bye":
        return "Good luck with the partnership. Come back any time."
    if kind == "greeting":
        return (
            f"Hello! I'm Alliance Advisor. I can help with {COVERS}.\n\n"
            f"Describe your situation or ask a question, for example:\n{examples_block()}"
        )
    return (
        "I'm Alliance Advisor, an open-source assistant built by the alliance-advisor project. I answer "
        f"only from my own knowledge base and cite where each point comes from. I can help with {COVERS}.\n\n"
        f"Try, for example:\n{examples_block()}"
    )
