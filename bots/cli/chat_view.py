"""How `advisor chat` shows things: rich Markdown on a terminal, plain text everywhere else.

Both views offer the same calls (welcome, notice, error, answer streaming, lists), so the REPL
never checks which one it has. The plain view writes no colours, no cursor movement and no
decorations, which keeps `printf 'q1\\nq2\\n' | advisor chat` usable as a script.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator
from typing import TextIO

from advisor.answer import Answer, Source
from bots.cli.render import source_line

STARTERS = (
    "How should we choose a partner?",
    "What is the difference between a joint venture and a non-equity alliance?",
    "Why do alliances fail, and what can we do about it?",
)
ABOUT = (
    "I answer questions on strategic alliances and partnerships - alliance types, choosing a "
    "partner, governance, the partnership lifecycle, why alliances fail and when to walk away - "
    "citing the passages I draw on."
)
HELP = [
    ("/help", "this list"),
    ("/more", "the full detail of the last answer (or just type: more)"),
    ("/sources", "the passages behind the last answer"),
    ("/topics", "what the knowledge base covers"),
    ("/engine [NAME]", "show or switch the answer engine"),
    ("/new", "start a fresh conversation"),
    ("/history", "this conversation's questions and answers"),
    ("/scorecard [NAME]", "rate a candidate partner (partner scorecard)"),
    ("/health [NAME]", "check a running alliance (alliance health check)"),
    ("/exit", "leave (Ctrl-D works too)"),
]
KEYS = (
    "Enter sends; Esc-Enter (or Alt-Enter) or a trailing \\ adds a line; Up/Down recall earlier "
    "questions; Ctrl-C stops an answer or clears the line."
)
_CITATION = re.compile(r"\[(\d+)\]")


def excerpt(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rsplit(" ", 1)[0] + "…"


def first_line(text: str, limit: int = 100) -> str:
    return excerpt(text.strip().splitlines()[0] if text.strip() else "", limit)


class PlainView:
    """Plain text on the given streams: for pipes, files and dumb terminals."""

    interactive = False

    def __init__(self, out: TextIO | None = None, err: TextIO | None = None) -> None:
        self.out = out or sys.stdout
        self.err = err or sys.stderr

    def line(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    def welcome(self, engine: str, session_note: str) -> None:
        """Scripts want answers only; the welcome belongs to people at a terminal."""

    def notice(self, message: str) -> None:
        print(message, file=self.err, flush=True)

    def error(self, message: str) -> None:
        print(f"error: {message}", file=self.err, flush=True)

    def stream_answer(self, pieces: Iterator[str | Answer]) -> Answer | None:
        answer = None
        for piece in pieces:
            if isinstance(piece, Answer):
                answer = piece
            else:
                self.out.write(piece)
                self.out.flush()
        self.line()
        if answer is not None and answer.sources:
            self.line(f"Sources: {source_line(answer)}")
        self.line()
        return answer

    def cancelled(self) -> None:
        self.line("\n(stopped)")

    def loading(self):
        return _Nothing()

    def sources(self, sources: Iterable[Source]) -> None:
        for s in sources:
            self.line(f"[{s.n}] {s.title} › {s.section or s.title} ({s.source})")
            self.line(f"    {excerpt(s.text)}")

    def table(self, rows: Iterable[tuple[str, str]]) -> None:
        for key, value in rows:
            self.line(f"{key}  {value}")

    def help(self) -> None:
        width = max(len(cmd) for cmd, _ in HELP)
        for cmd, text in HELP:
            self.line(f"{cmd:<{width}}  {text}")
        self.line(KEYS)


class TerminalView(PlainView):
    """rich on a terminal: Markdown answers rendered live as they stream, dim notices."""

    interactive = True

    def __init__(self) -> None:
        super().__init__()
        from rich.console import Console

        self.console = Console(highlight=False, soft_wrap=False)

    def line(self, text: str = "", style: str | None = None) -> None:
        self.console.print(text, style=style, markup=False, highlight=False)

    def welcome(self, engine: str, session_note: str) -> None:
        from rich.text import Text

        self.console.print(Text("Alliance advisor", style="bold"), Text(f" · engine {engine}", style="dim"))
        self.line(ABOUT)
        self.line("Try:", style="dim")
        for question in STARTERS:
            self.line(f"  • {question}")
        self.line(f"/help for commands. {session_note}", style="dim")

    def notice(self, message: str) -> None:
        self.line(message, style="dim")

    def error(self, message: str) -> None:
        self.line(f"error: {message}", style="red")

    def stream_answer(self, pieces: Iterator[str | Answer]) -> Answer | None:
        from rich.live import Live

        answer = None
        text = ""
        # While streaming, a long answer is cropped to the screen; Live prints it whole when it stops.
        with Live(console=self.console, refresh_per_second=12) as live:
            for piece in pieces:
                if isinstance(piece, Answer):
                    answer = piece
                    break
                text += piece
                live.update(self._markdown(text))
            if answer is not None and answer.text:
                live.update(self._markdown(answer.text))
        if answer is not None and answer.sources:
            self.line(f"Sources: {source_line(answer)}", style="dim")
        self.line()
        return answer

    @staticmethod
    def _markdown(text: str):
        from rich.markdown import Markdown

        # Keep "[3]" visible as a citation (Markdown would otherwise eat the brackets as link syntax).
        return Markdown(_CITATION.sub(r"\\[\1\\]", text))

    def cancelled(self) -> None:
        self.line("(stopped)", style="dim")

    def loading(self):
        return self.console.status("loading…", spinner="dots")

    def sources(self, sources: Iterable[Source]) -> None:
        for s in sources:
            self.console.print(
                f"[bold][{s.n}][/bold] {_esc(s.title)} › {_esc(s.section or s.title)} "
                f"[dim]({_esc(s.source)})[/dim]",
                highlight=False,
            )
            self.line(f"    {excerpt(s.text)}", style="dim")

    def table(self, rows: Iterable[tuple[str, str]]) -> None:
        for key, value in rows:
            self.console.print(f"[bold]{_esc(key)}[/bold]  {_esc(value)}", highlight=False)

    def help(self) -> None:
        self.table(HELP)
        self.line(KEYS, style="dim")


def _esc(text: str) -> str:
    from rich.markup import escape

    return escape(text)


class _Nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None


def make_view(interactive: bool) -> PlainView:
    return TerminalView() if interactive else PlainView()
