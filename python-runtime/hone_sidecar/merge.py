"""Folding a LoRA adapter into 16-bit weights without exhausting the machine.

A whole-model merge holds the base in 16 bits: ~28 GB of host RAM for a 14B model, 64 GB for 32B. When the
kernel's out-of-memory killer ends the sidecar there is no `error` event, only a dead process. So the merge
is planned first from what the machine has (plan_merge, a pure function):

- `gpu`:    the base fits in the training GPU's free memory (training memory released first): load it there,
            merge with PEFT, save. Host RAM holds one shard at a time while writing.
- `cpu`:    the base fits in available RAM with room to spare: load it on the CPU and merge with PEFT.
- `shards`: neither: merge shard by shard (merge_shards), W + scale * B @ A per adapted weight, one
            safetensors file of the base in memory at a time.
- `skip`:   not even that, or the disk cannot hold the result: keep the adapter and say why (a warning `log`
            event the run page shows, and `merge` in summary.json).
"""

from __future__ import annotations

import json
import math
import shutil
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

GB = 1024**3
# safetensors dtype names -> bytes per element
DTYPE_BYTES = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1,
               "F8_E4M3": 1, "F8_E5M2": 1}
FLOAT_DTYPES = {"F32", "F16", "BF16"}
RAM_RESERVE = 2 * GB  # the rest of the process (torch, tokenizer, Python) and the desktop around it
GPU_RESERVE = GB // 2  # CUDA context growth and the allocator's rounding


@dataclass
class BaseWeights:
    """What the base checkpoint holds, from its safetensors headers (no tensor is read)."""

    bytes16: int  # the whole model in 16 bits
    largest_file: int  # bytes of the largest safetensors file as stored
    keys: set[str]
    float_only: bool  # every tensor is F32/F16/BF16 (not a pre-quantised checkpoint)
    files: list[Path]


def read_header(path: Path) -> dict[str, Any]:
    with path.open("rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        return json.loads(f.read(n))


def inspect_base(model_dir: Path) -> BaseWeights | None:
    files = sorted(model_dir.glob("*.safetensors"))
    if not files:
        return None
    total, keys, float_only, largest = 0, set(), True, 0
    for file in files:
        largest = max(largest, file.stat().st_size)
        for key, info in read_header(file).items():
            if key == "__metadata__":
                continue
            keys.add(key)
            float_only &= info["dtype"] in FLOAT_DTYPES
            total += math.prod(info["shape"]) * 2
    return BaseWeights(total, largest, keys, float_only, files)


@dataclass
class MergePlan:
    mode: str  # gpu | cpu | shards | skip
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {"mode": self.mode, "reason": self.reason}


def _gb(n: float) -> str:
    return f"{n / GB:.1f} GB"


def plan_merge(bytes16: int, ram_available: int, disk_free: int, gpu_free: int | None, largest_file: int | None,
               shardable: bool) -> MergePlan:
    """How to merge a base of `bytes16` (16-bit size): on the GPU when it fits there, on the CPU when RAM has
    room, shard by shard when only one file at a time fits, otherwise not at all. Sizes in bytes; gpu_free is
    None without CUDA, largest_file None when the base has no safetensors files."""
    need_disk = int(bytes16 * 1.02) + 64 * 1024**2
    if disk_free < need_disk:
        return MergePlan("skip", f"the merged model needs about {_gb(need_disk)} of disk and {_gb(disk_free)} is "
                                 "free; the adapter is kept")
    if gpu_free is not None and gpu_free >= int(bytes16 * 1.1) + GPU_RESERVE:
        return MergePlan("gpu", f"the 16-bit base ({_gb(bytes16)}) fits in the GPU's {_gb(gpu_free)} free")
    if ram_available >= int(bytes16 * 1.3) + RAM_RESERVE:
        return MergePlan("cpu", f"the 16-bit base ({_gb(bytes16)}) fits in the {_gb(ram_available)} of RAM available")
    if shardable and largest_file is not None and ram_available >= 3 * largest_file + RAM_RESERVE:
        return MergePlan("shards", f"the 16-bit base ({_gb(bytes16)}) does not fit in the {_gb(ram_available)} of "
                                   f"RAM available, so it is merged one {_gb(largest_file)} file at a time")
    why = "it is not stored as plain safetensors files" if not shardable else \
        f"even one of its files ({_gb(largest_file or 0)}) leaves too little of the {_gb(ram_available)} available"
    return MergePlan("skip", f"merging needs about {_gb(bytes16 * 1.3 + RAM_RESERVE)} of RAM for the 16-bit base "
                             f"and {_gb(ram_available)} is available; merging file by file is not possible because "
                             f"{why}; the adapter is kept")


def ram_available() -> int:
    import psutil

    return int(psutil.virtual_memory().available)


def gpu_free_bytes() -> int | None:
    import torch

    if not torch.cuda.is_available():
        return None
    free, _total = torch.cuda.mem_get_info(0)
    return int(free)


# -- shard by shard --------------------------------------------------------------------------------------------
def _adapter_deltas(adapter_dir: Path) -> tuple[dict[str, tuple[Any, Any]], float]:
    """base weight key -> (A, B), and the LoRA scale, from a PEFT adapter folder."""
    from safetensors.torch import load_file

    config = json.loads((adapter_dir / "adapter_config.json").read_text(encoding="utf-8"))
    r, alpha = config["r"], config["lora_alpha"]
    scale = alpha / math.sqrt(r) if config.get("use_rslora") else alpha / r
    if config.get("use_dora") or config.get("fan_in_fan_out"):
        raise ValueError("DoRA and fan-in-fan-out adapters are merged by PEFT only")
    tensors = load_file(str(adapter_dir / "adapter_model.safetensors"))
    pairs: dict[str, list[Any]] = {}
    for key, value in tensors.items():
        # base_model.model.<module path>.lora_A.weight -> <module path>.weight
        for part, slot in ((".lora_A.weight", 0), (".lora_B.weight", 1)):
            if key.endswith(part):
                module = key[: -len(part)].removeprefix("base_model.model.")
                pairs.setdefault(f"{module}.weight", [None, None])[slot] = value
    return {k: (a, b) for k, (a, b) in pairs.items() if a is not None and b is not None}, scale


def shardable(base: BaseWeights | None, adapter_dir: Path) -> bool:
    """Every adapted weight must be found under the same key in the base files (not true for checkpoints
    whose keys transformers renames while loading, such as Gemma 3's multimodal one)."""
    if base is None or not base.float_only:
        return False
    try:
        deltas, _ = _adapter_deltas(adapter_dir)
    except (OSError, ValueError, KeyError):
        return False
    return bool(deltas) and set(deltas) <= base.keys


def merge_shards(base_dir: Path, adapter_dir: Path, out: Path, dtype: Any, on_file=None) -> Path:
    """Writes `out` with every base file merged and cast to `dtype`, one file in memory at a time. The
    config, generation config and index come from the base; the caller adds the tokenizer."""
    from safetensors.torch import load_file, save_file

    deltas, scale = _adapter_deltas(adapter_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = sorted(base_dir.glob("*.safetensors"))
    for i, file in enumerate(files):
        tensors = load_file(str(file))
        for key, weight in tensors.items():
            if key in deltas:
                a, b = deltas[key]
                weight = weight.float() + scale * (b.float() @ a.float())
            if weight.is_floating_point():
                weight = weight.to(dtype)
            tensors[key] = weight.contiguous()
        save_file(tensors, str(out / file.name), metadata={"format": "pt"})
        del tensors
        if on_file:
            on_file(i + 1, len(files))
    for extra in ("model.safetensors.index.json", "generation_config.json"):
        if (base_dir / extra).is_file():
            shutil.copyfile(base_dir / extra, out / extra)
    config = json.loads((base_dir / "config.json").read_text(encoding="utf-8"))
    name = str(dtype).removeprefix("torch.")
    config.update({"torch_dtype": name, "use_cache": True})
    if "dtype" in config:
        config["dtype"] = name
    (out / "config.json").write_text(json.dumps(config, indent=2), encoding="utf-8")
    return out
