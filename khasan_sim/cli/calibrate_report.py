"""The Markdown report of ``khasan-sim calibrate --report FILE.md``: the fit, what became of
it (written, or why not), its out-of-fold judgement, the values on a bound, the degrees of
freedom, and every candidate tried. Built from the JSON report's dict (cmd_calibrate.py)."""

from __future__ import annotations

from typing import Any


def fmt(v: Any) -> str:
    """Return a parameter value as the reports print it (floats to four figures)."""
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def _outcome(doc: dict[str, Any]) -> str:
    """Return what became of the fit, in one sentence."""
    if doc.get("refused"):
        return f"Not written: {doc['refused']}."
    if not doc["improved"]:
        return "Not better than the current values: nothing written."
    if doc.get("dry_run"):
        return "Passed every check; not written (--dry-run)."
    written = doc.get("written") or []
    return "Written to " + ", ".join(f"`{w}`" for w in written) + "." if written else "Nothing written."


def _score(s: dict[str, Any]) -> str:
    return f"loss {s['loss']:.3f} ({s['covered']}/{s['entries']} covered)"


def _cross_validation(cv: dict[str, Any]) -> list[str]:
    """Return the report's lines on the out-of-fold judgement (*cv*: the JSON's ``cross_validation``)."""
    lines = [
        "",
        "## Out of fold",
        "",
        f"Each fold's entries scored by the values fitted without them ({len(cv['folds'])} folds; loss, lower is better).",
        "",
        "| fold | entries held out | fitted on the rest: before | after (in sample) | held out: current | fitted (out of fold) |",
        "|---|---|---|---|---|---|",
    ]
    for n, f in enumerate(cv["folds"], 1):
        lines.append(
            f"| {n} | {', '.join(f['held_out'])} | {f['train_before']['loss']:.3f} | {f['train_after']['loss']:.3f} "
            f"| {f['held_out_before']['loss']:.3f} | {f['held_out_after']['loss']:.3f} |"
        )
    verdict = "the fit generalises" if cv["generalises"] else "worse than the current values: the fit does not generalise"
    lines += ["", f"Whole record: current values {_score(cv['current'])}; out of fold {_score(cv['out_of_fold'])}: {verdict}."]
    return lines


def report_markdown(doc: dict[str, Any]) -> str:
    """Return the Markdown report of the calibration *doc* (the JSON report's dict)."""
    keys = [p["key"] for p in doc["parameters"]]
    lines = [
        f"# Calibration of {doc['scenario']}",
        "",
        f"Calibration file `{doc['calibration']}`, record `{doc['record']}`; seed {doc['seed']}, "
        f"{doc['runs_per_candidate']} replications per candidate, {len(doc['candidates'])} candidates "
        f"(the current values and a budget of {doc['budget']}).",
        "",
        "| parameter | bounds | current | fitted |",
        "|---|---|---|---|",
    ]
    for p in doc["parameters"]:
        lines.append(f"| {p['key']} | {p['bounds'][0]:g} - {p['bounds'][1]:g} | {fmt(doc['current']['values'][p['key']])} | {fmt(doc['fitted'][p['key']])} |")
    cur, best = doc["current"], doc["best"]
    lines += ["", f"In sample: current values {_score(cur)}; the best candidate {_score(best)}. {_outcome(doc)}"]
    for b in doc.get("on_bound", []):
        lines.append(f"- `{b['key']}` sits on the {b['bound']} bound of its range: the sign of a missing mechanism, not a fitted value.")
    dof = doc.get("degrees_of_freedom")
    if dof:
        lines += [
            "",
            f"Degrees of freedom: {len(dof['fitted_before'])} fitted parameter(s) for {dof['record_entries']} record entries "
            f"(at most {dof['limit']})" + (f"; {len(dof['fitted_after'])} after this fit." if dof["fitted_after"] != dof["fitted_before"] else "."),
        ]
    if doc.get("cross_validation"):
        lines += _cross_validation(doc["cross_validation"])
    lines += [
        "",
        "## Candidates",
        "",
        "| # | phase | " + " | ".join(keys) + " | covered | loss |",
        "|---|---|" + "---|" * len(keys) + "---|---|",
    ]
    for c in doc["candidates"]:
        vals = " | ".join(fmt(c["values"][k]) for k in keys)
        lines.append(f"| {c['index']} | {c['phase']} | {vals} | {c['covered']}/{c['entries']} | {c['loss']:.3f} |")
    return "\n".join(lines) + "\n"
