"""The metrics of a run at one moment, in the names of ../shared/record/METRICS.md."""

from __future__ import annotations

from typing import Any

from khasan_sim.engine.state import TANK_BOGGED, TANK_DESTROYED, TANK_OPERATIONAL

SIDES = ("soviet", "japanese")


def snapshot(engine: Any) -> dict[str, Any]:
    """Return the flat METRICS.md snapshot of the engine's world now.

    Side totals count ground units (air units' crews are not in the men figures).
    A metric that does not apply (a tank metric of an infantry unit) is left out.
    """
    out: dict[str, Any] = {}
    units = [engine.units[i] for i in engine.unit_ids]
    for side in SIDES:
        mine = [u for u in units if u.side == side]
        ground = [u for u in mine if not u.is_air]
        out[f"{side}.killed"] = sum(u.killed for u in ground)
        out[f"{side}.wounded"] = sum(u.wounded for u in ground)
        out[f"{side}.missing"] = sum(u.missing for u in ground)
        out[f"{side}.men_present"] = sum(u.men for u in ground)
        tanks = [t for u in mine for t in u.tanks]
        # knocked out: tanks put out of action by enemy fire at least once (bogging apart);
        # destroyed: written off (burnt out, or left on ground the enemy holds; at the end
        # of the run, also those still lying there)
        out[f"{side}.tanks.knocked_out"] = sum(1 for t in tanks if t.knocked_out > 0)
        left = engine.left_to_enemy(side) if engine.now >= engine.end_min else 0
        out[f"{side}.tanks.destroyed"] = sum(1 for t in tanks if t.status == TANK_DESTROYED) + left
        out[f"{side}.tanks.bogged"] = sum(1 for t in tanks if t.status == TANK_BOGGED)
        out[f"{side}.tanks.recovered"] = engine.tanks_recovered[side]
        out[f"{side}.tanks.repaired"] = engine.tanks_repaired[side]
        out[f"{side}.guns.lost"] = sum(u.guns_lost for u in mine)
        out[f"{side}.aircraft.lost"] = sum(u.aircraft_lost for u in mine)
        out[f"{side}.aircraft.damaged"] = sum(u.aircraft_damaged for u in mine)
        out[f"{side}.counterattacks"] = engine.counterattacks[side]
        out[f"{side}.artillery.rounds"] = engine.rounds[side]
        out[f"{side}.air.bombs_t"] = round(engine.bombs_t[side], 3)
    for u in units:
        if u.is_air:
            continue
        out[f"unit.{u.id}.men"] = u.men
        out[f"unit.{u.id}.morale"] = round(u.morale, 4)
        if u.tanks:
            out[f"unit.{u.id}.tanks_start"] = len(u.tanks)
            out[f"unit.{u.id}.tanks_operational"] = sum(1 for t in u.tanks if t.status == TANK_OPERATIONAL)
            out[f"unit.{u.id}.tanks_knocked_out"] = sum(1 for t in u.tanks if t.knocked_out > 0)
            out[f"unit.{u.id}.tanks_bogged"] = sum(1 for t in u.tanks if t.status == TANK_BOGGED)
            for z in engine.zone_ids:
                out[f"unit.{u.id}.tanks_reached.{z}"] = sum(1 for t in u.tanks if z in t.reached)
    for z in engine.zone_ids:
        out[f"objective.{z}.holder"] = engine.holder[z]
        fsh = engine.first_soviet_hold[z]
        out[f"objective.{z}.first_soviet_hold"] = None if fsh is None else round(fsh, 3)
    return out
