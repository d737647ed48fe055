"""Liveness and readiness for orchestrators: ``GET /healthz`` and ``GET /readyz``, in both modes.

``/healthz`` answers 200 while the process serves at all. ``/readyz`` answers 200 only when the
knowledge index is loaded (the background warm-up finished) and every storage check passes, else 503
with one line per failing check: what failed and its exception type, never a token or a path's secret.
In HTTP mode both routes sit beside ``/slack/events``; in Socket Mode ``ADVISOR_SLACK_HEALTH_PORT``
serves them alone.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

log = logging.getLogger(__name__)


class Readiness:
    """Named checks (each raises when not ready) plus the index flag the warm-up sets."""

    def __init__(self, checks: dict[str, Callable[[], object]] | None = None) -> None:
        self.checks = dict(checks or {})
        self._index = "loading"
        self._lock = threading.Lock()

    def index_loaded(self, problem: str | None = None) -> None:
        with self._lock:
            self._index = problem or ""

    def problems(self) -> list[str]:
        with self._lock:
            index = self._index
        found = [f"index: {index}"] if index else []
        for name, check in self.checks.items():
            try:
                check()
            except Exception as exc:  # a readiness probe reports; it never raises
                found.append(f"{name}: {type(exc).__name__}")
        return found


def health_routes(readiness: Readiness) -> list[Route]:
    async def healthz(_request: Request) -> PlainTextResponse:
        return PlainTextResponse("ok")

    async def readyz(_request: Request) -> PlainTextResponse:
        problems = await run_in_threadpool(readiness.problems)  # a storage check may block
        if problems:
            return PlainTextResponse("not ready\n" + "\n".join(problems) + "\n", status_code=503)
        return PlainTextResponse("ready")

    return [Route("/healthz", healthz, methods=["GET"]), Route("/readyz", readyz, methods=["GET"])]
