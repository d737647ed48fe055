"""The controls under answers: Slack's native 👍/👎 (``feedback_buttons``; the older vote buttons still on
posted answers work too), stored with the question, answer and cited source ids, and "Show more" (the
full detail of that answer, in its thread). The vote's "thanks" is ephemeral to the voter, in the thread
of the answer (chat.postEphemeral with thread_ts): a response_url reply would land in the channel.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from advisor.feedback import Feedback, FeedbackStore
from bots.slack.answering import Answerer, Ask, describe
from bots.slack.records import AnswerRecord
from bots.slack.render import FEEDBACK_ACTION, MORE_ACTION, VOTE_ACTION

log = logging.getLogger(__name__)

THANKS = {
    "up": "Thanks for the 👍, noted.",
    "down": "Thanks for the 👎, noted: answers marked unhelpful are reviewed to improve the advisor.",
}
GONE = "Sorry, I no longer have that answer on record, so the vote could not be stored."


def read_vote(action: dict[str, Any]) -> tuple[str, str]:
    """(vote, record id) from a native feedback click (value "up:<id>") or an older vote button."""
    value = str(action.get("value", ""))
    if action.get("action_id") == FEEDBACK_ACTION:
        vote, _, record_id = value.partition(":")
        return ("up" if vote == "up" else "down"), record_id[:64]
    return ("up" if str(action.get("action_id", "")).endswith("_up") else "down"), value[:64]


def register(app: App, answerer: Answerer) -> None:
    store = FeedbackStore(answerer.db)

    @app.action(MORE_ACTION)
    def on_more(ack: Ack, body: dict, action: dict, client: WebClient, respond: Respond) -> None:
        ack()
        record = answerer.records.get(
            str(action.get("value", ""))[:64], (body.get("team") or {}).get("id") or ""
        )
        user = (body.get("user") or {}).get("id", "")
        if record is None:
            respond(text="Sorry, I no longer have that answer on record.", response_type="ephemeral")
            return
        channel, _, thread_ts = record.place.partition(":")
        slash = channel == "slash"
        answerer.submit(
            Ask(
                question=record.question,
                user=user,
                channel=(body.get("channel") or {}).get("id", "") if slash else channel,
                thread_ts=None if slash else thread_ts,
                session_id=record.session_id,
                client=client,
                respond=respond if slash else None,
                team_id=(body.get("team") or {}).get("id"),
                expand=True,
            )
        )

    def on_vote(ack: Ack, body: dict, action: dict, client: WebClient, respond: Respond) -> None:
        ack()
        vote, record_id = read_vote(action)
        record = answerer.records.get(record_id, (body.get("team") or {}).get("id") or "")
        user = (body.get("user") or {}).get("id", "")
        if record is None:
            log.info("vote %s on an unknown answer", vote)
            note = GONE
        else:
            store.record(
                Feedback(
                    vote=vote,
                    question=record.question,
                    answer=record.answer,
                    source_ids=record.source_ids,
                    session_id=record.session_id,
                    place=record.place,
                    user=user,
                    engine=record.engine,
                    team=record.team,
                )
            )
            log.info("vote %s on answer %s (sources %s)", vote, record.id, record.source_ids)
            note = THANKS[vote]
        try:
            confirm(client, respond, body, record, user, note)
        except Exception as exc:
            log.warning("could not confirm a vote: %s", describe(exc))

    app.action(FEEDBACK_ACTION)(on_vote)
    app.action(VOTE_ACTION)(on_vote)


def confirm(
    client: WebClient, respond: Respond, body: dict, record: AnswerRecord | None, user: str, note: str
) -> None:
    """The voter alone sees ``note``, in the answer's thread; a private slash-command answer has no
    thread or channel message, so its confirmation goes back through response_url (also private)."""
    container = body.get("container") or {}
    if container.get("is_ephemeral") or (record is not None and record.place.startswith("slash:")):
        respond(text=note, response_type="ephemeral", replace_original=False)
        return
    if record is not None:
        channel, _, thread_ts = record.place.partition(":")
    else:
        message = body.get("message") or {}
        channel = (body.get("channel") or {}).get("id") or container.get("channel_id") or ""
        thread_ts = str(message.get("thread_ts") or message.get("ts") or "")
    client.chat_postEphemeral(channel=channel, user=user, thread_ts=thread_ts or None, text=note)
