"""The Chroma server path: a real ``chroma run`` on loopback, and clear errors when it is not there."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from advisor import Advisor
from advisor.config import load_settings
from advisor.errors import ConfigError, IndexError_
from advisor.ingest import Ingestor
from advisor.store import VectorStore
from bots.cli.main import main

CHROMA = Path(sys.executable).parent / "chroma"
START_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_heartbeat(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"chroma run exited with {proc.returncode}: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1) as response:
                if response.status == 200 and "heartbeat" in response.read().decode():
                    return
        except OSError:
            pass
        time.sleep(0.1)
    pytest.fail(f"chroma run gave no heartbeat within {START_TIMEOUT:.0f} s: {log.read_text()[-2000:]}")


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    """A real Chroma server on a free loopback port, stopped when the module's tests are done."""
    if not CHROMA.exists():
        pytest.skip(f"the chroma CLI is not installed at {CHROMA}")
    root = tmp_path_factory.mktemp("chroma-server")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = root / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(CHROMA), "run", "--path", str(root / "db"), "--host", "127.0.0.1", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_heartbeat(url, proc, log)
        yield url, root / "db"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


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
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
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
