"""Ingestion: incremental work (unchanged files are never re-embedded), replacement of changed files,
removal of deleted ones, scoping to the roots given, rebuild on an embedder switch, and the cleaning
of raw web articles (small excerpts written for the tests, and the seed articles where present)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from advisor.embeddings import HashingEmbedder
from advisor.ingest import Ingestor
from advisor.store import BUILD_SEP, VectorStore

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


class CountingEmbedder:
    """The hashing embedder, counting every document it is asked to embed."""

    def __init__(self, inner=None, name: str | None = None) -> None:
        self.inner = inner or HashingEmbedder()
        self.name = name or self.inner.name
        self.dim = self.inner.dim
        self.embedded: list[str] = []
        self.calls = 0

    def embed_documents(self, texts):
        self.calls += 1
        self.embedded.extend(texts)
        return self.inner.embed_documents(texts)

    def embed_query(self, text):
        return self.inner.embed_query(text)


def write_doc(folder: Path, name: str, topic: str, sentences: int = 3) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    body = " ".join(
        f"{topic.capitalize()} point {i} explains how alliance partners handle {topic}."
        for i in range(sentences)
    )
    path = folder / name
    path.write_text(f"# {topic.capitalize()}\n\n## About {topic}\n\n{body}\n")
    return path


def live_records(settings, name: str | None = None) -> tuple[str, dict]:
    """(physical collection, {id: metadata}) of the live index as a fresh reader sees it."""
    store = VectorStore(settings)
    physical = store.live(name or settings.collection).physical
    return physical, {r.id: r.metadata for page in store.records(physical) for r in page}


def physical_builds(settings, name: str | None = None) -> list[str]:
    store = VectorStore(settings)
    return store.orphans(name or settings.collection, keep=set())


@pytest.fixture
def docs(tmp_path) -> Path:
    folder = tmp_path / "docs"
    for name, topic in (("trust.md", "trust"), ("governance.md", "governance"), ("exit.md", "exit")):
        write_doc(folder, name, topic)
    return folder


def test_first_ingest_builds_and_a_second_run_embeds_nothing(settings, docs):
    embedder = CountingEmbedder()
    first = Ingestor(settings, embedder=embedder).run([docs])
    assert first.ok and first.built
    assert sorted(first.added) == ["docs/exit.md", "docs/governance.md", "docs/trust.md"]
    physical, records = live_records(settings)
    assert first.chunks == first.embedded == len(records) >= 3
    assert len(embedder.embedded) == first.embedded + first.sentences + first.questions
    assert first.sentences > 0 and first.questions > 0
    assert {m["source"] for m in records.values()} == set(first.added)
    assert physical_builds(settings) == [physical]

    again = CountingEmbedder()
    second = Ingestor(settings, embedder=again).run([docs])
    assert again.calls == 0 and second.embedded == 0
    assert not second.built
    assert sorted(second.unchanged) == sorted(first.added)
    assert second.chunks == first.chunks
    assert live_records(settings) == (physical, records)
    print(f"chunks: {first.chunks}")


def test_changed_file_replaces_its_chunks_and_only_it_is_embedded(settings, docs):
    Ingestor(settings, embedder=CountingEmbedder()).run([docs])
    old_physical, before = live_records(settings)
    old_trust = {i for i, m in before.items() if m["source"] == "docs/trust.md"}
    others = {i for i, m in before.items() if m["source"] != "docs/trust.md"}

    write_doc(docs, "trust.md", "trust", sentences=40)  # longer: several chunks now
    embedder = CountingEmbedder()
    report = Ingestor(settings, embedder=embedder).run([docs])
    assert report.built and report.updated == ["docs/trust.md"] and not report.added
    physical, after = live_records(settings)
    assert physical != old_physical
    new_trust = {i for i, m in after.items() if m["source"] == "docs/trust.md"}
    assert len(new_trust) > 1
    assert not old_trust & set(after), "old chunks of the changed file are still live"
    assert others <= set(after), "unchanged files lost chunks"
    # chunks are embedded first, then the answer sentences of those chunks (advisor.sentences)
    embedded = len(embedder.embedded) - report.sentences - report.questions
    assert report.embedded == len(new_trust) == embedded
    # chunks first, then the build's example questions (advisor.intent), then answer sentences
    chunks_and_sentences = embedder.embedded[: report.embedded] + embedder.embedded[-report.sentences :]
    assert all("Trust" in text for text in chunks_and_sentences)
    # Kept chunks keep their vectors: the copy is exact.
    store = VectorStore(settings)
    physical = store.live(settings.collection).physical
    kept = [r for page in store.records(physical, vectors=True) for r in page if r.id in others]
    expected = HashingEmbedder().embed_documents(
        [
            f"{r.metadata['title']} — {r.metadata['section']}\n{r.text}"
            if r.metadata["section"]
            else f"{r.metadata['title']}\n{r.text}"
            for r in kept
        ]
    )
    assert np.allclose(np.stack([r.vector for r in kept]), expected, atol=1e-5)
    assert physical_builds(settings) == [physical], "the previous build was not cleaned up"


def test_deleted_file_chunks_are_removed(settings, docs):
    Ingestor(settings, embedder=CountingEmbedder()).run([docs])
    (docs / "exit.md").unlink()
    embedder = CountingEmbedder()
    report = Ingestor(settings, embedder=embedder).run([docs])
    assert report.removed == ["docs/exit.md"] and report.built
    assert embedder.calls == 0, "removing a file should copy, not re-embed, the rest"
    _, records = live_records(settings)
    assert {m["source"] for m in records.values()} == {"docs/trust.md", "docs/governance.md"}
    assert report.chunks == len(records)


def test_files_from_another_root_in_the_same_collection_are_kept(settings, docs, tmp_path):
    other = tmp_path / "more"
    write_doc(other, "culture.md", "culture")
    Ingestor(settings, embedder=CountingEmbedder()).run([docs], "mixed")
    report = Ingestor(settings, embedder=CountingEmbedder()).run([other], "mixed")
    assert report.added == ["more/culture.md"] and not report.removed
    _, records = live_records(settings, "mixed")
    assert {m["source"] for m in records.values()} == {
        "docs/trust.md",
        "docs/governance.md",
        "docs/exit.md",
        "more/culture.md",
    }
    # Re-ingesting the first root after a deletion touches only that root.
    (docs / "trust.md").unlink()
    report = Ingestor(settings, embedder=CountingEmbedder()).run([docs], "mixed")
    assert report.removed == ["docs/trust.md"]
    _, records = live_records(settings, "mixed")
    assert "more/culture.md" in {m["source"] for m in records.values()}
    # The default collection was never touched.
    assert VectorStore(settings).pointer(settings.collection) is None


def test_a_moved_folder_replaces_its_old_copy_instead_of_colliding_with_it(settings, docs, tmp_path):
    # A checkout moved elsewhere (or a package reinstalled under a new path) holds the same
    # documents under the same source names: the new copy replaces the old one.
    Ingestor(settings, embedder=CountingEmbedder()).run([docs])
    _, before = live_records(settings)
    moved = tmp_path / "elsewhere" / "docs"
    shutil.copytree(docs, moved)
    report = Ingestor(settings, embedder=CountingEmbedder()).run([moved])
    assert report.ok and report.built and report.chunks == len(before)
    _, after = live_records(settings)
    assert set(after) == set(before)
    paths = {str(moved / n) for n in ("trust.md", "governance.md", "exit.md")}
    assert {m["path"] for m in after.values()} == paths


def test_switching_embedder_rebuilds_everything(settings, docs):
    Ingestor(settings, embedder=CountingEmbedder()).run([docs])
    _, before = live_records(settings)
    switched = CountingEmbedder(HashingEmbedder(dim=256), name="hashing-other-256")
    report = Ingestor(settings, embedder=switched).run([docs])
    embedded = len(switched.embedded) - report.sentences - report.questions
    assert report.built and report.embedded == len(before) == embedded
    store = VectorStore(settings)
    pointer = store.live(settings.collection)
    assert pointer.info["embedder"] == "hashing-other-256"
    probe = store.first(pointer.physical)
    assert probe is not None and probe.vector is not None and len(probe.vector) == 256
    # And back again: still a full rebuild, then a no-op.
    assert Ingestor(settings, embedder=CountingEmbedder()).run([docs]).embedded == len(before)
    assert Ingestor(settings, embedder=CountingEmbedder()).run([docs]).embedded == 0


def test_a_chunker_version_change_rebuilds(settings, docs, monkeypatch):
    Ingestor(settings, embedder=CountingEmbedder()).run([docs])
    import advisor.ingest

    monkeypatch.setattr(advisor.ingest, "CHUNKER_VERSION", "test-next")
    report = Ingestor(settings, embedder=CountingEmbedder()).run([docs])
    assert report.built and report.embedded == report.chunks


def test_knowledge_base_ingest_is_searchable(settings):
    report = Ingestor(settings).run()
    assert report.ok and report.built and len(report.added) >= 9
    _, records = live_records(settings)
    pointer = VectorStore(settings).pointer(settings.collection)
    assert pointer.info["count"] == report.chunks == len(records)
    assert sum(e["chunks"] for e in VectorStore(settings).manifest(pointer).values()) == report.chunks
    store = VectorStore(settings)
    hits = store.query(
        store.live(settings.collection).physical, HashingEmbedder().embed_query("joint venture equity"), k=3
    )
    assert hits and "joint venture" in hits[0].text.lower()
    assert all(h.metadata.get("origin") for h in hits), "knowledge chunks should name their seed sources"


def test_progress_callback_reports_stages(settings, docs):
    seen: list[tuple[str, int, int]] = []
    Ingestor(settings, embedder=CountingEmbedder(), progress=lambda *a: seen.append(a)).run([docs])
    stages = {s for s, _, _ in seen}
    assert {"load", "embed"} <= stages
    last_embed = [a for a in seen if a[0] == "embed"][-1]
    assert last_embed[1] == last_embed[2] > 0


def test_build_collections_are_named_after_the_logical_collection(settings, docs):
    Ingestor(settings, embedder=CountingEmbedder()).run([docs], "named-col")
    pointer = VectorStore(settings).pointer("named-col")
    assert pointer.physical.startswith(f"named-col{BUILD_SEP}")


# --- raw web articles ---------------------------------------------------------------------------------

CLUTTER = [
    "Product Title",
    "Related Searches",
    "You May Also Like",
    "Subscribe",
    "cookie",
    "Try free",
    "Ask questions like this",
    "Getty Images",
    "Scroll to Top",
    "View Profile",
    "Promoted By",
    "Would you like me to explore",
    "Related Innovation Frameworks",
    "Frugal Innovation",
    "Jugaad",
    "Design Thinking",
    "Innovation Funnel",
    "Zergnet",
    "Recommended Products",
    "Never Miss a Post",
    "Thanks for submitting",
    "Twitter Icon",
    "bottom of page",
    "top of page",
    "Submit Your Work",
    "About The Author",
    "Read Next",
]
# A price placeholder, not "$500 billion".
PRICE = re.compile(r"\$50(?![\d,.])")
# tests/data/web: small excerpts written for these tests (original text, not the seeds') wrapped in the
# clutter scrapers bring along (navigation, share buttons, image credits, sign-up and cookie boxes,
# chatbot prompts, a price placeholder, a related-links tail), so they run in any clone. The seed
# articles run as one more corpus where they are (the shared folder beside the checkout), never a skip.
WEB = Path(__file__).parent / "data" / "web"
CORPORA = {"web": WEB, **({"seeds": SEEDS} if SEEDS.is_dir() and any(SEEDS.glob("*.txt")) else {})}
# Per file prefix, phrases of real content that sit between clutter lines and must survive.
CONTENT = {
    "web": {
        "100": ["Orchard Logistics", "clean team", "Exit ramps", "outside appraiser"],
        "101": ["Lumen Batteries", "Contracts alone", "Key takeaways"],
    },
    "seeds": {
        "000": ["Starbucks and Barnes & Noble", "Star Alliance", "Executive sponsors"],
        "001": ["Public-private", "collaborative inertia"],
        "002": ["Stargate", "Joint Steering Committee"],
        "003": ["Walk Away", "exit ramps"],
        "004": ["Panasonic", "Galvani Bioelectronics"],
    },
}
# (file prefix, a key takeaway that must stay, the frameworks of the link list that ends the page).
TAKEAWAY = {
    "web": (
        "101",
        "three shapes of strategic alliance are joint venture, equity, and non-equity",
        ("Frugal Innovation", "Design Thinking", "Innovation Funnel"),
    ),
    "seeds": (
        "004",
        "three types of strategic alliances are joint venture, equity, and non-equity",
        ("Business Engineering", "Disruptive Innovation", "Diffusion of Innovation", "Growth Matrix"),
    ),
}


@pytest.fixture(params=list(CORPORA))
def corpus(request, settings):
    """(corpus name, [(chunk text, metadata)]) for each corpus of raw web articles."""
    name = request.param
    report = Ingestor(settings, embedder=CountingEmbedder()).run([CORPORA[name]], name)
    assert report.ok, report.failed
    assert len(report.added) == len(list(CORPORA[name].glob("*.txt")))
    store = VectorStore(settings)
    return name, [(r.text, r.metadata) for page in store.records(store.live(name).physical) for r in page]


def test_the_web_fixtures_do_hold_the_clutter():
    """The cleaning tests below prove something only if the raw files carry the clutter."""
    raw = "\n".join(p.read_text() for p in WEB.glob("*.txt")).lower()
    assert [c for c in CLUTTER if c.lower() not in raw] == []
    assert PRICE.search(raw)


def test_web_chunks_hold_no_clutter(corpus):
    _, records = corpus
    found = []
    for text, meta in records:
        visible = f"{meta['title']}\n{meta['section']}\n{text}"
        found += [(meta["source"], c) for c in CLUTTER if c.lower() in visible.lower()]
        found += [(meta["source"], "$50 placeholder") for _ in PRICE.finditer(visible)]
    assert not found, found


def test_web_chunks_keep_the_real_content(corpus):
    name, records = corpus
    for prefix, phrases in CONTENT[name].items():
        chunks = [(t, m) for t, m in records if Path(m["path"]).name.startswith(prefix)]
        visible = "\n".join(f"{m['section']}\n{t}" for t, m in chunks)
        assert visible, f"{name} file {prefix} produced no chunks"
        for phrase in phrases:
            assert phrase in visible, f"{name} file {prefix} lost {phrase!r}"


def test_key_takeaways_stay_but_a_related_frameworks_list_goes(corpus):
    name, records = corpus
    prefix, takeaway, frameworks = TAKEAWAY[name]
    text = "\n".join(t for t, m in records if Path(m["path"]).name.startswith(prefix))
    assert takeaway in text
    assert [f for f in frameworks if f in text] == []
