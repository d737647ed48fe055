"""Test seams for the Slack bot: a stub Slack Web API on loopback and signed Events API requests.

    with StubSlackAPI() as slack:
        client = slack.client("xoxb-test")           # a WebClient pointed at the stub
        ...                                          # run the bot against it
        slack.wait_for("chat.postMessage", 1)        # bounded polling on the recorded calls
        slack.streams()                              # replies streamed with chat.startStream/append/stop
        slack.refuse("chat.startStream", "not_allowed")  # answer ok:false (HTTP 200) from now on
        slack.delay("chat.appendStream", 2.0)        # answer that method slowly (a request in flight)
        slack.install("code-2", team="T0002", token="xoxb-team-2")  # what oauth.v2.access hands out
        call.token                                   # the bearer token a recorded call used

Used by the tests and by ``scripts/slack_load.py``; it never talks to the real Slack.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from bots.slack.config import SlackConfig, make_client
from tests.ports import start_server, stop

BOT_USER = "UBOT"
BOT_ID = "BBOT"
TEAM = "T0001"


@dataclass
class Call:
    method: str  # Web API method ("chat.postMessage") or "respond/<id>" for response_url posts
    body: dict[str, Any]
    headers: dict[str, str]

    @property
    def token(self) -> str | None:
        """The bearer token the call carried (None for response_url posts and basic-auth calls)."""
        auth = next((v for k, v in self.headers.items() if k.lower() == "authorization"), "")
        return auth[7:] if auth.startswith("Bearer ") else (self.body.get("token") or None)


STREAM_LIMIT = 12_000  # characters of markdown text per stream call


@dataclass
class Stream:
    """A reply streamed with chat.startStream / appendStream / stopStream, as the stub saw it."""

    channel: str
    thread_ts: str
    ts: str
    recipient_team_id: str | None
    recipient_user_id: str | None
    parts: list[str] = field(default_factory=list)  # the markdown text of each call, in order
    blocks: list[dict[str, Any]] | None = None  # given to chat.stopStream
    stopped: bool = False

    @property
    def text(self) -> str:
        return "".join(self.parts)


class StubSlackAPI:
    """Answers every Web API method with ok:true (plus realistic fields) and records each call.

    The stream methods keep state like Slack: channel streams must name their recipient, text per call is
    limited to 12,000 characters, and appending to or stopping an unknown or stopped stream is an error.
    """

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.rejected: list[str] = []  # methods answered with a scripted failure (e.g. 429)
        self.refused: list[str] = []  # methods answered ok:false (scripted by ``refuse`` or by the rules)
        self.overrides: dict[str, dict[str, Any]] = {}
        self._failures: dict[str, list[tuple[int, dict[str, str]]]] = {}
        self._refusals: dict[str, tuple[str, int | None]] = {}
        self._delays: dict[str, float] = {}
        self._installs: dict[str, tuple[str, str]] = {}  # OAuth code -> (team id, bot token)
        self._teams: dict[str, str] = {}  # bot token -> team id
        self._streams: dict[str, Stream] = {}
        self._lock = threading.Lock()
        self._ts = itertools.count(1)
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                stub._handle(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        self.api_url = self.url + "api/"
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> StubSlackAPI:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def client(self, token: str = "xoxb-test-token") -> WebClient:
        """The bot's production client (same retry handlers) pointed at this stub."""
        return make_client(SlackConfig(token, "", None, self.api_url, 0))

    def fail_next(self, method: str, status: int = 429, retry_after: int = 1, times: int = 1) -> None:
        with self._lock:
            failure = (status, {"Retry-After": str(retry_after)})
            self._failures.setdefault(method, []).extend([failure] * times)

    def refuse(self, method: str, error: str, times: int | None = None) -> None:
        """Answer ``method`` with ``{"ok": false, "error": error}`` (HTTP 200), ``times`` times or always."""
        with self._lock:
            self._refusals[method] = (error, times)

    def delay(self, method: str, seconds: float) -> None:
        """Answer ``method`` only after ``seconds`` (the call is recorded when it arrives)."""
        with self._lock:
            self._delays[method] = seconds

    def install(self, code: str, team: str, token: str) -> None:
        """Make ``oauth.v2.access`` with ``code`` install the app in ``team`` with bot ``token``."""
        with self._lock:
            self._installs[code] = (team, token)
            self._teams[token] = team

    def streams(self) -> list[Stream]:
        with self._lock:
            return list(self._streams.values())

    def called(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method or c.method.startswith(method + "/")]

    def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        """Poll (bounded) until ``method`` was called at least ``count`` times; return those calls."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.called(method)
            if len(found) >= count:
                return found
            time.sleep(0.02)
        return self.called(method)

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        raw = request.rfile.read(int(request.headers.get("Content-Length") or 0)).decode("utf-8")
        path = request.path.lstrip("/")
        method = path[4:] if path.startswith("api/") else path
        body = json.loads(raw) if raw.startswith("{") else dict(parse_qsl(raw))
        with self._lock:
            failures = self._failures.get(method)
            failure = failures.pop(0) if failures else None
            call = Call(method, body, dict(request.headers))
            if failure is None:
                self.calls.append(call)
            else:
                self.rejected.append(method)
            pause = self._delays.get(method, 0.0)
        if pause:
            time.sleep(pause)
        if failure is not None:
            status, headers = failure
            self._send(request, status, {"ok": False, "error": "ratelimited"}, headers)
            return
        self._send(request, 200, self._response(method, body, call.token), {})

    def _response(self, method: str, body: dict[str, Any], token: str | None = None) -> dict[str, Any]:
        if method in self.overrides:
            return self.overrides[method]
        if method == "oauth.v2.access":
            return self._oauth_access(body)
        with self._lock:
            error = self._scripted_refusal(method)
            if error is None and method.startswith("chat.") and method.endswith("Stream"):
                result = self._stream_call(method, body)
                error = result.get("error")
                if error is None:
                    return result
            if error is not None:
                self.refused.append(method)
                return {"ok": False, "error": error}
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://stub.slack.test/",
                "team": "Stub",
                "user": "advisor",
                "team_id": self._teams.get(token or "", TEAM),
                "user_id": BOT_USER,
                "bot_id": BOT_ID,
                "is_enterprise_install": False,
            }
        if method == "chat.postMessage":
            ts = f"{int(time.time())}.{next(self._ts):06d}"
            return {
                "ok": True,
                "channel": body.get("channel"),
                "ts": ts,
                "message": {"text": body.get("text", ""), "ts": ts, "bot_id": BOT_ID},
            }
        return {"ok": True}

    def _oauth_access(self, body: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            install = self._installs.get(str(body.get("code", "")))
        if install is None:
            return {"ok": False, "error": "invalid_code"}
        team, token = install
        return {
            "ok": True,
            "app_id": "A0001",
            "authed_user": {"id": "U0INSTALLER"},
            "scope": "app_mentions:read,chat:write,im:history,assistant:write,commands",
            "token_type": "bot",
            "access_token": token,
            "bot_user_id": BOT_USER,
            "team": {"id": team, "name": f"Team {team}"},
            "enterprise": None,
            "is_enterprise_install": False,
        }

    def _scripted_refusal(self, method: str) -> str | None:
        error, times = self._refusals.get(method, (None, None))
        if error is not None and times is not None:
            self._refusals[method] = (error, times - 1) if times > 1 else (None, None)
        return error

    def _stream_call(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        text = body.get("markdown_text") or "".join(
            c.get("text", "") for c in body.get("chunks") or [] if c.get("type") == "markdown_text"
        )
        if len(text) > STREAM_LIMIT:
            return {"ok": False, "error": "msg_too_long"}
        channel = str(body.get("channel", ""))
        if method == "chat.startStream":
            if not channel.startswith("D") and not (
                body.get("recipient_team_id") and body.get("recipient_user_id")
            ):
                return {"ok": False, "error": "invalid_arguments"}  # channel streams need a recipient
            ts = f"{int(time.time())}.{next(self._ts):06d}"
            self._streams[ts] = Stream(
                channel,
                str(body.get("thread_ts", "")),
                ts,
                body.get("recipient_team_id"),
                body.get("recipient_user_id"),
            )
        else:
            ts = str(body.get("ts", ""))
            stream = self._streams.get(ts)
            if stream is None or stream.stopped or stream.channel != channel:
                return {"ok": False, "error": "message_not_in_streaming_state"}
            if method == "chat.stopStream":
                stream.stopped = True
                stream.blocks = body.get("blocks")
        if text:
            self._streams[ts].parts.append(text)
        return {"ok": True, "channel": channel, "ts": ts}

    @staticmethod
    def _send(
        request: BaseHTTPRequestHandler, status: int, payload: dict[str, Any], headers: dict[str, str]
    ) -> None:
        data = json.dumps(payload).encode()
        request.send_response(status)
        request.send_header("Content-Type", "application/json; charset=utf-8")
        request.send_header("Content-Length", str(len(data)))
        for key, value in headers.items():
            request.send_header(key, value)
        request.end_headers()
        request.wfile.write(data)


# -- building and signing requests the way Slack does ----------------------------------------------

_event_ids = itertools.count(1)


def event_callback(event: dict[str, Any], event_id: str | None = None) -> dict[str, Any]:
    return {
        "token": "legacy",
        "team_id": TEAM,
        "api_app_id": "A0001",
        "type": "event_callback",
        "event": event,
        "event_id": event_id or f"Ev{next(_event_ids):08d}",
        "event_time": int(time.time()),
        "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}],
    }


def edits_of(original: dict[str, Any], added: str, edited_ts: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """How Slack re-delivers an edited mention: an ``app_mention`` with an ``edited`` field (under a new
    event id), and a ``message_changed`` message event."""
    edited = {
        **original,
        "text": original["text"] + added,
        "edited": {"user": original["user"], "ts": edited_ts},
    }
    changed = {
        "type": "message",
        "subtype": "message_changed",
        "channel": original["channel"],
        "channel_type": "channel",
        "hidden": True,
        "ts": edited_ts,
        "message": {**edited, "type": "message"},
        "previous_message": {**original, "type": "message"},
    }
    return edited, changed


def mention(
    text: str,
    *,
    channel: str = "C0001",
    ts: str = "1700000000.000100",
    user: str = "U0001",
    thread_ts: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    event = {
        "type": "app_mention",
        "user": user,
        "text": f"<@{BOT_USER}> {text}",
        "ts": ts,
        "channel": channel,
        "event_ts": ts,
        **extra,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def direct_message(
    text: str, *, channel: str = "D0001", ts: str = "1700000000.000200", user: str = "U0001", **extra: Any
) -> dict[str, Any]:
    return {
        "type": "message",
        "channel_type": "im",
        "user": user,
        "text": text,
        "ts": ts,
        "channel": channel,
        "event_ts": ts,
        **extra,
    }


def signed_headers(
    secret: str, body: str, timestamp: str | None = None, content_type: str = "application/json"
) -> dict[str, str]:
    timestamp = timestamp or str(int(time.time()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body)
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": signature or "",
    }


def form_body(fields: dict[str, Any]) -> str:
    return urlencode({k: json.dumps(v) if isinstance(v, dict | list) else v for k, v in fields.items()})


def post(url: str, body: str, headers: dict[str, str], timeout: float = 10.0) -> tuple[int, str]:
    """POST and return (status, body text) without raising on 4xx/5xx."""
    request = urllib.request.Request(url, data=body.encode("utf-8"), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        with exc:  # an HTTPError holds the response's socket open until closed
            return exc.code, exc.read().decode("utf-8", "replace")


def post_signed(
    url: str,
    secret: str,
    payload: dict[str, Any] | str,
    *,
    retry_num: int | None = None,
    content_type: str = "application/json",
    timeout: float = 10.0,
) -> tuple[int, str]:
    body = payload if isinstance(payload, str) else json.dumps(payload)
    headers = signed_headers(secret, body, content_type=content_type)
    if retry_num is not None:
        headers.update({"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"})
    return post(url, body, headers, timeout)


@contextlib.contextmanager
def slack_process(
    slack: StubSlackAPI, secret: str, cwd: str, **env: str
) -> Iterator[tuple[str, list[str], subprocess.Popen]]:
    """Run `advisor slack` in HTTP mode on a free port against the stub; yield (events URL, [stderr],
    the process).

    A bot that does not come up fails the test at once with its log (see tests/ports.py). The stderr
    list is filled once the process has been stopped, when the block exits.
    """
    environment = {
        **os.environ,
        "SLACK_BOT_TOKEN": "xoxb-e2e",
        "SLACK_SIGNING_SECRET": secret,
        "SLACK_API_URL": slack.api_url,
        **env,
    }
    log = Path(cwd) / "advisor-slack.log"

    def launch(port: int, log: Path) -> subprocess.Popen:
        with log.open("wb") as out:  # a file, not a pipe: a chatty bot can never block on a full pipe
            return subprocess.Popen(
                [sys.executable, "-m", "bots.cli.main", "slack"],
                env={**environment, "ADVISOR_SLACK_PORT": str(port)},
                cwd=cwd,
                stdout=subprocess.DEVNULL,
                stderr=out,
            )

    # `advisor slack` prints the port it was given, not the one it bound, so port 0 cannot be read back.
    port, process = start_server("advisor slack", launch, lambda p: f"http://127.0.0.1:{p}/healthz", log, 30)
    stderr: list[str] = []
    try:
        yield f"http://127.0.0.1:{port}/slack/events", stderr, process
    finally:
        stop(process)
        stderr.append(log.read_text(errors="replace"))
