"""Exponential backoff with jitter, for connection attempts at start-up."""

from __future__ import annotations

import random
from collections.abc import Iterator


def backoff_delays(
    attempts: int, base_s: float, max_s: float, rng: random.Random | None = None
) -> Iterator[float]:
    """Delays to sleep between `attempts` tries: base·2^i capped at max, with 'equal jitter'.

    Equal jitter keeps each delay in [½, 1] of its step, so delays grow from one attempt to the
    next while many processes restarting together still spread out.
    """
    rng = rng or random.Random()
    for i in range(attempts - 1):
        step = min(max_s, base_s * 2**i)
        yield step / 2 + rng.uniform(0, step / 2)
