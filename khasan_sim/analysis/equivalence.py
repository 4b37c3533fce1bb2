"""Is a study of a new engine the same as a study of the old one? Entry by entry, with sizes.

When the engine changes in a way meant to keep the model (a rewrite for speed), the
event logs may change (another order of random draws) but the distribution of every
recorded outcome should not. This module sets a "before" study beside an "after" study
for each entry of the record (``../shared/record/khasan-1938.yaml``); the values of each
run are read by :func:`khasan_sim.analysis.compare.entry_values`, as ``compare`` reads
them. Pure functions: the callers load the studies (``bench/bench_equivalence.py``).

For each entry, by its kind:

count, time
    The median and the central 90% interval (5th and 95th percentiles) of each study,
    with the quantile methods ``compare`` uses (linear for counts; order statistics for
    times). A time that was never reached counts as the scenario's length in hours
    (``never``, right-censored: above every time reached), so "never" stays in the
    distribution, as in ``compare``. The shifts (after - before) of the median, the 5th
    and the 95th percentile, each with a 95% percentile-bootstrap interval (the two
    studies resampled independently: their seeds differ, and a rewrite draws its random
    numbers in another order anyway). The two-sample Kolmogorov-Smirnov statistic and
    p-value (``scipy.stats.ks_2samp``; with ties, as counts have, the p-value is
    conservative). The effect size is the median shift as a share of the before study's
    90% width (at least ``min_width``, one man, tank or hour, so a metric that never
    varies cannot divide by zero).
holder
    Who holds a zone (``soviet``, ``japanese``, ``contested``): each side's share of
    runs in each study; the shift is that of the side whose share moved most, with a
    95% Newcombe hybrid-score interval of the difference of two proportions (good
    coverage at shares near 0 or 1, where a bootstrap is not); the test is Fisher's
    exact test with two categories, else the chi-square test of homogeneity. The effect
    size is the shift in percentage points.

The verdict (:class:`Thresholds`) is "same" unless a shift is statistically resolved
twice over (its own 95% interval leaves out 0, and the entry's whole-distribution test
gives p < 0.05 after Holm's adjustment over all the entries judged together) and large
enough to matter:

* the median: at least 10% of the before study's 90% width. For a normal distribution
  that is 0.33 standard deviations, just above the smallest shift 200 runs against 200
  can resolve (the median difference's 95% interval is about +-0.25 sd, 7.5% of the
  width); smaller shifts are below what a study of that size can tell from luck, and
  far below how far any record entry lies from its recorded figure;
* the 5th or 95th percentile ("spread"): at least 20% of the width. A tail percentile
  from 200 runs is about 1.2 times as noisy as the median, and two tails are checked,
  so the bar is doubled;
* a holder share: at least 5 percentage points (the 95% sampling error of one share
  from 200 runs is +-5.5 points at 80%).

Why the test and Holm's adjustment: a 95% interval leaves out 0 by luck in 1 entry in
20, and the record has 12 entries, each with up to three shifts. Measured on the
baseline's 200 runs split at random into halves of 100 (one engine against itself,
100 splits): with the test at 0.05 unadjusted, 10 splits in 100 called some entry
"differs"; with Holm's adjustment, 3 in 100. ``alpha`` bounds that chance; the price is
power: with 200 runs a side a median shift of 20% of the width (0.66 sd) is caught
nearly always, one of 10% about half the time or less.

Every statistic has its own field; :func:`check_equivalence` returns one
:class:`EntryEquivalence` per record entry and a count of those judged the same.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np
from scipy import stats

from khasan_sim.analysis.compare import HOLDERS, INTERVAL, entry_values
from khasan_sim.record import Record, RecordEntry
from khasan_sim.results import MetricValue, RunResult

Verdict = Literal["same", "differs", "not judged"]
#: The quantiles compared: 5th, 50th, 95th percentile.
QUANTILES: tuple[float, float, float] = (INTERVAL[0], 0.5, INTERVAL[1])


@dataclass(frozen=True)
class Thresholds:
    """How large a resolved shift must be to call an entry "differs" (see the module doc).

    Attributes:
        median_share: Median shift, as a share of the before study's 90% width.
        tail_share: Shift of the 5th or the 95th percentile, as a share of that width.
        share_points: Shift of a holder's share, in shares (0.05 = 5 percentage points).
        min_width: The smallest width divided by (one unit of the metric).
        alpha: A shift only counts when the whole-distribution test (KS, Fisher,
            chi-square) also gives a p-value below this (Holm-adjusted over the
            entries in :func:`check_equivalence`): the family-wise false-alarm rate.
    """

    median_share: float = 0.10
    tail_share: float = 0.20
    share_points: float = 0.05
    min_width: float = 1.0
    alpha: float = 0.05


@dataclass(frozen=True)
class Shift:
    """One statistic after minus before, with its 95% interval.

    Attributes:
        statistic: ``median``, ``5th percentile``, ``95th percentile`` or ``share <side>``.
        before: The statistic in the before study.
        after: The statistic in the after study.
        difference: ``after - before``.
        low, high: The interval of the difference.
    """

    statistic: str
    before: float
    after: float
    difference: float
    low: float
    high: float

    @property
    def resolved(self) -> bool:
        """True if the interval leaves out 0."""
        return self.low > 0 or self.high < 0


@dataclass
class EntryEquivalence:
    """One record entry in the before and the after study.

    Attributes:
        id: The record entry id.
        metric: The metric it reads.
        kind: ``count``, ``time`` or ``holder``.
        runs_before, runs_after: Runs with a value in each study.
        before, after: Counts and times: the 5th, 50th and 95th percentiles
            (``{"p5": .., "median": .., "p95": ..}``). Holders: each side's share.
        never: Time entries: the hours that stand for "never reached", else None.
        shifts: Counts and times: the median's, the 5th and the 95th percentile's.
            Holders: the share of the side that moved most.
        test: ``KS`` (counts, times), ``Fisher`` or ``chi-square`` (holders).
        test_statistic: The KS distance D (largest gap between the two CDFs), or the
            chi-square statistic / Fisher odds ratio.
        p_value: The test's p-value (the chance of so large a difference if the two
            studies were draws of the same distribution).
        p_adjusted: The p-value Holm-adjusted over all the entries judged together
            (:func:`check_equivalence`), which the verdict uses; None when judged alone.
        width: Counts and times: the before study's 90% width used by the effect size.
        effect: Counts and times: median shift / width. Holders: the share shift (0.05 =
            5 percentage points).
        verdict: ``same``, ``differs`` or ``not judged``.
        reason: Why, in words (the shift that decided it and its size).
    """

    id: str
    metric: str
    kind: str
    runs_before: int
    runs_after: int
    before: dict[str, float] = field(default_factory=dict)
    after: dict[str, float] = field(default_factory=dict)
    never: float | None = None
    shifts: list[Shift] = field(default_factory=list)
    test: str = ""
    test_statistic: float | None = None
    p_value: float | None = None
    p_adjusted: float | None = None
    width: float | None = None
    effect: float | None = None
    verdict: Verdict = "not judged"
    reason: str = ""

    @property
    def same(self) -> bool:
        """True if the verdict is "same"."""
        return self.verdict == "same"

    def shift(self, statistic: str) -> Shift | None:
        """Return the shift of *statistic* (``median``, ...), or None."""
        return next((s for s in self.shifts if s.statistic == statistic), None)

    def to_json(self) -> dict[str, Any]:
        """Return the comparison as a JSON-able dict."""
        d = asdict(self)
        d["shifts"] = [{**asdict(s), "resolved": s.resolved} for s in self.shifts]
        return d


@dataclass
class Equivalence:
    """Every record entry in the before and the after study.

    Attributes:
        entries: One per record entry, in record order.
        thresholds: The thresholds of the verdicts.
        seed: The bootstrap seed.
        resamples: Bootstrap resamples.
        confidence: The intervals' confidence.
    """

    entries: list[EntryEquivalence]
    thresholds: Thresholds
    seed: int
    resamples: int
    confidence: float

    @property
    def same(self) -> int:
        """Entries judged the same."""
        return sum(1 for e in self.entries if e.same)

    @property
    def differs(self) -> list[EntryEquivalence]:
        """Entries judged different."""
        return [e for e in self.entries if e.verdict == "differs"]

    def to_json(self) -> dict[str, Any]:
        """Return the whole comparison as a JSON-able dict."""
        return {
            "same": self.same,
            "entries_total": len(self.entries),
            "thresholds": asdict(self.thresholds),
            "seed": self.seed,
            "resamples": self.resamples,
            "confidence": self.confidence,
            "entries": [e.to_json() for e in self.entries],
        }


# ------------------------------------------------------------------ statistics


def entry_rng(seed: int, entry_id: str) -> np.random.Generator:
    """Return the bootstrap Generator of one entry: seeded by *seed* and the entry id only,
    so an entry's intervals do not depend on which other entries are compared."""
    return np.random.default_rng([int(seed), zlib.crc32(entry_id.encode("utf-8"))])


def quantile_method(kind: str) -> str:
    """Return numpy's quantile method for an entry kind (as ``compare`` summarises it)."""
    return "inverted_cdf" if kind == "time" else "linear"


def numeric_sample(kind: str, values: Sequence[MetricValue], never: float | None = None) -> np.ndarray:
    """Return count or time values as floats; a time never reached (None) as *never*.

    Raises:
        ValueError: A time sample holds None and *never* is None, or a value is not a number.
    """
    out = []
    for v in values:
        if v is None:
            if kind != "time" or never is None:
                msg = f"a {kind} sample holds a missing value (expected numbers{', or give never=' if kind == 'time' else ''})"
                raise ValueError(msg)
            out.append(float(never))
        elif isinstance(v, str):
            msg = f"a {kind} sample holds {v!r} (expected numbers)"
            raise ValueError(msg)
        else:
            out.append(float(v))
    return np.asarray(out, dtype=float)


def quantile_shifts(
    before: np.ndarray,
    after: np.ndarray,
    rng: np.random.Generator,
    *,
    method: str = "linear",
    resamples: int = 2000,
    confidence: float = 0.95,
) -> list[Shift]:
    """Return the shifts of the 5th, 50th and 95th percentiles with percentile-bootstrap intervals.

    The two samples are resampled independently (unpaired), *resamples* times each.
    """
    q = np.asarray(QUANTILES)
    qb = np.quantile(before, q, method=method)
    qa = np.quantile(after, q, method=method)
    ib = rng.integers(0, before.size, size=(resamples, before.size))
    ia = rng.integers(0, after.size, size=(resamples, after.size))
    boot = np.quantile(after[ia], q, axis=1, method=method) - np.quantile(before[ib], q, axis=1, method=method)
    tail = (1.0 - confidence) / 2.0
    lows, highs = np.quantile(boot, [tail, 1.0 - tail], axis=1)
    names = ("5th percentile", "median", "95th percentile")
    return [
        Shift(name, float(qb[k]), float(qa[k]), float(qa[k] - qb[k]), float(lows[k]), float(highs[k]))
        for k, name in enumerate(names)
    ]


def wilson_interval(successes: int, n: int, z: float) -> tuple[float, float]:
    """Return the Wilson score interval of a proportion."""
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def share_shift(
    hits_before: int, n_before: int, hits_after: int, n_after: int, confidence: float = 0.95
) -> tuple[float, float, float]:
    """Return (after share - before share, low, high): Newcombe's hybrid score interval.

    Newcombe (1998), method 10: built from each share's Wilson interval; it keeps its
    coverage at shares of 0 and 1, where the simple normal interval collapses.
    """
    z = float(stats.norm.ppf(0.5 + confidence / 2.0))
    p1, p2 = hits_before / n_before, hits_after / n_after
    l1, u1 = wilson_interval(hits_before, n_before, z)
    l2, u2 = wilson_interval(hits_after, n_after, z)
    d = p2 - p1
    low = d - math.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2)
    high = d + math.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)
    return d, low, high


def holder_name(value: MetricValue) -> str:
    """Return a holder value as a category: the side, or ``contested`` for None."""
    return "contested" if value is None else str(value)


# ------------------------------------------------------------------ one entry


def compare_numeric(
    entry_id: str,
    kind: str,
    before: Sequence[MetricValue],
    after: Sequence[MetricValue],
    *,
    metric: str = "",
    never: float | None = None,
    seed: int = 0,
    resamples: int = 2000,
    confidence: float = 0.95,
    thresholds: Thresholds = Thresholds(),
) -> EntryEquivalence:
    """Compare the before and after samples of a count or time entry (see the module doc)."""
    out = EntryEquivalence(entry_id, metric, kind, len(before), len(after), never=never if kind == "time" else None, test="KS")
    if not before or not after:
        out.reason = f"no values ({len(before)} before, {len(after)} after)"
        return out
    b = numeric_sample(kind, before, never)
    a = numeric_sample(kind, after, never)
    method = quantile_method(kind)
    shifts = quantile_shifts(b, a, entry_rng(seed, entry_id), method=method, resamples=resamples, confidence=confidence)
    out.shifts = shifts
    p5, med, p95 = shifts
    out.before = {"p5": p5.before, "median": med.before, "p95": p95.before}
    out.after = {"p5": p5.after, "median": med.after, "p95": p95.after}
    ks = stats.ks_2samp(b, a)
    out.test_statistic, out.p_value = float(ks.statistic), float(ks.pvalue)
    out.width = max(p95.before - p5.before, thresholds.min_width)
    out.effect = med.difference / out.width
    return decide(out, thresholds, out.p_value)


def compare_holders(
    entry_id: str,
    before: Sequence[MetricValue],
    after: Sequence[MetricValue],
    *,
    metric: str = "",
    confidence: float = 0.95,
    thresholds: Thresholds = Thresholds(),
) -> EntryEquivalence:
    """Compare the before and after samples of a holder entry (see the module doc)."""
    out = EntryEquivalence(entry_id, metric, "holder", len(before), len(after))
    if not before or not after:
        out.reason = f"no values ({len(before)} before, {len(after)} after)"
        return out
    nb, na = len(before), len(after)
    cb = [holder_name(v) for v in before]
    ca = [holder_name(v) for v in after]
    sides = list(dict.fromkeys([*HOLDERS, *cb, *ca]))
    hits_b = {s: cb.count(s) for s in sides}
    hits_a = {s: ca.count(s) for s in sides}
    out.before = {s: hits_b[s] / nb for s in sides}
    out.after = {s: hits_a[s] / na for s in sides}
    # the side whose share moved most (ties: the order of HOLDERS)
    side = max(sides, key=lambda s: abs(out.after[s] - out.before[s]))
    d, low, high = share_shift(hits_b[side], nb, hits_a[side], na, confidence)
    out.shifts = [Shift(f"share {side}", out.before[side], out.after[side], d, low, high)]
    out.effect = d
    present = [s for s in sides if hits_b[s] + hits_a[s] > 0]
    if len(present) < 2:
        out.test, out.test_statistic, out.p_value = "none", None, 1.0
    elif len(present) == 2:
        table = [[hits_b[s] for s in present], [hits_a[s] for s in present]]
        res = stats.fisher_exact(table)
        out.test, out.test_statistic, out.p_value = "Fisher", float(res.statistic), float(res.pvalue)
    else:
        table = [[hits_b[s] for s in present], [hits_a[s] for s in present]]
        res = stats.chi2_contingency(table, correction=False)
        out.test, out.test_statistic, out.p_value = "chi-square", float(res.statistic), float(res.pvalue)
    return decide(out, thresholds, out.p_value)


def decide(out: EntryEquivalence, thresholds: Thresholds, p: float | None) -> EntryEquivalence:
    """Set the verdict of a compared entry (see the module doc) and return it.

    Args:
        out: The entry with its statistics.
        thresholds: The thresholds.
        p: The test's p-value to hold against ``thresholds.alpha``: the entry's own, or
            its Holm-adjusted one when several entries are judged together.
    """
    if not out.shifts or p is None:
        return out
    tested = p < thresholds.alpha
    if out.kind == "holder":
        (s,) = out.shifts
        side = s.statistic.removeprefix("share ")
        if tested and s.resolved and abs(s.difference) >= thresholds.share_points:
            out.verdict = "differs"
            out.reason = f"share {side} {100 * s.difference:+.1f} points ({100 * s.before:.1f}% -> {100 * s.after:.1f}%)"
        else:
            out.verdict = "same"
            if not s.resolved:
                out.reason = "the share shift's interval holds 0"
            elif abs(s.difference) < thresholds.share_points:
                out.reason = f"share shift {100 * s.difference:+.1f} points: under {100 * thresholds.share_points:.0f}"
            else:
                out.reason = f"share shift {100 * s.difference:+.1f} points, but {out.test} p = {p:.2g} >= {thresholds.alpha:g}"
        return out
    width = out.width or 1.0
    p5, med, p95 = out.shifts
    problems = []
    if tested and med.resolved and abs(med.difference / width) >= thresholds.median_share:
        problems.append(f"median {med.difference:+.4g} ({med.difference / width:+.0%} of the 90% width)")
    for t in (p5, p95):
        if tested and t.resolved and abs(t.difference / width) >= thresholds.tail_share:
            problems.append(f"{t.statistic} {t.difference:+.4g} ({t.difference / width:+.0%} of the width)")
    if problems:
        out.verdict = "differs"
        out.reason = "; ".join(problems)
        return out
    out.verdict = "same"
    share = med.difference / width
    if not med.resolved:
        out.reason = "the median shift's interval holds 0"
    elif abs(share) < thresholds.median_share:
        out.reason = f"median shift {share:+.1%} of the width: under {thresholds.median_share:.0%}"
    else:
        out.reason = f"median shift {share:+.0%} of the width, but KS p = {p:.2g} >= {thresholds.alpha:g}"
    return out


def holm(p_values: Sequence[float]) -> list[float]:
    """Return Holm's step-down adjusted p-values (family-wise error control over all of them)."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [1.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[i]))
        adjusted[i] = running
    return adjusted


def compare_samples(
    entry: RecordEntry,
    before: Sequence[MetricValue],
    after: Sequence[MetricValue],
    *,
    never: float | None = None,
    seed: int = 0,
    resamples: int = 2000,
    confidence: float = 0.95,
    thresholds: Thresholds = Thresholds(),
) -> EntryEquivalence:
    """Compare the before and after samples of one record entry, by its kind.

    Args:
        entry: The record entry.
        before, after: The entry's value in each run of each study.
        never: Time entries: the hours that stand for "never reached" (the scenario's length).
        seed: Seeds the bootstrap (with the entry id: :func:`entry_rng`).
        resamples: Bootstrap resamples.
        confidence: The intervals' confidence.
        thresholds: The verdict's thresholds.
    """
    if entry.kind == "holder":
        return compare_holders(entry.id, before, after, metric=entry.metric, confidence=confidence, thresholds=thresholds)
    return compare_numeric(
        entry.id,
        entry.kind,
        before,
        after,
        metric=entry.metric,
        never=never,
        seed=seed,
        resamples=resamples,
        confidence=confidence,
        thresholds=thresholds,
    )


def check_equivalence(
    record: Record,
    before: Sequence[tuple[int, RunResult]],
    after: Sequence[tuple[int, RunResult]],
    *,
    seed: int = 0,
    resamples: int = 2000,
    confidence: float = 0.95,
    thresholds: Thresholds = Thresholds(),
) -> Equivalence:
    """Compare every record entry between two studies' runs.

    Args:
        record: The record whose entries are compared.
        before: ``(run index, result)`` of the before study (the reference).
        after: The same of the after study.
        seed: The bootstrap seed: the same seed gives the same intervals.
        resamples: Bootstrap resamples.
        confidence: The intervals' confidence.
        thresholds: The verdicts' thresholds.

    Returns:
        One comparison per record entry, in record order. "Never reached" counts as the
        record's length in hours (end - start). The verdicts hold the tests' p-values
        Holm-adjusted over the entries against ``thresholds.alpha``, so that ``alpha``
        bounds the chance that any entry is called "differs" when nothing changed.
    """
    never = record.hours(record.end)
    entries = []
    for entry in record.entries:
        vb, why_b = entry_values(entry, before)
        va, why_a = entry_values(entry, after)
        res = compare_samples(
            entry,
            list(vb.values()),
            list(va.values()),
            never=never,
            seed=seed,
            resamples=resamples,
            confidence=confidence,
            thresholds=thresholds,
        )
        if res.verdict == "not judged":
            res.reason = "; ".join(x for x in (res.reason, why_b and f"before: {why_b}", why_a and f"after: {why_a}") if x)
        entries.append(res)
    judged = [e for e in entries if e.p_value is not None]
    for e, p in zip(judged, holm([e.p_value for e in judged]), strict=True):  # type: ignore[misc]
        e.p_adjusted = p
        decide(e, thresholds, p)
    return Equivalence(entries, thresholds, seed, resamples, confidence)


def split_halves(runs: Sequence[tuple[int, RunResult]]) -> tuple[list[tuple[int, RunResult]], list[tuple[int, RunResult]]]:
    """Return the runs with even and with odd run index: two independent draws of one study."""
    return [r for r in runs if r[0] % 2 == 0], [r for r in runs if r[0] % 2 == 1]


def values_by_entry(record: Record, runs: Sequence[tuple[int, RunResult]]) -> Mapping[str, list[MetricValue]]:
    """Return each entry's values in *runs* (for plots and checks), by entry id."""
    return {e.id: list(entry_values(e, runs)[0].values()) for e in record.entries}
