"""Several training processes (issue #15): which one this is, and the few collectives the sidecar needs.

The app starts a multi-process run through `accelerate launch` (torchrun underneath), which starts one
`python -m hone_sidecar` per GPU (or per CPU process) with RANK, LOCAL_RANK and WORLD_SIZE set. Rank 0 keeps the
app's contract: it alone reads stdin, writes protocol lines and saves outputs; the other ranks stay silent on
stdout and follow rank 0.

Everything the ranks must agree on goes through a gloo process group of its own, on the CPU, whatever the
training backend (NCCL on GPUs): the run config rank 0 received, a stop at the same optimiser step, the memory
check's decisions, the per-rank figures of each metrics line. A stop must be a collective: were it a flag file,
one rank could see it a step before another and leave the loop while the other waits forever in the next
gradient all-reduce. A CPU all-reduce of one integer per optimiser step costs well under a millisecond, and
keeping these small messages off NCCL never forces a GPU synchronisation.

Without a launcher (WORLD_SIZE unset or 1) every helper is the identity, so the single-process path runs exactly
as before.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Mapping

# How long ranks wait for each other in a control collective. Rank 0 may wait for the app (the start command, a
# memory check decision) in between, so this is generous; a dead peer is noticed at once by gloo regardless.
CONTROL_TIMEOUT = timedelta(minutes=30)


@dataclass(frozen=True)
class World:
    rank: int = 0
    local_rank: int = 0
    size: int = 1
    local_size: int = 1

    @property
    def active(self) -> bool:
        return self.size > 1

    @property
    def main(self) -> bool:
        return self.rank == 0

    @property
    def nodes(self) -> int:
        return max(1, self.size // max(1, self.local_size))


def from_env(environ: Mapping[str, str] | None = None) -> World:
    env = os.environ if environ is None else environ

    def num(key: str, default: int) -> int:
        try:
            return int(env.get(key, default))
        except (TypeError, ValueError):
            return default

    size = num("WORLD_SIZE", 1)
    return World(rank=num("RANK", 0), local_rank=num("LOCAL_RANK", 0), size=size,
                 local_size=num("LOCAL_WORLD_SIZE", size))


def fsdp_from_env(environ: Mapping[str, str] | None = None) -> bool:
    """accelerate launch exports its config: FSDP runs carry ACCELERATE_USE_FSDP=true."""
    env = os.environ if environ is None else environ
    return str(env.get("ACCELERATE_USE_FSDP", "")).lower() in ("1", "true", "yes")


WORLD = from_env()
FSDP = WORLD.active and fsdp_from_env()
_control: Any = None
# Every rank's (hostname, pid), in rank order, once the ranks have joined (server.py).
PEERS: list[tuple[str, int]] = []


def init(cuda: bool) -> None:
    """Joins the process group the launcher set up (env:// rendezvous: MASTER_ADDR/PORT, RANK, WORLD_SIZE), before
    any model is loaded: transformers' FSDP loading and accelerate's state both find it already there."""
    global _control
    if not WORLD.active or _control is not None:
        return
    import torch
    import torch.distributed as dist

    if cuda:
        torch.cuda.set_device(WORLD.local_rank)
    else:
        _accept_cpu_index()
    if not dist.is_initialized():
        dist.init_process_group(backend="nccl" if cuda else "gloo", timeout=CONTROL_TIMEOUT)
    _control = dist.new_group(backend="gloo", timeout=CONTROL_TIMEOUT) if cuda else dist.group.WORLD


def _accept_cpu_index() -> None:
    """accelerate gives each CPU process the device torch.device("cpu", local_rank), and the Trainer loads a resumed
    optimiser with map_location=args.device in a multi-process run; torch.load knows the location "cpu" but not
    "cpu:1", and refuses. A deserializer for "cpu:<n>" (the storage is already in host memory) lets it resume."""
    import torch

    def deserialize(storage, location: str):
        return storage if location.startswith("cpu:") else None

    # The registry is sorted by priority (then by the functions, which do not compare): a priority of its own.
    taken = {entry[0] for entry in getattr(torch.serialization, "_package_registry", [])}
    torch.serialization.register_package(next(p for p in range(11, 100) if p not in taken), lambda _obj: None,
                                         deserialize)


def _group():
    return _control


def any_true(flag: bool) -> bool:
    """True on every rank when it is true on any (a stop requested on one rank stops all at the same point)."""
    if not WORLD.active:
        return flag
    import torch
    import torch.distributed as dist

    t = torch.tensor([1 if flag else 0], dtype=torch.int32)
    dist.all_reduce(t, op=dist.ReduceOp.MAX, group=_group())
    return bool(t.item())


def sum_int(value: int) -> int:
    if not WORLD.active:
        return value
    import torch
    import torch.distributed as dist

    t = torch.tensor([int(value)], dtype=torch.int64)
    dist.all_reduce(t, op=dist.ReduceOp.SUM, group=_group())
    return int(t.item())


def broadcast(obj: Any) -> Any:
    """Rank 0's `obj` on every rank (any picklable value)."""
    if not WORLD.active:
        return obj
    import torch.distributed as dist

    box = [obj if WORLD.main else None]
    dist.broadcast_object_list(box, src=0, group=_group())
    return box[0]


def gather(obj: Any) -> list[Any]:
    """Every rank's `obj`, in rank order, on every rank."""
    if not WORLD.active:
        return [obj]
    import torch.distributed as dist

    out: list[Any] = [None] * WORLD.size
    dist.all_gather_object(out, obj, group=_group())
    return out


def is_peer_failure(e: BaseException) -> bool:
    """A collective failed because another rank went away (killed, crashed, out of host memory)."""
    try:
        import torch.distributed as dist

        if isinstance(e, getattr(dist, "DistNetworkError", ())) or isinstance(e, getattr(dist, "DistBackendError", ())):
            return True
    except ImportError:
        pass
    text = str(e).lower()
    return any(s in text for s in ("connection closed by peer", "connection reset by peer", "broken pipe",
                                   "gloo", "nccl", "socket timeout", "connection refused"))


def whoami() -> tuple[str, int]:
    import socket

    return socket.gethostname(), os.getpid()


def _alive(pid: int) -> bool:
    if os.name == "nt":  # os.kill(pid, 0) would send CTRL_C_EVENT there, not probe
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    try:  # a process that died but is not reaped yet (the launcher polls) is a zombie: gone too
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            stat = f.read()
        return stat[stat.rindex(")") + 2:stat.rindex(")") + 3] != "Z"
    except (OSError, ValueError):
        return True


def dead_ranks(peers: list[tuple[str, int]]) -> list[int]:
    """Ranks on this machine whose process is gone; `peers` is every rank's (hostname, pid), in rank order.
    Ranks on other machines cannot be looked at from here."""
    host, _ = whoami()
    return [rank for rank, (h, pid) in enumerate(peers)
            if rank != WORLD.rank and h == host and pid and not _alive(pid)]
