"""What a run leaves in output_dir: adapter/, merged/, checkpoints/ (written by the Trainer), summary.json."""

from __future__ import annotations

import gc
import json
import re
from pathlib import Path
from typing import Any

from .protocol import Emitter

CHECKPOINT = re.compile(r"^checkpoint-(\d+)$")


def checkpoints(folder: Path) -> list[Path]:
    found = [p for p in folder.glob("checkpoint-*") if p.is_dir() and CHECKPOINT.match(p.name)]
    return sorted(found, key=lambda p: int(CHECKPOINT.match(p.name).group(1)))


def save_adapter(model: Any, tokenizer: Any, out: Path, emitter: Emitter) -> Path:
    path = out / "adapter"
    emitter.progress("saving_adapter", 0, 1, "file")
    model.save_pretrained(str(path), safe_serialization=True)
    tokenizer.save_pretrained(str(path), save_jinja_files=False)
    emitter.progress("saving_adapter", 1, 1, "file")
    emitter.emit("artifact", kind="adapter", path=str(path))
    return path


def sixteen_bit(model_config: dict | None):
    """The 16-bit type to publish: the checkpoint's own when it is 16-bit, else bfloat16."""
    import torch

    declared = (model_config or {}).get("torch_dtype") or (model_config or {}).get("dtype")
    return torch.float16 if declared == "float16" else torch.bfloat16


def save_merged_lora(base_ref: str, adapter_dir: Path, tokenizer: Any, out: Path, dtype: Any,
                     emitter: Emitter, on_gpu: bool = False) -> Path:
    """Reloads the base in 16 bits (on the training GPU when merge.plan_merge found room there, else on the
    CPU) and folds the adapter in. Merging into 4-bit weights would bake their rounding error in."""
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    path = out / "merged"
    emitter.progress("merging", 0, 2, "step")
    placement = {"device_map": {"": 0}} if on_gpu else {}
    base = AutoModelForCausalLM.from_pretrained(base_ref, dtype=dtype, low_cpu_mem_usage=True, **placement)
    merged = PeftModel.from_pretrained(base, str(adapter_dir)).merge_and_unload()
    emitter.progress("merging", 1, 2, "step")
    _write_model(merged, tokenizer, path)
    emitter.progress("merging", 2, 2, "step")
    del base, merged
    gc.collect()
    emitter.emit("artifact", kind="merged", path=str(path))
    return path


def save_merged_shards(base_dir: Path, adapter_dir: Path, tokenizer: Any, out: Path, dtype: Any,
                       emitter: Emitter) -> Path:
    from .merge import merge_shards

    path = out / "merged"
    emitter.progress("merging", 0, 1, "file")
    merge_shards(base_dir, adapter_dir, path, dtype, on_file=lambda d, t: emitter.progress("merging", d, t, "file"))
    tokenizer.save_pretrained(str(path), save_jinja_files=False)
    emitter.emit("artifact", kind="merged", path=str(path))
    return path


def save_full(model: Any, tokenizer: Any, out: Path, dtype: Any, emitter: Emitter) -> Path:
    path = out / "merged"
    emitter.progress("saving_merged", 0, 1, "file")
    _write_model(model.to(dtype), tokenizer, path)
    emitter.progress("saving_merged", 1, 1, "file")
    emitter.emit("artifact", kind="merged", path=str(path))
    return path


def _write_model(model: Any, tokenizer: Any, path: Path) -> None:
    model.config.use_cache = True  # training turned it off; inference (and Ollama) want it on
    model.save_pretrained(str(path), safe_serialization=True, max_shard_size="5GB")
    # The chat template goes into tokenizer_config.json too, where Ollama's importer looks for it.
    tokenizer.save_pretrained(str(path), save_jinja_files=False)


def write_summary(out: Path, summary: dict[str, Any], emitter: Emitter) -> Path:
    path = out / "summary.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(summary, indent=2, ensure_ascii=False, allow_nan=False, default=str), encoding="utf-8")
    tmp.replace(path)
    emitter.emit("artifact", kind="summary", path=str(path))
    return path
