"""The memory check (issue #16) through the real sidecar on the CPU: it measures the process's RSS growth at the
settings under test, asks the host, applies its answer, and the run then trains exactly as one planned with
the final settings from the start (weights, optimiser, random state and data order restored). The tests act
as the host here; the host's own decisions are electron/core/planner/probe-decision.ts (unit-tested there)."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any, Iterator

import pytest

from conftest import dpo_config, sft_config
from sidecar_proc import Sidecar

STEPS = 5


def long_rows(path: Path, rows: int = 40, turns: int = 42) -> Path:
    """Multi-turn chats of ~970 tokens for the tiny model: big enough activations for RSS to tell batches apart."""
    from hone_sidecar.samples_gen import TASKS

    rng = random.Random(0)
    with path.open("w", encoding="utf-8") as f:
        for _ in range(rows):
            messages = []
            for _ in range(turns):
                q, a, _ = rng.choice(TASKS)(rng)
                messages += [{"role": "user", "content": q}, {"role": "assistant", "content": a}]
            f.write(json.dumps({"messages": messages}) + "\n")
    return path


def decide(action: str, batch: int, accum: int, seq: int, message: str, **extra: Any) -> dict[str, Any]:
    return {"cmd": "probe_decision", "action": action, "batch_size": batch, "grad_accum": accum, "max_seq_length": seq,
            "message": message, **extra}


class Host:
    """Answers each memory_probe with the next scripted decision."""

    def __init__(self, *decisions: dict[str, Any]) -> None:
        self.decisions = list(decisions)

    def __call__(self, event: dict[str, Any]) -> dict[str, Any] | None:
        return self.decisions.pop(0) if event["type"] == "memory_probe" and self.decisions else None


@pytest.fixture(scope="module")
def probe_runs(workdir: Path, tiny_model: Path) -> Iterator[dict[str, Sidecar]]:
    data = long_rows(workdir / "long.jsonl")
    base = dict(dataset_path=str(data), max_seq_length=1024, max_steps=STEPS, eval_split=0.1, eval_steps=STEPS,
                save_steps=100, gradient_checkpointing=True)
    runs = {
        # Planned at 8 x 1 and 1024 tokens; the host shrinks it to 4 x 2 at 512 tokens (rows cut), then accepts.
        "checked": Sidecar(workdir, "probe-checked", answer=Host(
            decide("retry", 4, 2, 512, "Checking memory: too much at batch 8 x 1; trying batch 4 x 2 at 512 tokens."),
            decide("accept", 4, 2, 512, "Checking memory: fits.", verdict="replanned", used_gb=0.2, budget_gb=0.3),
        )).start(sft_config(tiny_model, workdir / "probe-checked", batch_size=8, grad_accum=1, memory_probe={},
                            **base)),
        # The same run planned at 4 x 2 and 512 tokens from the start, without a check.
        "planned": Sidecar(workdir, "probe-planned").start(
            sft_config(tiny_model, workdir / "probe-planned", batch_size=4, grad_accum=2,
                       **{**base, "max_seq_length": 512})),
        # DPO: checked and accepted as planned, against the same run unchecked.
        "dpo-checked": Sidecar(workdir, "probe-dpo-checked", answer=Host(
            decide("accept", 4, 2, 128, "Checking memory: fits.", verdict="fits"))).start(
            dpo_config(tiny_model, workdir / "probe-dpo-checked", batch_size=4, grad_accum=2, max_steps=4,
                       lora_dropout=0.1, memory_probe={})),
        "dpo-plain": Sidecar(workdir, "probe-dpo-plain").start(
            dpo_config(tiny_model, workdir / "probe-dpo-plain", batch_size=4, grad_accum=2, max_steps=4, lora_dropout=0.1)),
        # Stopped while the check waits for its answer.
        "stopped": Sidecar(workdir, "probe-stopped", stop_when=lambda e: e["type"] == "memory_probe").start(
            sft_config(tiny_model, workdir / "probe-stopped", batch_size=2, memory_probe={"steps": 1}, max_steps=3)),
        # The host finds it cannot fit.
        "refused": Sidecar(workdir, "probe-refused", answer=Host(
            decide("abort", 2, 1, 256, "Checking memory: 9 of 8 GB even at batch 1.", verdict="does_not_fit",
                   hint="Plan again with QLoRA."))).start(
            sft_config(tiny_model, workdir / "probe-refused", batch_size=2, memory_probe={"steps": 1}, max_steps=3)),
    }
    yield runs
    for r in runs.values():
        r.close()


def test_checked_run_trains_exactly_like_the_run_planned_that_way(probe_runs):
    checked, planned = probe_runs["checked"], probe_runs["planned"]
    end = checked.wait_type("done", timeout=600)
    assert end["type"] == "done" and end["stopped"] is False, end
    reference = planned.wait_type("done", timeout=600)
    assert checked.finish() == 0 and planned.finish() == 0

    probes = checked.of_type("memory_probe")
    assert [(p["batch_size"], p["grad_accum"], p["max_seq_length"]) for p in probes] == [(8, 1, 1024), (4, 2, 512)]
    assert all(p["measure"] == "rss" and p["steps"] == 2 for p in probes)
    # The probe ran the longest rows, cut at the limit under test; the row lengths are before any cut.
    assert probes[0]["tokens"] > 900 and probes[1]["tokens"] == 512
    assert probes[0]["rows"] == 40 and probes[0]["row_tokens"][0] == probes[0]["tokens"]
    # Process memory grows with the batch: 8 rows of ~970 tokens need far more than 4 rows of 512 (measured
    # here: 0.39-0.45 GB against 0.2 GB, of which ~0.15 GB is the model, the data and the libraries' buffers).
    assert probes[0]["peak_gb"] > 1.5 * probes[1]["peak_gb"] > 0, [p["peak_gb"] for p in probes]
    checks = checked.of_type("memory_check")
    assert [c["action"] for c in checks] == ["retry", "accept"]
    assert checks[1]["message"] == "Checking memory: fits." and checks[1]["used_gb"] == 0.2
    # Nothing of the probe reaches the metrics: the first step is step 1 of the real run.
    stages = [e["stage"] for e in checked.of_type("progress")]
    assert "checking_memory" in stages and stages.index("checking_memory") < stages.index("training")

    # Same losses at every step, same eval, same adapter: weights, optimiser, random state and data order restored.
    mine = {m["step"]: m["loss"] for m in checked.of_type("metrics")}
    theirs = {m["step"]: m["loss"] for m in planned.of_type("metrics")}
    assert sorted(mine) == list(range(1, STEPS + 1)) and sorted(theirs) == sorted(mine)
    for step, loss in mine.items():
        assert abs(loss - theirs[step]) < 1e-6, (step, loss, theirs[step])
    assert abs(checked.of_type("eval")[-1]["eval_loss"] - planned.of_type("eval")[-1]["eval_loss"]) < 1e-6
    assert abs(end["final_loss"] - reference["final_loss"]) < 1e-6
    from safetensors.numpy import load_file

    a = load_file(str(Path(end["output_dir"]) / "adapter" / "adapter_model.safetensors"))
    b = load_file(str(Path(reference["output_dir"]) / "adapter" / "adapter_model.safetensors"))
    assert a.keys() == b.keys()
    assert max(float(abs(a[k] - b[k]).max()) for k in a) < 1e-6

    # The settings trained with are kept for a resume, and in the summary.
    stored = json.loads((Path(end["output_dir"]) / "memory_check.json").read_text())
    assert stored["applied"] == {"batch_size": 4, "grad_accum": 2, "max_seq_length": 512}
    summary = json.loads((Path(end["output_dir"]) / "summary.json").read_text())
    assert summary["config"]["batch_size"] == 4 and summary["config"]["max_seq_length"] == 512
    assert [r["batch_size"] for r in summary["data"]["memory_check"]["readings"]] == [8, 4]


def test_a_checked_dpo_run_trains_exactly_like_an_unchecked_one(probe_runs):
    checked, plain = probe_runs["dpo-checked"], probe_runs["dpo-plain"]
    assert checked.wait_type("done", timeout=600)["type"] == "done"
    assert plain.wait_type("done", timeout=600)["type"] == "done"
    assert checked.finish() == 0 and plain.finish() == 0
    probe = checked.of_type("memory_probe")[0]
    # A pair's length is its prompt plus the longer answer; the probe runs the longest pairs.
    assert probe["batch_size"] == 4 and 0 < probe["tokens"] <= 128 and probe["row_tokens"][0] == probe["tokens"]
    mine = [(m["step"], m["loss"], m["rewards/margins"]) for m in checked.of_type("metrics")]
    theirs = [(m["step"], m["loss"], m["rewards/margins"]) for m in plain.of_type("metrics")]
    assert [s for s, _, _ in mine] == [1, 2, 3, 4] == [s for s, _, _ in theirs]
    for (step, loss, margin), (_, loss2, margin2) in zip(mine, theirs):
        assert abs(loss - loss2) < 1e-6 and abs(margin - margin2) < 1e-6, (step, loss, loss2)


def test_a_stop_during_the_check_ends_the_run_at_step_0_with_nothing_saved(probe_runs):
    run = probe_runs["stopped"]
    done = run.wait_type("done", timeout=600)
    assert done["type"] == "done" and done["stopped"] is True and done["final_step"] == 0, done
    assert run.finish() == 0
    assert not run.of_type("metrics") and not run.of_type("checkpoint")
    assert not (Path(done["output_dir"]) / "adapter").exists()


def test_the_host_refusing_ends_the_run_with_does_not_fit_and_its_words(probe_runs):
    run = probe_runs["refused"]
    error = run.wait_type("error", timeout=600)
    assert run.finish() == 2
    assert error["code"] == "DOES_NOT_FIT"
    assert error["message"] == "Checking memory: 9 of 8 GB even at batch 1."
    assert error["hint"] == "Plan again with QLoRA."
    assert run.of_type("memory_check")[0]["verdict"] == "does_not_fit"
    assert not run.of_type("metrics")


def test_a_resumed_run_keeps_the_checked_settings(tmp_path):
    from types import SimpleNamespace

    from hone_sidecar.probe import STORED, use_stored_settings

    cfg = SimpleNamespace(out=tmp_path, batch_size=8, grad_accum=1, max_seq_length=1024)
    logs: list[str] = []
    em = SimpleNamespace(log=lambda level, message: logs.append(message))
    use_stored_settings(cfg, em)
    assert (cfg.batch_size, cfg.grad_accum, cfg.max_seq_length) == (8, 1, 1024) and not logs
    (tmp_path / STORED).write_text(json.dumps({"applied": {"batch_size": 4, "grad_accum": 2, "max_seq_length": 512}}))
    use_stored_settings(cfg, em)
    assert (cfg.batch_size, cfg.grad_accum, cfg.max_seq_length) == (4, 2, 512)
    assert "batch 4 x 2, max_seq_length 512" in logs[0]


def test_the_cuda_measure_is_this_probes_peak_reserved_with_what_the_card_could_give_now():
    """FakeCuda stands in for torch.cuda's counters (no GPU here): cached blocks are released and the peaks reset
    before the steps, so an earlier, larger probe does not show in a later one's figure."""
    from test_gpu_decisions import FakeCuda

    from hone_sidecar.probe import Meter

    class Card(FakeCuda):
        def __init__(self) -> None:
            super().__init__()
            self.calls: list[str] = []

        def synchronize(self) -> None:
            self.calls.append("sync")

        def empty_cache(self) -> None:
            self.calls.append("empty_cache")
            self.reserved = self.allocated

        def memory_reserved(self, device):
            return self.reserved

        def mem_get_info(self, device):
            return int(24 * 1024**3 - self.reserved - 0.8 * 1024**3), 24 * 1024**3

    card = Card()
    card.use(allocated=5.0, reserved=5.0)  # the model
    card.use(allocated=6.0, reserved=14.0)  # an earlier probe at a larger batch, its blocks still cached
    card.allocated = int(5.0 * 1024**3)
    meter = Meter("cuda", None, cuda=card)
    meter.start()
    assert card.calls[:2] == ["sync", "empty_cache"]
    card.use(allocated=9.5, reserved=10.25)  # this probe's steps
    card.use(allocated=5.2, reserved=10.25)
    figures = meter.stop()
    assert figures == {"peak_gb": 10.25, "peak_allocated_gb": 9.5, "available_gb": 23.2}
