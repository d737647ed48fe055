"""The Slack bot: ``advisor slack`` runs it in Socket Mode (SLACK_APP_TOKEN set) or in HTTP mode
(``POST /slack/events`` on ADVISOR_SLACK_PORT). Needs SLACK_BOT_TOKEN, plus SLACK_SIGNING_SECRET in HTTP mode.
"""

from __future__ import annotations

import sys

from slack_bolt import App
from slack_sdk import WebClient

from advisor import Advisor, AdvisorError, Settings
from bots.slack import dedupe, run
from bots.slack.answering import Answerer, describe
from bots.slack.config import SlackSettings, make_client, slack_config
from bots.slack.listeners import register_all


def create_app(
    slack: SlackSettings, advisor: Advisor, answerer: Answerer, client: WebClient | None = None
) -> App:
    """The Bolt app with every listener registered (no network calls: tests pass a stub-pointed client)."""
    config = slack_config(slack)
    app = App(
        client=client or make_client(config),
        signing_secret=config.signing_secret,
        token_verification_enabled=False,
        request_verification_enabled=not config.socket_mode,
        listener_executor=answerer.listeners,
    )
    dedupe.register(app, dedupe.SeenEvents(answerer.db))
    register_all(app, answerer)
    return app


def main(settings: Settings, slack: SlackSettings) -> int:
    """Run the bot until interrupted; start-up problems print one line and return 2."""
    try:
        config = slack_config(slack)
        client = make_client(config)
        bot = run.auth_test(client)
        advisor = Advisor.from_settings(settings, notify=lambda message: print(message, file=sys.stderr))
        app = create_app(slack, advisor, Answerer(advisor, slack, settings.data_dir), client)
        print(f"Slack bot @{bot.get('user')} starting", file=sys.stderr)
        serve = run.start_socket_mode(app, config) if config.socket_mode else run.start_http(app, config)
        run.warm_in_background(advisor)
        serve()
    except AdvisorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
    except Exception as exc:
        print(f"error: the Slack bot stopped: {describe(exc)}", file=sys.stderr)
        return 2
    return 0
