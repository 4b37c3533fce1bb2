"""The metrics of a run at one moment, in the names of ../shared/record/METRICS.md."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

from khasan_sim.engine import world
from khasan_sim.engine.state import TANK_BOGGED, TANK_DESTROYED, TANK_OPERATIONAL

SIDES = ("soviet", "japanese")
_AIR = world.UNIT_TYPES.index("air")
_DESTROYED = world.TANK_STATUS.index(TANK_DESTROYED)
_BOGGED = world.TANK_STATUS.index(TANK_BOGGED)
_OPERATIONAL = world.TANK_STATUS.index(TANK_OPERATIONAL)


def snapshot(engine: Any) -> dict[str, Any]:
    """Return the flat METRICS.md snapshot of the engine's world now.

    Side totals count ground units (air units' crews are not in the men figures).
    A metric that does not apply (a tank metric of an infantry unit) is left out.

    The numbers are read from the world's tables, a column at a time (the units' and
    tanks' views give the same numbers one by one).
    """
    out: dict[str, Any] = {}
    units = [engine.units[i] for i in engine.unit_ids]
    ui, uf = engine.unit_table.i, engine.unit_table.f
    ti = engine.tank_table.i
    rows = np.array([u.row for u in units], dtype=np.int64)
    side_of = ui[rows, world.U_SIDE].tolist()
    air = (ui[rows, world.U_TYPE] == _AIR).tolist()
    killed, wounded = ui[rows, world.U_KILLED].tolist(), ui[rows, world.U_WOUNDED].tolist()
    missing, men = ui[rows, world.U_MISSING].tolist(), ui[rows, world.U_MEN].tolist()
    morale = uf[rows, world.U_MORALE].tolist()
    # each unit's tanks: their status and times knocked out, read from the tank table
    tank_rows = [[t.row for t in u.tanks] for u in units]
    status = ti[:, world.T_STATUS].tolist()
    knocked = ti[:, world.T_KNOCKED_OUT].tolist()
    for code, side in enumerate(SIDES):
        mine = [k for k, s in enumerate(side_of) if s == code]
        ground = [k for k in mine if not air[k]]
        out[f"{side}.killed"] = sum(killed[k] for k in ground)
        out[f"{side}.wounded"] = sum(wounded[k] for k in ground)
        out[f"{side}.missing"] = sum(missing[k] for k in ground)
        out[f"{side}.men_present"] = sum(men[k] for k in ground)
        tanks = [r for k in mine for r in tank_rows[k]]
        # knocked out: tanks put out of action by enemy fire at least once (bogging apart);
        # destroyed: written off (burnt out, or left on ground the enemy holds; at the end
        # of the run, also those still lying there)
        out[f"{side}.tanks.knocked_out"] = sum(1 for r in tanks if knocked[r] > 0)
        left = engine.left_to_enemy(side) if engine.now >= engine.end_min else 0
        out[f"{side}.tanks.destroyed"] = sum(1 for r in tanks if status[r] == _DESTROYED) + left
        out[f"{side}.tanks.bogged"] = sum(1 for r in tanks if status[r] == _BOGGED)
        out[f"{side}.tanks.recovered"] = engine.tanks_recovered[side]
        out[f"{side}.tanks.repaired"] = engine.tanks_repaired[side]
        out[f"{side}.guns.lost"] = sum(units[k].guns_lost for k in mine)
        out[f"{side}.aircraft.lost"] = sum(units[k].aircraft_lost for k in mine)
        out[f"{side}.aircraft.damaged"] = sum(units[k].aircraft_damaged for k in mine)
        out[f"{side}.counterattacks"] = engine.counterattacks[side]
        out[f"{side}.artillery.rounds"] = engine.rounds[side]
        out[f"{side}.air.bombs_t"] = round(engine.bombs_t[side], 3)
    for k, u in enumerate(units):
        if air[k]:
            continue
        out[f"unit.{u.id}.men"] = men[k]
        out[f"unit.{u.id}.morale"] = round(morale[k], 4)
        if u.tanks:
            tanks = tank_rows[k]
            out[f"unit.{u.id}.tanks_start"] = len(tanks)
            out[f"unit.{u.id}.tanks_operational"] = sum(1 for r in tanks if status[r] == _OPERATIONAL)
            out[f"unit.{u.id}.tanks_knocked_out"] = sum(1 for r in tanks if knocked[r] > 0)
            out[f"unit.{u.id}.tanks_bogged"] = sum(1 for r in tanks if status[r] == _BOGGED)
            reached = Counter(z for t in u.tanks for z in t.reached)  # each tank's zones, counted once
            for z in engine.zone_ids:
                out[f"unit.{u.id}.tanks_reached.{z}"] = reached.get(z, 0)
    for z in engine.zone_ids:
        out[f"objective.{z}.holder"] = engine.holder[z]
        fsh = engine.first_soviet_hold[z]
        out[f"objective.{z}.first_soviet_hold"] = None if fsh is None else round(fsh, 3)
    return out
