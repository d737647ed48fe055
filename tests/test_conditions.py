"""The condition model: trained at ingest on the situation signals, read by the diagnosis."""

from __future__ import annotations

import numpy as np

from advisor import intent
from advisor.conditions import NONE, ConditionModel, examples, train_conditions
from advisor.embeddings import HashingEmbedder
from advisor.situations import diagnose, told_to_the_model


def like(*signals: str):
    return lambda texts: [0.9 if t in signals else 0.3 for t in texts]


def _trained(domain):
    texts, labels = examples(domain)
    vectors = HashingEmbedder().embed_documents(texts)
    return train_conditions(vectors, labels), texts, labels


def test_every_described_condition_is_a_class_and_each_learns_its_own_examples(domain):
    model, texts, labels = _trained(domain)
    assert model is not None
    assert set(model.ids) == {i.id for i in domain.items.values() if i.described}
    embedder = HashingEmbedder()
    hits = 0
    for text, label in zip(texts, labels, strict=True):
        logp = model.log_probabilities(embedder.embed_query(text))
        hits += max(logp, key=lambda cid: logp[cid]) == label
    assert hits / len(texts) >= 0.95, hits / len(texts)


def test_training_is_deterministic_and_the_arrays_round_trip(domain):
    first, _, _ = _trained(domain)
    second, _, _ = _trained(domain)
    assert first is not None and second is not None
    assert np.array_equal(first.weights, second.weights) and np.array_equal(first.bias, second.bias)
    again = ConditionModel.from_arrays(first.arrays())
    vector = HashingEmbedder().embed_query("they never answer our emails since we signed")
    assert again.log_probabilities(vector) == first.log_probabilities(vector)


def test_one_condition_is_nothing_to_tell_apart():
    assert train_conditions(np.eye(3, dtype=np.float32), ["a", "a", "a"]) is None


def test_the_model_outranks_a_single_near_signal_of_another_condition(domain):
    """One close signal of the wrong condition no longer decides: the model reads the whole message."""
    question = "We partnered with a rival and both sides hold back everything. What now?"
    scope = domain.items["unclear-scope"]
    inertia = domain.items["collaborative-inertia"]
    home = [(c.source, c.section) for c in (*scope.cites, *inertia.cites)]
    nearest = lambda texts: [0.55 if t == scope.signals[0] else 0.3 for t in texts]  # noqa: E731
    assert [m.item.id for m in diagnose(domain, question, nearest, home)][:1] == ["unclear-scope"]

    def likely(text: str) -> dict[str, float]:
        return {i: (np.log(0.8) if i == inertia.id else np.log(0.2 / 40)) for i in domain.items}

    found = diagnose(domain, question, nearest, home, likelihood=likely)
    assert [m.item.id for m in found][:1] == ["collaborative-inertia"]


def test_ingest_trains_the_model_and_the_advisor_diagnoses_with_it(advisor, settings):
    pointer = advisor.store.pointer(settings.collection)
    artefacts = intent.load(settings.data_dir, pointer.info)
    assert artefacts is not None and artefacts.conditions is not None
    assert artefacts.meta["conditions"] == len(artefacts.conditions.ids) > 30
    assert advisor.retriever.conditions(settings.collection) is artefacts.conditions
    signal = advisor._domain(settings.collection).items["paper-partnership"].signals[0]
    answer = advisor.ask(f"About our alliance with a distributor: {signal}. What should we do?")
    assert "paper partnership" in answer.text.split("\n")[0].lower(), answer.text


def test_questions_of_sections_no_condition_cites_are_the_none_class(domain):
    cited = next(iter(domain.items["paper-partnership"].cites))
    questions = {
        (cited.source, cited.section): ["what is a paper partnership?"],
        ("alliance-types.md", "Somewhere no condition cites"): ["what kinds of alliance are there?"],
    }
    texts, labels = examples(domain, questions)
    assert [t for t, label in zip(texts, labels, strict=True) if label == NONE] == [
        "what kinds of alliance are there?"
    ]


def test_a_message_the_model_reads_as_no_condition_gets_no_diagnosis(domain):
    signal = domain.items["paper-partnership"].signals[0]
    question = "We launched it in March and since then silence. What now?"
    home = [(c.source, c.section) for c in domain.items["paper-partnership"].cites]

    def reading(none: float):
        return lambda text: {NONE: np.log(none), "paper-partnership": np.log(1 - none)}

    assert diagnose(domain, question, like(signal), home, likelihood=reading(0.3))
    assert diagnose(domain, question, like(signal), home, likelihood=reading(0.7)) == []


def test_a_long_message_the_wording_misses_is_a_situation_when_the_model_is_sure(domain):
    told = (
        "Procurement lead here. The agreement is 212 pages and ops needs weeks of redlines per tweak. Ideas?"
    )
    sure = lambda text: {"contract-over-engineering": np.log(0.8), NONE: np.log(0.2)}  # noqa: E731
    unsure = lambda text: {"contract-over-engineering": np.log(0.4), NONE: np.log(0.6)}  # noqa: E731
    stage = lambda text: {"align": np.log(0.8), NONE: np.log(0.2)}  # noqa: E731
    assert told_to_the_model(domain, told, sure)
    assert not told_to_the_model(domain, told, unsure)
    assert not told_to_the_model(domain, told, stage)  # where an alliance is, not what is wrong with it
    assert not told_to_the_model(domain, "Our agreement is 212 pages. Ideas?", sure)  # too short to tell
    lookup = told.removesuffix(" Ideas?") + " Which stage would that be?"
    assert not told_to_the_model(domain, lookup, sure)  # it looks something up
