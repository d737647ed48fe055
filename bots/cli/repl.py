"""`advisor chat`: an interactive, streaming, cited conversation in the terminal.

    advisor chat                 # a new conversation
    advisor chat --continue      # resume the last one (follow-ups still work after a restart)
    advisor chat --session ID    # open or start a named one
    printf 'q1\\nq2\\n' | advisor chat   # no terminal: plain answers, one question per line

The prompt comes up at once: the Advisor is built cheaply and warmed (embedder, index, engine) in
a background thread while the user types; a question asked before that finishes waits behind a
"loading…" indicator. Ctrl-C stops an answer (the stream is closed) or clears the line; Ctrl-D or
/exit leaves with status 0. Advisor errors print one line and the conversation goes on.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterator

from advisor import Advisor, AdvisorError, Answer, Settings
from advisor.sessions import new_session_id
from bots.cli import chat_workflows  # noqa: F401  (registers /scorecard and /health)
from bots.cli.chat_commands import is_command, run_command
from bots.cli.chat_input import make_reader
from bots.cli.chat_view import PlainView, make_view

log = logging.getLogger(__name__)


class Warmup:
    """Runs ``advisor.warm()`` once in a daemon thread; ``wait()`` blocks until it has finished."""

    def __init__(
        self, advisor: Advisor, collection: str | None, after: threading.Event | None = None
    ) -> None:
        self.done = threading.Event()
        self.error: BaseException | None = None
        self._after = after
        self._thread = threading.Thread(
            target=self._run, args=(advisor, collection), name="advisor-warmup", daemon=True
        )

    def start(self) -> Warmup:
        self._thread.start()
        return self

    def _run(self, advisor: Advisor, collection: str | None) -> None:
        if self._after is not None:
            # Importing chromadb and onnxruntime competes for the GIL; let the prompt draw first.
            self._after.wait(timeout=2.0)
        try:
            advisor.warm(collection)
        except Exception as exc:  # shown when the user asks; the real call raises it again
            self.error = exc
            log.debug("warm-up failed", exc_info=True)
        finally:
            self.done.set()

    def wait(self, interval: float = 0.05) -> None:
        # Short waits keep the main thread responsive to Ctrl-C.
        while not self.done.wait(interval):
            pass


class Chat:
    """The conversation's state: advisor, session, engine, last answer, and how to show things."""

    def __init__(
        self,
        advisor: Advisor,
        view: PlainView,
        session_id: str,
        engine: str,
        collection: str | None,
        warmup: Warmup | None = None,
    ) -> None:
        self.advisor = advisor
        self.view = view
        self.session_id = session_id
        self.engine = engine
        self.collection = collection
        self.warmup = warmup
        self.last_answer: Answer | None = None
        self.notified: set[str] = set()

    def notify(self, message: str) -> None:
        """The Advisor's one-line notices (first-use index build, engine fallback), shown dim."""
        self.notified.add(message)
        self.view.notice(message)

    def ready(self) -> Advisor:
        if self.warmup is not None and not self.warmup.done.is_set():
            with self.view.loading():
                self.warmup.wait()
        return self.advisor

    def new_session(self) -> None:
        self.session_id = new_session_id()
        self.last_answer = None

    def ask(self, question: str) -> None:
        advisor = self.ready()
        self._show(
            advisor.stream(
                question, session_id=self.session_id, collection=self.collection, engine=self.engine
            )
        )

    def expand(self) -> None:
        advisor = self.ready()
        self._show(advisor.more(self.session_id, collection=self.collection, engine=self.engine))

    def _show(self, pieces: Iterator[str | Answer]) -> None:
        try:
            answer = self.view.stream_answer(pieces)
        except KeyboardInterrupt:
            _close(pieces)  # stops the engine; the unfinished turn is not stored
            self.view.cancelled()
            return
        if answer is None:
            return
        self.last_answer = answer
        if answer.notice and answer.notice not in self.notified:
            self.view.notice(answer.notice)

    def handle(self, text: str) -> bool:
        """One line of input: a command or a question. False ends the conversation."""
        try:
            if is_command(text):
                return run_command(self, text)
            self.ask(text)
        except KeyboardInterrupt:
            self.view.cancelled()
        except AdvisorError as exc:
            self.view.error(str(exc))
        except Exception as exc:  # the REPL must survive anything; details go to the log
            log.debug("unexpected failure", exc_info=True)
            self.view.error(
                f"unexpected {exc.__class__.__name__}: {exc}"
                if str(exc)
                else f"unexpected {exc.__class__.__name__}"
            )
        return True


def _close(pieces: Iterator[str | Answer]) -> None:
    """Close the advisor's answer stream (a generator, though typed as an iterator)."""
    close = getattr(pieces, "close", None)
    if close is not None:
        close()


def run_chat(args, settings: Settings) -> int:
    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    view = make_view(interactive)
    # The closure binds `chat` late: notices only arrive once the chat exists (warm-up, answers).
    chat: Chat
    advisor = Advisor.from_settings(settings, notify=lambda message: chat.notify(message))
    engine = args.engine or settings.engine
    if not _engine_known(engine, view):
        return 2
    session_id, note = _session(args, advisor)
    reader = make_reader(interactive, settings.data_dir)
    warmup = Warmup(advisor, args.collection, after=reader.shown) if interactive else None
    chat = Chat(advisor, view, session_id, engine, args.collection, warmup)
    view.welcome(engine, note)
    if warmup is not None:
        warmup.start()
    return _loop(chat, reader)


def _loop(chat: Chat, reader) -> int:
    while True:
        try:
            text = reader.read()
        except KeyboardInterrupt:
            continue  # Ctrl-C at the prompt clears the line
        if text is None:
            return 0
        if not text.strip():
            continue
        if not chat.handle(text.strip()):
            return 0


def _engine_known(name: str, view: PlainView) -> bool:
    from advisor.engines import engine_names

    if name in engine_names():
        return True
    view.error(f"unknown engine {name!r}; choose one of: {', '.join(engine_names())}")
    return False


def _session(args, advisor: Advisor) -> tuple[str, str]:
    """The session id to use and a line saying which it is."""
    if args.session:
        turns = len(advisor.sessions.history(args.session, limit=10_000))
        return args.session, (
            f"Continuing session {args.session} ({turns} earlier turns)."
            if turns
            else f"Session {args.session}."
        )
    if args.resume:
        last = advisor.sessions.last_session()
        if last:
            earlier = advisor.sessions.history(last, limit=10_000)
            return last, (
                f"Continuing session {last} ({len(earlier)} earlier turns; last question: "
                f"{earlier[-1].question.splitlines()[0][:60]!r})."
            )
        sid = new_session_id()
        return sid, f"No earlier conversation to continue; session {sid}."
    sid = new_session_id()
    return sid, f"Session {sid}."
