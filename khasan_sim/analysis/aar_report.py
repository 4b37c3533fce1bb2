"""The after-action report of one run: a printable HTML page a teacher can hand out.

From the top: the battle in brief; day by day (what each day cost each side, the tanks
bogged and lost, routs, counter-attacks and the heights, with the day's key moments and
the causes their events carry); the situation at the key moments on small maps (the same
terrain picture as ``khasan-sim map``, :func:`khasan_sim.render.mapimage.draw_map`); the
losses over time beside the record; the run against each recorded outcome; where the run
sits among a study's runs when one is given; how the report was made.
"""

from __future__ import annotations

import base64
import html
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib import rc_context
from matplotlib.figure import Figure

from khasan_sim.analysis.aar_moments import (
    SIDE_NAMES,
    SIDES,
    DayPhase,
    Moment,
    clock,
    day_phases,
    key_moments,
    losses_series,
)
from khasan_sim.analysis.aar_source import ReplayedRun
from khasan_sim.analysis.compare import entry_values
from khasan_sim.analysis.compare_stats import midrank_percentile
from khasan_sim.analysis.report import RECORDED, _ordinal, figure_png, short_times
from khasan_sim.record import Record, judge_run, recorded_text, simulated_value

SIDE_COLOURS = {"soviet": "#c0392b", "japanese": "#1f4e9c"}
MAP_MARGIN_M = 700.0
"""Metres of ground shown around the heights on the key-moment maps."""

CSS = """
body { font-family: "DejaVu Serif", Georgia, serif; font-size: 18px; line-height: 1.45; color: #111;
       background: #fff; max-width: 1150px; margin: 1.5em auto; padding: 0 1em; }
h1 { font-size: 1.9em; margin-bottom: 0.1em; }
h2 { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 1.35em; border-bottom: 3px solid #7a1f1f;
     padding-bottom: 0.15em; margin-top: 1.7em; }
h3 { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 1.1em; margin: 1.3em 0 0.3em; }
.facts, .note, .causes { color: #444; font-size: 0.85em; }
.brief { font-size: 1.08em; border-left: 8px solid #7a1f1f; padding: 0.3em 0.9em; background: #f8f1ea; }
.moment { margin: 0.4em 0 0.7em 0; }
.moment b { font-family: "DejaVu Sans", Arial, sans-serif; }
.maps { display: grid; grid-template-columns: 1fr 1fr; gap: 0.8em 1.2em; }
.maps figure { margin: 0; page-break-inside: avoid; break-inside: avoid; }
.maps figcaption { font-size: 0.82em; color: #333; }
table { border-collapse: collapse; margin: 0.6em 0; width: 100%; }
th, td { border-bottom: 1px solid #bbb; padding: 0.3em 0.5em; text-align: left; vertical-align: top; font-size: 0.88em; }
th { background: #f1ece6; font-family: "DejaVu Sans", Arial, sans-serif; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.yes { color: #007a3d; font-weight: bold; }
.no { color: #c0001a; font-weight: bold; }
img { max-width: 100%; height: auto; display: block; margin: 0.3em 0 0.6em; }
code { background: #f2f2f2; padding: 0 0.2em; }
@media print {
  body { font-size: 11pt; max-width: none; margin: 0; }
  h2, h3 { page-break-after: avoid; break-after: avoid; }
  img, table, .moment { page-break-inside: avoid; break-inside: avoid; }
}
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _n(x: float) -> str:
    """Return a count with thousands separators, never in exponent notation."""
    return f"{x:,.0f}" if float(x).is_integer() or abs(x) >= 100 else f"{x:,.1f}"


def _value(v: Any) -> str:
    """Return a cause's value in words (numbers to three significant decimals at most)."""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:,.3f}".rstrip("0").rstrip(".") if not v.is_integer() else _n(v)
    if isinstance(v, int):
        return _n(v)
    return str(v)


def causes_html(causes: Sequence[tuple[str, Any]]) -> str:
    """Return an event's causes as one line: ``name value · name value`` (a morale change's
    terms that did not move it, ``d_*`` and ``share_*`` at 0, are left out: noise to a reader)."""
    causes = [(k, v) for k, v in causes if not (k.startswith(("d_", "share_")) and isinstance(v, (int, float)) and v == 0)]
    if not causes:
        return ""
    items = [_e(v) if k == "cause" and isinstance(v, str) and " " in v else f"{_e(k.replace('_', ' '))} {_e(_value(v))}" for k, v in causes]
    return "<div class='causes'>" + " · ".join(items) + "</div>"


# ------------------------------------------------------------------ the story


def _losses_text(d: DayPhase) -> str:
    parts = []
    for side in SIDES:
        c = d.losses[side]
        parts.append(
            f"{SIDE_NAMES[side]} {_n(c['killed'])} killed, {_n(c['wounded'])} wounded, {_n(c['missing'])} missing"
        )
    return "Losses (men in the fighting units): " + "; ".join(parts) + "."


def day_paragraph(run: ReplayedRun, d: DayPhase) -> str:
    """Return one day told in a few sentences."""
    out = [_losses_text(d)]
    if d.ceasefire_s is not None:
        out.append(f"Ceasefire agreed at {clock(run, d.ceasefire_s)[-5:]}: from then neither side launches a new attack.")
    tanks = []
    for side in SIDES:
        if d.bogged[side] or d.knocked_out[side]:
            tanks.append(f"{SIDE_NAMES[side]} tanks: {d.bogged[side]} bogged down, {d.knocked_out[side]} knocked out")
    if tanks:
        out.append("; ".join(tanks) + ".")
    if d.firsts:
        out.append(
            "First held by Soviet troops: "
            + ", ".join(f"{run.zone_name(z)} ({clock(run, t)[-5:]})" for z, t in d.firsts)
            + "."
        )
    changed = [z for z, n in d.changes.most_common() if n]
    if changed:
        out.append(
            "Changing hands: " + ", ".join(f"{run.zone_name(z)} {d.changes[z]} times" for z in changed[:5]) + "."
        )
    if d.counterattacks:
        ca = ", ".join(f"{n} {SIDE_NAMES.get(s, s)}" for s, n in d.counterattacks.items())
        off = ", ".join(f"{n} because of {r}" for r, n in d.called_off.most_common())
        out.append(f"Counter-attacks: {ca}" + (f"; called off: {off}" if off else "") + ".")
    routs = [f"{n} {SIDE_NAMES[s]}" for s, n in d.routs.items() if n and s in SIDE_NAMES]
    if routs:
        out.append("Units routed: " + ", ".join(routs) + ".")
    heights = {z.id for z in run.scenario.doc.zones if z.kind == "height"}
    held = {z: h for z, h in d.holders_at_end.items() if z in heights}
    if held:
        words = {"soviet": "Soviet", "japanese": "Japanese", "none": "no one"}
        out.append(
            "At the day's end: " + ", ".join(f"{run.zone_name(z)} held by {words.get(h, h)}" for z, h in held.items()) + "."
        )
    return " ".join(out)


def moment_html(m: Moment) -> str:
    """Return one key moment."""
    return f"<div class='moment'><b>{_e(m.title)}.</b> {_e(m.text)}{causes_html(m.causes)}</div>"


def brief_text(run: ReplayedRun, record: Record | None) -> str:
    """Return the run in brief: the heights at the end, the losses, the tanks, the record."""
    final = run.result.final
    when = clock(run, run.end_min * 60)
    heights = [z.id for z in run.scenario.doc.zones if z.kind == "height"]
    holders = []
    for z in heights:
        h = final.get(f"objective.{z}.holder", "absent")
        if h != "absent":
            holders.append(f"{run.zone_name(z)}: {'contested' if h is None else SIDE_NAMES.get(str(h), h)}")
    losses = "; ".join(
        f"{SIDE_NAMES[s]} {_n(final.get(f'{s}.killed', 0) or 0)} killed and {_n(final.get(f'{s}.wounded', 0) or 0)} wounded"
        for s in SIDES
    )
    tanks = final.get("soviet.tanks.knocked_out")
    bogs = sum(1 for ev in run.events if ev.kind == "bogged" and run.side_of(ev.get("unit")) == "soviet")
    text = f"By {when} ({'the ceasefire' if run.finished else 'the moment of the save'}): " + "; ".join(holders) + ". "
    text += f"Losses: {losses}."
    if tanks is not None:
        text += f" Soviet tanks knocked out: {_n(tanks)} (tanks bogged down {_n(bogs)} times)."
    if record is not None:
        judged = [j for j in judge_run(record, run.result) if j.inside is not None]
        inside = sum(1 for j in judged if j.inside)
        text += f" Of the {len(judged)} recorded outcomes this run can be judged on, {inside} fall inside the record."
    return text


def discussion(run: ReplayedRun, moments: Sequence[Moment], days: Sequence[DayPhase], record: Record | None) -> list[str]:
    """Return questions for the class drawn from this run's own moments and figures."""
    out = []
    bogs = sum(d.bogged["soviet"] for d in days)
    if bogs:
        worst = max(days, key=lambda d: d.bogged["soviet"])
        out.append(
            f"Soviet tanks bogged down {bogs} times in this run, {worst.bogged['soviet']} of them on {worst.label}. "
            "What about the ground and the routes made that likely, and what could the tank commanders have done?"
        )
    changes: dict[str, int] = {}
    for d in days:
        for z, n in d.changes.items():
            changes[z] = changes.get(z, 0) + n
    if changes:
        zone, n = max(changes.items(), key=lambda kv: kv[1])
        if n > 2:
            out.append(f"{run.zone_name(zone)} changed holder {n} times. What kept either side from holding it?")
    heavy = [m for m in moments if m.kind == "losses"]
    if heavy:
        top = max(heavy, key=lambda m: m.size)
        cause = next((str(v) for k, v in top.causes if k == "cause"), "")
        if cause:
            out.append(f"The heaviest hour of the run ({top.title.split(': ', 1)[0]}) cost {top.size:,} men; the biggest "
                       f"share: {cause}. Could the side that suffered it have avoided it, and at what price?")
    if record is not None:
        outside = [j.entry_id for j in judge_run(record, run.result) if j.inside is False]
        if outside:
            out.append(
                f"This run lies outside the record for {', '.join(outside[:3])}{' and more' if len(outside) > 3 else ''}. "
                "Is that this run's luck or the model? What would a study of many runs tell you?"
            )
    return out


# ------------------------------------------------------------------ maps


def battlefield_extent(run: ReplayedRun, moments: Sequence[Moment] = ()) -> tuple[float, float, float, float]:
    """Return (xmin, xmax, ymin, ymax), a square: the zones that changed hands (else the heights)
    and the places of the moments, with a margin."""
    fought = {ev.get("zone") for ev in run.events if ev.kind == "zone_holder"}
    zones = [z for z in run.scenario.doc.zones if z.id in fought] or [z for z in run.scenario.doc.zones if z.kind == "height"]
    pts = [p for z in zones for p in z.polygon] + [m.where for m in moments if m.where is not None]
    arr = np.array(pts, dtype=float) if pts else np.zeros((1, 2))
    g = run.scenario.terrain.grid
    x0, y0 = arr.min(axis=0) - MAP_MARGIN_M
    x1, y1 = arr.max(axis=0) + MAP_MARGIN_M
    side = min(max(x1 - x0, y1 - y0), g.width_m, g.height_m)  # square, so the maps line up
    cx = min(max((x0 + x1) / 2, side / 2), g.width_m - side / 2)
    cy = min(max((y0 + y1) / 2, side / 2), g.height_m - side / 2)
    return (float(cx - side / 2), float(cx + side / 2), float(cy - side / 2), float(cy + side / 2))


def _trimmed_png(path: Path) -> bytes:
    """Return the PNG at *path* with its white margins cut off."""
    import io

    from PIL import Image

    with Image.open(path) as im:
        rgb = np.asarray(im.convert("RGB"))
        ink = np.nonzero((rgb < 250).any(axis=2))
        if ink[0].size == 0:
            return path.read_bytes()
        box = (int(ink[1].min()), int(ink[0].min()), int(ink[1].max()) + 1, int(ink[0].max()) + 1)
        buf = io.BytesIO()
        im.crop(box).save(buf, format="PNG")
        return buf.getvalue()


def moment_maps(run: ReplayedRun, moments: Sequence[Moment]) -> list[tuple[Moment, str]]:
    """Return ``(moment, PNG data URI)`` of the situation at each mapped moment."""
    from khasan_sim.render.mapimage import draw_map

    mapped = [m for m in moments if m.mapped]
    if not mapped or run.scenario.terrain is None:
        return []
    where = run.positions_at([m.t_s / 60.0 for m in mapped])
    for m in mapped:  # a unit's moment happened where the unit stood
        if m.where is None and m.unit is not None:
            at = [p for p in where[m.t_s / 60.0] if p.id == m.unit]
            m.where = (at[0].x, at[0].y) if at else None
    extent = battlefield_extent(run, mapped)
    out = []
    with tempfile.TemporaryDirectory(prefix="khasan-aar-") as tmp:
        for i, m in enumerate(mapped):
            marks = [(m.where[0], m.where[1], m.title.split(": ", 1)[0])] if m.where is not None else []
            png = draw_map(
                run.scenario.terrain, Path(tmp) / f"m{i}.png", zones=run.scenario.doc.zones, units=where[m.t_s / 60.0],
                title=m.title, extent_m=extent, size_in=7.0, dpi=80, marks=marks, unit_size=6.5,
            )
            out.append((m, "data:image/png;base64," + base64.b64encode(_trimmed_png(png)).decode("ascii")))
    return out


# ------------------------------------------------------------------ losses and the record


def losses_plot(run: ReplayedRun, record: Record | None) -> str:
    """Return the men lost over time by side beside the record's figures, as a PNG data URI."""
    series = losses_series(run)
    end_h = run.end_min / 60.0
    with rc_context({"font.size": 13, "axes.spines.top": False, "axes.spines.right": False}):
        fig = Figure(figsize=(13, 5.2))
        axes = fig.subplots(1, 2)
        for ax, side in zip(axes, SIDES, strict=True):
            colour = SIDE_COLOURS[side]
            h, tot = series[side]["lost"]
            ax.step(h, tot, where="post", color=colour, lw=2.2, label="killed, wounded and missing")
            h, tot = series[side]["killed"]
            ax.step(h, tot, where="post", color=colour, lw=1.4, ls="--", label="killed")
            final = run.result.final
            x_end = end_h
            for j, what in enumerate(("killed", "wounded")):
                v = final.get(f"{side}.{what}")
                entry = _record_entry(record, f"{side}.{what}") if run.finished else None
                xr = x_end + 3 + 5 * j
                if entry is not None and entry.range is not None:
                    lo, hi = entry.range
                    ax.plot([xr, xr], [lo, hi], color=RECORDED, lw=8, alpha=0.6, solid_capstyle="butt",
                            label="recorded range at the ceasefire" if j == 0 else None)
                if isinstance(v, (int, float)):
                    ax.plot([xr], [v], marker="o", ms=8, color=colour, mec="black",
                            label="this run at the ceasefire" if j == 0 and entry is not None else None)
                    ax.annotate(what, (xr, v), xytext=(6, 0), textcoords="offset points", fontsize=10, va="center")
            ticks = [b / 3600.0 for b in _day_starts(run)]
            ax.set_xticks(ticks, [clock(run, t * 3600)[:-6] for t in ticks], fontsize=10)
            ax.set_xlim(0, end_h + 14)
            ax.set_ylim(bottom=0)
            ax.set_title(f"{SIDE_NAMES[side]} men lost", fontsize=14)
            ax.set_xlabel(f"August 1938 (tick: midnight; the run starts {clock(run, 0)})")
            ax.set_ylabel("men, cumulative")
            ax.legend(loc="upper left", fontsize=9, frameon=False)
        fig.tight_layout()
        return figure_png(fig)


def _day_starts(run: ReplayedRun) -> list[int]:
    from khasan_sim.analysis.aar_moments import day_bounds

    return [a for _, a, _ in day_bounds(run)][1:]


def _record_entry(record: Record | None, metric: str) -> Any:
    """Return the record's count entry for *metric* read at the record's end, or None."""
    if record is None:
        return None
    end = record.hours(record.end)
    for e in record.entries:
        if e.metric == metric and e.kind == "count" and e.at is not None and abs(record.hours(e.at) - end) < 1e-9:
            return e
    return None


def _sim_text(entry: Any, value: Any, run: ReplayedRun) -> str:
    if value is None:
        return "never" if entry.kind == "time" else "contested"
    if entry.kind == "time":
        return f"{short_times(clock(run, float(value) * 3600))} ({float(value):.1f} h)"
    if entry.kind == "holder":
        return SIDE_NAMES.get(str(value), str(value))
    return _n(float(value))


def _recorded(entry: Any) -> str:
    """Return the recorded figure in words, sides named as in the rest of the report."""
    if entry.kind == "holder" and entry.value is not None:
        return SIDE_NAMES.get(str(entry.value), str(entry.value))
    return short_times(recorded_text(entry))


def record_table(run: ReplayedRun, record: Record) -> str:
    """Return the run against each recorded outcome."""
    rows = []
    for j in judge_run(record, run.result):
        entry = record.entry(j.entry_id)
        mark = "" if j.inside is None else ("<span class='yes'>✓ inside</span>" if j.inside else "<span class='no'>✗ outside</span>")
        sim = _sim_text(entry, j.simulated, run) if j.inside is not None else _e(j.note or "not judged")
        rows.append(
            f"<tr><td><b>{_e(entry.id)}</b></td><td class='num'>{_e(_recorded(entry))}</td>"
            f"<td class='num'>{_e(sim)}</td><td>{mark}</td></tr>"
        )
    head = "<tr><th>recorded outcome</th><th>recorded</th><th>this run</th><th></th></tr>"
    return f"<table>{head}{''.join(rows)}</table>"


@dataclass(frozen=True)
class StudyPlace:
    """Where the run sits among a study's runs for one record entry."""

    entry_id: str
    run_value: str
    study: str
    place: str


def study_places(run: ReplayedRun, record: Record, study: Any) -> list[StudyPlace]:
    """Return the run's percentile among the study's runs (count, time) or its holder's share, per entry."""
    out = []
    for entry in record.entries:
        values, _ = entry_values(entry, study.runs)
        try:
            mine = simulated_value(entry, run.result)
        except (KeyError, ValueError):
            continue
        if not values:
            continue
        vals = list(values.values())
        if entry.kind == "holder":
            same = sum(1 for v in vals if v == mine)
            out.append(StudyPlace(entry.id, _sim_text(entry, mine, run), f"{len(vals)} runs",
                                  f"{100 * same / len(vals):.0f}% of the study's runs have the same holder"))
            continue
        if entry.kind == "count" and (mine is None or isinstance(mine, str)):
            continue
        arr = np.array([np.inf if v is None else float(v) for v in vals])
        y = np.inf if mine is None else float(mine)
        pct = midrank_percentile(arr, y)
        fin = arr[np.isfinite(arr)]
        med = f"median {_n(float(np.median(fin)))}" if entry.kind == "count" and fin.size else (
            f"median {float(np.median(fin)):.1f} h" if fin.size else "never reached")
        place = f"{_ordinal(pct)} percentile" + (" (never reached, like the runs that never did)" if mine is None else "")
        out.append(StudyPlace(entry.id, _sim_text(entry, mine, run), f"{len(vals)} runs, {med}", place))
    return out


def study_html(run: ReplayedRun, record: Record, study: Any) -> list[str]:
    """Return the section placing the run in a study."""
    spec = study.spec
    parts = ["<h2>Where this run sits among the study's runs</h2>"]
    if spec.scenario != run.result.scenario or (spec.variant or None) != (run.result.variant or None):
        parts.append(
            f"<p class='no'>The study is of {_e(spec.scenario)} {_e(spec.variant or '')}, this run of "
            f"{_e(run.result.scenario)} {_e(run.result.variant or '')}: the places below compare different battles.</p>"
        )
    parts.append(
        "<p class='note'>How lucky was this run? The percentile says what share of the study's runs came out lower "
        "(half counted for ties): the 50th is an ordinary run, the 5th or the 95th an unusual one. For a time, a run "
        "that never reached it counts as later than every run that did.</p>"
    )
    rows = "".join(
        f"<tr><td><b>{_e(p.entry_id)}</b></td><td class='num'>{_e(p.run_value)}</td><td>{_e(p.study)}</td><td>{_e(p.place)}</td></tr>"
        for p in study_places(run, record, study)
    )
    parts.append(f"<table><tr><th>recorded outcome</th><th>this run</th><th>the study</th><th>this run's place</th></tr>{rows}</table>")
    parts.append(f"<p class='note'>Study {_e(study.path.name)}: {len(study.runs)} runs, study seed {spec.study_seed}.</p>")
    return parts


# ------------------------------------------------------------------ the page


def render_aar_html(run: ReplayedRun, record: Record | None, *, study: Any = None, command: str = "") -> str:
    """Return the whole after-action report as HTML."""
    sc = run.scenario
    moments = key_moments(run)
    days = day_phases(run, moments)
    seed_text = f"seed {run.save.seed}" + (f", variant {sc.variant_id}" if sc.variant_id else "")
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>After-action report: {_e(sc.title)}, {_e(seed_text)}</title><style>{CSS}</style></head><body>",
        "<h1>After-action report</h1>",
        f"<p class='facts'>{_e(sc.title)} · {_e(seed_text)} · {_e(clock(run, 0))} to {_e(clock(run, run.end_min * 60))}"
        f"{'' if run.finished else ' (a game saved before the end)'} · {len(run.events):,} events</p>",
        f"<p class='brief'>{_e(brief_text(run, record))}</p>",
        "<h2>Day by day</h2>",
        "<p class='note'>Each day from midnight (the first from the start of the scenario). The key moments are chosen "
        "from the run's events; below each, in small type, the causes its event records.</p>",
    ]
    for d in days:
        parts.append(f"<h3>{_e(d.label)}</h3><p>{_e(day_paragraph(run, d))}</p>")
        parts += [moment_html(m) for m in d.moments]
    maps = moment_maps(run, moments)
    if maps:
        parts.append("<h2>The situation at the key moments</h2>")
        parts.append(
            "<p class='note'>Red circles: Soviet units; blue diamonds: Japanese units (every ground unit with men left, "
            "where it stood at that moment); dashed outlines: the objectives; the star: where the moment happened.</p>"
        )
        parts.append("<div class='maps'>")
        parts += [f"<figure><img alt='{_e(m.title)}' src='{uri}'><figcaption>{_e(m.title)}. {_e(m.text)}</figcaption></figure>" for m, uri in maps]
        parts.append("</div>")
    parts.append("<h2>Losses over time, beside the record</h2>")
    parts.append(f"<img alt='men lost over time by side' src='{losses_plot(run, record)}'>")
    parts.append(
        "<p class='note'>Solid: every man killed, wounded or missing; dashed: killed (tank crews hit when their tank was "
        "knocked out count in the solid line only). At the right: this run's killed and wounded at the ceasefire beside "
        "the published range of each (the record's figures are for the whole conflict, 29 July to 11 August).</p>"
    )
    questions = discussion(run, moments, days, record)
    if questions:
        parts.append("<h2>For discussion</h2><ol>" + "".join(f"<li>{_e(q)}</li>" for q in questions) + "</ol>")
    if record is not None:
        parts.append("<h2>This run against the record</h2>")
        parts.append(
            "<p class='note'>One run is one draw of the model's luck: a run outside a recorded figure is not a failure "
            "of the model, and one inside it is not a proof. A study of many runs says how often the record comes up.</p>"
        )
        parts.append(record_table(run, record))
        if study is not None:
            parts += study_html(run, record, study)
    parts.append("<h2>How this report was made</h2><ul class='note'>")
    parts.append(
        f"<li>{'The run' if run.kind == 'run' else 'The saved game'} <code>{_e(run.source.name)}</code> replayed through the "
        f"simulation: scenario <code>{_e(Path(run.save.scenario).name)}</code>"
        f"{', variant <code>' + _e(Path(run.save.variant).name) + '</code>' if run.save.variant else ''}, {_e(seed_text)}, "
        f"{len(run.save.orders)} player orders; event log digest {_e(run.digest[:12])}"
        f"{' (the same as the recorded run)' if run.kind == 'run' else ''}.</li>"
    )
    if record is not None:
        parts.append(f"<li>Record: <code>{_e(Path(record.file or 'record').name)}</code>.</li>")
    if command:
        parts.append(f"<li>Made with <code>{_e(command)}</code>.</li>")
    parts.append("</ul></body></html>\n")
    return "\n".join(parts)
