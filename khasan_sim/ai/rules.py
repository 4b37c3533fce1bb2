"""The commander AI's rules and thresholds: ``scenarios/ai/commander.yaml``, read at the boundary.

The file has the parameter files' record format (value, unit, a source or a reason) and is
read with the same safe loader (:func:`khasan_sim.scenario.params_file.load_params`), so a
bad value is refused with its file, line and key. The AI reads it only through
:class:`AiRules`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from khasan_sim.errors import KhasanSimError, ScenarioError

LEVELS = ("easy", "normal", "hard")
SIDES = ("soviet", "japanese")

# what each level must define; every other key of the file is read by the side's commander
_LEVEL_KEYS = ("sight_share", "memory_turns", "concurrent_objectives", "preparation", "synchronised", "superiority_factor")


def default_rules_path() -> Path:
    """Return the shipped rules file."""
    from khasan_sim.boundary.paths import data_root

    return data_root() / "scenarios" / "ai" / "commander.yaml"


@dataclass(frozen=True)
class AiRules:
    """A commander's rules for one side at one level.

    Attributes:
        side: ``soviet`` or ``japanese``.
        level: ``easy``, ``normal`` or ``hard``.
        params: The loaded parameter set (read with :meth:`f` and :meth:`word`).
    """

    side: str
    level: str
    params: Any

    def f(self, key: str) -> float:
        """Return the side's number *key* (``soviet.assault_superiority`` is ``f("assault_superiority")``)."""
        return self.params.f(f"{self.side}.{key}")

    def word(self, key: str) -> str:
        """Return the side's word *key* (a zone id, say)."""
        return str(self.params.value(f"{self.side}.{key}"))

    def lv(self, key: str) -> float:
        """Return the level's number *key*."""
        return self.params.f(f"levels.{self.level}.{key}")


_CACHE: dict[str, Any] = {}


def load_rules(side: str, level: str = "normal", path: str | Path | None = None) -> AiRules:
    """Load the AI rules for *side* at *level* (the file is read once per process).

    Raises:
        KhasanSimError: The side or level is unknown.
        ScenarioError: The file is malformed or lacks a key a level needs (named with the file).
    """
    from khasan_sim.scenario.params_file import load_params

    if side not in SIDES:
        msg = f"commander AI: unknown side '{side}' (one of {', '.join(SIDES)})"
        raise KhasanSimError(msg)
    if level not in LEVELS:
        msg = f"commander AI: unknown level '{level}' (one of {', '.join(LEVELS)})"
        raise KhasanSimError(msg)
    p = Path(path) if path is not None else default_rules_path()
    key = str(p.resolve())
    params = _CACHE.get(key)
    if params is None:
        params = load_params([p], check=False)
        for lv in LEVELS:
            for k in _LEVEL_KEYS:
                if f"levels.{lv}.{k}" not in params:
                    msg = f"missing (every level sets {', '.join(_LEVEL_KEYS)})"
                    raise ScenarioError(str(p), None, f"levels.{lv}.{k}", msg)
        _CACHE[key] = params
    return AiRules(side, level, params)
