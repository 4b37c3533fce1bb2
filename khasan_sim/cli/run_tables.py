"""The tables of `khasan-sim run`'s summary: losses, tanks, objectives by day, the run
beside the record (rich tables, plain text when piped)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from khasan_sim.clock import parse_time
from khasan_sim.results import META_CODE_VERSION, MetricValue, RunResult, Snapshot

SIDES: tuple[str, ...] = ("soviet", "japanese")
#: The record's fixed zones, shown first and in this order.
ZONES: tuple[str, ...] = (
    "zaozernaya",
    "bezymyannaya",
    "machine-gun-hill",
    "bogomolnaya",
    "height-194",
    "japanese-forward-line",
    "novoselka",
    "zarechye",
)
FORWARD_LINE = "japanese-forward-line"
SIDE_STYLE = {"soviet": "red", "japanese": "yellow"}


def fmt(value: MetricValue) -> str:
    """Format a metric value for a table cell ("–" for a missing one)."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.1f}"
    return str(value)


def battle_time(t: datetime) -> str:
    """Return a short battle time: ``7 Aug 02:30``."""
    return f"{t.day} {t:%b %H:%M}"


def hold_text(hours: MetricValue, start: datetime) -> str:
    """Return a first-hold time as ``7 Aug 02:30 (+10.5 h)``, or ``never``."""
    if hours is None:
        return "never"
    if isinstance(hours, str):
        return hours
    return f"{battle_time(start + timedelta(hours=float(hours)))} (+{float(hours):.1f} h)"


def holder_text(side: MetricValue, compact: bool = False) -> Text:
    """Return a styled holder cell: the side (its initial if *compact*), or "–" for contested or empty."""
    if side is None:
        return Text("–", style="dim")
    text = str(side)[:1].upper() if compact else str(side)
    return Text(text, style=SIDE_STYLE.get(str(side), ""))


def _day_ends(result: RunResult, start: datetime) -> list[str]:
    """Return the labels of the midnight snapshots after *start*, before the final one."""
    out = []
    for label in result.labels[:-1]:
        t = parse_time(label)
        if t > start and t.hour == 0 and t.minute == 0:
            out.append(label)
    return out


def _day_title(label: str) -> str:
    """Return the day a midnight snapshot closes: ``1938-08-07T00:00`` -> ``6 Aug``."""
    t = parse_time(label) - timedelta(minutes=1)
    return f"{t.day} {t:%b}"


def _zones(snapshots: Iterable[Snapshot]) -> list[str]:
    """Return the objective zones found in *snapshots*: the record's first, then the rest."""
    found: set[str] = set()
    for snap in snapshots:
        for key in snap:
            if key.startswith("objective."):
                zone, _, _name = key[len("objective.") :].rpartition(".")
                if zone:
                    found.add(zone)
    return [z for z in ZONES if z in found] + sorted(found - set(ZONES))


def _tank_units(snap: Snapshot) -> list[str]:
    """Return the unit ids with any ``unit.<id>.tanks_*`` metric, sorted."""
    ids = {
        key[len("unit.") : key.index(".tanks_")]
        for key in snap
        if key.startswith("unit.") and ".tanks_" in key
    }
    return sorted(i for i in ids if i)


def _delta(a: MetricValue, b: MetricValue) -> MetricValue:
    """Return b - a for two numbers, else None."""
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return b - a
    return None


# ---------------------------------------------------------------------- tables


def _header(result: RunResult, start: datetime, title: str, wall: float) -> Table:
    end = parse_time(result.final_label)
    span_h = (end - start).total_seconds() / 3600.0
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    grid.add_row("scenario", f"{result.scenario}" + (f" — {title}" if title else ""))
    grid.add_row("variant", result.variant or "none (as written)")
    grid.add_row("seed", str(result.seed))
    grid.add_row("simulated", f"{battle_time(start)} → {battle_time(end)} ({span_h:.1f} h)")
    grid.add_row("events", f"{result.events:,} (digest {result.events_digest[:12]})")
    grid.add_row("wall time", f"{wall:.1f} s")
    if result.meta.get(META_CODE_VERSION):
        grid.add_row("code", f"khasan-sim {result.meta[META_CODE_VERSION]}")
    return grid


def _losses(final: Snapshot, final_title: str) -> Table:
    rows = [
        ("killed", "killed"),
        ("wounded", "wounded"),
        ("missing", "missing"),
        ("men present", "men_present"),
    ]
    optional = [
        ("tanks knocked out", "tanks.knocked_out"),
        ("tanks destroyed", "tanks.destroyed"),
        ("tanks bogged", "tanks.bogged"),
        ("guns lost", "guns.lost"),
        ("aircraft lost", "aircraft.lost"),
        ("aircraft damaged", "aircraft.damaged"),
    ]
    rows += [r for r in optional if any(f"{s}.{r[1]}" in final for s in SIDES)]
    table = Table(title=f"Losses at the end ({final_title})", title_justify="left")
    table.add_column("", no_wrap=True)
    for side in SIDES:
        table.add_column(Text(side, style=SIDE_STYLE[side]), justify="right")
    for name, key in rows:
        table.add_row(name, *(fmt(final.get(f"{side}.{key}")) for side in SIDES))
    return table


def _tanks(result: RunResult, day1: str | None, final_title: str) -> Table | None:
    final = result.final
    units = _tank_units(final)
    if not units:
        return None
    day1_snap = result.snapshots.get(day1) if day1 else None
    other_zones = sorted(
        {
            key.rpartition(".tanks_reached.")[2]
            for key in final
            if ".tanks_reached." in key and not key.endswith(f".tanks_reached.{FORWARD_LINE}")
        }
    )
    table = Table(
        title=f"Tanks by unit (at the end, {final_title}, unless said)",
        title_justify="left",
        caption="the Japanese forward line: their front trench line as it stood on 6 August",
        caption_justify="left",
    )
    table.add_column("", no_wrap=True)
    for unit in units:
        table.add_column(unit, justify="right", overflow="fold")

    def row(name: str, metric: str, snap: Snapshot | None = final) -> None:
        table.add_row(
            name, *(fmt(snap.get(f"unit.{u}.{metric}")) if snap is not None else "–" for u in units)
        )

    row("at the start", "tanks_start")
    row("reached the Japanese forward line", f"tanks_reached.{FORWARD_LINE}")
    for zone in other_zones:
        row(f"reached {zone}", f"tanks_reached.{zone}")
    row("knocked out", "tanks_knocked_out")
    row("destroyed", "tanks_destroyed")
    if day1 is not None:
        row(f"bogged at the end of {_day_title(day1)}", "tanks_bogged", day1_snap)
    row("bogged", "tanks_bogged")
    row("operational", "tanks_operational")
    return table


def _objectives(
    result: RunResult,
    start: datetime,
    day_ends: Sequence[str],
    final_title: str,
    compact: bool = False,
) -> Table | None:
    zones = _zones(result.snapshots.values())
    if not zones:
        return None
    final = result.final
    table = Table(
        title="Objectives: who held them at the end of each day",
        title_justify="left",
        caption=("S soviet, J japanese, " if compact else "") + "– contested or empty",
        caption_justify="left",
    )
    table.add_column("objective", no_wrap=True)
    for label in day_ends:
        table.add_column(_day_title(label), justify="center")
    table.add_column("end" if compact else f"end ({final_title})", justify="center")
    table.add_column("first Soviet hold", no_wrap=True)
    for zone in zones:
        holder_key = f"objective.{zone}.holder"
        cells = [
            holder_text(result.snapshots[label].get(holder_key), compact) for label in day_ends
        ]
        cells.append(holder_text(final.get(holder_key), compact))
        hold_key = f"objective.{zone}.first_soviet_hold"
        cells.append(Text(hold_text(final[hold_key], start) if hold_key in final else "–"))
        table.add_row(zone, *cells)
    return table


def _by_day(result: RunResult, day_ends: Sequence[str], final_title: str) -> Table | None:
    metrics = [
        ("counterattacks", "counterattacks"),
        ("artillery rounds", "artillery.rounds"),
        ("bombs (t)", "air.bombs_t"),
    ]
    final = result.final
    metrics = [m for m in metrics if any(f"{side}.{m[1]}" in final for side in SIDES)]
    if not metrics:
        return None
    table = Table(
        title="Counterattacks, ammunition and bombs, by day",
        title_justify="left",
        caption="each cell: soviet / japanese",
        caption_justify="left",
    )
    table.add_column("day", no_wrap=True)
    for name, _ in metrics:
        table.add_column(name, justify="right")
    cut_points = [*day_ends, result.final_label]
    previous: dict[str, MetricValue] = {}
    for i, label in enumerate(cut_points):
        snap = result.snapshots[label]
        cells = []
        for _, key in metrics:
            pair = []
            for side in SIDES:
                k = f"{side}.{key}"
                pair.append(fmt(_delta(previous.get(k, 0), snap.get(k))))
                previous[k] = snap.get(k)
            cells.append(" / ".join(pair))
        day = _day_title(label) if i < len(day_ends) else f"to {final_title}"
        table.add_row(day, *cells)
    table.add_section()
    table.add_row(
        "total",
        *(" / ".join(fmt(final.get(f"{side}.{key}")) for side in SIDES) for _, key in metrics),
    )
    return table


def _requested(result: RunResult, requested: Sequence[str]) -> Table | None:
    labels = [label for label in dict.fromkeys(requested) if label in result.snapshots]
    if not labels:
        return None
    table = Table(title="Snapshots asked for", title_justify="left")
    table.add_column("time")
    for side in SIDES:
        table.add_column(f"{side} killed", justify="right")
        table.add_column(f"{side} wounded", justify="right")
    table.add_column("tanks knocked out (S/J)", justify="right")
    table.add_column("held by the Soviet side")
    for label in labels:
        snap = result.snapshots[label]
        held = [z for z in _zones([snap]) if snap.get(f"objective.{z}.holder") == "soviet"]
        tanks = f"{fmt(snap.get('soviet.tanks.knocked_out'))}/{fmt(snap.get('japanese.tanks.knocked_out'))}"
        table.add_row(
            battle_time(parse_time(label)),
            *(fmt(snap.get(f"{side}.{what}")) for side in SIDES for what in ("killed", "wounded")),
            tanks,
            ", ".join(held) or "–",
        )
    return table


def _when(entry: Any) -> str:
    if entry.at is not None:
        return battle_time(parse_time(entry.at))
    if entry.between is not None:
        return f"{battle_time(parse_time(entry.between[0]))} → {battle_time(parse_time(entry.between[1]))}"
    return (
        "first Soviet hold" if entry.metric.endswith(".first_soviet_hold") else "when it happened"
    )


def _simulated_text(entry: Any, simulated: MetricValue, start: datetime) -> str:
    if entry.kind == "time":
        return hold_text(simulated, start)
    if entry.kind == "holder":
        return "contested" if simulated is None else str(simulated)
    return fmt(simulated)


def _recorded_text(entry: Any, text: str) -> str:
    if entry.kind == "time" and entry.window is not None and entry.window_hours is not None:
        lo, hi = entry.window_hours
        return f"{battle_time(parse_time(entry.window[0]))} – {battle_time(parse_time(entry.window[1]))} (+{lo:.1f}–{hi:.1f} h)"
    return text


def _mark(inside: bool | None) -> Text:
    if inside is None:
        return Text("?", style="dim")
    return Text("✓", style="green") if inside else Text("✗", style="red")


def _record_table(
    record: Any, judgements: Sequence[Any], start: datetime, variant: str | None
) -> Table:
    judged = [j for j in judgements if j.inside is not None]
    inside = sum(bool(j.inside) for j in judged)
    caption = (
        f"{inside} of {len(judged)} inside the recorded figures. A single run is one draw from the model, "
        "not a test of it: `khasan-sim batch` and `khasan-sim compare` give the distributions the record is judged against."
    )
    if variant:
        caption += f" This run is the variant {variant!r}: it is not meant to match history."
    table = Table(
        title="Beside the record", title_justify="left", caption=caption, caption_justify="left"
    )
    table.add_column("recorded outcome", overflow="fold")
    table.add_column("when")
    table.add_column("this run", justify="right")
    table.add_column("recorded", justify="right")
    table.add_column("", justify="center")
    entries = {e.id: e for e in record.entries}
    for j in judgements:
        e = entries[j.entry_id]
        table.add_row(
            e.id,
            _when(e),
            _simulated_text(e, j.simulated, start),
            _recorded_text(e, j.recorded_text),
            _mark(j.inside),
        )
    return table


def render_summary(
    console: Console,
    result: RunResult,
    *,
    start: datetime,
    title: str = "",
    wall_seconds: float = 0.0,
    requested: Sequence[str] = (),
    record: Any = None,
    judgements: Sequence[Any] = (),
    record_note: str = "",
) -> None:
    """Print the summary of one run.

    Args:
        console: Where to print.
        result: The run.
        start: The scenario's start (first-hold hours are counted from it).
        title: The scenario's title.
        wall_seconds: How long the run took.
        requested: Labels of the snapshots the user asked for.
        record: The record, or None to leave the comparison out.
        judgements: The run judged against *record* (see :func:`khasan_sim.record.judge_run`).
        record_note: One line said when the record is not shown.
    """
    final_title = battle_time(parse_time(result.final_label))
    day_ends = _day_ends(result, start)
    console.print(_header(result, start, title, wall_seconds))
    console.print()
    tables = [
        _losses(result.final, final_title),
        _tanks(result, day_ends[0] if day_ends else None, final_title),
        _objectives(result, start, day_ends, final_title, compact=console.width < 110),
        _by_day(result, day_ends, final_title),
        _requested(result, requested),
    ]
    for table in tables:
        if table is not None:
            console.print(table)
            console.print()
    if record is not None:
        console.print(_record_table(record, judgements, start, result.variant))
        for j in judgements:
            if j.inside is None:
                console.print(
                    f"  ? {j.entry_id}: {j.note}",
                    style="dim",
                    highlight=False,
                    markup=False,
                    soft_wrap=True,
                )
    elif record_note:
        console.print(record_note, style="dim", highlight=False, markup=False, soft_wrap=True)
    from khasan_sim.cli.story_tables import print_run_story

    print_run_story(console, result)
