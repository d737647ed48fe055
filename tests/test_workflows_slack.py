"""`/advisor scorecard|health` in Slack, through the real signed HTTP endpoint and a stub Web API:
the modal is opened, a bad submission gets inline errors and stores nothing, a good one is stored and
reported privately with a Share button, and the button posts the report to the channel."""

from __future__ import annotations

import json

import pytest
from slack_bots import SECRET, Bot, bot_factory
from slack_stub import form_body, post, signed_headers

from advisor import Advisor
from advisor.workflows import ResultStore
from bots.slack.listeners.workflows import GONE
from bots.slack.workflow_views import SHARE_ACTION

FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def bot(settings, slack):
    # The workflows need no index: a lazily built Advisor is enough for the app's wiring.
    with bot_factory(Advisor.from_settings(settings), slack, SECRET, streaming=False) as make:
        yield make()


def signed_post(bot: Bot, fields: dict) -> tuple[int, str]:
    body = form_body(fields)
    return post(bot.url, body, signed_headers(SECRET, body, content_type=FORM))


def slash(bot: Bot, text: str, channel: str = "C0002") -> dict:
    status, _ = signed_post(
        bot,
        {
            "command": "/advisor",
            "text": text,
            "user_id": "U0001",
            "channel_id": channel,
            "team_id": "T0001",
            "response_url": bot.slack.url + "respond/cmd1",
            "trigger_id": "1.2.3",
        },
    )
    assert status == 200
    (call,) = bot.slack.wait_for("views.open", 1)
    return json.loads(call.body["view"]) if isinstance(call.body["view"], str) else call.body["view"]


def values(view: dict, ratings: dict[str, str | None], subject: str | None) -> dict:
    state: dict = {"subject": {"value": {"type": "plain_text_input", "value": subject}}}
    for block in view["blocks"]:
        if block["type"] == "input" and block["block_id"] != "subject":
            rating = ratings.get(block["block_id"])
            option = {"text": {"type": "plain_text", "text": rating}, "value": rating} if rating else None
            state[block["block_id"]] = {"rating": {"type": "static_select", "selected_option": option}}
    return state


def submit(bot: Bot, view: dict, state: dict, user: str = "U0001") -> tuple[int, dict]:
    payload = {
        "type": "view_submission",
        "team": {"id": "T0001", "domain": "stub"},
        "user": {"id": user, "team_id": "T0001"},
        "api_app_id": "A0001",
        "trigger_id": "1.2.4",
        "view": {**view, "id": "V0001", "hash": "h1", "team_id": "T0001", "state": {"values": state}},
    }
    status, text = signed_post(bot, {"payload": payload})
    return status, (json.loads(text) if text.strip() else {})


def click_share(bot: Bot, button: dict, user: str = "U0001") -> None:
    payload = {
        "type": "block_actions",
        "user": {"id": user, "team_id": "T0001"},
        "team": {"id": "T0001"},
        "channel": {"id": "C0002"},
        "container": {"type": "message", "channel_id": "C0002", "is_ephemeral": True},
        "trigger_id": "1.2.5",
        "response_url": bot.slack.url + f"respond/share-{user}",
        "api_app_id": "A0001",
        "actions": [{**button, "block_id": "share", "action_ts": "1.3"}],
    }
    status, _ = signed_post(bot, {"payload": payload})
    assert status == 200


def share_button(message: dict) -> dict:
    blocks = json.loads(message["blocks"]) if isinstance(message["blocks"], str) else message["blocks"]
    actions = next(b for b in blocks if b["type"] == "actions")
    (button,) = actions["elements"]
    assert button["action_id"] == SHARE_ACTION
    return button


def stored(settings) -> int:
    return ResultStore.for_settings(settings).count()


def test_scorecard_modal_has_a_name_and_a_select_per_statement(bot):
    view = slash(bot, "scorecard")
    assert view["callback_id"] == "advisor_workflow" and view["title"]["text"] == "Partner scorecard"
    inputs = [b for b in view["blocks"] if b["type"] == "input"]
    assert inputs[0]["block_id"] == "subject" and inputs[0]["element"]["type"] == "plain_text_input"
    selects = [b["element"] for b in inputs[1:]]
    assert len(selects) == 14 and {s["type"] for s in selects} == {"static_select"}
    assert [o["value"] for o in selects[0]["options"]] == ["1", "2", "3", "4", "5"]
    assert bot.slack.called("chat.postMessage") == [] and bot.slack.called("respond") == []


def test_health_submission_errors_then_private_report_then_share(bot, settings):
    view = slash(bot, "health")
    ids = [b["block_id"] for b in view["blocks"] if b["type"] == "input" and b["block_id"] != "subject"]
    assert len(ids) == 19

    partial = dict.fromkeys(ids[:-2], "2")
    status, ack = submit(bot, view, values(view, partial, "   "))
    assert status == 200 and ack["response_action"] == "errors"
    assert set(ack["errors"]) == {"subject", ids[-2], ids[-1]}
    assert ack["errors"]["subject"] == "Please name the partner or alliance."
    assert stored(settings) == 0 and bot.slack.called("chat.postEphemeral") == []

    status, ack = submit(bot, view, values(view, {**partial, ids[-2]: "9", ids[-1]: "2"}, "Acme JV"))
    assert ack["response_action"] == "errors" and list(ack["errors"]) == [ids[-2]]
    assert "whole number from 1 to 5" in ack["errors"][ids[-2]]
    assert stored(settings) == 0

    status, ack = submit(bot, view, values(view, dict.fromkeys(ids, "2"), "Acme JV"))
    assert status == 200 and ack == {}
    (private,) = bot.slack.wait_for("chat.postEphemeral", 1)
    assert private.body["channel"] == "C0002" and private.body["user"] == "U0001"
    text = json.dumps(private.body, ensure_ascii=False)
    assert "Alliance health check: Acme JV" in text and "Verdict: " in text
    assert "knowledge/why-alliances-fail.md § Countermeasures for each failure mode" in text
    assert stored(settings) == 1
    assert bot.slack.called("chat.postMessage") == []  # nothing public yet

    click_share(bot, share_button(private.body), user="U0OTHER")  # not theirs to share
    (refused,) = bot.slack.wait_for("respond/share-U0OTHER", 1)
    assert refused.body["text"] == GONE

    click_share(bot, share_button(private.body))
    (shared,) = bot.slack.wait_for("chat.postMessage", 1)
    assert shared.body["channel"] == "C0002"
    shared_text = json.dumps(shared.body, ensure_ascii=False)
    assert "Shared by <@U0001>" in shared_text and "Alliance health check: Acme JV" in shared_text
    assert SHARE_ACTION not in shared_text
    (replaced,) = bot.slack.wait_for("respond/share-U0001", 1)
    assert replaced.body["replace_original"] is True
    assert "You shared this in the channel." in json.dumps(replaced.body) and SHARE_ACTION not in json.dumps(
        replaced.body
    )


def test_second_check_shows_the_trend_and_falls_back_to_a_dm(bot, settings):
    view = slash(bot, "health")
    ids = [b["block_id"] for b in view["blocks"] if b["type"] == "input" and b["block_id"] != "subject"]
    submit(bot, view, values(view, dict.fromkeys(ids, "2"), "Acme JV"))
    bot.slack.wait_for("chat.postEphemeral", 1)
    bot.slack.refuse("chat.postEphemeral", "not_in_channel", times=1)
    submit(bot, view, values(view, dict.fromkeys(ids, "5"), "acme jv"))
    (dm,) = bot.slack.wait_for("chat.postMessage", 1)
    assert dm.body["channel"] == "U0001"
    text = json.dumps(dm.body, ensure_ascii=False)
    assert "*Trend*" in text and "Healthy" in text
    assert stored(settings) == 2


def test_other_slash_text_is_still_a_question(bot):
    status, _ = signed_post(
        bot,
        {
            "command": "/advisor",
            "text": "help",
            "user_id": "U0001",
            "channel_id": "C0002",
            "team_id": "T0001",
            "response_url": bot.slack.url + "respond/cmd2",
            "trigger_id": "1.2.3",
        },
    )
    assert status == 200
    assert bot.slack.called("views.open") == []
