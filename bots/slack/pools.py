"""A thread pool that can tell when it has nothing queued or running (for draining, shutdown and tests)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor


class TrackingExecutor(ThreadPoolExecutor):
    def __init__(self, max_workers: int, thread_name_prefix: str = "") -> None:
        super().__init__(max_workers, thread_name_prefix=thread_name_prefix)
        self._pending = 0
        self._changed = threading.Condition()

    def submit(self, fn, /, *args, **kwargs):
        with self._changed:
            self._pending += 1
        try:
            future = super().submit(fn, *args, **kwargs)
        except BaseException:
            self._done(None)
            raise
        future.add_done_callback(self._done)
        return future

    def _done(self, _future: object) -> None:
        with self._changed:
            self._pending -= 1
            self._changed.notify_all()

    def idle(self) -> bool:
        with self._changed:
            return self._pending == 0

    def wait_idle(self, timeout: float) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: self._pending == 0, max(0.0, timeout))
