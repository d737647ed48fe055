"""Bolt listeners, one module per Slack surface; each exposes ``register(app, answerer)``."""

from __future__ import annotations

from slack_bolt import App

from bots.slack.answering import Answerer
from bots.slack.listeners import assistant, commands, events, feedback, home, shortcuts, workflows


def register_all(app: App, answerer: Answerer) -> None:
    assistant.register(app, answerer)  # a middleware: it must see DM thread messages before `events`
    events.register(app, answerer)
    workflows.register(app, answerer)  # before `commands`: it takes `/advisor scorecard|health`
    commands.register(app, answerer)
    feedback.register(app, answerer)
    home.register(app, answerer)
    shortcuts.register(app, answerer)
