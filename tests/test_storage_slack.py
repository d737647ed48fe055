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
    block = next(b for b in reply.body["blocks"] if b["type"] == "context_actions")
    feedback = block["elements"][0]  # Slack's native feedback_buttons
    down = {
        "type": "feedback_buttons",
        "action_id": feedback["action_id"],
        "value": feedback["negative_button"]["value"],
    }
    payload = {
        "type": "block_actions",
        "user": {"id": "U0ASK"},
        "team": {"id": "T0001"},
        "channel": {"id": "C0002"},
        "container": {"type": "message", "channel_id": "C0002"},
        "trigger_id": "1.2.4",
        "response_url": bot.slack.url + "respond/vote1",
        "api_app_id": "A0001",
        "actions": [{**down, "block_id": block["block_id"], "action_ts": "1.3"}],
    }
    assert signed_form(bot, {"payload": payload}) == 200
    assert bot.slack.wait_for("respond/vote1", 1)  # a private answer is thanked privately
    (stored,) = list(FeedbackStore(settings.data_dir))
    assert (stored.vote, stored.user, stored.team) == ("down", "U0ASK", "T0001")
    assert stored.question == "what is a joint venture?"


def test_an_install_made_through_one_replica_is_found_by_another_and_threads_are_forgotten(open_db):
    """Installations, install states and recent threads live in the shared database, not on one disk."""
    from slack_sdk.oauth.installation_store import Installation

    from advisor.storage import retention
    from bots.slack.appdb import Installations, OAuthStates, RecentThreads

    replica_a, replica_b = open_db(), open_db()
    replica_a.migrate()
    replica_b.migrate()
    Installations(replica_a).save(
        Installation(app_id="A1", team_id="T2", bot_token="xoxb-second", bot_id="B2", user_id="U9")
    )
    found = Installations(replica_b).find_bot(enterprise_id=None, team_id="T2")
    assert found is not None and found.bot_token == "xoxb-second"
    Installations(replica_a).save(
        Installation(app_id="A1", team_id="T2", bot_token="xoxb-rotated", bot_id="B2", user_id="U9")
    )
    assert Installations(replica_b).find_bot(enterprise_id=None, team_id="T2").bot_token == "xoxb-rotated"
    state = OAuthStates(replica_a).issue()
    assert OAuthStates(replica_b).consume(state) and not OAuthStates(replica_a).consume(state)
    Installations(replica_b).delete_bot(enterprise_id=None, team_id="T2")
    assert Installations(replica_a).find_bot(enterprise_id=None, team_id="T2") is None

    RecentThreads(replica_a).add("T2", "U1", "C1", "1.1", "Why do alliances fail?")
    RecentThreads(replica_a).add("T2", "U2", "C1", "1.2", "What is a JV?")
    assert [t.thread_ts for t in RecentThreads(replica_b).of("T2", "U1")] == ["1.1"]
    assert retention.forget(replica_b, "U1")["recent_threads"] == 1
    assert RecentThreads(replica_a).of("T2", "U1") == []
    assert len(RecentThreads(replica_a).of("T2", "U2")) == 1
