"""Slack bot parts that need no server: rendering within Block Kit limits, reading Slack markup,
start-up checks of the settings, the rate limiter, and `advisor feedback export`."""

from __future__ import annotations

import json

import pytest
import yaml
from slack_stub import StubSlackAPI

from advisor import Answer, Source, load_settings
from advisor.feedback import Feedback, FeedbackStore
from bots.cli.main import main as cli_main
from bots.slack.app import main as slack_main
from bots.slack.config import load_slack_settings
from bots.slack.ratelimit import UserRateLimit
from bots.slack.render import answer_messages, escape, plain_text, split_text


def test_plain_text_unwraps_markup_and_drops_our_mention():
    text = (
        "<@UBOT> ask <@U0OTHER> about <!channel> <#C01|general> <https://x.example|the doc> &lt;b&gt; &amp;"
    )
    assert plain_text(text, "UBOT") == "ask @U0OTHER about @channel #general the doc <b> &"


def test_escape_makes_markup_inert():
    assert escape("<!here> & <@U1>") == "&lt;!here&gt; &amp; &lt;@U1&gt;"


def test_split_text_respects_the_limit_and_keeps_everything():
    text = "\n".join(["word " * 300, "x" * 7000, "& " * 2000])
    pieces = split_text(escape(text), 3000)
    assert all(len(p) <= 3000 for p in pieces)
    assert "".join(pieces).replace("\n", "").replace(" ", "") == escape(text).replace("\n", "").replace(
        " ", ""
    )
    assert not any(p.endswith("&am") or p.endswith("&") for p in pieces)


@pytest.mark.parametrize("size", [100, 20_000, 200_000])
def test_long_answers_fit_block_kit_limits(size):
    sources = [
        Source(n=i, title=f"Doc {i}", section="S", source="a.md", id=f"id{i}", score=0.5) for i in (1, 2)
    ]
    answer = Answer(
        text=("- A point about alliances [1].\n" * (size // 30))[:size],
        refused=False,
        sources=sources,
        session_id="s",
        notice="engine fell back",
    )
    messages = answer_messages(answer, "rec1", question="q?")
    for message in messages:
        assert len(message.blocks) <= 50 and len(message.text) <= 40_000
        for block in message.blocks:
            if block["type"] == "section":
                assert len(block["text"]["text"]) <= 3000
    assert sum(b["type"] == "context_actions" for m in messages for b in m.blocks) == 1
    assert messages[-1].blocks[-1]["elements"][0]["value"] == "rec1"  # "Show more" comes last
    assert (len(messages) > 1) == (size == 200_000)


def test_user_rate_limit_window(tmp_path):
    from advisor.storage import data_dir_database

    now = [0.0]
    limit = UserRateLimit(2, data_dir_database(tmp_path), clock=lambda: now[0])
    assert limit.check("u") == 0 and limit.check("u") == 0
    assert limit.check("u") == pytest.approx(60)
    assert limit.check("v") == 0
    now[0] = 61
    assert limit.check("u") == 0


@pytest.mark.parametrize(
    "env,message",
    [
        ({}, "SLACK_BOT_TOKEN is not set"),
        ({"SLACK_BOT_TOKEN": "not-a-token", "SLACK_SIGNING_SECRET": "s"}, "should start with xoxb-"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET is not set"),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xoxb-2"}, "should start with xapp-"),
        (
            {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "SLACK_API_URL": "ftp:/x"},
            "SLACK_API_URL",
        ),
    ],
)
def test_slack_command_refuses_bad_settings_in_one_line(monkeypatch, capsys, env, message):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert cli_main(["slack"]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
    assert "xoxb-1" not in err and "xoxb-2" not in err


def test_slack_main_reports_a_rejected_token(monkeypatch, capsys):
    with StubSlackAPI() as slack:
        slack.overrides["auth.test"] = {"ok": False, "error": "invalid_auth"}
        slack = load_slack_settings(bot_token="xoxb-secret-1", signing_secret="s", api_url=slack.api_url)
        assert slack_main(load_settings(), slack) == 2
    err = capsys.readouterr().err
    assert err == "error: Slack rejected SLACK_BOT_TOKEN (invalid_auth)\n"


def test_slack_main_reports_an_unreachable_api(capsys):
    slack = load_slack_settings(bot_token="xoxb-1", signing_secret="s", api_url="http://127.0.0.1:9/api/")
    assert slack_main(load_settings(), slack) == 2
    assert capsys.readouterr().err.startswith("error: cannot reach the Slack API at http://127.0.0.1:9/api/")


def _votes(settings):
    store = FeedbackStore(settings.data_dir)
    store.record(Feedback(vote="up", question="q1", answer="a1", source_ids=["s1"], user="U1"))
    store.record(
        Feedback(vote="down", question="q2 <!here>", answer="a2", source_ids=["s2", "s3"], user="U2")
    )


def test_feedback_export_jsonl_filters_votes(settings, capsys):
    _votes(settings)
    assert cli_main(["feedback", "export", "--votes", "down"]) == 0
    out = capsys.readouterr()
    rows = [json.loads(line) for line in out.out.splitlines()]
    assert [(r["vote"], r["question"], r["source_ids"]) for r in rows] == [
        ("down", "q2 <!here>", ["s2", "s3"])
    ]
    assert "1 vote(s) exported" in out.err


def test_feedback_export_yaml_all(settings, capsys):
    _votes(settings)
    assert cli_main(["feedback", "export", "--format", "yaml"]) == 0
    rows = yaml.safe_load(capsys.readouterr().out)
    assert [r["vote"] for r in rows] == ["up", "down"] and rows[0]["answer"] == "a1"


def test_feedback_export_empty(capsys):
    assert cli_main(["feedback", "export", "--format", "yaml"]) == 0
    assert yaml.safe_load(capsys.readouterr().out) == []


def test_slack_main_reports_a_port_in_use(capsys):
    import socket

    with StubSlackAPI() as slack, socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        slack = load_slack_settings(
            bot_token="xoxb-1",
            signing_secret="s",
            api_url=slack.api_url,
            port=taken.getsockname()[1],
        )
        assert slack_main(load_settings(), slack) == 2
    err = capsys.readouterr().err
    assert "error: cannot listen on port" in err and "Traceback" not in err


def test_slack_main_reports_a_refused_app_token(capsys):
    with StubSlackAPI() as slack:
        slack.overrides["apps.connections.open"] = {"ok": False, "error": "invalid_auth"}
        slack = load_slack_settings(bot_token="xoxb-1", app_token="xapp-1", api_url=slack.api_url)
        assert slack_main(load_settings(), slack) == 2
    assert capsys.readouterr().err.endswith(
        "error: Slack refused Socket Mode for SLACK_APP_TOKEN (invalid_auth)\n"
    )
