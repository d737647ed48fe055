"""Ingestion: files -> clean text -> chunks -> vectors -> a new Chroma collection made live atomically.

Re-ingesting is incremental in the work it does and atomic in what readers see:
- a file whose bytes are unchanged keeps its chunks and vectors (copied, never re-embedded);
- a changed file's chunks replace its old ones; a deleted file's chunks go;
- a file that fails to load keeps whatever it had in the index (nothing is lost), and is reported;
- when nothing changed, nothing is built at all;
- otherwise a new physical collection is built, checked (count and a probe query) and only then
  pointed to; a crash midway leaves the previous index answering.
Files are scoped to the roots given: chunks from other roots ingested into the same collection stay.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from advisor import intent, keywords
from advisor.build import Build
from advisor.chunking import CHUNKER_VERSION, chunk_document
from advisor.config import Settings, validate_collection_name
from advisor.documents import SUPPORTED, Document, file_sha, load, unsupported_file_type
from advisor.domain import load_domain
from advisor.embeddings import Embedder, get_embedder
from advisor.errors import ConfigError, DocumentError, IndexError_
from advisor.keywords_build import keywords_current, reindex_questions
from advisor.locks import Lease, ingest_lock, lease_key
from advisor.questions import load_section_questions
from advisor.sentences import MAX_CHUNKS as MAX_SENTENCE_CHUNKS
from advisor.sentences import SentenceVectors
from advisor.store import Pointer, VectorStore

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass
class FileRef:
    path: Path  # resolved
    source: str  # display path


@dataclass
class IngestReport:
    collection: str
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[dict] = field(default_factory=list)  # {"file", "reason"}
    skipped: list[dict] = field(default_factory=list)
    chunks: int = 0
    embedded: int = 0
    built: bool = False
    seconds: float = 0.0
    sentences: int = 0  # answer sentences embedded for choosing the lead (advisor.sentences)
    questions: int = 0  # example questions, scope examples and situation texts embedded (advisor.intent)
    onnx: dict | None = None  # what the embedder's prepare_for_queries step reported (MiniLM: ONNX check)

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> dict:
        data = asdict(self)
        data["ok"] = self.ok
        return data


# --- scanning ---------------------------------------------------------------------------------------


def scan(roots: Sequence[Path], report: IngestReport) -> list[FileRef]:
    """Find ingestible files under the roots; record symlink escapes and unsupported files."""
    found: dict[Path, FileRef] = {}
    for root in roots:
        root = Path(root).expanduser()
        if not root.exists():
            report.failed.append({"file": str(root), "reason": "no such file or directory"})
            continue
        if root.is_file():
            ref = FileRef(path=root.resolve(), source=root.name)
            if root.suffix.lower() not in SUPPORTED:
                report.failed.append({"file": str(root), "reason": unsupported_file_type(root)})
            else:
                found.setdefault(ref.path, ref)
            continue
        for ref in _walk(root, report):
            found.setdefault(ref.path, ref)
    return sorted(found.values(), key=lambda r: r.source)


def _walk(root: Path, report: IngestReport) -> Iterable[FileRef]:
    real_root = root.resolve()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "_")))
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            path = Path(dirpath) / name
            display = f"{root.name}/{path.relative_to(root).as_posix()}"
            if path.is_symlink():
                target = path.resolve()
                if not target.is_relative_to(real_root):
                    report.failed.append(
                        {"file": display, "reason": f"symlink points outside {root} ({target}); not followed"}
                    )
                    continue
            if path.suffix.lower() not in SUPPORTED:
                report.skipped.append({"file": display, "reason": unsupported_file_type(path)})
                continue
            yield FileRef(path=path.resolve(), source=display)


def under_roots(path: str, roots: Sequence[Path]) -> bool:
    resolved = [Path(r).expanduser().resolve() for r in roots]
    return any(Path(path) == r or Path(path).is_relative_to(r) for r in resolved)


# --- the pipeline -----------------------------------------------------------------------------------


class Ingestor:
    def __init__(
        self,
        settings: Settings,
        store: VectorStore | None = None,
        embedder: Embedder | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.settings = settings
        self.store = store or VectorStore(settings)
        self._embedder = embedder
        self.progress = progress or (lambda stage, done, total: None)

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = get_embedder(self.settings)
        return self._embedder

    def run(
        self, roots: Sequence[Path] | None = None, collection: str | None = None, wait: float = 0.0
    ) -> IngestReport:
        started = time.perf_counter()
        name = collection or self.settings.collection
        try:
            validate_collection_name(name)
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
        roots = list(roots or [self.settings.knowledge_dir])
        report = IngestReport(collection=name)
        database_url = getattr(self.settings, "database_url", None)  # the storage layer's setting
        if database_url is not None and hasattr(database_url, "get_secret_value"):
            database_url = database_url.get_secret_value()
        with ingest_lock(self.settings.data_dir, name, wait, self.store, database_url) as lease:
            self._run_locked(name, roots, report, lease)
        report.seconds = round(time.perf_counter() - started, 3)
        return report

    def _run_locked(self, name: str, roots: list[Path], report: IngestReport, lease: Lease) -> None:
        refs = scan(roots, report)
        pointer = self.store.pointer(name)
        embedder_name = self.embedder.name
        same_model = (
            pointer is not None
            and pointer.info.get("embedder") == embedder_name
            and pointer.info.get("chunker") == CHUNKER_VERSION
        )
        manifest: dict[str, dict] = dict(self.store.manifest(pointer)) if same_model and pointer else {}
        previous = dict(manifest)

        hashes = {}
        for ref in refs:
            try:
                hashes[str(ref.path)] = file_sha(ref.path.read_bytes())
            except OSError as exc:
                report.failed.append({"file": ref.source, "reason": f"cannot read ({exc.strerror})"})
        changed = [
            r
            for r in refs
            if str(r.path) in hashes and manifest.get(str(r.path), {}).get("hash") != hashes[str(r.path)]
        ]
        present = {str(r.path) for r in refs}
        failed_paths = {f["file"] for f in report.failed}
        removed = [
            p
            for p in manifest
            if under_roots(p, roots) and p not in present and manifest[p]["source"] not in failed_paths
        ]
        report.unchanged = [r.source for r in refs if str(r.path) in hashes and r not in changed]
        for path in removed:
            report.removed.append(manifest.pop(path)["source"])

        build = Build(self, name, pointer if same_model else None, lease, CHUNKER_VERSION)
        try:
            for index, ref in enumerate(changed):
                self.progress("load", index, len(changed))
                try:
                    doc = load(ref.path, ref.source, int(self.settings.max_file_mb * 1e6))
                except DocumentError as exc:
                    report.failed.append({"file": ref.source, "reason": exc.reason})
                    continue
                build.add_file(str(ref.path), chunk_document(doc))
                (report.updated if str(ref.path) in manifest else report.added).append(ref.source)
                manifest[str(ref.path)] = {
                    "hash": doc.file_hash,
                    "source": doc.source,
                    "chunks": build.last_file_chunks,
                    "title": doc.title,
                }
            if changed:
                self.progress("load", len(changed), len(changed))
            # The same document under another root (a moved checkout, a reinstalled package) is
            # replaced, not kept beside its new copy: chunk ids come from source and text.
            moved_to = {ref.source: str(ref.path) for ref in changed}
            for path in [p for p, e in manifest.items() if moved_to.get(e["source"], p) != p]:
                manifest.pop(path)
            if not build.started:
                if pointer is None and not manifest:
                    return  # nothing loaded and nothing indexed before: no empty collection
                if pointer and same_model and not report.removed:
                    report.chunks = int(pointer.info.get("count", 0))
                    self._refresh_intent(name, self._new_shape(name, pointer), report)
                    self._prepare_for_queries(report, [])
                    self._clean_orphans(name, {pointer.physical}, lease)
                    return
            build.finish(manifest, previous, report)
        except BaseException:
            build.abort()
            raise

    def _check(self, target: str, expected: int) -> None:
        count = self.store.count(target)
        if count != expected:
            raise IndexError_(f"index check failed: built {count} chunks, expected {expected}")
        probe = self.store.first(target)
        if probe is not None and probe.vector is not None:
            hits = self.store.query(target, probe.vector, 1)
            if not hits or hits[0].id != probe.id:
                log.warning("index probe returned %s for its own vector", hits[0].id if hits else None)

    def _clean_orphans(self, name: str, keep: set[str], lease: Lease) -> None:
        """Remove leftover builds, but never one whose writer may still be writing it."""
        for orphan in self.store.orphans(name, keep):
            writer = self.store.writer(orphan)
            if writer and writer != lease.owner and self._writer_alive(name, writer):
                log.info("keeping build %s: its writer %s still holds a lease", orphan, writer)
                continue
            log.info("removing unused build %s", orphan)
            self.store.drop(orphan)
        live = self.store.pointer(name)
        intent.remove_unused(self.settings.data_dir, name, live.info.get(intent.INFO_KEY) if live else None)
        kept = {str((live.info.get(keywords.INFO_KEY) or {}).get("name"))} if live else set()
        keywords.remove_unused(self.settings.data_dir, name, kept)

    def _writer_alive(self, name: str, writer: str) -> bool:
        if not self.settings.chroma_url:
            return False  # embedded: the file lock we hold is the only way to write this store
        held = self.store.lease(lease_key(name))
        return bool(held and held.get("owner") == writer and float(held.get("expires", 0)) > time.time())

    def _build_intent(
        self, physical: str, previous: str | None, report: IngestReport, tally: intent.Tally | None = None
    ) -> str:
        """The question index and scope model of a build (advisor/intent.py); returns the file name.
        ``tally`` is what the build's chunks told as ingest wrote them; without one (the domain files
        changed, the chunks did not) their metadata is read a page at a time. The vectors are read
        back by id a small page at a time: the scope model needs only each example's best
        similarity to them, so memory does not grow with the build."""
        if tally is None:
            tally = intent.Tally(load_section_questions(self.settings.knowledge_dir))
            for page in self.store.records(physical, texts=False):
                tally.add([r.id for r in page], [r.metadata for r in page])
        name, embedded = intent.build(
            tally,
            self.store.vector_pages(physical, tally.ids),
            self.settings.knowledge_dir,
            self.embedder,
            self.settings.data_dir,
            physical,
            previous=previous,
        )
        report.questions += embedded + self._embed_domain_texts()
        return name

    def _embed_domain_texts(self) -> int:
        """The domain texts the answer path compares by meaning (situation signals, checklist names;
        a few hundred): embedded here with the artefacts rather than one by one at the first question."""
        domain = load_domain(self.settings.knowledge_dir)
        if domain is None:
            return 0
        return SentenceVectors(self.settings.data_dir, self.embedder.name).add(
            domain.meaning_texts(), self.embedder.embed_documents
        )

    def _new_shape(self, name: str, pointer: Pointer) -> Pointer:
        """A pointer written with the manifest inside (before it moved out), rewritten without it."""
        if pointer.legacy_manifest is None:
            return pointer
        self.store.set_pointer(name, pointer.physical, pointer.info, pointer.legacy_manifest)
        log.info(
            "collection %s: manifest moved out of the pointer (%s files)", name, len(pointer.legacy_manifest)
        )
        return replace(pointer, legacy_manifest=None)

    def _refresh_intent(self, name: str, pointer: Pointer, report: IngestReport) -> None:
        """Rebuild a live build's artefacts when the domain files changed (the chunks did not), and its
        keyword index (the section questions are indexed with their chunks)."""
        if intent.is_current(
            self.settings.data_dir, pointer.info, pointer.physical, self.settings.knowledge_dir
        ) and keywords_current(self.settings, self.store, pointer):
            return
        previous = pointer.info.get(intent.INFO_KEY)
        artefacts = self._build_intent(pointer.physical, previous, report)
        built = reindex_questions(self.settings, self.store, pointer, previous, artefacts)
        info = {**pointer.info, intent.INFO_KEY: artefacts, keywords.INFO_KEY: built}
        # A pointer of the old shape (manifest inside) is rewritten in the new one.
        self.store.set_pointer(name, pointer.physical, info, pointer.legacy_manifest)

    def _embed_sentences(self, texts: list[str], total: int) -> int:
        """Embed the answer units of the new chunks ahead of time (see advisor.sentences)."""
        if not texts or total > MAX_SENTENCE_CHUNKS:
            return 0
        self.progress("sentences", 0, len(texts))
        added = SentenceVectors(self.settings.data_dir, self.embedder.name).add(
            texts, self.embedder.embed_documents
        )
        self.progress("sentences", len(texts), len(texts))
        log.info("embedded %s new answer sentences", added)
        return added

    def _prepare_for_queries(self, report: IngestReport, samples: list[str]) -> None:
        prepare = getattr(self.embedder, "prepare_for_queries", None)  # an optional embedder hook
        if prepare is not None:
            report.onnx = prepare(samples)


def knowledge_is_stale(settings: Settings, store: VectorStore, collection: str | None = None) -> bool:
    """True when the live index of the knowledge base is missing, was built by another embedder or
    chunker, lacks a file or holds an older version of one, or still holds a deleted file."""
    pointer = store.pointer(collection or settings.collection)
    if pointer is None:
        return True
    if pointer.info.get("embedder") != get_embedder(settings).name:
        return True
    if pointer.info.get("chunker") != CHUNKER_VERSION:
        return True
    # With a Chroma server the build (and its artefacts) may come from another machine: a replica with
    # its own data dir must not re-ingest the shared index for a file only the builder keeps.
    local = settings.chroma_url is None
    if not intent.is_current(
        settings.data_dir, pointer.info, pointer.physical, settings.knowledge_dir, local
    ):
        return True
    manifest = store.manifest(pointer)
    report = IngestReport(collection=pointer.name)
    present = set()
    for ref in scan([settings.knowledge_dir], report):
        present.add(str(ref.path))
        entry = manifest.get(str(ref.path))
        if entry is None or entry.get("hash") != file_sha(ref.path.read_bytes()):
            return True
    return any(p not in present for p in manifest if under_roots(p, [settings.knowledge_dir]))


__all__ = ["Document", "IngestReport", "Ingestor", "knowledge_is_stale"]
