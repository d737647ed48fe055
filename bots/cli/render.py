"""Plain-text rendering of answers, shared by `advisor ask` and the REPL's non-terminal mode."""

from __future__ import annotations

from typing import TextIO

from advisor.answer import Answer


def source_line(answer: Answer) -> str:
    """A compact line naming each cited passage: [1] Title › Section (file)."""
    return "  ".join(
        f"[{s.n}] {s.title} › {s.section.split(' > ')[-1] or s.title} ({s.source})" for s in answer.sources
    )


def print_answer(answer: Answer, out: TextIO) -> None:
    if answer.notice:
        print(f"note: {answer.notice}", file=out)
    print(answer.text, file=out)
    if answer.sources:
        print(f"\nSources: {source_line(answer)}", file=out)
    print(f"(session {answer.session_id})", file=out)
