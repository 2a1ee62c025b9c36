"""Stop after a few steps, resume from the last checkpoint: the run ends exactly where an uninterrupted one does."""

from __future__ import annotations

from pathlib import Path

from conftest import SFT_STEPS, STOP_AFTER, sft_config
from sidecar_proc import Sidecar


def test_stop_saves_then_resume_matches_the_uninterrupted_run(runs, sft_done):
    stopped = runs.stopped
    # The stop command went out (from the reader thread) as soon as step STOP_AFTER was reported.
    done = stopped.wait_type("done")
    assert stopped.finish() == 0
    assert done["type"] == "done" and done["stopped"] is True, done
    stop_step = done["final_step"]
    assert STOP_AFTER <= stop_step < SFT_STEPS
    out = Path(done["output_dir"])
    # Graceful stop: the step in hand is finished, checkpointed and its adapter saved.
    assert stopped.of_type("checkpoint")[-1]["step"] == stop_step
    assert (out / "checkpoints" / f"checkpoint-{stop_step}" / "adapter_model.safetensors").is_file()
    assert (out / "adapter" / "adapter_model.safetensors").is_file()
    assert stopped.of_type("metrics")[-1]["step"] == stop_step

    resumed = Sidecar(runs.dir, "resume").start(
        sft_config(runs.model, out, merge=True, resume_from_checkpoint="latest"))
    end = resumed.wait_type("done")
    assert resumed.finish() == 0
    assert end["type"] == "done" and end["stopped"] is False, end

    reference = {m["step"]: m["loss"] for m in sft_done.of_type("metrics")}
    after = {m["step"]: m["loss"] for m in resumed.of_type("metrics")}
    assert min(after) == stop_step + 1 and end["final_step"] == SFT_STEPS == max(reference)
    assert abs(end["final_loss"] - sft_done.of_type("done")[0]["final_loss"]) < 1e-6
    for step, loss in after.items():  # every step after the resume, not only the last one
        assert abs(loss - reference[step]) < 1e-6, (step, loss, reference[step])
    ref_evals = {e["step"]: e["eval_loss"] for e in sft_done.of_type("eval")}
    for e in resumed.of_type("eval"):
        assert abs(e["eval_loss"] - ref_evals[e["step"]]) < 1e-6
    assert (out / "merged" / "config.json").is_file()
