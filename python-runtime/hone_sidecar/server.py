"""The process around a run: reads commands, watches the parent, and makes sure the sidecar never outlives the app.

One job per process: `start` runs a training (`eval` an evaluation, evaluate.py) on the main thread, then the
process exits (0 after `done` or `report`, 2 after `error`). `stop`, a first SIGINT, stdin closing, the parent dying and SIGTERM all ask the run to stop after
the current step and save; for the last three (the app is gone or giving up) a hard deadline
(HONE_EXIT_GRACE_S, default 4 s) ends the process even if a step is slow, so it is gone within 5 s.

Several processes (a launcher set WORLD_SIZE, distributed.py): rank 0 alone reads stdin and speaks the protocol;
it hands the start command to the other ranks, and every stop (rank 0's stdin, any rank's signal or dead parent)
reaches all of them at the same optimiser step through a collective in the training loop. Every rank also watches
the app itself (HONE_APP_PID): the launcher between them does not, so each rank leaves on its own deadline
when the app dies.

Batch mode (`python -m hone_sidecar --config run.json`, what `hone train --print-launch` writes for a cluster's
scheduler): the run starts from the file, stdin is not read, events still go to stdout; SIGTERM (the scheduler's
warning before it kills a job) stops after the step and saves.
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

from . import distributed
from .distributed import WORLD
from .protocol import Emitter

POLL_PARENT_S = 0.5


def _app_pid() -> int | None:
    try:
        pid = int(os.environ.get("HONE_APP_PID", ""))
    except ValueError:
        return None
    return pid if pid > 0 and os.name != "nt" else None


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


class Server:
    def __init__(self, emitter: Emitter, stdin: TextIO, batch: dict[str, Any] | None = None) -> None:
        self.emitter = emitter
        self.stdin = stdin
        # A start command from a file (batch mode): no stdin at all.
        self.batch = batch
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
        app = _app_pid()
        while True:
            time.sleep(POLL_PARENT_S)
            if os.getppid() != self._parent:
                self.request_stop("parent process died", hard_deadline=True)
                return
            if app is not None and _gone(app):
                self.request_stop("the app is gone", hard_deadline=True)
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
        if WORLD.active:
            import torch

            # Every rank joins before `ready`, so ready means the whole run is up.
            try:
                distributed.init(bool(torch.cuda.is_available()))
                distributed.PEERS = distributed.gather(distributed.whoami())
            except Exception as e:  # noqa: BLE001 - the app must hear why the run could not start
                import traceback

                traceback.print_exc()
                self.emitter.emit("error", code="PROCESS_FAILED", message=f"The training processes could not join "
                                  f"each other: {type(e).__name__}: {str(e)[:500]}", hint="Check that no other "
                                  "program holds the run's port and that every process could start; then start again.")
                return 2
        dev = probe()
        devices = distributed.gather(dev.device)
        if WORLD.main:
            extra = {"devices": devices, "pids": [pid for _, pid in distributed.PEERS]} if WORLD.active else {}
            self.emitter.emit("ready", pid=os.getpid(), **dev.ready_fields(), **extra)
            if self.batch is not None:
                self.started = True
                self.starts.put(self.batch)
            else:
                threading.Thread(target=self._read_commands, name="stdin", daemon=True).start()
        start = self.starts.get() if WORLD.main else None
        # The other ranks train what rank 0 was told; None (the app left before any start) ends them all.
        start = distributed.broadcast(start)
        if start is None:
            return 0
        self.started = True
        if start["cmd"] == "eval" and WORLD.active:
            from .errors import SidecarError

            e = SidecarError("BAD_CONFIG", "An evaluation runs in one process, not under a multi-process launcher.",
                             "Start the evaluation with `python -m hone_sidecar` (the app does).", field="config")
            self.emitter.emit("error", **e.event_fields())
            return 2
        if start["cmd"] == "eval":
            from .evaluate import Evaluation

            return Evaluation(start["config"], self.emitter, self.stop_event, dev).execute()
        from .run import Run

        return Run(start["config"], self.emitter, self.stop_event, dev, self.decisions).execute()
