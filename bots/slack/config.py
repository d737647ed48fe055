"""The Slack settings the bot needs, checked once at start-up, and the Web API client built from them."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlparse

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

from advisor.config import Settings
from advisor.errors import ConfigError


@dataclass(frozen=True)
class SlackConfig:
    bot_token: str
    signing_secret: str
    app_token: str | None
    api_url: str | None
    port: int

    @property
    def socket_mode(self) -> bool:
        return bool(self.app_token)

    @property
    def base_url(self) -> str:
        url = self.api_url or WebClient.BASE_URL
        return url if url.endswith("/") else url + "/"


def slack_config(settings: Settings) -> SlackConfig:
    """Read and check the tokens; raise ConfigError naming what is missing or malformed (never its value)."""
    bot = _secret(settings.slack_bot_token)
    secret = _secret(settings.slack_signing_secret)
    app = _secret(settings.slack_app_token)
    if not bot:
        raise ConfigError(
            "SLACK_BOT_TOKEN is not set; copy the Bot User OAuth Token (xoxb-…) "
            "from your Slack app's OAuth & Permissions page"
        )
    if not bot.startswith("xoxb-"):
        raise ConfigError("SLACK_BOT_TOKEN does not look like a bot token (it should start with xoxb-)")
    if app and not app.startswith("xapp-"):
        raise ConfigError(
            "SLACK_APP_TOKEN does not look like an app-level token (it should start with xapp-)"
        )
    if not secret and not app:
        raise ConfigError(
            "SLACK_SIGNING_SECRET is not set; HTTP mode needs it to verify requests from Slack "
            "(or set SLACK_APP_TOKEN to use Socket Mode)"
        )
    url = settings.slack_api_url
    if url and (urlparse(url).scheme not in ("http", "https") or not urlparse(url).netloc):
        raise ConfigError("SLACK_API_URL must be an http(s) URL such as https://slack.com/api/")
    return SlackConfig(bot, secret, app or None, url, settings.slack_port)


def make_client(config: SlackConfig) -> WebClient:
    """A Web API client that waits out HTTP 429 (Retry-After) and retries dropped connections."""
    return WebClient(
        token=config.bot_token,
        base_url=config.base_url,
        timeout=30,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=1),
            RateLimitErrorRetryHandler(max_retry_count=2),
        ],
    )


def _secret(value) -> str:
    return value.get_secret_value().strip() if value is not None else ""
