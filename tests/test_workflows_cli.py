"""`advisor scorecard` / `advisor health` and the REPL's /scorecard and /health, run for real.

The script contract (--questions --json, --answers FILE --json, one-line errors) runs the command in a
subprocess; the interactive run is the actual command in a pseudo-terminal (pexpect), one key per rating.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest
import yaml

from advisor.workflows import HEALTH, SCORECARD, Workflows, load_workflows

REPO = Path(__file__).resolve().parents[1]
TIMEOUT = 30


@pytest.fixture(scope="module")
def ids():
    data = Workflows(load_workflows(REPO / "knowledge" / "_domain"))
    return {name: [q.id for q in data.questions(name)] for name in (SCORECARD, HEALTH)}


def advisor(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bots.cli.main", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def answers_file(tmp_path: Path, ratings: dict, name: str = "answers.yaml") -> str:
    path = tmp_path / name
    text = json.dumps(ratings) if name.endswith(".json") else yaml.safe_dump(ratings)
    path.write_text(text, encoding="utf-8")
    return str(path)


def stored_count() -> int:
    from advisor.config import load_settings
    from advisor.workflows import ResultStore

    return ResultStore.for_settings(load_settings()).count()


@pytest.mark.parametrize("name", [SCORECARD, HEALTH])
def test_questions_json_is_a_list_of_id_and_text(name, ids):
    result = advisor(name, "--questions", "--json")
    assert result.returncode == 0, result.stderr
    questions = json.loads(result.stdout)
    assert [q["id"] for q in questions] == ids[name]
    assert all(q["text"] for q in questions)


def test_scorecard_answers_file_json_report(tmp_path, ids):
    path = answers_file(tmp_path, dict.fromkeys(ids[SCORECARD], 1))
    result = advisor(SCORECARD, "--answers", path, "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["overall"] == 1.0 and report["band"]["id"] == "reconsider"
    assert [f["name"] for f in report["factors"]] == [
        "Reputation",
        "Stability",
        "Complementarity of resources",
        "Cultural similarity",
    ]
    assert all(f["score"] == 1.0 and f["sources"][0]["doc"] for f in report["factors"])


def test_health_answers_json_file_report(tmp_path, ids):
    path = answers_file(tmp_path, dict.fromkeys(ids[HEALTH], 5), "answers.json")
    result = advisor(HEALTH, "--answers", path, "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["verdict"] == "healthy" and report["findings"] == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"rep-commitments": 7}, "error: rep-commitments: rating must be a whole number from 1 to 5, got 7"),
        ({"rep-commitments": "x"}, "error: rep-commitments: rating must be a whole number from 1 to 5"),
        ({"rep-charisma": 3}, "error: unknown question id(s) for the partner scorecard: rep-charisma"),
        ({"cult-areas": None}, "error: 1 of 14 questions not answered: cult-areas"),
    ],
)
def test_bad_answers_exit_non_zero_with_one_line(tmp_path, ids, change, message):
    ratings = {**dict.fromkeys(ids[SCORECARD], 3), **change}
    ratings = {k: v for k, v in ratings.items() if v is not None}
    result = advisor(SCORECARD, "--answers", answers_file(tmp_path, ratings), "--json", "--subject", "Acme")
    assert result.returncode != 0
    assert result.stdout == ""
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1, result.stderr
    assert stored_count() == 0


@pytest.mark.parametrize(("text", "message"), [("", "is empty"), ("- 3\n", "must map question ids")])
def test_empty_or_malformed_answers_file(tmp_path, text, message):
    path = tmp_path / "answers.yaml"
    path.write_text(text, encoding="utf-8")
    result = advisor(HEALTH, "--answers", str(path))
    assert result.returncode != 0 and message in result.stderr and result.stderr.count("\n") == 1


def test_out_writes_markdown_and_chart_and_second_run_shows_trend(tmp_path, ids):
    weak = answers_file(tmp_path, dict.fromkeys(ids[HEALTH], 2), "weak.yaml")
    md, png = tmp_path / "out" / "report.md", tmp_path / "out" / "chart.png"
    first = advisor(HEALTH, "--answers", weak, "--subject", "Acme JV", "--out", str(md), "--out", str(png))
    assert first.returncode == 0, first.stderr
    assert png.read_bytes()[:4] == b"\x89PNG"
    text = md.read_text(encoding="utf-8")
    assert "**Verdict: " in text and "## Sources" in text and "knowledge/why-alliances-fail.md § " in text
    assert first.stdout == text  # without --json the report is printed as the same Markdown
    strong = answers_file(tmp_path, dict.fromkeys(ids[HEALTH], 5), "strong.yaml")
    second = advisor(HEALTH, "--answers", strong, "--subject", "acme jv", "--json")
    report = json.loads(second.stdout)
    assert [t["outcome"] for t in report["trend"]] == ["fix-these"]
    assert stored_count() == 2


def test_chart_without_matplotlib_is_one_line_and_stores_nothing(tmp_path, ids):
    blocker = tmp_path / "blocker"
    blocker.mkdir()
    (blocker / "sitecustomize.py").write_text("import sys\nsys.modules['matplotlib'] = None\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(blocker), os.environ.get("PYTHONPATH", "")])}
    path = answers_file(tmp_path, dict.fromkeys(ids[SCORECARD], 3))
    args = [SCORECARD, "--answers", path, "--subject", "Acme", "--out", str(tmp_path / "c.png")]
    result = subprocess.run(
        [sys.executable, "-m", "bots.cli.main", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=TIMEOUT,
        check=False,
    )
    assert result.returncode != 0
    assert result.stderr == "error: charts need matplotlib: pip install 'alliance-advisor[evals]'\n"
    assert stored_count() == 0


def test_answers_piped_on_stdin(ids):
    lines = ["Acme", *["4"] * 3, "b", "2 references were lukewarm", *["4"] * 11]
    result = advisor(SCORECARD, stdin="\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    assert "[####################] all 14 rated." in result.stdout
    assert "# Partner scorecard: Acme" in result.stdout
    assert "- rep-no-disputes: references were lukewarm" in result.stdout
    assert stored_count() == 1


def test_quitting_stores_nothing():
    result = advisor(HEALTH, stdin="Acme\n3\n3\nq\n")
    assert result.returncode == 1 and "nothing was saved" in result.stderr
    assert stored_count() == 0


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "PYTEST_CURRENT_TEST")}
    env.update(TERM="xterm-256color", PYTHONUNBUFFERED="1", PROMPT_TOOLKIT_NO_CPR="1", **extra)
    return env


def spawn(*args: str) -> tuple[pexpect.spawn, list[str]]:
    log: list[str] = []

    class Sink:
        def write(self, text: str) -> None:
            log.append(text)

        def flush(self) -> None:
            pass

    child = pexpect.spawn(
        sys.executable,
        ["-m", "bots.cli.main", *args],
        env=_env(),
        encoding="utf-8",
        timeout=TIMEOUT,
        dimensions=(50, 200),
    )
    child.logfile_read = Sink()
    return child, log


def plain(log: list[str]) -> str:
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", "".join(log))


def test_interactive_scorecard_in_a_terminal(ids):
    child, log = spawn(SCORECARD)
    child.expect_exact("Candidate partner:")
    child.send("Acme Corp\r")
    for n in range(len(ids[SCORECARD])):
        child.expect_exact(f"{n + 1}/14")
        child.expect_exact("Rating 1-5 [n/b/q]:")
        if n == 1:
            child.send("x")  # not a choice: ignored
            child.send("b")  # back to the first statement
            child.expect_exact("(your rating: 5)")
            child.expect_exact("Rating 1-5 [n/b/q]:")
            child.send("4")
            child.expect_exact("2/14")
            child.expect_exact("Rating 1-5 [n/b/q]:")
        if n == 12:
            child.send("n")
            child.expect_exact("Note:")
            child.send("pilot went badly\r")
            child.expect_exact("Rating 1-5 [n/b/q]:")
        child.send("5" if n < 11 else "1")  # culture weak, the rest strong
    child.expect(pexpect.EOF)
    child.close()
    out = plain(log)
    assert child.exitstatus == 0, out
    assert "all 14 rated." in out and "**Proceed with care**" in out
    assert "capable-but" not in out and "Outstanding capability with poor cultural alignment" in out
    assert "- cult-areas: pilot went badly" in out
    assert "Traceback" not in out
    assert stored_count() == 1


def test_ctrl_c_in_the_terminal_stores_nothing():
    child, log = spawn(HEALTH, "--subject", "Acme JV")
    child.expect_exact("Rating 1-5 [n/b/q]:")
    child.send("3")
    child.expect_exact("2/19")
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1 and "nothing was saved" in plain(log)
    assert stored_count() == 0


def test_repl_health_from_a_pipe(ids):
    lines = ["/health Acme JV", *["2"] * len(ids[HEALTH]), "/scorecard", "Beta", "q", "/exit"]
    result = advisor("chat", stdin="\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    assert "# Alliance health check: Acme JV" in result.stdout
    assert "**Verdict: " in result.stdout and "## The next 90 days" in result.stdout
    assert "Stopped; nothing was saved." in result.stderr
    assert stored_count() == 1


def test_repl_scorecard_in_a_terminal(advisor_index, ids):
    child, log = spawn("chat")
    child.expect_exact("advisor›")
    child.send("/scorecard Acme Corp\r")
    for n in range(len(ids[SCORECARD])):
        child.expect_exact(f"{n + 1}/14")
        child.expect_exact("Rating 1-5 [n/b/q]:")
        child.send("2")
    child.expect_exact("Reconsider this partner")
    child.expect_exact("advisor›")
    child.send("/help\r")
    child.expect_exact("/scorecard")
    child.send("/exit\r")
    child.expect(pexpect.EOF)
    child.close()
    out = plain(log)
    assert child.exitstatus == 0 and "Traceback" not in out
    assert "# Partner scorecard: Acme Corp" in out
    assert stored_count() == 1


@pytest.fixture
def advisor_index(advisor):
    """The chat warms its index in the background; build it first so the spawn only pays start-up."""
    return advisor


@pytest.mark.parametrize(("out", "loaded"), [("report.md", False), ("chart.png", True)])
def test_matplotlib_is_imported_only_for_a_png(tmp_path, ids, out, loaded):
    code = (
        "import sys\nfrom bots.cli.main import main\n"
        "rc = main(['scorecard', '--answers', sys.argv[1], '--out', sys.argv[2]])\n"
        "print('matplotlib' in sys.modules, rc)\n"
    )
    path = answers_file(tmp_path, dict.fromkeys(ids[SCORECARD], 4))
    result = subprocess.run(
        [sys.executable, "-c", code, path, str(tmp_path / out)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert result.stdout.splitlines()[-1] == f"{loaded} 0", result.stderr


def test_the_commands_read_the_data_from_the_knowledge_dir(tmp_path, monkeypatch):
    domain = tmp_path / "kb" / "_domain"
    shutil.copytree(REPO / "knowledge" / "_domain", domain)
    raw = yaml.safe_load((domain / "workflows.yaml").read_text(encoding="utf-8"))
    raw["health"]["statements"][0]["text"] = "The alliance has a mascot."
    (domain / "workflows.yaml").write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    monkeypatch.setenv("ADVISOR_KNOWLEDGE_DIR", str(tmp_path / "kb"))
    questions = json.loads(advisor(HEALTH, "--questions", "--json").stdout)
    assert questions[0]["text"] == "The alliance has a mascot."


def test_json_with_piped_answers_keeps_stdout_one_document(ids):
    lines = ["Acme JV", *["3"] * len(ids[HEALTH])]
    result = advisor(HEALTH, "--json", stdin="\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["subject"] == "Acme JV"
    assert "19/19" in result.stderr


def test_a_closed_pipe_is_not_a_traceback():
    process = subprocess.Popen(
        [sys.executable, "-m", "bots.cli.main", HEALTH, "--questions"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # like `| head` exiting before the command writes
    err = process.stderr.read()
    process.stderr.close()
    assert process.wait(timeout=TIMEOUT) == 0
    assert err == ""
