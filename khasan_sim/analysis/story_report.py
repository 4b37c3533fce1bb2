"""The story checks' section of the HTML report (:mod:`khasan_sim.analysis.report`).

For each check of ``scenarios/record/story.yaml``: who, what and when; the history
digest's own words; the observable and its threshold, with the reason for the threshold;
and the one statistic of the section, the share of the study's runs in which the check
holds (drawn as a bar against the goal of half the runs). Checks the model cannot show
say so and why.
"""

from __future__ import annotations

import html

import numpy as np
from matplotlib import rc_context
from matplotlib.figure import Figure

from khasan_sim.analysis.story import CANNOT, GOAL_SHARE, HOLDS, NOT_OBSERVED, StoryComparison

_HOLDS_COLOUR = "#009E73"  # bluish green (Okabe-Ito)
_FAILS_COLOUR = "#D55E00"  # vermillion
_RC = {
    "font.size": 14,
    "axes.titlesize": 17,
    "xtick.labelsize": 13,
    "ytick.labelsize": 12,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def shares_plot(comparison: StoryComparison) -> str | None:
    """Return a PNG data URI: each judged check's share of runs holding, with the goal line."""
    from khasan_sim.analysis.report import figure_png

    rows = [c for c in comparison.checks if c.status not in (CANNOT, NOT_OBSERVED)]
    if not rows:
        return None
    with rc_context(_RC):
        fig = Figure(figsize=(12, 0.42 * len(rows) + 1.6))
        ax = fig.add_subplot()
        y = np.arange(len(rows))[::-1]
        shares = [100 * (c.share or 0.0) for c in rows]
        colours = [_HOLDS_COLOUR if c.status == HOLDS else _FAILS_COLOUR for c in rows]
        ax.barh(y, shares, color=colours, height=0.7)
        ax.axvline(100 * GOAL_SHARE, color="#000000", linestyle="--", linewidth=1.5)
        ax.set_yticks(y, [c.check.id for c in rows])
        ax.set_xlim(0, 100)
        ax.set_xlabel("share of runs in which the check holds (%); dashed: the goal, half the runs")
        for yi, s in zip(y, shares, strict=True):
            inside_bar = s >= 88  # near the end: written inside the bar, in white
            ax.text(
                s - 1 if inside_bar else s + 1,
                yi,
                f"{s:.0f}%",
                va="center",
                ha="right" if inside_bar else "left",
                fontsize=12,
                color="white" if inside_bar else "black",
            )
        fig.tight_layout()
        return figure_png(fig)


def _share_cell(c: object) -> str:
    status = c.status  # type: ignore[attr-defined]
    if status == CANNOT:
        return "<td class='unknown'>cannot show</td>"
    if status == NOT_OBSERVED:
        return "<td class='unknown'>not observed</td>"
    share = 100 * (c.share or 0.0)  # type: ignore[attr-defined]
    colour = _HOLDS_COLOUR if status == HOLDS else _FAILS_COLOUR
    extra = ""
    cannot = c.counts.get(CANNOT, 0)  # type: ignore[attr-defined]
    if cannot:
        extra = f"<br><span class='note'>{cannot} runs cannot show it</span>"
    bar = f"<div style='background:#eee;width:8em;height:0.6em'><div style='background:{colour};width:{share:.0f}%;height:0.6em'></div></div>"
    return f"<td class='num'><b>{share:.0f}%</b> <span class='note'>({c.holds} of {c.runs})</span>{bar}{extra}</td>"  # type: ignore[attr-defined]


def _mark(status: str) -> str:
    if status == HOLDS:
        return '<span class="yes">✓ holds</span>'
    if status == CANNOT:
        return '<span class="unknown">cannot show yet</span>'
    if status == NOT_OBSERVED:
        return '<span class="unknown">–</span>'
    return '<span class="no">✗ fails</span>'


def section(comparison: StoryComparison) -> str:
    """Return the HTML of the story checks' section."""
    n = comparison.checks[0].runs if comparison.checks else 0
    cannot = comparison.cannot_show
    parts = [
        "<h2>The story checks: what the history digest says, run by run</h2>",
        "<div class='score'>",
        f"<div><b>{comparison.met} of {len(comparison.checks) - cannot}</b>story checks a run can show hold in at least half "
        "of the runs (the goal)</div>",
        f"<div><b>{cannot}</b>the model cannot show yet</div>",
        "</div>",
        "<p class='note'>Each check turns one statement of the history digest (../shared/history/khasan-1938.md) into "
        "an observable of a single run and a threshold drawn from the digest's words (scenarios/record/story.yaml, "
        "where each threshold has its reason). No parameter is fitted to them: they test the mechanisms. The figure is "
        f"the share of the study's {n:,} runs in which the check holds; a run that cannot show a check counts as not holding.</p>",
    ]
    for note in comparison.notes:
        parts.append(f"<p class='note'>Note: {_e(note)}</p>")
    plot = shares_plot(comparison)
    if plot is not None:
        parts.append(f"<img alt='share of runs in which each story check holds' src='{plot}'>")
    rows = []
    for c in comparison.checks:
        ch = c.check
        if ch.model_lacks is not None:
            test = f"{_e(ch.observable)}<br><span class='note'>the model cannot show this yet: {_e(ch.model_lacks)}</span>"
        else:
            test = f"{_e(ch.observable)}<br>→ <b>{_e(ch.threshold_text())}</b><br><span class='note'>why: {_e(' '.join(ch.reason.split()))}</span>"
        rows.append(
            "<tr>"
            f"<td><b>{_e(ch.id)}</b><br><span class='note'>{_e(ch.who)}: {_e(ch.what)} ({_e(ch.when)})</span></td>"
            f"<td><i>“{_e(' '.join(ch.words.split()))}”</i></td>"
            f"<td>{test}</td>"
            f"{_share_cell(c)}"
            f"<td>{_mark(c.status)}</td>"
            "</tr>"
        )
    head = "<tr><th>check</th><th>the digest's words</th><th>observable → threshold</th><th>share of runs in which it holds</th><th></th></tr>"
    parts.append(f"<table>{head}{''.join(rows)}</table>")
    return "\n".join(parts)
