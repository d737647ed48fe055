"""Shared fixtures. Every test gets its own ADVISOR_DATA_DIR, the hashing embedder and the test
plugin (``tests.fakes``: the scripted ``fake`` engine) by default; tests marked ``real`` opt into
the bundled MiniLM model and the real local LLM."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO.parent / "shared" / "seeds"
TEST_PLUGINS = "tests.fakes"

if str(REPO) not in sys.path:  # so that TEST_PLUGINS imports in this process as in subprocesses
    sys.path.insert(0, str(REPO))


@pytest.fixture(autouse=True)
def isolated_env(tmp_path, monkeypatch):
    """No test reads the developer's settings, .env, tokens or data."""
    for var in list(os.environ):
        if var.startswith(("ADVISOR_", "SLACK_")) or var in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY"):
            monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("ADVISOR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ADVISOR_EMBEDDER", "hashing")
    monkeypatch.setenv("ADVISOR_ENGINE", "extractive")
    monkeypatch.setenv("ADVISOR_PLUGINS", TEST_PLUGINS)
    paths = os.environ.get("PYTHONPATH", "").split(os.pathsep)
    if str(REPO) not in paths:
        monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(REPO), *filter(None, paths)]))
    # The hashing embedder's similarities are not MiniLM's: refuse only clearly unrelated questions.
    monkeypatch.setenv("ADVISOR_MIN_RELEVANCE", "0.2")
    monkeypatch.setenv("ADVISOR_CONFIDENT_RELEVANCE", "0.2")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.chdir(tmp_path)
    yield
    release_chroma_clients()


def release_chroma_clients() -> None:
    """Stop the Chroma clients a test opened. Each holds ~17 file descriptors; a full run would
    otherwise pass the 1024 that select() (used by pexpect) can handle."""
    try:
        from chromadb.api.shared_system_client import SharedSystemClient
    except ImportError:  # pragma: no cover
        return
    for system in list(SharedSystemClient._identifier_to_system.values()):
        system.stop()
    SharedSystemClient.clear_system_cache()


@pytest.fixture
def settings():
    from advisor.config import load_settings

    return load_settings()


@pytest.fixture
def advisor(settings):
    """An Advisor over the bundled knowledge base, indexed with the hashing embedder."""
    from advisor import Advisor
    from advisor.ingest import Ingestor

    Ingestor(settings).run()
    return Advisor.from_settings(settings)


@pytest.fixture(scope="session")
def real_data_dir(tmp_path_factory):
    """A data dir holding the knowledge base indexed with the real MiniLM model (built once)."""
    from advisor.config import load_settings
    from advisor.ingest import Ingestor

    data = tmp_path_factory.mktemp("real-data")
    settings = load_settings(data_dir=data, embedder="minilm")
    Ingestor(settings).run()
    return data


@pytest.fixture
def real_settings(real_data_dir, monkeypatch):
    from advisor.config import load_settings

    monkeypatch.setenv("ADVISOR_DATA_DIR", str(real_data_dir))
    monkeypatch.setenv("ADVISOR_EMBEDDER", "minilm")
    monkeypatch.delenv("ADVISOR_MIN_RELEVANCE", raising=False)
    monkeypatch.delenv("ADVISOR_CONFIDENT_RELEVANCE", raising=False)
    return load_settings()
