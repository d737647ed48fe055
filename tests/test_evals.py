"""The eval harness itself: the gold set is sound, the scorers score hand-made answers as expected,
and the runner works end to end with the hashing embedder on a handful of items."""

from __future__ import annotations

import argparse
from collections import Counter

import numpy as np
import pytest
import yaml

from advisor.answer import Answer, Source
from evals.quality import scorers
from evals.quality.evaluate import ItemResult
from evals.quality.gold import KINDS, load_gold, validate_gold
from evals.quality.summary import by_group, check_gate, summarize


def answer(
    text: str, sources: list[Source], retrieved: list[str] | None = None, refused: bool = False
) -> Answer:
    ids = retrieved if retrieved is not None else [s.id for s in sources]
    return Answer(text=text, refused=refused, sources=sources, session_id="s", retrieved_ids=ids)


def source(n: int, text: str, doc: str = "knowledge/alliance-types.md", id_: str = "") -> Source:
    return Source(n=n, title="T", section="S", source=doc, id=id_ or f"id{n}", score=1.0, text=text)


# -- the gold set -------------------------------------------------------------------------------------


def test_gold_set_is_valid_against_the_knowledge_base(settings):
    items = load_gold()
    assert {i.kind for i in items if not i.refuse and not i.chat} <= set(KINDS)
    assert validate_gold(items, settings.knowledge_dir) == []


def test_gold_set_shape_matches_the_policy(settings):
    items = load_gold()
    in_scope = [i for i in items if not i.refuse]
    # s9-, s11- and s12-: dev-only tuning batches (situations, conversations), outside the split rule
    # and the refusal share the measured set keeps
    split_by_rule = [i for i in items if not i.id.startswith(("s9-", "s11-", "s12-"))]
    assert len(items) >= 90
    assert sum(i.refuse for i in split_by_rule) / len(split_by_rule) >= 0.20
    assert {i.kind for i in in_scope} == {
        "plain",
        "paraphrase",
        "multi",
        "followup",
        "situational",
        "reference",
        "switch",
        "comparison",
        "checklist",
        "smalltalk",  # `expect: chat` items: not refusals, so in_scope here
        "meta",
    }
    assert all(2 <= len(i.turns) <= 3 for i in in_scope if i.kind == "followup")
    docs = {f"knowledge/{p.name}" for p in settings.knowledge_dir.glob("*.md")}
    assert docs == {e.source for i in in_scope for e in i.expected}
    dev_share = sum(i.split == "dev" for i in split_by_rule) / len(split_by_rule)
    assert 0.35 <= dev_share <= 0.45
    for topic in {i.topic for i in items}:
        assert {i.split for i in items if i.topic == topic} == {"dev", "test"}, topic
    assert len(load_gold(split="dev")) + len(load_gold(split="test")) == len(items)


def test_validate_gold_reports_unknown_headings_and_invented_facts(settings, tmp_path):
    path = tmp_path / "gold.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "items": [
                    {
                        "id": "x",
                        "question": "q",
                        "topic": "t",
                        "kind": "plain",
                        "split": "dev",
                        "expected": [{"source": "knowledge/alliance-types.md", "section": "No such heading"}],
                        "key_facts": [["a phrase the knowledge base never uses"]],
                    },
                ]
            }
        )
    )
    problems = validate_gold(load_gold(path), settings.knowledge_dir)
    assert any("No such heading" in p for p in problems)
    assert any("appears in none" in p for p in problems)


# -- scorers --------------------------------------------------------------------------------------


def test_key_fact_recall_ignores_emphasis_dashes_and_case():
    text = "Failure rates run at **60–70 Percent** and stem from *fuzzy objectives*."
    recall, missing = scorers.key_fact_recall(
        text, [["60-70 percent"], ["fuzzy objectives"], ["governance drift"]]
    )
    assert recall == pytest.approx(2 / 3)
    assert missing == [["governance drift"]]
    assert scorers.key_fact_recall(text, [["nothing", "60-70 PERCENT"]])[0] == 1.0


def test_a_hyphen_between_words_reads_as_a_space_on_both_sides():
    text = "Review its cash-flow health and who owns joint IP."
    facts = [["cash flow"], ["joint-ip"], ["cashflow"]]
    assert scorers.key_fact_recall(text, facts) == (pytest.approx(2 / 3), [["cashflow"]])
    assert scorers.key_fact_recall("Failure rates of 60-70 percent.", [["60-70 percent"]])[0] == 1.0


def test_citation_validity():
    s1, s2 = source(1, "a"), source(2, "b")
    assert scorers.citation_valid(answer("One [1]. Two [2].", [s1, s2])) is True
    assert scorers.citation_valid(answer("One [1]. Three [3].", [s1, s2])) is False  # [3] was not returned
    assert scorers.citation_valid(answer("One [1].", [s1], retrieved=["other"])) is False  # not retrieved
    assert scorers.citation_valid(answer("No citations at all.", [s1])) is False
    assert scorers.citation_valid(answer("Refused.", [], refused=True)) is None


def test_citation_correctness_checks_the_expected_document():
    a = answer("x [1]", [source(1, "a", doc="knowledge/case-studies.md")])
    assert scorers.citation_correct(a, {"knowledge/case-studies.md"}) is True
    assert scorers.citation_correct(a, {"knowledge/alliance-types.md"}) is False


def test_retrieval_scores():
    doc = "knowledge/a.md"
    ranking = [(doc, {"Other"}), ("knowledge/b.md", {"Target"}), (doc, {"Target"}), (doc, {"Target"})]
    expected = [(doc, "Target")]
    assert scorers.hit_at_k(ranking, expected, 2) == 0.0
    assert scorers.hit_at_k(ranking, expected, 3) == 1.0
    assert scorers.reciprocal_rank(ranking, expected) == pytest.approx(1 / 3)
    dcg = 1 / np.log2(4) + 1 / np.log2(5)
    assert scorers.ndcg_at_k(ranking, expected, 10, n_relevant=2) == pytest.approx(dcg / (1 + 1 / np.log2(3)))
    assert scorers.ndcg_at_k([(doc, {"Other"})], expected, 10, n_relevant=1) == 0.0
    assert scorers.top_section("Seven signs > 1. Strategic misalignment") == "Seven signs"


def test_grounded_facts_checks_numbers_and_names_against_the_cited_passage():
    s1 = source(1, "Panasonic put $30 million into Tesla.")
    s2 = source(2, "Google formed a joint venture with GlaxoSmithKline in 2016.")
    good = answer("The investment was $30 million from Panasonic [1].", [s1, s2])
    assert scorers.grounded_facts(good) == (2, 2)
    wrong = answer("The investment was $40 million from Panasonic [1]. It began in 2016 [1].", [s1, s2])
    assert scorers.grounded_facts(wrong) == (1, 3)  # 40 is invented; 2016 is in [2], not the cited [1]


def test_sentence_support_uses_the_embedder_and_threshold():
    vocab = ["coffee", "alliance", "tesla"]

    def embed(texts):
        vectors = np.array([[t.lower().count(w) for w in vocab] for t in texts], dtype=np.float32) + 1e-6
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    a = answer("A coffee alliance [1]. Tesla builds cars [1].", [source(1, "coffee alliance story")])
    assert scorers.sentence_support(a, embed, 0.9) == (1, 2)


def test_refusal_scores():
    pairs = [(True, True), (True, False), (False, True), (False, False), (False, False), (False, False)]
    got = scorers.refusal_scores(pairs)
    assert got == {"refusal_precision": 0.5, "refusal_recall": 0.5, "false_refusal_rate": 0.25}


def test_gate_reports_measured_values_and_gaps():
    row = {
        "hit@5": 0.9,
        "key_fact_recall": 0.95,
        "lead_hit": 0.95,
        "answer_words_p50": 150.0,
        "citation_validity": 1.0,
        "refusal_recall": 1.0,
        "false_refusal_rate": 0.10,
        "false_refusal_situational": 0.0,
        "followup_success": None,
        "smalltalk_handled": 1.0,
        "grounding_faithful_kept": 0.95,
        "grounding_unfaithful_dropped": 0.96,
    }
    misses = check_gate(row)
    assert "hit@5: 0.900 < 0.97 (gap 0.070)" in misses
    assert "answer_words_p50: 150.000 > 120.00 (over by 30.000)" in misses
    assert "false_refusal_rate: 0.100 > 0.01 (over by 0.090)" in misses
    assert any(m.startswith("followup_success: not measured") for m in misses)
    assert len(misses) == 4


def test_sentences_count_a_table_row_as_one_and_skip_the_rule():
    text = (
        "Joint ventures create an entity [1]. Partners share it.\n\n"
        "| Type | Example |\n|---|---|\n| JV | Galvani [2] |"
    )
    assert scorers.sentences(text) == [
        ("Joint ventures create an entity .", [1]),
        ("Partners share it.", []),
        ("Type ; Example", []),
        ("JV ; Galvani", [2]),
    ]


def test_lead_hit_looks_at_the_first_two_sentences_only():
    text = "Alliances vary. They differ in **ownership** [1]. A joint venture is a new entity [1]."
    assert scorers.lead_hit(text, [["ownership"]]) is True
    assert scorers.lead_hit(text, [["new entity"]]) is False
    assert scorers.lead_hit(text, []) is None


def test_answer_words_leave_out_citations_and_markdown():
    text = (
        "## Answer\n\n- **Joint ventures** create a *new* entity [1] [2].\n\n| a | b |\n|---|---|\n| c | d |"
    )
    assert scorers.answer_words(text) == 1 + 6 + 4  # the heading's word, the bullet's, the cells'


def result(id_: str, kind: str, **fields) -> ItemResult:
    base = {"topic": "t", "split": "dev", "refuse_expected": False, "question": "q"}
    return ItemResult(id=id_, kind=kind, **(base | fields))


def test_summary_scores_chat_apart_and_reports_length_lead_and_situational_refusals():
    results = [
        result("a", "plain", hit5=1.0, key_fact_recall=1.0, lead_hit=True, words=80, citation_valid=True),
        result("b", "situational", hit5=1.0, key_fact_recall=0.0, lead_hit=False, refused=True),
        result(
            "c", "situational", hit5=0.0, key_fact_recall=0.5, lead_hit=True, words=200, citation_valid=True
        ),
        result("d", "off-topic", refuse_expected=True, refused=True),
        result("e", "smalltalk", chat=True, chat_ok=True, words=8),
        result("f", "meta", chat=True, chat_ok=False, refused=True),
    ]
    row = summarize(results)
    assert (row["in_scope"], row["out_of_scope"], row["chat"]) == (3, 1, 2)
    assert row["hit@5"] == 2 / 3 and row["lead_hit"] == 2 / 3
    assert row["answer_words_p50"] == 140 and row["answer_words_p90"] == 188
    assert row["false_refusal_situational"] == 0.5 and row["false_refusal_rate"] == 1 / 3
    assert row["smalltalk_handled"] == 0.5
    assert row["refusal_precision"] == 0.5  # the refused chat item is not counted as a refusal
    kinds = by_group(results, "kind", everything=True)
    assert set(kinds) == {"plain", "situational", "off-topic", "smalltalk", "meta"}
    assert kinds["situational"]["refused"] == 0.5 and kinds["situational"]["words_p50"] == 200
    assert kinds["off-topic"]["refused"] == 1.0 and kinds["off-topic"]["hit@5"] is None


def test_baseline_chunks_belong_to_every_section_they_overlap():
    from evals.quality.baseline import overlapping, sections_of

    text = "# T\nintro\n## One\naaaa\n## Two\nbbbb\n"
    spans = sections_of(text)
    assert [name for _, _, name in spans] == ["One", "Two"]
    assert overlapping(spans, text.index("aaaa"), 12) == "One | Two"
    assert overlapping(spans, 0, 5) == ""


# -- the runner, with the hashing embedder -----------------------------------------------------------


def pick(ids: list[str]):
    items = {i.id: i for i in load_gold()}
    return [items[i] for i in ids]


def test_evaluate_engine_scores_a_handful_of_items(advisor, tmp_path):
    from evals.quality.evaluate import evaluate_engine
    from evals.quality.report import write_report
    from evals.quality.runner import Run

    items = pick(["typ-ownership", "case-nestle", "fu-drift", "oos-banana-bread", "oos-inject-prompt"])
    results = evaluate_engine(advisor, items, "extractive", advisor.settings.collection)
    by_id = {r.id: r for r in results}
    assert by_id["oos-banana-bread"].refused and by_id["oos-inject-prompt"].refused
    assert by_id["typ-ownership"].hit5 == 1.0 and by_id["typ-ownership"].key_fact_recall == 1.0
    assert by_id["fu-drift"].turns == 2 and by_id["fu-drift"].followup_ok is True
    assert all(r.citation_valid for r in results if not r.refused)
    assert all("total_ms" in r.timings for r in results)
    # a question made only of an injection is refused before any search
    assert all({"embed_ms", "search_ms"} <= set(r.timings) for r in results if r.id != "oos-inject-prompt")
    row = summarize(results)
    assert row["items"] == 5 and row["refusal_recall"] == 1.0 and row["citation_validity"] == 1.0
    # hit@5 averages the three in-scope items only: the two refused ones have no expected section.
    in_scope = [by_id[i].hit5 for i in ("typ-ownership", "case-nestle", "fu-drift")]
    assert row["in_scope"] == 3 and row["hit@5"] == pytest.approx(sum(in_scope) / 3)
    assert row["followup_success"] == 1.0
    path = write_report(
        tmp_path / "r",
        [Run("extractive", results, row, gate=check_gate(row)), Run("nope", skipped="no such engine")],
        {
            "stamp": "t",
            "split": "dev",
            "embedder": "hashing",
            "retrieval": "hybrid",
            "top_k": 5,
            "scope_threshold": 0.9,
        },
    )
    text = path.read_text()
    assert "| extractive | 5 |" in text and "nope: skipped (no such engine)" in text
    assert {"per_topic.png", "engines.png", "latency.png", "results.json"} <= {
        p.name for p in path.parent.iterdir()
    }


def eval_args(**overrides) -> argparse.Namespace:
    base = {
        "engines": None,
        "collection": None,
        "split": "dev",
        "seeds": False,
        "no_baseline": True,
        "gate": False,
        "json": False,
        "seeds_dir": None,
        "from_feedback": None,
    }
    return argparse.Namespace(**(base | overrides))


def test_unavailable_engines_are_reported_as_skipped(settings, capsys):
    from evals.quality.runner import main

    assert main(eval_args(engines=["no-such-engine"]), settings) == 0
    out = capsys.readouterr().out
    assert "no-such-engine: skipped (unknown engine 'no-such-engine'" in out
    assert list((settings.data_dir / "reports").glob("*/report.md"))


def test_seeds_run_is_skipped_with_a_message_when_the_folder_is_absent(settings, tmp_path, capsys):
    from evals.quality.runner import run_seeds

    runs = run_seeds(
        eval_args(seeds_dir=str(tmp_path / "missing")), settings, None, [], ["extractive"], tmp_path
    )
    assert [r.skipped for r in runs] == [f"no seed articles at {tmp_path / 'missing'} (pass --seeds-dir DIR)"]
    assert "seeds run skipped" in capsys.readouterr().err


def test_from_feedback_writes_review_candidates_for_downvotes_only(settings, tmp_path, capsys):
    from advisor.feedback import Feedback, FeedbackStore
    from evals.quality.runner import main

    store = FeedbackStore(settings.data_dir)
    store.record(Feedback(vote="down", question="What is a JV?", answer="Wrong [1]", source_ids=["a1"]))
    store.record(Feedback(vote="down", question="What is a JV?", answer="Wrong [1]", source_ids=["a1"]))
    store.record(Feedback(vote="up", question="Good one?", answer="Yes [1]", source_ids=["b"]))
    out = tmp_path / "cands.yaml"
    assert main(eval_args(from_feedback=str(out)), settings) == 0
    entries = yaml.safe_load(out.read_text())["candidates"]
    assert [e["question"] for e in entries] == ["What is a JV?"]
    assert entries[0]["answer_given"] == "Wrong [1]" and entries[0]["cited_ids"] == ["a1"]
    assert entries[0]["needs_review"] is True and "key_facts" not in entries[0]
    assert "wrote 1 gold-set candidate" in capsys.readouterr().out


def test_out_of_scope_items_cover_every_category():
    counts = Counter(i.kind for i in load_gold() if i.refuse)
    for category in (
        "general",
        "payroll",
        "tax",
        "marketing-seo",
        "coding",
        "sport",
        "recipe",
        "weather",
        "stocks",
        "injection",
    ):
        assert counts[category] >= 2, category


def test_a_labelled_situation_counts_when_the_answer_names_one_of_its_conditions(settings):
    from evals.quality.evaluate import condition_names, diagnosis_named
    from evals.quality.gold import GoldItem

    names = condition_names(settings.knowledge_dir)
    item = GoldItem(
        id="s", turns=["q"], topic="failure", kind="situational", split="dev", diagnosis=["paper-partnership"]
    )

    def shown(*items: str, refused: bool = False) -> Answer:
        return Answer(text="t", refused=refused, sources=[], session_id="s", items=list(items))

    assert diagnosis_named(shown("Paper partnership"), item, names) is True
    assert diagnosis_named(shown("Strategy drift", "paper partnership:"), item, names) is True
    assert diagnosis_named(shown("Strategy drift"), item, names) is False
    assert diagnosis_named(shown("Paper partnership", refused=True), item, names) is False
    unlabelled = GoldItem(id="u", turns=["q"], topic="failure", kind="situational", split="dev")
    assert diagnosis_named(shown("Paper partnership"), unlabelled, names) is None
    # every label in the gold set is a condition of the domain layer
    assert {d for i in load_gold() for d in i.diagnosis} <= set(names)
