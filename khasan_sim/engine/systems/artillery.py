"""Artillery: fire missions (volleys within range, ammunition and the rules on firing across
the border), the rounds' effect on men, guns and tanks in the beaten zone, batteries
located by the enemy, and observed fire on bogged tanks that an enemy post can see.

Reads: ``artillery.*`` (volley interval, mission rates, dispersion, posture lethality,
suppression, counter-battery, guns and tanks hit, observation range, observed-fire kill
rate, locate chance), ``weapons.<gun>.range_m``, ``weapons.<gun>.rate_rpm``,
``weapons.<gun>.lethal_area_m2``, ``engine.unit_frontage_m``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from khasan_sim.engine import world
from khasan_sim.engine.state import TANK_FIRING, UnitState
from khasan_sim.engine.systems.common import ProcessGen, _other
from khasan_sim.model import artillery, morale, rules
from khasan_sim.model.morale import MoraleState

_BOGGED = world.TANK_STATUS.index("bogged")
_RETREATING = world.STATE_CODE[MoraleState.RETREATING]
_ROUTED = world.STATE_CODE[MoraleState.ROUTED]
_ARTILLERY = world.UNIT_TYPES.index("artillery")


class ArtillerySystem:
    """Artillery: fire missions, rounds on the target area, observed fire."""

    def _fire_mission(self, u: UnitState, o: Any) -> ProcessGen:
        p = self.params
        tx, ty = self.target_point(o.target)
        excl = self.exclusion.get(u.side)
        r, c = self.cell(tx, ty)
        own = bool(self.terrain.soviet_side[r, c]) == (u.side == "soviet")
        ok, why = rules.fire_mission_allowed(float(self.terrain.border_distance_m[r, c]), own, excl)
        if not ok:
            self._emit("mission_refused", unit=u.id, order=o.id or "", reason=why)
            return
        interval = p.f("artillery.volley_min")
        rate_factor = p.f(f"artillery.mission_rate.{o.mission}")
        dispersion = p.f("artillery.dispersion_m")
        rounds_cap = o.rounds
        fired_total = 0
        end = self.now + o.duration_min
        self._emit("mission_start", unit=u.id, order=o.id or "", mission=o.mission, x=tx, y=ty)
        rng = self.rng.get("artillery", u.id)
        # each gun type's range and rate, looked up once for the mission
        gun_range = {w: p.f(f"weapons.{w}.range_m") for w in u.guns}
        gun_rate = {w: p.f(f"weapons.{w}.rate_rpm") * rate_factor for w in u.guns}
        while self.now < end - 1e-9:
            step = min(interval, end - self.now)
            rounds = 0
            # once the mission's rounds are all fired no gun has any left to fire: its
            # steps pass without a volley (the guns' loop would find that for each)
            spent = rounds_cap is not None and fired_total >= rounds_cap
            for w in () if spent else sorted(u.guns):
                n = u.guns[w]
                if n <= 0:
                    continue
                d = math.hypot(tx - u.x, ty - u.y)
                if d > gun_range[w]:
                    continue
                ammo = u.ammunition if u.ammunition is not None else 10**9
                left = ammo if rounds_cap is None else min(ammo, rounds_cap - fired_total)
                k = artillery.volley_rounds(n, gun_rate[w], step, left)
                if k <= 0:
                    continue
                if u.ammunition is not None:
                    u.ammunition -= k
                fired_total += k
                rounds += k
                self._apply_rounds(u, w, k, tx, ty, o.radius_m, dispersion, o.mission)
            if rounds > 0:
                u.rounds_fired += rounds
                self.rounds[u.side] += rounds
                self._emit("volley", unit=u.id, rounds=rounds, x=tx, y=ty)
                self._maybe_located(u, rng)
            elif u.ammunition is not None and u.ammunition <= 0:
                self._emit("out_of_ammunition", unit=u.id)
                return
            yield self.env.timeout(step)
            self._tick()
        self._emit("mission_end", unit=u.id, order=o.id or "", rounds=fired_total)

    def _maybe_located(self, u: UnitState, rng: np.random.Generator) -> None:
        if u.located:
            return
        if artillery.is_located(1, self.params.f("artillery.locate_chance_per_volley"), rng):
            u.located = True
            self._emit("battery_located", unit=u.id, by=_other(u.side))

    def _apply_rounds(self, shooter: UnitState, weapon: str, rounds: int, tx: float, ty: float, radius: float, dispersion: float, mission: str) -> None:
        p = self.params
        lethal = p.f(f"weapons.{weapon}.lethal_area_m2")
        per_round = p.f("artillery.suppression_per_round")
        cover_sup = p.f("artillery.suppression_cover_factor")
        area = self.cp.unit_area_m2
        reach = math.hypot(radius, dispersion) * 3.0
        # the figures the loops read, looked up once
        unlocated = p.f("artillery.counter_battery_unlocated_factor")
        gun_area, gun_kill = p.f("artillery.gun_area_m2"), p.f("artillery.gun_kill_given_hit")
        near = p.f("artillery.tank_near_miss_m")
        tank_area, tank_kill = max(p.f("artillery.tank_area_m2"), math.pi * near * near), p.f("artillery.tank_kill_given_hit")
        cause = f"artillery:{shooter.id}"
        now = self.now
        for v in self._units_near(tx, ty, reach, shooter.side):
            d = math.hypot(v.x - tx, v.y - ty)
            if d > reach:
                continue
            share = artillery.share_of_rounds(d, radius, dispersion, area)
            if mission == "counter_battery" and v.type == "artillery" and not v.located:
                share *= unlocated
            on_unit = rounds * share
            if on_unit <= 0:
                continue
            g = self.rng.get("casualties", v.id)
            if v.men > 0 and not v.tanks:
                posture = p.f(f"artillery.posture_lethality.{v.entrenchment}")
                if v.moving:
                    posture = max(posture, 1.0)
                exp = artillery.expected_area_casualties(on_unit, lethal, posture, v.men, area)
                self._inflict(v, exp, g, cause=cause)
                cover = cover_sup if v.entrenchment in ("trenches", "fortified") else 1.0
                v.suppression = morale.add_suppression(v.suppression, artillery.area_suppression(on_unit, per_round, cover))
                v.last_under_fire_min = now
            if v.type == "artillery" and v.guns:
                p_gun = artillery.point_target_hit_chance(on_unit, gun_area, area, gun_kill)
                for w in sorted(v.guns):
                    lost = int(g.binomial(v.guns[w], p_gun)) if v.guns[w] > 0 else 0
                    if lost:
                        v.guns[w] -= lost
                        v.guns_lost += lost
                        self._emit("guns_lost", unit=v.id, weapon=w, n=lost, by=shooter.id)
            for t in v.tanks:
                if t.status not in TANK_FIRING:
                    continue
                dt = math.hypot(t.x - tx, t.y - ty)
                if dt > reach:
                    continue
                on_t = rounds * artillery.share_of_rounds(dt, radius, dispersion, area)
                p_kill = artillery.point_target_hit_chance(on_t, tank_area, area, tank_kill)
                t.last_under_fire_min = now
                if g.random() < p_kill:
                    self._knock_out(t, g, cause=cause)

    def _units_near(self, x: float, y: float, reach: float, side: str) -> list[UnitState]:
        """Return the ground units of the other side than *side*, with men or tanks, that
        stand within *reach* of (x, y), in id order."""
        ut = self.unit_table
        ro = self._roster()
        f, i = ut.rows_f, ut.rows_i
        # a small margin: the distance itself is worked out again, as before, for each
        near = np.hypot(f[:, world.U_X] - x, f[:, world.U_Y] - y) <= reach + 1.0
        near &= (i[:, world.U_SIDE] != world.SIDES.index(side)) & ((i[:, world.U_MEN] > 0) | (i[:, world.U_HAS_TANKS] > 0))
        near &= i[:, world.U_TYPE] != world.UNIT_TYPES.index("air")
        rows = np.flatnonzero(near)
        rows = rows[np.argsort(ro.unit_rank[rows], kind="stable")]
        return [ro.units_by_row[r] for r in rows.tolist()]

    def _observed_fire(self, dt: float) -> None:
        """Observed artillery fire on bogged tanks: a stuck tank that an enemy post can see,
        within range of an enemy battery with rounds left, is ranged in and may be hit
        (model-anchors 3.6: a bogged tank is a stationary target, its risk rising with time stuck).
        """
        p = self.params
        rate_h = p.f("artillery.observed_fire_kill_per_hour")
        if rate_h <= 0 or self.is_night():
            return
        tt, ut = self.tank_table, self.unit_table
        stuck = np.flatnonzero(tt.rows_i[:, world.T_STATUS] == _BOGGED)
        if not stuck.size:
            return
        ro = self._roster()
        stuck = stuck[np.argsort(ro.tank_rank[stuck], kind="stable")]  # in id order
        see_m = min(p.f("artillery.observation_range_m"), self.visibility_m())
        p_hit = -math.expm1(-rate_h * dt / 60.0)
        # each side's observation posts (ground units with men, not falling back) and
        # batteries with rounds left, in id order
        rows = ro.ground_rows
        f, i = ut.f[rows], ut.i[rows]
        st = i[:, world.U_STATE]
        with_men = i[:, world.U_MEN] > 0
        post = with_men & (st != _RETREATING) & (st != _ROUTED)
        ammo = i[:, world.U_AMMO]
        battery = with_men & (i[:, world.U_TYPE] == _ARTILLERY) & ((ammo == world.NO_AMMUNITION_LIMIT) | (ammo > 0))
        reach = np.zeros(len(rows))
        ranges = self.fire_tables["range"]
        for k in np.flatnonzero(battery).tolist():
            guns = ro.units_by_row[rows[k]].guns
            reach[k] = max((ranges[w] for w, n in guns.items() if n > 0), default=0.0)
        battery &= reach > 0
        # for each stuck tank: the first enemy battery (by id) in range, and whether one of
        # the three nearest enemy posts within sight can see it. A pure function of where
        # the tanks, posts and batteries are (and of the sight lines): the last answer is
        # given again while they all stand where they stood
        key = b"".join((stuck.tobytes(), tt.f[stuck, :2].tobytes(), post.tobytes(), battery.tobytes(),
                        f[:, :2].tobytes(), reach.tobytes(), np.float64(see_m).tobytes()))
        memo = self._spotted_memo
        sight = self._sight()
        if memo is not None and memo[1] is sight and memo[0] == key:
            seen, by = memo[2]
        else:
            seen, by = self._spotted(stuck, rows, post, battery, reach, see_m)
            self._spotted_memo = (key, sight, (seen, by))
        now = self.now
        for t_row in stuck.tolist():
            if t_row not in seen:
                continue
            t = ro.tanks_by_row[t_row]
            g = self.rng.get("observed-fire", t.id)
            t.last_under_fire_min = now
            if g.random() < p_hit:
                self._knock_out(t, g, cause=f"observed-artillery:{by[t_row]}")

    def _spotted(
        self, stuck: np.ndarray, rows: np.ndarray, post: np.ndarray, battery: np.ndarray, reach: np.ndarray, see_m: float,
    ) -> tuple[set[int], dict[int, str]]:
        """Return the stuck tanks (rows) an enemy post sees and, for each stuck tank in reach
        of an enemy battery, the first such battery by id (*rows*: the ground units' rows in
        id order; *post*, *battery*, *reach*: theirs)."""
        ut, tt = self.unit_table, self.tank_table
        ro = self._roster()
        side_of_tank = ut.i[tt.i[stuck, world.T_UNIT], world.U_SIDE]
        side = ut.i[rows, world.U_SIDE]
        ux, uy = ut.f[rows, world.U_X], ut.f[rows, world.U_Y]
        by: dict[int, str] = {}
        seen: set[int] = set()
        for enemy in (1, 0):  # the Japanese posts and guns first, as before
            mine = stuck[side_of_tank != enemy]
            gl = np.flatnonzero(battery & (side == enemy))
            pl = np.flatnonzero(post & (side == enemy))
            if not mine.size or not pl.size or not gl.size:
                continue
            tx, ty = tt.f[mine, world.T_X], tt.f[mine, world.T_Y]
            in_reach = np.hypot(ux[gl][None, :] - tx[:, None], uy[gl][None, :] - ty[:, None]) <= reach[gl][None, :]
            covered = np.flatnonzero(in_reach.any(axis=1))
            if not covered.size:
                continue
            px, py = ux[pl], uy[pl]
            d = np.hypot(px[None, :] - tx[covered, None], py[None, :] - ty[covered, None])
            keyed = np.where(d <= see_m, d, np.inf)
            # nearest first, ties by id: posts are in id order, so a stable sort keeps
            # equally near posts in id order
            order = np.argsort(keyed, axis=1, kind="stable")[:, :3]
            rr = np.repeat(np.arange(covered.size), order.shape[1])
            cc = order.reshape(-1)
            ok = np.isfinite(keyed[rr, cc])
            rr, cc = rr[ok], cc[ok]
            los = self._los_arrays(px[cc], py[cc], tx[covered[rr]], ty[covered[rr]])
            for k in set(rr[los].tolist()):
                seen.add(int(mine[covered[k]]))
            for k in covered.tolist():
                by[int(mine[k])] = ro.units_by_row[rows[gl[int(np.argmax(in_reach[k]))]]].id
        return seen, by
