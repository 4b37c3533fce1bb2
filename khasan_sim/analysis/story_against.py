"""The story checks of one study against another's (``compare --against``).

For each statement of the history digest that a run can show (scenarios/record/story.yaml),
how often it holds in each study, and the difference: the check's share of runs holding,
in this study and in the other (as each study's own table counts it); the difference
(this minus the other) with its percentile-bootstrap interval over the runs, paired run
by run when the two studies share their study seed (common random numbers, as the
record's differences are); and whether it matters to a reader: the difference is at least
the practical size of a share (scenarios/reports/practical-size.yaml, 10 percentage
points) with its interval off zero, or the check holds (in at least half the runs) in one
study and not in the other.

A teacher's variant reads here as the digest's statements it changes: the tanks sent round
the swamp, say, and "the reconnaissance company stopped in the valley" no longer holds.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

import numpy as np

from khasan_sim.analysis.compare_stats import bootstrap_difference, mean_of
from khasan_sim.analysis.story import FAILS, GOAL_SHARE, HOLDS, judge_run

SHARE_STATISTIC = "share of runs holding"


@dataclass(frozen=True)
class StoryDifference:
    """One check's share of runs holding in two studies, and the difference.

    Attributes:
        check: The check's id.
        what: What the digest says happened (the check's ``what``).
        this, other: The share of runs holding in each study (None: no run could judge it).
        runs_this, runs_other: The runs of each study.
        difference, low, high: This minus the other, and its interval (None when either
            share is missing).
        paired: The runs were paired by seed.
        size: The practical size of a share's difference (fraction: 0.10).
    """

    check: str
    what: str
    this: float | None
    other: float | None
    runs_this: int
    runs_other: int
    difference: float | None
    low: float | None
    high: float | None
    paired: bool
    size: float

    @property
    def holds_this(self) -> bool | None:
        return None if self.this is None else self.this >= GOAL_SHARE

    @property
    def holds_other(self) -> bool | None:
        return None if self.other is None else self.other >= GOAL_SHARE

    @property
    def verdict_changed(self) -> bool:
        """The check holds in one study and not in the other."""
        return self.holds_this is not None and self.holds_other is not None and self.holds_this != self.holds_other

    @property
    def matters(self) -> bool:
        """At least the practical size with the interval off zero, or the verdict changed."""
        if self.difference is None or self.low is None or self.high is None:
            return False
        real = self.low > 0.0 or self.high < 0.0
        return (real and abs(self.difference) >= self.size - 1e-12) or self.verdict_changed

    def why(self) -> str:
        """Why it matters, or not, in words."""
        if self.difference is None:
            return "not judged in both"
        if self.verdict_changed:
            return "yes: holds in " + ("this study only" if self.holds_this else "the other study only")
        points = round(100 * self.size)
        if self.matters:
            return f"yes (≥ {points} points, interval off 0)"
        return f"no (< {points} points or interval spans 0)"

    def to_json(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "what": self.what,
            "statistic": SHARE_STATISTIC,
            "this": self.this,
            "other": self.other,
            "runs_this": self.runs_this,
            "runs_other": self.runs_other,
            "difference": self.difference,
            "low": self.low,
            "high": self.high,
            "paired": self.paired,
            "practical_size": self.size,
            "verdict_changed": self.verdict_changed,
            "matters": self.matters,
        }


def _verdicts(story: Any, runs: list[tuple[int, Any]]) -> list[dict[int, float]]:
    """Each check's verdicts over the runs, by run index: 1 where it holds, 0 where it does
    not (a run that cannot show it counts as one where it does not hold, as in the study's
    own table); empty for a check no run could judge (one the model cannot show)."""
    out: list[dict[int, float]] = [{} for _ in story.checks]
    judged = [False] * len(story.checks)
    for index, result in runs:
        for i, v in enumerate(judge_run(story, result)):
            out[i][index] = 1.0 if v.verdict == HOLDS else 0.0
            judged[i] = judged[i] or v.verdict in (HOLDS, FAILS)
    return [o if j else {} for o, j in zip(out, judged, strict=True)]


def story_against(
    story: Any,
    this: Any,
    other: Any,
    *,
    paired: bool,
    seed: int = 0,
    resamples: int = 2000,
    confidence: float = 0.95,
) -> list[StoryDifference]:
    """Return each story check's shares in two studies and their difference.

    Args:
        story: The story checks (:func:`khasan_sim.story.spec.load_story`).
        this: The study of interest (a :class:`~khasan_sim.analysis.compare.LoadedStudy`).
        other: The study it is set against.
        paired: Pair the runs by index (both studies have the same study seed).
        seed: Seeds the bootstrap's Generator (the same seed gives the same intervals).
        resamples: Bootstrap resamples.
        confidence: The intervals' confidence.
    """
    rng = np.random.default_rng(seed)
    size = share_size()
    out = []
    for check, va, vb in zip(story.checks, _verdicts(story, this.runs), _verdicts(story, other.runs), strict=True):
        share_a = float(np.mean(list(va.values()))) if va else None
        share_b = float(np.mean(list(vb.values()))) if vb else None
        d = low = high = None
        if va and vb:
            if paired:
                common = sorted(set(va) & set(vb))
                a = np.array([va[i] for i in common])
                b = np.array([vb[i] for i in common])
            else:
                a = np.array(list(va.values()))
                b = np.array(list(vb.values()))
            if a.size and b.size:
                _, _, d, low, high = bootstrap_difference(a, b, mean_of, rng, resamples, paired and a.size == b.size, confidence)
        out.append(StoryDifference(check.id, check.what, share_a, share_b, len(va), len(vb), d, low, high, paired, size))
    return out


def percent_text(x: float | None, sign: bool = False) -> str:
    """A share as ``75%``, a difference of shares as points (``+12``); ``–`` for None."""
    if x is None:
        return "–"
    return f"{100 * x:+.0f}" if sign else f"{100 * x:.0f}%"


def share_size() -> float:
    """The practical size of a difference in a story check's share of runs, as a fraction:
    the practical-size file's rule for it (scenarios/reports/practical-size.yaml), 0.10
    when the file has none in percentage points."""
    from khasan_sim.analysis.practical import practical_size

    rule = practical_size("story", SHARE_STATISTIC)
    return (rule.value / 100.0) if rule is not None and rule.unit == "percentage points" else 0.10


def size_points(diffs: list[StoryDifference]) -> int:
    """The practical size the differences were judged by, in percentage points (the
    practical-size file's, as :func:`story_against` read it)."""
    return round(100 * (diffs[0].size if diffs else share_size()))


def section(diffs: list[StoryDifference], other_name: str, confidence: float = 0.95) -> str:
    """Return the HTML section of the story checks of this study against *other_name*."""
    rows = []
    for d in diffs:
        if d.this is None and d.other is None:
            continue
        mark = "<span class='yes'>" + html.escape(d.why()) + "</span>" if d.matters else html.escape(d.why())
        interval = "–" if d.low is None or d.high is None else f"{percent_text(d.low, True)} … {percent_text(d.high, True)}"
        rows.append(
            "<tr>"
            f"<td>{html.escape(d.check)}<br><span class='note'>{html.escape(d.what)}</span></td>"
            f"<td class='num'>{percent_text(d.this)}</td><td class='num'>{percent_text(d.other)}</td>"
            f"<td class='num'><b>{percent_text(d.difference, True)}</b></td><td class='num'>{interval}</td><td>{mark}</td>"
            "</tr>"
        )
    head = (
        "<tr><th>story check</th><th>this study</th><th>other study</th><th>difference (points)</th>"
        f"<th>{int(100 * confidence)}% interval</th><th>matters</th></tr>"
    )
    return (
        f"<h3>The story checks, this study against {html.escape(other_name)}</h3>"
        "<p class='note'>Share of runs in which each statement of the digest holds, in each study, and the "
        "difference in percentage points (this minus the other). It matters when it is at least the practical "
        f"size of a share ({size_points(diffs)} points) with its interval off zero, or when the check holds (in at "
        "least half the runs) in one study and not in the other.</p>"
        f"<table>{head}{''.join(rows)}</table>"
    )
