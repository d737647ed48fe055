"""Streamed Slack answers: signed requests into the real HTTP endpoint, and a stub Web API that keeps the
state of chat.startStream / appendStream / stopStream like Slack does (see tests/slack_stub.py)."""

from __future__ import annotations

import json
import logging
import threading

import pytest
from slack_bots import bot_factory
from slack_stub import (
    TEAM,
    direct_message,
    event_callback,
    form_body,
    mention,
    post,
    post_signed,
    signed_headers,
    slack_process,
)

from advisor import Answer, Source
from advisor.feedback import FeedbackStore
from bots.slack.answering import APOLOGY
from bots.slack.render import escape
from bots.slack.streaming import CALL_LIMIT, SlackStream, split_calls

SECRET = "stream-signing-secret"
FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def make_bot(advisor, slack):
    with bot_factory(advisor, slack, SECRET) as make:
        yield make


def kinds(blocks: list[dict] | None) -> list[str]:
    return [b["type"] for b in blocks or []]


def scripted(monkeypatch, advisor, pieces, *, then=None, sources=()):
    """Make advisor.stream yield ``pieces``, then raise ``then`` or end with the matching Answer."""

    def stream(question, session_id=None, **_):
        yield from pieces
        if then is not None:
            raise then
        yield Answer(
            text="".join(pieces).strip(), refused=False, sources=list(sources), session_id=session_id or "s"
        )

    monkeypatch.setattr(advisor, "stream", stream)


def test_mention_is_streamed_into_its_thread_with_sources_and_feedback_once(bot, advisor):
    root = "1700000101.000100"
    assert bot.send(mention("What is a joint venture?", ts=root)) == 200
    bot.settle()
    (stream,) = bot.slack.streams()
    assert (stream.channel, stream.thread_ts) == ("C0001", root)
    assert (stream.recipient_team_id, stream.recipient_user_id) == (TEAM, "U0001")
    assert stream.stopped
    (turn,) = advisor.sessions.history(f"slack:{TEAM}:C0001:{root}")
    assert stream.text == escape(turn.answer) and "joint venture" in stream.text.lower()
    assert len(stream.parts) >= 2  # it really arrived in pieces
    assert all(len(part) <= CALL_LIMIT for part in stream.parts)
    assert kinds(stream.blocks) == ["context", "context_actions", "actions"]
    assert stream.blocks[0]["elements"][0]["text"].startswith("*Sources*  [1] ")
    assert stream.blocks[1]["elements"][0]["type"] == "feedback_buttons"
    assert [e["action_id"] for e in stream.blocks[2]["elements"]] == ["advisor_more"]
    assert bot.posts() == []  # the streamed message is the only reply
    methods = bot.methods()
    assert methods.index("assistant.threads.setStatus") < methods.index("chat.startStream")
    assert methods[-1] == "chat.stopStream" and methods.count("chat.stopStream") == 1


def test_streamed_markup_is_inert_even_when_split_across_pieces(bot, advisor, monkeypatch):
    source = Source(n=1, title="Alliances <!here>", section="Types", source="a.md", id="s1", score=0.9)
    pieces = ["Ping <!chan", "nel> <@U0VICTIM> & <https://evil.example|click", " me> [1]"]
    scripted(monkeypatch, advisor, pieces, sources=[source])
    assert bot.send(mention("<!channel> what is a joint venture?")) == 200
    bot.settle()
    (stream,) = bot.slack.streams()
    shown = stream.text + json.dumps(stream.blocks)
    assert "<" not in stream.text and ">" not in stream.text
    for live in ("<!channel>", "<!here>", "<@U0VICTIM>", "<https://"):
        assert live not in shown
    assert stream.text == (
        "Ping &lt;!channel&gt; &lt;@U0VICTIM&gt; &amp; &lt;https://evil.example|click me&gt; [1]"
    )


@pytest.mark.parametrize(
    "error,retries_streaming",
    [
        ("not_allowed", True),
        ("channel_type_not_supported", True),
        ("unknown_method", False),
        ("method_deprecated", False),
    ],
)
def test_refused_stream_falls_back_to_one_message(bot, error, retries_streaming):
    bot.slack.refuse("chat.startStream", error)
    assert bot.send(mention("What is a joint venture?", ts="1700000102.000100")) == 200
    bot.settle()
    (reply,) = bot.posts()
    assert reply["thread_ts"] == "1700000102.000100" and "joint venture" in reply["text"].lower()
    assert kinds(reply["blocks"])[-3:] == ["context", "context_actions", "actions"]
    assert bot.slack.refused == ["chat.startStream"] and bot.slack.streams() == []
    assert not bot.slack.called("chat.appendStream") and not bot.slack.called("chat.stopStream")
    # The next answer tries streaming again only when the refusal was about this place, not the API.
    assert bot.send(mention("Why do alliances fail?", ts="1700000102.000200")) == 200
    bot.settle()
    assert len(bot.slack.called("chat.startStream")) == (2 if retries_streaming else 1)
    assert len(bot.posts()) == 2


def test_streaming_switched_off_by_environment_posts_one_message(make_bot, monkeypatch):
    monkeypatch.setenv("ADVISOR_SLACK_STREAMING", "false")
    bot = make_bot()
    assert bot.send(mention("What is a joint venture?")) == 200
    bot.settle()
    assert len(bot.posts()) == 1
    assert not [m for m in bot.methods() if m.endswith("Stream")]


def test_retried_delivery_is_streamed_once(bot):
    event = mention("Why do alliances fail?", ts="1700000103.000100")
    for retry in (None, 1, 2):
        assert bot.send(event, event_id="EvSTREAMRETRY", retry_num=retry) == 200
    bot.settle()
    assert len(bot.slack.streams()) == 1
    assert len(bot.slack.called("chat.startStream")) == 1 and len(bot.slack.called("chat.stopStream")) == 1
    assert bot.posts() == []


def test_failure_mid_stream_ends_the_stream_and_apologises_once(bot, advisor, monkeypatch, caplog):
    pieces = ["The first sentence was already shown. ", "And a second one. " * 20]
    scripted(monkeypatch, advisor, pieces, then=RuntimeError("engine died holding xoxb-9876-secret"))
    with caplog.at_level(logging.INFO, logger="bots.slack"):
        assert bot.send(mention("What is a joint venture?", ts="1700000104.000100")) == 200
        bot.settle()
    (stream,) = bot.slack.streams()
    assert stream.stopped and stream.blocks is None  # no sources or buttons under a broken answer
    assert stream.text.startswith("The first sentence was already shown.")
    (apology,) = bot.posts()
    assert apology["text"] == APOLOGY and apology["thread_ts"] == "1700000104.000100"
    assert bot.methods().index("chat.stopStream") < bot.methods().index("chat.postMessage")
    assert "RuntimeError" in caplog.text and "xoxb-9876" not in caplog.text


def test_slack_refusing_an_append_ends_the_stream_and_apologises(bot):
    bot.slack.refuse("chat.appendStream", "ratelimited")
    assert bot.send(mention("What is a joint venture?", ts="1700000105.000100")) == 200
    bot.settle()
    (stream,) = bot.slack.streams()
    assert stream.stopped and stream.blocks is None and "joint venture" in stream.text.lower()
    (apology,) = bot.posts()
    assert apology["text"] == APOLOGY


def test_slow_stream_stops_with_a_friendly_message_and_closes_the_generator(make_bot, advisor, monkeypatch):
    release, closed = threading.Event(), threading.Event()

    def stream(question, session_id=None, **_):
        try:
            yield "A first thought that arrives quickly. "
            release.wait(5)
            yield "A second thought that arrives too late."
        finally:
            closed.set()

    monkeypatch.setattr(advisor, "stream", stream)
    bot = make_bot(answer_timeout=0.3)
    assert bot.send(mention("What is a joint venture?")) == 200
    bot.settle()
    release.set()
    (stream_seen,) = bot.slack.streams()
    assert stream_seen.stopped and stream_seen.text == "A first thought that arrives quickly. "
    assert bot.posts() == []
    (notice,) = bot.slack.called("chat.postEphemeral")  # for the asker only, in the thread
    assert "took too long" in notice.body["text"] and notice.body["thread_ts"] == stream_seen.thread_ts
    assert closed.wait(5), "the answer generator was not closed after the timeout"


def test_input_error_before_any_text_gets_one_friendly_message(bot):
    assert bot.send(mention("   ")) == 200
    bot.settle()
    (reply,) = bot.posts()
    assert reply["text"].startswith("The question is empty")
    assert not bot.slack.called("chat.startStream")


def test_refused_blocks_on_stop_are_posted_under_the_stream(bot):
    bot.slack.refuse("chat.stopStream", "invalid_blocks", times=1)
    assert bot.send(mention("What is a joint venture?", ts="1700000106.000100")) == 200
    bot.settle()
    (stream,) = bot.slack.streams()
    assert stream.stopped and stream.blocks is None and "joint venture" in stream.text.lower()
    (footer,) = bot.posts()
    assert footer["thread_ts"] == "1700000106.000100"
    assert kinds(footer["blocks"]) == ["context", "context_actions", "actions"]


def test_vote_on_a_streamed_answer_is_stored(bot, settings):
    assert bot.send(mention("What is a joint venture?", ts="1700000107.000100")) == 200
    bot.settle()
    (stream,) = bot.slack.streams()
    block = next(b for b in stream.blocks if b["type"] == "context_actions")
    feedback = block["elements"][0]
    up = {"type": "feedback_buttons", "action_id": feedback["action_id"]}
    up["value"] = feedback["positive_button"]["value"]
    payload = {
        "type": "block_actions",
        "user": {"id": "U0VOTER"},
        "team": {"id": TEAM},
        "channel": {"id": "C0001"},
        "container": {"type": "message", "channel_id": "C0001"},
        "message": {"ts": stream.ts, "thread_ts": stream.thread_ts},
        "trigger_id": "1.2.3",
        "response_url": bot.slack.url + "respond/vote-stream",
        "api_app_id": "A0001",
        "actions": [{**up, "block_id": block["block_id"], "action_ts": "1.3"}],
    }
    body = form_body({"payload": payload})
    status, text = post(bot.url, body, signed_headers(SECRET, body, content_type=FORM))
    assert status == 200, text
    assert bot.slack.wait_for("chat.postEphemeral", 1)
    (stored,) = list(FeedbackStore(settings.data_dir))
    assert stored.vote == "up" and stored.question == "What is a joint venture?"
    assert escape(stored.answer) == stream.text and stored.source_ids


def test_assistant_thread_streams_after_status_and_title(bot):
    message = direct_message(
        "Why do alliances fail?", channel="D0009", ts="1700000108.000200", thread_ts="1700000108.000100"
    )
    assert bot.send(message) == 200
    bot.settle()
    (stream,) = bot.slack.streams()
    assert (stream.channel, stream.thread_ts) == ("D0009", "1700000108.000100") and "[1]" in stream.text
    methods = bot.methods()
    assert methods.index("assistant.threads.setStatus") < methods.index("chat.startStream")
    assert bot.slack.called("assistant.threads.setTitle")[0].body["title"] == "Why do alliances fail?"


def test_slash_command_is_not_streamed(bot):
    body = form_body(
        {
            "command": "/advisor",
            "text": "what is a joint venture?",
            "user_id": "U0001",
            "channel_id": "C0002",
            "team_id": TEAM,
            "response_url": bot.slack.url + "respond/cmd",
            "trigger_id": "1.2.3",
        }
    )
    status, text = post(bot.url, body, signed_headers(SECRET, body, content_type=FORM))
    assert status == 200, text
    bot.settle()
    (reply,) = bot.slack.called("respond")
    assert reply.body["response_type"] == "ephemeral" and "joint venture" in reply.body["text"].lower()
    assert not bot.slack.called("chat.startStream")


# -- the stream itself, against the stub -------------------------------------------------------------


def test_stream_sends_first_text_at_once_then_buffers_by_size_and_time(slack):
    now = [0.0]
    stream = SlackStream(
        slack.client(), "D0001", "1.0", buffer_chars=50, flush_after=1.0, clock=lambda: now[0]
    )
    stream.append("  Hello")
    assert stream.started and [c.method for c in slack.calls] == ["chat.startStream"]
    stream.append(" there,")
    stream.append(" friend.")
    assert len(slack.calls) == 1  # short text waits
    now[0] = 1.5
    stream.append(" Late.")  # ...but not longer than flush_after
    stream.append("x" * 60)  # ...nor beyond buffer_chars
    assert [c.method for c in slack.calls] == ["chat.startStream", "chat.appendStream", "chat.appendStream"]
    assert stream.stop([{"type": "divider"}])
    (seen,) = slack.streams()
    assert seen.parts == ["Hello", " there, friend. Late.", "x" * 60] and seen.blocks == [{"type": "divider"}]


def test_stream_calls_stay_within_slack_limit_and_never_cut_entities(slack):
    text = escape("A & B <c> " * 4000)  # 56,000 escaped characters
    stream = SlackStream(slack.client(), "C0001", "1.0", team_id=TEAM, user_id="U0001")
    stream.append(text[:10])
    stream.append(text[10:])
    stream.stop()
    (seen,) = slack.streams()
    assert seen.text == text and len(seen.parts) >= 5 and not slack.refused
    for part in seen.parts:
        assert len(part) <= CALL_LIMIT
        tail = part[part.rfind("&") :] if "&" in part else ""
        assert not tail or ";" in tail


def test_split_calls_is_lossless_at_the_edges():
    assert split_calls("") == []
    assert split_calls("abc", 3) == ["abc"]
    assert split_calls("ab&amp;cd", 5) == ["ab", "&amp;", "cd"]
    assert split_calls("abcd&lt;", 6) == ["abcd", "&lt;"]
    assert "".join(split_calls("&lt;" * 1000, 7)) == "&lt;" * 1000


def test_advisor_slack_process_streams_by_default(slack, tmp_path):
    """`advisor slack` as a real process with default settings: the answer arrives as a stream."""
    with slack_process(slack, SECRET, str(tmp_path)) as (url, stderr, _):
        event = event_callback(mention("What is a joint venture?", ts="1700000109.000100"))
        status, _ = post_signed(url, SECRET, event)
        assert status == 200
        assert slack.wait_for("chat.stopStream", 1, timeout=30)
    (stream,) = slack.streams()
    assert stream.thread_ts == "1700000109.000100" and "joint venture" in stream.text.lower()
    assert "context_actions" in kinds(stream.blocks) and not slack.called("chat.postMessage")
    assert "Traceback" not in stderr[0] and "xoxb-e2e" not in stderr[0]
