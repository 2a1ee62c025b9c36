"""Loading the model, tokenizer and LoRA set-up through Unsloth or through plain transformers + PEFT.

Both return something TRL's SFTTrainer / DPOTrainer take as is: Unsloth hands back a PeftModel already
wrapped (its own gradient checkpointing), the plain path hands back the base model plus a LoraConfig
so TRL does the k-bit preparation and wrapping the way its docs describe.

The decisions (precision, device placement, LoRA targets, falling back from Unsloth, load errors) are
plain functions of the config and the device, so they are tested without a GPU.
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
# Phi-3 / Phi-3.5 / Phi-4-mini fuse q, k, v into one projection and gate, up into another.
FUSED_TARGETS = ["qkv_proj", "o_proj", "gate_up_proj", "down_proj"]
FUSED_MODEL_TYPES = {"phi3"}
# Module-path parts of the towers a multimodal checkpoint carries besides its language model.
NON_TEXT_PARTS = ("vision_tower", "vision_model", "visual", "multi_modal_projector", "audio_tower", "image_newline")
# The one training GPU: the sidecar sees only the chosen card (early_env.py), as cuda:0.
DEVICE_MAP = {"": 0}
DISPATCH_ERROR = "dispatched on the cpu or the disk"


@dataclass
class Loaded:
    model: Any
    tokenizer: Any
    peft_config: Any  # LoraConfig for the plain path; None when the model is already wrapped or fully trained
    backend: str
    dtype: Any  # compute dtype (torch.float32 on CPU)
    load_in_4bit: bool


# -- which backend --------------------------------------------------------------------------------------
def fallback_to_plain(cfg: RunConfig, reason: str) -> str:
    """Unsloth is wanted ('auto' on CUDA) but unavailable: train with plain transformers only when the plan
    fits that backend too, and say so either way. The plain path keeps a checkpoint per layer on the GPU and
    computes the loss on fp32 logits, so it needs more memory than the Unsloth plan the app showed."""
    planned, plain, budget = cfg.estimated_vram_gb, cfg.plain_estimated_vram_gb, cfg.vram_budget_gb
    lead = f"Unsloth is not available ({reason})"
    if plain is None or budget is None:
        return f"{lead}: training with plain transformers + PEFT instead, which is slower and needs more GPU memory."
    if plain > budget:
        raise SidecarError(
            "BAD_CONFIG",
            f"{lead}, and this plan does not fit plain transformers + PEFT: about {plain:.1f} GB against "
            f"{budget:.1f} GB free (the Unsloth plan needs {planned or 0:.1f} GB).",
            "Repair the Python environment (Settings > Python, or `hone setup`) so that Unsloth imports, or plan "
            "again with QLoRA or a shorter max_seq_length.",
            field="backend")
    return (f"{lead}: training with plain transformers + PEFT instead, which is slower and needs about "
            f"{plain:.1f} GB (of {budget:.1f} GB free) rather than the {planned or 0:.1f} GB planned for Unsloth.")


def choose(cfg: RunConfig, dev: DeviceInfo, emitter: Emitter | None = None) -> str:
    if cfg.backend == "unsloth":
        if not dev.cuda:
            raise SidecarError("CUDA_UNAVAILABLE", "backend 'unsloth' needs an NVIDIA GPU with CUDA, and PyTorch "
                               "sees none here.", field="backend")
        if not dev.unsloth_installed:
            raise SidecarError("BAD_CONFIG", "backend 'unsloth' was requested but Unsloth is not installed in this "
                               "Python environment.", "Reinstall the runtime with the CUDA stack, or use backend "
                               "'plain'.", field="backend")
        return "unsloth"
    if cfg.backend == "plain":
        return "plain"
    if dev.cuda and not dev.unsloth_installed:
        message = fallback_to_plain(cfg, "it is not installed in this Python environment")
        if emitter is not None:
            emitter.log("warning", message)
    return dev.auto_backend


def import_first(backend: str, emitter: Emitter, explicit: bool, cfg: RunConfig | None = None) -> str:
    """`import unsloth` has to precede transformers/peft/trl so its patches apply; returns the backend in use."""
    if backend != "unsloth":
        return backend
    try:
        import unsloth  # noqa: F401
    except Exception as e:  # a broken Unsloth install should not stop a GPU user from training at all
        if explicit:
            raise SidecarError("INTERNAL", f"Unsloth failed to import: {e}",
                               "Reinstall the runtime, or use backend 'plain'.", field="backend") from e
        reason = f"it failed to import: {type(e).__name__}: {str(e)[:300]}"
        emitter.log("warning", fallback_to_plain(cfg, reason) if cfg is not None else f"Unsloth {reason}")
        return "plain"
    return "unsloth"


# -- precision and placement ------------------------------------------------------------------------------
def compute_dtype(dev: DeviceInfo):
    import torch

    if not dev.cuda:
        return torch.float32
    return torch.bfloat16 if dev.bf16 else torch.float16


_compute_dtype = compute_dtype  # older name, kept for callers outside this module


def plain_load_kwargs(cfg: RunConfig, dev: DeviceInfo) -> dict[str, Any]:
    """from_pretrained arguments of the plain path."""
    import torch

    dtype = compute_dtype(dev)
    # Full fine-tuning on a card without bf16: fp32 master weights under fp16 autocast (fp16 weights
    # cannot take fp16 gradients through the GradScaler).
    load_dtype = torch.float32 if cfg.method == "full" and dtype == torch.float16 else dtype
    kwargs: dict[str, Any] = {"dtype": load_dtype}
    if dev.cuda:
        # Every module on the training GPU: a model that does not fit fails to load with an out-of-memory
        # error instead of being offloaded to the CPU in silence (accelerate's "auto"/"sequential" maps).
        kwargs["device_map"] = dict(DEVICE_MAP)
    if cfg.load_in_4bit and dev.cuda:
        from transformers import BitsAndBytesConfig

        kwargs["quantization_config"] = BitsAndBytesConfig(
            load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True,
            bnb_4bit_compute_dtype=dtype)
    return kwargs


def unsloth_load_kwargs(cfg: RunConfig, model_ref: str, dev: DeviceInfo) -> dict[str, Any]:
    """FastLanguageModel.from_pretrained arguments. dtype is explicit (float16 before Ampere, the same rule as
    the trainer's fp16/bf16 flags), and device_map pins every layer to the training GPU: Unsloth's default,
    "sequential", would spill layers that do not fit to the CPU."""
    return dict(model_name=model_ref, max_seq_length=cfg.max_seq_length, dtype=compute_dtype(dev),
                load_in_4bit=cfg.load_in_4bit, full_finetuning=cfg.method == "full",
                use_gradient_checkpointing="unsloth" if cfg.gradient_checkpointing else False,
                random_state=cfg.seed, device_map=dict(DEVICE_MAP))


# -- LoRA targets --------------------------------------------------------------------------------------------
def default_targets(model_config: dict | None) -> list[str]:
    """Every linear projection of a decoder layer, by the names this architecture uses."""
    model_type = str((model_config or {}).get("model_type", ""))
    text_type = str(((model_config or {}).get("text_config") or {}).get("model_type", ""))
    return list(FUSED_TARGETS if model_type in FUSED_MODEL_TYPES or text_type in FUSED_MODEL_TYPES
                else STANDARD_TARGETS)


def is_multimodal(model_config: dict | None) -> bool:
    c = model_config or {}
    return any(k in c for k in ("vision_config", "audio_config")) or \
        any(str(a).endswith("ForConditionalGeneration") for a in c.get("architectures") or [])


def peft_targets(target_modules: Any, model_config: dict | None) -> Any:
    """What LoraConfig / get_peft_model get. 'all-linear' becomes this architecture's projections. On a
    multimodal checkpoint (Gemma 3 4B and up) the names also match the vision tower's q/k/v projections, so
    they become a regex (PEFT full-matches a string against each module path) that leaves the non-text
    towers out: the language model is what is fine-tuned and what Ollama runs."""
    names = default_targets(model_config) if target_modules == "all-linear" else list(target_modules)
    if not is_multimodal(model_config):
        return names
    import re

    towers = "|".join(re.escape(p) for p in NON_TEXT_PARTS)
    alternatives = "|".join(re.escape(n) for n in names)
    return rf"^(?!(?:.*\.)?(?:{towers})\.).*\.(?:{alternatives})$"


def trainable_params(model: Any) -> int:
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def check_trainable(model: Any, planned: int | None, targets: Any) -> int:
    """The planner sized memory and wrote its reasons for `planned` LoRA parameters; a different count means
    the module names matched other layers than it assumed (e.g. Llama names on a Phi model: PEFT then adapts
    only o_proj and down_proj, silently). Within 2% passes (rounding in a checkpoint's own shapes)."""
    count = trainable_params(model)
    if planned and abs(count - planned) > 0.02 * planned:
        raise SidecarError(
            "BAD_CONFIG",
            f"LoRA on {targets!r} trains {count:,} parameters in this model, but the plan counted {planned:,}: "
            "the target module names do not match this model's layers.",
            "Plan the run again for this model (the planner picks the module names from its architecture), or "
            "set target_modules to 'all-linear'.", field="target_modules", trainable=count, planned=planned)
    return count


def lora_config(cfg: RunConfig, model_config: dict | None = None):
    from peft import LoraConfig

    return LoraConfig(r=cfg.lora_rank, lora_alpha=cfg.lora_alpha, lora_dropout=cfg.lora_dropout,
                      target_modules=peft_targets(cfg.target_modules, model_config), bias="none",
                      task_type="CAUSAL_LM")


# -- errors while loading ----------------------------------------------------------------------------------------
def plan_advice(cfg: RunConfig) -> str:
    figures = ""
    if cfg.estimated_vram_gb is not None and cfg.vram_budget_gb is not None:
        figures = (f"Hone planned about {cfg.estimated_vram_gb:.1f} GB of the {cfg.vram_budget_gb:.1f} GB that "
                   "was free; another program may have taken memory since. ")
    method = "" if cfg.load_in_4bit else "use QLoRA (4-bit), "
    return (f"{figures}Close other programs that use the GPU, or plan again: {method}a shorter max_seq_length, a "
            "smaller batch, or a smaller model (the Method step suggests one that fits).")


def load_error(model_ref: str, e: Exception, cfg: RunConfig) -> SidecarError:
    """transformers raises ValueError when a quantised model would need some of its layers on the CPU or the
    disk: that is a model too big for the card, not a missing model."""
    text = str(e)
    if isinstance(e, ValueError) and DISPATCH_ERROR in text.lower():
        return SidecarError("OOM", f"The model {model_ref} does not fit in the GPU's free memory: {text[:300]}",
                            plan_advice(cfg), step=0)
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
                        "gate_proj, up_proj, down_proj; for Phi-3: qkv_proj, o_proj, gate_up_proj, down_proj) or "
                        "'all-linear'.", field="target_modules")


# -- loaders -------------------------------------------------------------------------------------------------------
def load_plain(cfg: RunConfig, model_ref: str, dev: DeviceInfo, emitter: Emitter,
               model_config: dict | None = None) -> Loaded:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    if cfg.load_in_4bit and not dev.cuda:
        emitter.log("warning", "4-bit loading (QLoRA) needs CUDA; training a 32-bit LoRA on the CPU instead.")
    kwargs = plain_load_kwargs(cfg, dev)
    try:
        tokenizer = AutoTokenizer.from_pretrained(model_ref)
        model = AutoModelForCausalLM.from_pretrained(model_ref, **kwargs)
    except (OSError, ValueError) as e:
        raise load_error(model_ref, e, cfg) from e
    model.config.use_cache = False
    return Loaded(model, _fix_tokenizer(tokenizer, emitter),
                  lora_config(cfg, model_config) if cfg.uses_peft else None, "plain", compute_dtype(dev),
                  "quantization_config" in kwargs)


def load_unsloth(cfg: RunConfig, model_ref: str, dev: DeviceInfo, emitter: Emitter,
                 model_config: dict | None = None) -> Loaded:
    from unsloth import FastLanguageModel

    kwargs = unsloth_load_kwargs(cfg, model_ref, dev)
    try:
        model, tokenizer = FastLanguageModel.from_pretrained(**kwargs)
    except (OSError, ValueError) as e:
        raise load_error(model_ref, e, cfg) from e
    if cfg.uses_peft:
        try:
            model = FastLanguageModel.get_peft_model(
                model, r=cfg.lora_rank, lora_alpha=cfg.lora_alpha, lora_dropout=cfg.lora_dropout,
                target_modules=peft_targets(cfg.target_modules, model_config), bias="none",
                use_gradient_checkpointing=kwargs["use_gradient_checkpointing"], random_state=cfg.seed)
        except ValueError as e:
            raise bad_targets(e) from e
    return Loaded(model, _fix_tokenizer(tokenizer, emitter), None, "unsloth", compute_dtype(dev),
                  cfg.load_in_4bit)


def load(cfg: RunConfig, model_ref: str, dev: DeviceInfo, backend: str, emitter: Emitter,
         model_config: dict | None = None) -> Loaded:
    loader = load_unsloth if backend == "unsloth" else load_plain
    return loader(cfg, model_ref, dev, emitter, model_config)
