"""What an agent sees and may do, as arrays: the observation and the order menu of a side.

The observation of a side is built from the commander AI's view
(:func:`khasan_sim.ai.view.build_view`: the fog of war of the game), never from the enemy's
hidden state:

* its own units, one slot each in the order of their ids at the start (alive, east,
  north, share of men left, morale, steady, moving, artillery, air);
* the enemies it sees now, one slot per enemy unit of the scenario (seen, east, north,
  men in thousands): an unseen enemy's slot is all zeros;
* the objectives (the zones): held by the side, by the enemy, by no one, east, north;
* the time: the share of the battle gone, night.

Positions are shares of the map's width and height. The order menu of each unit is
``noop``, ``hold`` (defend where it stands), ``withdraw`` (to where it started), then one
action per objective: attack it (ground units), fire on it (artillery) or strike it (air
units). An action the public API would refuse is masked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from khasan_sim.ai.view import STEADY, SideView

UNIT_FEATURES = 9
ENEMY_FEATURES = 4
OBJECTIVE_FEATURES = 5
TIME_FEATURES = 2
FIXED_ACTIONS = ("noop", "hold", "withdraw")
MAX_ENEMY_THOUSANDS = 10.0


@dataclass(frozen=True)
class Layout:
    """The slots of one side's arrays: its units, the enemy's units, the objectives."""

    side: str
    own: tuple[str, ...]
    enemy: tuple[str, ...]
    objectives: tuple[str, ...]
    width_m: float
    height_m: float

    @property
    def n_actions(self) -> int:
        """Return the actions of one unit."""
        return len(FIXED_ACTIONS) + len(self.objectives)

    @property
    def obs_size(self) -> int:
        """Return the length of the observation vector."""
        return (
            len(self.own) * UNIT_FEATURES + len(self.enemy) * ENEMY_FEATURES
            + len(self.objectives) * OBJECTIVE_FEATURES + TIME_FEATURES
        )


def layout_of(sim: Any, side: str) -> Layout:
    """Return *side*'s slots in *sim* at the start of a run."""
    g = sim.terrain.grid
    return Layout(
        side=side,
        own=tuple(sorted(u.id for u in sim.units() if u.side == side)),
        enemy=tuple(sorted(u.id for u in sim.units() if u.side != side and not u.is_air)),
        objectives=tuple(sim.engine.zone_ids),
        width_m=float(g.ncols * g.cell_m),
        height_m=float(g.nrows * g.cell_m),
    )


def observation(view: SideView, lay: Layout, end_min: float) -> np.ndarray:
    """Return the observation vector of *view* (float32, every value in [0, 10])."""
    out = np.zeros(lay.obs_size, dtype=np.float32)
    own = {u.id: u for u in view.own}
    k = 0
    for uid in lay.own:
        u = own.get(uid)
        if u is not None and (u.men > 0 or u.is_air):
            share = u.men / u.men_start if u.men_start > 0 else 1.0
            out[k:k + UNIT_FEATURES] = (
                1.0, u.x / lay.width_m, u.y / lay.height_m, min(share, 1.0), min(max(u.morale, 0.0), 1.0),
                float(u.state is STEADY), float(u.moving), float(u.type == "artillery"), float(u.is_air),
            )
        k += UNIT_FEATURES
    now = {c.id: c for c in view.contacts if c.seen_min >= view.now_min}
    for eid in lay.enemy:
        c = now.get(eid)
        if c is not None:
            out[k:k + ENEMY_FEATURES] = (1.0, c.x / lay.width_m, c.y / lay.height_m, min(c.men / 1000.0, MAX_ENEMY_THOUSANDS))
        k += ENEMY_FEATURES
    objs = {o.id: o for o in view.objectives}
    for zid in lay.objectives:
        o = objs[zid]
        out[k:k + OBJECTIVE_FEATURES] = (
            float(o.holder == view.side), float(o.holder not in (None, view.side)), float(o.holder is None),
            o.x / lay.width_m, o.y / lay.height_m,
        )
        k += OBJECTIVE_FEATURES
    out[k:k + TIME_FEATURES] = (min(view.now_min / end_min, 1.0), float(view.night))
    return np.clip(out, 0.0, MAX_ENEMY_THOUSANDS)


def order_for(lay: Layout, uid: str, unit_type: str, is_air: bool, home: tuple[float, float], action: int) -> dict[str, Any] | None:
    """Return the order (a dict for :meth:`Simulation.give`) of *action* for unit *uid*, or None for noop."""
    if action <= 0 or action >= lay.n_actions:
        return None
    if action == 1:
        return None if is_air else {"kind": "defend", "unit": uid}
    if action == 2:
        return None if is_air else {"kind": "withdraw", "unit": uid, "to": [home[0], home[1]]}
    zone = lay.objectives[action - len(FIXED_ACTIONS)]
    if is_air:
        return {"kind": "air_strike", "unit": uid, "target": zone}
    if unit_type == "artillery":
        return {"kind": "fire_mission", "unit": uid, "mission": "support", "target": zone, "duration_min": 30.0}
    return {"kind": "attack", "unit": uid, "objective": zone}


def unit_mask(sim: Any, view: SideView, lay: Layout, uid: str, parse: Any, memo: dict[tuple[Any, ...], bool]) -> np.ndarray:
    """Return the int8 mask of *uid*'s actions: 1 where the public API would accept the order now.

    *memo* keeps the API's answers that do not depend on the unit itself (an attack with no
    route, a fire mission, an air strike or a defence is allowed or not by the unit's side,
    kind and target alone), for the units of one side at one time.
    """
    mask = np.zeros(lay.n_actions, dtype=np.int8)
    mask[0] = 1
    u = view.unit(uid)
    if u is None or (u.men <= 0 and not u.is_air):
        return mask
    state = sim.unit(uid)
    home = (float(state.home_x), float(state.home_y))
    forbidden = {o.id for o in view.objectives if o.forbidden}
    for a in range(1, lay.n_actions):
        order = order_for(lay, uid, u.type, u.is_air, home, a)
        if order is None:
            continue
        if a >= len(FIXED_ACTIONS) and lay.objectives[a - len(FIXED_ACTIONS)] in forbidden and order["kind"] == "attack":
            continue  # no part of it may be reached under the rules in force
        key = None if order["kind"] == "withdraw" else (order["kind"], u.type, u.is_air, str(order.get("target", order.get("objective"))))
        ok = memo.get(key) if key is not None else None
        if ok is None:
            ok = sim.check_order(parse(order)) is None
            if key is not None:
                memo[key] = ok
        mask[a] = int(ok)
    return mask
