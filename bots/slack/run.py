"""Start-up helpers for ``advisor slack``: check the token, warm the advisor, and serve in either mode.

Start-up failures (rejected token, unreachable API, port in use, Socket Mode refused) become one
ConfigError line; they never reach the user as a stack trace.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from advisor import Advisor, ConfigError
from bots.slack.answering import describe
from bots.slack.config import SlackConfig

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


def warm_in_background(advisor: Advisor) -> None:
    def warm() -> None:
        try:
            advisor.warm()
        except Exception as exc:  # the first question will report the problem to its asker
            log.warning("warm-up failed: %s", describe(exc))

    threading.Thread(target=warm, daemon=True, name="advisor-warm").start()


def start_socket_mode(app: App, config: SlackConfig) -> Callable[[], None]:
    """Connect to Slack over Socket Mode; return the blocking function that keeps the bot running."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    handler = SocketModeHandler(app, config.app_token)
    try:
        handler.connect()
    except SlackApiError as exc:
        error = exc.response.get("error", "unknown error")
        raise ConfigError(f"Slack refused Socket Mode for SLACK_APP_TOKEN ({error})") from None
    except OSError as exc:
        raise ConfigError(f"cannot open the Socket Mode connection ({describe(exc)})") from None
    print("connected to Slack in Socket Mode", file=sys.stderr)

    def serve() -> None:
        try:
            threading.Event().wait()
        finally:
            handler.close()

    return serve


def start_http(app: App, config: SlackConfig, host: str = "0.0.0.0") -> Callable[[], None]:
    """Bind the HTTP endpoint; return the blocking function that serves it."""
    from bots.slack.server import EVENTS_PATH, make_http_server

    try:
        server = make_http_server(app, config.signing_secret, host=host, port=config.port)
    except OSError as exc:
        raise ConfigError(
            f"cannot listen on port {config.port} ({exc.strerror or exc}); "
            "set ADVISOR_SLACK_PORT to a free port"
        ) from None
    print(f"listening on http://{host}:{config.port}{EVENTS_PATH}", file=sys.stderr)

    def serve() -> None:
        try:
            server.serve_forever()
        finally:
            server.server_close()

    return serve
