"""The PettingZoo environment: PettingZoo's own API test, masks, fog, determinism, rewards."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("pettingzoo")
pytest.importorskip("gymnasium")

from pettingzoo.test import parallel_api_test

from khasan_sim.agents import parallel_env
from khasan_sim.agents.encode import FIXED_ACTIONS, order_for
from khasan_sim.scenario.load import load_scenario

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def historical():
    return load_scenario(ROOT / "scenarios" / "khasan_1938" / "historical.yaml")


def test_parallel_api_test_passes_for_sides(historical):
    parallel_api_test(parallel_env(scenario=historical, turns_per_step=4), num_cycles=6)


def test_parallel_api_test_passes_for_units(historical):
    parallel_api_test(parallel_env(scenario=historical, sides=("japanese",), agents="unit", reward="objectives", turns_per_step=4), num_cycles=4)


def _play(env, seed, steps):
    obs, _ = env.reset(seed=seed)
    out = [obs]
    rng = np.random.default_rng(seed)
    for _ in range(steps):
        actions = {a: np.array([rng.choice(np.flatnonzero(m)) for m in obs[a]["action_mask"]]) for a in env.agents}
        obs, rew, *_ = env.step(actions)
        out.append((obs, rew))
    return out, env.sim.events_digest()


def test_reset_with_a_seed_is_deterministic(historical):
    env = parallel_env(scenario=historical, sides=("soviet",), turns_per_step=2)
    a, da = _play(env, 7, 3)
    b, db = _play(env, 7, 3)
    assert da == db
    assert np.array_equal(a[-1][0]["soviet"]["observation"], b[-1][0]["soviet"]["observation"])
    assert a[-1][1] == b[-1][1]


def test_masked_actions_are_legal_and_unmasked_ones_are_not_given(historical):
    env = parallel_env(scenario=historical, sides=("soviet",), turns_per_step=1)
    obs, _ = env.reset(seed=2)
    lay = env.layouts["soviet"]
    masks = obs["soviet"]["action_mask"]
    for uid, m in zip(lay.own, masks, strict=True):
        u = env.sim.unit(uid)
        for a in np.flatnonzero(m):
            order = order_for(lay, uid, u.type, u.is_air, (u.home_x, u.home_y), int(a))
            if order is not None:
                assert env.sim.check_order(env._parse(order)) is None
    # air units cannot hold or withdraw; artillery may not be sent to attack
    air = [i for i, uid in enumerate(lay.own) if env.sim.unit(uid).is_air]
    assert air and all(masks[i][1] == 0 and masks[i][2] == 0 for i in air)
    # a masked action is not given: with the border closed, an attack on Homoku is masked
    k = len(FIXED_ACTIONS) + lay.objectives.index("homoku")
    rifle = next(i for i, uid in enumerate(lay.own) if env.sim.unit(uid).type == "rifle")
    assert masks[rifle][k] == 0
    action = np.zeros(len(lay.own), dtype=np.int64)
    action[rifle] = k
    env.step({"soviet": action})
    assert not [o for _, o in env.sim.given_orders if env.sim.unit(o.unit_ids[0]).side == "soviet"]


def test_observations_hold_only_what_the_side_sees(historical):
    env = parallel_env(scenario=historical, sides=("soviet",), turns_per_step=1)
    obs, _ = env.reset(seed=3)
    lay = env.layouts["soviet"]
    seen = {u.id for u in env.sim.observe("soviet") if u.side == "japanese"}
    vec = obs["soviet"]["observation"]
    start = len(lay.own) * 9
    for k, eid in enumerate(lay.enemy):
        slot = vec[start + 4 * k:start + 4 * k + 4]
        assert (slot[0] == 1.0) == (eid in seen)
        if eid not in seen:
            assert not slot.any()
    assert env.observation_space("soviet")["observation"].contains(vec)


def test_the_objectives_reward_follows_the_heights(historical):
    """Summed over the steps, the objectives reward is the change in (heights held - heights the enemy holds)."""
    env = parallel_env(scenario=historical, sides=("japanese",), reward="objectives", opponent="scenario", turns_per_step=8)
    env.reset(seed=1)

    def balance():
        h = env.sim.holders()
        heights = [z for z in env.sim.engine.zone_ids if env.sim.engine.zones[z].kind == "height"]
        return sum(1 for z in heights if h[z] == "japanese") - sum(1 for z in heights if h[z] == "soviet")

    before = balance()
    total = 0.0
    for _ in range(4):
        _, rew, *_ = env.step({"japanese": np.zeros(len(env.layouts["japanese"].own), dtype=np.int64)})
        total += rew["japanese"]
    assert total == pytest.approx(balance() - before)
    assert total < 0  # the Soviet offensive of the record takes heights in the first day
