"""What every commander shares: its view, its orders given through the public API, its stream.

A commander is called at each turn boundary with the :class:`~khasan_sim.api.Simulation`;
it builds its side's view (:func:`khasan_sim.ai.view.build_view`, fog of war), decides,
and gives its orders with :meth:`Simulation.give`, exactly as a player does. Before it
gives an order it asks :meth:`Simulation.check_order`; an order a rule forbids is never
given (it is counted in :attr:`Commander.refused`, and the commander tries another way).
"""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter, ValidationError

from khasan_sim.ai.rules import AiRules
from khasan_sim.ai.view import Memory, SideView, build_view
from khasan_sim.scenario import schema

_ORDER = TypeAdapter(schema.Order)


class Commander:
    """A side's computer commander.

    The commander draws nothing at random: its orders are a function of what its side
    sees, its memory and its rules, so the same scenario, seed and level give the same
    orders (the run's own streams decide what the side sees).

    Args:
        rules: The side's rules at its level (:func:`khasan_sim.ai.rules.load_rules`).
    """

    def __init__(self, rules: AiRules) -> None:
        self.rules = rules
        self.side = rules.side
        self.level = rules.level
        self.memory = Memory()
        self.given: list[Any] = []
        self.refused: list[tuple[Any, str]] = []
        self.last_view: SideView | None = None
        self._last_order: dict[str, tuple[Any, ...]] = {}

    def view(self, sim: Any) -> SideView:
        """Return the side's view now (and remember what it sees)."""
        v = build_view(sim, self.side, self.memory, sight_share=self.rules.lv("sight_share"), memory_turns=self.rules.lv("memory_turns"))
        self.last_view = v
        return v

    def command(self, sim: Any) -> None:
        """Look, decide and give this turn's orders."""
        self.decide(sim, self.view(sim))

    def decide(self, sim: Any, view: SideView) -> None:  # pragma: no cover - each side's own
        """Decide and give the orders of the turn."""
        raise NotImplementedError

    def give(self, sim: Any, order: dict[str, Any], *, again: bool = False) -> bool:
        """Give *order* (a dict of an order's fields) if it is legal; return True if given.

        The same order to the same unit as last time is not given again unless *again*.
        """
        data = {"at": sim.now, **order}
        try:
            o = _ORDER.validate_python(data)
        except ValidationError as exc:  # a bug in a commander, not a situation: say so
            msg = f"commander AI ({self.side}) made a malformed order {order}: {exc.errors()[0]['msg']}"
            raise RuntimeError(msg) from None
        sig = tuple(sorted((k, repr(v)) for k, v in order.items()))
        uid = ",".join(o.unit_ids)
        if not again and self._last_order.get(uid) == sig:
            return False
        why = sim.check_order(o)
        if why is None and o.kind == "attack" and sim.engine.in_ceasefire():
            why = "the ceasefire is agreed: each side keeps its positions"
        if why is not None:
            self.refused.append((o, why))
            return False
        sim.give(o, source="commander-ai")
        self.given.append(o)
        self._last_order[uid] = sig
        return True
