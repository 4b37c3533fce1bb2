"""The answer of an exercise in figures: each metric in the baseline and each variant.

For every metric of the exercise the runs of each study give a distribution (read
with the record's own rules, :func:`khasan_sim.analysis.compare.entry_values`); each
variant is set against the baseline with :func:`khasan_sim.analysis.compare.compare_studies`
(a 95% bootstrap interval, paired by seed when the studies share their study seed);
metrics tied to a record entry are also placed against the record
(:func:`khasan_sim.analysis.compare.compare_entry`).

:func:`reading` turns the figures into a few plain sentences that claim no more than the
intervals support: a difference is called a difference only when its 95% interval
leaves out zero, and a small study is said to be small.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import numpy as np

from khasan_sim.analysis.compare import (
    Difference,
    EntryComparison,
    LoadedStudy,
    compare_entry,
    compare_studies,
    entry_values,
    summarise,
)
from khasan_sim.analysis.practical import PracticalSize, practical_size
from khasan_sim.exercises.format import Exercise, Metric
from khasan_sim.record import Record, RecordEntry

#: Below this many runs per study the reading says the study is small.
FEW_RUNS = 30


def _label(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M")


def metric_entry(metric: Metric, record: Record | None, start: datetime, end: datetime) -> tuple[RecordEntry, RecordEntry | None]:
    """Return (what is read, the record entry or None) for an exercise metric.

    A ``record:`` metric reads exactly what the record entry reads; a ``metric:`` one is
    a count or a holder at ``at`` (default the end), or a time with the window from the
    start to ``by`` (default the end).

    Raises:
        KeyError: The record entry does not exist (or no record was given for it).
    """
    if metric.record is not None:
        if record is None:
            msg = f"metric {metric.id}: needs the record (record entry {metric.record})"
            raise KeyError(msg)
        rec = record.entry(metric.record)
        return replace(rec, id=metric.id), rec
    kind = metric.resolved_kind
    name = str(metric.metric)
    if kind == "time":
        by = metric.by or end
        hours = ((start - start).total_seconds() / 3600.0, (by - start).total_seconds() / 3600.0)
        return RecordEntry(id=metric.id, metric=name, kind="time", window=(_label(start), _label(by)), window_hours=hours), None
    at = _label(metric.at or end)
    if kind == "holder":
        return RecordEntry(id=metric.id, metric=name, kind="holder", at=at, value=metric.side), None
    return RecordEntry(id=metric.id, metric=name, kind="count", at=at, value=0), None


@dataclass
class Distribution:
    """One metric in one study.

    Attributes:
        values: The value of each run that has it (counts; hours or None for times; holders).
        by_run: The same, by run index.
        runs: Runs judged.
        median, low, high: Median and central 90% interval (counts and times; times in
            hours, None for never).
        mean: Mean (counts; times: of the runs that got there).
        share: Counts: None. Times: share of runs inside the window. Holders: share
            held by the metric's side.
        shares: Holders: share of runs held by each side (contested for none).
        versus_record: Against the record entry, or None.
    """

    values: list[Any]
    by_run: dict[int, Any]
    runs: int
    median: float | None = None
    low: float | None = None
    high: float | None = None
    mean: float | None = None
    share: float | None = None
    shares: dict[str, float] = field(default_factory=dict)
    versus_record: EntryComparison | None = None


def distribution(entry: RecordEntry, study: LoadedStudy, recorded: RecordEntry | None) -> Distribution:
    """Return the distribution of one metric in one study."""
    by_run, _ = entry_values(entry, study.runs)
    values = list(by_run.values())
    d = Distribution(values, by_run, len(values))
    if recorded is not None:
        d.versus_record = compare_entry(recorded, study.runs)
    if not values:
        return d
    stats = summarise(entry.kind, values)
    d.median, d.mean, d.low, d.high = stats.median, stats.mean, stats.low, stats.high
    if entry.kind == "time":
        h = np.array([math.inf if v is None else float(v) for v in values])
        lo, hi = entry.window_hours or (0.0, math.inf)
        d.share = float(np.mean((h >= lo) & (h <= hi)))
    elif entry.kind == "holder":
        d.shares = stats.shares or {}
        d.share = d.shares.get(str(entry.value), 0.0)
    return d


@dataclass
class VariantFigures:
    """One variant's side of a metric."""

    key: str
    label: str
    dist: Distribution
    differences: list[Difference]

    @property
    def headline(self) -> Difference | None:
        """The difference the reading is about: of the medians (counts, as the table shows
        each study's median), of the median hours (times), or the first share (holders)."""
        for wanted in ("median", "median hours"):
            for d in self.differences:
                if d.statistic == wanted:
                    return d
        return self.differences[0] if self.differences else None


@dataclass
class MetricFigures:
    """One metric of the exercise: the baseline, each variant and the record."""

    metric: Metric
    entry: RecordEntry
    recorded: RecordEntry | None
    baseline: Distribution
    variants: list[VariantFigures]


@dataclass
class ExerciseFigures:
    """The whole answer in figures."""

    exercise: Exercise
    record: Record | None
    baseline: LoadedStudy
    variants: list[tuple[str, str, LoadedStudy]]
    metrics: list[MetricFigures]
    paired: bool
    headline_differences: dict[str, list[Difference]]

    def figures(self, metric_id: str) -> MetricFigures:
        """Return the figures of one metric."""
        for m in self.metrics:
            if m.metric.id == metric_id:
                return m
        raise KeyError(metric_id)


def exercise_figures(
    exercise: Exercise,
    baseline: LoadedStudy,
    variants: list[tuple[str, str, LoadedStudy]],
    record: Record | None,
    *,
    start: datetime,
    end: datetime,
    bootstrap_seed: int = 0,
    resamples: int = 2000,
) -> ExerciseFigures:
    """Compute every metric of *exercise* in the baseline and each variant study.

    Args:
        exercise: The exercise.
        baseline: The baseline study.
        variants: ``(key, label, study)`` of each variant.
        record: The record (for ``record:`` metrics), or None.
        start, end: The scenario's start and end (for time windows and default times).
        bootstrap_seed: Seeds the bootstrap of the differences.
        resamples: Bootstrap resamples.
    """
    pairs = [(m, *metric_entry(m, record, start, end)) for m in exercise.doc.metrics]
    entries = tuple(e for _, e, _ in pairs)
    pseudo = Record(scenario=baseline.spec.scenario, start=start, end=end, entries=entries, file="exercise")
    diffs: dict[str, list[Difference]] = {}
    headline: dict[str, list[Difference]] = {}
    paired = True
    for key, _, study in variants:
        sd = compare_studies(study, baseline, pseudo, seed=bootstrap_seed, resamples=resamples)
        paired = paired and sd.paired
        ids = {e.id for e in entries}
        diffs[key] = [d for d in sd.differences if d.name in ids]
        headline[key] = [d for d in sd.differences if d.name not in ids]
    rng = np.random.default_rng(bootstrap_seed)
    horizon = (end - start).total_seconds() / 3600.0
    for key, _, study in variants:
        for _, entry, _ in pairs:
            if entry.kind == "time":
                d = median_hours_difference(entry, study, baseline, horizon, rng, resamples)
                if d is not None:
                    diffs[key].insert(0, d)
    out = []
    for metric, entry, recorded in pairs:
        base = distribution(entry, baseline, recorded)
        vf = [
            VariantFigures(key, label, distribution(entry, study, recorded), [d for d in diffs[key] if d.name == metric.id])
            for key, label, study in variants
        ]
        out.append(MetricFigures(metric, entry, recorded, base, vf))
    return ExerciseFigures(exercise, record, baseline, variants, out, paired, headline)


def median_hours_difference(
    entry: RecordEntry, this: LoadedStudy, other: LoadedStudy, horizon: float, rng: np.random.Generator, resamples: int
) -> Difference | None:
    """Return the difference of the median hour a time metric was first reached, with a 95% bootstrap interval.

    A run that never reached it counts as reaching it at the end of the scenario
    (*horizon* hours), so the median is a censored one: say so where it is shown.
    Runs are paired by index when both studies share their study seed.
    """
    va, _ = entry_values(entry, this.runs)
    vb, _ = entry_values(entry, other.runs)
    if not va or not vb:
        return None
    paired = this.spec.study_seed == other.spec.study_seed
    h = lambda v: horizon if v is None else min(float(v), horizon)  # noqa: E731
    if paired:
        common = sorted(set(va) & set(vb))
        if not common:
            return None
        a = np.array([h(va[i]) for i in common])
        b = np.array([h(vb[i]) for i in common])
        idx = rng.integers(0, a.size, size=(resamples, a.size))
        diffs = np.median(a[idx], axis=1) - np.median(b[idx], axis=1)
    else:
        a = np.array([h(v) for v in va.values()])
        b = np.array([h(v) for v in vb.values()])
        diffs = np.median(a[rng.integers(0, a.size, size=(resamples, a.size))], axis=1) - np.median(
            b[rng.integers(0, b.size, size=(resamples, b.size))], axis=1
        )
    lo, hi = np.quantile(diffs, [0.025, 0.975])
    sa, sb = float(np.median(a)), float(np.median(b))
    return Difference(entry.id, entry.metric, "median hours", sa, sb, sa - sb, float(lo), float(hi), a.size, b.size, paired)


# ------------------------------------------------------------------ words


def fmt(x: float | None, kind: str = "count") -> str:
    """Return a figure in words: counts with separators, hours with one decimal."""
    if x is None:
        return "never" if kind == "time" else "–"
    if kind == "time":
        return f"{x:.1f} h"
    if kind in ("share", "holder"):
        return f"{100 * x:.0f}%"
    if float(x).is_integer() or abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:,.1f}"


def dist_text(d: Distribution, kind: str) -> str:
    """Return a distribution in words: median (5%–95%), or the shares."""
    if d.runs == 0:
        return "no runs"
    if kind == "holder":
        return ", ".join(f"{s} {100 * v:.0f}%" for s, v in d.shares.items() if v > 0)
    text = f"{fmt(d.median, kind)} ({fmt(d.low, kind)} – {fmt(d.high, kind)})"
    if kind == "time" and d.share is not None:
        text += f"; {100 * d.share:.0f}% in the window"
    return text


def diff_text(d: Difference | None) -> str:
    """Return a difference with its interval, in the statistic's units."""
    if d is None:
        return "–"
    if d.statistic.startswith("share"):
        return f"{100 * d.difference:+.0f} points ({100 * d.low:+.0f} to {100 * d.high:+.0f})"
    if d.statistic == "median hours":
        return f"{d.difference:+,.1f} h ({d.low:+,.1f} to {d.high:+,.1f})"
    return f"{d.difference:+,.1f} ({d.low:+,.1f} to {d.high:+,.1f})"


def _stat_words(d: Difference, metric: MetricFigures) -> tuple[str, str, str]:
    """Return (what is compared, the variant's value, the baseline's value) in words."""
    if d.statistic == "mean":
        return "on average", fmt(d.this), fmt(d.other)
    if d.statistic == "median":
        return "in the median run", fmt(d.this), fmt(d.other)
    if d.statistic == "median hours":
        return "median hours after the start, a run that never took it counted at the ceasefire", fmt(d.this, "time"), fmt(d.other, "time")
    if d.statistic == "share in window":
        window = metric.entry.window
        what = "in the recorded window" if metric.recorded is not None else f"by {window[1].replace('T', ' ') if window else 'the end'}"
        return f"share of runs {what}", fmt(d.this, "share"), fmt(d.other, "share")
    return d.statistic.replace("share held by", "share of runs held by"), fmt(d.this, "share"), fmt(d.other, "share")


def practical_of(metric: MetricFigures, d: Difference) -> PracticalSize | None:
    """Return the practical size of a metric's difference (the smallest worth attention)."""
    return practical_size(metric.entry.metric, d.statistic)


def size_text(size: PracticalSize, d: Difference) -> str:
    """Return the practical size of *d* in its own units: ``32 (5% of the baseline)``."""
    if size.unit == "percent of the baseline":
        return f"{fmt(size.threshold(d.other))} ({size.text()})"
    return size.text()


def variant_sentence(metric: MetricFigures, v: VariantFigures, runs: int) -> str:
    """Return one sentence on a variant against the baseline for one metric."""
    d = v.headline
    label = metric.metric.label
    if d is None:
        return f"{label}: no runs to compare."
    what, this, other = _stat_words(d, metric)
    interval = diff_text(d)
    if d.low == d.high == d.difference == 0:
        return (
            f"{label}: “{v.label}” and the baseline give the same figure in every resample ({what}: {this} against {other}), "
            f"so the runs show no difference{'; with ' + str(runs) + ' runs per study a rare difference could still be missed' if runs < FEW_RUNS else ''}."
        )
    size = practical_of(metric, d)
    if d.significant and size is not None and not size.worth_attention(d.difference, d.other):
        return (
            f"{label}: with “{v.label}” the runs differ from the baseline ({what}: {this} against {other}; "
            f"difference {interval}, 95% interval), but by less than {size_text(size, d)}, the smallest difference "
            f"worth attention for this figure ({size.reason}): a real but negligible difference, not one to teach from."
        )
    if d.significant:
        direction = "the runs show a higher figure" if d.difference > 0 else "the runs show a lower figure"
        if d.statistic.startswith("share"):
            direction = "a higher share of runs reach it" if d.difference > 0 else "a lower share of runs reach it"
        if d.statistic == "median hours":
            direction = "it comes later" if d.difference > 0 else "it comes sooner"
        text = (
            f"{label}: with “{v.label}” {direction} than in the baseline ({what}: {this} against {other}; "
            f"difference {interval}, 95% interval). The interval leaves out zero, so the model supports a real difference"
        )
        if size is not None:
            text += f" at least as large as the smallest worth attention ({size_text(size, d)})"
        if metric.metric.better != "none" and not d.statistic.startswith("share"):
            good = (d.difference > 0) == (metric.metric.better == "higher")
            text += ", " + ("in the Soviet side's favour" if good else "against the Soviet side")
        if runs < FEW_RUNS:
            text += f" (only {runs} runs per study: confirm it with more runs before relying on the size of the interval)"
        return text + "."

    text = (
        f"{label}: the runs do not show a clear difference between “{v.label}” and the baseline ({what}: {this} against {other}; "
        f"difference {interval}, 95% interval, which includes no difference)."
    )
    if runs < FEW_RUNS:
        text += f" With {runs} runs per study only a large effect could show; run more before concluding there is none."
    return text


def record_sentence(metric: MetricFigures, has_variants: bool = True) -> str | None:
    """Return where the record falls in the baseline's runs, or None."""
    c = metric.baseline.versus_record
    if c is None or c.runs == 0:
        return None
    from khasan_sim.analysis.report import position_text, short_times

    where = position_text(c)
    if c.covered:
        return f"The baseline's runs agree with the record for “{metric.metric.label}” (recorded {short_times(c.recorded)}; {where})."
    return (
        f"The baseline's runs do not match the record for “{metric.metric.label}” (recorded {short_times(c.recorded)}; {where}): "
        + ("treat the variant's figure for it with extra caution." if has_variants else "the model's figure for it is less trustworthy.")
    )


def reading(figs: ExerciseFigures) -> list[str]:
    """Return the plain-language reading of an exercise's figures, sentence by sentence."""
    runs = min([len(figs.baseline.runs)] + [len(s.runs) for _, _, s in figs.variants])
    out = []
    for m in figs.metrics:
        for v in m.variants:
            out.append(variant_sentence(m, v, runs))
    for m in figs.metrics:
        s = record_sentence(m, bool(figs.variants))
        if s is not None:
            out.append(s)
    if not figs.variants:
        out.append(
            "This exercise has no variant: the figures are the model's distribution of the historical orders, "
            "the yardstick for the students' own games (see the class report)."
        )
    pairing = "paired by seed (common random numbers)" if figs.paired else "not paired"
    compared = f"; the comparisons are {pairing}" if figs.variants else ""
    out.append(
        f"Each study has {runs} run(s){compared}. These are the model's answers under its sourced and "
        "estimated parameters, not a statement of what would have happened."
    )
    return out
