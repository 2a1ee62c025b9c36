"""Greedy replies and completion log-probabilities for one loaded model, from the chat template training used
(the conversation rendered with add_generation_prompt=True, as tokenise.py renders a training prompt)."""

from __future__ import annotations

import time
from typing import Any

from .tokenise import _ids


class Generator:
    """Greedy replies and completion log-probabilities for one loaded model."""

    def __init__(self, model: Any, tokenizer: Any, max_new_tokens: int, max_len: int) -> None:
        import copy

        self.model, self.tok = model, tokenizer
        self.max_new_tokens, self.max_len = max_new_tokens, max_len
        gen = copy.deepcopy(model.generation_config)
        eos = gen.eos_token_id if isinstance(gen.eos_token_id, list) else [gen.eos_token_id]
        self.eos = sorted({t for t in eos + [tokenizer.eos_token_id] if t is not None})
        # Greedy, whatever sampling defaults the checkpoint ships with.
        gen.do_sample, gen.temperature, gen.top_p, gen.top_k, gen.num_beams = False, None, None, None, 1
        gen.max_new_tokens, gen.eos_token_id, gen.use_cache = max_new_tokens, self.eos, True
        gen.pad_token_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else self.eos[0]
        self.gen = gen

    def prompt_ids(self, messages: list[dict]) -> list[int]:
        return _ids(self.tok.apply_chat_template(messages, tokenize=True, return_dict=True,
                                                 add_generation_prompt=True))

    def reply(self, messages: list[dict]) -> tuple[str, int, float]:
        import torch

        ids = self.prompt_ids(messages)
        room = max(1, self.max_len - self.max_new_tokens)
        ids = ids[-room:]  # a prompt longer than the model takes keeps its end, as DPO's keep_end does
        device = next(self.model.parameters()).device
        input_ids = torch.tensor([ids], device=device)
        started = time.perf_counter()
        with torch.inference_mode():
            out = self.model.generate(input_ids=input_ids, attention_mask=torch.ones_like(input_ids),
                                      generation_config=self.gen)
        new = out[0, len(ids):].tolist()  # .tolist() waits for the device: the time is the real time
        seconds = time.perf_counter() - started
        n = next((i + 1 for i, t in enumerate(new) if t in self.eos), len(new))
        return self.tok.decode(new[:n], skip_special_tokens=True).strip(), n, seconds

    def logp(self, prompt: list[dict], completion: list[dict]) -> float:
        """Sum of log p(completion tokens | prompt), the completion rendered as the chat template renders it."""
        import torch

        p_ids = self.prompt_ids(prompt)
        full = _ids(self.tok.apply_chat_template(prompt + completion, tokenize=True, return_dict=True))
        cut = 0
        while cut < min(len(p_ids), len(full)) and p_ids[cut] == full[cut]:
            cut += 1
        if len(full) > self.max_len:
            drop = len(full) - self.max_len
            full, cut = full[drop:], max(1, cut - drop)
        cut = max(1, cut)
        device = next(self.model.parameters()).device
        with torch.inference_mode():
            logits = self.model(input_ids=torch.tensor([full], device=device)).logits[0, :-1].float()
        logprobs = torch.log_softmax(logits, dim=-1)
        targets = torch.tensor(full[1:], device=logprobs.device)
        picked = logprobs.gather(1, targets.unsqueeze(1)).squeeze(1)[cut - 1:]
        return float(picked.sum())
