"""Mentions in channels and direct messages: answered in the message's thread, one session per thread."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bots.slack.answering import Answerer, Ask
from bots.slack.render import plain_text

log = logging.getLogger(__name__)


def from_bot(event: dict[str, Any]) -> bool:
    """Other bots (and this one) never get an answer: two bots answering each other would loop."""
    return bool(event.get("bot_id") or event.get("bot_profile") or event.get("subtype") == "bot_message")


def ask_from_event(event: dict[str, Any], context: BoltContext, client: WebClient, **extra: Any) -> Ask:
    channel = event.get("channel", "")
    thread_ts = event.get("thread_ts") or event.get("ts")
    return Ask(
        question=plain_text(event.get("text", ""), context.bot_user_id),
        user=event.get("user", ""),
        channel=channel,
        thread_ts=thread_ts,
        session_id=f"slack:{channel}:{thread_ts}",
        client=client,
        set_status=context.get("set_status"),
        team_id=context.team_id or context.enterprise_id,
        **extra,
    )


def register(app: App, answerer: Answerer) -> None:
    @app.event("app_mention")
    def on_mention(event: dict, context: BoltContext, client: WebClient) -> None:
        if from_bot(event) or str(event.get("channel", "")).startswith("D"):
            return  # a mention inside a DM also arrives as a message.im event, answered below
        answerer.submit(ask_from_event(event, context, client))

    @app.event("message")
    def on_message(event: dict, context: BoltContext, client: WebClient) -> None:
        # Edits, deletions, joins and other bots' posts arrive here too; only people's DMs get answers.
        if event.get("channel_type") != "im" or event.get("subtype") or from_bot(event):
            return
        answerer.submit(ask_from_event(event, context, client))
