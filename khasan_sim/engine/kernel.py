"""The engine: a thin simpy layer that schedules the pure mechanics and commits their results.

The :class:`Engine` owns the simpy Environment, the world state (units and tanks), the
named random streams and the event log. Processes are short generators: they ask the
mechanics in :mod:`khasan_sim.model` what happens and how long it takes, wait, and
commit. Everything is iterated in sorted id order and every draw comes from a named
stream, so the same scenario, orders and seed give the same event log in any process.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import simpy

from khasan_sim.engine.eventlog import EventLog
from khasan_sim.engine.state import (
    TANK_BOGGED,
    TANK_DAMAGED,
    TANK_DESTROYED,
    TANK_FIRING,
    TANK_OPERATIONAL,
    TankState,
    UnitState,
)
from khasan_sim.model import air, artillery, engineering, fire, morale, movement, rules
from khasan_sim.model.morale import MoraleState, Thresholds
from khasan_sim.rng import RngStreams
from khasan_sim.scenario import schema
from khasan_sim.terrain import Crossing, plan_route, visible_many
from khasan_sim.terrain.load import nest
from khasan_sim.terrain.types import TerrainClass

ProcessGen = Generator[simpy.Event, Any, None]

INFANTRY_TYPES = ("rifle", "border-guard", "machine-gun", "anti-tank", "engineer", "headquarters", "anti-aircraft")
HOLDING_TYPES = ("rifle", "border-guard", "machine-gun", "engineer", "anti-tank")
_FEW_PAIRS = 24  # below this many sight lines, keys are cheaper in Python than in numpy
_LOS_CACHE_LIMIT = 4_000_000  # sight lines kept between runs in one process (~0.5 GB at most)
COUNTERATTACK_TYPES = ("rifle",)
_HOLDING = frozenset(HOLDING_TYPES)
_FALLING_BACK = frozenset((MoraleState.ROUTED, MoraleState.RETREATING))
_STATE_CODE = {s: float(i) for i, s in enumerate(morale.STATES)}  # a state's index in morale.STATES


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
    tank_moving_exposure: float
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
        tank_moving_exposure=p.f("fire.tank_moving_exposure"),
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


class TankLeg(NamedTuple):
    """One leg of a tank's route: segments a..b, its time and ground, worked out once per route."""

    a: int
    b: int
    minutes: float  # at the segments' speeds, by day
    crossing: str  # the crossing the leg enters, else ""
    soft_m: float
    p_bog_per_100m: float
    rut_cell: tuple[int, int]  # the cell whose passes rut soft ground on this leg
    zones: tuple[str, ...]  # zones the leg's points lie in, in the order entered


def _pairs_in_range(
    ax: np.ndarray, ay: np.ndarray, a_soviet: np.ndarray, a_reach: np.ndarray,
    bx: np.ndarray, by: np.ndarray, b_soviet: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the (row, col, distance) of every enemy pair a -> b within a's reach, row-major.

    Squared distances pick the candidates cheaply (with a margin); the distance of each
    candidate is then the same ``np.hypot`` as everywhere else, so the answer does not
    depend on this shortcut.
    """
    dx = bx[None, :] - ax[:, None]
    dy = by[None, :] - ay[:, None]
    reach = a_reach * (1.0 + 1e-9) + 1e-6
    d2 = dx * dx
    d2 += dy * dy
    near = d2 <= (reach * reach)[:, None]
    near &= b_soviet[None, :] != a_soviet[:, None]
    # flat indices in row-major order, as np.nonzero gives them (and cheaper)
    at = np.flatnonzero(near)
    rows, cols = np.divmod(at, len(bx))
    dist = np.hypot(dx.ravel()[at], dy.ravel()[at])
    keep = dist <= a_reach[rows]
    return rows[keep], cols[keep], dist[keep]


class _Arms(NamedTuple):
    """What a unit's weapons give direct fire, worked out once for its weapons."""

    kill_counts: tuple[float, ...]  # its weapons that kill men, in the order of Engine._kill_weapons
    anti_tank: tuple[tuple[str, int], ...]  # its anti-tank weapons and their counts, by name
    anti_tank_reach_m: float  # the range of the longest-reaching of them


class _SightIndex:
    """The sight-line cache's keys and answers as sorted arrays, to look up many at once.

    Each cached answer is a pure function of the terrain and its key, so a copy that lags
    behind the cache is never wrong, only incomplete: keys not in it are asked of the
    dict, and the copy is made again from the dict once a quarter more have been added.
    It belongs to one cache dict (*source*) and is made anew for another.
    """

    __slots__ = ("behind", "keys", "seen", "source")

    def __init__(self, source: dict[int, bool]) -> None:
        self.source = source
        self.rebuild()

    def rebuild(self) -> None:
        """Copy the cache into sorted arrays."""
        n = len(self.source)
        keys = np.fromiter(self.source.keys(), dtype=np.int64, count=n)
        seen = np.fromiter(self.source.values(), dtype=bool, count=n)
        order = np.argsort(keys)
        self.keys = keys[order]
        self.seen = seen[order]
        self.behind = 0


def _xy(things: list[Any]) -> tuple[np.ndarray, np.ndarray]:
    """Return the x and y of things that have them, as two arrays (read in one pass)."""
    xy = np.fromiter(itertools.chain.from_iterable([(t.x, t.y) for t in things]), dtype=np.float64, count=2 * len(things))
    return xy[0::2].copy(), xy[1::2].copy()


def _other(side: str) -> str:
    return "japanese" if side == "soviet" else "soviet"


class Engine:
    """One run of a scenario: simpy environment, world state, streams and log.

    Args:
        scenario: A loaded :class:`khasan_sim.scenario.load.Scenario`.
        seed: The run seed (every stream derives from it).
        use_scenario_orders: Sides whose timed scenario orders are played (default: the
            sides whose controller is ``historical-orders`` or ``japanese-doctrine``).
    """

    def __init__(
        self,
        scenario: Any,
        seed: int,
        use_scenario_orders: Iterable[str] | None = None,
        follow_record: Iterable[str] = (),
    ) -> None:
        self.scenario = scenario
        self.doc: schema.ScenarioDoc = scenario.doc
        self.terrain = scenario.terrain
        self.params = scenario.params
        self.cp = _combat_params(self.params)
        self.env = simpy.Environment()
        self.rng = RngStreams(seed)
        self.log = EventLog()
        self.n_events = 0
        self.start = self.doc.scenario.start
        self.end_min = (self.doc.scenario.end - self.start).total_seconds() / 60.0
        self.turn_min = float(self.doc.scenario.turn_minutes)
        self._setup_rules()
        # the most men can dig on each terrain class that limits it (by the class's number)
        self._dig_limit = {int(TerrainClass[name.upper()]): str(v) for name, v in self.params.subtree("terrain.dig_limit").items()}
        self._setup_units()
        self._setup_zones()
        self.fire_tables = self._fire_tables()
        # the weapons that kill men, in the order fire.fire_volume adds them, with their
        # kills a minute and ranges
        self._kill_weapons = sorted(self.fire_tables["kills"])
        self._kill_per_min = [self.fire_tables["kills"][w] for w in self._kill_weapons]
        self._kill_range_m = [self.fire_tables["range"].get(w, 0.0) for w in self._kill_weapons]
        self._arms_cache: dict[str, tuple[dict[str, int], _Arms]] = {}
        self._seen_memo: dict[str, tuple[Any, Any, tuple[np.ndarray, np.ndarray, np.ndarray]]] = {}
        self._morale_fixed_memo: tuple[list[UnitState], np.ndarray] | None = None
        self._spotted_memo: tuple[Any, Any, tuple[set[str], dict[str, str]]] | None = None
        self._anti_tank_memo: tuple[list[UnitState], list[dict[str, int]], list[tuple[int, _Arms]]] | None = None
        self._soviet_unit = {uid: u.side == "soviet" for uid, u in self.units.items()}  # sides never change
        self._soviet_memo: dict[str, tuple[list[Any], np.ndarray]] = {}
        self._tank_firers_memo: tuple[list[str], set[str], float, list[TankState], tuple[list[TankState], list[int], np.ndarray]] | None = None
        self._close_memo: tuple[np.ndarray, tuple[bytes, bytes], tuple[np.ndarray, np.ndarray | None]] | None = None
        self._tank_unit_ids = sorted({t.unit for t in self.all_tanks})
        self.counterattacks = {"soviet": 0, "japanese": 0}
        self.rounds = {"soviet": 0, "japanese": 0}
        self.bombs_t = {"soviet": 0.0, "japanese": 0.0}
        self.crossings = {c.id: simpy.Resource(self.env, capacity=max(1, c.capacity)) for c in self.terrain.crossings}
        self.crossing_passes: dict[str, int] = {c.id: 0 for c in self.terrain.crossings}
        self.soft_passes: dict[tuple[int, int], int] = {}
        # line of sight between 50 m cells is a pure function of the terrain: shared by runs
        self._los_cache: dict[int, bool] = self.terrain.extras.setdefault("_los_cells_50m", {})
        self._los_width = int(max(self.terrain.grid.width_m, self.terrain.grid.height_m) // 50.0) + 1
        self._route_cache: dict[tuple[Any, ...], Any] = {}
        self._legs_cache: dict[int, tuple[Any, list[TankLeg]]] = {}
        self._last_holding: list[tuple[int, int, int, bool]] | None = None
        self.controllers = {s: spec.controller for s, spec in self.doc.sides.items()}
        if use_scenario_orders is None:
            use_scenario_orders = [s for s, c in self.controllers.items() if c in ("historical-orders", "japanese-doctrine")]
        self.scenario_order_sides = frozenset(use_scenario_orders)
        # sides commanded by a person whose units still follow the scenario's orders until
        # the person orders them (then they are 'taken over')
        self.follow_sides = frozenset(follow_record) - self.scenario_order_sides
        self.taken_over: set[str] = set()
        self.turn_hooks: list[Callable[[Engine], None]] = []
        self.env.process(self._order_dispatcher())
        self.env.process(self._pulse())
        self.env.process(self._turns())

    # ------------------------------------------------------------------ setup

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
        spread = p.f("morale.threshold_spread")
        pin = p.f("morale.pin_suppression")
        rally = p.f("morale.rallied_above")
        self.units: dict[str, UnitState] = {}
        tanks_by_unit: dict[str, list[Any]] = {}
        for t in self.scenario.tanks:
            tanks_by_unit.setdefault(t.unit, []).append(t)
        for u in sorted(self.doc.units, key=lambda u: u.id):
            g = self.rng.get("thresholds", u.id)
            off = float(g.normal(0.0, spread))
            tr = u.training.value
            th = Thresholds(
                shaken=morale.clamp01(p.f(f"morale.shaken.{tr}") + off),
                retreat=morale.clamp01(p.f(f"morale.retreat.{tr}") + off),
                rout=morale.clamp01(p.f(f"morale.rout.{tr}") + off),
                pin_suppression=pin,
                rally_margin=rally,
            )
            x, y = u.position if u.position is not None else (-1.0, -1.0)
            guns = {w: n for w, n in u.weapons.items() if self._category(w) in ("field-gun", "howitzer")}
            st = UnitState(
                id=u.id, side=u.side, type=u.type.value, name=u.name, x=x, y=y, home_x=x, home_y=y,
                men_start=u.men, men=u.men, weapons_start=dict(u.weapons), guns=dict(guns),
                aircraft=dict(u.aircraft), training=tr, morale=u.morale, morale_start=u.morale,
                thresholds=th, entrenchment=u.entrenchment.value, wire=u.wire,
                ammunition=u.ammunition_rounds,
            )
            for i, ts in enumerate(tanks_by_unit.get(u.id, [])):
                mob = str(p.value(f"vehicles.{ts.model}.mobility"))
                st.tanks.append(TankState(ts.id, u.id, ts.model, mob, ts.command, x, y, column=i))
            self.units[u.id] = st
        self.unit_ids = sorted(self.units)
        self.ground_ids = [i for i in self.unit_ids if not self.units[i].is_air]
        self._ground_of: list[str] | None = None  # the ground_ids that _ground_list was made from
        self._ground_list: list[UnitState] = []
        self._rasters_of: Any = None  # the terrain that _rasters were read from
        self._rasters: tuple[np.ndarray, np.ndarray] = (np.zeros(0), np.zeros(0))
        self.all_tanks = sorted((t for u in self.units.values() for t in u.tanks), key=lambda t: t.id)

    def _category(self, weapon: str) -> str:
        return str(self.params.get(f"weapons.{weapon}.category", "small-arms"))

    def _setup_zones(self) -> None:
        from skimage.draw import polygon as draw_polygon

        g = self.terrain.grid
        self.zone_ids = sorted(z.id for z in self.doc.zones)
        self.zones = {z.id: z for z in self.doc.zones}
        self.zone_mask: dict[str, np.ndarray] = {}
        self.zone_centre: dict[str, tuple[float, float]] = {}
        for z in self.doc.zones:
            pts = np.asarray(z.polygon, dtype=float)
            rr, cc = draw_polygon(pts[:, 1] / g.cell_m, pts[:, 0] / g.cell_m, shape=(g.nrows, g.ncols))
            m = np.zeros((g.nrows, g.ncols), dtype=bool)
            m[rr, cc] = True
            self.zone_mask[z.id] = m
            self.zone_centre[z.id] = (float(pts[:, 0].mean()), float(pts[:, 1].mean()))
        # one integer per cell with a bit for each zone it lies in: most cells lie in none
        self.zone_bits = np.zeros((g.nrows, g.ncols), dtype=object if len(self.zone_ids) > 62 else np.int64)
        for i, zid in enumerate(self.zone_ids):
            self.zone_bits[self.zone_mask[zid]] |= 1 << i
        self.holder: dict[str, str | None] = {}
        self.first_soviet_hold: dict[str, float | None] = dict.fromkeys(self.zone_ids)
        self.lost_at: dict[tuple[str, str], float] = {}
        self.counterattack_on: dict[str, str] = {}
        # the doctrine's bookkeeping: when the last counter-attack on each zone went in,
        # the men each attacking group set out with, and the battalion each group came from
        self.counterattack_started: dict[str, float] = {}
        self.counterattack_men: dict[str, int] = {}
        self.group_parent: dict[str, str] = {}
        for z in self.zone_ids:
            self.holder[z] = self._compute_holder(z)
        # who held each zone last (a contested zone keeps its last holder here)
        self.last_holder: dict[str, str | None] = dict(self.holder)
        for z in self.zone_ids:
            if self.holder[z] == "soviet":
                self.first_soviet_hold[z] = 0.0

    # ------------------------------------------------------------------ helpers

    @property
    def now(self) -> float:
        """Return simulated minutes since the start."""
        return float(self.env.now)

    def is_night(self, t_min: float | None = None) -> bool:
        """Return True if it is night at *t_min* (default now)."""
        t = self.now if t_min is None else t_min
        return rules.is_night(self.start_minute_of_day + t, self.dawn, self.dusk)

    def visibility_m(self, t_min: float | None = None) -> float:
        """Return the visibility in metres at *t_min* (default now)."""
        return rules.visibility_m(self.now if t_min is None else t_min, self.spells)

    def cell(self, x: float, y: float) -> tuple[int, int]:
        """Return the raster cell of a point (clipped to the map)."""
        g = self.terrain.grid
        r = int(y // g.cell_m)
        c = int(x // g.cell_m)
        return min(max(r, 0), g.nrows - 1), min(max(c, 0), g.ncols - 1)

    def in_zone(self, zone: str, x: float, y: float) -> bool:
        """Return True if the point lies in the zone."""
        if not self.terrain.grid.contains(x, y):
            return False
        r, c = self.cell(x, y)
        return bool(self.zone_mask[zone][r, c])

    def _emit(self, kind: str, **fields: Any) -> None:
        self.log.append(self.now, kind, **fields)

    def _tick(self) -> None:
        self.n_events += 1

    def target_point(self, target: Any) -> tuple[float, float]:
        """Return the (x, y) of an order target: a zone id (its centre) or a point."""
        if isinstance(target, str):
            return self.zone_centre[target]
        return float(target[0]), float(target[1])

    # ------------------------------------------------------------------ orders

    def _order_dispatcher(self) -> ProcessGen:
        played = self.scenario_order_sides | self.follow_sides
        orders = sorted(
            (o for o in self.doc.orders if self._order_side(o) in played),
            key=lambda o: (o.at, o.id or ""),
        )
        for o in orders:
            t = self._min(o.at)
            if t > self.now:
                yield self.env.timeout(t - self.now)
                self._tick()
            if self._order_side(o) in self.follow_sides and self.taken_over:
                left = [u for u in o.unit_ids if u not in self.taken_over]
                if not left:
                    continue
                if len(left) < len(o.unit_ids):
                    o = o.model_copy(update={"unit": left[0], "units": None} if len(left) == 1 else {"unit": None, "units": left})
            self.apply_order(o, source="scenario")

    def _order_side(self, o: Any) -> str:
        return self.units[o.unit_ids[0]].side

    def apply_order(self, o: Any, source: str = "player") -> None:
        """Start carrying out an order now (all its units)."""
        for uid in sorted(o.unit_ids):
            u = self.units[uid]
            if u.state in (MoraleState.ROUTED,) and o.kind in ("attack", "move"):
                self._emit("order_refused", unit=uid, order=o.id or o.kind, reason="routed")
                continue
            self._emit("order", unit=uid, order_kind=o.kind, order=o.id or "", source=source)
            u.order = o
            u.deferred_order = None  # a new order replaces one still waiting
            if o.kind == "attack" and self._just_lost(o.objective, u.side):
                self.counterattacks[u.side] += 1
                self._emit("counterattack", unit=uid, zone=o.objective, side=u.side)
            if o.kind in ("move", "attack") and u.state is MoraleState.RETREATING:
                # men falling back cannot be sent forward yet: the order waits for them to
                # rally (before, it stopped the retreat and was lost when they rallied)
                u.deferred_order = o
                self._emit("order_deferred", unit=uid, order=o.id or o.kind, reason="retreating")
            elif o.kind in ("move", "attack", "withdraw"):
                self._carry_out_move(u, o)
            elif o.kind == "defend":
                self.stop(u)
                u.activity = "defending"
                # a unit already in the zone defends where it stands (in its trenches)
                if o.zone is not None and not self.in_zone(o.zone, u.x, u.y):
                    self.start_move(u, self.zone_centre[o.zone], [])
            elif o.kind == "dig_in":
                self.stop(u)
                u.activity = "digging"
                self.env.process(self._dig_in(u, u.token))
            elif o.kind == "fire_mission":
                self.env.process(self._fire_mission(u, o))
            elif o.kind == "air_strike":
                self.env.process(self._air_strike(u, o))
            elif o.kind == "build_crossing":
                self.env.process(self._build_crossing(u, o))

    def _carry_out_move(self, u: UnitState, o: Any) -> None:
        """Set a unit going on a move, attack or withdraw order."""
        goal = self.target_point(o.objective if o.kind == "attack" else o.to)
        u.objective = o.objective if o.kind == "attack" else None
        u.activity = {"move": "moving", "attack": "attacking", "withdraw": "withdrawing"}[o.kind]
        self.start_move(u, goal, [tuple(p) for p in o.route])

    def _just_lost(self, zone: str, side: str) -> bool:
        """Return True if *side* lost *zone* within the counter-attack window and does not hold it."""
        lost = self.lost_at.get((zone, side))
        window = self.params.f("command.counterattack_window_h") * 60.0
        return lost is not None and self.now - lost <= window and self.holder.get(zone) != side

    def stop(self, u: UnitState) -> None:
        """Stop a unit's movement (its move processes end at their next step)."""
        u.token += 1
        u.moving = False
        for t in u.tanks:
            t.token += 1
            t.moving = False

    # ------------------------------------------------------------------ movement

    def _route(self, mobility: str, side: str, start: tuple[float, float], goal: tuple[float, float], via: list[tuple[float, float]]) -> Any:
        forbidden = self.forbidden.get(side)
        key = (mobility, side, self.cell(*start), self.cell(*goal), tuple(self.cell(*v) for v in via))
        r = self._route_cache.get(key)
        if r is None:
            r = plan_route(self.terrain, mobility, start, goal, waypoints=tuple(via), forbidden=forbidden)
            self._route_cache[key] = r
        return r

    def start_move(self, u: UnitState, goal: tuple[float, float], via: list[tuple[float, float]]) -> None:
        """Plan routes and start the movement processes of a unit (and of each of its tanks)."""
        self.stop(u)
        if u.is_air:
            return
        if u.tanks:
            live = [t for t in u.tanks if t.status == TANK_OPERATIONAL]
            columns = self._columns(u, live, goal, via)
            for t in live:
                path_via = columns[t.column % len(columns)]
                route = self._route(t.mobility, u.side, (t.x, t.y), goal, path_via)
                delay = (t.column // len(columns)) * self.params.f("engine.tank_spacing_min")
                t.moving = True
                self.env.process(self._tank_move(t, route, t.token, delay))
            u.moving = bool(live)
            return
        mob = "towed" if u.type in ("artillery",) else "foot"
        route = self._route(mob, u.side, (u.x, u.y), goal, via)
        u.moving = True
        self.env.process(self._unit_move(u, route, u.token))

    def _columns(self, u: UnitState, live: list[TankState], goal: tuple[float, float], via: list[tuple[float, float]]) -> list[list[tuple[float, float]]]:
        """Return the waypoint lists of the tank columns: one per crossing the route uses."""
        if not live or not self.terrain.crossings:
            return [via]
        lead = live[0]
        base = self._route(lead.mobility, u.side, (lead.x, lead.y), goal, via)
        used = [c for c in base.seg_crossing if c]
        if not used:
            return [via]
        first = used[0]
        xing = {c.id: c for c in self.terrain.crossings}
        c0 = xing[first]
        near_m = self.params.f("engine.crossing_group_m")
        group = sorted(
            (c for c in self.terrain.crossings if math.hypot(c.x_m - c0.x_m, c.y_m - c0.y_m) <= near_m),
            key=lambda c: c.id,
        )
        return [[*via, (c.x_m, c.y_m)] if not via else [(c.x_m, c.y_m), *via] for c in group]

    def _unit_move(self, u: UnitState, route: Any, token: int) -> ProcessGen:
        if not route.reachable or len(route.points_m) < 2:
            self._emit("route_blocked", unit=u.id, x=u.x, y=u.y)
            u.moving = False
            return
        cp = self.cp
        pts = route.points_m
        legs = movement.foot_legs(route.seg_length_m, route.seg_speed_kmh, cp.leg_m, cp.foot_leg_min)
        night_factor = self.params.f("mobility.night_factor.foot")
        pin = self.params.f("morale.pin_suppression")
        self._emit("move_start", unit=u.id, length_m=float(route.length_m))
        for a, b in legs:
            while True:
                if u.token != token:
                    return
                if u.state in _FALLING_BACK and u.activity not in ("retreating", "withdrawing"):
                    u.moving = False
                    return
                advancing = u.activity == "attacking"
                f = movement.infantry_speed_factor(u.suppression, self.is_night(), night_factor, pin)
                if advancing and not morale.can_advance(u.state):
                    f = 0.0
                if u.activity in ("retreating", "withdrawing"):
                    f = max(f, 0.5)
                if f > 0:
                    u.moving = True
                    if u.entrenchment != "none":
                        # men who leave their scrapes, trenches or works are in the open
                        self._emit("left_position", unit=u.id, was=u.entrenchment)
                        u.entrenchment = "none"
                    break
                # pinned or not allowed to advance: the men go to ground until they can move
                u.moving = False
                yield self.env.timeout(cp.pulse_min)
                self._tick()
            seg_len = route.seg_length_m[a:b]
            speeds = np.maximum(route.seg_speed_kmh[a:b], 0.05)
            dur = float(np.sum(seg_len / (speeds * 1000.0 / 60.0))) / f
            if advancing and self._at_wire(u):
                dur /= cp.wire_delay
            yield self.env.timeout(dur)
            self._tick()
            if u.token != token:
                return
            u.x, u.y = float(pts[b][0]), float(pts[b][1])
        u.moving = False
        self._emit("move_end", unit=u.id, x=u.x, y=u.y)
        if u.activity in ("attacking", "moving"):
            u.activity = "holding"
        if self.params.f("command.dig_in_on_halt") > 0:
            # men who halt dig in where they stand (scrapes in an hour, then trenches),
            # whether they took ground or fell back to it
            self.env.process(self._dig_in(u, u.token))

    def _at_wire(self, u: UnitState) -> bool:
        for vid in self.ground_ids:
            v = self.units[vid]
            if v.side != u.side and v.wire and v.men > 0 and math.hypot(v.x - u.x, v.y - u.y) < self.cp.close_assault_m * 2:
                return True
        return False

    def _tank_move(self, t: TankState, route: Any, token: int, delay_min: float) -> ProcessGen:
        if delay_min > 0:
            yield self.env.timeout(delay_min)
            self._tick()
        if t.token != token:
            return
        if not route.reachable or len(route.points_m) < 2:
            self._emit("route_blocked", tank=t.id, x=t.x, y=t.y)
            t.moving = False
            return
        p = self.params
        rut = p.f("bogging.rut_factor_per_pass")
        cap = int(p.f("bogging.rut_passes_cap"))
        night_factor = p.f(f"mobility.night_factor.{t.mobility}")
        pts = route.points_m
        rng = self.rng.get("bog", t.id)
        for leg in self._tank_legs(route):
            a, b = leg.a, leg.b
            if t.token != token or t.status != TANK_OPERATIONAL:
                t.moving = False
                return
            dur = leg.minutes
            if self.is_night():
                dur /= night_factor
            xing = leg.crossing
            soft_m = leg.soft_m
            p100 = leg.p_bog_per_100m
            if xing:
                req = self.crossings[xing].request()
                t0 = self.now
                yield req
                self._tick()
                waited = self.now - t0
                if waited > 0:
                    self._emit("queued", tank=t.id, crossing=xing, wait_min=waited)
                passes = self.crossing_passes[xing]
                self.crossing_passes[xing] = passes + 1
                p_eff = movement.rutted_bog_rate(p100, passes, rut, cap)
                try:
                    yield self.env.timeout(dur)
                    self._tick()
                finally:
                    self.crossings[xing].release(req)
            else:
                passes = self.soft_passes.get(leg.rut_cell, 0)
                if soft_m > 0:
                    self.soft_passes[leg.rut_cell] = passes + 1
                p_eff = movement.rutted_bog_rate(p100, passes, rut, cap)
                yield self.env.timeout(dur)
                self._tick()
            if t.token != token or t.status != TANK_OPERATIONAL:
                t.moving = False
                return
            # zones entered on this leg
            for z in leg.zones:
                if z not in t.reached:
                    t.reached.add(z)
                    self._emit("tank_reached", tank=t.id, unit=t.unit, zone=z)
            if soft_m > 0 and movement.bogs_down(soft_m, p_eff, rng):
                frac = movement.bog_point_fraction(rng)
                i = a + min(int(frac * (b - a)), b - a - 1)
                t.x, t.y = float(pts[i + 1][0]), float(pts[i + 1][1])
                t.status = TANK_BOGGED
                t.moving = False
                self._emit("bogged", tank=t.id, unit=t.unit, x=t.x, y=t.y, soft_m=soft_m, p_bog_per_100m=p_eff, crossing=xing)
                self.env.process(self._recover(t))
                self._update_tank_unit_position(self.units[t.unit])
                return
            t.x, t.y = float(pts[b][0]), float(pts[b][1])
        t.moving = False
        self._update_tank_unit_position(self.units[t.unit])

    def _tank_legs(self, route: Any) -> list[TankLeg]:
        """Return a tank route's legs with what each needs, worked out once per route."""
        hit = self._legs_cache.get(id(route))
        if hit is not None and hit[0] is route:
            return hit[1]
        crossing_seg = np.array([bool(c) for c in route.seg_crossing], dtype=bool)
        pts = route.points_m
        legs: list[TankLeg] = []
        for a, b in movement.split_legs(route.seg_length_m, self.cp.leg_m, breaks=crossing_seg):
            seg_len = route.seg_length_m[a:b]
            speeds = np.maximum(route.seg_speed_kmh[a:b], 0.05)
            soft_m = float(np.sum(seg_len[route.seg_soft[a:b]]))
            legs.append(TankLeg(
                a=a,
                b=b,
                minutes=float(np.sum(seg_len / (speeds * 1000.0 / 60.0))),
                crossing=route.seg_crossing[a] if crossing_seg[a] else "",
                soft_m=soft_m,
                p_bog_per_100m=float(np.max(route.seg_p_bog_per_100m[a:b])) if soft_m > 0 else 0.0,
                rut_cell=self.cell(float(pts[a][0]) // 100.0 * 100.0, float(pts[a][1]) // 100.0 * 100.0),
                zones=self._zones_along(pts[a : b + 1]),
            ))
        self._legs_cache[id(route)] = (route, legs)
        return legs

    def _zones_along(self, points: np.ndarray) -> tuple[str, ...]:
        """Return the zones the points lie in, in the order they are first entered."""
        seen: dict[str, None] = {}
        g = self.terrain.grid
        for x, y in points.tolist():
            if not g.contains(x, y):
                continue
            bits = int(self.zone_bits[self.cell(x, y)])
            while bits:  # the zones of the set bits, lowest first (the zone_ids order)
                low = bits & -bits
                seen.setdefault(self.zone_ids[low.bit_length() - 1])
                bits ^= low
        return tuple(seen)

    def _update_tank_unit_position(self, u: UnitState) -> None:
        live = [t for t in u.tanks if t.status != TANK_DESTROYED]
        if live:
            # the battalion stands where its middle tank is (a mean could fall in the lake
            # when columns pass on both sides of it)
            mx = float(np.mean([t.x for t in live]))
            my = float(np.mean([t.y for t in live]))
            mid = min(live, key=lambda t: ((t.x - mx) ** 2 + (t.y - my) ** 2, t.id))
            u.x, u.y = mid.x, mid.y
        u.moving = any(t.moving for t in u.tanks)

    def _recover(self, t: TankState) -> ProcessGen:
        p = self.params
        chance = p.f("bogging.recovery_chance_per_attempt")
        every = p.f("bogging.recovery_attempt_h") * 60.0
        quiet = p.f("bogging.recovery_needs_no_fire_min")
        rng = self.rng.get("recover", t.id)
        while t.status == TANK_BOGGED:
            yield self.env.timeout(every)
            self._tick()
            if t.status != TANK_BOGGED:
                return
            if self.now - t.last_under_fire_min < quiet:
                continue
            if rng.random() < chance:
                t.status = TANK_OPERATIONAL
                self._emit("recovered", tank=t.id, unit=t.unit, x=t.x, y=t.y)
                return

    def _repair(self, t: TankState) -> ProcessGen:
        p = self.params
        every = p.f("repair.attempt_h") * 60.0
        chance = p.f("repair.success_chance")
        near = p.f("repair.enemy_near_m")
        rng = self.rng.get("repair", t.id)
        yield self.env.timeout(every)
        self._tick()
        if t.status != TANK_DAMAGED:
            return
        side = self.units[t.unit].side
        enemy_near = any(
            self.units[v].side != side and self.units[v].men > 0 and math.hypot(self.units[v].x - t.x, self.units[v].y - t.y) < near
            for v in self.ground_ids
        )
        if not enemy_near and rng.random() < chance:
            t.status = TANK_OPERATIONAL
            self._emit("repaired", tank=t.id, unit=t.unit)
        else:
            t.status = TANK_DESTROYED
            t.written_off = True
            self._emit("written_off", tank=t.id, unit=t.unit, enemy_near=int(enemy_near))

    def _dig_in(self, u: UnitState, token: int) -> ProcessGen:
        """Scrape in, then dig trenches, as far as the ground where the unit stands allows
        (``terrain.dig_limit``), unless it moves off first."""
        levels = ["none", "hasty", "trenches"]
        for lvl in ("hasty", "trenches"):
            if levels.index(u.entrenchment) >= levels.index(lvl) or u.entrenchment == "fortified":
                continue
            limit = self._dig_limit.get(int(self.terrain.terrain_class[self.cell(u.x, u.y)]))
            if limit is not None and levels.index(lvl) > levels.index(limit):
                return  # the ground allows no more (on rock: sangars, no trenches)
            yield self.env.timeout(self.params.f(f"command.dig_in_hours.{lvl}") * 60.0)
            self._tick()
            if u.token != token or u.moving:
                return
            u.entrenchment = lvl
            self._emit("dug_in", unit=u.id, level=lvl)

    def _build_crossing(self, u: UnitState, o: Any) -> ProcessGen:
        """Sappers go to the sites and make crossings over the stream, all sites at once."""
        p = self.params
        radius = p.f("engineering.crossing_radius_m")
        if u.type != "engineer":
            self._emit("order_refused", unit=u.id, order=o.id or o.kind, reason="only engineers build crossings")
            return
        sites = []
        for s in o.sites:
            if s.id in self.crossings:
                self._emit("order_refused", unit=u.id, order=o.id or o.kind, reason=f"crossing {s.id} exists")
            elif not engineering.stream_cells_at(self.terrain, s.at[0], s.at[1], radius).any():
                self._emit("order_refused", unit=u.id, order=o.id or o.kind, reason=f"no stream within {radius:.0f} m of {s.id}")
            else:
                sites.append(s)
        if not sites:
            return
        if u.state in _FALLING_BACK:
            self._emit("order_refused", unit=u.id, order=o.id or o.kind, reason=u.state.value)
            return
        u.activity = "moving"
        cx, cy = float(np.mean([s.at[0] for s in sites])), float(np.mean([s.at[1] for s in sites]))
        self.start_move(u, (cx, cy), [])
        token = u.token
        while u.moving:
            yield self.env.timeout(self.cp.pulse_min)
            self._tick()
            if u.token != token:
                return
        if math.hypot(u.x - cx, u.y - cy) > p.f("engine.unit_frontage_m") / 2.0:  # the sites are not within its frontage
            self._emit("order_refused", unit=u.id, order=o.id or o.kind, reason="could not reach the sites")
            u.activity = "holding"
            return
        u.activity = "building"
        g = self.rng.get("engineering", u.id)
        base, spread = p.f("engineering.crossing_effort_man_h"), p.f("engineering.effort_spread")
        left = {s.id: engineering.crossing_effort_man_h(base, spread, float(g.standard_normal())) for s in sites}
        self._emit("crossing_work_start", unit=u.id, crossings=",".join(left), effort_man_h=sum(left.values()))
        party, night = p.f("engineering.party_max_men"), p.f("engineering.night_factor")
        while left:
            yield self.env.timeout(self.cp.pulse_min)
            self._tick()
            if u.token != token or u.men <= 0:
                self._emit("crossing_work_stopped", unit=u.id, crossings=",".join(left))
                return
            rate = engineering.work_rate_man_h_per_h(u.men, len(left), party, u.suppression, self.is_night(), night)
            for s in sites:
                if s.id in left:
                    left[s.id] -= rate * self.cp.pulse_min / 60.0
                    if left[s.id] <= 0:
                        del left[s.id]
                        self._open_crossing(Crossing(s.id, float(s.at[0]), float(s.at[1]), s.capacity, f"built by {u.id}"), u)
        u.activity = "holding"

    def _open_crossing(self, c: Crossing, u: UnitState) -> None:
        """Lay a finished crossing into the ground: routes planned from now on may use it."""
        self.terrain = engineering.terrain_with_crossings(
            self.terrain, (c,), self.params.f("engineering.crossing_radius_m"),
            nest(self.params.subtree("mobility")), nest(self.params.subtree("terrain")),
        )
        self.crossings[c.id] = simpy.Resource(self.env, capacity=c.capacity)
        self.crossing_passes[c.id] = 0
        self._route_cache.clear()
        # sight lines are cached per terrain: the new one drops the old cache if the
        # crossing changed what can be seen
        self._los_cache = self.terrain.extras.setdefault("_los_cells_50m", {})
        self._emit("crossing_built", unit=u.id, crossing=c.id, x=c.x_m, y=c.y_m, capacity=c.capacity)

    # ------------------------------------------------------------------ artillery and air

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
        for v in self._ground_units():
            if v.side == shooter.side or (v.men <= 0 and not v.tanks):
                continue
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

    def _air_strike(self, u: UnitState, o: Any) -> ProcessGen:
        p = self.params
        limit = p.f("air.fog_visibility_limit_m")
        waited = 0.0
        while o.in_fog == "wait" and self.visibility_m() < limit:
            if waited == 0.0:
                self._emit("strike_delayed", unit=u.id, reason="fog")
            yield self.env.timeout(10.0)
            self._tick()
            waited += 10.0
            if waited > 180.0:
                self._emit("strike_cancelled", unit=u.id, reason="fog")
                return
        tx, ty = self.target_point(o.target)
        vis = self.visibility_m()
        cep_factor = air.fog_cep_factor(vis, p.f("air.cep_clear_visibility_m"), p.f("air.cep_blind_factor"))
        strafe_seen = air.strafe_share_seen(vis, p.f("air.strafe_sight_m"))
        if vis < limit:
            self._emit("strike_in_fog", unit=u.id, visibility_m=vis, cep_factor=cep_factor, strafe_seen=strafe_seen)
        rng = self.rng.get("air", u.id)
        sorties = dict(o.sorties) if o.sorties else dict(u.aircraft)
        area = self.cp.unit_area_m2
        enemy = [self.units[v] for v in self.ground_ids if self.units[v].side != u.side]
        for atype in sorted(sorties):
            n = min(sorties[atype], u.aircraft.get(atype, 0))
            if n <= 0:
                continue
            band = str(p.value(f"aircraft.{atype}.altitude_band"))
            aa = 0.0
            for v in enemy:
                if v.men <= 0:
                    continue
                for w, k in sorted(v.weapons_start.items()):
                    if self._category(w) != "anti-aircraft":
                        continue
                    if band == "high" and w != "aa-gun":
                        continue
                    if math.hypot(v.x - tx, v.y - ty) <= p.f(f"weapons.{w}.range_m"):
                        aa += k * v.men_share * p.f(f"weapons.{w}.aircraft_damage_per_strike")
            damaged = air.aircraft_hit_by_aa(n, 1.0, min(aa, 1.0), rng) if aa > 0 else 0
            lost = air.aircraft_lost(damaged, p.f("air.aircraft_lost_fraction_of_damaged"), rng)
            u.aircraft_damaged += damaged
            u.aircraft_lost += lost
            u.aircraft[atype] = u.aircraft.get(atype, 0) - lost
            load_kg = p.f(f"aircraft.{atype}.bomb_load_kg") * n
            bomb_kg = p.f(f"aircraft.{atype}.bomb_kg")
            bombs = load_kg / bomb_kg if bomb_kg > 0 else 0.0
            cep = p.f(f"aircraft.{atype}.cep_m") * cep_factor
            strafe = p.f(f"aircraft.{atype}.strafe_rounds") * n
            tonnes = load_kg / 1000.0
            u.bombs_t += tonnes
            self.bombs_t[u.side] += tonnes
            self._emit("strike", unit=u.id, aircraft=atype, sorties=n, bombs_t=tonnes, damaged=damaged, lost=lost, x=tx, y=ty)
            for v in enemy:
                if v.men <= 0:
                    continue
                d = math.hypot(v.x - tx, v.y - ty)
                g = self.rng.get("casualties", v.id)
                exp = 0.0
                sup = 0.0
                if bombs > 0:
                    on_v = air.bombs_on_unit(bombs, d, cep, area)
                    lethal = p.f("air.lethal_area_m2_per_100kg") * bomb_kg / 100.0
                    posture = p.f(f"artillery.posture_lethality.{v.entrenchment}")
                    exp += artillery.expected_area_casualties(on_v, lethal, posture, v.men, area)
                    sup += 1.0 - math.exp(-on_v * bomb_kg / 1000.0 * p.f("air.suppression_per_tonne") * 10.0)
                if strafe > 0 and d <= o.radius_m + 200.0 and o.strafing:
                    ex = self.cp.entrench_exposure[v.entrenchment]
                    exp += strafe / 1000.0 * p.f("air.strafe_kills_per_1000_rounds") * ex * strafe_seen
                    sup += strafe / 1000.0 * p.f("air.strafe_suppression_per_1000_rounds") * strafe_seen
                if exp > 0 or sup > 0:
                    self._inflict(v, exp, g, cause=f"air:{u.id}")
                    v.suppression = morale.add_suppression(v.suppression, min(sup, 1.0))
                    v.last_under_fire_min = self.now
        yield self.env.timeout(0)
        self._tick()

    # ------------------------------------------------------------------ losses

    def _inflict(self, v: UnitState, expected: float, g: np.random.Generator, cause: str) -> None:
        if expected <= 0 or v.men <= 0:
            return
        routed = v.state in _FALLING_BACK
        miss = self.cp.missing_routed if routed else self.cp.missing_steady
        kf = self.cp.killed_fraction_by_side.get(v.side, self.cp.killed_fraction)
        cas = fire.draw_casualties(v.men, expected, kf, miss, self.cp.max_loss_fraction, g)
        if cas.total == 0:
            return
        v.men -= cas.total
        v.killed += cas.killed
        v.wounded += cas.wounded
        v.missing += cas.missing
        v.pulse_loss += cas.total
        self._emit("casualties", unit=v.id, killed=cas.killed, wounded=cas.wounded, missing=cas.missing, cause=cause)

    def _observed_fire(self, dt: float) -> None:
        """Observed artillery fire on bogged tanks: a stuck tank that an enemy post can see,
        within range of an enemy battery with rounds left, is ranged in and may be hit
        (model-anchors 3.6: a bogged tank is a stationary target, its risk rising with time stuck).
        """
        p = self.params
        rate_h = p.f("artillery.observed_fire_kill_per_hour")
        if rate_h <= 0 or self.is_night():
            return
        stuck = [t for t in self.all_tanks if t.status == TANK_BOGGED]
        if not stuck:
            return
        see_m = min(p.f("artillery.observation_range_m"), self.visibility_m())
        p_hit = -math.expm1(-rate_h * dt / 60.0)
        # each side's observation posts and batteries with rounds left, once per pulse
        ranges = self.fire_tables["range"]
        posts: dict[str, list[tuple[float, float]]] = {"soviet": [], "japanese": []}  # where they are
        guns: dict[str, list[tuple[str, float, float, float]]] = {"soviet": [], "japanese": []}
        for v in self._ground_units():
            vid = v.id
            if v.men <= 0 or v.side not in posts:
                continue
            if v.state not in _FALLING_BACK:
                posts[v.side].append((v.x, v.y))
            if v.type == "artillery" and (v.ammunition is None or v.ammunition > 0):
                reach = max((ranges[w] for w, n in v.guns.items() if n > 0), default=0.0)
                if reach > 0:
                    guns[v.side].append((vid, v.x, v.y, reach))
        # for each stuck tank: the first enemy battery (by id) in range, and whether one of
        # the three nearest enemy posts within sight can see it. A pure function of where
        # the tanks, posts and batteries are (and of the sight lines): the last answer is
        # given again while they all stand where they stood
        key = ([(t.id, t.unit, t.x, t.y) for t in stuck], posts["soviet"], posts["japanese"], guns["soviet"], guns["japanese"], see_m)
        memo = self._spotted_memo
        if memo is not None and memo[1] is self._los_cache and memo[0] == key:
            seen, battery = memo[2]
        else:
            seen, battery = self._spotted(stuck, posts, guns, see_m)
            self._spotted_memo = (key, self._los_cache, (seen, battery))
        for t in stuck:
            if t.id not in seen:
                continue
            g = self.rng.get("observed-fire", t.id)
            t.last_under_fire_min = self.now
            if g.random() < p_hit:
                self._knock_out(t, g, cause=f"observed-artillery:{battery[t.id]}")

    def _spotted(
        self, stuck: list[TankState], posts: dict[str, list[tuple[float, float]]], guns: dict[str, list[tuple[str, float, float, float]]], see_m: float,
    ) -> tuple[set[str], dict[str, str]]:
        """Return the stuck tanks an enemy post sees and, for each stuck tank in reach of an
        enemy battery, the first such battery by id (posts: each side's posts' positions, in
        id order; guns: each side's batteries with rounds left, as (id, x, y, reach))."""
        battery: dict[str, str] = {}
        seen: set[str] = set()
        for enemy in ("japanese", "soviet"):
            mine = [t for t in stuck if self.units[t.unit].side != enemy]
            if not mine or not posts[enemy] or not guns[enemy]:
                continue
            tx = np.array([t.x for t in mine])
            ty = np.array([t.y for t in mine])
            gl = sorted(guns[enemy])
            in_reach = np.hypot(np.array([g[1] for g in gl])[None, :] - tx[:, None], np.array([g[2] for g in gl])[None, :] - ty[:, None]) <= np.array([g[3] for g in gl])[None, :]
            covered = np.flatnonzero(in_reach.any(axis=1))
            if not covered.size:
                continue
            pl = posts[enemy]
            px = np.array([x for x, _ in pl])
            py = np.array([y for _, y in pl])
            d = np.hypot(px[None, :] - tx[covered, None], py[None, :] - ty[covered, None])
            keyed = np.where(d <= see_m, d, np.inf)
            # nearest first, ties by id: posts are in id order (ground_ids is sorted), so a
            # stable sort keeps equally near posts in id order
            order = np.argsort(keyed, axis=1, kind="stable")[:, :3]
            rows = np.repeat(np.arange(covered.size), order.shape[1])
            cols = order.reshape(-1)
            ok = np.isfinite(keyed[rows, cols])
            rows, cols = rows[ok], cols[ok]
            los = self._los_arrays(px[cols], py[cols], tx[covered[rows]], ty[covered[rows]])
            for k in set(rows[los].tolist()):
                seen.add(mine[covered[k]].id)
            for k in covered.tolist():
                battery[mine[k].id] = gl[int(np.argmax(in_reach[k]))][0]
        return seen, battery

    def _knock_out(self, t: TankState, g: np.random.Generator, cause: str) -> None:
        u = self.units[t.unit]
        was = t.status
        t.knocked_out += 1
        t.moving = False
        t.token += 1
        burn = g.random() < self.cp.tank_burn_fraction
        t.status = TANK_DESTROYED if burn else TANK_DAMAGED
        crew = min(u.men, int(g.binomial(3, min(1.0, self.cp.tank_crew_casualties / 3.0))))
        if crew:
            k = int(g.binomial(crew, self.cp.killed_fraction * (2.0 if burn else 1.0)))
            u.men -= crew
            u.killed += k
            u.wounded += crew - k
            u.pulse_loss += crew
        self._emit("tank_knocked_out", tank=t.id, unit=t.unit, burnt=int(burn), was=was, command=int(t.command), cause=cause)
        if not burn:
            self.env.process(self._repair(t))
        if t.command and u.command_intact and all(x.status not in TANK_FIRING for x in u.tanks if x.command):
            u.command_intact = False
            u.shocks += self.params.f("morale.leader_loss")
            self._emit("command_lost", unit=u.id, cause=cause)
            # Without its commanders the battalion stops and fires from where it stands.
            for x in u.tanks:
                x.token += 1
                x.moving = False
            u.moving = False
        self._update_tank_unit_position(u)

    # ------------------------------------------------------------------ the combat pulse

    def _pulse(self) -> ProcessGen:
        cp = self.cp
        while True:
            yield self.env.timeout(cp.pulse_min)
            self._tick()
            self._direct_fire(cp.pulse_min)
            self._observed_fire(cp.pulse_min)
            # who stands within close-assault range of whom, after the fire: penetration
            # wears morale (shocks only), so calling off counter-attacks reads the same
            close = self._close_quarters()
            self._penetration(cp.pulse_min, close)
            if self.counterattack_men:
                # an attack is called off as soon as it has lost its share, not at the turn
                self._call_off_counterattacks(self.params.f("command.counterattack_break_off_loss"), close)
            self._update_morale(cp.pulse_min)
            self._keep_falling_back(cp.pulse_min)
            self._update_zones()

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

    def _close_pairs(self, x: np.ndarray, y: np.ndarray, sov: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """Return which units are within close-assault range of each other (one row and
        column a unit, themselves included) and which of those pairs are enemies (None
        when there are none).

        Units mostly stand where they stood the pulse before: the answer is kept while
        the positions are the same floats and *sov* is the very array given last time
        (:meth:`_soviet_of` gives the same array again for the same units).
        """
        key = (x.tobytes(), y.tobytes())
        memo = self._close_memo
        if memo is not None and memo[0] is sov and memo[1] == key:
            return memo[2]
        reach = self.cp.close_assault_m
        dx = x[:, None] - x[None, :]
        dy = y[:, None] - y[None, :]
        near = dx * dx + dy * dy <= reach * reach
        across = near & (sov[:, None] != sov[None, :])
        near.flags.writeable = across.flags.writeable = False  # given again: no caller may change them
        out = (near, across if across.any() else None)
        self._close_memo = (sov, key, out)
        return out

    def _soviet_of(self, purpose: str, things: list[Any]) -> np.ndarray:
        """Return whether each of *things* (units, or tanks by their unit) is Soviet.

        Sides never change, so the answer for each *purpose* is kept while its list holds
        the same things (the same objects, in the same order).
        """
        memo = self._soviet_memo.get(purpose)
        if memo is not None and memo[0] == things:
            return memo[1]
        sov = self._soviet_unit
        out = np.array([sov[t.unit] if isinstance(t, TankState) else sov[t.id] for t in things], dtype=bool)
        out.flags.writeable = False  # given again: no caller may change it
        self._soviet_memo[purpose] = (list(things), out)
        return out

    def _los(self, pairs: list[tuple[float, float, float, float]]) -> list[bool]:
        """Return line of sight for point pairs (x1, y1, x2, y2), as :meth:`_los_arrays`."""
        if not pairs:
            return []
        if len(pairs) <= _FEW_PAIRS:
            return self._los_keys([self._los_key(*pr) for pr in pairs]).tolist()
        arr = np.asarray(pairs, dtype=float)
        return self._los_arrays(arr[:, 0], arr[:, 1], arr[:, 2], arr[:, 3]).tolist()

    def _los_key(self, x1: float, y1: float, x2: float, y2: float) -> int:
        """Return the cache key of a sight line: one integer per unordered pair of 50 m cells."""
        width = self._los_width
        # x-major cell numbers, so the lower key is the cell that is west (then south)
        a = int(x1 // 50.0) * width + int(y1 // 50.0)
        b = int(x2 // 50.0) * width + int(y2 // 50.0)
        return min(a, b) * (width * width + width) + max(a, b)

    def _los_arrays(self, x1: np.ndarray, y1: np.ndarray, x2: np.ndarray, y2: np.ndarray) -> np.ndarray:
        """Return line of sight between point pairs given as arrays (keys as :meth:`_los_key`)."""
        if len(x1) == 0:
            return np.zeros(0, dtype=bool)
        width = self._los_width
        a = (x1 // 50.0).astype(np.int64) * width + (y1 // 50.0).astype(np.int64)
        b = (x2 // 50.0).astype(np.int64) * width + (y2 // 50.0).astype(np.int64)
        keys = np.minimum(a, b) * (width * width + width) + np.maximum(a, b)
        # most keys are found in the sorted copy of the cache; the others go by the dict
        index = self._sight_index()
        if index.keys.size:
            pos = np.minimum(np.searchsorted(index.keys, keys), index.keys.size - 1)
            found = index.keys[pos] == keys
            seen = index.seen[pos]
            if found.all():
                return seen
            missed = ~found
            seen[missed] = self._los_keys(keys[missed].tolist())
        else:
            missed = np.ones(keys.size, dtype=bool)
            seen = self._los_keys(keys.tolist())
        index.behind += int(missed.sum())
        if index.behind > max(256, index.keys.size // 4):
            index.rebuild()
        return seen

    def _sight_index(self) -> _SightIndex:
        """Return the sorted copy of the sight-line cache (made anew when the cache is another)."""
        extras = self.terrain.extras
        index = extras.get("_los_cells_50m_sorted")
        if index is None or index.source is not self._los_cache:
            index = _SightIndex(self._los_cache)
            extras["_los_cells_50m_sorted"] = index
        return index

    def _los_keys(self, keys: list[int]) -> np.ndarray:
        """Return line of sight for cache keys, computing the missing ones.

        On a miss the sight line is computed between the two cells' centres, so the cached
        value is a pure function of the terrain and the key, whoever asked first.
        """
        cache = self._los_cache
        get = cache.get
        got = [get(k) for k in keys]
        if None in got:
            if len(cache) > _LOS_CACHE_LIMIT:
                cache.clear()
                got = [None] * len(keys)
            todo = list(dict.fromkeys(k for k, v in zip(keys, got, strict=True) if v is None))
            width = self._los_width
            n = width * width + width
            kt = np.array(todo, dtype=np.int64)
            lo_t, hi_t = kt // n, kt % n
            pa = (np.stack([lo_t // width, lo_t % width], axis=1) + 0.5) * 50.0
            pb = (np.stack([hi_t // width, hi_t % width], axis=1) + 0.5) * 50.0
            cache.update(zip(todo, visible_many(self.terrain, pa, pb).tolist(), strict=True))
            got = [cache[k] for k in keys]
        return np.array(got, dtype=bool)

    def _cells(self, xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return the raster cells of points, as :meth:`cell` does one (clipped to the map)."""
        g = self.terrain.grid
        # np.minimum/np.maximum rather than np.clip: the same cells without np.clip's
        # argument checks, which cost more than the work on a few dozen points
        r = np.minimum(np.maximum((ys // g.cell_m).astype(np.int64), 0), g.nrows - 1)
        c = np.minimum(np.maximum((xs // g.cell_m).astype(np.int64), 0), g.ncols - 1)
        return r, c

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

    def _ground_units(self) -> list[UnitState]:
        """Return the ground units in id order (the list is made again when ground_ids changes)."""
        if self._ground_of is not self.ground_ids:
            self._ground_list = [self.units[i] for i in self.ground_ids]
            self._ground_of = self.ground_ids
        return self._ground_list

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

    def _seen_pairs(
        self, purpose: str, ax: np.ndarray, ay: np.ndarray, a_soviet: np.ndarray, a_reach: np.ndarray,
        bx: np.ndarray, by: np.ndarray, b_soviet: np.ndarray, close_m: float = 0.0, nearest: bool = False,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return the (row, col, distance) of the enemy pairs a -> b within a's reach that can see
        each other (or are within *close_m*), row-major; with *nearest*, only each a's nearest
        (ties by the lower col, which is the lower id when b is in id order).

        The answer is a pure function of the positions, sides and reaches (sight lines are
        of the terrain), and from one pulse to the next they mostly stay put: the last
        answer for each *purpose* is kept and given again while its arguments and the
        sight-line cache are the same.
        """
        key = (ax.tobytes(), ay.tobytes(), a_soviet.tobytes(), a_reach.tobytes(), bx.tobytes(), by.tobytes(), b_soviet.tobytes(), close_m, nearest)
        memo = self._seen_memo.get(purpose)
        if memo is not None and memo[1] is self._los_cache and memo[0] == key:
            return memo[2]
        rows, cols, dist = _pairs_in_range(ax, ay, a_soviet, a_reach, bx, by, b_soviet)
        if rows.size:
            # line of sight for every candidate pair at once
            seen = self._los_arrays(ax[rows], ay[rows], bx[cols], by[cols])
            if close_m > 0:
                seen |= dist <= close_m
            rows, cols, dist = rows[seen], cols[seen], dist[seen]
            if nearest and rows.size:
                order = np.lexsort((cols, dist, rows))
                rows, cols, dist = rows[order], cols[order], dist[order]
                first = np.flatnonzero(np.concatenate(([True], rows[1:] != rows[:-1])))
                rows, cols, dist = rows[first], cols[first], dist[first]
        for arr in (rows, cols, dist):
            arr.flags.writeable = False  # given again next pulse: no caller may change it
        out = (rows, cols, dist)
        self._seen_memo[purpose] = (key, self._los_cache, out)
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

    # ------------------------------------------------------------------ morale and zones

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

    def _holding_list(self) -> list[tuple[int, int, int, bool]]:
        """Return (row, col, men, is-Soviet) of the units in good enough order to hold ground."""
        g = self.terrain.grid
        cm, w, h = g.cell_m, g.width_m, g.height_m
        return [
            (int(u.y // cm), int(u.x // cm), u.men, u.side == "soviet")
            for u in self._ground_units()
            if u.men > 0 and u.type in _HOLDING and u.state not in _FALLING_BACK
            and 0.0 <= u.x < w and 0.0 <= u.y < h
        ]

    @staticmethod
    def _holding_arrays(held: list[tuple[int, int, int, bool]]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        return (
            np.array([r for r, _, _, _ in held], dtype=np.int64),
            np.array([c for _, c, _, _ in held], dtype=np.int64),
            np.array([m for _, _, m, _ in held], dtype=float),
            np.array([s for _, _, _, s in held], dtype=bool),
        )

    def _holding_men(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Return rows, cols, men and is-Soviet of the units in good enough order to hold ground."""
        return self._holding_arrays(self._holding_list())

    def _presence_all(self, holding: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Return the Soviet and Japanese men holding each zone (in ``zone_ids`` order)."""
        rows, cols, men, sov = holding
        nz = len(self.zone_ids)
        if not len(rows):
            return np.zeros(nz), np.zeros(nz)
        if self.zone_bits.dtype == object:
            inside = np.array([self.zone_mask[z][rows, cols] for z in self.zone_ids], dtype=bool)
        else:
            bits = self.zone_bits[rows, cols]
            inside = ((bits[None, :] >> np.arange(nz, dtype=np.int64)[:, None]) & 1).astype(bool)
        # men are whole numbers, so these sums are exact whatever their order
        return inside @ np.where(sov, men, 0.0), inside @ np.where(sov, 0.0, men)

    def presence(self, zone: str, holding: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None) -> dict[str, float]:
        """Return men of each side in a zone (units in good enough order to hold ground)."""
        rows, cols, men, sov = self._holding_men() if holding is None else holding
        inside = self.zone_mask[zone][rows, cols] if len(rows) else np.zeros(0, dtype=bool)
        return {"soviet": float(men[inside & sov].sum()), "japanese": float(men[inside & ~sov].sum())}

    def _compute_holder(self, zone: str, holding: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None) -> str | None:
        pr = self.presence(zone, holding)
        return rules.zone_holder(pr["soviet"], pr["japanese"], self.params.f("command.hold_men_min"))

    def _update_zones(self) -> None:
        held = self._holding_list()
        # the holders depend on nothing else: if no holding unit moved cell, lost men or
        # changed state since the last pulse, no zone changed hands
        if held == self._last_holding:
            return
        self._last_holding = held
        holding = self._holding_arrays(held)
        hold_min = self.params.f("command.hold_men_min")
        sov_men, jap_men = self._presence_all(holding)
        for z, ps, pj in zip(self.zone_ids, sov_men.tolist(), jap_men.tolist(), strict=True):
            h = rules.zone_holder(ps, pj, hold_min)
            old = self.holder[z]
            if h == old:
                continue
            self.holder[z] = h
            self._emit("zone_holder", zone=z, holder=h or "none", was=old or "none")
            if h == "soviet" and self.first_soviet_hold[z] is None:
                self.first_soviet_hold[z] = self.now / 60.0
            if old is not None and h != old:
                self.lost_at[(z, old)] = self.now
            loser = self.last_holder.get(z)
            if h is not None:
                self.last_holder[z] = h
            if loser is not None and h is not None and h != loser:
                # the enemy occupies key ground (McQuie): the side that held it last is
                # shaken then; a zone merely contested, as when a few attackers set foot
                # in it, shakes nobody yet
                shock = self.params.f("morale.zone_lost")
                cx, cy = self.zone_centre[z]
                for uid in self.ground_ids:
                    u = self.units[uid]
                    if u.side == loser and math.hypot(u.x - cx, u.y - cy) < 2000.0:
                        u.shocks += shock

    # ------------------------------------------------------------------ turns and controllers

    def _turns(self) -> ProcessGen:
        while True:
            yield self.env.timeout(self.turn_min)
            self._tick()
            if self.controllers.get("japanese") == "japanese-doctrine":
                self._japanese_doctrine()
            for hook in list(self.turn_hooks):
                hook(self)

    def _japanese_doctrine(self) -> None:
        """Hold the heights; counter-attack a height just lost with a company from the nearest
        battalion in good order that can spare one and still hold its own ground.

        One attack at a time on each height, and the next no sooner than
        ``command.counterattack_interval_h`` after the last went in (a company has to be
        assembled, told its task and brought forward). An attack that has lost
        ``command.counterattack_break_off_loss`` of its men without carrying the ground, or
        that finds the height held in strength, is called off in the pulse it does
        (:meth:`_call_off_counterattacks`), and its group
        goes back to its battalion and rejoins it here, so that the battalion can attack
        again (the digest: the Japanese counter-attacked again and again).
        """
        p = self.params
        self._bring_back_groups()
        window = p.f("command.counterattack_window_h") * 60.0
        interval = p.f("command.counterattack_interval_h") * 60.0
        min_men = p.f("command.counterattack_min_men")
        min_morale = p.f("command.counterattack_min_morale")
        reach = p.f("command.counterattack_range_m")
        commit = p.f("command.counterattack_commit_fraction")
        busy = {uid for uid, u in self.units.items() if u.activity == "attacking" and u.side == "japanese"}
        for z in self.zone_ids:
            if self.zones[z].kind != "height":
                continue  # the heights are the ground worth a company; valleys and villages follow them
            lost = self.lost_at.get((z, "japanese"))
            if lost is None or self.now - lost > window or self.holder[z] == "japanese":
                continue
            attacker = self.counterattack_on.get(z)
            if attacker is not None and attacker in busy:
                continue
            started = self.counterattack_started.get(z)
            if started is not None and self.now - started < interval:
                continue
            cx, cy = self.zone_centre[z]
            cands = []
            for uid in self.ground_ids:
                u = self.units[uid]
                if u.side != "japanese" or u.type not in COUNTERATTACK_TYPES or uid in busy:
                    continue
                if uid in self.group_parent:
                    continue  # a group goes back to its battalion before it attacks again
                if u.men < min_men or u.morale < min_morale or u.state is not MoraleState.STEADY:
                    continue
                if u.men - max(round(u.men * commit), int(min_men)) < min_men:
                    continue  # too weak to spare a company and still hold its own ground
                if self._on_held_height(u, other_than=z):
                    continue  # holding another height: the doctrine holds the heights
                d = math.hypot(u.x - cx, u.y - cy)
                if d <= reach:
                    cands.append((d, uid))
            if not cands:
                continue
            _, uid = min(cands)
            # the battalion sends a company-sized group and keeps its position, so it can
            # attack again and again
            u = self._detach(self.units[uid], commit, min_men)
            busy.add(uid)
            uid = u.id
            self.counterattacks["japanese"] += 1
            self.counterattack_on[z] = uid
            self.counterattack_started[z] = self.now
            self.counterattack_men[uid] = u.men
            busy.add(uid)
            self._emit("counterattack", unit=uid, zone=z, side="japanese")
            u.objective = z
            u.activity = "attacking"
            self.start_move(u, self.zone_centre[z], [])

    def _call_off_counterattacks(self, break_off_loss: float, close: tuple[list[UnitState], tuple[np.ndarray, np.ndarray] | None] | None = None) -> None:
        """Call off each counter-attack, short of its objective, that has lost *break_off_loss*
        of the men it set out with, or that has come within close-assault range of the
        enemy in such strength that the position would break it (the enemy's men in good
        order at ``morale.penetration_reference_ratio`` times its own or more: the ground is
        held, and the attack has found that out): its men go back where they came from.
        *close* is :meth:`_close_quarters`, when the caller has it already."""
        too_strong = self.cp.penetration_reference_ratio
        units, sides = self._close_quarters() if close is None else close
        enemy_near = dict(zip([u.id for u in units], sides[1].tolist(), strict=True)) if sides is not None else {}
        for uid in sorted(self.counterattack_men):
            u = self.units[uid]
            if u.activity != "attacking" or u.objective is None:
                del self.counterattack_men[uid]  # it arrived, or broke and fell back
                continue
            set_out = self.counterattack_men[uid]
            if u.men <= set_out * (1.0 - break_off_loss):
                reason = "losses"
            elif enemy_near.get(uid, 0.0) >= too_strong * u.men:
                reason = "held in strength"
            else:
                continue
            del self.counterattack_men[uid]
            zone = u.objective
            u.objective = None
            u.activity = "withdrawing"
            parent = self.units.get(self.group_parent.get(uid, ""))
            back = (parent.x, parent.y) if parent is not None and parent.men > 0 else (u.home_x, u.home_y)
            self._emit("counterattack_called_off", unit=uid, zone=zone, men=u.men, set_out=set_out, reason=reason)
            self.start_move(u, back, [])

    def _on_held_height(self, u: UnitState, other_than: str | None = None) -> bool:
        """Return True if *u* stands on a height (other than *other_than*) its side holds."""
        return any(
            self.zones[z].kind == "height" and z != other_than and self.holder[z] == u.side and self.in_zone(z, u.x, u.y)
            for z in self.zone_ids
        )

    def _bring_back_groups(self) -> None:
        """Send each detached group that is done attacking back to its battalion, and merge
        the groups that are back with it (their men and weapons rejoin its ranks)."""
        rejoin_m = self.params.f("command.rejoin_distance_m")
        for gid in sorted(self.group_parent):
            g = self.units[gid]
            parent = self.units[self.group_parent[gid]]
            if g.men <= 0 or parent.men <= 0 or g.activity == "attacking" or g.moving:
                continue
            if g.state in _FALLING_BACK or parent.state in _FALLING_BACK:
                continue
            if self._on_held_height(g):
                continue  # the group holds a height it took: it stays there
            if math.hypot(g.x - parent.x, g.y - parent.y) <= rejoin_m:
                self._rejoin(g, parent)
            else:
                g.objective = None
                g.activity = "withdrawing"
                self.start_move(g, (parent.x, parent.y), [])

    def _rejoin(self, g: UnitState, parent: UnitState) -> None:
        """Merge group *g*'s men and weapons back into *parent*.

        The group keeps its own dead and wounded (losses are counted where they fell), so
        it stays in the unit list with no men: ``men_start = men + killed + wounded +
        missing`` holds for both. The battalion's morale becomes the average of both, by men.
        """
        k = g.men
        q = k / g.men_start if g.men_start > 0 else 0.0
        for w, c in g.weapons_start.items():
            back = round(c * q)
            g.weapons_start[w] = c - back
            parent.weapons_start[w] = parent.weapons_start.get(w, 0) + back
        parent.morale = (parent.morale * parent.men + g.morale * k) / (parent.men + k)
        parent.men += k
        parent.men_start += k
        g.men = 0
        g.men_start -= k
        self.stop(g)
        g.activity = "rejoined"
        self._emit("rejoined", unit=g.id, parent=parent.id, men=k)

    def _detach(self, u: UnitState, fraction: float, min_men: float) -> UnitState:
        """Return a group of *u*'s men and weapons made a unit of its own (or *u* itself).

        The group takes *fraction* of the men present (at least *min_men*) with their
        share of the unit's weapons, its training, morale and state;
        it leaves the position (no entrenchment, no wire). When what would stay behind is
        smaller than *min_men*, the whole unit goes instead.
        """
        k = max(round(u.men * fraction), int(min_men))
        if u.men - k < min_men:
            return u
        # the group's weapons are its men's share of what the unit has now (weapons scale
        # with men present), and its establishment is its men: losses are then counted
        # where they fall, and men_start = men + killed + wounded + missing holds for both
        q = k / u.men_start
        n = 1 + sum(1 for x in self.units if x.startswith(f"{u.id}-group-"))
        weapons = {w: round(c * q) for w, c in u.weapons_start.items()}
        d = UnitState(
            id=f"{u.id}-group-{n}", side=u.side, type=u.type, name=f"{u.name}, counter-attack group {n}",
            x=u.x, y=u.y, home_x=u.x, home_y=u.y, men_start=k, men=k,
            weapons_start=weapons, guns={}, aircraft={}, training=u.training, morale=u.morale,
            morale_start=u.morale_start, thresholds=u.thresholds, entrenchment="none", wire=False, ammunition=None,
        )
        d.state = u.state
        u.men -= k
        u.men_start -= d.men_start
        for w, c in weapons.items():
            u.weapons_start[w] -= c
        self.units[d.id] = d
        self.group_parent[d.id] = u.id
        self._soviet_unit[d.id] = d.side == "soviet"
        self.unit_ids = sorted(self.units)
        self.ground_ids = [i for i in self.unit_ids if not self.units[i].is_air]
        self._emit("detached", unit=d.id, parent=u.id, men=k)
        return d

    # ------------------------------------------------------------------ running

    def run_until(self, t_min: float) -> None:
        """Advance the simulation to *t_min* (processing every event before it)."""
        t = min(t_min, self.end_min)
        if t > self.now:
            self.env.run(until=t)

    def step(self) -> bool:
        """Process one event; return False if the run is at its end."""
        nxt = self.env.peek()
        if nxt >= self.end_min or nxt == math.inf:
            self.run_until(self.end_min)
            return False
        self.env.step()
        return True
