"""Grounding rules applied to generated answers, sentence by sentence."""

from __future__ import annotations

import numpy as np
import pytest

from advisor.answer import Passage
from advisor.grounding import ground

PASSAGES = [
    Passage(
        n=1,
        id="jv",
        metadata={},
        score=1.0,
        similarity=0.6,
        text="A joint venture creates a new legal entity that two parent companies own jointly. "
        "Panasonic invested $30 million in Tesla.",
    ),
    Passage(
        n=2,
        id="ne",
        metadata={},
        score=0.8,
        similarity=0.5,
        text="Most strategic alliances are non-equity alliances that pool resources without equity.",
    ),
]


@pytest.mark.parametrize(
    ("reply", "kept"),
    [
        (
            "A joint venture is a new legal entity owned jointly by two parent companies. [1]",
            "A joint venture is a new legal entity owned jointly by two parent companies. [1]",
        ),
        (
            "Most strategic alliances are non-equity alliances.",
            "Most strategic alliances are non-equity alliances. [2]",
        ),
        ("Panasonic invested $30 million in Tesla. [1] [7]", "Panasonic invested $30 million in Tesla. [1]"),
    ],
)
def test_supported_sentences_are_kept_with_valid_citations(reply, kept):
    assert ground(reply, PASSAGES).text == kept


@pytest.mark.parametrize(
    "reply",
    [
        "The answer to the question is: [ [1]",  # says nothing
        "When should a company walk away from an alliance? [1]",  # the question echoed back
        "Bananas grow on trees near volcanoes. [1]",  # cited, but the passage does not back it
        "Panasonic invested $45 million in Tesla. [1]",  # a number the passage does not give
        "Two parent companies such as Toyota own a joint venture jointly. [1]",  # a name the passage lacks
        "Alliances usually succeed when the weather is good.",  # uncited and unsupported
    ],
)
def test_unsupported_sentences_are_dropped(reply):
    grounded = ground(reply, PASSAGES)
    assert grounded.text == ""
    assert grounded.dropped


# --- the fact rules, one by one -----------------------------------------------------------------------


def passage(n: int, text: str, section: str = "") -> Passage:
    return Passage(n=n, id=f"p{n}", text=text, metadata={"section": section}, score=1.0, similarity=0.5)


RULES = [
    passage(
        1,
        "A partnership charter lists seven warning signs. Reviews happen every quarter and the budget "
        "is reset every 12-18 months. The pilot office runs for at least two quarters.\n\n"
        "A steering group does not need identical processes in both firms. Partners should look for "
        "synergy, not duplication. Acme licensed its sensor "
        "patents to Borealis for use in trucks.\n\n"
        "- **Joint venture:** Acme and Corvid formed a new company for battery recycling.\n"
        "- **Licensing:** Borealis pays Acme royalties for the sensor patents.",
        section="Alliance terms",
    ),
    passage(
        2,
        "**Launch**\nAppoint a project lead and open a shared data room.\n\n"
        "**Review**\nCompare results with the plan and update the budget.",
        section="Stages",
    ),
    passage(
        3,
        "- **Pilot office.** A small team funded by both partners runs the first projects.\n"
        "- **Escalation panel.** Two senior sponsors settle disputes between the partners within a week.",
        section="Bodies",
    ),
    passage(  # subsections as the chunker writes "### 1. Slow start"
        4,
        "Each of the two failure modes (slow start and drift) calls for its own remedy.\n\n"
        "**1. Slow start**\nA **slow start** shows no follow-through after the launch. The remedy is a "
        "**launch office** kept for two quarters.\n\n"
        "**2. Drift**\nWith **drift**, the purpose of the partnership fades. The remedy is a **yearly reset "
        "meeting** of both chiefs.",
        section="Remedies",
    ),
]


@pytest.mark.parametrize(
    ("sentence", "why"),
    [
        ("A partnership charter lists five warning signs [1].", "spelled-out count"),
        ("The charter names nine warning signs for the partners [1].", "count of the same thing"),
        ("The budget is reset every 6-12 months according to the charter [1].", "range"),
        ("The pilot office runs for at least two years [1].", "number with another unit"),
        ("Reviews happen every week according to the partnership charter [1].", "time unit"),
        ("Acme and Corvid formed an equity alliance for battery recycling [1].", "alliance type absent"),
        ("Acme and Corvid set up a licensing deal for battery recycling [1].", "type of another name"),
        ("Borealis licensed its sensor patents to Acme for use in trucks [1].", "names swapped"),
        ("Since then Borealis has licensed its sensor patents to Acme for trucks [1].", "names swapped"),
        ("Acme Corvid Holdings formed a new company for battery recycling [1].", "opening name"),
        (
            "In the Launch stage the partners compare results with the plan and update the budget [2].",
            "stage",
        ),
        ("A steering group always needs a new company in both firms [1].", "hedge"),
        ("Acme is the biggest licensor of sensor patents to Borealis for use in trucks [1].", "superlative"),
        ("The pilot office settles disputes between the partners within a week [3].", "key term"),
        ("A steering group needs identical processes in both firms [1].", "negation dropped"),
        ("Partners should look for duplication [1].", "negation dropped"),
        ("A steering group does not need processes, and partners should not look for synergy [1].", "added"),
        ("Reviews happen every quarter with outside auditors checking tax filings [1].", "new phrase"),
        ("The partners appoint a project lead and open a shared data room [1].", "wrong citation"),
        ("Zenith and Acme formed a new company for battery recycling [1].", "opening name beside a name"),
        ("The remedy for a slow start is a yearly reset meeting of both chiefs [4].", "terms apart"),
        ("A slow start means the purpose of the partnership fades [4].", "claim under another heading"),
    ],
)
def test_fact_rules_drop_an_unfaithful_sentence(sentence, why):
    assert ground(sentence, RULES).text == "", why


@pytest.mark.parametrize(
    "sentence",
    [
        "The charter lists seven warning signs [1].",
        "Acme licensed sensor patents to Borealis, which uses them in trucks [1].",
        "Corvid and Acme set up a joint venture, a new company that recycles batteries [1].",
        "In the Review stage the partners compare results with the plan and update the budget [2].",
        "Both firms need not have identical processes for a steering group [1].",
        "Partners should look for synergy [1].",
        "Reviews are held every quarter, and the budget is reset every 12-18 months [1].",
        "The escalation panel settles disputes between the partners within a week [3].",
        "A launch office counters a slow start, while a yearly reset meeting counters drift [4].",
        "For a slow start, the remedy is to keep a launch office for two quarters [4].",
    ],
)
def test_fact_rules_keep_a_faithful_sentence(sentence):
    assert ground(sentence, RULES).text.startswith(sentence.split(" [")[0])


WORDING = [
    passage(
        5,
        "Most alliances are licensing deals. A joint venture needs a new company. The three partners "
        "sign the charter. Both firms' sales teams share one target. Surveys found 45 percent of "
        "members satisfied. Delta bought a stake in Echo, an equity alliance. The pilot favours small "
        "steps instead of big launches. Pharmaceutical companies share the cost and risk of trials. "
        "Spotify curates music in Starbucks stores. Early on, draw up a **resource map** of each "
        "partner's assets. Licensing deals are less formal than joint ventures.",
        section="Wording",
    )
]


@pytest.mark.parametrize(
    ("sentence", "why"),
    [
        ("Most alliances are joint ventures [5].", "a quantifier said of another type"),
        ("The pilot favours big launches instead of small steps [5].", "contrast swapped"),
        ("The pilot favours big launches [5].", "what the evidence sets aside, claimed"),
        ("Surveys found that a third of members were satisfied [5].", "fraction far from the percentage"),
        ("Delta and Echo formed a licensing deal [5].", "type of the section, not the one beside the names"),
        ("Spotify curates the music in Spotify stores [5].", "a thing of one name said to be another's"),
        ("Early on, draw up a contribution ledger of each partner's assets [5].", "key term replaced"),
        ("Licensing deals are more formal than joint ventures [5].", "comparison turned round"),
        ("Licensing deals are cheaper than joint ventures [5].", "comparison no sentence makes"),
        ("The two sales teams share one target [5].", "'two' is 'both' only when it counts the same thing"),
    ],
)
def test_wording_rules_drop_an_unfaithful_sentence(sentence, why):
    assert ground(sentence, WORDING).text == "", why


@pytest.mark.parametrize(
    "sentence",
    [
        "Surveys found almost half of the members satisfied [5].",
        "The two firms' sales teams share one target [5].",
        "All three partners sign the charter [5].",
        "Most alliances are licensing deals [5].",
        "Delta and Echo formed an equity alliance [5].",
        "Spotify curates the music in Starbucks stores [5].",
        "Early on, draw up a resource map of what each partner brings [5].",
        "A licensing deal is less formal than a joint venture [5].",
        "Pharmaceutical companies share the risk of trials, so no single company carries all of it [5].",
        "The pilot favours small steps rather than big launches [5].",
    ],
)
def test_wording_rules_keep_a_faithful_sentence(sentence):
    assert ground(sentence, WORDING).text.startswith(sentence.split(" [")[0])


def test_an_embedder_keeps_a_paraphrase_in_other_words_but_not_a_wrong_fact():
    source = [passage(1, "Acme licensed its sensor patents to Borealis for use in trucks.")]
    paraphrase = "Acme lets Borealis put its sensor designs into lorries [1]."
    wrong = "Acme lets Borealis put its sensor designs into five lorries [1]."

    def same_meaning(texts: list[str]) -> np.ndarray:
        return np.ones((len(texts), 2)) / np.sqrt(2)  # every text means the same: cosine 1

    def unrelated(texts: list[str]) -> np.ndarray:
        return np.eye(len(texts))

    assert ground(paraphrase, source).text == ""
    assert ground(paraphrase, source, embed=unrelated).text == ""
    assert ground(paraphrase, source, embed=same_meaning).text == paraphrase.replace(" [1].", ". [1]")
    assert ground(wrong, source, embed=same_meaning).text == ""


def test_an_embedder_vetoes_passage_words_rearranged_into_another_claim():
    source = [passage(1, "Acme licensed its sensor patents to Borealis for use in trucks.")]
    rearranged = "Acme licensed sensor patents to Borealis for aircraft engines [1]."  # 5 of 7 words there
    verbatim = "Acme licensed its sensor patents to Borealis for use in trucks [1]."

    def same_meaning(texts: list[str]) -> np.ndarray:
        return np.ones((len(texts), 2)) / np.sqrt(2)

    def unrelated(texts: list[str]) -> np.ndarray:
        return np.eye(len(texts))

    assert ground(rearranged, source).text  # the word rules alone let it through
    assert ground(rearranged, source, embed=same_meaning).text
    assert ground(rearranged, source, embed=unrelated).text == ""
    assert ground(verbatim, source, embed=unrelated).text  # all its words are there: no veto


# --- the labelled grounding set ------------------------------------------------------------------------


def test_grounding_set_scorer_reports_rates_per_kind_and_split():
    from evals.quality.grounding import load_grounding, score_grounding

    items = load_grounding()
    assert {i.split for i in items} == {"dev", "test"}
    assert [i.split == "dev" for i in items] == [n % 5 in (1, 3) for n in range(len(items))]
    score = score_grounding(items[:10])
    assert score["n"] == 10 and set(score["splits"]) <= {"dev", "test"}
    assert 0 <= score["faithful_kept"] <= 1 and 0 <= score["unfaithful_dropped"] <= 1


@pytest.mark.real
def test_grounding_holds_its_floors_on_the_test_half_with_minilm():
    """The CI floors (evals/quality/summary.py FLOORS); the targets (0.90 kept / 0.95 dropped) are not
    all met yet, and the message lists what is still short of them."""
    from evals.quality.grounding import (
        format_score,
        grounding_misses,
        load_grounding,
        minilm_embed,
        score_grounding,
    )
    from evals.quality.summary import FLOORS

    floors = {name: FLOORS[f"grounding_{name}"][1] for name in ("faithful_kept", "unfaithful_dropped")}
    score = score_grounding(load_grounding(split="test"), embed=minilm_embed())
    short = "; ".join(grounding_misses(score)) or "none"
    assert not grounding_misses(score, floors), format_score(
        score, f"(minilm, test half; short of targets: {short})"
    )


# --- the knowledge base as a check on the rules: its own sentences kept, altered ones dropped -----------


def knowledge_sentences():
    """(passage, sentence) for every plain sentence of every knowledge-base section."""
    import re

    from advisor.grounding_facts import Evidence
    from evals.quality.grounding import KNOWLEDGE_DIR, _sections

    for doc in sorted(p.name for p in KNOWLEDGE_DIR.glob("*.md")):
        sections = _sections(doc, KNOWLEDGE_DIR)
        for heading, (text, meta) in sections.items():
            source = Passage(n=1, id=heading, text=text, metadata=dict(meta), score=1.0, similarity=1.0)
            for sentence in Evidence([source]).sentences:
                if "**" not in sentence and "|" not in sentence and len(sentence.split()) >= 6:
                    yield source, sections, re.sub(r"\s+", " ", sentence)


def test_knowledge_base_sentences_are_kept_and_altered_ones_dropped():
    import re

    kept = altered = altered_kept = moved = moved_kept = 0
    counts = "two three four five six seven eight nine".split()
    for source, sections, sentence in knowledge_sentences():
        kept += bool(ground(sentence + " [1]", [source]).text)
        count = re.search(rf"\b({'|'.join(counts)})\b", sentence)
        if count:
            other = counts[(counts.index(count.group(1)) + 3) % len(counts)]
            altered += 1
            changed = sentence[: count.start()] + other + sentence[count.end() :]
            altered_kept += bool(ground(changed + " [1]", [source]).text)
        for heading, (text, meta) in sections.items():
            if heading != source.id and sentence not in text:
                elsewhere = Passage(
                    n=1, id=heading, text=text, metadata=dict(meta), score=1.0, similarity=1.0
                )
                moved += 1
                moved_kept += bool(ground(sentence + " [1]", [elsewhere]).text)
                break
    total = sum(1 for _ in knowledge_sentences())
    assert kept / total >= 0.98, (kept, total)
    assert altered >= 20 and altered_kept == 0
    assert moved >= 200 and moved_kept / moved <= 0.03, (moved_kept, moved)
