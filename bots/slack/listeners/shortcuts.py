"""The message shortcut "Ask the advisor about this message": the message's text becomes the question,
answered privately to whoever used the shortcut (through the shortcut's response_url, so the bot need not
be a member of the channel, and the channel sees nothing)."""

from __future__ import annotations

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bots.slack.answering import Answerer
from bots.slack.listeners.commands import private_ask
from bots.slack.render import plain_text

CALLBACK_ID = "advisor_ask_about_message"  # the manifest's shortcut callback_id


def register(app: App, answerer: Answerer) -> None:
    @app.shortcut(CALLBACK_ID)
    def on_shortcut(ack: Ack, shortcut: dict, respond: Respond, client: WebClient) -> None:
        ack()
        message = shortcut.get("message") or {}
        channel = (shortcut.get("channel") or {}).get("id", "")
        user = (shortcut.get("user") or {}).get("id", "")
        team = (shortcut.get("team") or {}).get("id") or (shortcut.get("user") or {}).get("team_id")
        question = plain_text(message.get("text", ""))
        key = f"shortcut:{user}:{message.get('ts', '')}"
        answerer.submit(private_ask(question, team, channel, user, key, client, respond))
