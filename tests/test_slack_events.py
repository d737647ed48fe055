"""Slack details of issue 12: edits are not answered again, DMs with attachments and thread broadcasts
are, and notices meant for one person (rate limit, timeout, vote thanks) are ephemeral, in the thread."""

from __future__ import annotations

import threading

import pytest
from slack_bots import SECRET, Bot
from slack_stub import direct_message, edits_of, form_body, mention, post, signed_headers

from advisor import InputError
from advisor.feedback import FeedbackStore


def replies(bot: Bot) -> list[dict]:
    return bot.posts() + [c.body for c in bot.slack.called("chat.startStream")]


def test_edited_mention_is_not_answered_again(bot):
    """Slack re-sends an edited mention as app_mention with a new event id and an `edited` field, and
    as a message_changed message event."""
    original = mention("What is a joint venture?", ts="1700000101.000100")
    assert bot.send(original, event_id="EvEDIT0") == 200
    bot.settle()
    assert len(replies(bot)) == 1
    edited, changed = edits_of(original, " And an equity alliance?", "1700000102.000000")
    assert bot.send(edited, event_id="EvEDIT1") == 200
    assert bot.send(changed, event_id="EvEDIT2") == 200
    bot.settle()
    assert len(replies(bot)) == 1


@pytest.mark.parametrize(
    "event",
    [
        direct_message(
            "What is a joint venture?",
            ts="1700000110.000100",
            subtype="file_share",
            files=[{"id": "F0001", "name": "memo.pdf"}],
        ),
        direct_message(
            "What is a joint venture?",
            ts="1700000111.000200",
            subtype="thread_broadcast",
            thread_ts="1700000111.000100",
        ),
    ],
    ids=["file_share", "thread_broadcast"],
)
def test_dm_with_an_attachment_or_a_thread_broadcast_is_answered(bot, event):
    assert bot.send(event) == 200
    bot.settle()
    (reply,) = bot.posts()
    assert reply["channel"] == "D0001"
    assert reply["thread_ts"] == event.get("thread_ts", event["ts"])
    assert "joint venture" in reply["text"].lower()


def test_rate_limit_notice_is_ephemeral_to_the_asker_in_the_thread(make_bot):
    bot = make_bot(user_rate=1)
    for i in range(2):
        assert bot.send(mention("What is a joint venture?", ts=f"1700000120.00010{i}", user="U0FAST")) == 200
        bot.settle()
    (answer,) = bot.posts()
    assert "faster" not in answer["text"]
    (notice,) = bot.slack.called("chat.postEphemeral")
    assert notice.body["user"] == "U0FAST" and notice.body["channel"] == "C0001"
    assert notice.body["thread_ts"] == "1700000120.000101"
    assert "faster than I can keep up" in notice.body["text"]


def test_timeout_notice_is_ephemeral_to_the_asker_in_the_thread(make_bot, advisor, monkeypatch):
    release = threading.Event()

    def slow_ask(*args, **kwargs):
        release.wait(5)
        raise InputError("too late")

    monkeypatch.setattr(advisor, "ask", slow_ask)
    bot = make_bot(answer_timeout=0.2)
    assert bot.send(mention("What is a joint venture?", ts="1700000130.000100", user="U0SLOW")) == 200
    bot.settle()
    release.set()
    assert bot.posts() == []
    (notice,) = bot.slack.called("chat.postEphemeral")
    assert notice.body["user"] == "U0SLOW" and notice.body["thread_ts"] == "1700000130.000100"
    assert "took too long" in notice.body["text"]


def vote(bot: Bot, reply: dict, choice: str, user: str = "U0VOTER") -> int:
    """A click on Slack's native feedback buttons under ``reply``."""
    block = next(b for b in reply["blocks"] if b["type"] == "context_actions")
    element = block["elements"][0]
    button = element["positive_button" if choice == "up" else "negative_button"]
    payload = {
        "type": "block_actions",
        "user": {"id": user},
        "team": {"id": "T0001"},
        "channel": {"id": reply["channel"]},
        "container": {"type": "message", "channel_id": reply["channel"], "is_ephemeral": False},
        "message": {"ts": "1700000140.000900", "thread_ts": reply["thread_ts"]},
        "trigger_id": "1.2.3",
        "response_url": bot.slack.url + "respond/vote",
        "api_app_id": "A0001",
        "actions": [
            {
                "type": "feedback_buttons",
                "action_id": element["action_id"],
                "block_id": block["block_id"],
                "value": button["value"],
                "action_ts": "1.3",
            }
        ],
    }
    body = form_body({"payload": payload})
    status, _ = post(
        bot.url, body, signed_headers(SECRET, body, content_type="application/x-www-form-urlencoded")
    )
    return status


def test_native_feedback_vote_is_stored_and_thanked_ephemerally_in_the_thread(bot, settings):
    assert bot.send(mention("What is a joint venture?", ts="1700000140.000100")) == 200
    bot.settle()
    (reply,) = bot.posts()
    assert vote(bot, reply, "down") == 200
    (thanks,) = bot.slack.wait_for("chat.postEphemeral", 1)
    assert thanks.body["user"] == "U0VOTER" and thanks.body["channel"] == "C0001"
    assert thanks.body["thread_ts"] == "1700000140.000100" and "👎" in thanks.body["text"]
    assert not bot.slack.called("respond")  # not through response_url, which posts into the channel
    (stored,) = list(FeedbackStore(settings.data_dir))
    assert stored.vote == "down" and stored.user == "U0VOTER"
    assert stored.question == "What is a joint venture?" and stored.source_ids
