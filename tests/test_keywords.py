"""The persistent keyword index (advisor/keywords.py): build, load, incremental update, the switch
with its build, stale detection, publishing, and a clause code found above the old 50k cut-off."""

from __future__ import annotations

import json
import logging
import random

import numpy as np
import pytest

from advisor import keywords
from advisor.embeddings import Embedder
from advisor.ingest import Ingestor
from advisor.keywords import KeywordIndex, KeywordWriter
from advisor.retrieval import LexicalIndex, Retriever
from advisor.store import VectorStore

COLLECTION = "kw-test"
WORDS = (
    "alliance partner equity trust governance exit licence channel culture venture royalty board "
    "steering audit market supplier customer patent brand pricing"
).split()


def corpus(n: int, seed: int = 3) -> list[tuple[str, str, dict]]:
    rng = random.Random(seed)
    return [
        (f"c{i}", " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 40))), {"path": f"/d/{i % 7}.md"})
        for i in range(n)
    ]


def write(folder, records, base=None, physical="kw-test__b1") -> keywords.Built:
    writer = KeywordWriter(folder, base)
    writer.add([r[0] for r in records], [r[1] for r in records], [r[2] for r in records])
    return writer.commit(physical)


def test_an_index_is_written_loaded_and_ranks_like_the_in_memory_bm25(tmp_path):
    records = corpus(400)
    built = write(tmp_path / "ix", records)
    assert built.count == 400 and keywords.is_valid(tmp_path / "ix", "kw-test__b1", 400)
    index = KeywordIndex(tmp_path / "ix")  # a fresh open: nothing rebuilt
    reference = LexicalIndex(records)
    agree = 0
    for query in ("equity royalty", "audit steering board", "patent brand pricing channel", "trust"):
        got = index.search(query, 10)
        want = reference.search(query, 10)
        assert got and want
        # Same formula; tantivy stores lengths in one byte, so near-ties may swap: the best agrees.
        agree += got[0][0] == records[want[0][0]][0]
        assert {i for i, _ in got[:5]} & {records[i][0] for i, _ in want[:5]}
    assert agree >= 3
    assert index.coverage("equity zebra") == 0.5 and index.search("zebra", 5) == []


def test_a_rare_word_search_scores_only_the_words_few_chunks_hold(tmp_path):
    records = [*corpus(60), ("named", "equity trust quillmark", {}), ("twice", "quillmark zanzibar", {})]
    write(tmp_path / "ix", records)
    index = KeywordIndex(tmp_path / "ix")
    # "equity" and "trust" are in dozens of chunks: only quillmark (2) and zanzibar (1) are scored
    assert [i for i, _ in index.search_rare("equity trust quillmark zanzibar", 10, 2)] == ["twice", "named"]
    assert [i for i, _ in index.search_rare("equity trust quillmark zanzibar", 10, 1)] == ["twice"]
    assert index.search_rare("equity trust quillmark", 10, 0) == []
    assert index.search_rare("equity trust", 10, 2) == [] and index.search_rare("nowhere", 10, 5) == []


def test_an_update_starts_from_a_copy_and_leaves_the_previous_index_untouched(tmp_path):
    records = corpus(50)
    write(tmp_path / "old", records)
    writer = KeywordWriter(tmp_path / "new", base=tmp_path / "old")
    assert writer.incremental
    writer.delete_paths(["/d/0.md"])
    writer.add(["fresh"], ["quillmark zanzibar"], [{"path": "/d/0.md"}])
    built = writer.commit("kw-test__b2")
    gone = sum(1 for r in records if r[2]["path"] == "/d/0.md")
    assert built.count == 50 - gone + 1
    new, old = KeywordIndex(tmp_path / "new"), KeywordIndex(tmp_path / "old")
    assert [i for i, _ in new.search("quillmark", 5)] == ["fresh"]
    assert old.search("quillmark", 5) == [] and old.count == 50
    assert not any(i.startswith("c") and int(i[1:]) % 7 == 0 for i, _ in new.search("equity trust", 50))


def test_an_aborted_writer_leaves_nothing_and_an_unfinished_directory_is_not_valid(tmp_path):
    writer = KeywordWriter(tmp_path / "ix")
    writer.add(["a"], ["equity"], [{}])
    writer.abort()
    assert not any(tmp_path.iterdir())
    (tmp_path / "half").mkdir()
    assert not keywords.is_valid(tmp_path / "half", "kw-test__b1", None)


def test_a_download_cut_short_is_cleaned_up_once_its_process_has_ended(tmp_path):
    import os
    import subprocess
    import sys

    from advisor.store import BUILD_SEP

    ended = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    dead, alive = int(ended.stdout), os.getpid()
    folder = keywords.keywords_dir(tmp_path)
    folder.mkdir(parents=True)
    build = f"synth{BUILD_SEP}b1.abc"
    leftovers = [folder / f".{build}.{dead}.tar", folder / f"..{build}.{dead}.tar.part{dead}"]
    writing = [folder / f".{build}.{alive}.tar", folder / f".other{BUILD_SEP}b1.{dead}.tar"]
    for path in leftovers + writing:
        path.write_bytes(b"x")
    keywords.remove_unused(tmp_path, "synth", set())
    assert [p for p in leftovers if p.exists()] == []
    assert all(p.exists() for p in writing)  # still being written, or another collection's


def test_pack_and_unpack_round_trip(tmp_path):
    write(tmp_path / "ix", corpus(30))
    keywords.unpack(keywords.pack(tmp_path / "ix"), tmp_path / "copy")
    assert keywords.is_valid(tmp_path / "copy", "kw-test__b1", 30)
    assert KeywordIndex(tmp_path / "copy").search("equity", 3)


# --- with ingest and the retriever -----------------------------------------------------------------------


@pytest.fixture
def docs(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.md").write_text(
        "# Alpha\n\n## Terms\n\nClause code zanzibar-7781 caps each partner's liability.\n"
    )
    (folder / "b.md").write_text(
        "# Beta\n\n## Board\n\nThe steering board meets every quarter to review the plan.\n"
    )
    return folder


def live_index(settings):
    store = VectorStore(settings)
    pointer = store.live(COLLECTION)
    info = pointer.info[keywords.INFO_KEY]
    return store, pointer, settings.data_dir / "keywords" / info["name"]


def test_ingest_builds_the_index_beside_the_build_and_switches_it_with_the_pointer(settings, docs):
    Ingestor(settings).run([docs], COLLECTION)
    store, first, folder = live_index(settings)
    assert keywords.is_valid(folder, first.physical, first.info["count"])
    (docs / "a.md").write_text("# Alpha\n\n## Terms\n\nClause code orinoco-1234 limits the royalty.\n")
    report = Ingestor(settings).run([docs], COLLECTION)
    assert report.built and report.embedded == 1  # the unchanged file was copied, not re-embedded
    store, second, new_folder = live_index(settings)
    assert second.physical != first.physical and new_folder != folder
    assert not folder.exists(), "the previous build's index should go with the previous build"
    retriever = Retriever(store, _embedder(settings))
    found = retriever.retrieve("clause code orinoco-1234", COLLECTION, 3, "bm25")
    assert "orinoco-1234" in found.passages[0].text
    assert not any("zanzibar" in p.text for p in found.passages)
    assert any(
        "steering board" in p.text
        for p in retriever.retrieve("steering board", COLLECTION, 3, "bm25").passages
    )


@pytest.mark.parametrize("damage", ["missing", "other-count"])
def test_a_missing_or_stale_index_is_rebuilt_not_used(settings, docs, damage, caplog):
    Ingestor(settings).run([docs], COLLECTION)
    store, pointer, folder = live_index(settings)
    if damage == "missing":
        import shutil

        shutil.rmtree(folder)
    else:
        marker = folder / keywords.MARKER
        marker.write_text(json.dumps({**json.loads(marker.read_text()), "count": 999}))
    with caplog.at_level(logging.WARNING, logger="advisor.keywords_build"):
        found = Retriever(store, _embedder(settings)).retrieve("zanzibar 7781", COLLECTION, 3, "bm25")
    assert "zanzibar-7781" in found.passages[0].text
    assert any("missing or stale" in r.message for r in caplog.records)
    assert keywords.is_valid(folder, pointer.physical, pointer.info["count"])


class _Tiny(Embedder):
    """Eight-dimensional vectors: enough for Chroma, cheap for 50k chunks (plumbing only)."""

    name = "tiny-8"
    dim = 8

    def embed_documents(self, texts):
        rng = np.random.default_rng(len(texts))
        vectors = rng.normal(size=(len(texts), 8)).astype(np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    def embed_query(self, text):
        return self.embed_documents([text])[0]


def _embedder(settings):
    from advisor.embeddings import get_embedder

    return get_embedder(settings)


def test_a_clause_code_is_found_above_the_old_50k_cut_off(settings, tmp_path):
    """The old retriever switched keyword search off above 50,000 chunks; bm25 then found nothing."""
    n = 50_500
    store = VectorStore(settings)
    physical = store.new_build(COLLECTION, _Tiny.name)
    rng = random.Random(5)
    texts = [" ".join(rng.choice(WORDS) for _ in range(12)) for _ in range(n)]
    texts[31_337] += " clause code zanzibar-7781"
    ids = [f"c{i}" for i in range(n)]
    metas = [{"path": f"/d/{i // 100}.md", "source": f"d/{i // 100}.md", "section": "S"} for i in range(n)]
    vectors = _Tiny().embed_documents(texts)
    writer = KeywordWriter(settings.data_dir / "keywords" / keywords.index_name(physical, None))
    for start in range(0, n, 5000):
        end = start + 5000
        store.add(physical, ids[start:end], vectors[start:end], texts[start:end], metas[start:end])
        writer.add(ids[start:end], texts[start:end], metas[start:end])
    built = writer.commit(physical)
    store.set_pointer(
        COLLECTION, physical, {"count": n, "embedder": _Tiny.name, keywords.INFO_KEY: built.info()}
    )
    retriever = Retriever(store, _Tiny())
    question = "Which memo has clause code zanzibar-7781?"
    assert retriever.retrieve(question, COLLECTION, 5, "bm25").passages[0].id == "c31337"
    # Hybrid fuses it with a dense list that is noise here (random vectors): top 5, not necessarily first.
    assert "c31337" in [p.id for p in retriever.retrieve(question, COLLECTION, 5, "hybrid").passages]
