"""The checks behind BAD_CONFIG / BAD_DATA / EMPTY_DATASET, called directly (no process, no model)."""

from __future__ import annotations

import io
import json
import threading
from pathlib import Path

import pytest

from hone_sidecar import data
from hone_sidecar.config import parse
from hone_sidecar.device import DeviceInfo
from hone_sidecar.errors import SidecarError
from hone_sidecar.protocol import Emitter
from hone_sidecar.run import Run

BASE = {"model_path": "m", "dataset_path": "d.jsonl", "output_dir": "o"}
CPU = DeviceInfo(cuda=False, device="cpu", torch="2.8.0", bf16=False, gpu_total_gb=None, unsloth_installed=False)


@pytest.mark.parametrize("over, field, words", [
    ({"batch_size": 2.5}, "batch_size", "must be an integer"),
    ({"method": "prefix-tuning"}, "method", "'qlora', 'lora', 'full'"),
    ({"learning_rate": 0}, "learning_rate", "more than 0"),
    ({"target_modules": "q_proj"}, "target_modules", "list of module names or 'all-linear'"),
    ({"merge": "yes"}, "merge", "true or false"),
    ({"method": "full", "load_in_4bit": True}, "load_in_4bit", "cannot be true"),
    ({"objective": "dpo", "max_seq_length": 128, "max_prompt_length": 128}, "max_prompt_length", "smaller"),
])
def test_config_errors_name_the_field(over, field, words):
    with pytest.raises(SidecarError) as e:
        parse({**BASE, **over})
    assert e.value.code == "BAD_CONFIG" and e.value.extra["field"] == field
    assert words in e.value.message and field in e.value.message


def test_missing_field_and_non_object():
    with pytest.raises(SidecarError, match="config.output_dir is required"):
        parse({"model_path": "m", "dataset_path": "d"})
    with pytest.raises(SidecarError, match="must be a JSON object"):
        parse(["not", "an", "object"])


def _write(tmp_path: Path, *lines: str) -> str:
    path = tmp_path / "d.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def test_every_bad_line_is_listed_with_its_number(tmp_path):
    good = json.dumps({"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]})
    path = _write(tmp_path, good, "{oops", json.dumps({"messages": [{"role": "user", "content": "q"}]}), "",
                  json.dumps({"text": "plain"}), json.dumps([1, 2]), good)
    with pytest.raises(SidecarError) as e:
        data.load(path, "sft")
    assert e.value.code == "BAD_DATA" and e.value.extra["lines"] == [2, 3, 5, 6]
    for words in ("line 2: not valid JSON", "line 3: 'messages' has no assistant message",
                  "line 5: expected a 'messages' list", "line 6: each line must be a JSON object"):
        assert words in e.value.message


def test_dpo_rows_accept_strings_and_message_lists(tmp_path):
    path = _write(tmp_path,
                  json.dumps({"prompt": "Hi?", "chosen": "Hello.", "rejected": "Go away."}),
                  json.dumps({"prompt": [{"role": "user", "content": "Hi?"}],
                              "chosen": [{"role": "assistant", "content": "Hello."}], "rejected": "No."}))
    rows = data.load(path, "dpo")
    assert rows.rows[0] == {"prompt": [{"role": "user", "content": "Hi?"}],
                            "chosen": [{"role": "assistant", "content": "Hello."}],
                            "rejected": [{"role": "assistant", "content": "Go away."}]}
    bad = _write(tmp_path, json.dumps({"prompt": "Hi?", "chosen": "Same.", "rejected": "Same."}),
                 json.dumps({"prompt": "Hi?", "chosen": "x"}))
    with pytest.raises(SidecarError) as e:
        data.load(bad, "dpo")
    assert "line 1: 'chosen' and 'rejected' are identical" in e.value.message
    assert "line 2: missing 'rejected'" in e.value.message


def test_empty_and_missing_files(tmp_path):
    with pytest.raises(SidecarError) as e:
        data.load(_write(tmp_path, "", "  "), "sft")
    assert e.value.code == "EMPTY_DATASET"
    with pytest.raises(SidecarError) as e:
        data.load(str(tmp_path / "nope.jsonl"), "sft")
    assert e.value.code == "BAD_DATA" and "does not exist" in e.value.message


def _run_error(config: dict) -> dict:
    buf = io.StringIO()
    code = Run(config, Emitter(buf), threading.Event(), CPU).execute()
    events = [json.loads(line) for line in buf.getvalue().splitlines()]
    assert code == 2 and events[-1]["type"] == "error", events
    return events[-1]


def test_output_folder_rules(tmp_path):
    dataset = _write(tmp_path, json.dumps({"messages": [{"role": "user", "content": "q"},
                                                        {"role": "assistant", "content": "a"}]}))
    used = tmp_path / "used"
    (used / "checkpoints" / "checkpoint-5").mkdir(parents=True)
    error = _run_error({**BASE, "dataset_path": dataset, "output_dir": str(used)})
    assert error["field"] == "output_dir" and "already holds checkpoints" in error["message"]
    error = _run_error({**BASE, "dataset_path": dataset, "output_dir": str(tmp_path / "new"),
                        "resume_from_checkpoint": "latest"})
    assert error["field"] == "resume_from_checkpoint" and "no checkpoint" in error["message"]
