"""HTTP mode: an ASGI app (Starlette) on uvicorn, with Bolt's Starlette adapter doing the Bolt side.

Routes: ``POST /slack/events`` (events, commands, interactivity), ``GET /healthz`` and ``GET /readyz``
(``bots.slack.health``), and in OAuth mode ``GET /slack/install`` and ``GET /slack/oauth_redirect``.

Bolt's App is synchronous and both of its ASGI adapters call ``app.dispatch`` straight from the event
loop, so one slow middleware (a database round trip, an OAuth token exchange) would stall every other
request. Here the request is read on the loop, checked, turned into a ``BoltRequest`` with the adapter's
``to_bolt_request`` and dispatched on Starlette's thread pool; the answer goes back through
``to_starlette_response`` (which keeps the OAuth state cookie). The listeners' slow work runs on the
Answerer's pools after the ack, so a request holds a thread only for milliseconds.

The front door checks what Bolt would otherwise turn into a 500: a missing, stale or non-numeric
``X-Slack-Request-Timestamp``, a bad signature (401), and a body that is not UTF-8, not JSON or not
form data (400). Only verified, parseable requests reach ``app.dispatch``.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time

import uvicorn
from slack_bolt import App, BoltResponse
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from slack_sdk.signature import SignatureVerifier
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from bots.slack.health import Readiness, health_routes

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
MAX_BODY = 1_000_000  # Slack's payloads are far smaller


class FrontDoor:
    """Signature and shape checks before Bolt, then Bolt's dispatch off the event loop."""

    def __init__(self, app: App, signing_secret: str) -> None:
        self.app = app
        self.verifier = SignatureVerifier(signing_secret)

    async def events(self, request: Request) -> Response:
        try:
            length = int(request.headers.get("content-length") or 0)
        except ValueError:
            return _plain(400, "bad content length")
        if not 0 <= length <= MAX_BODY:
            return _plain(413, "body too large")
        raw = await request.body()
        if len(raw) > MAX_BODY:
            return _plain(413, "body too large")
        problem = self._check(raw, request)
        if problem is not None:
            return problem
        try:
            bolt_request = to_bolt_request(request, raw)
            if not isinstance(bolt_request.body, dict):
                raise ValueError("body is not an object")
        except (ValueError, TypeError, AttributeError, KeyError):
            return _plain(400, "malformed body")
        response: BoltResponse = await run_in_threadpool(self.app.dispatch, bolt_request)
        return to_starlette_response(response)

    async def install(self, request: Request) -> Response:
        flow = self.app.oauth_flow
        assert flow is not None
        bolt_request = to_bolt_request(request, await request.body())
        return to_starlette_response(await run_in_threadpool(flow.handle_installation, bolt_request))

    async def oauth_redirect(self, request: Request) -> Response:
        flow = self.app.oauth_flow
        assert flow is not None
        bolt_request = to_bolt_request(request, await request.body())
        return to_starlette_response(await run_in_threadpool(flow.handle_callback, bolt_request))

    def _check(self, raw: bytes, request: Request) -> Response | None:
        timestamp = request.headers.get("x-slack-request-timestamp", "")
        signature = request.headers.get("x-slack-signature", "")
        if not timestamp or not signature:
            return _plain(401, "missing signature")
        if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
            return _plain(400, "bad timestamp")
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            return _plain(400, "body is not UTF-8")
        if not self.verifier.is_valid(raw, timestamp, signature):
            log.info("rejected a request with an invalid or stale signature")
            return _plain(401, "invalid signature")
        return None


def asgi_app(app: App, signing_secret: str, readiness: Readiness, path: str = EVENTS_PATH) -> Starlette:
    """The whole HTTP surface of the bot as one ASGI application."""
    door = FrontDoor(app, signing_secret)
    routes = [Route(path, door.events, methods=["POST"]), *health_routes(readiness)]
    flow = app.oauth_flow
    if flow is not None:
        routes += [
            Route(flow.install_path, door.install, methods=["GET"]),
            Route(flow.redirect_uri_path, door.oauth_redirect, methods=["GET"]),
        ]
    return Starlette(routes=routes)


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling: ``bots.slack.run`` owns SIGTERM and SIGINT, so stopping
    intake, draining answers and the exit code are decided in one place."""

    def capture_signals(self):
        return contextlib.nullcontext()


class HttpServer:
    """An ASGI app on uvicorn, bound at construction (so "port in use" surfaces at start-up)."""

    def __init__(self, asgi: Starlette, host: str = "0.0.0.0", port: int = 3000, grace: float = 5.0) -> None:
        self.socket = socket.create_server((host, port), backlog=2048, reuse_port=False)
        self.port = self.socket.getsockname()[1]
        config = uvicorn.Config(
            asgi,
            log_config=None,  # the entry point configures logging; uvicorn's records go to its loggers
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=max(1, round(grace)),
            backlog=2048,
        )
        self.server = _Server(config)
        self._thread: threading.Thread | None = None

    def serve(self) -> None:
        """Serve until ``stop()``; then stop accepting, let open requests finish, and return."""
        try:
            self.server.run(sockets=[self.socket])
        finally:
            self.socket.close()

    def stop(self) -> None:
        self.server.should_exit = True  # read by uvicorn's main loop; safe from a signal handler

    def start_in_thread(self, timeout: float = 10.0) -> HttpServer:
        self._thread = threading.Thread(target=self.serve, daemon=True, name="slack-http")
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started and self._thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.01)
        if not self.server.started:
            raise RuntimeError("the HTTP server did not start")
        return self

    def close(self) -> None:
        self.stop()
        if self._thread is not None:
            self._thread.join(10)


def _plain(status: int, text: str) -> Response:
    return PlainTextResponse(text, status_code=status)
