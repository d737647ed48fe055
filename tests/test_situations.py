"""Described situations: the signals data, the diagnosis and the advice built from it."""

from __future__ import annotations

import re

from citing import numbered

from advisor.config import bundled_knowledge_dir
from advisor.situations import CLEAR_MARGIN, CLEAR_MATCH, MATCH, STRONG, Match, advise, diagnose
from advisor.yamlfile import read_yaml

SITUATIONS = bundled_knowledge_dir() / "_domain" / "situations.yaml"


def like(*signals: str, strong: float = 0.9, weak: float = 0.3):
    """A similarity that finds the question close to exactly these signal texts."""
    return lambda texts: [strong if t in signals else weak for t in texts]


# -- the data --------------------------------------------------------------------------------------


def test_every_signal_belongs_to_an_item_and_every_then_to_lists(domain):
    data = read_yaml(SITUATIONS)
    assert set(data["signals"]) <= set(domain.items), set(data["signals"]) - set(domain.items)
    for after, follow in data["then"].items():
        assert (after in domain.by_list or after in domain.items) and follow in domain.by_list
    carried = {i.id for i in domain.items.values() if i.signals}
    assert carried == set(data["signals"])
    assert set(data["told"]) <= set(domain.items) and all(domain.items[i].told for i in data["told"])


def test_signals_are_our_own_words_not_sentences_of_the_documents():
    documents = " ".join(
        re.sub(r"\s+", " ", p.read_text(encoding="utf-8").lower())
        for p in bundled_knowledge_dir().glob("*.md")
    )
    data = read_yaml(SITUATIONS)
    for signal in (s for key in ("signals", "told") for signals in data[key].values() for s in signals):
        assert signal.lower() not in documents, signal


# -- the diagnosis ---------------------------------------------------------------------------------


def test_a_described_symptom_is_diagnosed_as_its_item(domain):
    signal = domain.items["paper-partnership"].signals[0]
    found = diagnose(domain, "We launched it in March and since then silence. What now?", like(signal))
    assert [m.item.id for m in found] == ["paper-partnership"]


def test_a_message_far_closer_to_one_item_than_to_any_other_needs_no_backing_from_retrieval(domain):
    signal = domain.items["unsettled-knowledge-use"].signals[0]
    question = (
        "Engineers fear the partner will reuse what we share in their own products. What should we agree?"
    )
    # below the strong score, not among the retrieved sections, but far ahead of every other item
    found = diagnose(domain, question, like(signal, strong=0.6))
    assert [m.item.id for m in found] == ["unsettled-knowledge-use"] and found[0].score < STRONG
    # ...while a near tie with another item still needs retrieval to agree
    rival = domain.items["knowledge-protection"].signals[0]
    close = lambda texts: [0.6 if t == signal else 0.56 if t == rival else 0.3 for t in texts]  # noqa: E731
    assert diagnose(domain, question, close) == []


def test_nothing_standing_out_gives_no_diagnosis(domain):
    assert diagnose(domain, "Our partner did something. What now?", like()) == []


def test_a_tie_between_two_kinds_of_trouble_gives_no_diagnosis(domain):
    tie = like(domain.items["paper-partnership"].signals[0], domain.items["stability"].signals[0])
    assert diagnose(domain, "Zorp blick quux. Thoughts?", tie) == []


def test_a_lookup_in_context_is_not_a_situation(domain):
    signal = domain.items["paper-partnership"].signals[0]
    question = "Our customer wants to take a stake in us. What type of alliance would that be?"
    assert diagnose(domain, question, like(signal)) == []


def test_each_clause_can_add_its_own_symptom(domain):
    bought, skipping = (
        domain.items["strategic-misalignment"].signals[0],
        domain.items["persistent-governance-dysfunction"].signals[0],
    )
    question = "Our partner was acquired by a rival and they skip every committee meeting. Should we exit?"
    whole = like(bought, strong=0.8)
    clauses = {
        "Our partner was acquired by a rival": like(bought),
        "they skip every committee meeting.": like(skipping),
    }
    found = diagnose(domain, question, whole, similar_to=lambda text: clauses.get(text, like()))
    assert {m.item.id for m in found} == {"strategic-misalignment", "persistent-governance-dysfunction"}


def test_symptoms_listed_with_commas_are_clauses_of_their_own():
    from advisor.situations import _clauses

    message = (
        "Revenue has been flat for a year, nobody on their side shows up to reviews anymore. "
        "Is it time to pull the plug on the alliance?"
    )
    assert _clauses(message) == [
        "Revenue has been flat for a year",
        "nobody on their side shows up to reviews anymore.",
        "Is it time to pull the plug on the alliance?",
    ]
    # a comma inside one description is not a split
    assert _clauses("The launch, already late, keeps slipping. What now?") == []


def test_one_clause_far_ahead_is_a_diagnosis_even_when_the_whole_message_is_not(domain):
    fatigue = domain.items["internal-organisational-fatigue"]
    worn_out = fatigue.signals[1]
    question = (
        "Our reseller was bought by a fund, the new managers keep renegotiating prices and our account "
        "team is completely worn out. What should we do?"
    )
    clause = "our account team is completely worn out."
    home = [(c.source, c.section) for c in fatigue.cites]

    def ask(clause_similarity, sections_for):
        return diagnose(
            domain,
            question,
            like(),
            similar_to=lambda t: clause_similarity if t == clause else like(),
            sections_for=sections_for,
        )

    found = ask(like(worn_out, strong=0.62), lambda text: home if text == clause else [])
    assert [(m.item.id, m.clause) for m in found] == [("internal-organisational-fatigue", clause)]
    lead = advise(domain, found, numbered).lead
    assert lead.startswith('Part of what you describe ("our account team is completely worn out")')
    # ...not when retrieval, reading the clause alone, finds other sections
    assert ask(like(worn_out, strong=0.62), lambda text: [("knowledge/other.md", "Elsewhere")]) == []
    # ...nor when the clause is only slightly ahead of another item
    rival = domain.items["repeated-performance-failures"].signals[0]
    close = lambda texts: [0.6 if t == worn_out else 0.56 if t == rival else 0.3 for t in texts]  # noqa: E731
    assert ask(close, lambda text: home) == []


def test_the_whole_messages_nearly_clear_item_comes_before_a_clauses_diagnosis(domain):
    missing = domain.items["repeated-performance-failures"]
    stuck = domain.items["persistent-governance-dysfunction"]
    question = (
        "Our JV partner keeps missing the milestones we agreed and the steering group is stuck. "
        "Should we exit?"
    )
    clause = "the steering group is stuck."
    home = [(c.source, c.section) for c in (*missing.cites, *stuck.cites)]
    found = diagnose(
        domain,
        question,
        like(missing.signals[0], strong=0.44),  # nearly clear on the whole message, not quite
        home,
        similar_to=lambda t: like(stuck.signals[0], strong=0.62) if t == clause else like(),
        sections_for=lambda text: home,
    )
    assert [m.item.id for m in found] == [
        "repeated-performance-failures",
        "persistent-governance-dysfunction",
    ]
    assert found[0].score < MATCH


def test_the_nearly_clear_item_alone_is_no_diagnosis_when_the_clauses_one_falls_away(domain):
    """'revenue is flat, nobody shows up to QBRs anymore' read as ambiguous value division: the
    whole message's item was only there beside a clause's diagnosis that retrieval did not back."""
    missing = domain.items["repeated-performance-failures"]
    roles = domain.items["unclear-scope"]  # another list, cited in another section
    question = (
        "Our JV partner keeps missing the milestones we agreed, nobody knows who owns which task. "
        "Should we exit?"
    )
    clause = "nobody knows who owns which task."
    rival = domain.items["cultural-collision"]  # close behind on the whole message: nearly clear, not clear

    def whole(texts):
        return [0.45 if t == missing.signals[0] else 0.49 if t == rival.signals[0] else 0.3 for t in texts]

    found = diagnose(
        domain,
        question,
        whole,
        [(c.source, c.section) for c in missing.cites],
        similar_to=lambda t: like(roles.signals[0], strong=0.6) if t == clause else like(),
        sections_for=lambda text: [],
    )
    assert found == []


def test_a_diagnosis_found_in_the_question_part_is_not_called_a_symptom(domain):
    clause = domain.items["plan-no-fault-exit-clause"]
    lead = advise(
        domain, [Match(clause, 0.3, clause="What should the contract cover on exit?")], numbered
    ).lead
    assert lead.startswith(
        'On your question ("What should the contract cover on exit"), the knowledge base points to'
    )
    told = advise(domain, [Match(clause, 0.3, clause="the contract says nothing on exit")], numbered).lead
    assert told.startswith('Part of what you describe ("the contract says nothing on exit") sounds like')


def test_wanting_to_leave_puts_the_exit_sign_first_but_never_breaks_a_tie(domain):
    sign = domain.items["strategic-misalignment"].signals[0]
    mode = domain.items["reputational-risk"].signals[0]
    both = lambda texts: [0.9 if t == mode else 0.89 if t == sign else 0.3 for t in texts]  # noqa: E731
    leaving = diagnose(domain, "Things are bad. Is it time to walk away?", both)
    assert [m.item.id for m in leaving] == ["reputational-risk", "strategic-misalignment"]
    other = domain.items["cultural-collision"].signals[0]
    tie = lambda texts: [0.9 if t == other else 0.89 if t == sign else 0.3 for t in texts]  # noqa: E731
    assert diagnose(domain, "Things are bad. Is it time to walk away?", tie) == []


def test_a_diagnosis_among_one_kind_names_only_items_of_that_kind(domain):
    """'at what point do we walk?' after a told situation asks which exit sign it shows: a failure
    mode closer to the message is no answer to that."""
    from advisor.situations import LEAVING, asks_to_leave

    mode = domain.items["paper-partnership"].signals[0]
    sign = domain.items["repeated-performance-failures"].signals[0]
    close = lambda texts: [0.9 if t == mode else 0.7 if t == sign else 0.3 for t in texts]  # noqa: E731
    told = "They keep missing every delivery slot. And if it doesn't improve, at what point do we walk?"
    assert diagnose(domain, told, close)[0].item.id == "paper-partnership"
    among = diagnose(domain, told, close, among=LEAVING)
    assert among and {domain.by_list[m.item.list_id].kind for m in among} == {"signs"}
    assert asks_to_leave("at what point do we walk?") and asks_to_leave("enough reason to walk away?")
    assert asks_to_leave("and if it doesn't get better by Q3?") and asks_to_leave("what if nothing changes?")
    assert not asks_to_leave("can you walk me through the five stages?")
    assert not asks_to_leave("what if it gets better?")
    assert not asks_to_leave("what should the no-fault exit clause actually cover?")


def test_asking_when_to_leave_with_no_sign_standing_out_gets_the_signs_to_watch(domain):
    """'and if it doesn't get better by Q3?' after a told trouble that shows no one exit sign."""
    from advisor.compose import plan_answer
    from advisor.situations import LEAVING
    from advisor.understand import Question

    told = "Their IT team says yes and nothing ships. And if it doesn't get better by Q3?"
    question = Question("and if it doesn't get better by Q3?", "general", situation=True, among=LEAVING)
    flat = lambda texts: [0.3 for _ in texts]  # noqa: E731
    plan = plan_answer(question, told, [], domain, numbered, None, flat, parts=2)
    signs = next(lst for lst in domain.lists if lst.kind == "signs")
    assert plan is not None and plan.items == [i.name for i in signs.items]


# -- the advice ------------------------------------------------------------------------------------


def test_a_stage_or_a_success_factor_is_not_called_a_trouble(domain):
    """'sounds like **align**' read as if a stage were a symptom."""
    stage = advise(domain, [Match(domain.items["adapt"], 0.4)], numbered)
    assert stage.lead.startswith(
        "What you describe belongs to the **adapt** stage (the five stages of the partnership lifecycle): "
    )
    factor = advise(domain, [Match(domain.items["executive-sponsors"], 0.4)], numbered)
    assert factor.lead.startswith("What you describe comes down to **executive sponsors** (the four critical")
    assert any(p.startswith("What to do about executive sponsors: ") for p in factor.points)


def test_advice_names_the_diagnosis_and_its_countermeasure_with_citations(domain):
    item = domain.items["cultural-collision"]
    advice = advise(domain, [Match(item, 0.4)], numbered)
    assert advice.lead.startswith("What you describe sounds like **cultural collision**")
    assert re.search(r"clash\. \[1\]", advice.lead)
    assert any("rotation" in p and re.search(r"\[1\]$|\[1\] \[2\]$", p) for p in advice.points)
    assert advice.items == ["Cultural collision"]


def test_one_step_of_a_plan_comes_with_the_plan_as_a_whole(domain):
    """'exit logic' alone left out the exit ramps a nervous board asks about; a failure mode, which
    is no step, gets no such line."""
    step = advise(domain, [Match(domain.items["exit-logic"], 0.4)], numbered)
    assert any(
        p.startswith("It is one step of how to plan the exit") and "exit ramps" in p for p in step.points
    )
    mode = advise(domain, [Match(domain.items["strategy-drift"], 0.4)], numbered)
    assert not any("one step of" in p for p in mode.points)


def test_an_exit_sign_is_followed_by_how_to_leave_well(domain):
    signs = [
        Match(domain.items["strategic-misalignment"], 0.4),
        Match(domain.items["reputational-risk"], 0.38),
    ]
    advice = advise(domain, signs, numbered)
    assert "matches two of the seven signs" in advice.lead
    assert "**strategic misalignment**" in advice.lead and "**reputational risk**" in advice.lead
    follow = domain.by_list["graceful-exit"]
    assert any(all(i.name.lower()[:20] in p.lower() for i in follow.items) for p in advice.points)
    assert {c.section for c in follow.cites} <= {c.section for c in advice.cites}
    # "more" spells each step out, cited
    assert [line.split("**")[1] for line in advice.more] == [i.name for i in follow.items]
    assert all(re.search(r"\[\d+\]$", line) for line in advice.more)


def test_support_skips_lines_about_a_sibling_of_the_diagnosis(domain):
    from advisor.plan import Plan

    paper = domain.items["paper-partnership"]
    advice = advise(domain, [Match(paper, 0.4)], numbered)
    plan = Plan(kind="item", lead=advice.lead, points=advice.points, avoid=advice.siblings)
    drift = "The countermeasure is an annual re-charter workshop where both CEOs reaffirm the thesis. [3]"
    budget = "A joint integration office needs executives who protect its ring-fenced budget. [2]"
    plan.support([f"{drift}\n{budget}\nSponsors on both sides keep the joint team staffed. [2]"])
    assert drift not in plan.points
    assert plan.points[-1] == "Sponsors on both sides keep the joint team staffed. [2]"


def test_a_lower_score_with_a_wide_lead_is_a_diagnosis_and_a_narrow_one_is_not(domain):
    """Below MATCH, an item that stands far ahead of every other list's (and that retrieval backs) is
    the condition described; the same score in a near tie is not."""
    inertia = domain.items["collaborative-inertia"]
    rival = domain.items["lack-of-reciprocity"]
    question = (
        "We teamed up with a competitor and both sides are too wary to share anything. How do we get unstuck?"
    )
    home = [(c.source, c.section) for c in inertia.cites]

    def reading(rival_score):
        return lambda texts: [
            0.43 if t == inertia.signals[0] else rival_score if t == rival.signals[0] else 0.3 for t in texts
        ]

    clear = diagnose(domain, question, reading(0.3), home)
    assert [m.item.id for m in clear] == ["collaborative-inertia"]
    assert CLEAR_MATCH <= clear[0].score < MATCH
    assert diagnose(domain, question, reading(0.3 + clear[0].score - CLEAR_MARGIN / 2), home) == []


def test_a_message_telling_of_trouble_is_not_read_as_a_lifecycle_stage(domain):
    activate = domain.items["activate"]
    paper = domain.items["paper-partnership"]
    home = [(c.source, c.section) for c in (*activate.cites, *paper.cites)]

    def reading(texts):
        return [0.68 if t == activate.signals[0] else 0.6 if t == paper.signals[0] else 0.3 for t in texts]

    calm = "We signed the MoU in January and want the joint work to start well. What should we do first?"
    stuck = "We signed the MoU in January and there has been zero joint work since. What should we do?"
    assert [m.item.id for m in diagnose(domain, calm, reading, home)][:1] == ["activate"]
    assert [m.item.id for m in diagnose(domain, stuck, reading, home)][:1] == ["paper-partnership"]


def test_a_factor_beside_a_trouble_is_what_the_message_also_comes_down_to(domain):
    """'It may also be **cultural similarity**' read as if a selection factor were a trouble."""
    inertia, culture = domain.items["collaborative-inertia"], domain.items["cultural-similarity"]
    drift = domain.items["governance-drift"]
    points = advise(domain, [Match(inertia, 0.4), Match(culture, 0.38), Match(drift, 0.38)], numbered).points
    assert any(p.startswith("It also comes down to **cultural similarity**") for p in points)
    assert any(p.startswith("It may also be **governance drift**") for p in points)
