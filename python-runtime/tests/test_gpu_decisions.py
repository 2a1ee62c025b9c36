"""The GPU path's decisions, tested where there is no GPU: precision, environment, placement, load errors,
falling back from Unsloth, trainer arguments, peak memory. Each test names the issue #12 defect it covers.

The only stand-in is FakeCuda, for torch.cuda's memory counters: there is no GPU here to measure."""

from __future__ import annotations

import io
import json
import re
import subprocess
import threading
from pathlib import Path

import pytest
import torch

from sidecar_proc import PYTHON, RUNTIME_DIR, sidecar_env

from hone_sidecar import backends, early_env
from hone_sidecar.config import parse
from hone_sidecar.device import DeviceInfo, PeakMemory, supports_bf16
from hone_sidecar.errors import SidecarError
from hone_sidecar.protocol import Emitter


def gpu(bf16: bool = True, unsloth: bool = True) -> DeviceInfo:
    return DeviceInfo(cuda=True, device="cuda:0 (test)", torch="2.8.0", bf16=bf16, gpu_total_gb=16.0,
                      unsloth_installed=unsloth)


def cfg(**over):
    raw = {"model_path": "/m", "dataset_path": "/d.jsonl", "output_dir": "/tmp/o", **over}
    return parse(raw)


# -- 1. precision ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("cap,bf16", [((6, 1), False), ((7, 0), False), ((7, 5), False), ((8, 0), True),
                                      ((8, 6), True), ((8, 9), True), ((9, 0), True), ((12, 0), True)])
def test_1_bf16_only_from_compute_capability_8(cap, bf16):
    assert supports_bf16(cap) is bf16


def test_1_a_t4_gets_float16_everywhere_unsloth_and_trainer_alike():
    from hone_sidecar.trainers import common_args

    t4 = gpu(bf16=supports_bf16((7, 5)))
    c = cfg(method="lora")
    assert backends.unsloth_load_kwargs(c, "/m", t4)["dtype"] == torch.float16
    assert backends.plain_load_kwargs(c, t4)["dtype"] == torch.float16
    args = common_args(c, t4, backends.Loaded(None, None, None, "unsloth", torch.float16, False), False,
                       Emitter(io.StringIO()))
    assert args["fp16"] is True and args["bf16"] is False
    # Full fine-tuning on fp16 cards keeps fp32 master weights (plain), as Unsloth upcasts them too.
    assert backends.plain_load_kwargs(cfg(method="full"), t4)["dtype"] == torch.float32
    a100 = gpu(bf16=supports_bf16((8, 0)))
    assert backends.unsloth_load_kwargs(c, "/m", a100)["dtype"] == torch.bfloat16


# -- 2 and 3. the environment the sidecar starts with ----------------------------------------------------------------
def test_2_allocator_setting_is_unsloths_and_respects_the_user():
    env: dict[str, str] = {}
    early_env.prepare(env, (2, 8))
    assert env["PYTORCH_CUDA_ALLOC_CONF"].startswith("expandable_segments:True")
    env = {}
    early_env.prepare(env, (2, 9))  # torch 2.9 renamed it
    assert "PYTORCH_CUDA_ALLOC_CONF" not in env and env["PYTORCH_ALLOC_CONF"].startswith("expandable_segments:True")
    env = {"PYTORCH_CUDA_ALLOC_CONF": "backend:cudaMallocAsync"}
    early_env.prepare(env, (2, 8))
    assert env == {**env, "PYTORCH_CUDA_ALLOC_CONF": "backend:cudaMallocAsync"} and "PYTORCH_ALLOC_CONF" not in env


def test_3_one_gpu_in_nvidia_smi_order():
    env: dict[str, str] = {}
    early_env.prepare(env, (2, 8))
    assert env["CUDA_DEVICE_ORDER"] == "PCI_BUS_ID" and env["CUDA_VISIBLE_DEVICES"] == "0"
    env = {"CUDA_VISIBLE_DEVICES": "2"}
    early_env.prepare(env, (2, 8))
    assert env["CUDA_VISIBLE_DEVICES"] == "2"
    env = {"CUDA_VISIBLE_DEVICES": "3,1"}
    notes = early_env.prepare(env, (2, 8))
    assert env["CUDA_VISIBLE_DEVICES"] == "3" and "only '3'" in notes[0]
    env = {"CUDA_VISIBLE_DEVICES": ""}  # the app's CPU plan hides every GPU
    early_env.prepare(env, (2, 8))
    assert env["CUDA_VISIBLE_DEVICES"] == ""
    # Both loaders pin every module to that one GPU.
    c = cfg(method="qlora")
    assert backends.unsloth_load_kwargs(c, "/m", gpu())["device_map"] == {"": 0}
    assert backends.plain_load_kwargs(cfg(method="lora"), gpu())["device_map"] == {"": 0}


HOOK = r"""
import importlib.abc, json, os, runpy, sys
KEYS = ["PYTORCH_CUDA_ALLOC_CONF", "PYTORCH_ALLOC_CONF", "CUDA_DEVICE_ORDER", "CUDA_VISIBLE_DEVICES"]
class Hook(importlib.abc.MetaPathFinder):
    done = False
    def find_spec(self, name, path=None, target=None):
        if name == "torch" and not Hook.done:
            Hook.done = True
            seen = {k: os.environ.get(k) for k in KEYS}
            print("TORCH_IMPORTED_WITH " + json.dumps(seen), file=sys.stderr, flush=True)
        return None
sys.meta_path.insert(0, Hook())
runpy.run_module("hone_sidecar", run_name="__main__")
"""


@pytest.mark.parametrize("given,visible", [(None, "0"), ("1,0", "1")])
def test_2_3_the_sidecar_entry_sets_them_before_torch_is_imported(given, visible):
    env = sidecar_env()
    for key in ("PYTORCH_CUDA_ALLOC_CONF", "PYTORCH_ALLOC_CONF", "CUDA_DEVICE_ORDER", "CUDA_VISIBLE_DEVICES"):
        env.pop(key, None)
    if given is not None:
        env["CUDA_VISIBLE_DEVICES"] = given
    # stdin closed at once: the sidecar probes the device (importing torch), says ready, and exits 0.
    r = subprocess.run([PYTHON, "-c", HOOK], cwd=str(RUNTIME_DIR), env=env, stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=180)
    assert r.returncode == 0, r.stderr[-2000:]
    line = next(ln for ln in r.stderr.splitlines() if ln.startswith("TORCH_IMPORTED_WITH "))
    seen = json.loads(line.split(" ", 1)[1])
    key = early_env.alloc_conf_key(early_env._torch_minor())
    assert seen[key] == early_env.ALLOC_CONF, seen
    assert seen["CUDA_DEVICE_ORDER"] == "PCI_BUS_ID" and seen["CUDA_VISIBLE_DEVICES"] == visible
    assert json.loads(r.stdout.splitlines()[0])["type"] == "ready"


# -- 4. a model that does not fit ------------------------------------------------------------------------------------
def test_4_dispatch_to_cpu_is_out_of_memory_with_the_plans_advice():
    import transformers.quantizers.quantizer_bnb_4bit as q

    source = Path(q.__file__).read_text()
    start = source.index('"Some modules are dispatched')
    message = "".join(re.findall(r'"([^"]*)"', source[start:source.index(")", start)]))
    assert message.startswith("Some modules are dispatched on the CPU or the disk")
    c = cfg(method="lora", estimated_vram_gb=14.2, vram_budget_gb=15.5)
    err = backends.load_error("/models/qwen", ValueError(message), c)
    assert err.code == "OOM" and "14.2 GB of the 15.5 GB" in err.hint and "QLoRA" in err.hint
    assert "QLoRA" not in backends.load_error("/m", ValueError(message), cfg(method="qlora")).hint
    assert backends.load_error("/m", OSError("no config.json"), c).code == "MODEL_NOT_FOUND"
    assert backends.load_error("/m", ValueError("Unrecognized model"), c).code == "MODEL_NOT_FOUND"


# -- 7. peak memory per logging interval -----------------------------------------------------------------------------
class FakeCuda:
    """Stands in for torch.cuda's memory counters (no GPU here). Peaks rise with `use`, fall only on reset."""

    def __init__(self) -> None:
        self.allocated = self.reserved = 0
        self.peak_allocated = self.peak_reserved = 0
        self.devices: list[int] = []

    def use(self, allocated: float, reserved: float) -> None:
        self.allocated, self.reserved = int(allocated * 1024**3), int(reserved * 1024**3)
        self.peak_allocated = max(self.peak_allocated, self.allocated)
        self.peak_reserved = max(self.peak_reserved, self.reserved)

    def max_memory_allocated(self, device):
        self.devices.append(device)
        return self.peak_allocated

    def max_memory_reserved(self, device):
        self.devices.append(device)
        return self.peak_reserved

    def reset_peak_memory_stats(self, device):
        self.devices.append(device)
        self.peak_allocated, self.peak_reserved = self.allocated, self.reserved


def test_7_each_metrics_event_carries_its_intervals_peak_and_the_run_keeps_the_highest():
    from transformers import TrainerControl, TrainerState

    from hone_sidecar.callbacks import HoneCallback

    cuda = FakeCuda()
    out = io.StringIO()
    cb = HoneCallback(Emitter(out), threading.Event(), Path("/tmp/ck"), memory=PeakMemory(cuda))
    state = TrainerState()
    state.max_steps, state.num_input_tokens_seen = 3, 0
    cuda.use(9.0, 10.0)  # loading the model peaks high...
    cuda.use(3.0, 4.0)
    cb.on_train_begin(None, state, TrainerControl())  # ...but training starts counting here
    peaks = []
    for step, (alloc, reserved) in enumerate([(6.5, 7.0), (5.0, 7.5), (4.0, 5.0)], start=1):
        cuda.use(alloc, reserved)  # the backward pass
        cuda.use(3.0, reserved)  # activations freed before the step ends
        state.global_step = step
        cb.on_log(None, state, TrainerControl(), logs={"loss": 1.0})
        event = json.loads(out.getvalue().splitlines()[-1])
        peaks.append((event["peak_allocated_gb"], event["peak_reserved_gb"]))
    # Allocated peaks fall back with each reset; the caching allocator keeps what it reserved (until emptied).
    assert peaks == [(6.5, 7.0), (5.0, 7.5), (4.0, 7.5)]
    assert cb.memory.run_peak == {"peak_allocated_gb": 6.5, "peak_reserved_gb": 7.5}
    assert set(cuda.devices) == {0}  # the training GPU (the only one the sidecar sees)
    # Without CUDA nothing is reported rather than zeros.
    assert PeakMemory(cuda=None).read_and_reset() == {}


# -- 8. falling back from Unsloth ------------------------------------------------------------------------------------
def test_8_fallback_to_plain_only_when_the_plan_fits_it_and_the_user_is_told():
    out = io.StringIO()
    fits = cfg(estimated_vram_gb=6.0, plain_estimated_vram_gb=9.5, vram_budget_gb=15.6)
    assert backends.choose(fits, gpu(unsloth=False), Emitter(out)) == "plain"
    told = json.loads(out.getvalue().splitlines()[-1])
    assert told["level"] == "warning" and "not installed" in told["message"] and "9.5 GB" in told["message"]
    tight = cfg(estimated_vram_gb=6.0, plain_estimated_vram_gb=17.0, vram_budget_gb=15.6)
    with pytest.raises(SidecarError) as e:
        backends.choose(tight, gpu(unsloth=False), Emitter(io.StringIO()))
    assert e.value.code == "BAD_CONFIG" and e.value.extra["field"] == "backend" and "17.0 GB" in e.value.message
    # Without the plan's figures (a caller that sends none) it still says so.
    assert "plain transformers" in backends.fallback_to_plain(cfg(), "it failed to import")
    # Unsloth installed but failing to import: the same decision.
    assert backends.import_first("plain", Emitter(io.StringIO()), explicit=False, cfg=tight) == "plain"


# -- 9. both backends get the same arguments -------------------------------------------------------------------------
def test_9_every_default_unsloth_rewrites_is_passed_explicitly():
    from trl import DPOConfig, SFTConfig

    from hone_sidecar.trainers import UNSLOTH_REWRITTEN_DEFAULTS, common_args

    for backend in ("unsloth", "plain"):
        loaded = backends.Loaded(None, None, None, backend, torch.bfloat16, False)
        args = common_args(cfg(warmup_ratio=0.05), gpu(), loaded, True, Emitter(io.StringIO()))
        for config_class in (SFTConfig, DPOConfig):
            fields = set(config_class.__dataclass_fields__)
            missing = [k for k in UNSLOTH_REWRITTEN_DEFAULTS if k in fields and k not in args]
            assert not missing, (backend, config_class.__name__, missing)
        assert args["warmup_ratio"] == 0.05 and args["dataset_num_proc"] is None
        assert args["logging_nan_inf_filter"] is False  # a NaN loss must be reported, not averaged away


def test_9_dataset_preparation_stays_in_process_even_under_unsloths_config():
    """Unsloth's generated config turns dataset_num_proc=None into cpu_count() + 4 in __init__ (models/rl.py);
    datasets 4.3 then forks a Pool. This stand-in does what that generated __init__ does."""
    from trl import SFTConfig

    from hone_sidecar.trainers import common_args, pin_in_process

    class UnslothLikeSFTConfig(SFTConfig):
        def __init__(self, *a, dataset_num_proc=None, **k):
            if dataset_num_proc is None:
                dataset_num_proc = 12
            super().__init__(*a, dataset_num_proc=dataset_num_proc, **k)

    args = common_args(cfg(), gpu(), backends.Loaded(None, None, None, "unsloth", torch.bfloat16, False), False,
                       Emitter(io.StringIO()))
    args.update(bf16=False, fp16=False, use_cpu=True, optim="adamw_torch")  # buildable without a GPU
    assert UnslothLikeSFTConfig(**args).dataset_num_proc == 12
    assert pin_in_process(UnslothLikeSFTConfig(**args)).dataset_num_proc is None
    # And datasets really forks for num_proc=1, which is why None (not 1) is the in-process value.
    import inspect

    from datasets import Dataset

    assert "num_proc is not None and num_proc >= 1" in inspect.getsource(Dataset.map)
