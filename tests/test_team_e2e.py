"""A team deployment end to end: PostgreSQL, a real ``chroma run``, and several ``advisor slack`` HTTP
replicas, each with its own empty data dir, against the stub Slack Web API, with signed requests.

Each replica is the real CLI entry (``python -m bots.cli.main slack``) configured only through
settings, as a team would run it. The hashing embedder and the extractive engine keep answers fast:
real models are not what these tests are about. Needs PostgreSQL (ADVISOR_TEST_DATABASE_URL, started
by ``make test``) and the chroma CLI.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from advisor.config import bundled_knowledge_dir, load_settings
from advisor.ingest import Ingestor
from advisor.storage.postgres import PostgresDatabase
from tests.ports import start_server, stop
from tests.slack_stub import (
    StubSlackAPI,
    edits_of,
    event_callback,
    form_body,
    mention,
    post,
    post_signed,
    signed_headers,
)

pytestmark = pytest.mark.real

SECRET = "e2e-signing-secret"
CHROMA = Path(sys.executable).parent / "chroma"
KNOWLEDGE_FILES = ("alliance-types.md", "why-alliances-fail.md", "what-is-a-strategic-alliance.md")


@pytest.fixture(scope="module")
def team_index(tmp_path_factory):
    """A real Chroma server holding a small knowledge base, built once by a builder data dir."""
    if not CHROMA.exists():
        pytest.fail(f"the chroma CLI is not installed at {CHROMA}; reinstall chromadb")
    root = tmp_path_factory.mktemp("team")
    knowledge = root / "knowledge"
    shutil.copytree(bundled_knowledge_dir() / "_domain", knowledge / "_domain")
    for name in KNOWLEDGE_FILES:
        shutil.copy(bundled_knowledge_dir() / name, knowledge / name)

    def launch(port: int, log: Path) -> subprocess.Popen:
        command = [
            str(CHROMA),
            "run",
            "--path",
            str(root / "chroma"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ]
        with log.open("wb") as out:
            return subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)

    port, proc = start_server(
        "chroma run", launch, "http://127.0.0.1:{}/api/v2/heartbeat".format, root / "chroma.log", 60
    )
    url = f"http://127.0.0.1:{port}"
    try:
        settings = load_settings(
            data_dir=root / "builder", knowledge_dir=knowledge, chroma_url=url, embedder="hashing"
        )
        assert Ingestor(settings).run().ok
        yield {"ADVISOR_CHROMA_URL": url, "ADVISOR_KNOWLEDGE_DIR": str(knowledge)}
    finally:
        stop(proc)


class Team:
    """Replicas of ``advisor slack`` sharing one database, one Chroma server and one stub Slack API."""

    def __init__(self, slack: StubSlackAPI, env: dict[str, str], root: Path) -> None:
        self.slack = slack
        self.env = env
        self.root = root
        self.processes: list[subprocess.Popen] = []
        self.logs: list[Path] = []
        self._lock = threading.Lock()

    def replica(self, name: str) -> str:
        """Start one replica with its own empty data dir; return its events URL once it is healthy."""
        data = self.root / name
        data.mkdir()
        log = data / "advisor-slack.log"
        env = {
            **os.environ,
            **self.env,
            "ADVISOR_DATA_DIR": str(data),
            "SLACK_BOT_TOKEN": "xoxb-team-e2e",
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": self.slack.api_url,
            "ADVISOR_SLACK_STREAMING": "false",  # one chat.postMessage per answer: easy to count
            "ADVISOR_SLACK_USER_RATE": "1000",
            "ADVISOR_EMBEDDER": "hashing",
            "ADVISOR_ENGINE": "extractive",
        }

        def launch(port: int, log: Path) -> subprocess.Popen:
            with log.open("wb") as out:
                return subprocess.Popen(
                    [sys.executable, "-m", "bots.cli.main", "slack"],
                    env={**env, "ADVISOR_SLACK_PORT": str(port)},
                    cwd=data,
                    stdout=subprocess.DEVNULL,
                    stderr=out,
                )

        port, process = start_server(
            f"replica {name}", launch, "http://127.0.0.1:{}/healthz".format, log, 120
        )
        with self._lock:
            self.processes.append(process)
            self.logs.append(log)
        return f"http://127.0.0.1:{port}/slack/events"

    def stop(self) -> list[str]:
        for process in self.processes:
            stop(process)
        return [log.read_text(errors="replace") for log in self.logs]

    def replies(self) -> list[dict]:
        return [c.body for c in self.slack.called("chat.postMessage")]

    def wait_replies(self, count: int, timeout: float = 60.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        while len(self.replies()) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.replies()


@pytest.fixture
def team(team_index, postgres_url, tmp_path):
    with StubSlackAPI() as slack:
        team = Team(slack, {**team_index, "ADVISOR_DATABASE_URL": postgres_url}, tmp_path)
        try:
            yield team
        finally:
            logs = team.stop()
            for log in logs:
                assert "Traceback" not in log, log[-3000:]


def send(url: str, event: dict, event_id: str, retry: int | None = None) -> int:
    status, _ = post_signed(url, SECRET, event_callback(event, event_id=event_id), retry_num=retry)
    return status


def vote(url: str, button: dict, thread_ts: str, user: str) -> int:
    payload = {
        "type": "block_actions",
        "user": {"id": user},
        "team": {"id": "T0001"},
        "channel": {"id": "C0001"},
        "container": {"type": "message", "channel_id": "C0001"},
        "message": {"ts": "1.2", "thread_ts": thread_ts},
        "trigger_id": "1.2.3",
        "response_url": "http://127.0.0.1:9/respond/vote",
        "api_app_id": "A0001",
        "actions": [{**button, "block_id": "advisor_feedback", "type": "button", "action_ts": "1.3"}],
    }
    body = form_body({"payload": payload})
    status, _ = post(
        url, body, signed_headers(SECRET, body, content_type="application/x-www-form-urlencoded")
    )
    return status


def test_two_replicas_share_dedupe_memory_and_votes(team, postgres_url, tmp_path):
    a, b = team.replica("a"), team.replica("b")
    root = "1700000100.000100"
    question = mention("What is a joint venture?", ts=root)

    # A mention to A and Slack's retry of it to B: one reply.
    assert send(a, question, "EvTEAM1") == 200
    assert send(b, question, "EvTEAM1", retry=1) == 200
    (reply,) = team.wait_replies(1)
    time.sleep(1.0)  # room for a wrong second reply to arrive
    assert [r["thread_ts"] for r in team.replies()] == [root]

    # A follow-up in the thread, delivered to B, continues A's conversation.
    assert (
        send(b, mention("What are the risks of those?", ts="1700000100.000200", thread_ts=root), "EvTEAM2")
        == 200
    )
    replies = team.wait_replies(2)
    assert [r["thread_ts"] for r in replies] == [root, root]
    # The first mention edited, re-delivered to B as Slack does (an edited app_mention with a new
    # event id, and a message_changed message event): no new reply.
    edited, changed = edits_of(question, " And an equity alliance?", "1700000100.000900")
    assert send(b, edited, "EvTEAM3") == 200
    assert send(a, changed, "EvTEAM4") == 200
    time.sleep(1.0)
    assert len(team.replies()) == 2

    db = PostgresDatabase(postgres_url, pool_size=1)
    try:
        from advisor.sessions import SessionStore

        history = SessionStore(db).history(f"slack:T0001:C0001:{root}")
        assert [t.question for t in history] == ["What is a joint venture?", "What are the risks of those?"]
        assert "joint venture" in history[1].query.lower()  # searched with A's turn as context
    finally:
        db.close()

    # A thumbs-down on A's answer, clicked through B, is exported from a third, empty data dir.
    feedback = next(b for b in reply["blocks"] if b["type"] == "context_actions")["elements"][0]
    down = {"action_id": feedback["action_id"], "value": feedback["negative_button"]["value"]}
    assert vote(b, down, root, "U0VOTER") == 200
    env = {
        **os.environ,
        "ADVISOR_DATABASE_URL": postgres_url,
        "ADVISOR_DATA_DIR": str(tmp_path / "third"),
    }
    deadline = time.monotonic() + 20
    while True:
        done = subprocess.run(
            [sys.executable, "-m", "bots.cli.main", "feedback", "export", "--votes", "down"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        votes = [json.loads(line) for line in done.stdout.splitlines()]
        if votes or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert [(v["vote"], v["user"], v["question"], v["team"]) for v in votes] == [
        ("down", "U0VOTER", "What is a joint venture?", "T0001")
    ]
    assert votes[0]["source_ids"] and not (tmp_path / "third").exists()


def test_four_replicas_starting_together_on_an_empty_database_all_migrate_and_serve(team, postgres_url):
    urls: list[str] = []
    with ThreadPoolExecutor(4) as pool:
        urls = list(pool.map(team.replica, ["r1", "r2", "r3", "r4"]))
    for n, url in enumerate(urls):
        assert (
            send(url, mention("What is a joint venture?", ts=f"17000002{n:02d}.000100"), f"EvFOUR{n}") == 200
        )
    replies = team.wait_replies(4)
    assert sorted(r["thread_ts"] for r in replies) == [f"17000002{n:02d}.000100" for n in range(4)]
    db = PostgresDatabase(postgres_url, pool_size=1)
    try:
        versions = db.query("SELECT version FROM schema_migrations ORDER BY version")
    finally:
        db.close()
    from advisor.storage.migrations import LATEST

    assert versions == [(v,) for v in range(1, LATEST + 1)]
    for log in team.stop():
        assert "error" not in log.lower(), log[-3000:]


def test_a_burst_across_two_replicas_with_redeliveries_is_answered_once_each(team):
    a, b = team.replica("a"), team.replica("b")
    replicas = [a, b]
    questions = ["What is a joint venture?", "Why do alliances fail?", "What types of alliance are there?"]
    events = [
        (f"EvBURST{i:03d}", mention(questions[i % 3], ts=f"17000003{i:02d}.000100", user=f"U{i:03d}"))
        for i in range(50)
    ]
    deliveries = [(replicas[i % 2], event_id, event, None) for i, (event_id, event) in enumerate(events)]
    # Five of them delivered again, as Slack's retries, to the other replica.
    deliveries += [(replicas[(i + 1) % 2], *events[i], 1) for i in range(5)]
    random.Random(12).shuffle(deliveries)

    acks: list[tuple[int, float]] = []

    def deliver(delivery) -> None:
        url, event_id, event, retry = delivery
        started = time.perf_counter()
        status = send(url, event, event_id, retry)
        acks.append((status, time.perf_counter() - started))

    started = time.perf_counter()
    with ThreadPoolExecutor(10) as pool:
        list(pool.map(deliver, deliveries))
    replies = team.wait_replies(50, timeout=180)
    drained = time.perf_counter() - started
    time.sleep(2.0)  # room for a duplicate to arrive late
    replies = team.replies()

    latencies = sorted(seconds for _, seconds in acks)
    p99 = latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))]
    print(
        f"\nburst: {len(deliveries)} deliveries (50 events + 5 cross-replica redeliveries) to 2 replicas: "
        f"ack p50 {latencies[len(latencies) // 2] * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms; "
        f"{len(replies)} replies, drained in {drained:.1f} s"
    )
    assert [status for status, _ in acks] == [200] * len(deliveries)
    per_thread = Counter(r["thread_ts"] for r in replies)
    assert sorted(per_thread) == sorted(event["ts"] for _, event in events)  # every event answered
    assert [ts for ts, n in per_thread.items() if n > 1] == []  # and none twice


def test_sigterm_during_an_answer_lets_the_replica_finish_it_and_exit_0(team):
    """SIGTERM arrives while replica A's reply is on its way to Slack: the reply completes, A exits 0,
    and B goes on serving."""
    a, b = team.replica("a"), team.replica("b")
    process = team.processes[0]
    team.slack.delay("chat.postMessage", 3.0)
    assert send(a, mention("What is a joint venture?", ts="1700000300.000100"), "EvTERM1") == 200
    assert team.slack.wait_for("chat.postMessage", 1, timeout=60), "the answer never reached Slack"
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=40) == 0
    (reply,) = team.replies()
    assert reply["thread_ts"] == "1700000300.000100" and "joint venture" in reply["text"].lower()
    team.slack.delay("chat.postMessage", 0.0)
    assert send(b, mention("What is an equity alliance?", ts="1700000300.000200"), "EvTERM2") == 200
    assert len(team.wait_replies(2)) == 2
