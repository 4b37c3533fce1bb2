"""The compiled direct-fire and morale kernels agree with the scalar mechanics of
khasan_sim.model on random hand-made states (the reference is written here, plainly)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from khasan_sim.engine import world as w
from khasan_sim.engine.kernels import direct_fire as df
from khasan_sim.engine.kernels import morale as mk
from khasan_sim.engine.kernels import random as rnd
from khasan_sim.engine.kernels.sight import SIGHT_CELL_M, SightLines
from khasan_sim.model import fire, morale
from khasan_sim.scenario.builtin import historical_scenario
from khasan_sim.scenario.load import load_scenario
from khasan_sim.terrain.los import visible_many

KILL = np.array([0.02, 0.08, 0.0])  # kills a minute of three weapons
KILL_RANGE = np.array([600.0, 1000.0, 300.0])
VEH_RANGE = np.array([800.0])
VEH_KILLS = np.array([0.3])
VEH_GUN_KILLS = np.array([0.1])  # guns a tank's fire hits a minute, on an anti-tank position
ACCURACY = np.array([0.5, 0.7, 1.0, 1.2])
ENTRENCH = np.array([1.0, 0.5, 0.25, 0.1])
FIRE_FACTOR = np.array([morale.FIRE_FACTOR[s] for s in morale.STATES])
TYPES = ("rifle", "machine-gun", "artillery", "tank", "air", "anti-tank")


@pytest.fixture(scope="module")
def terrain():
    return load_scenario(str(historical_scenario())).terrain


def _state(seed: int):
    """A random small world around Zaozernaya: units (some of them tank units) and their tanks."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 14))
    units = w.Table(w.U_NF, w.U_NI, capacity=4)
    tanks = w.Table(w.T_NF, w.T_NI, capacity=4)
    for k in range(n):
        u = units.add_row()
        f, i = units.f[u], units.i[u]
        f[w.U_X], f[w.U_Y] = rng.uniform(5000, 7000), rng.uniform(6000, 8000)
        f[w.U_SUPPRESSION] = rng.choice([0.0, rng.uniform(0, 1)])
        i[w.U_SIDE] = k % 2 if k < 2 else rng.integers(0, 2)
        typ = TYPES[int(rng.integers(0, len(TYPES)))]
        i[w.U_TYPE] = w.UNIT_TYPES.index(typ)
        i[w.U_MEN_START] = int(rng.integers(50, 800))
        i[w.U_MEN] = int(rng.integers(0, i[w.U_MEN_START] + 1))
        i[w.U_TRAINING] = rng.integers(0, 4)
        i[w.U_STATE] = rng.integers(0, 5)
        i[w.U_ENTRENCH] = rng.integers(0, 4)
        i[w.U_MOVING] = rng.integers(0, 2)
        f[w.U_AT_FIRED] = rng.choice([-1e9, 95.0, 60.0])  # gave itself away lately, long ago, or never
        if typ == "tank":
            i[w.U_HAS_TANKS] = 1
            for _ in range(int(rng.integers(1, 5))):
                t = tanks.add_row()
                tanks.f[t, w.T_X] = f[w.U_X] + rng.normal(0, 50)
                tanks.f[t, w.T_Y] = f[w.U_Y] + rng.normal(0, 50)
                tanks.i[t, w.T_UNIT] = u
                tanks.i[t, w.T_STATUS] = rng.choice([0, 0, 1, 2, 3])
                tanks.i[t, w.T_MOVING] = rng.integers(0, 2)
                tanks.i[t, w.T_COMMAND] = rng.integers(0, 2)
    kill_counts = rng.integers(0, 40, size=(n, len(KILL))).astype(np.float64)
    ranks = rng.permutation(n + tanks.n)
    return units, tanks, kill_counts, ranks[:n].copy(), ranks[n:].copy()


def _pulse(dt=5.0, max_range=1500.0, vis=1.0, revealed_min=0.0):
    p = np.zeros(df.N_PULSE)
    p[df.P_DT], p[df.P_MAX_RANGE], p[df.P_VIS], p[df.P_CLOSE_M] = dt, max_range, vis, 150.0
    p[df.P_CLOSE_EXPOSURE], p[df.P_MOVING_EXPOSURE], p[df.P_ELEV_ADV] = 0.6, 1.5, 0.1
    p[df.P_NOW], p[df.P_REVEALED_MIN] = 100.0, revealed_min
    p[df.P_TANK_MOVING_FIRE] = 0.3
    return p


def _reference_expected(terrain, units, tanks, kill_counts, unit_rank, tank_rank, pulse):
    """Aimed fire worked out with the scalar mechanics, one exchange at a time."""
    uf, ui, tf, ti = units.rows_f, units.rows_i, tanks.rows_f, tanks.rows_i
    g = terrain.grid
    elev = terrain.elevation_m.astype(np.float64)
    cover = terrain.cover.astype(np.float64)
    conceal = terrain.concealment.astype(np.float64)
    width = int(max(g.width_m, g.height_m) // SIGHT_CELL_M) + 1

    def sees(ax, ay, bx, by):
        ka = int(ax // 50) * width + int(ay // 50)
        kb = int(bx // 50) * width + int(by // 50)
        lo, hi = (ax, ay), (bx, by)
        if kb < ka:
            lo, hi = hi, lo
        c = lambda p: ((p[0] // 50 + 0.5) * 50, (p[1] // 50 + 0.5) * 50)  # noqa: E731
        return bool(visible_many(terrain, np.array([c(lo)]), np.array([c(hi)]))[0])

    target = [ui[v, w.U_MEN] > 0 and not ui[v, w.U_HAS_TANKS] and w.UNIT_TYPES[ui[v, w.U_TYPE]] != "air" for v in range(units.n)]
    firers = []
    for u in range(units.n):
        if target[u] and w.UNIT_TYPES[ui[u, w.U_TYPE]] != "artillery" and FIRE_FACTOR[ui[u, w.U_STATE]] > 0:
            firers.append((unit_rank[u], u, None, pulse[df.P_MAX_RANGE]))
    for t in range(tanks.n):
        if ti[t, w.T_STATUS] in (0, 1) and morale.STATES[ui[ti[t, w.T_UNIT], w.U_STATE]] is not morale.MoraleState.ROUTED:
            firers.append((tank_rank[t], None, t, min(pulse[df.P_MAX_RANGE], VEH_RANGE[0])))
    expected = np.zeros(units.n)
    gun_fire = np.zeros(units.n)  # the guns of an anti-tank position the tanks' fire is expected to hit
    for _, u, t, reach in sorted(firers):
        fx, fy = (uf[u, w.U_X], uf[u, w.U_Y]) if u is not None else (tf[t, w.T_X], tf[t, w.T_Y])
        side = ui[u if u is not None else ti[t, w.T_UNIT], w.U_SIDE]
        cands = []
        for v in range(units.n):
            if not target[v] or ui[v, w.U_SIDE] == side:
                continue
            d = math.hypot(uf[v, w.U_X] - fx, uf[v, w.U_Y] - fy)
            if d <= reach and (d <= pulse[df.P_CLOSE_M] or sees(fx, fy, uf[v, w.U_X], uf[v, w.U_Y])):
                cands.append((d, unit_rank[v], v))
        if not cands:
            continue
        # a tank fires first at the nearest anti-tank gun it sees that fired at tanks lately
        revealed = [c for c in cands if t is not None and pulse[df.P_REVEALED_MIN] > 0
                    and pulse[df.P_NOW] - uf[c[2], w.U_AT_FIRED] <= pulse[df.P_REVEALED_MIN]]
        d, _, v = min(revealed or cands)
        if u is not None:
            counts = {k: kill_counts[u, k] * (ui[u, w.U_MEN] / ui[u, w.U_MEN_START]) for k in range(len(KILL))}
            volume = fire.fire_volume(counts, dict(enumerate(KILL)), dict(enumerate(KILL_RANGE)), d)
            volume *= FIRE_FACTOR[ui[u, w.U_STATE]] * fire.frontage_share(ui[u, w.U_MEN], ui[v, w.U_MEN])
            shooter = u
        else:
            on_the_move = pulse[df.P_TANK_MOVING_FIRE] if ti[t, w.T_MOVING] else 1.0
            volume = VEH_KILLS[0] * fire.range_factor(d, VEH_RANGE[0]) * on_the_move
            shooter = ti[t, w.T_UNIT]
        rf, cf = g.cell(fx, fy)
        rt, ct = g.cell(uf[v, w.U_X], uf[v, w.U_Y])
        adv = max(0.5, 1.0 + pulse[df.P_ELEV_ADV] * (elev[rf, cf] - elev[rt, ct]) / 100.0)
        ex = (1.0 - cover[rt, ct]) * (1.0 - 0.5 * conceal[rt, ct])
        ent = ENTRENCH[ui[v, w.U_ENTRENCH]]
        if d <= pulse[df.P_CLOSE_M]:
            ent = max(ent, pulse[df.P_CLOSE_EXPOSURE])
        ex *= ent
        if ui[v, w.U_MOVING]:
            ex *= pulse[df.P_MOVING_EXPOSURE]
        expected[v] += fire.expected_casualties(
            volume, pulse[df.P_DT], ACCURACY[ui[shooter, w.U_TRAINING]] * adv, uf[shooter, w.U_SUPPRESSION], pulse[df.P_VIS], ex,
        )
        if t is not None and w.UNIT_TYPES[ui[v, w.U_TYPE]] == "anti-tank":  # its gun on the gun pits, at the same odds
            gun_fire[v] += fire.expected_casualties(
                VEH_GUN_KILLS[0] * fire.range_factor(d, VEH_RANGE[0]) * on_the_move, pulse[df.P_DT], ACCURACY[ui[shooter, w.U_TRAINING]] * adv,
                uf[shooter, w.U_SUPPRESSION], pulse[df.P_VIS], ex,
            )
    return expected, np.array(target, dtype=bool), gun_fire


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10**6), night=st.booleans(), revealed=st.sampled_from([0.0, 10.0]))
def test_aimed_fire_agrees_with_the_scalar_mechanics(terrain, seed, night, revealed):
    units, tanks, kill_counts, unit_rank, tank_rank = _state(seed)
    pulse = _pulse(vis=0.3 if night else 1.0, max_range=400.0 if night else 1500.0, revealed_min=revealed)
    g = terrain.grid
    ground = ((1.0 - terrain.cover.astype(np.float64)) * (1.0 - 0.5 * terrain.concealment.astype(np.float64))).ravel()
    sight = SightLines(terrain)
    got, is_target, cause = df.aimed_fire(
        units.f, units.i, units.n, unit_rank, tanks.f, tanks.i, tanks.n, tank_rank,
        kill_counts, KILL, KILL_RANGE, VEH_RANGE, VEH_KILLS, VEH_GUN_KILLS, ACCURACY, ENTRENCH, FIRE_FACTOR, pulse,
        terrain.elevation_m.astype(np.float64).ravel(), ground, g.cell_m, g.nrows, g.ncols, *sight.args,
        df.id_order(unit_rank, units.n, tank_rank, tanks.n), _rows_by_x_kept(units.n, seed),
    )
    ref, ref_target, ref_gun_fire = _reference_expected(terrain, units, tanks, kill_counts, unit_rank, tank_rank, pulse)
    assert np.array_equal(is_target[: units.n], ref_target)
    np.testing.assert_allclose(got[: units.n], ref, rtol=1e-12, atol=0)
    np.testing.assert_allclose(cause[: units.n, df.C_GUN_FIRE], ref_gun_fire, rtol=1e-12, atol=0)
    for v in np.flatnonzero(ref_gun_fire > 0).tolist():  # the tank that gave the most of it
        firer = int(cause[v, df.C_GUN_FIRER])
        assert firer < 0 and 0 < cause[v, df.C_GUN_MAIN] <= cause[v, df.C_GUN_FIRE] * (1 + 1e-12)
    # each target's cause: its expected casualties, and the firer that added most, a unit
    # or tank of the other side within the pulse's range
    c = cause[: units.n]
    np.testing.assert_allclose(c[:, df.C_EXPECTED], got[: units.n], rtol=1e-12, atol=0)
    for v in np.flatnonzero(got[: units.n] > 0).tolist():
        firer = int(c[v, df.C_FIRER])
        side = units.i[firer, w.U_SIDE] if firer >= 0 else units.i[tanks.i[-1 - firer, w.T_UNIT], w.U_SIDE]
        assert side != units.i[v, w.U_SIDE]
        assert 0 < c[v, df.C_MAIN_EXPECTED] <= c[v, df.C_EXPECTED] * (1 + 1e-12) and c[v, df.C_FIRERS] >= 1
        assert 0 <= c[v, df.C_RANGE] <= pulse[df.P_MAX_RANGE] and 0 <= c[v, df.C_SUPPRESSION] <= 1


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10**6))
def test_aimed_fire_is_the_same_from_any_order_of_the_rows_by_x(terrain, seed):
    """Each firer looks only at the enemies in its strip of x, the rows sorted by x from the
    order kept from the last pulse: the fire is the same, to the last bit, whatever that
    order, for a short reach, the pulse's and one wider than the map (every row in the
    strip)."""
    units, tanks, kill_counts, unit_rank, tank_rank = _state(seed)
    g = terrain.grid
    ground = ((1.0 - terrain.cover.astype(np.float64)) * (1.0 - 0.5 * terrain.concealment.astype(np.float64))).ravel()
    sight = SightLines(terrain)
    order = df.id_order(unit_rank, units.n, tank_rank, tanks.n)

    def fire_with(by_x, max_range):
        pulse = _pulse(max_range=max_range)
        return df.aimed_fire(
            units.f, units.i, units.n, unit_rank, tanks.f, tanks.i, tanks.n, tank_rank,
            kill_counts, KILL, KILL_RANGE, np.array([max_range]), VEH_KILLS, VEH_GUN_KILLS, ACCURACY, ENTRENCH, FIRE_FACTOR, pulse,
            terrain.elevation_m.astype(np.float64).ravel(), ground, g.cell_m, g.nrows, g.ncols, *sight.args, order, by_x,
        )

    for max_range in (300.0, 1500.0, 1e6):
        first = fire_with(np.arange(units.n), max_range)
        for k in range(3):
            again = fire_with(_rows_by_x_kept(units.n, seed + k), max_range)
            assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))


@settings(max_examples=200, deadline=None)
@given(
    m=st.floats(0, 1), s=st.floats(0, 1), lost=st.integers(0, 300), men=st.integers(0, 900), shocks=st.floats(0, 0.5),
    night=st.booleans(), last=st.floats(-1e9, 100), prev=st.integers(0, 4), training=st.integers(0, 3),
)
def test_morale_kernel_agrees_with_the_scalar_mechanics(m, s, lost, men, shocks, night, last, prev, training):
    units = w.Table(w.U_NF, w.U_NI, capacity=1)
    u = units.add_row()
    th = morale.Thresholds(shaken=0.5, retreat=0.35, rout=0.2, pin_suppression=0.6, rally_margin=0.1)
    units.f[u, [w.U_MORALE, w.U_MORALE_START, w.U_SUPPRESSION, w.U_SHOCKS, w.U_LAST_FIRE]] = m, 0.8, s, shocks, last
    units.f[u, [w.U_SHAKEN, w.U_RETREAT, w.U_ROUT, w.U_PIN, w.U_RALLY]] = 0.5, 0.35, 0.2, 0.6, 0.1
    units.i[u, [w.U_MEN, w.U_PULSE_LOSS, w.U_STATE, w.U_TRAINING, w.U_HAS_TANKS]] = men, lost, prev, training, 1
    sens = np.array([1.3, 1.0, 0.8, 0.6])
    pulse = np.zeros(mk.N_MORALE)
    pulse[[mk.M_DT, mk.M_NIGHT, mk.M_NOW, mk.M_REST_AFTER, mk.M_HALF_LIFE]] = 5.0, float(night), 100.0, 60.0, 15.0
    pulse[[mk.M_LOSS_WEIGHT, mk.M_SUPPRESSION_WEIGHT, mk.M_NIGHT_DRIFT, mk.M_RECOVERY]] = 2.0, 0.3, 0.01, 0.05
    out = np.zeros(mk.N_OUT)
    at = mk.settle_morale(units.f, units.i, np.array([u]), 0, sens, pulse, out)
    before = men + lost
    ref_m = morale.morale_after(
        m, loss_share=(lost / before if before > 0 else 0.0) * sens[training], suppression=s, minutes=5.0, is_night=night,
        shocks=shocks, resting=100.0 - last >= 60.0, baseline=0.8, suppression_floor=0.5,
        loss_rate_weight=2.0, suppression_weight_per_hour=0.3, night_drift_per_hour=0.01, recovery_per_hour=0.05,
    )
    ref_state = morale.morale_state(ref_m, s, morale.STATES[prev], th, pressed=lost > 0 or shocks > 0 or s >= 0.6)
    ref_s = morale.decay_suppression(s, 5.0, 15.0)
    if at == -1:
        assert morale.STATES[prev] is ref_state
        assert units.f[u, w.U_MORALE] == ref_m
        assert units.f[u, w.U_SUPPRESSION] == ref_s
        assert units.i[u, w.U_PULSE_LOSS] == 0 and units.f[u, w.U_SHOCKS] == 0.0
    else:
        assert morale.STATES[int(out[mk.O_STATE])] is ref_state is not morale.STATES[prev]
        assert out[mk.O_MORALE] == ref_m and out[mk.O_DECAYED] == ref_s
        # the terms of the change add up to it, but for keeping morale in [0, 1]
        terms = out[[mk.O_LOSSES, mk.O_SUPPRESSION, mk.O_SHOCKS, mk.O_NIGHT, mk.O_REST]]
        unclipped = out[mk.O_BEFORE] + terms.sum()
        assert out[mk.O_BEFORE] == m and out[mk.O_SHOCKS] == -shocks and out[mk.O_MEN_LOST] == lost
        assert out[mk.O_MORALE] == pytest.approx(min(max(unclipped, 0.0), 1.0), abs=1e-12)
        assert terms[0] <= 0 and terms[1] <= 0 and terms[3] <= 0 and terms[4] >= 0
        assert units.f[u, w.U_MORALE] == m  # left for Python to settle
    assert 0.0 <= units.f[u, w.U_MORALE] <= 1.0


@settings(max_examples=200, deadline=None)
@given(men=st.integers(0, 3000), expected=st.floats(0, 500), seed=st.integers(0, 2**63))
def test_casualty_draws_conserve_men_and_respect_the_cap(men, expected, seed):
    state = np.array([seed], dtype=np.uint64)
    k, wd, m = df.draw_casualties(men, expected, 0.25, 0.1, 0.3, state)
    assert min(k, wd, m) >= 0
    assert k + wd + m <= min(men, math.ceil(0.3 * men))
    if men == 0 or expected == 0:
        assert k + wd + m == 0


@pytest.mark.parametrize(("n", "p"), [(1, 0.5), (10, 0.03), (80, 0.5), (900, 0.02), (2500, 0.3), (3000, 0.97)])
def test_binomial_draws_have_the_binomial_mean_and_spread(n, p):
    state = np.array([12345], dtype=np.uint64)
    draws = np.array([rnd.binomial(n, p, state) for _ in range(20_000)])
    assert draws.min() >= 0 and draws.max() <= n
    mean, var = n * p, n * p * (1 - p)
    # within 5 standard errors of the mean and of the variance
    assert abs(draws.mean() - mean) < 5 * math.sqrt(var / len(draws)) + 1e-9
    assert abs(draws.var() - var) < 5 * var * math.sqrt(2 / len(draws)) + 1e-9
    # and the chance of the mode as the formula gives it
    mode = min(int((n + 1) * p), n)
    pm = math.exp(math.lgamma(n + 1) - math.lgamma(mode + 1) - math.lgamma(n - mode + 1) + mode * math.log(p) + (n - mode) * math.log(1 - p))
    assert abs((draws == mode).mean() - pm) < 5 * math.sqrt(pm * (1 - pm) / len(draws)) + 1e-9


def test_uniform_draws_are_uniform_and_a_pure_function_of_the_seed():
    a = np.array([7], dtype=np.uint64)
    b = np.array([7], dtype=np.uint64)
    xs = np.array([rnd.uniform(a) for _ in range(50_000)])
    assert np.array_equal(xs, np.array([rnd.uniform(b) for _ in range(50_000)]))
    assert xs.min() >= 0.0 and xs.max() < 1.0
    counts, _ = np.histogram(xs, bins=20, range=(0, 1))
    assert (abs(counts - 2500) < 5 * math.sqrt(2500)).all()


def _rows_by_x_kept(n, seed):
    """The unit rows in the order the engine kept from an earlier pulse (any order)."""
    return np.random.default_rng(seed).permutation(n).astype(np.int64)


def _full_args(terrain, units, tanks, kill_counts, unit_rank, tank_rank, pulse, at_counts):
    g = terrain.grid
    ground = ((1.0 - terrain.cover.astype(np.float64)) * (1.0 - 0.5 * terrain.concealment.astype(np.float64))).ravel()
    return (
        units.f, units.i, units.n, unit_rank, tanks.f, tanks.i, tanks.n, tank_rank,
        kill_counts, KILL, KILL_RANGE, at_counts, np.array([0.05, 0.2]), np.array([300.0, 900.0]),
        VEH_RANGE, VEH_KILLS, np.array([1.0]), VEH_GUN_KILLS, ACCURACY, ENTRENCH, FIRE_FACTOR, pulse,
        terrain.elevation_m.astype(np.float64).ravel(), ground, g.cell_m, g.nrows, g.ncols, *SightLines(terrain).args,
        df.id_order(unit_rank, units.n, tank_rank, tanks.n), _rows_by_x_kept(units.n, units.n),
    )


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10**6), draws=st.integers(0, 2**63))
def test_a_pulse_of_direct_fire_conserves_men_and_keeps_suppression_in_bounds(terrain, seed, draws):
    units, tanks, kill_counts, unit_rank, tank_rank = _state(seed)
    pulse = _pulse(dt=30.0)  # a long pulse: many men hit
    pulse[df.P_MAX_LOSS], pulse[df.P_KILLED_SOVIET], pulse[df.P_KILLED_JAPANESE] = 0.5, 0.3, 0.25
    pulse[df.P_MISSING_STEADY], pulse[df.P_MISSING_ROUTED] = 0.05, 0.4
    at_counts = np.random.default_rng(seed).integers(0, 3, size=(units.n, 2)).astype(np.float64)
    before_i = units.i.copy()
    status_before = tanks.i[: tanks.n, w.T_STATUS].copy()
    args = _full_args(terrain, units, tanks, kill_counts, unit_rank, tank_rank, pulse, at_counts)
    hit_rows, losses, knock_outs, causes, p_hit, knock_figures = df.direct_fire(*args, np.array([draws], dtype=np.uint64))
    assert len(causes) == len(p_hit) == len(hit_rows) and len(knock_figures) == len(knock_outs)
    assert ((p_hit >= 0) & (p_hit <= 1)).all() and (causes[:, df.C_EXPECTED] > 0).all()
    assert ((knock_figures[:, df.K_CHANCE] > 0) & (knock_figures[:, df.K_CHANCE] <= 1)).all()
    i = units.i[: units.n]
    b = before_i[: units.n]
    accounted = i[:, w.U_MEN] + i[:, w.U_KILLED] + i[:, w.U_WOUNDED] + i[:, w.U_MISSING]
    assert np.array_equal(accounted, b[:, w.U_MEN] + b[:, w.U_KILLED] + b[:, w.U_WOUNDED] + b[:, w.U_MISSING])
    assert (i[:, w.U_MEN] >= 0).all()
    lost = b[:, w.U_MEN] - i[:, w.U_MEN]
    # the rows given back: those that lost men, and the anti-tank positions whose guns the
    # tanks fired on (which may have lost none)
    gun_rows = {r for r, c in zip(hit_rows.tolist(), causes.tolist(), strict=True) if c[df.C_GUN_FIRE] > 0}
    assert set(np.flatnonzero(lost).tolist()) == set(hit_rows.tolist()) - {r for r in gun_rows if not lost[r]}
    assert all(w.UNIT_TYPES[b[r, w.U_TYPE]] == "anti-tank" for r in gun_rows)
    for row, (k, wd, m) in zip(hit_rows.tolist(), losses.tolist(), strict=True):
        assert k + wd + m == lost[row] and (lost[row] > 0 or row in gun_rows)
        assert not b[row, w.U_HAS_TANKS] and w.UNIT_TYPES[b[row, w.U_TYPE]] != "air"  # tank crews are hit only by knock-outs
        assert lost[row] <= math.ceil(0.5 * b[row, w.U_MEN])
    sup = units.f[: units.n, w.U_SUPPRESSION]
    assert ((sup >= 0.0) & (sup <= 1.0)).all()
    for t, s, _ in knock_outs.tolist():
        assert status_before[t] in (0, 1)  # only tanks that could fight are knocked out
        assert units.i[s, w.U_SIDE] != units.i[tanks.i[t, w.T_UNIT], w.U_SIDE]
    # the same state and seed give the same draws
    units2, tanks2, *_ = _state(seed)
    again = df.direct_fire(*_full_args(terrain, units2, tanks2, kill_counts, unit_rank, tank_rank, pulse, at_counts), np.array([draws], dtype=np.uint64))
    assert all(np.array_equal(a, c) for a, c in zip((hit_rows, losses, knock_outs, causes, p_hit, knock_figures), again, strict=True))


@settings(max_examples=100, deadline=None)
@given(seed=st.integers(0, 10**6), reach=st.floats(10.0, 800.0))
def test_close_quarters_are_the_plain_sums(seed, reach):
    units, _, _, _, _ = _state(seed)
    holding = np.array([t in ("rifle", "border-guard", "machine-gun", "engineer", "anti-tank") for t in w.UNIT_TYPES])
    own, enemy, anywhere = mk.close_quarters(units.f, units.i, units.n, holding, reach)
    f, i = units.rows_f, units.rows_i
    ground = (i[:, w.U_MEN] > 0) & (i[:, w.U_TYPE] != w.UNIT_TYPES.index("air"))
    dx = f[:, w.U_X][:, None] - f[:, w.U_X][None, :]
    dy = f[:, w.U_Y][:, None] - f[:, w.U_Y][None, :]
    near = (dx * dx + dy * dy <= reach * reach) & ground[:, None] & ground[None, :]
    same = i[:, w.U_SIDE][:, None] == i[:, w.U_SIDE][None, :]
    fighting = holding[i[:, w.U_TYPE]] & ~np.isin(i[:, w.U_STATE], [3, 4])
    men = i[:, w.U_MEN].astype(float)
    assert np.array_equal(own, (near & same) @ men)
    assert np.array_equal(enemy, (near & ~same) @ np.where(fighting, men, 0.0))
    assert anywhere == bool((near & ~same).any())


def _close_pairs_plainly(units, holding, reach):
    """The close quarters, a pair of units at a time in row order (a pair whose distance is
    not a number counts as close, as the kernel has always counted it)."""
    f, i = units.rows_f, units.rows_i
    n = units.n
    own, enemy, anywhere = np.zeros(n), np.zeros(n), False
    ground = [i[a, w.U_MEN] > 0 and w.UNIT_TYPES[i[a, w.U_TYPE]] != "air" for a in range(n)]
    fighting = [holding[i[a, w.U_TYPE]] and i[a, w.U_STATE] not in (3, 4) for a in range(n)]
    for a in range(n):
        for b in range(n):
            if not (ground[a] and ground[b]):
                continue
            dx, dy = f[a, w.U_X] - f[b, w.U_X], f[a, w.U_Y] - f[b, w.U_Y]
            if dx * dx + dy * dy > reach * reach:
                continue
            if i[a, w.U_SIDE] == i[b, w.U_SIDE]:
                own[a] += i[b, w.U_MEN]
            else:
                anywhere = True
                enemy[a] += i[b, w.U_MEN] if fighting[b] else 0
    return own, enemy, anywhere


@settings(max_examples=100, deadline=None)
@given(seed=st.integers(0, 10**6), reach=st.floats(10.0, 800.0), nan=st.booleans())
def test_close_quarters_from_any_order_of_the_rows_by_x_are_the_plain_sums(seed, reach, nan):
    """The pass sorts the rows by x from the order the caller kept from the last pulse (any
    order: units pass one another, a unit is formed) and sets each unit against those in
    the strip of x within reach; the sums are those of every pair, two pulses running, an
    x that is not a number and units close together in x included."""
    units, _, _, _, _ = _state(seed)
    rng = np.random.default_rng(seed)
    holding = np.array([t in ("rifle", "border-guard", "machine-gun", "engineer", "anti-tank") for t in w.UNIT_TYPES])
    n = units.n
    units.f[:n, w.U_X] = rng.choice([units.f[:n, w.U_X], 6000.0 + rng.normal(0, reach, n)])  # crowded in x, or spread out
    if nan:
        units.f[int(rng.integers(0, n)), w.U_X] = np.nan
    by_x = rng.permutation(n).astype(np.int64)
    for _ in range(2):  # two pulses, the second from the first's order, the units moved
        own, enemy = np.zeros(n), np.zeros(n)
        anywhere = mk.close_quarters_into(units.f, units.i, n, holding, reach, 0.0, 2.0, 0.0, own, enemy, by_x)
        want = _close_pairs_plainly(units, holding, reach)
        assert np.array_equal(own, want[0]) and np.array_equal(enemy, want[1]) and anywhere == want[2]
        assert sorted(by_x.tolist()) == list(range(n))
        units.f[:n, w.U_X] += rng.normal(0, 200.0, n)


@settings(max_examples=100, deadline=None)
@given(seed=st.integers(0, 10**6), reach=st.floats(50.0, 800.0), rate=st.floats(0.01, 2.0), ref=st.floats(1.2, 5.0))
def test_penetration_in_the_close_quarters_pass_is_the_scalar_rule(seed, reach, rate, ref):
    units, _, _, _, _ = _state(seed)
    holding = np.array([t in ("rifle", "border-guard", "machine-gun", "engineer", "anti-tank") for t in w.UNIT_TYPES])
    before = units.f[: units.n, w.U_SHOCKS].copy()
    own, enemy, anywhere = mk.close_quarters(units.f, units.i, units.n, holding, reach, rate, ref, 5.0)
    shock = morale.penetration_shock(own, enemy, reference_ratio=ref, shock_per_hour=rate, minutes=5.0)
    ground = (units.i[: units.n, w.U_MEN] > 0) & (units.i[: units.n, w.U_TYPE] != w.UNIT_TYPES.index("air"))
    expected = before + np.where(ground & (shock > 0) & anywhere, shock, 0.0)
    assert np.array_equal(units.f[: units.n, w.U_SHOCKS], expected)


@pytest.mark.parametrize(
    ("second", "exposure"),
    [((1, 0, 0.0), 2.0), ((0, 1, 3.0), fire.moving_tank_exposure(3.0, 0.6, 15.0)), ((0, 1, 30.0), 0.6)],
    ids=["bogged", "crawling-through-swamp", "driving-fast"],
)
def test_anti_tank_weapons_choose_among_the_tanks_they_see_by_the_model_weights(terrain, second, exposure):
    """One anti-tank gun, three enemy tanks in reach (one a command tank standing; one bogged,
    crawling or driving fast; one behind ground raised so that it cannot be seen): over many
    pulses the tank it fires at first (a sure kill, so the first knock-out names it) follows
    fire.target_weights over the two it sees, with the second's exposure as it stands or
    moves; then it fires at the other for the pulse's time left (a sure kill too), never
    at the one it cannot see."""
    status2, moving2, speed2 = second
    units = w.Table(w.U_NF, w.U_NI, capacity=2)
    tanks = w.Table(w.T_NF, w.T_NI, capacity=3)
    gun, tank_unit = units.add_row(), units.add_row()
    units.f[gun, [w.U_X, w.U_Y]] = 6000.0, 7000.0
    units.i[gun, [w.U_MEN, w.U_MEN_START, w.U_SIDE, w.U_TYPE]] = 20, 20, 1, w.UNIT_TYPES.index("anti-tank")
    units.i[tank_unit, [w.U_MEN, w.U_MEN_START, w.U_SIDE, w.U_TYPE, w.U_HAS_TANKS]] = 9, 9, 0, w.UNIT_TYPES.index("tank"), 1
    for dx, dy, command, status, moving, speed in [
        (300.0, 0.0, 1, 0, 0, 0.0), (320.0, 40.0, 0, status2, moving2, speed2), (150.0, 400.0, 0, 0, 0, 0.0),
    ]:
        t = tanks.add_row()
        tanks.f[t, [w.T_X, w.T_Y, w.T_SPEED]] = 6000.0 + dx, 7000.0 + dy, speed
        tanks.i[t, [w.T_UNIT, w.T_COMMAND, w.T_STATUS, w.T_MOVING]] = tank_unit, command, status, moving
    sight = SightLines(terrain)
    keys, state, width, ground, surface, *rest = sight.args
    surface = surface - np.float32(10_000.0)  # everything in view ...
    surface = surface.copy()
    surface[288:292, 240:252] = 10_000.0  # ... but the third tank, behind a wall (y 7,200-7,300 m, x 6,000-6,300 m)
    pulse = _pulse()
    pulse[df.P_COMMAND_WEIGHT], pulse[df.P_BOGGED_EXPOSURE] = 4.0, 2.0
    pulse[df.P_TANK_MOVING_EXPOSURE], pulse[df.P_TANK_EVASIVE_SPEED] = 0.6, 15.0
    counts = np.zeros(3)
    for seed in range(3000):
        tanks.i[: tanks.n, w.T_STATUS] = [0, status2, 0]
        tanks.i[: tanks.n, w.T_MOVING] = [0, moving2, 0]
        knocked, _ = df.anti_tank_fire(
            units.f, units.i, units.n, np.array([0, 1]), tanks.f, tanks.i, tanks.n, np.array([0, 1, 2]), np.array([True, False]),
            np.array([[1.0], [0.0]]), np.array([1e6]), np.array([1000.0]), np.array([1.0]), ACCURACY, FIRE_FACTOR, pulse,
            terrain.elevation_m.astype(np.float64).ravel(), terrain.grid.cell_m, terrain.grid.nrows, terrain.grid.ncols,
            keys, state, width, ground, surface, *rest, np.array([seed], dtype=np.uint64),
        )
        assert len(knocked) == 2 and set(knocked[:, 0].tolist()) == {0, 1}
        counts[knocked[0, 0]] += 1
    assert counts[2] == 0  # never the one it cannot see
    expected = fire.target_weights(np.array([True, False]), np.array([1.0, exposure]), 4.0)
    share = counts[:2] / counts.sum()
    assert np.allclose(share, expected, atol=5 * np.sqrt(expected * (1 - expected) / counts.sum()))


def _line_of_tanks(n_tanks: int) -> tuple[w.Table, w.Table]:
    """One Japanese anti-tank gun and *n_tanks* standing Soviet tanks 300-480 m off (within
    half its range: its full effect on each)."""
    units = w.Table(w.U_NF, w.U_NI, capacity=2)
    tanks = w.Table(w.T_NF, w.T_NI, capacity=n_tanks)
    gun, tank_unit = units.add_row(), units.add_row()
    units.f[gun, [w.U_X, w.U_Y]] = 6000.0, 7000.0
    units.i[gun, [w.U_MEN, w.U_MEN_START, w.U_SIDE, w.U_TYPE]] = 20, 20, 1, w.UNIT_TYPES.index("anti-tank")
    units.i[tank_unit, [w.U_MEN, w.U_MEN_START, w.U_SIDE, w.U_TYPE, w.U_HAS_TANKS]] = 9, 9, 0, w.UNIT_TYPES.index("tank"), 1
    for k in range(n_tanks):
        t = tanks.add_row()
        tanks.f[t, [w.T_X, w.T_Y]] = 6300.0 + 3.0 * k, 7000.0
        tanks.i[t, w.T_UNIT] = tank_unit
    return units, tanks


@settings(max_examples=8, deadline=None)
@given(rate=st.floats(0.05, 1.0), pulse_min=st.sampled_from([1.25, 2.5, 5.0, 10.0]))
def test_a_guns_knock_outs_do_not_depend_on_the_pulse_length(terrain, rate, pulse_min):
    """A gun fires at a tank until it is knocked out, then at the next for the time left: in
    30 minutes against a company it cannot run out of, its knock-outs are a Poisson process
    of its kill rate, whatever the pulse (before, a gun was held to one a pulse, and a
    5-minute pulse lost most of a fast gun's kills)."""
    sight = SightLines(terrain)
    keys, state, width, ground, surface, *rest = sight.args
    surface = surface - np.float32(10_000.0)  # everything in view
    pulse = _pulse(dt=pulse_min)
    flat = np.zeros(terrain.elevation_m.size)  # no height advantage either way
    g = terrain.grid
    n_tanks = 60
    per_min = rate / ACCURACY[0]  # a trained-poorly gun's kill rate on one standing tank: `rate`
    totals = []
    for seed in range(300):
        units, tanks = _line_of_tanks(n_tanks)
        knocked_all = 0
        for k in range(round(30.0 / pulse_min)):
            knocked, _ = df.anti_tank_fire(
                units.f, units.i, units.n, np.array([0, 1]), tanks.f, tanks.i, tanks.n, np.arange(n_tanks), np.array([True, False]),
                np.array([[1.0], [0.0]]), np.array([per_min]), np.array([1000.0]), np.array([1.0]), ACCURACY, FIRE_FACTOR, pulse,
                flat, g.cell_m, g.nrows, g.ncols, keys, state, width, ground, surface, *rest,
                np.array([seed * 1000 + k], dtype=np.uint64),
            )
            tanks.i[knocked[:, 0], w.T_STATUS] = w.TANK_STATUS.index("damaged")  # out of the fight
            knocked_all += len(knocked)
        totals.append(knocked_all)
    expected = 30.0 * rate  # a Poisson process of `rate` a minute for 30 minutes
    assert abs(float(np.mean(totals)) - expected) <= 4.0 * math.sqrt(expected / len(totals)) + 0.02
