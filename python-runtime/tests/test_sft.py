"""SFT on the tiny model, for real on the CPU: loss falls, the adapter and the merged model load and generate."""

from __future__ import annotations

import json
from pathlib import Path

import torch

from conftest import SFT_STEPS


def test_loss_falls_below_60_percent_of_the_first(sft_done):
    metrics = sft_done.of_type("metrics")
    losses = [m["loss"] for m in metrics if "loss" in m]
    assert len(losses) >= SFT_STEPS - 1, metrics[:3]
    assert losses[-1] < 0.6 * losses[0], losses
    done = sft_done.of_type("done")[0]
    assert done == {**done, "stopped": False, "final_step": SFT_STEPS, "final_loss": losses[-1]}


def test_metrics_carry_progress_speed_and_learning_rate(sft_done):
    metrics = sft_done.of_type("metrics")
    assert [m["step"] for m in metrics] == list(range(1, SFT_STEPS + 1))
    assert all(m["max_steps"] == SFT_STEPS for m in metrics)
    assert all(m["tokens_per_second"] > 0 and m["learning_rate"] > 0 and "grad_norm" in m for m in metrics)
    assert metrics[-1]["tokens_seen"] > metrics[0]["tokens_seen"] > 0
    assert 0 < metrics[-1]["epoch"] <= 1
    ready = sft_done.events[0]
    assert ready["type"] == "ready" and ready["backend"] == "plain" and ready["cuda"] is False


def test_gpu_path_records_the_merge_plan_and_the_lora_count(sft_done):
    done = sft_done.of_type("done")[0]
    summary = json.loads((Path(done["output_dir"]) / "summary.json").read_text())
    assert summary["data"]["merge"]["mode"] == "cpu", summary["data"]  # this machine: no GPU, RAM to spare
    assert summary["data"]["trainable_params"] == summary["config"]["planned_trainable_params"]
    assert summary["peak_reserved_gb"] is None  # no GPU to measure; never a made-up zero
    assert any("Merging the adapter on the CPU" in e["message"] for e in sft_done.of_type("log"))


def test_eval_split_reports_eval_loss_and_checkpoints_are_announced(sft_done):
    evals = sft_done.of_type("eval")
    assert [e["step"] for e in evals] == [10, 20, 30]
    assert evals[-1]["eval_loss"] < evals[0]["eval_loss"]
    checkpoints = sft_done.of_type("checkpoint")
    assert [c["step"] for c in checkpoints] == [10, 20, 30]
    assert all(Path(c["path"], "trainer_state.json").is_file() for c in checkpoints[-2:])


def test_outputs_and_summary(sft_done):
    out = Path(sft_done.of_type("done")[0]["output_dir"])
    kinds = {a["kind"]: a["path"] for a in sft_done.of_type("artifact")}
    assert kinds == {"adapter": str(out / "adapter"), "merged": str(out / "merged"),
                     "summary": str(out / "summary.json")}
    for name in ("adapter_model.safetensors", "adapter_config.json"):
        assert (out / "adapter" / name).is_file()
    summary = json.loads((out / "summary.json").read_text())
    assert summary["final_step"] == SFT_STEPS and summary["stopped"] is False
    assert summary["data"]["train"]["loss_on"] == "assistant_masks"
    assert summary["final_loss"] == sft_done.of_type("done")[0]["final_loss"]
    assert len(summary["history"]) == SFT_STEPS


def _prompt(tokenizer):
    messages = [{"role": "user", "content": "What is the capital of France?"}]
    return tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt")


def test_adapter_loads_with_peft_and_generates(sft_done, tiny_model):
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    out = Path(sft_done.of_type("done")[0]["output_dir"])
    tokenizer = AutoTokenizer.from_pretrained(out / "adapter")
    base = AutoModelForCausalLM.from_pretrained(tiny_model)
    model = PeftModel.from_pretrained(base, out / "adapter")
    ids = _prompt(tokenizer)
    generated = model.generate(ids, max_new_tokens=8, do_sample=False)
    assert generated.shape[1] > ids.shape[1]
    # The adapter changed the model: its output differs from the untouched base.
    with torch.no_grad(), model.disable_adapter():
        plain = model(ids).logits
    assert not torch.allclose(model(ids).logits, plain)


def test_merged_model_loads_generates_and_matches_the_adapter(sft_done, tiny_model):
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    out = Path(sft_done.of_type("done")[0]["output_dir"])
    merged_dir = out / "merged"
    assert list(merged_dir.glob("*.safetensors"))
    config = json.loads((merged_dir / "config.json").read_text())
    assert config["architectures"] == ["LlamaForCausalLM"] and config["dtype"] == "bfloat16"
    template = json.loads((merged_dir / "tokenizer_config.json").read_text())["chat_template"]
    assert "<|im_start|>" in template and "generation" in template
    tokenizer = AutoTokenizer.from_pretrained(merged_dir)
    merged = AutoModelForCausalLM.from_pretrained(merged_dir, dtype=torch.float32)
    ids = _prompt(tokenizer)
    reply = merged.generate(ids, max_new_tokens=12, do_sample=False)
    assert reply.shape[1] > ids.shape[1]
    with torch.no_grad():
        adapter = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(tiny_model), out / "adapter")
        expected = torch.log_softmax(adapter(ids).logits, -1)
        got = torch.log_softmax(merged(ids).logits, -1)
    # bfloat16 storage costs a little precision; the distributions must still agree closely.
    assert (expected.exp() - got.exp()).abs().max() < 0.05
    assert (expected.argmax(-1) == got.argmax(-1)).float().mean() > 0.9
