"""What this machine offers: CUDA or not, and which backend 'auto' picks. Imports torch, never transformers."""

from __future__ import annotations

import importlib.util
import platform
from dataclasses import dataclass

from . import __version__

GB = 1024**3


@dataclass
class DeviceInfo:
    cuda: bool
    device: str
    torch: str
    bf16: bool
    gpu_total_gb: float | None
    unsloth_installed: bool

    @property
    def auto_backend(self) -> str:
        return "unsloth" if self.cuda and self.unsloth_installed else "plain"

    def ready_fields(self) -> dict:
        fields = {"version": __version__, "backend": self.auto_backend, "device": self.device, "torch": self.torch,
                  "cuda": self.cuda, "python": platform.python_version(), "bf16": self.bf16}
        if self.gpu_total_gb is not None:
            fields["gpu_total_gb"] = round(self.gpu_total_gb, 2)
        return fields


def probe() -> DeviceInfo:
    import torch

    cuda = bool(torch.cuda.is_available())
    if cuda:
        props = torch.cuda.get_device_properties(0)
        device, total = f"cuda:0 ({props.name})", props.total_memory / GB
        bf16 = bool(torch.cuda.is_bf16_supported())
    else:
        device, total, bf16 = "cpu", None, False
    return DeviceInfo(cuda=cuda, device=device, torch=torch.__version__, bf16=bf16, gpu_total_gb=total,
                      unsloth_installed=importlib.util.find_spec("unsloth") is not None)


def memory_figures() -> dict[str, float]:
    """CUDA memory in GB (allocated, reserved, peak reserved, total); empty without CUDA."""
    import torch

    if not torch.cuda.is_available():
        return {}
    return {
        "gpu_mem_allocated_gb": round(torch.cuda.memory_allocated() / GB, 3),
        "gpu_mem_reserved_gb": round(torch.cuda.memory_reserved() / GB, 3),
        "gpu_mem_peak_gb": round(torch.cuda.max_memory_reserved() / GB, 3),
        "gpu_mem_total_gb": round(torch.cuda.get_device_properties(0).total_memory / GB, 3),
    }
