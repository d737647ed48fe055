"""Benchmark material made at run time from real text (nothing here is ever committed).

- ``real_sentences``: the sentences of the bundled knowledge base (and the raw seed articles when
  present), as the loader and cleaner see them.
- ``write_variants``: N copies of real documents with small, seeded word edits, so an ingest
  benchmark embeds a corpus of realistic text large enough that startup does not dominate.
- ``write_corpus``: a synthetic Markdown corpus of exactly ``n_chunks`` chunks (one section = one
  chunk of 450-850 characters) built from shuffled real sentences: the ingest pipeline at scale.
- ``mixed_vectors``: realistic embedding vectors at scale without embedding 100k texts. Each vector
  is ``w * a + (1 - w) * b + noise`` normalised, where ``a`` is a real MiniLM sentence vector,
  ``b`` one of ``a``'s 20 nearest real neighbours, ``w ~ U(0.55, 0.95)`` and the noise is Gaussian
  with ``sigma`` per dimension (the bench uses 0.06; measured at 100k, recall@10 with Chroma's
  default HNSW is 1.0 at sigma 0.03, 0.965 at 0.06 and 0.57 at 0.10, so the figure depends on how
  crowded the neighbourhoods are). The vectors keep MiniLM's topical clusters and anisotropy, which
  uniform random unit vectors (recall 0.12 there: the worst case) do not.
- ``exact_top_k``: brute-force cosine search with numpy, the recall reference.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from advisor.documents import SUPPORTED, load

SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“(])")
SECTIONS_PER_FILE = 50
_SWAPS = (
    ("partner", "ally"),
    ("alliance", "partnership"),
    ("company", "firm"),
    ("important", "vital"),
    ("success", "achievement"),
    ("risk", "exposure"),
    ("value", "benefit"),
    ("goal", "aim"),
)
_TOPIC_WORDS = (
    "governance",
    "trust",
    "equity",
    "licensing",
    "channel",
    "exit",
    "culture",
    "metrics",
    "negotiation",
    "risk",
    "learning",
    "stability",
    "reputation",
    "innovation",
    "supply",
)


def text_files(roots: Sequence[Path]) -> list[Path]:
    files: list[Path] = []
    for root in roots:
        if root.is_dir():
            files.extend(p for p in sorted(root.rglob("*")) if p.suffix.lower() in SUPPORTED and p.is_file())
    return files


def real_sentences(roots: Sequence[Path], min_chars: int = 40, max_chars: int = 400) -> list[str]:
    """Unique prose sentences of the documents under the roots, in reading order."""
    seen: dict[str, None] = {}
    for path in text_files(roots):
        doc = load(path, path.name, 20_000_000)
        for line in doc.text.split("\n"):
            line = line.strip().lstrip("-*+ ").strip()
            if not line or line.startswith(("#", "|", "<!--")):
                continue
            for sentence in SENTENCE_END.split(line):
                if min_chars <= len(sentence) <= max_chars:
                    seen.setdefault(sentence, None)
    return list(seen)


def write_variants(roots: Sequence[Path], target: Path, n_variants: int, seed: int = 7) -> int:
    """Copy every document under the roots into ``target/vNN/``, with seeded word swaps per copy."""
    written = 0
    for variant in range(n_variants):
        rng = random.Random(seed * 1000 + variant)
        folder = target / f"v{variant:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        for path in text_files(roots):
            text = path.read_text(encoding="utf-8", errors="replace")
            for old, new in rng.sample(_SWAPS, 3):
                text = text.replace(f" {old}", f" {new}")
            (folder / path.name).write_text(text, encoding="utf-8")
            written += 1
    return written


def write_corpus(target: Path, n_chunks: int, sentences: Sequence[str], seed: int = 11) -> int:
    """Write Markdown files holding exactly ``n_chunks`` sections of 450-850 chars; return files written."""
    rng = random.Random(seed)
    target.mkdir(parents=True, exist_ok=True)
    usable = [s for s in sentences if len(s) <= 380]
    files = 0
    for start in range(0, n_chunks, SECTIONS_PER_FILE):
        count = min(SECTIONS_PER_FILE, n_chunks - start)
        parts = [f"# Synthetic alliance notes {files:05d}\n"]
        for section in range(count):
            words = rng.sample(_TOPIC_WORDS, 2)
            parts.append(f"## {words[0].title()} and {words[1]} note {start + section}\n")
            parts.append(_paragraph(rng, usable) + "\n")
        (target / f"notes-{files:05d}.md").write_text("\n".join(parts), encoding="utf-8")
        files += 1
    return files


def _paragraph(rng: random.Random, sentences: Sequence[str]) -> str:
    body = ""
    while len(body) < 450:
        sentence = rng.choice(sentences)
        if len(body) + len(sentence) + 1 > 850:
            continue
        body = f"{body} {sentence}".strip()
    return body


def base_texts(sentences: Sequence[str], n: int) -> list[str]:
    """Up to ``n`` real texts: every sentence, then runs of 2, 3 and 4 adjacent sentences (passage-like)."""
    texts = list(sentences[:n])
    for width in (2, 3, 4):
        for start in range(len(sentences) - width + 1):
            if len(texts) >= n:
                return texts
            texts.append(" ".join(sentences[start : start + width]))
    return texts


def mixed_vectors(
    base: np.ndarray, n: int, seed: int, sigma: float = 0.03, neighbours: int = 20, batch: int = 20_000
) -> np.ndarray:
    """``n`` unit vectors, each a noisy blend of a real vector and one of its near neighbours."""
    rng = np.random.default_rng(seed)
    base = np.asarray(base, dtype=np.float32)
    k = min(neighbours, len(base) - 1) or 1
    sims = base @ base.T
    np.fill_diagonal(sims, -np.inf)
    near = np.argpartition(-sims, k - 1, axis=1)[:, :k] if len(base) > 1 else np.zeros((1, 1), int)
    out = np.empty((n, base.shape[1]), dtype=np.float32)
    for start in range(0, n, batch):
        size = min(batch, n - start)
        first = rng.integers(0, len(base), size)
        second = near[first, rng.integers(0, near.shape[1], size)]
        weight = rng.uniform(0.55, 0.95, size).astype(np.float32)[:, None]
        block = weight * base[first] + (1 - weight) * base[second]
        block += rng.normal(0.0, sigma, block.shape).astype(np.float32)
        out[start : start + size] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


def exact_top_k(vectors: np.ndarray, queries: np.ndarray, k: int = 10, batch: int = 50) -> list[list[int]]:
    """Row indices of the k most cosine-similar vectors per query (inputs are unit vectors)."""
    result: list[list[int]] = []
    for start in range(0, len(queries), batch):
        sims = queries[start : start + batch] @ vectors.T
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        for row, cand in zip(sims, top, strict=True):
            result.append([int(i) for i in cand[np.argsort(-row[cand])]])
    return result
