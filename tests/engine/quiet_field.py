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
