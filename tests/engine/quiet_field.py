"""The head of a small test scenario on the historical map: the Soviets under their
orders, the Japanese idle, nobody fighting unless a test puts them in reach."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAP = ROOT / "assets" / "terrain" / "khasan.yaml"

RULES = """rules:
  no_border_crossing: [soviet]
  daylight: {dawn: "05:45", dusk: "21:00"}
"""


def head(scenario_id: str, title: str, end: str = "1938-08-06T20:00") -> str:
    """Return the scenario's header and sides, on the historical map, from 08:00 on 6 August."""
    return f"""scenario:
  id: {scenario_id}
  title: {title}
  map: {MAP}
  start: 1938-08-06T08:00
  end: {end}
  turn_minutes: 30
sides:
  soviet: {{name: Red Army, controller: historical-orders}}
  japanese: {{name: Imperial Japanese Army, controller: idle}}
"""


def tank_company(
    tmp_path: Path, name: str, tanks: str, orders: str, *, north: str = "[[9100, 6000], [9500, 6000], [9500, 6400], [9100, 6400]]",
    neighbours: str = "",
) -> Path:
    """Write and return a scenario of a Soviet tank company east of the lake (at 7,800, 5,400
    m, its *tanks* a YAML list) under *orders* (YAML list items, unit ``coy``), two zones to
    send it to (``north`` and ``south``, over open ground) and a Japanese company far away;
    *neighbours* are more units (YAML list items) beside them."""
    body = f"""units:
  - id: coy
    side: soviet
    name: Tank company
    type: tank
    position: [7800, 5400]
    men: 30
    tanks: {tanks}
  - {{id: far, side: japanese, name: Far away, type: rifle, position: [2000, 3000], men: 100, weapons: {{rifle: 90}}}}
{neighbours}zones:
  - {{id: north, name: North-east, kind: area, polygon: {north}}}
  - {{id: south, name: South, kind: area, polygon: [[7700, 4300], [8100, 4300], [8100, 4700], [7700, 4700]]}}
{RULES}orders:
{orders}"""
    f = tmp_path / f"{name}.yaml"
    f.write_text(head(f"{name}-test", name) + body, encoding="utf-8")
    return f
