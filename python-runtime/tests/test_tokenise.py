"""Loss masking and row checks on the real tiny tokenizer (no training)."""

from __future__ import annotations

import pytest

from hone_sidecar.errors import SidecarError
from hone_sidecar.tokenise import IGNORE, tokenise

CHAT = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi?"},
        {"role": "assistant", "content": "Hello."}, {"role": "user", "content": "Bye?"},
        {"role": "assistant", "content": "Goodbye."}]
PLAIN_CHATML = ("{% for m in messages %}{{ '<|im_start|>' + m['role'] + '\\n' + m['content'] + '<|im_end|>\\n' }}"
                "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}")


@pytest.fixture
def tokenizer(tiny_model):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(tiny_model)


def _trained_text(tokenizer, example) -> str:
    return tokenizer.decode([t for t, label in zip(example["input_ids"], example["labels"]) if label != IGNORE])


def test_generation_markers_train_every_assistant_turn(tokenizer):
    out = tokenise([{"messages": CHAT}], [1], tokenizer, 512, responses_only=True)
    assert out.mode == "assistant_masks"
    assert _trained_text(tokenizer, out.examples[0]) == "Hello.<|im_end|>Goodbye.<|im_end|>"


def test_without_markers_only_the_last_reply_is_trained(tokenizer):
    tokenizer.chat_template = PLAIN_CHATML
    out = tokenise([{"messages": CHAT}], [1], tokenizer, 512, responses_only=True)
    assert out.mode == "last_reply"
    assert _trained_text(tokenizer, out.examples[0]) == "Goodbye.<|im_end|>\n"


def test_everything_is_trained_when_asked(tokenizer):
    out = tokenise([{"messages": CHAT}], [1], tokenizer, 512, responses_only=False)
    assert out.examples[0]["labels"] == out.examples[0]["input_ids"]


def test_long_rows_are_cut_and_replyless_rows_reported(tokenizer):
    long_prompt = [{"role": "user", "content": "word " * 200}, {"role": "assistant", "content": "ok"}]
    rows = [{"messages": CHAT}, {"messages": long_prompt}]
    out = tokenise(rows, [3, 9], tokenizer, 24, responses_only=True)
    assert out.truncated == [3, 9] and out.skipped == [9]
    assert len(out.examples) == 1 and len(out.examples[0]["input_ids"]) == 24


def test_a_row_the_template_rejects_is_named_by_line(tokenizer):
    tokenizer.chat_template = ("{% for m in messages %}{% if m['role'] == 'system' %}"
                               "{{ raise_exception('System role not supported') }}{% endif %}"
                               "{{ m['content'] }}{% endfor %}")
    with pytest.raises(SidecarError) as e:
        tokenise([{"messages": CHAT[1:3]}, {"messages": CHAT}], [1, 7], tokenizer, 512, responses_only=False)
    assert e.value.code == "BAD_DATA" and e.value.extra["line"] == 7
    assert "System role not supported" in e.value.message
