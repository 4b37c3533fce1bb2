"""The run an after-action report tells: read a run result or a save, replay it through the core.

``khasan-sim run --json`` writes a run's metrics and the digest of its event log, not the
events; a save holds the scenario, the seed and the orders. Either way the report replays
the run through the public API (:func:`khasan_sim.saves.replay`, as the classroom report
does) and checks the replayed log against the recorded digest, so the story told is the
run's own, event for event. The situation at the report's key moments (where each unit
and tank stood) is read by replaying again to each moment.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from khasan_sim.errors import KhasanSimError
from khasan_sim.results import RunResult
from khasan_sim.saves import FORMAT as SAVE_FORMAT
from khasan_sim.saves import SaveGame, read_save, replay


class ReportInputError(KhasanSimError, ValueError):
    """The run or save given to the report cannot be told (one line, exit status 2)."""


@dataclass(frozen=True)
class UnitInfo:
    """What the report says of a unit: its name, side and type."""

    id: str
    name: str
    side: str
    type: str


@dataclass(frozen=True)
class Position:
    """Where a unit (or a tank) stood at a moment: objects :func:`draw_map` can mark."""

    id: str
    side: str
    x: float
    y: float
    men: int
    state: str


@dataclass
class ReplayedRun:
    """A run replayed for its report.

    Attributes:
        source: The file the run was read from.
        kind: ``run`` (a ``run --json`` result) or ``save`` (a saved game).
        save: The run as a save (scenario path, seed, variant, orders, moment).
        scenario: The loaded scenario (zones, terrain, times).
        events: Every event of the run, in order (:class:`~khasan_sim.engine.eventlog.LogEvent`).
        result: The run's metrics at the day ends and at its last moment.
        units: Each unit's name, side and type, by id.
        start: The scenario's start.
        end_min: The last simulated minute told (the ceasefire, or a save's moment).
        finished: Whether the run reached the scenario's end.
        digest: The replayed event log's digest (checked against the recorded one).
    """

    source: Path
    kind: str
    save: SaveGame
    scenario: Any
    events: list[Any]
    result: RunResult
    units: dict[str, UnitInfo]
    start: datetime
    end_min: float
    finished: bool
    digest: str

    def at(self, t_s: float) -> datetime:
        """Return the battle time *t_s* seconds after the start."""
        return self.start + timedelta(seconds=float(t_s))

    def side_of(self, unit_id: str | None) -> str | None:
        """Return a unit's side, or None for an unknown id."""
        info = self.units.get(unit_id or "")
        return info.side if info is not None else None

    def unit_name(self, unit_id: str | None) -> str:
        """Return a unit's name (its id when unknown)."""
        info = self.units.get(unit_id or "")
        return info.name if info is not None else str(unit_id)

    def zone_name(self, zone_id: str | None) -> str:
        """Return a zone's name, short (``Zaozernaya hill (Changkufeng)``; its id when unknown)."""
        z = self.scenario.zones_by_id.get(zone_id or "")
        return z.name.split(",")[0] if z is not None else str(zone_id)

    def positions_at(self, times_min: list[float]) -> dict[float, list[Position]]:
        """Return where every ground unit stood at each of *times_min* (replaying to each)."""
        return positions_at(self.save, times_min)


def _peek_format(path: Path) -> str | None:
    """Return the ``format`` field of a JSON file, or None (a run result has none)."""
    try:
        with path.open("rb") as fh:
            raw = fh.read(64 * 1024 * 1024 + 1)
    except FileNotFoundError:
        raise ReportInputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ReportInputError(f"{path}: is a folder, not a run result or a save") from None
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        line = getattr(exc, "lineno", None)
        where = f"{path}:{line}" if line else str(path)
        raise ReportInputError(f"{where}: not a run result or a save (not JSON text)") from None
    if not isinstance(doc, dict):
        raise ReportInputError(f"{path}: not a run result or a save (expected a JSON object)")
    fmt = doc.get("format")
    return fmt if isinstance(fmt, str) else None


def _with_id(files: list[Path], section: str, wanted: str) -> Path | None:
    """Return the first YAML file of *files* whose ``<section>.id`` is *wanted* (safe loader)."""
    import yaml

    for path in files:
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        head = doc.get(section) if isinstance(doc, dict) else None
        if isinstance(head, dict) and head.get("id") == wanted:
            return path
    return None


def find_scenario(scenario_id: str, where: str) -> Path:
    """Return the packaged scenario file whose ``scenario.id`` is *scenario_id*.

    Raises:
        ReportInputError: No packaged scenario has that id (give ``--scenario FILE``).
    """
    from khasan_sim.scenario.builtin import data_root

    found = _with_id(sorted((data_root() / "scenarios").glob("*/*.yaml")), "scenario", scenario_id)
    if found is None:
        raise ReportInputError(
            f"{where}: scenario: no packaged scenario has the id {scenario_id!r} (give the file with --scenario FILE)"
        )
    return found


def find_variant(scenario_path: Path, variant_id: str, where: str) -> Path:
    """Return the variant file beside *scenario_path* whose ``variant.id`` is *variant_id*.

    Raises:
        ReportInputError: None has that id (give ``--variant FILE``).
    """
    found = _with_id(sorted((scenario_path.parent / "variants").glob("*.yaml")), "variant", variant_id)
    if found is None:
        raise ReportInputError(
            f"{where}: variant: no variant beside {scenario_path.name} has the id {variant_id!r} "
            "(give the files with --scenario FILE --variant FILE)"
        )
    return found


def _as_save(path: Path, scenario: str | None, variant: str | None) -> tuple[str, SaveGame, RunResult | None]:
    """Return (kind, the run as a save, its recorded result or None) for a run result or a save."""
    where = str(path)
    if _peek_format(path) == SAVE_FORMAT:
        save = read_save(path)
        if scenario is not None:
            save = replace(save, scenario=scenario, variant=variant)
        return "save", save, None
    try:
        result = RunResult.read(path)
    except KhasanSimError as exc:
        raise ReportInputError(f"{where}: not a run result or a save ({exc})") from None
    scenario_path = Path(scenario) if scenario is not None else find_scenario(result.scenario, where)
    if variant is not None:
        variant_path: str | None = variant
    elif result.variant is not None and scenario is None:
        variant_path = str(find_variant(scenario_path, result.variant, where))
    else:
        variant_path = None
    save = SaveGame(
        scenario=str(scenario_path),
        seed=result.seed,
        variant=variant_path,
        player_sides=[],
        now_min=0.0,
        events_digest="",
    )
    return "run", save, result


def load_run(path: str | os.PathLike[str], *, scenario: str | None = None, variant: str | None = None) -> ReplayedRun:
    """Read a run result (``run --json``) or a save and replay it through the core.

    Args:
        path: The run result or save file.
        scenario: Replay on this scenario file instead of the one the file names.
        variant: With *scenario*: the variant file.

    Raises:
        ReportInputError: The file is neither, its scenario cannot be found, or the
            replayed event log differs from the recorded one.
        SaveFileError: A damaged save, or orders that no longer replay.
    """
    src = Path(path)
    kind, save, recorded = _as_save(src, scenario, variant)
    from khasan_sim.scenario.load import load_scenario

    try:
        loaded = load_scenario(save.scenario, save.variant)
    except (KhasanSimError, OSError) as exc:
        raise ReportInputError(f"{src}: cannot load its scenario {save.scenario} ({exc})") from None
    start = loaded.start
    end_min = (loaded.end - start).total_seconds() / 60.0
    if kind == "run":
        save = replace(save, now_min=end_min)
    sim = replay(save, where=str(src))
    if recorded is None and not sim.finished:  # a save before the end: its metrics read at its moment
        sim.snapshot_at([sim.now])
        sim.advance(1, sim.now_min)  # takes the snapshot due now, no step of the engine
    digest = sim.events_digest()
    if recorded is not None and recorded.events_digest and digest != recorded.events_digest:
        raise ReportInputError(
            f"{src}: events_digest: the replayed run differs from the recorded one "
            "(the scenario, the variant or the program changed since it was run)"
        )
    units = {u.id: UnitInfo(u.id, u.name, u.side, u.type) for u in sim.units()}
    return ReplayedRun(
        source=src,
        kind=kind,
        save=save,
        scenario=loaded,
        events=list(sim.events()),
        result=sim.result() if recorded is None else recorded,
        units=units,
        start=start,
        end_min=min(sim.now_min, end_min),
        finished=bool(sim.finished),
        digest=digest,
    )


def positions_at(save: SaveGame, times_min: list[float]) -> dict[float, list[Position]]:
    """Return where every ground unit stood at each of *times_min*.

    Each moment is a replay of the save to that minute with the orders given by then
    (the engine is deterministic, so it is the same run up to that moment).
    """
    out: dict[float, list[Position]] = {}
    for t in sorted(set(times_min)):
        upto = replace(
            save,
            now_min=float(t),
            orders=[o for o in save.orders if o["at_min"] <= t],
            pending=[],
            events_digest="",
        )
        sim = replay(upto, where="report")
        out[t] = [
            Position(u.id, u.side, float(u.x), float(u.y), int(u.men), str(u.state.value))
            for u in sim.units()
            if not u.is_air and u.men > 0
        ]
    return out
