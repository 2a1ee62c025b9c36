"""What this machine offers: CUDA or not, bf16 or not, and which backend 'auto' picks. Imports torch, never
transformers. The sidecar sees one GPU (early_env.py), so "the training GPU" is always cuda:0 here."""

from __future__ import annotations

import importlib.util
import platform
from dataclasses import dataclass

from . import __version__

GB = 1024**3


def supports_bf16(capability: tuple[int, int]) -> bool:
    """Ampere (compute capability 8.0) and newer compute in bfloat16; the planner uses the same rule.

    Not torch.cuda.is_bf16_supported(): in torch 2.8 it also counts emulation and answers True on a T4 or
    V100, while Unsloth (capability >= 8) then loads the model in float16 and refuses a bf16 trainer."""
    return capability[0] >= 8


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
        bf16 = supports_bf16(torch.cuda.get_device_capability(0))
    else:
        device, total, bf16 = "cpu", None, False
    return DeviceInfo(cuda=cuda, device=device, torch=torch.__version__, bf16=bf16, gpu_total_gb=total,
                      unsloth_installed=importlib.util.find_spec("unsloth") is not None)


def memory_figures() -> dict[str, float]:
    """CUDA memory of the training GPU in GB (allocated, reserved, peak reserved since the last reset,
    total); empty without CUDA."""
    import torch

    if not torch.cuda.is_available():
        return {}
    return {
        "gpu_mem_allocated_gb": round(torch.cuda.memory_allocated(0) / GB, 3),
        "gpu_mem_reserved_gb": round(torch.cuda.memory_reserved(0) / GB, 3),
        "gpu_mem_peak_gb": round(torch.cuda.max_memory_reserved(0) / GB, 3),
        "gpu_mem_total_gb": round(torch.cuda.get_device_properties(0).total_memory / GB, 3),
    }


class PeakMemory:
    """Peak allocated and reserved memory of the training GPU per logging interval.

    `cuda` is torch.cuda (a stand-in in tests: there is no GPU to measure there). Each read resets the
    peaks, so every metrics event carries the peak of its own interval (the activations of the forward and
    backward passes, which are freed by the time the step ends), and the run keeps the highest."""

    def __init__(self, cuda=None) -> None:
        if cuda is None:
            import torch

            cuda = torch.cuda if torch.cuda.is_available() else None
        self.cuda = cuda
        self.run_peak: dict[str, float] = {}

    def reset(self) -> None:
        if self.cuda is not None:
            self.cuda.reset_peak_memory_stats(0)

    def read_and_reset(self) -> dict[str, float]:
        if self.cuda is None:
            return {}
        figures = {
            "peak_allocated_gb": round(self.cuda.max_memory_allocated(0) / GB, 3),
            "peak_reserved_gb": round(self.cuda.max_memory_reserved(0) / GB, 3),
        }
        self.cuda.reset_peak_memory_stats(0)
        for key, value in figures.items():
            self.run_peak[key] = max(value, self.run_peak.get(key, 0.0))
        return figures


# -- process memory (the memory check's measure on the CPU) --------------------------------------------------------
def _status_kb(key: str) -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        return None
    return None


def rss_bytes() -> int | None:
    """The process's resident memory now (Linux /proc; psutil elsewhere)."""
    value = _status_kb("VmRSS")
    if value is not None:
        return value
    try:
        import psutil

        return int(psutil.Process().memory_info().rss)
    except Exception:  # noqa: BLE001 - no measure on this platform
        return None


class RssPeak:
    """Peak resident memory over a stretch of work. On Linux the kernel's high-water mark (VmHWM) is reset to the
    current RSS first (writing 5 to /proc/self/clear_refs, Linux 4.0+), after handing freed heap back to the
    system (malloc_trim), so each probe measures its own peak rather than an earlier one's. Elsewhere a thread
    samples the RSS every 10 ms."""

    def __init__(self) -> None:
        self._sampled = 0
        self._thread = None
        self._stop = None

    @staticmethod
    def trim() -> None:
        import gc

        gc.collect()
        try:
            import ctypes

            ctypes.CDLL("libc.so.6").malloc_trim(0)
        except (OSError, AttributeError):
            pass

    def start(self) -> None:
        self.trim()
        try:
            with open("/proc/self/clear_refs", "w", encoding="ascii") as f:
                f.write("5")
            if _status_kb("VmHWM") is not None:
                return
        except OSError:
            pass
        import threading

        self._sampled = rss_bytes() or 0
        self._stop = threading.Event()

        def sample() -> None:
            while not self._stop.wait(0.01):
                self._sampled = max(self._sampled, rss_bytes() or 0)

        self._thread = threading.Thread(target=sample, name="rss-peak", daemon=True)
        self._thread.start()

    def stop(self) -> int | None:
        if self._thread is None:
            return _status_kb("VmHWM")
        self._stop.set()
        self._thread.join(1)
        self._thread = None
        return max(self._sampled, rss_bytes() or 0)
