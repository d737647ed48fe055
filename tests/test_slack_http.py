"""The Slack bot in HTTP mode, through its front door: signed requests into the real threaded endpoint on
loopback, replies observed on a stub Slack Web API that records every call."""

from __future__ import annotations

import json
import logging
import threading

import pytest
from slack_bots import SECRET
from slack_stub import (
    BOT_ID,
    BOT_USER,
    direct_message,
    event_callback,
    form_body,
    mention,
    post,
    post_signed,
    signed_headers,
    slack_process,
)

from advisor import Answer, InputError, Source
from advisor.feedback import FeedbackStore


def all_text(body: dict) -> str:
    return json.dumps({"text": body.get("text"), "blocks": body.get("blocks")}, ensure_ascii=False)


def test_mention_gets_exactly_one_threaded_reply_with_sources(bot):
    assert bot.send(mention("What is a joint venture?", ts="1700000001.000100")) == 200
    bot.settle()
    posts = bot.posts()
    assert len(posts) == 1
    reply = posts[0]
    assert reply["channel"] == "C0001" and reply["thread_ts"] == "1700000001.000100"
    assert reply["unfurl_links"] is False and reply["unfurl_media"] is False
    assert "joint venture" in reply["text"].lower()
    context = [b for b in reply["blocks"] if b["type"] == "context"]
    assert context and context[0]["elements"][0]["text"].startswith("*Sources*  [1] ")
    kinds = [b["type"] for b in reply["blocks"]]
    assert kinds[-2:] == ["context_actions", "actions"]  # Slack's feedback buttons, then "Show more"
    (feedback,) = reply["blocks"][-2]["elements"]
    assert feedback["type"] == "feedback_buttons" and feedback["action_id"] == "advisor_feedback"
    assert feedback["positive_button"]["value"].startswith("up:")
    assert feedback["negative_button"]["value"].startswith("down:")
    assert [e["action_id"] for e in reply["blocks"][-1]["elements"]] == ["advisor_more"]


def test_follow_up_in_the_thread_continues_the_conversation(bot, advisor):
    root = "1700000002.000100"
    assert bot.send(mention("What is a joint venture?", ts=root)) == 200
    bot.settle()
    assert bot.send(mention("What are the risks of those?", ts="1700000002.000200", thread_ts=root)) == 200
    bot.settle()
    assert [p["thread_ts"] for p in bot.posts()] == [root, root]
    history = advisor.sessions.history(f"slack:T0001:C0001:{root}")
    assert len(history) == 2
    assert "joint venture" in history[1].query.lower()  # the follow-up was searched with the thread's context


def test_retried_delivery_is_acked_but_answered_once(bot):
    event = mention("Why do alliances fail?", ts="1700000003.000100")
    assert bot.send(event, event_id="EvRETRY1") == 200
    assert bot.send(event, event_id="EvRETRY1", retry_num=1) == 200
    assert bot.send(event, event_id="EvRETRY1", retry_num=2) == 200
    bot.settle()
    assert len(bot.posts()) == 1


@pytest.mark.parametrize(
    "event",
    [
        direct_message("hello from another bot", bot_id="B0OTHER", subtype="bot_message"),
        direct_message("a bot with a user id", user="U0BOT", bot_id="B0OTHER"),
        direct_message("my own echo", user=BOT_USER, bot_id=BOT_ID),
        mention("bots mentioning us", bot_id="B0OTHER"),
        direct_message("edited", subtype="message_changed"),
    ],
)
def test_bots_and_edits_get_no_reply(bot, event):
    assert bot.send(event) == 200
    bot.settle()
    assert bot.posts() == []


def test_markup_in_question_and_answer_is_inert(bot, advisor, monkeypatch):
    evil = "Ping <!channel> <!here> <@U0VICTIM> and <https://evil.example|click me> & more [1]"
    source = Source(n=1, title="Alliances <!here>", section="Types", source="a.md", id="s1", score=0.9)

    def ask(question, session_id=None, **_):
        return Answer(text=evil, refused=False, sources=[source], session_id=session_id or "x")

    monkeypatch.setattr(advisor, "ask", ask)
    assert bot.send(mention("<!channel> what is a <b>joint</b> venture?")) == 200
    bot.settle()
    posted = all_text(bot.posts()[0])
    for live in ("<!channel>", "<!here>", "<@U0VICTIM>", "<https://", "<b>"):
        assert live not in posted
    assert "&lt;!channel&gt;" in posted and "&amp; more" in posted


def test_direct_message_is_answered_in_its_thread(bot):
    assert bot.send(direct_message("How should we choose a partner?", ts="1700000004.000100")) == 200
    bot.settle()
    (reply,) = bot.posts()
    assert reply["channel"] == "D0001" and reply["thread_ts"] == "1700000004.000100"
    assert "[1]" in reply["text"]


def test_empty_mention_gets_the_input_error_as_a_friendly_reply(bot):
    assert bot.send(mention("   ")) == 200
    bot.settle()
    (reply,) = bot.posts()
    assert reply["text"].startswith("The question is empty")
    assert "Traceback" not in reply["text"]


def test_rate_limited_user_gets_a_friendly_message(make_bot):
    bot = make_bot(user_rate=2)
    for i in range(3):
        assert bot.send(mention("What is a joint venture?", ts=f"1700000005.00010{i}", user="U0FAST")) == 200
    bot.settle()
    texts = [p["text"] for p in bot.posts()]
    assert len(texts) == 2 and not any("faster" in t for t in texts)
    (notice,) = bot.slack.called("chat.postEphemeral")  # only the asker sees it
    assert "faster than I can keep up" in notice.body["text"] and notice.body["user"] == "U0FAST"
    assert bot.send(mention("What is a joint venture?", ts="1700000005.000200", user="U0CALM")) == 200
    bot.settle()
    assert len(bot.posts()) == 3 and len(bot.slack.called("chat.postEphemeral")) == 1


def test_slow_answer_times_out_with_a_friendly_message(make_bot, advisor, monkeypatch):
    release = threading.Event()

    def slow_ask(*args, **kwargs):
        release.wait(5)
        raise InputError("too late")

    monkeypatch.setattr(advisor, "ask", slow_ask)
    bot = make_bot(answer_timeout=0.2)
    assert bot.send(mention("What is a joint venture?")) == 200
    bot.settle()
    release.set()
    assert bot.posts() == []
    (notice,) = bot.slack.called("chat.postEphemeral")
    assert "took too long" in notice.body["text"]


def test_unexpected_failure_apologises_and_logs_no_secret(bot, advisor, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("engine died holding xoxb-1234-secret-token")

    monkeypatch.setattr(advisor, "ask", broken)
    with caplog.at_level(logging.INFO, logger="bots.slack"):
        assert bot.send(mention("What is a joint venture?")) == 200
        bot.settle()
    (reply,) = bot.posts()
    assert reply["text"].startswith("Sorry, something went wrong")
    assert "RuntimeError" in caplog.text and "xoxb-1234" not in caplog.text


def test_rate_limited_post_is_retried_after_retry_after_and_delivered_once(bot):
    bot.slack.fail_next("chat.postMessage", status=429, retry_after=1)
    assert bot.send(mention("What is a joint venture?")) == 200
    bot.settle()
    assert bot.slack.rejected == ["chat.postMessage"]
    assert len(bot.posts()) == 1


def test_slash_command_answers_ephemerally(bot):
    body = form_body(
        {
            "command": "/advisor",
            "text": "what is a &lt;joint&gt; venture? <!here>",
            "user_id": "U0001",
            "channel_id": "C0002",
            "team_id": "T0001",
            "response_url": bot.slack.url + "respond/cmd1",
            "trigger_id": "1.2.3",
        }
    )
    status, ack = post(
        bot.url, body, signed_headers(SECRET, body, content_type="application/x-www-form-urlencoded")
    )
    assert status == 200 and json.loads(ack)["response_type"] == "ephemeral"
    bot.settle()
    (reply,) = bot.slack.called("respond")
    assert reply.method == "respond/cmd1"
    assert reply.body["response_type"] == "ephemeral" and reply.body["replace_original"] is False
    posted = all_text(reply.body)
    assert "&lt;joint&gt;" in posted and "<!here>" not in posted and "joint venture" in posted.lower()
    assert bot.posts() == []  # nothing visible to the channel


def test_older_vote_button_click_is_stored_with_question_answer_and_sources(bot, settings):
    """Answers posted before the native feedback buttons carry advisor_vote_up/down buttons."""
    assert bot.send(mention("What is a joint venture?")) == 200
    bot.settle()
    (reply,) = bot.posts()
    record_id = reply["blocks"][-2]["elements"][0]["negative_button"]["value"].partition(":")[2]
    down = {
        "type": "button",
        "action_id": "advisor_vote_down",
        "value": record_id,
        "text": {"type": "plain_text", "text": "👎 Not helpful"},
    }
    payload = {
        "type": "block_actions",
        "user": {"id": "U0VOTER"},
        "team": {"id": "T0001"},
        "channel": {"id": "C0001"},
        "container": {"type": "message", "channel_id": "C0001"},
        "message": {"ts": "1.2", "thread_ts": reply["thread_ts"]},
        "trigger_id": "1.2.3",
        "response_url": bot.slack.url + "respond/vote1",
        "api_app_id": "A0001",
        "actions": [{**down, "block_id": "advisor_feedback", "type": "button", "action_ts": "1.3"}],
    }
    body = form_body({"payload": payload})
    status, _ = post(
        bot.url, body, signed_headers(SECRET, body, content_type="application/x-www-form-urlencoded")
    )
    assert status == 200
    (thanks,) = bot.slack.wait_for("chat.postEphemeral", 1)
    assert thanks.body["thread_ts"] == reply["thread_ts"] and thanks.body["user"] == "U0VOTER"
    (stored,) = list(FeedbackStore(settings.data_dir))
    assert stored.vote == "down" and stored.user == "U0VOTER"
    assert stored.question == "What is a joint venture?"
    assert stored.answer.startswith("In a joint venture") or "joint venture" in stored.answer.lower()
    assert stored.source_ids and all(stored.source_ids)
    assert stored.session_id == f"slack:T0001:C0001:{reply['thread_ts']}"


def click(bot, button: dict, response_url: str, thread_ts: str) -> int:
    payload = {
        "type": "block_actions",
        "user": {"id": "U0CLICK"},
        "team": {"id": "T0001"},
        "channel": {"id": "C0001"},
        "container": {"type": "message", "channel_id": "C0001"},
        "message": {"ts": "1.2", "thread_ts": thread_ts},
        "trigger_id": "1.2.3",
        "response_url": bot.slack.url + response_url,
        "api_app_id": "A0001",
        "actions": [{**button, "block_id": "advisor_feedback", "type": "button", "action_ts": "1.3"}],
    }
    body = form_body({"payload": payload})
    status, _ = post(
        bot.url, body, signed_headers(SECRET, body, content_type="application/x-www-form-urlencoded")
    )
    return status


def test_show_more_posts_the_full_detail_in_the_thread(bot):
    assert (
        bot.send(mention("How does coopetition between competing firms work?", ts="1700000030.000100")) == 200
    )
    bot.settle()
    (short,) = bot.posts()
    buttons = next(b for b in short["blocks"] if b["type"] == "actions")["elements"]
    more = next(b for b in buttons if b["action_id"] == "advisor_more")
    assert click(bot, more, "respond/more1", short["thread_ts"]) == 200
    bot.settle()
    first, long = bot.posts()
    assert long["thread_ts"] == first["thread_ts"] == "1700000030.000100"
    assert len(all_text(long)) > len(all_text(first))
    assert [b["type"] for b in long["blocks"]][-1] == "context_actions"  # no "Show more": already in full


@pytest.mark.parametrize("case", ["bad signature", "stale", "non-numeric", "missing headers"])
def test_unverifiable_requests_are_rejected_with_4xx(bot, case):
    body = json.dumps(event_callback(mention("What is a joint venture?")))
    headers = signed_headers(SECRET, body)
    if case == "bad signature":
        headers = signed_headers("wrong-secret", body)
    elif case == "stale":
        headers = signed_headers(SECRET, body, timestamp="1000000000")
    elif case == "non-numeric":
        headers = signed_headers(SECRET, body, timestamp="soon")
    else:
        headers = {"Content-Type": "application/json"}
    status, text = post(bot.url, body, headers)
    assert 400 <= status < 500 and "Traceback" not in text
    bot.settle()
    assert bot.posts() == []


@pytest.mark.parametrize(
    "body,content_type",
    [
        ("{not json", "application/json"),
        ("[1, 2, 3]", "application/json"),
        ("payload=%7Bbroken", "application/x-www-form-urlencoded"),
        ("\udcff", "application/json"),
    ],
)
def test_malformed_bodies_get_400_not_500(bot, body, content_type):
    raw = body.encode("utf-8", "surrogateescape")
    headers = signed_headers(SECRET, raw.decode("latin-1"), content_type=content_type)
    import urllib.error
    import urllib.request

    request = urllib.request.Request(bot.url, data=raw, headers=headers, method="POST")
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=5)
    caught.value.close()  # it holds the response's socket
    assert caught.value.code == 400


def test_other_paths_and_methods(bot):
    import urllib.error
    import urllib.request

    base = bot.url.rsplit("/slack/events", 1)[0]
    with urllib.request.urlopen(base + "/healthz", timeout=5) as response:
        assert response.read() == b"ok"
    for url, code in ((bot.url, 405), (base + "/nope", 404)):
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(url, timeout=5)
        caught.value.close()
        assert caught.value.code == code


def test_url_verification_challenge(bot):
    status, text = post_signed(
        bot.url, SECRET, {"type": "url_verification", "challenge": "c-123", "token": "t"}
    )
    assert status == 200 and "c-123" in text


def test_assistant_thread_gets_prompts_status_and_title(bot):
    started = {
        "type": "assistant_thread_started",
        "event_ts": "1700000006.000001",
        "assistant_thread": {
            "user_id": "U0001",
            "channel_id": "D0009",
            "thread_ts": "1700000006.000100",
            "context": {},
        },
    }
    assert bot.send(started) == 200
    prompts = bot.slack.wait_for("assistant.threads.setSuggestedPrompts", 1)
    assert len(prompts) == 1 and len(json.loads(json.dumps(prompts[0].body))["prompts"]) == 4
    assert bot.slack.wait_for("chat.postMessage", 1)[0].body["thread_ts"] == "1700000006.000100"
    user_message = direct_message(
        "Why do alliances fail?", channel="D0009", ts="1700000006.000200", thread_ts="1700000006.000100"
    )
    assert bot.send(user_message) == 200
    bot.settle()
    status = bot.slack.called("assistant.threads.setStatus")
    assert status and status[0].body["status"] == "is thinking…"
    assert bot.slack.called("assistant.threads.setTitle")[0].body["title"] == "Why do alliances fail?"
    answer = bot.posts()[-1]
    assert answer["thread_ts"] == "1700000006.000100" and "[1]" in answer["text"]


def test_advisor_slack_command_serves_http_end_to_end(slack, tmp_path):
    """`advisor slack` as a real process: HTTP mode on a free port, answering through the stub Web API."""
    # The one-message path; the streamed one: test_slack_stream.py.
    with slack_process(slack, SECRET, str(tmp_path), ADVISOR_SLACK_STREAMING="false") as (url, stderr, _):
        status, _ = post_signed(url, SECRET, event_callback(mention("What is a joint venture?")))
        assert status == 200
        (reply,) = slack.wait_for("chat.postMessage", 1, timeout=30)
        assert "joint venture" in reply.body["text"].lower() and reply.body["thread_ts"]
    assert "Traceback" not in stderr[0] and "xoxb-e2e" not in stderr[0]
