"""TRL trainer set-up shared by both backends: datasets, SFTConfig/DPOConfig, SFTTrainer/DPOTrainer."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import threading
from pathlib import Path
from typing import Any

from datasets import Dataset
from transformers import PrinterCallback
from trl import DPOConfig, DPOTrainer, SFTConfig, SFTTrainer

from .backends import Loaded, bad_targets
from .callbacks import HoneCallback, TokenCounting
from .config import RunConfig
from .data import Rows
from .device import DeviceInfo
from .errors import SidecarError
from .protocol import Emitter
from .tokenise import check_template, describe_lines, tokenise

BNB_OPTIMIZERS = {"adamw_8bit", "adamw_bnb_8bit", "paged_adamw_8bit", "paged_adamw_32bit"}
HOLDOUT_FILE = "eval_holdout.jsonl"

# The TrainingArguments defaults `import unsloth` rewrites in TRL's SFTConfig/DPOConfig (unsloth 2025.11.4,
# models/rl.py: "Edit GA / bsz and weight_decay", plus dataset_num_proc = cpu_count() + 4). common_args passes
# every one of them, so the Unsloth and plain backends train with the same settings.
UNSLOTH_REWRITTEN_DEFAULTS = (
    "logging_nan_inf_filter", "per_device_train_batch_size", "gradient_accumulation_steps", "weight_decay",
    "warmup_ratio", "seed", "optim", "learning_rate", "per_device_eval_batch_size", "eval_accumulation_steps",
    "torch_empty_cache_steps", "logging_steps", "bf16", "fp16", "include_tokens_per_second",
    "include_num_input_tokens_seen", "auto_find_batch_size", "dataloader_pin_memory", "dataset_num_proc",
)
REFERENCE_FILE = "reference_logps.safetensors"
# TRL's dataset.map runs in the sidecar's own process (DPO tokenises its pairs there; SFT rows arrive
# tokenised and are only truncated). datasets 4.3 starts a worker Pool for any integer num_proc, 1 included:
# a fork of a process that holds torch's thread pools, the stdin thread and (on a GPU) a CUDA context, which
# deadlocked here on the CPU (workers stuck in futex_wait), and on Windows a fresh interpreter per worker
# re-importing torch. In-process is None, and Unsloth's config rewrites None to cpu_count() + 4 in its
# __init__, so build_trainer sets it again on the built config (pin_in_process).
DATASET_NUM_PROC = None


def pin_in_process(config: Any) -> Any:
    config.dataset_num_proc = DATASET_NUM_PROC
    return config


class HoneSFTTrainer(TokenCounting, SFTTrainer):
    pass


def _rows_key(dataset: Dataset) -> str:
    """A digest of the tokenised pairs, so stored reference log-probs are only reused for the same rows."""
    h = hashlib.sha256()
    for column in ("prompt_input_ids", "chosen_input_ids", "rejected_input_ids"):
        for row in dataset[column]:
            h.update(repr(row).encode())
    return h.hexdigest()


class HoneDPOTrainer(TokenCounting, DPOTrainer):
    def hone_prepare_reference(self, folder: Path, em: Emitter) -> str | None:
        """Full fine-tuning has no adapter to switch off, so DPO's reference is log-probs precomputed once.
        TRL computes them lazily, when the train and eval loaders are first asked for: after a resume's
        checkpoint weights are loaded, and for eval after training steps. Here both are computed before any
        step from the initial weights (a trainer is built before train() loads a checkpoint), stored in
        output_dir, and a resumed run reuses the stored ones. Returns what was done, or None (LoRA)."""
        if not self.precompute_ref_log_probs:
            return None
        path = folder / REFERENCE_FILE
        keys = {"train": _rows_key(self.train_dataset)}
        if self.eval_dataset is not None:
            keys["eval"] = _rows_key(self.eval_dataset)
        stored = _load_reference(path, keys)
        if stored is not None:
            for part, columns in stored.items():
                dataset = self.train_dataset if part == "train" else self.eval_dataset
                for name, values in columns.items():
                    dataset = dataset.add_column(name=name, column=values)
                if part == "train":
                    self.train_dataset, self._precomputed_train_ref_log_probs = dataset, True
                else:
                    self.eval_dataset, self._precomputed_eval_ref_log_probs = dataset, True
            em.log("info", "Reusing the reference log-probabilities computed from the initial weights.")
            return "reused"
        em.progress("reference", 0, len(keys), "dataset")
        self.get_train_dataloader()  # computes and adds ref_chosen_logps / ref_rejected_logps
        if self.eval_dataset is not None:
            self.get_eval_dataloader()
        em.progress("reference", len(keys), len(keys), "dataset")
        _save_reference(path, keys, self.train_dataset, self.eval_dataset)
        return "computed"


def _save_reference(path: Path, keys: dict[str, str], train: Dataset, evals: Dataset | None) -> None:
    import numpy as np
    from safetensors.numpy import save_file

    tensors = {}
    for part, dataset in (("train", train), ("eval", evals)):
        if dataset is None:
            continue
        for name in ("ref_chosen_logps", "ref_rejected_logps"):
            tensors[f"{part}.{name}"] = np.asarray(dataset[name], dtype=np.float32)
    tmp = path.with_suffix(".tmp")
    save_file(tensors, str(tmp), metadata={f"{k}_rows": v for k, v in keys.items()})
    tmp.replace(path)


def _load_reference(path: Path, keys: dict[str, str]) -> dict[str, dict[str, Any]] | None:
    if not path.is_file():
        return None
    from safetensors import safe_open

    try:
        with safe_open(str(path), framework="numpy") as f:
            meta = f.metadata() or {}
            if meta != {f"{k}_rows": v for k, v in keys.items()}:
                return None
            return {part: {name: f.get_tensor(f"{part}.{name}") for name in ("ref_chosen_logps", "ref_rejected_logps")}
                    for part in keys}
    except Exception:  # noqa: BLE001 - a damaged file is recomputed (the weights it needs are the trainer's)
        return None


def _sft_dataset(cfg: RunConfig, rows: Rows, tokenizer: Any, em: Emitter, label: str, notes: dict,
                 kept: list[dict] | None = None, lengths: dict | None = None) -> Dataset:
    stage = "tokenising" if label == "train" else "tokenising_eval"
    result = tokenise(rows.rows, rows.lines, tokenizer, cfg.max_seq_length, cfg.train_on_responses_only,
                      on_progress=lambda d, t: em.progress(stage, d, t, "row"),
                      field="dataset_path" if label == "train" else "eval_dataset_path")
    if label == "train" and result.mode == "last_reply":
        em.log("info", "The chat template has no {% generation %} markers: training on the last assistant reply "
               "of each conversation (earlier turns are context).")
    if result.truncated:
        em.log("warning", f"{len(result.truncated)} {label} row(s) are longer than max_seq_length "
               f"({cfg.max_seq_length} tokens) and were cut: lines {describe_lines(result.truncated)}.")
    if result.skipped:
        em.log("warning", f"{len(result.skipped)} {label} row(s) have no reply within max_seq_length and are "
               f"left out: lines {describe_lines(result.skipped)}.")
    if not result.examples:
        raise SidecarError("SEQ_TOO_LONG", f"Every {label} row's reply starts after token {cfg.max_seq_length}, "
                           "so there is nothing to learn.", "Raise max_seq_length or shorten the prompts.",
                           field="max_seq_length")
    if lengths is not None:
        lengths[label] = result.lengths
    notes[label] = {"rows": len(rows.rows), "examples": len(result.examples), "tokens": result.tokens,
                    "truncated_lines": result.truncated, "skipped_lines": result.skipped, "loss_on": result.mode}
    if kept is not None:  # the source row of each example, in order (skipped rows have none)
        skipped = set(result.skipped)
        kept.extend(row for row, line in zip(rows.rows, rows.lines) if line not in skipped)
    return Dataset.from_list(result.examples)


def write_holdout(path: Path, rows: list[dict]) -> None:
    """The rows eval_split held out, in the dataset's own normalised form: `hone eval` (and the app's
    evaluation after training) generate from exactly these prompts, which training never saw."""
    tmp = path.with_suffix(".jsonl.tmp")
    tmp.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    tmp.replace(path)


def build_datasets(cfg: RunConfig, rows: Rows, eval_rows: Rows | None, tokenizer: Any, em: Emitter,
                   notes: dict, lengths: dict | None = None) -> tuple[Dataset, Dataset | None]:
    """`lengths`, when given, receives each SFT row's token count before the cut (the memory check's
    consent to cut rows is about those)."""
    kept: list[dict] = []
    if cfg.objective == "sft":
        train = _sft_dataset(cfg, rows, tokenizer, em, "train", notes, kept=kept, lengths=lengths)
        evals = _sft_dataset(cfg, eval_rows, tokenizer, em, "eval", notes, lengths=lengths) if eval_rows else None
    else:  # DPOTrainer applies the chat template and tokenises itself; render once here to name bad rows
        check_template(rows, tokenizer)
        if eval_rows:
            check_template(eval_rows, tokenizer, "eval_dataset_path")
        em.progress("tokenising", 0, len(rows.rows), "row")
        train = Dataset.from_list(rows.rows)
        evals = Dataset.from_list(eval_rows.rows) if eval_rows else None
        notes["train"] = {"rows": len(rows.rows)}
        kept = list(rows.rows)
    if evals is None and cfg.eval_split > 0:
        if len(train) < 2:
            raise SidecarError("BAD_CONFIG", "eval_split needs at least two examples.", field="eval_split")
        # Split the row indices the way train_test_split would split the rows themselves (it only looks at
        # the length and the seed), so the held-out source rows are known and can be written out.
        parts = Dataset.from_dict({"i": list(range(len(train)))}).train_test_split(test_size=cfg.eval_split,
                                                                                 seed=cfg.seed)
        held_out = parts["test"]["i"]
        train, evals = train.select(parts["train"]["i"]), train.select(held_out)
        write_holdout(cfg.out / HOLDOUT_FILE, [kept[i] for i in held_out])
        notes["eval_split"] = {"train": len(train), "eval": len(evals), "file": HOLDOUT_FILE}
    return train, evals


def _optimizer(cfg: RunConfig, dev: DeviceInfo, em: Emitter) -> str:
    name = cfg.optimizer
    if name in BNB_OPTIMIZERS and not (dev.cuda and importlib.util.find_spec("bitsandbytes")):
        em.log("warning", f"Optimizer {name} needs bitsandbytes on CUDA; using adamw_torch.")
        return "adamw_torch"
    return name


def common_args(cfg: RunConfig, dev: DeviceInfo, loaded: Loaded, has_eval: bool, em: Emitter) -> dict[str, Any]:
    """Arguments both backends get, each one explicit (see UNSLOTH_REWRITTEN_DEFAULTS)."""
    # Unsloth wires its own (offloading) gradient checkpointing into the model; TRL must not add a second.
    checkpointing = cfg.gradient_checkpointing and loaded.backend == "plain"
    return dict(
        output_dir=str(cfg.checkpoints_dir),
        per_device_train_batch_size=cfg.batch_size,
        per_device_eval_batch_size=cfg.batch_size,
        gradient_accumulation_steps=cfg.grad_accum,
        learning_rate=cfg.learning_rate,
        lr_scheduler_type=cfg.lr_scheduler,
        warmup_steps=cfg.warmup_steps,  # wins over warmup_ratio when above 0
        warmup_ratio=cfg.warmup_ratio,
        weight_decay=cfg.weight_decay,
        max_grad_norm=1.0,
        max_steps=cfg.max_steps or -1,
        num_train_epochs=cfg.epochs or 1.0,
        seed=cfg.seed,
        data_seed=cfg.seed,
        optim=_optimizer(cfg, dev, em),
        # Explicit: TRL's configs default bf16 to True, which would turn on CPU autocast.
        bf16=dev.cuda and dev.bf16,
        fp16=dev.cuda and not dev.bf16,
        use_cpu=not dev.cuda,
        gradient_checkpointing=checkpointing,
        gradient_checkpointing_kwargs={"use_reentrant": False} if checkpointing else None,
        logging_steps=cfg.logging_steps,
        logging_first_step=True,
        # A NaN or infinite loss must reach the metrics (callbacks.py reports it), not be averaged away.
        logging_nan_inf_filter=False,
        torch_empty_cache_steps=None,
        eval_accumulation_steps=None,
        include_tokens_per_second=False,  # TokenCounting measures it, for every micro-batch
        include_num_input_tokens_seen=False,
        auto_find_batch_size=False,  # the planner chose the batch; halving it silently would hide that
        dataloader_pin_memory=dev.cuda,
        dataset_num_proc=DATASET_NUM_PROC,
        save_strategy="steps",
        save_steps=cfg.save_steps,
        save_total_limit=cfg.save_total_limit,
        save_safetensors=True,
        eval_strategy="steps" if has_eval else "no",
        eval_steps=cfg.eval_steps if has_eval else None,
        report_to="none",
        disable_tqdm=True,
        dataloader_num_workers=0,
    )


def build_trainer(cfg: RunConfig, loaded: Loaded, dev: DeviceInfo, train: Dataset, evals: Dataset | None,
                  em: Emitter, stop_event: threading.Event) -> tuple[Any, HoneCallback]:
    callback = HoneCallback(em, stop_event, cfg.checkpoints_dir)
    args = common_args(cfg, dev, loaded, evals is not None, em)
    kwargs: dict[str, Any] = dict(model=loaded.model, train_dataset=train, eval_dataset=evals,
                                  processing_class=loaded.tokenizer, callbacks=[callback])
    if loaded.peft_config is not None:
        kwargs["peft_config"] = loaded.peft_config
    try:
        if cfg.objective == "sft":
            config = pin_in_process(SFTConfig(**args, max_length=cfg.max_seq_length, packing=False,
                                              completion_only_loss=False, assistant_only_loss=False))
            trainer = HoneSFTTrainer(args=config, **kwargs)
        else:
            config = DPOConfig(**args, beta=cfg.beta, max_length=cfg.max_seq_length,
                               max_prompt_length=cfg.max_prompt_length or cfg.max_seq_length // 2,
                               truncation_mode="keep_end",
                               # Full fine-tuning has no adapter to switch off for the reference, so its
                               # log-probs are computed once up front (hone_prepare_reference) instead of
                               # keeping a second model.
                               precompute_ref_log_probs=not cfg.uses_peft)
            pin_in_process(config)
            trainer = HoneDPOTrainer(args=config, **kwargs)
    except ValueError as e:
        if "target modules" in str(e).lower() or "target_modules" in str(e):
            raise bad_targets(e) from e
        raise
    # Trainer prints every log dict when tqdm is off; the metrics events already carry them.
    trainer.remove_callback(PrinterCallback)
    callback.trainer = trainer
    return trainer, callback
