"""The persistent keyword index of a build: BM25 over tantivy, one directory beside each build.

    <data_dir>/keywords/<physical collection>.<tag>/     (a tantivy index: memory-mapped segments)

Ingestion writes it while it fills the build (chunk by chunk, in bounded memory) and records its
name and document count in the build's pointer (``info["keywords"]``), so it switches with the
pointer: readers see the old build with its old index or the new build with its new one. A
re-ingest starts from a copy of the previous build's index and deletes the changed and removed
files' chunks by path before adding their new ones, as the vectors are copied rather than
re-embedded. Each chunk is indexed as the project's content words (advisor/text.py) of its title,
section, text and its section's example questions (doc2query, from the intent artefacts), joined by
spaces and split on whitespace by tantivy: the same bag of words the old in-memory BM25 scored.

Opening an index is a few ms (tantivy maps the files); nothing is rebuilt per process. With a
Chroma server the directory is also published into the server (``VectorStore.put_blob``), so a
replica with its own data dir downloads it once instead of rebuilding it. An index that is missing,
or does not match its pointer (another build, another count), is stale: it is fetched or rebuilt
from the store, never used. ``tantivy`` is imported only when an index is opened or written.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import re
import shutil
import tarfile
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from advisor.text import content_words

log = logging.getLogger(__name__)

VERSION = "1"  # bump when the schema or the words indexed change
DIR = "keywords"
INFO_KEY = "keywords"
MARKER = "advisor-keywords.json"  # written last: a directory without it is unfinished
# the process id in a download's hidden file: ".<build>.<pid>.tar", "..<build>.<pid>.tar.part<pid>"
_DOWNLOAD_PID = re.compile(r"(?:\.|part)(\d+)(?:\.tar)?$")
WRITER_HEAP = 64_000_000  # tantivy flushes a segment when its indexing heap is full: bounded memory


def keywords_dir(data_dir: Path) -> Path:
    return data_dir / DIR


def index_name(physical: str, intent_name: str | None) -> str:
    """The directory name: the build plus a tag of the example questions its chunks were indexed with."""
    tag = hashlib.sha1(f"{VERSION}:{intent_name or ''}".encode()).hexdigest()[:10]
    return f"{physical}.{tag}"


def words(text: str, metadata: Mapping[str, Any], extra: str = "") -> str:
    """The indexed words of one chunk, space-joined (tantivy's whitespace tokenizer splits them)."""
    title, section = metadata.get("title", ""), metadata.get("section", "")
    return " ".join(content_words(f"{title} {section} {text} {extra}"))


def _schema():
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    builder.add_text_field("path", stored=False, tokenizer_name="raw")
    builder.add_text_field("body", stored=False, tokenizer_name="whitespace", index_option="freq")
    return builder.build()


@dataclass(frozen=True)
class Built:
    """What a finished index records in its build's pointer."""

    name: str
    count: int

    def info(self) -> dict:
        return {"name": self.name, "count": self.count, "version": VERSION}


Questions = Callable[[Mapping[str, Any]], str]  # a chunk's metadata -> its section's example questions


class KeywordWriter:
    """Writes one index directory: empty, or a copy of a previous build's index to update.
    ``questions`` gives each added chunk its section's example questions (doc2query) at add time:
    re-adding chunks later would leave their deleted copies in BM25's statistics until a merge."""

    def __init__(self, folder: Path, base: Path | None = None, questions: Questions | None = None) -> None:
        import tantivy

        self.folder = folder
        self.questions = questions
        self._tmp = folder.with_name(f"{folder.name}.tmp{os.getpid()}")
        shutil.rmtree(self._tmp, ignore_errors=True)
        self._tmp.parent.mkdir(parents=True, exist_ok=True)
        if base is not None:
            shutil.copytree(base, self._tmp, ignore=shutil.ignore_patterns(".tantivy-*", MARKER))
            self._index = tantivy.Index.open(str(self._tmp))
        else:
            self._tmp.mkdir()
            self._index = tantivy.Index(_schema(), path=str(self._tmp))
        self.incremental = base is not None
        self._writer = self._index.writer(heap_size=WRITER_HEAP, num_threads=1)

    def add(
        self,
        ids: Sequence[str],
        texts: Sequence[str],
        metadatas: Sequence[Mapping],
        extra: Mapping[str, str] | None = None,
    ) -> None:
        """Index chunks; ``extra`` (more words per id) overrides the writer's ``questions``."""
        import tantivy

        for cid, text, meta in zip(ids, texts, metadatas, strict=True):
            questions = self.questions(meta) if self.questions and extra is None else ""
            body = words(text, meta, extra.get(cid, "") if extra is not None else questions)
            self._writer.add_document(tantivy.Document(id=cid, path=str(meta.get("path", "")), body=body))

    def delete_paths(self, paths: Iterable[str]) -> None:
        for path in paths:
            self._writer.delete_documents_by_term("path", path)

    def delete_ids(self, ids: Iterable[str]) -> None:
        for cid in ids:
            self._writer.delete_documents_by_term("id", cid)

    def commit(self, physical: str) -> Built:
        """Finish the index and move it to its final directory; returns its pointer record."""
        self._writer.commit()
        self._writer.wait_merging_threads()
        self._index.reload()
        count = int(self._index.searcher().num_docs)
        (self._tmp / MARKER).write_text(
            json.dumps({"physical": physical, "count": count, "version": VERSION})
        )
        shutil.rmtree(self.folder, ignore_errors=True)
        os.replace(self._tmp, self.folder)
        return Built(self.folder.name, count)

    def abort(self) -> None:
        try:
            self._writer.rollback()
        except Exception as exc:  # tantivy's own error type; the directory goes anyway
            log.debug("keyword writer rollback: %s", exc)
        shutil.rmtree(self._tmp, ignore_errors=True)


class KeywordIndex:
    """A finished index, opened read-only (tantivy memory-maps its files)."""

    def __init__(self, folder: Path) -> None:
        import tantivy

        self.folder = folder
        self._index = tantivy.Index.open(str(folder))
        self._searcher = self._index.searcher()
        self._query = tantivy.Query
        self._should = tantivy.Occur.Should

    @property
    def count(self) -> int:
        return int(self._searcher.num_docs)

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        """Chunk ids and BM25 scores of the k best matches, best first."""
        return self._search(sorted(set(content_words(query))), k)

    def search_rare(self, query: str, k: int, max_chunks: int) -> list[tuple[str, float]]:
        """Like ``search``, scored on only the query's words that occur in at most ``max_chunks``
        chunks (and in at least one): the chunks that hold the query's rarest words, best first."""
        if max_chunks < 1:
            return []
        terms = [
            t
            for t in sorted(set(content_words(query)))
            if 0 < self._searcher.doc_freq("body", t) <= max_chunks
        ]
        return self._search(terms, k)

    def _search(self, terms: list[str], k: int) -> list[tuple[str, float]]:
        if not terms:
            return []
        schema = self._index.schema
        clauses = [(self._should, self._query.term_query(schema, "body", t)) for t in terms]
        found = self._searcher.search(self._query.boolean_query(clauses), k)
        return [(self._searcher.doc(address)["id"][0], float(score)) for score, address in found.hits]

    def coverage(self, query: str) -> float:
        """Share of the query's content words that occur in at least one chunk."""
        terms = content_words(query)
        if not terms:
            return 0.0
        return sum(1 for t in terms if self._searcher.doc_freq("body", t) > 0) / len(terms)

    def unknown(self, words: list[str]) -> list[str]:
        """The words (already content words) that occur in no chunk."""
        return [w for w in words if self._searcher.doc_freq("body", w) == 0]


def is_valid(folder: Path, physical: str, count: int | None) -> bool:
    """Whether a directory holds a finished index of this build (and, if given, of ``count`` chunks)."""
    try:
        marker = json.loads((folder / MARKER).read_text())
    except (OSError, ValueError):
        return False
    return (
        marker.get("physical") == physical
        and marker.get("version") == VERSION
        and (count is None or marker.get("count") == count)
    )


# --- publishing (shared deployments) --------------------------------------------------------------


def pack(folder: Path) -> bytes:
    """The finished index as one uncompressed tar (segment files are compressed already)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for path in sorted(folder.iterdir()):
            if path.is_file() and not path.name.startswith(".tantivy-"):
                tar.add(path, arcname=path.name)
    return buffer.getvalue()


def unpack(packed: bytes | Path, folder: Path) -> None:
    """Write a packed index (bytes, or a file holding them) to ``folder`` (through a temporary
    directory: readers never see half)."""
    tmp = folder.with_name(f"{folder.name}.dl{os.getpid()}")
    with _unpacking:
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        source = {"name": packed} if isinstance(packed, Path) else {"fileobj": io.BytesIO(packed)}
        with tarfile.open(mode="r", **source) as tar:
            tar.extractall(tmp, filter="data")
        if folder.exists():  # another process got there first
            shutil.rmtree(tmp, ignore_errors=True)
            return
        os.replace(tmp, folder)


_unpacking = threading.Lock()


def remove_unused(data_dir: Path, collection: str, keep: set[str]) -> None:
    """Delete a collection's index directories other than the ones named (and leftovers of crashes)."""
    from advisor.store import BUILD_SEP

    folder = keywords_dir(data_dir)
    if not folder.is_dir():
        return
    for path in folder.glob(f"{collection}{BUILD_SEP}*"):
        if path.name not in keep and _owner_gone(path):
            shutil.rmtree(path, ignore_errors=True)
    # a download cut short leaves its hidden file (".<build>.<pid>.tar", ".<name>.part<pid>")
    for path in folder.glob(".*"):
        pid = _DOWNLOAD_PID.search(path.name)
        mine = path.name.lstrip(".").startswith(f"{collection}{BUILD_SEP}")
        if mine and pid and path.is_file() and not _alive(int(pid.group(1))):
            path.unlink(missing_ok=True)


def _owner_gone(path: Path) -> bool:
    """A finished index, or a temporary one whose writing process has ended."""
    suffix = path.name.rsplit(".", 1)[-1]
    for prefix in ("tmp", "dl"):
        if suffix.startswith(prefix) and suffix[len(prefix) :].isdigit():
            return not _alive(int(suffix[len(prefix) :]))
    return True


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
