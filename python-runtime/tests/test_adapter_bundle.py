"""The adapter bundle as a user gets it from `hone export <run> --to adapter` (the real CLI, run by Node): a zip
that PeftModel.from_pretrained loads onto the base model and that reproduces the tuned model's greedy replies,
whose tokenizer renders the prompt training used, and whose README.md is a Hugging Face model card with no
training row in it. On the tiny model (quick) and on the real SmolLM2-135M-Instruct (HONE_REAL_MODEL_DIR), each
trained here for a few LoRA steps by the sidecar, as the app trains."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
import torch

from conftest import sft_config
from sidecar_proc import REPO_ROOT, SAMPLES, Sidecar

NODE = shutil.which("node")
REAL = os.environ.get("HONE_REAL_MODEL_DIR")
needs_node = pytest.mark.skipif(not NODE, reason="no node to run the Hone CLI")
needs_real = pytest.mark.skipif(not REAL, reason="HONE_REAL_MODEL_DIR not set (npm test builds the real model)")

PROMPTS = [
    [{"role": "user", "content": "What is the capital of France?"}],
    [{"role": "user", "content": "Reply in capital letters: good morning"}],
    [{"role": "system", "content": "Answer in one short sentence."},
     {"role": "user", "content": "What sound does a cat make?"}],
]


def train(model: Path, out: Path, **over) -> Path:
    run = Sidecar(out.parent, out.name).start(sft_config(model, out, **over))
    try:
        done = run.wait_type("done", timeout=600)
        assert done["type"] == "done" and not done["stopped"], done
        assert run.finish() == 0
    finally:
        run.close()
    return out


def export_bundle(run_dir: Path, work: Path) -> tuple[Path, dict]:
    target = work / "bundle.zip"
    env = {**os.environ, "HONE_DATA_DIR": str(work / "hone-data"), "OLLAMA_HOST": "127.0.0.1:9"}
    cli = [NODE, str(REPO_ROOT / "electron" / "cli" / "bin.mjs"), "export", str(run_dir), "--to", "adapter",
           "--out", str(target), "--license", "apache-2.0", "--datasets", "hone/sft-sample", "--json"]
    r = subprocess.run(cli, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    result = json.loads(r.stdout)
    assert Path(result["path"]) == target
    return target, result


def greedy(model, tokenizer, prompts=PROMPTS, new_tokens: int = 16) -> list[list[int]]:
    replies = []
    with torch.no_grad():
        for messages in prompts:
            ids = tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt")
            out = model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=new_tokens, do_sample=False)
            replies.append(out[0, ids.shape[1]:].tolist())
    return replies


def training_texts() -> list[str]:
    rows = [json.loads(line) for line in (SAMPLES / "sft-sample.jsonl").read_text().splitlines() if line.strip()]
    return [m["content"] for r in rows for m in r["messages"] if len(m["content"]) >= 12]


def check_bundle(base_dir: Path, run_dir: Path, work: Path, compare_merged: bool) -> None:
    from huggingface_hub import ModelCard
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    bundle, result = export_bundle(run_dir, work)
    names = set(zipfile.ZipFile(bundle).namelist())
    assert {"adapter_config.json", "adapter_model.safetensors", "chat_template.jinja", "tokenizer_config.json",
            "tokenizer.json", "README.md"} <= names, names
    assert not any(n.endswith(".jsonl") or n.startswith("checkpoint") for n in names)
    folder = work / "unzipped"
    zipfile.ZipFile(bundle).extractall(folder)

    # The adapter's recorded base is not a path on this computer.
    assert not Path(json.loads((folder / "adapter_config.json").read_text())["base_model_name_or_path"]).is_absolute()

    # The bundle's tokenizer renders exactly the prompt the run's tokenizer (training's) renders.
    ours, theirs = AutoTokenizer.from_pretrained(folder), AutoTokenizer.from_pretrained(run_dir / "adapter")
    for messages in PROMPTS:
        assert ours.apply_chat_template(messages, add_generation_prompt=True, tokenize=False) == \
            theirs.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)

    # The tuned model as trained (base + the run's adapter) against base + the bundle: the same greedy replies.
    load_base = lambda: AutoModelForCausalLM.from_pretrained(base_dir, dtype=torch.float32)  # noqa: E731
    tuned = PeftModel.from_pretrained(load_base(), run_dir / "adapter")
    expected = greedy(tuned, theirs)
    bundled = PeftModel.from_pretrained(load_base(), folder)
    assert greedy(bundled, ours) == expected
    with bundled.disable_adapter():
        assert greedy(bundled, ours) != expected, "the adapter changes the replies (else this test proves nothing)"
    if compare_merged:
        merged = AutoModelForCausalLM.from_pretrained(run_dir / "merged", dtype=torch.float32)
        assert greedy(merged, ours) == expected, "the merged 16-bit model the run saved answers the same"

    # README.md: a Hugging Face model card (huggingface_hub parses its front matter), without training rows.
    card = ModelCard.load(folder / "README.md")
    assert card.data.library_name == "peft"
    assert card.data.license == "apache-2.0"
    assert card.data.datasets == ["hone/sft-sample"]
    assert "lora" in card.data.tags and "sft" in card.data.tags
    text = (folder / "README.md").read_text()
    assert "| Method | LoRA (rank 8" in text
    leaked = [t for t in training_texts() if t in text]
    assert not leaked, f"training data in the model card: {leaked[:3]}"
    assert str(SAMPLES) not in text and str(run_dir) not in text
    assert (run_dir / "README.md").read_text() == text, "the same card is written into the run folder"
    assert result["target"] == "adapter" and result["bytes"] == bundle.stat().st_size


@needs_node
def test_tiny_model_bundle_reproduces_the_tuned_replies(tmp_path: Path, tiny_model: Path) -> None:
    run_dir = train(tiny_model, tmp_path / "tiny-run", max_steps=6, save_steps=100, eval_split=0.0, eval_steps=100,
                    learning_rate=0.05)
    check_bundle(tiny_model, run_dir, tmp_path, compare_merged=False)


@needs_node
@needs_real
def test_real_model_bundle_reproduces_the_tuned_replies(tmp_path: Path) -> None:
    base = Path(REAL)
    run_dir = train(base, tmp_path / "real-run", max_steps=4, save_steps=100, eval_split=0.0, eval_steps=100,
                    batch_size=2, max_seq_length=128, learning_rate=0.003, lora_rank=8, merge=True,
                    target_modules=["q_proj", "k_proj", "v_proj", "o_proj"], planned_trainable_params=None)
    check_bundle(base, run_dir, tmp_path, compare_merged=True)
