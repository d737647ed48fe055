"""One build in progress: chunks streamed into a new physical collection and its keyword index.

Ingestion hands over one file's chunks at a time; they wait in a buffer of at most ``STREAM_BATCH``
chunks, which is embedded (length-sorted, ``EMBED_BATCH`` at a time) and written to Chroma and to
the keyword index when full. Memory holds one buffer, the ids seen (to drop duplicates) and the
manifest, never the whole corpus. The build is created on the first chunk (a run whose files all
fail builds nothing). ``finish`` copies the kept files' chunks from the previous build, checks the
count, makes the intent artefacts, commits the keyword index, publishes it on a shared server and
only then moves the pointer; anything failing before that drops the build and its index.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

import numpy as np

from advisor import intent, keywords_build
from advisor.chunking import Chunk
from advisor.keywords import KeywordWriter, index_name
from advisor.locks import Lease
from advisor.questions import load_section_questions
from advisor.sentences import MAX_CHUNKS as MAX_SENTENCE_CHUNKS
from advisor.store import Pointer
from advisor.units import answer_sentences

if TYPE_CHECKING:  # pragma: no cover
    from advisor.ingest import Ingestor, IngestReport

log = logging.getLogger(__name__)

EMBED_BATCH = 64
STREAM_BATCH = 2048  # chunks buffered before they are embedded and written
COPY_BATCH = 1000
WARM_SAMPLES = 48  # chunk texts kept for the embedder's prepare_for_queries hook


def _fingerprint(artefacts: str | None) -> str:
    """The domain-files part of an intent artefact name (``<physical>.<fingerprint>.npz``)."""
    return artefacts.rsplit(".", 2)[-2] if artefacts and artefacts.count(".") >= 2 else ""


class Build:
    def __init__(
        self, ingestor: Ingestor, name: str, pointer: Pointer | None, lease: Lease, chunker: str
    ) -> None:
        self.ingestor = ingestor
        self.store = ingestor.store
        self.settings = ingestor.settings
        self.name = name
        self.pointer = pointer  # the previous build, when made by the same embedder and chunker
        self.lease = lease
        self.chunker = chunker
        self.physical: str | None = None
        self.writer: KeywordWriter | None = None
        self.pending: list[Chunk] = []
        self.seen: set[str] = set()
        self.new_paths: set[str] = set()
        self.embedded = 0
        self.last_file_chunks = 0
        self.samples: list[str] = []
        self.sentences: list[str] | None = []  # answer units of the new chunks; None once too many
        # what the intent artefacts need of the chunks, taken as they are written (no read-back)
        self.tally = intent.Tally(load_section_questions(self.settings.knowledge_dir))

    @property
    def started(self) -> bool:
        return self.physical is not None

    def _start(self) -> None:
        self.physical = self.store.new_build(self.name, self.ingestor.embedder.name, self.lease.owner)
        base = keywords_build.base_for(self.settings, self.store, self.pointer)
        folder = keywords_build.folder_of(self.settings, index_name(self.physical, None))
        self.writer = KeywordWriter(folder, base, keywords_build.section_questions(self.settings))

    def add_file(self, path: str, chunks: list[Chunk]) -> None:
        """One loaded file's chunks: replace its old ones in the keyword index, buffer the new ones."""
        if not self.started:
            self._start()
        assert self.writer is not None
        if self.writer.incremental:
            self.writer.delete_paths([path])
        self.new_paths.add(path)
        self.last_file_chunks = len(chunks)
        for chunk in chunks:
            if chunk.id not in self.seen:
                self.seen.add(chunk.id)
                self.pending.append(chunk)
        if len(self.pending) >= STREAM_BATCH:
            self._flush()

    def _flush(self) -> None:
        assert self.physical is not None
        # Length-sorted so each slice pads to similar lengths: unsorted 64-chunk slices encoded ~10-25%
        # slower than one big call (sentence-transformers only sorts within a call); sorted, they match it.
        todo = sorted(self.pending, key=lambda c: len(c.embed_text))
        self.pending = []
        # One write per STREAM_BATCH chunks, not per embedding slice: each Chroma add is a transaction
        # and an index update (at 64 records a call, ~1.5x the Chroma time of 2,048 a call). A large
        # file can leave more than that pending, and Chroma caps a call's size (~5,000 embedded).
        for start in range(0, len(todo), STREAM_BATCH):
            self._write(todo[start : start + STREAM_BATCH])
        for chunk in todo:
            self._remember(chunk)

    def _write(self, chunks: list[Chunk]) -> None:
        assert self.physical is not None and self.writer is not None
        embedder = self.ingestor.embedder
        vectors = []
        for start in range(0, len(chunks), EMBED_BATCH):
            batch = chunks[start : start + EMBED_BATCH]
            vectors.append(embedder.embed_documents([c.embed_text for c in batch]))
            self.ingestor.progress("embed", self.embedded + start + len(batch), len(self.seen))
        ids, texts, metas = [c.id for c in chunks], [c.text for c in chunks], [c.metadata for c in chunks]
        self.store.add(self.physical, ids, np.concatenate(vectors), texts, metas)
        self.writer.add(ids, texts, metas)
        self.tally.add(ids, metas)
        self.embedded += len(chunks)

    def _remember(self, chunk: Chunk) -> None:
        if len(self.samples) < WARM_SAMPLES:
            self.samples.append(chunk.embed_text)
        if self.sentences is not None:
            if self.embedded > MAX_SENTENCE_CHUNKS:
                self.sentences = None
            else:
                self.sentences.extend(answer_sentences(chunk.text))

    def finish(self, manifest: dict, previous: dict, report: IngestReport) -> None:
        """Complete the build and make it live (see the module docstring)."""
        if not self.started:
            self._start()
        assert self.physical is not None and self.writer is not None
        self._flush()
        keep_paths = {p for p in manifest if p not in self.new_paths}
        if self.writer.incremental:
            self.writer.delete_paths(p for p in previous if p not in keep_paths and p not in self.new_paths)
        copied = self._copy_kept(keep_paths) if self.pointer else 0
        total = copied + self.embedded
        self.store.settle(self.physical)
        self.ingestor._check(self.physical, total)
        old_artefacts = self.pointer.info.get(intent.INFO_KEY) if self.pointer else None
        artefacts = self.ingestor._build_intent(self.physical, old_artefacts, report, self.tally)
        if self.writer.incremental and _fingerprint(old_artefacts) != _fingerprint(artefacts):
            # The domain files changed: kept chunks were indexed with their old section questions.
            keywords_build.add_questions(
                self.writer, self.store, self.physical, old_artefacts, artefacts, self.settings
            )
        self.writer.folder = keywords_build.folder_of(self.settings, index_name(self.physical, artefacts))
        built = self.writer.commit(self.physical)
        self.writer = None
        keywords_build.publish(self.settings, self.store, built, self.physical)
        self.lease.check()
        info = {
            "built_at": time.time(),
            "embedder": self.ingestor.embedder.name,
            "chunker": self.chunker,
            "count": total,
            intent.INFO_KEY: artefacts,
            "keywords": built.info(),
        }
        self.store.set_pointer(self.name, self.physical, info, manifest)
        self.ingestor._clean_orphans(self.name, {self.physical}, self.lease)
        report.built = True
        report.chunks = total
        report.embedded = self.embedded
        self.ingestor.progress("embed", self.embedded, self.embedded)
        log.info(
            "collection %s now %s: %s chunks (%s embedded)", self.name, self.physical, total, self.embedded
        )
        self.ingestor._prepare_for_queries(report, self.samples)
        report.sentences = self.ingestor._embed_sentences(self.sentences or [], total)

    def _copy_kept(self, keep_paths: set[str]) -> int:
        assert self.pointer is not None and self.physical is not None and self.writer is not None
        if not keep_paths:
            return 0
        copied = 0
        for page in self.store.records(self.pointer.physical, vectors=True, batch=COPY_BATCH):
            kept = [r for r in page if r.metadata.get("path") in keep_paths]
            if kept:
                ids, texts, metas = [r.id for r in kept], [r.text for r in kept], [r.metadata for r in kept]
                vectors = np.stack([r.vector for r in kept if r.vector is not None])
                self.store.add(self.physical, ids, vectors, texts, metas)
                self.tally.add(ids, metas)
                if not self.writer.incremental:
                    self.writer.add(ids, texts, metas)
                copied += len(kept)
        return copied

    def abort(self) -> None:
        """Drop a build that did not go live, and its half-written keyword index."""
        if self.writer is not None:
            self.writer.abort()
        live = self.store.pointer(self.name)
        if self.physical is not None and (live is None or live.physical != self.physical):
            self.store.drop(self.physical)
