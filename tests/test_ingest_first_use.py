"""First use builds the knowledge index by itself, and a changed knowledge base is rebuilt on the next
process's first question."""

from __future__ import annotations

import shutil

import pytest
from test_ingest import CountingEmbedder

from advisor import Advisor
from advisor.chunking import chunk_document
from advisor.config import bundled_knowledge_dir, load_settings
from advisor.documents import load
from advisor.ingest import Ingestor, knowledge_is_stale
from advisor.store import VectorStore
from advisor.units import answer_sentences

QUESTION = "What is a joint venture?"


@pytest.fixture
def knowledge_copy(tmp_path, monkeypatch):
    copy = tmp_path / "knowledge"
    shutil.copytree(bundled_knowledge_dir(), copy)
    monkeypatch.setenv("ADVISOR_KNOWLEDGE_DIR", str(copy))
    return copy


def ask_fresh(question: str = QUESTION, embedder=None):
    """A new Advisor, as a new process would build it: (answer, notices)."""
    notices: list[str] = []
    advisor = Advisor.from_settings(load_settings(), notify=notices.append, embedder=embedder)
    return advisor.ask(question), notices, advisor


def test_first_question_builds_the_index_with_a_notice(knowledge_copy):
    settings = load_settings()
    assert VectorStore(settings).pointer(settings.collection) is None
    answer, notices, _ = ask_fresh()
    assert not answer.refused and answer.sources
    assert notices[0].startswith("Building the knowledge index for first use")
    documents = len(list(knowledge_copy.glob("*.md")))
    pointer = VectorStore(settings).pointer(settings.collection)
    assert notices[1] == f"Index ready: {pointer.info['count']} passages from {documents} documents."
    assert len(notices) == 2

    # The next process finds the index current: no notice, nothing embedded.
    counting = CountingEmbedder()
    answer, notices, _ = ask_fresh(embedder=counting)
    assert notices == [] and counting.calls == 0
    assert VectorStore(settings).pointer(settings.collection).physical == pointer.physical


def test_a_changed_knowledge_file_is_rebuilt_on_the_next_process_first_question(knowledge_copy):
    _, _, first_process = ask_fresh()
    settings = load_settings()
    before = VectorStore(settings).pointer(settings.collection)
    files = set(VectorStore(settings).manifest(before))  # the old build's manifest goes with it
    assert not knowledge_is_stale(settings, VectorStore(settings))

    target = knowledge_copy / "when-to-walk-away.md"
    target.write_text(
        target.read_text()
        + "\n## The zebra clause\n<!-- sources: s003 -->\n\nA zebra clause lets either partner leave the"
        " alliance after a striped review of the joint results, with ninety days of notice.\n"
    )
    assert knowledge_is_stale(settings, VectorStore(settings))

    # The running process keeps its checked index (it only checks once) ...
    notices: list[str] = []
    first_process.notify = notices.append
    first_process.ask("What is a zebra clause?")
    assert notices == []

    # ... the next process rebuilds before answering, embedding only the changed file.
    counting = CountingEmbedder()
    answer, notices, _ = ask_fresh("What is a zebra clause?", embedder=counting)
    assert notices and notices[0].startswith("Building the knowledge index")
    store = VectorStore(settings)
    after = store.pointer(settings.collection)
    assert after.physical != before.physical
    assert set(store.manifest(after)) == files
    # Only the changed file's chunks (their embed text carries the document title), the answer
    # sentences of those chunks and the scope model's questions made from its new heading were embedded.
    changed = chunk_document(load(target, "knowledge/when-to-walk-away.md", 10**7))
    sentences = {t for c in changed for t in answer_sentences(c.text)}
    odd = [
        t
        for t in counting.embedded
        if not ("walk away" in t.lower() or "zebra" in t.lower() or t in sentences)
    ]
    assert counting.embedded and not odd, odd[:5]
    assert not answer.refused
    assert any("zebra clause" in s.text for s in answer.sources)


def test_a_deleted_knowledge_file_makes_the_index_stale(knowledge_copy):
    ask_fresh()
    settings = load_settings()
    (knowledge_copy / "case-studies.md").unlink()
    assert knowledge_is_stale(settings, VectorStore(settings))
    _, notices, _ = ask_fresh()
    assert notices and notices[0].startswith("Building the knowledge index")
    store = VectorStore(settings)
    manifest = store.manifest(store.live(settings.collection))
    assert not any(e["source"].endswith("case-studies.md") for e in manifest.values())
    assert not knowledge_is_stale(settings, VectorStore(settings))


def test_first_use_does_not_touch_other_collections(knowledge_copy, tmp_path):
    settings = load_settings()
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "memo.md").write_text(
        "# Memo\n\nThe memo says partners should review the alliance every quarter.\n"
    )
    Ingestor(settings).run([extra], "memos")
    ask_fresh()
    store = VectorStore(settings)
    assert [e["source"] for e in store.manifest(store.live("memos")).values()] == ["extra/memo.md"]
