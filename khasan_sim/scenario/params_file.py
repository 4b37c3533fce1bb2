"""Read parameter files (``scenarios/params/*.yaml``) into a ParamSet.

A parameter file is a nested mapping; a leaf is a record with ``value`` and ``unit``
and one of ``source`` or ``reason`` (plus optional ``bounds`` and ``fitted``). A value
with no unit, or with neither source nor reason, is refused: every number says
where it comes from.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from khasan_sim.errors import ScenarioError
from khasan_sim.model.params import Param, ParamSet

LEAF_KEYS = {"value", "unit", "source", "reason", "bounds", "fitted"}


def _line_of(node_lines: dict[str, int], key: str) -> int | None:
    return node_lines.get(key)


def _key_lines(text: str) -> dict[str, int]:
    """Map each dotted key path of a YAML mapping document to its 1-based line."""
    lines: dict[str, int] = {}
    root = yaml.compose(text, Loader=yaml.SafeLoader)

    def walk(node: yaml.Node, prefix: str) -> None:
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                key = f"{prefix}.{k.value}" if prefix else str(k.value)
                lines[key] = k.start_mark.line + 1
                walk(v, key)

    if root is not None:
        walk(root, "")
    return lines


def parse_params(text: str, file: str) -> dict[str, Param]:
    """Parse one parameter file's text into Params keyed by dotted key."""
    try:
        data = yaml.safe_load(text)
        key_lines = _key_lines(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise ScenarioError(file, line, "", f"not valid YAML ({getattr(exc, 'problem', exc)})") from None
    if not isinstance(data, dict):
        raise ScenarioError(file, 1, "", "a parameter file must be a mapping of parameter groups")
    out: dict[str, Param] = {}

    def walk(node: Any, key: str) -> None:
        if isinstance(node, dict) and "value" in node:
            line = key_lines.get(key)
            extra = set(node) - LEAF_KEYS
            if extra:
                raise ScenarioError(file, line, key, f"unknown field(s) {sorted(extra)} (expected {sorted(LEAF_KEYS)})")
            if "unit" not in node:
                raise ScenarioError(file, line, key, "parameter has no unit (expected unit: ...)")
            src = node.get("source") or node.get("reason")
            if not src:
                raise ScenarioError(file, line, key, "parameter has no source or reason (every number says where it comes from)")
            value = node["value"]
            if not isinstance(value, (int, float, str)) or isinstance(value, bool):
                raise ScenarioError(file, line, key, f"value must be a number or a word (got {value!r})")
            bounds = node.get("bounds")
            if bounds is not None:
                if not (isinstance(bounds, list) and len(bounds) == 2 and all(isinstance(b, (int, float)) for b in bounds)):
                    raise ScenarioError(file, line, key + ".bounds", f"expected [low, high] (got {bounds!r})")
                if isinstance(value, (int, float)) and not bounds[0] <= value <= bounds[1]:
                    raise ScenarioError(file, line, key, f"value {value} lies outside its bounds {bounds}")
                bounds = (float(bounds[0]), float(bounds[1]))
            out[key] = Param(key, value, str(node["unit"]), str(src), bounds, node.get("fitted"), file, line)
        elif isinstance(node, dict):
            for k, v in node.items():
                walk(v, f"{key}.{k}" if key else str(k))
        else:
            raise ScenarioError(file, key_lines.get(key), key, "expected a parameter record {value, unit, source}")

    walk(data, "")
    return out


def load_params(files: Iterable[str | Path]) -> ParamSet:
    """Load and merge parameter files; a later file may override an earlier key."""
    merged: dict[str, Param] = {}
    for f in files:
        path = Path(f)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ScenarioError(str(path), None, "", f"cannot read parameter file ({exc.strerror})") from None
        merged.update(parse_params(text, str(path)))
    return ParamSet(merged)


def default_param_files() -> list[Path]:
    """Return the built-in parameter files, in a fixed order."""
    from khasan_sim.scenario.builtin import data_root

    return sorted((data_root() / "scenarios" / "params").glob("*.yaml"))
