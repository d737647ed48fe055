"""The Slack bot's state in the storage layer, in one process: the workspace is part of every key."""

from __future__ import annotations

import pytest

from advisor.feedback import FeedbackStore
from tests.slack_bots import bot_factory
from tests.slack_stub import StubSlackAPI, form_body, post, signed_headers

SECRET = "storage-signing-secret"


@pytest.fixture
def bot(advisor):
    with StubSlackAPI() as slack, bot_factory(advisor, slack, SECRET, streaming=False) as make:
        yield make()


def signed_form(bot, fields: dict) -> int:
    body = form_body(fields)
    status, _ = post(
        bot.url, body, signed_headers(SECRET, body, content_type="application/x-www-form-urlencoded")
    )
    return status


def test_a_vote_on_a_slash_command_answer_is_stored_with_its_workspace(bot, settings):
    command = {
        "command": "/advisor",
        "text": "what is a joint venture?",
        "user_id": "U0ASK",
        "channel_id": "C0002",
        "team_id": "T0001",
        "response_url": bot.slack.url + "respond/cmd1",
        "trigger_id": "1.2.3",
    }
    assert signed_form(bot, command) == 200
    bot.settle()
    (reply,) = bot.slack.called("respond/cmd1")
    buttons = next(b for b in reply.body["blocks"] if b["type"] == "actions")["elements"]
    down = next(b for b in buttons if b["action_id"] == "advisor_vote_down")
    payload = {
        "type": "block_actions",
        "user": {"id": "U0ASK"},
        "team": {"id": "T0001"},
        "channel": {"id": "C0002"},
        "container": {"type": "message", "channel_id": "C0002"},
        "trigger_id": "1.2.4",
        "response_url": bot.slack.url + "respond/vote1",
        "api_app_id": "A0001",
        "actions": [{**down, "block_id": "advisor_feedback", "type": "button", "action_ts": "1.3"}],
    }
    assert signed_form(bot, {"payload": payload}) == 200
    assert bot.slack.wait_for("respond/vote1", 1)
    (stored,) = list(FeedbackStore(settings.data_dir))
    assert (stored.vote, stored.user, stored.team) == ("down", "U0ASK", "T0001")
    assert stored.question == "what is a joint venture?"
