"""The LLM engine's own rules, without a server: streaming with a deadline, the follow-up condenser's
guard rails, error descriptions that name the engine but never a secret, and each provider's wiring."""

from __future__ import annotations

import time

import pytest

from advisor.answer import Passage
from advisor.engines import EngineRequest
from advisor.engines.llm import LLMEngine, _text, safe_url
from advisor.errors import EngineError
from advisor.sessions import Turn


class Streamer:
    """A chat model double that yields the given pieces, pausing between them; it records a close."""

    def __init__(self, pieces, pause: float = 0.0, error: Exception | None = None) -> None:
        self.pieces, self.pause, self.error = pieces, pause, error
        self.closed = False

    def stream(self, messages):
        try:
            for piece in self.pieces:
                time.sleep(self.pause)
                yield piece
            if self.error is not None:
                raise self.error
        finally:
            self.closed = True


def request() -> EngineRequest:
    passage = Passage(
        n=1, id="p1", text="A joint venture is a new company.", metadata={}, score=1.0, similarity=0.9
    )
    return EngineRequest(
        question="What is a joint venture?", query="What is a joint venture?", passages=[passage]
    )


def turn(question: str, answer: str) -> Turn:
    return Turn(question=question, answer=answer, refused=False, query=question, sources=[], ts=0.0)


def test_text_of_string_content_blocks_and_other_chunks():
    class Chunk:
        def __init__(self, content):
            self.content = content

    assert _text(Chunk("plain")) == "plain"
    assert _text(Chunk([{"type": "text", "text": "a"}, {"type": "tool_use"}, "b"])) == "ab"
    assert _text(Chunk(7)) == "7"
    assert _text("bare") == "bare"


@pytest.mark.parametrize(
    "url, shown",
    [
        ("http://user:secret@10.0.0.5:8080/v1?api_key=sk-123", "http://10.0.0.5:8080"),
        ("https://api.example.com/v1", "https://api.example.com"),
        (None, ""),
        ("", ""),
    ],
)
def test_safe_url_keeps_scheme_host_and_port_only(url, shown):
    assert safe_url(url) == shown


def test_answer_streams_the_model_s_pieces_and_closes_the_stream():
    model = Streamer(["A joint ", "", "venture. [1]"])
    assert list(LLMEngine("m", model, timeout=10).answer(request())) == ["A joint ", "venture. [1]"]
    assert model.closed


def test_a_model_slower_than_the_timeout_is_an_engine_error_and_its_stream_is_closed():
    model = Streamer(["word "] * 50, pause=0.02)
    engine = LLMEngine("slowpoke", model, timeout=0.05)
    with pytest.raises(EngineError, match="the slowpoke engine took longer than 0 s"):
        list(engine.answer(request()))
    assert model.closed


@pytest.mark.parametrize(
    "error, why",
    [
        (TimeoutError("read timed out"), "timed out"),
        (ConnectionError("Connection refused"), "is unreachable"),
        (RuntimeError("Error code: 401 - invalid api key sk-123"), "rejected the credentials"),
        (ValueError("something odd"), "failed (ValueError)"),
    ],
)
def test_model_errors_become_one_engine_error_naming_the_engine_and_where(error, why):
    engine = LLMEngine(
        "openai", Streamer(["partial "], error=error), timeout=10, where="http://10.0.0.5:8080"
    )
    with pytest.raises(EngineError) as caught:
        list(engine.answer(request()))
    assert str(caught.value) == f"the openai engine {why} at http://10.0.0.5:8080"
    assert "sk-123" not in str(caught.value)


def test_condense_needs_history_and_a_reply_about_the_conversation():
    history = [turn("What are the three types of strategic alliance?", "Joint venture, equity, non-equity.")]

    def condense(reply: str | Exception) -> str | None:
        pieces, error = ([], reply) if isinstance(reply, Exception) else ([reply], None)
        return LLMEngine("m", Streamer(pieces, error=error), timeout=10).condense(
            "Which is most common?", history
        )

    assert LLMEngine("m", Streamer(["x"]), timeout=10).condense("Which is most common?", []) is None
    assert condense("Which strategic alliance type is most common?\nextra line") == (
        "Which strategic alliance type is most common?"
    )
    assert condense("Bananas grow on volcanic islands.") is None  # shares no word with the conversation
    assert condense("alliance " * 40) is None  # longer than any question
    assert condense("") is None
    assert condense(ConnectionError("refused")) is None  # the question is then searched as asked


def test_openai_engine_is_wired_to_the_base_url_without_retries(settings):
    from advisor.engines.llm import openai_engine

    engine = openai_engine(
        settings.model_copy(update={"llm_base_url": "http://u:p@127.0.0.1:9/v1", "llm_model": "smollm2"})
    )
    assert (engine.name, engine.where) == ("openai", "http://127.0.0.1:9")
    assert engine.model.model_name == "smollm2" and engine.model.max_retries == 0
    assert engine.model.temperature == 0


def test_anthropic_engine_is_wired_with_its_key(settings):
    from advisor.engines.llm import anthropic_engine

    engine = anthropic_engine(settings.model_copy(update={"llm_api_key": "sk-ant-test"}))
    assert (engine.name, engine.where) == ("anthropic", "")
    assert engine.model.max_retries == 0 and engine.model.temperature == 0


def test_ollama_engine_defaults_to_the_local_server(settings):
    from advisor.engines.llm import ollama_engine

    engine = ollama_engine(settings)
    assert (engine.name, engine.where) == ("ollama", "http://127.0.0.1:11434")
    assert engine.model.model == "llama3.2"
