"""Does the persistent keyword index rank like the in-memory BM25 it replaced? On the bundled KB.

    python -m evals.bench.keyword_parity [dev|test|all]     # builds the KB with MiniLM in a temp dir

One index of the bundled knowledge base (real MiniLM), one retriever; the dev split's in-scope
questions are retrieved twice per mode (bm25, hybrid), once with the build's tantivy index and once
with ``advisor.retrieval.LexicalIndex`` (the old in-memory BM25, same words, same doc2query text)
swapped in. Prints hit@5 (expected section among the top 5) for both and how many questions got
a different top-5 (ids and order). Not part of CI; the figures are in the README ("Scaling").
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from advisor.config import load_settings
from advisor.core import Advisor
from advisor.keywords_build import questions_by_chunk
from advisor.retrieval import BuildKeywords, LexicalIndex
from advisor.text import content_words
from evals.quality.gold import load_gold


class _Reference(BuildKeywords):
    """The old in-memory index behind the retriever's keyword interface."""

    def __init__(self, base: BuildKeywords, extra: dict[str, str]) -> None:
        super().__init__(base.store, base.physical, base.index)
        self.lex = LexicalIndex(self.records, extra=extra)

    def hits(self, query: str, k: int) -> list[tuple[str, float]]:
        return [(self.lex.records[i][0], s) for i, s in self.lex.search(query, k)]

    def coverage(self, query: str) -> float:
        words = content_words(query)
        return sum(1 for w in words if w in self.lex.idf) / len(words) if words else 0.0


def main(split: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(data_dir=Path(tmp))
        advisor = Advisor.from_settings(settings)
        advisor.ensure_index()
        retriever = advisor.retriever
        pointer = advisor.store.live(settings.collection)
        new = retriever.lexical(pointer.physical)
        assert new is not None
        old = _Reference(new, questions_by_chunk(settings, pointer.info.get("intent")))
        items = [i for i in load_gold(split=split) if not i.refuse and i.expected]
        for mode in ("bm25", "hybrid"):
            hits = {"tantivy": 0, "in-memory": 0}
            differ = 0
            for item in items:
                expected = {(e.source, e.section) for e in item.expected}
                tops = {}
                for label, index in (("tantivy", new), ("in-memory", old)):
                    retriever._lexical = {pointer.physical: index}
                    found = retriever.retrieve(item.question, settings.collection, 5, mode)
                    tops[label] = [p.id for p in found.passages]
                    keys = {(p.source, p.section.split(" > ")[0]) for p in found.passages}
                    hits[label] += bool(keys & expected)
                differ += tops["tantivy"] != tops["in-memory"]
            n = len(items)
            print(
                f"{split} {mode}: n={n} hit@5 tantivy {hits['tantivy'] / n:.3f} in-memory "
                f"{hits['in-memory'] / n:.3f}; top-5 differs for {differ} question(s)"
            )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "dev")
