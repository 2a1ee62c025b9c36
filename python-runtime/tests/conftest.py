"""Shared fixtures. The training runs are slow to start (importing torch + transformers takes most of the
time), so the long runs are launched together once per session and the tests read their results."""

from __future__ import annotations

import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any, Iterator

import pytest

from sidecar_proc import SAMPLES, Sidecar

SFT_STEPS = 30
STOP_AFTER = 8
# LoRA rank 8 on the tiny model's seven projections (hidden 64, q 64, k/v 32, MLP 192, 4 layers): what the
# planner counts for it (electron/core/catalog/params.ts). The SFT runs check it; a mismatch is BAD_CONFIG.
TINY_LORA_PARAMS = 4 * 8 * ((64 + 64) + 2 * (64 + 32) + (64 + 64) + 2 * (64 + 192) + (192 + 64))


@pytest.fixture(scope="session")
def workdir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="hone-py-tests-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def tiny_model(workdir: Path) -> Path:
    from hone_sidecar.tiny import build

    return build(workdir / "tiny-model", SAMPLES)


def sft_config(model: Path, out: Path, **over: Any) -> dict[str, Any]:
    config = {
        "model_path": str(model), "dataset_path": str(SAMPLES / "sft-sample.jsonl"), "output_dir": str(out),
        "objective": "sft", "method": "lora", "max_seq_length": 256, "batch_size": 8, "grad_accum": 1,
        "lora_rank": 8, "lora_alpha": 16, "lora_dropout": 0.05, "learning_rate": 0.005, "max_steps": SFT_STEPS,
        "save_steps": 10, "logging_steps": 1, "seed": 7, "eval_split": 0.1, "eval_steps": 10,
        "target_modules": ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
        "optimizer": "adamw_torch", "gradient_checkpointing": False, "load_in_4bit": False,
        "planned_trainable_params": TINY_LORA_PARAMS,
    }
    config.update(over)
    return config


def dpo_config(model: Path, out: Path, **over: Any) -> dict[str, Any]:
    config = {
        "model_path": str(model), "dataset_path": str(SAMPLES / "dpo-sample.jsonl"), "output_dir": str(out),
        "objective": "dpo", "method": "lora", "max_seq_length": 128, "batch_size": 8, "grad_accum": 1,
        "lora_rank": 8, "lora_alpha": 16, "learning_rate": 0.005, "max_steps": 24, "save_steps": 100,
        "logging_steps": 1, "seed": 3, "beta": 0.1,
    }
    config.update(over)
    return config


class Runs:
    """The session's long runs, started together so their imports overlap on the two cores. The resume run
    starts the moment the stopped run has exited, on a thread, so no core sits idle waiting for the test."""

    def __init__(self, workdir: Path, model: Path) -> None:
        self.dir = workdir
        self.model = model
        self.sft = Sidecar(workdir, "sft").start(sft_config(model, workdir / "sft", merge=True))
        self.dpo = Sidecar(workdir, "dpo").start(dpo_config(model, workdir / "dpo"))
        due = lambda e: e["type"] == "metrics" and e["step"] >= STOP_AFTER  # noqa: E731
        self.stopped = Sidecar(workdir, "stopped", stop_when=due)
        self.stopped.start(sft_config(model, workdir / "resumed", merge=True))
        self.all = [self.sft, self.dpo, self.stopped]
        self.resumed: Sidecar | None = None
        self.stopped_exit: int | BaseException | None = None
        self._chain = threading.Thread(target=self._resume_when_stopped, daemon=True)
        self._chain.start()

    def _resume_when_stopped(self) -> None:
        try:
            self.stopped.wait_type("done")
            self.stopped_exit = self.stopped.finish()
            config = sft_config(self.model, self.dir / "resumed", merge=True, resume_from_checkpoint="latest")
            self.resumed = Sidecar(self.dir, "resume").start(config)
            self.all.append(self.resumed)
        except BaseException as e:  # noqa: BLE001 - handed to the test, which raises it
            self.stopped_exit = e

    def wait_resumed(self, timeout: float = 600) -> Sidecar:
        self._chain.join(timeout)
        if isinstance(self.stopped_exit, BaseException):
            raise self.stopped_exit
        assert self.resumed is not None, "the resume run never started"
        return self.resumed

    def close(self) -> None:
        for run in self.all:
            run.close()


@pytest.fixture(scope="session")
def runs(workdir: Path, tiny_model: Path) -> Iterator[Runs]:
    r = Runs(workdir, tiny_model)
    yield r
    r.close()


@pytest.fixture(scope="session")
def sft_done(runs: Runs) -> Sidecar:
    done = runs.sft.wait_type("done", timeout=300)
    assert done["type"] == "done", done
    assert runs.sft.finish() == 0
    return runs.sft
