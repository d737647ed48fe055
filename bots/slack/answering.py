"""Answer one Slack question off Bolt's threads: rate limit, "thinking" status, timeout, reply, errors.

Listeners only parse the event into an ``Ask`` and call ``Answerer.submit``, which returns at once so
Slack gets its ack within 3 s. A pool of job threads then talks to Slack, while a separate pool runs
the advisor so an answer that runs over ``ADVISOR_SLACK_ANSWER_TIMEOUT`` can be abandoned with a friendly
message (a one-shot model call cannot be cancelled; it finishes in the background and is discarded).

Threaded replies are streamed (``bots.slack.streaming``) unless ``ADVISOR_SLACK_STREAMING`` is off; when Slack
refuses chat.startStream the same answer is posted as one message instead, and when streaming stops
half-way the stream is closed and a short apology follows. Slash commands always get one ephemeral reply.
Notices meant for the asker alone (over the rate limit, too slow) are ephemeral, in the thread.

``close`` is the SIGTERM path: no new questions are taken, those in flight get a grace period, and
whatever is still running then is ended cleanly: an open stream is stopped with a short note, a
question not yet answered gets a "please ask again", and nothing more is posted for it afterwards.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from slack_sdk import WebClient

from advisor.answer import Answer
from advisor.core import Advisor
from advisor.errors import AdvisorError
from bots.slack.config import SlackSettings
from bots.slack.pools import TrackingExecutor
from bots.slack.ratelimit import UserRateLimit
from bots.slack.records import AnswerRecord, AnswerRecords
from bots.slack.render import Message, answer_messages, escape, footer_blocks, text_message
from bots.slack.streaming import UNAVAILABLE, AnswerTimeout, SlackStream, StreamRefused, relay

log = logging.getLogger(__name__)

APOLOGY = "Sorry, something went wrong while answering. Please try again in a moment."
RESTARTING = "Sorry, I was restarted before I could finish that answer. Please ask again in a minute."
CUT_SHORT = "\n\n_(Cut short: the advisor is restarting. Please ask again in a minute.)_"
THINKING = "is thinking…"
# Rotated by Slack under the status while the answer is being prepared (assistant.threads.setStatus).
LOADING = [
    "Searching the knowledge base…",
    "Reading the most relevant passages…",
    "Checking the sources…",
    "Writing the answer…",
]
_TOKEN = re.compile(r"\b(xox[a-z]|xapp)-[A-Za-z0-9-]+")


@dataclass(eq=False)  # identity: the Answerer keeps the asks in flight in a set
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
    collection: str | None = None  # the channel's own collection; None: the default one
    stopped: threading.Event = field(default_factory=threading.Event)  # set at shutdown: post nothing more
    stream: SlackStream | None = field(default=None, repr=False)

    def pieces(self, advisor: Advisor) -> Iterator[str | Answer]:
        if self.expand:
            return advisor.more(self.session_id, collection=self.collection)
        return advisor.stream(self.question, self.session_id, collection=self.collection)

    @property
    def place(self) -> str:
        return f"{self.channel}:{self.thread_ts}" if self.thread_ts else f"slash:{self.channel}"


def session_key(team: str | None, channel: str, thread: str) -> str:
    """One conversation per Slack thread; the team id keeps workspaces apart in a shared database."""
    return f"slack:{team or '-'}:{channel}:{thread}"


class ThreadLog(Protocol):
    """Where the App Home finds a user's recent threads (``bots.slack.appdb.RecentThreads``)."""

    def add(self, team: str, user: str, channel: str, thread_ts: str, question: str) -> None: ...

    def of(self, team: str, user: str, limit: int = 5) -> list[Any]: ...


class Answerer:
    def __init__(
        self,
        advisor: Advisor,
        slack: SlackSettings,
        data_dir: Path,
        records: AnswerRecords | None = None,
        job_threads: int = 8,
        answer_threads: int = 2,
        threads: ThreadLog | None = None,
    ) -> None:
        self.advisor = advisor
        self.slack = slack
        self.data_dir = data_dir
        self.db = advisor.sessions.db  # records, votes, dedupe and limits share the advisor's database
        self.records = records or AnswerRecords(self.db)
        self.threads = threads
        self.limit = UserRateLimit(slack.user_rate, self.db)
        self.listeners = TrackingExecutor(10, thread_name_prefix="slack-listener")  # Bolt's listener pool
        self._jobs = TrackingExecutor(job_threads, thread_name_prefix="slack-job")
        self._answers = ThreadPoolExecutor(answer_threads, thread_name_prefix="slack-answer")
        self.streaming = slack.streaming  # switched off for good if Slack lacks the streaming API
        self.closing = False
        self._active: set[Ask] = set()
        self._active_lock = threading.Lock()

    def collection_for(self, channel: str) -> str | None:
        """The collection a channel is answered from (ADVISOR_SLACK_CHANNEL_COLLECTIONS), None: default."""
        return self.slack.channel_collections.get(channel)

    def submit(self, ask: Ask) -> None:
        if ask.collection is None:
            ask.collection = self.collection_for(ask.channel)
        if self.closing:  # Slack has its ack already; tell the asker rather than drop the question
            log.info("question in %s declined: shutting down", ask.place)
            self._jobs.submit(self._try_notice, ask, text_message(RESTARTING))
            return
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

    def close(self, grace: float) -> bool:
        """Take no new questions; give those in flight ``grace`` seconds, then end the rest cleanly.
        True when everything finished within the grace period."""
        self.closing = True
        if self.drain(grace):
            return True
        with self._active_lock:
            active = list(self._active)
        log.warning("shutting down with %s answer(s) unfinished; closing them", len(active))
        for ask in active:
            self._interrupt(ask)
        self._jobs.wait_idle(2.0)  # the interrupted jobs notice and stop posting
        return False

    def _interrupt(self, ask: Ask) -> None:
        ask.stopped.set()
        stream = ask.stream
        try:
            if stream is not None:
                stream.interrupt(CUT_SHORT)  # waits for a stream call in flight, then stops what it started
                if stream.started:
                    return
            self._notice(ask, text_message(RESTARTING), force=True)
        except Exception as exc:
            log.warning("could not close the answer in %s: %s", ask.place, describe(exc))

    def _run(self, ask: Ask) -> None:
        started = time.perf_counter()
        with self._active_lock:
            self._active.add(ask)
        try:
            self._answer_one(ask)
        except Interrupted:
            log.info("answer in %s closed for shutdown", ask.place)
        except Exception as exc:  # the last line of defence: a short apology, details only in the log
            log.error("answering in %s failed: %s", ask.place, describe(exc))
            log.debug("answering in %s failed", ask.place, exc_info=True)
            self._try_deliver(ask, text_message(APOLOGY))
        finally:
            with self._active_lock:
                self._active.discard(ask)
            log.info("answered in %s in %.0f ms", ask.place, (time.perf_counter() - started) * 1000)

    def _answer_one(self, ask: Ask) -> None:
        wait = self.limit.check(ask.user, ask.team_id or "")
        if wait:
            log.info("user %s over %s questions/minute", ask.user, self.slack.user_rate)
            self._notice(
                ask,
                text_message(
                    f"You're asking faster than I can keep up (up to {self.slack.user_rate} "
                    f"questions a minute). Please try again in about {wait:.0f} seconds."
                ),
            )
            return
        self._status(ask)
        if self.streaming and ask.respond is None and ask.thread_ts:
            self._stream(ask)
            return
        answer = self._answer(ask)
        if answer is not None:
            self._reply(ask, answer)

    def _answer(self, ask: Ask) -> Answer | None:
        if ask.expand:
            future = self._answers.submit(lambda: _last(ask.pieces(self.advisor)))
        else:
            future = self._answers.submit(
                self.advisor.ask, ask.question, ask.session_id, collection=ask.collection
            )
        try:
            return _result(future, self.slack.answer_timeout, ask.stopped)
        except FutureTimeout:
            if not ask.stopped.is_set():
                self._too_long(ask)
        except AdvisorError as exc:
            self._not_answered(ask, exc)
        return None

    def _too_long(self, ask: Ask) -> None:
        log.warning("answer in %s took over %.0f s; gave up", ask.place, self.slack.answer_timeout)
        self._notice(
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
        stream = ask.stream = SlackStream(ask.client, ask.channel, ask.thread_ts, ask.team_id, ask.user)
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
            if ask.stopped.is_set():
                stream.interrupt(CUT_SHORT)  # shutting down: whichever thread gets there first adds the note
            else:
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
                if ask.stopped.is_set():  # shutting down: the stream was closed for us
                    raise Interrupted
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
        if self.threads is not None and ask.thread_ts and not ask.expand:
            try:
                self.threads.add(ask.team_id or "", ask.user, ask.channel, ask.thread_ts, ask.question)
            except Exception as exc:  # the App Home list is a convenience; the answer still goes out
                log.warning("could not note the thread for the App Home: %s", describe(exc))
        return record_id

    def _reply(self, ask: Ask, answer: Answer) -> None:
        record_id = self._record(ask, answer)
        for message in answer_messages(answer, record_id, ask.question if ask.echo_question else None):
            self.deliver(ask, message)

    def deliver(self, ask: Ask, message: Message) -> None:
        if ask.stopped.is_set():
            return  # shut down mid-answer: the asker already has the "please ask again"
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

    def _notice(self, ask: Ask, message: Message, force: bool = False) -> None:
        """A note for the asker alone (rate limit, timeout, restart): ephemeral, in the thread."""
        if ask.stopped.is_set() and not force:
            return
        if ask.respond is not None or not ask.user:
            self.deliver(ask, message)
            return
        ask.client.chat_postEphemeral(
            channel=ask.channel,
            user=ask.user,
            thread_ts=ask.thread_ts,
            text=message.text,
            blocks=message.blocks,
        )

    def _try_notice(self, ask: Ask, message: Message) -> None:
        try:
            self._notice(ask, message)
        except Exception as exc:
            log.error("could not send a notice to %s: %s", ask.place, describe(exc))

    def _try_deliver(self, ask: Ask, message: Message) -> None:
        try:
            self.deliver(ask, message)
        except Exception as exc:
            log.error("could not post to %s: %s", ask.place, describe(exc))

    def _status(self, ask: Ask) -> None:
        if ask.set_status is not None:
            self._quietly(ask.set_status, status=THINKING, loading_messages=LOADING)

    @staticmethod
    def _quietly(setter: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Status and title are nice to have: outside assistant threads Slack may refuse them."""
        try:
            setter(*args, **kwargs)
        except Exception as exc:
            log.debug("assistant status/title not set: %s", type(exc).__name__)


class Interrupted(Exception):
    """The answer was closed for a shutdown; the job ends without posting anything more."""


def _result(future: Future, timeout: float, stopped: threading.Event) -> Any:
    """``future.result(timeout)`` that also gives up (FutureTimeout) as soon as ``stopped`` is set."""
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        try:
            return future.result(timeout=max(0.0, min(0.25, left)))
        except FutureTimeout:
            if left <= 0.25 or stopped.is_set():
                raise


def _last(pieces: Iterator[str | Answer]) -> Answer:
    """The Answer at the end of an advisor stream."""
    for item in pieces:
        if isinstance(item, Answer):
            return item
    raise RuntimeError("the answer stream ended without an answer")


def describe(exc: BaseException) -> str:
    """An exception as one short log-safe line: its type and message, with anything token-like masked."""
    return f"{type(exc).__name__}: {mask_tokens(str(exc))[:300]}"


def mask_tokens(text: str) -> str:
    """``text`` with every Slack token (xoxb-, xoxp-, xapp-…) replaced by ****."""
    return _TOKEN.sub("****", text)
