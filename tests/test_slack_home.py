"""What the best Slack AI apps offer: the App Home tab, the "Ask the advisor" message shortcut, rotating
loading messages under the status, and clickable citations where a source has a web address."""

from __future__ import annotations

import json

from slack_bots import SECRET
from slack_stub import direct_message, form_body, mention, post, signed_headers

from advisor import Answer, Source
from bots.slack.answering import LOADING
from bots.slack.render import sources_text


def home_opened(user: str = "U0001") -> dict:
    return {"type": "app_home_opened", "user": user, "channel": "D0001", "tab": "home", "event_ts": "1.0"}


def test_app_home_shows_knowledge_examples_and_the_users_recent_threads(bot):
    assert bot.send(mention("Why do alliances fail?", ts="1700000400.000100", user="U0HOME")) == 200
    bot.settle()
    assert bot.send(home_opened("U0HOME")) == 200
    (published,) = bot.slack.wait_for("views.publish", 1)
    assert published.body["user_id"] == "U0HOME"
    view = (
        published.body["view"]
        if isinstance(published.body["view"], dict)
        else json.loads(published.body["view"])
    )
    text = json.dumps(view, ensure_ascii=False)
    assert view["type"] == "home"
    assert "What I know about" in text and "•" in text  # the documents the advisor holds
    assert "How should we choose an alliance partner?" in text  # examples
    assert "Why do alliances fail?" in text  # this user's own thread
    permalinks = bot.slack.called("chat.getPermalink")
    assert permalinks and permalinks[0].body["message_ts"] == "1700000400.000100"


def test_app_home_of_a_new_user_lists_no_threads(bot):
    assert bot.send(home_opened("U0NEW")) == 200
    (published,) = bot.slack.wait_for("views.publish", 1)
    assert "None yet" in json.dumps(published.body["view"])


def test_message_shortcut_answers_privately_about_the_message(bot):
    payload = {
        "type": "message_action",
        "callback_id": "advisor_ask_about_message",
        "trigger_id": "1.2.3",
        "team": {"id": "T0001"},
        "user": {"id": "U0ASK"},
        "channel": {"id": "C0009"},
        "message": {
            "type": "message",
            "user": "U0OTHER",
            "ts": "1700000410.000100",
            "text": "What is a joint venture?",
        },
        "response_url": bot.slack.url + "respond/shortcut1",
    }
    body = form_body({"payload": payload})
    status, _ = post(
        bot.url, body, signed_headers(SECRET, body, content_type="application/x-www-form-urlencoded")
    )
    assert status == 200
    bot.settle()
    (reply,) = bot.slack.called("respond")
    assert reply.method == "respond/shortcut1" and reply.body["response_type"] == "ephemeral"
    assert "joint venture" in json.dumps(reply.body).lower()
    assert bot.posts() == []  # the channel sees nothing


def test_status_rotates_loading_messages(bot):
    user_message = direct_message(
        "Why do alliances fail?", channel="D0009", ts="1700000420.000200", thread_ts="1700000420.000100"
    )
    assert bot.send(user_message) == 200
    bot.settle()
    (status,) = bot.slack.called("assistant.threads.setStatus")
    assert status.body["status"] == "is thinking…" and status.body["loading_messages"] == LOADING


def test_citations_link_sources_that_have_a_web_address():
    sources = [
        Source(
            n=1,
            title="Alliance basics",
            section="Types",
            source="https://example.org/a?x=1&y=2",
            id="a",
            score=1,
        ),
        Source(n=2, title="Local note", section="", source="notes/local.md", id="b", score=1),
        Source(n=3, title="Tricky | title", section="", source="javascript:alert(1)", id="c", score=1),
        Source(n=4, title="Bad", section="", source="https://evil.example/x|<!here>", id="d", score=1),
    ]
    text = sources_text(Answer(text="x", refused=False, sources=sources, session_id="s"))
    assert "[1] <https://example.org/a?x=1&amp;y=2|Alliance basics › Types>" in text
    assert "[2] Local note" in text and "<notes" not in text
    assert "javascript:" not in text and "<!here>" not in text and "<https://evil" not in text
