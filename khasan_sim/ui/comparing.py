"""The game beside the record: the rows of the compare screen (no pygame).

Built from the run's result so far (``Simulation.result()``, snapshots at each midnight
and the end) plus the live metrics now, judged against ``../shared/record/khasan-1938.yaml``
with :func:`khasan_sim.record.judge_run`.
"""

from __future__ import annotations

from dataclasses import dataclass
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
        rows.append(Row(label, game, j.recorded_text, j.inside, j.note if j.inside is None else "", gv, lo, hi))
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
