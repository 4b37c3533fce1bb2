"""Setting up a run: the combat parameters the hot path reads, the scenario's rules (the
border, the artillery exclusion, weather, daylight), the units with their morale
thresholds and tanks, and the zones (their masks, centres and first holders).

Reads: ``engine.*`` (pulse, legs, engagement range, frontage), ``fire.*`` (accuracy,
exposures, casualty fractions, tank losses, elevation advantage, close assault),
``morale.*`` (thresholds by training, their spread, pin suppression, rally margin, the
morale rates, loss sensitivity, the penetration rule), ``vehicles.<model>.mobility``,
``weapons.<weapon>.category``; ``command.hold_men_min`` through the zones' first holders.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from khasan_sim.engine import world
from khasan_sim.engine.state import TankState, UnitState
from khasan_sim.model import morale, rules
from khasan_sim.model.morale import Thresholds

_ZONE_LAYOUTS: dict[tuple, int] = {}  # each zone layout met in this process, numbered
_ZONE_SHAPES: dict[tuple, tuple] = {}  # the zones' cells by layout and grid, per process


@dataclass(frozen=True, slots=True)
class CombatParams:
    """The combat parameters the hot path needs, pulled once from the ParamSet."""

    pulse_min: float
    foot_leg_min: float
    leg_m: float
    engagement_range_m: float
    unit_area_m2: float
    accuracy: dict[str, float]
    entrench_exposure: dict[str, float]
    moving_exposure: float
    wire_delay: float
    wire_exposure: float
    killed_fraction: float
    killed_fraction_by_side: dict[str, float]
    missing_steady: float
    missing_routed: float
    max_loss_fraction: float
    visibility_night: float
    fog_visibility_m: float
    command_weight: float
    anti_tank_revealed_min: float
    tank_moving_exposure: float
    tank_moving_fire: float
    tank_evasive_speed_kmh: float
    tank_bogged_exposure: float
    tank_burn_fraction: float
    tank_crew_casualties: float
    elevation_adv_per_100m: float
    close_assault_m: float
    close_assault_exposure: float
    penetration_reference_ratio: float
    penetration_shock_per_hour: float
    morale_weights: dict[str, float]  # the rates morale_after takes by keyword
    loss_sensitivity: dict[str, float]  # by training

    def casualty_figures(self) -> tuple[float, float, float, float, float]:
        """Return what a casualty draw reads, in the order the kernels' figure vectors keep
        it: the missing share of steady and of routed men, the most a unit can lose at
        once, and the killed share of Soviet and of Japanese men hit."""
        return (
            self.missing_steady, self.missing_routed, self.max_loss_fraction,
            self.killed_fraction_by_side.get("soviet", self.killed_fraction),
            self.killed_fraction_by_side.get("japanese", self.killed_fraction),
        )


def _combat_params(p: Any) -> CombatParams:
    frontage = p.f("engine.unit_frontage_m")
    return CombatParams(
        pulse_min=p.f("engine.pulse_min"),
        foot_leg_min=p.f("engine.foot_leg_min"),
        leg_m=p.f("engine.leg_m"),
        engagement_range_m=p.f("engine.engagement_range_m"),
        unit_area_m2=frontage * frontage,
        accuracy={k: float(v) for k, v in p.subtree("fire.training_accuracy").items()},
        entrench_exposure={k: float(v) for k, v in p.subtree("fire.entrenchment_exposure").items()},
        moving_exposure=p.f("fire.moving_exposure"),
        wire_delay=p.f("fire.wire_delay_factor"),
        wire_exposure=p.f("fire.wire_exposure"),
        killed_fraction=p.f("fire.killed_fraction"),
        killed_fraction_by_side={
            side: float(p.get(f"fire.killed_fraction_by_side.{side}", p.f("fire.killed_fraction"))) for side in ("soviet", "japanese")
        },
        missing_steady=p.f("fire.missing_fraction_steady"),
        missing_routed=p.f("fire.missing_fraction_routed"),
        max_loss_fraction=p.f("fire.max_loss_fraction_per_pulse"),
        visibility_night=p.f("fire.visibility_night"),
        fog_visibility_m=p.f("fire.fog_visibility_m"),
        command_weight=p.f("fire.command_tank_weight"),
        anti_tank_revealed_min=p.f("fire.anti_tank_revealed_min"),
        tank_moving_exposure=p.f("fire.tank_moving_exposure"),
        tank_moving_fire=p.f("fire.tank_moving_fire_factor"),
        tank_evasive_speed_kmh=p.f("fire.tank_evasive_speed_kmh"),
        tank_bogged_exposure=p.f("fire.tank_bogged_exposure"),
        tank_burn_fraction=p.f("fire.tank_burn_fraction"),
        tank_crew_casualties=p.f("fire.tank_crew_casualties"),
        elevation_adv_per_100m=p.f("fire.elevation_advantage_per_100m"),
        close_assault_m=p.f("fire.close_assault_range_m"),
        close_assault_exposure=p.f("fire.close_assault_exposure"),
        penetration_reference_ratio=p.f("morale.penetration_reference_ratio"),
        penetration_shock_per_hour=p.f("morale.penetration_shock_per_hour"),
        morale_weights={
            k: p.f(f"morale.{k}") for k in ("loss_rate_weight", "suppression_weight_per_hour", "night_drift_per_hour", "recovery_per_hour")
        },
        loss_sensitivity={k: float(v) for k, v in p.subtree("morale.loss_sensitivity").items()},
    )


def march_order(specs: list[Any]) -> list[int]:
    """Return each tank's place in its unit's column (for *specs*, the unit's tanks in
    order of battle).

    A unit whose command tanks are split into headquarters and company commanders'
    (``TankGroup.headquarters``) moves by companies: each company commander at the head
    of his company (an equal share of the line tanks, in order), and the headquarters
    tanks behind the first company, where the commander sees his first echelon and can
    reach the ones behind (assumption: the digest's three echelons and its command tanks
    "among the first hit"; commanders of 1938 led from the front). Any other unit keeps
    its order of battle.
    """
    hq = [i for i, t in enumerate(specs) if t.command and t.headquarters]
    leaders = [i for i, t in enumerate(specs) if t.command and not t.headquarters]
    if not hq or not leaders:
        return list(range(len(specs)))
    line = [i for i, t in enumerate(specs) if not t.command]
    n = len(leaders)
    order: list[int] = []
    for k, leader in enumerate(leaders):
        order.append(leader)
        order.extend(line[k * len(line) // n:(k + 1) * len(line) // n])
        if k == 0:
            order.extend(hq)
    place = [0] * len(specs)
    for pos, i in enumerate(order):
        place[i] = pos
    return place


class SetupSystem:
    """Set-up of a run's rules, units and zones (called once, from Engine.__init__)."""

    def _setup_rules(self) -> None:
        r = self.doc.rules
        self.no_crossing = frozenset(r.no_border_crossing)
        self.exclusion = {e.side: e.distance_m for e in r.artillery_exclusion}
        self.spells = tuple(
            rules.FogSpell(self._min(w.start), self._min(w.end), w.fog, w.visibility_m) for w in r.weather
        )
        if r.daylight is not None:
            self.dawn = rules.minutes_of_day(r.daylight.dawn)
            self.dusk = rules.minutes_of_day(r.daylight.dusk)
        else:
            self.dawn, self.dusk = 0, 24 * 60
        self.start_minute_of_day = self.start.hour * 60 + self.start.minute
        # from this minute no side's own command launches an attack (math.inf: never)
        self.ceasefire_min = self._min(r.ceasefire.agreed) if r.ceasefire is not None else math.inf
        self._ceasefire_told = False
        # one shared array per side and terrain, so the route planners built for it are reused
        shared = self.terrain.extras.setdefault("_far_side", {})
        if "soviet" not in shared:
            shared["soviet"] = ~self.terrain.soviet_side
            shared["japanese"] = self.terrain.soviet_side
        self.forbidden = {s: shared[s] for s in self.no_crossing if s in shared}

    def _min(self, t: Any) -> float:
        return (t - self.start).total_seconds() / 60.0

    def _setup_units(self) -> None:
        p = self.params
        spread = p.f("morale.start_spread")
        pin = p.f("morale.pin_suppression")
        rally = p.f("morale.rallied_above")
        self.units: dict[str, UnitState] = {}
        # the world's numbers, a row a unit and a row a tank (engine/world.py); room for
        # the counter-attack groups the doctrine detaches (the tables grow if need be)
        self.unit_table = world.Table(world.U_NF, world.U_NI, capacity=2 * len(self.doc.units) + 16)
        self.tank_table = world.Table(world.T_NF, world.T_NI, capacity=len(self.scenario.tanks) + 1)
        self.vehicle_models = sorted({t.model for t in self.scenario.tanks})
        tanks_by_unit: dict[str, list[Any]] = {}
        for t in self.scenario.tanks:
            tanks_by_unit.setdefault(t.unit, []).append(t)
        for u in sorted(self.doc.units, key=lambda u: u.id):
            # breaking is a draw (model-anchors 2.4): the unit's morale on the day varies
            # about the scenario's estimate, drawn once per run; its thresholds are its
            # training's, so a unit's gap to breaking, and its rest level above its rally
            # level, are the scenario's, and "never routs" stays never
            g = self.rng.get("start_morale", u.id)
            on_the_day = morale.clamp01(u.morale + float(g.normal(0.0, spread)))
            tr = u.training.value
            th = Thresholds(
                shaken=p.f(f"morale.shaken.{tr}"),
                retreat=p.f(f"morale.retreat.{tr}"),
                rout=p.f(f"morale.rout.{tr}"),
                pin_suppression=pin,
                rally_margin=rally,
            )
            x, y = u.position if u.position is not None else (-1.0, -1.0)
            # guns and mounts a hit in their pit puts out of action for good (anti-aircraft
            # guns and machine-gun mounts too: the digest counts "anti-aircraft installations";
            # anti-tank guns too: the digest's tanks "destroyed ... anti-tank positions")
            guns = {w: n for w, n in u.weapons.items() if self._category(w) in ("field-gun", "howitzer", "anti-aircraft", "anti-tank")}
            st = UnitState(
                self.unit_table, id=u.id, side=u.side, type=u.type.value, name=u.name, x=x, y=y, home_x=x, home_y=y,
                men_start=u.men, men=u.men, weapons_start=dict(u.weapons), guns=dict(guns),
                aircraft=dict(u.aircraft), training=tr, morale=on_the_day, morale_start=on_the_day,
                thresholds=th, entrenchment=u.entrenchment.value, wire=u.wire,
                ammunition=u.ammunition_rounds,
            )
            specs = tanks_by_unit.get(u.id, [])
            place = march_order(specs)
            for i, ts in enumerate(specs):
                mob = str(p.value(f"vehicles.{ts.model}.mobility"))
                st.tanks.append(TankState(
                    self.tank_table, ts.id, u.id, ts.model, mob, ts.command, x, y,
                    unit_row=st.row, model_code=self.vehicle_models.index(ts.model), column=place[i],
                    headquarters=ts.headquarters,
                ))
            self.unit_table.i[st.row, world.U_HAS_TANKS] = int(bool(st.tanks))
            self.units[u.id] = st
        self.unit_ids = sorted(self.units)
        self.ground_ids = [i for i in self.unit_ids if not self.units[i].is_air]
        self._rasters_of: Any = None  # the terrain that _rasters were read from
        self._rasters: tuple[np.ndarray, np.ndarray] = (np.zeros(0), np.zeros(0))
        self.all_tanks = sorted((t for u in self.units.values() for t in u.tanks), key=lambda t: t.id)

    def _category(self, weapon: str) -> str:
        return str(self.params.get(f"weapons.{weapon}.category", "small-arms"))

    def _zone_shapes(self, draw_polygon: Any) -> tuple[dict[str, np.ndarray], dict[str, tuple[float, float]], np.ndarray]:
        """Return each zone's cells (a mask), its centre, and one integer per cell with a bit
        for each zone it lies in (most cells lie in none)."""
        g = self.terrain.grid
        zone_mask: dict[str, np.ndarray] = {}
        zone_centre: dict[str, tuple[float, float]] = {}
        for z in self.doc.zones:
            pts = np.asarray(z.polygon, dtype=float)
            rr, cc = draw_polygon(pts[:, 1] / g.cell_m, pts[:, 0] / g.cell_m, shape=(g.nrows, g.ncols))
            m = np.zeros((g.nrows, g.ncols), dtype=bool)
            m[rr, cc] = True
            m.flags.writeable = False  # shared by the runs of a process
            zone_mask[z.id] = m
            zone_centre[z.id] = (float(pts[:, 0].mean()), float(pts[:, 1].mean()))
        zone_bits = np.zeros((g.nrows, g.ncols), dtype=object if len(self.zone_ids) > 62 else np.int64)
        for i, zid in enumerate(self.zone_ids):
            zone_bits[zone_mask[zid]] |= 1 << i
        zone_bits.flags.writeable = False
        return zone_mask, zone_centre, zone_bits

    def _setup_zones(self) -> None:
        from skimage.draw import polygon as draw_polygon

        g = self.terrain.grid
        # what the zones are, as one number in this process: what is worked out from them
        # (the zones a tank's leg enters) is kept under it
        layout = tuple(sorted((z.id, tuple(map(tuple, z.polygon))) for z in self.doc.zones))
        self._zones_key = _ZONE_LAYOUTS.setdefault(layout, len(_ZONE_LAYOUTS))
        self.zone_ids = sorted(z.id for z in self.doc.zones)
        self.zones = {z.id: z for z in self.doc.zones}
        self._heights: list[tuple[str, int]] | None = None  # the zones that are heights, with their bits (doctrine.py)
        self._counterattackers_kept: tuple[int, list[Any]] | None = None  # doctrine.py: (units not groups, the counter-attackers)
        # the zones' cells, worked out once per zone layout and grid in a process (shared by
        # its runs, never written to)
        shape_key = (self._zones_key, g.cell_m, g.nrows, g.ncols)
        shapes = _ZONE_SHAPES.get(shape_key)
        if shapes is None:
            shapes = _ZONE_SHAPES[shape_key] = self._zone_shapes(draw_polygon)
        self.zone_mask, self.zone_centre, self.zone_bits = shapes
        self.holder: dict[str, str | None] = {}
        self.first_soviet_hold: dict[str, float | None] = dict.fromkeys(self.zone_ids)
        self.lost_at: dict[tuple[str, str], float] = {}
        self.counterattack_on: dict[str, str] = {}
        # the doctrine's bookkeeping: when the last counter-attack on each zone went in and
        # when it was over, the men each attacking group set out with, and the battalion
        # each group came from
        self.counterattack_started: dict[str, float] = {}
        self.counterattack_ended: dict[str, float] = {}
        self.counterattack_men: dict[str, int] = {}
        self.group_parent: dict[str, str] = {}
        self.company_out: dict[str, str] = {}  # battalion id -> the group of its last deliberate attack
        self.company_back: dict[str, float] = {}  # battalion id -> when that group rejoined it
        self._closing_up: dict[str, int] = {}  # tank id -> the move (token) on which it closes up on its stopped column
        self._local_last: dict[str, float] = {}  # unit id -> when it last made a local counter-attack
        self._local_on: dict[str, str] = {}  # zone -> the group of its last local counter-attack
        self._groups_done: set[str] = set()  # groups with no men left (rejoined or lost)
        self._groups_out: tuple[int, list[str]] = (0, [])  # doctrine.py: (groups formed, the others' ids in order)
        self._groups_formed: dict[str, int] = {}  # counter-attack groups each battalion has formed
        holding = self._holding_men()  # read once for every zone: nothing moves in between
        for z in self.zone_ids:
            self.holder[z] = self._compute_holder(z, holding)
        # who held each zone last (a contested zone keeps its last holder here)
        self.last_holder: dict[str, str | None] = dict(self.holder)
        for z in self.zone_ids:
            if self.holder[z] == "soviet":
                self.first_soviet_hold[z] = 0.0
