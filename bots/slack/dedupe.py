"""Drop redelivered Events API events (same ``event_id``) while still answering Slack with HTTP 200.

Slack redelivers an event (``X-Slack-Retry-Num``) when it did not see an ack in time. A middleware that
returns without calling ``next()`` makes Bolt answer 404, which Slack counts as a failure and retries,
so the duplicate gets an explicit empty 200.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict

from slack_bolt import App
from slack_bolt.response import BoltResponse

log = logging.getLogger(__name__)


class SeenEvents:
    """Event ids seen in the last ``ttl`` seconds (at most ``size`` of them)."""

    def __init__(self, ttl: float = 3600.0, size: int = 50_000) -> None:
        self.ttl = ttl
        self.size = size
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def first_time(self, event_id: str) -> bool:
        now = time.monotonic()
        with self._lock:
            while self._seen and (len(self._seen) >= self.size or now - self._oldest() > self.ttl):
                self._seen.popitem(last=False)
            if event_id in self._seen:
                return False
            self._seen[event_id] = now
            return True

    def _oldest(self) -> float:
        return next(iter(self._seen.values()))


def register(app: App, seen: SeenEvents | None = None) -> SeenEvents:
    seen = seen or SeenEvents()

    @app.middleware
    def drop_redeliveries(body: dict, request, next):  # Bolt injects arguments by name
        event_id = body.get("event_id")
        if isinstance(event_id, str) and not seen.first_time(event_id):
            retry = request.headers.get("x-slack-retry-num", ["0"])[0]
            log.info("event %s delivered again (retry %s): already handled", event_id, retry)
            return BoltResponse(status=200, body="")
        return next()

    return seen
