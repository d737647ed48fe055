"""The Slack bot's settings, checked once at start-up, and the Web API client built from them.

``SlackSettings`` reads Slack's conventional variables (``SLACK_BOT_TOKEN``, ``SLACK_SIGNING_SECRET``,
``SLACK_APP_TOKEN``, ``SLACK_API_URL``, each also as ``ADVISOR_SLACK_*``) and ``ADVISOR_SLACK_*`` for
the rest, from the environment or a ``.env`` file. The core's settings know nothing of Slack; this
module imports no Slack library, so ``advisor config`` can show these settings without the extra.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from pydantic import AliasChoices, Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from advisor.config import invalid_settings
from advisor.errors import ConfigError

if TYPE_CHECKING:  # pragma: no cover
    from slack_sdk import WebClient

SLACK_API_URL = "https://slack.com/api/"  # slack_sdk's WebClient.BASE_URL


def _env(name: str) -> Any:
    return AliasChoices(f"SLACK_{name}", f"ADVISOR_SLACK_{name}")


class SlackSettings(BaseSettings):
    """Effective Slack configuration. ``port`` maps to ``ADVISOR_SLACK_PORT`` and so on."""

    model_config = SettingsConfigDict(
        env_prefix="ADVISOR_SLACK_", env_file=".env", extra="ignore", populate_by_name=True
    )

    bot_token: SecretStr | None = Field(default=None, validation_alias=_env("BOT_TOKEN"))
    signing_secret: SecretStr | None = Field(default=None, validation_alias=_env("SIGNING_SECRET"))
    app_token: SecretStr | None = Field(default=None, validation_alias=_env("APP_TOKEN"))
    api_url: str | None = Field(default=None, validation_alias=_env("API_URL"))
    port: int = Field(default=3000, ge=1, le=65535)
    answer_timeout: float = Field(default=90.0, gt=0)
    user_rate: int = Field(default=10, ge=1)
    streaming: bool = True  # stream answers (chat.startStream) where Slack allows it

    def masked(self) -> dict[str, Any]:
        """The settings as ``slack_<name>`` plain values, secrets shown as ``****`` (or unset)."""
        out: dict[str, Any] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                value = "****" if value.get_secret_value() else ""
            out[f"slack_{name}"] = value
        return out


def load_slack_settings(**overrides: Any) -> SlackSettings:
    """Build the Slack settings from the environment, turning validation errors into one ConfigError."""
    try:
        return SlackSettings(**overrides)
    except ValidationError as exc:
        raise invalid_settings(exc, prefix="slack_") from None


@dataclass(frozen=True)
class SlackConfig:
    """The checked connection settings: a bot token, and a signing secret or an app token."""

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
        url = self.api_url or SLACK_API_URL
        return url if url.endswith("/") else url + "/"


def slack_config(settings: SlackSettings) -> SlackConfig:
    """Read and check the tokens; raise ConfigError naming what is missing or malformed (never its value)."""
    bot = _secret(settings.bot_token)
    secret = _secret(settings.signing_secret)
    app = _secret(settings.app_token)
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
    url = settings.api_url
    if url and (urlparse(url).scheme not in ("http", "https") or not urlparse(url).netloc):
        raise ConfigError("SLACK_API_URL must be an http(s) URL such as https://slack.com/api/")
    return SlackConfig(bot, secret, app or None, url, settings.port)


def make_client(config: SlackConfig) -> WebClient:
    """A Web API client that waits out HTTP 429 (Retry-After) and retries dropped connections."""
    from slack_sdk import WebClient
    from slack_sdk.http_retry.builtin_handlers import (
        ConnectionErrorRetryHandler,
        RateLimitErrorRetryHandler,
    )

    return WebClient(
        token=config.bot_token,
        base_url=config.base_url,
        timeout=30,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=1),
            RateLimitErrorRetryHandler(max_retry_count=2),
        ],
    )


def _secret(value: SecretStr | None) -> str:
    return value.get_secret_value().strip() if value is not None else ""
