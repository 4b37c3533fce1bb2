"""What is kept or worked out once answers exactly what the plain computation answers.

Sight lines asked from Python (through the compiled cache), the zones a tank's leg
enters, the event log's digest and the per-terrain rasters of the pulse: each is held to
the plain answer, so a run's event log cannot depend on which path a query took. (The
compiled kernels have their own reference tests, tests/engine/test_kernel_*.py.)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from khasan_sim.api import Simulation
from khasan_sim.scenario.load import load_scenario
from khasan_sim.terrain import visible_many

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "tests" / "data" / "tiny" / "tiny.yaml"


@pytest.fixture(scope="module")
def engine():
    return Simulation(load_scenario(TINY), seed=1).engine


def _points(engine, n: int, seed: int) -> np.ndarray:
    g = engine.terrain.grid
    rng = np.random.default_rng(seed)
    return np.column_stack([
        rng.uniform(0, g.width_m - 1, n), rng.uniform(0, g.height_m - 1, n),
        rng.uniform(0, g.width_m - 1, n), rng.uniform(0, g.height_m - 1, n),
    ])


def _plain_los(engine, pts: np.ndarray) -> list[bool]:
    """Line of sight between the centres of the two points' 50 m cells, no cache.

    The sight line is a pair's, not a direction's: it is looked along from the cell that
    is west (then south) of the other, whichever end asked.
    """
    a = pts[:, 0:2] // 50.0
    b = pts[:, 2:4] // 50.0
    a_first = (a[:, 0] < b[:, 0]) | ((a[:, 0] == b[:, 0]) & (a[:, 1] <= b[:, 1]))
    lo = np.where(a_first[:, None], a, b)
    hi = np.where(a_first[:, None], b, a)
    return visible_many(engine.terrain, (lo + 0.5) * 50.0, (hi + 0.5) * 50.0).tolist()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(n=st.integers(1, 80), seed=st.integers(0, 10_000))
def test_sight_lines_same_by_every_path(engine, n, seed):
    pts = _points(engine, n, seed)
    plain = _plain_los(engine, pts)
    # symmetric: the cache key does not care which end looks
    assert engine._los([tuple(p) for p in pts]) == plain
    assert engine._los_arrays(pts[:, 2], pts[:, 3], pts[:, 0], pts[:, 1]).tolist() == plain
    small = [engine._los([tuple(p)])[0] for p in pts]
    assert small == plain


def test_zones_along_are_the_zones_entered_in_order(engine):
    g = engine.terrain.grid
    rng = np.random.default_rng(5)
    pts = np.column_stack([rng.uniform(-100, g.width_m + 100, 400), rng.uniform(-100, g.height_m + 100, 400)])
    want: dict[str, None] = {}
    for x, y in pts.tolist():
        if not g.contains(x, y):
            continue
        for z in engine.zone_ids:
            if engine.in_zone(z, x, y):
                want.setdefault(z)
    assert engine._zones_along(pts) == tuple(want)


_FIELD = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e9, max_value=1e9), st.integers(-10**6, 10**6),
    st.booleans(), st.text(max_size=8), st.none(), st.lists(st.one_of(st.floats(-1e6, 1e6), st.integers(), st.text(max_size=3)), max_size=3),
)


@settings(max_examples=100, deadline=None)
@given(events=st.lists(st.tuples(st.floats(0.0, 1e5), st.dictionaries(st.sampled_from(list("abcdefg")), _FIELD, max_size=6)), max_size=8))
def test_event_log_digest_is_the_hash_of_each_events_canonical_line(events):
    import hashlib

    from khasan_sim.engine.eventlog import EventLog

    log = EventLog()
    for t, fields in events:
        log.append(t, "kind", **fields)
    plain = hashlib.sha256("".join(ev.canonical() + "\n" for ev in log.events).encode()).hexdigest()
    assert log.digest() == plain
    for ev, (_, fields) in zip(log.events, events, strict=True):
        assert ev.fields == tuple((k, round(v, 3) if isinstance(v, float) else v) for k, v in sorted(fields.items()))


def test_pulse_rasters_are_read_cell_by_cell_and_shared_by_runs_on_one_terrain():
    sc = load_scenario(TINY)
    a, b = Simulation(sc, seed=1).engine, Simulation(sc, seed=2).engine
    elev, ground = a._pulse_rasters()
    assert b._pulse_rasters() is a._pulse_rasters()
    g = a.terrain.grid
    rng = np.random.default_rng(0)
    for r, c in zip(rng.integers(0, g.nrows, 200).tolist(), rng.integers(0, g.ncols, 200).tolist(), strict=True):
        assert elev[r * g.ncols + c] == float(a.terrain.elevation_m[r, c])
        assert ground[r * g.ncols + c] == float(a._ground_exposure(r, c))



def _same_roster(a, b) -> None:
    assert a.units_by_row == b.units_by_row and a.tanks_by_row == b.tanks_by_row
    for name in ("unit_rank", "tank_rank", "ground_rows", "tank_order", "holding_type"):
        x, y = getattr(a, name), getattr(b, name)
        assert x.dtype == y.dtype and x.tolist() == y.tolist(), name


def test_roster_extended_for_a_new_group_is_the_roster_made_anew():
    """A counter-attack group formed is put into the roster's id order (kernel._roster_with):
    the same rows, ranks and orders as the roster made from scratch."""
    from khasan_sim.scenario.builtin import historical_scenario

    e = Simulation(load_scenario(historical_scenario()), seed=1).engine
    e._roster()
    ground = [e.units[i] for i in e.ground_ids if e.units[i].men > 400]
    for u in ground[:: max(1, len(ground) // 6)]:  # groups whose ids sort among the others'
        for _ in range(2):
            g = e._detach(u, 0.2, 50)
            assert g is not u
            extended = e._roster_memo
            assert extended is not None
            e._roster_memo = None
            _same_roster(extended, e._roster())




def test_is_night_kept_until_dusk_or_dawn_is_the_rule_at_every_time():
    """Times in order, many of them a hair either side of a dawn or a dusk: the answer kept
    between them is the rule's (khasan_sim.model.rules.is_night) at each."""
    from types import SimpleNamespace

    from khasan_sim.model import rules
    from khasan_sim.scenario.builtin import historical_scenario

    e = Simulation(load_scenario(historical_scenario()), seed=1).engine
    rng = np.random.default_rng(3)
    times = list(rng.uniform(0, e.end_min, 5000))
    for day in range(int(e.end_min // 1440) + 2):
        for b in (e.dawn, e.dusk):
            base = day * 1440 + b - e.start_minute_of_day
            times += [base + d for d in (-1e-3, -2e-6, -1e-7, 0.0, 1e-9, 1e-7, 1e-3) if 0 <= base + d <= e.end_min]
    e.env = SimpleNamespace(now=0.0)  # the clock, set by hand
    for t in sorted(times):
        e.env.now = float(t)
        assert e.is_night() == rules.is_night(e.start_minute_of_day + float(t), e.dawn, e.dusk), t


def test_visibility_kept_until_a_spell_starts_or_ends_is_the_rule_at_every_time():
    """Times in order, many a hair either side of a spell's start or end: the visibility
    kept between them is the rule's (khasan_sim.model.rules.visibility_m) at each."""
    from types import SimpleNamespace

    from khasan_sim.model import rules
    from khasan_sim.scenario.builtin import historical_scenario

    e = Simulation(load_scenario(historical_scenario()), seed=1).engine
    assert e.spells, "the historical scenario has spells of weather"
    rng = np.random.default_rng(4)
    times = list(rng.uniform(0, e.end_min, 3000))
    for s in e.spells:
        for b in (s.start_min, s.end_min):
            times += [b + d for d in (-1e-3, -1e-7, 0.0, 1e-9, 1e-3) if 0 <= b + d <= e.end_min]
    e.env = SimpleNamespace(now=0.0)  # the clock, set by hand
    for t in sorted(times):
        e.env.now = float(t)
        assert e.visibility_m() == rules.visibility_m(float(t), e.spells), t


def test_fire_light_kept_is_the_visibility_and_the_dark_at_every_time():
    """Times in order, many a hair either side of a dawn, a dusk or a spell's start or end:
    the pulse's farthest range and light that direct fire keeps between them are those
    worked out from the rules at each."""
    from types import SimpleNamespace

    from khasan_sim.engine.kernels import direct_fire as kernel
    from khasan_sim.model import rules
    from khasan_sim.scenario.builtin import historical_scenario

    e = Simulation(load_scenario(historical_scenario()), seed=1).engine
    cp = e.cp
    rng = np.random.default_rng(5)
    times = list(rng.uniform(0, e.end_min, 3000))
    for day in range(int(e.end_min // 1440) + 2):
        for b in (e.dawn, e.dusk):
            times.append(day * 1440 + b - e.start_minute_of_day)
    times += [b for s in e.spells for b in (s.start_min, s.end_min)]
    times = [t + d for t in times for d in (-1e-3, -1e-7, 0.0, 1e-9, 1e-3) if 0 <= t + d <= e.end_min]
    e.env = SimpleNamespace(now=0.0)  # the clock, set by hand
    p = e._fire_pulse
    for t in sorted(times):
        e.env.now = float(t)
        if not e._fire_light_from <= t < e._fire_light_until:
            e._fire_light(float(t))
        vis_m = rules.visibility_m(float(t), e.spells)
        night = rules.is_night(e.start_minute_of_day + float(t), e.dawn, e.dusk)
        assert p[kernel.P_MAX_RANGE] == min(cp.engagement_range_m, vis_m if vis_m < 5000 else cp.engagement_range_m), t
        assert p[kernel.P_VIS] == (cp.visibility_night if night else 1.0), t


def test_direct_fire_casualties_have_the_format_the_log_would_look_up():
    """Direct fire hands the log the format of its first casualty event for all of them
    (EventLog.add_as): each has the format add would look up for its names and types."""
    from khasan_sim.engine import eventlog
    from khasan_sim.scenario.builtin import historical_scenario

    sim = Simulation(load_scenario(historical_scenario()), seed=2)
    sim.run_to_end()
    log = sim.engine.log
    n = 0
    for _t, kind, fields, fmt, body in log._raw:
        if kind == "casualties" and fields.get("cause") == "direct-fire":
            assert eventlog._FORMATS[(*fields, *map(type, fields.values()))] is fmt
            assert body is None
            n += 1
    assert n > 100


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spent=st.integers(0, 32), seed=st.integers(0, 2**31 - 1))
def test_observed_fire_draws_ahead_are_the_streams_draws_one_by_one(spent, seed):
    """A stuck tank's observed-fire draws, taken ahead in a block for the kernel, are the
    draws its stream gives one by one; and a knock-out after *spent* of them finds the
    stream where the one-by-one draws would have left it."""
    from khasan_sim.engine.systems.artillery import _DRAWS_AHEAD
    from khasan_sim.rng import RngStreams

    engine = Simulation(load_scenario(TINY), seed=seed).engine
    ro = engine._roster()
    row = int(ro.tank_order[0])
    n = len(engine.tank_table.i)
    engine._observed_draws = np.zeros((n, _DRAWS_AHEAD))
    engine._observed_used = np.full(n, _DRAWS_AHEAD, dtype=np.int64)
    engine._draw_ahead(row, ro)
    ahead = engine._observed_draws[row].copy()
    engine._observed_used[row] = spent
    after = engine._observed_stream_now(row).random(3)

    one_by_one = RngStreams(seed).get("observed-fire", ro.tanks_by_row[row].id)
    assert [one_by_one.random() for _ in range(_DRAWS_AHEAD)] == ahead.tolist()
    again = RngStreams(seed).get("observed-fire", ro.tanks_by_row[row].id)
    again.random(spent)
    assert again.random(3).tolist() == after.tolist()
    assert engine._observed_used[row] == _DRAWS_AHEAD  # its draws ahead given up: drawn again at its next use
