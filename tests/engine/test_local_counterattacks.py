"""The immediate counter-attack of the troops in contact with lost ground (engine/systems/
local_counterattacks.py), on the tiny scenario."""

from __future__ import annotations

from pathlib import Path

import pytest

from khasan_sim.api import Simulation
from khasan_sim.model.morale import MoraleState
from khasan_sim.scenario.load import load_scenario

TINY = Path(__file__).resolve().parents[2] / "tests" / "data" / "tiny" / "tiny.yaml"


@pytest.fixture(scope="module")
def tiny():
    return load_scenario(TINY)


@pytest.fixture
def ready(tiny):
    """The tiny Japanese company, grown to a battalion, 500 m from Zaozernaya just lost."""
    e = Simulation(tiny, seed=1, player_sides=["soviet"]).engine
    e.controllers["japanese"] = "japanese-doctrine"
    u = e.units["tiny-jp-coy"]
    u.men = u.men_start = 400
    u.x, u.y, u.state, u.morale = 5000.0, 5600.0, MoraleState.STEADY, 0.8
    e.holder["zaozernaya"] = "soviet"
    e.lost_at[("zaozernaya", "japanese")] = e.now
    return e, u


def _local(e):
    return [ev for ev in e.log.events if ev.kind == "counterattack" and ev.get("by") == "troops in contact"]


def test_the_troops_in_contact_send_a_platoon_back_at_once(ready):
    e, u = ready
    e._local_counterattacks()
    platoon = int(e.params.f("command.local_counterattack_men"))
    (ev,) = _local(e)
    g = e.units[ev.get("unit")]
    assert e.group_parent[g.id] == u.id and g.men == platoon and u.men == 400 - platoon
    assert g.activity == "attacking" and g.objective == "zaozernaya" and g.moving
    assert e.counterattacks["japanese"] == 1 and e.counterattack_men[g.id] == platoon
    # men and weapons are conserved by the detachment
    assert g.men + u.men == 400 and g.men_start + u.men_start == 400


def test_one_local_attack_at_a_time_on_a_zone_and_a_unit_rests_between_them(ready):
    e, u = ready
    e._local_counterattacks()
    e._local_counterattacks()
    assert len(_local(e)) == 1  # the first is still going in
    g = e.units[_local(e)[0].get("unit")]
    g.activity, g.objective = "holding", None  # it has ended
    e._local_counterattacks()
    assert len(_local(e)) == 1  # the unit has not regrouped yet
    e._local_last[u.id] -= e.params.f("command.local_counterattack_rest_h") * 60.0
    e._local_counterattacks()
    assert len(_local(e)) == 2


@pytest.mark.parametrize(
    "change",
    [
        lambda e, u: e.lost_at.__setitem__(("zaozernaya", "japanese"), e.now - 60.0 * (e.params.f("command.local_counterattack_window_h") + 0.5)),
        lambda e, u: setattr(u, "y", 5100.0 + e.params.f("command.local_counterattack_range_m") + 100.0),
        lambda e, u: setattr(u, "state", MoraleState.SHAKEN),
        lambda e, u: setattr(u, "men", 2 * int(e.params.f("command.local_counterattack_men")) - 1),
        lambda e, u: e.holder.__setitem__("zaozernaya", "japanese"),
    ],
    ids=["lost-too-long-ago", "not-in-contact", "shaken", "too-weak-to-spare-a-platoon", "ground-held"],
)
def test_no_local_attack_when_the_doctrine_does_not_call_for_one(ready, change):
    e, u = ready
    change(e, u)
    e._local_counterattacks()
    assert _local(e) == [] and e.counterattacks["japanese"] == 0


def test_the_command_turn_makes_the_local_and_the_deliberate_attack(ready):
    e, _u = ready
    e._command_turn()
    kinds = [ev.get("by") for ev in e.log.events if ev.kind == "counterattack"]
    assert kinds == ["troops in contact", None]
    assert e.counterattacks["japanese"] == 2
