"""TrainerCallback and trainer mix-in that turn TRL's training loop into protocol events."""

from __future__ import annotations

import math
import threading
import time
from pathlib import Path
from typing import Any

from transformers import TrainerCallback

from .device import PeakMemory, memory_figures
from .protocol import Emitter

# Keys the Trainer logs that are bookkeeping rather than metrics.
SKIP_KEYS = {"epoch", "step", "total_flos", "num_input_tokens_seen"}
PROGRESS_EVERY_S = 0.5


def count_tokens(inputs: dict[str, Any]):
    """Non-padding tokens the model processes for a batch, as a 0-d tensor (no device sync).

    SFT batches have attention_mask. DPO batches have prompt_/chosen_/rejected_attention_mask, and the
    prompt goes through the model twice (once with each answer)."""
    total = None
    for key, value in inputs.items():
        if key == "attention_mask" or key.endswith("_attention_mask"):
            part = value.sum() * (2 if key == "prompt_attention_mask" else 1)
            total = part if total is None else total + part
    if total is None and inputs.get("input_ids") is not None:
        return inputs["input_ids"].numel()
    return total if total is not None else 0


class TokenCounting:
    """Mix-in for a TRL trainer: counts the tokens of every micro-batch into state.num_input_tokens_seen
    (which checkpoints save and resumes restore), so tokens/s reflects what was actually trained.

    On a GPU the batch is already on the device; the count stays a device tensor until a log or a save
    needs it, so counting never forces an extra synchronisation per step."""

    _hone_pending: Any = None

    def training_step(self, model, inputs, *args, **kwargs):
        n = count_tokens(inputs)
        self._hone_pending = n if self._hone_pending is None else self._hone_pending + n
        return super().training_step(model, inputs, *args, **kwargs)

    def hone_flush_tokens(self) -> int:
        if self._hone_pending is not None:
            pending, self._hone_pending = self._hone_pending, None
            self.state.num_input_tokens_seen += int(pending)
        return self.state.num_input_tokens_seen

    def _save_checkpoint(self, *args, **kwargs):
        self.hone_flush_tokens()
        return super()._save_checkpoint(*args, **kwargs)


class HoneCallback(TrainerCallback):
    def __init__(self, emitter: Emitter, stop_event: threading.Event, checkpoints_dir: Path,
                 memory: PeakMemory | None = None) -> None:
        self.emitter = emitter
        self.memory = memory if memory is not None else PeakMemory()
        self.stop_event = stop_event
        self.checkpoints_dir = checkpoints_dir
        self.history: list[dict[str, float]] = []
        self.evals: list[dict[str, float]] = []
        self.train_summary: dict[str, float] = {}
        self.stopped_at: int | None = None
        self.nan_reported = False
        self._last_time = 0.0
        self._last_tokens = 0
        self._last_progress = 0.0
        self.started = 0.0
        self.trainer: Any = None  # set once the trainer exists; flushes the token count
        # While the memory check (probe.py) runs its steps through the same trainer: no metrics, no history, no
        # checkpoint; progress goes out as the checking_memory stage and a stop ends the probe without a save.
        self.probing = False
        self.probe_stopped = False

    # -- loop boundaries -------------------------------------------------------------------------
    def on_train_begin(self, args, state, control, **kwargs):
        if self.probing:
            self.emitter.progress("checking_memory", 0, state.max_steps, "step")
            return
        self.started = self._last_time = time.monotonic()
        self._last_tokens = state.num_input_tokens_seen
        # Loading the model (and a DPO reference pass) is not a training step: the first interval starts here.
        self.memory.reset()
        self.emitter.progress("training", state.global_step, state.max_steps, "step")

    def on_step_end(self, args, state, control, **kwargs):
        if self.probing:
            if self.stop_event.is_set():
                self.probe_stopped = True
                control.should_training_stop = True
            self.emitter.progress("checking_memory", state.global_step, state.max_steps, "step")
            return
        if self.stop_event.is_set() and self.stopped_at is None:
            # Finish here: the Trainer logs, saves a checkpoint, then leaves its loop.
            self.stopped_at = state.global_step
            control.should_log = True
            control.should_save = True
            control.should_training_stop = True
        now = time.monotonic()
        if now - self._last_progress >= PROGRESS_EVERY_S or state.global_step >= state.max_steps:
            self._last_progress = now
            self.emitter.progress("training", state.global_step, state.max_steps, "step")

    def on_save(self, args, state, control, **kwargs):
        if self.probing:
            return
        path = self.checkpoints_dir / f"checkpoint-{state.global_step}"
        self.emitter.emit("checkpoint", step=state.global_step, path=str(path))

    # -- logs --------------------------------------------------------------------------------------
    def on_log(self, args, state, control, logs=None, **kwargs):
        if self.probing:
            return
        logs = dict(logs or {})
        if "eval_loss" in logs:
            values = {k: float(v) for k, v in logs.items() if k.startswith("eval_") and _is_num(v)}
            self.evals.append({"step": state.global_step, **values})
            self.emitter.emit("eval", step=state.global_step, **values)
            return
        if "train_runtime" in logs:
            self.train_summary = {k: float(v) for k, v in logs.items() if _is_num(v)}
            return
        if "loss" not in logs:
            return
        tokens = self.trainer.hone_flush_tokens() if self.trainer is not None else state.num_input_tokens_seen
        now = time.monotonic()
        elapsed = now - self._last_time
        metrics: dict[str, Any] = {
            "step": state.global_step,
            "max_steps": state.max_steps,
            "epoch": round(float(state.epoch or 0.0), 6),
            "tokens_seen": int(tokens),
        }
        if elapsed > 0 and tokens >= self._last_tokens:
            metrics["tokens_per_second"] = round((tokens - self._last_tokens) / elapsed, 2)
        self._last_time, self._last_tokens = now, tokens
        for key, value in logs.items():
            if key in SKIP_KEYS or not _is_num(value):
                continue
            if not math.isfinite(float(value)):
                self._report_non_finite(key, state.global_step)
                continue
            metrics[key] = float(value)
        now_figures = memory_figures()
        for key in ("gpu_mem_allocated_gb", "gpu_mem_reserved_gb"):
            if key in now_figures:
                metrics[key] = now_figures[key]
        metrics.update(self.memory.read_and_reset())
        self.history.append({k: v for k, v in metrics.items() if isinstance(v, (int, float))})
        self.emitter.emit("metrics", **metrics)

    def _report_non_finite(self, key: str, step: int) -> None:
        if not self.nan_reported:
            self.nan_reported = True
            self.emitter.log("warning", f"{key} became NaN or infinite at step {step}: training has diverged. "
                             "Stop the run and lower the learning rate.")

    @property
    def last_loss(self) -> float | None:
        for row in reversed(self.history):
            if "loss" in row:
                return row["loss"]
        return None

    @property
    def first_loss(self) -> float | None:
        return next((row["loss"] for row in self.history if "loss" in row), None)


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)
