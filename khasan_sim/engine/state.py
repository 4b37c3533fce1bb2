"""The mutable world: units and tanks. Only the engine (kernel.py and its systems) writes to it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from khasan_sim.model.morale import MoraleState, Thresholds

TANK_OPERATIONAL = "operational"
TANK_BOGGED = "bogged"
TANK_DAMAGED = "damaged"
TANK_DESTROYED = "destroyed"
TANK_FIRING = frozenset((TANK_OPERATIONAL, TANK_BOGGED))  # bogged tanks fire where they stand


@dataclass(slots=True)
class TankState:
    """One tank: where it is and what state it is in."""

    id: str
    unit: str
    model: str
    mobility: str
    command: bool
    x: float
    y: float
    status: str = TANK_OPERATIONAL
    moving: bool = False
    token: int = 0
    knocked_out: int = 0
    written_off: bool = False
    reached: set[str] = field(default_factory=set)
    last_under_fire_min: float = -1e9
    column: int = 0

    @property
    def can_fire(self) -> bool:
        """Return True if the tank can fire (operational or bogged: bogged tanks fire where they stand)."""
        return self.status in TANK_FIRING


@dataclass(slots=True)
class UnitState:
    """One unit's state."""

    id: str
    side: str
    type: str
    name: str
    x: float
    y: float
    home_x: float
    home_y: float
    men_start: int
    men: int
    weapons_start: dict[str, int]
    guns: dict[str, int]
    aircraft: dict[str, int]
    training: str
    morale: float
    morale_start: float
    thresholds: Thresholds
    entrenchment: str
    wire: bool
    ammunition: int | None
    tanks: list[TankState] = field(default_factory=list)
    killed: int = 0
    wounded: int = 0
    missing: int = 0
    suppression: float = 0.0
    state: MoraleState = MoraleState.STEADY
    activity: str = "idle"
    order: Any = None
    deferred_order: Any = None  # a move or attack given while falling back: carried out on rallying
    objective: str | None = None
    token: int = 0
    moving: bool = False
    last_under_fire_min: float = -1e9
    pulse_loss: int = 0
    pulse_men_before: int = 0
    shocks: float = 0.0
    guns_lost: int = 0
    aircraft_lost: int = 0
    aircraft_damaged: int = 0
    located: bool = False
    command_intact: bool = True
    rounds_fired: int = 0
    bombs_t: float = 0.0

    @property
    def is_air(self) -> bool:
        """Return True for air units (no position on the map)."""
        return self.type == "air"

    @property
    def is_tank_unit(self) -> bool:
        """Return True if the unit is made of tanks."""
        return bool(self.tanks)

    @property
    def men_share(self) -> float:
        """Return men present as a share of men at the start."""
        return self.men / self.men_start if self.men_start > 0 else 0.0
