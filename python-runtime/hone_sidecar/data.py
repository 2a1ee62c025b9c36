"""Reads the normalised JSONL datasets and checks every row; bad rows fail the run with their line numbers.

SFT rows:  {"messages": [{"role": "system"|"user"|"assistant"|"tool", "content": str}, ...]}
DPO rows:  {"prompt": str | [msgs], "chosen": str | [msgs], "rejected": str | [msgs]}
Strings in DPO rows are turned into one-message conversations (user prompt, assistant answers).
Nothing is dropped silently: a broken row stops the run before any model is loaded.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from .errors import SidecarError

ROLES = {"system", "user", "assistant", "tool"}
MAX_LISTED = 5


@dataclass
class Rows:
    rows: list[dict[str, Any]]
    lines: list[int]  # 1-based source line of each row
    path: Path


def _check_messages(value: Any, what: str, need_assistant: bool) -> str | None:
    if not isinstance(value, list) or not value:
        return f"'{what}' must be a non-empty list of messages"
    for i, m in enumerate(value):
        if not isinstance(m, dict):
            return f"{what}[{i}] must be an object with 'role' and 'content'"
        if m.get("role") not in ROLES:
            return f"{what}[{i}].role must be one of {', '.join(sorted(ROLES))} (got {m.get('role')!r})"
        if not isinstance(m.get("content"), str):
            return f"{what}[{i}].content must be a string"
    if need_assistant and not any(m["role"] == "assistant" for m in value):
        return f"'{what}' has no assistant message to learn from"
    return None


def _sft_row(row: dict[str, Any]) -> tuple[dict[str, Any] | None, str | None]:
    if "messages" not in row:
        return None, "expected a 'messages' list (convert the file with Hone's dataset step first)"
    problem = _check_messages(row["messages"], "messages", need_assistant=True)
    if problem:
        return None, problem
    return {"messages": [{"role": m["role"], "content": m["content"]} for m in row["messages"]]}, None


def _as_conversation(value: Any, role: str) -> Any:
    return [{"role": role, "content": value}] if isinstance(value, str) else value


def _dpo_row(row: dict[str, Any]) -> tuple[dict[str, Any] | None, str | None]:
    missing = [k for k in ("prompt", "chosen", "rejected") if k not in row]
    if missing:
        return None, f"missing {', '.join(repr(k) for k in missing)} (DPO rows need prompt, chosen and rejected)"
    out = {"prompt": _as_conversation(row["prompt"], "user")}
    problem = _check_messages(out["prompt"], "prompt", need_assistant=False)
    for key in ("chosen", "rejected"):
        out[key] = _as_conversation(row[key], "assistant")
        problem = problem or _check_messages(out[key], key, need_assistant=True)
    if problem:
        return None, problem
    if out["chosen"] == out["rejected"]:
        return None, "'chosen' and 'rejected' are identical, so there is no preference to learn"
    return {k: [{"role": m["role"], "content": m["content"]} for m in out[k]] for k in out}, None


def load(path: str, objective: str, field_name: str = "dataset_path",
         on_progress: Callable[[int, int], None] | None = None) -> Rows:
    p = Path(path)
    if not p.is_file():
        raise SidecarError("BAD_DATA", f"The dataset file {p} does not exist.",
                           f"Check config.{field_name}, or choose the dataset again.", field=field_name)
    check = _sft_row if objective == "sft" else _dpo_row
    rows, lines, bad = [], [], []
    with p.open(encoding="utf-8", errors="strict") as f:
        try:
            text_lines = f.read().splitlines()
        except UnicodeDecodeError as e:
            raise SidecarError("BAD_DATA", f"{p.name} is not UTF-8 text ({e.reason} at byte {e.start}).",
                               "Save the file as UTF-8 and try again.", field=field_name) from None
    total = len(text_lines)
    for n, line in enumerate(text_lines, start=1):
        if on_progress and n % 5000 == 0:
            on_progress(n, total)
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            bad.append((n, f"not valid JSON ({e.msg} at column {e.colno})"))
            continue
        if not isinstance(row, dict):
            bad.append((n, "each line must be a JSON object"))
            continue
        clean, problem = check(row)
        if problem:
            bad.append((n, problem))
        else:
            rows.append(clean)
            lines.append(n)
    if bad:
        listed = "; ".join(f"line {n}: {why}" for n, why in bad[:MAX_LISTED])
        more = f" (and {len(bad) - MAX_LISTED} more bad lines)" if len(bad) > MAX_LISTED else ""
        raise SidecarError("BAD_DATA", f"{p.name} has {len(bad)} bad line(s): {listed}{more}.",
                           "Fix or remove those lines (nothing was trained), then start again.",
                           field=field_name, line=bad[0][0], lines=[n for n, _ in bad[:100]])
    if not rows:
        raise SidecarError("EMPTY_DATASET", f"{p.name} has no examples (it is empty or only blank lines).",
                           field=field_name)
    if on_progress:
        on_progress(total, total)
    return Rows(rows, lines, p)
