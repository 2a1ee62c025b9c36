"""GPU-path decisions checked on real (tiny, random) models on the CPU: LoRA targets per architecture (#5),
merging within the machine's means (#6), and full-FT DPO's reference log-probs (#10)."""

from __future__ import annotations

import io
import json
import threading
from pathlib import Path

import pytest
import torch

from conftest import dpo_config
from sidecar_proc import SAMPLES

from hone_sidecar import backends, merge
from hone_sidecar.config import parse
from hone_sidecar.device import DeviceInfo
from hone_sidecar.errors import SidecarError
from hone_sidecar.protocol import Emitter

GB = 1024**3
CPU = DeviceInfo(cuda=False, device="cpu", torch=torch.__version__, bf16=False, gpu_total_gb=None,
                 unsloth_installed=False)
R = 8


def lora_cfg(targets):
    return parse({"model_path": "/m", "dataset_path": "/d.jsonl", "output_dir": "/tmp/o", "lora_rank": R,
                  "lora_alpha": 16, "target_modules": targets})


def wrapped(model, targets):
    from peft import get_peft_model

    config = model.config.to_dict()
    return get_peft_model(model, backends.lora_config(lora_cfg(targets), config)), config


def tiny_phi3():
    from transformers import Phi3Config, Phi3ForCausalLM

    torch.manual_seed(0)
    return Phi3ForCausalLM(Phi3Config(vocab_size=128, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                                      num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=256,
                                      pad_token_id=0, bos_token_id=1, eos_token_id=2))


def tiny_gemma3_multimodal():
    from transformers import Gemma3Config, Gemma3ForConditionalGeneration

    text = dict(vocab_size=300, hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
                num_key_value_heads=2, head_dim=16, max_position_embeddings=256, sliding_window=64)
    vision = dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2, image_size=28,
                  patch_size=14)
    torch.manual_seed(0)
    return Gemma3ForConditionalGeneration(Gemma3Config(text_config=text, vision_config=vision, mm_tokens_per_image=4,
                                                       boi_token_index=297, eoi_token_index=298,
                                                       image_token_index=299))


def lora_count(layers: int, shapes: list[tuple[int, int]]) -> int:
    """The planner's formula (electron/core/catalog/params.ts, loraParams): r * (in + out) per module per layer."""
    return layers * sum(R * (i + o) for i, o in shapes)


# -- 5. LoRA targets per architecture --------------------------------------------------------------------------------
def test_5_phi3_gets_its_fused_projections_and_llama_names_are_refused():
    # Phi-3: qkv_proj 64 -> (4 + 2 * 2) * 16 = 128, o_proj 64 -> 64, gate_up_proj 64 -> 2 * 128, down_proj 128 -> 64.
    planned = lora_count(2, [(64, 128), (64, 64), (64, 256), (128, 64)])
    model, config = wrapped(tiny_phi3(), "all-linear")
    assert backends.default_targets(config) == ["qkv_proj", "o_proj", "gate_up_proj", "down_proj"]
    assert backends.check_trainable(model, planned, "all-linear") == planned
    # The defect: the Llama names match only o_proj and down_proj on Phi-3, and PEFT says nothing.
    llama_named, _ = wrapped(tiny_phi3(), backends.STANDARD_TARGETS)
    assert backends.trainable_params(llama_named) == lora_count(2, [(64, 64), (128, 64)])
    with pytest.raises(SidecarError) as e:
        backends.check_trainable(llama_named, planned, backends.STANDARD_TARGETS)
    assert e.value.code == "BAD_CONFIG" and e.value.extra["field"] == "target_modules"


def test_5_gemma3_multimodal_trains_the_language_model_only():
    model, config = wrapped(tiny_gemma3_multimodal(), backends.STANDARD_TARGETS)
    adapted = [n for n, m in model.named_modules() if hasattr(m, "lora_A") and n.endswith(("_proj"))]
    assert adapted and all(".language_model." in n for n in adapted), adapted[:5]
    assert not any("vision" in n or "multi_modal" in n for n, p in model.named_parameters() if p.requires_grad)
    # q 64 -> 4*16, k/v 64 -> 2*16, o 64 -> 64, gate/up 64 -> 128, down 128 -> 64: the planner's count.
    planned = lora_count(2, [(64, 64), (64, 32), (64, 32), (64, 64), (64, 128), (64, 128), (128, 64)])
    assert backends.check_trainable(model, planned, "") == planned
    # A text-only model keeps plain names (its adapter_config stays a list).
    assert backends.peft_targets(["q_proj"], {"model_type": "llama"}) == ["q_proj"]


def test_5_the_tiny_llama_trains_exactly_the_planned_count(tiny_model):
    from transformers import AutoModelForCausalLM

    model, config = wrapped(AutoModelForCausalLM.from_pretrained(tiny_model), backends.STANDARD_TARGETS)
    # hidden 64, 4 heads of 16, 2 KV heads, MLP 192, 4 layers (hone_sidecar/tiny.py)
    planned = lora_count(4, [(64, 64), (64, 32), (64, 32), (64, 64), (64, 192), (64, 192), (192, 64)])
    assert backends.check_trainable(model, planned, backends.STANDARD_TARGETS) == planned


# -- 6. merging within the machine's means ---------------------------------------------------------------------------
def test_6_merge_plan_from_ram_disk_and_vram():
    b16, shard = 28 * GB, 5 * GB  # a 14B model in 16 bits, stored in 5 GB files
    assert merge.plan_merge(b16, 64 * GB, 500 * GB, None, shard, True).mode == "cpu"
    assert merge.plan_merge(b16, 16 * GB, 500 * GB, 40 * GB, shard, True).mode == "gpu"
    plan = merge.plan_merge(b16, 24 * GB, 500 * GB, 10 * GB, shard, True)
    assert plan.mode == "shards" and "one 5.0 GB file at a time" in plan.reason
    plan = merge.plan_merge(b16, 64 * GB, 20 * GB, None, shard, True)
    assert plan.mode == "skip" and "disk" in plan.reason
    plan = merge.plan_merge(b16, 12 * GB, 500 * GB, None, shard, True)
    assert plan.mode == "skip" and "RAM" in plan.reason and "adapter is kept" in plan.reason
    assert merge.plan_merge(b16, 24 * GB, 500 * GB, None, None, False).mode == "skip"


def test_6_shard_by_shard_merge_equals_pefts_merge(tiny_model, tmp_path):
    from peft import PeftModel, get_peft_model
    from safetensors.torch import load_file
    from transformers import AutoModelForCausalLM

    torch.manual_seed(1)
    base = AutoModelForCausalLM.from_pretrained(tiny_model)
    base_params = sum(p.numel() for p in base.parameters())
    config = backends.lora_config(lora_cfg(backends.STANDARD_TARGETS), base.config.to_dict())
    config.init_lora_weights = False  # non-zero B, so the merge changes every adapted weight
    get_peft_model(base, config).save_pretrained(tmp_path / "adapter")
    adapter = tmp_path / "adapter"

    info = merge.inspect_base(tiny_model)
    assert info is not None and info.float_only and merge.shardable(info, adapter)
    assert info.bytes16 == 2 * base_params
    merge.merge_shards(tiny_model, adapter, tmp_path / "shards", torch.bfloat16)
    ours = load_file(str(tmp_path / "shards" / "model.safetensors"))

    reference = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(tiny_model, dtype=torch.bfloat16),
                                          str(adapter)).merge_and_unload().state_dict()
    untouched = load_file(str(tiny_model / "model.safetensors"))
    changed = 0
    for key, value in reference.items():
        assert ours[key].dtype == torch.bfloat16
        # PEFT adds the delta to bf16 weights, ours adds in fp32 then rounds once: one bf16 step apart at most.
        torch.testing.assert_close(ours[key].float(), value.float(), rtol=1.6e-2, atol=1e-3)
        changed += not torch.equal(ours[key].float(), untouched[key].to(torch.bfloat16).float())
    assert changed == 4 * 7  # every adapted projection of every layer
    merged_config = json.loads((tmp_path / "shards" / "config.json").read_text())
    assert merged_config["torch_dtype"] == "bfloat16" and merged_config["use_cache"] is True
    AutoModelForCausalLM.from_pretrained(tmp_path / "shards")  # loads as a model folder


# -- 10. full-FT DPO: reference log-probs from the initial weights ---------------------------------------------------
def _dpo_trainer(model_dir: Path, out: Path):
    from hone_sidecar import data, trainers

    c = parse(dpo_config(model_dir, out, method="full", eval_split=0.25, max_steps=2, batch_size=8,
                         dataset_path=str(SAMPLES / "dpo-sample.jsonl")))
    c.out.mkdir(parents=True, exist_ok=True)
    em = Emitter(io.StringIO())
    loaded = backends.load_plain(c, str(model_dir), CPU, em)
    rows = data.load(c.dataset_path, "dpo")
    train, evals = trainers.build_datasets(c, rows, None, loaded.tokenizer, em, {})
    trainer, _ = trainers.build_trainer(c, loaded, CPU, train, evals, em, threading.Event())
    return trainer, em, c


def _shake(model) -> None:
    """What training (or loading a checkpoint) does to the weights, for this test's purpose."""
    torch.manual_seed(5)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.05 * torch.randn_like(p))


def test_10_reference_logps_come_from_the_initial_weights_and_a_resume_reuses_them(tiny_model, tmp_path):
    out = tmp_path / "dpo-full"
    trainer, em, c = _dpo_trainer(tiny_model, out)
    assert trainer.hone_prepare_reference(c.out, em) == "computed"
    train_ref = list(trainer.train_dataset["ref_chosen_logps"])
    eval_ref = list(trainer.eval_dataset["ref_rejected_logps"])
    assert (out / "reference_logps.safetensors").is_file()

    _shake(trainer.model)  # training steps happen before the first evaluation...
    trainer.get_eval_dataloader()  # ...which must not compute its reference from the trained weights
    assert list(trainer.eval_dataset["ref_rejected_logps"]) == eval_ref

    # A resumed run: a new trainer whose weights are no longer the initial ones (train() would load the
    # checkpoint's). It reuses the stored reference instead of computing one from what it holds.
    resumed, em2, _ = _dpo_trainer(tiny_model, out)
    _shake(resumed.model)
    batch = next(iter(torch.utils.data.DataLoader(resumed.train_dataset.select(range(4)), batch_size=4,
                                                  collate_fn=resumed.data_collator)))
    from_shaken, _ = resumed.compute_ref_log_probs(batch)
    assert not torch.allclose(from_shaken, torch.tensor(train_ref[:4]), atol=1e-3)  # so the test can fail
    assert resumed.hone_prepare_reference(c.out, em2) == "reused"
    assert list(resumed.train_dataset["ref_chosen_logps"]) == train_ref
    assert list(resumed.eval_dataset["ref_rejected_logps"]) == eval_ref
