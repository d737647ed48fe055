"""The Slack app's own tables: workspace installations, OAuth states, and each user's recent threads.

Three small classes over one ``Database`` (a connection factory): ``Installations`` is a slack_sdk
``InstallationStore`` and ``OAuthStates`` an ``OAuthStateStore``, so Bolt's ``OAuthSettings`` uses them
as they are; ``RecentThreads`` feeds the App Home. The default database is ``<data_dir>/slack_app.sqlite3``.
Until the shared storage layer (``advisor.storage``) lands they live in that file; moving them onto it
means giving them its connection, nothing else.

Bot tokens are stored as Slack returns them (as slack_sdk's own SQLite store does): protect the data
directory or the database like any other credential store. Nothing here logs a token.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from slack_sdk.oauth.installation_store import Bot, Installation, InstallationStore
from slack_sdk.oauth.state_store import OAuthStateStore

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS slack_installations (
    team_key TEXT PRIMARY KEY,      -- "<enterprise_id>:<team_id>", either part may be empty
    enterprise_id TEXT NOT NULL,
    team_id TEXT NOT NULL,
    data TEXT NOT NULL,             -- the Installation's fields as JSON
    installed_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS slack_oauth_states (
    state TEXT PRIMARY KEY,
    expires_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS slack_recent_threads (
    team TEXT NOT NULL,
    user TEXT NOT NULL,
    channel TEXT NOT NULL,
    thread_ts TEXT NOT NULL,
    question TEXT NOT NULL,
    ts REAL NOT NULL,
    PRIMARY KEY (team, user, channel, thread_ts)
);
"""

# Installation's constructor arguments that round-trip through JSON unchanged.
_FIELDS = (
    "app_id enterprise_id enterprise_name enterprise_url team_id team_name bot_token bot_id bot_user_id "
    "bot_scopes bot_refresh_token bot_token_expires_at user_id user_token user_scopes user_refresh_token "
    "user_token_expires_at incoming_webhook_url incoming_webhook_channel incoming_webhook_channel_id "
    "incoming_webhook_configuration_url is_enterprise_install token_type installed_at custom_values"
).split()


class Database(Protocol):
    """What the stores need from a database: a transaction yielding a DB-API connection (qmark style)."""

    def transaction(self) -> Any: ...


class SQLiteDatabase:
    """One SQLite file; each transaction opens a short-lived connection (safe across threads)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        with self.transaction() as db:
            db.executescript(SCHEMA)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            db = sqlite3.connect(self.path, timeout=10)
            try:
                with db:
                    yield db
            finally:
                db.close()


def open_app_db(data_dir: Path) -> SQLiteDatabase:
    return SQLiteDatabase(data_dir / "slack_app.sqlite3")


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
                "INSERT OR REPLACE INTO slack_installations VALUES (?,?,?,?,?)",
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
            row = db.execute(
                "SELECT data FROM slack_installations WHERE team_key=?",
                (_key(enterprise_id, team_id, is_enterprise_install),),
            ).fetchone()
        if row is None:
            return None
        installation = Installation(**json.loads(row[0]))
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
            gone = db.execute(
                "DELETE FROM slack_installations WHERE enterprise_id=? AND team_id IN (?, '')",
                (enterprise_id or "", team_id or ""),
            ).rowcount
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
            db.execute("DELETE FROM slack_oauth_states WHERE expires_at < ?", (now,))
            db.execute("INSERT INTO slack_oauth_states VALUES (?, ?)", (state, now + self.expiration_seconds))
        return state

    def consume(self, state: str) -> bool:
        with self.db.transaction() as db:
            row = db.execute("SELECT expires_at FROM slack_oauth_states WHERE state=?", (state,)).fetchone()
            db.execute("DELETE FROM slack_oauth_states WHERE state=?", (state,))
        return row is not None and row[0] >= time.time()


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
                "INSERT OR IGNORE INTO slack_recent_threads VALUES (?,?,?,?,?,?)",
                (team, user, channel, thread_ts, question[:300], time.time()),
            )
            db.execute(
                "DELETE FROM slack_recent_threads WHERE team=? AND user=? AND thread_ts NOT IN "
                "(SELECT thread_ts FROM slack_recent_threads WHERE team=? AND user=? "
                "ORDER BY ts DESC LIMIT ?)",
                (team, user, team, user, self.keep),
            )

    def of(self, team: str, user: str, limit: int = 5) -> list[Thread]:
        with self.db.transaction() as db:
            rows = db.execute(
                "SELECT channel, thread_ts, question, ts FROM slack_recent_threads "
                "WHERE team=? AND user=? ORDER BY ts DESC LIMIT ?",
                (team, user, limit),
            ).fetchall()
        return [Thread(*row) for row in rows]
