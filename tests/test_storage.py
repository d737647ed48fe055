"""The storage layer on both backends: SQLite (the default) and PostgreSQL (ADVISOR_TEST_DATABASE_URL).

Each test gets a fresh database (``db``); ``open_db()`` opens another handle on it, the way a second
replica would. PostgreSQL tests skip without a server locally and fail without one in CI.
"""

from __future__ import annotations

import json
import sqlite3
import threading

import pytest

from advisor.feedback import Feedback, FeedbackStore
from advisor.sessions import SessionStore, Turn
from advisor.storage import Claims, DatabaseUnavailable, Windows, redact, retention
from advisor.storage.migrations import LATEST
from advisor.workflows.store import ResultStore, StoredResult
from bots.slack.dedupe import SeenEvents
from bots.slack.ratelimit import UserRateLimit
from bots.slack.records import AnswerRecord, AnswerRecords


def turn(question: str, ts: float = 0.0, user: str = "") -> Turn:
    return Turn(question, f"answer to {question}", False, question, ["a1"], ts, ["Item"], user)


def test_migrations_apply_once_and_record_their_version(open_db):
    db = open_db()
    assert db.version() == 0
    assert db.migrate() == list(range(1, LATEST + 1))
    assert db.migrate() == [] and open_db().migrate() == []
    assert db.version() == LATEST
    assert db.query("SELECT version FROM schema_migrations ORDER BY version") == [
        (v,) for v in range(1, LATEST + 1)
    ]


def test_replicas_migrating_at_once_apply_each_migration_once(open_db):
    handles = [open_db() for _ in range(4)]
    errors: list[BaseException] = []
    applied: list[list[int]] = []
    start = threading.Barrier(len(handles))

    def migrate(db) -> None:
        start.wait()
        try:
            applied.append(db.migrate())
        except BaseException as exc:  # collected: a thread's exception would otherwise vanish
            errors.append(exc)

    threads = [threading.Thread(target=migrate, args=(db,)) for db in handles]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sorted(applied, key=len) == [[], [], [], list(range(1, LATEST + 1))]
    assert handles[0].version() == LATEST


def test_conversations_are_shared_by_replicas_and_scoped_by_team(db, open_db):
    a, b = SessionStore(db), SessionStore(open_db())
    for n in range(3):
        a.append("thread-1", turn(f"q{n}", 100.0 + n))
    a.append("thread-1", turn("other workspace", 200.0), team="T2")
    b.append("thread-1", turn("q3", 102.0))  # same instant as q2: insertion order breaks the tie
    assert [t.question for t in b.history("thread-1", 3)] == ["q1", "q2", "q3"]
    assert [t.question for t in b.history("thread-1", team="T2")] == ["other workspace"]
    assert b.history("thread-1", team="T3") == []
    first = b.history("thread-1", 1)[0]
    assert (first.items, first.sources, first.refused) == (["Item"], ["a1"], False)
    assert a.last_session() == "thread-1" and a.last_session(team="T9") is None
    ((session, turns, _, opening),) = b.sessions()
    assert (session, turns, opening) == ("thread-1", 4, "q0")


def test_answer_records_and_votes_are_seen_by_every_replica(db, open_db):
    record_id = AnswerRecords(db).save(
        AnswerRecord(
            "What is a JV?", "A joint venture [1]", ["a1"], "s1", "C1:1.0", "fake", user="U1", team="T1"
        )
    )
    found = AnswerRecords(open_db()).get(record_id, team="T1")
    assert found is not None and (found.question, found.source_ids, found.user) == (
        "What is a JV?",
        ["a1"],
        "U1",
    )
    assert AnswerRecords(open_db()).get(record_id) is None  # another workspace's record is not ours
    FeedbackStore(db).record(
        Feedback("down", "What is a JV?", "A joint venture [1]", ["a1"], user="U2", team="T1")
    )
    FeedbackStore(db).record(Feedback("up", "q2", "a2", user="U3"))
    (down,) = FeedbackStore(open_db()).downvoted()
    assert (down.user, down.team, down.source_ids, down.vote) == ("U2", "T1", ["a1"], "down")
    assert [f.vote for f in FeedbackStore(open_db())] == ["down", "up"]


def test_a_claim_is_won_once_across_replicas_until_it_expires(db, open_db):
    now = [1000.0]
    a, b = Claims(db, clock=lambda: now[0]), Claims(open_db(), clock=lambda: now[0])
    assert a.claim(["event:E1", "message:C1:1.0"], ttl=60)
    assert not b.claim(["event:E1", "message:C1:1.0"], ttl=60)  # a retry
    assert not b.claim(["event:E2", "message:C1:1.0"], ttl=60)  # a re-delivery under a new event id
    assert not b.claim(["event:E2"], ttl=60)  # ... whose event id is now taken as well
    assert b.claim(["event:E3", "message:C1:2.0"], ttl=60)
    now[0] += 61
    assert b.claim(["event:E1"], ttl=60)  # expired: taken over


def test_racing_claims_have_one_winner(db, open_db):
    handles = [Claims(open_db()) for _ in range(6)]
    wins: list[bool] = []
    start = threading.Barrier(len(handles))

    def claim(claims: Claims) -> None:
        start.wait()
        wins.append(claims.claim(["event:RACE", "message:C1:9.0"], ttl=60))

    threads = [threading.Thread(target=claim, args=(c,)) for c in handles]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(wins) == [False] * 5 + [True]


def test_slack_dedupe_matches_retries_and_redeliveries_of_a_message(db, open_db):
    a, b = SeenEvents(db), SeenEvents(open_db())

    def body(event_id: str, ts: str, kind: str = "app_mention", team: str = "T1") -> dict:
        return {"event_id": event_id, "team_id": team, "event": {"type": kind, "channel": "C1", "ts": ts}}

    assert a.first_time(body("Ev1", "1.1"))
    assert not b.first_time(body("Ev1", "1.1"))  # Slack's retry, on the other replica
    assert not b.first_time(body("Ev2", "1.1"))  # the same message again (an edit) with a new id
    assert b.first_time(body("Ev3", "1.1", kind="message"))  # the channel's message event is its own
    assert b.first_time(body("Ev4", "1.1", team="T2"))  # another workspace's message with that ts
    assert b.first_time({"type": "block_actions"}) and b.first_time({"type": "block_actions"})


def test_a_rate_limit_window_is_shared_by_replicas(db, open_db):
    now = [120.0]
    a = UserRateLimit(3, db, clock=lambda: now[0])
    b = UserRateLimit(3, open_db(), clock=lambda: now[0])
    assert [a.check("U1"), b.check("U1"), a.check("U1")] == [0, 0, 0]
    assert b.check("U1") == pytest.approx(60)
    assert b.check("U1", team="T2") == 0 and a.check("U2") == 0
    now[0] += 30
    assert a.check("U1") == pytest.approx(30)
    now[0] += 30
    assert a.check("U1") == 0  # a new window
    assert Windows(db, clock=lambda: now[0]).hit("k", limit=1, window=10) == 0


def workflow_result(user: str, subject: str) -> StoredResult:
    return StoredResult("", user, "health", subject, "2026-11-01T10:00:00+00:00", 3.5, "fine", "Fine", {})


def test_workflow_results_are_shared_by_replicas_and_keep_their_order(db, open_db):
    ResultStore(db).add(workflow_result("U1", "Acme  corp"))
    later = StoredResult(
        "", "U1", "health", "ACME corp", "2026-11-02T10:00:00+00:00", 2.0, "fix", "Fix", {"a": 1}
    )
    new_id = ResultStore(db).add(later)
    other = ResultStore(open_db())
    assert [r.overall for r in other.history(team="", user="U1", workflow="health", subject="acme corp")] == [
        3.5,
        2.0,
    ]
    assert other.subjects(team="", user="U1", workflow="health") == ["ACME corp"]  # as last typed
    assert other.get(new_id) == later


def test_prune_deletes_only_what_is_older_than_the_cutoff(db):
    import time

    old, new = time.time() - 40 * 86400, time.time()
    sessions = SessionStore(db)
    sessions.append("s", turn("old", old))
    sessions.append("s", turn("new", new))
    FeedbackStore(db).record(Feedback("up", "old", "a", ts=old))
    FeedbackStore(db).record(Feedback("up", "new", "a", ts=new))
    AnswerRecords(db).save(AnswerRecord("new", "a"))
    results = ResultStore(db)
    results.add(workflow_result("U1", "Acme"))
    db.run("UPDATE workflow_results SET ts = ?", (old,))
    results.add(workflow_result("U1", "Acme"))
    assert retention.prune(db, 30) == {
        "turns": 1,
        "answers": 0,
        "votes": 1,
        "recent_threads": 0,
        "workflow_results": 1,
    }
    assert [t.question for t in sessions.history("s")] == ["new"]
    assert [f.question for f in FeedbackStore(db)] == ["new"]
    assert results.count() == 1
    assert set(retention.prune(db, 30).values()) == {0}


def test_forget_removes_one_persons_questions_answers_and_votes(db):
    sessions, records, votes = SessionStore(db), AnswerRecords(db), FeedbackStore(db)
    sessions.append("s1", turn("mine, asked with my id", 1.0, user="U1"))
    sessions.append("s1", turn("mine, known from the answer record", 2.0))
    sessions.append("s1", turn("someone else's", 3.0))
    sessions.append("s2", turn("mine in another workspace", 4.0, user="U1"), team="T2")
    records.save(AnswerRecord("mine, known from the answer record", "a", session_id="s1", user="U1"))
    records.save(AnswerRecord("someone else's", "a", session_id="s1", user="U2"))
    votes.record(Feedback("down", "q", "a", user="U1"))
    votes.record(Feedback("down", "q", "a", user="U2"))
    results = ResultStore(db)
    results.add(workflow_result("U1", "Acme"))
    results.add(workflow_result("U2", "Acme"))
    assert retention.forget(db, "U1", team="") == {
        "turns": 2,
        "answers": 1,
        "votes": 1,
        "recent_threads": 0,
        "workflow_results": 1,
    }
    assert [t.question for t in sessions.history("s1")] == ["someone else's"]
    assert [f.user for f in votes] == ["U2"]
    assert results.subjects(team="", user="U2", workflow="health") == ["Acme"]
    assert len(sessions.history("s2", team="T2")) == 1  # --team limits it to one workspace
    assert retention.forget(db, "U1")["turns"] == 1


def test_the_command_line_migrates_prunes_and_forgets(database_url, monkeypatch, capsys):
    from bots.cli.main import main

    if database_url:
        monkeypatch.setenv("ADVISOR_DATABASE_URL", database_url)
    assert main(["db", "migrate", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert (result["from"], result["to"], result["applied"]) == (0, LATEST, list(range(1, LATEST + 1)))
    assert main(["db", "migrate"]) == 0 and "up to date" in capsys.readouterr().out
    assert main(["db", "prune", "--older-than", "30", "--json"]) == 0
    assert set(json.loads(capsys.readouterr().out)["deleted"].values()) == {0}
    assert main(["db", "forget", "--user", "U1"]) == 0
    assert (
        "deleted 0 conversation turn(s), 0 answer record(s), 0 vote(s), 0 recent thread(s), "
        "0 workflow result(s) of user U1" in capsys.readouterr().out
    )


def test_feedback_export_reads_the_configured_database(database_url, tmp_path, monkeypatch, capsys):
    """Votes clicked on one replica are exported from another machine's empty data dir (same database)."""
    from advisor.config import load_settings
    from bots.cli.main import main

    if database_url:
        monkeypatch.setenv("ADVISOR_DATABASE_URL", database_url)
    FeedbackStore.from_settings(load_settings()).record(Feedback("down", "q", "a", ["s1"], user="U1"))
    if database_url:
        monkeypatch.setenv("ADVISOR_DATA_DIR", str(tmp_path / "third-replica"))
    assert main(["feedback", "export"]) == 0
    out = capsys.readouterr()
    assert [json.loads(line)["question"] for line in out.out.splitlines()] == ["q"]
    assert "1 vote(s) exported" in out.err


# -- SQLite only: the default needs no setup, and earlier versions' files are kept ----------------------


def test_an_earlier_versions_data_dir_is_imported_once(tmp_path):
    from advisor.config import load_settings
    from advisor.storage import open_database

    data = tmp_path / "data"
    data.mkdir()
    old = sqlite3.connect(data / "sessions.sqlite3")
    old.executescript(
        "CREATE TABLE turns (session_id TEXT NOT NULL, ts REAL NOT NULL, question TEXT NOT NULL, answer TEXT "
        "NOT NULL, refused INTEGER NOT NULL, query TEXT NOT NULL, sources TEXT NOT NULL, items TEXT NOT NULL "
        "DEFAULT '[]');"
        "INSERT INTO turns VALUES ('s', 1.0, 'old question', 'old answer', 0, 'old question', "
        "'[\"x\"]', '[\"A\"]');"
    )
    old.commit()
    old.close()
    answers = sqlite3.connect(data / "slack_answers.sqlite3")
    answers.executescript(
        "CREATE TABLE answers (id TEXT PRIMARY KEY, ts REAL NOT NULL, question TEXT NOT NULL, answer TEXT "
        "NOT NULL, source_ids TEXT NOT NULL, session_id TEXT NOT NULL, place TEXT NOT NULL, engine TEXT "
        "NOT NULL);"
        "INSERT INTO answers VALUES ('rec1', 1.0, 'old question', 'old answer', '[\"x\"]', 's', "
        "'C1:1.0', 'x');"
    )
    answers.commit()
    answers.close()
    vote = {
        "vote": "down",
        "question": "old question",
        "answer": "old answer",
        "source_ids": ["x"],
        "user": "U1",
    }
    (data / "feedback.jsonl").write_text(json.dumps(vote) + "\n{torn line\n", encoding="utf-8")

    settings = load_settings()
    for _ in range(2):  # opening again imports nothing twice
        db = open_database(settings)
        (kept,) = SessionStore(db).history("s")
        assert (kept.question, kept.sources, kept.items) == ("old question", ["x"], ["A"])
        record = AnswerRecords(db).get("rec1")
        assert record is not None and record.place == "C1:1.0"
        assert [(f.vote, f.user) for f in FeedbackStore(db)] == [("down", "U1")]


def test_the_default_never_imports_the_postgres_driver(tmp_path):
    import subprocess
    import sys

    code = (
        "import sys; from advisor.config import load_settings; from advisor.storage import open_database; "
        "from advisor.sessions import SessionStore; "
        "SessionStore(open_database(load_settings())).history('s'); print('psycopg' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# -- failures: clear, and never showing a password ------------------------------------------------------


def test_redact_masks_passwords_in_urls():
    assert redact("postgresql://bot:s3cret@db:5432/advisor") == "postgresql://bot:****@db:5432/advisor"
    assert redact("postgresql://bot@db/advisor") == "postgresql://bot@db/advisor"
    assert redact("postgresql://db/advisor?password=s3cret&sslmode=require") == (
        "postgresql://db/advisor?password=****&sslmode=require"
    )


def test_a_dead_database_is_one_clear_line_without_the_password(monkeypatch, capsys):
    pytest.importorskip("psycopg")
    from bots.cli.main import main
    from tests.ports import free_port

    url = f"postgresql://bot:s3cret-pw@127.0.0.1:{free_port()}/advisor"
    monkeypatch.setenv("ADVISOR_DATABASE_URL", url)
    assert main(["db", "migrate"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: cannot reach the database at postgresql://bot:****@127.0.0.1:")
    assert "check ADVISOR_DATABASE_URL and that PostgreSQL is running" in err
    assert "s3cret-pw" not in err and err.count("\n") == 1


def test_an_unknown_database_scheme_is_refused(monkeypatch, capsys):
    from bots.cli.main import main

    monkeypatch.setenv("ADVISOR_DATABASE_URL", "mysql://root:pw@db/advisor")
    assert main(["db", "migrate"]) == 2
    err = capsys.readouterr().err
    assert "must start with postgresql://" in err and "pw@" not in err


def test_a_dead_database_is_reported_by_the_store():
    pytest.importorskip("psycopg")
    from advisor.storage.postgres import PostgresDatabase
    from tests.ports import free_port

    db = PostgresDatabase(f"postgresql://bot:pw@127.0.0.1:{free_port()}/x", timeout=1)
    with pytest.raises(DatabaseUnavailable, match=r"bot:\*\*\*\*@"):
        db.migrate()
    with pytest.raises(DatabaseUnavailable):
        SessionStore(db).history("s")
    db.close()


def test_the_retention_setting_prunes_when_a_process_opens_the_database(database_url, monkeypatch):
    import time

    from advisor.config import load_settings
    from advisor.storage import open_database

    if database_url:
        monkeypatch.setenv("ADVISOR_DATABASE_URL", database_url)
    sessions = SessionStore(open_database(load_settings()))
    sessions.append("s", turn("old", time.time() - 10 * 86400))
    sessions.append("s", turn("new", time.time()))
    monkeypatch.setenv("ADVISOR_RETENTION_DAYS", "7")
    open_database(load_settings())
    deadline = time.monotonic() + 10
    while len(sessions.history("s")) > 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [t.question for t in sessions.history("s")] == ["new"]


def test_results_of_the_old_workflows_file_are_imported_once(tmp_path):
    import sqlite3

    from advisor.storage.sqlite import SQLiteDatabase

    old = sqlite3.connect(tmp_path / "workflows.sqlite3")
    old.executescript(
        "CREATE TABLE results (id INTEGER PRIMARY KEY AUTOINCREMENT, team TEXT, user TEXT, workflow TEXT,"
        " subject_key TEXT, subject TEXT, created_at TEXT, overall REAL, outcome TEXT, outcome_label TEXT,"
        " report TEXT);"
        "INSERT INTO results VALUES (1, 'T1', 'U1', 'scorecard', 'acme', 'Acme', '2026-10-01T10:00:00+00:00',"
        " 3.0, 'caution', 'Proceed with caution', '{\"overall\": 3.0}');"
    )
    old.commit()
    old.close()
    db = SQLiteDatabase(tmp_path / "advisor.sqlite3")
    db.migrate()
    db.migrate()  # once: the second run applies nothing
    (result,) = ResultStore(db).history(team="T1", user="U1", workflow="scorecard", subject="ACME")
    assert (result.subject, result.outcome_label, result.report) == (
        "Acme",
        "Proceed with caution",
        {"overall": 3.0},
    )
    assert (tmp_path / "workflows.sqlite3").exists()  # left as it was
