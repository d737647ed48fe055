"""Ask a workflow's statements one at a time in the terminal, with progress and keyboard choices.

On a terminal each rating is one key press: 1-5 rates, n adds a note, b goes back, q quits (so does
Ctrl-C or Ctrl-D). Without a terminal the answers are read a line at a time ("4", "2 a note", "b", "q"),
which is how scripts and tests drive it. The result is the raw answers mapping the core validates.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TextIO

from advisor.workflows import Question
from advisor.workflows.model import Scale

BACK, NOTE, QUIT = "b", "n", "q"
BAR = 20


class Reader(Protocol):
    def choose(self, prompt: str, ratings: list[str]) -> tuple[str, str | None]:
        """A rating, BACK, NOTE or QUIT, and a note typed with it (line mode only)."""
        ...

    def text(self, prompt: str) -> str: ...


@dataclass
class Interview:
    title: str
    intro: str
    scale: Scale
    questions: tuple[Question, ...]
    topics: dict[str, str]
    reader: Reader
    say: Callable[[str], None]

    def ask_subject(self, label: str) -> str | None:
        """The partner or alliance name; None when the user quits."""
        while True:
            try:
                name = self.reader.text(f"{label}: ").strip()
            except (EOFError, KeyboardInterrupt):
                return None
            if name:
                return name
            self.say(f"Please type a {label.lower()} (it keys the stored results and the trend).")

    def run(self) -> dict[str, Any] | None:
        """Every statement rated, as {id: rating} or {id: {rating, note}}; None when the user quits."""
        self.say(f"{self.title}: {len(self.questions)} statements. {self.intro}")
        self.say(
            f"Keys: {self.scale.min}-{self.scale.max} rate ({self.scale.min} = {self.scale.low_label}, "
            f"{self.scale.max} = {self.scale.high_label}), n note, b back, q quit."
        )
        ratings: dict[str, int] = {}
        notes: dict[str, str] = {}
        keys = [str(n) for n in range(self.scale.min, self.scale.max + 1)]
        index = 0
        while index < len(self.questions):
            question = self.questions[index]
            self._show(index, question, ratings.get(question.id), notes.get(question.id))
            try:
                key, note = self.reader.choose(self._prompt(), keys)
            except (EOFError, KeyboardInterrupt):
                return None
            if key == QUIT:
                return None
            if key == BACK:
                index = max(0, index - 1)
                continue
            if key == NOTE:
                try:
                    notes[question.id] = self.reader.text("Note: ").strip()
                except (EOFError, KeyboardInterrupt):
                    return None
                continue
            if key not in keys:
                self.say(f"Please press {keys[0]}-{keys[-1]}, n, b or q.")
                continue
            ratings[question.id] = int(key)
            if note:
                notes[question.id] = note
            index += 1
        self.say(f"[{_bar(len(self.questions), len(self.questions))}] all {len(self.questions)} rated.")
        return {qid: {"rating": r, "note": notes[qid]} if notes.get(qid) else r for qid, r in ratings.items()}

    def _show(self, index: int, question: Question, rating: int | None, note: str | None) -> None:
        total = len(self.questions)
        self.say("")
        self.say(f"[{_bar(index, total)}] {index + 1}/{total}  {self.topics.get(question.id, '')}")
        self.say(f"  {question.text}")
        if rating is not None or note:
            shown = [f"your rating: {rating}"] if rating is not None else []
            self.say(f"  ({'; '.join([*shown, *([f'note: {note}'] if note else [])])})")

    def _prompt(self) -> str:
        return f"Rating {self.scale.min}-{self.scale.max} [n/b/q]: "


def _bar(done: int, total: int) -> str:
    filled = round(BAR * done / total) if total else BAR
    return "#" * filled + "." * (BAR - filled)


class LineReader:
    """Answers from lines of a stream: "4", "4 a note", "n", "b" or "q"."""

    def __init__(self, stream: TextIO | None = None, echo: TextIO | None = None) -> None:
        self.stream = stream or sys.stdin
        self.echo = echo or sys.stdout

    def _line(self, prompt: str) -> str:
        self.echo.write(prompt)
        line = self.stream.readline()
        if not line:
            self.echo.write("\n")
            raise EOFError
        self.echo.write(line if line.endswith("\n") else line + "\n")
        self.echo.flush()
        return line.strip()

    def choose(self, prompt: str, ratings: list[str]) -> tuple[str, str | None]:
        key, _, note = self._line(prompt).partition(" ")
        return key.lower(), note.strip() or None

    def text(self, prompt: str) -> str:
        return self._line(prompt)


class KeyReader:
    """prompt_toolkit on a terminal: a rating is a single key press, no Enter needed."""

    def choose(self, prompt: str, ratings: list[str]) -> tuple[str, str | None]:
        from prompt_toolkit import PromptSession
        from prompt_toolkit.key_binding import KeyBindings

        kb = KeyBindings()

        def pick(key: str) -> None:
            @kb.add(key)
            def _(event) -> None:
                choice = BACK if key == "left" else key
                event.current_buffer.insert_text(choice)  # so the choice stays on screen
                event.app.exit(result=choice)

        for key in (*ratings, BACK, NOTE, QUIT, "left"):
            pick(key)

        @kb.add("<any>")
        def _ignore(event) -> None:
            pass  # only the keys above mean anything here

        session: PromptSession[str] = PromptSession(key_bindings=kb)
        return session.prompt(prompt), None

    def text(self, prompt: str) -> str:
        from prompt_toolkit import prompt as ask

        return ask(prompt)
