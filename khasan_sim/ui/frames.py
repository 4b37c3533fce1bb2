"""What the screen draws at one moment: plain, immutable copies of the world.

The simulation runs apart from the drawing (in a worker process for the game, in a
thread for headless play and tests); after each slice it copies what the map needs into
a :class:`Frame`, and the drawing loop reads only frames. A
:class:`Tape` keeps a frame every few simulated minutes so that a finished (or
loaded) run can be scrubbed forward and back instantly.
"""

from __future__ import annotations

import bisect
import threading
from dataclasses import dataclass, field
from typing import Any, NamedTuple


class UnitView(NamedTuple):
    """One unit as drawn."""

    id: str
    side: str
    type: str
    name: str
    x: float
    y: float
    men: int
    men_start: int
    killed: int
    wounded: int
    missing: int
    morale: float
    morale_start: float
    suppression: float
    state: str
    activity: str
    entrenchment: str
    wire: bool
    training: str
    order: str
    objective: str | None
    moving: bool
    weapons: tuple[tuple[str, int], ...]
    aircraft: tuple[tuple[str, int], ...]
    ammunition: int | None
    tanks_start: int
    tanks_ok: int
    tanks_bogged: int
    tanks_lost: int
    under_fire: bool
    command: str = ""  # a tank unit's control net, in words ("" for a unit without command tanks)

    @property
    def is_air(self) -> bool:
        """Return True for air units (no place on the map)."""
        return self.type == "air"

    @property
    def strength(self) -> float:
        """Return the share of men (or of tanks, for tank units) still present, 0..1."""
        if self.tanks_start:
            return (self.tanks_ok + self.tanks_bogged) / self.tanks_start
        return self.men / self.men_start if self.men_start else 0.0


class TankView(NamedTuple):
    """One tank as drawn."""

    id: str
    unit: str
    model: str
    command: bool
    x: float
    y: float
    status: str
    moving: bool


def _command_text(u: Any) -> str:
    """Return a tank unit's control net in words: which of its radio (command) tanks are in
    action (``TankState.can_fire``: bogged ones still fire and talk where they stand), and
    whether its control has broken down ("" for a unit without command tanks)."""
    cmd = [t for t in u.tanks if t.command]
    if not cmd:
        return ""
    hq = [t for t in cmd if t.headquarters]
    leaders = [t for t in cmd if not t.headquarters]
    parts = []
    if hq:
        parts.append(f"headquarters {sum(t.can_fire for t in hq)} of {len(hq)}")
    if leaders:
        name = "company commanders" if hq else "command tanks"
        parts.append(f"{name} {sum(t.can_fire for t in leaders)} of {len(leaders)}")
    state = "intact" if u.command_intact else "broken down"
    return f"{state} ({', '.join(parts)} in action)"


def _order_text(o: Any) -> str:
    if o is None:
        return ""
    kind = getattr(o, "kind", "")
    target = getattr(o, "objective", None) or getattr(o, "zone", None) or getattr(o, "target", None) or getattr(o, "to", None)
    if isinstance(target, (list, tuple)):
        target = f"({target[0] / 1000:.1f}, {target[1] / 1000:.1f}) km"
    return f"{kind} {target}" if target else str(kind)


@dataclass(frozen=True)
class Frame:
    """The world at one simulated minute."""

    t_min: float
    units: tuple[UnitView, ...]
    tanks: tuple[TankView, ...]
    holders: dict[str, str | None]
    n_events: int
    night: bool
    visible: dict[str, frozenset[str]] = field(default_factory=dict)

    def unit(self, unit_id: str) -> UnitView | None:
        """Return the view of one unit, or None."""
        for u in self.units:
            if u.id == unit_id:
                return u
        return None


def capture(sim: Any, fog_sides: tuple[str, ...] = ()) -> Frame:
    """Copy what the screen needs from a Simulation (call only while it is not advancing)."""
    now = sim.now_min
    units = []
    for u in sim.units():
        ok = bog = lost = 0
        for t in u.tanks:
            if t.status == "operational":
                ok += 1
            elif t.status == "bogged":
                bog += 1
            else:
                lost += 1
        units.append(
            UnitView(
                u.id, u.side, u.type, u.name, float(u.x), float(u.y), int(u.men), int(u.men_start),
                int(u.killed), int(u.wounded), int(u.missing), float(u.morale), float(u.morale_start),
                float(u.suppression), getattr(u.state, "value", str(u.state)), u.activity,
                str(getattr(u.entrenchment, "value", u.entrenchment)), bool(u.wire), str(getattr(u.training, "value", u.training)),
                _order_text(u.order), u.objective, bool(u.moving or any(t.moving for t in u.tanks)),
                tuple(sorted((k, int(v)) for k, v in u.guns.items())), tuple(sorted((k, int(v)) for k, v in u.aircraft.items())),
                u.ammunition, len(u.tanks), ok, bog, lost, now - u.last_under_fire_min < 10.0, _command_text(u),
            )
        )
    tanks = tuple(TankView(t.id, t.unit, t.model, bool(t.command), float(t.x), float(t.y), t.status, bool(t.moving)) for t in sim.tanks())
    visible = {s: frozenset(u.id for u in sim.observe(s)) for s in fog_sides}
    return Frame(now, tuple(units), tanks, sim.holders(), len(sim.engine.log), bool(sim.is_night()), visible)


class Tape:
    """Frames at increasing times, for scrubbing a run forward and back."""

    def __init__(self, step_min: float = 5.0) -> None:
        self.step_min = float(step_min)
        self._times: list[float] = []
        self._frames: list[Frame] = []
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._frames)

    def add(self, frame: Frame) -> None:
        """Append a frame (later than the last one; an equal time replaces it)."""
        with self._lock:
            if self._times and frame.t_min <= self._times[-1] + 1e-9:
                if abs(frame.t_min - self._times[-1]) < 1e-9:
                    self._frames[-1] = frame
                return
            self._times.append(frame.t_min)
            self._frames.append(frame)

    def truncate(self, t_min: float) -> None:
        """Forget frames after *t_min* (a loaded game that goes on differently)."""
        with self._lock:
            i = bisect.bisect_right(self._times, t_min + 1e-9)
            del self._times[i:], self._frames[i:]

    @property
    def end_min(self) -> float:
        """Return the time of the last frame (0 when empty)."""
        return self._times[-1] if self._times else 0.0

    def at(self, t_min: float) -> Frame | None:
        """Return the last frame at or before *t_min* (the first frame before any)."""
        with self._lock:
            if not self._frames:
                return None
            i = bisect.bisect_right(self._times, t_min + 1e-9) - 1
            return self._frames[max(i, 0)]
