"""The Slack app's own records: workspace installations, OAuth states, and each user's recent threads.

Three small classes over the advisor's database (``advisor.storage``: SQLite by default, PostgreSQL with
``ADVISOR_DATABASE_URL``, so every replica sees an install made through any of them): ``Installations``
is a slack_sdk ``InstallationStore`` and ``OAuthStates`` an ``OAuthStateStore``, so Bolt's
``OAuthSettings`` uses them as they are; ``RecentThreads`` feeds the App Home. The tables
(``installations``, ``install_states``, ``recent_threads``) come with the storage layer's migrations.

Bot tokens are stored as Slack returns them (as slack_sdk's own SQLite store does): protect the data
directory or the database like any other credential store. Nothing here logs a token.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from slack_sdk.oauth.installation_store import Bot, Installation, InstallationStore
from slack_sdk.oauth.state_store import OAuthStateStore

from advisor.storage import Database, data_dir_database

log = logging.getLogger(__name__)

# Installation's constructor arguments that round-trip through JSON unchanged.
_FIELDS = (
    "app_id enterprise_id enterprise_name enterprise_url team_id team_name bot_token bot_id bot_user_id "
    "bot_scopes bot_refresh_token bot_token_expires_at user_id user_token user_scopes user_refresh_token "
    "user_token_expires_at incoming_webhook_url incoming_webhook_channel incoming_webhook_channel_id "
    "incoming_webhook_configuration_url is_enterprise_install token_type installed_at custom_values"
).split()


def open_app_db(data_dir: Path) -> Database:
    """The default database of ``data_dir`` (tests and one-machine use; the bot passes the advisor's)."""
    return data_dir_database(data_dir)


def _key(enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None) -> str:
    return f"{enterprise_id or ''}:{'' if is_enterprise_install else team_id or ''}"


class Installations(InstallationStore):
    """One installation per workspace (or per org for an org-wide install); the latest one wins."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @property
    def logger(self) -> logging.Logger:
        return log

    def save(self, installation: Installation) -> None:
        data = {name: getattr(installation, name, None) for name in _FIELDS}
        key = _key(installation.enterprise_id, installation.team_id, installation.is_enterprise_install)
        with self.db.transaction() as db:
            db.execute(
                "INSERT INTO installations (install_key, enterprise_id, team, data, installed_at) "
                "VALUES (?,?,?,?,?) ON CONFLICT (install_key) DO UPDATE SET "
                "enterprise_id = excluded.enterprise_id, team = excluded.team, data = excluded.data, "
                "installed_at = excluded.installed_at",
                (
                    key,
                    installation.enterprise_id or "",
                    installation.team_id or "",
                    json.dumps(data),
                    installation.installed_at,
                ),
            )
        log.info("installed in team %s (enterprise %s)", installation.team_id, installation.enterprise_id)

    def save_bot(self, bot: Bot) -> None:
        """Token rotation refreshes the bot's token: keep the rest of the installation as it was."""
        found = self.find_installation(
            enterprise_id=bot.enterprise_id,
            team_id=bot.team_id,
            is_enterprise_install=bot.is_enterprise_install,
        )
        if found is None:
            return
        found.bot_token, found.bot_refresh_token = bot.bot_token, bot.bot_refresh_token
        found.bot_token_expires_at = bot.bot_token_expires_at
        self.save(found)

    def find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        with self.db.transaction() as db:
            rows = db.execute(
                "SELECT data FROM installations WHERE install_key=?",
                (_key(enterprise_id, team_id, is_enterprise_install),),
            )
        if not rows:
            return None
        installation = Installation(**json.loads(rows[0][0]))
        if user_id is not None and installation.user_id != user_id:
            return None  # the app keeps no user tokens: only the installer's record exists
        return installation

    def find_bot(
        self, *, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None = False
    ) -> Bot | None:
        found = self.find_installation(
            enterprise_id=enterprise_id, team_id=team_id, is_enterprise_install=is_enterprise_install
        )
        return found.to_bot() if found is not None and found.bot_token else None

    def delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        """The bot token is revoked or the app uninstalled: without a bot there is nothing to keep."""
        with self.db.transaction() as db:
            db.execute(
                "DELETE FROM installations WHERE enterprise_id=? AND team IN (?, '')",
                (enterprise_id or "", team_id or ""),
            )
            gone = db.rowcount
        log.info("removed %s installation(s) of team %s", gone, team_id)

    def delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        if user_id is not None:
            return  # a user's own token was revoked: the app holds none, the workspace install stays
        self.delete_bot(enterprise_id=enterprise_id, team_id=team_id)


class OAuthStates(OAuthStateStore):
    """One-time ``state`` values for the install redirect, valid for ``expiration_seconds``."""

    def __init__(self, db: Database, expiration_seconds: int = 600) -> None:
        self.db = db
        self.expiration_seconds = expiration_seconds

    @property
    def logger(self) -> logging.Logger:
        return log

    def issue(self, *args: Any, **kwargs: Any) -> str:
        state = uuid.uuid4().hex
        now = time.time()
        with self.db.transaction() as db:
            db.execute("DELETE FROM install_states WHERE expires < ?", (now,))
            db.execute(
                "INSERT INTO install_states (state, expires) VALUES (?, ?)",
                (state, now + self.expiration_seconds),
            )
        return state

    def consume(self, state: str) -> bool:
        with self.db.transaction() as db:
            rows = db.execute("SELECT expires FROM install_states WHERE state=?", (state,))
            db.execute("DELETE FROM install_states WHERE state=?", (state,))
        return bool(rows) and rows[0][0] >= time.time()


@dataclass
class Thread:
    channel: str
    thread_ts: str
    question: str
    ts: float


class RecentThreads:
    """The threads a user asked in, newest first, for the App Home (at most ``keep`` per user)."""

    def __init__(self, db: Database, keep: int = 20) -> None:
        self.db = db
        self.keep = keep

    def add(self, team: str, user: str, channel: str, thread_ts: str, question: str) -> None:
        with self.db.transaction() as db:
            db.execute(
                "INSERT INTO recent_threads (team, user_id, channel, thread_ts, question, ts) "
                "VALUES (?,?,?,?,?,?) ON CONFLICT DO NOTHING",
                (team, user, channel, thread_ts, question[:300], time.time()),
            )
            db.execute(
                "DELETE FROM recent_threads WHERE team=? AND user_id=? AND thread_ts NOT IN "
                "(SELECT thread_ts FROM recent_threads WHERE team=? AND user_id=? "
                "ORDER BY ts DESC LIMIT ?)",
                (team, user, team, user, self.keep),
            )

    def of(self, team: str, user: str, limit: int = 5) -> list[Thread]:
        with self.db.transaction() as db:
            rows = db.execute(
                "SELECT channel, thread_ts, question, ts FROM recent_threads "
                "WHERE team=? AND user_id=? ORDER BY ts DESC LIMIT ?",
                (team, user, limit),
            )
        return [Thread(*row) for row in rows]
