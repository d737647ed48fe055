"""Start-up and shut-down for ``advisor slack``: check the token, warm the advisor, serve in either mode,
and stop on SIGTERM or SIGINT.

Start-up failures (rejected token, unreachable API, port in use, Socket Mode refused) become one
ConfigError line; they never reach the user as a stack trace. On a signal the service stops intake
(uvicorn closes its listening socket and lets open requests finish; Socket Mode closes its connection)
and ``serve`` returns; ``bots.slack.app.main`` then gives answers in flight the grace period.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
from typing import Any, Protocol

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from advisor import Advisor, ConfigError
from bots.slack.answering import describe, mask_tokens
from bots.slack.config import SlackConfig
from bots.slack.health import Readiness, health_routes
from bots.slack.server import EVENTS_PATH, HttpServer, asgi_app

log = logging.getLogger(__name__)


def auth_test(client: WebClient) -> dict:
    """Fail fast on a wrong token or an unreachable API; return auth.test's answer (bot user, team)."""
    quiet = logging.getLogger("slack_sdk.web.base_client")  # it logs each failed attempt as an ERROR
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)
    try:
        return client.auth_test().data  # type: ignore[return-value]
    except SlackApiError as exc:
        error = exc.response.get("error", "unknown error")
        raise ConfigError(f"Slack rejected SLACK_BOT_TOKEN ({error})") from None
    except OSError as exc:
        reason = getattr(exc, "reason", None) or type(exc).__name__
        raise ConfigError(f"cannot reach the Slack API at {client.base_url} ({reason})") from None
    finally:
        quiet.setLevel(level)


class MaskTokens(logging.Filter):
    """Masks Slack tokens in every record: slack_sdk's DEBUG wire trace prints response bodies, and
    oauth.v2.access answers with the new workspace's bot token."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_tokens(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def mask_tokens_in_logs(handlers: list[logging.Handler] | None = None) -> None:
    """Put ``MaskTokens`` on ``handlers`` (default: the root logger's, set up by the entry point)."""
    for handler in logging.getLogger().handlers if handlers is None else handlers:
        handler.addFilter(MaskTokens())


def warm_in_background(advisor: Advisor, readiness: Readiness, collections: list[str]) -> None:
    """Load the index (and any per-channel collections) off the main thread; readiness follows it."""

    def warm() -> None:
        try:
            advisor.warm()
            for name in collections:
                advisor.warm(name)
            readiness.index_loaded()
        except Exception as exc:  # the first question will report the problem to its asker
            log.warning("warm-up failed: %s", describe(exc))
            readiness.index_loaded(type(exc).__name__)

    threading.Thread(target=warm, daemon=True, name="advisor-warm").start()


class Service(Protocol):
    def serve(self) -> None: ...  # blocks until stop() was called and intake has stopped
    def stop(self) -> None: ...  # safe to call from a signal handler


def stop_on_signals(service: Service) -> None:
    """SIGTERM (orchestrators) and SIGINT (Ctrl-C) both stop intake; main then drains and exits 0."""

    def handler(signum: int, _frame: object) -> None:
        log.info("signal %s: stopping intake", signum)
        service.stop()

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, handler)


class SocketModeService:
    """Socket Mode, with an optional health port; ``serve`` returns once the connection is closed."""

    def __init__(self, handler: Any, health: HttpServer | None) -> None:
        self.handler = handler
        self.health = health
        self._stopped = threading.Event()

    def serve(self) -> None:
        if self.health is not None:
            self.health.start_in_thread()
        try:
            while not self._stopped.wait(0.5):  # a bare wait() would keep signal handlers from running
                pass
        finally:
            self.handler.close()  # no new envelopes from here on
            if self.health is not None:
                self.health.close()

    def stop(self) -> None:
        self._stopped.set()


def start_socket_mode(app: App, config: SlackConfig, readiness: Readiness) -> SocketModeService:
    """Connect to Slack over Socket Mode; return the service that keeps the bot running."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    health = None
    if config.health_port:
        from starlette.applications import Starlette

        health = _bind(
            Starlette(routes=health_routes(readiness)), config.health_port, "ADVISOR_SLACK_HEALTH_PORT"
        )
    handler = SocketModeHandler(app, config.app_token)
    try:
        handler.connect()
    except SlackApiError as exc:
        error = exc.response.get("error", "unknown error")
        raise ConfigError(f"Slack refused Socket Mode for SLACK_APP_TOKEN ({error})") from None
    except OSError as exc:
        raise ConfigError(f"cannot open the Socket Mode connection ({describe(exc)})") from None
    print("connected to Slack in Socket Mode", file=sys.stderr)
    if health is not None:
        print(f"health on http://0.0.0.0:{health.port}/healthz and /readyz", file=sys.stderr)
    return SocketModeService(handler, health)


def start_http(
    app: App, config: SlackConfig, readiness: Readiness, host: str = "0.0.0.0", grace: float = 5.0
) -> HttpServer:
    """Bind the HTTP endpoint (uvicorn); return the server, whose ``serve`` blocks until stopped."""
    server = _bind(
        asgi_app(app, config.signing_secret, readiness), config.port, "ADVISOR_SLACK_PORT", host, grace
    )
    print(f"listening on http://{host}:{config.port}{EVENTS_PATH}", file=sys.stderr)
    if app.oauth_flow is not None:
        print(
            f"install the app in a workspace from http://{host}:{config.port}/slack/install", file=sys.stderr
        )
    return server


def _bind(asgi: Any, port: int, setting: str, host: str = "0.0.0.0", grace: float = 5.0) -> HttpServer:
    try:
        return HttpServer(asgi, host=host, port=port, grace=grace)
    except OSError as exc:
        raise ConfigError(
            f"cannot listen on port {port} ({exc.strerror or exc}); set {setting} to a free port"
        ) from None
