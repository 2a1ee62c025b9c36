"""The evaluation metrics (metrics.py) and the scorer process the app sends Ollama's replies to (score.py)."""

from __future__ import annotations

import json
import subprocess

import pytest

from hone_sidecar import metrics
from sidecar_proc import PYTHON, RUNTIME_DIR, sidecar_env


def test_identical_replies_score_one_and_unrelated_ones_near_zero():
    same = metrics.score_row("The cat sat on the mat.", "The cat sat on the mat.")
    assert same == {"rouge_l": 1.0, "chrf": 1.0, "exact_match": True, "json_valid": None, "json_same_keys": None,
                    "length_ratio": 1.0}
    other = metrics.score_row("Quantum chromodynamics", "The cat sat on the mat.")
    assert other["rouge_l"] == 0.0 and other["chrf"] < 0.15 and other["exact_match"] is False


def test_rouge_l_is_rouge_score_and_chrf_is_sacrebleu_scaled_to_one():
    from rouge_score import rouge_scorer
    from sacrebleu.metrics import CHRF

    pred, ref = "the quick brown fox jumps", "a quick brown dog jumps high"
    row = metrics.score_row(pred, ref)
    assert row["rouge_l"] == pytest.approx(rouge_scorer.RougeScorer(["rougeL"]).score(ref, pred)["rougeL"].fmeasure,
                                           abs=1e-4)
    assert row["chrf"] == pytest.approx(CHRF().sentence_score(pred, [ref]).score / 100, abs=1e-4)
    assert 0 < row["rouge_l"] < 1 and 0 < row["chrf"] < 1


def test_non_latin_text_is_scored_not_zeroed():
    # rouge-score's own tokenizer keeps only [a-z0-9]: Cyrillic would score 0 against itself.
    assert metrics.score_row("Привет, мир", "Привет мир")["rouge_l"] == 1.0


def test_exact_match_ignores_whitespace_only():
    assert metrics.score_row("  a  b\n\nc ", "a b c")["exact_match"] is True
    assert metrics.score_row("a b c.", "a b c")["exact_match"] is False


def test_json_validity_and_keys_apply_only_to_json_references():
    ref = '{"city": "Oslo", "temp_c": 3}'
    good = metrics.score_row('{"temp_c": 5, "city": "Oslo"}', ref)
    assert good["json_valid"] is True and good["json_same_keys"] is True and good["exact_match"] is False
    assert metrics.score_row('{"city": "Oslo"}', ref)["json_same_keys"] is False
    bad = metrics.score_row("The city is Oslo.", ref)
    assert bad["json_valid"] is False and bad["json_same_keys"] is False
    array = metrics.score_row("[1, 2]", "[1, 2, 3]")
    assert array["json_valid"] is True and array["json_same_keys"] is None
    # A number or a quoted word is valid JSON too, but not a JSON *format* the model was taught.
    assert metrics.score_row("42", "42")["json_valid"] is None


def test_aggregate_means_where_metrics_apply_and_null_elsewhere():
    preds = ['{"a": 1}', "not json", "free text"]
    refs = ['{"a": 2}', '{"a": 1}', "free text here"]
    out = metrics.score(preds, refs)
    agg = out["aggregate"]
    assert agg["json_valid"] == 0.5 and agg["json_same_keys"] == 0.5  # two JSON references, one valid reply
    assert agg["exact_match"] == 0.0
    assert agg["length_ratio"] == round(sum(map(len, preds)) / sum(map(len, refs)), 4)
    assert agg["rouge_l"] == round(sum(r["rouge_l"] for r in out["rows"]) / 3, 4)
    text_only = metrics.score(["x"], ["y"])["aggregate"]
    assert text_only["json_valid"] is None and text_only["json_same_keys"] is None


def test_speed_and_preference():
    assert metrics.speed([10, 30], [1.0, 1.0]) == {"tokens_per_second": 20.0, "latency_s": 1.0, "generated_tokens": 40}
    assert metrics.speed([], [])["tokens_per_second"] is None
    assert metrics.preference([-1.0, -5.0, -2.0], [-3.0, -4.0, -9.0]) == {"preference_accuracy": 0.6667,
                                                                           "mean_margin": 2.6667}
    assert metrics.preference([], []) == {"preference_accuracy": None, "mean_margin": None}


def _score_process(payload: bytes) -> tuple[int, dict]:
    r = subprocess.run([PYTHON, "-m", "hone_sidecar.score"], input=payload, capture_output=True, cwd=str(RUNTIME_DIR),
                       env=sidecar_env(), timeout=120)
    return r.returncode, json.loads(r.stdout.decode("utf-8").strip().splitlines()[-1])


def test_the_scorer_process_gives_the_same_numbers_as_the_library():
    sets = {"tuned": {"predictions": ['{"city": "Oslo"}', "Привет"], "references": ['{"city": "Oslo"}', "Привет мир"]},
            "base": {"predictions": ["Oslo is a city."], "references": ['{"city": "Oslo"}']}}
    code, out = _score_process(json.dumps({"sets": sets}, ensure_ascii=False).encode("utf-8"))
    assert code == 0
    for name, s in sets.items():
        assert out["sets"][name] == metrics.score(s["predictions"], s["references"])


def test_the_scorer_process_names_bad_input():
    code, out = _score_process(b'{"sets": {"a": {"predictions": ["x"], "references": []}}}')
    assert code == 2 and "1 predictions for 0 references" in out["error"]
    code, out = _score_process(b"not json")
    assert code == 2 and "not JSON" in out["error"]
