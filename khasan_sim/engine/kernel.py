"""The engine: a thin simpy layer that schedules the pure mechanics and commits their results.

The :class:`Engine` owns the simpy Environment, the world state (units and tanks), the
named random streams and the event log. Processes are short generators: they ask the
mechanics in :mod:`khasan_sim.model` what happens and how long it takes, wait, and
commit. Everything is iterated in sorted id order and every draw comes from a named
stream, so the same scenario, orders and seed give the same event log in any process.

The mechanisms themselves are in :mod:`khasan_sim.engine.systems`, one module each
(orders, movement, tank movement and bogging, tank losses, tank recovery, engineering, artillery, air,
casualties, sight, direct fire, morale, zones, doctrine); :class:`Engine` inherits them.
What stays here is the run's construction, the small helpers every system uses, and the
two scheduling processes: the combat pulse and the turn, which call the systems in order.
"""

from __future__ import annotations

import bisect
import gc
import math
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

import numpy as np
import simpy

from khasan_sim.engine import world
from khasan_sim.engine.eventlog import EventLog
from khasan_sim.engine.kernels.random import KernelStream
from khasan_sim.engine.state import TankState, UnitState
from khasan_sim.engine.systems.abandoned_guns import AbandonedGunsSystem
from khasan_sim.engine.systems.air import AirSystem
from khasan_sim.engine.systems.artillery import ArtillerySystem
from khasan_sim.engine.systems.bogging import BoggingSystem
from khasan_sim.engine.systems.casualties import CasualtiesSystem
from khasan_sim.engine.systems.common import HOLDING_TYPES, INFANTRY_TYPES, ProcessGen
from khasan_sim.engine.systems.direct_fire import DirectFireSystem
from khasan_sim.engine.systems.doctrine import COUNTERATTACK_TYPES, DoctrineSystem
from khasan_sim.engine.systems.engineering import EngineeringSystem
from khasan_sim.engine.systems.local_counterattacks import LocalCounterattackSystem
from khasan_sim.engine.systems.morale import MoraleSystem
from khasan_sim.engine.systems.movement import MovementSystem
from khasan_sim.engine.systems.orders import OrdersSystem
from khasan_sim.engine.systems.pulse_end import PulseEndSystem
from khasan_sim.engine.systems.setup import CombatParams, SetupSystem, _combat_params
from khasan_sim.engine.systems.sight import SightSystem
from khasan_sim.engine.systems.tank_fire_on_guns import TankFireOnGunsSystem
from khasan_sim.engine.systems.tank_losses import TankLossesSystem
from khasan_sim.engine.systems.tank_movement import TankLeg, TankMovementSystem
from khasan_sim.engine.systems.tank_recovery import TankRecoverySystem
from khasan_sim.engine.systems.zones import ZonesSystem
from khasan_sim.model import engineering, rules
from khasan_sim.rng import RngStreams
from khasan_sim.scenario import schema
from khasan_sim.terrain.types import TerrainClass

# names other code imports from here (engineering: tests patch the model module through it)
__all__ = [
    "COUNTERATTACK_TYPES",
    "HOLDING_TYPES",
    "INFANTRY_TYPES",
    "CombatParams",
    "Engine",
    "ProcessGen",
    "TankLeg",
    "engineering",
]


_GC_THRESHOLDS = (50_000, 50, 100)  # the cycle collector's thresholds while a run advances


class Roster(NamedTuple):
    """Which unit and tank is on which row of the world tables, and their order by id.

    Made again only when a unit is formed (a counter-attack group): rows never move.
    """

    units_by_row: list[UnitState]
    tanks_by_row: list[TankState]
    unit_rank: np.ndarray  # each unit row's place among all unit and tank ids, sorted
    tank_rank: np.ndarray  # each tank row's place among them
    ground_rows: np.ndarray  # the rows of the ground units, in id order
    tank_order: np.ndarray  # the tank rows, in id order
    holding_type: np.ndarray  # by unit type code: a type whose men hold ground


class Engine(
    SetupSystem,
    OrdersSystem,
    MovementSystem,
    TankMovementSystem,
    BoggingSystem,
    TankLossesSystem,
    TankRecoverySystem,
    EngineeringSystem,
    ArtillerySystem,
    AbandonedGunsSystem,
    AirSystem,
    CasualtiesSystem,
    SightSystem,
    DirectFireSystem,
    TankFireOnGunsSystem,
    MoraleSystem,
    ZonesSystem,
    PulseEndSystem,
    DoctrineSystem,
    LocalCounterattackSystem,
):
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
        # is_night's last answer and the times it holds for, [from, until)
        self._night_from, self._night_until, self._night = 0.0, 0.0, False
        # visibility_m's last answer for now and the times it holds for, [from, until)
        self._vis_from, self._vis_until, self._vis = 0.0, 0.0, 5000.0
        self._setup_rules()
        # the most men can dig on each terrain class that limits it (by the class's number)
        self._dig_limit = {int(TerrainClass[name.upper()]): str(v) for name, v in self.params.subtree("terrain.dig_limit").items()}
        self._dig_limits_at: dict[tuple[int, int], str] = {}  # cell -> the limit in a frontage round it ("" none)
        self._dig_levels: np.ndarray | None = None  # _dig_level_of_class: by terrain class number
        self._dig_limits_of: tuple[Any, dict[tuple[int, int], str]] | None = None  # _dig_limits_shared: (terrain, its)
        self._setup_units()
        self._roster_memo: Roster | None = None
        self._roster_tanks: tuple[Any, ...] | None = None  # the roster's tank part, made once
        self._roster_ids: list[tuple[str, int, int]] = []  # the roster's (id, 0 unit / 1 tank, row), sorted
        self._tank_rows_of: dict[str, np.ndarray] = {}
        self._kernel_streams: dict[tuple[str, ...], KernelStream] = {}
        self._by_x = np.zeros(0, dtype=np.int64)  # _units_by_x: the unit rows by x at the last look
        self._setup_zones()
        self.fire_tables = self._fire_tables()
        # the weapons that kill men, in the order fire.fire_volume adds them, with their
        # kills a minute and ranges
        self._kill_weapons = sorted(self.fire_tables["kills"])
        self._kill_per_min = [self.fire_tables["kills"][w] for w in self._kill_weapons]
        self._kill_range_m = [self.fire_tables["range"].get(w, 0.0) for w in self._kill_weapons]
        self._fire_constants()
        self._morale_constants()
        self._artillery_constants()
        self.counterattacks = {"soviet": 0, "japanese": 0}
        # tanks brought back by their own side (bogged ones freed, knocked-out ones towed
        # back: recovered) and knocked-out ones back in service (repaired)
        self.tanks_recovered = {"soviet": 0, "japanese": 0}
        self.tanks_repaired = {"soviet": 0, "japanese": 0}
        self.rounds = {"soviet": 0, "japanese": 0}
        self.bombs_t = {"soviet": 0.0, "japanese": 0.0}
        # each crossing a one-lane resource: tanks cross one at a time, and a tank bogged on
        # its lane holds it first (priority -1) until freed (systems/bogging.py)
        self.crossings = {c.id: simpy.PriorityResource(self.env, capacity=max(1, c.capacity)) for c in self.terrain.crossings}
        self.crossing_passes: dict[str, int] = {c.id: 0 for c in self.terrain.crossings}
        self.crossing_blocked: dict[str, str] = {}  # crossing -> the tank bogged on its lane
        self._crossing_waits: dict[str, Any] = {}  # tank -> its request for a crossing, while it waits
        self.soft_passes: dict[tuple[int, int], int] = {}
        self._route_cache: dict[tuple[Any, ...], Any] = {}
        self._last_holding: bytes | None = None
        # the men of each side holding each zone at the last pulse (nan: none counted yet)
        self._zone_men = (np.full(len(self.zone_ids), np.nan), np.full(len(self.zone_ids), np.nan))
        # whether each side had the men to hold each zone at the last pulse (-1: not known yet)
        self._zone_held = np.full((2, len(self.zone_ids)), -1, dtype=np.int8)
        self._zone_args: tuple[Any, ...] | None = None  # _zone_kernel_args: (terrain, args)
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
        self._recovery_constants()
        self.env.process(self._recovery_service())

    # ------------------------------------------------------------------ helpers

    @property
    def now(self) -> float:
        """Return simulated minutes since the start."""
        return float(self.env.now)

    def in_ceasefire(self) -> bool:
        """Return True once the scenario's ceasefire is agreed (``rules.ceasefire``): no side's
        own command launches a new attack from then (the doctrine, the commander AI)."""
        return self.now >= self.ceasefire_min

    def is_night(self, t_min: float | None = None) -> bool:
        """Return True if it is night at *t_min* (default now; the answer for now is kept
        until the next dusk or dawn)."""
        if t_min is None:
            t = self.env.now
            if self._night_from <= t < self._night_until:
                return self._night
            night = rules.is_night(self.start_minute_of_day + t, self.dawn, self.dusk)
            # the answer holds until the next dusk or dawn: kept until a micro-minute short
            # of it (far beyond the float error of the minute of the day)
            until = t
            if 0 <= self.dawn < self.dusk <= 1440:
                m = (self.start_minute_of_day + t) % 1440
                left = (1440 - m + self.dawn if m >= self.dusk else self.dawn - m) if night else self.dusk - m
                until = t + left - 1e-6
            self._night_from, self._night_until, self._night = t, until, night
            return night
        return rules.is_night(self.start_minute_of_day + t_min, self.dawn, self.dusk)

    def visibility_m(self, t_min: float | None = None) -> float:
        """Return the visibility in metres at *t_min* (default now; the answer for now is
        kept until the next start or end of a spell of weather, when it may change)."""
        if t_min is None:
            t = self.env.now
            if self._vis_from <= t < self._vis_until:
                return self._vis
            vis = rules.visibility_m(float(t), self.spells)
            # which spells are in force changes only at a spell's start or end
            until = min((b for s in self.spells for b in (s.start_min, s.end_min) if b > t), default=math.inf)
            self._vis_from, self._vis_until, self._vis = t, until, vis
            return vis
        return rules.visibility_m(t_min, self.spells)

    def cell(self, x: float, y: float) -> tuple[int, int]:
        """Return the raster cell of a point (clipped to the map)."""
        g = self.terrain.grid
        r = int(y // g.cell_m)
        c = int(x // g.cell_m)
        # min(max(r, 0), nrows - 1) and the same for c, written out (called ~10,000 times a run)
        top, right = g.nrows - 1, g.ncols - 1
        return (0 if r < 0 else top if r > top else r), (0 if c < 0 else right if c > right else c)

    def _emit(self, kind: str, **fields: Any) -> None:
        self.log.add(self.env.now, kind, fields)  # the fields dict is this call's own

    def _tick(self) -> None:
        self.n_events += 1

    def target_point(self, target: Any) -> tuple[float, float]:
        """Return the (x, y) of an order target: a zone id (its centre) or a point."""
        if isinstance(target, str):
            return self.zone_centre[target]
        return float(target[0]), float(target[1])

    def _roster(self) -> Roster:
        """Return the rows of the units and tanks (made again after :meth:`_unit_added`)."""
        ro = self._roster_memo
        if ro is not None:
            return ro
        n_u, n_t = self.unit_table.n, self.tank_table.n
        units_by_row: list[Any] = [None] * n_u
        for u in self.units.values():
            units_by_row[u.row] = u
        # the tanks' part is made once (tanks are made at setup only; made again if not)
        tanks = self._roster_tanks
        if tanks is None or tanks[0] is not self.all_tanks or len(tanks[1]) != n_t:
            tanks_by_row: list[Any] = [None] * n_t
            for t in self.all_tanks:
                tanks_by_row[t.row] = t
            tanks = self._roster_tanks = (
                self.all_tanks, tanks_by_row, [(t.id, 1, t.row) for t in tanks_by_row],
                np.array([t.row for t in self.all_tanks], dtype=np.int64),
                np.array([t in HOLDING_TYPES for t in world.UNIT_TYPES], dtype=np.bool_),
            )
        _, tanks_by_row, tank_ids, tank_order, holding = tanks
        ids = sorted([(u.id, 0, u.row) for u in units_by_row] + tank_ids)
        ranks = ([0] * n_u, [0] * max(n_t, 1))  # written as lists, then made arrays
        for rank, (_, kind, row) in enumerate(ids):
            ranks[kind][row] = rank
        unit_rank, tank_rank = np.array(ranks[0], dtype=np.int64), np.array(ranks[1], dtype=np.int64)
        ground = np.array([self.units[i].row for i in self.ground_ids], dtype=np.int64)
        ro = Roster(units_by_row, tanks_by_row, unit_rank, tank_rank, ground, tank_order, holding)
        self._roster_memo, self._roster_ids = ro, ids
        return ro

    def _roster_with(self, u: UnitState) -> Roster | None:
        """Return the roster with unit *u*, just formed on the table's next row, added to the
        last one: the same arrays :meth:`_roster` would make, found by inserting *u* into
        the id order (a counter-attack group is formed some 50 times a run); None when the
        last roster cannot be extended so (none yet, *u* not on the next row, no tanks)."""
        ro = self._roster_memo
        if ro is None or u.row != len(ro.units_by_row) or u.row != self.unit_table.n - 1 or not ro.tanks_by_row:
            return None
        ground_ids = self.ground_ids
        if len(ground_ids) != len(ro.ground_rows) + (0 if u.is_air else 1):
            return None
        key = (u.id, 0, u.row)
        ids = self._roster_ids
        pos = bisect.bisect_left(ids, key)
        self._roster_ids = [*ids[:pos], key, *ids[pos:]]
        unit_rank = np.empty(u.row + 1, dtype=np.int64)
        unit_rank[: u.row] = ro.unit_rank + (ro.unit_rank >= pos)
        unit_rank[u.row] = pos
        tank_rank = ro.tank_rank + (ro.tank_rank >= pos)
        ground = ro.ground_rows
        if not u.is_air:
            at = ground_ids.index(u.id)
            ground = np.concatenate((ground[:at], np.array([u.row], dtype=np.int64), ground[at:]))
        return Roster([*ro.units_by_row, u], ro.tanks_by_row, unit_rank, tank_rank, ground, ro.tank_order, ro.holding_type)

    def _units_by_x(self) -> np.ndarray:
        """Return the unit rows in the order of their x at the last look, for the kernels
        that search a strip of x (kernels/by_x.py: each sorts it again as it reads it); a
        unit formed since joins it at the end (a new array then)."""
        by_x = self._by_x
        n, k = self.unit_table.n, len(by_x)
        if k != n:
            by_x = np.concatenate((by_x, np.arange(k, n, dtype=np.int64))) if k < n else np.arange(n, dtype=np.int64)
            self._by_x = by_x
        return by_x

    def _kernel_stream(self, *key: str) -> np.ndarray:
        """Return the random state for a kernel call, seeded from the run's stream *key*
        (kernels/random.py)."""
        ks = self._kernel_streams.get(key)
        if ks is None:
            ks = self._kernel_streams[key] = KernelStream(self.rng.get(*key))
        return ks.next()

    def _unit_added(self, u: UnitState) -> None:
        """Say that unit *u* was formed: the roster is made again, its weapons written."""
        self._roster_memo = self._roster_with(u)
        self._weapons_changed(u)

    def _pulse(self) -> ProcessGen:
        """The combat pulse: every ``pulse_min``, the fire, then close quarters, morale,
        counter-attacks, falling back and the zones (:meth:`_after_the_fire`)."""
        dt = self.cp.pulse_min
        timeout = self.env.timeout
        while True:
            yield timeout(dt)
            self.n_events += 1  # _tick
            self._fire_missions()
            self._direct_fire(dt)
            self._observed_fire(dt)
            self._after_the_fire(dt)  # systems/pulse_end.py

    # ------------------------------------------------------------------ turns and controllers

    def _turns(self) -> ProcessGen:
        while True:
            yield self.env.timeout(self.turn_min)
            self._tick()
            self._command_turn()
            for hook in list(self.turn_hooks):
                hook(self)

    # ------------------------------------------------------------------ running

    def run_until(self, t_min: float) -> None:
        """Advance the simulation to *t_min* (processing every event before it).

        While it runs, Python's cycle collector looks at the young objects every 50,000
        allocations instead of every 700, and at all of them (the scenario, the terrain and
        the per-process caches included) 5,000 times more rarely: a run makes many
        short-lived objects and few cycles, and the defaults cost 15% of a run (measured
        on the historical scenario, 0.285 -> 0.242 s); the settings are put back after.
        What lived before the run advances (the scenario, the terrain, the per-process
        memos of routes and legs) is frozen meanwhile, unless something else froze it
        already: the collector's passes then walk only what the run made, where a full pass
        over a batch worker's memos took about 100 ms.
        """
        t = min(t_min, self.end_min)
        if t > self.now:
            old = gc.get_threshold()
            gc.set_threshold(*(max(o, n) for o, n in zip(old, _GC_THRESHOLDS, strict=False)))
            freeze = gc.get_freeze_count() == 0
            if freeze:
                gc.freeze()
            try:
                self.env.run(until=t)
            finally:
                if freeze:
                    gc.unfreeze()
                gc.set_threshold(*old)

    def step(self) -> bool:
        """Process one event; return False if the run is at its end."""
        nxt = self.env.peek()
        if nxt >= self.end_min or nxt == math.inf:
            self.run_until(self.end_min)
            return False
        self.env.step()
        return True
