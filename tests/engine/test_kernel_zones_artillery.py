"""The zone-holding and beaten-zone kernels on hand-made states: the plain sums, men kept
count of, suppression in bounds, nobody out of reach or on the firing side touched."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numba import njit

from khasan_sim.engine import world as w
from khasan_sim.engine.kernels import artillery as ak
from khasan_sim.engine.kernels import zones as zk
from khasan_sim.model import artillery

HOLDING = np.array([t in ("rifle", "border-guard", "machine-gun", "engineer", "anti-tank") for t in w.UNIT_TYPES])


def _units(seed: int, n: int, box: float = 2000.0) -> w.Table:
    rng = np.random.default_rng(seed)
    units = w.Table(w.U_NF, w.U_NI, capacity=2)
    for _ in range(n):
        u = units.add_row()
        units.f[u, w.U_X], units.f[u, w.U_Y] = rng.uniform(-50, box), rng.uniform(-50, box)
        units.f[u, w.U_SUPPRESSION] = rng.uniform(0, 1)
        units.i[u, w.U_SIDE] = rng.integers(0, 2)
        units.i[u, w.U_TYPE] = rng.integers(0, len(w.UNIT_TYPES))
        units.i[u, w.U_MEN_START] = units.i[u, w.U_MEN] = rng.integers(0, 900)
        units.i[u, w.U_STATE] = rng.integers(0, 5)
        units.i[u, w.U_ENTRENCH] = rng.integers(0, 4)
        units.i[u, w.U_MOVING] = rng.integers(0, 2)
        units.i[u, w.U_LOCATED] = rng.integers(0, 2)
    return units


@settings(max_examples=100, deadline=None)
@given(seed=st.integers(0, 10**6), n=st.integers(0, 30), n_zones=st.integers(1, 6))
def test_men_in_zones_are_the_plain_sums(seed, n, n_zones):
    rng = np.random.default_rng(seed)
    units = _units(seed, n)
    bits = np.zeros((80, 80), dtype=np.int64)
    for z in range(n_zones):
        r0, c0 = rng.integers(0, 70, 2)
        bits[r0 : r0 + rng.integers(1, 30), c0 : c0 + rng.integers(1, 30)] |= 1 << z
    sov, jap = zk.zone_presence(units.f, units.i, units.n, HOLDING, bits, n_zones, 25.0)
    ref = np.zeros((2, n_zones))
    for u in range(units.n):
        f, i = units.f[u], units.i[u]
        if i[w.U_MEN] <= 0 or not HOLDING[i[w.U_TYPE]] or i[w.U_STATE] in (3, 4):
            continue
        if not (0 <= f[w.U_X] < 2000 and 0 <= f[w.U_Y] < 2000):
            continue
        cell = bits[int(f[w.U_Y] // 25), int(f[w.U_X] // 25)]
        for z in range(n_zones):
            if cell >> z & 1:
                ref[i[w.U_SIDE], z] += i[w.U_MEN]
    assert np.array_equal(sov, ref[0]) and np.array_equal(jap, ref[1])


@settings(max_examples=100, deadline=None)
@given(
    seed=st.integers(0, 10**6), n=st.integers(1, 30), rounds=st.integers(1, 400), radius=st.floats(20, 300),
    side=st.integers(0, 1), counter_battery=st.booleans(), draws=st.integers(0, 2**63),
)
def test_a_volley_keeps_count_of_men_and_touches_only_the_enemy_in_reach(seed, n, rounds, radius, side, counter_battery, draws):
    units = _units(seed, n)
    tanks = w.Table(w.T_NF, w.T_NI, capacity=1)
    v = np.zeros(ak.N_VOLLEY)
    v[[ak.V_ROUNDS, ak.V_X, ak.V_Y, ak.V_RADIUS, ak.V_DISPERSION, ak.V_AREA, ak.V_LETHAL, ak.V_PER_ROUND]] = (
        rounds, 1000.0, 1000.0, radius, 80.0, 150.0 * 150.0, 25.0, 0.05,
    )
    v[[ak.V_UNLOCATED, ak.V_COUNTER_BATTERY, ak.V_TANK_AREA, ak.V_TANK_KILL, ak.V_NOW]] = 0.3, float(counter_battery), 20.0, 0.5, 99.0
    v[[ak.V_MISSING_STEADY, ak.V_MISSING_ROUTED, ak.V_MAX_LOSS, ak.V_KILLED_SOVIET, ak.V_KILLED_JAPANESE, ak.V_SIDE]] = 0.05, 0.3, 0.25, 0.3, 0.3, side
    v[[ak.V_COVER_WITHIN, ak.V_COVER_SHARE]] = 15.0, 0.35
    units.f[: units.n, w.U_LAST_FIRE] = np.random.default_rng(seed).choice([-1e9, 90.0], units.n)  # some under fire 9 min ago
    before_f, before_i = units.f.copy(), units.i.copy()
    order = np.arange(units.n)
    hit_rows, losses, bat_rows, bat_rounds, knocked, hit_fig, _ = ak.beaten_zone(
        units.f, units.i, order, tanks.f, tanks.i, 0, np.zeros(0, dtype=np.int64),
        np.array([1.0, 0.3, 0.1, 0.05]), np.array([1.0, 1.0, 0.5, 0.5]), v, np.array([draws], dtype=np.uint64),
    )
    reach = math.hypot(radius, 80.0) * 3.0
    i, b = units.i[: units.n], before_i[: units.n]
    total = i[:, w.U_MEN] + i[:, w.U_KILLED] + i[:, w.U_WOUNDED] + i[:, w.U_MISSING]
    assert np.array_equal(total, b[:, w.U_MEN])  # no losses before: men present and lost add up
    sup = units.f[: units.n, w.U_SUPPRESSION]
    assert ((sup >= 0) & (sup <= 1)).all()
    for u in range(units.n):
        d = math.hypot(before_f[u, w.U_X] - 1000.0, before_f[u, w.U_Y] - 1000.0)
        untouchable = b[u, w.U_SIDE] == side or d > reach or w.UNIT_TYPES[b[u, w.U_TYPE]] == "air"
        if untouchable:
            assert np.array_equal(units.f[u], before_f[u]) and np.array_equal(i[u], b[u])
        elif b[u, w.U_MEN] > 0 and sup[u] < before_f[u, w.U_SUPPRESSION]:
            raise AssertionError("fire never lowers suppression")
    for row, (k, wd, m), fig in zip(hit_rows.tolist(), losses.tolist(), hit_fig.tolist(), strict=True):
        assert k + wd + m == b[row, w.U_MEN] - i[row, w.U_MEN] > 0
        assert k + wd + m <= math.ceil(0.25 * b[row, w.U_MEN])
        # the cause's figures: where the unit stood from the aiming point, and the chance drawn
        d = math.hypot(before_f[row, w.U_X] - 1000.0, before_f[row, w.U_Y] - 1000.0)
        assert fig[ak.H_DISTANCE] == pytest.approx(d, rel=1e-12) and fig[ak.H_ROUNDS] > 0 and fig[ak.H_EXPECTED] > 0
        assert fig[ak.H_CHANCE] == pytest.approx(1 - math.exp(-fig[ak.H_EXPECTED] / b[row, w.U_MEN]))
        posture = (1.0, 0.3, 0.1, 0.05)[b[row, w.U_ENTRENCH]]  # men already under fire have taken cover
        assert fig[ak.H_POSTURE] == artillery.taken_cover_factor(posture, bool(b[row, w.U_MOVING]), 99.0 - before_f[row, w.U_LAST_FIRE], 15.0, 0.35)
    for row, on in zip(bat_rows.tolist(), bat_rounds.tolist(), strict=True):
        d = math.hypot(before_f[row, w.U_X] - 1000.0, before_f[row, w.U_Y] - 1000.0)
        share = artillery.share_of_rounds(d, radius, 80.0, 150.0 * 150.0)
        kind = w.UNIT_TYPES[b[row, w.U_TYPE]]
        assert kind in ("artillery", "anti-aircraft")  # the units with guns to hit
        if counter_battery and kind == "artillery" and not b[row, w.U_LOCATED]:
            share *= 0.3  # fire at a battery not located falls mostly wide of it
        assert on == pytest.approx(rounds * share, rel=1e-12)  # the compiled exp may differ in the last place
    assert knocked.size == 0


def _observed_reference(units, tanks, order, stuck, reach, see_m, sight):
    """Observed fire's two conditions, plainly: the first enemy battery (by id) with men and
    rounds left whose guns reach the stuck tank, and whether one of the three nearest enemy
    posts sees it; and the distance of the nearest of them that does."""
    f, i = units.f, units.i
    seen, battery, dist = [], [], []
    for t in stuck:
        side = i[tanks.i[t, w.T_UNIT], w.U_SIDE]
        x, y = tanks.f[t, w.T_X], tanks.f[t, w.T_Y]
        bat = next((b for b in order if i[b, w.U_SIDE] != side and reach[b] > 0 and i[b, w.U_MEN] > 0
                    and (i[b, w.U_AMMO] == w.NO_AMMUNITION_LIMIT or i[b, w.U_AMMO] > 0)
                    and math.hypot(f[b, w.U_X] - x, f[b, w.U_Y] - y) <= reach[b]), -1)
        battery.append(bat)
        if bat < 0:
            seen.append(False)
            dist.append(0.0)
            continue
        posts = [(math.hypot(f[v, w.U_X] - x, f[v, w.U_Y] - y), k, v) for k, v in enumerate(order)
                 if i[v, w.U_SIDE] != side and i[v, w.U_MEN] > 0 and w.UNIT_TYPES[i[v, w.U_TYPE]] != "air"
                 and i[v, w.U_STATE] not in (3, 4)]
        near = sorted(p for p in posts if p[0] <= see_m)[:3]
        seeing = [d for d, _, v in near
                  if sight.many(np.array([f[v, w.U_X]]), np.array([f[v, w.U_Y]]), np.array([x]), np.array([y]))[0]]
        seen.append(bool(seeing))
        dist.append(seeing[0] if seeing else 0.0)  # the nearest post that sees it
    return np.array(seen, dtype=bool), np.array(battery, dtype=np.int64), np.array(dist)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10**6), n=st.integers(1, 25), n_stuck=st.integers(0, 8), see_m=st.floats(200, 3000))
def test_which_bogged_tanks_an_enemy_post_sees_within_reach_of_a_battery(seed, n, n_stuck, see_m):
    from khasan_sim.engine.kernels.sight import SightLines
    from khasan_sim.scenario.builtin import historical_scenario
    from khasan_sim.scenario.load import load_scenario

    terrain = load_scenario(str(historical_scenario())).terrain
    rng = np.random.default_rng(seed)
    units = _units(seed, n, box=3000.0)
    units.f[: units.n, [w.U_X, w.U_Y]] += 4500.0  # round the heights
    tanks = w.Table(w.T_NF, w.T_NI, capacity=1)
    for _ in range(n_stuck):
        t = tanks.add_row()
        tanks.f[t, w.T_X], tanks.f[t, w.T_Y] = rng.uniform(4500, 7500, 2)
        tanks.i[t, w.T_UNIT] = rng.integers(0, units.n)
    order = rng.permutation(units.n)
    reach = np.where(rng.random(units.n) < 0.4, rng.uniform(500, 3000, units.n), 0.0)
    units.i[: units.n, w.U_AMMO] = rng.choice([w.NO_AMMUNITION_LIMIT, 0, 50], size=units.n)
    stuck = np.arange(tanks.n, dtype=np.int64)
    sight = SightLines(terrain)
    got_seen, got_battery, got_d = ak.spotted_tanks(units.f, units.i, order, tanks.f, tanks.i, stuck, reach, see_m, *sight.args)
    ref_seen, ref_battery, ref_d = _observed_reference(units, tanks, order, stuck, reach, see_m, sight)
    assert np.array_equal(got_battery, ref_battery)
    assert np.array_equal(got_seen, ref_seen)
    assert np.allclose(got_d, ref_d)


@settings(max_examples=100, deadline=None)
@given(seed=st.integers(0, 10**6), n=st.integers(0, 60))
def test_the_bogged_tanks_are_numpys_in_id_order(seed, n):
    rng = np.random.default_rng(seed)
    tanks = w.Table(w.T_NF, w.T_NI, capacity=1)
    for _ in range(n):
        t = tanks.add_row()
        tanks.i[t, w.T_STATUS] = rng.integers(0, len(w.TANK_STATUS))
    order = rng.permutation(tanks.n).astype(np.int64)
    ref = order[tanks.i[order, w.T_STATUS] == w.TANK_STATUS.index("bogged")]
    assert np.array_equal(ak.bogged_tanks(tanks.i, order), ref)


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(0, 10**6), n=st.integers(1, 200))
def test_a_tank_battalion_stands_where_numpy_puts_its_middle_tank(seed, n):
    from khasan_sim.engine.kernels.movement import middle_tank

    rng = np.random.default_rng(seed)
    tanks = w.Table(w.T_NF, w.T_NI, capacity=1)
    for _ in range(n):
        t = tanks.add_row()
        tanks.f[t, w.T_X], tanks.f[t, w.T_Y] = rng.uniform(0, 12000, 2)
        tanks.i[t, w.T_STATUS] = rng.choice([0, 1, 2, 3])
        tanks.i[t, w.T_MOVING] = rng.integers(0, 2)
    rows = rng.permutation(n)
    x, y, moving = middle_tank(tanks.f, tanks.i, rows)
    live = rows[tanks.i[rows, w.T_STATUS] != w.TANK_STATUS.index("destroyed")]
    assert moving == bool(tanks.i[rows, w.T_MOVING].any())
    if not live.size:
        assert np.isnan(x) and np.isnan(y)
        return
    xs, ys = tanks.f[live, w.T_X], tanks.f[live, w.T_Y]
    mx, my = float(np.mean(xs)), float(np.mean(ys))
    d2 = (xs - mx) ** 2 + (ys - my) ** 2
    k = int(np.flatnonzero(d2 == d2.min())[0])
    assert (x, y) == (xs[k], ys[k])


@settings(max_examples=100, deadline=None)
@given(seed=st.integers(0, 10**6), n=st.integers(0, 30), side=st.integers(0, 1), within=st.floats(0.0, 1500.0))
def test_men_on_the_other_sides_ground_are_the_plain_sum(seed, n, side, within):
    rng = np.random.default_rng(seed)
    units = _units(seed, n)
    soviet = rng.random((80, 80)) < 0.5
    cx, cy = rng.uniform(0, 2000, 2)
    if n and rng.random() < 0.3:  # a unit just at the edge of the reach
        units.f[0, w.U_X], units.f[0, w.U_Y] = cx + within, cy
    air = w.UNIT_TYPES.index("air")
    got = zk.men_on_other_ground(units.f, units.i, units.n, side, air, cx, cy, within, soviet, 25.0)
    ref = 0
    for u in range(units.n):
        f, i = units.f[u], units.i[u]
        if i[w.U_SIDE] != side or i[w.U_TYPE] == air or i[w.U_MEN] <= 0:
            continue
        x, y = float(f[w.U_X]), float(f[w.U_Y])
        if math.hypot(x - cx, y - cy) > within or not (0 <= x < 2000 and 0 <= y < 2000):
            continue
        if bool(soviet[int(y // 25), int(x // 25)]) == (side == 1):
            ref += int(i[w.U_MEN])
    if got < 0:  # left to the caller: some unit stands at the edge of the reach
        d = [math.hypot(units.f[u, w.U_X] - cx, units.f[u, w.U_Y] - cy) for u in range(units.n)]
        assert any(abs(x - within) <= 1e-6 * max(within, 1.0) for x in d)
    else:
        assert got == ref


@settings(max_examples=100, deadline=None)
@given(seed=st.integers(0, 10**6), n=st.integers(0, 25), n_tanks=st.integers(0, 20), side=st.integers(0, 1), with_bogged=st.booleans())
def test_the_tanks_a_recovery_officer_looks_over_and_the_units_nearest_them(seed, n, n_tanks, side, with_bogged):
    from khasan_sim.engine.kernels.movement import tanks_out_on_field

    rng = np.random.default_rng(seed)
    units = _units(seed, n)
    tanks = w.Table(w.T_NF, w.T_NI, capacity=1)
    for _ in range(n_tanks):
        t = tanks.add_row()
        tanks.f[t, w.T_X], tanks.f[t, w.T_Y] = rng.uniform(0, 2000, 2)
        tanks.i[t, w.T_STATUS] = rng.integers(0, len(w.TANK_STATUS))
        tanks.i[t, w.T_RECOVERY] = rng.integers(0, len(w.TANK_RECOVERY))
    rows = rng.permutation(tanks.n).astype(np.int64)
    ground = rng.permutation(units.n).astype(np.int64)
    got = tanks_out_on_field(units.f, units.i, ground, tanks.f, tanks.i, rows, side, with_bogged)
    ref = []
    for k, t in enumerate(rows.tolist()):
        status = w.TANK_STATUS[tanks.i[t, w.T_STATUS]]
        on_field = w.TANK_RECOVERY[tanks.i[t, w.T_RECOVERY]] == "on_field"
        if not ((status == "damaged" and on_field) or (with_bogged and status == "bogged")):
            continue
        x, y = float(tanks.f[t, w.T_X]), float(tanks.f[t, w.T_Y])
        d = {0: math.inf, 1: math.inf}
        for u in ground.tolist():
            if units.i[u, w.U_MEN] > 0:
                s = int(units.i[u, w.U_SIDE] == side)
                d[s] = min(d[s], math.hypot(units.f[u, w.U_X] - x, units.f[u, w.U_Y] - y))
        ref.append((k, d[0], d[1]))
    assert got.shape == (len(ref), 3)
    for (k, enemy, own), (rk, renemy, rown) in zip(got.tolist(), ref, strict=True):
        assert int(k) == rk and enemy == pytest.approx(renemy, rel=1e-12) and own == pytest.approx(rown, rel=1e-12)


@settings(max_examples=100, deadline=None)
@given(seed=st.integers(0, 10**6), n=st.integers(0, 30), n_zones=st.integers(1, 6), hold_min=st.floats(0, 600))
def test_a_change_of_who_has_the_men_to_hold_a_zone_is_seen(seed, n, n_zones, hold_min):
    rng = np.random.default_rng(seed)
    units = _units(seed, n)
    bits = np.zeros((80, 80), dtype=np.int64)
    for z in range(n_zones):
        r0, c0 = rng.integers(0, 70, 2)
        bits[r0 : r0 + rng.integers(1, 30), c0 : c0 + rng.integers(1, 30)] |= 1 << z
    sov, jap = np.full(n_zones, np.nan), np.full(n_zones, np.nan)
    held = np.full((2, n_zones), -1, dtype=np.int8)
    assert zk.zone_holding_changed(units.f, units.i, units.n, HOLDING, bits, n_zones, 25.0, sov, jap, hold_min, held)
    for _ in range(3):
        before = held.copy()
        if units.n:  # men lost, or a unit moved
            u = int(rng.integers(0, units.n))
            units.i[u, w.U_MEN] = max(0, int(units.i[u, w.U_MEN]) - int(rng.integers(0, 400)))
            units.f[u, w.U_X] = rng.uniform(0, 2000)
        changed = zk.zone_holding_changed(units.f, units.i, units.n, HOLDING, bits, n_zones, 25.0, sov, jap, hold_min, held)
        ref_sov, ref_jap = zk.zone_presence(units.f, units.i, units.n, HOLDING, bits, n_zones, 25.0)
        assert np.array_equal(sov, ref_sov) and np.array_equal(jap, ref_jap)
        now = np.array([ref_sov >= hold_min, ref_jap >= hold_min]).astype(np.int8)
        assert np.array_equal(held, now)
        assert changed == (not np.array_equal(before, now))


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10**6), n=st.integers(1, 25), n_stuck=st.integers(0, 8), see_m=st.floats(200, 3000),
    rate_h=st.floats(0.0, 50.0), half_m=st.floats(100.0, 5000.0), weight=st.floats(1.0, 4.0), dt=st.floats(0.5, 10.0),
)
def test_observed_fire_chances_are_the_plain_formula_on_the_tanks_seen(seed, n, n_stuck, see_m, rate_h, half_m, weight, dt):
    """The compiled chances of observed fire are, to the last bit, the engine's Python
    formula (the one it used before they were compiled) on the tanks observed_fire_into
    finds seen, in id order; those tanks, and only those, are marked under fire now."""
    from khasan_sim.engine.kernels.sight import SightLines
    from khasan_sim.scenario.builtin import historical_scenario
    from khasan_sim.scenario.load import load_scenario

    terrain = load_scenario(str(historical_scenario())).terrain
    rng = np.random.default_rng(seed)
    units = _units(seed, n, box=3000.0)
    units.f[: units.n, [w.U_X, w.U_Y]] += 4500.0  # round the heights
    tanks = w.Table(w.T_NF, w.T_NI, capacity=1)
    for _ in range(n_stuck + 3):
        t = tanks.add_row()
        tanks.f[t, w.T_X], tanks.f[t, w.T_Y] = rng.uniform(4500, 7500, 2)
        tanks.f[t, w.T_LAST_FIRE] = -1e9
        tanks.i[t, w.T_UNIT] = rng.integers(0, units.n)
        tanks.i[t, w.T_COMMAND] = rng.integers(0, 2)
        tanks.i[t, w.T_STATUS] = w.TANK_STATUS.index("bogged") if t < n_stuck else rng.integers(0, len(w.TANK_STATUS))
    order = rng.permutation(units.n)
    tank_order = rng.permutation(tanks.n).astype(np.int64)
    reach = np.where(rng.random(units.n) < 0.4, rng.uniform(500, 3000, units.n), 0.0)
    units.i[: units.n, w.U_AMMO] = rng.choice([w.NO_AMMUNITION_LIMIT, 0, 50], size=units.n)
    sight = SightLines(terrain)
    # the reference: observed_fire_into's answer, then the engine's formula in Python
    out = tuple(np.zeros(tanks.n, dtype=d) for d in (np.int64, np.bool_, np.int64, np.float64))
    n_s = ak.observed_fire_into(units.f, units.i, order, tanks.f, tanks.i, tank_order, reach, see_m, *sight.args, *out)
    ref = []
    for t_row, ok, b, d in zip(*(a[:n_s].tolist() for a in out), strict=True):
        if ok:
            rate = rate_h / (1.0 + (d / half_m) ** 2)
            if tanks.i[t_row, w.T_COMMAND]:
                rate *= weight
            ref.append((t_row, b, d, -math.expm1(-rate * dt / 60.0)))
    fire = np.zeros(ak.N_OF)
    fire[[ak.OF_NOW, ak.OF_RATE_H, ak.OF_HALF_M, ak.OF_COMMAND_WEIGHT, ak.OF_DT, ak.OF_POWER]] = 77.0, rate_h, half_m, weight, dt, 2.0
    got_out = (*(np.zeros(tanks.n, dtype=d) for d in (np.int64, np.bool_, np.int64, np.float64)), np.zeros(tanks.n))
    n_stuck_got, n_seen = ak.observed_fire_chances_into(
        units.f, units.i, order, tanks.f, tanks.i, tank_order, reach, see_m, *sight.args, fire, *got_out,
    )
    seen_rows, _, battery, dist, chance = got_out
    assert n_stuck_got == n_s
    got = list(zip(seen_rows[:n_seen].tolist(), battery[:n_seen].tolist(), dist[:n_seen].tolist(), chance[:n_seen].tolist(), strict=True))
    assert got == ref  # bit for bit: the chance is compared with a draw and logged
    marked = {t for t in range(tanks.n) if tanks.f[t, w.T_LAST_FIRE] == 77.0}
    assert marked == {r[0] for r in ref} and all(tanks.f[t, w.T_LAST_FIRE] == -1e9 for t in range(tanks.n) if t not in marked)


@njit(cache=False)
def _square_as_compiled(d, half_m, power):
    return (d / half_m) ** power  # as observed_fire_chances_into works it out


@settings(max_examples=300, deadline=None)
@given(d=st.floats(0.0, 1e5), half_m=st.floats(1.0, 1e4))
def test_a_square_compiled_with_its_power_given_at_run_time_is_pythons(d, half_m):
    """Why observed fire's kernel is given its power (``OF_POWER``): numba's ``x ** y``
    with *y* known only at run time calls libm's pow, as Python's ``x ** 2`` does, bit for
    bit; a constant 2 is compiled to ``x * x``, which need not round the same (it does
    not on about 1 in 1,000 ratios)."""
    assert _square_as_compiled(d, half_m, 2.0) == (d / half_m) ** 2


def test_a_square_compiled_with_its_power_given_at_run_time_is_pythons_on_many_ratios():
    ratios = np.random.default_rng(7).uniform(0.0, 20.0, 20_000).tolist()
    assert [_square_as_compiled(r, 1.0, 2.0) for r in ratios] == [r**2 for r in ratios]
