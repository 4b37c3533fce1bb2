"""Load a scenario: read the YAML, apply a variant, validate, cross-check, build core values.

The steps, each of which fails with ONE :class:`~khasan_sim.errors.ScenarioError`
naming the file, line and path at fault:

1. read the scenario (and variant) safely with :mod:`yamlsrc`, keeping every line;
2. apply the variant (:mod:`variant`); values it set keep the variant's file and line;
3. validate with the pydantic models of :mod:`schema`; the first error (the one
   nearest the top of its file) is reworded in plain words;
4. cross-check what one field cannot check alone: unique ids, orders that name
   existing units and zones at times inside the scenario, points on the map, and
   tank models, weapons and aircraft known to the parameter files;
5. load parameters and terrain, expand tank groups into vehicles, and hash it all.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from khasan_sim.boundary.validate import describe_value as _got
from khasan_sim.boundary.validate import validate_model
from khasan_sim.boundary.yamlsrc import SourceMap, YDict, load_yaml
from khasan_sim.errors import ScenarioError
from khasan_sim.model.params import ParamSet
from khasan_sim.scenario.builtin import resolve
from khasan_sim.scenario.checks import (
    check_bounds,
    check_dig_limits,
    check_on_land,
    check_params,
    cross_check,
)
from khasan_sim.scenario.params_file import default_param_files, load_params
from khasan_sim.scenario.schema import ScenarioDoc, TankGroup, Unit, VariantDoc, Zone
from khasan_sim.scenario.variant import apply_variant
from khasan_sim.terrain.types import Grid, Terrain

__all__ = [
    "DEFAULT_GRID",
    "Scenario",
    "TankSpec",
    "load_document",
    "load_scenario",
    "validate_model",
]

DEFAULT_GRID = Grid(cell_m=25.0, nrows=480, ncols=480)
"""The Khasan map's extent (12 x 12 km), used for bounds checks only when the map
file cannot be read and no terrain is loaded (``with_terrain=False``)."""


@dataclass(frozen=True, slots=True)
class TankSpec:
    """One tank of the order of battle.

    Attributes:
        id: The vehicle id (``2mb-3tb-t01``, or as the scenario names it).
        unit: The id of the unit it belongs to.
        model: The vehicle model, a key of ``vehicles.<model>.*`` in the parameters.
        command: True for a command tank (handrail radio antenna).
        headquarters: True for a command tank of the unit's own headquarters (a
            battalion's commander, commissar, chief of staff); a command tank that is not
            leads a company.
    """

    id: str
    unit: str
    model: str
    command: bool
    headquarters: bool = False


@dataclass(frozen=True)
class Scenario:
    """A loaded, validated scenario: the document plus everything resolved from it.

    Attributes:
        doc: The validated document (variant applied).
        path: The base scenario file.
        variant: The variant applied, or None.
        variant_path: The variant file, or None.
        terrain: The map's terrain, or None when loaded with ``with_terrain=False``.
        params: The model parameters in force.
        tanks: Every tank, unit by unit in file order.
        digest: sha256 of the merged document, the parameters and the terrain source.
        grid: The map grid used for bounds checks.
        pairing: Who commands the sides when the computer commander was given some
            (:func:`khasan_sim.ai.driver.with_pairing`), or None.
    """

    doc: ScenarioDoc
    path: Path
    variant: VariantDoc | None
    variant_path: Path | None
    terrain: Terrain | None
    params: ParamSet
    tanks: tuple[TankSpec, ...]
    digest: str
    grid: Grid = DEFAULT_GRID
    pairing: str | None = None

    @property
    def id(self) -> str:
        """Return the scenario id."""
        return self.doc.scenario.id

    @property
    def title(self) -> str:
        """Return the scenario title (with the variant's, if any)."""
        if self.variant is not None:
            return f"{self.doc.scenario.title}: {self.variant.variant.title}"
        return self.doc.scenario.title

    @property
    def start(self) -> datetime:
        """Return the start time (local battle time)."""
        return self.doc.scenario.start

    @property
    def end(self) -> datetime:
        """Return the end time (local battle time)."""
        return self.doc.scenario.end

    @property
    def variant_id(self) -> str | None:
        """Return the variant id, or None for the base scenario (with ``+pairing`` when the AI commands a side)."""
        vid = self.variant.variant.id if self.variant is not None else None
        if self.pairing is None:
            return vid
        return f"{vid or 'base'}+{self.pairing}"

    @property
    def units_by_id(self) -> dict[str, Unit]:
        """Return the units keyed by id, in file order."""
        return {u.id: u for u in self.doc.units}

    @property
    def zones_by_id(self) -> dict[str, Zone]:
        """Return the zones keyed by id, in file order."""
        return {z.id: z for z in self.doc.zones}

    def tanks_of(self, unit: str) -> tuple[TankSpec, ...]:
        """Return the tanks of one unit."""
        return tuple(t for t in self.tanks if t.unit == unit)


# --------------------------------------------------------------------------- reading


def _display(path: Path) -> str:
    """Return *path* as it should appear in messages: relative to the cwd when inside it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # pragma: no cover - other drive on Windows
        return str(path)
    return str(path) if rel.startswith("..") else rel


@dataclass
class _Doc:
    """A document read from a file, with its name for messages and its source map."""

    path: Path
    name: str
    data: Any

    def smap(self) -> SourceMap:
        return SourceMap(self.data, self.name)


def _read(path: Path, name: str | None = None) -> _Doc:
    name = name or _display(path)
    data = load_yaml(path, name)
    if data is None:
        msg = "the file is empty (expected a mapping with scenario:, sides:, units:, ...)"
        raise ScenarioError(name, 1, "", msg)
    if not isinstance(data, dict):
        msg = f"a scenario or variant file must be a mapping of sections (expected scenario: or variant: at the top, got {_got(data)})"
        raise ScenarioError(name, 1, "", msg)
    return _Doc(path, name, data)


def _is_variant(data: Any) -> bool:
    return isinstance(data, dict) and "variant" in data and "scenario" not in data


def _merged(
    path: str | Path, variant: str | Path | None
) -> tuple[_Doc, _Doc | None, VariantDoc | None, Any]:
    """Read the base and variant files and return (base, variant file, variant doc, merged data)."""
    first = _read(Path(path), str(path))
    var_file: _Doc | None = None
    base = first
    if _is_variant(first.data):
        if variant is not None:
            msg = "this file is itself a variant; pass its base scenario with --variant, or the variant alone"
            raise ScenarioError(first.name, 1, "variant", msg)
        var_file = first
    elif variant is not None:
        var_file = _read(Path(variant), str(variant))
        if not _is_variant(var_file.data):
            msg = "not a variant file (expected a top-level variant: section)"
            raise ScenarioError(var_file.name, 1, "", msg)
    if var_file is None:
        return base, None, None, base.data
    vdoc = validate_model(VariantDoc, var_file.data, var_file.smap())
    base_path = resolve(vdoc.variant.base, var_file.path.resolve().parent)
    if base is var_file:
        if not base_path.is_file():
            msg = f"base scenario '{vdoc.variant.base}' not found (looked in {_display(var_file.path.parent)})"
            raise ScenarioError(
                var_file.name, var_file.smap().line(("variant", "base")), "variant.base", msg
            )
        base = _read(base_path)
    elif base_path.is_file() and base_path.resolve() != base.path.resolve():
        msg = f"this variant is for '{vdoc.variant.base}', not for {base.name}"
        raise ScenarioError(
            var_file.name, var_file.smap().line(("variant", "base")), "variant.base", msg
        )
    merged = apply_variant(base.data, vdoc, var_file.data, var_file.name)
    return base, var_file, vdoc, merged


# ------------------------------------------------------------ params, map, tanks


def _param_files(doc: ScenarioDoc, base_dir: Path, smap: SourceMap) -> list[Path]:
    if not doc.scenario.params:
        return default_param_files()
    files = []
    for i, name in enumerate(doc.scenario.params):
        p = resolve(name, base_dir)
        if not p.is_file():
            msg = f"parameter file '{name}' not found (looked beside the scenario and in the data folder)"
            raise smap.error(("scenario", "params", i), msg)
        files.append(p)
    return files


def _map_path(doc: ScenarioDoc, base_dir: Path) -> Path:
    return resolve(doc.scenario.map, base_dir)


def _grid_from_map_file(map_path: Path) -> Grid | None:
    """Read ``grid: {cell_m, width_m, height_m}`` from the map description, or None."""
    if not map_path.is_file():
        return None
    data = load_yaml(map_path, _display(map_path))
    grid = data.get("grid") if isinstance(data, dict) else None
    if not isinstance(grid, dict):
        return None
    try:
        cell = float(grid.get("cell_m", 25.0))
        if "width_m" in grid and "height_m" in grid:
            return Grid(
                cell, round(float(grid["height_m"]) / cell), round(float(grid["width_m"]) / cell)
            )
        if "ncols" in grid and "nrows" in grid:
            return Grid(cell, int(grid["nrows"]), int(grid["ncols"]))
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return None


def _load_terrain(map_path: Path, params: ParamSet, smap: SourceMap) -> Terrain:
    if not map_path.is_file():
        msg = f"map file '{_display(map_path)}' not found"
        raise smap.error(("scenario", "map"), msg)
    from khasan_sim.terrain import load_terrain  # type: ignore[attr-defined]  # written in parallel

    terrain: Terrain = load_terrain(map_path, params)
    return terrain


def expand_tanks(doc: ScenarioDoc) -> tuple[TankSpec, ...]:
    """Expand every unit's tank groups into individual vehicles.

    Vehicles take the ids the group lists, or ``<unit>-t01``, ``<unit>-t02``, ...
    numbered through all of the unit's groups; the first ``command`` vehicles of each
    group are its command tanks, the first ``headquarters`` of those its headquarters'.
    """
    out: list[TankSpec] = []
    for u in doc.units:
        n = 0
        total = u.tank_count
        width = max(2, len(str(total)))
        for group in u.tanks:
            out.extend(_expand_group(u.id, group, n, width))
            n += group.count
    return tuple(out)


def _expand_group(unit: str, group: TankGroup, offset: int, width: int) -> list[TankSpec]:
    ids = group.ids or [f"{unit}-t{offset + k + 1:0{width}d}" for k in range(group.count)]
    return [TankSpec(tid, unit, group.model, k < group.command, k < group.headquarters) for k, tid in enumerate(ids)]


def _digest(doc: ScenarioDoc, params: ParamSet, terrain: Terrain | None) -> str:
    payload = {
        "scenario": doc.model_dump(mode="json", by_alias=True),
        "params": params.digest_items(),
        "terrain": terrain.source_digest if terrain is not None else "",
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------- public


def _validated(
    path: str | Path, variant: str | Path | None
) -> tuple[ScenarioDoc, _Doc, _Doc | None, VariantDoc | None, SourceMap]:
    base, var_file, vdoc, merged = _merged(path, variant)
    smap = SourceMap(merged, base.name)
    if not isinstance(merged, YDict) and not isinstance(merged, dict):  # pragma: no cover
        msg = "expected a mapping"
        raise ScenarioError(base.name, 1, "", msg)
    doc = validate_model(ScenarioDoc, merged, smap)
    cross_check(doc, smap)
    return doc, base, var_file, vdoc, smap


def load_document(path: str | Path, variant: str | Path | None = None) -> ScenarioDoc:
    """Read, merge and validate a scenario without loading parameters or terrain.

    Args:
        path: The scenario file (or a variant file, whose base is then loaded).
        variant: An optional variant file to apply.

    Returns:
        The validated document.

    Raises:
        ScenarioError: The first problem found, with its file, line and path.
    """
    return _validated(path, variant)[0]


def load_scenario(
    path: str | Path, variant: str | Path | None = None, *, with_terrain: bool = True
) -> Scenario:
    """Load a scenario, apply a variant, validate and cross-check it, and resolve it.

    Args:
        path: The scenario file. A variant file is accepted too: its ``base`` is loaded.
        variant: An optional variant file; its ``base`` must be *path*.
        with_terrain: Build the terrain rasters. Without them the map's extent is
            read from its description's ``grid:`` (or the 12 x 12 km Khasan map is
            assumed) for the bounds checks, and ``terrain`` is None.

    Returns:
        The loaded scenario.

    Raises:
        ScenarioError: The first problem found, with its file, line and path.
    """
    doc, base, var_file, vdoc, smap = _validated(path, variant)
    base_dir = base.path.resolve().parent
    params = load_params(_param_files(doc, base_dir, smap))
    map_path = _map_path(doc, base_dir)
    terrain: Terrain | None = None
    if with_terrain:
        terrain = _load_terrain(map_path, params, smap)
        grid = terrain.grid
    else:
        grid = _grid_from_map_file(map_path) or DEFAULT_GRID
    check_bounds(doc, grid, smap)
    if getattr(terrain, "terrain_class", None) is not None:
        check_on_land(doc, terrain, smap)  # type: ignore[arg-type]
    check_params(doc, params, smap)
    check_dig_limits(params)
    return Scenario(
        doc=doc,
        path=base.path,
        variant=vdoc,
        variant_path=var_file.path if var_file is not None else None,
        terrain=terrain,
        params=params,
        tanks=expand_tanks(doc),
        digest=_digest(doc, params, terrain),
        grid=grid,
    )
