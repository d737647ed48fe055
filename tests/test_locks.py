"""The ingest lease on a shared store (advisor/locks.py) and the cleanup rule that goes with it.

The lease logic only needs the store's lease methods, so these run on an embedded Chroma; the same
calls through a real ``chroma run`` are in tests/test_chroma_server.py."""

from __future__ import annotations

import time

import pytest

from advisor import locks
from advisor.errors import IngestLockedError
from advisor.ingest import Ingestor
from advisor.locks import Lease, lease_key
from advisor.store import VectorStore

KEY = lease_key("shared")


@pytest.fixture
def store(settings):
    return VectorStore(settings)


def test_a_lease_is_exclusive_until_released(store):
    first, second = Lease("a"), Lease("b")
    with locks._chroma_lease(store, "shared", first, deadline=time.monotonic()):
        assert store.lease(KEY)["owner"] == "a"
        with (
            pytest.raises(IngestLockedError, match="lease held by a"),
            locks._chroma_lease(store, "shared", second, deadline=time.monotonic() + 0.6),
        ):
            pass
    assert store.lease(KEY) is None
    with locks._chroma_lease(store, "shared", second, deadline=time.monotonic()):
        assert store.lease(KEY)["owner"] == "b"


def test_an_expired_lease_is_taken_over_and_its_holder_learns_it_lost(store, monkeypatch):
    store.claim_lease(KEY, {"owner": "crashed", "expires": time.time() - 1})
    taker = Lease("taker")
    with locks._chroma_lease(store, "shared", taker, deadline=time.monotonic()):
        assert store.lease(KEY)["owner"] == "taker"
        # The crashed writer wakes up: it may not renew, and may not release someone else's lease.
        assert not store.renew_lease(KEY, {"owner": "crashed", "expires": time.time() + 60})
        store.drop_lease(KEY, "crashed")
        assert store.lease(KEY)["owner"] == "taker"


def test_a_lost_lease_stops_the_build_from_going_live():
    lease = Lease("me")
    lease.lost.set()
    with pytest.raises(IngestLockedError, match="lost its lease"):
        lease.check()


def test_cleanup_keeps_a_build_whose_writer_holds_a_live_lease(settings, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.md").write_text("# A\n\n## One\n\nPartners share the steering board.\n")
    shared = settings.model_copy(update={"chroma_url": "http://127.0.0.1:1"})  # cleanup's server rules
    store = VectorStore(shared, client=VectorStore(settings)._client)
    Ingestor(shared, store=store).run([docs], "shared")
    live = store.live("shared").physical
    busy = store.new_build("shared", "hashing-1024", writer="other-machine")
    dead = store.new_build("shared", "hashing-1024", writer="long-gone")
    store.claim_lease(KEY, {"owner": "other-machine", "expires": time.time() + 60})
    Ingestor(shared, store=store)._clean_orphans("shared", {live}, Lease("me"))
    assert sorted(store.orphans("shared", {live})) == [busy], (
        "removed a live writer's build, or kept a dead one"
    )
    assert dead not in store.orphans("shared", {live})


# --- across machines: the PostgreSQL advisory lock (real PostgreSQL: scripts/with_postgres.sh) -------


def _held_advisory_locks(url: str, collection: str) -> int:
    """Granted advisory locks on the collection's key, in any session of the server."""
    import psycopg

    key = locks._pg_key(collection) & 0xFFFFFFFFFFFFFFFF  # a bigint key is stored as two oids
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND classid::bigint = %s AND objid::bigint = %s AND objsubid = 1",
            (key >> 32, key & 0xFFFFFFFF),
        ).fetchone()
    return int(row[0]) if row else 0


@pytest.fixture
def two_machines(settings, postgres_url, tmp_path):
    """Two writers' settings: their own data dirs (so no shared file lock), one database."""
    from pydantic import SecretStr

    return [
        settings.model_copy(
            update={"data_dir": tmp_path / f"data-{name}", "database_url": SecretStr(postgres_url)}
        )
        for name in ("a", "b")
    ]


def _docs(folder, word: str):
    folder.mkdir(parents=True)
    (folder / f"{word}.md").write_text(
        f"# {word}\n\n## About {word}\n\nPartners review {word} each quarter.\n"
    )
    return folder


@pytest.mark.real
def test_two_writers_sharing_a_database_are_serialised_and_the_lock_is_released(
    two_machines, postgres_url, tmp_path
):
    first, second = two_machines
    seen: dict = {}

    def while_first_holds_it(stage: str, done: int, total: int) -> None:
        if seen:
            return
        seen["held"] = _held_advisory_locks(postgres_url, "shared")
        try:
            Ingestor(second).run([_docs(tmp_path / "docs-b", "beta")], "shared")
        except IngestLockedError as exc:
            seen["refused"] = str(exc)

    report = Ingestor(first, progress=while_first_holds_it).run(
        [_docs(tmp_path / "docs-a", "alpha")], "shared"
    )
    assert report.built
    assert seen["held"] == 1, "the first writer did not hold the advisory lock"
    assert "another ingest of collection 'shared' is running" in seen.get("refused", "")
    assert "PostgreSQL advisory lock" in seen["refused"]
    assert _held_advisory_locks(postgres_url, "shared") == 0, "the lock outlived the ingest"
    assert Ingestor(second).run([tmp_path / "docs-b"], "shared").built


@pytest.mark.real
def test_with_wait_a_writer_on_another_machine_queues_behind_the_database_lock(
    two_machines, postgres_url, tmp_path
):
    import threading

    first, second = two_machines
    held, released = threading.Event(), {}

    def holder() -> None:
        with locks.ingest_lock(first.data_dir, "shared", database_url=postgres_url):
            held.set()
            time.sleep(0.8)
            released["at"] = time.monotonic()  # the release starts after this

    def started_work(stage: str, done: int, total: int) -> None:
        released.setdefault("second_worked_at", time.monotonic())

    thread = threading.Thread(target=holder)
    thread.start()
    assert held.wait(10)
    report = Ingestor(second, progress=started_work).run(
        [_docs(tmp_path / "docs-b", "beta")], "shared", wait=30
    )
    thread.join()
    assert report.built
    assert released["second_worked_at"] >= released["at"], "it worked while the other machine held the lock"
    assert _held_advisory_locks(postgres_url, "shared") == 0
