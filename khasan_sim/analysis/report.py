"""The HTML report of a study beside the record, for a screen or a projector.

One self-contained HTML file (plots embedded as base64 PNG, no scripts, no external
files) with, from the top:

1. the calibration score: the share of recorded outcomes covered and the mean
   relative CRPS of the counts;
2. a table of every recorded outcome beside its simulated distribution;
3. for each recorded outcome a plot: a histogram of the simulated values with the
   central 90% interval shaded and the recorded value (a line) or range (a band)
   marked; times as a histogram of hours with the recorded window and the runs that
   never got there; holders as the share of runs held by each side;
4. when each height was first taken: for every zone, the share of runs in which the
   Soviet side had held it by each hour, with the recorded windows;
5. losses over time, from the snapshots at each day's end: median and 90% band of
   killed and wounded of each side;
6. with a second study (``--against``), the differences with their confidence
   intervals, and the other study's distributions drawn as outlines in the histograms;
7. after the record's table, the story checks (:mod:`khasan_sim.analysis.story_report`):
   the share of runs in which each statement of the history digest holds.

Plots use large type and colour-blind-safe colours (Okabe-Ito) so they read on a
projector. matplotlib is used without pyplot (no global state, no display needed).
"""

from __future__ import annotations

import base64
import html
import io
import math
import os
import re
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from khasan_sim.analysis import story_report
from khasan_sim.analysis.compare import (
    INTERVAL,
    EntryComparison,
    LoadedStudy,
    StudyComparison,
    StudyDifference,
)
from khasan_sim.analysis.story import StoryComparison
from khasan_sim.clock import parse_time
from khasan_sim.io import atomic_write_text
from khasan_sim.record import Record, RecordEntry
from khasan_sim.results import RunResult

SIMULATED = "#0072B2"  # blue
RECORDED = "#D55E00"  # vermillion
OTHER = "#555555"  # grey outline: the other study
SIDE_COLOURS = {"soviet": "#CC2529", "japanese": "#E69F00", "contested": "#999999"}
#: The heights of the battle (METRICS.md's fixed zone names), drawn in the first-hold plot.
HEIGHTS: tuple[str, ...] = ("zaozernaya", "bezymyannaya", "machine-gun-hill", "bogomolnaya", "height-194")
ZONE_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
_RC = {
    "font.size": 15,
    "axes.titlesize": 18,
    "axes.labelsize": 16,
    "xtick.labelsize": 14,
    "ytick.labelsize": 14,
    "legend.fontsize": 13,
    "axes.spines.top": False,
    "axes.spines.right": False,
}

_CSS = """
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 20px; line-height: 1.45;
       color: #111; background: #fff; max-width: 1250px; margin: 1.5em auto; padding: 0 1em; }
h1 { font-size: 2.0em; margin-bottom: 0.2em; }
h2 { font-size: 1.5em; border-bottom: 3px solid #0072B2; padding-bottom: 0.2em; margin-top: 2em; }
h3 { font-size: 1.2em; margin: 1.5em 0 0.3em; }
.facts { color: #333; }
.score { display: flex; gap: 1.5em; flex-wrap: wrap; margin: 1em 0; }
.score div { border: 3px solid #0072B2; border-radius: 8px; padding: 0.6em 1em; }
.score b { font-size: 1.8em; display: block; }
table { border-collapse: collapse; margin: 0.8em 0; }
th, td { border-bottom: 1px solid #bbb; padding: 0.35em 0.7em; text-align: left; vertical-align: top; }
th { background: #eef3f8; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.yes { color: #007a3d; font-weight: bold; }
.no { color: #c0001a; font-weight: bold; }
.unknown { color: #777; }
.note { color: #444; font-size: 0.9em; }
img { max-width: 100%; height: auto; display: block; margin: 0.4em 0 1.2em; }
"""


# ------------------------------------------------------------------ plotting


def figure_png(fig: Figure) -> str:
    """Return *fig* as a base64 PNG ``data:`` URI."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _bins(values: np.ndarray, extra: Sequence[float] = ()) -> np.ndarray:
    """Return histogram bin edges: one per whole number when the values are few whole numbers."""
    span = np.concatenate([values, np.asarray(extra, dtype=float)]) if len(extra) else values
    lo, hi = float(np.min(span)), float(np.max(span))
    if np.all(np.equal(np.mod(values, 1), 0)) and hi - lo <= 60:
        return np.arange(math.floor(lo) - 0.5, math.ceil(hi) + 1.5)
    edges = np.histogram_bin_edges(values, bins="auto", range=(lo, hi) if hi > lo else None)
    if edges.size > 41:
        edges = np.linspace(lo, hi, 41)
    return edges


def mark_recorded_range(ax: Axes, lo: float, hi: float, axis_span: float) -> None:
    """Mark a recorded range on a histogram: a shaded band behind the bars, or, when the
    range is narrower than 2% of the axis (526 killed, 525 by another count), a line over
    them: a band that narrow would be a hairline hidden behind the bars."""
    label = f"recorded {lo:g}–{hi:g}"
    if hi - lo >= 0.02 * axis_span:
        ax.axvspan(lo, hi, color=RECORDED, alpha=0.25, zorder=0, label=label)
    else:
        ax.axvline((lo + hi) / 2.0, color=RECORDED, linewidth=4, zorder=5, label=label)


def count_plot(entry: RecordEntry, comp: EntryComparison, other: EntryComparison | None = None) -> str:
    """Return the histogram of a count entry with its interval and the record marked."""
    x = np.asarray(comp.values, dtype=float)
    marks = [float(v) for v in (entry.range if entry.range is not None else (entry.value,)) if v is not None]
    with rc_context(_RC):
        fig = Figure(figsize=(11, 4.2))
        ax = fig.subplots()
        bins = _bins(x, marks + ([float(v) for v in other.values] if other is not None and other.values else []))
        if entry.range is not None and entry.range[1] > entry.range[0]:
            mark_recorded_range(ax, float(entry.range[0]), float(entry.range[1]), float(bins[-1]) - float(bins[0]))
        counts, _, _ = ax.hist(x, bins=bins, color=SIMULATED, edgecolor="white", linewidth=1.2, alpha=0.9, zorder=2, label=f"simulated ({x.size} runs)")
        top = float(np.max(counts)) if len(counts) else 1.0
        if other is not None and other.values:
            other_counts, _, _ = ax.hist(np.asarray(other.values, dtype=float), bins=bins, histtype="step", linewidth=2.5, color=OTHER, zorder=3, label="other study")
            top = max(top, float(np.max(other_counts)))
        if comp.low is not None and comp.high is not None:
            y = top * 1.1
            ax.plot([comp.low, comp.high], [y, y], color=SIMULATED, linewidth=4, marker="|", markersize=22, markeredgewidth=4, zorder=4, label=f"central {round(100 * (INTERVAL[1] - INTERVAL[0]))}% of runs")
        point = entry.range[0] if entry.range is not None and entry.range[1] == entry.range[0] else entry.value
        if entry.range is None or point is not None:
            ax.axvline(float(point), color=RECORDED, linewidth=4, zorder=5, label=f"recorded {float(point):g}")  # type: ignore[arg-type]
        ax.set_ylim(0, top * 1.25)
        ax.set_xlabel(entry.metric)
        ax.set_ylabel("runs")
        ax.set_title(entry.id)
        ax.legend(loc="best", frameon=False)
        return figure_png(fig)


def time_plot(entry: RecordEntry, comp: EntryComparison, start_label: str, other: EntryComparison | None = None) -> str:
    """Return the histogram of a time entry's hours, with the window and the 'never' runs."""
    hours = np.array([float(v) for v in comp.values if v is not None], dtype=float)
    never = sum(1 for v in comp.values if v is None)
    with rc_context(_RC):
        fig = Figure(figsize=(11, 4.2))
        ax = fig.subplots()
        window = entry.window_hours
        span = list(window) if window is not None else []
        top = max([*hours.tolist(), *span, 1.0])
        edges = np.linspace(0.0, top * 1.05, 31)
        if hours.size:
            ax.hist(hours, bins=edges, color=SIMULATED, edgecolor="white", linewidth=1.0, alpha=0.9, zorder=2, label=f"simulated ({len(comp.values)} runs)")
        if other is not None:
            oh = np.array([float(v) for v in other.values if v is not None], dtype=float)
            if oh.size:
                ax.hist(oh, bins=edges, histtype="step", linewidth=2.5, color=OTHER, label="other study")
        if window is not None:
            ax.axvspan(window[0], window[1], color=RECORDED, alpha=0.25, zorder=0, label="recorded window")
        width = edges[1] - edges[0]
        never_x = top * 1.05 + 2 * width
        ax.bar([never_x], [never], width=2 * width, color="#777777", label=f"never ({never})")
        ax.set_xlim(0, never_x + 2 * width)
        ax.set_xlabel(f"hours after {start_label}")
        ax.set_ylabel("runs")
        share = comp.share_inside if comp.share_inside is not None else 0.0
        ax.set_title(f"{entry.id}: {100 * share:.0f}% of runs in the window")
        ax.legend(loc="best", frameon=False)
        return figure_png(fig)


def holder_plot(entry: RecordEntry, comp: EntryComparison, other: EntryComparison | None = None) -> str:
    """Return the shares of runs held by each side, the recorded side marked."""
    shares = comp.shares or {}
    names = list(shares)
    recorded = "contested" if entry.value is None else str(entry.value)
    with rc_context(_RC):
        fig = Figure(figsize=(11, 0.9 + 0.75 * len(names)))
        ax = fig.subplots()
        y = np.arange(len(names))
        colours = [SIDE_COLOURS.get(n, SIMULATED) for n in names]
        ax.barh(y, [shares[n] for n in names], color=colours, edgecolor=["black" if n == recorded else "none" for n in names], linewidth=3)
        if other is not None and other.shares:
            ax.scatter([other.shares.get(n, 0.0) for n in names], y, marker="|", s=900, color=OTHER, linewidths=4, label="other study", zorder=3)
            ax.legend(loc="upper right", frameon=False)
        ax.axvline(0.5, color="black", linestyle="--", linewidth=1.5)
        ax.set_yticks(y, [f"{n} (recorded)" if n == recorded else n for n in names])
        ax.set_xlim(0, 1)
        ax.set_xlabel("share of runs")
        ax.set_title(f"{entry.id}: held at {entry.at}")
        return figure_png(fig)


def _zone_of(metric: str) -> str | None:
    """Return the zone of an ``objective.<zone>.first_soviet_hold`` metric, or None."""
    head, tail = "objective.", ".first_soviet_hold"
    if metric.startswith(head) and metric.endswith(tail) and len(metric) > len(head) + len(tail):
        return metric[len(head) : -len(tail)]
    return None


def first_hold_plot(study: LoadedStudy, record: Record | None) -> str | None:
    """Return, per zone, the share of runs in which the Soviet side had held it by each hour."""
    runs = study.results
    if not runs:
        return None
    final = [r.final for r in runs]
    present = sorted({z for snap in final for k in snap if (z := _zone_of(k)) is not None})
    if not present:
        return None
    windows: dict[str, tuple[float, float]] = {}
    duration = 0.0
    if record is not None:
        for e in record.entries:
            zone = _zone_of(e.metric)
            if e.kind == "time" and e.window_hours is not None and zone is not None:
                windows[zone] = e.window_hours
        duration = max(0.0, record.hours(runs[0].final_label))
    # The heights, and any zone the record has a time for; else the first zones there are.
    zones = [z for z in present if z in HEIGHTS or z in windows] or present[: len(ZONE_COLOURS)]
    hours = {
        zone: np.array([float(v) if isinstance(v, (int, float)) else math.inf for v in (s.get(f"objective.{zone}.first_soviet_hold") for s in final)])
        for zone in zones
    }
    reached = [float(h[np.isfinite(h)].max()) for h in hours.values() if np.isfinite(h).any()]
    top = max([duration, *reached, *(w[1] for w in windows.values()), 1.0])
    grid = np.linspace(0.0, top, 400)
    with rc_context(_RC):
        fig = Figure(figsize=(11, 5.5))
        ax = fig.subplots()
        for i, zone in enumerate(zones):
            colour = ZONE_COLOURS[i % len(ZONE_COLOURS)]
            h = hours[zone]
            share = (h[None, :] <= grid[:, None]).mean(axis=1)
            ax.step(grid, share, where="post", color=colour, linewidth=3, label=f"{zone} ({100 * np.isfinite(h).mean():.0f}% ever)")
            if zone in windows:
                lo, hi = windows[zone]
                ax.axvspan(lo, hi, color=colour, alpha=0.15)
                ax.plot([lo, hi], [1.03, 1.03], color=colour, linewidth=7, solid_capstyle="butt")
        ax.set_ylim(0, 1.07)
        ax.set_xlim(0, top)
        ax.set_xlabel("hours after the start (bars and bands: recorded windows)")
        ax.set_ylabel("share of runs held by then")
        ax.set_title("When each height was first held by the Soviet side")
        ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
        return figure_png(fig)


def _losses_series(runs: Sequence[RunResult], metric: str) -> tuple[list[str], np.ndarray] | None:
    """Return (labels, values[run, label]) of *metric* at the snapshot labels every run has."""
    if not runs:
        return None
    common = [label for label in runs[0].labels if all(label in r.snapshots for r in runs)]
    labels = [label for label in common if all(isinstance(r.snapshots[label].get(metric), (int, float)) for r in runs)]
    if len(labels) < 1:
        return None
    return labels, np.array([[float(r.snapshots[label][metric]) for label in labels] for r in runs])  # type: ignore[arg-type]


def losses_plot(study: LoadedStudy, start: datetime | None = None) -> str | None:
    """Return killed and wounded of each side over the snapshots: medians and 90% bands.

    Args:
        study: The study.
        start: The scenario's start (the time axis starts there, at zero losses), or None
            to start at the first snapshot.
    """
    runs = study.results
    panels = [("killed", "killed"), ("wounded", "wounded")]
    series = {(side, what): _losses_series(runs, f"{side}.{what}") for side in ("soviet", "japanese") for what, _ in panels}
    if not any(series.values()):
        return None
    with rc_context(_RC):
        fig = Figure(figsize=(12, 4.8))
        axes = fig.subplots(1, 2)
        for ax, (what, title) in zip(axes, panels, strict=True):
            for side in ("soviet", "japanese"):
                got = series[(side, what)]
                if got is None:
                    continue
                labels, values = got
                t = [parse_time(label) for label in labels]
                origin = start if start is not None and start <= t[0] else t[0]
                x = np.array([(ti - origin).total_seconds() / 3600.0 for ti in t])
                if origin < t[0]:
                    x = np.concatenate([[0.0], x])
                    values = np.concatenate([np.zeros((values.shape[0], 1)), values], axis=1)
                    t = [origin, *t]
                med = np.median(values, axis=0)
                lo, hi = np.quantile(values, INTERVAL, axis=0)
                ax.fill_between(x, lo, hi, color=SIDE_COLOURS[side], alpha=0.2)
                ax.plot(x, med, marker="o", linewidth=3, color=SIDE_COLOURS[side], label=f"{side} (median, 90% band)")
                ax.set_xticks(x, [f"{ti.day} {ti:%b}\n{ti:%H:%M}" for ti in t])
            ax.set_title(f"{title}, cumulative")
            ax.set_ylabel("men")
            ax.legend(loc="upper left", frameon=False)
        fig.tight_layout()
        return figure_png(fig)


# ------------------------------------------------------------------ HTML


_LABEL = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})T(\d{2}:\d{2})\b")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def short_times(text: str) -> str:
    """Return *text* with ISO labels shortened: ``1938-08-07T00:00`` becomes ``7 Aug 00:00``."""

    def one(m: re.Match[str]) -> str:
        month = int(m.group(2))
        name = _MONTHS[month - 1] if 1 <= month <= 12 else m.group(2)
        return f"{int(m.group(3))} {name} {m.group(4)}"

    return _LABEL.sub(one, text)


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _num(x: float | None, kind: str = "count") -> str:
    if x is None:
        return "never" if kind == "time" else "–"
    if kind == "time":
        return f"{x:.1f} h"
    if float(x).is_integer() or abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:,.1f}"


def _ordinal(x: float) -> str:
    """Return ``1st``, ``2nd``, ``43rd``, ``100th`` for a percentile."""
    n = round(x)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _mark(covered: bool | None) -> str:
    if covered is None:
        return '<span class="unknown">? not judged</span>'
    return '<span class="yes">✓ covered</span>' if covered else '<span class="no">✗ not covered</span>'


def position_text(c: EntryComparison) -> str:
    """Return where the record sits in the simulated distribution, in words."""
    if c.runs == 0:
        return "–"
    if c.kind == "count":
        ends = (c.percentile, c.percentile) if c.percentile is not None else c.percentile_range
        if ends is None:
            return "–"
        if ends[0] == 100.0:
            return "above every run"
        if ends[1] == 0.0:
            return "below every run"
        if ends == (0.0, 100.0) and c.percentile is None:
            return "the range holds every run"
        if c.percentile is not None or _ordinal(ends[0]) == _ordinal(ends[1]):
            return f"{_ordinal(ends[0])} percentile"  # a narrow recorded range can fall between two runs
        return f"{_ordinal(ends[0])}–{_ordinal(ends[1])} percentile"
    if c.kind == "time":
        text = f"{100 * (c.share_inside or 0):.0f}% of runs in the window"
        if c.share_never:
            text += f"; {100 * c.share_never:.0f}% never"
        return text
    if c.kind == "holder":
        return f"{100 * (c.share_inside or 0):.0f}% of runs"
    return "–"


def simulated_text(c: EntryComparison) -> str:
    """Return the simulated distribution in words: median (5% – 95%), or the holders' shares."""
    if c.runs == 0:
        return "–"
    if c.kind == "holder":
        shares = c.shares or {}
        return ", ".join(f"{k} {100 * v:.0f}%" for k, v in shares.items() if v > 0)
    return f"{_num(c.median, c.kind)} ({_num(c.low, c.kind)} – {_num(c.high, c.kind)})"


def _entries_table(comp: StudyComparison) -> str:
    rows = []
    for c in comp.entries:
        rows.append(
            "<tr>"
            f"<td><b>{_e(c.id)}</b><br><span class='note'>{_e(c.metric)}</span></td>"
            f"<td>{_e(short_times(c.when))}</td>"
            f"<td class='num'>{_e(short_times(c.recorded))}</td>"
            f"<td class='num'>{_e(simulated_text(c))}</td>"
            f"<td>{_e(position_text(c))}</td>"
            f"<td>{_mark(c.covered)}</td>"
            "</tr>"
        )
    head = "<tr><th>recorded outcome</th><th>read at</th><th>recorded</th><th>simulated median (5%–95%)</th><th>record's place</th><th></th></tr>"
    return f"<table>{head}{''.join(rows)}</table>"


def stat_text(x: float, statistic: str, signed: bool = False) -> str:
    """Return a compared statistic as a plain figure: shares in percent (points for a
    difference), hours with one decimal, counts with separators; never ``2.47e+03``."""
    sign = "+" if signed else ""
    if statistic.startswith("share"):
        return f"{100 * x:{sign}.0f}{' points' if signed else '%'}"
    if abs(x) >= 100:
        return f"{x:{sign},.0f}"
    if abs(x) >= 10:
        return f"{x:{sign},.1f}"
    return f"{x:{sign},.2f}"


def worth_attention_text(d: Any) -> str:
    """Return whether a difference reaches its metric's practical size, in words."""
    from khasan_sim.analysis.practical import practical_size

    size = practical_size(d.metric, d.statistic)
    if size is None:
        return ""
    if size.worth_attention(d.difference, d.other):
        return f"yes (≥ {size.text()})"
    return f"no (< {size.text()})"


def _difference_table(diff: StudyDifference) -> str:
    rows = []
    for d in diff.differences:
        mark = '<span class="yes">yes</span>' if d.significant else "no"
        rows.append(
            "<tr>"
            f"<td>{_e(d.name)}</td><td>{_e(d.statistic)}</td>"
            f"<td class='num'>{stat_text(d.this, d.statistic)}</td><td class='num'>{stat_text(d.other, d.statistic)}</td>"
            f"<td class='num'><b>{stat_text(d.difference, d.statistic, True)}</b></td>"
            f"<td class='num'>{stat_text(d.low, d.statistic, True)} … {stat_text(d.high, d.statistic, True)}</td><td>{mark}</td>"
            f"<td>{_e(worth_attention_text(d))}</td>"
            "</tr>"
        )
    head = (
        "<tr><th>outcome</th><th>statistic</th><th>this study</th><th>other study</th>"
        f"<th>difference</th><th>{int(100 * diff.confidence)}% interval</th><th>interval excludes 0</th>"
        "<th>worth attention (practical size)</th></tr>"
    )
    return f"<table>{head}{''.join(rows)}</table>"


def render_html(
    comparison: StudyComparison,
    study: LoadedStudy,
    record: Record,
    *,
    difference: StudyDifference | None = None,
    other: LoadedStudy | None = None,
    other_comparison: StudyComparison | None = None,
    story: StoryComparison | None = None,
    trust: Any = None,
    story_against: Any = (),
) -> str:
    """Return the HTML report of a study beside the record (and another study, and the story checks)."""
    spec = comparison.spec
    title = spec.scenario + (f" — variant {spec.variant}" if spec.variant else "")
    crps = comparison.crps_relative_mean
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{_e(title)}: study beside the record</title><style>{_CSS}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        f"<p class='facts'>{comparison.runs_ok:,} runs with a result"
        + (f", {comparison.runs_failed} failed" if comparison.runs_failed else "")
        + (f", {comparison.runs_missing} missing" if comparison.runs_missing else "")
        + f" · study seed {spec.study_seed} · khasan-sim {_e(spec.code_version)} · scenario digest {_e(spec.scenario_digest[:12])} · "
        f"study file {_e(Path(comparison.study).name)} · record {_e(Path(comparison.record_file).name)}</p>",
        "<div class='score'>",
        f"<div><b>{comparison.covered} of {len(comparison.entries)}</b>recorded outcomes covered ({100 * comparison.covered_share:.0f}%)</div>",
        f"<div><b>{'–' if crps is None else f'{crps:.3f}'}</b>mean relative CRPS of the counts (0 is perfect)</div>",
        "</div>",
        "<p class='note'>A count is covered when the recorded figure lies in the central 90% of the simulated runs "
        "(a recorded range: when the two overlap); a time when the runs fall in the recorded window in at least half "
        "of them; a holder when the recorded side holds in at least half of them.</p>",
    ]
    for note in comparison.notes:
        parts.append(f"<p class='note'>Note: {_e(note)}</p>")
    parts.append("<h2>Recorded outcomes beside the simulated runs</h2>")
    parts.append(_entries_table(comparison))
    if story is not None:
        parts.append(story_report.section(story))
    if trust is not None:
        from khasan_sim.analysis import trust_report

        parts.append(trust_report.section(trust))

    if difference is not None:
        other_name = Path(difference.other).name + (f" (variant {difference.other_variant})" if difference.other_variant else "")
        parts.append(f"<h2>This study against {_e(other_name)}</h2>")
        parts.append(
            f"<p class='{'note' if difference.paired else 'no'}'>Runs compared {_e(difference.pairing_text())}.</p>"
            f"<p class='note'>Differences are this study minus the other; intervals from {difference.resamples:,} bootstrap "
            "resamples. A difference is worth attention when it is at least its metric's practical size "
            "(scenarios/reports/practical-size.yaml: the smallest difference a teacher would discuss, with its reason).</p>"
        )
        parts.append(_difference_table(difference))
        if story_against:
            from khasan_sim.analysis import story_against as against

            parts.append(against.section(list(story_against), other_name, difference.confidence))

    parts.append("<h2>Distributions, outcome by outcome</h2>")
    others = {c.id: c for c in other_comparison.entries} if other_comparison is not None else {}
    entries = {e.id: e for e in record.entries}
    start_label = record.start.strftime("%d %b %H:%M")
    for c in comparison.entries:
        entry = entries[c.id]
        parts.append(f"<h3>{_e(c.id)} — {_mark(c.covered)}</h3>")
        parts.append(f"<p class='note'>recorded: {_e(short_times(c.recorded))} · simulated: {_e(simulated_text(c))} · {_e(position_text(c))}</p>")
        if c.runs == 0:
            parts.append(f"<p class='note'>Not judged: {_e(c.note)}</p>")
            continue
        oc = others.get(c.id)
        if oc is not None and oc.runs == 0:
            oc = None
        if c.kind == "count":
            uri = count_plot(entry, c, oc)
        elif c.kind == "time":
            uri = time_plot(entry, c, start_label, oc)
        else:
            uri = holder_plot(entry, c, oc)
        parts.append(f"<img alt='{_e(c.id)}' src='{uri}'>")
        if entry.sources:
            parts.append("<p class='note'>Sources: " + " · ".join(_e(s) for s in entry.sources) + "</p>")

    hold = first_hold_plot(study, record)
    if hold is not None:
        parts.append("<h2>When each height was taken</h2>")
        parts.append(f"<img alt='first Soviet hold of each zone' src='{hold}'>")
    losses = losses_plot(study, record.start)
    if losses is not None:
        parts.append("<h2>Losses over time</h2>")
        parts.append(f"<img alt='losses over time' src='{losses}'>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def write_html(path: str | os.PathLike[str], text: str) -> Path:
    """Write the report atomically."""
    return atomic_write_text(path, text)


__all__ = [
    "count_plot",
    "first_hold_plot",
    "holder_plot",
    "losses_plot",
    "render_html",
    "time_plot",
    "write_html",
]
