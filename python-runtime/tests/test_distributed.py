"""Decisions of a multi-process run (issue #15) that need no second process: which rank this is, the GPU list a
launcher hands over, loading for FSDP, the backend, how the ranks' figures become one metrics line. The runs
themselves (2 processes through `accelerate launch` on the CPU, loss against one process, stop, resume, a killed
rank) are tested end to end in electron/core/sidecar/integration/multi-process.test.ts."""

from __future__ import annotations

import pytest

from hone_sidecar import backends, distributed, early_env, rank_metrics
from hone_sidecar.config import parse
from hone_sidecar.device import DeviceInfo
from hone_sidecar.errors import SidecarError


def test_world_from_the_launchers_environment():
    w = distributed.from_env({"RANK": "3", "LOCAL_RANK": "1", "WORLD_SIZE": "4", "LOCAL_WORLD_SIZE": "2"})
    assert (w.rank, w.local_rank, w.size, w.active, w.main, w.nodes) == (3, 1, 4, True, False, 2)
    alone = distributed.from_env({})
    assert (alone.size, alone.active, alone.main) == (1, False, True)
    assert distributed.fsdp_from_env({"ACCELERATE_USE_FSDP": "true"})
    assert not distributed.fsdp_from_env({"ACCELERATE_USE_FSDP": "false"})


def test_collectives_are_the_identity_without_a_launcher():
    assert not distributed.WORLD.active
    assert distributed.any_true(True) is True and distributed.any_true(False) is False
    assert distributed.sum_int(7) == 7
    assert distributed.broadcast({"a": 1}) == {"a": 1}
    assert distributed.gather("x") == ["x"]


def test_a_single_process_keeps_one_gpu_a_launched_one_keeps_the_run_s_cards():
    env = {"CUDA_VISIBLE_DEVICES": "2,3"}
    assert early_env.prepare(env, (2, 8)) and env["CUDA_VISIBLE_DEVICES"] == "2"
    launched = {"CUDA_VISIBLE_DEVICES": "2,3", "WORLD_SIZE": "2"}
    assert early_env.prepare(launched, (2, 8)) == []
    assert launched["CUDA_VISIBLE_DEVICES"] == "2,3"
    assert launched["CUDA_DEVICE_ORDER"] == "PCI_BUS_ID"


def test_peer_failures_are_recognised():
    assert distributed.is_peer_failure(RuntimeError("[gloo/transport/tcp/pair.cc:535] Read error: Connection reset by peer"))
    assert distributed.is_peer_failure(RuntimeError("NCCL communicator was aborted on rank 0"))
    assert not distributed.is_peer_failure(ValueError("target modules not found"))


def cfg(**over):
    base = {"model_path": "/m", "dataset_path": "/d.jsonl", "output_dir": "/tmp/o", "method": "qlora"}
    return parse({**base, **over})


def gpu() -> DeviceInfo:
    return DeviceInfo(cuda=True, device="cuda:0 (x)", torch="2.8", bf16=True, gpu_total_gb=24.0, unsloth_installed=True)


def test_fsdp_loading_places_nothing_and_stores_4bit_weights_in_the_compute_dtype():
    pytest.importorskip("bitsandbytes", reason="BitsAndBytesConfig's 4-bit storage needs bitsandbytes installed")
    import torch

    kw = backends.plain_load_kwargs(cfg(), gpu(), fsdp=True)
    assert "device_map" not in kw and kw["low_cpu_mem_usage"] is True
    assert kw["quantization_config"].bnb_4bit_quant_storage == torch.bfloat16


def test_ddp_loading_pins_the_model_to_this_ranks_card():
    import torch

    kw = backends.plain_load_kwargs(cfg(method="lora", load_in_4bit=False), gpu(), fsdp=False)
    assert kw["device_map"] == {"": distributed.WORLD.local_rank}
    assert kw["dtype"] == torch.bfloat16 and "low_cpu_mem_usage" not in kw


def test_several_processes_train_with_plain_transformers(monkeypatch):
    monkeypatch.setattr(distributed, "WORLD", distributed.World(rank=0, size=2, local_size=2))
    assert backends.choose(cfg(backend="auto"), gpu()) == "plain"
    with pytest.raises(SidecarError) as e:
        backends.choose(cfg(backend="unsloth"), gpu())
    assert e.value.code == "BAD_CONFIG" and e.value.extra["field"] == "backend"
    assert "does not support multi GPU setups" in e.value.message


def test_one_process_reports_run_level_figures_only():
    line = rank_metrics.reduce([{"peak_reserved_gb": 3.2, "peak_allocated_gb": 2.9, "gpu_util": 97.0, "rss_gb": 4.0}])
    assert line == {"peak_reserved_gb": 3.2, "peak_allocated_gb": 2.9, "gpu_util": 97.0}


def test_several_ranks_the_fullest_card_decides_and_each_rank_keeps_its_line():
    line = rank_metrics.reduce([
        {"peak_reserved_gb": 20.5, "peak_allocated_gb": 18.0, "gpu_util": 90.0},
        {"peak_reserved_gb": 21.25, "peak_allocated_gb": 17.5, "gpu_util": 70.0},
    ])
    assert line["peak_reserved_gb"] == 21.25 and line["peak_allocated_gb"] == 18.0
    assert line["gpu_util"] == 80.0
    assert line["rank0/peak_reserved_gb"] == 20.5 and line["rank1/gpu_util"] == 70.0
    cpu = rank_metrics.reduce([{"rss_gb": 0.8, "cpu_util": 95.0}, {"rss_gb": 0.7, "cpu_util": 60.0}])
    assert cpu == {"rank0/rss_gb": 0.8, "rank0/cpu_util": 95.0, "rank1/rss_gb": 0.7, "rank1/cpu_util": 60.0}


def test_a_cpu_process_measures_its_memory_and_cpu_time():
    meter = rank_metrics.ProcessMeter()
    sum(i * i for i in range(300_000))  # some CPU time in the interval
    figures = meter.read()
    assert figures["rss_gb"] > 0.01
    assert 0 <= figures["cpu_util"] <= 400


def test_gpu_utilisation_comes_from_nvml_or_not_at_all():
    class Card:
        def utilization(self, index):
            return 63

    class NoNvml:
        def utilization(self, index):
            raise ModuleNotFoundError("pynvml")

    assert rank_metrics.gpu_util(Card()) == 63.0
    assert rank_metrics.gpu_util(NoNvml()) is None


def test_dead_ranks_are_found_by_pid_on_this_machine(tmp_path):
    import os
    import subprocess
    import sys

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    host, me = distributed.whoami()
    peers = [(host, me), (host, gone.pid), ("another-host", gone.pid), (host, os.getppid())]
    assert distributed.dead_ranks(peers) == [1]
