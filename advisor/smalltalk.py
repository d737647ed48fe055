"""Short, friendly replies to greetings, thanks, goodbyes and questions about the advisor itself.

A person who says "hello" or asks "what can you do?" should learn in a few lines what the advisor
covers and how to ask; they should not get an out-of-scope refusal or a passage about partners.
"""

from __future__ import annotations

COVERS = (
    "alliance types, why firms partner, choosing a partner, governance, the partnership lifecycle, "
    "why alliances fail and when to walk away"
)
EXAMPLES = (
    "How do we choose a partner?",
    "Our partner keeps missing deadlines. What now?",
    "Compare a joint venture and an equity alliance.",
)


def examples_block() -> str:
    return "\n".join(f"- {q}" for q in EXAMPLES)


def chat_reply(kind: str) -> str:
    """The reply for a chat kind from :func:`advisor.understand.read_question` (or the scope model)."""
    if kind == "thanks":
        return "You're welcome. Ask me anything else about alliances and partnerships whenever you need it."
    if kind == "opener":
        return (
            "Happy to help. Tell me what is going on: what kind of partner it is, what has happened so "
            'far and what you need to decide. For example: "Our distributor keeps missing its targets '
            'and wants exclusivity. Should we agree?"'
        )
    if kind == "unhappy":
        return (
            "Sorry that did not help. Tell me a little more about your situation (what kind of partner, "
            'what went wrong, what you need to decide), or ask for "more" to see the full detail of the '
            "last answer."
        )
    if kind == "bye":
        return "Good luck with the partnership. Come back any time."
    if kind == "greeting":
        return (
            f"Hello! I'm Alliance Advisor. I can help with {COVERS}.\n\n"
            f"Describe your situation or ask, for example:\n{examples_block()}"
        )
    return (
        "I'm Alliance Advisor, from the open-source alliance-advisor project. I answer from my "
        f"knowledge base, citing sources, on {COVERS}.\n\nTry:\n{examples_block()}"
    )
