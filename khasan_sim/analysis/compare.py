"""A study beside the record: each recorded outcome against its simulated distribution.

For every entry of the record (``../shared/record/khasan-1938.yaml``, read as its header
says) the runs of a study give a distribution of the entry's value
(:func:`khasan_sim.record.simulated_value`), judged by the entry's kind:

count
    median, mean, central 90% interval (5th to 95th percentile, numpy's linear
    quantiles), the recorded value's percentile in the runs (mid-rank: the share of runs
    below it plus half the share equal to it; for a range, the percentile of each end),
    and **covered** if the recorded value lies in the interval (for a range: the range
    and the interval overlap). Its **CRPS** (continuous ranked probability score) is the
    empirical one, ``mean|X - y| - mean|X - X'| / 2`` over the runs X; for a recorded
    range it is averaged over y uniform on the range (closed form), so a distribution
    that puts its mass inside the range scores near 0. The relative CRPS divides it by
    the recorded figure (the range's middle), at least 1, so that entries of different
    sizes can be averaged.
time
    hours after the scenario's start (a run that never reached it counts as never,
    above every number): median and 90% interval (order statistics), the share of runs
    inside the recorded window (**covered** if at least half), the share that never got
    there, and the percentiles of the window's two ends.
holder
    the share of runs with each holder (soviet, japanese, contested); **covered** if the
    recorded side holds in at least half of the runs.

The calibration score is the share of entries covered (an entry that no run could be
judged on counts as not covered) and the mean relative CRPS of the count entries.

:func:`compare_studies` (``--against``) sets two studies side by side: for each entry
and for the headline losses, the difference of medians and means (counts) or of
shares (times, holders), each with a 95% percentile-bootstrap confidence interval from
a seeded numpy Generator. When both studies have the same study seed their runs share
seeds (common random numbers) and are resampled in pairs, which narrows the intervals.

The statistics (CRPS, percentiles, the bootstrap) are in :mod:`khasan_sim.analysis.compare_stats`
and the study loading in :mod:`khasan_sim.analysis.loading`; both are re-exported here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from khasan_sim.analysis.compare_stats import (
    Statistic,
    _finite_or_none,
    bootstrap_difference,
    crps_sample_range,
    mean_of,
    median_of,
    midrank_percentile,
)
from khasan_sim.analysis.compare_stats import (
    crps_sample as crps_sample,
)
from khasan_sim.analysis.loading import LoadedStudy
from khasan_sim.analysis.loading import load_study as load_study
from khasan_sim.record import Record, RecordEntry, recorded_text, simulated_value
from khasan_sim.results import MetricValue, RunResult
from khasan_sim.runner.study import StudySpec, first_line

#: Central interval of the simulated distribution that a recorded count should fall in.
INTERVAL = (0.05, 0.95)
#: Share of runs a recorded time or holder should be matched in.
MAJORITY = 0.5
#: Losses compared between two studies besides the record's entries (final snapshot).
HEADLINE_METRICS: tuple[str, ...] = (
    "soviet.killed",
    "soviet.wounded",
    "soviet.missing",
    "japanese.killed",
    "japanese.wounded",
    "japanese.missing",
    "soviet.tanks.knocked_out",
    "soviet.tanks.destroyed",
)
HOLDERS: tuple[str, ...] = ("soviet", "japanese", "contested")


# ------------------------------------------------------------------ one entry


@dataclass
class EntryComparison:
    """One record entry beside its simulated distribution.

    Attributes:
        id: The entry id.
        metric: The metric it reads.
        kind: ``count``, ``time`` or ``holder``.
        when: When it is read, in words.
        recorded: The recorded figure in words.
        runs: Runs that could be judged on it.
        unjudged: Runs that lacked the snapshot or metric.
        median, mean, low, high: The distribution's median, mean and central 90% interval
            (counts; times in hours after the start, None for never). None if not judged.
        percentile: The recorded value's percentile (count with a value), or None.
        percentile_range: The percentiles of the recorded range's or window's two ends.
        share_inside: Share of runs inside the recorded figure: the value or range (count),
            the window (time), the recorded holder (holder).
        share_never: Time entries: share of runs that never reached it.
        shares: Holder entries: share of runs with each holder.
        covered: Whether the record is covered (see the module doc), None if not judged.
        crps: The CRPS of a count entry, in the metric's units.
        crps_relative: The CRPS divided by the recorded figure (at least 1).
        values: The simulated values, run by run (not written to JSON).
        note: Why it could not be judged, or the entry's note.
    """

    id: str
    metric: str
    kind: str
    when: str
    recorded: str
    runs: int
    unjudged: int
    median: float | None = None
    mean: float | None = None
    low: float | None = None
    high: float | None = None
    percentile: float | None = None
    percentile_range: tuple[float, float] | None = None
    share_inside: float | None = None
    share_never: float | None = None
    shares: dict[str, float] | None = None
    covered: bool | None = None
    crps: float | None = None
    crps_relative: float | None = None
    values: list[MetricValue] = field(default_factory=list, repr=False)
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        """Return the comparison as a JSON-able dict (without the run-by-run values)."""
        d = asdict(self)
        d.pop("values")
        if d["percentile_range"] is not None:
            d["percentile_range"] = list(d["percentile_range"])
        return d


def when_text(entry: RecordEntry) -> str:
    """Return when an entry is read, in words."""
    if entry.at is not None:
        return entry.at
    if entry.between is not None:
        return f"{entry.between[0]} .. {entry.between[1]}"
    return "first time reached"


def entry_values(entry: RecordEntry, runs: Sequence[tuple[int, RunResult]]) -> tuple[dict[int, MetricValue], str]:
    """Return the entry's value in each run that has it (by run index), and why others lack it.

    Returns:
        ``({index: value}, reason)``; *reason* is the first run's message when some run
        lacks the snapshot or metric (or has a value of the wrong type), else "".
    """
    out: dict[int, MetricValue] = {}
    reason = ""
    for index, result in runs:
        try:
            value = simulated_value(entry, result)
        except (KeyError, ValueError) as exc:
            reason = reason or str(exc.args[0] if exc.args else exc)
            continue
        if entry.kind == "count" and (value is None or isinstance(value, str)):
            reason = reason or f"{entry.metric} is not a count (got {value!r})"
            continue
        if entry.kind == "time" and isinstance(value, str):
            reason = reason or f"{entry.metric} is not a number of hours (got {value!r})"
            continue
        out[index] = value
    return out, reason


def _hours_array(values: Sequence[MetricValue]) -> np.ndarray:
    """Return times as floats, never (None) as +inf."""
    return np.array([math.inf if v is None else float(v) for v in values], dtype=float)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Summary:
    """The distribution of one metric's values over runs (shared by compare and the exercises).

    Counts: median, mean and central 90% interval. Times (hours, None for never): median
    and interval with never counted last (None if they fall on never), mean of the runs
    that got there. Holders: the share of runs held by each side (``contested`` for none).
    """

    median: float | None = None
    mean: float | None = None
    low: float | None = None
    high: float | None = None
    shares: dict[str, float] | None = None


def summarise(kind: str, values: Sequence[MetricValue]) -> Summary:
    """Return the :class:`Summary` of *values* of an entry of *kind* (``count``, ``time``, ``holder``)."""
    if not values:
        return Summary()
    if kind == "count":
        x = np.asarray(values, dtype=float)
        low, high = (float(q) for q in np.quantile(x, INTERVAL))
        return Summary(float(np.median(x)), float(np.mean(x)), low, high)
    if kind == "time":
        h = _hours_array(values)
        taken = h[np.isfinite(h)]
        low, high = (_finite_or_none(float(q)) for q in np.quantile(h, INTERVAL, method="inverted_cdf"))
        return Summary(
            _finite_or_none(float(np.quantile(h, 0.5, method="inverted_cdf"))),
            float(np.mean(taken)) if taken.size else None,
            low,
            high,
        )
    names = ["contested" if v is None else str(v) for v in values]
    return Summary(shares={side: names.count(side) / len(names) for side in dict.fromkeys([*HOLDERS, *names])})


def compare_entry(entry: RecordEntry, runs: Sequence[tuple[int, RunResult]]) -> EntryComparison:
    """Compare one record entry with the runs of a study (see the module doc)."""
    by_run, reason = entry_values(entry, runs)
    values = list(by_run.values())
    base = EntryComparison(
        id=entry.id,
        metric=entry.metric,
        kind=entry.kind,
        when=when_text(entry),
        recorded=recorded_text(entry),
        runs=len(values),
        unjudged=len(runs) - len(values),
        values=values,
        note=reason if reason else (entry.note or ""),
    )
    if not values:
        base.note = reason or "no run with a result"
        return base
    stats = summarise(entry.kind, values)
    base.median, base.mean, base.low, base.high = stats.median, stats.mean, stats.low, stats.high
    if entry.kind == "count":
        x = np.array(values, dtype=float)
        assert base.low is not None and base.high is not None
        if entry.range is not None:
            lo, hi = float(entry.range[0]), float(entry.range[1])
            base.percentile_range = (midrank_percentile(x, lo), midrank_percentile(x, hi))
            base.covered = lo <= base.high and hi >= base.low
            base.share_inside = float(np.mean((x >= lo) & (x <= hi)))
        else:
            lo = hi = float(entry.value)  # type: ignore[arg-type]
            base.percentile = midrank_percentile(x, lo)
            base.covered = base.low <= lo <= base.high
            base.share_inside = float(np.mean(x == lo))
        base.crps = crps_sample_range(x, lo, hi)
        base.crps_relative = base.crps / max(1.0, abs(0.5 * (lo + hi)))
    elif entry.kind == "time":
        h = _hours_array(values)
        lo, hi = entry.window_hours if entry.window_hours is not None else (math.nan, math.nan)
        base.share_inside = float(np.mean((h >= lo) & (h <= hi)))
        base.share_never = float(np.mean(~np.isfinite(h)))
        base.percentile_range = (midrank_percentile(h, lo), midrank_percentile(h, hi))
        base.covered = base.share_inside >= MAJORITY
    else:
        base.shares = stats.shares or {}
        recorded = "contested" if entry.value is None else str(entry.value)
        base.share_inside = base.shares.get(recorded, 0.0)
        base.covered = base.share_inside >= MAJORITY
    return base


# ------------------------------------------------------------------ a whole study


@dataclass
class StudyComparison:
    """A study beside the record.

    Attributes:
        study: The study file.
        spec: The study's header.
        record_file: The record file.
        record_scenario: The scenario the record is about.
        runs_ok: Runs with a result.
        runs_failed: Runs that raised.
        runs_missing: Replications requested and not stored.
        entries: One comparison per record entry, in record order.
        notes: Warnings for the reader (another scenario, failed runs, ...).
    """

    study: str
    spec: StudySpec
    record_file: str
    record_scenario: str
    runs_ok: int
    runs_failed: int
    runs_missing: int
    entries: list[EntryComparison]
    notes: list[str] = field(default_factory=list)

    @property
    def covered(self) -> int:
        """Entries covered."""
        return sum(1 for e in self.entries if e.covered)

    @property
    def covered_share(self) -> float:
        """Share of the record's entries covered (unjudged entries count as not covered)."""
        return self.covered / len(self.entries) if self.entries else 0.0

    @property
    def crps_relative_mean(self) -> float | None:
        """Mean relative CRPS of the count entries that could be judged, or None."""
        scores = [e.crps_relative for e in self.entries if e.crps_relative is not None]
        return float(np.mean(scores)) if scores else None

    def to_json(self) -> dict[str, Any]:
        """Return the comparison as a JSON-able dict."""
        return {
            "study": self.study,
            "scenario": self.spec.scenario,
            "variant": self.spec.variant,
            "study_seed": self.spec.study_seed,
            "runs_requested": self.spec.runs,
            "runs_ok": self.runs_ok,
            "runs_failed": self.runs_failed,
            "runs_missing": self.runs_missing,
            "record": self.record_file,
            "record_scenario": self.record_scenario,
            "score": {
                "entries": len(self.entries),
                "covered": self.covered,
                "covered_share": self.covered_share,
                "crps_relative_mean": self.crps_relative_mean,
            },
            "entries": [e.to_json() for e in self.entries],
            "notes": list(self.notes),
        }


def _branch_moment(spec: Any) -> float | None:
    """Return the moment a branch study's runs branch from (minutes), None for a plain study."""
    if spec.branch is None:
        return None
    from khasan_sim.runner.branches import BranchOrigin

    return BranchOrigin.from_text(spec.branch).moment_min


def compare_study(study: LoadedStudy, record: Record) -> StudyComparison:
    """Compare every entry of *record* with the runs of *study*."""
    notes = []
    if record.scenario != study.spec.scenario:
        notes.append(f"the record is about {record.scenario}; this study is of {study.spec.scenario}")
    if study.spec.variant:
        notes.append(f"this study is of the variant {study.spec.variant!r}: it is not meant to match history")
    if study.spec.branch is not None:
        from khasan_sim.runner.branches import BranchOrigin

        notes.append(f"its runs are {BranchOrigin.from_text(study.spec.branch).describe()}: they share that history")
    if study.failed:
        first = study.failed[0]
        notes.append(
            f"{len(study.failed)} run(s) raised and are left out (first: run {first.index}, seed {first.seed}: {first_line(first.error)})"
        )
    if study.missing:
        notes.append(f"{study.missing} of {study.spec.runs} replications are not in the file (finish with `khasan-sim batch ... --resume`)")
    entries = [compare_entry(e, study.runs) for e in record.entries]
    for e in entries:
        if e.runs == 0:
            notes.append(f"{e.id}: not judged ({e.note})")
    return StudyComparison(
        study=str(study.path),
        spec=study.spec,
        record_file=record.file or "record",
        record_scenario=record.scenario,
        runs_ok=len(study.runs),
        runs_failed=len(study.failed),
        runs_missing=study.missing,
        entries=entries,
        notes=notes,
    )


# ------------------------------------------------------------------ two studies


@dataclass
class Difference:
    """One statistic of this study minus the same of the other, with a bootstrap interval.

    Attributes:
        name: The record entry id or the headline metric.
        metric: The metric read.
        statistic: ``median``, ``mean``, ``share in window``, ``share held by <side>`` ...
        this: The statistic in this study.
        other: The statistic in the other study.
        difference: ``this - other``.
        low, high: The 95% bootstrap confidence interval of the difference.
        runs_this, runs_other: Runs behind each side.
        paired: Runs were resampled in pairs (same seeds in both studies).
    """

    name: str
    metric: str
    statistic: str
    this: float
    other: float
    difference: float
    low: float
    high: float
    runs_this: int
    runs_other: int
    paired: bool

    @property
    def significant(self) -> bool:
        """True if the 95% interval leaves out 0."""
        return self.low > 0 or self.high < 0

    def to_json(self) -> dict[str, Any]:
        """Return the difference as a JSON-able dict."""
        return {**asdict(self), "significant": self.significant}


@dataclass
class StudyDifference:
    """This study against another (a variant against the baseline).

    Attributes:
        this: This study's file.
        other: The other study's file.
        this_variant, other_variant: Their variants (None for the base scenario).
        paired: The runs were paired by seed.
        resamples: Bootstrap resamples.
        confidence: The interval's confidence (0.95).
        differences: One per statistic.
        this_study_seed, other_study_seed: The two studies' seeds (the runs pair only when
            they are equal).
    """

    this: str
    other: str
    this_variant: str | None
    other_variant: str | None
    paired: bool
    resamples: int
    confidence: float
    differences: list[Difference]
    this_study_seed: int | None = None
    other_study_seed: int | None = None

    def pairing_text(self) -> str:
        """Return how the runs were compared, in a sentence (unpaired runs say why)."""
        if self.paired:
            return f"paired by seed: both studies have study seed {self.this_study_seed}, so run i of one is set against run i of the other (common random numbers)"
        return (
            f"NOT paired: the studies have different study seeds ({self.this_study_seed} and {self.other_study_seed}), "
            "so their runs share no luck and are compared as independent samples (wider intervals); "
            "run both with the same --seed to pair them"
        )

    def to_json(self) -> dict[str, Any]:
        """Return the comparison as a JSON-able dict."""
        d = {k: v for k, v in asdict(self).items() if k != "differences"}
        d["differences"] = [x.to_json() for x in self.differences]
        return d


def _quantities(entry: RecordEntry, values: Mapping[int, MetricValue]) -> list[tuple[str, dict[int, float], Statistic]]:
    """Return the statistics compared for one entry: (name, numeric value by run, statistic)."""
    if entry.kind == "count":
        nums = {i: float(v) for i, v in values.items()}  # type: ignore[arg-type]
        return [("median", nums, median_of), ("mean", nums, mean_of)]
    if entry.kind == "time":
        lo, hi = entry.window_hours if entry.window_hours is not None else (math.nan, math.nan)
        inside = {i: float(v is not None and lo <= float(v) <= hi) for i, v in values.items()}  # type: ignore[arg-type]
        ever = {i: float(v is not None) for i, v in values.items()}
        return [("share in window", inside, mean_of), ("share ever reached", ever, mean_of)]
    side = "contested" if entry.value is None else str(entry.value)
    held = {i: float(("contested" if v is None else str(v)) == side) for i, v in values.items()}
    return [(f"share held by {side}", held, mean_of)]


def _headline_entries(this: LoadedStudy, other: LoadedStudy) -> list[RecordEntry]:
    """Return count entries for the headline losses present in both studies' final snapshots."""
    if not this.runs or not other.runs:
        return []
    final_a = this.runs[0][1]
    final_b = other.runs[0][1]
    if final_a.final_label != final_b.final_label:
        return []
    out = []
    for metric in HEADLINE_METRICS:
        if metric in final_a.final and metric in final_b.final:
            out.append(RecordEntry(id=f"final {metric}", metric=metric, kind="count", at=final_a.final_label, value=0))
    return out


def compare_studies(
    this: LoadedStudy,
    other: LoadedStudy,
    record: Record | None,
    *,
    seed: int = 0,
    resamples: int = 2000,
    confidence: float = 0.95,
) -> StudyDifference:
    """Compare two studies entry by entry and on the headline losses.

    Args:
        this: The study of interest (a variant).
        other: The study it is set against (the baseline).
        record: The record whose entries are compared, or None for the headline losses only.
        seed: Seeds the bootstrap's numpy Generator (the same seed gives the same intervals).
        resamples: Bootstrap resamples.
        confidence: The intervals' confidence.

    Returns:
        The differences, ``this - other``. With the same study seed in both, runs are
        paired by run index (common random numbers); otherwise resampled independently.
    """
    rng = np.random.default_rng(seed)
    # branch studies pair run by run only with branches of the same run from the same moment
    paired = this.spec.study_seed == other.spec.study_seed and _branch_moment(this.spec) == _branch_moment(other.spec)
    entries = [*(record.entries if record is not None else ()), *_headline_entries(this, other)]
    diffs: list[Difference] = []
    for entry in entries:
        va, _ = entry_values(entry, this.runs)
        vb, _ = entry_values(entry, other.runs)
        if not va or not vb:
            continue
        for (name, qa, stat), (_, qb, _) in zip(_quantities(entry, va), _quantities(entry, vb), strict=True):
            if paired:
                common = sorted(set(qa) & set(qb))
                if not common:
                    continue
                a = np.array([qa[i] for i in common])
                b = np.array([qb[i] for i in common])
            else:
                a = np.array(list(qa.values()))
                b = np.array(list(qb.values()))
            sa, sb, d, low, high = bootstrap_difference(a, b, stat, rng, resamples, paired, confidence)
            diffs.append(Difference(entry.id, entry.metric, name, sa, sb, d, low, high, a.size, b.size, paired))
    return StudyDifference(
        this=str(this.path),
        other=str(other.path),
        this_variant=this.spec.variant,
        other_variant=other.spec.variant,
        paired=paired,
        resamples=resamples,
        confidence=confidence,
        differences=diffs,
        this_study_seed=this.spec.study_seed,
        other_study_seed=other.spec.study_seed,
    )
