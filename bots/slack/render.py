"""Slack text in and out: read a user's message as plain text, and render an Answer as Block Kit.

Everything the bot posts is escaped (``&``, ``<``, ``>``), so ``<!channel>``, ``<!here>``, ``<@U…>`` and
``<url|label>`` in a question or in model output arrive as inert text. Long answers are split so that
every section stays within 3,000 characters, every message within 50 blocks and 40,000 characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from advisor.answer import Answer

SECTION_LIMIT = 3000  # characters of text in one section block
BLOCKS_PER_MESSAGE = 45  # Slack allows 50; the rest is room for the question, sources, notice, buttons
CHARS_PER_MESSAGE = 36_000  # Slack truncates a message's text at 40,000
VOTE_ACTION = re.compile(r"^advisor_vote_(up|down)$")  # the older 👍/👎 buttons, still on posted answers
FEEDBACK_ACTION = "advisor_feedback"  # Slack's native feedback_buttons: value "up:<record>" / "down:<record>"
MORE_ACTION = "advisor_more"
_URL = re.compile(r"^https?://[^\s<>|]+$")

_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_SPECIAL = re.compile(r"<!([a-z]+)(?:\^[A-Z0-9]+)?(?:\|([^>]*))?>")
_CHANNEL = re.compile(r"<#[CG][A-Z0-9]+\|([^>]*)>")
_LABELLED = re.compile(r"<([^<>|]+)\|([^<>]*)>")
_BARE = re.compile(r"<([^<>]+)>")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_BULLET = re.compile(r"^(\s*)[-*+]\s+", re.M)
_HEADING = re.compile(r"^#{1,6}\s+(.+)$", re.M)


@dataclass
class Message:
    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)


def escape(text: str) -> str:
    """Make text inert for Slack: its only control characters are &, < and >."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def plain_text(text: str, bot_user_id: str | None = None) -> str:
    """A Slack message as the plain text a person typed: our own mention removed, markup unwrapped."""
    text = _USER.sub(lambda m: "" if m.group(1) == bot_user_id else f"@{m.group(1)}", text or "")
    text = _SPECIAL.sub(lambda m: m.group(2) or f"@{m.group(1)}", text)
    text = _CHANNEL.sub(r"#\1", text)
    text = _LABELLED.sub(r"\2", text)
    text = _BARE.sub(r"\1", text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").strip()


def to_mrkdwn(text: str) -> str:
    """The advisor's Markdown-ish answer (lead sentence, "- " bullets, **bold**) as escaped mrkdwn."""
    text = escape(text)
    text = _HEADING.sub(r"*\1*", text)
    text = _BOLD.sub(r"*\1*", text)
    return _BULLET.sub(r"\1• ", text)


def split_text(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """Split at line breaks, then at spaces, then anywhere, so each piece is at most ``limit`` chars."""
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        for part in _hard_split(line, limit):
            candidate = f"{current}\n{part}" if current else part
            if len(candidate) <= limit:
                current = candidate
            else:
                if current:
                    pieces.append(current)
                current = part
    if current.strip():
        pieces.append(current)
    return pieces


def _hard_split(line: str, limit: int) -> list[str]:
    parts: list[str] = []
    while len(line) > limit:
        cut = line.rfind(" ", 0, limit + 1)
        if cut <= 0:
            cut = limit
            entity = line.rfind("&", max(0, cut - 5), cut)  # never cut an &amp; / &lt; / &gt; in half
            if entity > 0 and ";" not in line[entity:cut]:
                cut = entity
        parts.append(line[:cut].rstrip())
        line = line[cut:].lstrip()
    parts.append(line)
    return parts


def text_message(text: str) -> Message:
    """A short notice (apology, rate limit, input problem) as escaped mrkdwn."""
    body = escape(text)[:SECTION_LIMIT]
    return Message(text=body, blocks=[_section(body)])


def answer_messages(answer: Answer, record_id: str, question: str | None = None) -> list[Message]:
    """One or more messages for an answer; the last carries the sources, notice and feedback buttons."""
    groups = _group(split_text(to_mrkdwn(answer.text) or "_(no answer)_"))
    messages = []
    for i, group in enumerate(groups):
        blocks = [_section(s) for s in group]
        if i == 0 and question:
            blocks.insert(0, _context(f"&gt; {escape(_one_line(question, 300))}"))
        if i == len(groups) - 1:
            blocks.extend(footer_blocks(answer, record_id))
        messages.append(Message(text="\n".join(group), blocks=blocks))
    return messages


def sources_text(answer: Answer) -> str:
    """``*Sources*  [1] Title › Section  ·  [2] …``; a source with a web address is a link."""
    lines = []
    for s in answer.sources:
        section = s.section.split(" > ")[-1] or s.title
        label = escape(_one_line(s.title if section == s.title else f"{s.title} › {section}", 140))
        url = link_target(s.source)
        lines.append(f"[{s.n}] <{url}|{label.replace('|', '¦')}>" if url else f"[{s.n}] {label}")
    text = "*Sources*  " + "  ·  ".join(lines)
    cut = text.rfind("  ·  ", 0, SECTION_LIMIT)  # whole entries only: a cut link would be broken markup
    return text if len(text) <= SECTION_LIMIT else text[: cut if cut > 0 else SECTION_LIMIT]


def link_target(source: str) -> str | None:
    """The source as a safe mrkdwn link target (http/https, no spaces, ``<``, ``>`` or ``|``), else None."""
    if not _URL.match(source or "") or len(source) > 1000:
        return None
    return source.replace("&", "&amp;")


def footer_blocks(answer: Answer, record_id: str) -> list[dict[str, Any]]:
    """Sources, any notice, the native feedback buttons and "Show more": what goes under an answer."""
    blocks = []
    if answer.sources:
        blocks.append(_context(sources_text(answer)))
    if answer.notice:
        blocks.append(_context(f"_{escape(_one_line(answer.notice, 500))}_"))
    blocks.append(feedback_block(record_id))
    if answer.kind == "answer" and answer.detail == "short":
        blocks.append(more_block(record_id))
    return blocks


def feedback_block(record_id: str) -> dict[str, Any]:
    """Slack's own 👍/👎 for AI replies: a ``context_actions`` block with a ``feedback_buttons`` element."""

    def button(vote: str, label: str, spoken: str) -> dict[str, Any]:
        return {
            "text": {"type": "plain_text", "text": label, "emoji": True},
            "accessibility_label": spoken,
            "value": f"{vote}:{record_id}",
        }

    element = {
        "type": "feedback_buttons",
        "action_id": FEEDBACK_ACTION,
        "positive_button": button("up", "👍", "Mark this answer as helpful"),
        "negative_button": button("down", "👎", "Mark this answer as not helpful"),
    }
    return {"type": "context_actions", "block_id": "advisor_feedback", "elements": [element]}


def more_block(record_id: str) -> dict[str, Any]:
    """ "Show more": the full detail of the answer, one click away."""
    button = {
        "type": "button",
        "action_id": MORE_ACTION,
        "value": record_id,
        "text": {"type": "plain_text", "text": "Show more", "emoji": True},
    }
    return {"type": "actions", "block_id": "advisor_more", "elements": [button]}


def _group(sections: list[str]) -> list[list[str]]:
    groups: list[list[str]] = [[]]
    size = 0
    for section in sections:
        if groups[-1] and (len(groups[-1]) >= BLOCKS_PER_MESSAGE or size + len(section) > CHARS_PER_MESSAGE):
            groups.append([])
            size = 0
        groups[-1].append(section)
        size += len(section) + 1
    return groups


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def _one_line(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
