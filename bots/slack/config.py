"""The Slack bot's settings, checked once at start-up, and the Web API client built from them.

``SlackSettings`` reads Slack's conventional variables (``SLACK_BOT_TOKEN``, ``SLACK_SIGNING_SECRET``,
``SLACK_APP_TOKEN``, ``SLACK_API_URL``, ``SLACK_CLIENT_ID``, ``SLACK_CLIENT_SECRET``, each also as
``ADVISOR_SLACK_*``) and ``ADVISOR_SLACK_*`` for the rest, from the environment or a ``.env`` file.

Two ways to run: one workspace with ``SLACK_BOT_TOKEN`` (the simple default), or many workspaces with
``SLACK_CLIENT_ID`` and ``SLACK_CLIENT_SECRET`` (OAuth install; tokens come from the installation store).
The core's settings know nothing of Slack; this module imports no Slack library, so ``advisor config``
can show these settings without the extra.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from advisor.config import invalid_settings, validate_collection_name
from advisor.errors import ConfigError

if TYPE_CHECKING:  # pragma: no cover
    from slack_sdk import WebClient

SLACK_API_URL = "https://slack.com/api/"  # slack_sdk's WebClient.BASE_URL
# What the bot needs in each workspace it is installed in (the manifest lists the same scopes).
BOT_SCOPES = (
    "app_mentions:read",
    "chat:write",
    "im:history",
    "assistant:write",
    "commands",
)


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
    client_id: str | None = Field(default=None, validation_alias=_env("CLIENT_ID"))
    client_secret: SecretStr | None = Field(default=None, validation_alias=_env("CLIENT_SECRET"))
    port: int = Field(default=3000, ge=1, le=65535)
    health_port: int | None = Field(default=None, ge=1, le=65535)  # Socket Mode: /healthz and /readyz
    answer_timeout: float = Field(default=90.0, gt=0)
    shutdown_grace: float = Field(default=20.0, ge=0)  # SIGTERM: seconds to finish answers in flight
    user_rate: int = Field(default=10, ge=1)
    streaming: bool = True  # stream answers (chat.startStream) where Slack allows it
    # A channel answered from its own collection: {"C0123": "legal"} (JSON in the environment).
    channel_collections: dict[str, str] = Field(default_factory=dict)

    @field_validator("channel_collections")
    @classmethod
    def _collections(cls, value: dict[str, str]) -> dict[str, str]:
        return {channel: validate_collection_name(name) for channel, name in value.items()}

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
class OAuthConfig:
    """Many workspaces: the app's OAuth credentials (the install flow stores one bot token per team)."""

    client_id: str
    client_secret: str = field(repr=False)
    scopes: tuple[str, ...] = BOT_SCOPES


@dataclass(frozen=True)
class SlackConfig:
    """The checked connection settings: a bot token (or OAuth), and a signing secret or an app token."""

    bot_token: str = field(repr=False)  # "" in OAuth mode: each workspace's token comes from its install
    signing_secret: str = field(repr=False)
    app_token: str | None = field(repr=False)
    api_url: str | None
    port: int
    oauth: OAuthConfig | None = None
    health_port: int | None = None

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
    oauth = _oauth(settings)
    if not bot and oauth is None:
        raise ConfigError(
            "SLACK_BOT_TOKEN is not set; copy the Bot User OAuth Token (xoxb-…) "
            "from your Slack app's OAuth & Permissions page (or set SLACK_CLIENT_ID and "
            "SLACK_CLIENT_SECRET to install the app in many workspaces)"
        )
    if bot and not bot.startswith("xoxb-"):
        raise ConfigError("SLACK_BOT_TOKEN does not look like a bot token (it should start with xoxb-)")
    if app and not app.startswith("xapp-"):
        raise ConfigError(
            "SLACK_APP_TOKEN does not look like an app-level token (it should start with xapp-)"
        )
    if oauth is not None and (app or not secret):
        raise ConfigError(
            "installing in many workspaces (SLACK_CLIENT_ID) needs HTTP mode: set SLACK_SIGNING_SECRET "
            "and unset SLACK_APP_TOKEN"
        )
    if not secret and not app:
        raise ConfigError(
            "SLACK_SIGNING_SECRET is not set; HTTP mode needs it to verify requests from Slack "
            "(or set SLACK_APP_TOKEN to use Socket Mode)"
        )
    url = settings.api_url.strip() if settings.api_url else None
    if url:
        check_api_url(url)
    return SlackConfig(
        "" if oauth else bot, secret, app or None, url, settings.port, oauth, settings.health_port
    )


def check_api_url(url: str) -> None:
    """SLACK_API_URL carries the bot token on every call: only https, or plain http to this machine."""
    parsed = urlparse(url)
    if parsed.scheme == "https" and parsed.hostname:
        return
    if parsed.scheme == "http" and _loopback(parsed.hostname or ""):
        return
    raise ConfigError(
        "SLACK_API_URL must be an https URL such as https://slack.com/api/ "
        "(plain http only to this machine: localhost, 127.0.0.1 or ::1)"
    )


def _loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _oauth(settings: SlackSettings) -> OAuthConfig | None:
    client_id = (settings.client_id or "").strip()
    client_secret = _secret(settings.client_secret)
    if not client_id and not client_secret:
        return None
    if not client_id or not client_secret:
        raise ConfigError("installing in many workspaces needs both SLACK_CLIENT_ID and SLACK_CLIENT_SECRET")
    return OAuthConfig(client_id, client_secret)


def make_client(config: SlackConfig) -> WebClient:
    """A Web API client that waits out HTTP 429 (Retry-After) and retries dropped connections."""
    from slack_sdk import WebClient
    from slack_sdk.http_retry.builtin_handlers import (
        ConnectionErrorRetryHandler,
        RateLimitErrorRetryHandler,
    )

    return WebClient(
        token=config.bot_token or None,
        base_url=config.base_url,
        timeout=30,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=1),
            RateLimitErrorRetryHandler(max_retry_count=2),
        ],
    )


def _secret(value: SecretStr | None) -> str:
    return value.get_secret_value().strip() if value is not None else ""
