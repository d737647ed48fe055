"""The Chroma server path: a real ``chroma run`` on loopback, and clear errors when it is not there."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from advisor import Advisor
from advisor.config import load_settings
from advisor.errors import ConfigError, IndexError_
from advisor.ingest import Ingestor
from advisor.store import VectorStore
from bots.cli.main import main
from tests.ports import start_server, stop

CHROMA = Path(sys.executable).parent / "chroma"
START_TIMEOUT = 30.0


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    """A real Chroma server on a free loopback port, stopped when the module's tests are done."""
    if not CHROMA.exists():  # chromadb, a core dependency, installs it: missing means a broken install
        pytest.fail(f"the chroma CLI is not installed at {CHROMA}; reinstall chromadb")
    root = tmp_path_factory.mktemp("chroma-server")

    def launch(port: int, log: Path) -> subprocess.Popen:
        command = [str(CHROMA), "run", "--path", str(root / "db"), "--host", "127.0.0.1", "--port", str(port)]
        with log.open("wb") as out:
            return subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)

    heartbeat = "http://127.0.0.1:{}/api/v2/heartbeat".format
    port, proc = start_server("chroma run", launch, heartbeat, root / "server.log", START_TIMEOUT)
    try:
        yield f"http://127.0.0.1:{port}", root / "db"
    finally:
        stop(proc)


@pytest.mark.real
def test_ingest_and_ask_through_a_real_chroma_server(chroma_server, monkeypatch, tmp_path):
    url, db = chroma_server
    monkeypatch.setenv("ADVISOR_CHROMA_URL", url)
    settings = load_settings()
    assert settings.chroma_url == url

    first = Ingestor(settings).run()
    assert first.ok and first.built and first.chunks > 50
    assert not settings.chroma_dir.exists(), "the embedded store was used instead of the server"
    assert (db / "chroma.sqlite3").exists()

    notices: list[str] = []
    answer = Advisor.from_settings(settings, notify=notices.append).ask("What is a joint venture?")
    assert not answer.refused and answer.sources
    assert any("joint venture" in s.text.lower() for s in answer.sources)
    assert all(s.source.startswith("knowledge/") for s in answer.sources)
    assert not any("Building" in n for n in notices), "the index was already built on the server"

    second = Ingestor(settings).run()
    assert not second.built and second.embedded == 0 and second.chunks == first.chunks
    assert len(second.unchanged) == len(first.added)
    print(
        f"server ingest: {first.chunks} chunks in {first.seconds:.2f} s; "
        f"no-op re-ingest {second.seconds:.2f} s"
    )

    # Another process (the CLI) reads the same index through the server.
    env = {**os.environ, "ADVISOR_CHROMA_URL": url, "ADVISOR_DATA_DIR": str(tmp_path / "other-data")}
    done = subprocess.run(
        [sys.executable, "-m", "bots.cli.main", "ask", "What is a joint venture?", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["sources"] and not data["refused"]
    assert "Building" not in done.stderr


def test_a_dead_server_gives_one_clear_error(monkeypatch, capsys):
    # A bound socket that never listens: connections are refused, and no other process can take the port.
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        check_dead_server(f"http://127.0.0.1:{held.getsockname()[1]}", monkeypatch, capsys)


def check_dead_server(url: str, monkeypatch, capsys) -> None:
    monkeypatch.setenv("ADVISOR_CHROMA_URL", url)
    settings = load_settings()
    with pytest.raises(IndexError_, match=r"cannot reach the Chroma server at http://127\.0\.0\.1:\d+"):
        VectorStore(settings)
    for argv in (["ingest"], ["ask", "What is an alliance?"]):
        assert main(argv) == 2
        out, err = capsys.readouterr()
        assert err.strip().splitlines() == [err.strip()], "more than one line"
        assert err.startswith(f"error: cannot reach the Chroma server at {url}") and "chroma run" in err
        assert "Traceback" not in err + out


@pytest.mark.parametrize(
    "value",
    [
        "localhost:8000",
        "ftp://127.0.0.1:8000",
        "http://",
        "http://127.0.0.1:notaport",
        "http://127.0.0.1:99999",
        "127.0.0.1",
    ],
)
def test_a_malformed_server_url_is_a_config_error(monkeypatch, capsys, value):
    monkeypatch.setenv("ADVISOR_CHROMA_URL", value)
    settings = load_settings()
    with pytest.raises(ConfigError, match="ADVISOR_CHROMA_URL must look like http://host:port"):
        VectorStore(settings)
    assert main(["ingest"]) == 2
    err = capsys.readouterr().err
    assert err == f"error: ADVISOR_CHROMA_URL must look like http://host:port, got {value!r}\n"


def _corpus(folder: Path, topic: str, files: int) -> Path:
    folder.mkdir(parents=True)
    for n in range(files):
        sections = "\n".join(
            f"## {topic.title()} point {n}-{s}\n\nThe {topic} memo {n}-{s} records code {topic}-{n}{s} and "
            f"what the partners agreed about {topic} in meeting {s} of file {n}.\n"
            for s in range(6)
        )
        (folder / f"{topic}-{n}.md").write_text(f"# {topic.title()} memo {n}\n\n{sections}")
    return folder


@pytest.mark.real
@pytest.mark.timeout(900)  # two ingests one after the other; slow only on a loaded machine
def test_two_machines_ingesting_into_one_server_at_once_are_serialised(chroma_server, tmp_path):
    """Two processes with their own data dirs (as two machines would have) ingest different documents
    into one collection at the same moment. Serialised, the second sees the first's build and keeps
    its chunks: the live build holds both. Unserialised, one would overwrite the other's pointer."""
    url, _ = chroma_server
    collection = "shared-two"
    procs = []
    for name in ("alpha", "beta"):
        docs = _corpus(tmp_path / f"docs-{name}", name, files=2)
        env = {
            **os.environ,
            "ADVISOR_CHROMA_URL": url,
            "ADVISOR_DATA_DIR": str(tmp_path / f"data-{name}"),
            "ADVISOR_EMBEDDER": "hashing",
        }
        command = [sys.executable, "-m", "bots.cli.main", "ingest", str(docs), "--collection", collection]
        procs.append(
            subprocess.Popen(
                [*command, "--wait", "900", "--json"], env=env, stdout=subprocess.PIPE, text=True
            )
        )
    reports = [json.loads(p.communicate(timeout=1800)[0]) for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert all(r["ok"] and r["built"] for r in reports)
    settings = load_settings(chroma_url=url, data_dir=tmp_path / "reader", embedder="hashing")
    store = VectorStore(settings)
    live = store.live(collection)
    assert sorted(r["chunks"] for r in reports)[-1] == live.info["count"] == store.count(live.physical)
    assert len(store.manifest(live)) == 4, "the second writer did not see the first one's build"
    assert store.orphans(collection, {live.physical}) == [], "a build was left behind"
    assert store.lease(f"ingest:{collection}") is None, "the lease was not released"
    # A third data dir reads the published keyword index instead of rebuilding it.
    from advisor.embeddings import get_embedder
    from advisor.retrieval import Retriever

    retriever = Retriever(store, get_embedder(settings))
    for code in ("alpha-03", "beta-15"):
        found = retriever.retrieve(f"code {code}", collection, 3, "bm25")
        assert code in found.passages[0].text
    assert (tmp_path / "reader" / "keywords" / live.info["keywords"]["name"]).is_dir()
