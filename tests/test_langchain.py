"""advisor.langchain: the retriever and the chain are LangChain parts that give the Advisor's own
answers, sources, refusals and memory; and the cold `advisor ask` path never imports them."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from langchain_core.documents import Document
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import Runnable, RunnablePassthrough

from advisor import Advisor, InputError
from advisor.langchain import AdvisorRetriever, advisor_chain

REPO = Path(__file__).resolve().parents[1]
METADATA = {"n", "id", "source", "title", "section", "score"}


def dev_conversations() -> list[tuple[str, list[str]]]:
    """(id, turns) of every dev item of the gold set; a plain question is a one-turn conversation."""
    raw = yaml.safe_load((REPO / "evals" / "gold.yaml").read_text(encoding="utf-8"))
    return [
        (str(item["id"]), [str(t) for t in item.get("turns") or [item["question"]]])
        for item in raw["items"]
        if item["split"] == "dev"
    ]


@pytest.fixture
def chain(advisor):
    """The chain over its own Advisor (same index and session store as ``advisor``)."""
    return advisor_chain(Advisor.from_settings(advisor.settings))


def test_the_parts_are_langchain_types(advisor, chain):
    retriever = AdvisorRetriever(advisor=advisor)
    assert isinstance(retriever, BaseRetriever)
    assert isinstance(AdvisorRetriever.from_settings(), BaseRetriever)
    assert isinstance(chain, Runnable)


def test_retriever_returns_the_advisors_passages_as_documents(advisor):
    question = "How should we choose an alliance partner?"
    docs = AdvisorRetriever.from_settings(k=3).invoke(question)
    expected = advisor.retriever.retrieve(question, advisor.settings.collection, 3).passages
    assert [d.id for d in docs] == [p.id for p in expected]
    for doc, passage in zip(docs, expected, strict=True):
        assert isinstance(doc, Document)
        assert set(doc.metadata) == METADATA
        assert doc.page_content == passage.text
        assert doc.metadata["source"] == passage.source and doc.metadata["title"] == passage.title
        assert doc.metadata["section"] == passage.section and doc.metadata["id"] == passage.id
    assert docs[0].metadata["score"] == 1.0
    assert len(AdvisorRetriever(advisor=advisor).invoke(question)) == advisor.settings.top_k


def test_retriever_composes_into_a_users_own_chain(advisor):
    """The README's example, with langchain-core's fake chat model standing in for the user's."""
    retriever = AdvisorRetriever(advisor=advisor, k=2)
    prompt = ChatPromptTemplate.from_template("Context:\n{context}\n\nQuestion: {question}")
    model = FakeListChatModel(responses=["Pick a partner whose goals fit yours."])

    def format_docs(docs: list[Document]) -> str:
        return "\n\n".join(f"[{d.metadata['n']}] {d.metadata['title']}: {d.page_content}" for d in docs)

    user_chain = (
        {"context": retriever | format_docs, "question": RunnablePassthrough()}
        | prompt
        | model
        | StrOutputParser()
    )
    assert user_chain.invoke("How should we choose a partner?") == "Pick a partner whose goals fit yours."
    shown = prompt.invoke({"context": format_docs(retriever.invoke("x partner")), "question": "q"})
    assert "[1] " in shown.to_string() and "[2] " in shown.to_string()


def test_chain_matches_advisor_ask_on_every_dev_item(advisor, chain):
    conversations = dev_conversations()
    assert len(conversations) >= 50 and any(len(turns) > 1 for _, turns in conversations)
    mismatches = []
    for item_id, turns in conversations:
        for n, question in enumerate(turns):
            want = advisor.ask(question, session_id=f"ask-{item_id}")
            got = chain.invoke({"question": question, "session_id": f"chain-{item_id}"})
            if (got["answer"], [d.id for d in got["sources"]], got["refused"]) != (
                want.text,
                [s.id for s in want.sources],
                want.refused,
            ):
                mismatches.append((item_id, n, question))
            assert got["session_id"] == f"chain-{item_id}"
    assert mismatches == []


def test_stream_pieces_add_up_to_invoke(chain):
    question = {"question": "What is a joint venture and how is it governed?", "session_id": "s1"}
    chunks = list(chain.stream(question))
    whole = chain.invoke({**question, "session_id": "s2"})
    answers = [c["answer"] for c in chunks if "answer" in c]
    assert len(answers) > 1 and "".join(answers) == whole["answer"]
    assert chunks[-1]["session_id"] == "s1" and chunks[-1]["refused"] is False
    assert [d.id for d in chunks[-1]["sources"]] == [d.id for d in whole["sources"]]
    total = chunks[0]
    for chunk in chunks[1:]:
        total = total + chunk
    assert total == {**whole, "session_id": "s1"}


def test_a_refusal_streams_as_one_piece(advisor, chain):
    question = "Which stocks should I buy this week?"
    want = advisor.ask(question)
    chunks = list(chain.stream(question))
    assert want.refused and chunks[-1]["refused"] is True and chunks[-1]["sources"] == []
    assert "".join(c.get("answer", "") for c in chunks) == want.text


def test_astream_events_end_with_the_output(chain):
    async def collect():
        return [
            e
            async for e in chain.astream_events(
                {"question": "What is a joint venture?", "session_id": "ev"}, version="v2"
            )
        ]

    events = asyncio.run(collect())
    whole = chain.invoke({"question": "What is a joint venture?", "session_id": "ev2"})
    assert events[0]["event"] == "on_chain_start" and events[-1]["event"] == "on_chain_end"
    output = events[-1]["data"]["output"]
    assert output["answer"] == whole["answer"] and output["session_id"] == "ev"
    streamed = [e["data"]["chunk"].get("answer", "") for e in events if e["event"] == "on_chain_stream"]
    assert "".join(streamed) == whole["answer"]


def test_an_llm_engines_own_runs_nest_in_the_chains_events(advisor):
    chain = advisor_chain(advisor, engine="fake")

    async def collect():
        return [e async for e in chain.astream_events("What is a joint venture?", version="v2")]

    events = asyncio.run(collect())
    tokens = [e for e in events if e["event"] == "on_chat_model_stream"]
    assert tokens and all(e["parent_ids"] == [events[0]["run_id"]] for e in tokens)
    assert events[-1]["data"]["output"]["answer"]


def test_a_followup_uses_the_session_like_advisor_ask(advisor, chain):
    first, followup = "What is a joint venture?", "Can you give an example of one?"
    advisor.ask(first, session_id="ask")
    want = advisor.ask(followup, session_id="ask")
    chain.invoke({"question": first, "session_id": "chain"})
    got = chain.invoke({"question": followup, "session_id": "chain"})
    assert got["answer"] == want.text and [d.id for d in got["sources"]] == [s.id for s in want.sources]
    cold = chain.invoke({"question": followup})
    assert cold["session_id"] not in ("ask", "chain")
    assert [d.id for d in cold["sources"]] != [d.id for d in got["sources"]]
    turns = advisor.sessions.history("chain")  # the Advisor's own session store holds the chain's memory
    assert [t.question for t in turns] == [first, followup]


def test_the_chain_rejects_input_without_a_question(chain):
    with pytest.raises(InputError):
        chain.invoke({"query": "What is a joint venture?"})


def test_the_cold_ask_path_does_not_import_langchain_retrievers():
    code = (
        "import sys, advisor, advisor.core\n"
        "from advisor import Advisor, Answer, Source, load_settings\n"
        "loaded = [m for m in ('advisor.langchain', 'langchain_core.retrievers', 'langsmith') "
        "if m in sys.modules]\n"
        "print(','.join(loaded))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
