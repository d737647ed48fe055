"""The scope decision and the question index: training, routing, fusion, and build artefacts.

Plumbing runs on the hashing embedder (hashed bags of words); routing of clear cases and the shipped
calibration run on the real MiniLM model (marked ``real``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from advisor import intent
from advisor.acts import request_act
from advisor.guard import REFUSAL
from advisor.questions import QuestionIndex, heading_questions, load_section_questions
from advisor.scope import Scope, decide, train_scope
from advisor.understand import read_question

REPO = Path(__file__).resolve().parents[1]


def _toy_data():
    rng = np.random.default_rng(0)
    centres = np.eye(3, 8)
    x = np.concatenate([c + 0.1 * rng.standard_normal((20, 8)) for c in centres])
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    labels = ["in"] * 20 + ["out"] * 20 + ["chat"] * 20
    sims = np.concatenate([np.full(20, 0.6), np.full(20, 0.3), np.full(20, 0.1)])
    return x.astype(np.float32), sims, labels


def test_training_is_deterministic_and_separates_classes():
    x, sims, labels = _toy_data()
    first, second = train_scope(x, sims, labels), train_scope(x, sims, labels)
    assert np.array_equal(first.weights, second.weights) and np.array_equal(first.bias, second.bias)
    predicted = first.predict(x, sims).argmax(axis=1)
    assert (predicted == np.repeat([0, 1, 2], 20)).mean() == 1.0


def test_decide():
    probs: dict[Scope, float] = {"in": 0.2, "out": 0.75, "chat": 0.05}
    assert decide(probs, 0.5, threshold=0.9, floor=0.1) == "in"
    assert decide(probs, 0.5, threshold=0.7, floor=0.1) == "out"
    assert decide(probs, 0.05, threshold=0.9, floor=0.1) == "out"
    assert decide({"in": 0.02, "out": 0.03, "chat": 0.95}, 0.5, threshold=0.9, floor=0.1) == "chat"
    assert decide({"in": 0.3, "out": 0.2, "chat": 0.5}, 0.5, threshold=0.9, floor=0.1) == "in"
    # neither confident small talk nor in scope: P(in) below 1 - threshold
    assert decide({"in": 0.05, "out": 0.4, "chat": 0.55}, 0.5, threshold=0.9, floor=0.1) == "out"


def test_decide_refuses_acts_the_knowledge_base_cannot_perform_whatever_the_topic():
    confident_in: dict[Scope, float] = {"in": 0.99, "out": 0.01, "chat": 0.0}
    asked = "Could you write the termination clause for our joint venture agreement?"
    assert decide(confident_in, 0.8, threshold=0.9, floor=0.1, query=asked) == "out"
    situation = "Our joint venture partner keeps missing board meetings. What should we do?"
    assert decide(confident_in, 0.8, threshold=0.9, floor=0.1, query=situation) == "in"
    # a build without a scope model: the act and the similarity floor decide
    assert decide(None, 0.8, threshold=0.9, floor=0.1, query=asked) == "out"
    assert decide(None, 0.8, threshold=0.9, floor=0.1, query=situation) == "in"
    assert decide(None, 0.05, threshold=0.9, floor=0.1, query=situation) == "out"


@pytest.mark.parametrize(
    ("request_text", "act"),
    [
        ("Please draft a side letter extending our reseller's territory.", "draft"),
        ("can you write up the press release for the co-marketing launch", "draft"),
        ("I need you to prepare a memorandum of understanding with the university.", "draft"),
        ("What's the standard wording for a change-of-control clause?", "draft"),
        ("Could you check our licensing agreement for anything unusual?", "review"),
        ("Here's the attached term sheet from our partner, thoughts?", "review"),
        ("Would a non-compete with our distributor be enforceable in France?", "review"),
        ("Which CRM should the partnerships team adopt?", "pick"),
        ("What's the best partner portal software for a mid-size channel?", "pick"),
        ("Recommend a law firm for our JV in Brazil.", "pick"),
        ("List some packaging suppliers in Poland we could work with.", "pick"),
        ("Any news on the Airbus and Tata tie-up?", "news"),
        ("Did Unilever sign any new alliances last month?", "news"),
        ("anything new on the Siemens and Bosch deal?", "news"),
        ("what's new with the Renault Nissan alliance", "news"),
        ("Are Panasonic and Tesla still working together?", "news"),
        ("Is the Microsoft OpenAI partnership in trouble these days?", "news"),
        ("What's the current valuation of our partner?", "news"),
        ("How is revenue from a licence fee taxed in Singapore?", "advice"),
        ("How much parental leave should our JV staff get?", "advice"),
        ("Should we raise a seed round before approaching corporate partners?", "advice"),
        ("Should I buy shares in our biggest partner?", "advice"),
        ("What's Nvidia's share price right now?", "news"),
        ("Is the Sony and Honda alliance doing well right now?", "news"),
        ("How do we raise our next round without upsetting our corporate partner?", "advice"),
    ],
)
def test_request_act_recognises_acts(request_text, act):
    assert request_act(request_text) == act


@pytest.mark.parametrize(
    "situation",
    [
        "I'm drafting our alliance strategy for the board. Which alliance types should I cover?",
        "Our reseller keeps running out of stock and blames our forecasts. How do we fix this?",
        "The partner is withholding sales data from the joint team. Is that a warning sign?",
        "Should we take a minority stake in our supplier to secure capacity?",
        "Which tool do good alliances use to measure whether the partnership works?",
        "What's the best way to choose a distributor for a new market?",
        "Our partner's CEO was in the news last month for fraud. Should we walk away?",
        "We heard rumours our partner is being acquired. Anything new we should plan for?",
        "What is new about the five-stage lifecycle compared with older models?",
        "Is the Starbucks and Nestle alliance still a good example of a rights carve-out?",
        "Our partner Acme recently stopped replying to our emails. What now?",
        "Can you summarise why alliances fail?",
        # the asker's own partner, told of: no live news, no fundraising advice asked for
        "Things with our partner are great right now. What would an exit clause even cover?",
        "contract signed last week with a payments partner in Poland. what should the first 90 days be?",
        "contract with Orbis Health signed last week. now it's week 1 and both teams look lost. what now?",
        "Option B: lovely people, well known in the market, but their last funding round just fell through.",
    ],
)
def test_request_act_leaves_in_domain_questions_alone(situation):
    assert request_act(situation) is None


def test_acts_never_fire_on_the_written_in_domain_questions():
    knowledge = REPO / "knowledge"
    written = [q for questions in load_section_questions(knowledge).values() for q in questions]
    situations = intent.load_scope_situations(knowledge)
    assert len(written) > 300 and len(situations) >= 50
    assert [q for q in written + situations if request_act(q)] == []


def test_question_index_ranks_sections_then_chunks():
    vectors = np.eye(3, 4, dtype=np.float32)
    index = QuestionIndex(
        vectors=vectors,
        section_of=np.array([0, 1, 1]),
        sections=[("a.md", "A"), ("b.md", "B")],
        chunk_ids=[["a1", "a2"], ["b1", "b2", "b3"]],
    )
    query = np.array([0.0, 1.0, 0.0, 0.0], dtype=np.float32)
    assert index.nearest_sections(query)[0] == (1, 1.0)
    assert index.ranked_chunk_ids(query, 4, prefer=["b3"]) == ["b3", "b1", "b2", "a1"]


def test_the_tally_keeps_written_sections_chunks_and_a_bounded_sample_the_same_in_any_order():
    written = {("a.md", "Governance")}
    chunks = [(f"c{i}", {"source": f"/k/{i % 4}.md", "section": f"Part {i} > Detail"}) for i in range(40)]
    chunks += [
        ("g2", {"source": "/k/a.md", "section": "Governance > Boards", "chunk_index": 2}),
        ("g1", {"source": "/k/a.md", "section": "Governance", "chunk_index": 1}),
        ("intro", {"source": "/k/a.md", "section": ""}),  # text before any heading: never sampled
    ]
    samples = []
    for order in (chunks, chunks[::-1]):
        tally = intent.Tally(written, sample=5)
        for start in range(0, len(order), 7):
            page = order[start : start + 7]
            tally.add([cid for cid, _ in page], [meta for _, meta in page])
        assert sorted(tally.ids) == sorted(cid for cid, _ in chunks)
        assert sorted(tally.chunks[("a.md", "Governance")]) == [(1, "g1"), (2, "g2")]
        samples.append(tally.sampled())
    assert samples[0] == samples[1] and len(samples[0]) == 5
    assert all(heading for _, heading in samples[0])
    few = intent.Tally(written, sample=50)
    few.add([cid for cid, _ in chunks], [meta for _, meta in chunks])
    assert len(few.sampled()) == 41  # fewer sections than the sample: all of them


def test_heading_questions():
    assert heading_questions("Why alliances fail") == [
        "Why alliances fail?",
        "can you explain why alliances fail?",
    ]
    assert "What about joint ventures?" in heading_questions("Joint ventures")


# --- plumbing on the hashing embedder ----------------------------------------------------------------

DOC = """# Zoo handbook

## Feeding the animals

Give hay twice a day. Clean bowls every morning before the keepers arrive. Fresh water goes into
every enclosure at noon, and the vet checks the diet sheets on Mondays so that no animal is fed twice
by two different keepers on the same shift.

## Opening hours

The gates open at nine and close at six, every day of the year except holidays. Last entry is an
hour before closing, and the ticket office shuts at the same time; members may enter through the
side gate from half past eight on weekdays.
"""

QUESTIONS = """sections:
  - doc: zoo.md
    section: "Feeding the animals"
    questions:
      - what do quaggas munch on?
      - how often should zebras get fodder?
  - doc: zoo.md
    section: "Opening hours"
    questions:
      - when can visitors come in?
"""

SCOPE = """in_scope:
  - {kind: situation, text: "The zebra breeder we trade foals with stopped answering. What now?"}
out_of_scope:
  - {category: tax, text: "How do we file our corporate tax return?"}
  - {category: general, text: "Who won the football world cup?"}
chat:
  - {kind: greeting, text: "hello there"}
  - {kind: thanks, text: "thanks a lot"}
"""


@pytest.fixture
def zoo(tmp_path):
    from advisor.config import load_settings

    knowledge = tmp_path / "zoo"
    (knowledge / "_domain").mkdir(parents=True)
    (knowledge / "zoo.md").write_text(DOC)
    (knowledge / "_domain" / "questions.yaml").write_text(QUESTIONS)
    (knowledge / "_domain" / "scope.yaml").write_text(SCOPE)
    return load_settings(knowledge_dir=knowledge, collection="zoo")


def _ingest(settings):
    from advisor.ingest import Ingestor
    from advisor.store import VectorStore

    store = VectorStore(settings)
    Ingestor(settings, store=store).run()
    return store, store.pointer("zoo")


def test_ingest_stores_artefacts_and_question_index_fuses(zoo):
    from advisor.core import Advisor

    store, pointer = _ingest(zoo)
    name = pointer.info[intent.INFO_KEY]
    assert name.startswith(pointer.physical) and (intent.intent_dir(zoo.data_dir) / name).is_file()
    found = intent.load(zoo.data_dir, pointer.info)
    assert found is not None and found.scope is not None
    assert found.meta["training"] == {"in": 3 + 8 + 1, "out": 2, "chat": 2}
    # "quaggas munch" shares no word with the section's text: only its written question finds it.
    advisor = Advisor.from_settings(zoo, store=store)
    retrieval = advisor.retriever.retrieve("what do quaggas munch on", "zoo", 2)
    feeding = [p for p in retrieval.passages if p.section == "Feeding the animals"]
    assert feeding and feeding[0].score == 1.0  # top of the fused ranking (ties with dense's top)
    assert retrieval.question_similarity > 0.9
    dense = advisor.retriever.retrieve("what do quaggas munch on", "zoo", 2, mode="dense")
    assert dense.question_similarity == retrieval.question_similarity
    assert retrieval.scope is not None and set(retrieval.scope) == {"in", "out", "chat"}


def test_missing_artefacts_are_reported_once_per_build_and_used_once_they_appear(zoo, caplog):
    """A replica on another data dir has no artefacts: said once, not on every retrieve."""
    from advisor.retrieval import Retriever

    store, pointer = _ingest(zoo)
    path = intent.intent_dir(zoo.data_dir) / pointer.info[intent.INFO_KEY]
    aside = path.with_name("aside.npz")
    path.rename(aside)
    intent._cache.clear()  # this process loaded them while ingesting
    retriever = Retriever(store, _embedder(zoo))
    with caplog.at_level("WARNING", logger="advisor.intent"):
        for _ in range(4):
            assert retriever.retrieve("what do zebras eat", "zoo", 2).passages
    assert [r.message.count("unreadable") for r in caplog.records] == [1]
    aside.rename(path)  # copied in later: used from the next retrieve
    assert retriever.retrieve("what do quaggas munch on", "zoo", 2).question_similarity > 0.9


def test_chat_and_out_of_scope_plumbing(zoo):
    from advisor.core import Advisor

    store, _ = _ingest(zoo)
    advisor = Advisor.from_settings(zoo, store=store)
    assert advisor.ask("hello there", collection="zoo").kind == "chat"
    refused = advisor.ask("How do we file our corporate tax return?", collection="zoo")
    assert refused.refused and refused.text == REFUSAL
    answered = advisor.ask("how often should zebras get fodder?", collection="zoo")
    assert not answered.refused
    drafting = advisor.ask(
        "Please draft an email telling keepers how often zebras get fodder.", collection="zoo"
    )
    assert drafting.refused and drafting.text == REFUSAL


def test_artefacts_switch_with_the_build_and_follow_the_domain_files(zoo):
    from advisor.ingest import knowledge_is_stale

    store, first = _ingest(zoo)
    assert not knowledge_is_stale(zoo, store, "zoo")
    questions = zoo.knowledge_dir / "_domain" / "questions.yaml"
    questions.write_text(QUESTIONS + "      - is the zoo open on sundays?\n")
    assert knowledge_is_stale(zoo, store, "zoo")
    _, second = _ingest(zoo)
    assert second.physical == first.physical  # the chunks did not change: no new build
    assert second.info[intent.INFO_KEY] != first.info[intent.INFO_KEY]
    found = intent.load(zoo.data_dir, second.info)
    assert found is not None and found.meta["questions"] == 4
    (zoo.knowledge_dir / "zoo.md").write_text(DOC + "\n## Parking\n\nThe car park is behind the gift shop.\n")
    _, third = _ingest(zoo)
    assert third.physical != second.physical
    assert third.info[intent.INFO_KEY].startswith(third.physical)
    files = sorted(p.name for p in intent.intent_dir(zoo.data_dir).glob("*.npz"))
    assert files == [third.info[intent.INFO_KEY]]  # the old builds' artefacts are gone


ARTICLE = """# Keeping grazers healthy

## Hay, pellets and browse

Zebras graze most of the day. Keepers spread hay in several piles so the herd does not crowd one
spot, and pellets make up for what the hay lacks in winter when the paddock grass stops growing.
"""


def test_a_collection_of_other_documents_learns_in_scope_from_every_written_question(zoo, tmp_path):
    from advisor.core import Advisor
    from advisor.ingest import Ingestor
    from advisor.store import VectorStore

    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "grazers.txt").write_text(ARTICLE)
    store = VectorStore(zoo)
    Ingestor(zoo, store=store).run([articles], "articles")
    pointer = store.pointer("articles")
    assert pointer is not None
    found = intent.load(zoo.data_dir, pointer.info)
    assert found is not None and found.meta["questions"] == 0  # no section of it has questions
    # the domain's written questions still teach what in scope looks like (the seeds run refused
    # in-domain questions when only this build's heading templates did)
    assert found.meta["training"]["in"] == 4 + 3 + 1
    advisor = Advisor.from_settings(zoo, store=store)
    retrieval = advisor.retriever.retrieve("how often should zebras get fodder?", "articles", 3)
    assert retrieval.scope is not None and retrieval.scope["in"] > 0.9
    assert not advisor.ask("how often do zebras get hay and pellets?", collection="articles").refused


def test_documents_without_written_questions_have_no_question_list(zoo):
    shutil.rmtree(zoo.knowledge_dir / "_domain")
    _, pointer = _ingest(zoo)
    found = intent.load(zoo.data_dir, pointer.info)
    assert found is not None and found.scope is None  # nothing to learn "out" from
    assert found.meta["questions"] == 0  # pseudo-questions from headings hurt retrieval on dev


def test_keyword_index_counts_section_questions(zoo):
    from advisor.retrieval import Retriever

    store, pointer = _ingest(zoo)
    retriever = Retriever(store, _embedder(zoo))
    index = retriever.lexical(pointer.physical)
    assert index is not None
    top = index.search("quaggas munch", 1)  # words only in the section's written question
    assert top and index.records[top[0][0]][2]["section"] == "Feeding the animals"


def _embedder(settings):
    from advisor.embeddings import get_embedder

    return get_embedder(settings)


# --- the real model ----------------------------------------------------------------------------------


@pytest.mark.real
@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Hey, good morning!", "chat"),
        ("Which CRM should we buy?", "out"),
        ("Our partner keeps missing deadlines, what now?", "in"),
        # the domain's topic, an act the knowledge base cannot perform
        ("Can you draft the exclusivity clause for our distribution deal?", "out"),
        ("Which PRM platform should our channel team buy?", "out"),
        ("What is the latest on the Nestle and Starbucks deal?", "out"),
        # an in-domain situation in words the knowledge base does not use
        ("Our co-packer in Mexico keeps shipping late and the joint launch is slipping. What now?", "in"),
        (
            "The franchise partner in Dubai wants to change the menu without asking us. How do we handle it?",
            "in",
        ),
    ],
)
def test_minilm_routes_clear_cases(real_settings, question, expected):
    from advisor.core import Advisor

    advisor = Advisor.from_settings(real_settings)
    answer = advisor.ask(question)
    got = "chat" if answer.kind == "chat" else "out" if answer.refused else "in"
    assert got == expected


@pytest.mark.real
def test_shipped_scope_defaults_equal_the_dev_calibration(real_settings, tmp_path):
    from advisor.core import Advisor
    from advisor.sessions import SessionStore
    from evals.quality.calibrate import calibrate

    advisor = Advisor(real_settings, sessions=SessionStore(tmp_path / "calibrate.sqlite3"))
    result = calibrate(advisor)
    assert (result["scope_threshold"], result["scope_floor"]) == (
        real_settings.scope_threshold,
        real_settings.scope_floor,
    )


@pytest.mark.parametrize(
    ("text", "own"),
    [
        (
            "We've been in a JV for 4 years, profits are down and they want to buy us out. Should we sell?",
            True,
        ),
        ("Our reseller in Chile has sold nothing since March. Is it too early to worry?", True),
        ("Our JV partner stopped sharing data. What now?", True),
        # a request the knowledge base cannot do stays refused, whatever the alliance
        ("I need you to write the governance charter for our consortium, ready to sign.", False),
        ("How should we account for our JV under IFRS 11?", False),
        # the plain "partner" may be a spouse or a co-owner of a firm
        ("My partner keeps ignoring my texts. What now?", False),
        # ...but not one the message signs contracts and runs pilots with
        (
            "contract signed last week with a payments partner in Poland. what should the first 90 days be?",
            True,
        ),
        ("Our joint pilot with a grocery chain produced a model they now want to reuse. Who is right?", True),
        ("My business partner wants a bigger share of our firm's profits. Is that fair?", False),
        ("A bigger cloud provider wants a co-selling deal. What should I nail down before we sign?", True),
        ("Our co-selling arrangement with the hyperscaler has produced nothing. Why?", True),
        ("My neighbour wants a bigger garden. What should I tell him?", False),
        ("Should we sell our Tesla shares?", False),
    ],
)
def test_a_situation_told_of_ones_own_alliance_is_in_scope_however_it_is_worded(text, own):
    from advisor.scope import tells_own_alliance

    assert tells_own_alliance(text) is own


def test_a_rescued_question_is_in_scope_whatever_the_classifier_says(advisor, monkeypatch):
    out = {"in": 0.01, "out": 0.99, "chat": 0.0}
    assert decide(out, 0.5, threshold=0.9, floor=0.1, rescue=True) == "in"
    assert decide(out, 0.5, threshold=0.9, floor=0.1) == "out"
    chat = {"in": 0.0, "out": 0.05, "chat": 0.95}
    assert decide(chat, 0.5, threshold=0.9, floor=0.1, rescue=True) == "chat"
    # the advisor rescues by the question as asked

    def scope(self, query, retrieval, rescue=False):
        return "in" if rescue else "out"

    monkeypatch.setattr(type(advisor), "_scope", scope)
    told = advisor.ask("Our JV partner wants to buy us out and profits are down. Should we sell?")
    assert not told.refused
    assert advisor.ask("Should we sell our Tesla shares before the results?").refused
    # a follow-up read with the answered turn before it is in scope as that turn was...
    followed = advisor.ask("which of those matters most?", session_id=told.session_id)
    assert not followed.refused and followed.retrieval_query != "which of those matters most?"
    # ...unless it asks for something the knowledge base cannot do
    assert advisor.ask("Can you write that clause for us?", session_id=told.session_id).refused


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("what should I check before signing with a new distributor? list please", True),
        ("steps to take before we announce the partnership publicly", True),
        ("Give me a checklist of the best PRM tools for partner management", False),  # a vendor pick
        ("Give me a checklist for packing for a holiday", False),
        ("How many vacation days should we give the staff of our new joint venture in France?", False),
    ],
)
def test_a_checklist_about_partnering_is_in_scope_however_it_is_worded(text, asks):
    from advisor.scope import asks_domain_list

    assert asks_domain_list(text, read_question(text).form) is asks
