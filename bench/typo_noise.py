"""Deterministic keyboard noise for training texts (typo augmentation).

Clinicians type fast: swapped or dropped letters, no apostrophes, everything lowercase.
`noisy_variants` returns a fixed number of noised copies of a training text; the random
generator is seeded from (seed, text, copy number), so the copies do not depend on the order
or number of the other examples and training stays deterministic. Plain Python, no Rasa.
Used by bench/nlu_sweep.py only: the augmentation did not help (docs/nlu-report.md).
"""

from __future__ import annotations

import random

APOSTROPHES = "'\u2019"


def _typo(word: str, rng: random.Random) -> str:
    """One character edit inside a word of 4+ letters: swap two neighbours or drop one."""
    if len(word) < 4 or not word.isalpha():
        return word
    i = rng.randrange(1, len(word) - 1)  # keep the first letter: people rarely miss it
    if rng.random() < 0.5:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word[:i] + word[i + 1 :]


def noisy(text: str, rng: random.Random, typo_rate: float = 0.25) -> str:
    """A noised copy: lowercase, often no apostrophes, about `typo_rate` of the words edited."""
    out = text.lower()
    if rng.random() < 0.7:
        for mark in APOSTROPHES:
            out = out.replace(mark, "")
    words = out.split(" ")
    edited = [_typo(w, rng) if rng.random() < typo_rate else w for w in words]
    if edited == words and len(words) > 0:  # make sure at least one word changes if it can
        candidates = [k for k, w in enumerate(words) if len(w) >= 4 and w.isalpha()]
        if candidates:
            k = rng.choice(candidates)
            edited[k] = _typo(words[k], rng)
    return " ".join(edited)


def noisy_variants(text: str, copies: int, seed: int, typo_rate: float = 0.25) -> list[str]:
    """`copies` distinct noised versions of `text` (fewer if noise cannot change it)."""
    variants: list[str] = []
    for n in range(copies):
        rng = random.Random(f"{seed}:{n}:{text}")  # str seeds are hashed with sha512: stable
        candidate = noisy(text, rng, typo_rate)
        if candidate != text and candidate not in variants:
            variants.append(candidate)
    return variants
