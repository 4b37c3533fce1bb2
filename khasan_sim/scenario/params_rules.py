"""What the model asks of its parameters: every one present, in its unit, kind and range.

The shipped parameter files (``scenarios/params/*.yaml``) define the parameters the
engine reads; a set loaded for a run is checked against them:

* **present**: every shipped key is defined (a missing one is named with the file that
  should hold it, and the line of its group there when the group is there);
* **unit**: a key the shipped files define has their unit; a few other units are
  converted (seconds or hours to minutes, km to m, m/s to km/h, percent to a
  fraction), anything else is refused; a new key (a new weapon, say) must use a unit
  the shipped files use;
* **kind**: a number where the shipped value is a number, a word where it is a word;
* **range**: by unit (a fraction, chance, morale or suppression in 0..1, an angle in
  0..90 degrees, a flag 0 or 1, no negative count, speed, distance or time, nothing
  over :data:`MAX_MAGNITUDE`), and the engine's steps above a floor (:data:`FLOORS`):
  a combat pulse of 0 minutes would never move the clock on.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Mapping, Sequence
from pathlib import Path

from khasan_sim.errors import ScenarioError
from khasan_sim.model.params import Param

MAX_MAGNITUDE = 1e6
"""No parameter of the model is larger than this in its unit (the largest shipped is 16,000 m)."""

UNIT_RANGES: dict[str, tuple[float, float]] = {
    "fraction": (0.0, 1.0),
    "fraction of the unit": (0.0, 1.0),
    "fraction of the group's men": (0.0, 1.0),
    "chance": (0.0, 1.0),
    "chance/volley": (0.0, 1.0),
    "morale": (0.0, 1.0),
    "suppression": (0.0, 1.0),
    "deg": (0.0, 90.0),
    "flag": (0.0, 1.0),
}
"""The range a value in each unit must lie in; any other numeric unit is 0..MAX_MAGNITUDE."""

WORD_UNITS: dict[str, tuple[str, ...] | None] = {
    "class": None,
    "entrenchment": ("none", "hasty", "trenches", "fortified"),
}
"""Units whose values are words (None: any word; else one of these)."""

CONVERSIONS: dict[tuple[str, str], float] = {
    ("s", "min"): 1 / 60,
    ("h", "min"): 60.0,
    ("min", "h"): 1 / 60,
    ("km", "m"): 1000.0,
    ("m/s", "km/h"): 3.6,
    ("%", "fraction"): 0.01,
    ("percent", "fraction"): 0.01,
}
"""(unit written, unit the model reads) -> factor: the value is converted on loading."""

FLOORS: dict[str, tuple[float, str]] = {
    "engine.pulse_min": (
        0.5,
        "the combat pulse: at 0 the clock never moves on (the run loops for ever), below half a minute a run takes hours",
    ),
    "engine.leg_m": (10.0, "movement is committed in legs of this length: at 0 a move never ends"),
    "engine.foot_leg_min": (
        0.5,
        "men on foot move in legs of this many minutes: at 0 a move never ends",
    ),
    "artillery.volley_min": (
        0.5,
        "a battery fires a volley every this many minutes: at 0 a fire mission never ends",
    ),
    "morale.suppression_half_life_min": (0.1, "suppression halves in this time: it divides"),
}
"""Keys whose value must be at least a floor above 0, and why."""


@dataclasses.dataclass(frozen=True)
class Shipped:
    """What the shipped files say of one key: its unit, whether it is a word, and its file."""

    unit: str
    word: bool
    file: str


@functools.lru_cache(maxsize=1)
def shipped_params() -> dict[str, Shipped]:
    """Return what the shipped parameter files define, key by key (read once a process)."""
    from khasan_sim.scenario.params_file import default_param_files, read_param_file

    out: dict[str, Shipped] = {}
    for f in default_param_files():
        for key, p in read_param_file(f).items():
            out[key] = Shipped(p.unit, isinstance(p.value, str), Path(f).name)
    return out


def _known_units(shipped: Mapping[str, Shipped]) -> set[str]:
    return {s.unit for s in shipped.values()}


def _family_unit(key: str, shipped: Mapping[str, Shipped]) -> Shipped | None:
    """For a new key (``weapons.new-gun.range_m``), what a sibling of the same leaf name says."""
    head, _, rest = key.partition(".")
    leaf = rest.split(".", 1)[1] if "." in rest else ""
    if not leaf:
        return None
    for k, s in shipped.items():
        h, _, r = k.partition(".")
        if h == head and "." in r and r.split(".", 1)[1] == leaf:
            return s
    return None


def _convert(p: Param, want: str) -> Param:
    """Return *p* in unit *want*, converting a known other unit; refuse the rest."""
    if p.unit == want:
        return p
    factor = CONVERSIONS.get((p.unit, want))
    if factor is None or isinstance(p.value, str):
        msg = f"unit '{p.unit}' is not the unit the model reads this parameter in (expected unit: {want})"
        raise ScenarioError(p.file, p.line, f"{p.key}.unit", msg)
    bounds = None if p.bounds is None else (p.bounds[0] * factor, p.bounds[1] * factor)
    return dataclasses.replace(p, value=p.value * factor, unit=want, bounds=bounds)


def _as_number(p: Param) -> Param:
    """Return *p* with a number written as YAML 1.1 reads a word (``1e3``) made a number."""
    if isinstance(p.value, str):
        try:
            number = float(p.value)
        except ValueError:
            return p
        return dataclasses.replace(p, value=number)
    return p


def _check_value(p: Param, word: bool) -> None:
    """Check a value's kind and its range for its unit."""
    where = f"{p.key}.value"
    if word:
        if not isinstance(p.value, str):
            msg = f"expected a word (unit: {p.unit}) (got {p.value!r})"
            raise ScenarioError(p.file, p.line, where, msg)
        allowed = WORD_UNITS.get(p.unit)
        if allowed is not None and p.value not in allowed:
            msg = f"expected one of {', '.join(allowed)} (got {p.value!r})"
            raise ScenarioError(p.file, p.line, where, msg)
        return
    if isinstance(p.value, str):
        msg = f"expected a number in {p.unit} (got the word {p.value!r})"
        raise ScenarioError(p.file, p.line, where, msg)
    if not math.isfinite(p.value):
        raise ScenarioError(p.file, p.line, where, f"expected a finite number (got {p.value})")
    low, high = UNIT_RANGES.get(p.unit, (0.0, MAX_MAGNITUDE))
    if not low <= p.value <= high:
        msg = (
            f"expected a number from {low:g} to {high:g} for a value in {p.unit} (got {p.value:g})"
        )
        raise ScenarioError(p.file, p.line, where, msg)
    if p.unit == "flag" and p.value not in (0, 1):
        raise ScenarioError(p.file, p.line, where, f"expected 0 or 1 (got {p.value:g})")
    floor = FLOORS.get(p.key)
    if floor is not None and p.value < floor[0]:
        msg = f"expected at least {floor[0]:g} {p.unit} (got {p.value:g}): {floor[1]}"
        raise ScenarioError(p.file, p.line, where, msg)


def _missing(
    key: str, ship: Shipped, params: Mapping[str, Param], files: Sequence[str]
) -> ScenarioError:
    """The error for a shipped key that no loaded file defines: name the file that should."""
    holder = next((f for f in files if Path(f).name == ship.file), None)
    line = None
    group = key.rsplit(".", 1)[0]
    if holder is not None:
        # the line of the nearest group of the key that the file does have
        for k, p in params.items():
            if p.file == holder and (k.startswith(group + ".")) and p.line is not None:
                line = p.line if line is None else min(line, p.line)
    file = holder or (files[-1] if files else ship.file)
    where = f"it belongs in {ship.file}" + (f" under {group}:" if "." in key else "")
    return ScenarioError(
        file,
        line,
        key,
        f"missing required parameter ({where}, with value, unit: {ship.unit} and a source)",
    )


def check_param_set(params: Mapping[str, Param], files: Sequence[str]) -> dict[str, Param]:
    """Check a merged parameter set against what the model reads; return it with units converted.

    Args:
        params: The merged parameters, keyed by dotted key.
        files: The files they were read from, in order (for naming a missing key's file).

    Raises:
        ScenarioError: A shipped key is missing, or a value has the wrong unit, kind or range.
    """
    shipped = shipped_params()
    known = _known_units(shipped)
    out: dict[str, Param] = {}
    for key, p in params.items():
        ship = shipped.get(key) or _family_unit(key, shipped)
        if ship is not None:
            p = _convert(p, ship.unit)
            word = ship.word
        else:
            if p.unit not in known:
                close = sorted(known, key=lambda u: (u[:1] != p.unit[:1], len(u)))[:6]
                msg = (
                    f"unknown unit '{p.unit}' (the model's units include: {', '.join(close)}, ...)"
                )
                raise ScenarioError(p.file, p.line, f"{key}.unit", msg)
            word = p.unit in WORD_UNITS
        if not word:
            p = _as_number(p)
        _check_value(p, word)
        out[key] = p
    for key, ship in shipped.items():
        if key not in out:
            raise _missing(key, ship, params, files)
    return out
