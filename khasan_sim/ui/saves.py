"""Saved games: the scenario, variant, seed, player sides and the orders given with their times.

Loading plays the run again from the start with the same orders at the same simulated
minutes; the core is deterministic, so the state (and the event digest, which is
checked) comes out the same. Files are written atomically. A damaged or foreign file
raises :class:`~khasan_sim.errors.SaveFileError` with a one-line reason.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from khasan_sim.errors import SaveFileError
from khasan_sim.io import atomic_write_text

FORMAT = "khasan-sim-save"
VERSION = 1


@dataclass
class SaveGame:
    """What a save file holds."""

    scenario: str
    seed: int
    variant: str | None
    player_sides: list[str]
    now_min: float
    orders: list[dict[str, Any]] = field(default_factory=list)
    pending: list[dict[str, Any]] = field(default_factory=list)
    events_digest: str = ""
    label: str = ""
    settings: dict[str, Any] = field(default_factory=dict)
    followers: list[str] | None = None

    def to_json(self) -> dict[str, Any]:
        """Return the JSON document."""
        return {
            "format": FORMAT,
            "version": VERSION,
            "scenario": self.scenario,
            "variant": self.variant,
            "seed": self.seed,
            "player_sides": list(self.player_sides),
            "now_min": self.now_min,
            "label": self.label,
            "orders": self.orders,
            "pending": self.pending,
            "events_digest": self.events_digest,
            "settings": self.settings,
            "followers": self.followers,
        }


def order_json(order: Any) -> dict[str, Any]:
    """Return an order model as a plain JSON-able dict."""
    return order.model_dump(mode="json", exclude_none=True, by_alias=True)


def from_session(session: Any) -> SaveGame:
    """Return the save of a game (between runs)."""
    sim = session.sim
    return SaveGame(
        scenario=session.scenario_path,
        seed=session.seed,
        variant=session.variant_path,
        player_sides=list(session.player_sides),
        now_min=float(sim.now_min),
        orders=[{"at_min": float(t), "order": order_json(o)} for t, o in sim.given_orders],
        pending=[order_json(o) for o in sim.pending_orders],
        events_digest=sim.events_digest(),
        label=sim.now.strftime("%Y-%m-%dT%H:%M"),
        settings={"fog": bool(getattr(session, "fog", False)), **({"exercise": session.exercise} if getattr(session, "exercise", None) else {})},
        followers=sorted(session.followers),
    )


def write_save(session: Any, path: str | os.PathLike[str]) -> Path:
    """Write a save file atomically and return its path."""
    doc = from_session(session).to_json()
    return atomic_write_text(path, json.dumps(doc, indent=1, ensure_ascii=False) + "\n")


def read_save(path: str | os.PathLike[str]) -> SaveGame:
    """Read and check a save file.

    Raises:
        SaveFileError: Missing, unreadable, not JSON, not a khasan-sim save, or damaged.
    """
    where = str(path)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise SaveFileError(f"{where}: no such save file") from None
    except OSError as exc:
        raise SaveFileError(f"{where}: cannot read the save file ({exc.strerror or exc})") from None
    try:
        doc = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise SaveFileError(f"{where}: not a khasan-sim save (binary data, expected JSON text)") from None
    except json.JSONDecodeError as exc:
        raise SaveFileError(f"{where}:{exc.lineno}: damaged save file (not valid JSON: {exc.msg})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        got = doc.get("format") if isinstance(doc, dict) else type(doc).__name__
        raise SaveFileError(f"{where}: not a khasan-sim save (format {got!r}, expected {FORMAT!r})")
    if doc.get("version") != VERSION:
        raise SaveFileError(f"{where}: save format version {doc.get('version')!r} (this program reads version {VERSION})")
    try:
        orders = doc.get("orders") or []
        pending = doc.get("pending") or []
        if not isinstance(orders, list) or not all(isinstance(o, dict) and isinstance(o.get("order"), dict) for o in orders):
            raise ValueError("orders: expected a list of {at_min, order}")
        if not isinstance(pending, list) or not all(isinstance(o, dict) for o in pending):
            raise ValueError("pending: expected a list of orders")
        sides = doc.get("player_sides") or []
        if not isinstance(sides, list) or not all(s in ("soviet", "japanese") for s in sides):
            raise ValueError(f"player_sides: expected soviet and/or japanese, got {sides!r}")
        seed = doc["seed"]
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise ValueError(f"seed: expected a non-negative integer, got {seed!r}")
        if not isinstance(doc["scenario"], str):
            raise ValueError("scenario: expected a file path")
        return SaveGame(
            scenario=doc["scenario"],
            seed=seed,
            variant=doc.get("variant"),
            player_sides=list(sides),
            now_min=float(doc["now_min"]),
            orders=[{"at_min": float(o["at_min"]), "order": o["order"]} for o in orders],
            pending=list(pending),
            events_digest=str(doc.get("events_digest") or ""),
            label=str(doc.get("label") or ""),
            settings=dict(doc.get("settings") or {}),
            followers=list(doc["followers"]) if isinstance(doc.get("followers"), list) else None,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise SaveFileError(f"{where}: damaged save file ({exc})") from None


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
        session = factory(save.scenario, save.seed, variant=save.variant, player_sides=save.player_sides)
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
        raise SaveFileError(f"{where}: the replayed run differs from the saved one (the scenario or the program changed since it was saved)")
