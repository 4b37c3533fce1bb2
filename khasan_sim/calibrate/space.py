"""The search space of a calibration: parameters with bounds, mapped to the unit cube.

Every fitted parameter is a :class:`Dim`: its key, its bounds, a linear or logarithmic
scale, and whether its value is a whole number. The search works in the unit cube
``[0, 1]^d``; :meth:`Dim.value` maps a coordinate to a parameter value, rounded to
:data:`SIGNIFICANT` significant digits (or to a whole number) and clipped into the
bounds, so that the value a candidate was scored with is exactly the value written to
the parameter file, and always inside the bounds.

:func:`latin_hypercube` draws a seeded Latin-hypercube design: each of the ``n`` equal
slices of every axis holds exactly one point, placed at random inside its slice.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

#: Significant digits of a fitted value (a parameter file says 0.123, not 0.12345678).
SIGNIFICANT = 3

Scale = Literal["linear", "log"]


def round_significant(x: float, digits: int = SIGNIFICANT) -> float:
    """Return *x* rounded to *digits* significant digits (0 stays 0)."""
    if x == 0 or not math.isfinite(x):
        return float(x)
    exponent = math.floor(math.log10(abs(x)))
    return float(round(x, digits - 1 - exponent))


@dataclass(frozen=True)
class Dim:
    """One fitted parameter.

    Attributes:
        key: The dotted parameter key.
        low: The lowest value allowed.
        high: The highest value allowed (``high > low``).
        scale: ``linear``, or ``log`` (the unit coordinate is uniform in log value; needs
            ``low > 0``).
        integer: The value is a whole number (the parameter file holds an integer).
    """

    key: str
    low: float
    high: float
    scale: Scale = "linear"
    integer: bool = False

    def __post_init__(self) -> None:
        if not (math.isfinite(self.low) and math.isfinite(self.high)) or self.high <= self.low:
            msg = f"{self.key}: bounds must be two numbers, low below high (got [{self.low}, {self.high}])"
            raise ValueError(msg)
        if self.scale == "log" and self.low <= 0:
            msg = f"{self.key}: a log scale needs a positive lower bound (got {self.low})"
            raise ValueError(msg)
        if self.integer and math.ceil(self.low) > math.floor(self.high):
            msg = f"{self.key}: no whole number lies within [{self.low}, {self.high}]"
            raise ValueError(msg)

    def clip(self, value: float) -> float:
        """Return *value* moved into the bounds (and to a whole number for an integer Dim)."""
        if self.integer:
            v = float(round(value))
            return float(min(max(v, math.ceil(self.low)), math.floor(self.high)))
        return float(min(max(value, self.low), self.high))

    def value(self, u: float) -> float:
        """Return the parameter value at unit coordinate *u* (clipped to [0, 1] first)."""
        u = min(max(float(u), 0.0), 1.0)
        if self.scale == "log":
            raw = math.exp(math.log(self.low) + u * (math.log(self.high) - math.log(self.low)))
        else:
            raw = self.low + u * (self.high - self.low)
        if not self.integer:
            raw = round_significant(raw)
        return self.clip(raw)

    def unit(self, value: float) -> float:
        """Return the unit coordinate of *value* (a value outside the bounds is clipped)."""
        v = min(max(float(value), self.low), self.high)
        if self.scale == "log":
            return (math.log(v) - math.log(self.low)) / (math.log(self.high) - math.log(self.low))
        return (v - self.low) / (self.high - self.low)


Point = tuple[float, ...]
"""A candidate: one parameter value per Dim, in the Dims' order."""


def values_at(dims: Sequence[Dim], u: Sequence[float]) -> Point:
    """Return the parameter values at the unit point *u*."""
    if len(u) != len(dims):
        msg = f"a point needs {len(dims)} coordinates (got {len(u)})"
        raise ValueError(msg)
    return tuple(d.value(x) for d, x in zip(dims, u, strict=True))


def unit_of(dims: Sequence[Dim], values: Sequence[float]) -> tuple[float, ...]:
    """Return the unit point of the parameter *values*."""
    return tuple(d.unit(v) for d, v in zip(dims, values, strict=True))


def as_mapping(dims: Sequence[Dim], values: Sequence[float]) -> dict[str, float | int]:
    """Return ``{key: value}`` for a candidate (whole numbers as int)."""
    return {d.key: (int(v) if d.integer else float(v)) for d, v in zip(dims, values, strict=True)}


def inside(dims: Sequence[Dim], values: Mapping[str, float] | Sequence[float]) -> bool:
    """Return True if every value lies within its Dim's bounds."""
    seq = [values[d.key] for d in dims] if isinstance(values, Mapping) else list(values)
    return all(d.low <= v <= d.high for d, v in zip(dims, seq, strict=True))


def latin_hypercube(n: int, d: int, rng: np.random.Generator) -> np.ndarray:
    """Return an ``n x d`` Latin-hypercube sample of the unit cube.

    Each column is a random permutation of the ``n`` slices ``[k/n, (k+1)/n)`` with one
    uniform point inside each slice; the draws come from *rng* only (same seed, same design).

    Raises:
        ValueError: ``n`` or ``d`` is below 1.
    """
    if n < 1 or d < 1:
        msg = f"a Latin hypercube needs at least one point and one dimension (got n={n}, d={d})"
        raise ValueError(msg)
    out = np.empty((n, d), dtype=float)
    for j in range(d):
        slices = rng.permutation(n)
        out[:, j] = (slices + rng.random(n)) / n
    return out
