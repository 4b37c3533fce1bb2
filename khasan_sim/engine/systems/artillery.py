"""Artillery: fire missions (volleys within range, ammunition and the rules on firing across
the border), the rounds' effect on men, guns and tanks in the beaten zone, batteries
located by the enemy (counter-battery fire on a located battery is adjusted onto its gun
line: model/counter_battery.py), and observed fire on bogged tanks that an enemy post can
see.

Reads: ``artillery.*`` (volley interval, mission rates, dispersion, posture lethality,
cover taken by men already under fire, suppression, counter-battery, guns and tanks hit,
gun line and range error, observation range, observed-fire kill rate, locate chance), ``fire.command_tank_weight`` (observed fire),
``weapons.<gun>.range_m``, ``weapons.<gun>.rate_rpm``,
``weapons.<gun>.lethal_area_m2``, ``engine.unit_frontage_m``.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from khasan_sim.engine import world
from khasan_sim.engine.kernels import artillery as art_kernel
from khasan_sim.engine.kernels.random import KernelStream
from khasan_sim.engine.state import UnitState
from khasan_sim.engine.systems.common import _other
from khasan_sim.model import artillery, counter_battery, rules
from khasan_sim.model.morale import MoraleState

_BOGGED = world.TANK_STATUS.index("bogged")
_RETREATING = world.STATE_CODE[MoraleState.RETREATING]
_ROUTED = world.STATE_CODE[MoraleState.ROUTED]
_ARTILLERY = world.UNIT_TYPES.index("artillery")


# the uniforms of a tank's observed-fire stream drawn ahead for the kernel (one a pulse it
# is seen stuck): drawn again when spent
_DRAWS_AHEAD = 32


def _seq(m: FireMission) -> int:
    return m.seq


@dataclass(slots=True, eq=False)
class FireMission:
    """A fire mission under way: its battery, order, aim point, end and what it has fired."""

    unit: UnitState
    order: Any
    x: float
    y: float
    end: float  # simulated minutes
    next_at: float  # when its next volley is due
    locate: np.random.Generator  # the draws of the enemy locating the battery
    row: int  # the battery's row in the unit table
    cap: int | None  # the order's rounds (None: as many as the battery has)
    volley: np.ndarray  # the beaten zone's figures (art_kernel.V_*), the mission's set once
    rounds_stream: KernelStream  # the battery's stream of the beaten zones' seeds
    seq: int  # its place among the run's missions, in the order they began
    # each of the battery's gun types, in name order: (gun, range m, rounds a minute a gun
    # at the mission's rate), looked up once for the mission
    gun_figures: tuple[tuple[str, float, float], ...]
    side: str  # the battery's side
    fired_total: int = 0
    silenced: bool = False  # its last volley was held back by the enemy's fire on the battery


class ArtillerySystem:
    """Artillery: fire missions, rounds on the target area, observed fire."""

    def _fire_mission(self, u: UnitState, o: Any) -> None:
        """Start a fire mission: refused if the rule on firing across the border forbids
        its target; else its first volley now, the next ones with the combat pulses
        (:meth:`_fire_missions`), every ``artillery.volley_min`` until it ends, its rounds
        are spent or the battery is out of ammunition."""
        p = self.params
        tx, ty = self.target_point(o.target)
        excl = self.exclusion.get(u.side)
        r, c = self.cell(tx, ty)
        own = bool(self.terrain.soviet_side[r, c]) == (u.side == "soviet")
        ok, why = rules.fire_mission_allowed(float(self.terrain.border_distance_m[r, c]), own, excl)
        if not ok:
            self._emit("mission_refused", unit=u.id, order=o.id or "", reason=why)
            return
        rate_factor = p.f(f"artillery.mission_rate.{o.mission}")
        # the beaten zone's figures of its volleys but for the rounds, the gun type's lethal
        # area and the time, set at each (_apply_rounds)
        v = self._volley_figures.copy()
        v[art_kernel.V_X], v[art_kernel.V_Y], v[art_kernel.V_RADIUS] = tx, ty, o.radius_m
        v[art_kernel.V_COUNTER_BATTERY] = 1.0 if o.mission == "counter_battery" else 0.0
        v[art_kernel.V_SIDE] = self.unit_table.i.item(u.row, world.U_SIDE)  # the code of u.side
        key = ("artillery-rounds", u.id)
        stream = self._kernel_streams.get(key)
        if stream is None:  # as _kernel_stream(*key)
            stream = self._kernel_streams[key] = KernelStream(self.rng.get(*key))
        m = FireMission(
            unit=u, order=o, x=tx, y=ty, end=self.now + o.duration_min, next_at=self.now,
            locate=self.rng.get("artillery", u.id), row=u.row, cap=o.rounds, volley=v, rounds_stream=stream,
            seq=self._missions_begun, side=u.side,
            gun_figures=tuple((w, p.f(f"weapons.{w}.range_m"), p.f(f"weapons.{w}.rate_rpm") * rate_factor) for w in sorted(u.guns)),
        )
        self._missions_begun += 1
        self._emit("mission_start", unit=u.id, order=o.id or "", mission=o.mission, x=tx, y=ty)
        self.missions.append(m)
        self._awake.append(m)
        self._fire_missions(only=m)

    def _fire_missions(self, only: FireMission | None = None) -> None:
        """Fire the volleys due now of the missions under way (in the order they began),
        and end those whose time is up.

        A mission whose rounds are all fired passes its steps without a volley until it
        ends or its battery has no ammunition left, and while the battery has rounds such
        a step does nothing. When every combat pulse is a step of it (``artillery.volley_min``
        no longer than the pulse) it is set aside after one such step instead of being
        stepped at each pulse, and taken up again, in its place among the missions, at the
        pulse it ends or as soon as a volley of its battery leaves it no rounds
        (:meth:`_wake`): its steps are those it would have taken.

        Seven pulses in ten have no mission under way: they return at once."""
        now = self.env.now
        if only is not None:
            todo = [only]
        else:
            if self._idle and now >= self._idle_until - 1e-9:
                self._wake([m for m in self._idle if now >= m.end - 1e-9])
            if not self._awake:
                return
            todo = list(self._awake)
        ui = self.unit_table.i
        volley_min = self._volley_min
        i = 0
        while i < len(todo):
            m = todo[i]
            i += 1
            if now >= m.end - 1e-9:
                self._mission_over(m)
                self._emit("mission_end", unit=m.unit.id, order=m.order.id or "", rounds=m.fired_total)
            elif now >= m.next_at - 1e-9:
                cap = m.cap
                if cap is not None and m.fired_total >= cap:
                    # its rounds are all fired: its steps pass without a volley, until it ends
                    # or the battery has no ammunition left (as _volley would find)
                    left = m.end - now
                    m.next_at = now + (left if left < volley_min else volley_min)  # min(volley_min, left)
                    ammo = ui.item(m.row, world.U_AMMO)
                    if ammo != world.NO_AMMUNITION_LIMIT and ammo <= 0:
                        self._emit("out_of_ammunition", unit=m.unit.id)
                        self._mission_over(m)
                    elif self._idle_steps:
                        self._set_aside(m)
                else:
                    fired = self._volley(m, now)
                    if self._idle:  # the battery's missions set aside, if this left it no rounds
                        ammo = ui.item(m.row, world.U_AMMO)
                        if ammo != world.NO_AMMUNITION_LIMIT and ammo <= 0:
                            woken = [x for x in self._idle if x.unit is m.unit]
                            self._wake(woken)
                            if only is None:  # those after it in the order take their step now
                                for x in woken:
                                    if x.seq > m.seq:
                                        bisect.insort(todo, x, lo=i, key=_seq)
                    if not fired:
                        self._mission_over(m)

    def _mission_over(self, m: FireMission) -> None:
        """Take mission *m* out of those under way."""
        self.missions.remove(m)
        self._awake.remove(m)

    def _set_aside(self, m: FireMission) -> None:
        """Set aside mission *m*, its rounds all fired and its battery with rounds left."""
        self._awake.remove(m)
        self._idle.append(m)
        self._idle_until = min(self._idle_until, m.end)

    def _wake(self, missions: list[FireMission]) -> None:
        """Take up again the *missions* set aside, each in its place in the order."""
        for m in missions:
            self._idle.remove(m)
            bisect.insort(self._awake, m, key=_seq)
        self._idle_until = min((m.end for m in self._idle), default=math.inf)

    def _volley(self, m: FireMission, now: float) -> bool:
        """Fire one volley of mission *m*; return False if the battery is out of ammunition.

        A battery under fire serves its guns as men in a trench fire their rifles: its rate
        is cut by its suppression, ``1 - suppression`` (the law of direct fire), so shells on
        a battery silence it while they fall and for a while after (Dupuy: suppression is
        artillery's most important effect, model-anchors 2.1; a battery silenced by another
        on its third salvo, 4b.6). A volley held back entirely is logged once
        (``battery_silenced``) until the battery fires again.

        About a thousand volleys a run: the battery's figures are read from its row of the
        unit table, the guns' from the mission (:attr:`FireMission.gun_figures`), and the
        min and max of the plain formulas are written out as comparisons (the same values).
        """
        u = m.unit
        left_min = m.end - now
        volley_min = self._volley_min
        step = left_min if left_min < volley_min else volley_min  # min(volley_min, left_min)
        m.next_at = now + step
        rounds = 0
        held = False  # a volley the battery had guns and rounds for, held back by fire on it
        row = m.row  # the battery's row, read directly (u.suppression, u.x, u.y, u.ammunition)
        f = self.unit_table.f
        s = f.item(row, world.U_SUPPRESSION)
        serve = 1.0 - (0.0 if s < 0.0 else 1.0 if s > 1.0 else s)  # 1 - min(max(s, 0), 1)
        rounds_cap = m.cap
        # once the mission's rounds are all fired no gun has any left to fire: its
        # steps pass without a volley (the guns' loop would find that for each)
        if rounds_cap is None or m.fired_total < rounds_cap:
            d = math.hypot(m.x - f.item(row, world.U_X), m.y - f.item(row, world.U_Y))
            ui = self.unit_table.i
            ammo = ui.item(row, world.U_AMMO)
            if ammo == world.NO_AMMUNITION_LIMIT:
                ammo = None
            guns = u.guns
            for w, gun_range, gun_rate in m.gun_figures:
                n = guns[w]
                if n <= 0 or d > gun_range:
                    continue
                left = 10**9 if ammo is None else ammo
                if rounds_cap is not None:
                    cap_left = rounds_cap - m.fired_total
                    left = cap_left if cap_left < left else left  # min(left, cap_left)
                # artillery.volley_rounds(n, gun_rate * serve, step, left), n > 0, written out
                rate = gun_rate * serve
                wanted = math.floor(n * (0.0 if rate < 0.0 else rate) * (0.0 if step < 0.0 else step) + 0.5)
                k = min(wanted, left if left > 0 else 0)
                if k <= 0:
                    held = held or (serve < 1.0 and artillery.volley_rounds(n, gun_rate, step, left) > 0)
                    continue
                if ammo is not None:
                    ammo -= k
                    ui[row, world.U_AMMO] = ammo if ammo > 0 else 0  # u.ammunition = ammo
                m.fired_total += k
                rounds += k
                self._apply_rounds(m, w, k)
        if rounds > 0:
            m.silenced = False
            u.rounds_fired += rounds
            self.rounds[m.side] += rounds
            self._emit("volley", unit=u.id, rounds=rounds, x=m.x, y=m.y)
            # whether the enemy locates the battery (artillery.is_located after one volley;
            # u.located read from its row)
            if not self.unit_table.i.item(row, world.U_LOCATED) and m.locate.random() < self._locate_chance:
                u.located = True
                self._emit("battery_located", unit=u.id, by=_other(m.side))
        elif u.ammunition is not None and u.ammunition <= 0:
            self._emit("out_of_ammunition", unit=u.id)
            return False
        elif held and not m.silenced:
            m.silenced = True
            self._emit("battery_silenced", unit=u.id, suppression=u.suppression)
        return True

    def _artillery_constants(self) -> None:
        """Set up what the beaten-zone kernel reads of the parameters (once a run)."""
        p, cp = self.params, self.cp
        v = np.zeros(art_kernel.N_VOLLEY)
        v[art_kernel.V_DISPERSION] = p.f("artillery.dispersion_m")
        v[art_kernel.V_AREA] = cp.unit_area_m2
        v[art_kernel.V_PER_ROUND] = p.f("artillery.suppression_per_round")
        v[art_kernel.V_UNLOCATED] = p.f("artillery.counter_battery_unlocated_factor")
        v[art_kernel.V_COVER_WITHIN] = p.f("artillery.taking_cover.within_min")
        v[art_kernel.V_COVER_SHARE] = p.f("artillery.taking_cover.lethality_share")
        near = p.f("artillery.tank_near_miss_m")
        v[art_kernel.V_TANK_AREA] = max(p.f("artillery.tank_area_m2"), math.pi * near * near)
        v[art_kernel.V_TANK_KILL] = p.f("artillery.tank_kill_given_hit")
        v[art_kernel.V_MISSING_STEADY : art_kernel.V_KILLED_JAPANESE + 1] = cp.casualty_figures()
        self._volley_figures = v
        self._posture = np.array([p.f(f"artillery.posture_lethality.{e}") for e in world.ENTRENCHMENT])
        cover_sup = p.f("artillery.suppression_cover_factor")
        self._cover_sup = np.array([cover_sup if e in ("trenches", "fortified") else 1.0 for e in world.ENTRENCHMENT])
        self._lethal = {w: p.f(f"weapons.{w}.lethal_area_m2") for w in self._weapon_ids() if f"weapons.{w}.lethal_area_m2" in p}
        self._gun_hit = (p.f("artillery.gun_area_m2"), p.f("artillery.gun_kill_given_hit"))
        self._gun_line = (p.f("artillery.gun_interval_m"), p.f("artillery.gun_line_depth_m"), p.f("artillery.range_probable_error_share"))
        self._gun_reach: np.ndarray | None = None
        self._volley_min = p.f("artillery.volley_min")
        # the chance the enemy locates a battery in one volley (artillery.is_located's, once a run)
        self._locate_chance = 1.0 - (1.0 - p.f("artillery.locate_chance_per_volley")) ** 1
        self.missions: list[FireMission] = []
        self._missions_begun = 0
        self._awake: list[FireMission] = []  # the missions under way that are stepped, in order
        self._idle: list[FireMission] = []  # those set aside (_fire_missions)
        self._idle_until = math.inf  # the first end among them
        self._idle_steps = self._volley_min <= self.cp.pulse_min  # every pulse a step of a mission
        self._observed_streams: dict[int, np.random.Generator] = {}  # observed fire's, by tank row
        # the uniforms drawn ahead from each tank row's stream for the kernel, how many of
        # each row are spent (all: none ahead), and each stream's state before its row was drawn
        self._observed_draws = np.zeros((0, _DRAWS_AHEAD))
        self._observed_used = np.zeros(0, dtype=np.int64)
        self._observed_before: dict[int, dict[str, Any]] = {}
        self._volley_out: tuple[np.ndarray, ...] | None = None  # what beaten_zone_into writes
        # what observed_fire_pulse_into writes: the stuck tanks' rows (then those seen),
        # whether seen, the battery, the distance, the chance of a kill
        self._observed_out: tuple[np.ndarray, ...] = (
            np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.bool_), np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0),
        )
        self._observed_sides = np.zeros((4, 0), dtype=np.int64)  # observed_fire_pulse_into's work array
        fire = np.zeros(art_kernel.N_OF)  # observed fire's figures (now and the pulse set at each pulse)
        fire[art_kernel.OF_RATE_H] = p.f("artillery.observed_fire_kill_per_hour")
        fire[art_kernel.OF_HALF_M] = p.f("artillery.observed_fire_half_distance_m")
        fire[art_kernel.OF_COMMAND_WEIGHT] = cp.command_weight
        fire[art_kernel.OF_POWER] = 2.0
        self._observed_figures = fire
        self._observed_fire_off = fire[art_kernel.OF_RATE_H] <= 0  # no observed fire in this run
        self._observation_m = p.f("artillery.observation_range_m")

    def _apply_rounds(self, mission: FireMission, weapon: str, rounds: int) -> None:
        """A volley's rounds on the beaten zone (kernels/artillery.py); then the guns hit in
        the batteries there, the tanks put out of action and the casualty events, here."""
        shooter = mission.unit
        v = mission.volley
        v[art_kernel.V_ROUNDS] = rounds
        v[art_kernel.V_LETHAL] = self._lethal[weapon]
        v[art_kernel.V_NOW] = self.env.now
        ro = self._roster()
        ut, tt = self.unit_table, self.tank_table
        outs = self._volley_out
        if outs is None or len(outs[0]) < len(ro.ground_rows):  # a row for each ground unit, each tank
            n, n_t = len(ut.f), max(len(tt.f), 1)
            outs = self._volley_out = (
                np.zeros((n, 4), dtype=np.int64), np.zeros((n, art_kernel.N_HIT)), np.zeros(n, dtype=np.int64), np.zeros(n),
                np.zeros(n_t, dtype=np.int64), np.zeros((n_t, art_kernel.N_KNOCK)),
            )
        hits_i, hits_f, bats_i, bats_f, knocks_i, knocks_f = outs
        n_hit, n_bat, n_ko = art_kernel.beaten_zone_into(
            ut.f, ut.i, ro.ground_rows, tt.f, tt.i, tt.n, ro.tank_order, self._posture, self._cover_sup, v,
            mission.rounds_stream.next(), *outs,
        )
        if not (n_hit or n_bat or n_ko):
            return  # the rounds fell where nobody was
        # read out at once: the arrays are the next volley's too
        bats = list(zip(bats_i[:n_bat].tolist(), bats_f[:n_bat].tolist(), strict=True)) if n_bat else ()
        knocks = list(zip(knocks_i[:n_ko].tolist(), knocks_f[:n_ko].tolist(), strict=True)) if n_ko else ()
        cause = f"artillery:{shooter.id}"
        kind = mission.order.mission
        if n_hit:
            # the positions from the unit table's rows (v.x, v.y, shooter.x, shooter.y)
            uf = ut.f
            firer, sx, sy = shooter.id, uf.item(mission.row, world.U_X), uf.item(mission.row, world.U_Y)
            units_by_row = ro.units_by_row
            for (row, k, wd, m), (d, on_unit, posture, expected, chance) in zip(hits_i[:n_hit].tolist(), hits_f[:n_hit].tolist(), strict=True):
                self._emit(
                    "casualties", unit=units_by_row[row].id, killed=k, wounded=wd, missing=m, cause=cause,
                    firer=firer, weapon=weapon, range_m=math.hypot(uf.item(row, world.U_X) - sx, uf.item(row, world.U_Y) - sy),
                    from_aim_m=d, rounds=on_unit, posture=posture, expected=expected, p_hit=chance, mission=kind,
                )
        gun_area, gun_kill = self._gun_hit
        for row, on_unit in bats:
            b = ro.units_by_row[row]
            if not b.guns:
                continue
            g = self.rng.get("casualties", b.id)
            adjusted = kind == "counter_battery" and b.located
            if adjusted:  # observed fire walked onto the located battery's gun line
                interval, depth, pe_share = self._gun_line
                p_gun = counter_battery.adjusted_gun_hit_chance(
                    on_unit, math.hypot(shooter.x - b.x, shooter.y - b.y), gun_area, gun_kill,
                    sum(b.guns.values()) + b.guns_lost, interval, depth, pe_share,
                )
            else:
                p_gun = artillery.point_target_hit_chance(on_unit, gun_area, self.cp.unit_area_m2, gun_kill)
            self._guns_hit(b, p_gun, g, shooter.id, cause, fired=weapon, fire="adjusted" if adjusted else "area")
        for t_row, (d, on_tank, chance) in knocks:
            t = ro.tanks_by_row[t_row]
            self._knock_out(
                t, self.rng.get("knock-out", t.id), cause=cause,
                firer=shooter.id, weapon=weapon, range_m=math.hypot(t.x - shooter.x, t.y - shooter.y), from_aim_m=d,
                rounds=on_tank, p_knock_out=chance,
            )

    def _guns_hit(self, b: UnitState, p_gun: float, g: np.random.Generator, by: str, cause: str, **why: Any) -> None:
        """Draw the guns (and anti-aircraft mounts) of *b* put out of action for good, each
        with chance *p_gun*, in weapon order; log each loss with its cause."""
        for wname in sorted(b.guns):
            lost = int(g.binomial(b.guns[wname], p_gun)) if b.guns[wname] > 0 else 0
            if lost:
                b.guns[wname] -= lost
                b.guns_lost += lost
                self._gun_reach = None  # its reach is worked out again
                if wname in self._at_weapons:
                    self._weapons_changed(b)  # an anti-tank gun lost fires no more
                self._emit("guns_lost", unit=b.id, weapon=wname, n=lost, by=by, cause=cause, chance=round(p_gun, 5), **why)

    def _observed_fire(self, dt: float) -> None:
        """Observed artillery fire on bogged tanks: a stuck tank that an enemy post can see,
        within range of an enemy battery with rounds left, is ranged in and may be hit
        (model-anchors 3.6: a bogged tank is a stationary target, its risk rising with time
        stuck). Who sees which stuck tank, and the chance of its being hit in the pulse, are
        worked out in kernels/artillery.py (``observed_fire_pulse_into``); the draws here.

        The observer ranges first on what stands out: a command tank's handrail radio
        aerial marks it out to him as it does to an anti-tank gunner, so a seen command tank
        is ranged in ``fire.command_tank_weight`` times as fast as another.

        The farther the observer, the worse he brings the fire onto one tank: he must judge
        each burst short or over of it, and the depth he sees shrinks with his distance, so
        the error left in the adjusted fire grows with it, and a point target's chance of a
        hit falls as the square of that error. The rate is the rate close up times
        ``1 / (1 + (d / artillery.observed_fire_half_distance_m) ** 2)``, d the distance from
        the nearest post that sees the tank.
        """
        if self._observed_fire_off or self.is_night():
            return
        tt, ut = self.tank_table, self.unit_table
        ro = self._roster()
        out = self._observed_out
        if len(out[0]) < len(ro.tank_order):
            n = len(ro.tank_order)
            out = self._observed_out = (
                np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.bool_), np.zeros(n, dtype=np.int64), np.zeros(n), np.zeros(n),
                np.zeros(n, dtype=np.int64),
            )
        # no tank stuck (four day pulses in ten): nothing to draw or write, and the sight,
        # the visibility and the guns' reach need not be looked up (a small call)
        n_stuck = art_kernel.bogged_tanks_into(tt.i, ro.tank_order, out[0])
        if not n_stuck:
            return
        used = self._observed_used
        if len(used) < len(tt.i):
            self._observed_draws = np.zeros((len(tt.i), _DRAWS_AHEAD))
            used = self._observed_used = np.full(len(tt.i), _DRAWS_AHEAD, dtype=np.int64)
        stuck = out[0][:n_stuck]
        for t_row in stuck[used[stuck] >= _DRAWS_AHEAD].tolist():  # a stuck tank has a draw ahead
            self._draw_ahead(t_row, ro)
        fire = self._observed_figures
        see_m = min(self._observation_m, self.visibility_m())
        sight = self._sight()
        sides = self._observed_sides
        if sides.shape[1] < len(ro.ground_rows):
            sides = self._observed_sides = np.zeros((4, len(ut.f)), dtype=np.int64)
        fire[art_kernel.OF_NOW], fire[art_kernel.OF_DT] = self.env.now, dt  # self.now: the same float
        _, _, n_hit = art_kernel.observed_fire_pulse_into(
            ut.f, ut.i, ro.ground_rows, tt.f, tt.i, ro.tank_order, self._gun_reach_now(), see_m, *sight.args, fire, *out[:5], sides,
            self._observed_draws, used, out[5],
        )
        sight.keep_room()
        if not n_hit:
            return  # a hit is rare (about one draw in eighty)
        seen, _, battery, seen_d, chance, hit_at = out  # the stuck tanks seen, in id order
        for j in hit_at[:n_hit].tolist():
            t_row = seen.item(j)
            t = ro.tanks_by_row[t_row]
            shooter = ro.units_by_row[battery.item(j)]
            self._knock_out(
                t, self._observed_stream_now(t_row), cause=f"observed-artillery:{shooter.id}", firer=shooter.id,
                range_m=math.hypot(t.x - shooter.x, t.y - shooter.y), p_knock_out=chance.item(j),
                observer_m=round(seen_d.item(j), 1),
            )

    def _draw_ahead(self, t_row: int, ro: Any) -> None:
        """Draw the next :data:`_DRAWS_AHEAD` uniforms of tank row *t_row*'s observed-fire
        stream (one Generator for the run, made at its first use) into its row of draws
        for the kernel, keeping the stream's state before them (:meth:`_observed_stream_now`)."""
        streams = self._observed_streams
        g = streams.get(t_row)
        if g is None:
            g = streams[t_row] = self.rng.get("observed-fire", ro.tanks_by_row[t_row].id)
        self._observed_before[t_row] = g.bit_generator.state
        self._observed_draws[t_row] = g.random(_DRAWS_AHEAD)  # the same uniforms as that many g.random()
        self._observed_used[t_row] = 0

    def _observed_stream_now(self, t_row: int) -> np.random.Generator:
        """Return tank row *t_row*'s observed-fire stream as it would stand had its draws
        been taken one by one (its state before its row was drawn, moved on by the draws
        spent), for the knock-out's own draws; its draws ahead are given up."""
        g = self._observed_streams[t_row]
        g.bit_generator.state = self._observed_before.pop(t_row)
        g.random(int(self._observed_used[t_row]))
        self._observed_used[t_row] = _DRAWS_AHEAD
        return g

    def _gun_reach_now(self) -> np.ndarray:
        """Return the reach of each unit row's guns that are left (0 for rows without)."""
        reach = self._gun_reach
        n = self.unit_table.n
        if reach is None or len(reach) < n:
            reach = np.zeros(len(self.unit_table.f))
            ranges = self.fire_tables["range"]
            for u in self._roster().units_by_row:
                if u.type == "artillery":
                    reach[u.row] = max((ranges[w] for w, k in u.guns.items() if k > 0), default=0.0)
            self._gun_reach = reach
        return reach
