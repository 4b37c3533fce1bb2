"""How lucky was I: where one game falls among a study's runs, entry by record entry.

The same statistics ``khasan-sim compare`` uses to place the record among the runs
(:mod:`khasan_sim.analysis.compare`), applied to the game's own value: the mid-rank
percentile of a count or a time (never reached counts as later than every time), and
for a holder the share of runs that ended with the same holder as the game.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from khasan_sim.analysis.compare import EntryComparison, _hours_array
from khasan_sim.analysis.compare_stats import midrank_percentile


@dataclass(frozen=True)
class GamePosition:
    """Where a game's value falls among a study's runs.

    Attributes:
        entry_id: The record entry.
        percentile: The game's mid-rank percentile among the runs (counts, times), or None.
        share_same: Holder entries: the share of runs with the game's holder, else None.
        text: The position in words.
    """

    entry_id: str
    percentile: float | None
    share_same: float | None
    text: str


def game_position(c: EntryComparison, value: Any) -> GamePosition | None:
    """Return where the game's *value* of an entry falls among the study's runs of it.

    Args:
        c: The study's comparison for the entry (its run values).
        value: The game's value, as :func:`khasan_sim.record.judge_run` reads it (a count,
            hours or None for never, a holder or None for contested).

    Returns:
        The position, or None when the study has no run of the entry or the game no count.
    """
    if not c.values:
        return None
    n = len(c.values)
    if c.kind == "holder":
        names = ["contested" if v is None else str(v) for v in c.values]
        mine = "contested" if value is None else str(value)
        share = names.count(mine) / n
        return GamePosition(c.id, None, share, f"{mine} as in {100 * share:.0f}% of {n} runs")
    if c.kind == "time":
        x = _hours_array(c.values)
        y = math.inf if value is None else float(value)
    else:
        if value is None or isinstance(value, (str, bool)):
            return None
        x = np.asarray(c.values, dtype=float)
        y = float(value)
    p = midrank_percentile(x, y)
    if c.kind == "time" and value is None:
        text = f"never, as in {100 * float(np.mean(~np.isfinite(x))):.0f}% of {n} runs"
    elif np.all(x < y):
        text = f"above all {n} runs" if c.kind == "count" else f"later than all {n} runs"
    elif np.all(x > y):
        text = f"below all {n} runs" if c.kind == "count" else f"earlier than all {n} runs"
    else:
        from khasan_sim.analysis.report import _ordinal  # the report's words for a percentile

        text = f"{_ordinal(p)} percentile of {n} runs"
    return GamePosition(c.id, p, None, text)
