"""DPO with a LoRA adapter on the tiny model: the reference is the adapter switched off, and margins grow."""

from __future__ import annotations

import json
from pathlib import Path


def test_dpo_margins_rise_and_adapter_is_written(runs):
    dpo = runs.dpo
    done = dpo.wait_type("done", timeout=300)
    assert dpo.finish() == 0
    assert done["type"] == "done" and not done["stopped"], done
    metrics = dpo.of_type("metrics")
    for key in ("rewards/chosen", "rewards/rejected", "rewards/margins", "rewards/accuracies"):
        assert all(key in m for m in metrics), key
    margins = [m["rewards/margins"] for m in metrics]
    first, last = sum(margins[:4]) / 4, sum(margins[-4:]) / 4
    assert last > first + 0.5 and last > 0.5, margins
    assert sum(m["rewards/accuracies"] for m in metrics[-4:]) / 4 > 0.7
    out = Path(done["output_dir"])
    adapter = out / "adapter"
    assert (adapter / "adapter_model.safetensors").is_file()
    assert json.loads((adapter / "adapter_config.json").read_text())["peft_type"] == "LORA"
    assert json.loads((out / "summary.json").read_text())["objective"] == "dpo"
