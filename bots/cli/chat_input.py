"""Where `advisor chat` reads questions from: a prompt_toolkit prompt on a terminal, lines otherwise.

The terminal prompt has line editing, input history kept across runs (a file under the data
directory), and multi-line input: Esc-Enter / Alt-Enter inserts a newline, and so does a line
ending in a backslash. Both readers return None at end of input (Ctrl-D or EOF) and raise
KeyboardInterrupt for Ctrl-C, which the REPL treats as "clear the line".
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import TextIO

PROMPT = "advisor› "
HISTORY_FILE = "chat_history"


class LineReader:
    """One question per line from a stream (stdin when it is a pipe or a file)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdin
        self.shown = threading.Event()  # there is no prompt to wait for
        self.shown.set()

    def read(self) -> str | None:
        parts: list[str] = []
        while True:
            line = self.stream.readline()
            if not line:
                return "\n".join(parts) if parts else None
            line = line.rstrip("\r\n")
            if line.endswith("\\"):
                parts.append(line[:-1])
                continue
            parts.append(line)
            return "\n".join(parts)


class TerminalReader:
    """A prompt_toolkit session: editing, persistent history, multi-line input."""

    def __init__(self, data_dir: Path) -> None:
        from prompt_toolkit import PromptSession
        from prompt_toolkit.history import FileHistory

        data_dir.mkdir(parents=True, exist_ok=True)
        self.session: PromptSession = PromptSession(
            history=FileHistory(str(data_dir / HISTORY_FILE)),
            key_bindings=_bindings(),
            multiline=False,
            enable_history_search=False,
        )
        # Set once the prompt is on screen, so background work can wait rather than slow it down.
        self.shown = threading.Event()
        self.session.app.after_render += lambda _app: self.shown.set()

    def read(self) -> str | None:
        from prompt_toolkit.formatted_text import HTML
        from prompt_toolkit.patch_stdout import patch_stdout

        # patch_stdout lets the background warm-up print its one-line notices above the prompt.
        with patch_stdout(raw=True):
            try:
                return self.session.prompt(
                    HTML(f"<b><ansicyan>{PROMPT}</ansicyan></b>"), prompt_continuation="… "
                )
            except EOFError:
                return None


def _bindings():
    from prompt_toolkit.filters import Condition
    from prompt_toolkit.key_binding import KeyBindings

    kb = KeyBindings()

    @kb.add("escape", "enter")
    def _newline(event) -> None:
        event.current_buffer.insert_text("\n")

    @Condition
    def _continued() -> bool:
        from prompt_toolkit.application import get_app

        return get_app().current_buffer.document.text_before_cursor.endswith("\\")

    @kb.add("enter", filter=_continued)
    def _backslash_newline(event) -> None:
        buffer = event.current_buffer
        buffer.delete_before_cursor(1)
        buffer.insert_text("\n")

    return kb


def make_reader(interactive: bool, data_dir: Path):
    return TerminalReader(data_dir) if interactive else LineReader()
