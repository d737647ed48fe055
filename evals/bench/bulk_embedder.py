"""The bench's bulk embedder at MiniLM's width, as a plugin: ``ADVISOR_PLUGINS=evals.bench.bulk_embedder``
makes ``ADVISOR_EMBEDDER=hashing-384`` available (``advisor bench --sizes N --dim 384``).

The hashing embedder has no meaning, so retrieval figures with it say nothing of MiniLM's; but a
vector store's memory, index size and insert cost depend on the vectors' width, not on what they
mean, so a 384-wide bulk build costs what a user's MiniLM build of the same chunks costs there.
"""

from __future__ import annotations

from advisor.embeddings import HashingEmbedder
from advisor.registry import Register


def register_embedders(register: Register) -> None:
    register("hashing-384", lambda settings: HashingEmbedder(384))
