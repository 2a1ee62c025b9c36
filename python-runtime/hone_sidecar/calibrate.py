"""Measures this machine's CPU training speed, for the planner's time estimates.

    python -m hone_sidecar.calibrate [--seconds S] [--layers N]

Times LoRA training steps (forward, backward, AdamW) on a randomly initialised model shaped like
SmolLM2-135M-Instruct (hidden 576, 9 heads / 3 KV heads, MLP 1536, vocab 49152), in fp32 on the CPU, with the
same thread rule as the sidecar. Random weights cost exactly what real ones do, so nothing is downloaded.
Prints one JSON line: tokens per second and the settings; the app turns it into FLOP/s with the same FLOP
count it uses to plan (electron/core/planner/eta.ts), so measurement and estimate cannot drift apart.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

SHAPE = dict(hidden_size=576, intermediate_size=1536, num_attention_heads=9, num_key_value_heads=3, vocab_size=49152,
             max_position_embeddings=8192, tie_word_embeddings=True)
TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
RANK, SEQ, BATCH = 16, 128, 4


def measure(seconds: float, layers: int) -> dict:
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import LlamaConfig, LlamaForCausalLM

    wanted = os.environ.get("HONE_CPU_THREADS")
    if wanted and wanted.isdigit() and int(wanted) > 0:
        torch.set_num_threads(int(wanted))
    torch.manual_seed(0)
    config = LlamaConfig(num_hidden_layers=layers, **SHAPE)
    model = LlamaForCausalLM(config).float()
    model.config.use_cache = False
    model = get_peft_model(model, LoraConfig(r=RANK, lora_alpha=RANK, target_modules=TARGETS, bias="none",
                                             task_type="CAUSAL_LM"))
    model.train()
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-4)
    ids = torch.randint(0, SHAPE["vocab_size"], (BATCH, SEQ))

    def step() -> None:
        loss = model(input_ids=ids, labels=ids).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)

    step()  # the first step allocates and warms the kernels up
    steps, started = 0, time.perf_counter()
    while steps < 2 or time.perf_counter() - started < seconds:
        step()
        steps += 1
    elapsed = time.perf_counter() - started
    return {
        "tokens_per_second": round(steps * BATCH * SEQ / elapsed, 2),
        "steps": steps, "seconds": round(elapsed, 2), "seq": SEQ, "batch": BATCH, "threads": torch.get_num_threads(),
        "torch": torch.__version__, "method": "lora", "lora_rank": RANK, "target_modules": TARGETS,
        "gradient_checkpointing": False,
        "shape": {"layers": layers, "hiddenSize": SHAPE["hidden_size"], "heads": SHAPE["num_attention_heads"],
                  "kvHeads": SHAPE["num_key_value_heads"], "intermediateSize": SHAPE["intermediate_size"],
                  "vocabSize": SHAPE["vocab_size"], "tieWordEmbeddings": True},
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m hone_sidecar.calibrate", description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=6.0, help="how long to time steps for (after one warm-up step)")
    ap.add_argument("--layers", type=int, default=30, help="decoder layers (SmolLM2-135M has 30)")
    args = ap.parse_args(argv)
    print(json.dumps(measure(args.seconds, args.layers)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
