"""One training run, from a raw config to `done` (exit 0) or `error` (exit 2).

Everything cheap is checked before the heavy imports (config, data, model folder, sequence limit), so
bad input is reported in the time it takes to import torch rather than after loading a model.
"""

from __future__ import annotations

import errno
import logging
import os
import queue
import threading
import time
import traceback
from pathlib import Path
from typing import Any

from . import __version__, backends, data, modelinfo, outputs
from .config import RunConfig, parse
from .device import DeviceInfo, memory_figures, rss_bytes
from .errors import SidecarError, Stopped
from .protocol import Emitter, _finite, now_iso

EXIT_DONE, EXIT_ERROR = 0, 2


class _Forward(logging.Handler):
    """Library warnings become `log` events (each distinct message once) as well as stderr lines."""

    def __init__(self, emitter: Emitter) -> None:
        super().__init__(logging.WARNING)
        self.emitter, self.seen = emitter, set()

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage().strip()
        if message and message not in self.seen and len(self.seen) < 200:
            self.seen.add(message)
            self.emitter.log("error" if record.levelno >= logging.ERROR else "warning", message[:2000])


def _bridge_library_logs(emitter: Emitter) -> None:
    logging.captureWarnings(True)
    handler = _Forward(emitter)
    for name in ("transformers", "trl", "peft", "accelerate", "datasets", "unsloth", "py.warnings"):
        logging.getLogger(name).addHandler(handler)


class Run:
    def __init__(self, raw: Any, emitter: Emitter, stop_event: threading.Event, dev: DeviceInfo,
                 decisions: queue.Queue | None = None) -> None:
        self.raw, self.emitter, self.stop_event, self.dev = raw, emitter, stop_event, dev
        # The host's answers to the memory check (probe.py), fed by the server's stdin reader.
        self.decisions: queue.Queue = decisions if decisions is not None else queue.Queue()
        self.rows: Any = None
        self.eval_rows: Any = None
        self.lengths: dict[str, list[int]] = {}
        self.rss_baseline: int | None = None
        self.cfg: RunConfig | None = None
        self.trainer: Any = None
        self.callback: Any = None
        self.loaded: Any = None
        self.started = time.time()
        self.notes: dict[str, Any] = {}

    # -- entry ---------------------------------------------------------------------------------------
    def execute(self) -> int:
        try:
            return self._execute()
        except SidecarError as e:
            self.emitter.emit("error", **e.event_fields())
        except Stopped:
            self.emitter.emit("done", stopped=True, final_step=0, final_loss=None,
                              output_dir=self.cfg.output_dir if self.cfg else "")
            return EXIT_DONE
        except Exception as e:  # noqa: BLE001 - the app must get a reason, whatever failed
            if _is_oom(e):
                self._report_oom(e)
            elif isinstance(e, OSError) and e.errno == errno.ENOSPC:
                self.emitter.emit("error", code="INTERNAL", message=f"The disk is full: {e}",
                                  hint="Free some disk space, then resume the run (its checkpoints are kept).",
                                  step=self.trainer.state.global_step if self.trainer is not None else 0)
            else:
                traceback.print_exc()
                detail = "".join(traceback.format_exception(type(e), e, e.__traceback__))[-4000:]
                self.emitter.emit("error", code="INTERNAL", message=f"{type(e).__name__}: {e}"[:2000],
                                  hint=SidecarError("INTERNAL", "x").hint, detail=detail)
        return EXIT_ERROR

    def _check_stop(self) -> None:
        if self.stop_event.is_set():
            raise Stopped()

    def _execute(self) -> int:
        em = self.emitter
        em.progress("validating", 0, 1, "step")
        cfg = self.cfg = parse(self.raw)
        if cfg.unknown:
            em.log("warning", f"Ignoring unknown config field(s): {', '.join(cfg.unknown)}.")
        resume = self._resume_path(cfg)
        if resume is not None:
            from . import probe

            probe.use_stored_settings(cfg, em)
        rows = self.rows = data.load(cfg.dataset_path, cfg.objective,
                         on_progress=lambda d, t: em.progress("loading_data", d, t, "line"))
        eval_rows = self.eval_rows = data.load(cfg.eval_dataset_path, cfg.objective, "eval_dataset_path") \
            if cfg.eval_dataset_path else None
        model_ref, model_config = modelinfo.resolve(cfg.model_path)
        modelinfo.check_seq_len(cfg.max_seq_length, model_config)
        if model_config is not None:
            # A local folder needs no hub; without this, libraries (Unsloth among them) probe the network.
            for key in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE"):
                os.environ.setdefault(key, "1")
        em.progress("validating", 1, 1, "step")
        self._check_stop()

        backend = backends.import_first(backends.choose(cfg, self.dev, em), em, explicit=cfg.backend == "unsloth",
                                        cfg=cfg)
        from transformers import set_seed

        from . import trainers

        _bridge_library_logs(em)
        set_seed(cfg.seed)  # before the LoRA weights are initialised, so runs repeat exactly
        em.progress("loading_model", 0, 1, "model")
        # The CPU memory check measures the process's growth from here: the model, the data, the steps.
        self.rss_baseline = rss_bytes()
        self.loaded = backends.load(cfg, model_ref, self.dev, backend, em, model_config)
        em.progress("loading_model", 1, 1, "model")
        if not self.dev.cuda:
            _limit_cpu_threads(self.loaded.model, em)
        self._check_stop()

        train_ds, eval_ds = trainers.build_datasets(cfg, rows, eval_rows, self.loaded.tokenizer, em, self.notes,
                                                    self.lengths)
        self._check_stop()
        self.trainer, self.callback = trainers.build_trainer(cfg, self.loaded, self.dev, train_ds, eval_ds,
                                                             em, self.stop_event)
        if cfg.objective == "dpo":  # DPOTrainer tokenised the pairs while it was built
            em.progress("tokenising", len(train_ds), len(train_ds), "row")
        if cfg.uses_peft:
            targets = backends.peft_targets(cfg.target_modules, model_config)
            self.notes["trainable_params"] = backends.check_trainable(self.trainer.model, cfg.planned_trainable_params,
                                                                      targets)
        if cfg.objective == "dpo":
            self.notes["reference"] = self.trainer.hone_prepare_reference(cfg.out, em)
        self._check_stop()
        if cfg.memory_probe is not None:
            if resume is None:
                from .probe import MemoryProbe

                MemoryProbe(self, self.decisions).run_check()
                eval_ds = self.trainer.eval_dataset  # tokenised again if the check changed max_seq_length
            else:
                em.log("info", "Memory check skipped: a resumed run keeps the settings its checkpoint was "
                       "trained with.")
        self._check_stop()
        self.trainer.train(resume_from_checkpoint=str(resume) if resume else None)
        stopped = self.callback.stopped_at is not None
        self.trainer.hone_flush_tokens()
        if eval_ds is not None and not stopped:
            last = self.callback.evals[-1]["step"] if self.callback.evals else -1
            if last != self.trainer.state.global_step:
                self.trainer.evaluate()
        self._save_outputs(stopped, model_ref, model_config)
        em.emit("done", stopped=stopped, final_step=self.trainer.state.global_step,
                final_loss=self.callback.last_loss, output_dir=cfg.output_dir)
        return EXIT_DONE

    # -- pieces ----------------------------------------------------------------------------------------
    def _resume_path(self, cfg: RunConfig) -> Path | None:
        try:
            cfg.out.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise SidecarError("BAD_CONFIG", f"The output folder {cfg.output_dir} cannot be created: {e.strerror}.",
                               "Choose a folder you can write to.", field="output_dir") from None
        existing = outputs.checkpoints(cfg.checkpoints_dir)
        want = cfg.resume_from_checkpoint
        if want is None:
            if existing:
                raise SidecarError("BAD_CONFIG", f"{cfg.output_dir} already holds checkpoints of an earlier run.",
                                   "Resume it (resume_from_checkpoint: 'latest') or choose an empty output folder.",
                                   field="output_dir")
            return None
        if want == "latest":
            if not existing:
                raise SidecarError("BAD_CONFIG", f"There is no checkpoint to resume in {cfg.checkpoints_dir}.",
                                   "Start a new run instead of resuming.", field="resume_from_checkpoint")
            return existing[-1]
        path = Path(want).expanduser()
        if not (path / "trainer_state.json").is_file():
            raise SidecarError("BAD_CONFIG", f"{path} is not a training checkpoint (no trainer_state.json).",
                               field="resume_from_checkpoint")
        return path

    def _save_outputs(self, stopped: bool, model_ref: str, model_config: dict | None) -> None:
        cfg, em, loaded = self.cfg, self.emitter, self.loaded
        model = self.trainer.model
        artifacts: dict[str, str] = {}
        dtype16 = outputs.sixteen_bit(model_config)
        if cfg.uses_peft:
            adapter = outputs.save_adapter(model, loaded.tokenizer, cfg.out, em)
            artifacts["adapter"] = str(adapter)
            if cfg.merge and not stopped:
                del model
                self._release_model()
                merged = self._merge(model_ref, adapter, dtype16)
                if merged is not None:
                    artifacts["merged"] = str(merged)
        elif not stopped or cfg.merge:
            artifacts["merged"] = str(outputs.save_full(model, loaded.tokenizer, cfg.out, dtype16, em))
        artifacts["summary"] = str(cfg.out / "summary.json")
        outputs.write_summary(cfg.out, _finite(self._summary(stopped, artifacts)), em)

    def _merge(self, model_ref: str, adapter: Path, dtype16: Any) -> Path | None:
        """Plans the merge from the machine's free RAM, disk and VRAM (merge.py) and runs it, or keeps the
        adapter alone and says why. A GPU merge that runs out of memory after all is planned again without
        the GPU."""
        import shutil

        from . import merge

        cfg, em, tokenizer = self.cfg, self.emitter, self.loaded.tokenizer
        base = merge.inspect_base(Path(model_ref)) if Path(model_ref).is_dir() else None

        def plan_for(gpu_free: int | None) -> merge.MergePlan:
            if base is None:  # a hub id, or .bin weights: their size is not known before loading
                return merge.MergePlan("cpu", "the base's size is not known before loading it")
            return merge.plan_merge(base.bytes16, merge.ram_available(), shutil.disk_usage(cfg.out).free, gpu_free,
                                    base.largest_file, merge.shardable(base, adapter))

        plan, retried = plan_for(merge.gpu_free_bytes()), False
        while True:
            self.notes["merge"] = {**plan.as_dict(), **({"after": "the GPU ran out of memory"} if retried else {})}
            if plan.mode == "skip":
                em.log("warning", f"Not merged: {plan.reason}.")
                return None
            where = "shard by shard" if plan.mode == "shards" else f"on the {plan.mode.upper()}"
            em.log("info", f"Merging the adapter {where}: {plan.reason}.")
            if plan.mode == "shards":
                return outputs.save_merged_shards(Path(model_ref), adapter, tokenizer, cfg.out, dtype16, em)
            try:
                return outputs.save_merged_lora(model_ref, adapter, tokenizer, cfg.out, dtype16, em,
                                                on_gpu=plan.mode == "gpu")
            except Exception as e:  # noqa: BLE001 - only a GPU that turned out too small is retried
                if plan.mode != "gpu" or not _is_oom(e):
                    raise
            em.log("warning", "The GPU ran out of memory while merging (another program may hold some of it); "
                   "planning the merge again without it.")
            self._free_training_memory()
            plan, retried = plan_for(None), True

    def _release_model(self) -> None:
        """After the adapter is saved the trained model is not needed: drop every reference the trainer and
        accelerate hold, so the merge gets the GPU (and the RAM) the training used."""
        trainer = self.trainer
        try:
            trainer.accelerator.free_memory()
        except Exception:  # noqa: BLE001 - best effort; the merge plan measures what is actually free
            pass
        for name in ("model", "model_wrapped", "optimizer", "lr_scheduler"):
            if hasattr(trainer, name):
                setattr(trainer, name, None)
        if self.loaded is not None:
            self.loaded.model = None
        self._free_training_memory()

    def _free_training_memory(self) -> None:
        import gc

        import torch

        if self.trainer is not None and getattr(self.trainer, "optimizer", None) is not None:
            self.trainer.optimizer.zero_grad(set_to_none=True)
        gc.collect()
        if torch.cuda.is_available():
            torch.cuda.empty_cache()

    def _summary(self, stopped: bool, artifacts: dict[str, str]) -> dict[str, Any]:
        cfg, cb, state = self.cfg, self.callback, self.trainer.state
        runtime = cb.train_summary.get("train_runtime")
        return {
            "hone_sidecar": __version__,
            "finished_at": now_iso(),
            "wall_seconds": round(time.time() - self.started, 2),
            "stopped": stopped,
            "objective": cfg.objective,
            "method": cfg.method,
            "backend": self.loaded.backend,
            "load_in_4bit": self.loaded.load_in_4bit,
            "device": self.dev.device,
            "model_path": cfg.model_path,
            "final_step": state.global_step,
            "max_steps": state.max_steps,
            "epoch": state.epoch,
            "first_loss": cb.first_loss,
            "final_loss": cb.last_loss,
            "best_eval_loss": min((e["eval_loss"] for e in cb.evals), default=None),
            "tokens_seen": state.num_input_tokens_seen,
            "train_runtime_s": runtime,
            "tokens_per_second": round(state.num_input_tokens_seen / runtime, 2) if runtime else None,
            # Peaks over the training intervals on the training GPU (device.PeakMemory), for comparing with
            # the plan's estimate (config.estimated_vram_gb).
            "peak_allocated_gb": cb.memory.run_peak.get("peak_allocated_gb"),
            "peak_reserved_gb": cb.memory.run_peak.get("peak_reserved_gb"),
            "estimated_vram_gb": cfg.estimated_vram_gb,
            "data": self.notes,
            "artifacts": artifacts,
            "history": cb.history,
            "evals": cb.evals,
            "config": {k: v for k, v in vars(cfg).items() if k not in ("raw", "unknown")},
        }

    def _report_oom(self, e: Exception) -> None:
        figures = memory_figures()
        step = self.trainer.state.global_step if self.trainer is not None else 0
        self._free_training_memory()
        extra: dict[str, Any] = {}
        model = getattr(self.trainer, "model", None) if self.trainer is not None else None
        if model is not None and self.cfg is not None and self.cfg.uses_peft and step > 0:
            try:
                extra["adapter_path"] = str(outputs.save_adapter(self.trainer.model, self.loaded.tokenizer,
                                                                 self.cfg.out, self.emitter))
            except Exception as save_error:  # noqa: BLE001 - report the OOM even if saving fails too
                self.emitter.log("error", f"Could not save the adapter after running out of memory: {save_error}")
        used = figures.get("gpu_mem_peak_gb")
        total = figures.get("gpu_mem_total_gb")
        where = f"at step {step}" if self.trainer is not None else "while loading the model"
        hint = SidecarError("OOM", "x").hint if self.cfg is None else backends.plan_advice(self.cfg)
        if "adapter_path" in extra:
            hint += " The adapter trained so far is kept."
        self.emitter.emit("error", code="OOM", step=step, **figures, **extra,
                          message=f"The GPU ran out of memory {where} (peak {used} GB of {total} GB).",
                          hint=hint, detail=str(e)[:2000])


def _limit_cpu_threads(model: Any, em: Emitter) -> None:
    """HONE_CPU_THREADS sets torch's CPU threads. Without it, models under 20M parameters (the demo size)
    get one thread: their matrices are too small to split, and on a busy machine extra threads mostly
    wait for each other (measured: steadier and faster steps, same losses)."""
    import torch

    wanted = os.environ.get("HONE_CPU_THREADS")
    if wanted and wanted.isdigit() and int(wanted) > 0:
        torch.set_num_threads(int(wanted))
    elif sum(p.numel() for p in model.parameters()) < 20_000_000:
        torch.set_num_threads(1)


def _is_oom(e: BaseException) -> bool:
    import torch

    if isinstance(e, torch.cuda.OutOfMemoryError):
        return True
    text = str(e).lower()
    return "out of memory" in text and ("cuda" in text or "cublas" in text)
