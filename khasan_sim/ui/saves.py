"""Saved games from the front end: writing a game's save, and restoring a game from one.

The format itself (:class:`SaveGame`, :func:`read_save`) is core, in :mod:`khasan_sim.saves`.

Loading plays the run again from the start with the same orders at the same simulated
minutes; the core is deterministic, so the state (and the event digest, which is
checked) comes out the same. Files are written atomically. A damaged or foreign file
raises :class:`~khasan_sim.errors.SaveFileError` with a one-line reason.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from khasan_sim.errors import SaveFileError
from khasan_sim.io import atomic_write_text
from khasan_sim.saves import FORMAT, VERSION, SaveGame, read_save

__all__ = [
    "FORMAT",
    "VERSION",
    "SaveGame",
    "from_session",
    "order_json",
    "read_save",
    "replay_orders",
    "restore",
    "write_save",
]


def order_json(order: Any) -> dict[str, Any]:
    """Return an order model as a plain JSON-able dict."""
    return order.model_dump(mode="json", exclude_none=True, by_alias=True)


def from_session(session: Any) -> SaveGame:
    """Return the save of a game (between runs)."""
    sim = session.sim
    ai = dict(getattr(session, "commanders", {}) or {})
    side_of = {u.id: u.side for u in session.frame().units} if ai else {}
    return SaveGame(
        scenario=session.scenario_path,
        seed=session.seed,
        variant=session.variant_path,
        player_sides=list(session.player_sides),
        now_min=float(sim.now_min),
        # the commander AI's orders are not saved: it gives them again when the game is replayed
        orders=[{"at_min": float(t), "order": order_json(o)} for t, o in sim.given_orders if side_of.get(o.unit_ids[0]) not in ai],
        pending=[order_json(o) for o in sim.pending_orders],
        events_digest=sim.events_digest(),
        label=sim.now.strftime("%Y-%m-%dT%H:%M"),
        settings={
            "fog": bool(getattr(session, "fog", False)),
            **({"exercise": session.exercise} if getattr(session, "exercise", None) else {}),
            **({"commanders": ai} if ai else {}),
        },
        followers=sorted(session.followers),
    )


def write_save(session: Any, path: str | os.PathLike[str]) -> Path:
    """Write a save file atomically and return its path."""
    doc = from_session(session).to_json()
    return atomic_write_text(path, json.dumps(doc, indent=1, ensure_ascii=False) + "\n")


def restore(save: SaveGame, *, where: str = "save", session_factory: Any = None) -> Any:
    """Build a GameSession from a save by playing its orders again (blocking).

    Raises:
        SaveFileError: The scenario cannot be loaded, an order no longer applies, or the
            replayed run differs from the saved one (different code or scenario).
    """
    from khasan_sim.errors import KhasanSimError
    from khasan_sim.ui.session import GameSession

    factory = session_factory or GameSession
    try:
        from khasan_sim.ai.driver import commanders_of

        ai = commanders_of(save.settings.get("commanders") if isinstance(save.settings, dict) else None)
        session = factory(
            save.scenario, save.seed, variant=save.variant, player_sides=save.player_sides,
            **({"commanders": ai} if ai else {}),
        )
    except (KhasanSimError, OSError) as exc:
        raise SaveFileError(f"{where}: cannot load its scenario {save.scenario} ({exc})") from None
    replay_orders(session, save, where)
    return session


def replay_orders(session: Any, save: SaveGame, where: str = "save") -> None:
    """Play a save's orders into a fresh session, then run to the saved time."""
    from khasan_sim.errors import KhasanSimError

    try:
        for item in sorted(save.orders, key=lambda o: o["at_min"]):
            if item["at_min"] > session.sim.now_min + 1e-9:
                session.run_blocking(item["at_min"])
            session.sim.give(item["order"])
        if save.now_min > session.sim.now_min + 1e-9:
            session.run_blocking(save.now_min)
        for o in save.pending:
            session.sim.give(o)
    except KhasanSimError as exc:
        raise SaveFileError(f"{where}: its orders do not replay on this scenario ({exc})") from None
    if save.followers is not None:
        session.followers = set(save.followers)
    session.refresh()
    if save.events_digest and session.sim.events_digest() != save.events_digest:
        raise SaveFileError(
            f"{where}: the replayed run differs from the saved one (the scenario or the program changed since it was saved)"
        )
