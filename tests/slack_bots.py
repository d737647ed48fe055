"""A Slack bot under test: the real app behind the real HTTP endpoint, talking to the stub Web API."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from slack_stub import StubSlackAPI, event_callback, post_signed

from bots.slack.answering import Answerer
from bots.slack.app import create_app
from bots.slack.appdb import RecentThreads, open_app_db
from bots.slack.config import load_slack_settings
from bots.slack.health import Readiness
from bots.slack.server import HttpServer, asgi_app

SECRET = "test-signing-secret"


@dataclass
class Bot:
    url: str
    slack: StubSlackAPI
    answerer: Answerer
    secret: str

    def send(self, event: dict, event_id: str | None = None, retry_num: int | None = None) -> int:
        payload = event_callback(event, event_id)
        status, _ = post_signed(self.url, self.secret, payload, retry_num=retry_num)
        return status

    def settle(self) -> None:
        """Wait (bounded) until every accepted question has been answered."""
        assert self.answerer.drain(10), "answers did not finish within 10 s"

    def posts(self) -> list[dict]:
        return [c.body for c in self.slack.called("chat.postMessage")]

    def methods(self) -> list[str]:
        return [c.method for c in self.slack.calls]


@contextlib.contextmanager
def bot_factory(advisor, slack: StubSlackAPI, secret: str, **defaults) -> Iterator[Callable[..., Bot]]:
    """Yield make(**setting_overrides) -> Bot; every server and worker pool is stopped afterwards."""
    servers = []

    def make(**overrides) -> Bot:
        options = {"bot_token": "xoxb-test", "signing_secret": secret, **defaults, **overrides}
        settings = load_slack_settings(**options)
        data_dir = advisor.settings.data_dir
        answerer = Answerer(advisor, settings, data_dir, threads=RecentThreads(open_app_db(data_dir)))
        client = slack.client("" if settings.client_id else "xoxb-test")
        app = create_app(settings, advisor, answerer, client)
        readiness = Readiness({"storage": lambda: answerer.records.get("probe")})
        readiness.index_loaded()
        server = HttpServer(asgi_app(app, secret, readiness), host="127.0.0.1", port=0).start_in_thread()
        servers.append((server, answerer))
        return Bot(f"http://127.0.0.1:{server.port}/slack/events", slack, answerer, secret)

    try:
        yield make
    finally:
        for server, answerer in servers:
            answerer.drain(10)
            server.close()
            answerer.shutdown()
