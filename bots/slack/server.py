"""HTTP mode: ``POST /slack/events`` on a threaded WSGI server (Bolt's ``App.start`` is a dev server).

The front door checks what Bolt would otherwise turn into a 500: a missing, stale or non-numeric
``X-Slack-Request-Timestamp``, a bad signature (401), and a body that is not UTF-8, not JSON or not
form data (400). Only verified, parseable requests reach ``app.dispatch``. ``GET /healthz`` says "ok".
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from http import HTTPStatus
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from slack_bolt import App, BoltRequest
from slack_sdk.signature import SignatureVerifier

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
MAX_BODY = 1_000_000  # Slack's payloads are far smaller


class SlackEndpoint:
    """A WSGI application serving one Bolt app."""

    def __init__(self, app: App, signing_secret: str, path: str = EVENTS_PATH) -> None:
        self.app = app
        self.path = path
        self.verifier = SignatureVerifier(signing_secret)

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        status, headers, body = self.handle(environ)
        start_response(status, headers)
        return [body]

    def handle(self, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
        method, path = environ.get("REQUEST_METHOD", ""), environ.get("PATH_INFO", "")
        if path == "/healthz" and method == "GET":
            return _plain("200 OK", "ok")
        if path != self.path:
            return _plain("404 Not Found", "not found")
        if method != "POST":
            return _plain("405 Method Not Allowed", "POST only")
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _plain("400 Bad Request", "bad content length")
        if not 0 <= length <= MAX_BODY:
            return _plain("413 Content Too Large", "body too large")
        raw = environ["wsgi.input"].read(length) if length else b""
        headers = _headers(environ)
        problem = self._check(raw, headers)
        if problem:
            return problem
        try:
            request = BoltRequest(
                body=raw.decode("utf-8"), query=environ.get("QUERY_STRING", ""), headers={**headers}
            )
            if not isinstance(request.body, dict):
                raise ValueError("body is not an object")
        except (ValueError, TypeError, AttributeError, KeyError):
            return _plain("400 Bad Request", "malformed body")
        response = self.app.dispatch(request)
        out = [(k, v) for k, values in response.headers.items() for v in values]
        try:
            reason = HTTPStatus(response.status).phrase
        except ValueError:
            reason = "Unknown"
        return f"{response.status} {reason}", out, (response.body or "").encode()

    def _check(self, raw: bytes, headers: dict[str, str]) -> tuple[str, list[tuple[str, str]], bytes] | None:
        timestamp = headers.get("x-slack-request-timestamp", "")
        signature = headers.get("x-slack-signature", "")
        if not timestamp or not signature:
            return _plain("401 Unauthorized", "missing signature")
        if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
            return _plain("400 Bad Request", "bad timestamp")
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            return _plain("400 Bad Request", "body is not UTF-8")
        if not self.verifier.is_valid(raw, timestamp, signature):
            log.info("rejected a request with an invalid or stale signature")
            return _plain("401 Unauthorized", "invalid signature")
        return None


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    request_queue_size = 128  # a burst of events must not overflow the listen backlog


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)


def make_http_server(app: App, signing_secret: str, host: str = "0.0.0.0", port: int = 3000) -> WSGIServer:
    """A threaded server for the app; ``port=0`` picks a free port (see ``server.server_port``)."""
    return make_server(
        host,
        port,
        SlackEndpoint(app, signing_secret),
        server_class=ThreadingWSGIServer,
        handler_class=QuietHandler,
    )


def serve_in_thread(server: WSGIServer) -> threading.Thread:
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True, name="slack-http"
    )
    thread.start()
    return thread


def _headers(environ: dict[str, Any]) -> dict[str, str]:
    headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
    if environ.get("CONTENT_TYPE"):
        headers["content-type"] = environ["CONTENT_TYPE"]
    return headers


def _plain(status: str, text: str) -> tuple[str, list[tuple[str, str]], bytes]:
    return status, [("Content-Type", "text/plain; charset=utf-8")], text.encode()
