"""The model's parameters with where each comes from, by mechanism (read-only).

For the front end's "Model" screen and its tooltips: every parameter of a
:class:`~khasan_sim.model.params.ParamSet` with its value, unit, source or reason, the
file and line it was read from, and whether calibration fitted it (the ``fitted:``
note that :func:`khasan_sim.analysis.trust.fitted_parameters` reads).

A *mechanism* names the parameters a part of the model reads, by key prefix: what a
tooltip over a route, a bog chance, a fire exchange or a unit's morale lists.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from khasan_sim.analysis.trust import fitted_parameters


@dataclass(frozen=True)
class Mechanism:
    """A part of the model in a sentence, and the parameter keys it reads (by prefix)."""

    title: str
    how: str
    prefixes: tuple[str, ...]


MECHANISMS: dict[str, Mechanism] = {
    "route": Mechanism(
        "Movement",
        "Each 25 m cell's ground type gives a speed per mobility class, slowed by slope and at night; "
        "the route is the quickest path over those times, kept off forbidden ground (the border while the rule holds).",
        ("mobility.speed_kmh", "mobility.slope_speed", "mobility.max_slope_deg", "mobility.night_factor"),
    ),
    "bog": Mechanism(
        "Bogging",
        "A tank crossing soft ground bogs with a chance per 100 m of that ground, rising with the ruts "
        "earlier tanks left; crews and tractors free it later.",
        ("mobility.p_bog_per_100m", "bogging."),
    ),
    "fire": Mechanism(
        "Direct fire",
        "Each 5-minute pulse every weapon in range fires at rates from weapons.yaml, scaled by the firer's "
        "training and the target's cover and exposure (dug in, moving, at the wire, at night); a share of those hit are killed. "
        "Anti-tank guns pick tanks they see; a tank engaging an anti-tank position fires its gun at the gun pits too.",
        ("fire.", "weapons.", "vehicles."),
    ),
    "artillery": Mechanism(
        "Artillery and air",
        "Rounds and bombs fall spread around the aim point; each kills men in its lethal area cut by their "
        "posture, and men already under fire in the last quarter hour have taken cover; it suppresses more than it kills.",
        ("artillery.", "air."),
    ),
    "morale": Mechanism(
        "Morale",
        "Morale falls with the recent loss rate, suppression, leaders lost, ground lost and break-ins; "
        "it recovers slowly at rest. Below a unit's thresholds it is shaken, retreats or routs.",
        ("morale.",),
    ),
}


@dataclass(frozen=True)
class ParameterSource:
    """One parameter and where it comes from.

    Attributes:
        key: Its dotted key.
        value: Its value.
        unit: Its unit.
        source: Its source, or the reason for it when no source exists.
        file: The parameter file's name.
        line: Its line in that file, or None.
        fitted: True if calibration fitted it to the record.
        fitted_note: When and to which record entries it was fitted ("" if not fitted).
    """

    key: str
    value: Any
    unit: str
    source: str
    file: str
    line: int | None
    fitted: bool
    fitted_note: str = ""

    @property
    def where(self) -> str:
        """Return ``file:line``."""
        return f"{self.file}:{self.line}" if self.line is not None else self.file

    @property
    def value_text(self) -> str:
        """Return the value with its unit."""
        v = self.value
        text = f"{v:g}" if isinstance(v, float) else str(v)
        return f"{text} {self.unit}"


def parameter_sources(params: Any, prefixes: Iterable[str] = (), *, containing: str | None = None) -> list[ParameterSource]:
    """Return the parameters of *params* with their sources, sorted by key.

    Args:
        params: A :class:`~khasan_sim.model.params.ParamSet` (a scenario's ``params``).
        prefixes: Keep only keys starting with one of these (all when empty).
        containing: Where this dotted part (a mobility class, a weapon) is one of the
            choices, keep only it: ``containing="bt"`` keeps ``mobility.speed_kmh.bt.swamp``
            and ``bogging.rut_passes_cap`` but not ``mobility.speed_kmh.foot.swamp``.
    """
    wanted = tuple(prefixes)
    fitted = {f.key: f for f in fitted_parameters(params)}
    keys = sorted(k for k in params if not wanted or k.startswith(wanted))
    if containing is not None:
        keys = _narrow(keys, containing)
    out = []
    for key in keys:
        p = params.param(key)
        f = fitted.get(key)
        note = ""
        if f is not None:
            note = f"fitted {f.date}" + (f" to {', '.join(f.entries)}" if f.entries else "") + (f" (on its {f.on_bound} bound)" if f.on_bound else "")
        out.append(ParameterSource(key, p.value, p.unit, p.source, Path(p.file).name if p.file else "", p.line, f is not None, note))
    return out


def _narrow(keys: list[str], part: str) -> list[str]:
    """Drop the keys that name a sibling of *part* where *part* is one of the choices (another class, another weapon)."""
    parents = {tuple(segs[:i]) for segs in (k.split(".") for k in keys) for i, seg in enumerate(segs) if seg == part}

    def keep(key: str) -> bool:
        segs = key.split(".")
        return all(tuple(segs[:i]) not in parents or segs[i] == part for i in range(len(segs)))

    return [k for k in keys if keep(k)]


def mechanism_sources(params: Any, mechanism: str, *, containing: str | None = None) -> tuple[Mechanism, list[ParameterSource]]:
    """Return a mechanism of :data:`MECHANISMS` and the parameters it reads, with their
    sources: its families in the order it names them (artillery before air), each by key."""
    m = MECHANISMS[mechanism]
    sources = parameter_sources(params, m.prefixes, containing=containing)
    family = {p: i for i, p in enumerate(m.prefixes)}
    return m, sorted(sources, key=lambda s: min(i for p, i in family.items() if s.key.startswith(p)))
