"""Settings: read from ADVISOR_* variables and .env, validated into one ConfigError, secrets masked."""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor.config import bundled_knowledge_dir, load_settings, validate_collection_name
from advisor.errors import ConfigError
from bots.cli.main import main
from bots.slack.config import load_slack_settings


def test_environment_variables_are_read(monkeypatch, tmp_path):
    monkeypatch.setenv("ADVISOR_TOP_K", "7")
    monkeypatch.setenv("ADVISOR_COLLECTION", "my-notes")
    monkeypatch.setenv("ADVISOR_MAX_FILE_MB", "0.5")
    monkeypatch.setenv("ADVISOR_CHROMA_URL", "http://127.0.0.1:8000")
    settings = load_settings()
    assert (settings.top_k, settings.collection, settings.max_file_mb) == (7, "my-notes", 0.5)
    assert settings.chroma_url == "http://127.0.0.1:8000"
    assert settings.data_dir == tmp_path / "data"
    assert settings.chroma_dir == tmp_path / "data" / "chroma"


def test_defaults():
    settings = load_settings()
    assert settings.collection == "alliance" and settings.max_question_chars == 4000
    assert settings.knowledge_dir == bundled_knowledge_dir() and settings.knowledge_dir.is_dir()
    assert settings.chroma_url is None and settings.max_file_mb == 20


def test_dotenv_in_the_working_directory_is_read_and_env_wins(monkeypatch):
    Path(".env").write_text("ADVISOR_TOP_K=9\nADVISOR_RETRIEVAL=bm25\nSLACK_BOT_TOKEN=xoxb-from-dotenv\n")
    monkeypatch.setenv("ADVISOR_RETRIEVAL", "dense")
    settings = load_settings()
    assert settings.top_k == 9 and settings.retrieval == "dense"
    assert load_slack_settings().bot_token.get_secret_value() == "xoxb-from-dotenv"


def test_overrides_beat_the_environment(monkeypatch):
    monkeypatch.setenv("ADVISOR_TOP_K", "7")
    assert load_settings(top_k=3).top_k == 3


def test_home_is_expanded_in_paths(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("ADVISOR_DATA_DIR", "~/advisor-data")
    assert load_settings().data_dir == tmp_path / "advisor-data"


@pytest.mark.parametrize(
    ("var", "value", "field"),
    [
        ("ADVISOR_TOP_K", "0", "top_k"),
        ("ADVISOR_TOP_K", "many", "top_k"),
        ("ADVISOR_MAX_FILE_MB", "-1", "max_file_mb"),
        ("ADVISOR_COLLECTION", "a b", "collection"),
        ("ADVISOR_COLLECTION", "x", "collection"),
        ("ADVISOR_COLLECTION", "has__double", "collection"),
        ("ADVISOR_SLACK_PORT", "70000", "slack_port"),
    ],
)
def test_bad_values_are_one_config_error_naming_the_setting(monkeypatch, capsys, var, value, field):
    monkeypatch.setenv(var, value)
    with pytest.raises(ConfigError) as err:
        (load_slack_settings if field.startswith("slack_") else load_settings)()
    assert str(err.value).startswith(f"invalid settings: {field}:")
    assert "\n" not in str(err.value)
    assert main(["config"]) == 2
    out, err_text = capsys.readouterr()
    assert (
        out == "" and err_text.startswith(f"error: invalid settings: {field}:") and err_text.count("\n") == 1
    )


@pytest.mark.parametrize("name", ["alliance", "seeds", "my.notes-2", "a" * 200])
def test_valid_collection_names(name):
    assert validate_collection_name(name) == name


@pytest.mark.parametrize("name", ["ab", "a" * 201, "../etc", "with space", "x__b1", "ünï"])
def test_invalid_collection_names(name):
    with pytest.raises(ValueError, match="must be 3-200 characters"):
        validate_collection_name(name)


def test_a_bad_collection_on_the_command_line_is_a_clean_error(capsys):
    assert main(["ingest", "--collection", "../outside"]) == 2
    err = capsys.readouterr().err
    assert err == (
        "error: collection name '../outside' must be 3-200 characters of letters, digits, '.', '_' or '-'"
        " (and no '__')\n"
    )
    assert not Path("outside").exists()


SECRETS = {
    "SLACK_BOT_TOKEN": "xoxb-secret-123",
    "SLACK_SIGNING_SECRET": "signing-secret-456",
    "SLACK_APP_TOKEN": "xapp-secret-789",
    "ADVISOR_LLM_API_KEY": "sk-secret",
}


def test_masked_hides_every_secret(monkeypatch):
    for var, value in SECRETS.items():
        monkeypatch.setenv(var, value)
    settings, slack = load_settings(), load_slack_settings()
    assert slack.bot_token.get_secret_value() == "xoxb-secret-123"
    masked = settings.masked() | slack.masked()
    for key in ("slack_bot_token", "slack_signing_secret", "slack_app_token", "llm_api_key"):
        assert masked[key] == "****"
    text = repr(masked) + repr(settings) + str(settings) + repr(slack) + str(slack)
    assert not [v for v in SECRETS.values() if v in text]


def test_masked_shows_unset_secrets_as_empty():
    masked = load_settings().masked() | load_slack_settings().masked()
    assert masked["slack_bot_token"] is None or masked["slack_bot_token"] == ""
    assert isinstance(masked["data_dir"], str)
