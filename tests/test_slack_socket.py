"""The Slack bot in Socket Mode: Bolt's SocketModeHandler opens apps.connections.open on the stub Web API,
connects to a mock Socket Mode websocket server on loopback, receives Events API envelopes, acks them
by envelope id and answers in the thread."""

from __future__ import annotations

import asyncio
import json
import threading
import time

import pytest
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_stub import StubSlackAPI, event_callback, mention
from websockets.asyncio.server import serve
from websockets.exceptions import ConnectionClosed

from bots.slack.answering import Answerer
from bots.slack.app import create_app
from bots.slack.config import load_slack_settings


class MockSocketModeServer:
    """Sends hello then the given envelopes to each connection, and records what the client sends back."""

    def __init__(self, envelopes: list[dict]) -> None:
        self.envelopes = envelopes
        self.received: list[dict] = []
        self.url = ""
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)

    def __enter__(self) -> MockSocketModeServer:
        self._thread.start()
        assert self._ready.wait(5), "mock socket mode server did not start"
        return self

    def __exit__(self, *exc: object) -> None:
        if self._loop and self._stop:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(5)

    def acks(self) -> list[str]:
        return [m["envelope_id"] for m in list(self.received) if "envelope_id" in m]

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        async with serve(self._session, "127.0.0.1", 0) as server:
            port = next(iter(server.sockets)).getsockname()[1]
            self.url = f"ws://127.0.0.1:{port}/link/?ticket=test"
            self._ready.set()
            await self._stop.wait()

    async def _session(self, ws) -> None:
        try:
            await ws.send(
                json.dumps({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0001"}})
            )
            for envelope in self.envelopes:
                await ws.send(json.dumps(envelope))
            async for message in ws:
                self.received.append(json.loads(message))
        except ConnectionClosed:
            pass


def envelope(envelope_id: str, payload: dict, retry_attempt: int = 0) -> dict:
    return {
        "envelope_id": envelope_id,
        "type": "events_api",
        "accepts_response_payload": False,
        "retry_attempt": retry_attempt,
        "retry_reason": "timeout" if retry_attempt else "",
        "payload": payload,
    }


def wait_until(condition, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


@pytest.fixture
def slack():
    with StubSlackAPI() as stub:
        yield stub


def test_socket_mode_acks_envelopes_and_answers_once(advisor, slack):
    payload = event_callback(mention("What is a joint venture?", ts="1700000010.000100"), event_id="EvSOCK1")
    envelopes = [envelope("env-1", payload), envelope("env-2", payload, retry_attempt=1)]
    settings = load_slack_settings(bot_token="xoxb-test", app_token="xapp-test", streaming=False)
    answerer = Answerer(advisor, settings, advisor.settings.data_dir)
    app = create_app(settings, advisor, answerer, slack.client())
    with MockSocketModeServer(envelopes) as ws:
        slack.overrides["apps.connections.open"] = {"ok": True, "url": ws.url}
        handler = SocketModeHandler(app, "xapp-test", ping_interval=30)
        try:
            handler.connect()
            assert wait_until(lambda: set(ws.acks()) == {"env-1", "env-2"}), ws.received
            assert answerer.drain(10)
        finally:
            handler.close()
    (opened,) = slack.called("apps.connections.open")
    assert opened.headers.get("Authorization") == "Bearer xapp-test"
    (reply,) = [c.body for c in slack.called("chat.postMessage")]
    assert reply["thread_ts"] == "1700000010.000100" and "[1]" in reply["text"]
