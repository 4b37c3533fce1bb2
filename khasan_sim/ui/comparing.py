"""The game beside the record: the rows of the compare screen (no pygame).

Built from the run's result so far (``Simulation.result()``, snapshots at each midnight
and the end) plus the live metrics now, judged against ``../shared/record/khasan-1938.yaml``
with :func:`khasan_sim.record.judge_run`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Row:
    """One line of the compare screen."""

    label: str
    game: str
    recorded: str
    inside: bool | None
    note: str = ""
    game_value: float | None = None
    lo: float | None = None
    hi: float | None = None
    simulated: Any = None
    entry_id: str = ""


def _fmt(v: Any) -> str:
    if v is None:
        return "never / nobody"
    if isinstance(v, float):
        return f"{v:,.1f}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def record_rows(result: Any) -> tuple[list[Row], str]:
    """Return the record entries judged against *result*, and a note on the record file."""
    from khasan_sim.record import RecordError, judge_run, load_record

    try:
        rec = load_record()
    except RecordError as exc:
        return [], f"no record to compare with ({exc})"
    rows = []
    for e, j in zip(rec.entries, judge_run(rec, result), strict=True):
        label = e.id.replace("-", " ")
        game = _fmt(j.simulated)
        if e.kind == "time" and isinstance(j.simulated, (int, float)):
            game = f"{j.simulated:.1f} h"
        if j.inside is None:
            game = "not yet"
        lo = hi = None
        if e.range is not None:
            lo, hi = e.range
        elif isinstance(e.value, (int, float)) and not isinstance(e.value, bool):
            lo = hi = float(e.value)
        gv = float(j.simulated) if isinstance(j.simulated, (int, float)) and not isinstance(j.simulated, bool) else None
        rows.append(Row(label, game, j.recorded_text, j.inside, j.note if j.inside is None else "", gv, lo, hi, j.simulated, e.id))
    return rows, f"record: {rec.file}"


def now_rows(metrics: dict[str, Any], zones: list[Any], start: Any = None) -> list[Row]:
    """Return losses, tanks and heights of the game now."""
    out = []
    for side in ("soviet", "japanese"):
        k, w, m = (int(metrics.get(f"{side}.{x}", 0) or 0) for x in ("killed", "wounded", "missing"))
        out.append(Row(f"{side} losses", f"{k:,} killed, {w:,} wounded, {m:,} missing", "", None, game_value=float(k + w + m)))
    out.append(Row("Soviet tanks knocked out", _fmt(metrics.get("soviet.tanks.knocked_out")), "", None))
    out.append(Row("Soviet tanks destroyed", _fmt(metrics.get("soviet.tanks.destroyed")), "", None))
    out.append(Row("Soviet tanks bogged now", _fmt(metrics.get("soviet.tanks.bogged")), "", None))
    for z in zones:
        if z.kind != "height":
            continue
        holder = metrics.get(f"objective.{z.id}.holder")
        first = metrics.get(f"objective.{z.id}.first_soviet_hold")
        if first is None:
            taken = "never taken"
        elif start is not None:
            from datetime import timedelta

            taken = f"first taken {start + timedelta(hours=float(first)):%d Aug %H:%M}"
        else:
            taken = f"first taken after {first:.1f} h"
        out.append(Row(z.name.split(",")[0].split(" (")[0], f"held by {holder or 'nobody'}; {taken}", "", None))
    return out


@dataclass(frozen=True)
class StudyCell:
    """A Monte Carlo study's distribution of one record entry, for the compare screen."""

    text: str
    low: float | None = None
    high: float | None = None
    comparison: Any = None

    def luck(self, row: Row) -> str:
        """Return where the game's value of this entry falls among the study's runs ("how lucky was I"), or ""."""
        from khasan_sim.analysis.luck import game_position

        if self.comparison is None or row.inside is None:  # not reached yet: nothing to place
            return ""
        pos = game_position(self.comparison, row.simulated)
        return "" if pos is None else f"this game: {pos.text}"


def study_cells(study_path: str | Path) -> tuple[dict[str, StudyCell], str]:
    """Return, per record entry id, the study's distribution in words (and its 90% interval).

    Args:
        study_path: A study file made by ``khasan-sim batch`` of the same scenario.

    Returns:
        The cells by entry id, and a one-line note (the study's size, or why it is missing).
    """
    from khasan_sim.analysis.compare import compare_study, load_study
    from khasan_sim.errors import KhasanSimError
    from khasan_sim.record import RecordError, load_record

    try:
        study = load_study(study_path)
        comparison = compare_study(study, load_record())
    except (KhasanSimError, RecordError, OSError) as exc:
        return {}, f"study not shown: {exc}"
    cells: dict[str, StudyCell] = {}
    n = 0
    for e in comparison.entries:
        n = max(n, e.runs)
        if e.runs == 0:
            continue
        if e.kind == "count" and e.median is not None:
            cells[e.id] = StudyCell(f"{e.median:,.0f} ({e.low:,.0f}-{e.high:,.0f})", e.low, e.high, e)
        elif e.kind == "time":
            inside = f"{100 * (e.share_inside or 0):.0f}% in window"
            cells[e.id] = StudyCell(f"{e.median:.1f} h, {inside}" if e.median is not None else inside, comparison=e)
        elif e.kind == "holder" and e.shares:
            top = sorted(e.shares.items(), key=lambda kv: -kv[1])[:2]
            cells[e.id] = StudyCell(", ".join(f"{k or 'nobody'} {100 * v:.0f}%" for k, v in top), comparison=e)
    return cells, f"study: {Path(study_path).name}, {n} runs (median and central 90%)"
