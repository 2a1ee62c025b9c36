"""Drives a real `python -m hone_sidecar` process and checks every stdout line against the protocol schema."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable

RUNTIME_DIR = Path(__file__).resolve().parents[1]
REPO_ROOT = RUNTIME_DIR.parent
SAMPLES = REPO_ROOT / "resources" / "samples"
PYTHON = os.environ.get("HONE_PYTHON") or sys.executable
sys.path.insert(0, str(RUNTIME_DIR))

from hone_sidecar.protocol import validator  # noqa: E402

EVENT_VALIDATOR = validator("event")


def sidecar_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(RUNTIME_DIR), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env.setdefault("HONE_CPU_THREADS", "1")
    env.update(extra)
    return env


class Sidecar:
    """One sidecar process. `events` fills as lines arrive; `problems` lists every protocol violation."""

    def __init__(self, log_dir: Path, name: str, stop_when: Callable[[dict[str, Any]], bool] | None = None,
                 answer: Callable[[dict[str, Any]], dict[str, Any] | None] | None = None, **env: str) -> None:
        self.name = name
        self.stop_when = stop_when  # checked on the reader thread, so the stop is sent the moment it is due
        # The host's side of a dialogue (the memory check's decisions): a command to send back, or None.
        self.answer = answer
        self.stderr_path = log_dir / f"{name}.stderr.txt"
        self._stderr = self.stderr_path.open("w")
        self.proc = subprocess.Popen([PYTHON, "-m", "hone_sidecar"], cwd=str(RUNTIME_DIR), env=sidecar_env(**env),
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr,
                                     text=True, encoding="utf-8", bufsize=1)
        self.events: list[dict[str, Any]] = []
        self.problems: list[str] = []
        self._queue: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._cursor = 0
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        last_seq = 0
        for line in self.proc.stdout:
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                self.problems.append(f"not JSON: {line[:200]!r}")
                continue
            for error in EVENT_VALIDATOR.iter_errors(event):
                self.problems.append(f"{event.get('type')}: {error.message} at {list(error.absolute_path)}")
            seq = event.get("seq", 0)
            if not isinstance(seq, int) or seq != last_seq + 1:
                self.problems.append(f"seq {seq} after {last_seq}")
            last_seq = seq if isinstance(seq, int) else last_seq
            self.events.append(event)
            self._queue.put(event)
            if self.stop_when is not None and self.stop_when(event):
                self.stop_when = None
                self.send({"cmd": "stop"})
            reply = self.answer(event) if self.answer is not None else None
            if reply is not None:
                self.send(reply)
        self._queue.put(None)

    def send(self, command: dict[str, Any]) -> None:
        self.proc.stdin.write(json.dumps(command) + "\n")
        self.proc.stdin.flush()

    def start(self, config: dict[str, Any]) -> "Sidecar":
        self.send({"cmd": "start", "config": config})
        return self

    def wait_for(self, predicate: Callable[[dict[str, Any]], bool], timeout: float = 420) -> dict[str, Any]:
        """The first event (from the start of the stream) that matches."""
        deadline = time.monotonic() + timeout
        for event in self.events[: self._cursor]:
            if predicate(event):
                return event
        while True:
            while self._cursor < len(self.events):
                event = self.events[self._cursor]
                self._cursor += 1
                if predicate(event):
                    return event
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"{self.name}: no matching event in {timeout}s; stderr: {self.stderr_tail()}")
            try:
                if self._queue.get(timeout=min(left, 1.0)) is None and self._cursor >= len(self.events):
                    raise AssertionError(f"{self.name}: stdout closed before a matching event; last events "
                                         f"{self.events[-3:]}; stderr: {self.stderr_tail()}")
            except queue.Empty:
                pass

    def wait_type(self, type_: str, timeout: float = 420) -> dict[str, Any]:
        return self.wait_for(lambda e: e["type"] in (type_, "error") if type_ != "error" else e["type"] == "error",
                             timeout)

    def finish(self, timeout: float = 240) -> int:
        """Waits for exit; returns the exit status after checking the protocol was kept."""
        try:
            code = self.proc.wait(timeout=timeout)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
        self._reader.join(timeout=10)
        self._stderr.close()
        assert not self.problems, f"{self.name}: protocol violations: {self.problems[:5]}"
        return code

    def of_type(self, type_: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e["type"] == type_]

    def stderr_tail(self, n: int = 3000) -> str:
        try:
            return self.stderr_path.read_text(errors="replace")[-n:]
        except OSError:
            return ""

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if not self._stderr.closed:
            self._stderr.close()
