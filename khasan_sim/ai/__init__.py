"""The commander AI: a computer commander for either side, acting through the public API.

Example::

    from khasan_sim import Simulation
    sim = Simulation("scenarios/khasan_1938/historical.yaml", seed=1, commanders={"soviet": "normal"})
    result = sim.run_to_end()   # the Soviet AI against the Japanese doctrine
"""

from khasan_sim.ai.driver import (
    CommandPost,
    Pairing,
    ai_sides_of,
    make_commander,
    with_pairing,
)
from khasan_sim.ai.rules import LEVELS, load_rules

__all__ = ["LEVELS", "CommandPost", "Pairing", "ai_sides_of", "load_rules", "make_commander", "with_pairing"]
