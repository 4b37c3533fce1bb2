"""Anti-aircraft fire on a sortie: which of the enemy's anti-aircraft weapons reach the
formation over its aim point, and what they do to it (khasan_sim/model/anti_aircraft.py).

Reads: ``aircraft.<type>.attack_altitude_m``, ``aircraft.<type>.speed_kmh``,
``aircraft.<type>.span_m``, ``aircraft.<type>.passes_over_target``,
``air.aa_reference_span_m``, and of each anti-aircraft weapon ``weapons.<w>.range_m``,
``weapons.<w>.rate_rpm``, ``weapons.<w>.rounds_per_aircraft_downed``,
``weapons.<w>.lost_share_of_damaged``, ``weapons.<w>.lowest_altitude_m``.

Called by the air system (systems/air.py) once for each aircraft type of a strike; it
emits an ``aircraft_hit`` event with its cause (the anti-aircraft units and weapons that
fired, and the rates used) whenever an aircraft is damaged.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from khasan_sim.engine.state import UnitState
from khasan_sim.model import anti_aircraft


def flight_of(params: Any, aircraft_type: str) -> anti_aircraft.AircraftPass:
    """The height, speed, span and passes of *aircraft_type* over its target."""
    p = params
    return anti_aircraft.AircraftPass(
        altitude_m=p.f(f"aircraft.{aircraft_type}.attack_altitude_m"),
        speed_kmh=p.f(f"aircraft.{aircraft_type}.speed_kmh"),
        span_m=p.f(f"aircraft.{aircraft_type}.span_m"),
        reference_span_m=p.f("air.aa_reference_span_m"),
        passes=int(p.f(f"aircraft.{aircraft_type}.passes_over_target")),
    )


def weapons_over(engine: Any, enemy: list[UnitState], tx: float, ty: float) -> list[tuple[str, anti_aircraft.AAWeapon]]:
    """The enemy's anti-aircraft weapons in action near the aim point (*tx*, *ty*), each with
    the id of the unit that fires it, in a fixed order (by unit, then weapon)."""
    p = engine.params
    out: list[tuple[str, anti_aircraft.AAWeapon]] = []
    for v in enemy:
        if v.men <= 0:
            continue
        for w, k in sorted(v.guns.items()):  # the mounts left: those hit by bombs or shells are out
            if k <= 0 or engine._category(w) != "anti-aircraft":
                continue
            reach = p.f(f"weapons.{w}.range_m")
            d = math.hypot(v.x - tx, v.y - ty)
            if d > reach:
                continue
            out.append(
                (
                    v.id,
                    anti_aircraft.AAWeapon(
                        name=w,
                        weapons=k * v.men_share,
                        distance_m=d,
                        range_m=reach,
                        rate_rpm=p.f(f"weapons.{w}.rate_rpm"),
                        rounds_per_aircraft_downed=p.f(f"weapons.{w}.rounds_per_aircraft_downed"),
                        lost_share_of_damaged=p.f(f"weapons.{w}.lost_share_of_damaged"),
                        lowest_altitude_m=p.f(f"weapons.{w}.lowest_altitude_m"),
                    ),
                )
            )
    return out


def fire_on_sortie(
    engine: Any, u: UnitState, aircraft_type: str, sorties: int, tx: float, ty: float, enemy: list[UnitState], rng: np.random.Generator
) -> anti_aircraft.SortieLosses:
    """Resolve the anti-aircraft fire on *sorties* aircraft of *aircraft_type* of the air unit
    *u* striking (*tx*, *ty*); books the damaged and lost aircraft on *u* and logs why."""
    flight = flight_of(engine.params, aircraft_type)
    firing = weapons_over(engine, enemy, tx, ty)
    losses = anti_aircraft.draw_sortie_losses(sorties, flight, [w for _, w in firing], rng)
    u.aircraft_damaged += losses.damaged
    u.aircraft_lost += losses.lost
    u.aircraft[aircraft_type] = u.aircraft.get(aircraft_type, 0) - losses.lost
    if losses.damaged > 0:
        by = sorted({uid for (uid, _), e in zip(firing, losses.expected_each, strict=True) if e > 0})
        engine._emit(
            "aircraft_hit",
            unit=u.id,
            aircraft=aircraft_type,
            sorties=sorties,
            damaged=losses.damaged,
            lost=losses.lost,
            cause="anti-aircraft",
            by=by,
            weapons={k: round(v, 4) for k, v in sorted(losses.expected_by_weapon.items())},
            altitude_m=flight.altitude_m,
            chance_damaged=round(losses.chance_damaged, 5),
            lost_share=round(losses.lost_share, 4),
        )
    return losses
