"""A run with computer commanders: pairings, and the Simulation that lets them command.

A *pairing* says who commands each side: the Soviet side ``historical`` (the recorded
orders) or ``ai``; the Japanese side ``doctrine`` (the engine's doctrine controller and the
recorded orders) or ``ai``. :func:`with_pairing` returns the scenario with the sides'
controllers set to match (``commander-ai`` and its level), which a variant can also do
(``replace: [{path: sides.soviet.controller, value: commander-ai}]``).

In a :class:`~khasan_sim.api.Simulation` of such a scenario (or one made with
``commanders={"soviet": "normal"}``) the sides whose controller is ``commander-ai`` are
commanded by their :class:`~khasan_sim.ai.base.Commander` through a :class:`CommandPost`:
at each turn boundary, before the run goes on, each commander looks at its side's view
and gives its orders with :meth:`~khasan_sim.api.Simulation.give`. Advancing in one step
or in slices (the desktop's frame loop) stops at every boundary the same way, so the
event log is the same.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from khasan_sim.ai.base import Commander
from khasan_sim.ai.japanese import JapaneseCommander
from khasan_sim.ai.rules import LEVELS, load_rules
from khasan_sim.ai.soviet import SovietCommander
from khasan_sim.errors import KhasanSimError, ScenarioError

SOVIET_CHOICES = ("historical", "ai")
JAPANESE_CHOICES = ("doctrine", "ai")
_COMMANDERS = {"soviet": SovietCommander, "japanese": JapaneseCommander}


@dataclasses.dataclass(frozen=True)
class Pairing:
    """Who commands each side, and the AI's level."""

    soviet: str = "historical"
    japanese: str = "doctrine"
    level: str = "normal"

    def __post_init__(self) -> None:
        if self.soviet not in SOVIET_CHOICES:
            msg = f"--soviet: '{self.soviet}' is not one of {', '.join(SOVIET_CHOICES)}"
            raise KhasanSimError(msg)
        if self.japanese not in JAPANESE_CHOICES:
            msg = f"--japanese: '{self.japanese}' is not one of {', '.join(JAPANESE_CHOICES)}"
            raise KhasanSimError(msg)
        if self.level not in LEVELS:
            msg = f"--level: '{self.level}' is not one of {', '.join(LEVELS)}"
            raise KhasanSimError(msg)

    @property
    def ai_sides(self) -> dict[str, str]:
        """Return the sides the AI commands, with its level."""
        return {s: self.level for s, c in (("soviet", self.soviet), ("japanese", self.japanese)) if c == "ai"}

    @property
    def label(self) -> str:
        """Return the pairing as a study records it: ``soviet=ai,japanese=doctrine,level=normal``."""
        return f"soviet={self.soviet},japanese={self.japanese},level={self.level}"

    @property
    def is_default(self) -> bool:
        """Return True for the recorded orders against the doctrine (no AI)."""
        return not self.ai_sides


def commanders_of(value: Any) -> dict[str, str]:
    """Return a saved game's ``commanders`` setting checked: side -> level, or {} for none.

    Raises:
        KhasanSimError: It is not a mapping of known sides to levels.
    """
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(s in _COMMANDERS and lv in LEVELS for s, lv in value.items()):
        msg = f"commanders: expected sides ({', '.join(_COMMANDERS)}) with a level ({', '.join(LEVELS)}), got {value!r}"
        raise KhasanSimError(msg)
    return dict(value)


def controller_for(level: str) -> str:
    """Return the side controller that puts the commander AI at *level* in charge."""
    return "commander-ai" if level == "normal" else f"commander-ai-{level}"


def level_of(controller: str) -> str | None:
    """Return the AI level of a side *controller* (None if it is not the commander AI)."""
    if controller == "commander-ai":
        return "normal"
    if controller.startswith("commander-ai-"):
        return controller.removeprefix("commander-ai-")
    return None


def with_pairing(scenario: Any, ai_sides: Mapping[str, str]) -> Any:
    """Return *scenario* with the sides in *ai_sides* commanded by the AI at the level given.

    The scenario returned is another scenario: its digest is that of its document with
    the new controllers, and its variant id says the pairing (``+soviet=ai-normal``), so
    a study of it is never mixed with one of the recorded orders.
    """
    if not ai_sides:
        return scenario
    from khasan_sim.scenario.load import _digest  # the one definition of a scenario's digest

    sides = dict(scenario.doc.sides)
    for side, level in sorted(ai_sides.items()):
        if side not in sides:
            msg = f"no side '{side}' to give to the commander AI (sides: {', '.join(sorted(sides))})"
            raise ScenarioError(str(scenario.path), None, "sides", msg)
        if level not in LEVELS:
            msg = f"commander AI level '{level}' is not one of {', '.join(LEVELS)}"
            raise KhasanSimError(msg)
        sides[side] = sides[side].model_copy(update={"controller": controller_for(level)})
    doc = scenario.doc.model_copy(update={"sides": sides})
    label = ",".join(f"{s}=ai-{lv}" for s, lv in sorted(ai_sides.items()))
    pairing = label if scenario.pairing is None else f"{scenario.pairing},{label}"
    return dataclasses.replace(scenario, doc=doc, digest=_digest(doc, scenario.params, scenario.terrain), pairing=pairing)


def ai_sides_of(scenario: Any) -> dict[str, str]:
    """Return the sides of *scenario* commanded by the AI, with their levels."""
    out = {}
    for s, spec in scenario.doc.sides.items():
        level = level_of(spec.controller)
        if level is not None:
            out[s] = level
    return out


def make_commander(side: str, level: str) -> Commander:
    """Return the commander of *side* at *level*."""
    return _COMMANDERS[side](load_rules(side, level))


class CommandPost:
    """The computer commanders of one run, called by the Simulation at each turn boundary.

    :class:`~khasan_sim.api.Simulation` makes one when its scenario has ``commander-ai``
    sides and calls :meth:`command` before it advances: at a turn boundary the commanders
    not yet called there look and give their orders; the Simulation then stops at every
    boundary on the way (:meth:`stop_at`), whether it advances in one step or in slices.
    """

    def __init__(self, sides: Mapping[str, str]) -> None:
        self.commanders: dict[str, Commander] = {s: make_commander(s, lv) for s, lv in sorted(sides.items())}
        self._done_at = -1.0

    def command(self, sim: Any) -> None:
        """Let each commander give its orders, once at each turn boundary."""
        if sim.finished:
            return
        now = sim.now_min
        tm = sim.engine.turn_min
        if abs(now / tm - round(now / tm)) > 1e-9 or now == self._done_at:
            return
        self._done_at = now
        for side in sorted(self.commanders):
            self.commanders[side].command(sim)

    def stop_at(self, sim: Any, t_min: float) -> float:
        """Return where an advance to *t_min* must stop next: the next turn boundary, or *t_min*."""
        return min(t_min, sim.next_turn_min())

    def lines(self) -> list[str]:
        """Return one line per AI side: who commands it and at what level (for the game's panel)."""
        return [f"{side.capitalize()} side: commander AI, {c.level}" for side, c in sorted(self.commanders.items())]
