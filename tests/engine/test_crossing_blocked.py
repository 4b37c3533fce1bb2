"""A tank bogged on a sapper crossing's lane holds the crossing: the tanks behind it wait
there until it is out of the bog, and a new order takes a waiting tank out of the queue
(the digest: crossings were bottlenecks under fire; the 3rd battalion's tanks "stuck at
the crossings")."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from khasan_sim.api import Simulation
from khasan_sim.engine.state import TANK_BOGGED, TANK_OPERATIONAL
from khasan_sim.scenario.load import load_scenario
from tests.engine.quiet_field import RULES, head

# A tank company where the 3rd battalion starts (south-east of the stream, east of the
# three sapper crossings), alone on the field; nobody fights.
SCENARIO = head("crossing-blocked-test", "A bogged tank blocks a crossing") + """units:
  - id: coy
    side: soviet
    name: Tank company
    type: tank
    position: [6100, 9200]
    men: 20
    tanks: [{model: bt-7, count: 4}]
  - {id: jp-coy, side: japanese, name: Far away, type: rifle, position: [2000, 3000], men: 100, weapons: {rifle: 90}}
""" + RULES + """orders: []
"""

CROSSING = "xing-1"


def _sim(tmp_path: Path) -> Simulation:
    path = tmp_path / "crossing-blocked.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    return Simulation(load_scenario(path), 1)


def _kinds(sim: Simulation, kind: str) -> list:
    return [e for e in sim.engine.log.events if e.kind == kind]


def _bog_on_the_lane(sim: Simulation):
    """Bog the company's first tank on xing-1's lane, as the bogging system does."""
    e = sim.engine
    c = next(c for c in e.terrain.crossings if c.id == CROSSING)
    t = e.units["coy"].tanks[0]
    t.x, t.y = c.x_m + 20.0, c.y_m  # on the corduroy, 20 m from the stream's middle
    t.status = TANK_BOGGED
    e.crossing_blocked[CROSSING] = t.id
    e.env.process(e._block_crossing(t, CROSSING))
    return t


def test_the_tanks_behind_a_tank_bogged_on_the_lane_wait_until_it_is_freed(tmp_path):
    sim = _sim(tmp_path)
    e = sim.engine
    stuck = _bog_on_the_lane(sim)
    # the other three are sent over the stream by that crossing
    across = (5000.0, 9400.0)
    sim.give({"kind": "move", "unit": "coy", "to": list(across)})
    sim.advance_to("1938-08-06T11:00")
    held = {ev.get("tank") for ev in _kinds(sim, "held_at_crossing")}
    others = [t for t in e.units["coy"].tanks if t is not stuck]
    routed = {t.id for t in others if any(ev.get("crossing") == CROSSING and ev.get("tank") == t.id for ev in _kinds(sim, "held_at_crossing"))}
    assert routed, "no tank was sent by the blocked crossing"
    assert held == routed and all(ev.get("by") == stuck.id for ev in _kinds(sim, "held_at_crossing"))
    # three hours on, none of them has crossed: they stand where they waited
    for t in others:
        if t.id in held:
            assert t.x > 5350.0, t.id  # still east of the stream
    assert not _kinds(sim, "crossing_cleared")
    # freed: the crossing clears and the waiting tanks go over, one at a time
    stuck.status = TANK_OPERATIONAL
    sim.advance_to("1938-08-06T13:00")
    cleared = _kinds(sim, "crossing_cleared")
    assert [ev.get("tank") for ev in cleared] == [stuck.id]
    assert CROSSING not in e.crossing_blocked
    waited = {ev.get("tank") for ev in _kinds(sim, "queued") if ev.get("crossing") == CROSSING}
    assert held <= waited
    for t in others:
        if t.id in held:
            assert t.x < 5350.0, t.id  # over the stream now


def test_a_new_order_takes_a_waiting_tank_out_of_the_queue(tmp_path):
    sim = _sim(tmp_path)
    e = sim.engine
    _bog_on_the_lane(sim)
    sim.give({"kind": "move", "unit": "coy", "to": [5000.0, 9400.0]})
    sim.advance_to("1938-08-06T09:00")
    held = {ev.get("tank") for ev in _kinds(sim, "held_at_crossing")}
    assert held and held <= set(e._crossing_waits)
    before = {tid: e._crossing_waits[tid] for tid in held}
    queue = e.crossings[CROSSING].queue
    assert all(r in queue for r in before.values())
    # a new order: each waiting tank's old request leaves the queue (its new move may ask
    # for the crossing again, once)
    sim.give({"kind": "move", "unit": "coy", "to": [6300.0, 9300.0]})
    sim.advance_to("1938-08-06T10:00")
    queue = e.crossings[CROSSING].queue
    for tid, req in before.items():
        assert req not in queue, tid
        again = e._crossing_waits.get(tid)
        assert again is None or again is not req
    assert len(queue) == len(set(map(id, queue)))
    assert sum(1 for r in queue if getattr(r, "priority", 0) >= 0) == sum(1 for tid in held if tid in e._crossing_waits)


def test_a_bogging_on_the_lane_blocks_the_crossing_and_one_off_it_does_not(tmp_path):
    sim = _sim(tmp_path)
    e = sim.engine
    lane = e.params.f("bogging.crossing_lane_m")
    c = next(c for c in e.terrain.crossings if c.id == CROSSING)
    on, off = e.units["coy"].tanks[0], e.units["coy"].tanks[1]

    class _Leg:
        a, b, soft_m, crossing, p_bog_per_100m, bog_seg = 0, 1, 100.0, "", 1.0, 0

    class _Route:
        def __init__(self, x: float, y: float) -> None:
            self.points_m = np.array([(x, y), (x, y)])
            self.seg_p_bog_per_100m = np.array([1.0])

    g = np.random.default_rng(0)
    assert e._bogs_down(on, _Route(c.x_m + lane * 0.5, c.y_m), _Leg(), 1.0, 0, g)
    assert e.crossing_blocked.get(CROSSING) == on.id
    assert e._bogs_down(off, _Route(c.x_m + lane * 3.0, c.y_m), _Leg(), 1.0, 0, g)
    assert e.crossing_blocked.get(CROSSING) == on.id
    sim.advance_to("1938-08-06T08:05")
    blocked = _kinds(sim, "crossing_blocked")
    assert [ev.get("tank") for ev in blocked] == [on.id]


def test_a_tank_stopped_while_it_waits_does_not_cross_when_the_lane_clears(tmp_path):
    sim = _sim(tmp_path)
    e = sim.engine
    stuck = _bog_on_the_lane(sim)
    sim.give({"kind": "move", "unit": "coy", "to": [5000.0, 9400.0]})
    sim.advance_to("1938-08-06T09:00")
    held = {ev.get("tank") for ev in _kinds(sim, "held_at_crossing")}
    assert held
    # the battalion stops where it stands (as when its command is lost): its moves end,
    # no new ones start
    e.stop(e.units["coy"])
    for t in e.units["coy"].tanks:
        t.token += 1
        t.moving = False
    where = {t.id: (t.x, t.y) for t in e.units["coy"].tanks if t.id in held}
    stuck.status = TANK_OPERATIONAL
    sim.advance_to("1938-08-06T11:00")
    assert _kinds(sim, "crossing_cleared")
    assert not [ev for ev in _kinds(sim, "queued") if ev.get("tank") in held]
    for t in e.units["coy"].tanks:
        if t.id in held:
            assert (t.x, t.y) == where[t.id], t.id
    assert not e.crossings[CROSSING].users  # nobody holds the lane
