"""Bad input and interrupted ingests never hurt the live index.

Each bad file gets one clear line naming it and the reason, a non-zero exit, and the index readers
use stays exactly as it was (same physical collection, same chunks, still answering). A build that
dies midway (embedder error, Ctrl-C) leaves the previous index live; two ingests never run at once.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from test_documents import make_pdf
from test_ingest import CountingEmbedder, physical_builds, write_doc

import advisor.build
from advisor import Advisor
from advisor.errors import IngestLockedError
from advisor.ingest import Ingestor
from advisor.locks import ingest_lock
from advisor.store import VectorStore
from bots.cli.main import main

COLLECTION = "docs"
QUESTION = "How do alliance partners handle governance?"


@pytest.fixture
def docs(tmp_path) -> Path:
    folder = tmp_path / "docs"
    for name, topic in (("trust.md", "trust"), ("governance.md", "governance"), ("exit.md", "exit")):
        write_doc(folder, name, topic)
    return folder


def live_records(settings) -> list:
    store = VectorStore(settings)
    return [r for page in store.records(store.live(COLLECTION).physical) for r in page]


def live_ids(settings) -> set[str]:
    return {r.id for r in live_records(settings)}


def snapshot(settings) -> dict:
    """What a reader of the live index sees, from a fresh store and a fresh Advisor."""
    store = VectorStore(settings)
    physical = store.live(COLLECTION).physical
    answer = Advisor.from_settings(settings).ask(QUESTION, collection=COLLECTION)
    assert not answer.refused and answer.sources, "the live index stopped answering"
    return {
        "physical": physical,
        "count": store.count(physical),
        "ids": sorted(live_ids(settings)),
        "cited": [s.id for s in answer.sources],
    }


@pytest.fixture
def live(settings, docs) -> dict:
    report = Ingestor(settings).run([docs], COLLECTION)
    assert report.ok and report.built
    return snapshot(settings)


def ingest_cli(capsys, *args: str) -> tuple[int, list[str], str]:
    code = main(["ingest", *args, "--collection", COLLECTION])
    out, err = capsys.readouterr()
    return code, [ln for ln in err.splitlines() if ln.strip()], out


BAD_FILES = {
    "empty.md": (lambda p: p.write_bytes(b""), "file is empty"),
    "binary.md": (
        lambda p: p.write_bytes(os.urandom(64) + b"\x00" * 64 + os.urandom(2048)),
        "binary content",
    ),
    "latin1.txt": (
        lambda p: p.write_bytes("Caf\u00e9 cr\u00e8me: the partners met in a caf\u00e9.\n".encode("latin-1")),
        "not valid UTF-8 text",
    ),
    "corrupt.pdf": (
        lambda p: p.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Cat" + os.urandom(512)),
        "corrupt PDF",
    ),
    "encrypted.pdf": (
        lambda p: p.write_bytes(make_pdf([["Secret alliance terms for the partners."]], password="pw")),
        "PDF is encrypted",
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_file_in_a_folder_fails_clearly_and_leaves_the_index_alone(settings, docs, live, capsys, name):
    make, reason = BAD_FILES[name]
    make(docs / name)
    code, lines, out = ingest_cli(capsys, str(docs))
    print(lines)
    assert code == 1
    assert lines == [f"failed: docs/{name}: {lines[0].split(': ', 2)[2]}"]
    assert reason in lines[0]
    assert "unchanged (nothing to embed)" in out and "failed 1" in out
    assert snapshot(settings) == live
    report = Ingestor(settings).run([docs], COLLECTION)
    assert [f["file"] for f in report.failed] == [f"docs/{name}"] and reason in report.failed[0]["reason"]
    assert not report.ok and not report.built


def test_file_over_the_size_limit(settings, docs, live, capsys, monkeypatch):
    (docs / "huge.md").write_text("# Huge\n\n" + "alliance partners share value " * 400)
    monkeypatch.setenv("ADVISOR_MAX_FILE_MB", "0.002")
    code, lines, _ = ingest_cli(capsys, str(docs))
    print(lines)
    assert code == 1
    assert len(lines) == 1 and lines[0].startswith(
        "failed: docs/huge.md: file is 0.012 MB, over the 0.002 MB"
    )
    assert "ADVISOR_MAX_FILE_MB" in lines[0]
    assert snapshot(settings) == live


def test_symlink_leading_outside_the_folder_is_not_followed(settings, docs, live, capsys, tmp_path):
    secret = tmp_path / "outside" / "secret.md"
    write_doc(secret.parent, "secret.md", "secrets")
    (docs / "link.md").symlink_to(secret)
    code, lines, _ = ingest_cli(capsys, str(docs))
    print(lines)
    assert code == 1
    assert len(lines) == 1 and lines[0].startswith("failed: docs/link.md: symlink points outside")
    assert snapshot(settings) == live
    assert not any("secrets" in r.text for r in live_records(settings))


def test_symlink_inside_the_folder_is_fine(settings, docs, live, capsys):
    (docs / "alias.md").symlink_to(docs / "trust.md")
    code, lines, _ = ingest_cli(capsys, str(docs))
    assert code == 0 and lines == []


def test_unsupported_type_given_explicitly_fails(settings, docs, live, capsys, tmp_path):
    paper = tmp_path / "memo.docx"
    paper.write_bytes(b"PK\x03\x04 pretend zip")
    code, lines, _ = ingest_cli(capsys, str(paper))
    print(lines)
    assert code == 1
    assert lines == [
        f"failed: {paper}: unsupported file type '.docx'; supported: .htm, .html, .markdown, .md, .pdf, .txt"
    ]
    assert snapshot(settings) == live


def test_unsupported_type_inside_a_folder_is_skipped(settings, docs, live, capsys):
    (docs / "memo.docx").write_bytes(b"PK\x03\x04 pretend zip")
    code, lines, _ = ingest_cli(capsys, str(docs))
    assert code == 0
    assert lines == [
        "skipped: docs/memo.docx: unsupported file type '.docx'; supported: .htm, .html, .markdown, "
        ".md, .pdf, .txt"
    ]
    assert snapshot(settings) == live


def test_missing_path_fails(settings, live, capsys, tmp_path):
    code, lines, _ = ingest_cli(capsys, str(tmp_path / "nope"))
    assert code == 1 and lines == [f"failed: {tmp_path / 'nope'}: no such file or directory"]
    assert snapshot(settings) == live


def test_all_bad_cases_at_once_with_a_good_change_builds_only_the_good(settings, docs, live, capsys):
    for name, (make, _) in BAD_FILES.items():
        make(docs / name)
    write_doc(docs, "culture.md", "culture")
    code, lines, out = ingest_cli(capsys, str(docs))
    assert code == 1
    assert sorted(ln.split(":")[1].strip() for ln in lines) == sorted(f"docs/{n}" for n in BAD_FILES)
    after = snapshot(settings)
    assert after["physical"] != live["physical"]
    assert set(live["ids"]) < set(after["ids"])
    assert "rebuilt" in out and "added 1" in out


def test_bad_files_into_a_new_collection_create_no_empty_index(settings, tmp_path, capsys):
    folder = tmp_path / "junk"
    folder.mkdir()
    (folder / "empty.md").write_bytes(b"")
    code = main(["ingest", str(folder), "--collection", "junk-only"])
    assert code == 1
    assert VectorStore(settings).pointer("junk-only") is None
    assert physical_builds(settings, "junk-only") == []
    assert "failed: junk/empty.md: file is empty" in capsys.readouterr().err
    assert main(["ask", "What is an alliance?", "--collection", "junk-only"]) == 2
    assert "has no index" in capsys.readouterr().err


def test_a_good_file_turned_corrupt_keeps_its_old_chunks(settings, docs, live, capsys):
    trust_ids = {r.id for r in live_records(settings) if r.metadata["source"] == "docs/trust.md"}
    assert trust_ids
    good = (docs / "trust.md").read_bytes()
    (docs / "trust.md").write_bytes(b"\x00\x01binary garbage" * 50)
    code, lines, _ = ingest_cli(capsys, str(docs))
    assert code == 1 and lines[0].startswith("failed: docs/trust.md: binary content")
    assert snapshot(settings) == live
    # Another file changes meanwhile: the rebuild copies the corrupt file's old chunks across.
    write_doc(docs, "exit.md", "exit", sentences=5)
    code, lines, _ = ingest_cli(capsys, str(docs))
    assert code == 1
    ids = live_ids(settings)
    assert trust_ids <= ids
    # Repaired: counted as unchanged (same bytes as what is indexed), nothing fails any more.
    (docs / "trust.md").write_bytes(good)
    report = Ingestor(settings).run([docs], COLLECTION)
    assert report.ok and "docs/trust.md" in report.unchanged and not report.built


# --- interrupted builds ------------------------------------------------------------------------------


class Exploding(CountingEmbedder):
    """Embeds ``after`` batches, then raises ``error``."""

    def __init__(self, after: int, error: BaseException) -> None:
        super().__init__()
        self.after = after
        self.error = error

    def embed_documents(self, texts):
        if self.calls >= self.after:
            raise self.error
        return super().embed_documents(texts)


@pytest.mark.parametrize(
    "error", [RuntimeError("embedding backend died"), KeyboardInterrupt()], ids=["embedder-error", "ctrl-c"]
)
def test_a_build_dying_midway_leaves_the_previous_index_live(settings, docs, live, monkeypatch, error):
    monkeypatch.setattr(advisor.build, "EMBED_BATCH", 2)
    for name in ("trust.md", "governance.md", "exit.md"):
        write_doc(docs, name, name.removesuffix(".md"), sentences=30)  # several batches of new chunks
    exploding = Exploding(after=2, error=error)
    with pytest.raises(type(error)):
        Ingestor(settings, embedder=exploding).run([docs], COLLECTION)
    assert exploding.calls == 2 and len(exploding.embedded) == 4, "it should have died midway, not at once"
    assert snapshot(settings) == live
    assert physical_builds(settings, COLLECTION) == [live["physical"]], (
        "the half-built collection is left over"
    )
    # The lock was released: the next ingest runs, succeeds and leaves a single build behind.
    report = Ingestor(settings).run([docs], COLLECTION)
    assert report.built and report.ok
    after = snapshot(settings)
    assert physical_builds(settings, COLLECTION) == [after["physical"]]


def test_a_build_left_behind_by_a_killed_process_is_cleaned_up(settings, docs, live):
    store = VectorStore(settings)
    stale = store.new_build(COLLECTION, "hashing-1024")  # as if killed mid-build
    store.add(stale, ["x"], np.full((1, 1024), 0.1, dtype=np.float32), ["half"], [{"source": "x"}])
    assert sorted(physical_builds(settings, COLLECTION)) == sorted([live["physical"], stale])
    report = Ingestor(settings).run([docs], COLLECTION)
    assert not report.built  # nothing changed, yet the leftover goes
    assert physical_builds(settings, COLLECTION) == [live["physical"]]
    assert snapshot(settings) == live


# --- one writer at a time ------------------------------------------------------------------------------


def test_a_second_ingest_is_refused_while_the_lock_is_held(settings, docs, live, capsys):
    with ingest_lock(settings.data_dir, COLLECTION):
        with pytest.raises(IngestLockedError) as err:
            Ingestor(settings).run([docs], COLLECTION)
        message = str(err.value)
        assert f"another ingest of collection {COLLECTION!r} is running (pid {os.getpid()})" in message
        assert "--wait" in message
        code, lines, _ = ingest_cli(capsys, str(docs))
        assert code == 2 and len(lines) == 1 and lines[0].startswith("error: another ingest of collection")
        # Other collections are not blocked.
        assert Ingestor(settings).run([docs], "other-col").built
    assert snapshot(settings) == live


def test_with_wait_a_second_ingest_queues_then_proceeds(settings, docs, live):
    write_doc(docs, "culture.md", "culture")
    held = threading.Event()

    def holder() -> None:
        with ingest_lock(settings.data_dir, COLLECTION):
            held.set()
            time.sleep(0.6)

    thread = threading.Thread(target=holder)
    thread.start()
    held.wait(5)
    started = time.perf_counter()
    report = Ingestor(settings).run([docs], COLLECTION, wait=10)
    waited = time.perf_counter() - started
    thread.join()
    assert waited >= 0.4, "it did not wait for the holder"
    assert report.added == ["docs/culture.md"] and report.built


def test_wait_that_runs_out_still_refuses(settings, docs, live):
    with ingest_lock(settings.data_dir, COLLECTION):
        started = time.perf_counter()
        with pytest.raises(IngestLockedError):
            Ingestor(settings).run([docs], COLLECTION, wait=0.3)
        assert time.perf_counter() - started >= 0.25
