"""One training run through Hone's real sidecar (`python -m hone_sidecar`, the JSON-lines protocol the app speaks),
shared by the bench scripts that compare it with a bare loop."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path


def train_with_sidecar(python: str, runtime: Path, env: dict[str, str], config: dict, timeout: float) -> dict:
    """Starts the sidecar, sends `start` with `config`, reads events until `done` or `error`, and returns the
    run's summary.json (tokens_seen, train_runtime_s, final_step, final_loss, ...)."""
    proc = subprocess.Popen([python, "-m", "hone_sidecar"], cwd=runtime, env=env, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert proc.stdin and proc.stdout
    proc.stdin.write(json.dumps({"cmd": "start", "config": config}) + "\n")
    proc.stdin.flush()
    last = None
    for line in proc.stdout:
        last = json.loads(line)
        if last["type"] in ("done", "error"):
            break
    proc.stdin.close()
    proc.wait(timeout=timeout)
    if not last or last["type"] != "done":
        raise SystemExit(f"sidecar run failed: {last}")
    return json.loads((Path(config["output_dir"]) / "summary.json").read_text())
