"""The words of the game's tooltips: an event with its causes, a mechanism of the model with
the values it used and the source of each parameter (no pygame).

A tooltip is a list of ``(style, text)`` lines; the styles are ``title``, ``text``,
``param`` (a parameter's value), ``source`` (where it comes from) and ``dim``.
"""

from __future__ import annotations

from typing import Any

from khasan_sim.api import mechanism_sources

Tip = list[tuple[str, str]]

#: Parameters listed in a tooltip at most; the Model screen (I) lists them all.
MAX_PARAMS = 12

#: The mechanism an event's numbers come from, by its kind (and its cause).
_EVENT_MECHANISM = {"bogged": "bog", "morale_state": "morale", "retreat": "morale", "rallied": "morale"}


def event_mechanism(ev: Any) -> str | None:
    """Return the mechanism of :data:`khasan_sim.analysis.sources.MECHANISMS` behind an event, or None."""
    if ev.kind == "casualties" and str(ev.get("cause", "")).startswith("direct-fire"):
        return "fire"
    if ev.kind == "casualties" and str(ev.get("cause", "")).startswith(("artillery:", "air:")):
        return "artillery"
    return _EVENT_MECHANISM.get(ev.kind)


def mechanism_tip(params: Any, mechanism: str, *, containing: str | None = None, used: list[str] | None = None) -> Tip:
    """Return a mechanism in a sentence, the values it used here, and its parameters with their sources.

    Args:
        params: The scenario's parameters.
        mechanism: A key of :data:`khasan_sim.analysis.sources.MECHANISMS`.
        containing: Narrow the parameters to this mobility class or weapon.
        used: Lines of the values this case used (already in words).
    """
    m, sources = mechanism_sources(params, mechanism, containing=containing)
    if containing is not None:  # this case's own parameters (its class, its weapon) first
        sources = sorted(sources, key=lambda s: containing not in s.key.split("."))
    tip: Tip = [("title", f"The model: {m.title.lower()}"), ("text", m.how)]
    for line in used or []:
        tip.append(("text", line))
    fitted = sum(1 for s in sources if s.fitted)
    tip.append(("dim", f"{len(sources)} parameters from scenarios/params/ ({fitted} fitted by calibration):"))
    for s in sources[:MAX_PARAMS]:
        tip.append(("param", f"{s.key} = {s.value_text}" + ("   FITTED" if s.fitted else "")))
        tip.append(("source", f"{s.source}  ({s.where}{'; ' + s.fitted_note if s.fitted_note else ''})"))
    if len(sources) > MAX_PARAMS:
        tip.append(("dim", f"... and {len(sources) - MAX_PARAMS} more: I shows the Model screen"))
    return tip


def event_tip(line: str, fields: list[tuple[str, str]], params: Any | None, ev: Any, *, show_model: bool = True) -> Tip:
    """Return a log event's tooltip: the whole line, every data field it carries (its causes,
    whatever they are), and the mechanism behind it with its parameters' sources."""
    tip: Tip = [("title", line)]
    for k, v in fields:
        tip.append(("text", f"{k.replace('_', ' ')}: {v}"))
    mech = event_mechanism(ev) if show_model and params is not None else None
    if mech is not None:
        weapon = ev.get("weapon")
        tip.extend(mechanism_tip(params, mech, containing=str(weapon) if isinstance(weapon, str) else None))
    return tip


def morale_tip(params: Any, u: Any) -> Tip:
    """Return a unit's morale tooltip: its figures now and the morale mechanism's parameters."""
    used = [
        f"{u.name}: morale {u.morale:.2f} (started {u.morale_start:.2f}), {u.state}; suppression {u.suppression:.2f}",
        f"men {u.men:,} of {u.men_start:,}" + (", under fire" if u.under_fire else "") + (f", dug in ({u.entrenchment})" if u.entrenchment != "none" else ""),
    ]
    return mechanism_tip(params, "morale", containing=u.training, used=used)


def mobility_of(scenario: Any, unit_id: str, unit_type: str) -> str:
    """Return a unit's mobility class as the route planner reads it (its first tank's, else foot or towed)."""
    model = next((t.model for t in scenario.tanks if t.unit == unit_id), None)
    if model is not None:
        return str(scenario.params.value(f"vehicles.{model}.mobility"))
    return "towed" if unit_type == "artillery" else "foot"


def soft_ground_and_bog(route: Any) -> tuple[float, float, float]:
    """Return a route's metres of soft ground, the highest bog chance per 100 m on it, and the
    chance that one tank bogs somewhere along it (1 - product of (1 - p)^(metres / 100))."""
    soft_m = float(sum(length for length, soft in zip(route.seg_length_m, route.seg_soft, strict=False) if soft))
    keep = 1.0
    worst = 0.0
    for length, p in zip(route.seg_length_m, route.seg_p_bog_per_100m, strict=False):
        keep *= (1 - float(p)) ** (float(length) / 100.0)
        worst = max(worst, float(p))
    return soft_m, worst, 1 - keep


def route_tip(params: Any, route: Any, mobility: str, tanks: int) -> Tip:
    """Return a route preview's tooltip: its length, time, soft ground and bog chance, with the
    movement and (for tanks on soft ground) bogging parameters."""
    soft_m, worst, bog = soft_ground_and_bog(route)
    used = [f"{route.length_m / 1000:.2f} km in about {route.time_min:.0f} min as '{mobility}'; soft ground {soft_m:.0f} m"]
    tip = mechanism_tip(params, "route", containing=mobility, used=used)
    if tanks and soft_m > 0:
        bog_used = [f"up to {100 * worst:.1f}% per 100 m of soft ground here: each tank bogs on this route with {100 * bog:.0f}% chance (1 - product of (1 - p)^(metres/100))"]
        tip.extend(mechanism_tip(params, "bog", containing=mobility, used=bog_used))
    return tip
