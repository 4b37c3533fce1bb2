"""A forecast: what branches of a run from a moment say about the ceasefire.

From the results of N branches (:mod:`khasan_sim.branching`): the chance that each
height is held by the Soviets at the ceasefire, and the spread of the losses (median and
90% interval). With a second set of branches in which one order was changed at the moment
(branch ``b`` of both drew the same numbers), the paired difference: for each height the
change in that chance and the branches whose outcome the order changed, for each loss the
median and 90% interval of the branch-by-branch differences.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

LOSSES: tuple[tuple[str, str], ...] = (
    ("soviet.killed", "Soviet killed"),
    ("soviet.wounded", "Soviet wounded"),
    ("soviet.tanks.knocked_out", "Soviet tanks knocked out"),
    ("japanese.killed", "Japanese killed"),
    ("japanese.wounded", "Japanese wounded"),
)
"""The losses a forecast shows: (metric key, label)."""

INTERVAL = (0.05, 0.95)
"""The quantiles of the interval shown (a 90% interval)."""


@dataclass(frozen=True)
class HeightChance:
    """One height at the ceasefire across the branches.

    Attributes:
        zone: The zone id.
        name: Its name.
        soviet: Share of the branches in which the Soviets hold it (0..1).
        gained: With a changed order: branches Soviet with it and not without (else 0).
        lost: With a changed order: branches Soviet without it and not with (else 0).
    """

    zone: str
    name: str
    soviet: float
    gained: int = 0
    lost: int = 0


@dataclass(frozen=True)
class Spread:
    """One loss across the branches (or, paired, its branch-by-branch difference)."""

    key: str
    label: str
    median: float
    low: float
    high: float


@dataclass(frozen=True)
class Forecast:
    """What the branches say.

    Attributes:
        moment: The battle time they branch from.
        runs: Branches summed up.
        failed: Branches that raised (left out).
        heights: Each height's chance of being Soviet at the ceasefire.
        losses: Each loss's spread at the ceasefire.
        changed: The same with one order changed, or None.
        changed_heights: Heights with the changed order, paired with *heights*.
        differences: Paired differences of the losses (changed minus as given).
    """

    moment: str
    runs: int
    failed: int
    heights: tuple[HeightChance, ...]
    losses: tuple[Spread, ...]
    changed: str | None = None
    changed_heights: tuple[HeightChance, ...] = ()
    differences: tuple[Spread, ...] = ()


def _final(result: dict[str, Any]) -> dict[str, Any]:
    """Return a result's snapshot at its end (the latest label)."""
    snaps = result["snapshots"]
    return snaps[max(snaps)]


def _spread(key: str, label: str, values: Sequence[float]) -> Spread:
    x = np.asarray(values, dtype=float)
    low, high = (float(q) for q in np.quantile(x, INTERVAL))
    return Spread(key, label, float(np.median(x)), low, high)


def _soviet(finals: Sequence[dict[str, Any]], zone: str) -> np.ndarray:
    return np.array([f.get(f"objective.{zone}.holder") == "soviet" for f in finals], dtype=bool)


def summarize(
    moment: str,
    results: Sequence[dict[str, Any] | None],
    heights: Sequence[tuple[str, str]],
    changed: Sequence[dict[str, Any] | None] | None = None,
    changed_text: str | None = None,
) -> Forecast:
    """Sum up branches (their result JSON, None for one that raised) into a forecast.

    Args:
        moment: The battle time they branch from.
        results: Branch ``b``'s result at index ``b``.
        heights: The heights shown: (zone id, name).
        changed: With one order changed: branch ``b``'s result at index ``b`` (the same seeds).
        changed_text: The changed order in words.

    Raises:
        ValueError: No branch finished (with a changed order: no pair of branches).
    """
    pairs = [i for i in range(len(results)) if results[i] is not None and (changed is None or changed[i] is not None)]
    if not pairs:
        raise ValueError("no branch finished: nothing to forecast")
    base = [_final(results[i]) for i in pairs]  # type: ignore[index]
    chances = tuple(HeightChance(z, name, float(_soviet(base, z).mean())) for z, name in heights)
    losses = tuple(_spread(k, label, [f.get(k, 0) for f in base]) for k, label in LOSSES)
    if changed is None:
        return Forecast(moment, len(pairs), len(results) - len(pairs), chances, losses)
    other = [_final(changed[i]) for i in pairs]  # type: ignore[index]
    with_order = []
    for z, name in heights:
        a, b = _soviet(base, z), _soviet(other, z)
        with_order.append(HeightChance(z, name, float(b.mean()), int((b & ~a).sum()), int((a & ~b).sum())))
    diffs = tuple(
        _spread(k, label, [float(o.get(k, 0)) - float(f.get(k, 0)) for f, o in zip(base, other, strict=True)])
        for k, label in LOSSES
    )
    return Forecast(moment, len(pairs), len(results) - len(pairs), chances, losses, changed_text, tuple(with_order), diffs)
