"""The guided workflows' core: scoring, verdicts, data-driven behaviour, bad answers, storage, export.

Run: PYTHONPATH=$PWD python -m pytest -q tests/test_workflows.py
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest
import yaml

from advisor.storage.sqlite import SQLiteDatabase
from advisor.workflows import (
    HEALTH,
    SCORECARD,
    AnswersError,
    MissingExtraError,
    ResultStore,
    WorkflowDataError,
    Workflows,
    load_workflows,
    read_answers_file,
    to_markdown,
    write_chart,
)

REPO = Path(__file__).resolve().parents[1]
DOMAIN = REPO / "knowledge" / "_domain"


@pytest.fixture(scope="module")
def data():
    return load_workflows(DOMAIN)


@pytest.fixture
def workflows(data, tmp_path):
    ticks = iter(f"2026-11-{day:02d}T10:00:00+00:00" for day in range(1, 29))
    db = SQLiteDatabase(tmp_path / "advisor.sqlite3")
    db.migrate()
    return Workflows(data, ResultStore(db), clock=lambda: next(ticks))


def all_rated(workflows: Workflows, workflow: str, rating: int, **overrides: int) -> dict[str, int]:
    return {q.id: overrides.get(q.id, rating) for q in workflows.questions(workflow)}


def rated_by_factor(workflows: Workflows, ratings: dict[str, int]) -> dict[str, int]:
    return {q.id: ratings[q.group[0]] for q in workflows.questions(SCORECARD)}


# --- the bundled data -------------------------------------------------------------------------------


def test_bundled_data_has_the_documented_shape(data):
    assert 12 <= len(data.scorecard.questions) <= 16
    assert {q.group[0] for q in data.scorecard.questions} == {f.id for f in data.scorecard.factors}
    assert len(data.scorecard.factors) == 4
    assert 15 <= len(data.health.questions) <= 20
    kinds = {i.kind for i in data.health.items}
    assert kinds == {"failure mode", "exit sign", "governance basic"}


def test_questions_json_lists_id_and_text(workflows):
    for name in (SCORECARD, HEALTH):
        questions = workflows.questions_json(name)
        assert questions and all({"id", "text", "min", "max"} <= set(q) for q in questions)
        json.dumps(questions)


# --- scorecard --------------------------------------------------------------------------------------


def test_scorecard_all_weak(workflows):
    report = workflows.evaluate(SCORECARD, workflows.check(SCORECARD, all_rated(workflows, SCORECARD, 1))[0])
    out = report.to_json()
    assert out["overall"] == 1.0
    assert out["band"]["id"] == "reconsider"
    assert [f["score"] for f in out["factors"]] == [1.0] * 4
    assert len(out["red_flags"]) == 4
    for factor in out["factors"]:
        assert factor["red_flag"] and factor["guidance"]
        assert factor["sources"] and all(s["doc"] == "choosing-a-partner.md" for s in factor["sources"])
    # every factor is open, so its due-diligence step is listed, plus the general steps
    assert {s["id"] for s in out["next_steps"]} >= {"ask-references", "review-finances", "run-pilot"}


def test_scorecard_all_strong(workflows):
    report = workflows.evaluate(SCORECARD, workflows.check(SCORECARD, all_rated(workflows, SCORECARD, 5))[0])
    out = report.to_json()
    assert out["overall"] == 5.0
    assert out["band"]["id"] == "strong-candidate"
    assert out["red_flags"] == [] and out["interactions"] == []
    assert all(f["guidance"] is None and not f["red_flag"] for f in out["factors"])
    assert [s["id"] for s in out["next_steps"]] == ["define-scope-and-benefits", "design-exit-logic"]


def test_scorecard_mixed_flags_the_risky_combination(workflows):
    ratings = rated_by_factor(
        workflows,
        {"reputation": 4, "stability": 4, "complementarity-of-resources": 5, "cultural-similarity": 1},
    )
    out = workflows.evaluate(SCORECARD, workflows.check(SCORECARD, ratings)[0]).to_json()
    assert out["band"]["id"] == "proceed-with-care"
    assert [f["id"] for f in out["red_flags"]] == ["cultural-similarity"]
    assert [i["id"] for i in out["interactions"]] == ["capable-but-culturally-misaligned"]
    flagged = {f["id"]: f for f in out["factors"]}["cultural-similarity"]
    assert "pilot" in flagged["guidance"]
    assert out["next_steps"][0]["id"] == "run-pilot"  # the weakest factor's step comes first


def test_scorecard_weighted_mean_uses_the_weights(workflows):
    # rep-commitments (1.5) = 5, rep-references (1.0) = 1, the rest of reputation 3
    ratings = all_rated(workflows, SCORECARD, 3, **{"rep-commitments": 5, "rep-references": 1})
    out = workflows.evaluate(SCORECARD, workflows.check(SCORECARD, ratings)[0]).to_json()
    reputation = out["factors"][0]
    assert reputation["score"] == round((1.5 * 5 + 1 * 1 + 1 * 3 + 1.5 * 3) / 5, 2)


# --- health check -----------------------------------------------------------------------------------


def test_health_all_alarming_plans_an_exit(workflows):
    out = workflows.evaluate(HEALTH, workflows.check(HEALTH, all_rated(workflows, HEALTH, 1))[0]).to_json()
    assert out["verdict"] == "plan-an-exit"
    assert len(out["findings"]) == 19 and {f["severity"] for f in out["findings"]} == {"high"}
    names = {f["name"] for f in out["findings"] if f["kind"] == "failure mode"}
    assert names == {
        "Paper partnership",
        "Misaligned economics",
        "Cultural collision",
        "Contract over-engineering",
        "Strategy drift",
    }
    assert sum(f["kind"] == "exit sign" for f in out["findings"]) == 7
    for finding in out["findings"]:
        assert finding["countermeasure"] and finding["sources"]
    assert any("7 exit signs are alarming" in r for r in out["reasons"])
    assert out["next_90_days"] and all(a["sources"] for a in out["next_90_days"])


def test_health_all_healthy(workflows):
    out = workflows.evaluate(HEALTH, workflows.check(HEALTH, all_rated(workflows, HEALTH, 5))[0]).to_json()
    assert out["verdict"] == "healthy"
    assert out["findings"] == []
    assert len(out["next_90_days"]) == 1 and "quarterly" in out["next_90_days"][0]["text"]


def test_health_mixed_fix_these_with_countermeasures(workflows):
    ratings = all_rated(workflows, HEALTH, 5, **{"h-culture": 1, "h-plain-language": 2})
    out = workflows.evaluate(HEALTH, workflows.check(HEALTH, ratings)[0]).to_json()
    assert out["verdict"] == "fix-these"
    found = {f["id"]: f for f in out["findings"]}
    assert set(found) == {"cultural-collision", "cultural-incompatibility", "contract-over-engineering"}
    assert found["cultural-collision"]["severity"] == "high"
    assert found["contract-over-engineering"]["severity"] == "medium"
    assert (
        "rotation programme that places high-potential managers"
        in found["cultural-collision"]["countermeasure"]
    )
    assert {"doc": "why-alliances-fail.md", "section": "Countermeasures for each failure mode"} in found[
        "cultural-collision"
    ]["sources"]
    assert [f["severity"] for f in out["findings"]] == ["high", "high", "medium"]  # worst first


def test_health_strategic_misalignment_alone_plans_an_exit(workflows):
    ratings = all_rated(workflows, HEALTH, 5, **{"h-goals-aligned": 1})
    out = workflows.evaluate(HEALTH, workflows.check(HEALTH, ratings)[0]).to_json()
    assert out["verdict"] == "plan-an-exit"
    assert any("Strategic misalignment" in r for r in out["reasons"])


def test_health_middling_without_findings_plans_for_the_weakest(workflows):
    ratings = all_rated(workflows, HEALTH, 3, **{"h-exit-clause": 4})
    out = workflows.evaluate(HEALTH, workflows.check(HEALTH, ratings)[0]).to_json()
    assert out["findings"] == [] and out["verdict"] == "fix-these"
    assert any("below 4.0" in r for r in out["reasons"])
    assert out["next_90_days"] and "no-fault-exit-clause" not in {a["for"] for a in out["next_90_days"]}


# --- the data drives the behaviour ------------------------------------------------------------------


def edited_domain(tmp_path: Path, edit) -> Path:
    target = tmp_path / "_domain"
    shutil.copytree(DOMAIN, target)
    path = target / "workflows.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(raw)
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return target


def test_editing_the_data_changes_the_workflows(tmp_path):
    def edit(raw):
        raw["scorecard"]["statements"][0]["text"] = "They once returned a lost umbrella."
        for factor in raw["scorecard"]["factors"]:
            if factor["id"] == "stability":
                factor["red_flag_below"] = 5.5  # now even a perfect score is a red flag
        raw["health"]["statements"] = raw["health"]["statements"][:15]
        raw["health"]["verdict"][1]["label"] = "Mend it"

    workflows = Workflows(load_workflows(edited_domain(tmp_path, edit)))
    assert workflows.questions(SCORECARD)[0].text == "They once returned a lost umbrella."
    strong = workflows.evaluate(SCORECARD, workflows.check(SCORECARD, all_rated(workflows, SCORECARD, 5))[0])
    assert [p.id for p in strong.red_flags] == ["stability"]
    assert strong.band.id == "proceed-with-care"
    assert len(workflows.questions(HEALTH)) == 15
    weak = all_rated(workflows, HEALTH, 5, **{"h-culture": 1})
    assert workflows.evaluate(HEALTH, workflows.check(HEALTH, weak)[0]).outcome_label == "Mend it"
    with pytest.raises(AnswersError, match="unknown question id"):
        workflows.check(HEALTH, all_rated(Workflows(load_workflows(DOMAIN)), HEALTH, 5))


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda raw: raw["scorecard"]["statements"][0].update(factor="charm"), "unknown factor"),
        (lambda raw: raw["health"]["statements"][0].update(signals=["bad-vibes"]), "unknown signal"),
        (lambda raw: raw["health"]["verdict"][0]["when"].update(moon_phase=3), "unknown or no conditions"),
        (lambda raw: raw["health"]["verdict"].pop(), "always: true"),
        (lambda raw: raw["scorecard"].pop("bands"), "missing key 'bands'"),
    ],
)
def test_inconsistent_data_is_a_clear_error(tmp_path, edit, message):
    with pytest.raises(WorkflowDataError, match=message):
        load_workflows(edited_domain(tmp_path, edit))


def test_missing_data_file_is_a_clear_error(tmp_path):
    with pytest.raises(WorkflowDataError, match=r"cannot read .*workflows\.yaml"):
        load_workflows(tmp_path)


# --- bad answers ------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [0, 6, -1, 3.5, "3.5", "five", True, None, [3]])
def test_out_of_range_or_non_integer_ratings_are_refused(workflows, bad):
    answers = all_rated(workflows, SCORECARD, 3, **{"stab-focus": bad})
    with pytest.raises(AnswersError, match="stab-focus: rating must be a whole number from 1 to 5") as exc:
        workflows.check(SCORECARD, answers)
    assert set(exc.value.problems) == {"stab-focus"}


def test_ratings_as_numeric_strings_are_accepted(workflows):
    answers, _ = workflows.check(
        SCORECARD, {k: str(v) for k, v in all_rated(workflows, SCORECARD, 4).items()}
    )
    assert set(answers.ratings.values()) == {4}


def test_unknown_ids_are_named(workflows):
    answers = {**all_rated(workflows, HEALTH, 3), "h-vibes": 3}
    with pytest.raises(
        AnswersError, match=r"unknown question id\(s\) for the alliance health check: h-vibes"
    ):
        workflows.check(HEALTH, answers)


def test_partial_answers_say_what_is_missing(workflows):
    answers = all_rated(workflows, SCORECARD, 3)
    del answers["cult-areas"], answers["rep-references"]
    with pytest.raises(AnswersError) as exc:
        workflows.check(SCORECARD, answers)
    assert str(exc.value) == "2 of 14 questions not answered: rep-references, cult-areas"
    assert set(exc.value.problems) == {"rep-references", "cult-areas"}


def test_missing_subject_is_a_field_problem(workflows):
    with pytest.raises(AnswersError) as exc:
        workflows.check(HEALTH, {"h-jsc": 9}, "  ", require_subject=True)
    assert {"h-jsc", "subject", "h-charter"} <= set(exc.value.problems)


def test_notes_are_kept_with_ratings(workflows):
    answers = all_rated(workflows, SCORECARD, 4)
    answers["cult-tested"] = {"rating": 2, "note": "The pilot ran late."}  # type: ignore[assignment]
    report = workflows.evaluate(SCORECARD, workflows.check(SCORECARD, answers)[0])
    assert report.notes == {"cult-tested": "The pilot ran late."}
    assert "The pilot ran late." in to_markdown(report)


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("empty.yaml", "", "is empty"),
        ("blank.yaml", "# nothing yet\n", "is empty"),
        ("list.yaml", "- 1\n- 2\n", "must map question ids to ratings, not be a list"),
        ("bad.json", "{", "is not valid JSON"),
        ("bad.yaml", "a: [", "is not valid YAML"),
    ],
)
def test_unusable_answers_files(tmp_path, name, text, message):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AnswersError, match=message):
        read_answers_file(path)


def test_answers_file_missing(tmp_path):
    with pytest.raises(AnswersError, match="cannot read answers file"):
        read_answers_file(tmp_path / "nope.yaml")


def test_answers_file_json_and_yaml(tmp_path, workflows):
    ratings = all_rated(workflows, HEALTH, 2)
    (tmp_path / "a.json").write_text(json.dumps(ratings), encoding="utf-8")
    (tmp_path / "a.yaml").write_text(yaml.safe_dump(ratings), encoding="utf-8")
    assert read_answers_file(tmp_path / "a.json") == read_answers_file(tmp_path / "a.yaml") == ratings


# --- storage and trend ------------------------------------------------------------------------------


def test_results_are_stored_per_user_and_show_the_trend(workflows):
    store = workflows.store
    first = workflows.submit(HEALTH, all_rated(workflows, HEALTH, 2), team="T1", user="U1", subject="Acme JV")
    assert first.trend == []
    second = workflows.submit(
        HEALTH, all_rated(workflows, HEALTH, 4), team="T1", user="U1", subject=" acme  jv "
    )
    assert [(t["overall"], t["outcome"]) for t in second.trend] == [(2.0, "fix-these")]
    assert second.to_json()["trend"][0]["at"] == "2026-11-01T10:00:00+00:00"
    assert "## Trend" in to_markdown(second)
    other = workflows.submit(HEALTH, all_rated(workflows, HEALTH, 4), team="T1", user="U2", subject="Acme JV")
    assert other.trend == []
    assert store.subjects(team="T1", user="U1", workflow=HEALTH) == ["acme jv"]
    assert store.count() == 3


def test_a_stored_report_can_be_read_back_by_id(workflows):
    report = workflows.submit(
        SCORECARD, all_rated(workflows, SCORECARD, 2), team="T", user="U", subject="Acme"
    )
    stored = workflows.stored(report.result_id)
    assert stored is not None and stored.user == "U" and stored.subject == "Acme"
    assert stored.report == report.to_json() | {"trend": []}
    assert workflows.stored(report.result_id + 1) is None


def test_topics_name_the_factor_or_the_signalled_items(workflows):
    assert workflows.topics(SCORECARD)["cult-tested"] == "Cultural similarity"
    assert workflows.topics(HEALTH)["h-shared-kpis"] == "Misaligned economics, Metrics alignment"


def test_bad_answers_store_nothing(workflows):
    with pytest.raises(AnswersError):
        workflows.submit(SCORECARD, {"rep-commitments": 7}, team="T", user="U", subject="Acme")
    assert workflows.store.count() == 0


def test_no_subject_means_not_stored(workflows):
    workflows.submit(SCORECARD, all_rated(workflows, SCORECARD, 3), team="T", user="U")
    assert workflows.store.count() == 0


# --- export -----------------------------------------------------------------------------------------


def test_markdown_lists_the_sources(workflows):
    ratings = rated_by_factor(
        workflows,
        {"reputation": 1, "stability": 4, "complementarity-of-resources": 4, "cultural-similarity": 4},
    )
    md = to_markdown(workflows.submit(SCORECARD, ratings, team="T", user="U", subject="Acme"))
    assert md.startswith("# Partner scorecard: Acme\n")
    assert "**Reputation**" in md and "## Sources" in md
    assert "knowledge/choosing-a-partner.md § Reputation: trust starts before the first meeting" in md
    health = workflows.submit(HEALTH, all_rated(workflows, HEALTH, 1), team="T", user="U")
    md = to_markdown(health)
    assert "**Verdict: Plan an exit**" in md and "knowledge/when-to-walk-away.md § " in md


def test_chart_is_a_png(workflows, tmp_path):
    report = workflows.submit(SCORECARD, all_rated(workflows, SCORECARD, 2), team="T", user="U")
    path = write_chart(report, tmp_path / "out" / "chart.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_chart_without_matplotlib_names_the_extra(workflows, tmp_path, monkeypatch):
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes `import matplotlib...` raise ImportError
    report = workflows.submit(HEALTH, all_rated(workflows, HEALTH, 2), team="T", user="U")
    with pytest.raises(MissingExtraError, match=r"pip install 'alliance-advisor\[evals\]'"):
        write_chart(report, tmp_path / "chart.png")
    assert not (tmp_path / "chart.png").exists()
