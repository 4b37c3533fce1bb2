"""Views of the world's rows: one unit or one tank, read and written by name.

The numbers live in the tables of :mod:`khasan_sim.engine.world` (the combat pulse's
kernels read them there); a :class:`UnitState` or :class:`TankState` is a handle on one
row that reads and writes them by name (``u.men``, ``t.status``) and holds what is not a
number (ids, names, orders, weapon lists). The API, the front end and the tests read
these views; only the engine's systems write through them.
"""

from __future__ import annotations

from typing import Any

from khasan_sim.engine import world as w
from khasan_sim.model.morale import STATES, MoraleState, Thresholds

TANK_OPERATIONAL = "operational"
TANK_BOGGED = "bogged"
TANK_DAMAGED = "damaged"
TANK_DESTROYED = "destroyed"
TANK_FIRING = frozenset((TANK_OPERATIONAL, TANK_BOGGED))  # bogged tanks fire where they stand


class TankState:
    """One tank: where it is and what state it is in (a row of the tank table)."""

    __slots__ = ("_k", "_t", "column", "id", "mobility", "model", "reached", "token", "unit", "written_off")

    def __init__(
        self, table: w.Table, id: str, unit: str, model: str, mobility: str, command: bool, x: float, y: float,
        *, unit_row: int, model_code: int, column: int = 0, headquarters: bool = False,
    ) -> None:
        self._t = table
        self._k = table.add_row()
        self.id = id
        self.unit = unit
        self.model = model
        self.mobility = mobility
        self.token = 0
        self.written_off = False
        self.reached: set[str] = set()
        self.column = column
        f, i = table.f[self._k], table.i[self._k]
        f[w.T_X], f[w.T_Y], f[w.T_LAST_FIRE], f[w.T_ENEMY_SINCE] = x, y, -1e9, -1.0
        i[w.T_UNIT], i[w.T_MODEL], i[w.T_COMMAND] = unit_row, model_code, (
            w.COMMAND_HEADQUARTERS if headquarters else w.COMMAND_COMPANY if command else w.COMMAND_NONE
        )

    @property
    def row(self) -> int:
        """Return the tank's row in the tank table."""
        return self._k

    x = w._float(w.T_X, "east, metres")
    y = w._float(w.T_Y, "north, metres")
    last_under_fire_min = w._float(w.T_LAST_FIRE, "when the tank was last fired at, simulated minutes")
    status = w._coded(w.T_STATUS, w.TANK_STATUS, "operational, bogged, damaged or destroyed")
    moving = w._flag(w.T_MOVING, "on the move")
    command = w._flag(w.T_COMMAND, "a command tank (with its rail aerial)")

    @property
    def headquarters(self) -> bool:
        """Return True for a command tank of the unit's headquarters (not a company commander's)."""
        return self._t.i.item(self._k, w.T_COMMAND) == w.COMMAND_HEADQUARTERS
    knocked_out = w._int(w.T_KNOCKED_OUT, "times knocked out")
    damage = w._coded(w.T_DAMAGE, w.TANK_DAMAGE, "what the last hit left: none, immobilised, damaged or burnt_out")
    recovery = w._coded(w.T_RECOVERY, w.TANK_RECOVERY, "out of action: on_field, in_tow, in_repair or to_factory")
    times_bogged = w._int(w.T_BOGGED, "times bogged")
    enemy_since_min = w._float(w.T_ENEMY_SINCE, "since when the enemy holds the ground the tank lies on (-1: it does not)")
    speed_kmh = w._float(w.T_SPEED, "its speed on the leg it is driving, km/h (the last leg's when it halted)")

    @property
    def can_fire(self) -> bool:
        """Return True if the tank can fire (operational or bogged: bogged tanks fire where they stand)."""
        return self.status in TANK_FIRING

    def __repr__(self) -> str:
        return f"TankState({self.id!r}, unit={self.unit!r}, status={self.status!r}, x={self.x:.0f}, y={self.y:.0f})"


class UnitState:
    """One unit's state (a row of the unit table)."""

    __slots__ = (
        "_k", "_t", "activity", "aircraft", "aircraft_damaged", "aircraft_lost", "bombs_t", "command_intact",
        "deferred_order", "guns", "guns_lost", "id", "name", "objective", "order", "rounds_fired",
        "tanks", "thresholds", "token", "weapons_start",
    )

    def __init__(
        self, table: w.Table, *, id: str, side: str, type: str, name: str, x: float, y: float,
        home_x: float, home_y: float, men_start: int, men: int, weapons_start: dict[str, int], guns: dict[str, int],
        aircraft: dict[str, int], training: str, morale: float, morale_start: float, thresholds: Thresholds,
        entrenchment: str, wire: bool, ammunition: int | None,
    ) -> None:
        self._t = table
        self._k = table.add_row()
        self.id = id
        self.name = name
        self.weapons_start = weapons_start
        self.guns = guns
        self.aircraft = aircraft
        self.thresholds = thresholds
        self.tanks: list[TankState] = []
        self.activity = "idle"
        self.order: Any = None
        self.deferred_order: Any = None  # a move or attack given while falling back: carried out on rallying
        self.objective: str | None = None
        self.token = 0
        self.guns_lost = 0
        self.aircraft_lost = 0
        self.aircraft_damaged = 0
        self.command_intact = True
        self.rounds_fired = 0
        self.bombs_t = 0.0
        f, i = table.f[self._k], table.i[self._k]
        f[w.U_X], f[w.U_Y], f[w.U_HOME_X], f[w.U_HOME_Y] = x, y, home_x, home_y
        f[w.U_MORALE], f[w.U_MORALE_START], f[w.U_LAST_FIRE] = morale, morale_start, -1e9
        f[w.U_AT_FIRED] = -1e9
        f[w.U_SHAKEN], f[w.U_RETREAT], f[w.U_ROUT] = thresholds.shaken, thresholds.retreat, thresholds.rout
        f[w.U_PIN], f[w.U_RALLY] = thresholds.pin_suppression, thresholds.rally_margin
        i[w.U_MEN], i[w.U_MEN_START] = men, men_start
        i[w.U_SIDE] = w.SIDES.index(side)
        i[w.U_TYPE] = w.UNIT_TYPES.index(type)
        i[w.U_TRAINING] = w.TRAINING.index(training)
        i[w.U_STATE] = w.STATE_CODE[MoraleState.STEADY]
        i[w.U_ENTRENCH] = w.ENTRENCHMENT.index(entrenchment)
        i[w.U_WIRE] = int(bool(wire))
        i[w.U_AMMO] = w.NO_AMMUNITION_LIMIT if ammunition is None else ammunition

    @property
    def row(self) -> int:
        """Return the unit's row in the unit table."""
        return self._k

    side = w._coded(w.U_SIDE, w.SIDES, "soviet or japanese")
    type = w._coded(w.U_TYPE, w.UNIT_TYPES, "rifle, tank, artillery, ... (the scenario's unit types)")
    training = w._coded(w.U_TRAINING, w.TRAINING, "poor, fair, good or elite")
    x = w._float(w.U_X, "east, metres")
    y = w._float(w.U_Y, "north, metres")
    home_x = w._float(w.U_HOME_X, "where the unit started (or was formed), east")
    home_y = w._float(w.U_HOME_Y, "where the unit started (or was formed), north")
    morale = w._float(w.U_MORALE, "0 to 1")
    morale_start = w._float(w.U_MORALE_START, "morale at the start, the level rest brings it back to")
    suppression = w._float(w.U_SUPPRESSION, "0 to 1")
    shocks = w._float(w.U_SHOCKS, "morale shocks of this pulse, settled with its morale")
    last_under_fire_min = w._float(w.U_LAST_FIRE, "when the unit was last fired at, simulated minutes")
    anti_tank_fired_min = w._float(w.U_AT_FIRED, "when the unit's anti-tank weapons last fired at a tank, simulated minutes")
    men = w._int(w.U_MEN, "men present")
    men_start = w._int(w.U_MEN_START, "men at the start (or when formed)")
    killed = w._int(w.U_KILLED, "men killed")
    wounded = w._int(w.U_WOUNDED, "men wounded")
    missing = w._int(w.U_MISSING, "men missing")
    pulse_loss = w._int(w.U_PULSE_LOSS, "men lost in this pulse")
    state = w._coded(w.U_STATE, STATES, "morale state")
    entrenchment = w._coded(w.U_ENTRENCH, w.ENTRENCHMENT, "none, hasty, trenches or fortified")
    moving = w._flag(w.U_MOVING, "on the move")
    wire = w._flag(w.U_WIRE, "behind wire")
    located = w._flag(w.U_LOCATED, "a battery the enemy has located")

    @property
    def ammunition(self) -> int | None:
        """Return the rounds left, or None if they are not counted."""
        a = self._t.i.item(self._k, w.U_AMMO)
        return None if a == w.NO_AMMUNITION_LIMIT else a

    @ammunition.setter
    def ammunition(self, v: int | None) -> None:
        self._t.i[self._k, w.U_AMMO] = w.NO_AMMUNITION_LIMIT if v is None else max(int(v), 0)

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
        i = self._t.i
        start = i.item(self._k, w.U_MEN_START)
        return i.item(self._k, w.U_MEN) / start if start > 0 else 0.0

    def __repr__(self) -> str:
        return f"UnitState({self.id!r}, side={self.side!r}, men={self.men}, state={self.state.value!r}, x={self.x:.0f}, y={self.y:.0f})"
