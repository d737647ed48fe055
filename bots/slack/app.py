"""The Slack bot: ``advisor slack`` runs it in Socket Mode (SLACK_APP_TOKEN set) or in HTTP mode
(``POST /slack/events`` on ADVISOR_SLACK_PORT, served by uvicorn). One workspace with SLACK_BOT_TOKEN, or
many with SLACK_CLIENT_ID and SLACK_CLIENT_SECRET (OAuth install at ``/slack/install``). SIGTERM stops
intake, gives answers in flight ADVISOR_SLACK_SHUTDOWN_GRACE seconds, closes the rest and exits 0.
"""

from __future__ import annotations

import logging
import os
import sys
import threading

from slack_bolt import App
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient

from advisor import Advisor, AdvisorError, Settings
from advisor.storage import Database
from bots.slack import dedupe, run
from bots.slack.answering import Answerer, describe
from bots.slack.appdb import Installations, OAuthStates, RecentThreads
from bots.slack.config import SlackConfig, SlackSettings, make_client, slack_config
from bots.slack.health import Readiness
from bots.slack.listeners import register_all

log = logging.getLogger(__name__)


def create_app(
    slack: SlackSettings,
    advisor: Advisor,
    answerer: Answerer,
    client: WebClient | None = None,
    db: Database | None = None,
) -> App:
    """The Bolt app with every listener registered (no network calls: tests pass a stub-pointed client).
    In OAuth mode ``db`` holds the installations and OAuth states (default: the advisor's database)."""
    config = slack_config(slack)
    oauth = None
    if config.oauth is not None:
        db = db or answerer.db
        oauth = OAuthSettings(
            client_id=config.oauth.client_id,
            client_secret=config.oauth.client_secret,
            scopes=list(config.oauth.scopes),
            installation_store=Installations(db),
            state_store=OAuthStates(db),
            installation_store_bot_only=True,
        )
    app = App(
        client=client or make_client(config),
        signing_secret=config.signing_secret,
        token_verification_enabled=False,
        request_verification_enabled=not config.socket_mode,
        listener_executor=answerer.listeners,
        oauth_settings=oauth,
    )
    if oauth is not None:
        app.enable_token_revocation_listeners()  # app_uninstalled / tokens_revoked delete the install
    dedupe.register(app, dedupe.SeenEvents(answerer.db))
    register_all(app, answerer)
    return app


def main(settings: Settings, slack: SlackSettings) -> int:
    """Run the bot until SIGTERM/SIGINT; start-up problems print one line and return 2."""
    run.mask_tokens_in_logs()
    try:
        config = slack_config(slack)
        client = make_client(config)
        bot = run.auth_test(client) if config.oauth is None else {"user": "advisor (many workspaces)"}
        advisor = Advisor.from_settings(settings, notify=lambda message: print(message, file=sys.stderr))
        answerer = Answerer(advisor, slack, settings.data_dir, threads=RecentThreads(advisor.sessions.db))
        app = create_app(slack, advisor, answerer, client)
        readiness = Readiness({"storage": lambda: answerer.db.query("SELECT 1")})
        print(f"Slack bot @{bot.get('user')} starting", file=sys.stderr)
        service = _service(app, config, readiness, slack.shutdown_grace)
        run.stop_on_signals(service)
        run.warm_in_background(advisor, readiness, sorted(set(slack.channel_collections.values())))
        service.serve()
    except AdvisorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # Ctrl-C before the signal handlers were in place
        return 0
    except Exception as exc:
        print(f"error: the Slack bot stopped: {describe(exc)}", file=sys.stderr)
        return 2
    finished = answerer.close(slack.shutdown_grace)
    print(
        "stopped" if finished else "stopped; answers still running were closed with a note",
        file=sys.stderr,
    )
    answerer.shutdown()
    if not finished:
        _exit_soon()
    return 0


def _service(app: App, config: SlackConfig, readiness: Readiness, grace: float) -> run.Service:
    if config.socket_mode:
        return run.start_socket_mode(app, config, readiness)
    return run.start_http(app, config, readiness, grace=min(grace, 10.0))


def _exit_soon(after: float = 5.0) -> None:
    """A model call cannot be cancelled and its worker thread would hold up interpreter exit: if it has not
    ended ``after`` seconds from now, leave anyway (its answer was already closed for its asker)."""

    def leave() -> None:
        sys.stderr.flush()
        os._exit(0)

    timer = threading.Timer(after, leave)
    timer.daemon = True
    timer.start()
