"""Builds the tiny random-initialised Llama that the fast tests train (the app's demo is SmolLM2, see demo/ensure.ts).

    python -m hone_sidecar.tiny OUT [--samples DIR] [--seed N]

A few hundred thousand parameters, a byte-level BPE tokenizer trained on the bundled samples, a
ChatML template with `{% generation %}` markers (so TRL can train on assistant turns only). A plain
`LlamaForCausalLM` folder (safetensors, untied head, head_dim 16, GQA) that transformers loads and
Ollama imports. No network; seeded, so two builds are identical.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Iterable, Iterator

# The template is shared with the sidecar (it is offered to tokenizers that have none).
CHATML_TEMPLATE = (
    "{%- for message in messages -%}"
    "{%- if message['role'] == 'assistant' -%}"
    "{{- '<|im_start|>assistant\\n' -}}"
    "{%- generation -%}"
    "{{- message['content'] + '<|im_end|>' -}}"
    "{%- endgeneration -%}"
    "{{- '\\n' -}}"
    "{%- else -%}"
    "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' -}}"
    "{%- endif -%}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}{{- '<|im_start|>assistant\\n' -}}{%- endif -%}"
)
SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
# The tokenizer learns its merges from these two only: the demo's style set is for SmolLM2, and leaving it out
# keeps the tiny model (and the fixtures copied from it) unchanged.
TOKENIZER_SAMPLES = ("dpo-sample.jsonl", "sft-sample.jsonl")
VOCAB_SIZE = 1024
HEAD_STD = float(__import__("os").environ.get("HONE_TINY_HEAD_STD", "0.25"))

# hidden 64 / 4 heads = head_dim 16; 2 KV heads; ~0.33M parameters with the untied head.
MODEL_DIMS = dict(hidden_size=64, intermediate_size=192, num_hidden_layers=4, num_attention_heads=4,
                  num_key_value_heads=2, max_position_embeddings=1024)


def _chatml(messages: list[dict]) -> str:
    return "".join(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in messages)


def sample_texts(samples_dir: Path | None) -> Iterator[str]:
    """Every sample conversation rendered as ChatML, from the bundled files (or regenerated)."""
    from . import samples_gen

    if samples_dir is not None and (samples_dir / "sft-sample.jsonl").is_file():
        files = {name: (samples_dir / name).read_text(encoding="utf-8") for name in TOKENIZER_SAMPLES}
    else:
        files = {name: text for name, text in samples_gen.render().items() if name in TOKENIZER_SAMPLES}
    for _, text in sorted(files.items()):
        for line in text.splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            if "messages" in row:
                yield _chatml(row["messages"])
            else:
                for key in ("chosen", "rejected"):
                    prompt = row["prompt"] if isinstance(row["prompt"], list) else [
                        {"role": "user", "content": row["prompt"]}]
                    reply = row[key] if isinstance(row[key], list) else [{"role": "assistant", "content": row[key]}]
                    yield _chatml(prompt + reply)


def train_tokenizer(texts: Iterable[str]):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=VOCAB_SIZE, special_tokens=SPECIAL_TOKENS, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(list(texts), trainer=trainer)
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<|endoftext|>", eos_token="<|im_end|>",
                                   pad_token="<|endoftext|>", unk_token=None, clean_up_tokenization_spaces=False,
                                   model_max_length=MODEL_DIMS["max_position_embeddings"])
    fast.chat_template = CHATML_TEMPLATE
    return fast


def build(out: Path, samples_dir: Path | None = None, seed: int = 0) -> Path:
    import torch
    from transformers import GenerationConfig, LlamaConfig, LlamaForCausalLM

    tokenizer = train_tokenizer(sample_texts(samples_dir))
    ids = {t: tokenizer.convert_tokens_to_ids(t) for t in SPECIAL_TOKENS}
    config = LlamaConfig(
        vocab_size=len(tokenizer), tie_word_embeddings=False, rope_theta=10000.0, rms_norm_eps=1e-5,
        bos_token_id=ids["<|endoftext|>"], eos_token_id=ids["<|im_end|>"], pad_token_id=ids["<|endoftext|>"],
        torch_dtype="float32", **MODEL_DIMS,
    )
    torch.manual_seed(seed)
    model = LlamaForCausalLM(config)
    with torch.no_grad():
        # LoRA leaves the output head frozen. With the usual 0.02 init its logits stay within about +-1, so
        # the distribution could never sharpen and the loss would barely move; a wider head lets it.
        model.lm_head.weight.normal_(0.0, HEAD_STD)
    model.generation_config = GenerationConfig(
        bos_token_id=config.bos_token_id, eos_token_id=config.eos_token_id, pad_token_id=config.pad_token_id)
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out, safe_serialization=True)
    # The template goes into tokenizer_config.json as well: older readers (Ollama's importer) look there.
    tokenizer.save_pretrained(out, save_jinja_files=False)
    return out


def default_samples_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "resources" / "samples"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m hone_sidecar.tiny", description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--samples", type=Path, default=default_samples_dir())
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    path = build(args.out, args.samples, args.seed)
    print(path)
    return 0


def cli() -> int:
    return main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(cli())
