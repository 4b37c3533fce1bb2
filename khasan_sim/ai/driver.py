"""A run with computer commanders: pairings, and the Simulation that lets them command.

A *pairing* says who commands each side: the Soviet side ``historical`` (the recorded
orders) or ``ai``; the Japanese side ``doctrine`` (the engine's doctrine controller and the
recorded orders) or ``ai``. :func:`with_pairing` returns the scenario with the sides'
controllers set to match (``commander-ai`` and its level), which a variant can also do
(``replace: [{path: sides.soviet.controller, value: commander-ai}]``).

:class:`CommandedSimulation` is a :class:`~khasan_sim.api.Simulation` in which the sides
whose controller is ``commander-ai`` (or that are named in *commanders*) are commanded by
their :class:`~khasan_sim.ai.base.Commander`: at each turn boundary, before the run goes
on, each commander looks at its side's view and gives its orders with
:meth:`~khasan_sim.api.Simulation.give`. Advancing in one step or in slices (the desktop's
frame loop) stops at every boundary the same way, so the event log is the same.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from khasan_sim.ai.base import Commander
from khasan_sim.ai.japanese import JapaneseCommander
from khasan_sim.ai.rules import LEVELS, load_rules
from khasan_sim.ai.soviet import SovietCommander
from khasan_sim.api import Simulation
from khasan_sim.errors import ScenarioError

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
            raise ScenarioError(msg)
        if self.japanese not in JAPANESE_CHOICES:
            msg = f"--japanese: '{self.japanese}' is not one of {', '.join(JAPANESE_CHOICES)}"
            raise ScenarioError(msg)
        if self.level not in LEVELS:
            msg = f"--level: '{self.level}' is not one of {', '.join(LEVELS)}"
            raise ScenarioError(msg)

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


def with_pairing(scenario: Any, ai_sides: Mapping[str, str]) -> Any:
    """Return *scenario* with the sides in *ai_sides* commanded by the AI at the level given."""
    if not ai_sides:
        return scenario
    sides = dict(scenario.doc.sides)
    for side, level in ai_sides.items():
        if side not in sides:
            msg = f"{scenario.path}: no side '{side}' to give to the commander AI (sides: {', '.join(sorted(sides))})"
            raise ScenarioError(msg)
        sides[side] = sides[side].model_copy(update={"controller": "commander-ai", "level": level})
    return dataclasses.replace(scenario, doc=scenario.doc.model_copy(update={"sides": sides}))


def ai_sides_of(scenario: Any) -> dict[str, str]:
    """Return the sides of *scenario* whose controller is ``commander-ai``, with their levels."""
    return {s: spec.level for s, spec in scenario.doc.sides.items() if spec.controller == "commander-ai"}


def make_commander(side: str, level: str, seed: int) -> Commander:
    """Return the commander of *side* at *level* for a run with *seed*."""
    return _COMMANDERS[side](load_rules(side, level), seed)


class CommandedSimulation(Simulation):
    """A Simulation whose AI sides are commanded at each turn boundary.

    Args:
        scenario: A loaded scenario or a path.
        seed: The run seed.
        variant: A variant file, when *scenario* is a path.
        player_sides: The sides a person commands.
        follow_record: As :class:`~khasan_sim.api.Simulation` (for the person's sides).
        commanders: Extra sides for the AI, with their levels (``{"soviet": "hard"}``),
            on top of the scenario's ``commander-ai`` sides.
    """

    def __init__(
        self,
        scenario: Any,
        seed: int = 1,
        *,
        variant: str | Path | None = None,
        player_sides: Iterable[str] = (),
        follow_record: bool = False,
        commanders: Mapping[str, str] | None = None,
    ) -> None:
        if isinstance(scenario, (str, Path)):
            from khasan_sim.scenario.load import load_scenario

            scenario = load_scenario(scenario, variant)
        scenario = with_pairing(scenario, dict(commanders or {}))
        ai = ai_sides_of(scenario)
        humans = set(player_sides) - set(ai)
        super().__init__(scenario, seed, player_sides=humans | set(ai), follow_record=follow_record)
        self.commanders: dict[str, Commander] = {s: make_commander(s, lv, self.seed) for s, lv in sorted(ai.items())}
        # the AI's units follow its orders only, never the recorded ones
        self.take_over([u.id for u in self.units() if u.side in self.commanders])
        self._commanded_at = -1.0

    def _command(self) -> None:
        """Let each commander give its orders, once at each turn boundary."""
        if not self.commanders or self.finished:
            return
        now = self.now_min
        tm = self.engine.turn_min
        at_boundary = abs(now / tm - round(now / tm)) < 1e-9
        if not at_boundary or now == self._commanded_at:
            return
        self._commanded_at = now
        for side in sorted(self.commanders):
            self.commanders[side].command(self)

    def _advance_engine(self, t_min: float) -> None:
        t_min = min(t_min, self.engine.end_min)
        while True:
            self._command()
            nxt = self.next_turn_min()
            if nxt >= t_min - 1e-9 or not self.commanders:
                super()._advance_engine(t_min)
                return
            super()._advance_engine(nxt)

    def advance(self, max_events: int = 2000, until_min: float | None = None) -> bool:
        """As :meth:`Simulation.advance`, stopping at each turn boundary for the commanders."""
        self._check_running()
        self._command()
        limit = self.engine.end_min if until_min is None else min(until_min, self.engine.end_min)
        if not self.commanders:
            return super().advance(max_events, limit)
        more = super().advance(max_events, min(limit, self.next_turn_min()))
        return more or (not self.finished and self.now_min < limit - 1e-9)

    def commander_lines(self) -> list[str]:
        """Return one line per AI side: who commands it and at what level (for the game's panel)."""
        return [f"{side.capitalize()} side: commander AI, {c.level}" for side, c in sorted(self.commanders.items())]
