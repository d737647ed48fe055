"""A build's intent artefacts: the question index, the scope classifier and the condition model,
made at ingest.

All need vectors of a few hundred short texts (the questions each section answers, heading-derived
questions, out-of-scope and small-talk examples, situation signals). Embedding them per query would
cost seconds, so ingestion embeds them once (and trains the two models on them) and writes one
``.npz`` beside the build:

    <data_dir>/intent/<physical collection>.<domain fingerprint>.npz

The build's pointer records the file name (``info["intent"]``), so the artefacts switch with the
pointer: readers see the old build with its old file or the new build with its new file. When only
the domain files change (``knowledge/_domain/questions.yaml``, ``scope.yaml``, ``situations.yaml``,
...), a re-ingest writes a new file for the same build and moves the pointer's record to it.
Unchanged texts reuse the previous file's vectors. Loading is a few ms of numpy (no torch, no
model), cached per file.

What the artefacts need of the build's chunks (their ids, the sections with written questions, a
sample of headings) is gathered while ingest writes them (``Tally``); the scope model's one feature
of the chunks, each example's best similarity to any of them, reads their vectors back by id a
small page at a time.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from advisor.conditions import ConditionModel, examples, train_conditions
from advisor.domain import load_domain
from advisor.questions import (
    SCOPE_FILE,
    QuestionIndex,
    SectionKey,
    domain_fingerprint,
    heading_questions,
    load_scope_examples,
    load_section_questions,
    section_key,
)
from advisor.scope import Scope, ScopeModel, train_scope
from advisor.store import BUILD_SEP
from advisor.yamlfile import read_yaml

log = logging.getLogger(__name__)

VERSION = "11"  # bump when the artefact format or the training changes (never reuse one: 5-10 used)
DIR = "intent"
INFO_KEY = "intent"
MAX_SCOPE_SECTIONS = 2000


@dataclass
class Intent:
    questions: QuestionIndex
    scope: ScopeModel | None
    meta: dict
    conditions: ConditionModel | None = None


def intent_dir(data_dir: Path) -> Path:
    return data_dir / DIR


def file_name(physical: str, fingerprint: str) -> str:
    return f"{physical}.{fingerprint}.npz"


def expected_name(physical: str, knowledge_dir: Path, embedder_name: str) -> str:
    return file_name(physical, fingerprint(knowledge_dir, embedder_name))


def fingerprint(knowledge_dir: Path, embedder_name: str) -> str:
    """Changes with the domain files, the embedder and this module's format."""
    return domain_fingerprint(knowledge_dir, f"{VERSION}:{embedder_name}")


def is_current(
    data_dir: Path, info: dict, physical: str, knowledge_dir: Path, require_file: bool = True
) -> bool:
    """True when the pointer names this build's artefacts for today's domain files, and (unless
    ``require_file`` is False: a shared Chroma server, whose builds other machines made) they exist here."""
    name = info.get(INFO_KEY)
    expected = expected_name(physical, knowledge_dir, str(info.get("embedder", "")))
    return name == expected and (not require_file or (intent_dir(data_dir) / expected).is_file())


# --- building ---------------------------------------------------------------------------------------


class Tally:
    """What the artefacts need of a build's chunks, gathered as the chunks pass by (ingest hands
    over each batch it writes; a rebuild for new domain files reads the metadata page by page):

    - every chunk id, to read the vectors back by id afterwards (8 bytes a chunk: ingest already
      holds the id strings);
    - the chunks of the sections with written questions (the question index points at them);
    - a sample of at most ``MAX_SCOPE_SECTIONS`` headed sections for heading questions: the ones
      whose key hashes lowest, so it is evenly spread, the same in any order, and all of them when
      there are fewer.

    Memory grows with the chunks by one pointer each, not with the number of sections (reading
    every chunk's metadata back at the end of a 50,000-chunk ingest cost ~100 MB)."""

    def __init__(self, written: Collection[SectionKey], sample: int = MAX_SCOPE_SECTIONS) -> None:
        self.written = set(written)
        self.limit = sample
        self.ids: list[str] = []
        self.chunks: dict[SectionKey, list[tuple[int, str]]] = {}  # written sections the build holds
        self._sample: dict[SectionKey, int] = {}
        self._bound = 1 << 64  # a section hashing at or above it can no longer be among the lowest

    def add(self, ids: Sequence[str], metadatas: Sequence[Mapping]) -> None:
        for cid, meta in zip(ids, metadatas, strict=True):
            self.ids.append(cid)
            key = section_key(str(meta.get("source", "")), str(meta.get("section", "")))
            if key in self.written:
                self.chunks.setdefault(key, []).append((int(meta.get("chunk_index", 0)), cid))
            if key[1] and key not in self._sample:
                self._offer(key)

    def _offer(self, key: SectionKey) -> None:
        rank = _rank(key)
        if rank >= self._bound:
            return
        self._sample[key] = rank
        if len(self._sample) > 2 * self.limit:
            self._prune()

    def _prune(self) -> None:
        lowest = sorted(self._sample.items(), key=lambda kv: kv[1])[: self.limit]
        self._sample = dict(lowest)
        if len(lowest) == self.limit:
            self._bound = lowest[-1][1]

    def sampled(self) -> set[SectionKey]:
        self._prune()
        return set(self._sample)


def _rank(key: SectionKey) -> int:
    """A section key's place in the sample: a hash that is the same in every process."""
    return int.from_bytes(hashlib.blake2b("\0".join(key).encode(), digest_size=8).digest(), "little")


def build(
    tally: Tally,
    chunk_vectors: np.ndarray | Iterable[np.ndarray],
    knowledge_dir: Path,
    embedder,
    data_dir: Path,
    physical: str,
    previous: str | None = None,
) -> tuple[str, int]:
    """Embed, train and write the artefacts of one build; returns the file name for the pointer and
    how many texts were embedded (texts the previous file holds reuse its vectors).

    ``tally`` is what the build's chunks told (ids, sections) and ``chunk_vectors`` their vectors
    (one array or pages, any order): the scope model learns from each example's best similarity
    to them."""
    written = load_section_questions(knowledge_dir)
    q_texts: list[str] = []
    q_section: list[int] = []
    in_texts: list[str] = []
    # A large user collection has a section per few chunks: the scope model needs examples of the
    # in-scope shapes, not one per section (1M sections made training take hours), so heading
    # questions come from at most MAX_SCOPE_SECTIONS sections (Tally). Text before any heading
    # has no name.
    sampled = tally.sampled()
    # Only sections with questions are kept: the others are never a nearest section, and keeping
    # every section's chunk ids made each cold ask parse them all.
    kept: list[SectionKey] = []
    for key in sorted(k for k in set(tally.chunks) | sampled if k[1]):
        # Only written questions: heading/lead pseudo-questions lowered dev hit@5 (0.882 -> 0.842).
        questions = written.get(key, [])
        if questions:
            q_section.extend([len(kept)] * len(questions))
            kept.append(key)
        q_texts.extend(questions)
        in_texts.extend(questions)
        if key in sampled:
            in_texts.extend(heading_questions(key[1]))
    # The written questions are the domain's questions whatever the build holds: a collection of a
    # user's own articles (the seeds run) has none of their sections, and without them the model
    # learnt "in scope" from a few heading templates and refused 21 of 90 dev questions there.
    in_texts.extend(q for key, questions in written.items() if key not in tally.chunks for q in questions)
    in_texts.extend(load_scope_situations(knowledge_dir))
    out_texts, chat_texts = load_scope_examples(knowledge_dir)
    domain = load_domain(knowledge_dir)
    signal_texts, signal_labels = examples(domain, written) if domain is not None else ([], [])
    texts = list(dict.fromkeys(q_texts + in_texts + out_texts + chat_texts + signal_texts))
    cache = _cached_vectors(data_dir, previous, embedder.name)
    vectors = _embed(texts, embedder, cache)
    row = {t: i for i, t in enumerate(texts)}
    train_texts = in_texts + out_texts + chat_texts
    counts: list[tuple[Scope, int]] = [
        ("in", len(in_texts)),
        ("out", len(out_texts)),
        ("chat", len(chat_texts)),
    ]
    labels: list[Scope] = [label for label, n in counts for _ in range(n)]
    scope = None
    if in_texts and (out_texts or chat_texts):
        train = vectors[[row[t] for t in train_texts]]
        scope = train_scope(train, best_similarities(train, chunk_vectors), labels)
    conditions = (
        train_conditions(vectors[[row[t] for t in signal_texts]], signal_labels) if signal_texts else None
    )
    meta = {
        "version": VERSION,
        "embedder": embedder.name,
        "physical": physical,
        "sections": [list(key) for key in kept],
        "chunk_ids": [[cid for _, cid in sorted(tally.chunks[key])] for key in kept],
        "questions": len(q_texts),
        "written_sections": len(tally.chunks),
        "training": {"in": len(in_texts), "out": len(out_texts), "chat": len(chat_texts)},
        "conditions": len(conditions.ids) if conditions is not None else 0,
    }
    arrays = {
        "q_vectors": vectors[[row[t] for t in q_texts]]
        if q_texts
        else np.zeros((0, embedder.dim), np.float32),
        "q_section": np.asarray(q_section, dtype=np.int32),
        "q_texts": np.asarray(q_texts, dtype=str) if q_texts else np.zeros(0, dtype="U1"),
        "texts": np.asarray(texts, dtype=object).astype(str) if texts else np.zeros(0, dtype="U1"),
        "text_vectors": vectors,
        "meta": np.asarray(json.dumps(meta)),
    }
    if scope is not None:
        arrays.update({f"scope_{k}": v for k, v in scope.arrays().items()})
    if conditions is not None:
        arrays.update({f"conditions_{k}": v for k, v in conditions.arrays().items()})
    name = file_name(physical, fingerprint(knowledge_dir, embedder.name))
    target = intent_dir(data_dir) / name
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp.npz")
    np.savez(tmp, **arrays)  # type: ignore[arg-type]
    os.replace(tmp, target)
    log.info(
        "intent artefacts %s: %s questions over %s sections of %s chunks, scope trained on %s",
        name,
        len(q_texts),
        len(kept),
        len(tally.ids),
        meta["training"],
    )
    return name, sum(1 for t in texts if t not in cache)


def load_scope_situations(knowledge_dir: Path) -> list[str]:
    """scope.yaml's in-scope examples: situations told in many industries' words (empty when absent)."""
    path = knowledge_dir / SCOPE_FILE
    raw = read_yaml(path) if path.is_file() else None
    entries = raw.get("in_scope") if isinstance(raw, dict) else None
    return [str(item["text"]) for item in entries or []]


def best_similarities(
    vectors: np.ndarray, chunk_vectors: np.ndarray | Iterable[np.ndarray], batch: int = 4096
) -> np.ndarray:
    """Each vector's highest cosine to any chunk (0 for an empty build). ``chunk_vectors`` is one
    array or pages of them (ingest streams a large build's vectors page by page)."""
    if isinstance(chunk_vectors, np.ndarray):
        chunk_vectors = (
            chunk_vectors[start : start + batch] for start in range(0, len(chunk_vectors), batch)
        )
    best = np.full(len(vectors), -1.0, dtype=np.float32)
    seen = False
    for page in chunk_vectors:
        if len(page) and len(vectors):
            sims = vectors @ np.asarray(page, dtype=np.float32).T
            best = np.maximum(best, sims.max(axis=1))
            seen = True
    return best if seen else np.zeros(len(vectors), dtype=np.float32)


def _cached_vectors(data_dir: Path, previous: str | None, embedder_name: str) -> dict[str, np.ndarray]:
    if not previous:
        return {}
    path = intent_dir(data_dir) / previous
    try:
        with np.load(path) as data:
            meta = json.loads(str(data["meta"]))
            if meta.get("embedder") != embedder_name:
                return {}
            return dict(zip(data["texts"].tolist(), data["text_vectors"], strict=True))
    except (OSError, KeyError, ValueError) as exc:
        log.debug("no reusable intent vectors in %s: %s", path, exc)
        return {}


def _embed(texts: list[str], embedder, cache: dict[str, np.ndarray]) -> np.ndarray:
    todo = [t for t in texts if t not in cache]
    if todo:
        fresh = embedder.embed_documents(todo)
        cache = {**cache, **dict(zip(todo, fresh, strict=True))}
    if not texts:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    return np.stack([np.asarray(cache[t], dtype=np.float32) for t in texts])


def remove_unused(data_dir: Path, collection: str, keep: str | None) -> None:
    """Delete a collection's artefact files other than the one its pointer names."""
    folder = intent_dir(data_dir)
    if not folder.is_dir():
        return
    for path in folder.glob(f"{collection}{BUILD_SEP}*.npz"):
        if path.name != keep:
            path.unlink(missing_ok=True)


# --- loading ----------------------------------------------------------------------------------------

_cache: dict[Path, Intent] = {}
_warned: set[Path] = set()  # artefacts already reported unreadable: once per build, not per retrieve
_lock = threading.Lock()


def load(data_dir: Path, info: dict) -> Intent | None:
    """The artefacts a pointer names (cached), or None when it names none or the file is missing."""
    name = info.get(INFO_KEY)
    if not name:
        return None
    path = intent_dir(data_dir) / str(name)
    with _lock:
        found = _cache.get(path)
        if found is not None:
            return found
        try:
            found = _read(path)
        except (OSError, KeyError, ValueError) as exc:
            # Tried again next time (a file that appears is used), but said once: a replica without
            # artefacts retrieves without them every time.
            if path in _warned:
                log.debug("intent artefacts %s unreadable (%s)", path, exc)
            else:
                _warned.add(path)
                log.warning(
                    "intent artefacts %s unreadable (%s): no question index or scope model", path, exc
                )
            return None
        _cache.clear()  # one live build at a time is the common case; keep memory flat
        _cache[path] = found
        return found


def _read(path: Path) -> Intent:
    with np.load(path) as data:
        meta = json.loads(str(data["meta"]))
        questions = QuestionIndex(
            vectors=np.asarray(data["q_vectors"], dtype=np.float32),
            section_of=np.asarray(data["q_section"], dtype=np.int64),
            sections=[(str(a), str(b)) for a, b in meta["sections"]],
            chunk_ids=[list(ids) for ids in meta["chunk_ids"]],
            texts=[str(t) for t in data["q_texts"].tolist()],
        )
        scope = None
        if "scope_weights" in data.files:
            scope = ScopeModel.from_arrays(
                {k: data[f"scope_{k}"] for k in ("mean", "scale", "weights", "bias")}
            )
        conditions = None
        if "conditions_weights" in data.files:
            conditions = ConditionModel.from_arrays(
                {k: data[f"conditions_{k}"] for k in ("ids", "weights", "bias")}
            )
    return Intent(questions=questions, scope=scope, meta=meta, conditions=conditions)
