"""`advisor chat` driven for real: the actual command in a pseudo-terminal (pexpect), or with piped stdin.

The index is built in-process beforehand (the ``advisor`` fixture) for the same data dir, so each
spawn only pays the CLI's own start-up. Slow engines for the Ctrl-C and loading tests are registered
by a small wrapper script through ``register_engine``, the way a plugin would.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import textwrap

import pexpect
import pytest

from bots.cli.chat_input import PROMPT
from bots.cli.chat_view import STARTERS

TIMEOUT = 30
QUESTION = "How should we choose a partner?"
ANSWER_WORD = "complementarity"  # in the extractive answer to QUESTION over the bundled knowledge base
REFUSAL_START = "That's outside what I know"
CLARIFY_START = "I'm not sure what that refers to"
FOLLOWUP = "Why does that matter?"  # refused on its own; answered only with the conversation's context

WRAPPER = textwrap.dedent('''
    """Test-only plugin: a never-ending engine ("slow") and one that takes 3 s to load ("slowstart")."""
    import sys
    import time

    from advisor.engines import get_engine, register_engine


    class SlowEngine:
        name = "slow"
        uses_llm = False

        def __init__(self, settings):
            pass

        def answer(self, request):
            yield "Slow answer begins [1]."
            for i in range(600):
                time.sleep(0.1)
                yield f" still going {i}"

        def condense(self, question, history):
            return None


    def slow_start(settings):
        time.sleep(3)
        return get_engine("extractive", settings)


    register_engine("slow", SlowEngine)
    register_engine("slowstart", slow_start)

    from bots.cli.main import main

    sys.exit(main())
''')


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "PYTEST_CURRENT_TEST")}
    # A pty never answers prompt_toolkit's cursor-position request; without this each prompt waits 1 s for it.
    env.update(TERM="xterm-256color", PYTHONUNBUFFERED="1", PROMPT_TOOLKIT_NO_CPR="1", **extra)
    return env


class Chat:
    """One spawned `advisor chat` with helpers that wait for content, never for time."""

    def __init__(self, *args: str, wrapper: str | None = None, **env: str) -> None:
        cmd = [wrapper] if wrapper else ["-m", "bots.cli.main"]
        self.log = io.StringIO()
        self.child = pexpect.spawn(
            sys.executable,
            [*cmd, "chat", *args],
            env=_env(**env),
            encoding="utf-8",
            timeout=TIMEOUT,
            dimensions=(50, 220),
        )
        self.child.logfile_read = self.log
        self.expect(PROMPT)

    def expect(self, *texts: str) -> None:
        for text in texts:
            self.child.expect_exact(text)

    def send(self, line: str, *expected: str) -> None:
        """Send one line, wait for each expected text in order, then for the next prompt."""
        self.child.send(line + "\r")
        self.expect(*expected, PROMPT)

    def output(self) -> str:
        return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", self.log.getvalue())

    def exit(self, how: str = "/exit") -> int:
        if how == "ctrl-d":
            self.child.sendcontrol("d")
        else:
            self.child.send(how + "\r")
        self.child.expect(pexpect.EOF)
        self.child.close()
        assert "Traceback" not in self.log.getvalue()
        return self.child.exitstatus


@pytest.fixture
def wrapper(tmp_path):
    path = tmp_path / "chat_with_plugins.py"
    path.write_text(WRAPPER)
    return str(path)


def session_id(chat: Chat) -> str:
    match = re.search(r"[Ss]ession ([0-9a-f]{12})", chat.output())
    assert match, chat.output()
    return match.group(1)


def test_welcome_ask_sources_and_exit(advisor):
    chat = Chat()
    out = chat.output()
    assert "Alliance advisor" in out and "/help" in out
    assert all(q in out for q in STARTERS)
    chat.send(QUESTION, ANSWER_WORD, "Sources: [")
    chat.send("/sources", "choosing-a-partner.md", "Partnerships work")
    assert chat.exit() == 0


def test_followup_then_new_session_forgets(advisor):
    chat = Chat()
    chat.send(QUESTION, ANSWER_WORD)
    chat.send(FOLLOWUP, "Sources:")  # answered with citations: it is refused on its own (below)
    chat.send("/history", "2 turn(s)", f"1. Q: {QUESTION}", f"2. Q: {FOLLOWUP}")
    chat.send("/new", "New conversation (session ")
    chat.send("/history", "No questions yet")
    chat.send(FOLLOWUP, CLARIFY_START)
    assert chat.exit("ctrl-d") == 0


def test_topics_help_engine_and_unknown_command(advisor):
    chat = Chat()
    chat.send("/topics", "Choosing an alliance partner", "Reputation: trust starts before the first meeting")
    chat.send("/help", "/sources", "/engine [NAME]", "Esc-Enter")
    chat.send("/engine", "engine: extractive", "available:")
    chat.send("/engine bogus", "error: unknown engine 'bogus'; choose one of:")
    chat.send("/engine fake", "Engine switched to fake.")
    chat.send("/engine", "engine: fake")
    chat.send("/frobnicate", "unknown command /frobnicate")
    chat.send("/sources", "No sources yet")
    assert chat.exit() == 0


def test_empty_and_overlong_input(advisor):
    chat = Chat(ADVISOR_MAX_QUESTION_CHARS="40")
    chat.child.send("\r")
    chat.child.send("   \r")
    chat.send("/history", "No questions yet")  # blank lines asked nothing
    chat.send("x" * 60, "error: the question is 60 characters long; the limit is 40")
    chat.send("Why form alliances?", "Sources:")  # still running after the error
    assert chat.exit() == 0


def test_missing_collection_is_one_line_and_chat_goes_on(advisor):
    chat = Chat("--collection", "nothere")
    chat.send(QUESTION, "error: collection 'nothere' has no index")
    chat.send("/history", "No questions yet")
    assert chat.exit() == 0


def test_multiline_input(advisor):
    chat = Chat()
    chat.child.send("How should we \\\r")  # trailing backslash: continue on the next line
    chat.send("choose a partner?", ANSWER_WORD)
    chat.child.send("How should we\x1b\r")  # Esc-Enter inserts a newline
    chat.send("choose a partner?", ANSWER_WORD)
    chat.send("/history", "2 turn(s)")
    assert chat.exit() == 0


def test_ctrl_c_clears_line_and_stops_answer(advisor, wrapper):
    chat = Chat(wrapper=wrapper)
    chat.child.send("half a thought")
    chat.child.sendintr()
    chat.send("/topics", "Choosing an alliance partner")  # the draft was cleared, not prefixed
    chat.send("/engine slow", "Engine switched to slow.")
    chat.child.send(QUESTION + "\r")
    chat.expect("Slow answer begins", "still going 2")
    chat.child.sendintr()
    chat.expect("(stopped)", PROMPT)
    chat.send("/history", "No questions yet")  # a stopped answer is not remembered
    chat.send("/engine extractive", "Engine switched to extractive.")
    chat.send(QUESTION, ANSWER_WORD)
    assert chat.exit() == 0


def test_question_before_warmup_shows_loading(advisor, wrapper):
    chat = Chat(wrapper=wrapper, ADVISOR_ENGINE="slowstart")  # engine takes 3 s to load, prompt doesn't
    chat.send(QUESTION, "loading…", ANSWER_WORD)
    assert chat.exit() == 0


def test_first_use_builds_index_with_one_line_notices():
    chat = Chat()  # no index yet in this data dir
    chat.expect("Building the knowledge index for first use", "Index ready:")
    chat.send(QUESTION, ANSWER_WORD)
    assert chat.exit() == 0


def test_continue_resumes_last_session_and_input_history(advisor):
    first = Chat()
    first.send(QUESTION, ANSWER_WORD)
    sid = session_id(first)
    assert first.exit() == 0

    second = Chat("--continue")
    assert f"Continuing session {sid} (1 earlier turns" in second.output()
    second.send(FOLLOWUP, "Sources:")  # remembered across the restart (refused on its own, below)
    second.child.send("\x1b[A" * 3)  # Up: the follow-up, then /exit, then the previous run's question
    second.send("", ANSWER_WORD)
    second.send("/history", "3 turn(s)", f"3. Q: {QUESTION}")
    assert second.exit() == 0

    third = Chat("--session", "named-one")
    assert "Session named-one." in third.output()
    third.send(FOLLOWUP, CLARIFY_START)
    assert third.exit() == 0


def test_unknown_engine_at_start_is_one_line():
    proc = subprocess.run(
        [sys.executable, "-m", "bots.cli.main", "chat", "--engine", "bogus"],
        input="",
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env=_env(),
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "error: unknown engine 'bogus'; choose one of: anthropic, extractive, fake, llamacpp, ollama, openai"
    ]


def test_piped_stdin_is_plain_text(advisor):
    script = f"{QUESTION}\n\n/sources\n/engine bogus\n{FOLLOWUP}\n"
    proc = subprocess.run(
        [sys.executable, "-m", "bots.cli.main", "chat"],
        input=script,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env=_env(),
    )
    assert proc.returncode == 0, proc.stderr
    assert "\x1b" not in proc.stdout and "\x1b" not in proc.stderr
    assert PROMPT not in proc.stdout and "Alliance advisor" not in proc.stdout
    answers = [block for block in proc.stdout.split("\n\n") if block.strip()]
    assert ANSWER_WORD in answers[0] and "Sources: [" in answers[0]
    assert "(knowledge/choosing-a-partner.md)" in proc.stdout.split("\n\n", 1)[1]  # /sources listing
    assert proc.stdout.count("Sources: [") == 2 and REFUSAL_START not in proc.stdout  # follow-up kept context
    assert proc.stderr.strip() == (
        "error: unknown engine 'bogus'; choose one of: anthropic, extractive, fake, llamacpp, ollama, openai"
    )
