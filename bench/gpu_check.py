#!/usr/bin/env python3
"""The measuring half of bench/gpu-check (run that script, not this file, on a GPU machine).

Builds a random-weight Llama of about 140M parameters and a long multi-turn chat dataset locally, then
trains it through the real sidecar: QLoRA and LoRA, through Unsloth and through plain transformers + PEFT,
a fixed number of steps each, one fresh process per run. Prints tokens/s, peak VRAM
(torch.cuda.max_memory_reserved inside the sidecar) and the planner's estimate for the same settings,
then provokes an out-of-memory run to check it is reported as OOM. Prints a Markdown table at the end.

    python bench/gpu_check.py [--steps 20] [--budget-s 420] [--cpu-smoke]

--cpu-smoke checks the script itself on a machine without a GPU (tiny sizes, plain path only).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RUNTIME = REPO / "python-runtime"
sys.path.insert(0, str(RUNTIME))

# ~140M parameters: 12 layers of 1024 wide (GQA 16/4 heads, head_dim 64), MLP 2816, untied head.
GPU_DIMS = dict(hidden_size=1024, intermediate_size=2816, num_hidden_layers=12, num_attention_heads=16,
                num_key_value_heads=4, max_position_embeddings=4096)
SMOKE_DIMS = dict(hidden_size=64, intermediate_size=192, num_hidden_layers=2, num_attention_heads=4,
                  num_key_value_heads=2, max_position_embeddings=1024)
SEQ, BATCH, RANK = 512, 4, 16


def build_model(out: Path, dims: dict) -> int:
    import torch
    from transformers import GenerationConfig, LlamaConfig, LlamaForCausalLM

    from hone_sidecar.tiny import SPECIAL_TOKENS, sample_texts, train_tokenizer

    tokenizer = train_tokenizer(sample_texts(None))
    ids = {t: tokenizer.convert_tokens_to_ids(t) for t in SPECIAL_TOKENS}
    config = LlamaConfig(vocab_size=len(tokenizer), tie_word_embeddings=False, bos_token_id=ids["<|endoftext|>"],
                         eos_token_id=ids["<|im_end|>"], pad_token_id=ids["<|endoftext|>"], torch_dtype="bfloat16",
                         **dims)
    torch.manual_seed(0)
    model = LlamaForCausalLM(config).to(torch.bfloat16)
    model.generation_config = GenerationConfig(eos_token_id=config.eos_token_id, pad_token_id=config.pad_token_id)
    model.save_pretrained(out, safe_serialization=True)
    tokenizer.save_pretrained(out, save_jinja_files=False)
    return sum(p.numel() for p in model.parameters())


def build_dataset(out: Path, rows: int, turns: int, long_every: int = 0, long_factor: int = 1) -> Path:
    """Multi-turn chats of `turns` Q&A pairs from the sample tasks (about 30 tokens per pair)."""
    from hone_sidecar.samples_gen import TASKS

    rng = random.Random(0)
    with out.open("w", encoding="utf-8") as f:
        for i in range(rows):
            n = turns * long_factor if long_every and i % long_every == long_every - 1 else turns
            messages = []
            for _ in range(n):
                q, a, _ = rng.choice(TASKS)(rng)
                messages += [{"role": "user", "content": q}, {"role": "assistant", "content": a}]
            f.write(json.dumps({"messages": messages}) + "\n")
    return out


def sidecar(config: dict, timeout: float, env: dict) -> dict:
    """Runs one training; returns the events, exit code and summary (when written)."""
    proc = subprocess.Popen([sys.executable, "-m", "hone_sidecar"], cwd=RUNTIME, env=env, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdin.write(json.dumps({"cmd": "start", "config": config}) + "\n")
    proc.stdin.flush()
    events: list[dict] = []
    started = time.monotonic()
    watchdog = threading.Timer(timeout, proc.kill)  # a hung run must not eat the whole time budget
    watchdog.start()
    try:
        for line in proc.stdout:
            events.append(json.loads(line))
            if events[-1]["type"] in ("done", "error"):
                break
    finally:
        watchdog.cancel()
        proc.stdin.close()
        try:
            code = proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = proc.wait()
    summary_path = Path(config["output_dir"]) / "summary.json"
    summary = json.loads(summary_path.read_text()) if summary_path.is_file() else {}
    stderr_tail = proc.stderr.read()[-1500:] if proc.stderr else ""
    return {"events": events, "code": code, "summary": summary, "wall": time.monotonic() - started,
            "stderr": stderr_tail}


def planner_estimate(model_dir: Path, method: str, vram_gb: float) -> str:
    node = shutil.which("node")
    if not node or not (REPO / "node_modules" / "tsx").is_dir():
        return "n/a (node or node_modules not found)"
    cmd = [node, "electron/cli/bin.mjs", "plan", "--model", str(model_dir), "--vram-gb", f"{vram_gb:.0f}",
           "--seq-len", str(SEQ), "--method", method, "--batch", str(BATCH), "--grad-accum", "1", "--rank",
           str(RANK), "--json"]
    try:
        res = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=90)
        plan = json.loads(res.stdout)
        return f"{plan['estimated_vram_gb']:.2f} GB"
    except Exception as e:  # noqa: BLE001 - a planner problem must not hide the measurements
        return f"n/a ({type(e).__name__}: {str(e)[:80]})"


def describe(run: dict) -> dict:
    events, summary = run["events"], run["summary"]
    ready = next((e for e in events if e["type"] == "ready"), {})
    error = next((e for e in events if e["type"] == "error"), None)
    metrics = [e for e in events if e["type"] == "metrics"]
    rates = [m["tokens_per_second"] for m in metrics[2:] if "tokens_per_second" in m]  # after warm-up
    return {
        "backend": summary.get("backend") or ready.get("backend", "?"),
        "status": f"error {error['code']}: {error['message'][:90]}" if error else
                  ("ok" if run["code"] == 0 else f"exit {run['code']}"),
        "tokens_per_s": round(sorted(rates)[len(rates) // 2]) if rates else None,
        "peak_gb": summary.get("peak_gpu_mem_gb"),
        "loss": (summary.get("first_loss"), summary.get("final_loss")),
        "wall": round(run["wall"]),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--budget-s", type=float, default=420, help="stop starting runs after this many seconds")
    ap.add_argument("--cpu-smoke", action="store_true")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    a = ap.parse_args()
    t0 = time.monotonic()
    import torch

    cuda = torch.cuda.is_available()
    if not cuda and not a.cpu_smoke:
        print("FAIL: PyTorch sees no CUDA device (check nvidia-smi and that the CUDA torch wheel is installed).")
        return 1
    total_gb = torch.cuda.get_device_properties(0).total_memory / 1024**3 if cuda else 0.0
    name = torch.cuda.get_device_name(0) if cuda else "cpu (smoke test)"
    work = Path(tempfile.mkdtemp(prefix="hone-gpu-check-"))
    env = dict(os.environ, PYTHONPATH=str(RUNTIME), HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1",
               HF_DATASETS_OFFLINE="1", TOKENIZERS_PARALLELISM="false")
    try:
        dims = SMOKE_DIMS if a.cpu_smoke else GPU_DIMS
        params = build_model(work / "model", dims)
        data = build_dataset(work / "chat.jsonl", rows=400, turns=12 if not a.cpu_smoke else 2)
        print(f"# Hone GPU check: {name}, {total_gb:.1f} GB; torch {torch.__version__}; "
              f"model {params / 1e6:.0f}M params, seq {SEQ}, batch {BATCH}, rank {RANK}, {a.steps} steps "
              f"(model built in {time.monotonic() - t0:.0f}s)", flush=True)
        plan = [("unsloth", "qlora"), ("unsloth", "lora"), ("plain", "qlora"), ("plain", "lora")]
        if a.cpu_smoke:
            plan = [("plain", "lora")]
        rows = []
        for backend, method in plan:
            if time.monotonic() - t0 > a.budget_s:
                rows.append((backend, method, {"status": "skipped (time budget)"}, ""))
                continue
            config = {"model_path": str(work / "model"), "dataset_path": str(data),
                      "output_dir": str(work / f"{backend}-{method}"), "objective": "sft", "method": method,
                      "backend": backend, "max_seq_length": SEQ, "batch_size": BATCH, "grad_accum": 1,
                      "lora_rank": RANK, "lora_alpha": RANK, "gradient_checkpointing": True,
                      "optimizer": "adamw_8bit", "learning_rate": 2e-4, "max_steps": a.steps,
                      "save_steps": 10**6, "logging_steps": 1, "seed": 1}
            result = describe(sidecar(config, timeout=180, env=env))
            estimate = planner_estimate(work / "model", method, total_gb) if cuda else "n/a (cpu)"
            rows.append((backend, method, result, estimate))
            print(f"  {backend:8s} {method:6s} {result}  planner: {estimate}", flush=True)
        oom = oom_probe(work, data, env, a) if time.monotonic() - t0 < a.budget_s + 60 else "skipped (time budget)"
        print("\n| path | method | ran as | status | tokens/s | peak VRAM (max_memory_reserved) | planner estimate "
              "| loss first -> last | wall s |")
        print("|---|---|---|---|---|---|---|---|---|")
        for backend, method, r, estimate in rows:
            loss = r.get("loss") or (None, None)
            loss_text = f"{loss[0]:.3f} -> {loss[1]:.3f}" if None not in loss else "-"
            peak = f"{r['peak_gb']:.2f} GB" if r.get("peak_gb") is not None else "-"
            print(f"| {backend} | {method} | {r.get('backend', '-')} | {r['status']} | {r.get('tokens_per_s') or '-'} "
                  f"| {peak} | {estimate or '-'} | {loss_text} | {r.get('wall', '-')} |")
        print(f"\nOOM probe: {oom}")
        print(f"total {time.monotonic() - t0:.0f}s")
    finally:
        if a.keep:
            print(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


def oom_probe(work: Path, data: Path, env: dict, a) -> str:
    """A batch far beyond the card (mostly short rows, a few very long ones, no gradient checkpointing):
    the sidecar must report OOM with the step and memory figures, exit 2, and keep any adapter it had."""
    # 2000 rows of ~120 tokens and 6 of ~3800: a batch of 96 short rows needs ~6 GB of activations, one
    # that holds a long row is padded to ~3800 tokens and needs ~190 GB, more than an H200 has. About three
    # batches in four hold no long row, so the OOM usually comes a few steps in, after an adapter exists.
    long_data = build_dataset(work / "oom.jsonl", rows=2000 if not a.cpu_smoke else 20, turns=4, long_every=333,
                              long_factor=32)
    config = {"model_path": str(work / "model"), "dataset_path": str(long_data), "output_dir": str(work / "oom"),
              "objective": "sft", "method": "lora", "backend": "plain", "max_seq_length": 4096 if not a.cpu_smoke
              else 1024, "batch_size": 96 if not a.cpu_smoke else 2, "grad_accum": 1, "lora_rank": RANK,
              "gradient_checkpointing": False, "max_steps": 40 if not a.cpu_smoke else 3, "save_steps": 10**6,
              "logging_steps": 1}
    run = sidecar(config, timeout=240, env=env)
    error = next((e for e in run["events"] if e["type"] == "error"), None)
    if a.cpu_smoke:
        return f"cpu smoke: exit {run['code']}, error={error and error['code']}"
    if not error or error["code"] != "OOM":
        return f"FAIL: no OOM error (exit {run['code']}, last events {run['events'][-2:]}, stderr {run['stderr'][-300:]})"
    adapter = error.get("adapter_path")
    kept = "adapter kept at " + adapter if adapter and Path(adapter, "adapter_model.safetensors").is_file() else \
        "no adapter (OOM at the first step)" if error.get("step", 0) == 0 else "FAIL: adapter missing"
    return (f"{'PASS' if run['code'] == 2 else 'FAIL'}: OOM at step {error.get('step')}, peak "
            f"{error.get('gpu_mem_peak_gb')} of {error.get('gpu_mem_total_gb')} GB, exit {run['code']}; {kept}")


if __name__ == "__main__":
    sys.exit(main())
