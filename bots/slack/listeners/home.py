"""The App Home tab: what the advisor knows, questions to try, and the user's recent threads.

Published with views.publish each time the user opens the tab (``app_home_opened``, tab ``home``).
The knowledge list comes from the advisor (``Advisor.topics``); the threads from the Answerer's thread log.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bots.slack.answering import Answerer, describe
from bots.slack.listeners.assistant import PROMPTS
from bots.slack.render import SECTION_LIMIT, escape

log = logging.getLogger(__name__)

INTRO = (
    "I answer questions on strategic alliances and partnerships from a curated knowledge base, and cite "
    "the passage behind every point. Mention me in a channel, send me a direct message, use `/advisor` "
    "for a private answer, or pick *Ask the advisor* from a message's ⋯ menu."
)
MAX_TOPICS = 25


def register(app: App, answerer: Answerer) -> None:
    @app.event("app_home_opened")
    def on_home(event: dict, context: BoltContext, client: WebClient) -> None:
        if event.get("tab") != "home":
            return
        user = event.get("user", "")
        team = context.team_id or context.enterprise_id or ""
        try:
            client.views_publish(user_id=user, view=home_view(answerer, client, team, user))
        except SlackApiError as exc:
            log.warning("views.publish failed: %s", describe(exc))


def home_view(answerer: Answerer, client: WebClient, team: str, user: str) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "Alliance Advisor"}},
        _section(INTRO),
        {"type": "divider"},
        _section("*What I know about*\n" + knowledge(answerer)),
        _section("*Questions to try*\n" + "\n".join(f"• {escape(p['message'])}" for p in PROMPTS)),
        {"type": "divider"},
        _section("*Your recent threads*\n" + recent(answerer, client, team, user)),
    ]
    return {"type": "home", "blocks": blocks}


def knowledge(answerer: Answerer) -> str:
    try:
        topics = answerer.advisor.topics()
    except Exception as exc:  # the index may still be loading; the tab must still open
        log.info("App Home without topics: %s", describe(exc))
        return "_The knowledge base is still loading; open this tab again in a moment._"
    lines = [f"• {escape(title)}" for title, _sections in topics[:MAX_TOPICS] if title]
    if len(topics) > MAX_TOPICS:
        lines.append(f"…and {len(topics) - MAX_TOPICS} more documents")
    return "\n".join(lines) or "_Nothing indexed yet._"


def recent(answerer: Answerer, client: WebClient, team: str, user: str) -> str:
    threads = answerer.threads.of(team, user) if answerer.threads is not None else []
    if not threads:
        return "_None yet: ask me something and your threads will show here._"
    lines = []
    for thread in threads:
        label = escape(" ".join(thread.question.split())[:120]).replace("|", "¦") or "(no text)"
        try:
            link = client.chat_getPermalink(channel=thread.channel, message_ts=thread.thread_ts)["permalink"]
            lines.append(f"• <{link}|{label}>")
        except (SlackApiError, KeyError, TypeError):
            lines.append(f"• {label}")
    return "\n".join(lines)


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:SECTION_LIMIT]}}
