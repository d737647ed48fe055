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
