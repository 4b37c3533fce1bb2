"""How far to trust it: the trust figures of a study, for ``compare`` (text and HTML).

The figures (:mod:`khasan_sim.analysis.trust`) come from the parameters the study ran
with (its scenario and variant files, when they still give the parameters the study
recorded), the study's coverage of the record, and its story checks.
"""

from __future__ import annotations

import html
from typing import Any

from khasan_sim.analysis.story import CANNOT
from khasan_sim.analysis.trust import Trust, trust_of


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def cannot_show_of(story: Any) -> list[tuple[str, str]]:
    """Return ``(check id, why)`` of the story checks the model cannot show yet: those with
    no mechanism at all (``model_lacks``) and those that no run of the study could show (a
    run lacked what the check needs, e.g. no order sends tanks against the hill)."""
    return [
        (c.check.id, c.check.model_lacks or "no run of the study could show it (the story table says why)")
        for c in story.checks
        if c.check.model_lacks is not None or c.status == CANNOT
    ]


def study_trust(study: Any, comparison: Any, story: Any = None) -> tuple[Trust | None, str]:
    """Return the trust figures of a study (or None) and a note for the reader.

    The parameters are read from the study's scenario (and variant) files; when those are
    gone or now give other parameters than the study ran with, there are no figures and
    the note says why.
    """
    from khasan_sim.errors import KhasanSimError
    from khasan_sim.runner.batch import params_digest
    from khasan_sim.scenario.load import load_scenario

    spec = comparison.spec
    path = getattr(spec, "scenario_path", None)
    if not path:
        return None, "the study does not name its scenario file"
    try:
        sc = load_scenario(path, variant=getattr(spec, "variant_path", None) or None)
    except (KhasanSimError, OSError, ValueError) as exc:
        return None, f"the study's scenario cannot be read now ({str(exc).splitlines()[0]})"
    if getattr(spec, "params_digest", None) and params_digest(sc.params) != spec.params_digest:
        return None, "the parameter files have changed since the study ran: its degrees of freedom are no longer those on disk"
    held = total = None
    cannot: list[tuple[str, str]] = []
    if story is not None:
        held, total = story.met, len(story.checks)
        cannot = cannot_show_of(story)
    t = trust_of(
        sc.params,
        len(comparison.entries),
        covered=comparison.covered,
        crps=comparison.crps_relative_mean,
        runs=comparison.runs_ok,
        story_held=held,
        story_total=total or 0,
        cannot_show=cannot,
    )
    return t, ""


def section(trust: Trust) -> str:
    """Return the HTML of the "How far to trust it" section."""
    over = trust.over_limit
    parts = [
        "<h2>How far to trust it</h2>",
        "<div class='score'>",
        f"<div><b>{len(trust.fitted)} for {trust.record_entries}</b>parameters fitted to the record's entries "
        f"(at most {trust.limit}: half of them){' — over the limit' if over else ''}</div>",
        f"<div><b>{len(trust.on_bound)}</b>fitted values on a bound of their range (a missing mechanism)</div>",
        f"<div><b>{len(trust.judged_out_of_fold)}</b>fitted values judged out of fold</div>",
    ]
    if trust.story_held is not None:
        more = f" ({len(trust.cannot_show)} more the model cannot show yet)" if trust.cannot_show else ""
        parts.append(f"<div><b>{trust.story_held} of {trust.story_showable}</b>story checks a run can show (never fitted) "
                     f"hold in half the runs{more}</div>")
    parts.append("</div>")
    parts.append(
        "<p class='note'>A model fitted with more knobs than the facts it is fitted to reproduces those facts and nothing "
        "else: the record covered in this study is in-sample for every fitted parameter. The story checks were never "
        "fitted, and calibrate judges a fit out of fold (fit on two thirds of the record's entries, scored on the third left "
        "out, rotated) before it writes it.</p>"
    )
    parts.append("<ul>" + "".join(f"<li>{_e(line)}</li>" for line in trust.lines()) + "</ul>")
    rows = []
    for f in trust.fitted:
        bounds = "–" if f.bounds is None else f"{f.bounds[0]:g} – {f.bounds[1]:g}"
        rows.append(
            "<tr>"
            f"<td>{_e(f.key)}</td><td>{_e(f'{f.value:g}' if isinstance(f.value, float) else f.value)} {_e(f.unit)}</td>"
            f"<td>{_e(bounds)}</td><td>{'<b>' + _e(f.on_bound) + '</b>' if f.on_bound else ''}</td>"
            f"<td>{_e(f.out_of_fold or 'not judged')}</td><td>{_e(', '.join(f.entries))}</td><td>{_e(f.date)}</td>"
            "</tr>"
        )
    parts.append(
        "<h3>The fitted parameters</h3><table><tr><th>parameter</th><th>value</th><th>range</th><th>on a bound</th>"
        "<th>out of fold</th><th>record entries that drove it</th><th>fitted</th></tr>" + "".join(rows) + "</table>"
    )
    if trust.cannot_show:
        parts.append("<h3>What the model cannot show yet</h3><ul>")
        parts.extend(f"<li><b>{_e(cid)}</b>: {_e(why)}</li>" for cid, why in trust.cannot_show)
        parts.append("</ul>")
    return "\n".join(parts)
