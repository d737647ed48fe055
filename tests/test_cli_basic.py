"""The ``advisor`` command's one-shot subcommands: output shapes, exit codes and one-line errors.

Most tests run ``bots.cli.main.main`` in-process (fast); one smoke test runs the installed script.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from advisor.locks import ingest_lock
from bots.cli.main import main

ADVISOR = Path(sys.executable).parent / "advisor"
SUMMARY_KEYS = {
    "collection",
    "added",
    "updated",
    "removed",
    "unchanged",
    "failed",
    "sentences",
    "skipped",
    "chunks",
    "embedded",
    "built",
    "seconds",
    "onnx",
    "ok",
}


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_ingest_json_shape_and_a_second_run(capsys):
    code, out, err = run(capsys, "ingest", "--json")
    assert code == 0 and err == ""
    data = json.loads(out)
    assert set(data) == SUMMARY_KEYS
    assert data["ok"] and data["built"] and data["collection"] == "alliance"
    assert data["chunks"] == data["embedded"] > 50
    assert len(data["added"]) == 9 and all(a.startswith("knowledge/") for a in data["added"])
    assert data["failed"] == [] and data["onnx"] is None

    code, out, _ = run(capsys, "ingest", "--json")
    again = json.loads(out)
    assert code == 0 and not again["built"] and again["embedded"] == 0 and again["chunks"] == data["chunks"]
    assert sorted(again["unchanged"]) == sorted(data["added"])


def test_ingest_json_reports_a_failed_file_with_exit_1(capsys, tmp_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "good.md").write_text(
        "# Good\n\nPartners review the alliance charter every quarter together.\n"
    )
    (folder / "empty.txt").write_bytes(b"")
    (folder / "notes.docx").write_bytes(b"PK")
    code, out, err = run(capsys, "ingest", str(folder), "--collection", "mixed", "--json")
    assert code == 1 and err == ""
    data = json.loads(out)
    assert data["ok"] is False and data["added"] == ["mixed/good.md"]
    assert data["failed"] == [{"file": "mixed/empty.txt", "reason": "file is empty"}]
    assert data["skipped"][0]["file"] == "mixed/notes.docx"


def test_ingest_text_summary(capsys, tmp_path):
    code, out, err = run(capsys, "ingest")
    assert code == 0 and err == ""
    assert out.startswith("collection 'alliance' rebuilt: ") and "added 9" in out and "failed 0" in out
    code, out, _ = run(capsys, "ingest")
    assert "unchanged (nothing to embed)" in out and "unchanged 9" in out


def test_ingest_exit_2_on_an_advisor_error(capsys, settings):
    with ingest_lock(settings.data_dir, "alliance"):
        code, out, err = run(capsys, "ingest", "--json")
    assert code == 2 and out == ""
    assert (
        err.startswith("error: another ingest of collection 'alliance' is running") and err.count("\n") == 1
    )


SECRETS = {
    "SLACK_BOT_TOKEN": "xoxb-secret-123",
    "ADVISOR_LLM_API_KEY": "sk-secret",
    "SLACK_SIGNING_SECRET": "sign-secret-xyz",
}


@pytest.mark.parametrize("argv", [["config"], ["config", "--json"], ["status"], ["status", "--json"]])
def test_config_masks_secrets(capsys, monkeypatch, argv):
    for var, value in SECRETS.items():
        monkeypatch.setenv(var, value)
    main(["ingest"])
    capsys.readouterr()
    code, out, err = run(capsys, *argv)
    assert code == 0
    for value in SECRETS.values():
        assert value not in out + err
    assert "****" in out
    if "--json" in argv:
        data = json.loads(out)
        assert data["settings"]["slack_bot_token"] == "****" and data["settings"]["llm_api_key"] == "****"
        assert "extractive" in data["engines"] and "hashing" in data["embedders"]
        assert data["collections"][0]["name"] == "alliance" and data["collections"][0]["files"] == 9
    else:
        assert "SLACK_BOT_TOKEN" in out and "collection alliance:" in out


def test_config_without_an_index_says_how_to_build_it(capsys):
    code, out, _ = run(capsys, "config")
    assert code == 0 and "no index yet: `advisor ingest` builds it" in out


def test_help_lists_every_subcommand(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    for command in ("ingest", "ask", "chat", "slack", "eval", "bench", "config"):
        assert command in out
    code, out, _ = run(capsys)  # no command: help, exit 0
    assert code == 0 and "usage: advisor" in out


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("ingest", "--collection"),
        ("ask", "--session"),
        ("chat", "--continue"),
        ("slack", "usage: advisor slack"),
        ("eval", "--split"),
        ("bench", "--quick"),
        ("config", "--json"),
    ],
)
def test_subcommand_help(capsys, command, expected):
    with pytest.raises(SystemExit) as exit_:
        main([command, "--help"])
    assert exit_.value.code == 0
    assert expected in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "module", "extra"),
    [(["slack"], "slack_bolt", "slack"), (["eval"], "matplotlib", "evals"), (["bench"], "psutil", "evals")],
)
def test_an_edge_command_without_its_extra_names_it_in_one_line(capsys, monkeypatch, argv, module, extra):
    monkeypatch.setitem(sys.modules, module, None)  # Python's way of saying "not importable"
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err == (
        f"error: `advisor {argv[0]}` needs the {extra} extra ({module} not installed): "
        f"pip install 'alliance-advisor[{extra}]'\n"
    )


def test_unknown_subcommand_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["frobnicate"])
    assert exit_.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


@pytest.mark.parametrize("question", ["", "   \n\t "])
def test_an_empty_question_is_one_clear_line(capsys, question):
    code, out, err = run(capsys, "ask", question)
    assert code == 2 and out == ""
    assert err == "error: the question is empty; ask something about strategic alliances or partnerships\n"


def test_a_50kb_question_is_one_clear_line(capsys):
    code, out, err = run(capsys, "ask", "What is an alliance? " * 2500)
    assert code == 2 and out == ""
    assert err.startswith("error: the question is 52,499 characters long; the limit is 4,000.")
    assert err.count("\n") == 1


def test_ask_prints_a_cited_answer_and_builds_the_index_on_first_use(capsys):
    code, out, err = run(capsys, "ask", "What is a joint venture?")
    assert code == 0
    assert "Building the knowledge index for first use" in err and "Index ready:" in err
    assert "[1]" in out and "\nSources: [1] " in out and "(session " in out
    code, out, err = run(capsys, "ask", "What is a joint venture?", "--json")
    assert code == 0 and err == ""
    data = json.loads(out)
    assert {"answer", "refused", "sources", "session", "engine", "notice", "timings_ms"} <= set(data)
    assert data["sources"] and not data["refused"] and "[1]" in data["answer"]
    assert {"n", "title", "section", "source", "id", "score"} <= set(data["sources"][0])


def test_installed_script_smoke(tmp_path):
    """The real console script, in a fresh process, with its own data dir."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ADVISOR_", "SLACK_"))}
    env.update(ADVISOR_DATA_DIR=str(tmp_path / "smoke-data"), ADVISOR_EMBEDDER="hashing", HF_HUB_OFFLINE="1")
    done = subprocess.run(
        [str(ADVISOR), "ingest", "--json"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["built"] is True
    done = subprocess.run(
        [str(ADVISOR), "ask", ""], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("error: the question is empty") and "Traceback" not in done.stderr
