"""Running in production: SLACK_API_URL checks, /healthz and /readyz, and SIGTERM on a real `advisor
slack` process (intake stops, the answer in flight completes or its stream is closed, exit code 0)."""

from __future__ import annotations

import signal
import time
import urllib.error
import urllib.request

import pytest
from slack_stub import StubSlackAPI, event_callback, mention, post_signed, slack_process

from advisor import ConfigError
from bots.slack.config import load_slack_settings, slack_config
from bots.slack.health import Readiness
from bots.slack.server import HttpServer, asgi_app

SECRET = "test-signing-secret"


@pytest.mark.parametrize(
    "url",
    ["https://slack.com/api/", "http://127.0.0.1:8080/api/", "http://localhost/api/", "http://[::1]:9/api/"],
)
def test_api_url_accepts_https_and_loopback_http(url):
    config = slack_config(load_slack_settings(bot_token="xoxb-1", signing_secret="s", api_url=url))
    assert config.base_url.startswith(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://slack.example.com/api/",
        "http://10.0.0.5/api/",
        "http://127.0.0.1.evil.test/",
        "ftp://x/",
        "slack",
    ],
)
def test_api_url_refuses_plain_http_to_other_hosts_with_a_clear_error(url):
    settings = load_slack_settings(bot_token="xoxb-secret-9", signing_secret="sig-secret", api_url=url)
    with pytest.raises(ConfigError) as caught:
        slack_config(settings)
    message = str(caught.value)
    assert "SLACK_API_URL must be an https URL" in message
    assert "xoxb-secret-9" not in message and "sig-secret" not in message


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, exc.read().decode()


def test_healthz_and_readyz_follow_the_index_and_storage(slack_app_parts):
    app = slack_app_parts
    storage = {"up": False}

    def check_storage() -> None:
        if not storage["up"]:
            raise ConnectionError("database unreachable at postgresql://user:pw@db/advisor")

    readiness = Readiness({"storage": check_storage})
    server = HttpServer(asgi_app(app, SECRET, readiness), host="127.0.0.1", port=0).start_in_thread()
    base = f"http://127.0.0.1:{server.port}"
    try:
        assert get(base + "/healthz") == (200, "ok")
        status, text = get(base + "/readyz")
        assert status == 503 and "index: loading" in text and "storage: ConnectionError" in text
        assert "pw@" not in text
        readiness.index_loaded()
        storage["up"] = True
        assert get(base + "/readyz") == (200, "ready")
    finally:
        server.close()


@pytest.fixture
def slack_app_parts(advisor):
    from bots.slack.answering import Answerer
    from bots.slack.app import create_app

    with StubSlackAPI() as slack:
        settings = load_slack_settings(bot_token="xoxb-test", signing_secret=SECRET)
        answerer = Answerer(advisor, settings, advisor.settings.data_dir)
        try:
            yield create_app(settings, advisor, answerer, slack.client())
        finally:
            answerer.shutdown()


@pytest.mark.parametrize("grace", ["30", "1"], ids=["answer-completes", "stream-closed"])
def test_sigterm_finishes_or_closes_the_answer_in_flight_and_exits_0(advisor, tmp_path, grace):
    """``advisor`` builds the index in the data dir the process inherits, so it starts answering at once."""
    with StubSlackAPI() as slack:
        slack.delay("chat.startStream", 3.0)  # the answer is being streamed when SIGTERM arrives
        env = {"ADVISOR_SLACK_SHUTDOWN_GRACE": grace}
        with slack_process(slack, SECRET, str(tmp_path), **env) as (url, stderr, process):
            event = event_callback(mention("What is a joint venture?", ts="1700000200.000100"))
            assert post_signed(url, SECRET, event)[0] == 200
            started = slack.wait_for("chat.startStream", 1, timeout=120)
            assert started, f"the answer never started streaming: {[c.method for c in slack.calls]}"
            process.send_signal(signal.SIGTERM)
            started = time.monotonic()
            assert process.wait(timeout=40) == 0
            took = time.monotonic() - started
        (stream,) = slack.streams()
        assert stream.stopped, "the stream was left open"
        if grace == "1":
            assert stream.text.strip() and "Cut short" in stream.text and took < 15
            assert stream.blocks is None  # no feedback buttons under an unfinished answer
        else:
            assert "joint venture" in stream.text.lower() and "Cut short" not in stream.text
            assert stream.blocks  # finished, with sources and feedback
        assert not slack.called("chat.postMessage")
        assert "Traceback" not in stderr[0] and "xoxb-e2e" not in stderr[0]
