"""A per-user limit on questions, so one person cannot monopolise the answer workers.

Counted in the advisor's database (:class:`advisor.storage.Windows`, a fixed one-minute window), so
replicas sharing a database share the limit. The key is the workspace and the user.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from advisor.storage import Database, Windows


class UserRateLimit:
    def __init__(
        self, per_minute: int, db: Database, window: float = 60.0, clock: Callable[[], float] = time.time
    ) -> None:
        self.per_minute = per_minute
        self.window = window
        self._windows = Windows(db, clock=clock)

    def check(self, user: str, team: str = "") -> float:
        """0 when ``user`` may ask now (and counts the question); else seconds until they may."""
        return self._windows.hit(f"questions:{team}:{user}", self.per_minute, self.window)
