"""The saved-game format: a JSON file with the scenario, variant, seed, sides and the orders given.

The front end writes it (:mod:`khasan_sim.ui.saves`) and reads it back; the classroom
report reads students' saves. Reading checks the whole document at the boundary
(:class:`SaveDoc`, a pydantic model with unknown fields refused): a damaged or foreign
file raises :class:`~khasan_sim.errors.SaveFileError` with one line naming the file and
the field, never a ``TypeError`` from deep inside the replay.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr

from khasan_sim.errors import SaveFileError, ScenarioError

FORMAT = "khasan-sim-save"
VERSION = 1
MAX_SAVE_BYTES = 20 * 1024 * 1024
"""Largest save file read (a whole game's orders take a few hundred kB)."""
MAX_SEED = 2**63 - 1


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


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class TimedOrder(_Strict):
    """An order given during the game, at its simulated minute."""

    at_min: float = Field(ge=0)
    order: dict[str, Any]


class SaveDoc(_Strict):
    """The save file's document, checked field by field."""

    format: Literal["khasan-sim-save"]
    version: Literal[1]
    scenario: StrictStr = Field(min_length=1, max_length=4096)
    variant: StrictStr | None = Field(default=None, max_length=4096)
    seed: StrictInt = Field(ge=0, le=MAX_SEED)
    player_sides: list[Literal["soviet", "japanese"]] = Field(default_factory=list, max_length=2)
    now_min: float = Field(ge=0)
    label: StrictStr = ""
    orders: list[TimedOrder] = Field(default_factory=list)
    pending: list[dict[str, Any]] = Field(default_factory=list)
    events_digest: StrictStr = ""
    settings: dict[str, Any] = Field(default_factory=dict)
    followers: list[StrictStr] | None = None


def _read_bytes(path: Path, where: str) -> bytes:
    try:
        st = path.stat()
        if stat.S_ISDIR(st.st_mode):
            raise SaveFileError(f"{where}: is a folder, not a save file")
        if not stat.S_ISREG(st.st_mode):
            raise SaveFileError(
                f"{where}: not a regular file (a device or a pipe), not a save file"
            )
        if st.st_size > MAX_SAVE_BYTES:
            raise SaveFileError(
                f"{where}: not a khasan-sim save ({st.st_size / 1e6:.0f} MB, more than a save can be)"
            )
        with path.open("rb") as fh:
            return fh.read(MAX_SAVE_BYTES + 1)
    except FileNotFoundError:
        raise SaveFileError(f"{where}: no such save file") from None
    except OSError as exc:
        raise SaveFileError(f"{where}: cannot read the save file ({exc.strerror or exc})") from None


def read_save(path: str | os.PathLike[str]) -> SaveGame:
    """Read and check a save file.

    Raises:
        SaveFileError: Missing, unreadable, not JSON, not a khasan-sim save, or damaged
            (the message names the field at fault).
    """
    from khasan_sim.boundary.validate import validate_model
    from khasan_sim.boundary.yamlsrc import SourceMap

    where = str(path)
    raw = _read_bytes(Path(path), where)
    try:
        doc = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except UnicodeDecodeError:
        raise SaveFileError(
            f"{where}: not a khasan-sim save (binary data, expected JSON text)"
        ) from None
    except json.JSONDecodeError as exc:
        raise SaveFileError(
            f"{where}:{exc.lineno}: damaged save file (not valid JSON: {exc.msg})"
        ) from None
    except (ValueError, RecursionError) as exc:
        raise SaveFileError(f"{where}: damaged save file ({exc})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        got = doc.get("format") if isinstance(doc, dict) else type(doc).__name__
        raise SaveFileError(
            f"{where}: not a khasan-sim save (format {str(got)[:40]!r}, expected {FORMAT!r})"
        )
    if doc.get("version") != VERSION:
        raise SaveFileError(
            f"{where}: save format version {str(doc.get('version'))[:20]!r} (this program reads version {VERSION})"
        )
    try:
        checked = validate_model(SaveDoc, doc, SourceMap(doc, where))
    except ScenarioError as exc:
        raise SaveFileError(f"{where}: damaged save file ({exc.path}: {exc.problem})") from None
    return SaveGame(
        scenario=checked.scenario,
        seed=checked.seed,
        variant=checked.variant,
        player_sides=list(checked.player_sides),
        now_min=float(checked.now_min),
        orders=[{"at_min": float(o.at_min), "order": o.order} for o in checked.orders],
        pending=list(checked.pending),
        events_digest=checked.events_digest,
        label=checked.label,
        settings=dict(checked.settings),
        followers=None if checked.followers is None else list(checked.followers),
    )


def _no_constant(name: str) -> Any:
    msg = f"{name} is not a number a save may hold"
    raise ValueError(msg)


def replay(
    save: SaveGame,
    *,
    scenario: Any = None,
    variant: str | None = None,
    where: str = "save",
    snapshot_at: Any = (),
) -> Any:
    """Return a :class:`~khasan_sim.api.Simulation` with a saved game played again to its
    moment (blocking): the same seed and sides, the player's units following 1938's
    orders until ordered, each order given at its time, the orders still pending given,
    the units still following the record kept so. The front end's session and the
    classroom report both replay through here.

    Args:
        save: The save.
        scenario: Play it on this scenario file (or loaded scenario) instead of the save's
            (with *variant*).
        variant: The variant file to use with *scenario*.
        where: Names the save in errors.
        snapshot_at: Extra snapshot times the run takes (asked before it is played, so
            that times before the save's moment are taken too).

    Raises:
        SaveFileError: The scenario cannot be loaded, an order no longer applies, or the
            replayed run differs from the saved one (different code or scenario).
    """
    from khasan_sim.api import Simulation
    from khasan_sim.errors import KhasanSimError

    path = save.scenario if scenario is None else scenario
    var = save.variant if scenario is None else variant
    sides = tuple(s for s in ("soviet", "japanese") if s in set(save.player_sides))
    try:
        sim = Simulation(path, save.seed, variant=var, player_sides=sides, follow_record=True)
    except (KhasanSimError, OSError) as exc:
        raise SaveFileError(f"{where}: cannot load its scenario {path} ({exc})") from None
    sim.snapshot_at(snapshot_at)
    players = [u.id for u in sim.units() if u.side in sides]
    try:
        for item in sorted(save.orders, key=lambda o: o["at_min"]):
            if item["at_min"] > sim.now_min + 1e-9:
                _advance(sim, item["at_min"])
            sim.give(item["order"])
        if save.now_min > sim.now_min + 1e-9:
            _advance(sim, save.now_min)
        for o in save.pending:
            sim.give(o)
    except KhasanSimError as exc:
        raise SaveFileError(f"{where}: its orders do not replay on this scenario ({exc})") from None
    if save.followers is not None:
        keep = set(save.followers)
        sim.take_over([uid for uid in players if uid not in keep])
    if save.events_digest and sim.events_digest() != save.events_digest:
        raise SaveFileError(
            f"{where}: the replayed run differs from the saved one (the scenario or the program changed since it was saved)"
        )
    return sim


def _advance(sim: Any, until_min: float) -> None:
    """Run *sim* to *until_min*, in the slices a game's run loop takes."""
    while sim.advance(5000, until_min):
        pass
