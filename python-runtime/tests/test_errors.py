"""Bad input through a real sidecar process: one `error` event with its code, message and hint, then a clean exit
(status 2, no traceback). More cases of the same checks run in-process in test_validation.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest

from conftest import sft_config
from sidecar_proc import SAMPLES, Sidecar


def _cases(tmp: Path, model: Path) -> dict[str, dict[str, Any]]:
    broken = tmp / "broken.jsonl"
    good = (SAMPLES / "sft-sample.jsonl").read_text().splitlines()
    broken.write_text("\n".join(good[:3] + ['{"messages": [{"role": "user", "content": "hi"}'] + good[3:6]) + "\n")
    empty = tmp / "empty.jsonl"
    empty.write_text("\n\n")
    base = lambda **over: sft_config(model, tmp / "out", **over)  # noqa: E731
    return {
        "unknown_model": base(model_path=str(tmp / "no-such-model")),
        "broken_line": base(dataset_path=str(broken)),
        "wrong_type": base(batch_size="8"),
        "empty_dataset": base(dataset_path=str(empty)),
        "seq_too_long": base(max_seq_length=4096),
        "unsloth_without_cuda": base(backend="unsloth"),
        # Issue #12, defect 5: names that match only some of the layers the plan counted (Llama names on Phi-3).
        "lora_mismatch": base(target_modules=["o_proj", "down_proj"]),
    }


@pytest.fixture(scope="module")
def failed(tiny_model: Path, workdir: Path) -> Iterator[dict[str, Sidecar]]:
    tmp = workdir / "errors"
    tmp.mkdir()
    procs = {name: Sidecar(tmp, name).start(cfg) for name, cfg in _cases(tmp, tiny_model).items()}
    yield procs
    for p in procs.values():
        p.close()


def _error(proc: Sidecar) -> dict[str, Any]:
    event = proc.wait_type("error", timeout=300)
    assert proc.finish(timeout=30) == 2
    assert proc.events[-1] is event, "the error must be the last event"
    assert "Traceback" not in proc.stderr_tail(20000)
    assert event["message"] and event["hint"]
    return event


@pytest.mark.parametrize("case, code, field, words", [
    ("unknown_model", "MODEL_NOT_FOUND", "model_path", "no-such-model"),
    ("broken_line", "BAD_DATA", "dataset_path", "line 4"),
    ("wrong_type", "BAD_CONFIG", "batch_size", "config.batch_size must be an integer"),
    ("empty_dataset", "EMPTY_DATASET", "dataset_path", "no examples"),
    ("seq_too_long", "SEQ_TOO_LONG", "max_seq_length", "limit of 1024"),
    ("unsloth_without_cuda", "CUDA_UNAVAILABLE", "backend", "NVIDIA"),
    ("lora_mismatch", "BAD_CONFIG", "target_modules", "the plan counted 38,912"),
])
def test_bad_input_gives_its_code(failed, case, code, field, words):
    event = _error(failed[case])
    assert event["code"] == code, event
    assert event.get("field") == field, event
    assert words in event["message"], event["message"]


def test_broken_line_is_reported_by_number(failed):
    event = _error(failed["broken_line"])
    assert event["line"] == 4 and event["lines"] == [4]
