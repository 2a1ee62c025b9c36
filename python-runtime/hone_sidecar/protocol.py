"""Protocol plumbing: owning the real stdout, numbering and time-stamping events, the shared schema."""

from __future__ import annotations

import json
import math
import os
import sys
import threading
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any, TextIO

SCHEMA_PATH = Path(__file__).with_name("protocol.schema.json")


def claim_stdout() -> TextIO:
    """Keeps fd 1 for protocol lines only; everything else that writes to stdout lands on stderr.

    Python-level prints (sys.stdout) and C-level writes to fd 1 (CUDA, bitsandbytes, triton banners)
    are both redirected, so a stray library message can never corrupt the JSON stream.
    """
    sys.stdout.flush()
    proto_fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return os.fdopen(proto_fd, "w", encoding="utf-8", buffering=1, newline="\n")


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _finite(value: Any) -> Any:
    """JSON has no NaN/Infinity: drop them from dicts (the caller reports them in words instead)."""
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items() if not (isinstance(v, float) and not math.isfinite(v))}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


class Emitter:
    """Writes one event per line with a strictly increasing seq; safe to call from any thread."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._seq = 0
        self._lock = threading.Lock()
        self.closed = False

    def emit(self, type_: str, **fields: Any) -> dict[str, Any]:
        with self._lock:
            self._seq += 1
            event = {"type": type_, "seq": self._seq, "ts": now_iso(), **_finite(fields)}
            if not self.closed:
                try:
                    self._stream.write(json.dumps(event, ensure_ascii=False, allow_nan=False) + "\n")
                    self._stream.flush()
                except (BrokenPipeError, OSError, ValueError):
                    # The app is gone; keep going so the run can still save what it has.
                    self.closed = True
            return event

    def log(self, level: str, message: str) -> None:
        self.emit("log", level=level, message=message)

    def progress(self, stage: str, done: float, total: float | None, unit: str) -> None:
        self.emit("progress", stage=stage, done=done, total=total, unit=unit)


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    with SCHEMA_PATH.open(encoding="utf-8") as f:
        return json.load(f)


def validator(definition: str):
    """A jsonschema validator for one of the schema's definitions (event, command, runConfig)."""
    from jsonschema import Draft7Validator

    root = schema()
    return Draft7Validator({"$ref": f"#/definitions/{definition}", "definitions": root["definitions"]})
