"""Random draws inside the compiled kernels, from the run's named numpy streams.

A kernel call takes a *state*: a one-element uint64 array seeded by the caller with one
raw 64-bit draw of the run's numpy Generator for that purpose (``direct-fire``,
``artillery-rounds/<battery>``...). The kernel then draws what it needs from SplitMix64
(Steele, Lea and Flood 2014; the seeding generator of xoshiro, passes BigCrush) run from
that seed, so each call's draws are a pure function of the run's seed, the purpose and the
call's place in the stream, in any process. (Passing the numpy Generator itself costs a
numba kernel call about 7 microseconds, more than most pulses' draws.)
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53


@njit(cache=True)
def next_u64(state):
    """Return the next 64-bit output of SplitMix64 and advance *state*."""
    z = state[0] + _GAMMA
    state[0] = z
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


@njit(cache=True)
def uniform(state):
    """Return a uniform draw in [0, 1) with 53 random bits."""
    return float(next_u64(state) >> np.uint64(11)) * _TO_UNIT


@njit(cache=True)
def binomial(n, p, state):
    """Return a Binomial(n, p) draw by inversion, searching out from the mode.

    The outcomes are taken in the order mode, mode + 1, mode - 1, mode + 2, ... and the
    first whose running total of probability passes a uniform draw is returned: an exact
    sampler (up to rounding) that needs about sqrt(n p q) steps and never underflows,
    since it starts where the probability is largest.
    """
    if n <= 0 or p <= 0.0:
        return 0
    if p >= 1.0:
        return n
    u = uniform(state)
    q = 1.0 - p
    mode = int(math.floor((n + 1) * p))  # noqa: RUF046 (numba types math.floor by its argument)
    if mode > n:
        mode = n
    log_pm = math.lgamma(n + 1.0) - math.lgamma(mode + 1.0) - math.lgamma(n - mode + 1.0) + mode * math.log(p) + (n - mode) * math.log(q)
    pm = math.exp(log_pm)
    total = pm
    if u < total:
        return mode
    up_k, up_p = mode, pm
    down_k, down_p = mode, pm
    ratio = p / q
    while up_k < n or down_k > 0:
        if up_k < n:
            up_p *= (n - up_k) / (up_k + 1.0) * ratio
            up_k += 1
            total += up_p
            if u < total:
                return up_k
        if down_k > 0:
            down_p *= down_k / (n - down_k + 1.0) / ratio
            down_k -= 1
            total += down_p
            if u < total:
                return down_k
    return mode  # the probabilities summed to just under u by rounding: the likeliest outcome


class KernelStream:
    """The seed a kernel call draws from, taken from one of the run's numpy Generators."""

    __slots__ = ("generator", "state")

    def __init__(self, generator: np.random.Generator) -> None:
        self.generator = generator
        self.state = np.zeros(1, dtype=np.uint64)

    def next(self) -> np.ndarray:
        """Return the state for the next kernel call (seeded by one raw draw of the Generator)."""
        self.state[0] = self.generator.bit_generator.random_raw()
        return self.state
