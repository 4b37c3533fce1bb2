"""The tank attack of 6 August, seed by seed: the reconnaissance company in the valley
between Machine Gun Hill and Zaozernaya, and the 2nd tank battalion's first hour.

    python bench/tank_bogging.py [--seeds 1-8] [--scenario scenarios/khasan_1938/historical.yaml]

For each seed, on 6 August (the attack starts at 16:50 and 16:55):

- recon: the company's tanks that bogged in or by the valley (the scenario's
  ``southern-valley`` zone, and the terrain's valley swamp with 100 m round it), their
  bog times, the tanks stopped there (bogged, halted, or knocked out but not burnt
  out, and never on Zaozernaya) at 17:30, 18:00 and 20:00, and how many were on Zaozernaya by 17:20 (half
  an hour after the attack began);
- 2tb: the 2nd battalion's tanks bogged within the first hour (16:55-17:55) and when;
- every seed's tanks knocked out, burnt out, recovered, repaired and written off by the
  end of 6 August (the event log's own counts).

The digest's words (../shared/history/khasan-1938.md): the company "had to slow and then
stop in the swampy valley between Machine Gun Hill and Zaozernaya"; the 2nd battalion
"slowed sharply in the large swamps".
"""

from __future__ import annotations

import argparse
import statistics
import sys

from khasan_sim.api import Simulation

RECON = "2mb-recon-tank-coy"
SECOND = "2mb-2tb"
START = 16 * 60  # the scenario starts at 16:00


def _clock(t_min: float) -> str:
    m = round(START + t_min)
    return f"{m // 60:02d}:{m % 60:02d}"


def _seeds(text: str) -> list[int]:
    if "-" in text:
        a, b = text.split("-")
        return list(range(int(a), int(b) + 1))
    return [int(s) for s in text.split(",")]


# the terrain's swampy valley between Machine Gun Hill and Zaozernaya (assets/terrain/
# khasan.yaml, area valley-zaozernaya-mgh): from the col to its mouth by the lake's tip
VALLEY = [
    (5180, 4870),
    (5500, 4950),
    (5900, 4850),
    (5950, 4600),
    (5700, 4570),
    (5450, 4640),
    (5180, 4690),
]


def _inside(x: float, y: float, poly: list[tuple[float, float]]) -> bool:
    inside = False
    for (x1, y1), (x2, y2) in zip(poly, poly[1:] + poly[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def _near_valley(sim: Simulation, x: float, y: float, margin_m: float = 100.0) -> bool:
    """Return True in the scenario's southern-valley zone or the terrain's valley swamp
    (with *margin_m* round it)."""
    if sim.engine.in_zone("southern-valley", x, y):
        return True
    return any(
        _inside(x + dx, y + dy, VALLEY)
        for dx, dy in ((0, 0), (margin_m, 0), (-margin_m, 0), (0, margin_m), (0, -margin_m))
    )


def one_seed(scenario: str, seed: int) -> dict[str, object]:
    sim = Simulation(scenario, seed=seed)
    out: dict[str, object] = {"seed": seed}
    held: dict[str, int] = {}
    for label, clock in (
        ("17:20", "1938-08-06T17:20"),
        ("17:30", "1938-08-06T17:30"),
        ("18:00", "1938-08-06T18:00"),
        ("20:00", "1938-08-06T20:00"),
    ):
        sim.advance_to(clock)
        tanks = sim.unit(RECON).tanks
        if label == "17:20":
            out["recon_on_zaozernaya_1720"] = sum(1 for t in tanks if "zaozernaya" in t.reached)
            continue
        held[label] = sum(
            1
            for t in tanks
            if t.status in ("bogged", "operational")
            and not t.moving
            and _near_valley(sim, t.x, t.y)
        )
    sim.advance_to("1938-08-07T00:00")
    ev = sim.events()
    tank_unit = {t.id: t.unit for t in sim.tanks()}
    bog = [(e.t_min, e.get("tank")) for e in ev if e.kind == "bogged"]
    recon_bog = [(t, k) for t, k in bog if tank_unit[k] == RECON]
    recon_bog_valley = [
        (t, k)
        for t, k in recon_bog
        if any(
            e.kind == "bogged" and e.get("tank") == k and _near_valley(sim, e.get("x"), e.get("y"))
            for e in ev
        )
    ]
    second_bog = [(t, k) for t, k in bog if tank_unit[k] == SECOND and 55 <= t <= 115]
    out["recon_bogged_valley"] = len(recon_bog_valley)
    out["recon_bog_times"] = ",".join(_clock(t) for t, _ in recon_bog_valley[:8])
    out["recon_bogged_or_halted"] = held
    out["2tb_bogged_first_hour"] = len(second_bog)
    out["2tb_bog_times"] = ",".join(_clock(t) for t, _ in second_bog[:8])
    kinds = (
        "tank_knocked_out",
        "recovered",
        "repaired",
        "written_off",
        "crew_bailed_out",
        "tank_recovered",
    )
    out["events_6_aug"] = {k: sum(1 for e in ev if e.kind == k) for k in kinds}
    out["burnt_6_aug"] = sum(1 for e in ev if e.kind == "tank_knocked_out" and e.get("burnt"))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", default="1-8")
    ap.add_argument("--scenario", default="scenarios/khasan_1938/historical.yaml")
    a = ap.parse_args(argv)
    rows = [one_seed(a.scenario, s) for s in _seeds(a.seeds)]
    for r in rows:
        print(
            f"seed {r['seed']:>3}: recon bogged in the valley {r['recon_bogged_valley']:>2} ({r['recon_bog_times']}); "
            f"bogged or halted there {r['recon_bogged_or_halted']}; on Zaozernaya by 17:20 {r['recon_on_zaozernaya_1720']}; "
            f"2tb bogged 16:55-17:55 {r['2tb_bogged_first_hour']:>2} ({r['2tb_bog_times']}); "
            f"6 Aug events {r['events_6_aug']} burnt {r['burnt_6_aug']}"
        )

    def med(key: str, sub: str | None = None) -> float:
        vals = [float(r[key][sub]) if sub else float(r[key]) for r in rows]  # type: ignore[index]
        return statistics.median(vals)

    print(
        f"median over {len(rows)} seeds: recon bogged in the valley {med('recon_bogged_valley')}, "
        f"bogged or halted there at 18:00 {med('recon_bogged_or_halted', '18:00')} of 19, "
        f"on Zaozernaya by 17:20 {med('recon_on_zaozernaya_1720')}; 2tb bogged in its first hour {med('2tb_bogged_first_hour')} of 45"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
