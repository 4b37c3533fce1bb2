"""Explained events: every event of a full historical run is described by the event schema,
and the events that change the state carry their causes with their numbers."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from khasan_sim.analysis import event_schema
from khasan_sim.analysis.events_export import event_rows
from khasan_sim.api import Simulation
from khasan_sim.scenario.builtin import historical_scenario
from khasan_sim.scenario.load import load_scenario
from khasan_sim.terrain.types import TerrainClass

DOCS = Path(__file__).resolve().parents[2] / "docs" / "events.md"


@pytest.fixture(scope="module")
def sim():
    """A full historical run."""
    sim = Simulation(load_scenario(historical_scenario()), seed=1)
    sim.run_to_end()
    return sim


@pytest.fixture(scope="module")
def events(sim):
    """The run's events as (kind, fields), the fields at full precision."""
    rows = sim.engine.log.rows()
    # the full-precision fields are the log's: rounded, they are the digest's
    assert [(k, {n: round(v, 3) if isinstance(v, float) else v for n, v in f.items()}) for _, _, k, f in rows] == [
        (e.kind, dict(e.fields)) for e in sim.events()
    ]
    return [(k, f) for _, _, k, f in rows]


def _of(events, kind):
    got = [f for k, f in events if k == kind]
    assert got, f"the run has no {kind} event"
    return got


def test_every_event_of_a_full_run_is_described_by_the_schema(events):
    problems = sorted({p for k, f in events for p in event_schema.problems(k, f)})
    assert problems == []


def test_the_docs_are_written_from_the_schema():
    assert DOCS.read_text(encoding="utf-8") == event_schema.markdown(), (
        "docs/events.md is stale: python -m khasan_sim.analysis.event_schema > docs/events.md"
    )


def test_every_casualty_names_its_firer_weapon_and_chance(events):
    units_and_tanks = {f.get("unit") for _, f in events} | {f.get("tank") for _, f in events}
    for c in _of(events, "casualties"):
        assert c["firer"] in units_and_tanks and c["weapon"] not in ("", "none")
        assert c["expected"] > 0 and 0 < c["p_hit"] <= 1
        kind = c["cause"].split(":")[0]
        if kind == "direct-fire":
            assert 0 <= c["range_m"] <= 3000 and 0 <= c["cover"] <= 1 and 0 < c["exposure"] <= 1.5
            assert 0 <= c["firer_suppression"] <= 1 and 0 < c["firer_share"] <= 1 + 1e-12 and c["firers"] >= 1
        elif kind == "artillery":
            assert c["cause"] == f"artillery:{c['firer']}" and c["rounds"] > 0 and c["range_m"] > 0
        else:
            assert kind == "air" and c["from_aim_m"] >= 0


def test_the_direct_fire_casualties_say_who_fired(events):
    # before, all the direct-fire casualties said only `cause: direct-fire`
    direct = [c for c in _of(events, "casualties") if c["cause"] == "direct-fire"]
    assert len(direct) > 100
    assert len({c["firer"] for c in direct}) > 10


def test_every_bogging_has_its_ground_and_chance(events):
    for b in _of(events, "bogged"):
        assert b["ground"] in {c.name.lower() for c in TerrainClass}
        assert b["soft_m"] > 0 and 0 < b["p_bog_per_100m"] <= 1 and b["p_bog_unrutted_per_100m"] <= b["p_bog_per_100m"]
        assert b["earlier_passes"] >= 0
        expected = 1 - (1 - b["p_bog_per_100m"]) ** (b["soft_m"] / 100)
        assert b["p_bog_leg"] == pytest.approx(expected, rel=1e-9)


def test_every_knock_out_has_its_firer_range_and_chance(events):
    for k in _of(events, "tank_knocked_out"):
        assert k["firer"] and k["range_m"] >= 0 and 0 < k["p_knock_out"] <= 1


def test_morale_changes_add_up_from_their_terms(events):
    terms = event_schema.MORALE_TERMS
    causes = set()
    for m in _of(events, "morale_state"):
        change = sum(m[f"d_{t}"] for t in terms)
        assert m["morale"] == pytest.approx(m["morale_before"] + change, abs=1e-9)
        # the shares are not in the log: the export derives them from the terms
        assert not any(k.startswith("share_") for k in m)
        shares = event_schema.derived_fields("morale_state", m)
        assert set(shares) == {f"share_{t}" for t in terms}
        assert sum(shares.values()) == pytest.approx(1.0, abs=1e-9) or sum(shares.values()) == 0
        if m["main_cause"] != "none":
            assert shares[f"share_{m['main_cause']}"] == max(shares.values())
        assert event_schema.problems("morale_state", {**m, **shares}) == []
        causes.add(m["main_cause"])
    # a run sees morale break for more than one reason
    assert len(causes) >= 3


def test_the_export_derives_each_morale_terms_share(sim):
    terms = event_schema.MORALE_TERMS
    morale = [r for r in event_rows(sim) if r["kind"] == "morale_state" and "d_losses" in r]
    assert morale
    for r in morale:
        total = sum(abs(r[f"d_{t}"]) for t in terms)
        assert [r[f"share_{t}"] for t in terms] == [abs(r[f"d_{t}"]) / total if total > 0 else 0.0 for t in terms]


def test_zone_changes_say_who_came_who_gave_way_and_why(events):
    for z in _of(events, "zone_holder"):
        assert z["reason"]
        if z["holder"] != "none":
            assert z["entered"], z
            men = z["soviet_men"] if z["holder"] == "soviet" else z["japanese_men"]
            assert men >= z["hold_men_min"]
        for left in filter(None, z["left"].split(",")):
            assert left.split(":")[1] in ("retreating", "routed", "no men")


def test_counterattacks_and_retreats_carry_their_rule_or_cause(events):
    for c in _of(events, "counterattack"):
        assert c["rule"].split(":")[0] in ("doctrine", "local", "order", "rallied")
    for r in _of(events, "retreat"):
        assert r["cause"] in ("morale", "still under fire")
        if r["cause"] == "still under fire":
            assert math.isfinite(r["enemy_m"])


def test_the_schema_finds_what_is_not_described():
    assert event_schema.problems("no_such_kind", {}) == ["kind 'no_such_kind' is not described"]
    got = event_schema.problems("rallied", {"unit": "u", "morale": "high", "extra": 1})
    assert "rallied: field 'extra' is not described" in got
    assert "rallied: field 'morale' is str, described as float" in got
    assert "rallied: field 'rested' is missing" in got
