"""Direct fire: each unit and tank fires at its nearest visible enemy (aimed fire, by
weapon, range, height, cover, entrenchment and movement), and anti-tank weapons fire at
the tanks they see; the weapon and vehicle tables and each unit's arms are worked out once.

Reads: ``weapons.<weapon>.kills_per_min``, ``.range_m``, ``.tank_kills_per_min``,
``vehicles.<model>.range_m``, ``.kills_per_min``, ``.exposure``, ``engine.engagement_range_m``,
and ``fire.*`` (training accuracy, entrenchment, moving, close-assault and tank
exposures, night visibility, elevation advantage, command-tank weight, how long an anti-tank gun that fired stays the
tanks' first target: ``fire.anti_tank_revealed_min``; a tank's fire on the move, a share of
its fire from a halt: ``fire.tank_moving_fire_factor``; a moving tank's exposure by its
speed: ``fire.tank_moving_exposure`` at ``fire.tank_evasive_speed_kmh`` and faster).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from khasan_sim.engine import world
from khasan_sim.engine.kernels import direct_fire as kernel
from khasan_sim.engine.kernels.direct_fire_args import DirectFireArgs, direct_fire_args
from khasan_sim.engine.kernels.random import KernelStream
from khasan_sim.engine.kernels.sight import SightLines
from khasan_sim.engine.state import UnitState
from khasan_sim.model import morale

# the pulse vector's places and the hit rows' columns, as the kernel numbers them (read
# as module names: a pulse looks them up a few dozen times)
_P_DT, _P_MAX_RANGE, _P_VIS, _P_NOW = kernel.P_DT, kernel.P_MAX_RANGE, kernel.P_VIS, kernel.P_NOW
_C_FIRER, _C_WEAPON, _C_RANGE, _C_CELL, _C_EXPOSURE = kernel.C_FIRER, kernel.C_WEAPON, kernel.C_RANGE, kernel.C_CELL, kernel.C_EXPOSURE
_C_SUPPRESSION, _C_EXPECTED, _C_MAIN_EXPECTED, _C_FIRERS = kernel.C_SUPPRESSION, kernel.C_EXPECTED, kernel.C_MAIN_EXPECTED, kernel.C_FIRERS
_C_GUN_FIRE, _C_GUN_FIRER, _C_P_HIT = kernel.C_GUN_FIRE, kernel.C_GUN_FIRER, kernel.N_CAUSE


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
            cover = t.cover.ravel()  # read by cell as Python floats, as float() reads the array's
            self._cover_by_cell = memoryview(cover if cover.dtype.kind == "f" else cover.astype(np.float64))
        return self._rasters

    def _ground_exposure(self, r: Any, c: Any) -> Any:
        """Return the share of men exposed on cells (r, c) for their cover and concealment."""
        cover = np.asarray(self.terrain.cover[r, c], dtype=np.float64)
        conceal = np.asarray(self.terrain.concealment[r, c], dtype=np.float64)
        return (1.0 - cover) * (1.0 - 0.5 * conceal)

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
            "vehicle_gun_kills": {m: p.f(f"vehicles.{m}.gun_kills_per_min") for m in models},
        }

    def _fire_constants(self) -> None:
        """Set up the arrays of parameters the direct-fire kernel reads (once a run)."""
        cp, tab = self.cp, self.fire_tables
        self._kill_pm = np.array(self._kill_per_min, dtype=np.float64)
        self._kill_rng = np.array(self._kill_range_m, dtype=np.float64)
        self._at_weapons = sorted(tab["tank_kills"])
        self._at_kills = np.array([tab["tank_kills"][w] for w in self._at_weapons], dtype=np.float64)
        self._at_range = np.array([tab["range"][w] for w in self._at_weapons], dtype=np.float64)
        models = self.vehicle_models
        self._veh = tuple(np.array([tab[k].get(m, 0.0) for m in models] or [0.0], dtype=np.float64)
                          for k in ("vehicle_range", "vehicle_kills", "vehicle_exposure", "vehicle_gun_kills"))
        self._accuracy = np.array([cp.accuracy.get(t, 0.0) for t in world.TRAINING], dtype=np.float64)
        self._entrench = np.array([cp.entrench_exposure.get(e, 1.0) for e in world.ENTRENCHMENT], dtype=np.float64)
        self._fire_factor = np.array([morale.FIRE_FACTOR[s] for s in morale.STATES], dtype=np.float64)
        p = np.zeros(kernel.N_PULSE)
        p[kernel.P_CLOSE_M] = cp.close_assault_m
        p[kernel.P_CLOSE_EXPOSURE] = cp.close_assault_exposure
        p[kernel.P_MOVING_EXPOSURE] = cp.moving_exposure
        p[kernel.P_ELEV_ADV] = cp.elevation_adv_per_100m
        p[kernel.P_COMMAND_WEIGHT] = cp.command_weight
        p[kernel.P_REVEALED_MIN] = cp.anti_tank_revealed_min
        p[kernel.P_BOGGED_EXPOSURE] = cp.tank_bogged_exposure
        p[kernel.P_TANK_MOVING_EXPOSURE] = cp.tank_moving_exposure
        p[kernel.P_TANK_MOVING_FIRE] = cp.tank_moving_fire
        p[kernel.P_TANK_EVASIVE_SPEED] = cp.tank_evasive_speed_kmh
        p[kernel.P_MISSING_STEADY : kernel.P_KILLED_JAPANESE + 1] = cp.casualty_figures()
        self._fire_pulse = p
        self._pulse_figures = memoryview(p)  # the pulse's own figures written through it (twice as fast as p[i] = x)
        self._arms: tuple[np.ndarray, np.ndarray] | None = None
        self._fire_args_memo: tuple[Any, ...] | None = None
        self._fire_stream: Any = None
        self._casualties_format: Any = None  # _hits_now: the format of its events (EventLog.format_of)
        self._fire_outs: tuple[Any, ...] | None = None  # _fire_args: (unit and tank arrays, the results' arrays)
        self._cover_by_cell = memoryview(np.zeros(0))  # _pulse_rasters: the terrain's cover by cell
        # _fire_light: the times the pulse's range and light written hold for, [from, until)
        self._fire_light_from, self._fire_light_until = 0.0, 0.0

    def _weapons_changed(self, *units: UnitState) -> None:
        """Say that these units' weapons changed, or that they were formed: their rows of
        the weapon tables are written again (all rows when the tables have no room)."""
        arms = self._arms
        if arms is None or len(arms[0]) < self.unit_table.n:
            self._arms = None
            return
        for u in units:
            self._write_arms(u, *arms)

    def _write_arms(self, u: UnitState, kill_counts: np.ndarray, at_counts: np.ndarray) -> None:
        ws = u.weapons_start
        kill_counts[u.row] = [float(ws.get(wname, 0)) for wname in self._kill_weapons]
        # the anti-tank guns it has left
        at_counts[u.row] = [max(self._guns_left_of(u, wname, float(ws.get(wname, 0))), 0.0) for wname in self._at_weapons]

    def _arms_now(self) -> tuple[np.ndarray, np.ndarray]:
        """Return each unit row's weapons that kill men and anti-tank weapons, as counts
        (rows for the table's room, so that units formed later have theirs)."""
        arms = self._arms
        if arms is not None:
            return arms
        rows = len(self.unit_table.f)
        arms = (np.zeros((rows, len(self._kill_weapons))), np.zeros((rows, len(self._at_weapons))))
        for u in self.units.values():
            self._write_arms(u, *arms)
        self._arms = arms
        return arms

    def _fire_args(self, ro: Any, sight: SightLines) -> tuple[DirectFireArgs, tuple[np.ndarray, ...], KernelStream]:
        """Return the direct-fire kernel's arguments as one structure, its random state
        included (:func:`kernel.direct_fire_pulse`: the state is the stream's own array,
        given its next seed before each call), the arrays it writes its results into, and
        the stream; kept while the roster, the weapon tables, the tables' arrays, the
        terrain, the sight lines' cache and the unit rows by x stay the same objects (made
        again when one of them is new)."""
        memo = self._fire_args_memo
        ut = self.unit_table
        by_x = self._units_by_x()
        if (memo is not None and memo[0] is ro and memo[1] is self._arms and memo[2] is ut.f
                and memo[3] is self.terrain and memo[4] is sight.args and memo[5] is by_x):
            return memo[6]
        kill_counts, at_counts = self._arms_now()
        elev, ground = self._pulse_rasters()
        g = self.terrain.grid
        tt = self.tank_table
        if self._fire_stream is None:  # the pulse's random state: as _kernel_stream("direct-fire")
            ks = self._kernel_streams.get(("direct-fire",))
            if ks is None:
                ks = self._kernel_streams[("direct-fire",)] = KernelStream(self.rng.get("direct-fire"))
            self._fire_stream = ks
        # the kernel's results: a row for each unit row (each tank row); kept while the
        # tables' arrays are the same (the kernel writes the rows it reports before each use)
        outs = self._fire_outs
        if outs is None or outs[0] is not ut.f or outs[1] is not tt.f:
            outs = self._fire_outs = (ut.f, tt.f, (
                np.zeros((len(ut.f), 4), dtype=np.int64), np.zeros((len(ut.f), kernel.N_CAUSE + 1)),
                np.zeros((len(tt.f), 3), dtype=np.int64), np.zeros((len(tt.f), kernel.N_KNOCK)),
            ))
        outs = outs[2]
        args = direct_fire_args(
            ut.f, ut.i, ut.n, ro.unit_rank, tt.f, tt.i, tt.n, ro.tank_rank,
            kill_counts, self._kill_pm, self._kill_rng, at_counts, self._at_kills, self._at_range,
            *self._veh, self._accuracy, self._entrench, self._fire_factor, self._fire_pulse,
            elev, ground, g.cell_m, g.nrows, g.ncols, *sight.args, kernel.id_order(ro.unit_rank, ut.n, ro.tank_rank, tt.n), by_x,
            self._fire_stream.state, *outs,
        )
        got = (args, outs, self._fire_stream)
        self._fire_args_memo = (ro, self._arms, ut.f, self.terrain, sight.args, by_x, got)
        return got

    def _direct_fire(self, dt: float) -> None:
        """One pulse of direct fire, in the compiled kernel (kernels/direct_fire.py); then the
        knock-outs (crews, command, repair) and the casualty events, here."""
        now = self.env.now
        p = self._pulse_figures
        p[_P_DT] = dt
        p[_P_NOW] = now
        if not self._fire_light_from <= now < self._fire_light_until:
            self._fire_light(now)
        ro = self._roster()
        sight = SightLines.of(self.terrain)
        args, (hits_i, hits_f, knocks_i, knocks_f), stream = self._fire_args(ro, sight)
        stream.next()  # the pulse's seed, written into the state array the arguments hold
        n_hit, n_ko, half_full = kernel.direct_fire_pulse(args)
        if half_full:  # the lines the pulse added filled the sight lines' cache to half
            sight.keep_room()
        if n_ko:
            for (t_row, s_row, a), (rng_m, exposure, rate, chance) in zip(knocks_i[:n_ko].tolist(), knocks_f[:n_ko].tolist(), strict=True):
                t = ro.tanks_by_row[t_row]
                weapon = self._at_weapons[a]
                self._knock_out(
                    t, self.rng.get("knock-out", t.id), cause=f"{weapon}:{ro.units_by_row[s_row].id}",
                    firer=ro.units_by_row[s_row].id, weapon=weapon, range_m=rng_m, exposure=exposure,
                    rate_per_min=rate, p_knock_out=chance,
                )
        if n_hit:
            self._hits_now(ro, hits_i[:n_hit].tolist(), hits_f[:n_hit].tolist())

    def _fire_light(self, now: float) -> None:
        """Write the pulse's farthest range and its light (night or day) for the visibility
        and the dark now, and keep them while both hold (until the next start or end of a
        spell of weather, dusk or dawn: :meth:`visibility_m` and :meth:`is_night` say)."""
        cp, p = self.cp, self._pulse_figures
        vis_m = self.visibility_m()
        p[_P_MAX_RANGE] = min(cp.engagement_range_m, vis_m if vis_m < 5000 else cp.engagement_range_m)
        p[_P_VIS] = cp.visibility_night if self.is_night() else 1.0
        self._fire_light_from, self._fire_light_until = now, min(self._vis_until, self._night_until)

    def _hits_now(self, ro: Any, hits: list[list[int]], causes: list[list[float]]) -> None:
        """Log the pulse's casualties of aimed fire (a row of the kernel's hits and its
        cause for each unit hit) and hand the tanks' fire on gun pits to
        :meth:`_tank_fire_on_guns`. The events are handed to the log as dicts of their own
        (as ``_emit`` would, without packing the fields again), all of one shape: ids and
        names are strings, the kernel's counts ints and its figures floats (read from
        lists of its arrays' rows), so its format is looked up for the run's first only."""
        cover = self._cover_by_cell  # the terrain _pulse_rasters read, by cell (Python floats)
        units, tanks, weapons, models = ro.units_by_row, ro.tanks_by_row, self._kill_weapons, self.vehicle_models
        log, now, fmt = self.log, self.env.now, self._casualties_format
        for (row, k, wd, m), c in zip(hits, causes, strict=True):
            if k + wd + m:
                firer, weapon = int(c[_C_FIRER]), int(c[_C_WEAPON])
                if firer >= 0:  # a unit row, and the index of a weapon that kills men (or none)
                    firer_id, weapon_name = units[firer].id, weapons[weapon] if weapon >= 0 else "none"
                else:  # -1 - a tank row, and -1 - its model (its gun and machine guns)
                    firer_id, weapon_name = tanks[-1 - firer].id, models[-1 - weapon]
                fields = {
                    "unit": units[row].id, "killed": k, "wounded": wd, "missing": m, "cause": "direct-fire",
                    "firer": firer_id, "weapon": weapon_name, "range_m": c[_C_RANGE], "cover": cover[int(c[_C_CELL])],
                    "exposure": c[_C_EXPOSURE], "firer_suppression": c[_C_SUPPRESSION],
                    "expected": c[_C_EXPECTED], "firer_share": c[_C_MAIN_EXPECTED] / c[_C_EXPECTED],
                    "firers": int(c[_C_FIRERS]), "p_hit": c[_C_P_HIT],
                }
                if fmt is None:
                    fmt = self._casualties_format = log.format_of(fields)
                log.add_as(now, "casualties", fields, fmt)
            if c[_C_GUN_FIRE] > 0.0:  # tanks fired on an anti-tank position's gun pits
                self._tank_fire_on_guns(units[row], tanks[-1 - int(c[_C_GUN_FIRER])], c[_C_GUN_FIRE])

    def _weapon_ids(self) -> list[str]:
        ids = getattr(self, "_wids", None)
        if ids is None:
            ids = sorted({k.split(".")[1] for k in self.params if k.startswith("weapons.")})
            self._wids = ids
        return ids
