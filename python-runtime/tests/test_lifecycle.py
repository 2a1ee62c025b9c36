"""Process life: ready/ping/pong, leaving when stdin closes, and leaving within 5 s when the parent dies."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from conftest import sft_config
from sidecar_proc import EVENT_VALIDATOR, PYTHON, RUNTIME_DIR, Sidecar, sidecar_env


def _alive(pid: int) -> bool:
    """True while the process exists and is not a zombie (a dead child nobody has reaped yet)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
    except OSError:
        try:
            os.kill(pid, 0)
            return True
        except OSError:
            return False


def test_ready_ping_pong_and_exit_on_stdin_close(workdir):
    proc = Sidecar(workdir, "idle")
    ready = proc.wait_type("ready", timeout=120)
    assert ready["seq"] == 1 and ready["version"] and ready["torch"].startswith("2.")
    proc.send({"cmd": "ping"})
    assert proc.wait_type("pong", timeout=30)["seq"] == 2
    started = time.monotonic()
    proc.proc.stdin.close()
    assert proc.finish(timeout=10) == 0
    assert time.monotonic() - started < 5


def test_sidecar_is_gone_within_5s_of_its_parent_dying(workdir, tiny_model):
    """The parent is killed while the sidecar's main thread is busy (importing the training stack after
    `start`), the worst moment: it cannot notice between steps, so the hard deadline has to end it."""
    out = workdir / "orphan"
    events_file = workdir / "orphan-events.jsonl"
    stderr_file = workdir / "orphan.stderr.txt"
    config = sft_config(tiny_model, out, max_steps=100000, save_steps=100000, eval_split=0)
    # A stand-in for the app: it starts the sidecar with a pipe on stdin, then is killed.
    parent_code = (
        "import json, subprocess, sys, time\n"
        f"out = open({str(events_file)!r}, 'w'); err = open({str(stderr_file)!r}, 'w')\n"
        f"p = subprocess.Popen([{PYTHON!r}, '-m', 'hone_sidecar'], cwd={str(RUNTIME_DIR)!r}, "
        "stdin=subprocess.PIPE, stdout=out, stderr=err, text=True)\n"
        f"config = json.loads({json.dumps(config)!r})\n"
        "p.stdin.write(json.dumps({'cmd': 'start', 'config': config}) + '\\n'); p.stdin.flush()\n"
        "print(p.pid, flush=True)\n"
        "time.sleep(600)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", parent_code], env=sidecar_env(), stdout=subprocess.PIPE, text=True)
    try:
        child = int(parent.stdout.readline())
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and '"stage": "validating", "done": 1' not in events_file.read_text():
            assert _alive(child), events_file.read_text()[-2000:]
            time.sleep(0.05)
        parent.kill()
        parent.wait()
        killed = time.monotonic()
        while _alive(child) and time.monotonic() - killed < 10:
            time.sleep(0.05)
        gone_after = time.monotonic() - killed
        assert not _alive(child), "sidecar outlived its parent by 10 s"
        assert gone_after < 5, gone_after
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
    events = [json.loads(line) for line in events_file.read_text().splitlines()]
    assert [e["type"] for e in events[:2]] == ["ready", "progress"]
    for event in events:
        assert not list(EVENT_VALIDATOR.iter_errors(event)), event
    assert "stopping (stdin closed" in stderr_file.read_text() or "stopping (parent" in stderr_file.read_text()
