"""The memory check at the start of a run (issue #16): measure, then let the planner decide.

A few optimiser steps (config.memory_probe.steps, 2 by default: the second one runs with the optimiser's
states allocated) on the longest rows, at the settings under test, through the run's own trainer: the real
model, the real optimiser, gradient checkpointing as planned. The peak is measured (torch's peak reserved
memory on the GPU; the process's RSS growth since before the model loaded on the CPU) and sent as a
`memory_probe` event; the sidecar then waits for the host's `probe_decision` (the planner's verdict,
electron/core/planner/probe-decision.ts: one implementation of the re-plan rules, in the planner) and
echoes it as `memory_check`. retry: probe other settings; accept: train with them; abort: DOES_NOT_FIT.

The run's result is the same as without the check: the trainable weights and every random state (Python,
NumPy, torch, CUDA) are restored after each probe; the optimiser and scheduler the probe created are dropped
(training creates its own); the trainer's arguments and datasets are put back; the real dataloader is built
afterwards from the same seeded sampler. A stop during the check ends the run at step 0 with nothing saved.
"""

from __future__ import annotations

import gc
import json
import queue
import random
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .device import GB, RssPeak, rss_bytes
from .errors import SidecarError, Stopped
from .protocol import validator

ROW_TOKENS_CAP = 4096
STORED = "memory_check.json"
DEFAULTS = {"steps": 2, "measure": "auto", "decision_timeout_s": 120.0}
# TrainingArguments the probe changes for its few steps and puts back.
PROBE_ARGS = ("per_device_train_batch_size", "gradient_accumulation_steps", "max_steps", "save_strategy",
              "eval_strategy", "logging_first_step")


@dataclass
class Settings:
    batch_size: int
    grad_accum: int
    max_seq_length: int


def stored_settings(out: Path) -> Settings | None:
    """The settings an earlier session of this run was checked into (a resume must train with them)."""
    try:
        applied = json.loads((out / STORED).read_text(encoding="utf-8")).get("applied")
        return Settings(int(applied["batch_size"]), int(applied["grad_accum"]), int(applied["max_seq_length"]))
    except (OSError, ValueError, TypeError, KeyError):
        return None


def use_stored_settings(cfg: Any, em: Any) -> None:
    """Resuming a checked run: the checkpoint was trained with the checked settings, not the planned ones."""
    s = stored_settings(cfg.out)
    if s is None or (s.batch_size, s.grad_accum, s.max_seq_length) == (cfg.batch_size, cfg.grad_accum,
                                                                      cfg.max_seq_length):
        return
    cfg.batch_size, cfg.grad_accum, cfg.max_seq_length = s.batch_size, s.grad_accum, s.max_seq_length
    em.log("info", f"Resuming with the settings the memory check chose: batch {s.batch_size} x {s.grad_accum}, "
           f"max_seq_length {s.max_seq_length}.")


class _Snapshot:
    """Trainable weights (copied to the CPU) and every random state, as they were before any probe."""

    def __init__(self, model: Any, cuda: bool) -> None:
        import numpy as np
        import torch

        self.params = [(p, p.detach().to("cpu", copy=True)) for p in model.parameters() if p.requires_grad]
        self.rng = (random.getstate(), np.random.get_state(), torch.get_rng_state(),
                    torch.cuda.get_rng_state_all() if cuda else None)

    def restore(self) -> None:
        import numpy as np
        import torch

        with torch.no_grad():
            for p, saved in self.params:
                p.copy_(saved.to(p.device))
        py, npy, cpu, cuda = self.rng
        random.setstate(py)
        np.random.set_state(npy)
        torch.set_rng_state(cpu)
        if cuda is not None:
            torch.cuda.set_rng_state_all(cuda)


class Meter:
    """One probe's peak. `cuda` is torch.cuda (a stand-in in tests: there is no GPU to measure there)."""

    def __init__(self, measure: str, rss_baseline: int | None, cuda: Any = None) -> None:
        self.measure, self.rss_baseline = measure, rss_baseline
        if measure == "cuda" and cuda is None:
            import torch

            cuda = torch.cuda
        self.cuda = cuda
        self.available: float | None = None
        self._rss: RssPeak | None = None

    def start(self) -> None:
        if self.measure == "cuda":
            # Cached blocks from loading (or an earlier probe) are handed back first, so the peak is this
            # probe's: the weights plus what its steps need.
            self.cuda.synchronize()
            gc.collect()
            self.cuda.empty_cache()
            self.cuda.reset_peak_memory_stats(0)
            free, _ = self.cuda.mem_get_info(0)
            self.available = (self.cuda.memory_reserved(0) + free) / GB
        else:
            if self.rss_baseline is None:
                self.rss_baseline = rss_bytes()
            self._rss = RssPeak()
            self._rss.start()

    def stop(self) -> dict[str, Any]:
        if self.measure == "cuda":
            try:
                self.cuda.synchronize()
            except Exception:  # noqa: BLE001 - after an out-of-memory error the figures are still readable
                pass
            return {"peak_gb": round(self.cuda.max_memory_reserved(0) / GB, 3),
                    "peak_allocated_gb": round(self.cuda.max_memory_allocated(0) / GB, 3),
                    "available_gb": round(self.available, 3) if self.available is not None else None}
        peak = self._rss.stop() if self._rss else None
        growth = max(0, (peak or 0) - (self.rss_baseline or 0))
        return {"peak_gb": round(growth / GB, 3), "peak_allocated_gb": None, "available_gb": None}


def _instance_forward(model: Any) -> dict[str, Any]:
    """accelerate wraps model.forward (autocast on a GPU) as an instance attribute when it prepares the model;
    what was there before the probe is what the real run's preparation must find."""
    return {k: model.__dict__[k] for k in ("forward", "_original_forward") if k in model.__dict__}


def _restore_forward(model: Any, saved: dict[str, Any]) -> None:
    for k in ("forward", "_original_forward"):
        if k in saved:
            model.__dict__[k] = saved[k]
        else:
            model.__dict__.pop(k, None)


def _row_lengths(dataset: Any, objective: str) -> list[int]:
    """Token count of each row as trained (a DPO pair: its prompt and the longer answer), read as Arrow list
    lengths: a large dataset's token ids never become Python lists."""
    import pyarrow.compute as pc

    table = dataset.with_format("arrow")

    def lengths(column: str) -> list[int]:
        return pc.list_value_length(table[column]).to_pylist()

    if objective == "dpo":
        return [p + max(c, r) for p, c, r in zip(lengths("prompt_input_ids"), lengths("chosen_input_ids"),
                                                 lengths("rejected_input_ids"))]
    return lengths("input_ids")


class MemoryProbe:
    def __init__(self, run: Any, decisions: queue.Queue) -> None:
        self.run, self.decisions = run, decisions
        self.cfg, self.em, self.dev = run.cfg, run.emitter, run.dev
        opts = {**DEFAULTS, **(self.cfg.memory_probe or {})}
        self.steps = int(opts["steps"])
        self.timeout = float(opts["decision_timeout_s"])
        self.measure = opts["measure"] if opts["measure"] != "auto" else ("cuda" if self.dev.cuda else "rss")
        if self.measure == "cuda" and not self.dev.cuda:
            raise SidecarError("BAD_CONFIG", "memory_probe.measure 'cuda' needs a GPU; use 'rss' or 'auto' on the CPU.",
                               field="memory_probe")
        self.seq = self.cfg.max_seq_length  # the length the trainer's datasets are cut at now
        self.record: dict[str, Any] = {"readings": [], "decisions": [], "applied": None}

    # -- the loop --------------------------------------------------------------------------------------------
    def run_check(self) -> Settings:
        cfg, em = self.cfg, self.em
        snapshot = _Snapshot(self.run.trainer.model, self.dev.cuda)
        current = Settings(cfg.batch_size, cfg.grad_accum, cfg.max_seq_length)
        try:
            for attempt in range(1, 100):
                self._use_seq(current.max_seq_length)
                reading = self._probe(attempt, current)
                snapshot.restore()
                em.emit("memory_probe", **reading)
                self.record["readings"].append({k: v for k, v in reading.items() if k != "row_tokens"})
                d = self._wait()
                echo = {k: d[k] for k in ("action", "verdict", "batch_size", "grad_accum", "max_seq_length",
                                          "used_gb", "budget_gb", "message", "hint") if k in d}
                em.emit("memory_check", attempt=attempt, **echo)
                self.record["decisions"].append(echo)
                settings = Settings(d["batch_size"], d["grad_accum"], d["max_seq_length"])
                if d["action"] == "abort":
                    raise SidecarError("DOES_NOT_FIT", d["message"], d.get("hint") or "Plan the run again.",
                                       step=0)
                if d["action"] == "accept":
                    self._use(settings)
                    self._store(settings)
                    return settings
                current = settings
            raise SidecarError("INTERNAL", "The memory check did not settle.")
        finally:
            self.run.notes["memory_check"] = self.record
            del snapshot
            gc.collect()

    def _wait(self) -> dict[str, Any]:
        deadline = time.monotonic() + self.timeout
        while True:
            if self.run.stop_event.is_set():
                raise Stopped()
            try:
                d = self.decisions.get(timeout=0.2)
            except queue.Empty:
                if time.monotonic() > deadline:
                    raise SidecarError("INTERNAL",
                                       f"The app did not answer the memory check within {self.timeout:.0f} s.",
                                       "Start the run again; if it repeats, update Hone.") from None
                continue
            errors = list(validator("probeDecisionCommand").iter_errors(d))
            if errors:
                raise SidecarError("INTERNAL",
                                   f"The app's answer to the memory check is not valid: {errors[0].message}",
                                   "Update Hone: the app and its Python side disagree.")
            return d

    # -- one probe ---------------------------------------------------------------------------------------------
    def _longest(self, batch: int) -> tuple[Any, int, list[int]]:
        """The `batch` longest rows, once per probe step: every step is the run's worst batch."""
        dataset = self.run.trainer.train_dataset
        lengths = _row_lengths(dataset, self.cfg.objective)
        order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
        top = [order[i % len(order)] for i in range(batch)]
        return dataset.select(top * self.steps), lengths[order[0]] if order else 0, lengths

    def _probe(self, attempt: int, s: Settings) -> dict[str, Any]:
        from torch.utils.data import SequentialSampler
        from transformers.trainer_utils import IntervalStrategy, SaveStrategy

        tr, cb = self.run.trainer, self.run.callback
        args = tr.args
        subset, tokens, lengths = self._longest(s.batch_size)
        saved_args = {k: getattr(args, k) for k in PROBE_ARGS}
        saved_train = tr.train_dataset
        saved_forward = _instance_forward(tr.model)
        args.per_device_train_batch_size = s.batch_size
        args.gradient_accumulation_steps = 1  # accumulation does not raise the peak: gradients persist anyway
        args.max_steps = self.steps
        args.save_strategy = SaveStrategy.NO
        args.eval_strategy = IntervalStrategy.NO
        args.logging_first_step = False
        tr.train_dataset = subset
        tr._get_train_sampler = lambda *a, **k: SequentialSampler(subset)  # the longest rows in every batch
        cb.probing = True
        meter = Meter(self.measure, getattr(self.run, "rss_baseline", None))
        oom = False
        started = time.monotonic()
        meter.start()
        try:
            tr.train()
        except Exception as e:  # noqa: BLE001 - only running out of GPU memory is a reading
            if not (self.measure == "cuda" and _is_oom(e)):
                raise
            oom = True
        finally:
            figures = meter.stop()
            cb.probing = False
            tr.__dict__.pop("_get_train_sampler", None)
            for k, v in saved_args.items():
                setattr(args, k, v)
            tr.train_dataset = saved_train
            _restore_forward(tr.model, saved_forward)
            self._release()
        if cb.probe_stopped:
            raise Stopped()
        row_tokens = self.run.lengths.get("train") if self.cfg.objective == "sft" else None
        row_tokens = sorted(row_tokens if row_tokens is not None else lengths, reverse=True)
        return {"attempt": attempt, "batch_size": s.batch_size, "grad_accum": s.grad_accum,
                "max_seq_length": s.max_seq_length, "steps": self.steps, "measure": self.measure, **figures,
                **({"oom": True} if oom else {}), "tokens": int(tokens), "rows": len(row_tokens),
                "row_tokens": [int(n) for n in row_tokens[:ROW_TOKENS_CAP]],
                "seconds": round(time.monotonic() - started, 2)}

    def _release(self) -> None:
        """What the probe's train() created goes: optimiser, scheduler, gradients, accelerate's references."""
        tr = self.run.trainer
        tr._hone_pending = None
        if getattr(tr, "optimizer", None) is not None:
            tr.optimizer.zero_grad(set_to_none=True)
        tr.optimizer, tr.lr_scheduler = None, None
        tr.accelerator.free_memory()
        tr.model.zero_grad(set_to_none=True)
        gc.collect()
        if self.dev.cuda:
            import torch

            torch.cuda.empty_cache()

    # -- applying settings ----------------------------------------------------------------------------------------
    def _use_seq(self, seq: int) -> None:
        """Cut the rows at another max_seq_length: the datasets are tokenised again, as a run planned with it is."""
        if seq == self.seq:
            return
        if self.cfg.objective != "sft":
            raise SidecarError("BAD_CONFIG", "The memory check cannot change max_seq_length for DPO.",
                               "Plan the run again with a shorter max_seq_length.", field="max_seq_length")
        from . import trainers

        run, tr = self.run, self.run.trainer
        self.cfg.max_seq_length = seq
        train, evals = trainers.build_datasets(self.cfg, run.rows, run.eval_rows, run.loaded.tokenizer, self.em,
                                               run.notes, run.lengths)
        tr.train_dataset, tr.eval_dataset = train, evals
        tr.args.max_length = seq
        self.seq = seq

    def _use(self, s: Settings) -> None:
        self._use_seq(s.max_seq_length)
        args = self.run.trainer.args
        args.per_device_train_batch_size = args.per_device_eval_batch_size = s.batch_size
        args.gradient_accumulation_steps = s.grad_accum
        self.cfg.batch_size, self.cfg.grad_accum = s.batch_size, s.grad_accum
        self.record["applied"] = asdict(s)

    def _store(self, s: Settings) -> None:
        path = self.cfg.out / STORED
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({**self.record, "applied": asdict(s)}, indent=1), encoding="utf-8")
        tmp.replace(path)


def _is_oom(e: BaseException) -> bool:
    import torch

    if isinstance(e, torch.cuda.OutOfMemoryError):
        return True
    text = str(e).lower()
    return "out of memory" in text and ("cuda" in text or "cublas" in text)
