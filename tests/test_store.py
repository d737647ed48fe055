"""The vector store: pointer-addressed collections, clear errors, and a stale-index check that notices
an embedder switch."""

from __future__ import annotations

import json

import numpy as np
import pytest
from test_ingest import CountingEmbedder, write_doc

from advisor.embeddings import HashingEmbedder
from advisor.errors import IndexError_
from advisor.ingest import Ingestor, knowledge_is_stale
from advisor.retrieval import Retriever
from advisor.store import BUILD_SEP, POINTERS, VectorStore
from bots.cli.main import main


def test_pointers_round_trip_and_list(settings):
    store = VectorStore(settings)
    assert store.pointer("alpha") is None and store.names() == []
    physical = store.new_build("alpha", "hashing")
    assert physical.startswith(f"alpha{BUILD_SEP}")
    store.set_pointer("alpha", physical, {"count": 0}, manifest={"/x": {"hash": "h", "source": "x"}})
    pointer = store.pointer("alpha")
    assert pointer.physical == physical and pointer.info == {"count": 0, "files": 1}
    assert store.manifest(pointer) == {"/x": {"hash": "h", "source": "x"}}
    assert store.names() == ["alpha"]
    # A fresh client (another reader) sees the same pointer and manifest.
    other = VectorStore(settings)
    assert other.pointer("alpha").physical == physical and other.manifest(other.live("alpha"))["/x"]
    # Dropping the build drops its manifest with it.
    store.drop(physical)
    assert store.manifest(pointer) == {}


def _pointer_document(store: VectorStore, name: str) -> str:
    """The stored pointer record itself, as every retrieve reads it."""
    return store._client.get_collection(POINTERS).get(ids=[name], include=["documents"])["documents"][0]


class ManifestCountingStore(VectorStore):
    """The real store, counting the manifest reads (the only callers of ``get_blob`` embedded)."""

    manifest_reads = 0

    def get_blob(self, key):
        self.manifest_reads += key.endswith(".manifest")
        return super().get_blob(key)


def test_the_pointer_a_retrieve_reads_stays_small_and_carries_no_manifest(settings, tmp_path):
    folder = tmp_path / "many"
    for n in range(60):
        write_doc(folder, f"note-{n:03}.md", f"topic{n}", sentences=1)
    Ingestor(settings).run([folder], "many")
    store = ManifestCountingStore(settings)
    doc = _pointer_document(store, "many")
    assert "manifest" not in json.loads(doc) and len(doc) < 1000  # 60 files: ~12 KB with the manifest
    assert store.live("many").info["files"] == 60 and len(store.manifest(store.live("many"))) == 60
    store.manifest_reads = 0
    retriever = Retriever(store, HashingEmbedder())
    for _ in range(3):
        assert retriever.retrieve("topic7 point", "many", 5).passages
    assert store.manifest_reads == 0


def test_a_pointer_with_the_manifest_inside_is_read_and_the_next_ingest_moves_it_out(settings, tmp_path):
    """A data dir ingested before the manifest moved out of the pointer keeps working."""
    docs = tmp_path / "docs"
    for topic in ("trust", "governance", "exit"):
        write_doc(docs, f"{topic}.md", topic)
    Ingestor(settings).run([docs], "old")
    store = VectorStore(settings)
    pointer = store.live("old")
    manifest = store.manifest(pointer)
    # Write the pointer as the previous version did: the manifest inside, no record beside it.
    old_shape = json.dumps({"physical": pointer.physical, **pointer.info, "manifest": manifest})
    store._client.get_collection(POINTERS).upsert(ids=["old"], documents=[old_shape], embeddings=[[1.0]])
    store.drop_blobs(pointer.physical)

    reader = VectorStore(settings)
    legacy = reader.live("old")
    assert legacy.physical == pointer.physical and "manifest" not in legacy.info
    assert reader.manifest(legacy) == manifest
    assert Retriever(reader, HashingEmbedder()).retrieve("trust point", "old", 5).passages

    again = CountingEmbedder()
    report = Ingestor(settings, embedder=again).run([docs], "old")
    assert again.calls == 0 and not report.built and len(report.unchanged) == 3  # nothing re-embedded
    assert "manifest" not in json.loads(_pointer_document(reader, "old"))
    moved = reader.live("old")
    assert moved.legacy_manifest is None and reader.manifest(moved) == manifest
    assert moved.info["files"] == 3


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
    physical = store.live("notes").physical
    query = HashingEmbedder().embed_query("trust between partners")
    hits = store.query(physical, query, k=5)
    # a.md shares "trust", "between" and "partners" with the query; b.md only "between".
    assert [h.metadata["source"] for h in hits] == ["notes/a.md", "notes/b.md"]
    # Each score is the cosine of the stored (unit) vector and the query's.
    stored = store.vectors(physical, [h.id for h in hits])
    assert [h.score for h in hits] == pytest.approx([float(stored[h.id] @ query) for h in hits], abs=1e-4)
    assert hits[0].score > hits[1].score > 0


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


def _unpersisted(settings, physical: str) -> int:
    """Records of a build that are only in Chroma's write-ahead log, not in its HNSW files (what a
    new process replays on its first query). Reads Chroma's own SQLite tables: that is the fact."""
    import sqlite3

    db = sqlite3.connect(settings.chroma_dir / "chroma.sqlite3")
    try:
        (logged,) = db.execute(
            "SELECT max(q.seq_id) FROM embeddings_queue q JOIN collections c ON q.topic LIKE '%' || c.id"
            " WHERE c.name = ?",
            (physical,),
        ).fetchone()
        (persisted,) = db.execute(
            "SELECT coalesce(max(m.seq_id), 0) FROM max_seq_id m JOIN segments s ON s.id = m.segment_id"
            " JOIN collections c ON c.id = s.collection WHERE c.name = ? AND s.scope = 'VECTOR'",
            (physical,),
        ).fetchone()
    finally:
        db.close()
    return int(logged) - int(persisted)


def test_settle_writes_a_finished_builds_whole_vector_index_to_disk(settings):
    """1,100 records: Chroma persisted its index at 1,000 and left 100 in the log; a cold process
    would re-insert them on its first query (1.9 s of a 2.5 s cold ask at 46k chunks)."""
    store = VectorStore(settings)
    physical = store.new_build("settled", "hashing")
    rng = np.random.default_rng(0)
    for start in range(0, 1100, 100):
        ids = [f"c{n}" for n in range(start, start + 100)]
        vectors = rng.random((100, 16), dtype=np.float32)
        store.add(physical, ids, vectors, [f"text {i}" for i in ids], [{"n": i} for i in ids])
    assert _unpersisted(settings, physical) > 0
    store.settle(physical)
    assert _unpersisted(settings, physical) <= 1  # the one record settle re-wrote may stay logged
    assert store.count(physical) == 1100
    assert store.query(physical, vectors[-1], 1)[0].id == "c1099"


class _CountingCollection:
    """A Chroma collection that records how many ids each ``get`` asks for."""

    def __init__(self, inner, asked: list[int]) -> None:
        self.inner, self.asked = inner, asked

    def get(self, **kwargs):
        self.asked.append(len(kwargs.get("ids") or []))
        return self.inner.get(**kwargs)

    def __getattr__(self, name):
        return getattr(self.inner, name)


class PartCountingStore(VectorStore):
    asked: list[int]

    def _blobs(self):
        return _CountingCollection(super()._blobs(), self.asked)


def test_a_blob_streams_to_its_file_a_part_at_a_time(settings, tmp_path, monkeypatch):
    monkeypatch.setattr("advisor.store.BLOB_PART", 1000)
    data = bytes(range(256)) * 23  # 5,888 bytes: 6 parts
    store = PartCountingStore(settings)
    store.asked = []
    store.put_blob("k", data, "b1")
    dest = tmp_path / "got" / "k.tar"
    dest.parent.mkdir()
    store.asked = []
    assert store.get_blob_to("k", dest) and dest.read_bytes() == data
    assert store.asked == [1] * 7, "the head, then one part per request"
    assert store.get_blob("k") == data
    assert sorted(p.name for p in dest.parent.iterdir()) == ["k.tar"], "a temporary file was left"


def test_a_corrupt_or_missing_blob_writes_nothing(settings, tmp_path, monkeypatch, caplog):
    monkeypatch.setattr("advisor.store.BLOB_PART", 1000)
    store = VectorStore(settings)
    store.put_blob("k", b"x" * 2500, "b1")
    store._blobs().upsert(
        ids=["k#1"], embeddings=[[0.0]], metadatas=[{"key": "k", "build": "b1", "data": ""}]
    )
    dest = tmp_path / "k.tar"
    assert not store.get_blob_to("k", dest) and store.get_blob("k") is None
    assert "incomplete or corrupt" in caplog.text
    assert not store.get_blob_to("nothing", dest)
    assert not dest.exists()
    assert not any(p.name.startswith(".k.tar") for p in tmp_path.iterdir()), "a temporary file was left"
