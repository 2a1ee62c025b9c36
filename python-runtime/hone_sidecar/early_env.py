"""The environment the sidecar fixes before torch is imported. No imports beyond the standard library.

- CUDA's caching allocator reads its configuration once, when CUDA is first initialised, and the `ready`
  probe does that before `import unsloth` (whose unsloth_zoo would set the same value only then). So the
  value Unsloth wants, expandable segments against fragmentation, is set here, for both backends. torch 2.9
  renamed the variable to PYTORCH_ALLOC_CONF; a value the user set under either name is kept.
- One run trains on one GPU. The app names it (CUDA_VISIBLE_DEVICES from the plan's gpu_index, in
  nvidia-smi's PCI order); when nothing is named the first GPU is used, and a list is cut to its first
  entry, so the plain path never wraps the model in nn.DataParallel and Unsloth never spreads layers
  over several cards.
"""

from __future__ import annotations

import re
from importlib import metadata
from typing import MutableMapping

# unsloth_zoo/__init__.py (2025.11.5) sets exactly this when the variable is unset.
ALLOC_CONF = "expandable_segments:True,roundup_power2_divisions:[32:256,64:128,256:64,>:32]"


def _torch_minor() -> tuple[int, int] | None:
    try:
        m = re.match(r"(\d+)\.(\d+)", metadata.version("torch"))
    except metadata.PackageNotFoundError:
        return None
    return (int(m.group(1)), int(m.group(2))) if m else None


def alloc_conf_key(torch_version: tuple[int, int] | None) -> str:
    return "PYTORCH_ALLOC_CONF" if torch_version is not None and torch_version >= (2, 9) else "PYTORCH_CUDA_ALLOC_CONF"


def prepare(environ: MutableMapping[str, str], torch_version: tuple[int, int] | None = None) -> list[str]:
    """Sets the variables in `environ`; returns notes for stderr (what was changed that the caller set)."""
    notes: list[str] = []
    if "PYTORCH_CUDA_ALLOC_CONF" not in environ and "PYTORCH_ALLOC_CONF" not in environ:
        environ[alloc_conf_key(torch_version)] = ALLOC_CONF
    # nvidia-smi numbers GPUs in PCI bus order; CUDA's default order (fastest first) need not match it.
    environ.setdefault("CUDA_DEVICE_ORDER", "PCI_BUS_ID")
    visible = environ.get("CUDA_VISIBLE_DEVICES")
    if visible is None:
        environ["CUDA_VISIBLE_DEVICES"] = "0"
    else:
        first = visible.split(",")[0].strip()
        if first != visible.strip():
            environ["CUDA_VISIBLE_DEVICES"] = first
            notes.append(f"CUDA_VISIBLE_DEVICES={visible!r} names several GPUs; training uses only {first!r}.")
    return notes


def apply() -> list[str]:
    import os

    return prepare(os.environ, _torch_minor())
