"""The tiny model and the bundled samples: small, deterministic, a normal Llama folder with a ChatML template."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from sidecar_proc import SAMPLES


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_tiny_model_is_a_small_llama_that_transformers_loads(tiny_model):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    config = json.loads((tiny_model / "config.json").read_text())
    assert config["architectures"] == ["LlamaForCausalLM"] and config["model_type"] == "llama"
    assert config["tie_word_embeddings"] is False
    assert config["hidden_size"] // config["num_attention_heads"] % 8 == 0
    assert (tiny_model / "model.safetensors").is_file()
    model = AutoModelForCausalLM.from_pretrained(tiny_model)
    tokenizer = AutoTokenizer.from_pretrained(tiny_model)
    params = sum(p.numel() for p in model.parameters())
    assert 100_000 < params < 1_000_000, params
    assert config["vocab_size"] == len(tokenizer) >= 256
    text = "What is the capital of Peru? ünïcode ✓"
    assert tokenizer.decode(tokenizer(text)["input_ids"]) == text  # byte-level: nothing is unknown


def test_chat_template_is_chatml_with_generation_markers(tiny_model):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_model)
    messages = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]
    assert tokenizer.apply_chat_template(messages, tokenize=False) == \
        "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\nhello<|im_end|>\n"
    out = tokenizer.apply_chat_template(messages, tokenize=True, return_dict=True, return_assistant_tokens_mask=True)
    trained = [t for t, m in zip(out["input_ids"], out["assistant_masks"]) if m]
    assert tokenizer.decode(trained) == "hello<|im_end|>"
    assert tokenizer.eos_token == "<|im_end|>"
    saved = json.loads((tiny_model / "tokenizer_config.json").read_text())
    assert "generation" in saved["chat_template"]  # in tokenizer_config.json, where Ollama looks


def test_tiny_model_builds_identically(tiny_model, tmp_path):
    from hone_sidecar.tiny import build

    assert _digest(build(tmp_path / "again", SAMPLES)) == _digest(tiny_model)


def test_committed_samples_are_what_the_generator_writes():
    from hone_sidecar.samples_gen import render

    for name, text in render().items():
        assert (SAMPLES / name).read_text(encoding="utf-8") == text, name
    sft = [json.loads(l) for l in (SAMPLES / "sft-sample.jsonl").read_text().splitlines()]
    dpo = [json.loads(l) for l in (SAMPLES / "dpo-sample.jsonl").read_text().splitlines()]
    assert len(sft) >= 300 and all(r["messages"][-1]["role"] == "assistant" for r in sft)
    assert len(dpo) >= 200 and all(r["chosen"] != r["rejected"] for r in dpo)
