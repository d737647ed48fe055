"""Keeping a build's keyword index (advisor/keywords.py) in step with its pointer.

- :func:`open_for`: the reader side. The index a pointer names, opened from the data dir; on a
  shared Chroma server, downloaded once from the published copy; missing or stale (not this build,
  not this count), rebuilt from the store's records and logged, never silently skipped.
- :func:`base_for`: the previous build's index for an incremental re-ingest (or None: start empty).
- :func:`publish`: the finished index into the Chroma server, beside its build (server mode only).
- :func:`reindex_questions`: re-index the chunks whose section questions (doc2query) changed.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

from advisor import intent, keywords
from advisor.config import Settings
from advisor.keywords import Built, KeywordIndex, KeywordWriter
from advisor.store import Pointer, VectorStore

log = logging.getLogger(__name__)


def folder_of(settings: Settings, name: str) -> Path:
    return keywords.keywords_dir(settings.data_dir) / name


def questions_by_chunk(settings: Settings, artefacts: str | None) -> dict[str, str]:
    """Each chunk's section questions from a build's intent artefacts ({} without them)."""
    if not artefacts:
        return {}
    found = intent.load(settings.data_dir, {intent.INFO_KEY: artefacts})
    return found.questions.chunk_questions() if found is not None else {}


def section_questions(settings: Settings) -> keywords.Questions:
    """A chunk's section questions as the intent artefacts index them (QuestionIndex.chunk_questions),
    read straight from the domain files, so chunks are indexed with them as they are added."""
    from advisor.questions import load_section_questions, section_key

    written = load_section_questions(settings.knowledge_dir)

    def questions(meta) -> str:
        key = section_key(str(meta.get("source", "")), str(meta.get("section", "")))
        return " ".join(written.get(key, [])) if key[1] else ""

    return questions


def _expected(pointer: Pointer) -> tuple[str, int | None]:
    info = pointer.info.get(keywords.INFO_KEY) or {}
    name = str(info.get("name") or keywords.index_name(pointer.physical, pointer.info.get(intent.INFO_KEY)))
    count = info.get("count")
    return name, int(count) if count is not None else None


def keywords_current(settings: Settings, store: VectorStore, pointer: Pointer) -> bool:
    """Whether the pointer names a keyword index made with its current intent artefacts."""
    info = pointer.info.get(keywords.INFO_KEY) or {}
    wanted = keywords.index_name(pointer.physical, pointer.info.get(intent.INFO_KEY))
    return info.get("name") == wanted and info.get("version") == keywords.VERSION


def _local(settings: Settings, store: VectorStore, pointer: Pointer) -> Path | None:
    """The pointer's index in this data dir, fetched from the server when published there."""
    name, count = _expected(pointer)
    folder = folder_of(settings, name)
    if keywords.is_valid(folder, pointer.physical, count):
        return folder
    if settings.chroma_url and keywords_current(settings, store, pointer):
        started = time.perf_counter()
        # Streamed to a file a part at a time, then unpacked from it: memory stays about one part
        # (all parts in memory took a replica's first ask from 100 to 726 MB for a 123 MB index).
        packed = folder.with_name(f".{name}.{os.getpid()}.tar")  # this process's own download
        packed.parent.mkdir(parents=True, exist_ok=True)
        try:
            if store.get_blob_to(name, packed):
                size = packed.stat().st_size
                keywords.unpack(packed, folder)
                if keywords.is_valid(folder, pointer.physical, count):
                    log.info(
                        "keyword index %s downloaded (%.1f MB, %.2f s)",
                        name,
                        size / 2**20,
                        time.perf_counter() - started,
                    )
                    return folder
        finally:
            packed.unlink(missing_ok=True)
    return None


def open_for(settings: Settings, store: VectorStore, pointer: Pointer) -> KeywordIndex:
    """The keyword index of a live build, without rebuilding it when it is there (locally or published)."""
    folder = _local(settings, store, pointer)
    if folder is None:
        folder = rebuild(settings, store, pointer)
    return KeywordIndex(folder)


def rebuild(settings: Settings, store: VectorStore, pointer: Pointer) -> Path:
    """Index every record of a build again (an index that is missing or stale: a build made before
    keyword indexes, a data dir without it, a count that does not match)."""
    name = keywords.index_name(pointer.physical, pointer.info.get(intent.INFO_KEY))
    log.warning("keyword index of %s missing or stale: rebuilding it from the store", pointer.physical)
    started = time.perf_counter()
    extra = questions_by_chunk(settings, pointer.info.get(intent.INFO_KEY))
    writer = KeywordWriter(folder_of(settings, name))
    try:
        for page in store.records(pointer.physical):
            writer.add([r.id for r in page], [r.text for r in page], [r.metadata for r in page], extra)
        built = writer.commit(pointer.physical)
    except BaseException:
        writer.abort()
        raise
    log.warning(
        "keyword index %s rebuilt: %s chunks in %.1f s", name, built.count, time.perf_counter() - started
    )
    return folder_of(settings, built.name)


def base_for(settings: Settings, store: VectorStore, pointer: Pointer | None) -> Path | None:
    """The previous build's index to start a re-ingest from, or None (then every chunk is indexed)."""
    if pointer is None or not pointer.info.get(keywords.INFO_KEY):
        return None
    return _local(settings, store, pointer)


def reindex_questions(
    settings: Settings, store: VectorStore, pointer: Pointer, previous: str | None, artefacts: str
) -> dict:
    """A copy of a live build's index with its chunks re-indexed for new section questions."""
    base = base_for(settings, store, pointer)
    writer = KeywordWriter(folder_of(settings, keywords.index_name(pointer.physical, artefacts)), base)
    try:
        add_questions(writer, store, pointer.physical, previous if base else None, artefacts, settings)
        built = writer.commit(pointer.physical)
    except BaseException:
        writer.abort()
        raise
    publish(settings, store, built, pointer.physical)
    return built.info()


def add_questions(
    writer: KeywordWriter,
    store: VectorStore,
    physical: str,
    previous: str | None,
    artefacts: str | None,
    settings: Settings,
) -> None:
    """Index the chunks that have section questions with them (and drop the old questions of chunks
    that had some in ``previous``, when the writer started from that build's index)."""
    old = questions_by_chunk(settings, previous)
    new = questions_by_chunk(settings, artefacts)
    ids = sorted(set(old) | set(new))
    for start in range(0, len(ids), 500):
        found = store.fetch(physical, ids[start : start + 500])
        writer.delete_ids(found)
        records = list(found.values())
        writer.add([r.id for r in records], [r.text for r in records], [r.metadata for r in records], new)


def publish(settings: Settings, store: VectorStore, built: Built, physical: str) -> None:
    """Publish a finished index into the Chroma server for replicas on other data dirs."""
    if not settings.chroma_url:
        return
    started = time.perf_counter()
    data = keywords.pack(folder_of(settings, built.name))
    store.put_blob(built.name, data, physical)
    log.info(
        "keyword index %s published (%.1f MB, %.2f s)",
        built.name,
        len(data) / 2**20,
        time.perf_counter() - started,
    )
