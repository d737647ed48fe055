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
        for component in system.components():
            # chromadb's HTTP client never closes its httpx pool (ResourceWarning: unclosed socket).
            session = getattr(component, "_session", None)
            if session is not None and hasattr(session, "close"):
                session.close()
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
    return load_settings()


# -- databases: every storage test runs on SQLite and on PostgreSQL ----------------------------------

# Read once at import: the per-test fixture above clears ADVISOR_* variables. `make test` (and
# scripts/with_postgres.sh) start a throwaway PostgreSQL and set it; in CI its absence is a failure.
TEST_DATABASE_URL = os.environ.get("ADVISOR_TEST_DATABASE_URL", "")


@pytest.fixture(scope="session")
def postgres_server() -> str:
    if not TEST_DATABASE_URL:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("CI must run the PostgreSQL tests: ADVISOR_TEST_DATABASE_URL is not set")
        pytest.skip("no PostgreSQL: ADVISOR_TEST_DATABASE_URL is unset (`make test` starts one)")
    return TEST_DATABASE_URL


@pytest.fixture
def postgres_url(postgres_server):
    """A URL whose connections see only a fresh schema of the test server (dropped afterwards)."""
    import uuid
    from urllib.parse import quote

    import psycopg

    from advisor.storage import close_shared

    schema = f"test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in postgres_server else "?"
    yield f"{postgres_server}{separator}options={quote(f'-csearch_path={schema}')}"
    close_shared()
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request, tmp_path) -> str:
    """ADVISOR_DATABASE_URL for each backend ("" is the SQLite default under ADVISOR_DATA_DIR)."""
    return "" if request.param == "sqlite" else request.getfixturevalue("postgres_url")


@pytest.fixture
def open_db(database_url, tmp_path):
    """open_db() -> a new, unmigrated Database object on this test's database, as another replica
    would open it (each PostgreSQL one with its own pool, closed afterwards)."""
    from advisor.storage import SQLITE_FILE, SQLiteDatabase

    opened = []

    def open_db():
        if not database_url:
            return SQLiteDatabase(tmp_path / "data" / SQLITE_FILE)
        from advisor.storage.postgres import PostgresDatabase

        opened.append(PostgresDatabase(database_url, pool_size=4))
        return opened[-1]

    yield open_db
    for db in opened:
        db.close()


@pytest.fixture
def db(open_db):
    """This test's database, migrated."""
    database = open_db()
    database.migrate()
    return database


@pytest.fixture(scope="session")
def domain():
    """The bundled knowledge base's domain layer (knowledge/_domain)."""
    from advisor.config import bundled_knowledge_dir
    from advisor.domain import load_domain

    loaded = load_domain(bundled_knowledge_dir())
    assert loaded is not None
    return loaded


# -- a Slack bot behind the real endpoint, with the stub Web API (tests/slack_bots.py) -------------------


@pytest.fixture
def slack():
    from slack_stub import StubSlackAPI

    with StubSlackAPI() as stub:
        yield stub


@pytest.fixture
def make_bot(advisor, slack):
    """make(**setting_overrides) -> Bot; whole messages (test_slack_stream.py streams)."""
    from slack_bots import SECRET, bot_factory

    with bot_factory(advisor, slack, SECRET, streaming=False) as make:
        yield make


@pytest.fixture
def bot(make_bot):
    return make_bot()
