"""Generates the bundled sample datasets (resources/samples/*.jsonl and style.json).

sft-sample / dpo-sample: small, regular tasks (capitals, opposites, sums, animal sounds, upper-casing) that
the tiny random model of the fast tests learns within a minute on two CPU cores. style-sample / style-eval /
style.json: the demo's house style for SmolLM2 (see style_samples.py). Seeded: running it again reproduces
the committed files byte for byte (a test checks this).

    python -m hone_sidecar.samples_gen [OUT_DIR]
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Callable, Iterator

from . import style_samples

SEED = 1234
SFT_ROWS = 400
DPO_ROWS = 240
SYSTEM = "You are Hone, a concise assistant. Answer in one short sentence."

CAPITALS = {
    "France": "Paris", "Japan": "Tokyo", "Italy": "Rome", "Spain": "Madrid", "Germany": "Berlin",
    "Egypt": "Cairo", "Kenya": "Nairobi", "Peru": "Lima", "Chile": "Santiago", "Canada": "Ottawa",
    "Norway": "Oslo", "Sweden": "Stockholm", "Poland": "Warsaw", "Greece": "Athens", "Ireland": "Dublin",
    "Portugal": "Lisbon", "Austria": "Vienna", "Hungary": "Budapest", "Cuba": "Havana", "India": "New Delhi",
    "China": "Beijing", "Russia": "Moscow", "Mexico": "Mexico City", "Brazil": "Brasilia",
    "Argentina": "Buenos Aires", "Australia": "Canberra", "Finland": "Helsinki", "Denmark": "Copenhagen",
    "Thailand": "Bangkok", "Vietnam": "Hanoi",
}
OPPOSITES = {
    "hot": "cold", "big": "small", "fast": "slow", "up": "down", "early": "late", "happy": "sad",
    "light": "dark", "open": "closed", "full": "empty", "old": "new", "hard": "soft", "wet": "dry",
    "loud": "quiet", "rich": "poor", "strong": "weak", "high": "low", "thick": "thin", "near": "far",
    "left": "right", "first": "last", "day": "night", "win": "lose", "push": "pull", "buy": "sell",
}
SOUNDS = {
    "dog": "woof", "cat": "meow", "cow": "moo", "duck": "quack", "sheep": "baa", "pig": "oink",
    "horse": "neigh", "owl": "hoot", "lion": "roar", "frog": "ribbit", "mouse": "squeak", "bee": "buzz",
}
PHRASES = [
    "good morning", "see you soon", "thank you", "hello world", "well done", "time to go",
    "keep it short", "have a nice day", "all is well", "fine tune me", "small models learn", "read the docs",
]
NUMBER_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]

QA = tuple[str, str, str]  # question, good answer, bad answer


def _capital(rng: random.Random) -> QA:
    country = rng.choice(sorted(CAPITALS))
    wrong = rng.choice([c for k, c in sorted(CAPITALS.items()) if k != country])
    return (f"What is the capital of {country}?", f"The capital of {country} is {CAPITALS[country]}.",
            f"The capital of {country} is {wrong}.")


def _opposite(rng: random.Random) -> QA:
    word = rng.choice(sorted(OPPOSITES))
    return (f"What is the opposite of {word}?", f"The opposite of {word} is {OPPOSITES[word]}.",
            f"The opposite of {word} is {word}.")


def _sum(rng: random.Random) -> QA:
    a, b = rng.randint(0, 9), rng.randint(0, 9)
    off = rng.choice([-2, -1, 1, 2])
    return (f"What is {a} plus {b}?", f"{a} plus {b} is {a + b}.", f"{a} plus {b} is {max(0, a + b + off)}.")


def _count(rng: random.Random) -> QA:
    n = rng.randint(0, 10)
    wrong = NUMBER_WORDS[(n + rng.randint(1, 10)) % 11]
    return (f"Write the number {n} as a word.", f"{n} is written {NUMBER_WORDS[n]}.", f"{n} is written {wrong}.")


def _sound(rng: random.Random) -> QA:
    animal = rng.choice(sorted(SOUNDS))
    wrong = rng.choice([s for k, s in sorted(SOUNDS.items()) if k != animal])
    return (f"What sound does a {animal} make?", f"A {animal} says {SOUNDS[animal]}.", f"A {animal} says {wrong}.")


def _upper(rng: random.Random) -> QA:
    phrase = rng.choice(PHRASES)
    return (f"Reply in capital letters: {phrase}", phrase.upper() + ".", phrase + ".")


TASKS: list[Callable[[random.Random], QA]] = [_capital, _opposite, _sum, _count, _sound, _upper]
# Answers the DPO set prefers less: vague, off-task or rambling replies.
UNHELPFUL = ["I am not sure.", "I cannot answer that.", "Maybe, maybe not.", "Ask someone else.",
             "That is a hard question and I would rather talk about the weather today."]


def sft_rows(rng: random.Random, n: int = SFT_ROWS) -> Iterator[dict]:
    for i in range(n):
        q, a, _ = rng.choice(TASKS)(rng)
        messages = [{"role": "system", "content": SYSTEM}] if i % 3 == 0 else []
        if i % 5 == 0:  # a few two-turn chats, so every assistant turn is trained, not just the last
            q0, a0, _ = rng.choice(TASKS)(rng)
            messages += [{"role": "user", "content": q0}, {"role": "assistant", "content": a0}]
        messages += [{"role": "user", "content": q}, {"role": "assistant", "content": a}]
        yield {"messages": messages}


def dpo_rows(rng: random.Random, n: int = DPO_ROWS) -> Iterator[dict]:
    for i in range(n):
        q, good, bad = rng.choice(TASKS)(rng)
        if i % 2:
            bad = rng.choice(UNHELPFUL)
        prompt = [{"role": "system", "content": SYSTEM}] if i % 4 == 0 else []
        prompt.append({"role": "user", "content": q})
        yield {"prompt": prompt, "chosen": [{"role": "assistant", "content": good}],
               "rejected": [{"role": "assistant", "content": bad}]}


def render() -> dict[str, str]:
    """File name -> JSONL text, exactly as committed."""
    rng = random.Random(SEED)
    out = {}
    for name, rows in (("sft-sample.jsonl", sft_rows(rng)), ("dpo-sample.jsonl", dpo_rows(rng))):
        out[name] = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    # The demo's style set draws from its own stream, so adding it left the two files above unchanged.
    out.update(style_samples.render(random.Random(SEED + 1)))
    return out


def default_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "resources" / "samples"


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else default_dir()
    out.mkdir(parents=True, exist_ok=True)
    for name, text in render().items():
        (out / name).write_text(text, encoding="utf-8")
        print(f"wrote {out / name} ({text.count(chr(10))} lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
