"""Chunking: sized for MiniLM's window, metadata on every chunk, stable ids, small sections merged."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from advisor.chunking import MAX_CHARS, chunk_document, chunk_id
from advisor.config import bundled_knowledge_dir
from advisor.documents import Document, load

# MiniLM reads at most 256 word pieces; ~1100 characters of English prose stays under that.
CHAR_CEILING = 1100
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def _doc(text: str, title: str = "Alliance notes", source: str = "notes/alliance.md") -> Document:
    return Document(
        path=Path("/tmp/notes/alliance.md"),
        source=source,
        title=title,
        text=text,
        file_hash="abc123",
        meta={"topic": "notes"},
    )


def _corpus_chunks():
    files = sorted(bundled_knowledge_dir().glob("*.md"))
    files += sorted((Path(__file__).parent / "data" / "web").glob("*.txt"))  # scraped-page shape, any clone
    if SEEDS.is_dir():
        files += sorted(SEEDS.glob("*.txt"))
    assert files, "the bundled knowledge base is missing"
    return [c for f in files for c in chunk_document(load(f, f.name, 10**8))]


def test_every_real_chunk_fits_the_embedding_window():
    chunks = _corpus_chunks()
    assert len(chunks) > 50
    too_long = [(c.metadata["source"], len(c.text)) for c in chunks if len(c.embed_text) > CHAR_CEILING + 100]
    assert not [c for c in chunks if len(c.text) > CHAR_CEILING], too_long
    assert not too_long
    # Word pieces are roughly words plus punctuation; stay well under 256.
    assert max(len(re.findall(r"\w+|[^\w\s]", c.embed_text)) for c in chunks) < 256


def test_every_chunk_carries_title_section_source_and_path():
    for chunk in _corpus_chunks():
        meta = chunk.metadata
        assert meta["title"] and meta["source"] and meta["path"], meta
        assert isinstance(meta["section"], str)
        assert all(isinstance(v, (str, int, float, bool)) for v in meta.values()), meta  # Chroma's rule
        assert chunk.embed_text.startswith(meta["title"])


def test_long_sections_split_at_sentence_ends_within_the_limit():
    sentences = [
        f"Sentence number {i} explains how alliance partners share the value they create." for i in range(60)
    ]
    doc = _doc("# Alliance notes\n\n## Value sharing\n\n" + " ".join(sentences) + "\n")
    chunks = chunk_document(doc)
    assert len(chunks) >= 4
    assert all(len(c.text) <= MAX_CHARS for c in chunks)
    assert all(c.text.endswith(".") for c in chunks), "a chunk was cut mid-sentence"
    assert all(c.metadata["section"] == "Value sharing" for c in chunks)
    assert [c.metadata["chunk_index"] for c in chunks] == list(range(len(chunks)))
    # Nothing lost, nothing duplicated.
    assert " ".join(c.text for c in chunks) == " ".join(sentences)


def test_a_run_on_line_without_sentence_ends_is_still_cut():
    doc = _doc("# Alliance notes\n\n" + "partner " * 600 + "\n")
    chunks = chunk_document(doc)
    assert len(chunks) >= 4 and all(len(c.text) <= MAX_CHARS for c in chunks)


def test_bullets_are_never_cut_in_half():
    bullets = [
        f"- Bullet {i}: a governance practice that keeps the alliance healthy over the years."
        for i in range(40)
    ]
    chunks = chunk_document(_doc("# Alliance notes\n\n## Practices\n\n" + "\n".join(bullets) + "\n"))
    assert len(chunks) > 1
    lines = [ln for c in chunks for ln in c.text.split("\n")]
    assert lines == bullets


def test_ids_are_stable_across_runs_and_change_with_the_text():
    text = (
        "# Alliance notes\n\n## Trust\n\nTrust grows when each partner keeps the small promises it makes.\n"
    )
    first = [c.id for c in chunk_document(_doc(text))]
    assert first == [c.id for c in chunk_document(_doc(text))]
    changed = [c.id for c in chunk_document(_doc(text.replace("small", "smallest")))]
    assert changed != first
    # The id also depends on where the text lives.
    moved = [c.id for c in chunk_document(_doc(text, source="notes/other.md"))]
    assert moved != first
    assert chunk_id("a.md", "S", "t") == chunk_id("a.md", "S", "t") != chunk_id("a.md", "S", "u")


def test_real_knowledge_ids_are_unique_and_reproducible():
    first = [c.id for c in _corpus_chunks()]
    assert len(set(first)) == len(first)
    assert first == [c.id for c in _corpus_chunks()]


def test_subsections_fold_into_their_chapter_and_never_leak_into_the_next():
    text = (
        "# Alliance notes\n\n"
        "## Governance\n<!-- sources: s002 -->\n\nA short lead-in.\n\n"
        "### Steering committee\n\n"
        + "The steering committee meets quarterly to review the alliance. "
        * 4
        + "\n\n### Escalation\n\nDisagreements escalate to sponsors.\n\n"
        "## Exit\n<!-- sources: s003 -->\n\n"
        + "Agree the exit terms before signing the alliance agreement. " * 4
        + "\n"
    )
    chunks = chunk_document(_doc(text))
    assert [c.metadata["section"] for c in chunks] == ["Governance", "Exit"]
    governance, exit_ = chunks
    assert governance.text.startswith("A short lead-in.")
    assert "**Steering committee**\nThe steering committee" in governance.text
    assert "**Escalation**\nDisagreements escalate to sponsors." in governance.text
    assert "escalate" not in exit_.text
    assert governance.metadata["origin"] == "s002"
    assert exit_.metadata["origin"] == "s003"


def test_merged_small_section_keeps_its_sources():
    text = (
        "# Alliance notes\n\n"
        "## Definitions\n<!-- sources: s001 -->\n\nA short definition.\n\n"
        "## Types\n<!-- sources: s004 -->\n\n"
        + "Equity and non-equity alliances differ in ownership. " * 4
        + "\n"
    )
    (chunk,) = chunk_document(_doc(text))
    assert "A short definition." in chunk.text
    assert set(chunk.metadata["origin"].split(",")) == {"s001", "s004"}


@pytest.mark.parametrize("max_chars", [300, 600, 900])
def test_max_chars_is_respected_for_any_setting(max_chars):
    doc = load(bundled_knowledge_dir() / "why-alliances-fail.md", "knowledge/why-alliances-fail.md", 10**8)
    chunks = chunk_document(doc, max_chars=max_chars)
    # A short tail may be joined to its predecessor (at most 20% over).
    assert all(len(c.text) <= max_chars * 1.2 for c in chunks)


def test_every_real_chunk_fits_minilm_word_pieces():
    """The real tokenizer (fast, no torch): title + section + text stay inside the 256-piece window."""
    from tokenizers import Tokenizer

    from advisor.embeddings import MAX_TOKENS, minilm_dir

    tokenizer = Tokenizer.from_file(str(minilm_dir() / "tokenizer.json"))
    tokenizer.no_truncation()
    counts = [len(tokenizer.encode(c.embed_text).ids) for c in _corpus_chunks()]
    print(f"word pieces per chunk: max {max(counts)}, mean {sum(counts) / len(counts):.0f}")
    assert max(counts) <= MAX_TOKENS
