"""Answer each Slack message once, whichever replica receives it, while still answering Slack with 200.

Slack redelivers an event (``X-Slack-Retry-Num``) when it did not see an ack in time, and may deliver
the same message again under a new ``event_id`` (an edited mention comes back as a new event). Each
event claims two keys in the shared database (:class:`advisor.storage.Claims`): its event id, and the
message itself (workspace, event type, channel, message ts). An event whose keys were already claimed,
here or on another replica, is acknowledged and dropped. A middleware that returns without calling
``next()`` makes Bolt answer 404, which Slack counts as a failure and retries, so a duplicate gets an
explicit empty 200.
"""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_bolt.response import BoltResponse

from advisor.storage import Claims, Database

log = logging.getLogger(__name__)


def event_keys(body: dict) -> list[str]:
    """The claim keys of an Events API delivery (none for other payloads)."""
    event_id = body.get("event_id")
    if not isinstance(event_id, str):
        return []
    team = str(body.get("team_id") or "")
    keys = [f"slack-event:{team}:{event_id}"]
    event = body.get("event")
    if isinstance(event, dict):
        channel, ts = event.get("channel"), event.get("ts")
        if isinstance(channel, str) and isinstance(ts, str):
            keys.append(f"slack-message:{team}:{event.get('type')}:{channel}:{ts}")
    return keys


class SeenEvents:
    """Events claimed in the last ``ttl`` seconds, in ``db`` (shared by replicas on one database)."""

    def __init__(self, db: Database, ttl: float = 3600.0) -> None:
        self.ttl = ttl
        self._claims = Claims(db)

    def first_time(self, body: dict) -> bool:
        keys = event_keys(body)
        return not keys or self._claims.claim(keys, self.ttl)


def register(app: App, seen: SeenEvents) -> SeenEvents:
    @app.middleware
    def drop_redeliveries(body: dict, request, next):  # Bolt injects arguments by name
        if not seen.first_time(body):
            retry = request.headers.get("x-slack-retry-num", ["0"])[0]
            log.info("event %s delivered again (retry %s): already handled", body.get("event_id"), retry)
            return BoltResponse(status=200, body="")
        return next()

    return seen
