"""Answer one Slack question off Bolt's threads: rate limit, "thinking" status, timeout, reply, errors.

Listeners only parse the event into an ``Ask`` and call ``Answerer.submit``, which returns at once so
Slack gets its ack within 3 s. A pool of job threads then talks to Slack, while a separate pool runs
the advisor so an answer that runs over ``ADVISOR_SLACK_ANSWER_TIMEOUT`` can be abandoned with a friendly
message (a one-shot model call cannot be cancelled; it finishes in the background and is discarded).

Threaded replies are streamed (``bots.slack.streaming``) unless ``ADVISOR_SLACK_STREAMING`` is off; when Slack
refuses chat.startStream the same answer is posted as one message instead, and when streaming stops
half-way the stream is closed and a short apology follows. Slash commands always get one ephemeral reply.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from slack_sdk import WebClient

from advisor.answer import Answer
from advisor.core import Advisor
from advisor.errors import AdvisorError
from bots.slack.config import SlackSettings
from bots.slack.ratelimit import UserRateLimit
from bots.slack.records import AnswerRecord, AnswerRecords
from bots.slack.render import Message, answer_messages, escape, footer_blocks, text_message
from bots.slack.streaming import UNAVAILABLE, AnswerTimeout, SlackStream, StreamRefused, relay

log = logging.getLogger(__name__)

APOLOGY = "Sorry, something went wrong while answering. Please try again in a moment."
THINKING = "is thinking…"
_TOKEN = re.compile(r"\b(xox[a-z]|xapp)-[A-Za-z0-9-]+")


@dataclass
class Ask:
    question: str
    user: str
    channel: str
    thread_ts: str | None  # reply in this thread; None for slash commands (answered through respond)
    session_id: str
    client: WebClient
    set_status: Callable[..., Any] | None = None  # Bolt's assistant status setter, when there is one
    set_title: Callable[[str], Any] | None = None  # assistant threads only
    respond: Callable[..., Any] | None = None  # slash commands: ephemeral replies via response_url
    echo_question: bool = False
    team_id: str | None = None  # the asker's workspace: channel streams must name their recipient
    expand: bool = False  # "Show more": the full detail of the session's last answer

    def pieces(self, advisor: Advisor) -> Iterator[str | Answer]:
        if self.expand:
            return advisor.more(self.session_id)
        return advisor.stream(self.question, self.session_id)

    @property
    def place(self) -> str:
        return f"{self.channel}:{self.thread_ts}" if self.thread_ts else f"slash:{self.channel}"


class TrackingExecutor(ThreadPoolExecutor):
    """A thread pool that can tell when it has nothing queued or running (for draining and tests)."""

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


class Answerer:
    def __init__(
        self,
        advisor: Advisor,
        slack: SlackSettings,
        data_dir: Path,
        records: AnswerRecords | None = None,
        job_threads: int = 8,
        answer_threads: int = 2,
    ) -> None:
        self.advisor = advisor
        self.slack = slack
        self.data_dir = data_dir
        self.db = advisor.sessions.db  # records, votes, dedupe and limits share the advisor's database
        self.records = records or AnswerRecords(self.db)
        self.limit = UserRateLimit(slack.user_rate, self.db)
        self.listeners = TrackingExecutor(10, thread_name_prefix="slack-listener")  # Bolt's listener pool
        self._jobs = TrackingExecutor(job_threads, thread_name_prefix="slack-job")
        self._answers = ThreadPoolExecutor(answer_threads, thread_name_prefix="slack-answer")
        self.streaming = slack.streaming  # switched off for good if Slack lacks the streaming API

    def submit(self, ask: Ask) -> None:
        self._jobs.submit(self._run, ask)

    def drain(self, timeout: float = 10.0) -> bool:
        """Wait until Bolt's listeners and every question they handed over are done; True when idle."""
        deadline = time.monotonic() + timeout
        while self.listeners.wait_idle(deadline - time.monotonic()) and self._jobs.wait_idle(
            deadline - time.monotonic()
        ):
            if self.listeners.idle():  # no listener submitted more work meanwhile
                return True
        return False

    def shutdown(self) -> None:
        self.listeners.shutdown(wait=False, cancel_futures=True)
        self._jobs.shutdown(wait=False, cancel_futures=True)
        self._answers.shutdown(wait=False, cancel_futures=True)

    def _run(self, ask: Ask) -> None:
        started = time.perf_counter()
        try:
            wait = self.limit.check(ask.user, ask.team_id or "")
            if wait:
                log.info("user %s over %s questions/minute", ask.user, self.slack.user_rate)
                self.deliver(
                    ask,
                    text_message(
                        f"You're asking faster than I can keep up (up to {self.slack.user_rate} "
                        f"questions a minute). Please try again in about {wait:.0f} seconds."
                    ),
                )
                return
            self._status(ask, THINKING)
            if self.streaming and ask.respond is None and ask.thread_ts:
                self._stream(ask)
                return
            answer = self._answer(ask)
            if answer is not None:
                self._reply(ask, answer)
        except Exception as exc:  # the last line of defence: a short apology, details only in the log
            log.error("answering in %s failed: %s", ask.place, describe(exc))
            log.debug("answering in %s failed", ask.place, exc_info=True)
            self._try_deliver(ask, text_message(APOLOGY))
        finally:
            log.info("answered in %s in %.0f ms", ask.place, (time.perf_counter() - started) * 1000)

    def _answer(self, ask: Ask) -> Answer | None:
        if ask.expand:
            future = self._answers.submit(lambda: _last(self.advisor.more(ask.session_id)))
        else:
            future = self._answers.submit(self.advisor.ask, ask.question, ask.session_id)
        try:
            return future.result(timeout=self.slack.answer_timeout)
        except FutureTimeout:
            self._too_long(ask)
        except AdvisorError as exc:
            self._not_answered(ask, exc)
        return None

    def _too_long(self, ask: Ask) -> None:
        log.warning("answer in %s took over %.0f s; gave up", ask.place, self.slack.answer_timeout)
        self.deliver(
            ask,
            text_message(
                f"Sorry, that took too long to answer (over {self.slack.answer_timeout:.0f} s). "
                "Please try again, perhaps with a narrower question."
            ),
        )

    def _not_answered(self, ask: Ask, exc: AdvisorError) -> None:
        log.info("question in %s not answered: %s", ask.place, type(exc).__name__)
        message = str(exc)
        self.deliver(ask, text_message(message[:1].upper() + message[1:]))

    def _stream(self, ask: Ask) -> None:
        """Stream the answer into the thread; post it as one message if Slack refuses to start a stream."""
        assert ask.thread_ts is not None
        stream = SlackStream(ask.client, ask.channel, ask.thread_ts, ask.team_id, ask.user)
        try:
            answer = self._feed(ask, stream)
            if not stream.started:  # Slack refused the stream, or there was no text to show
                self._reply(ask, answer)
                return
            footer = footer_blocks(answer, self._record(ask, answer))
            if not stream.stop(footer):
                self.deliver(ask, Message(text="Sources and feedback", blocks=footer))
            log.info("streamed the answer in %s in %s calls", ask.place, stream.calls)
        except AnswerTimeout:
            stream.abandon()
            self._too_long(ask)
        except AdvisorError as exc:
            stream.abandon()
            self._not_answered(ask, exc)
        except BaseException:
            stream.abandon()  # end the half-shown answer cleanly; _run then posts the apology
            raise

    def _feed(self, ask: Ask, stream: SlackStream) -> Answer:
        """Pass the advisor's text into ``stream`` as it comes (until Slack refuses it); return the Answer."""
        answer, refused = None, False
        items = relay(
            self._answers,
            lambda: ask.pieces(self.advisor),
            self.slack.answer_timeout,
        )
        with closing(items):  # on failure, stop the advisor now rather than at garbage collection
            for item in items:
                if isinstance(item, Answer):
                    answer = item
                elif not refused:
                    try:
                        stream.append(escape(item))
                    except StreamRefused as exc:
                        refused = True
                        self._stream_refused(ask, exc)
        if answer is None:
            raise RuntimeError("the answer stream ended without an answer")
        return answer

    def _stream_refused(self, ask: Ask, exc: StreamRefused) -> None:
        if exc.error in UNAVAILABLE:
            self.streaming = False
            log.warning(
                "Slack has no streaming API here (%s); answers are posted as whole messages", exc.error
            )
        else:
            log.info(
                "Slack refused a stream in %s (%s); posting the answer as a message", ask.place, exc.error
            )

    def _record(self, ask: Ask, answer: Answer) -> str:
        """Keep the answer for later votes, and title a new assistant thread; return the record id."""
        record_id = self.records.save(
            AnswerRecord(
                question=ask.question,
                answer=answer.text,
                source_ids=[s.id for s in answer.sources],
                session_id=answer.session_id,
                place=ask.place,
                engine=answer.engine,
                user=ask.user,
                team=ask.team_id or "",
            )
        )
        first_turn = len(self.advisor.sessions.history(ask.session_id, 2)) <= 1
        if ask.set_title and first_turn:
            self._quietly(ask.set_title, ask.question[:80])
        return record_id

    def _reply(self, ask: Ask, answer: Answer) -> None:
        record_id = self._record(ask, answer)
        for message in answer_messages(answer, record_id, ask.question if ask.echo_question else None):
            self.deliver(ask, message)

    def deliver(self, ask: Ask, message: Message) -> None:
        if ask.respond is not None:
            ask.respond(
                text=message.text, blocks=message.blocks, response_type="ephemeral", replace_original=False
            )
            return
        ask.client.chat_postMessage(
            channel=ask.channel,
            thread_ts=ask.thread_ts,
            text=message.text,
            blocks=message.blocks,
            unfurl_links=False,
            unfurl_media=False,
        )

    def _try_deliver(self, ask: Ask, message: Message) -> None:
        try:
            self.deliver(ask, message)
        except Exception as exc:
            log.error("could not post to %s: %s", ask.place, describe(exc))

    def _status(self, ask: Ask, status: str) -> None:
        if ask.set_status is not None:
            self._quietly(ask.set_status, status)

    @staticmethod
    def _quietly(setter: Callable[..., Any], value: str) -> None:
        """Status and title are nice to have: outside assistant threads Slack may refuse them."""
        try:
            setter(value)
        except Exception as exc:
            log.debug("assistant status/title not set: %s", type(exc).__name__)


def _last(pieces: Iterator[str | Answer]) -> Answer:
    """The Answer at the end of an advisor stream."""
    for item in pieces:
        if isinstance(item, Answer):
            return item
    raise RuntimeError("the answer stream ended without an answer")


def describe(exc: BaseException) -> str:
    """An exception as one short log-safe line: its type and message, with anything token-like masked."""
    return f"{type(exc).__name__}: {_TOKEN.sub('****', str(exc))[:300]}"
