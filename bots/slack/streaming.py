"""Stream an answer into its Slack thread while it is written: chat.startStream, appendStream, stopStream.

The stream starts with the first text (so the reader sees words as soon as there are any); later text is
gathered to about 256 characters or one second per call, which keeps appendStream well inside its rate
limit, and no call carries more than Slack's 12,000 characters. Text must arrive already escaped
(``render.escape``). The sources and feedback buttons go on chat.stopStream as blocks, which Slack renders
under the finished message, so they appear once and only when the answer is complete.

slack_sdk's ``client.chat_stream`` helper makes the same calls; this class exists because the bot must
know whether chat.startStream itself was refused (nothing shown yet, so the answer can still be posted the
ordinary way), must keep each call under the 12,000-character limit, and must never cut ``&amp;`` in two.

``relay`` runs ``advisor.stream`` on a worker pool and hands its items to the Slack thread with a deadline,
closing the generator (which stops a local model generating) when the reader gives up.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any, TypeVar

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)

CALL_LIMIT = 12_000  # characters of markdown_text in one stream call
BUFFER_CHARS = 256
FLUSH_AFTER = 1.0  # seconds: send what has gathered even when it is short
UNAVAILABLE = frozenset({"unknown_method", "method_deprecated"})  # the API itself is missing, not one channel

T = TypeVar("T")


class StreamRefused(Exception):
    """Slack refused chat.startStream: nothing was posted, so the answer can still go as a plain message."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


class AnswerTimeout(Exception):
    """The advisor did not finish within the answer timeout (distinct from a network timeout)."""


class SlackStream:
    """One streamed reply in a thread, started lazily by the first text and stopped exactly once."""

    def __init__(
        self,
        client: WebClient,
        channel: str,
        thread_ts: str,
        team_id: str | None = None,
        user_id: str | None = None,
        buffer_chars: int = BUFFER_CHARS,
        flush_after: float = FLUSH_AFTER,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.channel = channel
        self.thread_ts = thread_ts
        self.team_id = team_id or None  # Slack requires both recipients when streaming into a channel
        self.user_id = user_id or None
        self.buffer_chars = buffer_chars
        self.flush_after = flush_after
        self.clock = clock
        self.ts: str | None = None
        self.stopped = False
        self.calls = 0
        self._buffer = ""
        self._last = 0.0
        self._lock = threading.RLock()  # the answering thread writes; a shutdown may interrupt it

    @property
    def started(self) -> bool:
        return self.ts is not None

    def append(self, text: str) -> None:
        """Add escaped Markdown; the first visible text is sent at once, the rest when enough has gathered."""
        with self._lock:
            if not self.stopped:
                self._append(text)

    def _append(self, text: str) -> None:
        self._buffer += text if self.started else text.lstrip()
        if not self._buffer:
            return
        if (
            not self.started
            or len(self._buffer) >= self.buffer_chars
            or self.clock() - self._last >= self.flush_after
        ):
            self._flush()

    def stop(self, blocks: list[dict[str, Any]] | None = None) -> bool:
        """Send what is left and finish the message with ``blocks`` under it. False when Slack refused the
        blocks and the stream was finished without them (the caller then posts them separately)."""
        with self._lock:
            return True if self.stopped else self._finish(blocks)

    def _finish(self, blocks: list[dict[str, Any]] | None) -> bool:
        if not self.started:
            self._flush()
        parts = split_calls(self._buffer)
        self._buffer = ""
        for part in parts[:-1]:
            self._send(part)
        last = parts[-1] if parts else None
        try:
            self._stop(last, blocks)
            return True
        except SlackApiError as exc:
            if not blocks:
                raise
            log.info(
                "stream in %s: stopStream refused the blocks (%s); stopping without them",
                self.channel,
                _error(exc),
            )
        self._stop(last, None)
        return False

    def abandon(self) -> None:
        """Finish a stream that went wrong mid-way, quietly: what was shown stays, nothing more is sent."""
        self.interrupt(None)

    def interrupt(self, note: str | None) -> None:
        """Stop the stream now (shutdown, failure) with an optional closing ``note``; later calls are no-ops.
        Text still buffered is sent first, so the reader sees all that was written."""
        with self._lock:
            if not self.started or self.stopped:
                return
            text = self._buffer + (note or "")
            self._buffer = ""
            try:
                parts = split_calls(text)
                for part in parts[:-1]:
                    self._send(part)
                self._stop(parts[-1] if parts else None, None)
            except Exception as exc:
                self.stopped = True  # nothing more is sent to it either way
                log.info("stream in %s could not be stopped: %s", self.channel, type(exc).__name__)

    def _flush(self) -> None:
        text, self._buffer = self._buffer, ""
        for part in split_calls(text):
            self._send(part)
        self._last = self.clock()

    def _send(self, part: str) -> None:
        self.calls += 1
        if self.ts is not None:
            self.client.chat_appendStream(channel=self.channel, ts=self.ts, markdown_text=part)
            return
        try:
            response = self.client.chat_startStream(
                channel=self.channel,
                thread_ts=self.thread_ts,
                markdown_text=part,
                recipient_team_id=self.team_id,
                recipient_user_id=self.user_id,
            )
        except SlackApiError as exc:
            raise StreamRefused(_error(exc)) from exc
        if not response.get("ts"):
            raise StreamRefused("no_ts")
        self.ts = str(response["ts"])

    def _stop(self, text: str | None, blocks: list[dict[str, Any]] | None) -> None:
        assert self.ts is not None
        self.calls += 1
        self.client.chat_stopStream(
            channel=self.channel, ts=self.ts, markdown_text=text or None, blocks=blocks or None
        )
        self.stopped = True


def split_calls(text: str, limit: int = CALL_LIMIT) -> list[str]:
    """``text`` in order, in parts of at most ``limit`` characters, never cutting an entity (&amp;) in two."""
    parts = []
    while len(text) > limit:
        cut = limit
        amp = text.rfind("&", cut - 4, cut)  # the longest entity, &amp;, is 5 characters
        if amp > 0 and ";" not in text[amp:cut]:
            cut = amp
        parts.append(text[:cut])
        text = text[cut:]
    if text:
        parts.append(text)
    return parts


@dataclass
class _Failed:
    error: BaseException


_DONE = object()


def relay(pool: Executor, produce: Callable[[], Iterator[T]], timeout: float) -> Generator[T, None, None]:
    """Yield the items ``produce()`` generates on ``pool``; raise AnswerTimeout once ``timeout`` seconds have
    passed, and re-raise what the producer raised. Stopping early closes the producer's generator."""
    items: queue.Queue[Any] = queue.Queue()
    cancelled = threading.Event()

    def run() -> None:
        generator = produce()
        try:
            for item in generator:
                if cancelled.is_set():
                    break
                items.put(item)
        except BaseException as exc:
            items.put(_Failed(exc))
            return
        finally:
            close = getattr(generator, "close", None)
            if close is not None:
                close()
        items.put(_DONE)

    pool.submit(run)
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                item = items.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AnswerTimeout(f"no answer within {timeout:.0f} s") from None
            if item is _DONE:
                return
            if isinstance(item, _Failed):
                raise item.error
            yield item
    finally:
        cancelled.set()


def _error(exc: SlackApiError) -> str:
    response = getattr(exc, "response", None)
    try:
        return str(response.get("error") or "unknown") if response is not None else "unknown"
    except Exception:
        return "unknown"
