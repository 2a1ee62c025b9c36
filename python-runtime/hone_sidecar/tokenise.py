"""SFT rows -> input_ids + labels, with the loss on assistant replies only.

Done here rather than inside TRL so that (1) both backends train on identical tensors (Unsloth's SFT
data path ignores TRL's assistant masks but honours a `labels` column), (2) the app sees tokenising
progress, and (3) rows cut by max_seq_length are reported by line instead of silently shortened.

Masking: with a chat template that has `{% generation %}` markers, every assistant turn is trained
(transformers' assistant mask). Without markers, everything up to the last assistant turn becomes
the prompt and only that last reply is trained.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

from .errors import SidecarError

GENERATION_TAG = re.compile(r"\{%-?\s*generation\s*-?%\}")
IGNORE = -100


def has_generation_markers(tokenizer: Any) -> bool:
    template = getattr(tokenizer, "chat_template", None) or ""
    if isinstance(template, dict):
        template = template.get("default", "")
    return bool(GENERATION_TAG.search(template))


@dataclass
class Tokenised:
    examples: list[dict[str, list[int]]]
    truncated: list[int] = field(default_factory=list)  # source lines cut to max_seq_length
    skipped: list[int] = field(default_factory=list)  # source lines with no reply left after the cut
    mode: str = "assistant_masks"
    tokens: int = 0
    lengths: list[int] = field(default_factory=list)  # every row's token count before the cut


def _split_last_reply(messages: list[dict]) -> tuple[list[dict], list[dict]]:
    last = max(i for i, m in enumerate(messages) if m["role"] == "assistant")
    return messages[:last], messages[: last + 1]


def _ids(out: Any) -> list[int]:
    ids = out["input_ids"] if isinstance(out, dict) or hasattr(out, "keys") else out
    return list(ids[0] if ids and isinstance(ids[0], list) else ids)


def _template_error(e: Exception, line: int, field: str) -> SidecarError:
    return SidecarError("BAD_DATA", f"Line {line}: the model's chat template rejects this conversation: {e}",
                        "Fix that row (many templates need alternating user/assistant turns, some allow no system "
                        "message), or choose a model whose template fits the data.", field=field, line=line,
                        lines=[line])


def check_template(rows: Any, tokenizer: Any, field: str = "dataset_path") -> None:
    """Renders every DPO pair once, so a row the template cannot handle is named by its line."""
    for row, line in zip(rows.rows, rows.lines):
        try:
            for key in ("chosen", "rejected"):
                tokenizer.apply_chat_template(row["prompt"] + row[key], tokenize=False)
        except Exception as e:  # noqa: BLE001 - jinja raises TemplateError or anything the template throws
            raise _template_error(e, line, field) from None


def _encode(messages: list[dict], tokenizer: Any, mode: str) -> tuple[list[int], list[int]]:
    if mode == "last_reply":
        prompt, full = _split_last_reply(messages)
        ids = _ids(tokenizer.apply_chat_template(full, tokenize=True, return_dict=True))
        prompt_ids = _ids(tokenizer.apply_chat_template(prompt, tokenize=True, return_dict=True,
                                                        add_generation_prompt=True)) if prompt else []
        cut = len(prompt_ids) if ids[: len(prompt_ids)] == prompt_ids else 0
        return ids, [IGNORE] * cut + ids[cut:]
    out = tokenizer.apply_chat_template(messages, tokenize=True, return_dict=True,
                                        return_assistant_tokens_mask=mode == "assistant_masks")
    ids = _ids(out)
    if mode == "assistant_masks":
        return ids, [t if m else IGNORE for t, m in zip(ids, out["assistant_masks"])]
    return ids, list(ids)


def tokenise(rows: list[dict], lines: list[int], tokenizer: Any, max_len: int, responses_only: bool,
             on_progress: Callable[[int, int], None] | None = None, field: str = "dataset_path") -> Tokenised:
    markers = has_generation_markers(tokenizer)
    mode = "all_tokens" if not responses_only else "assistant_masks" if markers else "last_reply"
    result = Tokenised(examples=[], mode=mode)
    every = max(1, len(rows) // 20)
    for i, (row, line) in enumerate(zip(rows, lines)):
        try:
            ids, labels = _encode(row["messages"], tokenizer, mode)
        except Exception as e:  # noqa: BLE001 - see check_template
            raise _template_error(e, line, field) from None
        result.lengths.append(len(ids))
        if len(ids) > max_len:
            ids, labels = ids[:max_len], labels[:max_len]
            result.truncated.append(line)
        if all(label == IGNORE for label in labels[1:]):
            result.skipped.append(line)
        else:
            result.examples.append({"input_ids": ids, "labels": labels})
            result.tokens += len(ids)
        if on_progress and (i + 1) % every == 0:
            on_progress(i + 1, len(rows))
    if on_progress and len(rows) % every:
        on_progress(len(rows), len(rows))
    return result


def describe_lines(lines: list[int], limit: int = 8) -> str:
    shown = ", ".join(str(n) for n in lines[:limit])
    return shown + (f" and {len(lines) - limit} more" if len(lines) > limit else "")
