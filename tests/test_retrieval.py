"""The retriever itself: rank fusion, multi-part questions and each retrieval mode.

The pure tests use hand-made hit lists. The ``real`` ones index four short documents written for the
purpose (tests/data/retrieval/, one topic each) with the real MiniLM model, so every expected
passage follows from the documents' wording, not from today's output. A name found in one chunk of
a thousand is checked on a generated corpus with the hashing embedder (shared words, closer vectors).
"""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import pytest

from advisor.retrieval import CANDIDATES, MODES, RRF_K, Retriever, _fuse, split_question
from advisor.store import Hit, VectorStore
from advisor.text import content_words

CORPUS = Path(__file__).parent / "data" / "retrieval"
COLLECTION = "retrieval-test"
# Shares no content word with dissolution.md (checked below), so only meaning can find it; it shares
# "venture" with failure.md, so bm25 has a (wrong) hit to fuse.
PARAPHRASE = "What happens to property the companies owned together once their shared venture is closed?"
# A made-up name that occurs only in governance.md: only keywords can find it.
KEYWORD = "Quillmark"


def hits(*ids: str) -> list[Hit]:
    return [Hit(id=i, text=i, metadata={}, score=0.0) for i in ids]


# --- rank fusion (pure) ------------------------------------------------------------------------------


def test_fusion_prefers_a_hit_ranked_high_in_both_lists_over_a_single_first_place():
    fused = _fuse([hits("a", "b", "c"), hits("b", "d", "a")])
    # b: 1/(k+2) + 1/(k+1); a: 1/(k+1) + 1/(k+3); d: 1/(k+2); c: 1/(k+3), with k = RRF_K.
    assert [h.id for h, _ in fused] == ["b", "a", "d", "c"]
    scores = {h.id: s for h, s in fused}
    assert scores["b"] == pytest.approx(1 / (RRF_K + 2) + 1 / (RRF_K + 1))
    assert scores["c"] == pytest.approx(1 / (RRF_K + 3))


def test_fusion_of_one_list_keeps_its_order_and_of_none_is_empty():
    assert [h.id for h, _ in _fuse([hits("x", "y", "z")])] == ["x", "y", "z"]
    assert _fuse([[], []]) == []


def test_fusion_keeps_the_first_list_s_hit_for_a_shared_id():
    dense = [Hit(id="a", text="from dense", metadata={}, score=0.9)]
    lexical = [Hit(id="a", text="from bm25", metadata={}, score=7.0)]
    ((hit, _),) = _fuse([dense, lexical])
    assert hit.text == "from dense"  # the dense hit carries the cosine similarity the gate reads


# --- multi-part questions (pure) ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "question, parts",
    [
        (
            "Why do alliances fail, and how should a firm choose a partner?",
            ["Why do alliances fail", "how should a firm choose a partner?"],
        ),
        # a later part's "it" is the first part's thing: alone, "How is it governed?" is about anything
        (
            "What is a joint venture? How is it governed?",
            ["What is a joint venture?", "How is the joint venture governed?"],
        ),
        (
            "What is an equity alliance, and how do we know it is time to leave it?",
            ["What is an equity alliance", "how do we know it is time to leave the equity alliance?"],
        ),
        # a part that leans on the other is no question of its own: asked as one
        (
            "Equity vs non-equity alliances: how do they differ and which is more common?",
            ["Equity vs non-equity alliances: how do they differ and which is more common?"],
        ),
        ("What is a joint venture?", ["What is a joint venture?"]),
        # "and" between nouns is not a second question.
        ("How do trust and control interact?", ["How do trust and control interact?"]),
    ],
)
def test_split_question(question, parts):
    assert split_question(question) == parts


# --- the retriever over a fixed corpus with the real model ------------------------------------------


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory):
    from advisor.config import load_settings
    from advisor.ingest import Ingestor

    data = tmp_path_factory.mktemp("retrieval-data")
    report = Ingestor(load_settings(data_dir=data, embedder="minilm")).run([CORPUS], COLLECTION)
    assert report.ok and len(report.added) == 4, report
    return data


@pytest.fixture
def retriever(corpus_dir):
    from advisor.config import load_settings
    from advisor.embeddings import get_embedder

    settings = load_settings(data_dir=corpus_dir, embedder="minilm")
    return Retriever(VectorStore(settings), get_embedder(settings))


def sources(retriever: Retriever, query: str, mode: str, k: int = 4) -> list[str]:
    found = retriever.retrieve(query, COLLECTION, k, mode)
    return [Path(p.metadata["source"]).name for p in found.passages]


def test_the_paraphrase_shares_no_word_with_its_document():
    assert not set(content_words(PARAPHRASE)) & set(content_words((CORPUS / "dissolution.md").read_text()))
    assert KEYWORD.lower() not in " ".join(p.read_text().lower() for p in CORPUS.glob("[!g]*.md"))


@pytest.mark.real
def test_a_paraphrase_is_found_by_meaning(retriever):
    assert sources(retriever, PARAPHRASE, "dense")[0] == "dissolution.md"


@pytest.mark.real
def test_hybrid_surfaces_a_paraphrase_that_bm25_cannot_see(retriever):
    # failure.md shares "venture" with the question, so it is bm25's only hit and gets both lists'
    # votes; dissolution.md has dense rank 1 only, which still beats any other single vote.
    assert sources(retriever, PARAPHRASE, "hybrid")[:2] == ["failure.md", "dissolution.md"]
    assert "dissolution.md" in sources(retriever, PARAPHRASE, "hybrid-mmr")[:2]


@pytest.mark.real
def test_bm25_cannot_find_a_paraphrase(retriever):
    assert "dissolution.md" not in sources(retriever, PARAPHRASE, "bm25")


@pytest.mark.real
@pytest.mark.parametrize("mode", ["bm25", "hybrid", "hybrid-mmr"])
def test_a_keyword_only_fact_is_found_by_keywords(retriever, mode):
    assert sources(retriever, KEYWORD, mode)[0] == "governance.md"


@pytest.mark.real
def test_hybrid_order_is_the_fusion_of_the_dense_and_bm25_orders(retriever):
    query = "How do partners settle disputes and divide assets?"
    dense = retriever.retrieve(query, COLLECTION, 20, "dense").passages
    bm25 = retriever.retrieve(query, COLLECTION, 20, "bm25").passages
    hybrid = retriever.retrieve(query, COLLECTION, 20, "hybrid").passages
    lists = [[Hit(id=p.id, text=p.text, metadata=p.metadata, score=0.0) for p in ps] for ps in (dense, bm25)]
    assert [p.id for p in hybrid] == [h.id for h, _ in _fuse(lists)]
    assert hybrid[0].score == 1.0 and all(a.score >= b.score for a, b in itertools.pairwise(hybrid))


@pytest.mark.real
@pytest.mark.parametrize("mode", MODES)
def test_each_part_of_a_two_part_question_leads_with_its_own_best_passage(retriever, mode):
    question = "Why do alliances fail, and how should a firm choose a partner?"
    found = retriever.retrieve(question, COLLECTION, 4, mode)
    assert found.heads == [0, 1]
    assert [Path(p.metadata["source"]).name for p in found.passages[:2]] == ["failure.md", "selection.md"]
    assert [p.n for p in found.passages] == list(range(1, len(found.passages) + 1))


@pytest.mark.real
def test_similarity_is_the_cosine_for_every_mode(retriever):
    """bm25 ranks by keywords, but the relevance gate still needs the dense similarity of its best hit."""
    dense = retriever.retrieve(KEYWORD + " ledger", COLLECTION, 1, "dense")
    bm25 = retriever.retrieve(KEYWORD + " ledger", COLLECTION, 1, "bm25")
    assert dense.passages[0].id == bm25.passages[0].id
    assert bm25.best_similarity == pytest.approx(dense.best_similarity, abs=1e-4)
    assert 0.3 < dense.best_similarity <= 1.0  # the passage names the ledger: clearly related


# --- a name in one chunk of a thousand (hashing embedder) ------------------------------------------

NAMED = "What does the Quillmark contract say about leaving the venture?"
COMMON = ("contract", "leaving", "venture")


def write_named_corpus(root: Path, n: int = 1000, decoys: int = 150) -> None:
    """n one-chunk sections of made-up words: one names Quillmark and none of the question's other
    words; ``decoys`` hold the question's three common words and no name; the rest hold neither."""
    rng = random.Random(5)
    syllables = "ka lo mi ter zu ven pa ros del quo ni sar bel tun gor".split()
    vocab = sorted({"".join(rng.choice(syllables) for _ in range(3)) for _ in range(800)})

    def filler(k: int) -> str:
        return " ".join(rng.choice(vocab) for _ in range(k))

    sections = []
    for i in range(n):
        if i == 0:
            body = f"{filler(12)} Quillmark {filler(14)}."
        elif i <= decoys:
            first, second, third = rng.sample(COMMON, 3)
            body = f"{filler(8 + i % 10)} {first} {filler(4)} {second} {third} {filler(8)}."
        else:
            body = f"{filler(28)}."
        sections.append(f"## Note {i}\n\n{body}\n")
    root.mkdir(parents=True)
    for start in range(0, n, 50):
        text = f"# Notes {start // 50}\n\n" + "\n".join(sections[start : start + 50])
        (root / f"notes-{start // 50:02d}.md").write_text(text, encoding="utf-8")


@pytest.fixture
def named_retriever(tmp_path):
    from advisor.config import load_settings
    from advisor.embeddings import get_embedder
    from advisor.ingest import Ingestor

    write_named_corpus(tmp_path / "corpus")
    (tmp_path / "kb").mkdir()  # no domain files: no scope model to train
    settings = load_settings(knowledge_dir=tmp_path / "kb")
    report = Ingestor(settings).run([tmp_path / "corpus"], "names")
    assert report.ok and report.chunks == 1000  # the smallest build in which a word can name (NAMING_SHARE)
    return Retriever(VectorStore(settings), get_embedder(settings))


def named_ranks(retriever: Retriever, mode: str) -> list[int]:
    found = retriever.retrieve(NAMED, "names", CANDIDATES, mode)
    return [p.n for p in found.passages if "Quillmark" in p.text]


def test_a_name_only_one_chunk_holds_leads_hybrid_over_chunks_both_lists_rank_in_the_middle(
    named_retriever,
):
    # The mechanism: keywords rank the named chunk first, the dense list (its words) not at all, and
    # the decoys sit in the middle of both. Plain rank fusion gave the decoys two votes each and put
    # the named chunk 6th; the chunks holding a word that almost no chunk holds are a list of their own.
    assert named_ranks(named_retriever, "bm25") == [1]
    assert named_ranks(named_retriever, "dense") == []
    assert named_ranks(named_retriever, "hybrid") == [1]
    assert named_ranks(named_retriever, "hybrid-mmr") == [1]
