"""The one public API: the desktop, the command line and the Monte Carlo runner all use it.

Example::

    from khasan_sim import Simulation, load_scenario
    sim = Simulation(load_scenario("scenarios/khasan_1938/historical.yaml"), seed=1)
    sim.advance_turn()                 # to the next turn boundary (30 simulated minutes)
    sim.give(MoveOrder(kind="move", at=sim.now, unit="2mb-3tb", to=(5200.0, 8000.0)))
    result = sim.run_to_end()          # RunResult: METRICS.md snapshots + events digest
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import TypeAdapter, ValidationError

from khasan_sim import __version__, ai
from khasan_sim.engine import metrics
from khasan_sim.engine.eventlog import LogEvent
from khasan_sim.engine.kernel import Engine
from khasan_sim.engine.state import TankState, UnitState
from khasan_sim.errors import IllegalOrderError, OrderError, SimulationFinished
from khasan_sim.model import rules
from khasan_sim.results import RunResult
from khasan_sim.rng import check_seed
from khasan_sim.scenario import schema
from khasan_sim.story import watch as story_watch
from khasan_sim.terrain import plan_route

_ORDER = TypeAdapter(schema.Order)


class Simulation:
    """One seeded run of a scenario that can be advanced, ordered and read.

    Args:
        scenario: A loaded scenario (:func:`khasan_sim.scenario.load.load_scenario`) or a path.
        seed: The run seed; the same scenario, orders and seed give the same event log.
        variant: A variant file, when *scenario* is a path.
        player_sides: Sides whose timed scenario orders are NOT played because a person
            (or an agent) gives that side's orders through :meth:`give`.
        follow_record: With player sides: their units still follow the scenario's timed
            orders until the player gives them an order (they are then taken over). A
            game in which the player orders nobody is then the same run, event for event,
            as one without a player.
        commanders: Sides given to the computer commander (:mod:`khasan_sim.ai`), with
            its level (``{"soviet": "normal"}``), on top of the scenario's sides whose
            controller is ``commander-ai``. They give their orders through :meth:`give`
            at each turn boundary.

    Raises:
        ValueError: The seed is not a non-negative integer.
    """

    def __init__(
        self,
        scenario: Any,
        seed: int = 1,
        *,
        variant: str | Path | None = None,
        player_sides: Iterable[str] = (),
        follow_record: bool = False,
        commanders: Mapping[str, str] | None = None,
    ) -> None:
        if isinstance(scenario, (str, Path)):
            from khasan_sim.scenario.load import load_scenario

            scenario = load_scenario(scenario, variant)
        scenario = ai.with_pairing(scenario, dict(commanders or {}))
        self.scenario = scenario
        self.seed = check_seed(seed)
        ai_sides = ai.ai_sides_of(scenario)
        self.player_sides = frozenset(player_sides) - set(ai_sides)
        auto = [
            s for s, spec in scenario.doc.sides.items()
            if s not in self.player_sides and spec.controller != "idle" and s not in ai_sides
        ]
        self.follow_record = bool(follow_record)
        follow = self.player_sides if self.follow_record else frozenset()
        self._engine = Engine(scenario, self.seed, use_scenario_orders=auto, follow_record=follow)
        self._story = story_watch.attach(self._engine)  # reads only: the story checks' observations
        self._pending: list[Any] = []
        self._pending_source: list[str] = []  # who gave each pending order: the event log says
        self._given: list[tuple[float, Any]] = []
        self._snapshots: dict[str, dict[str, Any]] = {}
        self._snapshot_due: list[float] = sorted({*self._engine_day_ends(), self._engine.end_min})
        # the computer commanders (None without any): they order their units at each turn boundary
        self.command_post = ai.CommandPost(ai_sides) if ai_sides else None

    # ------------------------------------------------------------------ reading

    def __repr__(self) -> str:
        return (
            f"Simulation(scenario={self.scenario.id!r}, variant={self.scenario.variant_id!r}, "
            f"seed={self.seed}, now={self.now.strftime('%Y-%m-%dT%H:%M')!r})"
        )

    @property
    def start(self) -> datetime:
        """Return the scenario's start time."""
        return self._engine.start

    @property
    def end(self) -> datetime:
        """Return the scenario's end time."""
        return self.scenario.doc.scenario.end

    @property
    def now_min(self) -> float:
        """Return simulated minutes since the start."""
        return self._engine.now

    @property
    def now(self) -> datetime:
        """Return the current battle time."""
        return self.start + timedelta(seconds=round(self._engine.now * 60.0))

    @property
    def finished(self) -> bool:
        """Return True once the run has reached its end time."""
        return self._engine.now >= self._engine.end_min - 1e-9

    @property
    def engine(self) -> Engine:
        """Return the engine (read it; do not write to it)."""
        return self._engine

    @property
    def terrain(self) -> Any:
        """Return the terrain layers."""
        return self.scenario.terrain

    def units(self) -> list[UnitState]:
        """Return every unit's state, sorted by id (read-only by convention)."""
        return [self._engine.units[i] for i in self._engine.unit_ids]

    def unit(self, unit_id: str) -> UnitState:
        """Return one unit's state."""
        try:
            return self._engine.units[unit_id]
        except KeyError:
            known = ", ".join(self._engine.unit_ids[:8])
            msg = f"unknown unit '{unit_id}' (known units include: {known}, ...)"
            raise OrderError(msg) from None

    def tanks(self) -> list[TankState]:
        """Return every tank's state, sorted by id."""
        return list(self._engine.all_tanks)

    def holders(self) -> dict[str, str | None]:
        """Return who holds each zone now."""
        return dict(self._engine.holder)

    def is_night(self) -> bool:
        """Return True if it is night now."""
        return self._engine.is_night()

    def events(self, since: int = 0) -> list[LogEvent]:
        """Return the ordered event log from sequence number *since*."""
        return self._engine.log.events[since:]

    def events_digest(self) -> str:
        """Return the sha256 of the event log so far."""
        return self._engine.log.digest()

    def metrics(self) -> dict[str, Any]:
        """Return the METRICS.md snapshot of the world now."""
        return metrics.snapshot(self._engine)

    def observe(self, side: str) -> list[UnitState]:
        """Return the units *side* can see: its own, and enemies in line of sight of one of its units.

        Fog of war for the front end; the model itself fires only on visible targets too.
        """
        e = self._engine
        units = self.units()
        own = [u for u in units if u.side == side]
        others = [v for v in units if v.side != side and not v.is_air]
        eyes = [u for u in own if not u.is_air and u.men > 0]
        if not eyes or not others:
            return own
        # every (eye, enemy) pair within twice the engagement range, their sight lines in one call
        ex = np.array([u.x for u in eyes])
        ey = np.array([u.y for u in eyes])
        vx = np.array([v.x for v in others])
        vy = np.array([v.y for v in others])
        near = np.hypot(ex[:, None] - vx[None, :], ey[:, None] - vy[None, :]) <= e.cp.engagement_range_m * 2
        i, j = np.nonzero(near)
        seen_by = np.zeros(len(others), dtype=bool)
        if len(i):
            np.logical_or.at(seen_by, j, e._los_arrays(ex[i], ey[i], vx[j], vy[j]))
        return own + [v for v, s in zip(others, seen_by, strict=True) if s]

    # ------------------------------------------------------------------ orders

    def _parse(self, order: Any) -> Any:
        if isinstance(order, dict):
            data = {"at": self.now, **order}
            try:
                return _ORDER.validate_python(data)
            except ValidationError as exc:
                first = exc.errors()[0]
                path = ".".join(str(x) for x in first["loc"])
                msg = f"order {data.get('kind', '?')} for {data.get('unit', '?')}: {path}: {first['msg']}"
                raise OrderError(msg) from None
        return order

    def check_order(self, order: Any) -> str | None:
        """Return why *order* (a validated order, or a dict of its fields) is not allowed now, or None if it is.

        Raises:
            OrderError: A dict that is not a well-formed order.
        """
        order = self._parse(order)
        e = self._engine
        for uid in order.unit_ids:
            u = self.unit(uid)
            if order.kind == "fire_mission" and u.type != "artillery":
                return f"{uid} is not artillery: only artillery fires missions"
            if order.kind == "air_strike" and not u.is_air:
                return f"{uid} is not an air unit"
            if order.kind in ("move", "attack", "withdraw", "defend", "dig_in") and u.is_air:
                return f"{uid} is an air unit: it can only strike"
            if order.kind == "build_crossing" and u.type != "engineer":
                return f"{uid} is not an engineer unit: only sappers build crossings"
            target = getattr(order, "objective", None) or getattr(order, "to", None) or getattr(order, "target", None)
            if isinstance(target, str) and target not in e.zones:
                return f"unknown zone '{target}'"
            points = [e.target_point(target)] if target is not None else []
            points += [tuple(p) for p in getattr(order, "route", [])]
            points += [tuple(site.at) for site in getattr(order, "sites", [])]
            g = e.terrain.grid
            for x, y in points:
                if not g.contains(x, y):
                    return f"point (x={x:.0f} m, y={y:.0f} m) lies off the map"
            if (u.side in e.no_crossing and order.kind in ("move", "withdraw", "build_crossing")) or (u.side in e.no_crossing and order.kind == "attack" and getattr(order, "route", None)):
                for x, y in points:
                    r, c = g.cell(x, y)
                    if e.forbidden[u.side][r, c]:
                        return f"crosses the border at (x={x:,.0f} m, y={y:,.0f} m) while rule 'no-border-crossing' is in force"
            if order.kind == "fire_mission":
                tx, ty = e.target_point(order.target)
                r, c = g.cell(tx, ty)
                own = bool(e.terrain.soviet_side[r, c]) == (u.side == "soviet")
                ok, why = rules.fire_mission_allowed(float(e.terrain.border_distance_m[r, c]), own, e.exclusion.get(u.side))
                if not ok:
                    return why
        return None

    def legal_orders(self, unit_id: str) -> dict[str, str | None]:
        """Return each order kind with None if the unit may be given it, or the reason it may not."""
        u = self.unit(unit_id)
        out: dict[str, str | None] = {}
        for kind in ("move", "attack", "defend", "withdraw", "dig_in", "fire_mission", "air_strike", "build_crossing"):
            if kind == "fire_mission":
                out[kind] = None if u.type == "artillery" else "only artillery fires missions"
            elif kind == "build_crossing":
                out[kind] = None if u.type == "engineer" else "only sappers build crossings"
            elif kind == "air_strike":
                out[kind] = None if u.is_air else "only air units strike"
            else:
                out[kind] = "air units can only strike" if u.is_air else None
        return out

    def give(self, order: Any, *, source: str = "player") -> Any:
        """Queue an order to start at the current time; it takes effect when the run advances.

        Args:
            order: A scenario order model (``schema.MoveOrder`` ...) or a dict with its fields
                (``at`` defaults to now).
            source: Who gives it, as the event log names it (``player``, or ``commander-ai``).

        Returns:
            The validated order.

        Raises:
            OrderError: The order is malformed or names an unknown unit or zone.
            IllegalOrderError: A rule in force forbids it.
            SimulationFinished: The run is over.
        """
        self._check_running()
        o = self._parse(order)
        for uid in o.unit_ids:
            self.unit(uid)
        why = self.check_order(o)
        if why is not None:
            raise IllegalOrderError(",".join(o.unit_ids), self.now.strftime("%Y-%m-%dT%H:%M"), why)
        self._pending.append(o)
        self._pending_source.append(source)
        return o

    def undo(self) -> Any | None:
        """Take back the last order given since the run last advanced; return it (or None)."""
        if not self._pending:
            return None
        self._pending_source.pop()
        return self._pending.pop()

    @property
    def pending_orders(self) -> list[Any]:
        """Return the orders given and not yet carried out."""
        return list(self._pending)

    @property
    def given_orders(self) -> list[tuple[float, Any]]:
        """Return every order given through the API, with its time in minutes (for saves and replays)."""
        return list(self._given)

    def plan_route(self, unit_id: str, to_xy: tuple[float, float], via: Sequence[tuple[float, float]] = ()) -> Any:
        """Return the route (and its estimated time) a unit would take, without moving it:
        the quickest way, or along the axis of the waypoints *via* when there are any (an
        order's route is an axis the unit keeps to, as the engine does)."""
        e = self._engine
        u = self.unit(unit_id)
        mob = u.tanks[0].mobility if u.tanks else ("towed" if u.type == "artillery" else "foot")
        return plan_route(e.terrain, mob, (u.x, u.y), tuple(to_xy), waypoints=tuple(via), forbidden=e.forbidden.get(u.side), follow_axis=bool(via))

    def reseed(self, seed: int) -> None:
        """Draw every random number from *seed* from now on: the run's history stays as it
        was, what follows is a branch of it (:mod:`khasan_sim.branching`).

        Raises:
            ValueError: The seed is not a non-negative integer.
        """
        self._engine.rng.reseed(seed)

    # ------------------------------------------------------------------ advancing

    def _check_running(self) -> None:
        if self.finished:
            end = self.end.strftime("%Y-%m-%dT%H:%M")
            msg = f"the run ended at {end}; create a new Simulation to play again"
            raise SimulationFinished(msg)

    def _engine_day_ends(self) -> list[float]:
        e = self._engine
        out = []
        t = self.start.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
        while (t - self.start).total_seconds() / 60.0 < e.end_min:
            out.append((t - self.start).total_seconds() / 60.0)
            t += timedelta(days=1)
        return out

    @property
    def taken_over(self) -> frozenset[str]:
        """Return the units the player has ordered (they no longer follow the scenario's orders)."""
        return frozenset(self._engine.taken_over)

    def take_over(self, unit_ids: Iterable[str]) -> None:
        """Stop these units following the scenario's orders (as if the player had ordered them)."""
        for uid in unit_ids:
            self.unit(uid)
        self._engine.taken_over.update(unit_ids)

    def _flush_orders(self) -> None:
        for o, source in zip(self._pending, self._pending_source, strict=True):
            self._given.append((self._engine.now, o))
            self._engine.taken_over.update(o.unit_ids)
            self._engine.apply_order(o, source=source)
        self._pending.clear()
        self._pending_source.clear()

    def _advance_engine(self, t_min: float) -> None:
        t_min = min(t_min, self._engine.end_min)
        post = self.command_post
        if post is not None:  # stop at each turn boundary for the commanders
            post.command(self)
            while (stop := post.stop_at(self, t_min)) < t_min - 1e-9:
                self._advance_engine_to(stop)
                post.command(self)
        self._advance_engine_to(t_min)

    def _advance_engine_to(self, t_min: float) -> None:
        e = self._engine
        self._flush_orders()
        while self._snapshot_due and self._snapshot_due[0] <= t_min + 1e-9:
            ts = self._snapshot_due.pop(0)
            e.run_until(ts)
            self._snapshots[self._label(ts)] = metrics.snapshot(e)
        e.run_until(t_min)

    def _label(self, t_min: float) -> str:
        return (self.start + timedelta(seconds=round(t_min * 60.0))).strftime("%Y-%m-%dT%H:%M")

    def _to_min(self, t: datetime | str) -> float:
        from khasan_sim.clock import parse_time

        return (parse_time(t) - self.start).total_seconds() / 60.0

    def snapshot_at(self, times: Iterable[datetime | str]) -> None:
        """Ask for extra snapshots at these times (they must not be in the past).

        Raises:
            ValueError: A time lies before now or outside the run.
        """
        for t in times:
            m = self._to_min(t)
            if m < self.now_min - 1e-9 or m > self._engine.end_min + 1e-9:
                msg = f"snapshot time {t} lies outside the rest of the run ({self.now.isoformat()} to {self.end.isoformat()})"
                raise ValueError(msg)
            if m not in self._snapshot_due:
                self._snapshot_due.append(m)
        self._snapshot_due.sort()

    def advance_to(self, t: datetime | str) -> list[LogEvent]:
        """Advance to battle time *t*; return the events that happened."""
        self._check_running()
        n = len(self._engine.log)
        self._advance_engine(self._to_min(t))
        return self.events(n)

    def advance_minutes(self, minutes: float) -> list[LogEvent]:
        """Advance by *minutes* of simulated time; return the events that happened."""
        self._check_running()
        n = len(self._engine.log)
        self._advance_engine(self._engine.now + minutes)
        return self.events(n)

    def next_turn_min(self) -> float:
        """Return the minute of the next turn boundary."""
        tm = self._engine.turn_min
        return min((math.floor(self._engine.now / tm + 1e-9) + 1) * tm, self._engine.end_min)

    def advance_turn(self) -> list[LogEvent]:
        """Advance to the next turn boundary; return the events that happened."""
        self._check_running()
        n = len(self._engine.log)
        self._advance_engine(self.next_turn_min())
        return self.events(n)

    def advance(self, max_events: int = 2000, until_min: float | None = None) -> bool:
        """Process at most *max_events* engine events (a bounded slice for a frame loop).

        Snapshots and results are identical to one long advance. Returns True while
        there is more to run before *until_min* (default: the end).
        """
        self._check_running()
        e = self._engine
        limit = e.end_min if until_min is None else min(until_min, e.end_min)
        if self.command_post is not None:  # slices end at each turn boundary for the commanders
            self.command_post.command(self)
            stop = self.command_post.stop_at(self, limit)
            if stop < limit - 1e-9:
                return self._advance_slice(max_events, stop) or True
        return self._advance_slice(max_events, limit)

    def _advance_slice(self, max_events: int, limit: float) -> bool:
        e = self._engine
        self._flush_orders()
        for _ in range(max_events):
            nxt = e.env.peek()
            if self._snapshot_due and self._snapshot_due[0] <= min(nxt, limit) + 1e-9:
                ts = self._snapshot_due.pop(0)
                e.run_until(ts)
                self._snapshots[self._label(ts)] = metrics.snapshot(e)
                continue
            if nxt >= limit:
                e.run_until(limit)
                return False
            e.env.step()
        return True

    def run_to_end(self, snapshot_at: Iterable[datetime | str] = ()) -> RunResult:
        """Play the rest of the run and return its result (snapshots at each midnight, the end and *snapshot_at*)."""
        self.snapshot_at(snapshot_at)
        if not self.finished:
            self._advance_engine(self._engine.end_min)
        return self.result()

    def result(self) -> RunResult:
        """Return the run result with the snapshots taken so far."""
        return RunResult(
            scenario=self.scenario.id,
            seed=self.seed,
            variant=self.scenario.variant_id,
            snapshots=dict(self._snapshots),
            events=self._engine.n_events,
            events_digest=self._engine.log.digest(),
            meta={"code_version": __version__, "scenario_digest": self.scenario.digest},
            story=None if self._story is None else self._story.observations(),
        )


# ------------------------------------------------------------------ the model's sources (read-only)


def parameter_sources(params: Any, prefixes: Iterable[str] = (), *, containing: str | None = None) -> list[Any]:
    """Return the model's parameters with their value, unit, source or reason, file line and
    whether calibration fitted them (see :func:`khasan_sim.analysis.sources.parameter_sources`).

    Args:
        params: A scenario's parameters (``Simulation.scenario.params``).
        prefixes: Keep only keys starting with one of these.
        containing: Where this key part (a mobility class, a weapon) is a choice, keep only it.
    """
    from khasan_sim.analysis.sources import parameter_sources as sources

    return sources(params, prefixes, containing=containing)


def mechanism_sources(params: Any, mechanism: str, *, containing: str | None = None) -> tuple[Any, list[Any]]:
    """Return a mechanism of the model (``route``, ``bog``, ``fire``, ``morale``) in words and
    the parameters it reads, with their sources (see :mod:`khasan_sim.analysis.sources`)."""
    from khasan_sim.analysis.sources import mechanism_sources as sources

    return sources(params, mechanism, containing=containing)


def run_branches(
    scenario: Any,
    seed: int,
    moment: datetime | str,
    runs: int,
    *,
    orders: Iterable[tuple[float, Any]] = (),
    player_sides: Iterable[str] = (),
    changed_order: dict[str, Any] | None = None,
    snapshot_at: Sequence[str] = (),
) -> list[Any]:
    """Run *runs* branches of the run with *seed* from *moment*: futures from there.

    Each branch plays the run (the scenario, the orders given with their minutes, the
    player's sides) to *moment* with the run's own seed, then reseeds every random stream
    from the seed, the moment and its number and plays on to the end. Branches share the
    event log up to *moment* exactly and differ after it; with *changed_order* (given at
    *moment*) branch ``b`` draws the same numbers as branch ``b`` without it.

    Args:
        scenario: A loaded scenario or the path of its file.
        seed: The run's seed.
        moment: The battle time the branches start from.
        runs: How many branches.
        orders: ``(minute, order)`` pairs: orders given during the run before *moment*
            (a scenario order model or a dict of its fields).
        player_sides: The sides a person commands (their units follow the record until ordered).
        changed_order: An order (a dict of its fields) given at *moment* in every branch.
        snapshot_at: Extra snapshot times.

    Returns:
        The :class:`khasan_sim.branching.Branch` list, by branch number.

    Raises:
        KhasanSimError: *moment* lies outside the scenario, or an order does not apply.
    """
    from khasan_sim import branching
    from khasan_sim.clock import Clock, format_time, parse_time
    from khasan_sim.saves import SaveGame

    if isinstance(scenario, (str, Path)):
        from khasan_sim.scenario.load import load_scenario

        scenario = load_scenario(scenario)
    doc = scenario.doc.scenario
    clock = Clock(doc.start, doc.end)
    at = parse_time(moment)
    branching.check_moment(clock.to_minutes(at), clock.end_min, f"branch moment {format_time(at)}")
    given = [
        {"at_min": float(m), "order": o if isinstance(o, dict) else o.model_dump(mode="json", exclude_none=True, by_alias=True)}
        for m, o in orders
    ]
    point = SaveGame(
        scenario=str(scenario.path), seed=check_seed(seed),
        variant=None if scenario.variant_path is None else str(scenario.variant_path),
        player_sides=list(player_sides), now_min=clock.to_minutes(at), orders=given,
    )
    return branching.run_branches(point, runs, scenario=scenario, changed_order=changed_order, snapshot_at=snapshot_at)
