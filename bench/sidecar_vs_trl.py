#!/usr/bin/env python3
"""Steps per second: Hone's sidecar against a bare TRL SFTTrainer loop, same model, data and settings.

    HONE_PYTHON=/path/to/python python bench/sidecar_vs_trl.py [--steps 150] [--pairs 3] [--threads 1]

Both sides train the tiny Llama on resources/samples/sft-sample.jsonl with the same LoRA, batch,
learning rate, seed, logging and checkpoint settings, each in its own fresh process, alternating
(sidecar, bare, bare, sidecar, ...) so that a busy machine hurts both alike. Speed is max_steps
divided by the Trainer's own train_runtime (the training loop, not imports or model loading).
Prints each run, the medians, and the ratio sidecar/bare. Target: >= 0.98. Every setting is passed to both
explicitly: TRL's own configs default some of them differently (gradient checkpointing on, bf16 on).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sidecar_run import train_with_sidecar  # bench/ is on sys.path when a script here runs

REPO = Path(__file__).resolve().parents[1]
RUNTIME = REPO / "python-runtime"
DATA = REPO / "resources" / "samples" / "sft-sample.jsonl"
PYTHON = os.environ.get("HONE_PYTHON") or sys.executable

SETTINGS = dict(max_seq_length=256, batch_size=8, grad_accum=1, lora_rank=8, lora_alpha=16, lora_dropout=0.0,
                learning_rate=0.005, seed=7, logging_steps=1, optimizer="adamw_torch", gradient_checkpointing=False,
                target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"])


def env(threads: int) -> dict[str, str]:
    e = dict(os.environ, PYTHONPATH=str(RUNTIME), HONE_CPU_THREADS=str(threads), TOKENIZERS_PARALLELISM="false")
    return e


def run_sidecar(model: Path, out: Path, steps: int, threads: int) -> dict:
    config = {"model_path": str(model), "dataset_path": str(DATA), "output_dir": str(out), "objective": "sft",
              "method": "lora", "max_steps": steps, "save_steps": steps, **SETTINGS}
    summary = train_with_sidecar(PYTHON, RUNTIME, env(threads), config, timeout=120)
    return {"runtime": summary["train_runtime_s"], "steps": summary["final_step"], "loss": summary["final_loss"]}


BARE = r'''
import json, sys, torch
from datasets import load_dataset
from peft import LoraConfig
from transformers import AutoModelForCausalLM, AutoTokenizer, set_seed
from trl import SFTConfig, SFTTrainer
model_path, data, out, steps, threads, s = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), json.loads(sys.argv[6])
torch.set_num_threads(threads)
set_seed(s["seed"])
tokenizer = AutoTokenizer.from_pretrained(model_path)
model = AutoModelForCausalLM.from_pretrained(model_path, dtype=torch.float32)
dataset = load_dataset("json", data_files=data, split="train")
args = SFTConfig(output_dir=out, max_steps=steps, save_steps=steps, save_strategy="steps", per_device_train_batch_size=s["batch_size"],
                 gradient_accumulation_steps=s["grad_accum"], learning_rate=s["learning_rate"], seed=s["seed"], data_seed=s["seed"],
                 logging_steps=s["logging_steps"], logging_first_step=True, optim=s["optimizer"], max_length=s["max_seq_length"],
                 assistant_only_loss=True, bf16=False, fp16=False, use_cpu=True, report_to="none", disable_tqdm=True,
                 dataloader_num_workers=0, gradient_checkpointing=s["gradient_checkpointing"])
peft_config = LoraConfig(r=s["lora_rank"], lora_alpha=s["lora_alpha"], lora_dropout=s["lora_dropout"],
                         target_modules=s["target_modules"], bias="none", task_type="CAUSAL_LM")
trainer = SFTTrainer(model=model, args=args, train_dataset=dataset, processing_class=tokenizer, peft_config=peft_config)
result = trainer.train()
losses = [h["loss"] for h in trainer.state.log_history if "loss" in h]
print(json.dumps({"runtime": result.metrics["train_runtime"], "steps": trainer.state.global_step, "loss": losses[-1]}))
'''


def run_bare(model: Path, out: Path, steps: int, threads: int) -> dict:
    res = subprocess.run([PYTHON, "-c", BARE, str(model), str(DATA), str(out), str(steps), str(threads),
                          json.dumps(SETTINGS)], env=env(threads), capture_output=True, text=True, timeout=1800)
    if res.returncode != 0:
        raise SystemExit(f"bare TRL run failed:\n{res.stderr[-3000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=150)
    ap.add_argument("--pairs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="hone-bench-") as tmp_name:
        tmp = Path(tmp_name)
        subprocess.run([PYTHON, "-m", "hone_sidecar.tiny", str(tmp / "tiny")], cwd=RUNTIME, env=env(a.threads),
                       check=True, capture_output=True)
        rates: dict[str, list[float]] = {"sidecar": [], "bare_trl": []}
        print(f"tiny Llama, {a.steps} steps, batch {SETTINGS['batch_size']}, {a.threads} CPU thread(s), "
              f"python {PYTHON}")
        sides = [("sidecar", run_sidecar), ("bare_trl", run_bare)]
        for i in range(a.pairs):
            for name, fn in sides if i % 2 == 0 else sides[::-1]:  # ABBA: neither side always goes first
                started = time.monotonic()
                r = fn(tmp / "tiny", tmp / f"{name}-{i}", a.steps, a.threads)
                rate = r["steps"] / r["runtime"]
                rates[name].append(rate)
                print(f"  {name:9s} run {i + 1}: {rate:7.2f} steps/s  (loop {r['runtime']:.1f}s, process "
                      f"{time.monotonic() - started:.0f}s, final loss {r['loss']:.4f})", flush=True)
        side, bare = statistics.median(rates["sidecar"]), statistics.median(rates["bare_trl"])
        print(f"median steps/s: sidecar {side:.2f}, bare TRL {bare:.2f}")
        print(f"ratio sidecar/bare = {side / bare:.3f}  (target >= 0.98)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
