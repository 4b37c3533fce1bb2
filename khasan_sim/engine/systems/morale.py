"""Morale: the penetration rule (the enemy in strength within close-assault range), each
pulse's morale and suppression for every unit, state changes (shaken, retreating, routed,
rallied), falling back (the goal, the shock to neighbours) and going on falling back while
still under fire.

Reads: ``morale.*`` (suppression half-life, rest, the morale rates and loss sensitivity,
the penetration rule, ``neighbour_withdrew``), ``command.fall_back_m``,
``command.fall_back_home_min_m``, ``engine.engagement_range_m``.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from khasan_sim.engine.state import UnitState
from khasan_sim.engine.systems.common import _FALLING_BACK, _HOLDING, _xy
from khasan_sim.model import morale, movement
from khasan_sim.model.morale import MoraleState

_STATE_CODE = {s: float(i) for i, s in enumerate(morale.STATES)}  # a state's index in morale.STATES


class MoraleSystem:
    """Morale: penetration, morale and suppression, retreat and rally."""

    def _penetration(self, dt: float, close: tuple[list[UnitState], tuple[np.ndarray, np.ndarray] | None] | None = None) -> None:
        """Wear the morale of units whose position the enemy has broken into in strength.

        Within close-assault range, the enemy's men in good order (holding types, not
        falling back) are set against the unit's own side's men there, the unit included
        (:func:`morale.penetration_shock`); the loss comes as a shock, like a neighbour's
        withdrawal, and is settled with the pulse's morale. *close* is :meth:`_close_quarters`,
        when the caller has it already.
        """
        rate = self.cp.penetration_shock_per_hour
        if rate <= 0:
            return
        units, sides = self._close_quarters() if close is None else close
        if sides is None:
            return
        own, enemy = sides
        shock = morale.penetration_shock(own, enemy, reference_ratio=self.cp.penetration_reference_ratio, shock_per_hour=rate, minutes=dt)
        worn = np.flatnonzero(shock > 0)
        for k, s in zip(worn.tolist(), shock[worn].tolist(), strict=True):
            units[k].shocks += s

    def _close_quarters(self) -> tuple[list[UnitState], tuple[np.ndarray, np.ndarray] | None]:
        """Return the ground units with men and, for each, its own side's men within
        close-assault range (itself included) and the enemy's men in good order there
        (holding types, not falling back); None instead of the two when no enemies are
        that close to each other anywhere."""
        units = [u for u in self._ground_units() if u.men > 0]
        if len(units) < 2:
            return units, None
        x, y = _xy(units)
        sov = self._soviet_of("penetration", units)
        near, across = self._close_pairs(x, y, sov)
        if across is None:
            return units, None
        men = np.array([u.men for u in units], dtype=np.float64)
        fighting = np.array([u.type in _HOLDING and u.state not in _FALLING_BACK for u in units], dtype=bool)
        return units, ((near & ~across) @ men, across @ np.where(fighting, men, 0.0))

    def _update_morale(self, dt: float) -> None:
        p = self.params
        hl = p.f("morale.suppression_half_life_min")
        rest_after = p.f("morale.rest_after_min")
        night = self.is_night()
        kw = self.cp.morale_weights
        sens = self.cp.loss_sensitivity
        now = self.now
        units = [u for u in self._ground_units() if u.men > 0 or u.tanks]
        if not units:
            return
        code = _STATE_CODE
        # every unit's changing figures in one table (whole numbers are exact as floats)
        cols = np.fromiter(itertools.chain.from_iterable([
            (u.morale, u.suppression, u.men, u.pulse_loss, u.shocks, u.last_under_fire_min, code[u.state])
            for u in units
        ]), dtype=np.float64, count=7 * len(units)).reshape(-1, 7).T
        # and the ones that never change for a unit: start morale, loss sensitivity, thresholds
        fixed = self._morale_fixed(units)
        pulse_loss = cols[3]
        before = cols[2] + pulse_loss
        new_morale_a = morale.morale_after_many(
            cols[0],
            loss_share=np.divide(pulse_loss, before, out=np.zeros_like(before), where=before > 0) * fixed[1],
            suppression=cols[1],
            minutes=dt,
            is_night=night,
            shocks=cols[4],
            resting=now - cols[5] >= rest_after,
            baseline=fixed[0],
            suppression_floor=fixed[2],
            **kw,
        )
        # the states the new morale and the suppression of the pulse put the units in, and
        # the suppression after it (worked out again below for a unit whose shocks change)
        new_state_a = morale.morale_state_many(new_morale_a, cols[1], cols[6], *fixed[2:7])
        new_state = new_state_a.tolist()
        new_sup = morale.decay_suppression_many(cols[1], dt, hl).tolist()
        new_morale = new_morale_a.tolist()
        # a unit whose morale keeps its very float, with no losses, shocks or suppression and
        # no new state, has nothing to write back: only the others are visited
        quiet = (
            (new_morale_a == cols[0]) & (np.signbit(new_morale_a) == np.signbit(cols[0]))
            & (cols[3] == 0) & (cols[4] == 0) & (cols[1] == 0) & (new_state_a == cols[6])
        )
        states = morale.STATES
        # units are settled in id order; one that falls back shakes its neighbours at once,
        # so after a retreat the rest are worked out again from their new shocks
        for k in np.flatnonzero(~quiet).tolist():
            u = units[k]
            new = states[new_state[k]]
            if new is u.state:  # the common case, written here (as _settle_morale would)
                u.morale = new_morale[k]
                u.pulse_loss = 0
                u.shocks = 0.0
                if u.suppression:
                    u.suppression = new_sup[k]
                continue
            if self._settle_morale(u, new_morale[k], new, new_sup[k]):
                for v in units[k + 1:]:
                    before_v = v.men + v.pulse_loss
                    m = morale.morale_after(
                        v.morale, loss_share=(v.pulse_loss / before_v if before_v > 0 else 0.0) * sens[v.training], suppression=v.suppression,
                        minutes=dt, is_night=night, shocks=v.shocks, resting=now - v.last_under_fire_min >= rest_after,
                        baseline=v.morale_start, suppression_floor=v.thresholds.shaken, **kw,
                    )
                    self._settle_morale(v, m, morale.morale_state(m, v.suppression, v.state, v.thresholds), morale.decay_suppression(v.suppression, dt, hl))
                break

    def _morale_fixed(self, units: list[UnitState]) -> np.ndarray:
        """Return the units' start morale, loss sensitivity and thresholds (shaken, retreat,
        rout, pin suppression, rally margin), one row each, one column a unit.

        They are set at a unit's creation and never change, so the table is kept while the
        list holds the same unit objects (a unit that dies or a group that is detached
        makes a new one).
        """
        memo = self._morale_fixed_memo
        if memo is not None and memo[0] == units:
            return memo[1]
        sens = self.cp.loss_sensitivity
        fixed = np.array([
            (u.morale_start, sens[u.training], u.thresholds.shaken, u.thresholds.retreat, u.thresholds.rout,
             u.thresholds.pin_suppression, u.thresholds.rally_margin)
            for u in units
        ], dtype=np.float64).T
        self._morale_fixed_memo = (list(units), fixed)
        return fixed

    def _settle_morale(self, u: UnitState, m: float, new: MoraleState, decayed: float) -> bool:
        """Write a unit's new morale, state and decayed suppression back; return True if it
        fell back (and so shook its neighbours)."""
        u.morale = m
        u.pulse_loss = 0
        u.shocks = 0.0
        if u.suppression:
            u.suppression = decayed
        if new is u.state:
            return False
        old = u.state
        u.state = new
        uid = u.id
        self._emit("morale_state", unit=uid, state=new.value, was=old.value, morale=m)
        if new in _FALLING_BACK and u.activity not in ("retreating",):
            self._retreat(u)
            return True
        if old in _FALLING_BACK and new not in _FALLING_BACK:
            self.stop(u)
            u.activity = "holding"
            self._emit("rallied", unit=uid)
            waiting = u.deferred_order
            if waiting is not None:
                u.deferred_order = None
                self._emit("order_resumed", unit=uid, order=waiting.id or waiting.kind)
                self._carry_out_move(u, waiting)
        return False

    def _retreat(self, u: UnitState, shake_neighbours: bool = True, goal: tuple[float, float] | None = None) -> None:
        """Fall back to *goal* (default :meth:`_fall_back_goal`), on allowed ground; the
        unit's neighbours feel it unless *shake_neighbours* is False."""
        gx, gy = self._fall_back_goal(u) if goal is None else goal
        u.activity = "retreating"
        u.objective = None
        self._emit("retreat", unit=u.id, x=gx, y=gy)
        self.start_move(u, (gx, gy), [])
        if not shake_neighbours:
            return
        # neighbours feel it (McQuie: adjacent unit withdrew)
        shock = self.params.f("morale.neighbour_withdrew")
        for vid in self.ground_ids:
            v = self.units[vid]
            if v.side == u.side and v.id != u.id and math.hypot(v.x - u.x, v.y - u.y) < 1500.0:
                v.shocks += shock

    def _fall_back_goal(self, u: UnitState, enemies: list[UnitState] | None = None) -> tuple[float, float]:
        """Return where *u* falls back to: away from the nearest enemy, or home when home
        is farther from every enemy (:func:`movement.fall_back_point`), kept on the map.
        *enemies* are :meth:`_enemies_of` *u*, when the caller has them already."""
        if enemies is None:
            enemies = self._enemies_of(u)
        gx, gy = movement.fall_back_point(
            (u.x, u.y), (u.home_x, u.home_y), [(e.x, e.y) for e in enemies],
            self.params.f("command.fall_back_m"), self.params.f("command.fall_back_home_min_m"),
            enemies_from=[(e.home_x, e.home_y) for e in enemies],
        )
        g = self.terrain.grid
        return min(max(gx, 0.0), g.width_m - 1.0), min(max(gy, 0.0), g.height_m - 1.0)

    def _enemies_of(self, u: UnitState) -> list[UnitState]:
        """Return the enemy ground units with men, in id order."""
        units = self.units
        return [units[v] for v in self.ground_ids if units[v].side != u.side and units[v].men > 0]

    def _keep_falling_back(self, dt: float) -> None:
        """Send a unit still falling back (retreating or routed) another bound back when
        it has come to a halt and is still under fire with the enemy within direct-fire
        range, if the bound takes it farther from the enemy: a broken unit goes on until
        it is out of the fight, and only then rallies (rest needs command.rest_after_min
        without fire). A unit with no safer ground within a bound (the map's edge, the
        enemy on more than one side) stays where it is."""
        now = self.now
        reach = self.cp.engagement_range_m
        # a plain string test picks the few units falling back (every pulse, for ~80 units)
        halted = [u for u in self._ground_units() if u.activity == "retreating" and not u.moving]
        for u in halted:
            if u.state not in _FALLING_BACK or u.men <= 0 or now - u.last_under_fire_min >= dt:
                continue
            enemy_units = self._enemies_of(u)
            enemies = [(e.x, e.y) for e in enemy_units]
            here = movement.nearest_enemy_m((u.x, u.y), enemies)
            if here > reach:
                continue
            goal = self._fall_back_goal(u, enemy_units)
            if movement.nearest_enemy_m(goal, enemies) > here + 1.0:
                self._retreat(u, shake_neighbours=False, goal=goal)
