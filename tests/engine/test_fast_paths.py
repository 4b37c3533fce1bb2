"""The pulse's shortcuts answer exactly what the plain computation answers.

The 5-minute pulse asks for line of sight and for enemy pairs in range thousands of times
a run, so it takes shortcuts (keys built in Python for a few sight lines, in numpy for
many; squared distances to pick candidates). These tests hold each shortcut to the plain
answer, so a run's event log cannot depend on which path a query took.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from khasan_sim.api import Simulation
from khasan_sim.engine import kernel
from khasan_sim.engine.systems import sight
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


def test_sight_lines_right_after_the_cache_is_emptied(engine, monkeypatch):
    pts = _points(engine, 60, 3)
    engine._los([tuple(p) for p in pts[:30]])
    monkeypatch.setattr(sight, "_LOS_CACHE_LIMIT", 0)  # read where the sight lines are kept
    got = engine._los_arrays(pts[:, 0], pts[:, 1], pts[:, 2], pts[:, 3]).tolist()
    assert got == _plain_los(engine, pts)


@settings(max_examples=50, deadline=None)
@given(
    n_a=st.integers(0, 30), n_b=st.integers(0, 30), seed=st.integers(0, 10_000),
    reach=st.floats(0.0, 3000.0),
)
def test_pairs_in_range_are_the_enemy_pairs_within_reach(n_a, n_b, seed, reach):
    rng = np.random.default_rng(seed)
    ax, ay = rng.uniform(0, 4000, n_a), rng.uniform(0, 4000, n_a)
    bx, by = rng.uniform(0, 4000, n_b), rng.uniform(0, 4000, n_b)
    # some points exactly at the reach, where a shortcut would show
    if n_a and n_b:
        bx[0], by[0] = ax[0] + reach, ay[0]
    a_sov, b_sov = rng.random(n_a) < 0.5, rng.random(n_b) < 0.5
    if n_a and n_b:
        b_sov[0] = not a_sov[0]
    a_reach = np.full(n_a, reach)
    rows, cols, dist = kernel._pairs_in_range(ax, ay, a_sov, a_reach, bx, by, b_sov)
    want = [
        (i, j, float(np.hypot(bx[j] - ax[i], by[j] - ay[i])))
        for i in range(n_a) for j in range(n_b)
        if a_sov[i] != b_sov[j] and np.hypot(bx[j] - ax[i], by[j] - ay[i]) <= reach
    ]
    assert list(zip(rows.tolist(), cols.tolist(), dist.tolist(), strict=True)) == want


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(n_a=st.integers(0, 25), n_b=st.integers(0, 25), seed=st.integers(0, 10_000), close=st.sampled_from([0.0, 150.0]))
def test_seen_pairs_are_the_plain_choice_and_the_same_when_given_again(engine, n_a, n_b, seed, close):
    g = engine.terrain.grid
    rng = np.random.default_rng(seed)
    ax, ay = rng.uniform(0, g.width_m - 1, n_a), rng.uniform(0, g.height_m - 1, n_a)
    bx, by = rng.uniform(0, g.width_m - 1, n_b), rng.uniform(0, g.height_m - 1, n_b)
    a_sov, b_sov = rng.random(n_a) < 0.5, rng.random(n_b) < 0.5
    reach = rng.uniform(0, 2500, n_a)
    args = (ax, ay, a_sov, reach, bx, by, b_sov)
    # the plain answer: every a's nearest enemy in reach that it sees (or is close to), ties by col
    want = []
    for i in range(n_a):
        best = None
        for j in range(n_b):
            d = float(np.hypot(bx[j] - ax[i], by[j] - ay[i]))
            if a_sov[i] == b_sov[j] or d > reach[i]:
                continue
            seen = engine._los([(ax[i], ay[i], bx[j], by[j])])[0] or d <= close
            if seen and (best is None or (d, j) < best):
                best = (d, j)
        if best is not None:
            want.append((i, best[1], best[0]))
    engine._seen_memo.clear()
    rows, cols, dist = engine._seen_pairs("test", *args, close_m=close, nearest=True)
    assert list(zip(rows.tolist(), cols.tolist(), dist.tolist(), strict=True)) == want
    # asked again with the same positions: the kept answer, unchanged
    again = engine._seen_pairs("test", *(a.copy() for a in args), close_m=close, nearest=True)
    assert again is engine._seen_memo["test"][2]
    assert [a.tolist() for a in again] == [rows.tolist(), cols.tolist(), dist.tolist()]
    # one position moved: worked out afresh
    if n_a:
        moved = (ax + 1000.0, *args[1:])
        engine._seen_pairs("test", *moved, close_m=close, nearest=True)
        assert engine._seen_memo["test"][0][0] == moved[0].tobytes()


def test_arms_and_anti_tank_arms_are_each_units_and_follow_their_weapons(engine):
    units = [engine.units[i] for i in engine.ground_ids]
    for u in units:
        assert engine._arms(u).kill_counts == tuple(float(u.weapons_start.get(w, 0)) for w in engine._kill_weapons)
    armed = [(k, engine._arms(u)) for k, u in enumerate(units) if engine._arms(u).anti_tank]
    assert engine._anti_tank_arms(list(units)) == armed
    # weapons changed in place (as a detached group's parent's are): worked out afresh
    u = next(u for u in units if u.weapons_start)
    saved = dict(u.weapons_start)
    try:
        for w in u.weapons_start:
            u.weapons_start[w] += 7
        assert engine._arms(u).kill_counts == tuple(float(u.weapons_start.get(w, 0)) for w in engine._kill_weapons)
        assert engine._anti_tank_arms(list(units)) == [(k, engine._arms(v)) for k, v in enumerate(units) if engine._arms(v).anti_tank]
    finally:
        u.weapons_start.clear()
        u.weapons_start.update(saved)


def test_sides_of_units_and_tanks_are_each_ones_own(engine):
    units = [engine.units[i] for i in engine.ground_ids]
    tanks = list(engine.all_tanks)
    assert tanks, "the tiny scenario has tanks"
    assert engine._soviet_of("test-units", units).tolist() == [u.side == "soviet" for u in units]
    assert engine._soviet_of("test-tanks", tanks).tolist() == [engine.units[t.unit].side == "soviet" for t in tanks]
    assert engine._soviet_of("test-units", list(units)) is engine._soviet_of("test-units", units)
    fewer = units[1:]
    assert engine._soviet_of("test-units", fewer).tolist() == [u.side == "soviet" for u in fewer]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(n=st.integers(2, 40), seed=st.integers(0, 10_000), spread=st.sampled_from([300.0, 3000.0]))
def test_close_pairs_are_the_plain_table_and_the_same_when_given_again(engine, n, seed, spread):
    rng = np.random.default_rng(seed)
    x, y = rng.uniform(0, spread, n), rng.uniform(0, spread, n)
    reach = engine.cp.close_assault_m
    x[1], y[1] = x[0] + reach, y[0]  # exactly at the reach
    sov = rng.random(n) < 0.5
    # the plain table: differences and squares as numpy makes them, pair by pair
    near = [[(x[i] - x[j]) * (x[i] - x[j]) + (y[i] - y[j]) * (y[i] - y[j]) <= reach * reach for j in range(n)] for i in range(n)]
    across = [[near[i][j] and sov[i] != sov[j] for j in range(n)] for i in range(n)]
    engine._close_memo = None
    got_near, got_across = engine._close_pairs(x, y, sov)
    assert got_near.tolist() == near
    assert (got_across.tolist() if got_across is not None else None) == (across if any(map(any, across)) else None)
    again = engine._close_pairs(x.copy(), y.copy(), sov)
    assert again is engine._close_memo[2]
    moved = engine._close_pairs(x + 5000.0 * (np.arange(n) % 2), y, sov)
    assert moved is not again


def test_tank_firers_are_the_plain_choice_and_follow_status_order_and_range(engine):
    from khasan_sim.engine.state import TANK_BOGGED, TANK_DESTROYED, TANK_FIRING

    tanks = engine.all_tanks
    vrange = engine.fire_tables["vehicle_range"]

    def plain(in_order, max_range):
        live = [t for t in tanks if t.status in TANK_FIRING]
        at = [k for k, t in enumerate(live) if t.unit in in_order]
        return live, at, [min(max_range, vrange[live[k].model]) for k in at]

    units = set(engine._tank_unit_ids)
    saved = [t.status for t in tanks]
    try:
        for in_order, max_range in ((units, 3000.0), (units, 400.0), (set(), 400.0)):
            live, at, reach = engine._tank_firers(in_order, max_range)
            assert (live, at, reach.tolist()) == plain(in_order, max_range)
        tanks[0].status = TANK_DESTROYED
        tanks[-1].status = TANK_BOGGED
        live, at, reach = engine._tank_firers(units, 400.0)
        assert (live, at, reach.tolist()) == plain(units, 400.0)
    finally:
        for t, s in zip(tanks, saved, strict=True):
            t.status = s


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


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    picks=st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50), st.floats(0.0, 1400.0)), min_size=1, max_size=8),
    sup=st.floats(0.0, 1.0),
)
def test_aimed_fire_adds_up_the_scalar_mechanics_of_each_exchange_in_firer_id_order(engine, picks, sup):
    """Each exchange's expected casualties are fire.fire_volume of the firer's weapons (scaled
    by its men present) at the distance, times its state's share of fire and the frontage
    share, cut by training, height, suppression, visibility and the target's exposure; a
    target fired at by several firers gets their sum, added in the firers' id order."""
    from khasan_sim.model import fire, morale

    units = [engine.units[i] for i in engine.ground_ids if engine.units[i].men > 0 and not engine.units[i].tanks]
    tanks = list(engine.all_tanks)
    firers = [*units, *tanks]
    ft = engine.fire_tables
    saved = [u.suppression for u in units]
    try:
        for u in units:
            u.suppression = sup
        rows = np.array([i % len(firers) for i, _, _ in picks])
        cols = np.array([j % len(units) for _, j, _ in picks])
        dist = np.array([d for _, _, d in picks])
        fx = np.array([f.x for f in firers])
        fy = np.array([f.y for f in firers])
        tx = np.array([u.x for u in units])
        ty = np.array([u.y for u in units])
        got = engine._aimed_fire(5.0, firers, len(units), units, rows, cols, dist, fx, fy, tx, ty, 0.7)

        want: dict[int, float] = {}
        order = sorted(range(len(picks)), key=lambda k: firers[rows[k]].id)
        for k in order:
            f, v, d = firers[rows[k]], units[cols[k]], float(dist[k])
            if rows[k] < len(units):
                counts = {w: n * f.men_share for w, n in f.weapons_start.items()}
                vol = fire.fire_volume(counts, ft["kills"], ft["range"], d) * morale.FIRE_FACTOR[f.state] * fire.frontage_share(f.men, v.men)
                shooter = f
            else:
                vol = ft["vehicle_kills"][f.model] * fire.range_factor(d, ft["vehicle_range"][f.model])
                shooter = engine.units[f.unit]
            adv = max(0.5, 1.0 + engine.cp.elevation_adv_per_100m * (engine._elevation_at(f.x, f.y) - engine._elevation_at(v.x, v.y)) / 100.0)
            e = fire.expected_casualties(vol, 5.0, engine.cp.accuracy[shooter.training] * adv, shooter.suppression, 0.7, engine._exposure(v, d))
            want[int(cols[k])] = want.get(int(cols[k]), 0.0) + e
        assert got == want  # the very floats
    finally:
        for u, s in zip(units, saved, strict=True):
            u.suppression = s
