"""`python -m hone_sidecar.score`: scores replies the app got elsewhere (from Ollama) with the same metric
code as the sidecar's own evaluation (metrics.py), so both legs of a report are measured alike.

stdin:  {"sets": {"<name>": {"predictions": [str, ...], "references": [str, ...]}, ...}}
stdout: {"sets": {"<name>": {"rows": [{rouge_l, chrf, ...}, ...], "aggregate": {...}}, ...}}
        or {"error": "<what is wrong with the input>"} and exit status 2.

Imports no torch: it answers in about a second.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from . import metrics


def _check(sets: Any) -> str | None:
    if not isinstance(sets, dict):
        return "'sets' must be an object of named sets"
    for name, s in sets.items():
        if not isinstance(s, dict):
            return f"set {name!r} must be an object with 'predictions' and 'references'"
        preds, refs = s.get("predictions"), s.get("references")
        if not (isinstance(preds, list) and isinstance(refs, list)):
            return f"set {name!r} needs 'predictions' and 'references' lists"
        if len(preds) != len(refs):
            return f"set {name!r} has {len(preds)} predictions for {len(refs)} references"
        if not all(isinstance(x, str) for x in preds + refs):
            return f"set {name!r}: every prediction and reference must be a string"
    return None


def main() -> int:
    out = sys.stdout
    sys.stdout = sys.stderr  # only the answer goes to stdout
    try:
        request = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as e:
        out.write(json.dumps({"error": f"the input is not JSON: {e}"}) + "\n")
        return 2
    sets = request.get("sets") if isinstance(request, dict) else None
    problem = _check(sets)
    if problem:
        out.write(json.dumps({"error": problem}) + "\n")
        return 2
    result = {name: metrics.score(s["predictions"], s["references"]) for name, s in sets.items()}
    out.write(json.dumps({"sets": result}, ensure_ascii=False, allow_nan=False) + "\n")
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
