"""Slack's assistant panel: suggested prompts when a thread opens, a title, and "is thinking…" status."""

from __future__ import annotations

from slack_bolt import App, Assistant, BoltContext, Say, SetSuggestedPrompts
from slack_sdk import WebClient

from bots.slack.answering import Answerer
from bots.slack.listeners.events import ask_from_event, from_bot

WELCOME = (
    "Hi! I advise on strategic alliances and partnerships, and I cite the sources behind every "
    "answer. Ask me anything, or pick a suggestion below."
)
PROMPTS = [
    {"title": "Choosing a partner", "message": "How should we choose an alliance partner?"},
    {"title": "Why alliances fail", "message": "Why do strategic alliances fail, and what helps avoid it?"},
    {
        "title": "Joint venture or not?",
        "message": "When is a joint venture better than a contractual alliance?",
    },
    {"title": "Governing an alliance", "message": "How should an alliance be governed day to day?"},
]


def register(app: App, answerer: Answerer) -> Assistant:
    assistant = Assistant()

    @assistant.thread_started
    def started(say: Say, set_suggested_prompts: SetSuggestedPrompts) -> None:
        say(WELCOME, unfurl_links=False, unfurl_media=False)
        set_suggested_prompts(prompts=PROMPTS, title="Try one of these:")

    @assistant.user_message
    def user_message(payload: dict, context: BoltContext, client: WebClient) -> None:
        if from_bot(payload):
            return
        answerer.submit(ask_from_event(payload, context, client, set_title=context.get("set_title")))

    app.assistant(assistant)
    return assistant
