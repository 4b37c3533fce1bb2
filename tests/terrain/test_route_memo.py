"""Routes memoised per process: same answers as a fresh plan, never shared by different questions."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from khasan_sim.api import Simulation
from khasan_sim.model import engineering
from khasan_sim.scenario.builtin import historical_scenario
from khasan_sim.scenario.load import load_scenario
from khasan_sim.terrain import Crossing, plan_route, routes
from khasan_sim.terrain.load import nest

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "tests" / "data" / "tiny" / "tiny.yaml"
START, GOAL = (6300.0, 9300.0), (6000.0, 9900.0)  # either side of the stream
SOUTH, NORTH = (5700.0, 8900.0), (4300.0, 9300.0)


@pytest.fixture(scope="module")
def historical():
    return load_scenario(historical_scenario())


@pytest.fixture(autouse=True)
def fresh_memo():
    routes.clear_route_memo()
    yield
    routes.clear_route_memo()


def same(a: routes.Route, b: routes.Route) -> bool:
    for f in dataclasses.fields(routes.Route):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray):
            if x.dtype != y.dtype or not np.array_equal(x, y):
                return False
        elif x != y:
            return False
    return True


def test_a_memoised_route_is_the_fresh_plan_and_read_only(historical):
    t = historical.terrain
    far = ~t.soviet_side
    for mob, a, b, via, forbid in (("bt", SOUTH, NORTH, (), None), ("foot", START, GOAL, ((6200.0, 9500.0),), far), ("towed", START, GOAL, (), far)):
        with routes.route_memo(False):
            fresh = plan_route(t, mob, a, b, waypoints=via, forbidden=forbid)
        first = plan_route(t, mob, a, b, waypoints=via, forbidden=forbid)
        again = plan_route(t, mob, a, b, waypoints=via, forbidden=forbid)
        assert again is first
        assert same(first, fresh)
        with pytest.raises(ValueError, match="read-only"):
            first.points_m[0, 0] = 0.0
    info = routes.route_memo_info()
    assert (info["hits"], info["misses"], info["size"]) == (3, 3, 3)


def test_memo_off_plans_afresh_and_keeps_nothing(historical):
    t = historical.terrain
    with routes.route_memo(False):
        a = plan_route(t, "bt", SOUTH, NORTH)
        b = plan_route(t, "bt", SOUTH, NORTH)
    assert a is not b and same(a, b)
    assert routes.route_memo_info()["size"] == 0
    assert plan_route(t, "bt", SOUTH, NORTH) is not a  # on again after the block


def test_different_questions_never_share_an_answer(historical):
    t = historical.terrain
    far = ~t.soviet_side
    base = plan_route(t, "bt", START, GOAL, forbidden=far)
    others = [
        plan_route(t, "t26", START, GOAL, forbidden=far),
        plan_route(t, "bt", (START[0] + 1e-9, START[1]), GOAL, forbidden=far),
        plan_route(t, "bt", START, (GOAL[0], GOAL[1] + 0.5), forbidden=far),
        plan_route(t, "bt", START, GOAL, waypoints=((6100.0, 9600.0),), forbidden=far),
        plan_route(t, "bt", START, GOAL),
        plan_route(t, "bt", START, GOAL, forbidden=t.soviet_side),
    ]
    assert all(o is not base for o in others)
    assert len({id(o) for o in others}) == len(others)
    assert routes.route_memo_info()["size"] == 1 + len(others)
    # an equal mask in another array is the same question: the same answer
    assert plan_route(t, "bt", START, GOAL, forbidden=far.copy()) is base
    # each answer is the fresh plan of its own question
    with routes.route_memo(False):
        assert same(others[1], plan_route(t, "bt", (START[0] + 1e-9, START[1]), GOAL, forbidden=far))
        assert same(others[4], plan_route(t, "bt", START, GOAL))


def test_a_terrain_with_a_built_crossing_is_another_question(historical):
    t = historical.terrain
    p = historical.params
    far = ~t.soviet_side
    site = Crossing("xing-9", 6050.0, 9564.0, 1, "test")
    built = engineering.terrain_with_crossings(t, (site,), p.f("engineering.crossing_radius_m"), nest(p.subtree("mobility")), nest(p.subtree("terrain")))
    assert routes.terrain_route_digest(built) != routes.terrain_route_digest(t)
    old = plan_route(t, "bt", START, GOAL, forbidden=far)
    new = plan_route(built, "bt", START, GOAL, forbidden=far)
    assert new is not old
    assert "xing-9" not in old.crossings and new.crossings == ("xing-9",)
    assert plan_route(t, "bt", START, GOAL, forbidden=far) is old
    # a terrain whose rasters were copied, not changed, asks the same question
    copy = dataclasses.replace(t, speed_kmh={k: v.copy() for k, v in t.speed_kmh.items()}, extras=dict(t.extras))
    assert routes.terrain_route_digest(copy) == routes.terrain_route_digest(t)


def test_the_memo_is_bounded(historical, monkeypatch):
    monkeypatch.setattr(routes, "ROUTE_MEMO_SIZE", 3)
    t = historical.terrain
    first = plan_route(t, "foot", SOUTH, NORTH)
    for i in range(5):
        plan_route(t, "foot", SOUTH, (NORTH[0] + 10.0 * i, NORTH[1]))
    assert routes.route_memo_info()["size"] == 3
    assert plan_route(t, "foot", SOUTH, NORTH) is not first  # the oldest went first


def test_tiny_runs_give_the_same_log_with_the_memo_on_off_and_warm():
    sc = load_scenario(TINY)
    with routes.route_memo(False):
        off = Simulation(sc, seed=4).run_to_end().events_digest
    cold = Simulation(sc, seed=4).run_to_end().events_digest
    assert routes.route_memo_info()["misses"] > 0
    warm = Simulation(sc, seed=4).run_to_end().events_digest
    assert routes.route_memo_info()["hits"] > 0
    assert off == cold == warm


def test_historical_run_gives_the_same_log_with_the_memo_on_off_and_warm(historical):
    with routes.route_memo(False):
        off = Simulation(historical, seed=2).run_to_end().events_digest
    cold = Simulation(historical, seed=2).run_to_end().events_digest
    warm = Simulation(historical, seed=2).run_to_end().events_digest
    info = routes.route_memo_info()
    assert info["hits"] >= info["misses"] > 0  # the warm run asked the cold run's questions
    assert off == cold == warm
