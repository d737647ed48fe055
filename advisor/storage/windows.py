"""Windows: fixed-window counters, the primitive behind a rate limit that several replicas share.

``Windows(db).hit("team:user", limit=5, window=60)`` counts one hit in the current window and returns
0 when it was within ``limit``, else the seconds until the window ends. One upsert per hit, so hits
from any number of processes add up exactly.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable

from advisor.storage.base import Database

_HIT = (
    "INSERT INTO windows (key, window_start, hits) VALUES (?, ?, 1) ON CONFLICT (key, window_start) "
    "DO UPDATE SET hits = windows.hits + 1 RETURNING hits"
)


class Windows:
    def __init__(self, db: Database, clock: Callable[[], float] = time.time, sweep_every: int = 200) -> None:
        self.db = db
        self.clock = clock
        self.sweep_every = sweep_every

    def hit(self, key: str, limit: int, window: float = 60.0) -> float:
        """0 when this hit is within ``limit`` for the current window; else seconds until it ends."""
        now = self.clock()
        start = math.floor(now / window) * window
        with self.db.transaction() as tx:
            hits = int(tx.execute(_HIT, (key, start))[0][0])
            if self.sweep_every and random.randrange(self.sweep_every) == 0:
                tx.execute("DELETE FROM windows WHERE window_start < ?", (start - window,))
        if hits <= limit:
            return 0.0
        return max(1.0, start + window - now)
