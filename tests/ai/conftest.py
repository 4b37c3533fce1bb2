"""Shared fixtures of the commander AI's tests: the historical scenario, loaded once."""

from __future__ import annotations

from pathlib import Path

import pytest

from khasan_sim.scenario.load import load_scenario

ROOT = Path(__file__).resolve().parents[2]
HISTORICAL = ROOT / "scenarios" / "khasan_1938" / "historical.yaml"
TINY = ROOT / "tests" / "data" / "tiny" / "tiny.yaml"


@pytest.fixture(scope="session")
def historical():
    """The historical scenario (loaded once for the AI tests)."""
    return load_scenario(HISTORICAL)


@pytest.fixture(scope="session")
def tiny():
    """The tiny test scenario (one height, three units)."""
    return load_scenario(TINY)
