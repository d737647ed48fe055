"""The REPL's ``/scorecard [NAME]`` and ``/health [NAME]``: the guided workflows inside ``advisor chat``.

They ask the same statements as ``advisor scorecard`` / ``advisor health`` (one key per rating on a
terminal, a line per rating from a pipe), store the result for the local user and print the report.
"""

from __future__ import annotations

import sys

from advisor.workflows import HEALTH, SCORECARD, Workflows, to_markdown
from bots.cli.chat_commands import ChatState, command
from bots.cli.interview import Interview, KeyReader, LineReader
from bots.cli.workflow_command import LOCAL_TEAM, SUBJECT_LABEL, local_user


@command("/scorecard")
def _scorecard(chat: ChatState, arg: str) -> bool:
    run_in_chat(chat, SCORECARD, arg)
    return True


@command("/health")
def _health(chat: ChatState, arg: str) -> bool:
    run_in_chat(chat, HEALTH, arg)
    return True


def run_in_chat(chat: ChatState, name: str, subject: str) -> None:
    workflows = Workflows.from_settings(chat.advisor.settings)
    session = Interview(
        title=workflows.title(name),
        intro=workflows.intro(name),
        scale=workflows.scale(name),
        questions=workflows.questions(name),
        topics=workflows.topics(name),
        reader=KeyReader() if chat.view.interactive else LineReader(sys.stdin, chat.view.out),
        say=chat.view.line,
    )
    subject = subject.strip() or session.ask_subject(SUBJECT_LABEL[name]) or ""
    raw = session.run() if subject else None
    if raw is None:
        chat.view.notice("Stopped; nothing was saved.")
        return
    report = workflows.submit(name, raw, team=LOCAL_TEAM, user=local_user(), subject=subject)
    chat.view.line()
    for line in to_markdown(report).splitlines():
        chat.view.line(line)
