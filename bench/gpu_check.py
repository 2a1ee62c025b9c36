#!/usr/bin/env python3
"""The measuring half of bench/gpu-check (run that script, not this file, on a GPU machine).

Builds a random-weight Llama of about 140M parameters and a long multi-turn chat dataset locally, then
trains it through the real sidecar: QLoRA and LoRA, through Unsloth and through plain transformers + PEFT,
a fixed number of steps each, one fresh process per run. Per configuration it prints tokens/s, the planner's
VRAM estimate against the measured peak (peak_reserved_gb, reset per logging interval inside the sidecar),
MFU (achieved model FLOP/s over the card's dense bf16 peak), and Unsloth against plain as ratios; then the
memory check that opens every GPU run (issue #16): its probe's peak against the training's, its cost, the run's
losses against an unchecked one, and a shrink from 4x the batch; then it provokes an out-of-memory run to check
it is reported as OOM. A Markdown table and a JSON file at the end.

    python bench/gpu_check.py [--steps 30] [--budget-s 420] [--plans .whl/gpu-plans.json] [--cpu-smoke]
    python bench/gpu_check.py --print-arch          # the bench model's shape, for bench/gpu-plans.ts
    python bench/gpu_check.py --slim-wheel WHEEL --cuda 130   # keep one CUDA build in bitsandbytes' wheel

--cpu-smoke checks the script itself on a machine without a GPU (tiny sizes, plain path only).
"""

from __future__ import annotations

import argparse
import base64
import collections
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
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
# Dense bf16 tensor-core peaks (vendor datasheets, without sparsity), by a substring of torch's device name.
PEAK_BF16_TFLOPS = [("H200", 989.4), ("H100 PCIe", 756.0), ("H100", 989.4), ("A100", 312.0), ("L40S", 362.1),
                    ("L40", 181.0), ("L4", 121.0), ("A10", 125.0), ("RTX 6000 Ada", 364.2), ("RTX 4090", 165.2),
                    ("RTX 4080", 97.5), ("RTX 3090", 71.0), ("A6000", 154.8), ("V100", 125.0), ("T4", 65.0)]
CONFIGS = [("unsloth", "qlora"), ("plain", "qlora"), ("unsloth", "lora"), ("plain", "lora")]


# -- the bench model -------------------------------------------------------------------------------------------------
def _config(dims: dict):
    from transformers import LlamaConfig

    from hone_sidecar.tiny import SPECIAL_TOKENS, sample_texts, train_tokenizer

    tokenizer = train_tokenizer(sample_texts(None))
    ids = {t: tokenizer.convert_tokens_to_ids(t) for t in SPECIAL_TOKENS}
    config = LlamaConfig(vocab_size=len(tokenizer), tie_word_embeddings=False, bos_token_id=ids["<|endoftext|>"],
                         eos_token_id=ids["<|im_end|>"], pad_token_id=ids["<|endoftext|>"], torch_dtype="bfloat16",
                         **dims)
    return config, tokenizer


def build_model(out: Path, dims: dict) -> int:
    import torch
    from transformers import GenerationConfig, LlamaForCausalLM

    config, tokenizer = _config(dims)
    torch.manual_seed(0)
    model = LlamaForCausalLM(config).to(torch.bfloat16)
    model.generation_config = GenerationConfig(eos_token_id=config.eos_token_id, pad_token_id=config.pad_token_id)
    model.save_pretrained(out, safe_serialization=True)
    tokenizer.save_pretrained(out, save_jinja_files=False)
    return sum(p.numel() for p in model.parameters())


def arch_json(dims: dict) -> dict:
    """The model's shape in the planner's terms (electron/shared/types/model.ts ModelArchitecture)."""
    import torch
    from transformers import LlamaForCausalLM

    config, _ = _config(dims)
    with torch.device("meta"):
        params = sum(p.numel() for p in LlamaForCausalLM(config).parameters())
    return {"paramsB": params / 1e9, "layers": dims["num_hidden_layers"], "hiddenSize": dims["hidden_size"],
            "heads": dims["num_attention_heads"], "kvHeads": dims["num_key_value_heads"],
            "intermediateSize": dims["intermediate_size"], "vocabSize": config.vocab_size,
            "maxPositionEmbeddings": dims["max_position_embeddings"], "architecture": "LlamaForCausalLM",
            "tieWordEmbeddings": False, "seq": SEQ, "batch": BATCH, "rank": RANK}


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


# -- one sidecar run -------------------------------------------------------------------------------------------------
def sidecar(config: dict, timeout: float, env: dict, answer=None) -> dict:
    """Runs one training; returns the events, exit code, summary (when written) and stderr's tail. stderr
    is drained on a thread while the run goes: a full pipe would otherwise stall the child. `answer(event)`
    plays the app's part in the memory check: the probe_decision to send for a memory_probe event."""
    proc = subprocess.Popen([sys.executable, "-m", "hone_sidecar"], cwd=RUNTIME, env=env, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    tail: collections.deque[str] = collections.deque(maxlen=60)
    drain = threading.Thread(target=lambda: tail.extend(proc.stderr), daemon=True)
    drain.start()
    proc.stdin.write(json.dumps({"cmd": "start", "config": config}) + "\n")
    proc.stdin.flush()
    events: list[dict] = []
    started = time.monotonic()
    watchdog = threading.Timer(timeout, proc.kill)  # a hung run must not eat the whole time budget
    watchdog.start()
    try:
        for line in proc.stdout:
            try:
                events.append(json.loads(line))
            except json.JSONDecodeError:
                continue
            if answer is not None and events[-1]["type"] == "memory_probe":
                proc.stdin.write(json.dumps({"cmd": "probe_decision", **answer(events[-1])}) + "\n")
                proc.stdin.flush()
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
        drain.join(5)
    summary_path = Path(config["output_dir"]) / "summary.json"
    summary = json.loads(summary_path.read_text()) if summary_path.is_file() else {}
    return {"events": events, "code": code, "summary": summary, "wall": time.monotonic() - started,
            "stderr": "".join(tail)[-3000:]}


# -- figures ---------------------------------------------------------------------------------------------------------
def train_flops_per_token(arch: dict, method: str, seq_mean: float) -> float:
    """Model FLOPs per trained token (no recompute counted, so gradient checkpointing does not inflate it).
    Matmuls: 2 FLOPs per weight forward; backward computes activation gradients (2 more) and, only for full
    fine-tuning, weight gradients (2 more): LoRA/QLoRA train a frozen base, 4 per weight, full 6. Attention
    scores and values (causal): 2 * layers * seq * q_width forward, 3x that with the backward."""
    h, i, layers, v = arch["hiddenSize"], arch["intermediateSize"], arch["layers"], arch["vocabSize"]
    hd = h // arch["heads"]
    q, kv = arch["heads"] * hd, arch["kvHeads"] * hd
    matmul_weights = layers * (h * q + 2 * h * kv + q * h + 3 * h * i) + h * v
    per_weight = 6 if method == "full" else 4
    attention = 3 * 2 * layers * seq_mean * q
    return per_weight * matmul_weights + attention


def peak_tflops(name: str, override: float | None) -> tuple[float | None, str]:
    if override:
        return override, "given"
    for key, value in PEAK_BF16_TFLOPS:
        if key in name:
            return value, f"{key} datasheet, dense bf16"
    return None, "unknown card (pass --peak-tflops)"


def describe(run: dict) -> dict:
    events, summary = run["events"], run["summary"]
    ready = next((e for e in events if e["type"] == "ready"), {})
    error = next((e for e in events if e["type"] == "error"), None)
    metrics = [e for e in events if e["type"] == "metrics"]
    rates = [m["tokens_per_second"] for m in metrics[3:] if "tokens_per_second" in m]  # after warm-up
    warnings = [e["message"] for e in events if e["type"] == "log" and e.get("level") == "warning"]
    return {
        "backend": summary.get("backend") or ready.get("backend", "?"),
        "status": f"error {error['code']}: {error['message'][:120]}" if error else
                  ("ok" if run["code"] == 0 else f"exit {run['code']}"),
        "tokens_per_s": round(sorted(rates)[len(rates) // 2]) if rates else None,
        "peak_reserved_gb": summary.get("peak_reserved_gb"),
        "peak_allocated_gb": summary.get("peak_allocated_gb"),
        "loss": (summary.get("first_loss"), summary.get("final_loss")),
        "seq_mean": (summary.get("tokens_seen") or 0) / max(1, (summary.get("final_step") or 1) * BATCH),
        "wall": round(run["wall"]),
        "losses": [m["loss"] for m in metrics if "loss" in m],
        "warnings": warnings[:3],
        "stderr_tail": run["stderr"][-800:] if error or run["code"] != 0 else "",
    }


def ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}x" if a and b else "-"


# -- wheels ----------------------------------------------------------------------------------------------------------
def slim_wheel(wheel: Path, cuda: str) -> Path:
    """bitsandbytes ships one 18 MB library per CUDA version (~60 MB compressed); the GPU machine needs the
    one for its torch's CUDA. Rewrites the wheel in place with that one (and the CPU one), RECORD updated."""
    keep = re.compile(rf"libbitsandbytes_(cuda{cuda}|cpu)\.so$")
    out = wheel.with_suffix(".slim")
    with zipfile.ZipFile(wheel) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        names = [n for n in src.namelist()
                 if not (n.endswith(".so") and "libbitsandbytes_" in n and not keep.search(n))]
        record_name = next(n for n in names if n.endswith(".dist-info/RECORD"))
        records = []
        for name in names:
            if name == record_name:
                continue
            data = src.read(name)
            dst.writestr(src.getinfo(name), data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            records.append(f"{name},sha256={digest},{len(data)}")
        records.append(f"{record_name},,")
        dst.writestr(record_name, "\n".join(records) + "\n")
        kept = [n for n in names if "libbitsandbytes_" in n]
    if not any(f"cuda{cuda}" in n for n in kept):
        out.unlink()
        raise SystemExit(f"{wheel.name} has no libbitsandbytes_cuda{cuda}.so")
    out.replace(wheel)
    return wheel


# -- the check -------------------------------------------------------------------------------------------------------
def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--budget-s", type=float, default=420, help="stop starting runs after this many seconds")
    ap.add_argument("--plans", type=Path, default=REPO / ".whl" / "gpu-plans.json",
                    help="the planner's estimates (bench/gpu-plans.ts, written by gpu-check --prepare)")
    ap.add_argument("--peak-tflops", type=float, default=None, help="the card's dense bf16 peak, for MFU")
    ap.add_argument("--out", type=Path, default=Path(os.environ["OUT"]) if os.environ.get("OUT") else None,
                    help="also write gpu-check.json and gpu-check.md here (default: $OUT when set)")
    ap.add_argument("--cpu-smoke", action="store_true")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    ap.add_argument("--print-arch", action="store_true")
    ap.add_argument("--slim-wheel", type=Path)
    ap.add_argument("--cuda", default="130")
    a = ap.parse_args()
    if a.print_arch:
        print(json.dumps(arch_json(SMOKE_DIMS if a.cpu_smoke else GPU_DIMS), indent=2))
        return 0
    if a.slim_wheel:
        print(slim_wheel(a.slim_wheel, a.cuda))
        return 0
    t0 = time.monotonic()
    import torch

    cuda = torch.cuda.is_available()
    if not cuda and not a.cpu_smoke:
        print("FAIL: PyTorch sees no CUDA device (check nvidia-smi and that the CUDA torch wheel is installed).")
        return 1
    total_gb = torch.cuda.get_device_properties(0).total_memory / 1024**3 if cuda else 0.0
    name = torch.cuda.get_device_name(0) if cuda else "cpu (smoke test)"
    peak, peak_source = peak_tflops(name, a.peak_tflops)
    plans = json.loads(a.plans.read_text())["plans"] if a.plans.is_file() else {}
    dims = SMOKE_DIMS if a.cpu_smoke else GPU_DIMS
    arch = arch_json(dims)
    work = Path(tempfile.mkdtemp(prefix="hone-gpu-check-"))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(RUNTIME), os.environ.get("PYTHONPATH")])),
               HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", HF_DATASETS_OFFLINE="1", TOKENIZERS_PARALLELISM="false")
    results: dict = {"device": name, "total_gb": round(total_gb, 1), "torch": torch.__version__, "steps": a.steps,
                     "seq": SEQ, "batch": BATCH, "rank": RANK, "peak_tflops": peak, "peak_source": peak_source,
                     "runs": {}}
    try:
        params = build_model(work / "model", dims)
        data = build_dataset(work / "chat.jsonl", rows=400, turns=12 if not a.cpu_smoke else 2)
        results["params_m"] = round(params / 1e6, 1)
        print(f"# Hone GPU check: {name}, {total_gb:.1f} GB; torch {torch.__version__}; model {params / 1e6:.0f}M "
              f"params, seq {SEQ}, batch {BATCH}, rank {RANK}, {a.steps} steps; MFU against {peak} TFLOP/s "
              f"({peak_source}) (model built in {time.monotonic() - t0:.0f}s)", flush=True)
        configs = [("plain", "lora")] if a.cpu_smoke else CONFIGS
        for backend, method in configs:
            key = f"{backend}-{method}"
            if time.monotonic() - t0 > a.budget_s:
                results["runs"][key] = {"status": "skipped (time budget)"}
                continue
            config = {"model_path": str(work / "model"), "dataset_path": str(data),
                      "output_dir": str(work / key), "objective": "sft", "method": method,
                      "backend": backend, "max_seq_length": SEQ, "batch_size": BATCH, "grad_accum": 1,
                      "lora_rank": RANK, "lora_alpha": RANK, "gradient_checkpointing": True,
                      "optimizer": "adamw_8bit", "learning_rate": 2e-4, "max_steps": a.steps,
                      "save_steps": 10**6, "logging_steps": 1, "seed": 1}
            r = describe(sidecar(config, timeout=180, env=env))
            plan = plans.get(key, {})
            r["planned_gb"] = plan.get("estimated_vram_gb")
            r["planned_without_context_gb"] = plan.get("without_cuda_context_gb")
            if r["tokens_per_s"] and peak:
                achieved = r["tokens_per_s"] * train_flops_per_token(arch, method, r["seq_mean"] or SEQ)
                r["mfu"] = round(achieved / (peak * 1e12), 4)
            results["runs"][key] = r
            print(f"  {key:14s} {r['status']}; {r['tokens_per_s'] or '-'} tokens/s; planned "
                  f"{_gb(r['planned_gb'])} vs measured peak {_gb(r['peak_reserved_gb'])} (reserved); "
                  f"MFU {_pct(r.get('mfu'))}; {r['wall']} s", flush=True)
            for w in r["warnings"]:
                print(f"      warning: {w[:200]}", flush=True)
            if r["stderr_tail"]:
                print("      stderr: " + r["stderr_tail"].replace("\n", "\n      "), flush=True)
        results["memory_check"] = memory_check(work, data, env, a, results["runs"]) \
            if time.monotonic() - t0 < a.budget_s + 30 else "skipped (time budget)"
        print(f"  memory check: {results['memory_check']}", flush=True)
        results["oom_probe"] = oom_probe(work, data, env, a) if time.monotonic() - t0 < a.budget_s + 60 \
            else "skipped (time budget)"
        results["total_s"] = round(time.monotonic() - t0)
        report = table(results)
        print("\n" + report, flush=True)
        if a.out:
            a.out.mkdir(parents=True, exist_ok=True)
            (a.out / "gpu-check.json").write_text(json.dumps(results, indent=2))
            (a.out / "gpu-check.md").write_text(report + "\n")
    finally:
        if a.keep:
            print(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


def _gb(v: float | None) -> str:
    return f"{v:.2f} GB" if isinstance(v, (int, float)) else "-"


def _pct(v: float | None) -> str:
    return f"{100 * v:.1f}%" if isinstance(v, (int, float)) else "-"


def table(results: dict) -> str:
    runs = results["runs"]
    lines = [f"Hone GPU check on {results['device']} ({results['total_gb']} GB), torch {results['torch']}, "
             f"{results.get('params_m', '?')}M-parameter Llama, seq {results['seq']} x batch {results['batch']}, "
             f"rank {results['rank']}, {results['steps']} steps; MFU against {results['peak_tflops']} TFLOP/s "
             f"({results['peak_source']}).", "",
             "| path | method | ran as | status | tokens/s | MFU | planned VRAM | measured peak (reserved / allocated) "
             "| measured / planned* | loss first -> last | wall s |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for key, r in runs.items():
        backend, method = key.split("-")
        loss = r.get("loss") or (None, None)
        loss_text = f"{loss[0]:.3f} -> {loss[1]:.3f}" if None not in loss else "-"
        measured = ratio(r.get("peak_reserved_gb"), r.get("planned_without_context_gb"))
        lines.append(f"| {backend} | {method} | {r.get('backend', '-')} | {r['status']} "
                     f"| {r.get('tokens_per_s') or '-'} "
                     f"| {_pct(r.get('mfu'))} | {_gb(r.get('planned_gb'))} | {_gb(r.get('peak_reserved_gb'))} / "
                     f"{_gb(r.get('peak_allocated_gb'))} | {measured} | {loss_text} | {r.get('wall', '-')} |")
    lines += ["", "*against the estimate without the CUDA context, which torch's reserved memory does not include.", "",
              "| method | Unsloth / plain tokens/s | Unsloth / plain peak VRAM |", "|---|---|---|"]
    for method in ("qlora", "lora"):
        u, p = runs.get(f"unsloth-{method}", {}), runs.get(f"plain-{method}", {})
        lines.append(f"| {method} | {ratio(u.get('tokens_per_s'), p.get('tokens_per_s'))} "
                     f"| {ratio(u.get('peak_reserved_gb'), p.get('peak_reserved_gb'))} |")
    lines += ["", f"Memory check (issue #16): {results.get('memory_check')}", "",
              f"OOM probe: {results.get('oom_probe')}", f"total {results.get('total_s')} s"]
    return "\n".join(lines)


def memory_check(work: Path, data: Path, env: dict, a, runs: dict) -> str:
    """The memory check on CUDA (issue #16), in two runs:
    1. the first configuration again with the check on (10 steps at most), accepted as planned: the probe's peak
       (2 steps on the longest rows, torch's peak reserved) against the training's own peak, the check's seconds,
       and the losses against the same run without the check (identical up to CUDA's non-determinism);
    2. batch 4x the bench's, shrunk by the check to the bench's batch with 4x accumulation: the second probe must
       measure less than the first, and the training peak must match the second probe.
    This script stands in for the app's host and scripts the decisions; the app's own rules are the planner's
    (electron/core/planner/probe-decision.ts), unit-tested without a GPU."""
    backend, method = ("plain", "lora") if a.cpu_smoke else CONFIGS[0]
    base = {"model_path": str(work / "model"), "dataset_path": str(data), "objective": "sft", "method": method,
            "backend": backend, "max_seq_length": SEQ, "lora_rank": RANK, "lora_alpha": RANK,
            "gradient_checkpointing": True, "optimizer": "adamw_8bit", "learning_rate": 2e-4, "save_steps": 10**6,
            "logging_steps": 1, "seed": 1, "memory_probe": {}}
    accept = lambda e: {"action": "accept", "batch_size": e["batch_size"], "grad_accum": e["grad_accum"],  # noqa: E731
                        "max_seq_length": e["max_seq_length"], "message": "bench: accepted"}
    same = sidecar({**base, "output_dir": str(work / "check-same"), "batch_size": BATCH, "grad_accum": 1,
                    "max_steps": min(a.steps, 10)}, timeout=180, env=env, answer=accept)
    probe = next((e for e in same["events"] if e["type"] == "memory_probe"), None)
    r = describe(same)
    if probe is None or r["status"] != "ok":
        return f"FAIL: check run {r['status']}; stderr {r['stderr_tail'][-300:]}"
    reference = runs.get(f"{backend}-{method}", {}).get("losses") or []
    diff = max((abs(x - y) for x, y in zip(r["losses"], reference)), default=None)
    compared = f"max |loss - unchecked run's| {diff:.2e}" if diff is not None else "no unchecked run to compare"
    kind = "reserved" if probe["measure"] == "cuda" else "RSS growth"
    out = [f"{backend}-{method} at batch {BATCH}: probe {probe['peak_gb']} GB {kind} ({probe['tokens']} tokens/row, "
           f"{probe['seconds']} s) vs training peak {_gb(r['peak_reserved_gb'])} "
           f"(probe/training {ratio(probe['peak_gb'], r['peak_reserved_gb'])}); {compared}"]
    script = [{"action": "retry", "batch_size": BATCH, "grad_accum": 4, "max_seq_length": SEQ,
               "message": "bench: shrink"}]
    shrink = sidecar({**base, "output_dir": str(work / "check-shrink"), "batch_size": 4 * BATCH, "grad_accum": 1,
                      "max_steps": 3}, timeout=180, env=env,
                     answer=lambda e: script.pop(0) if script else accept(e))
    probes = [e for e in shrink["events"] if e["type"] == "memory_probe"]
    s = describe(shrink)
    if len(probes) != 2 or s["status"] != "ok":
        return "; ".join(out + [f"FAIL: shrink run {s['status']} with {len(probes)} probes"])
    verdict = "PASS" if probes[1]["peak_gb"] < probes[0]["peak_gb"] else "FAIL (the smaller batch measured more)"
    oom = " (OOM)" if probes[0].get("oom") else ""
    out.append(f"{verdict}: batch {4 * BATCH} probe {probes[0]['peak_gb']} GB{oom}, "
               f"batch {BATCH} x 4 probe {probes[1]['peak_gb']} GB, its training peak {_gb(s['peak_reserved_gb'])}")
    return "; ".join(out)


def oom_probe(work: Path, data: Path, env: dict, a) -> str:
    """A batch far beyond the card (mostly short rows, a few very long ones, no gradient checkpointing):
    the sidecar must report OOM with the step and memory figures, exit 2, and keep any adapter it had."""
    # 2000 rows of ~120 tokens and 6 of ~3800: a batch of 96 short rows needs ~6 GB of activations, one
    # that holds a long row is padded to ~3800 tokens and needs ~170 GB, more than an H200 has. About three
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
        return (f"FAIL: no OOM error (exit {run['code']}, last events {run['events'][-2:]}, "
                f"stderr {run['stderr'][-300:]})")
    adapter = error.get("adapter_path")
    kept = "adapter kept at " + adapter if adapter and Path(adapter, "adapter_model.safetensors").is_file() else \
        "no adapter (OOM at the first step)" if error.get("step", 0) == 0 else "FAIL: adapter missing"
    return (f"{'PASS' if run['code'] == 2 else 'FAIL'}: OOM at step {error.get('step')}, peak "
            f"{error.get('gpu_mem_peak_gb')} of {error.get('gpu_mem_total_gb')} GB, exit {run['code']}; {kept}")


if __name__ == "__main__":
    sys.exit(main())
