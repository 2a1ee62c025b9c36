"""Loading the model, tokenizer and LoRA set-up through Unsloth or through plain transformers + PEFT.

Both return something TRL's SFTTrainer / DPOTrainer take as is: Unsloth hands back a PeftModel already
wrapped (its own gradient checkpointing), the plain path hands back the base model plus a LoraConfig
so TRL does the k-bit preparation and wrapping the way its docs describe.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .config import RunConfig
from .device import DeviceInfo
from .errors import SidecarError
from .protocol import Emitter
from .tiny import CHATML_TEMPLATE

STANDARD_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


@dataclass
class Loaded:
    model: Any
    tokenizer: Any
    peft_config: Any  # LoraConfig for the plain path; None when the model is already wrapped or fully trained
    backend: str
    dtype: Any  # compute dtype (torch.float32 on CPU)
    load_in_4bit: bool


def choose(cfg: RunConfig, dev: DeviceInfo) -> str:
    if cfg.backend == "unsloth":
        if not dev.cuda:
            raise SidecarError("CUDA_UNAVAILABLE", "backend 'unsloth' needs an NVIDIA GPU with CUDA, and PyTorch "
                               "sees none here.", field="backend")
        if not dev.unsloth_installed:
            raise SidecarError("BAD_CONFIG", "backend 'unsloth' was requested but Unsloth is not installed in this "
                               "Python environment.", "Reinstall the runtime with the CUDA stack, or use backend "
                               "'plain'.", field="backend")
        return "unsloth"
    return "plain" if cfg.backend == "plain" else dev.auto_backend


def import_first(backend: str, emitter: Emitter, explicit: bool) -> str:
    """`import unsloth` has to precede transformers/peft/trl so its patches apply; returns the backend in use."""
    if backend != "unsloth":
        return backend
    try:
        import unsloth  # noqa: F401
    except Exception as e:  # a broken Unsloth install should not stop a GPU user from training at all
        if explicit:
            raise SidecarError("INTERNAL", f"Unsloth failed to import: {e}",
                               "Reinstall the runtime, or use backend 'plain'.", field="backend") from e
        emitter.log("warning", f"Unsloth failed to import ({e}); training with plain transformers + PEFT instead.")
        return "plain"
    return "unsloth"


def _compute_dtype(dev: DeviceInfo):
    import torch

    if not dev.cuda:
        return torch.float32
    return torch.bfloat16 if dev.bf16 else torch.float16


def _not_found(model_ref: str, e: Exception) -> SidecarError:
    return SidecarError("MODEL_NOT_FOUND", f"The model {model_ref} could not be loaded: {e}", field="model_path")


def _fix_tokenizer(tokenizer: Any, emitter: Emitter) -> Any:
    tok = getattr(tokenizer, "tokenizer", tokenizer)  # Unsloth may hand back a processor
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token or tok.unk_token
        emitter.log("info", f"The tokenizer has no padding token; using {tok.pad_token!r}.")
    if not getattr(tok, "chat_template", None):
        tok.chat_template = CHATML_TEMPLATE
        emitter.log("warning", "The tokenizer has no chat template; using ChatML (<|im_start|>role ... <|im_end|>). "
                    "Use the same template when chatting with the trained model.")
    return tok


def bad_targets(e: Exception) -> SidecarError:
    return SidecarError("BAD_CONFIG", f"config.target_modules does not match this model: {e}",
                        "Use module names from the model (for Llama-style models: q_proj, k_proj, v_proj, o_proj, "
                        "gate_proj, up_proj, down_proj) or 'all-linear'.", field="target_modules")


def lora_config(cfg: RunConfig):
    from peft import LoraConfig

    return LoraConfig(r=cfg.lora_rank, lora_alpha=cfg.lora_alpha, lora_dropout=cfg.lora_dropout,
                      target_modules=cfg.target_modules, bias="none", task_type="CAUSAL_LM")


def load_plain(cfg: RunConfig, model_ref: str, dev: DeviceInfo, emitter: Emitter) -> Loaded:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    dtype = _compute_dtype(dev)
    import torch

    # Full fine-tuning on a card without bf16: fp32 master weights under fp16 autocast (fp16 weights
    # cannot take fp16 gradients through the GradScaler).
    load_dtype = torch.float32 if cfg.method == "full" and dtype == torch.float16 else dtype
    four_bit = cfg.load_in_4bit and dev.cuda
    if cfg.load_in_4bit and not dev.cuda:
        emitter.log("warning", "4-bit loading (QLoRA) needs CUDA; training a 32-bit LoRA on the CPU instead.")
    kwargs: dict[str, Any] = {"dtype": load_dtype}
    if dev.cuda:
        kwargs["device_map"] = {"": 0}
    if four_bit:
        from transformers import BitsAndBytesConfig

        kwargs["quantization_config"] = BitsAndBytesConfig(
            load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True,
            bnb_4bit_compute_dtype=dtype)
    try:
        tokenizer = AutoTokenizer.from_pretrained(model_ref)
        model = AutoModelForCausalLM.from_pretrained(model_ref, **kwargs)
    except (OSError, ValueError) as e:
        raise _not_found(model_ref, e) from e
    model.config.use_cache = False
    return Loaded(model, _fix_tokenizer(tokenizer, emitter), lora_config(cfg) if cfg.uses_peft else None,
                  "plain", dtype, four_bit)


def load_unsloth(cfg: RunConfig, model_ref: str, dev: DeviceInfo, emitter: Emitter) -> Loaded:
    from unsloth import FastLanguageModel

    gc = "unsloth" if cfg.gradient_checkpointing else False
    try:
        model, tokenizer = FastLanguageModel.from_pretrained(
            model_name=model_ref, max_seq_length=cfg.max_seq_length, dtype=None, load_in_4bit=cfg.load_in_4bit,
            full_finetuning=cfg.method == "full", use_gradient_checkpointing=gc, random_state=cfg.seed)
    except (OSError, ValueError) as e:
        raise _not_found(model_ref, e) from e
    if cfg.uses_peft:
        targets = STANDARD_TARGETS if cfg.target_modules == "all-linear" else cfg.target_modules
        try:
            model = FastLanguageModel.get_peft_model(
                model, r=cfg.lora_rank, lora_alpha=cfg.lora_alpha, lora_dropout=cfg.lora_dropout,
                target_modules=targets, bias="none", use_gradient_checkpointing=gc, random_state=cfg.seed)
        except ValueError as e:
            raise bad_targets(e) from e
    return Loaded(model, _fix_tokenizer(tokenizer, emitter), None, "unsloth", _compute_dtype(dev),
                  cfg.load_in_4bit)


def load(cfg: RunConfig, model_ref: str, dev: DeviceInfo, backend: str, emitter: Emitter) -> Loaded:
    loader = load_unsloth if backend == "unsloth" else load_plain
    return loader(cfg, model_ref, dev, emitter)
