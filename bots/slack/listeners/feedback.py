"""The buttons under answers: thumbs up/down (stored with the question, answer and cited source ids)
and "Show more" (the full detail of that answer, in its thread)."""

from __future__ import annotations

import logging

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from advisor.feedback import Feedback, FeedbackStore
from bots.slack.answering import Answerer, Ask, describe
from bots.slack.render import MORE_ACTION, VOTE_ACTION

log = logging.getLogger(__name__)

THANKS = {
    "up": "Thanks for the 👍, noted.",
    "down": "Thanks for the 👎, noted: answers marked unhelpful are reviewed to improve the advisor.",
}


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

    @app.action(VOTE_ACTION)
    def on_vote(ack: Ack, body: dict, action: dict, respond: Respond) -> None:
        ack()
        vote = "up" if action.get("action_id", "").endswith("_up") else "down"
        record = answerer.records.get(
            str(action.get("value", ""))[:64], (body.get("team") or {}).get("id") or ""
        )
        user = (body.get("user") or {}).get("id", "")
        if record is None:
            log.info("vote %s on an unknown answer", vote)
            note = "Sorry, I no longer have that answer on record, so the vote could not be stored."
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
            respond(text=note, response_type="ephemeral", replace_original=False)
        except Exception as exc:
            log.warning("could not confirm a vote: %s", describe(exc))
