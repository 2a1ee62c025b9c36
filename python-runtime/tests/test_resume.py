"""Stop after a few steps, resume from the last checkpoint: the run ends exactly where an uninterrupted one does."""

from __future__ import annotations

from pathlib import Path

from conftest import SFT_STEPS, STOP_AFTER


def test_stop_saves_then_resume_matches_the_uninterrupted_run(runs, sft_done):
    # The stop command went out (from the reader thread) as soon as step STOP_AFTER was reported, and the
    # resume run (same config + resume_from_checkpoint: "latest") started as soon as that process exited.
    resumed = runs.wait_resumed()
    stopped = runs.stopped
    assert runs.stopped_exit == 0
    done = stopped.wait_type("done")
    assert done["type"] == "done" and done["stopped"] is True, done
    stop_step = done["final_step"]
    assert STOP_AFTER <= stop_step < SFT_STEPS
    out = Path(done["output_dir"])
    # Graceful stop: the step in hand is finished, logged, checkpointed and its adapter saved (the files
    # themselves are overwritten by the resumed run by now; that it resumed at stop_step + 1 proves them).
    assert stopped.of_type("metrics")[-1]["step"] == stop_step
    assert stopped.of_type("checkpoint")[-1] == {**stopped.of_type("checkpoint")[-1], "step": stop_step,
                                                 "path": str(out / "checkpoints" / f"checkpoint-{stop_step}")}
    assert [a["kind"] for a in stopped.of_type("artifact")] == ["adapter", "summary"]  # no merge when stopped

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
