"""The vector store: pointer-addressed collections, clear errors, and a stale-index check that notices
an embedder switch."""

from __future__ import annotations

import numpy as np
import pytest
from test_ingest import CountingEmbedder

from advisor.embeddings import HashingEmbedder
from advisor.errors import IndexError_
from advisor.ingest import Ingestor, knowledge_is_stale
from advisor.store import BUILD_SEP, VectorStore
from bots.cli.main import main


def test_pointers_round_trip_and_list(settings):
    store = VectorStore(settings)
    assert store.pointer("alpha") is None and store.names() == []
    physical = store.new_build("alpha", "hashing")
    assert physical.startswith(f"alpha{BUILD_SEP}")
    store.set_pointer("alpha", physical, {"count": 0, "manifest": {"/x": {"hash": "h", "source": "x"}}})
    pointer = store.pointer("alpha")
    assert pointer.physical == physical and pointer.info["manifest"]["/x"]["hash"] == "h"
    assert store.names() == ["alpha"]
    # A fresh client (another reader) sees the same pointer.
    assert VectorStore(settings).pointer("alpha").physical == physical


def test_live_on_a_missing_collection_says_how_to_build_it(settings):
    with pytest.raises(IndexError_, match=r"collection 'nothing' has no index yet; run `advisor ingest`"):
        VectorStore(settings).live("nothing")


def test_query_on_an_empty_build_returns_nothing(settings):
    store = VectorStore(settings)
    physical = store.new_build("empty-one", "hashing")
    assert store.query(physical, np.ones(8), k=5) == []


def test_query_returns_similarity_scores_best_first(settings, tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "a.md").write_text(
        "# Trust\n\nTrust between partners grows slowly and breaks quickly in alliances.\n"
    )
    (folder / "b.md").write_text(
        "# Pricing\n\nPricing models for software licences vary between vendors a lot.\n"
    )
    Ingestor(settings).run([folder], "notes")
    store = VectorStore(settings)
    hits = store.query(
        store.live("notes").physical, HashingEmbedder().embed_query("trust between partners"), k=5
    )
    assert [h.metadata["source"] for h in hits] == ["notes/a.md", "notes/b.md"]
    assert 0 < hits[0].score <= 1.0001 and hits[0].score > hits[1].score


def test_a_wrong_dimension_query_is_a_clear_index_error(settings, tmp_path, capsys):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "a.md").write_text(
        "# Trust\n\nTrust between partners grows slowly and breaks quickly in alliances.\n"
    )
    Ingestor(settings, embedder=CountingEmbedder(HashingEmbedder(dim=64), name="tiny-64")).run(
        [folder], "notes"
    )
    store = VectorStore(settings)
    physical = store.live("notes").physical
    with pytest.raises(IndexError_, match=r"collection 'notes' was built with tiny-64, which does not match"):
        store.query(physical, HashingEmbedder().embed_query("trust"), k=3)
    # Through the CLI: one line, exit 2, no traceback.
    assert main(["ask", "How does trust grow?", "--collection", "notes"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: collection 'notes' was built with tiny-64") and err.count("\n") == 1


def test_orphans_lists_only_unreferenced_builds_of_that_collection(settings):
    store = VectorStore(settings)
    a1 = store.new_build("alpha", "hashing")
    a2 = store.new_build("alpha", "hashing")
    b1 = store.new_build("alphabet", "hashing")
    assert a1 != a2
    assert sorted(store.orphans("alpha", keep={a2})) == [a1]
    assert store.orphans("alphabet", keep=set()) == [b1]
    store.drop(a1)
    store.drop(a1)  # dropping twice is harmless
    assert store.orphans("alpha", keep={a2}) == []


def test_an_index_built_by_another_embedder_is_stale(settings):
    Ingestor(settings, embedder=CountingEmbedder(name="some-other-model")).run()
    store = VectorStore(settings)
    assert knowledge_is_stale(settings, store)
    Ingestor(settings).run()
    assert not knowledge_is_stale(settings, VectorStore(settings))
