"""Read parameter files (``scenarios/params/*.yaml``) into a ParamSet, checked at the boundary.

A parameter file is a nested mapping; a leaf is a record with ``value`` and ``unit``
and one of ``source`` or ``reason`` (plus optional ``bounds`` and ``fitted``). A value
with no unit, or with neither source nor reason, is refused: every number says
where it comes from.

Two layers, each failing with ONE :class:`~khasan_sim.errors.ScenarioError` naming the
file, line and key:

* :func:`parse_params` reads one file: safe YAML with lines (no tags, no duplicate
  keys, a bounded size), each leaf a :class:`ParamRecord` (unknown fields refused),
  a value that is a finite number or a word, bounds ``[low, high]`` finite and in
  order, the value inside them;
* :func:`load_params` merges files and checks the set the engine will read
  (:mod:`khasan_sim.scenario.params_rules`): every parameter the shipped files define is
  there (a missing one is named with the file that should hold it), each in the unit
  the model reads it in (a few others are converted, the rest refused), of the right
  kind (a number where a number belongs), inside the range its unit allows (a
  fraction in 0..1, no negative speed), and the values that would make a run loop or
  grow without bound (a combat pulse of 0 minutes) refused with the reason.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from khasan_sim.boundary.validate import describe_value, validate_model
from khasan_sim.boundary.yamlsrc import PathKey, SourceMap, YDict, parse_yaml, read_text_limited
from khasan_sim.errors import ScenarioError
from khasan_sim.model.params import Param, ParamSet

LEAF_KEYS = {"value", "unit", "source", "reason", "bounds", "fitted"}


class ParamRecord(BaseModel):
    """One leaf of a parameter file: a value with its unit and where it comes from."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    value: Any
    unit: str = Field(min_length=1, max_length=80)
    source: str | None = None
    reason: str | None = None
    bounds: tuple[float, float] | None = None
    fitted: Any = None


def _number_or_word(value: Any) -> bool:
    return isinstance(value, (int, float, str)) and not isinstance(value, bool)


def _check_leaf(node: YDict, key: str, file: str, line: int | None) -> Param:
    """Validate one leaf record and return its Param."""
    try:
        rec = validate_model(ParamRecord, node, SourceMap(node, file))
    except ScenarioError as exc:
        path = f"{key}.{exc.path}" if exc.path else key
        raise ScenarioError(exc.file, exc.line, path, exc.problem) from None
    src = rec.source or rec.reason
    if not src or not src.strip():
        raise ScenarioError(
            file,
            line,
            key,
            "parameter has no source or reason (every number says where it comes from)",
        )
    value = rec.value
    if not _number_or_word(value):
        raise ScenarioError(
            file, line, f"{key}.value", f"expected a number or a word (got {describe_value(value)})"
        )
    if isinstance(value, float) and not math.isfinite(value):
        raise ScenarioError(file, line, f"{key}.value", f"expected a finite number (got {value})")
    bounds = rec.bounds
    if bounds is not None:
        low, high = bounds
        if low > high:
            raise ScenarioError(
                file,
                line,
                f"{key}.bounds",
                f"expected [low, high] with low <= high (got [{low:g}, {high:g}])",
            )
        if isinstance(value, str):
            raise ScenarioError(
                file,
                line,
                f"{key}.value",
                f"expected a number inside its bounds [{low:g}, {high:g}] (got {describe_value(value)})",
            )
        if not low <= value <= high:
            raise ScenarioError(
                file, line, key, f"value {value} lies outside its bounds [{low:g}, {high:g}]"
            )
    return Param(key, value, rec.unit.strip(), str(src), bounds, rec.fitted, file, line)


def parse_params(text: str, file: str) -> dict[str, Param]:
    """Parse one parameter file's text into Params keyed by dotted key.

    Raises:
        ScenarioError: The text is not YAML, or a record is malformed (file, line, key).
    """
    data = parse_yaml(text, file)
    if not isinstance(data, dict):
        raise ScenarioError(file, 1, "", "a parameter file must be a mapping of parameter groups")
    smap = SourceMap(data, file)
    out: dict[str, Param] = {}

    def walk(node: Any, path: PathKey) -> None:
        key = ".".join(str(p) for p in path)
        line = smap.line(path) if path else 1
        if isinstance(node, YDict) and "value" in node:
            out[key] = _check_leaf(node, key, file, line)
        elif isinstance(node, dict):
            if not node:
                raise ScenarioError(
                    file,
                    line,
                    key,
                    "an empty group (expected parameter records {value, unit, source})",
                )
            for k, v in node.items():
                walk(v, (*path, k))
        else:
            raise ScenarioError(
                file,
                line,
                key,
                f"expected a parameter record {{value, unit, source}} (got {describe_value(node)})",
            )

    walk(data, ())
    return out


def read_param_file(path: str | Path) -> dict[str, Param]:
    """Read and parse one parameter file (bounded in size; a device or a folder is refused).

    Raises:
        ScenarioError: The file cannot be read or is malformed.
    """
    text = read_text_limited(path, str(path), what="parameter file")
    return parse_params(text, str(path))


def load_params(files: Iterable[str | Path], *, check: bool = True) -> ParamSet:
    """Load and merge parameter files; a later file may override an earlier key.

    Args:
        files: The files, in order.
        check: Check the merged set against what the model reads
            (:func:`khasan_sim.scenario.params_rules.check_param_set`): every shipped
            parameter present, units, kinds and ranges.

    Raises:
        ScenarioError: A file cannot be read, is malformed, or the set fails a check.
    """
    merged: dict[str, Param] = {}
    names: list[str] = []
    for f in files:
        merged.update(read_param_file(f))
        names.append(str(f))
    if check:
        from khasan_sim.scenario.params_rules import check_param_set

        merged = check_param_set(merged, names)
    return ParamSet(merged)


def default_param_files() -> list[Path]:
    """Return the built-in parameter files, in a fixed order."""
    from khasan_sim.boundary.paths import data_root

    return sorted((data_root() / "scenarios" / "params").glob("*.yaml"))
