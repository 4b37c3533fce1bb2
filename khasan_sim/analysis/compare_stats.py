"""The statistics of :mod:`khasan_sim.analysis.compare` (which re-exports them).

The empirical CRPS of a sample for a recorded value or range, the mid-rank percentile,
and the percentile bootstrap of a difference between two studies.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np


def crps_sample(values: Sequence[float] | np.ndarray, observed: float) -> float:
    """Return the empirical CRPS of the sample *values* for the observation *observed*.

    ``CRPS = mean_i |x_i - y| - (1 / 2n^2) sum_i sum_j |x_i - x_j|``; 0 for a sample that
    is exactly the observation, growing with distance and spread. In the metric's units.

    Raises:
        ValueError: The sample is empty.
    """
    return crps_sample_range(values, observed, observed)


def crps_sample_range(values: Sequence[float] | np.ndarray, low: float, high: float) -> float:
    """Return the empirical CRPS for an observation known only to lie in ``[low, high]``.

    The CRPS averaged over the observation uniform on the range:
    ``mean_i E|x_i - Y| - mean|X - X'| / 2`` with ``Y ~ U(low, high)``, where
    ``E|x - Y|`` is the distance to the range's middle outside it and
    ``((x - low)^2 + (high - x)^2) / (2 (high - low))`` inside. With ``low == high`` it
    is :func:`crps_sample`.

    Raises:
        ValueError: The sample is empty, or ``high < low``.
    """
    x = np.sort(np.asarray(values, dtype=float))
    n = x.size
    if n == 0:
        msg = "crps: no simulated values"
        raise ValueError(msg)
    if high < low:
        msg = f"crps: range low above high (got [{low}, {high}])"
        raise ValueError(msg)
    if high == low:
        to_obs = np.abs(x - low)
    else:
        mid = 0.5 * (low + high)
        inside = (x >= low) & (x <= high)
        to_obs = np.where(x < low, mid - x, x - mid)
        to_obs = np.where(inside, ((x - low) ** 2 + (high - x) ** 2) / (2.0 * (high - low)), to_obs)
    # sum_{i,j} |x_i - x_j| = 2 * sum_i x_(i) * (2i - n - 1), i = 1..n on the sorted sample
    ranks = np.arange(1, n + 1, dtype=float)
    spread = 2.0 * float(np.sum(x * (2.0 * ranks - n - 1.0))) / (n * n)
    return float(np.mean(to_obs) - 0.5 * spread)


def midrank_percentile(values: np.ndarray, y: float) -> float:
    """Return the percentile of *y* in *values*: 100 x (share below + half the share equal)."""
    n = values.size
    below = float(np.count_nonzero(values < y))
    equal = float(np.count_nonzero(values == y))
    return 100.0 * (below + 0.5 * equal) / n


def _finite_or_none(x: float) -> float | None:
    """Return *x*, or None for infinity (a time that was never reached) and NaN."""
    return None if (x is None or not math.isfinite(x)) else float(x)


Statistic = Callable[[np.ndarray], np.ndarray]
"""Maps resampled values (resamples x runs) to one statistic per resample."""


def bootstrap_difference(
    a: np.ndarray,
    b: np.ndarray,
    stat: Statistic,
    rng: np.random.Generator,
    resamples: int,
    paired: bool,
    confidence: float,
) -> tuple[float, float, float, float, float]:
    """Return (stat a, stat b, difference, low, high) with a percentile bootstrap interval."""
    sa = float(stat(a[None, :])[0])
    sb = float(stat(b[None, :])[0])
    if paired:
        idx = rng.integers(0, a.size, size=(resamples, a.size))
        diffs = stat(a[idx]) - stat(b[idx])
    else:
        ia = rng.integers(0, a.size, size=(resamples, a.size))
        ib = rng.integers(0, b.size, size=(resamples, b.size))
        diffs = stat(a[ia]) - stat(b[ib])
    tail = (1.0 - confidence) / 2.0
    low, high = np.quantile(diffs, [tail, 1.0 - tail])
    return sa, sb, sa - sb, float(low), float(high)


def median_of(x: np.ndarray) -> np.ndarray:
    """The median of each row of resampled values (a :data:`Statistic`)."""
    return np.median(x, axis=-1)


def mean_of(x: np.ndarray) -> np.ndarray:
    """The mean of each row of resampled values (a :data:`Statistic`): a share, for 0/1 values."""
    return np.mean(x, axis=-1)
