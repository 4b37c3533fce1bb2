"""khasan_sim: the Soviet offensive at Lake Khasan, 6-11 August 1938, as a seeded discrete-event simulation.

The public API is what this module re-exports; everything else may change.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = [
    "IllegalOrderError",
    "KhasanSimError",
    "OrderError",
    "RunResult",
    "SaveFileError",
    "ScenarioError",
    "Simulation",
    "SimulationFinished",
    "__version__",
    "load_scenario",
]

from khasan_sim.errors import (
    IllegalOrderError,
    KhasanSimError,
    OrderError,
    SaveFileError,
    ScenarioError,
    SimulationFinished,
)


def __getattr__(name: str) -> object:
    # Lazy: `import khasan_sim` stays light (the CLI's --help, the architecture test).
    if name == "Simulation":
        from khasan_sim.api import Simulation

        return Simulation
    if name == "load_scenario":
        from khasan_sim.scenario.load import load_scenario

        return load_scenario
    if name == "RunResult":
        from khasan_sim.results import RunResult

        return RunResult
    msg = f"module 'khasan_sim' has no attribute {name!r}"
    raise AttributeError(msg)
