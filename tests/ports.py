"""Servers started by tests in another process: a port, a start that fails fast with the log.

A server in this process binds port 0 and reports the port it got (``server.server_port``). A child
process that cannot tell us its port gets a probed free port instead; the few milliseconds between
probe and bind leave a race, so :func:`start_server` retries when the child says the address is in
use, and fails at once, with the end of the child's log, when it exits for any other reason.
"""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

TRIES = 3


def free_port() -> int:
    """A port nothing listened on a moment ago (see the module docstring for the race)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tail(log: Path, chars: int = 3000) -> str:
    text = log.read_text(errors="replace") if log.exists() else "(no log)"
    return text[-chars:] or "(empty log)"


def is_up(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


def start_server(
    name: str,
    launch: Callable[[int, Path], subprocess.Popen],
    health: Callable[[int], str],
    log: Path,
    timeout: float,
) -> tuple[int, subprocess.Popen]:
    """Launch ``launch(port, log)`` until ``health(port)`` answers 200; (port, process).

    Fails the test with the log's end when the process exits or stays silent for ``timeout`` s.
    """
    for _ in range(TRIES):
        port = free_port()
        proc = launch(port, log)
        deadline = time.monotonic() + timeout
        while proc.poll() is None and time.monotonic() < deadline:
            if is_up(health(port)):
                return port, proc
            time.sleep(0.1)
        if proc.poll() is None:
            stop(proc)
            pytest.fail(f"{name} did not answer {health(port)} within {timeout:.0f} s; its log:\n{tail(log)}")
        if "address already in use" not in tail(log, 20_000).lower():
            pytest.fail(f"{name} exited at start with code {proc.returncode}; its log:\n{tail(log)}")
    pytest.fail(f"{name} found no free port in {TRIES} tries; its log:\n{tail(log)}")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
