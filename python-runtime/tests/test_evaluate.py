"""Base vs tuned evaluation (the `eval` command) on the tiny model trained by the session's runs: the prompt is
training's, the base is really the base (adapter switched off), full models take two loads, DPO pairs get a
preference accuracy, a stop gives a consistent partial report, bad configs name their field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hone_sidecar import metrics
from hone_sidecar.errors import SidecarError
from hone_sidecar.evaluate import parse_eval
from hone_sidecar.protocol import validator
from sidecar_proc import SAMPLES, Sidecar

REPORT = validator("evalReport")


def _eval(workdir: Path, name: str, config: dict[str, Any], **kw: Any) -> tuple[Sidecar, dict[str, Any]]:
    s = Sidecar(workdir, name, **kw)
    s.send({"cmd": "eval", "config": config})
    event = s.wait_type("report", timeout=400)
    assert event["type"] == "report", event
    assert s.finish() == 0
    errors = [e.message for e in REPORT.iter_errors(event["report"])]
    assert not errors, errors
    return s, event


@pytest.fixture(scope="module")
def sft_out(sft_done) -> Path:
    return Path(sft_done.of_type("done")[0]["output_dir"])


def test_the_eval_split_is_written_for_evaluation(sft_out):
    summary = json.loads((sft_out / "summary.json").read_text())
    held_out = [json.loads(line) for line in (sft_out / "eval_holdout.jsonl").read_text().splitlines()]
    assert summary["data"]["eval_split"]["file"] == "eval_holdout.jsonl"
    assert len(held_out) == summary["data"]["eval_split"]["eval"] > 0
    source = [json.loads(line) for line in (SAMPLES / "sft-sample.jsonl").read_text().splitlines() if line.strip()]
    assert all(row in source for row in held_out)


@pytest.fixture(scope="module")
def adapter_eval(sft_out, workdir):
    config = {"model_path": json.loads((sft_out / "summary.json").read_text())["config"]["model_path"],
              "adapter_path": str(sft_out / "adapter"), "dataset_path": str(sft_out / "eval_holdout.jsonl"),
              "limit": 4, "max_new_tokens": 16}
    return _eval(workdir, "eval-adapter", config)


def test_adapter_eval_answers_every_row_with_both_models_and_scores_them(adapter_eval):
    sidecar, event = adapter_eval
    report = event["report"]
    assert event["stopped"] is False and report["n"] == 4 and report["models"]["loads"] == 1
    generating = [e for e in sidecar.of_type("progress") if e["stage"] == "generating"]
    assert [e["done"] for e in generating] == list(range(0, 9)) and generating[-1]["total"] == 8
    for ex in report["examples"]:
        for leg in ("base", "tuned"):
            assert ex["scores"][leg] == metrics.score_row(ex[leg], ex["reference"])
            assert 0 < ex["tokens"][leg] <= 16
    assert any(ex["base"] != ex["tuned"] for ex in report["examples"]), "the adapter changed nothing"
    for leg in ("base", "tuned"):
        agg = report[leg]
        assert agg == {**agg, **metrics.aggregate([e["scores"][leg] for e in report["examples"]],
                                                  [e[leg] for e in report["examples"]],
                                                  [e["reference"] for e in report["examples"]])}
        assert agg["tokens_per_second"] > 0 and agg["generated_tokens"] == sum(e["tokens"][leg] for e in report["examples"])
        assert agg["preference_accuracy"] is None and agg["json_valid"] is None


def test_replies_are_greedy_from_the_training_prompt_and_the_base_is_the_plain_base(adapter_eval, sft_out):
    """Recomputed here with plain transformers + PEFT: the tokenizer saved with the adapter, its chat template
    with add_generation_prompt (what training rendered), greedy decoding; base = the model without the adapter."""
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    report = adapter_eval[1]["report"]
    tok = AutoTokenizer.from_pretrained(sft_out / "adapter")
    base = AutoModelForCausalLM.from_pretrained(report["models"]["base"], dtype=torch.float32)

    def reply(model, messages):
        ids = tok.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt")
        out = model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=16, do_sample=False,
                             eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id)
        return tok.decode(out[0, ids.shape[1]:], skip_special_tokens=True).strip()

    ex = report["examples"][0]
    assert reply(base, ex["prompt"]) == ex["base"]
    tuned = PeftModel.from_pretrained(base, str(sft_out / "adapter"))
    assert reply(tuned, ex["prompt"]) == ex["tuned"]


def test_a_full_model_is_compared_with_two_loads(sft_out, workdir, adapter_eval):
    config = {"model_path": adapter_eval[1]["report"]["models"]["base"], "tuned_model_path": str(sft_out / "merged"),
              "dataset_path": str(sft_out / "eval_holdout.jsonl"), "limit": 2, "max_new_tokens": 16}
    sidecar, event = _eval(workdir, "eval-full", config)
    report = event["report"]
    assert report["models"] == {**report["models"], "loads": 2, "adapter": None}
    loading = [(e["done"], e["total"]) for e in sidecar.of_type("progress") if e["stage"] == "loading_model"]
    assert loading[-1] == (2, 2)
    # The base is the same model as with the adapter switched off: same replies.
    assert [e["base"] for e in report["examples"]] == [e["base"] for e in adapter_eval[1]["report"]["examples"][:2]]


def test_dpo_eval_measures_preference_accuracy_and_the_tuned_model_prefers_the_chosen_replies(runs, workdir):
    done = runs.dpo.wait_type("done", timeout=400)
    out = Path(done["output_dir"])
    config = {"model_path": str(runs.model), "adapter_path": str(out / "adapter"),
              "dataset_path": str(SAMPLES / "dpo-sample.jsonl"), "objective": "dpo", "limit": 16, "max_new_tokens": 4}
    report = _eval(workdir, "eval-dpo", config)[1]["report"]
    base, tuned = report["base"], report["tuned"]
    assert tuned["preference_accuracy"] > base["preference_accuracy"], (base, tuned)
    assert tuned["mean_margin"] > base["mean_margin"]
    assert all(set(ex["margins"]) == {"base", "tuned"} for ex in report["examples"])
    assert report["examples"][0]["reference"] == json.loads((SAMPLES / "dpo-sample.jsonl").read_text()
                                                            .splitlines()[0])["chosen"][-1]["content"]


def test_a_stop_ends_with_a_report_of_the_rows_both_models_finished(sft_out, workdir, adapter_eval):
    config = {"model_path": adapter_eval[1]["report"]["models"]["base"], "adapter_path": str(sft_out / "adapter"),
              "dataset_path": str(SAMPLES / "sft-sample.jsonl"), "limit": 200, "max_new_tokens": 64}
    due = lambda e: e["type"] == "progress" and e["stage"] == "generating" and e["done"] >= 3  # noqa: E731
    _, event = _eval(workdir, "eval-stop", config, stop_when=due)
    report = event["report"]
    assert event["stopped"] is True and 1 <= report["n"] < 200
    assert len(report["examples"]) == report["n"]


def test_bad_eval_configs_name_their_field():
    with pytest.raises(SidecarError) as e:
        parse_eval({"model_path": "m", "dataset_path": "d.jsonl"})
    assert e.value.code == "BAD_CONFIG" and e.value.extra["field"] == "adapter_path"
    with pytest.raises(SidecarError) as e:
        parse_eval({"model_path": "m", "dataset_path": "d.jsonl", "adapter_path": "a", "limit": 0})
    assert e.value.extra["field"] == "limit"
    assert validator("command").is_valid({"cmd": "eval", "config": {}})
