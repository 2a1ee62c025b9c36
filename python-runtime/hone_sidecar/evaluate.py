"""One evaluation: base vs tuned on held-out rows, from a raw eval config to a `report` event (exit 0) or an
`error` event (exit 2).

Both models answer every row greedily from the prompt training saw: the conversation up to the reply,
rendered with the tuned model's own chat template and `add_generation_prompt=True` (tokenise.py renders
the training prompt the same way). With a LoRA adapter, base and tuned are one model load: each row is
answered twice, once inside PEFT's `disable_adapter()` and once with the adapter on. A full fine-tune has
no adapter to switch off, so the base answers every row first, is freed, and the tuned model is loaded.

A stop (command, signal, the app leaving) ends the evaluation after the reply in progress; the report then
covers the rows both models finished. Scores come from metrics.py, the one place they are computed.
"""

from __future__ import annotations

import gc
import os
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import data, metrics, modelinfo
from .config import check, defaults
from .device import DeviceInfo
from .errors import SidecarError, Stopped
from .protocol import Emitter, schema
from .generation import Generator
from .run import EXIT_DONE, EXIT_ERROR, _bridge_library_logs, _limit_cpu_threads


@dataclass
class EvalConfig:
    model_path: str
    dataset_path: str
    adapter_path: str | None
    tuned_model_path: str | None
    objective: str
    limit: int
    max_new_tokens: int
    max_seq_length: int | None
    load_in_4bit: bool
    seed: int
    unknown: list[str] = field(default_factory=list)


def parse_eval(raw: Any) -> EvalConfig:
    check(raw, "evalConfig")
    known = schema()["definitions"]["evalConfig"]["properties"]
    values = defaults("evalConfig")
    values.update({k: v for k, v in raw.items() if k in known and v is not None})
    if not values.get("adapter_path") and not values.get("tuned_model_path"):
        raise SidecarError("BAD_CONFIG", "Nothing to compare with the base: config.adapter_path (a LoRA run's adapter "
                           "folder) or config.tuned_model_path (a full model folder) is required.",
                           "Point it at the run's adapter/ or merged/ folder.", field="adapter_path")
    for key in ("model_path", "dataset_path", "adapter_path", "tuned_model_path"):
        if values.get(key) and os.path.exists(os.path.expanduser(values[key])):
            values[key] = os.path.abspath(os.path.expanduser(values[key]))
    cfg = EvalConfig(**{k: values.get(k) for k in EvalConfig.__dataclass_fields__ if k not in ("unknown",)})
    cfg.unknown = sorted(k for k in raw if k not in known)
    return cfg


@dataclass
class Item:
    """One held-out row: the prompt training saw, the reply it taught, and a DPO pair's rejected reply."""

    index: int
    line: int
    prompt: list[dict]
    reference: str
    pair_prompt: list[dict] | None = None  # DPO: the pair's prompt, before the chosen/rejected replies
    chosen: list[dict] | None = None
    rejected: list[dict] | None = None


def _last_assistant(messages: list[dict]) -> int:
    return max(i for i, m in enumerate(messages) if m["role"] == "assistant")


def items_from(rows: data.Rows, objective: str, limit: int) -> tuple[list[Item], int]:
    """The first `limit` usable rows; also how many rows had no prompt to answer (skipped)."""
    out: list[Item] = []
    skipped = 0
    for row, line in zip(rows.rows, rows.lines):
        if len(out) >= limit:
            break
        if objective == "sft":
            msgs = row["messages"]
            last = _last_assistant(msgs)
            prompt, reference = msgs[:last], msgs[last]["content"]
            pair_prompt = chosen = rejected = None
        else:
            last = _last_assistant(row["chosen"])
            prompt = row["prompt"] + row["chosen"][:last]
            reference = row["chosen"][last]["content"]
            pair_prompt, chosen, rejected = row["prompt"], row["chosen"], row["rejected"]
        if not prompt:
            skipped += 1
            continue
        out.append(Item(len(out), line, prompt, reference, pair_prompt, chosen, rejected))
    return out, skipped


@dataclass
class Leg:
    """What one model produced over the rows."""

    replies: list[str] = field(default_factory=list)
    tokens: list[int] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    chosen_logp: list[float] = field(default_factory=list)
    rejected_logp: list[float] = field(default_factory=list)


class Evaluation:
    def __init__(self, raw: Any, emitter: Emitter, stop_event: threading.Event, dev: DeviceInfo) -> None:
        self.raw, self.emitter, self.stop_event, self.dev = raw, emitter, stop_event, dev
        self.started = time.time()
        self.cfg: EvalConfig | None = None
        self.items: list[Item] = []
        self.legs = {"base": Leg(), "tuned": Leg()}
        self.rows_total = 0
        self.load_s = 0.0
        self.generate_s = 0.0
        self.done_replies = 0

    def execute(self) -> int:
        try:
            stopped = self._execute()
        except SidecarError as e:
            self.emitter.emit("error", **e.event_fields())
            return EXIT_ERROR
        except Stopped:
            stopped = True
        except Exception as e:  # noqa: BLE001 - the app must get a reason, whatever failed
            traceback.print_exc()
            oom = "out of memory" in str(e).lower()
            detail = "".join(traceback.format_exception(type(e), e, e.__traceback__))[-4000:]
            self.emitter.emit("error", code="OOM" if oom else "INTERNAL", message=f"{type(e).__name__}: {e}"[:2000],
                              hint=("The GPU ran out of memory while evaluating: lower max_new_tokens, or close "
                                    "what else uses the GPU." if oom else SidecarError("INTERNAL", "x").hint),
                              detail=detail)
            return EXIT_ERROR
        self.emitter.emit("report", stopped=stopped, report=self._report())
        return EXIT_DONE

    def _check_stop(self) -> None:
        if self.stop_event.is_set():
            raise Stopped()

    # -- steps -----------------------------------------------------------------------------------------
    def _execute(self) -> bool:
        em = self.emitter
        em.progress("validating", 0, 1, "step")
        cfg = self.cfg = parse_eval(self.raw)
        if cfg.unknown:
            em.log("warning", f"Ignoring unknown config field(s): {', '.join(cfg.unknown)}.")
        rows = data.load(cfg.dataset_path, cfg.objective, "dataset_path")
        self.rows_total = len(rows.rows)
        self.items, skipped = items_from(rows, cfg.objective, cfg.limit)
        if skipped:
            em.log("warning", f"{skipped} row(s) start with the reply and have no prompt to answer; left out.")
        if not self.items:
            raise SidecarError("EMPTY_DATASET", "No row of the evaluation set has a prompt to answer.",
                               field="dataset_path")
        base_ref, base_config = modelinfo.resolve(cfg.model_path)
        tuned_ref = self._tuned_ref()
        if base_config is not None:
            for key in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE"):
                os.environ.setdefault(key, "1")
        limit = modelinfo.max_positions(base_config) or 4096
        max_len = min(cfg.max_seq_length or limit, limit)
        em.progress("validating", 1, 1, "step")
        self._check_stop()

        from transformers import set_seed

        _bridge_library_logs(em)
        set_seed(cfg.seed)
        tokenizer = self._tokenizer(base_ref)
        total = 2 * len(self.items)
        if cfg.adapter_path:
            model = self._load(base_ref, loads=1)
            from peft import PeftModel

            model = PeftModel.from_pretrained(model, cfg.adapter_path)
            model.eval()
            em.progress("loading_model", 1, 1, "model")
            gen = Generator(model, tokenizer, cfg.max_new_tokens, max_len)
            em.progress("generating", 0, total, "reply")
            for item in self.items:
                with model.disable_adapter():
                    self._answer(gen, item, "base", total)
                self._answer(gen, item, "tuned", total)
        else:
            model = self._load(base_ref, loads=2)
            em.progress("loading_model", 1, 2, "model")
            gen = Generator(model, tokenizer, cfg.max_new_tokens, max_len)
            em.progress("generating", 0, total, "reply")
            for item in self.items:
                self._answer(gen, item, "base", total)
            del gen, model
            _free()
            model = self._load(tuned_ref, loads=2, first=False)
            em.progress("loading_model", 2, 2, "model")
            gen = Generator(model, tokenizer, cfg.max_new_tokens, max_len)
            for item in self.items:
                self._answer(gen, item, "tuned", total)
        return False

    def _tuned_ref(self) -> str:
        cfg = self.cfg
        if cfg.adapter_path:
            adapter = Path(cfg.adapter_path)
            if not (adapter / "adapter_config.json").is_file():
                raise SidecarError("MODEL_NOT_FOUND", f"{adapter} is not a LoRA adapter folder (no adapter_config.json).",
                                   "Point adapter_path at the run's adapter/ folder.", field="adapter_path")
            return str(adapter)
        try:
            return modelinfo.resolve(cfg.tuned_model_path)[0]
        except SidecarError as e:
            raise SidecarError("MODEL_NOT_FOUND", e.message, "Point tuned_model_path at the run's merged/ folder.",
                               field="tuned_model_path") from None

    def _tokenizer(self, base_ref: str) -> Any:
        """The tuned model's tokenizer and chat template (what training rendered with), for both models."""
        from transformers import AutoTokenizer

        from .backends import _fix_tokenizer

        tuned = self.cfg.adapter_path or self.cfg.tuned_model_path
        source = tuned if tuned and (Path(tuned) / "tokenizer_config.json").is_file() else base_ref
        return _fix_tokenizer(AutoTokenizer.from_pretrained(source), self.emitter)

    def _load(self, ref: str, loads: int, first: bool = True) -> Any:
        from transformers import AutoModelForCausalLM

        from .backends import DEVICE_MAP, compute_dtype

        em = self.emitter
        em.progress("loading_model", 0 if first else 1, loads, "model")
        started = time.time()
        kwargs: dict[str, Any] = {"dtype": compute_dtype(self.dev)}
        if self.dev.cuda:
            # Every module on the one GPU the sidecar sees, as training placed it (no silent CPU offload).
            kwargs["device_map"] = dict(DEVICE_MAP)
            if self.cfg.load_in_4bit and first:
                from transformers import BitsAndBytesConfig

                kwargs["quantization_config"] = BitsAndBytesConfig(
                    load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True,
                    bnb_4bit_compute_dtype=kwargs["dtype"])
        try:
            model = AutoModelForCausalLM.from_pretrained(ref, **kwargs)
        except (OSError, ValueError) as e:
            raise SidecarError("MODEL_NOT_FOUND", f"The model {ref} could not be loaded: {e}", field="model_path") from e
        model.config.use_cache = True
        model.eval()
        if not self.dev.cuda:
            _limit_cpu_threads(model, em)
            _generation_threads()
        self.load_s += time.time() - started
        return model

    def _answer(self, gen: Generator, item: Item, leg_name: str, total: int) -> None:
        self._check_stop()
        leg = self.legs[leg_name]
        started = time.perf_counter()
        text, tokens, seconds = gen.reply(item.prompt)
        if item.pair_prompt is not None:
            leg.chosen_logp.append(gen.logp(item.pair_prompt, item.chosen))
            leg.rejected_logp.append(gen.logp(item.pair_prompt, item.rejected))
        leg.replies.append(text)
        leg.tokens.append(tokens)
        leg.seconds.append(seconds)
        self.generate_s += time.perf_counter() - started
        self.done_replies += 1
        self.emitter.progress("generating", self.done_replies, total, "reply")

    # -- the report --------------------------------------------------------------------------------------
    def _report(self) -> dict[str, Any]:
        cfg = self.cfg
        n = min(len(self.legs["base"].replies), len(self.legs["tuned"].replies))
        items = self.items[:n]
        refs = [it.reference for it in items]
        self.emitter.progress("scoring", 0, 1, "step")
        legs: dict[str, Any] = {}
        scored: dict[str, Any] = {}
        for name, leg in self.legs.items():
            s = metrics.score(leg.replies[:n], refs)
            scored[name] = s["rows"]
            pref = metrics.preference(leg.chosen_logp[:n], leg.rejected_logp[:n]) if cfg and cfg.objective == "dpo" \
                else {"preference_accuracy": None, "mean_margin": None}
            legs[name] = {**s["aggregate"], **metrics.speed(leg.tokens[:n], leg.seconds[:n]), **pref}
        self.emitter.progress("scoring", 1, 1, "step")
        examples = []
        for i, it in enumerate(items):
            ex: dict[str, Any] = {
                "index": i, "line": it.line, "prompt": it.prompt, "reference": it.reference,
                "base": self.legs["base"].replies[i], "tuned": self.legs["tuned"].replies[i],
                "scores": {"base": scored["base"][i], "tuned": scored["tuned"][i]},
                "tokens": {"base": self.legs["base"].tokens[i], "tuned": self.legs["tuned"].tokens[i]},
            }
            if it.pair_prompt is not None:
                ex["margins"] = {k: round(self.legs[k].chosen_logp[i] - self.legs[k].rejected_logp[i], 4)
                                 for k in ("base", "tuned")}
            examples.append(ex)
        return {
            "n": n,
            "objective": cfg.objective if cfg else "sft",
            "base": legs["base"],
            "tuned": legs["tuned"],
            "examples": examples,
            "dataset": {"path": cfg.dataset_path if cfg else "", "rows": self.rows_total},
            "settings": {"limit": cfg.limit if cfg else 0, "max_new_tokens": cfg.max_new_tokens if cfg else 0},
            "models": {"base": cfg.model_path if cfg else "", "adapter": cfg.adapter_path if cfg else None,
                       "tuned": cfg.tuned_model_path if cfg else None, "loads": 1 if cfg and cfg.adapter_path else 2},
            "device": self.dev.device,
            "seconds": {"load": round(self.load_s, 2), "generate": round(self.generate_s, 2),
                        "total": round(time.time() - self.started, 2)},
        }


def _generation_threads() -> None:
    """Greedy decoding on the CPU answers one token at a time: hundreds of small ops per token, where a thread
    that waits for a busy core stalls every op. So unless HONE_CPU_THREADS says otherwise, it uses the cores
    that are idle right now (cpu count - load average, at least one). Measured on SmolLM2-135M, 2 cores at
    load 7: 7.4 tokens/s on one thread, 0.4 on two."""
    import torch

    if os.environ.get("HONE_CPU_THREADS", "").isdigit():
        return
    try:
        idle = (os.cpu_count() or 1) - os.getloadavg()[0]
    except (AttributeError, OSError):  # no load average (Windows): leave torch's default
        return
    torch.set_num_threads(max(1, min(torch.get_num_threads(), int(idle))))


def _free() -> None:
    gc.collect()
    try:
        import torch

        if torch.cuda.is_available():
            torch.cuda.empty_cache()
    except ImportError:
        pass
