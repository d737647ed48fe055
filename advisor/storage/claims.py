"""Claims: insert-if-absent with expiry, the primitive behind "handle this only once, on any replica".

``Claims(db).claim(["event:E1", "message:T1:C1:1700.1"], ttl=3600)`` is True for the first caller
that presents any of those keys within ``ttl`` seconds, and False for every later caller that
presents one of them, in this process or another one sharing the database. Each key is one row; a
claim is one transaction, so two replicas racing for the same key are decided by the primary key.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence

from advisor.storage.base import Database

# An expired row is taken over by the next claimant (the WHERE of the upsert), so expiry is exact
# without a sweeper; stale rows are also deleted now and then to keep the table small.
_CLAIM = (
    "INSERT INTO claims (key, expires) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET expires = "
    "excluded.expires WHERE claims.expires < ? RETURNING key"
)


class Claims:
    def __init__(
        self,
        db: Database,
        clock: Callable[[], float] = time.time,
        sweep_every: int = 200,
    ) -> None:
        self.db = db
        self.clock = clock
        self.sweep_every = sweep_every

    def claim(self, keys: Sequence[str], ttl: float) -> bool:
        """True when none of ``keys`` was claimed in the last ``ttl`` seconds; every key is claimed now."""
        now = self.clock()
        fresh = True
        with self.db.transaction() as tx:
            for key in dict.fromkeys(keys):  # in order, once each
                fresh = bool(tx.execute(_CLAIM, (key, now + ttl, now))) and fresh
            if self.sweep_every and random.randrange(self.sweep_every) == 0:
                tx.execute("DELETE FROM claims WHERE expires < ?", (now,))
        return fresh
