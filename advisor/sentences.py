"""Sentence vectors computed at ingest, so answers can lead with the sentence that means the most.

The short answer opens with the retrieved sentence closest in meaning to the question. Embedding a
question's ~20 candidate sentences at question time costs ~190 ms on two cores; instead, ingest
embeds every answer unit of every chunk (:func:`advisor.units.answer_sentences`) once and keeps the
vectors here, keyed by a hash of the text, in one file per embedder under the data directory.
The store is content-addressed: a text's vector never changes, stale entries are harmless, and a
rebuilt collection reuses what was computed before. A text that is missing (a collection larger
than ``MAX_CHUNKS``, a file ingested by an older version) is embedded on the fly.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

MAX_CHUNKS = 20_000  # above this, ingest skips the sentence vectors (answers fall back to word overlap)
BATCH = 256
KEY_SIZE = 12


def _key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=KEY_SIZE).digest()


class SentenceVectors:
    """A content-addressed store of unit vectors for one embedder."""

    def __init__(self, data_dir: Path, embedder_name: str) -> None:
        safe = "".join(ch if ch.isalnum() or ch in "-._" else "_" for ch in embedder_name)
        self.path = data_dir / "sentences" / f"{safe}.npz"
        self._index: dict[bytes, int] | None = None
        self._vectors: np.ndarray | None = None
        self._stamp = 0.0
        self._lock = threading.Lock()

    def lookup(self, texts: Sequence[str]) -> list[np.ndarray | None]:
        """The stored vector of each text, or None where there is none."""
        with self._lock:
            self._load()
            index, vectors = self._index or {}, self._vectors
            return [
                vectors[i] if vectors is not None and (i := index.get(_key(t))) is not None else None
                for t in texts
            ]

    def add(self, texts: Iterable[str], embed: Callable[[list[str]], np.ndarray]) -> int:
        """Embed and store the texts not stored yet; returns how many were embedded."""
        with self._lock:
            self._load()
            known = self._index or {}
            todo = list(dict.fromkeys(t for t in texts if _key(t) not in known))
            if not todo:
                return 0
            parts = [
                np.asarray(embed(todo[i : i + BATCH]), dtype=np.float16) for i in range(0, len(todo), BATCH)
            ]
            new = np.concatenate(parts)
            # rows by key, not the file's rows as they lie: a file written by two processes at once
            # may hold a key twice, and keys and rows must stay aligned
            rows = list(known.values())
            old = (
                self._vectors[rows]
                if self._vectors is not None and rows
                else np.zeros((0, new.shape[1]), np.float16)
            )
            keys = list(known) + [_key(t) for t in todo]
            vectors = np.concatenate([old, new]) if len(old) else new
            self._save(keys, vectors)
            return len(todo)

    def _load(self) -> None:
        try:
            stamp = self.path.stat().st_mtime
        except OSError:
            return
        if self._index is not None and stamp == self._stamp:
            return
        try:
            with np.load(self.path) as data:
                keys, vectors = data["keys"], data["vectors"]
        except (OSError, ValueError, KeyError) as exc:
            log.warning(
                "sentence vectors at %s unreadable (%s); rebuilding on the next ingest", self.path, exc
            )
            return
        # numpy's fixed-width bytes drop trailing NUL bytes on read: pad keys back to their size
        self._index = {bytes(k).ljust(KEY_SIZE, b"\0"): i for i, k in enumerate(keys)}
        self._vectors = vectors
        self._stamp = stamp

    def _save(self, keys: list[bytes], vectors: np.ndarray) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp.npz")
        np.savez(tmp, keys=np.array(keys, dtype="S12"), vectors=vectors)
        os.replace(tmp, self.path)
        self._index = {k: i for i, k in enumerate(keys)}
        self._vectors = vectors
        self._stamp = self.path.stat().st_mtime
