"""Test doubles, registered like real providers through the plugin hook.

The ``fake`` engine is the LLM engine over :class:`ScriptedChatModel`, a scripted LangChain chat
model. With ``replies`` it answers with them in turn. Without, it writes a deterministic, grounded
answer from the prompt itself (the first sentence of passage [1], cited), so tests can run the whole
LLM path offline. Every call's messages are kept in ``history`` for assertions.

conftest.py sets ``ADVISOR_PLUGINS=tests.fakes`` (and puts the repository on ``PYTHONPATH``), so the
``advisor`` command and ``python -m bots.cli.main`` started by a test see it too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import Field

from advisor.engines.llm import LLMEngine
from advisor.registry import Register

_PASSAGE = re.compile(
    r"^\[(\d+)\] [^\n]*\n(.+?)(?:\n\n\[\d+\] |\n\nConversation so far:|\n\nQuestion:)", re.S | re.M
)


class ScriptedChatModel(BaseChatModel):
    replies: list[str] = Field(default_factory=list)
    history: list[list[BaseMessage]] = Field(default_factory=list)
    fail_with: Exception | None = None

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def _reply(self, messages: list[BaseMessage]) -> str:
        self.history.append(list(messages))
        if self.fail_with is not None:
            raise self.fail_with
        if self.replies:
            return self.replies.pop(0)
        prompt = str(messages[-1].content)
        if prompt.rstrip().endswith("Standalone question:"):
            return prompt.rsplit("User:", 1)[-1].replace("Standalone question:", "").strip()
        match = _PASSAGE.search(prompt)
        if not match:
            return "I do not know."
        first = re.split(r"(?<=[.!?])\s", match.group(2).strip().lstrip("-* "), maxsplit=1)[0]
        return f"{first} [{match.group(1)}]"

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=self._reply(messages)))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        for word in re.split(r"(\s+)", self._reply(messages)):
            if word:
                yield ChatGenerationChunk(message=AIMessageChunk(content=word))


def register_engines(register: Register) -> None:
    register("fake", lambda settings: LLMEngine("fake", ScriptedChatModel(), settings.llm_timeout))
