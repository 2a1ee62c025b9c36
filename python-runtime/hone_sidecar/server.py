"""The process around a run: reads commands, watches the parent, and makes sure the sidecar never outlives the app.

One job per process: `start` runs a training (`eval` an evaluation, evaluate.py) on the main thread, then the
process exits (0 after `done` or `report`, 2 after `error`). `stop`, a first SIGINT, stdin closing, the parent dying and SIGTERM all ask the run to stop after
the current step and save; for the last three (the app is gone or giving up) a hard deadline
(HONE_EXIT_GRACE_S, default 4 s) ends the process even if a step is slow, so it is gone within 5 s.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import sys
import threading
import time
from typing import Any, TextIO

from .protocol import Emitter

POLL_PARENT_S = 0.5


class Server:
    def __init__(self, emitter: Emitter, stdin: TextIO) -> None:
        self.emitter = emitter
        self.stdin = stdin
        self.stop_event = threading.Event()
        self.starts: queue.Queue[Any] = queue.Queue()
        # The host's answers to the memory check, read by the run while it waits (probe.py).
        self.decisions: queue.Queue[Any] = queue.Queue()
        self.started = False
        self._deadline_armed = False
        self._parent = os.getppid()

    # -- shutting down ---------------------------------------------------------------------------
    def request_stop(self, reason: str, hard_deadline: bool) -> None:
        first = not self.stop_event.is_set()
        self.stop_event.set()
        if first:
            print(f"hone_sidecar: stopping ({reason})", file=sys.stderr, flush=True)
        if not self.started:
            self.starts.put(None)  # nothing running: leave right away
        if hard_deadline and not self._deadline_armed:
            self._deadline_armed = True
            grace = float(os.environ.get("HONE_EXIT_GRACE_S", "4"))
            timer = threading.Timer(grace, self._hard_exit, args=(reason,))
            timer.daemon = True
            timer.start()

    def _hard_exit(self, reason: str) -> None:
        print(f"hone_sidecar: still busy {reason!r} after the grace period; exiting now", file=sys.stderr, flush=True)
        os._exit(3)

    # -- threads ---------------------------------------------------------------------------------
    def _read_commands(self) -> None:
        try:
            # Bytes, decoded leniently: a garbled line must not kill the thread that notices the app leaving.
            for raw in getattr(self.stdin, "buffer", self.stdin):
                line = (raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw).strip()
                if line:
                    self._handle(line)
        except Exception as e:  # noqa: BLE001 - treated like the app going away
            print(f"hone_sidecar: reading stdin failed: {e!r}", file=sys.stderr, flush=True)
        finally:
            self.request_stop("stdin closed: the app has gone", hard_deadline=True)

    def _handle(self, line: str) -> None:
        try:
            command = json.loads(line)
        except json.JSONDecodeError:
            command = None
        name = command.get("cmd") if isinstance(command, dict) else None
        if name == "ping":
            self.emitter.emit("pong")
        elif name == "probe_decision":
            self.decisions.put(command)
        elif name == "stop":
            self.request_stop("stop command", hard_deadline=False)
        elif name in ("start", "eval"):
            if self.started:
                self.emitter.log("warning", f"Ignoring a second {name} command: this sidecar runs one job.")
            else:
                self.started = True
                # Wrapped, so a command without a config reaches validation instead of meaning "exit".
                self.starts.put({"cmd": name, "config": command.get("config")})
        else:
            self.emitter.log("error", f"Unknown command line ignored: {line[:200]}")

    def _watch_parent(self) -> None:
        while True:
            time.sleep(POLL_PARENT_S)
            if os.getppid() != self._parent:
                self.request_stop("parent process died", hard_deadline=True)
                return

    def _on_signal(self, signum, _frame) -> None:
        # Ctrl-C in a terminal reaches the whole process group, sidecar included, while `hone train` stays
        # alive: the first SIGINT is an ordinary stop (a save may take longer than the deadline); a second
        # one, or SIGTERM (the app's escalation), arms the hard deadline.
        if signum == signal.SIGINT and not self.stop_event.is_set():
            self.request_stop("interrupted (SIGINT)", hard_deadline=False)
        else:
            self.request_stop(f"signal {signum}", hard_deadline=True)

    # -- main ------------------------------------------------------------------------------------
    def serve(self) -> int:
        from .device import probe

        for sig in (signal.SIGTERM, signal.SIGINT):
            try:
                signal.signal(sig, self._on_signal)
            except (ValueError, OSError):
                pass
        threading.Thread(target=self._watch_parent, name="parent-watch", daemon=True).start()
        dev = probe()
        self.emitter.emit("ready", pid=os.getpid(), **dev.ready_fields())
        threading.Thread(target=self._read_commands, name="stdin", daemon=True).start()
        start = self.starts.get()
        if start is None:
            return 0
        if start["cmd"] == "eval":
            from .evaluate import Evaluation

            return Evaluation(start["config"], self.emitter, self.stop_event, dev).execute()
        from .run import Run

        return Run(start["config"], self.emitter, self.stop_event, dev, self.decisions).execute()
