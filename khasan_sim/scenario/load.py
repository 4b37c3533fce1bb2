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

import difflib
import enum
import hashlib
import json
import os
import types
import typing
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from khasan_sim.errors import ScenarioError
from khasan_sim.model.params import ParamSet
from khasan_sim.scenario.builtin import resolve
from khasan_sim.scenario.params_file import default_param_files, load_params
from khasan_sim.scenario.schema import (
    AirStrikeOrder,
    AttackOrder,
    BuildCrossingOrder,
    DefendOrder,
    FireMissionOrder,
    MoveOrder,
    ScenarioDoc,
    TankGroup,
    Unit,
    UnitType,
    VariantDoc,
    WithdrawOrder,
    Zone,
)
from khasan_sim.scenario.variant import apply_variant
from khasan_sim.scenario.yamlsrc import PathKey, SourceMap, YDict, load_yaml, plain
from khasan_sim.terrain.types import Grid, Terrain, TerrainClass

__all__ = [
    "DEFAULT_GRID",
    "Scenario",
    "TankSpec",
    "load_document",
    "load_scenario",
    "validate_model",
]

M = TypeVar("M", bound=BaseModel)

DEFAULT_GRID = Grid(cell_m=25.0, nrows=480, ncols=480)
"""The Khasan map's extent (12 x 12 km), used for bounds checks only when the map
file cannot be read and no terrain is loaded (``with_terrain=False``)."""

_ID_PATTERN = r"^[a-z0-9][a-z0-9.-]*$"
_MAX_LISTED = 12


@dataclass(frozen=True, slots=True)
class TankSpec:
    """One tank of the order of battle.

    Attributes:
        id: The vehicle id (``2mb-3tb-t01``, or as the scenario names it).
        unit: The id of the unit it belongs to.
        model: The vehicle model, a key of ``vehicles.<model>.*`` in the parameters.
        command: True for a command tank (handrail radio antenna).
    """

    id: str
    unit: str
    model: str
    command: bool


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
        """Return the variant id, or None for the base scenario."""
        return self.variant.variant.id if self.variant is not None else None

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


def _merged(path: str | Path, variant: str | Path | None) -> tuple[_Doc, _Doc | None, VariantDoc | None, Any]:
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
            raise ScenarioError(var_file.name, var_file.smap().line(("variant", "base")), "variant.base", msg)
        base = _read(base_path)
    elif base_path.is_file() and base_path.resolve() != base.path.resolve():
        msg = f"this variant is for '{vdoc.variant.base}', not for {base.name}"
        raise ScenarioError(var_file.name, var_file.smap().line(("variant", "base")), "variant.base", msg)
    merged = apply_variant(base.data, vdoc, var_file.data, var_file.name)
    return base, var_file, vdoc, merged


# ----------------------------------------------------------------- pydantic errors


def _strip(tp: Any) -> Any:
    while get_origin(tp) is typing.Annotated:
        tp = get_args(tp)[0]
    return tp


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _model_field(model: type[BaseModel], name: object) -> Any:
    for fname, f in model.model_fields.items():
        if name in (fname, f.alias):
            return f
    return None


def _is_union(tp: Any) -> bool:
    return get_origin(tp) in (Union, types.UnionType)


def _kind_tags(tp: Any) -> dict[str, type[BaseModel]]:
    """Return {kind: model} for a union discriminated by ``kind``."""
    out: dict[str, type[BaseModel]] = {}
    for a in get_args(_strip(tp)):
        a = _strip(a)
        if _is_model(a) and "kind" in a.model_fields:
            for tag in get_args(a.model_fields["kind"].annotation):
                out[str(tag)] = a
    return out


def _step_type(tp: Any, el: str | int) -> tuple[Any, Any]:
    """Follow one pydantic loc element from type *tp*; return (type, FieldInfo or None)."""
    tp = _strip(tp)
    if _is_model(tp):
        f = _model_field(tp, el)
        return (f.annotation, f) if f is not None else (None, None)
    origin = get_origin(tp)
    if _is_union(tp):
        members = [a for a in get_args(tp) if a is not type(None)]
        tags = _kind_tags(tp)
        if isinstance(el, str) and el in tags:
            return tags[el], None
        if len(members) == 1:
            return _step_type(members[0], el)
        if isinstance(el, str):
            for a in members:
                s = _strip(a)
                if (el.startswith("tuple") and get_origin(s) is tuple) or (el.startswith("list") and get_origin(s) is list):
                    return a, None
                if "str" in el and s is str:
                    return a, None
        for a in members:
            t, f = _step_type(a, el)
            if t is not None:
                return t, f
        return None, None
    if origin is list and isinstance(el, int):
        return get_args(tp)[0], None
    if origin is tuple and isinstance(el, int):
        args = get_args(tp)
        return (args[el] if el < len(args) else args[0]), None
    if origin is dict:
        k, v = get_args(tp)
        return (k if el == "[key]" else v), None
    return None, None


def _type_at(model: type[BaseModel], loc: Sequence[str | int]) -> tuple[Any, Any]:
    """Return (type, last FieldInfo seen) at a pydantic loc, or (None, None)."""
    tp: Any = model
    field = None
    if "[key]" in loc:  # ('weapons', 'How-122', '[key]'): the key of a mapping, not its value
        i = list(loc).index("[key]")
        loc = (*loc[: i - 1], "[key]", *loc[i + 1 :])
    for el in loc:
        tp, f = _step_type(tp, el)
        if tp is None:
            return None, field
        if f is not None:
            field = f
    return tp, field


def _constraints(field: Any, tp: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    metas = list(getattr(field, "metadata", []) or [])
    t = tp
    while get_origin(t) is typing.Annotated:
        metas += list(get_args(t)[1:])
        t = get_args(t)[0]
    for m in metas:
        for name in ("ge", "gt", "le", "lt", "min_length", "max_length", "pattern"):
            v = getattr(m, name, None)
            if v is not None and not isinstance(m, type):
                out.setdefault(name, v)
        for sub in getattr(m, "metadata", []) or []:
            for name in ("ge", "gt", "le", "lt", "min_length", "max_length", "pattern"):
                v = getattr(sub, name, None)
                if v is not None:
                    out.setdefault(name, v)
    return out


def _describe(tp: Any, field: Any = None, bound: str = "low") -> str:
    """Describe what a value of type *tp* should be, in plain words."""
    if tp is None:
        return "a valid value"
    cons = _constraints(field, tp) if field is not None else _constraints(None, tp)
    base = _strip(tp)
    if _is_union(base):
        members = [_strip(a) for a in get_args(base) if a is not type(None)]
        if len(members) == 1:
            return _describe(members[0], field, bound)
        if _kind_tags(base):
            return "an order: a mapping with kind: " + ", ".join(_kind_tags(base))
        words = []
        for m in members:
            words.append("an id" if m is str else _describe(m))
        if str in members and any(get_origin(m) is tuple for m in members):
            return "a zone id or a point [x, y] in metres"
        return " or ".join(words)
    if base is bool:
        return "true or false"
    if base is int or base is float:
        word = "an integer" if base is int else "a number"
        lows = [f">= {cons['ge']}" if "ge" in cons else "", f"> {cons['gt']}" if "gt" in cons else ""]
        highs = [f"<= {cons['le']}" if "le" in cons else "", f"< {cons['lt']}" if "lt" in cons else ""]
        low = next((w for w in lows if w), "")
        high = next((w for w in highs if w), "")
        if bound == "high" and high:
            return f"{word} {high}"
        if low:
            return f"{word} {low}"
        return f"{word} {high}".rstrip()
    if base is datetime:
        return "a time like 1938-08-06T16:00"
    if base is str:
        pattern = cons.get("pattern")
        if pattern == _ID_PATTERN:
            return "an id of lower-case letters, digits, '.' and '-'"
        if pattern == r"^\d{2}:\d{2}$":
            return "a time of day HH:MM"
        return "text"
    if get_origin(base) is Literal:
        return "one of " + ", ".join(repr(a) for a in get_args(base))
    if isinstance(base, type) and issubclass(base, enum.Enum):
        return "one of " + ", ".join(repr(m.value) for m in base)
    if get_origin(base) is tuple:
        return "a point [x, y] in metres"
    if get_origin(base) is list:
        n = cons.get("min_length")
        return f"a list of at least {n} items" if n else "a list"
    if get_origin(base) is dict:
        return "a mapping of name: count" if get_args(base)[1] is int else "a mapping"
    if _is_model(base):
        return "a mapping with fields " + ", ".join(_field_names(base))
    return getattr(base, "__name__", str(base))


def _field_names(model: type[BaseModel]) -> list[str]:
    return [f.alias or name for name, f in model.model_fields.items()]


def _got(value: Any) -> str:
    """Describe the value that came, briefly and on one line."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:37] + "..."
        return repr(text)
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return f"a list of {len(value)} item{'s' if len(value) != 1 else ''}"
    return repr(value)[:40]


def _loc_to_path(loc: Sequence[str | int], data: Any) -> tuple[PathKey, bool]:
    """Map a pydantic loc to a document path; return (path, came_from_a_union_member)."""
    path: list[str | int] = []
    node: Any = data
    union_member = False
    for i, el in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(node, dict) and isinstance(el, str) and el in node:
            path.append(el)
            node = node[el]
        elif isinstance(node, list) and isinstance(el, int) and 0 <= el < len(node):
            path.append(el)
            node = node[el]
        elif isinstance(node, dict) and isinstance(el, str) and node.get("kind") == el:
            continue  # discriminated-union tag: the order's kind
        elif el == "[key]":
            continue
        elif isinstance(node, dict) and isinstance(el, str) and last:
            path.append(el)  # a missing or unknown field
            node = None
        elif isinstance(el, int):
            break  # an item missing from a too-short list or point: blame the list
        else:
            union_member = True  # a smart-union member name such as 'str' or 'tuple[float, float]'
    return tuple(path), union_member


def _value_at(data: Any, path: PathKey) -> Any:
    node = data
    for p in path:
        try:
            node = node[p]
        except (KeyError, IndexError, TypeError):
            return None
    return node


def _reword(err: Any, model: type[BaseModel], data: Any) -> tuple[PathKey, str]:
    """Return (path, problem) for one pydantic error dict."""
    loc = tuple(err["loc"])
    etype = err["type"]
    path, from_union = _loc_to_path(loc, data)
    ctx = err.get("ctx") or {}
    got = err.get("input")
    if from_union:
        # describe the whole union at the path rather than one member's complaint
        i = len(loc)
        while i > 0:
            tp, f = _type_at(model, loc[:i])
            if tp is not None and _is_union(_strip(tp)) and not _kind_tags(tp):
                return path, f"expected {_describe(tp, f)} (got {_got(_value_at(data, path))})"
            i -= 1
    tp, field = _type_at(model, loc)
    if etype == "missing" and isinstance(loc[-1], int):
        ptp, pfield = _type_at(model, loc[:-1])
        return path, f"expected {_describe(ptp, pfield)} (got {_got(_value_at(data, path))})"
    if etype == "missing":
        return path, f"missing required field '{loc[-1]}'"
    if etype == "extra_forbidden":
        parent, _ = _type_at(model, loc[:-1])
        parent = _strip(parent) if parent is not None else None
        if not _is_model(parent):
            return path, f"unknown field '{loc[-1]}'"
        names = _field_names(parent)
        close = difflib.get_close_matches(str(loc[-1]), names, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        return path, f"unknown field '{loc[-1]}' ({hint}expected one of: {', '.join(names)})"
    if etype == "union_tag_invalid":
        noun = "order kind" if path and path[0] == "orders" else f"'{ctx.get('discriminator', 'kind')}'"
        return (*path, "kind"), f"unknown {noun} '{ctx.get('tag')}' (expected one of: {_tags(ctx.get('expected_tags'))})"
    if etype == "union_tag_not_found":
        disc = str(ctx.get("discriminator", "kind")).strip("'")
        tags = _tags(", ".join(_kind_tags(tp)) if tp is not None else None)
        return (*path, disc), f"missing required field '{disc}' (expected one of: {tags})"
    if etype in ("value_error", "assertion_error"):
        text = str(err.get("msg", "")).removeprefix("Value error, ").removeprefix("Assertion failed, ")
        first = text.split(" ", 1)[0]
        target = _value_at(data, path)
        if isinstance(target, dict) and first in target:
            path = (*path, first)
        return path, text
    if etype in ("literal_error", "enum"):
        expected = ctx.get("expected") or _describe(tp, field)
        return path, f"expected one of {expected} (got {_got(got)})"
    if etype in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        sym = {"greater_than_equal": ">=", "greater_than": ">", "less_than_equal": "<=", "less_than": "<"}[etype]
        limit = next(iter(ctx.values()), "?")
        word = "a number" if isinstance(got, float) or (tp is not None and _strip(tp) is float) else "an integer"
        return path, f"expected {word} {sym} {limit} (got {_got(got)})"
    if etype == "too_short":
        n = ctx.get("min_length")
        return path, f"expected at least {n} item{'s' if n != 1 else ''} (got {ctx.get('actual_length', _got(got))})"
    if etype == "too_long":
        n = ctx.get("max_length")
        if tp is not None and get_origin(_strip(tp)) is tuple:
            return path, f"expected a point [x, y] in metres (got {_got(got)})"
        return path, f"expected at most {n} items (got {ctx.get('actual_length', _got(got))})"
    if etype == "string_too_long":
        return path, f"expected at most {ctx.get('max_length')} characters (got {len(str(got))})"
    if etype == "string_pattern_mismatch":
        return path, f"expected {_describe(tp, field)} (got {_got(got)})"
    return path, f"expected {_describe(tp, field)} (got {_got(got)})"


def _tags(tags: Any) -> str:
    if not tags:
        return "?"
    return ", ".join(t.strip().strip("'") for t in str(tags).split(","))


def validate_model(model: type[M], data: Any, smap: SourceMap) -> M:
    """Validate *data* against *model*, turning the first error into a ScenarioError.

    "First" means nearest the top of the file, so the message points where a reader
    would start fixing.

    Raises:
        ScenarioError: The data does not fit the model (file, line, path, problem).
    """
    try:
        return model.model_validate(plain(data))
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        # a misspelt field shows up twice: as unknown, and as the real one missing;
        # the unknown one says more (and sits on the right line)
        extra_parents = {tuple(e["loc"][:-1]) for e in errors if e["type"] == "extra_forbidden"}
        errors = [e for e in errors if not (e["type"] == "missing" and tuple(e["loc"][:-1]) in extra_parents)]
        found = []
        for n, err in enumerate(errors):
            path, problem = _reword(err, model, data)
            found.append((smap.where(path).line, n, path, problem))
        found.sort(key=lambda t: (t[0], t[1]))
        _, _, path, problem = found[0]
        raise smap.error(path, problem) from None


# -------------------------------------------------------------------- cross-checks


def _hhmm(t: datetime) -> str:
    return t.isoformat(timespec="minutes")


def _unknown(word: str, name: str, known: Iterable[str]) -> str:
    names = sorted(set(known))
    close = difflib.get_close_matches(name, names, n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    shown = ", ".join(names[:_MAX_LISTED]) + (f", ... and {len(names) - _MAX_LISTED} more" if len(names) > _MAX_LISTED else "")
    return f"unknown {word} '{name}' ({hint}known {word}s: {shown or 'none'})"


def _check_unique(items: Sequence[Any], section: str, word: str, smap: SourceMap) -> None:
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        ident = getattr(item, "id", None)
        if ident is None:
            continue
        if ident in seen:
            first = smap.line((section, seen[ident]))
            msg = f"duplicate {word} id '{ident}' (first at line {first})"
            raise smap.error((section, i, "id"), msg)
        seen[ident] = i


def _cross_check(doc: ScenarioDoc, smap: SourceMap) -> None:
    """Check references, times and ids (everything that does not need the map or params)."""
    _check_unique(doc.units, "units", "unit", smap)
    _check_unique(doc.zones, "zones", "zone", smap)
    _check_unique(doc.orders, "orders", "order", smap)
    units = {u.id: u for u in doc.units}
    zones = {z.id for z in doc.zones}
    start, end = doc.scenario.start, doc.scenario.end

    for i, u in enumerate(doc.units):
        if u.side not in doc.sides:
            msg = f"side '{u.side}' is not declared under sides: (declared: {', '.join(doc.sides) or 'none'})"
            raise smap.error(("units", i, "side"), msg)
        seen: set[str] = set()
        p: str | None = u.parent
        while p is not None and p in units:
            if p == u.id or p in seen:
                msg = f"parent chain of '{u.id}' loops back on itself (through '{p}')"
                raise smap.error(("units", i, "parent"), msg)
            seen.add(p)
            p = units[p].parent

    tank_ids: dict[str, tuple[int, int]] = {}
    for i, u in enumerate(doc.units):
        for g, group in enumerate(u.tanks):
            for j, tid in enumerate(group.ids or []):
                if tid in tank_ids:
                    msg = f"duplicate tank id '{tid}' (also in units[{tank_ids[tid][0]}])"
                    raise smap.error(("units", i, "tanks", g, "ids", j), msg)
                tank_ids[tid] = (i, g)

    if doc.rules.daylight is not None:
        for name in ("dawn", "dusk"):
            hh, mm = (int(x) for x in getattr(doc.rules.daylight, name).split(":"))
            if hh > 23 or mm > 59:
                msg = f"expected a time of day 00:00-23:59 (got '{hh:02d}:{mm:02d}')"
                raise smap.error(("rules", "daylight", name), msg)
    for i, spell in enumerate(doc.rules.weather):
        if spell.end <= spell.start:
            msg = f"to ({_hhmm(spell.end)}) must be after from ({_hhmm(spell.start)})"
            raise smap.error(("rules", "weather", i, "to"), msg)

    for i, order in enumerate(doc.orders):
        base: PathKey = ("orders", i)
        if order.unit is not None:
            refs: list[tuple[PathKey, str]] = [((*base, "unit"), order.unit)]
        else:
            refs = [((*base, "units", j), uid) for j, uid in enumerate(order.units or [])]
        for path, uid in refs:
            if uid not in units:
                raise smap.error(path, _unknown("unit", uid, units))
        if order.at < start:
            msg = f"order at {_hhmm(order.at)} is before the scenario's start {_hhmm(start)}"
            raise smap.error((*base, "at"), msg)
        if order.at >= end:
            msg = f"order at {_hhmm(order.at)} is not before the scenario's end {_hhmm(end)}"
            raise smap.error((*base, "at"), msg)
        for field, ref in _zone_refs(order):
            if isinstance(ref, str) and ref not in zones:
                raise smap.error((*base, field), _unknown("zone", ref, zones))
        if isinstance(order, FireMissionOrder):
            for path, uid in refs:
                if units[uid].type is not UnitType.ARTILLERY:
                    msg = f"a fire_mission is for artillery units, but '{uid}' is {units[uid].type.value}"
                    raise smap.error(path, msg)
        if isinstance(order, BuildCrossingOrder):
            for path, uid in refs:
                if units[uid].type is not UnitType.ENGINEER:
                    msg = f"a build_crossing is for engineer units, but '{uid}' is {units[uid].type.value}"
                    raise smap.error(path, msg)
        if isinstance(order, AirStrikeOrder):
            for path, uid in refs:
                if units[uid].type is not UnitType.AIR:
                    msg = f"an air_strike is for air units, but '{uid}' is {units[uid].type.value}"
                    raise smap.error(path, msg)
            for ac, n in (order.sorties or {}).items():
                have = sum(units[uid].aircraft.get(ac, 0) for _, uid in refs)
                if have == 0:
                    msg = f"no aircraft of type '{ac}' in {', '.join(uid for _, uid in refs)} (has: {', '.join(sorted({a for _, uid in refs for a in units[uid].aircraft}))})"
                    raise smap.error((*base, "sorties", ac), msg)
                if n < 0:
                    msg = f"expected a number of sorties >= 0 (got {n})"
                    raise smap.error((*base, "sorties", ac), msg)


def _zone_refs(order: Any) -> list[tuple[str, Any]]:
    if isinstance(order, (MoveOrder, WithdrawOrder)):
        return [("to", order.to)]
    if isinstance(order, AttackOrder):
        return [("objective", order.objective)]
    if isinstance(order, DefendOrder):
        return [("zone", order.zone)] if order.zone is not None else []
    if isinstance(order, (FireMissionOrder, AirStrikeOrder)):
        return [("target", order.target)]
    return []


def _fmt_m(v: float) -> str:
    return f"{v:.0f}"


def _off_map(grid: Grid, p: tuple[float, float]) -> str:
    return (
        f"point (x={_fmt_m(p[0])} m, y={_fmt_m(p[1])} m) is off the map "
        f"(expected 0 <= x < {_fmt_m(grid.width_m)}, 0 <= y < {_fmt_m(grid.height_m)})"
    )


def _check_bounds(doc: ScenarioDoc, grid: Grid, smap: SourceMap) -> None:
    """Check that unit positions, zone vertices and order points lie on the map."""
    for i, u in enumerate(doc.units):
        if u.position is not None and not grid.contains(*u.position):
            raise smap.error(("units", i, "position"), "unit position: " + _off_map(grid, u.position))
    for i, z in enumerate(doc.zones):
        for j, p in enumerate(z.polygon):
            if not grid.contains(*p):
                raise smap.error(("zones", i, "polygon", j), f"zone '{z.id}' vertex {j}: " + _off_map(grid, p))
    for i, order in enumerate(doc.orders):
        for field, ref in _zone_refs(order):
            if isinstance(ref, tuple) and not grid.contains(*ref):
                raise smap.error(("orders", i, field), "target " + _off_map(grid, ref))
        for j, p in enumerate(getattr(order, "route", []) or []):
            if not grid.contains(*p):
                raise smap.error(("orders", i, "route", j), "waypoint " + _off_map(grid, p))
        for j, site in enumerate(getattr(order, "sites", []) or []):
            if not grid.contains(*site.at):
                raise smap.error(("orders", i, "sites", j, "at"), "crossing site " + _off_map(grid, site.at))


def _check_on_land(doc: ScenarioDoc, terrain: Terrain, smap: SourceMap) -> None:
    """Check that every ground unit starts on ground men can stand on (not in a lake or river)."""
    for i, u in enumerate(doc.units):
        if u.position is None:
            continue
        r, c = terrain.grid.cell(*u.position)
        cls = TerrainClass(int(terrain.terrain_class[r, c]))
        if cls in (TerrainClass.WATER, TerrainClass.RIVER):
            where = "the lake" if cls is TerrainClass.WATER else "the river"
            x, y = u.position
            msg = f"unit position: point (x={x:g} m, y={y:g} m) is in {where}; units must start on land"
            raise smap.error(("units", i, "position"), msg)


def _families(params: ParamSet) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {"vehicles": set(), "weapons": set(), "aircraft": set()}
    for key in params:
        head, _, rest = key.partition(".")
        if head in out and rest:
            out[head].add(rest.split(".", 1)[0])
    return out


def _check_params(doc: ScenarioDoc, params: ParamSet, smap: SourceMap) -> None:
    """Check that tank models, weapons and aircraft types are defined in the parameters.

    A family with no parameters at all (no ``weapons.*`` key, say) is not checked, so a
    scenario can be validated before its parameter tables are written.
    """
    fam = _families(params)
    for i, u in enumerate(doc.units):
        if fam["vehicles"]:
            for g, group in enumerate(u.tanks):
                if group.model not in fam["vehicles"]:
                    raise smap.error(("units", i, "tanks", g, "model"), _unknown("tank model", group.model, fam["vehicles"]))
        if fam["weapons"]:
            for w in u.weapons:
                if w not in fam["weapons"]:
                    raise smap.error(("units", i, "weapons", w), _unknown("weapon type", w, fam["weapons"]))
        if fam["aircraft"]:
            for a in u.aircraft:
                if a not in fam["aircraft"]:
                    raise smap.error(("units", i, "aircraft", a), _unknown("aircraft type", a, fam["aircraft"]))


def _check_dig_limits(params: ParamSet) -> None:
    """Check ``terrain.dig_limit.<class>``: a terrain class, and how far men can dig on it."""
    levels = ("none", "hasty", "trenches")
    for key in params:
        if not key.startswith("terrain.dig_limit."):
            continue
        p = params.param(key)
        cls = key.rsplit(".", 1)[1]
        if cls.upper() not in TerrainClass.__members__:
            names = ", ".join(c.name.lower() for c in TerrainClass)
            raise ScenarioError(p.file, p.line, key, f"unknown terrain class '{cls}' (expected one of {names})")
        if p.value not in levels:
            raise ScenarioError(p.file, p.line, key, f"value must be one of {', '.join(levels)} (got {p.value!r})")


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
            return Grid(cell, round(float(grid["height_m"]) / cell), round(float(grid["width_m"]) / cell))
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
    group are its command tanks.
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
    return [TankSpec(tid, unit, group.model, k < group.command) for k, tid in enumerate(ids)]


def _digest(doc: ScenarioDoc, params: ParamSet, terrain: Terrain | None) -> str:
    payload = {
        "scenario": doc.model_dump(mode="json", by_alias=True),
        "params": params.digest_items(),
        "terrain": terrain.source_digest if terrain is not None else "",
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------- public


def _validated(path: str | Path, variant: str | Path | None) -> tuple[ScenarioDoc, _Doc, _Doc | None, VariantDoc | None, SourceMap]:
    base, var_file, vdoc, merged = _merged(path, variant)
    smap = SourceMap(merged, base.name)
    if not isinstance(merged, YDict) and not isinstance(merged, dict):  # pragma: no cover
        msg = "expected a mapping"
        raise ScenarioError(base.name, 1, "", msg)
    doc = validate_model(ScenarioDoc, merged, smap)
    _cross_check(doc, smap)
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


def load_scenario(path: str | Path, variant: str | Path | None = None, *, with_terrain: bool = True) -> Scenario:
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
    _check_bounds(doc, grid, smap)
    if getattr(terrain, "terrain_class", None) is not None:
        _check_on_land(doc, terrain, smap)  # type: ignore[arg-type]
    _check_params(doc, params, smap)
    _check_dig_limits(params)
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
