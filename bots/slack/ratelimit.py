"""A per-user sliding-window limit on questions, so one person cannot monopolise the answer workers."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class UserRateLimit:
    def __init__(self, per_minute: int, window: float = 60.0, clock: Callable[[], float] = time.monotonic):
        self.per_minute = per_minute
        self.window = window
        self.clock = clock
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, user: str) -> float:
        """0 when ``user`` may ask now (and counts the question); else seconds until they may."""
        now = self.clock()
        with self._lock:
            times = self._seen.setdefault(user, deque())
            while times and now - times[0] >= self.window:
                times.popleft()
            if len(times) >= self.per_minute:
                return max(1.0, self.window - (now - times[0]))
            times.append(now)
            if len(self._seen) > 10_000:  # forget idle users so the map stays small
                self._seen = {u: t for u, t in self._seen.items() if t and now - t[-1] < self.window}
            return 0.0
