"""The 9 August duel: the corps artillery's counter-battery fire on the located island
batteries is adjusted onto their gun lines and destroys guns, each loss logged with its
cause; fire on a battery not yet located stays area fire."""

from __future__ import annotations

from pathlib import Path

from khasan_sim.api import Simulation

ROOT = Path(__file__).resolve().parents[2]
HIST = ROOT / "scenarios" / "khasan_1938" / "historical.yaml"
ISLAND = ("j-island-guns", "j-island-how")


def test_located_island_batteries_lose_guns_to_adjusted_fire_on_9_august():
    lost_on_9 = 0
    for seed in (1, 2):
        sim = Simulation(HIST, seed)
        sim.advance_to("1938-08-10T00:00")
        events = sim.engine.log.events
        located = {e.get("unit") for e in events if e.kind == "battery_located"}
        for e in events:
            if e.kind != "guns_lost" or e.get("unit") not in ISLAND:
                continue
            assert e.get("by") in ("39rc-cap-107", "39rc-cap-152")
            assert e.get("cause") == f"artillery:{e.get('by')}"
            assert e.get("fire") == ("adjusted" if e.get("unit") in located else "area")
            assert 0.0 < e.get("chance") <= 1.0
            lost_on_9 += e.get("n")
        for uid in ISLAND:
            u = sim.unit(uid)
            assert sum(u.guns.values()) + u.guns_lost == 4
    assert lost_on_9 >= 4  # two runs, two batteries of four guns each
