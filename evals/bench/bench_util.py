"""Plumbing for ``advisor bench``: the results table, percentiles, RSS sampling and child processes.

A figure is one measured value with an optional target (``<=`` or ``>=``); its ratio is
value / target, so a ratio of 1.0 or less meets a ``<=`` target and 1.0 or more meets a ``>=`` one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np


@dataclass
class Figure:
    section: str
    name: str
    value: Any
    unit: str = ""
    op: str | None = None  # "<=" or ">="
    target: float | None = None

    @property
    def ratio(self) -> float | None:
        if self.target is None or not isinstance(self.value, int | float) or not self.target:
            return None
        return float(self.value) / self.target

    @property
    def ok(self) -> bool | None:
        if self.ratio is None:
            return None
        return self.ratio <= 1.0 if self.op == "<=" else self.ratio >= 1.0


@dataclass
class Results:
    meta: dict = field(default_factory=dict)
    figures: list[Figure] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)

    def add(self, section: str, name: str, value: Any, unit: str = "", target: str | None = None) -> None:
        """Record a figure; ``target`` reads like "<= 50" or ">= 0.8"."""
        op, goal = target.split() if target else (None, None)
        self.figures.append(Figure(section, name, _round(value), unit, op, float(goal) if goal else None))

    def note(self, section: str, text: str) -> None:
        self.notes.append((section, text))

    def misses(self) -> list[Figure]:
        return [f for f in self.figures if f.ok is False]

    def to_json(self) -> dict:
        sections: dict[str, dict] = {}
        for f in self.figures:
            sections.setdefault(f.section, {})[f.name] = {
                "value": f.value,
                "unit": f.unit,
                "target": f"{f.op} {f.target:g}" if f.op else None,
                "ratio": None if f.ratio is None else round(f.ratio, 3),
                "ok": f.ok,
            }
        notes: dict[str, list[str]] = {}
        for section, text in self.notes:
            notes.setdefault(section, []).append(text)
        return {
            **self.meta,
            "sections": sections,
            "notes": notes,
            "misses": [f"{f.section}: {f.name}" for f in self.misses()],
        }

    def render(self) -> str:
        lines = [" ".join(f"{k}={v}" for k, v in self.meta.items())]
        width = max((len(f.name) for f in self.figures), default=20)
        header = f"{'figure':<{width}}  {'value':>12} {'unit':<8} {'target':>10} {'ratio':>7}  status"
        order = list(dict.fromkeys([f.section for f in self.figures] + [s for s, _ in self.notes]))
        for section in order:
            lines += ["", f"== {section} ==", header, "-" * len(header)]
            for f in (f for f in self.figures if f.section == section):
                target = f"{f.op} {f.target:g}" if f.op else ""
                ratio = f"{f.ratio:.2f}" if f.ratio is not None else ""
                status = {True: "ok", False: "MISS", None: ""}[f.ok]
                value = _show(f.value)
                lines.append(f"{f.name:<{width}}  {value:>12} {f.unit:<8} {target:>10} {ratio:>7}  {status}")
            lines += [f"  note: {text}" for s, text in self.notes if s == section]
        misses = self.misses()
        lines += ["", f"targets missed: {len(misses)}"] + [f"  - {f.section}: {f.name}" for f in misses]
        return "\n".join(lines)

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=2)


def _round(value: Any) -> Any:
    if isinstance(value, float | np.floating):
        value = float(value)
        return round(value, 3) if abs(value) < 100 else round(value, 1)
    if isinstance(value, np.integer):
        return int(value)
    return value


def _show(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=np.float64), q)) if values else float("nan")


class RssSampler:
    """Peak resident memory of a process (default: this one), sampled every ``interval`` seconds."""

    def __init__(self, pid: int | None = None, interval: float = 0.05) -> None:
        import psutil

        self.process = psutil.Process(pid or os.getpid())
        self.interval = interval
        self.start_mb = self.peak_mb = self._rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="rss-sampler", daemon=True)

    def _rss(self) -> float:
        try:
            return self.process.memory_info().rss / 2**20
        except Exception:  # the process ended between samples
            return 0.0

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak_mb = max(self.peak_mb, self._rss())

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.peak_mb = max(self.peak_mb, self._rss())


@dataclass
class ChildRun:
    returncode: int
    seconds: float
    max_rss_mb: float
    stdout: str
    stderr: str


def child_env(**overrides: str) -> dict[str, str]:
    """This environment without the user's ADVISOR_* settings, plus the overrides."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADVISOR_")}
    env.update({"HF_HUB_OFFLINE": "1", "ADVISOR_LOG_LEVEL": "WARNING", **overrides})
    return env


def advisor_command(*args: str) -> list[str]:
    script = Path(sys.executable).parent / "advisor"
    if script.is_file():
        return [str(script), *args]
    return [sys.executable, "-m", "bots.cli.main", *args]


def run_child(cmd: list[str], env: dict[str, str], cwd: Path, timeout: float) -> ChildRun:
    """Run a command to completion (killed after ``timeout`` s): its wall time and peak RSS.

    The peak is sampled with psutil: a child's own ru_maxrss (os.wait4) starts at the *parent's*
    high-water mark on Linux, which here is the benchmark's ~1.4 GB, so it cannot be used.
    """
    out_path, err_path = cwd / ".bench-child.out", cwd / ".bench-child.err"
    with open(out_path, "w") as out, open(err_path, "w") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=err)
        with RssSampler(proc.pid, interval=0.02) as rss:
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=30)
        seconds = time.perf_counter() - started
    return ChildRun(proc.returncode, seconds, rss.peak_mb, out_path.read_text(), err_path.read_text())
