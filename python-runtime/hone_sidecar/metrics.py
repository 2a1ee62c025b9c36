"""The evaluation metrics: the ONE place Hone scores a reply against its reference.

The sidecar's base-vs-tuned evaluation, the scorer the app sends Ollama's replies to
(`python -m hone_sidecar.score`) and therefore the run page, the exported report and `hone eval --json`
all get their numbers from here, so they cannot disagree.

Per row:
  rouge_l        ROUGE-L F1 (Google's rouge-score package), on lower-cased Unicode words, in [0, 1]
  chrf           chrF (sacrebleu, character 6-grams, beta 2), scaled from sacrebleu's [0, 100] to [0, 1]
  exact_match    the reply equals the reference after whitespace normalisation
  json_valid     the reply parses as JSON; None when the reference itself is not JSON (object or array)
  json_same_keys the reply is a JSON object with exactly the reference object's keys; None when the
                 reference is not a JSON object
  length_ratio   reply characters / reference characters; None for an empty reference

Aggregates are means over the rows where a metric applies (None when it applies to none), except
length_ratio, which is total reply characters over total reference characters (one very short reference
must not dominate it).
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any, Iterable

ROW_METRICS = ("rouge_l", "chrf", "exact_match", "json_valid", "json_same_keys")
DIGITS = 4


def normalise(text: str) -> str:
    """Whitespace-insensitive form: runs of whitespace become one space, ends trimmed."""
    return " ".join(text.split())


@lru_cache(maxsize=1)
def _scorers():
    from rouge_score import rouge_scorer, tokenizers
    from sacrebleu.metrics import CHRF

    class Words(tokenizers.Tokenizer):
        # rouge-score's default tokenizer keeps only [a-z0-9]: every non-Latin reply would score 0.
        def tokenize(self, text):  # noqa: D401 - rouge-score's interface
            return re.findall(r"\w+", text.lower())

    return rouge_scorer.RougeScorer(["rougeL"], tokenizer=Words()), CHRF()


def _as_json(text: str) -> tuple[bool, Any]:
    try:
        return True, json.loads(text.strip())
    except (ValueError, RecursionError):
        return False, None


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), DIGITS)


def score_row(prediction: str, reference: str) -> dict[str, Any]:
    rouge, chrf = _scorers()
    ref_is_json, ref_value = _as_json(reference)
    ref_is_json = ref_is_json and isinstance(ref_value, (dict, list))
    json_valid = json_same_keys = None
    if ref_is_json:
        ok, value = _as_json(prediction)
        json_valid = ok
        if isinstance(ref_value, dict):
            json_same_keys = ok and isinstance(value, dict) and set(value) == set(ref_value)
    return {
        "rouge_l": _round(rouge.score(reference, prediction)["rougeL"].fmeasure),
        "chrf": _round(chrf.sentence_score(prediction, [reference]).score / 100.0),
        "exact_match": normalise(prediction) == normalise(reference),
        "json_valid": json_valid,
        "json_same_keys": json_same_keys,
        "length_ratio": _round(len(prediction) / len(reference)) if reference else None,
    }


def _mean(values: Iterable[Any]) -> float | None:
    present = [float(v) for v in values if v is not None]
    return _round(sum(present) / len(present)) if present else None


def aggregate(rows: list[dict[str, Any]], predictions: list[str], references: list[str]) -> dict[str, Any]:
    """Means over the rows (see the module doc); every key is present, None where nothing applies."""
    out: dict[str, Any] = {k: _mean(r[k] for r in rows) for k in ROW_METRICS}
    ref_chars = sum(len(r) for r in references)
    out["length_ratio"] = _round(sum(len(p) for p in predictions) / ref_chars) if ref_chars else None
    return out


def score(predictions: list[str], references: list[str]) -> dict[str, Any]:
    """{"rows": [per-row scores], "aggregate": {...}} for replies and their references, pairwise."""
    if len(predictions) != len(references):
        raise ValueError(f"{len(predictions)} replies for {len(references)} references")
    rows = [score_row(p, r) for p, r in zip(predictions, references)]
    return {"rows": rows, "aggregate": aggregate(rows, predictions, references)}


def speed(tokens: list[int], seconds: list[float]) -> dict[str, Any]:
    """Generation speed of one model over the rows: tokens/s over all replies, mean seconds per reply."""
    total_s = sum(seconds)
    return {
        "tokens_per_second": _round(sum(tokens) / total_s) if total_s > 0 else None,
        "latency_s": _round(total_s / len(seconds)) if seconds else None,
        "generated_tokens": int(sum(tokens)),
    }


def preference(chosen: list[float], rejected: list[float]) -> dict[str, Any]:
    """DPO pairs: the share where the chosen reply's log-probability beats the rejected one's, and the
    mean margin (log p(chosen) - log p(rejected), summed over each reply's tokens)."""
    if not chosen:
        return {"preference_accuracy": None, "mean_margin": None}
    margins = [c - r for c, r in zip(chosen, rejected)]
    return {"preference_accuracy": _round(sum(m > 0 for m in margins) / len(margins)),
            "mean_margin": _round(sum(margins) / len(margins))}
