"""The REPL's slash commands: /help /more /sources /topics /engine /new /history /exit.

Each handler receives the chat state and the text after the command name; it prints through the
chat's view and returns False only to end the conversation. Errors from the advisor are left to the
REPL, which turns them into one line. ``ChatState`` says what a handler may use of the REPL's ``Chat``,
so this module does not import the REPL.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from advisor import Advisor, Answer
from advisor.understand import asks_for_more
from bots.cli.chat_view import PlainView, first_line


class ChatState(Protocol):
    """The conversation state the commands read and change (``bots.cli.repl.Chat``)."""

    advisor: Advisor
    view: PlainView
    session_id: str
    engine: str
    collection: str | None
    last_answer: Answer | None

    def ready(self) -> Advisor:
        """The advisor, once its warm-up has finished."""
        ...

    def new_session(self) -> None: ...

    def expand(self) -> None:
        """Show the full detail of the last answer."""
        ...


Handler = Callable[[ChatState, str], bool]
COMMANDS: dict[str, Handler] = {}
ALIASES = {
    "more": "/more",
    "/quit": "/exit",
    "/q": "/exit",
    "/?": "/help",
    "/clear": "/new",
    "/reset": "/new",
}


def command(name: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        COMMANDS[name] = fn
        return fn

    return register


def is_command(text: str) -> bool:
    """A slash command, or "more" alone (the natural way to ask for the rest of an answer)."""
    return text.startswith("/") or asks_for_more(text)


def run_command(chat: ChatState, text: str) -> bool:
    """Run one slash command; False means leave the REPL."""
    if asks_for_more(text):
        text = "/more"
    name, _, rest = text.strip().partition(" ")
    name = ALIASES.get(name.lower(), name.lower())
    handler = COMMANDS.get(name)
    if handler is None:
        chat.view.error(f"unknown command {name}; /help lists the commands")
        return True
    return handler(chat, rest.strip())


@command("/help")
def _help(chat: ChatState, arg: str) -> bool:
    chat.view.help()
    return True


@command("/more")
def _more(chat: ChatState, arg: str) -> bool:
    chat.expand()
    return True


@command("/exit")
def _exit(chat: ChatState, arg: str) -> bool:
    return False


@command("/sources")
def _sources(chat: ChatState, arg: str) -> bool:
    answer = chat.last_answer
    if answer is None or not answer.sources:
        chat.view.notice(
            "No sources yet: ask a question first."
            if answer is None
            else "The last answer cited no passages."
        )
        return True
    chat.view.sources(answer.sources)
    return True


@command("/topics")
def _topics(chat: ChatState, arg: str) -> bool:
    advisor = chat.ready()
    topics = advisor.topics(chat.collection)
    if not topics:
        chat.view.notice("The knowledge base is empty.")
    chat.view.table((title, "; ".join(sections)) for title, sections in topics)
    return True


@command("/engine")
def _engine(chat: ChatState, arg: str) -> bool:
    from advisor.engines import engine_names

    if not arg:
        chat.view.line(f"engine: {chat.engine}  (available: {', '.join(engine_names())})")
        return True
    if arg not in engine_names():
        chat.view.error(f"unknown engine {arg!r}; choose one of: {', '.join(engine_names())}")
        return True
    advisor = chat.ready()
    with chat.view.loading():
        advisor.engine(arg)  # load it now, so a bad configuration shows here rather than mid-answer
    chat.engine = arg
    chat.view.notice(f"Engine switched to {arg}.")
    return True


@command("/new")
def _new(chat: ChatState, arg: str) -> bool:
    chat.new_session()
    chat.view.notice(f"New conversation (session {chat.session_id}).")
    return True


@command("/history")
def _history(chat: ChatState, arg: str) -> bool:
    turns = chat.advisor.sessions.history(chat.session_id, limit=100)
    if not turns:
        chat.view.notice(f"No questions yet in session {chat.session_id}.")
        return True
    chat.view.line(f"Session {chat.session_id}, {len(turns)} turn(s):")
    for i, turn in enumerate(turns, 1):
        chat.view.line(f"{i}. Q: {first_line(turn.question)}")
        chat.view.line(f"   A: {first_line(turn.answer)}")
    return True
