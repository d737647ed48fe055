"""Mentions in channels and direct messages: answered in the message's thread, one session per thread.

Only new messages get an answer. An edited message that mentions the bot arrives again as an
``app_mention`` with a new event id and an ``edited`` field, and as a ``message_changed`` message event;
both are dropped, as are deletions and other changes. A DM with an attachment (subtype ``file_share``)
or a thread reply also sent to the conversation (``thread_broadcast``) is a new message and is answered.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bots.slack.answering import Answerer, Ask, session_key
from bots.slack.render import plain_text

log = logging.getLogger(__name__)

NEW_MESSAGE_SUBTYPES = frozenset({None, "file_share", "thread_broadcast"})  # as Bolt's app.message reads them


def from_bot(event: dict[str, Any]) -> bool:
    """Other bots (and this one) never get an answer: two bots answering each other would loop."""
    return bool(event.get("bot_id") or event.get("bot_profile") or event.get("subtype") == "bot_message")


def is_new_message(event: dict[str, Any]) -> bool:
    """False for edits (``edited``, ``message_changed``), deletions and every other changed re-delivery."""
    return event.get("subtype") in NEW_MESSAGE_SUBTYPES and not event.get("edited")


def ask_from_event(event: dict[str, Any], context: BoltContext, client: WebClient, **extra: Any) -> Ask:
    channel = event.get("channel", "")
    thread_ts = str(event.get("thread_ts") or event.get("ts") or "")
    team = context.team_id or context.enterprise_id
    return Ask(
        question=plain_text(event.get("text", ""), context.bot_user_id),
        user=event.get("user", ""),
        channel=channel,
        thread_ts=thread_ts,
        session_id=session_key(team, channel, thread_ts),
        client=client,
        set_status=context.get("set_status"),
        team_id=team,
        **extra,
    )


def register(app: App, answerer: Answerer) -> None:
    @app.event("app_mention")
    def on_mention(event: dict, context: BoltContext, client: WebClient) -> None:
        if from_bot(event) or str(event.get("channel", "")).startswith("D"):
            return  # a mention inside a DM also arrives as a message.im event, answered below
        if not is_new_message(event):
            log.info("mention in %s was edited or changed: not answered again", event.get("channel"))
            return
        answerer.submit(ask_from_event(event, context, client))

    @app.event("message")
    def on_message(event: dict, context: BoltContext, client: WebClient) -> None:
        # Edits, deletions, joins and other bots' posts arrive here too; only people's new DMs get answers.
        if event.get("channel_type") != "im" or not is_new_message(event) or from_bot(event):
            return
        answerer.submit(ask_from_event(event, context, client))
