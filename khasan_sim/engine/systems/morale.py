"""Morale: the penetration rule (the enemy in strength within close-assault range), each
pulse's morale and suppression for every unit, state changes (shaken, retreating, routed,
rallied), falling back (the goal, the shock to neighbours) and going on falling back while
still under fire.

Reads: ``morale.*`` (suppression half-life, rest, the morale rates and loss sensitivity,
the penetration rule, ``neighbour_withdrew`` within ``neighbour_radius_m`` of a unit
that held ground falling back), ``command.fall_back_m``,
``command.fall_back_home_min_m``, ``engine.engagement_range_m``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from khasan_sim.engine import world
from khasan_sim.engine.kernels import morale as kernel
from khasan_sim.engine.state import UnitState
from khasan_sim.engine.systems.common import _FALLING_BACK, _HOLDING
from khasan_sim.model import morale, movement
from khasan_sim.model.morale import MoraleState

# the terms of a morale_state event's change, in the event's order (_morale_terms)
_TERMS = (
    "d_losses", "d_suppression", "d_leader_lost", "d_zone_lost", "d_neighbour_withdrew", "d_penetration",
    "d_night", "d_rest", "d_clip",
)
_RETREATING = world.STATE_CODE[MoraleState.RETREATING]
_ROUTED = world.STATE_CODE[MoraleState.ROUTED]


class MoraleSystem:
    """Morale: penetration, morale and suppression, retreat and rally."""

    def _penetration(self, dt: float, close: tuple[np.ndarray, np.ndarray] | bool | None = True) -> None:
        """Wear the morale of units whose position the enemy has broken into in strength.

        Within close-assault range, the enemy's men in good order (holding types, not
        falling back) are set against the unit's own side's men there, the unit included
        (:func:`morale.penetration_shock`); the loss comes as a shock, like a neighbour's
        withdrawal, and is settled with the pulse's morale. *close* is :meth:`_close_quarters`
        (worked out here when not given).
        """
        rate = self.cp.penetration_shock_per_hour
        if close is True:
            close = self._close_quarters()
        if rate <= 0 or close is None:
            return
        own, enemy = close
        shock = morale.penetration_shock(own, enemy, reference_ratio=self.cp.penetration_reference_ratio, shock_per_hour=rate, minutes=dt)
        worn = np.flatnonzero(shock > 0)
        if worn.size:
            self.unit_table.f[worn, world.U_SHOCKS] += shock[worn]

    def _close_quarters(self, penetration_min: float = 0.0) -> tuple[np.ndarray, np.ndarray] | None:
        """Return, for each unit row, its own side's men within close-assault range (itself
        included) and the enemy's men in good order there (holding types, not falling
        back), 0 for rows without men; None when no enemies are that close to each other
        anywhere (kernels/morale.py). With *penetration_min*, the penetration of that many
        minutes wears the units' morale too (as :meth:`_penetration`), in the same pass.
        (The pulse asks it with its morale: :meth:`_close_quarters_and_morale`.)"""
        ut, cp = self.unit_table, self.cp
        rate = cp.penetration_shock_per_hour if penetration_min > 0 else 0.0
        own, enemy, anywhere = kernel.close_quarters(
            ut.f, ut.i, ut.n, self._roster().holding_type, cp.close_assault_m, rate, cp.penetration_reference_ratio, penetration_min,
        )
        return (own, enemy) if anywhere else None

    def _morale_constants(self) -> None:
        """Set up the arrays of parameters the morale kernel reads (once a run)."""
        p, cp = self.params, self.cp
        m = np.zeros(kernel.N_MORALE)
        m[kernel.M_REST_AFTER] = p.f("morale.rest_after_min")
        m[kernel.M_HALF_LIFE] = p.f("morale.suppression_half_life_min")
        kw = cp.morale_weights
        m[kernel.M_LOSS_WEIGHT] = kw["loss_rate_weight"]
        m[kernel.M_SUPPRESSION_WEIGHT] = kw["suppression_weight_per_hour"]
        m[kernel.M_NIGHT_DRIFT] = kw["night_drift_per_hour"]
        m[kernel.M_RECOVERY] = kw["recovery_per_hour"]
        self._morale_pulse = m
        self._loss_sensitivity = np.array([cp.loss_sensitivity.get(t, 1.0) for t in world.TRAINING], dtype=np.float64)
        self._morale_out = np.zeros(kernel.N_OUT)
        self._close_sums = (np.zeros(0), np.zeros(0))  # _close_quarters_and_morale's scratch: own, enemy
        self._halted_rows = np.zeros(0, dtype=np.int64)  # _keep_falling_back's scratch
        self._fall_back_kept: tuple[Any, np.ndarray] | None = None  # _fall_back_figures: (terrain, figures)
        self._pulse_end_kept: Any = None  # _pulse_end_args (systems/pulse_end.py)
        # the shocks given to each unit row since its morale was last settled, by cause
        # (leader lost, zone lost, neighbour withdrew; the rest of a unit's shocks is the
        # penetration the morale kernel adds): for the morale_state event's terms
        self._shock_causes: dict[int, dict[str, float]] = {}

    def _shake(self, u: UnitState, shock: float, why: str) -> None:
        """Add a morale *shock* to unit *u*, remembering *why* (for its next morale event)."""
        u.shocks += shock
        causes = self._shock_causes.setdefault(u.row, {})
        causes[why] = causes.get(why, 0.0) + shock

    def _morale_figures(self, dt: float) -> np.ndarray:
        """Return the morale kernel's pulse vector, with this pulse's length, light and time."""
        m = self._morale_pulse
        m[kernel.M_DT] = dt
        m[kernel.M_NIGHT] = 1.0 if self.is_night() else 0.0
        m[kernel.M_NOW] = self.now
        return m

    def _close_quarters_and_morale(self, dt: float) -> tuple[tuple[np.ndarray, np.ndarray] | None, int]:
        """Return :meth:`_close_quarters` of the pulse (its penetration of *dt* minutes
        worn, into the scratch arrays) and the morale kernel's first answer of
        :meth:`_update_morale`, both worked out in one kernel call: the pulse looks at the
        counter-attacks between the two (:meth:`_check_counterattacks`), which reads and
        writes nothing the morale kernel does (men, morale, shocks, losses, suppression,
        state: it reads the close quarters and the men, and starts moves), so the morale
        of the units before the first to change state may be settled before it."""
        ut, cp = self.unit_table, self.cp
        n = ut.n
        sums = self._close_sums
        if len(sums[0]) < n:
            sums = self._close_sums = (np.zeros(len(ut.f)), np.zeros(len(ut.f)))
        own, enemy = sums
        ro = self._roster()
        anywhere, at = kernel.close_quarters_and_morale(
            ut.f, ut.i, n, ro.holding_type, cp.close_assault_m, cp.penetration_shock_per_hour, cp.penetration_reference_ratio, dt,
            own, enemy, self._units_by_x(), ro.ground_rows, self._loss_sensitivity, self._morale_figures(dt), self._morale_out,
        )
        return ((own[:n], enemy[:n]) if anywhere else None), at

    def _update_morale(self, dt: float, at: int | None = None) -> None:
        """Each ground unit's morale, state and suppression after the pulse, in id order
        (kernels/morale.py); a unit whose state changes is settled here, and the kernel goes
        on from the next unit (after a retreat, from the shocks it gave its neighbours).
        *at* is the kernel's first answer when :meth:`_close_quarters_and_morale` has it."""
        ro = self._roster()
        ut = self.unit_table
        out = self._morale_out
        m = self._morale_figures(dt) if at is None else self._morale_pulse
        if at is None:
            at = kernel.settle_morale(ut.f, ut.i, ro.ground_rows, 0, self._loss_sensitivity, m, out)
        while at >= 0:
            u = ro.units_by_row[ro.ground_rows[at]]
            self._settle_morale(u, float(out[kernel.O_MORALE]), morale.STATES[int(out[kernel.O_STATE])], float(out[kernel.O_DECAYED]), out)
            at = kernel.settle_morale(ut.f, ut.i, ro.ground_rows, at + 1, self._loss_sensitivity, m, out)
        self._forget_settled_shocks()

    def _forget_settled_shocks(self) -> None:
        """Forget the causes of the shocks settled this pulse (a unit shaken after its turn
        keeps them), and those of units without men (never settled)."""
        causes = self._shock_causes
        if causes:
            f, i = self.unit_table.f, self.unit_table.i
            for row in [r for r in causes if f.item(r, world.U_SHOCKS) == 0.0 or (i.item(r, world.U_MEN) <= 0 and not i.item(r, world.U_HAS_TANKS))]:
                del causes[row]

    def _settle_morale(self, u: UnitState, m: float, new: MoraleState, decayed: float, terms: np.ndarray | None = None) -> bool:
        """Write a unit's new morale, state and decayed suppression back; return True if it
        fell back (and so shook its neighbours). *terms* is the morale kernel's ``out``
        vector (what made the morale), for the event's causes."""
        why = self._morale_terms(u, m, terms) if terms is not None and new is not u.state else {}
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
        self._emit("morale_state", unit=uid, state=new.value, was=old.value, morale=m, **why)
        if new in _FALLING_BACK and u.activity not in ("retreating",):
            self._retreat(u, cause="morale")
            return True
        if old in _FALLING_BACK and new not in _FALLING_BACK:
            self.stop(u)
            u.activity = "holding"
            self._emit("rallied", unit=uid, morale=m, rested=int(why.get("d_rest", 0.0) > 0.0))
            waiting = u.deferred_order
            if waiting is not None:
                u.deferred_order = None
                self._emit("order_resumed", unit=uid, order=waiting.id or waiting.kind)
                self._carry_out_move(u, waiting)
            else:
                self._resume_mission(u)
        return False

    def _morale_terms(self, u: UnitState, m: float, out: np.ndarray) -> dict[str, float | int | str]:
        """Return what made unit *u*'s morale *m* this pulse, from the kernel's *out*: the
        morale before, each term's change (losses, suppression, each shock by its cause,
        night, rest, and the clip to [0, 1]), the term that weighed most, the loss share,
        the suppression and the men lost."""
        o = out.tolist()
        shocks = -o[kernel.O_SHOCKS]
        causes = self._shock_causes.pop(u.row, None)
        if causes:
            known = sum(causes.values())
            shaken = (-causes.get("leader_lost", 0.0), -causes.get("zone_lost", 0.0), -causes.get("neighbour_withdrew", 0.0))
        else:
            known, shaken = 0, (-0.0, -0.0, -0.0)  # as read from no causes
        terms = [
            o[kernel.O_LOSSES], o[kernel.O_SUPPRESSION], *shaken,
            -max(shocks - known, 0.0),  # the kernel's share of the shocks
            o[kernel.O_NIGHT], o[kernel.O_REST],
        ]
        before = o[kernel.O_BEFORE]
        terms.append(m - before - sum(terms))  # the clip
        terms = [v + 0.0 for v in terms]  # no -0.0 in the log
        why: dict[str, float | int | str] = {"morale_before": before, **dict(zip(_TERMS, terms, strict=True))}
        # each term's share of the change is not logged: the export derives it from the
        # d_* terms (event_schema.derived_fields); the term that weighed most is the first
        # of the largest
        main, most = 0, abs(terms[0])
        for k in range(1, len(terms)):
            if abs(terms[k]) > most:
                main, most = k, abs(terms[k])
        why["main_cause"] = _TERMS[main][2:] if terms[main] != 0.0 else "none"
        why["loss_share"] = o[kernel.O_LOSS_SHARE]
        why["suppression"] = o[kernel.O_SUPPRESSION_LEVEL]
        why["men_lost"] = int(o[kernel.O_MEN_LOST])
        why["night"] = int(self.is_night())
        return why

    def _retreat(self, u: UnitState, shake_neighbours: bool = True, goal: tuple[float, float] | None = None, **why: Any) -> None:
        """Fall back to *goal* (default :meth:`_fall_back_goal`), on allowed ground; the
        unit's neighbours feel it unless *shake_neighbours* is False. *why* is the
        retreat event's cause (``cause=`` and its figures)."""
        gx, gy = self._fall_back_goal(u) if goal is None else goal
        self._abandon_uncrewed_guns(u)  # what its men cannot serve stays in its pits
        u.activity = "retreating"
        u.objective = None
        self._emit("retreat", unit=u.id, x=gx, y=gy, state=u.state.value, **why)
        self.start_move(u, (gx, gy), [])
        if not shake_neighbours:
            return
        # neighbours feel it (McQuie: adjacent unit withdrew: a flank laid open), if it held
        # ground: tanks, guns and staffs hold none and lay none open
        if u.type not in _HOLDING:
            return
        shock = self.params.f("morale.neighbour_withdrew")
        for v in self._neighbours(u, self.params.f("morale.neighbour_radius_m")):
            self._shake(v, shock, "neighbour_withdrew")

    def _neighbours(self, u: UnitState, within_m: float) -> list[UnitState]:
        """Return the other ground units of *u*'s side nearer to it than *within_m*, in id
        order (the distance as ``math.hypot`` gives it, asked only of those in the square
        round *u*)."""
        ro = self._roster()
        rows = ro.ground_rows
        f, i = self.unit_table.f, self.unit_table.i
        x, y = f.item(u.row, world.U_X), f.item(u.row, world.U_Y)
        box = within_m + 1.0
        near = rows[
            (i[rows, world.U_SIDE] == i.item(u.row, world.U_SIDE)) & (rows != u.row)
            & (np.abs(f[rows, world.U_X] - x) < box) & (np.abs(f[rows, world.U_Y] - y) < box)
        ]
        units = ro.units_by_row
        return [units[r] for r in near.tolist() if math.hypot(f.item(r, world.U_X) - x, f.item(r, world.U_Y) - y) < within_m]

    def _fall_back_goal(self, u: UnitState, enemies: np.ndarray | None = None) -> tuple[float, float]:
        """Return where *u* falls back to: away from the nearest enemy, or home when home
        is farther from every enemy (:func:`movement.fall_back_point`), kept on the map.
        *enemies* are :meth:`_enemy_rows` of *u*, when the caller has them already."""
        if enemies is None:
            enemies = self._enemy_rows(u)
        f = self.unit_table.f
        gx, gy = movement.fall_back_point(
            (u.x, u.y), (u.home_x, u.home_y), list(zip(f[enemies, world.U_X].tolist(), f[enemies, world.U_Y].tolist(), strict=True)),
            self.params.f("command.fall_back_m"), self.params.f("command.fall_back_home_min_m"),
            enemies_from=list(zip(f[enemies, world.U_HOME_X].tolist(), f[enemies, world.U_HOME_Y].tolist(), strict=True)),
        )
        g = self.terrain.grid
        return min(max(gx, 0.0), g.width_m - 1.0), min(max(gy, 0.0), g.height_m - 1.0)

    def _enemy_rows(self, u: UnitState) -> np.ndarray:
        """Return the rows of the enemy ground units with men, in id order."""
        rows = self._roster().ground_rows
        i = self.unit_table.i
        return rows[(i[rows, world.U_SIDE] != i[u.row, world.U_SIDE]) & (i[rows, world.U_MEN] > 0)]

    def _enemies_of(self, u: UnitState) -> list[UnitState]:
        """Return the enemy ground units with men, in id order."""
        units = self._roster().units_by_row
        return [units[r] for r in self._enemy_rows(u).tolist()]

    def _keep_falling_back(self, dt: float) -> None:
        """Send a unit still falling back (retreating or routed) another bound back when
        it has come to a halt and is still under fire with the enemy within direct-fire
        range, if the bound takes it farther from the enemy: a broken unit goes on until
        it is out of the fight, and only then rallies (rest needs command.rest_after_min
        without fire). A unit with no safer ground within a bound (the map's edge, the
        enemy on more than one side) stays where it is."""
        # the table picks the few units falling back, halted, with men, under fire this
        # pulse, that may fall back further (those that surely stay are left out there)
        ut = self.unit_table
        picked = self._halted_scratch()
        n = kernel.falling_back_further_into(ut.f, ut.i, self._roster().ground_rows, self.now, dt, self._fall_back_figures(), picked)
        if n:
            self._fall_back_further(picked[:n])

    def _fall_back_figures(self) -> np.ndarray:
        """Return the figures of falling back further the kernel reads (``kernel.F_*``: the
        direct-fire reach, a bound back, the least distance from home to go home, the
        map's last metre east and north), kept while the terrain is the same."""
        kept = self._fall_back_kept
        if kept is None or kept[0] is not self.terrain:
            g = self.terrain.grid
            figures = np.zeros(kernel.N_FALL_BACK)
            figures[kernel.F_REACH] = self.cp.engagement_range_m
            figures[kernel.F_LEG] = self.params.f("command.fall_back_m")
            figures[kernel.F_HOME_MIN] = self.params.f("command.fall_back_home_min_m")
            figures[kernel.F_RIGHT], figures[kernel.F_TOP] = g.width_m - 1.0, g.height_m - 1.0
            kept = self._fall_back_kept = (self.terrain, figures)
        return kept[1]

    def _halted_scratch(self) -> np.ndarray:
        """Return the array the units halted under fire are written into (a place for each
        ground unit)."""
        picked = self._halted_rows
        if len(picked) < len(self._roster().ground_rows):
            picked = self._halted_rows = np.zeros(len(self.unit_table.f), dtype=np.int64)
        return picked

    def _fall_back_further(self, picked: np.ndarray) -> None:
        """:meth:`_keep_falling_back` for the units of rows *picked*: falling back, halted,
        with men and under fire this pulse, in id order (the kernel left out those that
        surely stay: :func:`kernel.may_fall_back_further`; the test is made here again,
        exactly)."""
        reach = self.cp.engagement_range_m
        ro = self._roster()
        halted = [u for u in (ro.units_by_row[r] for r in picked.tolist()) if u.activity == "retreating"]
        for u in halted:
            rows = self._enemy_rows(u)
            f = self.unit_table.f
            ex, ey = f[rows, world.U_X], f[rows, world.U_Y]
            # movement.nearest_enemy_m, the differences taken by numpy (the same floats)
            here = min(map(math.hypot, (ex - u.x).tolist(), (ey - u.y).tolist()), default=math.inf)
            if here > reach:
                continue
            goal = self._fall_back_goal(u, rows)
            if min(map(math.hypot, (ex - goal[0]).tolist(), (ey - goal[1]).tolist()), default=math.inf) > here + 1.0:
                self._retreat(u, shake_neighbours=False, goal=goal, cause="still under fire", enemy_m=here)
