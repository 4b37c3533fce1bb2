"""The 6 August strike pressed on in fog: flown at once, bombs scattered wider, fewer casualties."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from khasan_sim.api import Simulation
from khasan_sim.scenario.load import load_scenario

ROOT = Path(__file__).resolve().parents[2]
HIST = ROOT / "scenarios" / "khasan_1938" / "historical.yaml"
FOG = ROOT / "scenarios" / "khasan_1938" / "variants" / "air-strike-in-fog.yaml"


def _air_losses(sim: Simulation) -> int:
    return sum(
        int(e.get("killed", 0)) + int(e.get("wounded", 0)) + int(e.get("missing", 0))
        for e in sim.engine.log.events
        if e.kind == "casualties" and str(e.get("cause", "")).startswith("air:")
    )


@pytest.fixture(scope="module")
def fog_and_clear(tmp_path_factory):
    """The fog variant, and the same strike at the same hour with the fog taken away."""
    clear = tmp_path_factory.mktemp("air") / "air-strike-clear.yaml"
    text = FOG.read_text(encoding="utf-8").replace("id: air-strike-in-fog", "id: air-strike-clear-control")
    text = text.replace("base: ../historical.yaml", f"base: {HIST}")
    lift = "  - path: rules.weather[0].fog\n    value: false\n  - path: rules.weather[0].visibility_m\n    value: 8000\n"
    clear.write_text(text.replace("\nadd:\n", "\n" + lift + "\nadd:\n", 1), encoding="utf-8")
    return load_scenario(HIST, FOG), load_scenario(HIST, clear)


def test_strike_goes_in_at_once_in_fog_with_wider_dispersion(fog_and_clear):
    fog, _ = fog_and_clear
    sim = Simulation(fog, 1)
    sim.advance_minutes(5)
    events = sim.engine.log.events
    kinds = [e.kind for e in events]
    assert "strike_delayed" not in kinds and "strike_cancelled" not in kinds
    strikes = [e for e in events if e.kind == "strike"]
    assert len(strikes) == 6 and all(e.t_min == 0.0 for e in strikes)  # 15:00, in the fog
    in_fog = [e for e in events if e.kind == "strike_in_fog"]
    assert len(in_fog) == 6
    p = fog.params
    for e in in_fog:
        assert e.get("visibility_m") == 150
        assert e.get("cep_factor") == pytest.approx(
            1.0 + (p.f("air.cep_blind_factor") - 1.0) * (1.0 - 150.0 / p.f("air.cep_clear_visibility_m")), abs=1e-3
        )
        assert e.get("cep_factor") > 3.0
        assert e.get("strafe_seen") == pytest.approx(150.0 / p.f("air.strafe_sight_m"), abs=1e-3)


def test_the_historical_strike_still_waits_for_the_fog(fog_and_clear):
    """Without press_on the same 15:00 strike waits for the fog to lift at 16:00, as in 1938."""
    fog, _ = fog_and_clear
    orders = [o.model_copy(update={"in_fog": "wait"}) if o.kind == "air_strike" else o for o in fog.doc.orders]
    waiting = dataclasses.replace(fog, doc=fog.doc.model_copy(update={"orders": orders}))
    sim = Simulation(waiting, 1)
    sim.advance_minutes(75)
    events = sim.engine.log.events
    assert [e.kind for e in events].count("strike_delayed") == 6
    strikes = [e for e in events if e.kind == "strike"]
    assert len(strikes) == 6 and all(e.t_min == 60.0 for e in strikes)
    assert not any(e.kind == "strike_in_fog" for e in events)


def test_bombs_in_fog_hurt_the_defenders_less_than_the_same_strike_in_clear_air(fog_and_clear):
    fog, clear = fog_and_clear
    in_fog = in_clear = 0
    for seed in (1, 2, 3):
        a, b = Simulation(fog, seed), Simulation(clear, seed)
        a.advance_minutes(5)
        b.advance_minutes(5)
        assert not any(e.kind == "strike_in_fog" for e in b.engine.log.events)
        in_fog += _air_losses(a)
        in_clear += _air_losses(b)
    assert in_clear > 0
    assert in_fog < 0.6 * in_clear
