"""The vector store: Chroma, embedded by default or a Chroma server when ``ADVISOR_CHROMA_URL`` is set.

A *collection* as users name it ("alliance") is a pointer to one physical Chroma collection
(``alliance__b<build>``). Ingestion builds a new physical collection, checks it, then moves the
pointer: the switch is a single upsert, so readers see either the old index or the new one, never a
half-built one. Pointers live in a small Chroma collection of their own, which works the same on a
server. Every retrieve reads its collection's pointer (a build switched by another process is seen at
once), so the pointer stays small: the ingest manifest (one entry per source file; 3.6 MB of JSON for
20,000 files) is kept beside it, in a record keyed by the build, written before the pointer moves and
read only by ingest. Chroma never embeds anything here: every add and query passes vectors explicitly.

This is the only module that talks to Chroma: callers address a build by its physical name (a
:class:`Pointer`'s ``physical``) and get plain :class:`Hit` and :class:`Record` values back.
"""

from __future__ import annotations

import base64
import gc
import hashlib
import json
import logging
import os
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

from advisor.config import Settings
from advisor.errors import ConfigError, IndexError_, no_index

log = logging.getLogger(__name__)

POINTERS = "advisor-pointers"
BLOBS = "advisor-blobs"  # manifests, published keyword indexes: in parts, in metadata (no full-text index)
LEASES = "advisor-leases"  # writer leases for ingest into a shared server (advisor/locks.py)
BUILD_SEP = "__b"
BLOB_PART = 4 * 2**20  # bytes per part before base64
SYNC_THRESHOLD = 1000  # Chroma's default: records between two writes of a build's HNSW index to disk
SETTLE_THRESHOLD = 100  # the lowest Chroma accepts (its batch size)


@dataclass
class Hit:
    id: str
    text: str
    metadata: dict
    score: float  # cosine similarity, higher is closer


@dataclass
class Record:
    """One stored chunk; ``vector`` is None unless asked for."""

    id: str
    text: str
    metadata: dict
    vector: np.ndarray | None = None


@dataclass
class Pointer:
    """A collection's live build: ``physical`` names the Chroma collection every read goes to."""

    name: str
    physical: str
    info: dict  # built_at, embedder, chunker, count, files, intent, keywords
    # Only for a pointer written before the manifest moved out of it (read anyway, so kept): see
    # ``VectorStore.manifest``. The next ingest writes the pointer in the new shape.
    legacy_manifest: dict | None = None


def make_client(settings: Settings):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        try:
            port = url.port or (443 if url.scheme == "https" else 8000)
        except ValueError:  # a port that is not a number, or out of range
            port = 0
        if url.scheme not in ("http", "https") or not url.hostname or not port:
            raise ConfigError(
                f"ADVISOR_CHROMA_URL must look like http://host:port, got {settings.chroma_url!r}"
            )
        try:
            return chromadb.HttpClient(
                host=url.hostname, port=port, ssl=url.scheme == "https", settings=chroma_settings
            )
        except Exception as exc:  # chromadb raises plain ValueError/ConnectionError variants
            raise IndexError_(
                f"cannot reach the Chroma server at {settings.chroma_url} ({exc.__class__.__name__}); "
                "is `chroma run` up?"
            ) from None
    settings.chroma_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)


class VectorStore:
    """Pointer-addressed collections over one Chroma client."""

    def __init__(self, settings: Settings, client: Any = None) -> None:  # client: a chromadb client
        self.settings = settings
        self._client = client if client is not None else make_client(settings)
        self._collections: dict[str, Any] = {}

    # -- pointers ----------------------------------------------------------------------------------

    def _pointer_collection(self):
        return self._client.get_or_create_collection(POINTERS, embedding_function=None)

    def pointer(self, name: str) -> Pointer | None:
        got = self._pointer_collection().get(ids=[name], include=["documents"])
        if not got["ids"]:
            return None
        info = json.loads(got["documents"][0])
        legacy = info.pop("manifest", None)
        return Pointer(name=name, physical=info.pop("physical"), info=info, legacy_manifest=legacy)

    def set_pointer(self, name: str, physical: str, info: dict, manifest: dict | None = None) -> None:
        """Point ``name`` at a build. With ``manifest``, the build's manifest is written first (a reader
        that sees the new pointer finds it); without, the one written for this build stays."""
        if manifest is not None:
            self.put_blob(_manifest_key(physical), json.dumps(manifest).encode(), physical)
            info = {**info, "files": len(manifest)}
        doc = json.dumps({"physical": physical, **{k: v for k, v in info.items() if k != "manifest"}})
        self._pointer_collection().upsert(ids=[name], documents=[doc], embeddings=[[1.0]])

    def manifest(self, pointer: Pointer) -> dict:
        """The ingest manifest of a pointer's build ({path: {hash, source, chunks, title}}), {} when
        it has none (then every file counts as new)."""
        if pointer.legacy_manifest is not None:
            return pointer.legacy_manifest
        data = self.get_blob(_manifest_key(pointer.physical))
        if data is None:
            log.warning("no manifest for build %s: every file will be read as new", pointer.physical)
            return {}
        return dict(json.loads(data))

    def names(self) -> list[str]:
        got = self._pointer_collection().get(include=[])
        return sorted(got["ids"])

    # -- builds (physical collections) --------------------------------------------------------------

    def new_build(self, name: str, embedder_name: str, writer: str = "") -> str:
        """Create an empty build for collection ``name``; returns its physical name. ``writer`` names
        the ingest lease it is built under, so cleanup can tell a live writer's build from a leftover."""
        physical = f"{name}{BUILD_SEP}{time.strftime('%Y%m%d%H%M%S')}{int(time.time() * 1000) % 1000:03d}"
        self._collections[physical] = self._client.create_collection(
            physical,
            embedding_function=None,
            metadata={"hnsw:space": "cosine", "embedder": embedder_name, "logical": name, "writer": writer},
        )
        return physical

    def writer(self, physical: str) -> str:
        """The lease owner a build was made under ("" for builds made before leases, or unknown)."""
        try:
            return str((self._open(physical).metadata or {}).get("writer", ""))
        except Exception as exc:  # gone meanwhile
            log.debug("writer of %s: %s", physical, exc)
            return ""

    def drop(self, physical: str) -> None:
        self.drop_blobs(physical)  # its manifest and, on a server, its published keyword index
        self._collections.pop(physical, None)
        try:
            self._client.delete_collection(physical)
        except Exception as exc:  # already gone is fine
            log.debug("drop %s: %s", physical, exc)

    def orphans(self, name: str, keep: set[str]) -> list[str]:
        prefix = f"{name}{BUILD_SEP}"
        out = []
        for col in self._client.list_collections():
            col_name = col if isinstance(col, str) else col.name
            if col_name.startswith(prefix) and col_name not in keep:
                out.append(col_name)
        return out

    def _open(self, physical: str) -> Any:
        collection = self._collections.get(physical)
        if collection is None:
            collection = self._client.get_collection(physical, embedding_function=None)
            self._collections[physical] = collection
        return collection

    # -- writing -----------------------------------------------------------------------------------

    def add(
        self,
        physical: str,
        ids: Sequence[str],
        vectors: np.ndarray,
        texts: Sequence[str],
        metadatas: Sequence[dict],
    ) -> None:
        self._open(physical).add(
            ids=list(ids), embeddings=vectors, documents=list(texts), metadatas=list(metadatas)
        )

    def settle(self, physical: str) -> None:
        """Write a finished build's whole vector index to disk (embedded Chroma only).

        Embedded Chroma persists its HNSW index only every ``sync_threshold`` (1,000) records; the
        rest stay in its write-ahead log, which every new process replays into the index on its first
        query (up to 999 inserts: 1.9 s of a 2.5 s cold ask at 46k chunks, 1,024-dim vectors). A
        lower threshold makes Chroma persist on the next write, but a process that already holds the
        index keeps the threshold it loaded it with, so a short child process does it (~2 s once per
        ingest). A build under the threshold has nothing persisted to keep; a server keeps its index
        in memory."""
        if self.settings.chroma_url or self.count(physical) <= SYNC_THRESHOLD:
            return
        code = "import sys; from advisor.store import settle_build; settle_build(sys.argv[1], sys.argv[2])"
        done = subprocess.run(
            [sys.executable, "-c", code, str(self.settings.chroma_dir), physical],
            capture_output=True,
            text=True,
            timeout=600,
        )
        if done.returncode != 0:  # not fatal: cold asks replay the log, as before
            log.warning("could not persist %s's vector index: %s", physical, done.stderr.strip()[-300:])

    # -- reading -----------------------------------------------------------------------------------

    def live(self, name: str) -> Pointer:
        """The pointer of a collection that has an index; IndexError_ when it has none."""
        pointer = self.pointer(name)
        if pointer is None:
            raise IndexError_(no_index(name))
        return pointer

    def count(self, physical: str) -> int:
        return int(self._open(physical).count())

    def first(self, physical: str) -> Record | None:
        """One record with its vector (for a build's self-check), or None when the build is empty."""
        page = self._open(physical).peek(limit=1)
        if not page["ids"]:
            return None
        vector = np.asarray(page["embeddings"][0], dtype=np.float32)
        return Record(page["ids"][0], page["documents"][0], page["metadatas"][0] or {}, vector)

    def query(self, physical: str, vector: np.ndarray, k: int, where: dict | None = None) -> list[Hit]:
        """The k nearest records to the vector, closest first."""
        collection = self._open(physical)
        # No count() first: it scans the collection (~10 ms at 100k chunks), and Chroma already returns
        # fewer than k results (none for an empty collection) when it holds fewer.
        try:
            result = collection.query(
                query_embeddings=[np.asarray(vector, dtype=np.float32).tolist()],
                n_results=k,
                where=where,
                include=["documents", "metadatas", "distances"],
            )
        except Exception as exc:  # chromadb's own error types; a wrong dimension is the usual cause
            raise _query_error(collection, vector, exc) from exc
        return [
            Hit(id=i, text=d, metadata=m or {}, score=1.0 - float(dist))
            for i, d, m, dist in zip(
                result["ids"][0],
                result["documents"][0],
                result["metadatas"][0],
                result["distances"][0],
                strict=True,
            )
        ]

    def fetch(self, physical: str, ids: Sequence[str]) -> dict[str, Record]:
        """The records (text and metadata, no vector) of the given ids; ids not found are left out."""
        if not ids:
            return {}
        got = self._open(physical).get(ids=list(ids), include=["documents", "metadatas"])
        return {
            i: Record(i, text, meta or {})
            for i, text, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        }

    def find(self, physical: str, where: dict, batch: int = 1000) -> Iterator[list[Record]]:
        """Records (text and metadata) whose metadata match ``where`` (Chroma's filter syntax), a page
        at a time: for one document's chunks, without reading the build."""
        collection = self._open(physical)
        offset = 0
        while True:
            got = collection.get(where=where, limit=batch, offset=offset, include=["documents", "metadatas"])
            if not got["ids"]:
                return
            yield [
                Record(i, text, meta or {})
                for i, text, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
            ]
            offset += len(got["ids"])

    def vectors(self, physical: str, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """The stored vectors of the given ids (ids not found are left out)."""
        got = self._open(physical).get(ids=list(ids), include=["embeddings"])
        vectors = np.asarray(got["embeddings"], dtype=np.float32)
        if not len(vectors):
            return {}
        return dict(zip(got["ids"], vectors, strict=True))

    def vector_pages(self, physical: str, ids: Sequence[str], batch: int = 256) -> Iterator[np.ndarray]:
        """The stored vectors of the given ids, ``batch`` at a time, in no particular order (ids not
        found are left out). Nothing else is read, and each request costs the same wherever its ids
        are: paging by offset makes the store skip the rows before each page."""
        collection = self._open(physical)
        for start in range(0, len(ids), batch):
            got = collection.get(ids=list(ids[start : start + batch]), include=["embeddings"])
            if len(got["ids"]):
                yield np.asarray(got["embeddings"], dtype=np.float32)

    def records(
        self, physical: str, vectors: bool = False, batch: int = 2000, texts: bool = True
    ) -> Iterator[list[Record]]:
        """Every record of a build, a page at a time (vectors only when asked for; texts "" when not)."""
        include = ["metadatas"] + (["documents"] if texts else []) + (["embeddings"] if vectors else [])
        collection = self._open(physical)
        offset = 0
        while True:
            page = collection.get(include=include, limit=batch, offset=offset)
            if not page["ids"]:
                return
            found = np.asarray(page["embeddings"], dtype=np.float32) if vectors else None
            documents = page["documents"] if texts else [""] * len(page["ids"])
            yield [
                Record(i, text, meta or {}, found[row] if found is not None else None)
                for row, (i, text, meta) in enumerate(
                    zip(page["ids"], documents, page["metadatas"], strict=True)
                )
            ]
            offset += len(page["ids"])

    # -- blobs: a build's keyword index, published for replicas on other machines --------------------

    def _blobs(self):
        return self._client.get_or_create_collection(BLOBS, embedding_function=None)

    def put_blob(self, key: str, data: bytes, build: str) -> None:
        """Store bytes under a key (replacing any) for a build; parts first, the head last."""
        parts = [data[i : i + BLOB_PART] for i in range(0, len(data), BLOB_PART)] or [b""]
        blobs = self._blobs()
        for n, part in enumerate(parts):
            blobs.upsert(
                ids=[f"{key}#{n}"],
                embeddings=[[0.0]],
                metadatas=[{"key": key, "build": build, "data": base64.b64encode(part).decode("ascii")}],
            )
        head = {"key": key, "build": build, "parts": len(parts), "sha": hashlib.sha256(data).hexdigest()}
        blobs.upsert(ids=[key], embeddings=[[0.0]], metadatas=[head])

    def get_blob(self, key: str) -> bytes | None:
        """The bytes stored under a key, or None when there are none (or they do not check out).
        For small blobs; a large one (a keyword index) goes to a file with ``get_blob_to``."""
        head = self._blob_head(key)
        if head is None:
            return None
        digest = hashlib.sha256()
        data = bytearray()
        for part in self._blob_parts(key, head):
            digest.update(part)
            data += part
        return bytes(data) if self._checks_out(key, head, digest) else None

    def get_blob_to(self, key: str, dest: Path) -> bool:
        """Write the bytes stored under a key to ``dest``, a part at a time (memory stays about one
        part), through a temporary file renamed into place once the checksum holds. False (and no
        ``dest``) when there are none or they do not check out."""
        head = self._blob_head(key)
        if head is None:
            return False
        tmp = dest.with_name(f".{dest.name}.part{os.getpid()}")
        digest = hashlib.sha256()
        try:
            with tmp.open("wb") as out:
                for part in self._blob_parts(key, head):
                    digest.update(part)
                    out.write(part)
            if not self._checks_out(key, head, digest):
                return False
            os.replace(tmp, dest)
            return True
        finally:
            tmp.unlink(missing_ok=True)

    def _blob_head(self, key: str) -> dict | None:
        got = self._blobs().get(ids=[key], include=["metadatas"])
        return dict(got["metadatas"][0] or {}) if got["ids"] else None

    def _blob_parts(self, key: str, head: dict) -> Iterator[bytes]:
        """A blob's parts in order, one request each (a missing part reads as empty: the checksum
        then fails)."""
        blobs = self._blobs()
        for n in range(int(head.get("parts", 0))):
            page = blobs.get(ids=[f"{key}#{n}"], include=["metadatas"])
            meta = (page["metadatas"][0] or {}) if page["ids"] else {}
            encoded = str(meta.get("data", ""))
            del page, meta
            # The HTTP client leaves each response (bytes and text, ~2x a part) in a reference cycle
            # that waits for a full collection: 31 parts took a process from 120 to 331 MB. A
            # young-generation pass (~0.2 ms) frees it now: 139 MB.
            gc.collect(0)
            yield base64.b64decode(encoded)

    @staticmethod
    def _checks_out(key: str, head: dict, digest: Any) -> bool:  # digest: a hashlib object
        if digest.hexdigest() != head.get("sha"):
            log.warning("published blob %s is incomplete or corrupt; ignored", key)
            return False
        return True

    def drop_blobs(self, build: str) -> None:
        """Delete every blob published for a build."""
        try:
            self._blobs().delete(where={"build": build})
        except Exception as exc:  # nothing published
            log.debug("drop blobs of %s: %s", build, exc)

    # -- leases: one ingest writer per collection across machines (advisor/locks.py) ------------------

    def _leases(self):
        return self._client.get_or_create_collection(LEASES, embedding_function=None)

    def lease(self, key: str) -> dict | None:
        """The lease record under a key ({"owner", "expires", ...}), or None."""
        got = self._leases().get(ids=[key], include=["metadatas"])
        return dict(got["metadatas"][0] or {}) if got["ids"] else None

    def claim_lease(self, key: str, record: dict) -> bool:
        """Insert the lease if none exists (Chroma's ``add`` keeps an existing id); True if it is ours."""
        self._leases().add(ids=[key], embeddings=[[0.0]], metadatas=[record])
        held = self.lease(key)
        return held is not None and held.get("owner") == record["owner"]

    def renew_lease(self, key: str, record: dict) -> bool:
        """Extend our lease; False (and nothing written) when another owner holds it now."""
        held = self.lease(key)
        if held is None or held.get("owner") != record["owner"]:
            return False
        self._leases().upsert(ids=[key], embeddings=[[0.0]], metadatas=[record])
        return True

    def drop_lease(self, key: str, owner: str) -> None:
        """Delete the lease only while ``owner`` holds it (a conditional delete)."""
        self._leases().delete(ids=[key], where={"owner": owner})


def _manifest_key(physical: str) -> str:
    return f"{physical}.manifest"


def _query_error(collection: Any, vector: np.ndarray, exc: Exception) -> IndexError_:
    built_with = (collection.metadata or {}).get("embedder", "another embedder")
    logical = (collection.metadata or {}).get("logical", collection.name)
    if "dimension" in str(exc).lower():
        return IndexError_(
            f"collection {logical!r} was built with {built_with}, which does not match the configured "
            f"embedder ({len(vector)}-dimensional vectors); re-ingest it with `advisor ingest PATH "
            f"--collection {logical}` or set ADVISOR_EMBEDDER back"
        )
    return IndexError_(f"searching collection {logical!r} failed ({exc.__class__.__name__})")


def settle_build(chroma_dir: str, physical: str) -> None:
    """In a fresh process (see ``VectorStore.settle``): lower the build's sync threshold before its
    index is loaded, re-write one record so the load, the log replay and a persist happen, and put
    the threshold back so later incremental ingests keep Chroma's cheap default."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    client = chromadb.PersistentClient(
        path=chroma_dir, settings=ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    )
    collection = client.get_collection(physical, embedding_function=None)
    collection.modify(configuration={"hnsw": {"sync_threshold": SETTLE_THRESHOLD}})
    try:
        one = collection.get(limit=1, include=["embeddings", "documents", "metadatas"])
        if one["ids"]:
            collection.upsert(
                ids=one["ids"],
                embeddings=one["embeddings"],
                documents=one["documents"],
                metadatas=one["metadatas"],
            )
    finally:
        collection.modify(configuration={"hnsw": {"sync_threshold": SYNC_THRESHOLD}})
