"""The exercise report: one printable HTML page for a screen in front of a class.

From the top: the briefing (situation, question, constraints, task); the answer in
figures (a table per question: the baseline, each variant and the record, the
difference with its 95% interval); a plot per metric (left: the distributions of the
baseline and the variants with the record marked; right: each variant's difference from
the baseline with its interval); the plain-language reading; the notes for the teacher
(on a new printed page); how it was made (runs, seeds, files, the command).

Plots reuse :func:`khasan_sim.analysis.report.figure_png` and its colours; matplotlib
without pyplot. The class report (:mod:`khasan_sim.exercises.classroom`) adds the
students' games to the same plots.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np
from matplotlib import rc_context
from matplotlib.figure import Figure

from khasan_sim.analysis.report import RECORDED, figure_png, short_times
from khasan_sim.exercises.figures import (
    Distribution,
    ExerciseFigures,
    MetricFigures,
    diff_text,
    dist_text,
    practical_of,
    reading,
    size_text,
)
from khasan_sim.exercises.story import story_html

BASE_COLOUR = "#555555"
VARIANT_COLOURS = ("#0072B2", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
STUDENT_COLOUR = "#000000"
_RC = {
    "font.size": 14,
    "axes.titlesize": 16,
    "axes.labelsize": 14,
    "xtick.labelsize": 12,
    "ytick.labelsize": 12,
    "legend.fontsize": 12,
    "axes.spines.top": False,
    "axes.spines.right": False,
}

CSS = """
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 19px; line-height: 1.45; color: #111;
       background: #fff; max-width: 1200px; margin: 1.5em auto; padding: 0 1em; }
h1 { font-size: 1.9em; margin-bottom: 0.1em; }
h2 { font-size: 1.45em; border-bottom: 3px solid #0072B2; padding-bottom: 0.2em; margin-top: 1.8em; }
h3 { font-size: 1.15em; margin: 1.3em 0 0.3em; }
.facts, .note { color: #444; font-size: 0.88em; }
.question { font-size: 1.25em; font-weight: bold; border-left: 8px solid #D55E00; padding: 0.3em 0.8em; background: #fff4ec; }
.reading li { margin-bottom: 0.5em; }
.teacher { border: 3px dashed #999; padding: 0.2em 1em 1em; margin-top: 2em; }
table { border-collapse: collapse; margin: 0.6em 0; width: 100%; }
th, td { border-bottom: 1px solid #bbb; padding: 0.3em 0.5em; text-align: left; vertical-align: top; font-size: 0.9em; }
th { background: #eef3f8; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.yes { color: #007a3d; font-weight: bold; }
.no { color: #c0001a; font-weight: bold; }
.bad { color: #c0001a; }
img { max-width: 100%; height: auto; display: block; margin: 0.3em 0 1em; }
code { background: #f2f2f2; padding: 0 0.2em; }
@media print {
  body { font-size: 12pt; max-width: none; margin: 0; }
  h2 { page-break-after: avoid; }
  img, table, .question { page-break-inside: avoid; }
  .teacher { page-break-before: always; break-before: page; }
}
"""


def e(text: object) -> str:
    """Escape text for HTML."""
    return html.escape(str(text), quote=True)


def wrapped(text: str, width: int) -> str:
    """Return *text* folded onto lines of at most *width* characters (never cut short)."""
    import textwrap

    return "\n".join(textwrap.wrap(text, width, break_long_words=False)) or text


def statistic_label(statistic: str) -> str:
    """Return what a difference is of, in words: ``difference of the medians``."""
    if statistic == "median":
        return "difference of the medians"
    if statistic == "mean":
        return "difference of the means"
    if statistic == "median hours":
        return "difference of the median hours (never = at the ceasefire)"
    if statistic.startswith("share"):
        return f"difference of the {statistic}, in points"
    return f"difference of the {statistic}"


def colour(i: int) -> str:
    """Return the colour of the i-th variant."""
    return VARIANT_COLOURS[i % len(VARIANT_COLOURS)]


# ------------------------------------------------------------------ plots


def _series(mf: MetricFigures) -> list[tuple[str, str, Distribution, bool]]:
    """Return (label, colour, distribution, is_baseline) for the baseline then each variant."""
    out = [("historical (baseline)", BASE_COLOUR, mf.baseline, True)]
    out += [(v.label, colour(i), v.dist, False) for i, v in enumerate(mf.variants)]
    return out


def _record_marks(ax: Any, mf: MetricFigures, vertical: bool = True) -> None:
    r = mf.recorded
    if r is None:
        return
    if r.kind == "count":
        if r.range is not None and r.range[1] > r.range[0]:
            ax.axvspan(r.range[0], r.range[1], color=RECORDED, alpha=0.22, zorder=0, label=f"recorded {r.range[0]:g}–{r.range[1]:g}")
        else:
            v = r.range[0] if r.range is not None else r.value
            ax.axvline(float(v), color=RECORDED, linewidth=4, zorder=5, label=f"recorded {float(v):g}")  # type: ignore[arg-type]
    elif r.kind == "time" and r.window_hours is not None:
        ax.axvspan(r.window_hours[0], r.window_hours[1], color=RECORDED, alpha=0.22, zorder=0, label="recorded window")


def _students(ax: Any, points: Sequence[tuple[str, float | None]], y: float) -> None:
    """Mark students' outcomes as black triangles with their names above the plot."""
    xs = [(name, v) for name, v in points if v is not None and math.isfinite(v)]
    for k, (name, v) in enumerate(xs):
        ax.plot([v], [y], marker="v", markersize=14, color=STUDENT_COLOUR, zorder=6, label="students' games" if k == 0 else None)
        ax.annotate(name, (v, y), textcoords="offset points", xytext=(0, 9 + 13 * (k % 3)), ha="center", fontsize=10)


def distribution_axes(ax: Any, mf: MetricFigures, start_label: str, students: Sequence[tuple[str, Any]] = ()) -> None:
    """Draw the distributions of one metric (baseline, variants, record, students) on *ax*."""
    kind = mf.entry.kind
    series = _series(mf)
    if kind == "count":
        allv = [float(v) for _, _, d, _ in series for v in d.values]
        marks: list[float] = []
        if mf.recorded is not None:
            marks = [float(v) for v in (mf.recorded.range or (mf.recorded.value,)) if v is not None]
        span = np.array(allv + marks + [float(v) for _, v in students if isinstance(v, (int, float))] or [0.0])
        lo, hi = float(span.min()), float(span.max())
        if np.all(np.mod(span, 1) == 0) and hi - lo <= 60:
            bins = np.arange(math.floor(lo) - 0.5, math.ceil(hi) + 1.5)
        else:
            bins = np.linspace(lo, hi if hi > lo else lo + 1, 31)
        top = 1.0
        for label, c, d, is_base in series:
            if not d.values:
                continue
            x = np.asarray(d.values, dtype=float)
            if is_base:
                n, _, _ = ax.hist(x, bins=bins, color=c, alpha=0.35, zorder=1, label=f"{label} ({x.size} runs)")
            else:
                n, _, _ = ax.hist(x, bins=bins, histtype="step", linewidth=3, color=c, zorder=3, label=f"{label} ({x.size} runs)")
            top = max(top, float(np.max(n)))
        _record_marks(ax, mf)
        if students:
            _students(ax, [(n, float(v) if isinstance(v, (int, float)) else None) for n, v in students], top * 1.1)
        ax.set_ylim(0, top * (1.6 if students else 1.25))
        ax.set_ylabel("runs")
        ax.set_xlabel(wrapped(mf.metric.label, 70))
    elif kind == "time":
        allh = [float(v) for _, _, d, _ in series for v in d.values if v is not None]
        window = mf.recorded.window_hours if mf.recorded is not None and mf.recorded.window_hours else None
        top = max([*allh, *(window or ()), 1.0]) * 1.05
        grid = np.linspace(0.0, top, 300)
        for label, c, d, is_base in series:
            if not d.values:
                continue
            h = np.array([math.inf if v is None else float(v) for v in d.values])
            share = (h[None, :] <= grid[:, None]).mean(axis=1)
            ax.step(grid, share, where="post", color=c, linewidth=4 if is_base else 3, linestyle="-" if not is_base else "--",
                    label=f"{label} ({100 * np.isfinite(h).mean():.0f}% ever)")
        _record_marks(ax, mf)
        if students:
            _students(ax, [(n, float(v) if isinstance(v, (int, float)) else None) for n, v in students], 1.05)
        ax.set_ylim(0, 1.35 if students else 1.05)
        ax.set_xlim(0, top)
        ax.set_ylabel("share of runs by then")
        ax.set_xlabel(f"hours after {start_label}")
    else:
        sides = ["soviet", "japanese", "contested"]
        side_col = {"soviet": "#CC2529", "japanese": "#E69F00", "contested": "#BBBBBB"}
        names = [label for label, _, _, _ in series]
        y = np.arange(len(series))[::-1]
        for yi, (_, _, d, _) in zip(y, series, strict=True):
            left = 0.0
            for s in sides:
                w = d.shares.get(s, 0.0)
                if w > 0:
                    ax.barh([yi], [w], left=left, color=side_col[s], edgecolor="white", label=s if yi == y[0] else None)
                    if w >= 0.08:
                        ax.text(left + w / 2, yi, f"{100 * w:.0f}%", ha="center", va="center", fontsize=12)
                    left += w
        ax.set_yticks(y, [wrapped(n, 24) for n in names])
        ax.set_xlim(0, 1)
        ax.axvline(0.5, color="black", linestyle=":", linewidth=1)
        ax.set_xlabel("share of runs: held by")
        if mf.recorded is not None:
            ax.set_title(f"recorded: {mf.recorded.value}", fontsize=12, loc="right")
        if students:
            for k, (n, v) in enumerate(students):
                ax.annotate(f"{n}: {v or 'nobody'}", (1.0, y[0] + 0.45), xytext=(0, -14 * k), textcoords="offset points", ha="right", fontsize=10)
    if kind != "holder":
        from matplotlib.ticker import MaxNLocator

        if kind == "count":
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(loc="upper left", bbox_to_anchor=(0.0, -0.2), ncol=2, frameon=False)


def difference_axes(ax: Any, mf: MetricFigures) -> None:
    """Draw each variant's difference from the baseline with its 95% interval on *ax*."""
    rows = [(v.label, colour(i), v.headline) for i, v in enumerate(mf.variants) if v.headline is not None]
    if not rows:
        ax.set_axis_off()
        return
    share = rows[0][2].statistic.startswith("share")  # type: ignore[union-attr]
    scale = 100.0 if share else 1.0
    y = np.arange(len(rows))[::-1]
    for yi, (_, c, d) in zip(y, rows, strict=True):
        assert d is not None
        ax.plot([d.low * scale, d.high * scale], [yi, yi], color=c, linewidth=5, solid_capstyle="butt")
        ax.plot([d.difference * scale], [yi], marker="o", markersize=13, color=c)
    ax.axvline(0, color="black", linewidth=1.5)
    ax.set_yticks(y, [wrapped(r[0], 20) for r in rows])
    ax.set_ylim(-0.7, len(rows) - 0.3)
    stat = rows[0][2].statistic  # type: ignore[union-attr]
    ax.set_xlabel(wrapped(statistic_label(stat) + ": variant − baseline", 34))
    ax.set_title("difference, 95% interval", fontsize=13)


def metric_plot(mf: MetricFigures, start_label: str, students: Sequence[tuple[str, Any]] = ()) -> str:
    """Return one metric's plot (distributions and differences) as a PNG data URI."""
    with rc_context(_RC):
        has_diff = any(v.headline is not None for v in mf.variants)
        fig = Figure(figsize=(13, 5.4 if mf.entry.kind != "holder" else 2.6 + 0.8 * (1 + len(mf.variants))))
        if has_diff:
            gs = fig.add_gridspec(1, 2, width_ratios=[2.3, 1], wspace=0.45)
            distribution_axes(fig.add_subplot(gs[0]), mf, start_label, students)
            difference_axes(fig.add_subplot(gs[1]), mf)
        else:
            distribution_axes(fig.add_subplot(1, 1, 1), mf, start_label, students)
        fig.suptitle(mf.metric.label, fontsize=16, x=0.02, ha="left")
        return figure_png(fig)


# ------------------------------------------------------------------ HTML pieces


def briefing_html(figs: ExerciseFigures) -> list[str]:
    """Return the briefing section."""
    doc = figs.exercise.doc
    b = doc.briefing
    parts = ["<h2>Briefing</h2>", f"<p>{e(b.situation)}</p>", f"<p class='question'>{e(b.question)}</p>", "<h3>Constraints</h3><ul>"]
    parts += [f"<li>{e(c)}</li>" for c in b.constraints]
    parts.append("</ul>")
    if doc.variants:
        parts.append("<h3>What changes from 1938</h3><ul>")
        parts += [f"<li><b>{e(v.label)}</b> <span class='note'>({e(vid)})</span></li>" for v, vid in zip(doc.variants, figs.exercise.variant_ids, strict=True)]
        parts.append("</ul>")
    if b.task:
        parts.append(f"<h3>Your task</h3><p>{e(b.task)}</p>")
    parts.append("<h3>Questions</h3><ol>" + "".join(f"<li>{e(q.text)}</li>" for q in doc.questions) + "</ol>")
    return parts


def _mark(covered: bool | None) -> str:
    if covered is None:
        return ""
    return " <span class='yes'>✓</span>" if covered else " <span class='no'>✗</span>"


def metric_table(figs: ExerciseFigures, metric_ids: Sequence[str]) -> str:
    """Return the table of some metrics: record, baseline, each variant, difference."""
    head = "<tr><th>outcome</th><th>recorded</th><th>baseline: median (5%–95%)</th>"
    for _, label, _ in figs.variants:
        head += f"<th>{e(label)}: median (5%–95%)</th><th>difference, variant − baseline (95% interval)</th>"
    head += "</tr>"
    rows = []
    for mid in metric_ids:
        mf = figs.figures(mid)
        kind = mf.entry.kind
        rec = short_times(mf.baseline.versus_record.recorded) if mf.baseline.versus_record is not None else "–"
        row = f"<tr><td><b>{e(mf.metric.label)}</b><br><span class='note'>{e(mf.entry.metric)}</span></td><td class='num'>{e(rec)}</td>"
        cov = mf.baseline.versus_record.covered if mf.baseline.versus_record is not None else None
        row += f"<td class='num'>{e(dist_text(mf.baseline, kind))}{_mark(cov)}</td>"
        for v in mf.variants:
            d = v.headline
            size = practical_of(mf, d) if d is not None else None
            big = d is not None and (size is None or size.worth_attention(d.difference, d.other))
            sig = d is not None and d.significant and big
            stat = f"<br><span class='note'>{e(statistic_label(d.statistic))}</span>" if d is not None else ""
            if d is not None and size is not None:
                verdict = "at least" if big else "below"
                stat += f"<br><span class='note'>{verdict} the smallest difference worth attention, {e(size_text(size, d))}</span>"
            row += f"<td class='num'>{e(dist_text(v.dist, kind))}</td><td class='num'>{'<b>' if sig else ''}{e(diff_text(d))}{'</b>' if sig else ''}{stat}</td>"
        rows.append(row + "</tr>")
    return f"<table>{head}{''.join(rows)}</table>"


def practical_html(figs: ExerciseFigures) -> list[str]:
    """Return the smallest difference worth attention of each metric, with its reason."""
    items = []
    for mf in figs.metrics:
        d = next((v.headline for v in mf.variants if v.headline is not None), None)
        if d is None:
            continue
        size = practical_of(mf, d)
        if size is not None:
            items.append(f"<li><b>{e(mf.metric.label)}</b>: {e(size_text(size, d))}. <span class='note'>{e(size.reason)}</span></li>")
    if not items:
        return []
    return [
        "<h3>The smallest difference worth attention</h3>",
        "<p class='note'>With paired seeds a tiny difference can still have an interval that leaves out zero. Such a difference "
        "is real for the model but too small to teach from: a difference is called worth attention only when it is at "
        "least this large (scenarios/reports/practical-size.yaml).</p><ul>",
        *items,
        "</ul>",
    ]


def teacher_html(figs: ExerciseFigures) -> list[str]:
    """Return the teacher's notes."""
    t = figs.exercise.doc.teacher
    parts = ["<div class='teacher'><h2>For the teacher</h2>", "<h3>What happened</h3>", f"<p>{e(t.what_happened)}</p>",
             "<h3>What the evidence shows</h3>", f"<p>{e(t.evidence)}</p>"]
    if t.discussion:
        parts.append("<h3>For discussion</h3><ul>" + "".join(f"<li>{e(d)}</li>" for d in t.discussion) + "</ul>")
    parts.append("<h3>Sources</h3><ul>" + "".join(f"<li>{e(s)}</li>" for s in t.sources) + "</ul>")
    if figs.record is not None:
        used = [m.recorded for m in figs.metrics if m.recorded is not None]
        if used:
            parts.append("<p class='note'>Recorded figures used: " + " · ".join(f"{e(r.id)}: {e('; '.join(r.sources))}" for r in used) + "</p>")
    parts.append("</div>")
    return parts


def facts_html(figs: ExerciseFigures, command: str = "") -> list[str]:
    """Return how the figures were made."""
    spec = figs.baseline.spec
    rows = [("historical (baseline)", figs.baseline)] + [(label, s) for _, label, s in figs.variants]
    parts = ["<h2>How these figures were made</h2><ul class='note'>"]
    for label, s in rows:
        extra = f", {len(s.failed)} failed" if s.failed else ""
        parts.append(f"<li>{e(label)}: {len(s.runs)} runs{extra}, study file <code>{e(s.path.name)}</code>, study seed {s.spec.study_seed}</li>")
    parts.append(
        f"<li>khasan-sim {e(spec.code_version)}, scenario {e(spec.scenario)} (digest {e(spec.scenario_digest[:12])}); "
        f"differences: variant minus baseline, 95% percentile bootstrap, {'paired by seed' if figs.paired else 'independent samples'}.</li>"
    )
    if command:
        parts.append(f"<li>made with <code>{e(command)}</code></li>")
    parts.append("</ul>")
    return parts


def render_exercise_html(figs: ExerciseFigures, *, start: datetime, command: str = "", students: bool = False) -> str:
    """Return the whole exercise report as HTML.

    Args:
        figs: The figures.
        start: The scenario's start (times are hours after it).
        command: The command that made it (shown at the end).
        students: Leave out the teacher's notes (the answers): the version handed to students.
    """
    ex = figs.exercise
    start_label = start.strftime("%d %b %H:%M")
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{e(ex.title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{e(ex.title)}</h1>",
        f"<p class='facts'>Lake Khasan, 6–11 August 1938 · exercise <b>{e(ex.id)}</b> · lesson: {e(ex.doc.exercise.lesson)} · "
        f"about {ex.doc.exercise.minutes} minutes · {len(figs.baseline.runs)} simulated runs per study</p>",
    ]
    parts += briefing_html(figs)
    parts.append("<h2>The answer in figures</h2>")
    parts.append(
        "<p class='note'>Each study replays the battle many times with different luck (seeds). “Median (5%–95%)”: the middle run "
        "and the range of the central 90% of runs. “Difference”: variant minus baseline, with the 95% interval in which the true "
        "difference most likely lies; when it includes 0, the runs do not show a difference. ✓/✗: whether the baseline's runs "
        "cover the recorded figure.</p>"
    )
    for i, q in enumerate(ex.doc.questions, 1):
        parts.append(f"<h3>Question {i}. {e(q.text)}</h3>")
        parts.append(metric_table(figs, q.metrics))
    parts += practical_html(figs)
    parts.append("<h2>What the numbers say</h2><ul class='reading'>")
    parts += [f"<li>{e(s)}</li>" for s in reading(figs)]
    parts.append("</ul>")
    parts += story_html(figs)
    parts.append("<h2>Plots</h2>")
    parts.append(
        "<p class='note'>Left: how often each outcome came up — grey filled: the historical orders (baseline); coloured outlines: "
        "the variants; orange: the record. Right: the variant's difference from the baseline (dot) and its 95% interval (bar); "
        "a bar that crosses the black zero line means no clear difference.</p>"
    )
    for mf in figs.metrics:
        parts.append(f"<img alt='{e(mf.metric.label)}' src='{metric_plot(mf, start_label)}'>")
    if not students:
        parts += teacher_html(figs)
    parts += facts_html(figs, command)
    parts.append("</body></html>\n")
    return "\n".join(parts)


def scenario_times(exercise: Any) -> tuple[datetime, datetime]:
    """Return the start and end of the exercise's scenario (document only, no terrain)."""
    from khasan_sim.scenario.load import load_document

    doc = load_document(exercise.scenario_path)
    return doc.scenario.start, doc.scenario.end


def require_record(exercise: Any, record: Any) -> None:
    """Raise a clear error if the exercise reads record entries and there is no record.

    Raises:
        KhasanSimError: No record file was found.
    """
    from khasan_sim.errors import KhasanSimError

    needs = [m.record for m in exercise.doc.metrics if m.record is not None]
    if record is None and needs:
        msg = (
            f"{exercise.path}: its figures read the recorded outcomes ({', '.join(needs[:3])}...), and no record file was found "
            "(looked for ../shared/record/khasan-1938.yaml; set KHASAN_RECORD to the file's path)"
        )
        raise KhasanSimError(msg)


def load_figures(exercise: Any, out: Any, record: Any, *, bootstrap_seed: int = 0) -> ExerciseFigures:
    """Read the exercise's studies from the folder *out* and compute the figures.

    Raises:
        KhasanSimError: A study file is missing (run `khasan-sim exercise run` first),
            damaged, or has no run with a result.
    """
    from pathlib import Path

    from khasan_sim.analysis.compare import load_study
    from khasan_sim.errors import KhasanSimError
    from khasan_sim.exercises.figures import exercise_figures
    from khasan_sim.exercises.studies import study_plans

    require_record(exercise, record)
    start, end = scenario_times(exercise)
    loaded = []
    for plan in study_plans(exercise, Path(out)):
        if not plan.path.is_file():
            msg = f"{plan.path}: no study for {plan.label} (run `khasan-sim exercise run {exercise.id} --runs N --out {out}` first)"
            raise KhasanSimError(msg)
        study = load_study(plan.path)
        if not study.runs:
            msg = f"{plan.path}: no run with a result (see the errors stored in the file)"
            raise KhasanSimError(msg)
        if study.spec.variant != plan.variant_id:
            msg = f"{plan.path}: holds the study of {study.spec.variant or 'the historical scenario'}, expected {plan.variant_id or 'the historical scenario'}"
            raise KhasanSimError(msg)
        loaded.append((plan, study))
    base = loaded[0][1]
    variants = [(p.key, p.label, s) for p, s in loaded[1:]]
    return exercise_figures(exercise, base, variants, record, start=start, end=end, bootstrap_seed=bootstrap_seed)
