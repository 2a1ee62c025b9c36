"""Per-process figures of a metrics line, and how the ranks of a multi-process run are reduced into one.

The loss is already averaged over the ranks by the Trainer (it gathers every rank's loss before logging) and
tokens are summed where they are counted (callbacks.TokenCounting), so what is left is the hardware: each rank
measures its own card (or, on the CPU, its own process), and rank 0 publishes

- the run-level figures the app has always charted and compared with the plan: peak_allocated_gb and
  peak_reserved_gb are the highest of any rank (the card closest to its limit is what decides whether the plan
  fits), gpu_util is the mean;
- every rank's own figures as `rank<i>/<name>` (rank0/peak_reserved_gb, rank1/gpu_util, rank1/rss_gb, ...),
  so the run page draws one line per GPU or process.

A utilisation figure needs NVML (nvidia-ml-py, which torch.cuda.utilization uses); without it there is none.
"""

from __future__ import annotations

import time
from typing import Any

from .device import GB, PeakMemory, gpu_index, memory_figures, rss_bytes

# Reduced across ranks by the highest value; everything else numeric by the mean.
TAKE_MAX = ("peak_allocated_gb", "peak_reserved_gb", "gpu_mem_allocated_gb", "gpu_mem_reserved_gb", "rss_gb")
RUN_LEVEL = ("peak_allocated_gb", "peak_reserved_gb", "gpu_mem_allocated_gb", "gpu_mem_reserved_gb", "gpu_util")


def gpu_util(cuda: Any = None) -> float | None:
    """The training GPU's utilisation over the driver's last sample period (percent), or None without NVML."""
    try:
        if cuda is None:
            import torch

            if not torch.cuda.is_available():
                return None
            cuda = torch.cuda
        return float(cuda.utilization(gpu_index()))
    except Exception:  # noqa: BLE001 - no NVML (nvidia-ml-py) or no permission: no figure, not an error
        return None


class ProcessMeter:
    """This process's share of the machine on the CPU: resident memory and CPU time per wall second (percent of
    one core), per logging interval."""

    def __init__(self) -> None:
        self._cpu = time.process_time()
        self._wall = time.monotonic()

    def read(self) -> dict[str, float]:
        cpu, wall = time.process_time(), time.monotonic()
        figures: dict[str, float] = {}
        rss = rss_bytes()
        if rss is not None:
            figures["rss_gb"] = round(rss / GB, 3)
        if wall > self._wall:
            figures["cpu_util"] = round(100.0 * (cpu - self._cpu) / (wall - self._wall), 1)
        self._cpu, self._wall = cpu, wall
        return figures


def local_figures(memory: PeakMemory, process: ProcessMeter | None, cuda: bool) -> dict[str, float]:
    """This rank's figures for one metrics line (the GPU's peaks reset after the read)."""
    figures: dict[str, float] = {}
    if cuda:
        now = memory_figures()
        for key in ("gpu_mem_allocated_gb", "gpu_mem_reserved_gb"):
            if key in now:
                figures[key] = now[key]
        figures.update(memory.read_and_reset())
        util = gpu_util()
        if util is not None:
            figures["gpu_util"] = util
    elif process is not None:
        figures.update(process.read())
    return figures


def reduce(per_rank: list[dict[str, float]]) -> dict[str, float]:
    """The fields rank 0 adds to a metrics event from every rank's figures (rank order)."""
    if len(per_rank) == 1:
        return {k: v for k, v in per_rank[0].items() if k in RUN_LEVEL}
    out: dict[str, float] = {}
    for rank, figures in enumerate(per_rank):
        for key, value in figures.items():
            out[f"rank{rank}/{key}"] = value
    for key in RUN_LEVEL:
        values = [f[key] for f in per_rank if key in f]
        if values:
            out[key] = max(values) if key in TAKE_MAX else round(sum(values) / len(values), 1)
    return out

