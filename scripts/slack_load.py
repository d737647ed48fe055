"""Load test for the Slack bot's HTTP endpoint, entirely on loopback.

Starts the real endpoint (uvicorn) and a stub Slack Web API, fires a burst of signed, distinct
app_mention events at once (one thread each) plus redeliveries of some of the same event ids, and
reports whether every request was acked, ack latency, duplicates posted, answers delivered and the
time to drain the answer queue.

    .venv/bin/python scripts/slack_load.py                 # hashing embedder, extractive engine
    .venv/bin/python scripts/slack_load.py --real          # the bundled MiniLM model
    .venv/bin/python scripts/slack_load.py --events 100 --retries 10
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

QUESTIONS = [
    "What is a joint venture?",
    "How should we choose a partner?",
    "Why do strategic alliances fail?",
    "What is an equity alliance?",
    "How should an alliance be governed?",
    "When should we exit a partnership?",
    "What are the benefits of co-marketing?",
    "What makes alliances succeed?",
    "What is a licensing deal?",
    "What are the stages of the partnership lifecycle?",
]
SECRET = "load-test-secret"
TESTS_DIR = Path(__file__).resolve().parents[1] / "tests"  # the stub Slack Web API lives with the tests


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=50, help="distinct app_mention events (default 50)")
    parser.add_argument("--retries", type=int, default=5, help="redeliveries of already-sent event ids")
    parser.add_argument("--real", action="store_true", help="use the bundled MiniLM embedder")
    parser.add_argument("--timeout", type=float, default=120.0, help="give up waiting for answers after this")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    with tempfile.TemporaryDirectory(prefix="slack-load-") as tmp:
        return run(args, Path(tmp))


def run(args: argparse.Namespace, data_dir: Path) -> int:
    from advisor import Advisor, load_settings
    from advisor.ingest import Ingestor
    from bots.slack.answering import Answerer
    from bots.slack.app import create_app
    from bots.slack.config import load_slack_settings
    from bots.slack.health import Readiness
    from bots.slack.server import HttpServer, asgi_app

    sys.path.insert(0, str(TESTS_DIR))
    from slack_stub import StubSlackAPI, event_callback, mention, post_signed

    settings = load_settings(
        data_dir=data_dir,
        embedder="minilm" if args.real else "hashing",
        engine="extractive",
    )
    slack_settings = load_slack_settings(
        bot_token="xoxb-load", signing_secret=SECRET, answer_timeout=args.timeout
    )
    t0 = time.perf_counter()
    Ingestor(settings).run()
    advisor = Advisor.from_settings(settings)
    advisor.warm()
    print(
        f"index built and advisor warmed in {time.perf_counter() - t0:.1f} s "
        f"(embedder={settings.embedder}, engine={settings.engine})"
    )

    with StubSlackAPI() as slack:
        answerer = Answerer(advisor, slack_settings, settings.data_dir)
        app = create_app(slack_settings, advisor, answerer, slack.client())
        server = HttpServer(asgi_app(app, SECRET, Readiness()), host="127.0.0.1", port=0).start_in_thread()
        url = f"http://127.0.0.1:{server.port}/slack/events"
        payloads = [
            event_callback(
                mention(QUESTIONS[i % len(QUESTIONS)], ts=f"1700001000.{i:06d}", user=f"U{i:05d}"),
                event_id=f"EvLOAD{i:05d}",
            )
            for i in range(args.events)
        ]
        sends = [(p, None) for p in payloads] + [(payloads[i % args.events], 1) for i in range(args.retries)]
        results = burst(url, sends, post_signed)
        burst_end = time.perf_counter()
        deadline = time.monotonic() + args.timeout
        while len(replies(slack)) < args.events and time.monotonic() < deadline:
            time.sleep(0.02)
        answerer.drain(args.timeout)
        drained = time.perf_counter() - burst_end
        time.sleep(0.5)  # let any stray duplicate land before counting
        answered = replies(slack)
        streams = slack.streams()
        print(
            f"streamed replies:   {len(streams)} (stopped {sum(s.stopped for s in streams)}); "
            f"posted whole: {len(slack.called('chat.postMessage'))}"
        )
        server.close()
        answerer.shutdown()

    report(args, results, answered, drained)
    per_thread = Counter(c.body.get("thread_ts") for c in answered)
    ok = all(status == 200 for status, _ in results) and len(per_thread) == args.events
    return 0 if ok and max(per_thread.values(), default=0) == 1 else 1


def replies(slack):
    """Every reply, streamed (chat.startStream) or posted whole (chat.postMessage)."""
    return slack.called("chat.postMessage") + slack.called("chat.startStream")


def burst(url, sends, post_signed) -> list[tuple[int, float]]:
    """Send every request at the same moment, one thread each; return (status, latency seconds)."""
    results: list[tuple[int, float]] = [(0, 0.0)] * len(sends)
    gate = threading.Barrier(len(sends))

    def one(i: int) -> None:
        payload, retry = sends[i]
        gate.wait(timeout=30)
        start = time.perf_counter()
        try:
            status, _ = post_signed(url, SECRET, payload, retry_num=retry, timeout=10)
        except OSError as exc:  # a reset or a refused connection counts as not acked
            print(f"request {i} failed: {type(exc).__name__}: {exc}", file=sys.stderr)
            status = 0
        results[i] = (status, time.perf_counter() - start)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(sends))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def report(args, results, answered, drained: float) -> None:
    latencies = sorted(latency * 1000 for status, latency in results if status == 200)
    acked = len(latencies)
    per_thread = Counter(c.body.get("thread_ts") for c in answered)
    duplicates = sum(n - 1 for n in per_thread.values() if n > 1)

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, round(p / 100 * (len(latencies) - 1)))] if latencies else 0.0

    print(f"requests sent:      {len(results)} ({args.events} distinct events + {args.retries} redeliveries)")
    print(f"all acked (200):    {'yes' if acked == len(results) else 'NO'} ({acked}/{len(results)})")
    mean = statistics.fmean(latencies) if latencies else 0.0
    print(
        f"ack latency:        p50 {pct(50):.0f} ms, p99 {pct(99):.0f} ms, "
        f"max {max(latencies, default=0):.0f} ms (mean {mean:.0f} ms)"
    )
    print(f"events answered:    {len(per_thread)} (expected {args.events})")
    print(f"duplicates posted:  {duplicates} (expected 0)")
    print(f"time to drain:      {drained:.2f} s after the burst")


if __name__ == "__main__":
    sys.exit(main())
