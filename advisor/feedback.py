"""Thumbs up/down on answers, kept under the data directory and exportable for the evals.

Each vote is one JSON line in ``<data_dir>/feedback.jsonl``: when, where (an opaque place id such as a
Slack channel and thread), who (an opaque user id), the question, the answer, the cited source ids,
and the vote ("up" or "down"). Appends are atomic per line, so concurrent writers do not interleave.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass
class Feedback:
    vote: str  # "up" | "down"
    question: str
    answer: str
    source_ids: list[str] = field(default_factory=list)
    session_id: str = ""
    place: str = ""
    user: str = ""
    engine: str = ""
    ts: float = 0.0


class FeedbackStore:
    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / "feedback.jsonl"
        self._lock = threading.Lock()

    def record(self, item: Feedback) -> None:
        if item.vote not in ("up", "down"):
            raise ValueError(f"vote must be 'up' or 'down', not {item.vote!r}")
        item.ts = item.ts or time.time()
        line = (json.dumps(asdict(item), ensure_ascii=False) + "\n").encode()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            try:
                os.write(fd, line)
            finally:
                os.close(fd)

    def __iter__(self) -> Iterator[Feedback]:
        if not self.path.exists():
            return
        with self.path.open(encoding="utf-8") as handle:
            for line in handle:
                line = line.strip()
                if line:
                    try:
                        yield Feedback(**json.loads(line))
                    except (ValueError, TypeError):
                        continue  # a torn or foreign line never stops an export

    def downvoted(self) -> list[Feedback]:
        return [f for f in self if f.vote == "down"]
