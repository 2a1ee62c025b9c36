"""The run configuration: validated against protocol.schema.json, defaults filled from the same file."""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import SidecarError
from .protocol import schema, validator

_TYPE_WORDS = {"integer": "an integer", "number": "a number", "string": "a text string", "boolean": "true or false",
               "null": "null", "array": "a list", "object": "an object"}


def _field_name(path) -> str:
    parts = [str(p) if not isinstance(p, int) else f"[{p}]" for p in path]
    return ".".join(parts).replace(".[", "[") or "config"


def _describe(error) -> tuple[str, str]:
    """(field, sentence) for the most useful jsonschema error."""
    name = _field_name(error.absolute_path)
    v, val = error.validator, error.validator_value
    if v == "required":
        missing = error.message.split("'")[1] if "'" in error.message else "a field"
        return missing, f"config.{missing} is required"
    if v == "type":
        types = val if isinstance(val, list) else [val]
        want = " or ".join(_TYPE_WORDS.get(t, t) for t in types)
        return name, f"config.{name} must be {want} (got {error.instance!r})"
    if v == "enum":
        return name, f"config.{name} must be one of {', '.join(map(repr, val))} (got {error.instance!r})"
    if v in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        word = {"minimum": "at least", "exclusiveMinimum": "more than", "maximum": "at most",
                "exclusiveMaximum": "less than"}[v]
        return name, f"config.{name} must be {word} {val} (got {error.instance!r})"
    if v == "oneOf" and name == "target_modules":
        return name, f"config.target_modules must be a list of module names or 'all-linear' (got {error.instance!r})"
    return name, f"config.{name}: {error.message}"


def defaults(definition: str = "runConfig") -> dict[str, Any]:
    props = schema()["definitions"][definition]["properties"]
    return {k: copy.deepcopy(p["default"]) for k, p in props.items() if "default" in p}


def check(raw: Any, definition: str) -> None:
    """BAD_CONFIG naming the first field of `raw` that breaks the schema's `definition`."""
    if not isinstance(raw, dict):
        raise SidecarError("BAD_CONFIG", f"The config must be a JSON object (got {type(raw).__name__}).",
                           field="config")
    errors = sorted(validator(definition).iter_errors(raw), key=lambda e: (len(e.absolute_path), e.path))
    if errors:
        name, message = _describe(errors[0])
        more = f" ({len(errors) - 1} more problem(s) after this one)" if len(errors) > 1 else ""
        raise SidecarError("BAD_CONFIG", message + more, f"Fix config.{name} and start again.", field=name)


@dataclass
class RunConfig:
    model_path: str
    dataset_path: str
    output_dir: str
    objective: str
    method: str
    load_in_4bit: bool
    max_seq_length: int
    batch_size: int
    grad_accum: int
    lora_rank: int
    lora_alpha: float
    lora_dropout: float
    target_modules: Any
    gradient_checkpointing: bool
    optimizer: str
    learning_rate: float
    lr_scheduler: str
    warmup_steps: int
    weight_decay: float
    max_steps: int | None
    epochs: float | None
    seed: int
    save_steps: int
    save_total_limit: int | None
    eval_steps: int
    logging_steps: int
    merge: bool
    resume_from_checkpoint: str | None
    backend: str
    train_on_responses_only: bool
    beta: float
    max_prompt_length: int | None
    eval_dataset_path: str | None = None
    eval_split: float = 0.0
    warmup_ratio: float = 0.0
    # The plan's figures, for decisions the sidecar makes on the GPU (falling back to the plain backend,
    # the advice after an out-of-memory load, the LoRA parameter check). None when a caller sends no plan.
    estimated_vram_gb: float | None = None
    plain_estimated_vram_gb: float | None = None
    vram_budget_gb: float | None = None
    planned_trainable_params: int | None = None
    # The memory check's options (probe.py); None: no check.
    memory_probe: dict[str, Any] | None = None
    unknown: list[str] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def out(self) -> Path:
        return Path(self.output_dir)

    @property
    def checkpoints_dir(self) -> Path:
        return self.out / "checkpoints"

    @property
    def uses_peft(self) -> bool:
        return self.method != "full"


def parse(raw: Any) -> RunConfig:
    """Validates and completes a run config; raises BAD_CONFIG naming the first bad field."""
    if not isinstance(raw, dict):
        raise SidecarError("BAD_CONFIG", f"The run config must be a JSON object (got {type(raw).__name__}).",
                           field="config")
    check(raw, "runConfig")

    known = schema()["definitions"]["runConfig"]["properties"]
    values = defaults()
    values.update({k: v for k, v in raw.items() if k in known and v is not None})
    if values.get("load_in_4bit") is None:
        values["load_in_4bit"] = values["method"] == "qlora"
    if values.get("eval_steps") is None:
        values["eval_steps"] = values["save_steps"]
    if values["method"] == "full" and values["load_in_4bit"]:
        raise SidecarError("BAD_CONFIG", "config.load_in_4bit cannot be true with method 'full' (4-bit weights "
                           "cannot be trained directly).", "Use method 'qlora', or set load_in_4bit to false.",
                           field="load_in_4bit")
    if values["objective"] == "dpo" and values["max_prompt_length"] is not None \
            and values["max_prompt_length"] >= values["max_seq_length"]:
        raise SidecarError("BAD_CONFIG", "config.max_prompt_length must be smaller than max_seq_length.",
                           field="max_prompt_length")
    for key in ("dataset_path", "output_dir", "eval_dataset_path"):
        if values.get(key):
            values[key] = os.path.abspath(os.path.expanduser(values[key]))
    cfg = RunConfig(**{k: values[k] for k in RunConfig.__dataclass_fields__ if k in values})
    cfg.unknown = sorted(k for k in raw if k not in known)
    cfg.raw = dict(raw)
    return cfg
