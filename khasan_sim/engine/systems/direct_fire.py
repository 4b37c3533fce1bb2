"""Direct fire: each unit and tank fires at its nearest visible enemy (aimed fire, by
weapon, range, height, cover, entrenchment and movement), and anti-tank weapons fire at
the tanks they see; the weapon and vehicle tables and each unit's arms are worked out once.

Reads: ``weapons.<weapon>.kills_per_min``, ``.range_m``, ``.tank_kills_per_min``,
``vehicles.<model>.range_m``, ``.kills_per_min``, ``.exposure``, ``engine.engagement_range_m``,
and ``fire.*`` (training accuracy, entrenchment, moving, close-assault and tank
exposures, night visibility, elevation advantage, command-tank weight).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from khasan_sim.engine.state import TANK_BOGGED, TANK_FIRING, TankState, UnitState
from khasan_sim.engine.systems.common import _xy
from khasan_sim.model import fire, morale
from khasan_sim.model.morale import MoraleState


class _Arms(NamedTuple):
    """What a unit's weapons give direct fire, worked out once for its weapons."""

    kill_counts: tuple[float, ...]  # its weapons that kill men, in the order of Engine._kill_weapons
    anti_tank: tuple[tuple[str, int], ...]  # its anti-tank weapons and their counts, by name
    anti_tank_reach_m: float  # the range of the longest-reaching of them


class DirectFireSystem:
    """Direct fire: aimed fire at men and anti-tank fire at tanks."""

    def _pulse_rasters(self) -> tuple[np.ndarray, np.ndarray]:
        """Return the elevation and :meth:`_ground_exposure` of every cell, flat and as float64
        (the same floats as read cell by cell; made again when the terrain changes).

        They are a pure function of the terrain, so runs on one terrain share them: they are
        kept in its extras with the terrain they were read from (a terrain changed by a new
        crossing does not carry them, and reads its own).
        """
        if self._rasters_of is not self.terrain:
            t = self.terrain
            shared = t.extras.get("_pulse_rasters")
            if isinstance(shared, tuple) and shared[0] is t:
                self._rasters = shared[1]
            else:
                g = t.grid
                r, c = np.divmod(np.arange(g.nrows * g.ncols), g.ncols)
                self._rasters = (t.elevation_m.astype(np.float64).ravel(), np.asarray(self._ground_exposure(r, c), dtype=np.float64))
                for arr in self._rasters:
                    arr.flags.writeable = False  # shared by runs: no caller may change them
                t.extras["_pulse_rasters"] = (t, self._rasters)
            self._rasters_of = t
        return self._rasters

    def _ground_exposure(self, r: Any, c: Any) -> Any:
        """Return the share of men exposed on cells (r, c) for their cover and concealment."""
        cover = np.asarray(self.terrain.cover[r, c], dtype=np.float64)
        conceal = np.asarray(self.terrain.concealment[r, c], dtype=np.float64)
        return (1.0 - cover) * (1.0 - 0.5 * conceal)

    def _exposure(self, v: UnitState, distance_m: float, ground: float | None = None) -> float:
        """Return how exposed *v*'s men are to fire from *distance_m* (ground: its cell's
        :meth:`_ground_exposure`, when the caller has it already)."""
        cp = self.cp
        if ground is None:
            ground = float(self._ground_exposure(*self.cell(v.x, v.y)))
        ex = ground
        ent = cp.entrench_exposure[v.entrenchment]
        if distance_m <= cp.close_assault_m:
            ent = max(ent, cp.close_assault_exposure)
        ex *= ent
        if v.moving:
            ex *= cp.moving_exposure
        return ex

    def _fire_tables(self) -> dict[str, dict[str, float]]:
        """Return the weapon and vehicle figures direct fire reads every pulse (built at setup)."""
        p = self.params
        wids = self._weapon_ids()
        models = sorted({t.model for t in self.all_tanks})
        return {
            "kills": {w: p.f(f"weapons.{w}.kills_per_min") for w in wids if f"weapons.{w}.kills_per_min" in p},
            "range": {w: p.f(f"weapons.{w}.range_m") for w in wids},
            "tank_kills": {w: p.f(f"weapons.{w}.tank_kills_per_min") for w in wids if f"weapons.{w}.tank_kills_per_min" in p},
            "vehicle_range": {m: p.f(f"vehicles.{m}.range_m") for m in models},
            "vehicle_kills": {m: p.f(f"vehicles.{m}.kills_per_min") for m in models},
            "vehicle_exposure": {m: p.f(f"vehicles.{m}.exposure") for m in models},
        }

    def _elevation_at(self, x: float, y: float) -> float:
        r, c = self.cell(x, y)
        return float(self.terrain.elevation_m[r, c])

    def _direct_fire(self, dt: float) -> None:
        cp = self.cp
        vis_m = self.visibility_m()
        night = self.is_night()
        vis_factor = cp.visibility_night if night else 1.0
        max_range = min(cp.engagement_range_m, vis_m if vis_m < 5000 else cp.engagement_range_m)
        units = self.units
        targets = [v for v in self._ground_units() if v.men > 0 and not v.tanks]
        if not targets:
            return
        # positions are read from the objects once a pulse: the firers' and the anti-tank
        # shooters' are picked from the targets' and the tanks' arrays (the same floats)
        shooter_at = [i for i, v in enumerate(targets) if v.type != "artillery"]
        shooters = [targets[i] for i in shooter_at]
        tx, ty = _xy(targets)
        tside = self._soviet_of("targets", targets)

        # each shooter engages its nearest visible enemy in range (ties by id)
        ff = morale.FIRE_FACTOR
        unit_firer_at = [i for i in shooter_at if ff[targets[i].state] > 0]
        unit_firers = [targets[i] for i in unit_firer_at]
        in_order = {uid for uid in self._tank_unit_ids if units[uid].state is not MoraleState.ROUTED}
        live, tank_firer_at, tank_range = self._tank_firers(in_order, max_range)
        lx, ly = _xy(live)
        lside = self._soviet_of("tanks", live)
        tank_firers = [live[k] for k in tank_firer_at]
        firers: list[Any] = [*unit_firers, *tank_firers]
        expected: dict[int, float] = {}
        if firers:
            ua = np.array(unit_firer_at, dtype=np.intp)
            ta = np.array(tank_firer_at, dtype=np.intp)
            fxa = np.concatenate((tx[ua], lx[ta]))
            fya = np.concatenate((ty[ua], ly[ta]))
            fsov = np.concatenate((tside[ua], lside[ta]))
            frange = np.concatenate((np.full(len(unit_firers), max_range), tank_range))
            # each shooter takes the nearest enemy it can see (ties by id); within
            # close-assault range men find each other through scrub and folds of the
            # ground: the fight is for the trench itself
            rows, cols, dist = self._seen_pairs(
                "direct", fxa, fya, fsov, frange, tx, ty, tside, close_m=cp.close_assault_m, nearest=True,
            )
            if rows.size:
                expected = self._aimed_fire(dt, firers, len(unit_firers), targets, rows, cols, dist, fxa, fya, tx, ty, vis_factor)
        # anti-tank fire at tanks
        if live:
            self._anti_tank_fire(dt, shooters, live, max_range, vis_factor, (tx[shooter_at], ty[shooter_at], lx, ly, lside))
        fired = sorted(expected)
        for j in fired:
            v = targets[j]
            self._inflict(v, expected[j], self.rng.get("casualties", v.id), cause="direct-fire")
        for j in fired:
            v = targets[j]
            v.suppression = morale.add_suppression(v.suppression, fire.suppression_from_fire(expected[j], max(v.men, 1)))
            if expected[j] > 0:
                v.last_under_fire_min = self.now

    def _tank_firers(self, in_order: set[str], max_range: float) -> tuple[list[TankState], list[int], np.ndarray]:
        """Return the tanks that can fire (operational or bogged), in id order; which of
        them fire at men (their unit is not routed: *in_order*), as indices into the
        first list; and how far each of those reaches (its model's range, at most *max_range*).

        A tank's status changes seldom (and its unit and model never): the answer is kept
        while every tank's status, the units in order and *max_range* are the same.
        """
        status = [t.status for t in self.all_tanks]
        memo = self._tank_firers_memo
        if memo is not None and memo[0] == status and memo[1] == in_order and memo[2] == max_range and memo[3] is self.all_tanks:
            return memo[4]
        live = [t for t in self.all_tanks if t.status in TANK_FIRING]
        at = [k for k, t in enumerate(live) if t.unit in in_order]
        vrange = self.fire_tables["vehicle_range"]
        reach = np.array([min(max_range, vrange[live[k].model]) for k in at], dtype=np.float64)
        reach.flags.writeable = False  # given again: no caller may change it
        out = (live, at, reach)
        self._tank_firers_memo = (status, set(in_order), max_range, self.all_tanks, out)
        return out

    def _aimed_fire(
        self, dt: float, firers: list[Any], n_unit_firers: int, targets: list[UnitState],
        rows: np.ndarray, cols: np.ndarray, dist: np.ndarray,
        fxa: np.ndarray, fya: np.ndarray, tx: np.ndarray, ty: np.ndarray, vis_factor: float,
    ) -> dict[int, float]:
        """Return the expected casualties on each target fired at (by its index in *targets*).

        Each firer (row; the first *n_unit_firers* are units, the rest tanks) fires at its
        target (col) from *dist*. A pulse has a handful of exchanges (each firer takes its
        nearest visible enemy), so they are worked out one at a time with the scalar
        mechanics, and each target's are added up in the firers' id order.
        """
        cp = self.cp
        ft = self.fire_tables
        elev, ground = self._pulse_rasters()
        grid = self.terrain.grid
        cell, ncols = grid.cell, grid.ncols
        kill_per_min, kill_range = self._kill_per_min, self._kill_range_m
        rl, cl, dl = rows.tolist(), cols.tolist(), dist.tolist()
        fxl, fyl, txl, tyl = fxa.tolist(), fya.tolist(), tx.tolist(), ty.tolist()
        ff = morale.FIRE_FACTOR
        expected: dict[int, float] = {}
        for k in sorted(range(len(rl)), key=lambda k: firers[rl[k]].id):
            i, j, d = rl[k], cl[k], dl[k]
            f, v = firers[i], targets[j]
            if i < n_unit_firers:
                share = f.men_share
                volume = 0.0
                for n, kpm, reach in zip(self._arms(f).kill_counts, kill_per_min, kill_range, strict=True):
                    n *= share
                    if n > 0 and kpm > 0:
                        volume += n * kpm * fire.range_factor(d, reach)
                volume = volume * ff[f.state] * fire.frontage_share(f.men, v.men)
                shooter = f
            else:
                volume = ft["vehicle_kills"][f.model] * fire.range_factor(d, ft["vehicle_range"][f.model])
                shooter = self.units[f.unit]
            # the ground under the firer and its target: height gives an advantage, cover shelters
            rf, cf = cell(fxl[i], fyl[i])
            rt, ct = cell(txl[j], tyl[j])
            at_f, at_t = rf * ncols + cf, rt * ncols + ct
            adv = max(0.5, 1.0 + cp.elevation_adv_per_100m * (elev.item(at_f) - elev.item(at_t)) / 100.0)
            exposure = self._exposure(v, d, ground.item(at_t))
            e = fire.expected_casualties(volume, dt, cp.accuracy[shooter.training] * adv, shooter.suppression, vis_factor, exposure)
            expected[j] = expected.get(j, 0.0) + e
        return expected

    def _anti_tank_arms(self, shooters: list[UnitState]) -> list[tuple[int, _Arms]]:
        """Return (index, arms) of the shooters that have anti-tank weapons.

        Kept while the list holds the same units (the same objects, in the same order)
        with the same weapons (compared with copies taken when it was made).
        """
        memo = self._anti_tank_memo
        if memo is not None and memo[0] == shooters and memo[1] == [u.weapons_start for u in shooters]:
            return memo[2]
        arms = self._arms
        out = [(k, a) for k, s in enumerate(shooters) if (a := arms(s)).anti_tank]
        self._anti_tank_memo = (list(shooters), [dict(u.weapons_start) for u in shooters], out)
        return out

    def _arms(self, u: UnitState) -> _Arms:
        """Return what the unit's weapons give direct fire (worked out again only when they change)."""
        hit = self._arms_cache.get(u.id)
        if hit is not None and hit[0] == u.weapons_start:
            return hit[1]
        tab = self.fire_tables
        at = tuple((w, n) for w, n in sorted(u.weapons_start.items()) if n > 0 and w in tab["tank_kills"])
        arms = _Arms(
            kill_counts=tuple(float(u.weapons_start.get(w, 0)) for w in self._kill_weapons),
            anti_tank=at,
            anti_tank_reach_m=max((tab["range"][w] for w, _ in at), default=0.0),
        )
        self._arms_cache[u.id] = (dict(u.weapons_start), arms)
        return arms

    def _weapon_ids(self) -> list[str]:
        ids = getattr(self, "_wids", None)
        if ids is None:
            ids = sorted({k.split(".")[1] for k in self.params if k.startswith("weapons.")})
            self._wids = ids
        return ids

    def _anti_tank_fire(
        self, dt: float, shooters: list[UnitState], live: list[TankState], max_range: float, vis_factor: float,
        at: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None,
    ) -> None:
        """Anti-tank weapons fire at the tanks they can see (*at*: the shooters' x and y and
        the tanks' x, y and is-Soviet, when the caller has them already)."""
        cp = self.cp
        tab = self.fire_tables
        at_kills = tab["tank_kills"]
        ranges = tab["range"]
        # the shooters with anti-tank weapons, and how far their longest one reaches
        armed: list[tuple[UnitState, tuple[tuple[str, int], ...], float]] = []
        armed_at: list[int] = []
        ff = morale.FIRE_FACTOR
        for k, arms in self._anti_tank_arms(shooters):
            s = shooters[k]
            if ff[s.state] <= 0:
                continue
            armed.append((s, arms.anti_tank, min(max_range, arms.anti_tank_reach_m)))
            armed_at.append(k)
        if not armed:
            return
        sov = self._soviet_unit
        if at is None:
            at = (*_xy(shooters), *_xy(live), np.array([sov[t.unit] for t in live], dtype=bool))
        shx, shy, lx, ly, lside = at
        sx, sy = shx[armed_at], shy[armed_at]
        ssov = np.array([sov[a[0].id] for a in armed], dtype=bool)
        rows, cols, dist = self._seen_pairs("anti-tank", sx, sy, ssov, np.array([a[2] for a in armed]), lx, ly, lside)
        if not rows.size:
            return
        visible: dict[int, list[int]] = {}
        distance: dict[tuple[int, int], float] = {}
        for i, j, dd in zip(rows.tolist(), cols.tolist(), dist.tolist(), strict=True):
            visible.setdefault(i, []).append(j)
            distance[i, j] = dd
        for k_s in sorted(visible):
            s, guns, _ = armed[k_s]
            cand = visible[k_s]
            if not cand:
                continue
            g = self.rng.get("fire", s.id)
            exposure = np.array([
                tab["vehicle_exposure"][live[i].model]
                * (cp.tank_bogged_exposure if live[i].status == TANK_BOGGED else cp.tank_moving_exposure if live[i].moving else 1.0)
                for i in cand
            ])
            is_cmd = np.array([live[i].command for i in cand])
            weights = fire.target_weights(is_cmd, exposure, cp.command_weight)
            s_elev = self._elevation_at(s.x, s.y)
            share = s.men_share
            for w, n in guns:
                n_guns = n * share
                if n_guns <= 0:
                    continue
                k = int(g.choice(len(cand), p=weights))
                t = live[cand[k]]
                if t.status not in TANK_FIRING:
                    continue
                dist = distance[k_s, cand[k]]
                rf = fire.range_factor(dist, ranges[w])
                dh = s_elev - self._elevation_at(t.x, t.y)
                adv = max(0.5, 1.0 + cp.elevation_adv_per_100m * dh / 100.0)
                rate = at_kills[w] * n_guns * rf * (1.0 - s.suppression) * morale.fire_factor(s.state)
                pk = fire.tank_kill_probability(rate, dt, float(exposure[k]), vis_factor, cp.accuracy[s.training] * adv)
                t.last_under_fire_min = self.now
                if g.random() < pk:
                    self._knock_out(t, g, cause=f"{w}:{s.id}")
