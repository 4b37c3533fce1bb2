"""The world state as arrays: one table of units and one of tanks, a row each.

Each table holds its changing numbers in two 2-D numpy arrays, ``f`` (float64) and ``i``
(int64), one row a unit (or tank) and one column a quantity named by the constants
below; the compiled kernels of the combat pulse read and write these arrays directly.
What is not a number (ids, names, orders, weapon lists) stays on the row's view.

Codes: sides, unit types, training, morale states, entrenchment and tank status are
stored as small integers, indices into the tuples below (``SIDES``, ``UNIT_TYPES``, ...).

Rows are never removed: a unit that loses all its men, or a counter-attack group that
rejoins its battalion, keeps its row (its losses are counted where they fell). Rows are
added in the order units are made (the scenario's units by id, then groups as they are
detached), so a row's index never changes in a run.
"""

from __future__ import annotations

import numpy as np

from khasan_sim.model.morale import STATES
from khasan_sim.scenario import schema

SIDES = ("soviet", "japanese")
UNIT_TYPES = tuple(t.value for t in schema.UnitType)
TRAINING = tuple(t.value for t in schema.Training)
ENTRENCHMENT = tuple(e.value for e in schema.Entrenchment)
TANK_STATUS = ("operational", "bogged", "damaged", "destroyed")
# what a hit left of a tank knocked out ("damaged" status: out of action, not burnt out)
TANK_DAMAGE = ("none", "immobilised", "damaged", "burnt_out")
# where a tank out of action is: still where it stopped, being towed back, under repair
# at the collection point, or sent back for a factory repair (out of the battle)
TANK_RECOVERY = ("on_field", "in_tow", "in_repair", "to_factory")

# unit float columns
U_X, U_Y, U_HOME_X, U_HOME_Y, U_MORALE, U_MORALE_START, U_SUPPRESSION, U_SHOCKS, U_LAST_FIRE = range(9)
U_SHAKEN, U_RETREAT, U_ROUT, U_PIN, U_RALLY = range(9, 14)  # the unit's morale thresholds
U_AT_FIRED = 14  # when its anti-tank weapons last fired at a tank (their flash gives them away)
U_NF = 15
# unit int columns
(U_MEN, U_MEN_START, U_KILLED, U_WOUNDED, U_MISSING, U_PULSE_LOSS, U_SIDE, U_TYPE, U_TRAINING,
 U_STATE, U_ENTRENCH, U_MOVING, U_WIRE, U_AMMO, U_HAS_TANKS, U_LOCATED) = range(16)
U_NI = 16
# tank float columns
T_X, T_Y, T_LAST_FIRE, T_ENEMY_SINCE, T_SPEED = range(5)
T_NF = 5
# tank int columns
T_UNIT, T_STATUS, T_MOVING, T_COMMAND, T_KNOCKED_OUT, T_MODEL, T_DAMAGE, T_RECOVERY, T_BOGGED = range(9)
T_NI = 9
# T_COMMAND: a line tank, a command tank leading a company, or one of the unit's headquarters
# (the kernels read any non-zero value as a conspicuous command tank)
COMMAND_NONE, COMMAND_COMPANY, COMMAND_HEADQUARTERS = 0, 1, 2

NO_AMMUNITION_LIMIT = -1  # the ammunition column of a unit whose rounds are not counted


class Table:
    """Rows of numbers: ``f`` (float64) and ``i`` (int64), grown as rows are added."""

    __slots__ = ("f", "i", "n")

    def __init__(self, nf: int, ni: int, capacity: int = 64) -> None:
        self.f = np.zeros((max(capacity, 1), nf), dtype=np.float64)
        self.i = np.zeros((max(capacity, 1), ni), dtype=np.int64)
        self.n = 0

    def add_row(self) -> int:
        """Return the index of a new row of zeros."""
        if self.n == len(self.f):
            self.f = np.concatenate((self.f, np.zeros_like(self.f)))
            self.i = np.concatenate((self.i, np.zeros_like(self.i)))
        k = self.n
        self.n += 1
        return k

    @property
    def rows_f(self) -> np.ndarray:
        """Return the float rows in use (a view)."""
        return self.f[: self.n]

    @property
    def rows_i(self) -> np.ndarray:
        """Return the int rows in use (a view)."""
        return self.i[: self.n]


def _float(col: int, doc: str) -> property:
    def get(self):
        return self._t.f.item(self._k, col)

    def put(self, v) -> None:
        self._t.f[self._k, col] = v

    return property(get, put, doc=doc)


def _int(col: int, doc: str) -> property:
    def get(self):
        return self._t.i.item(self._k, col)

    def put(self, v) -> None:
        self._t.i[self._k, col] = v

    return property(get, put, doc=doc)


def _flag(col: int, doc: str) -> property:
    def get(self):
        return self._t.i.item(self._k, col) != 0

    def put(self, v) -> None:
        self._t.i[self._k, col] = 1 if v else 0

    return property(get, put, doc=doc)


def _coded(col: int, names: tuple, doc: str) -> property:
    code = {v: k for k, v in enumerate(names)}

    def get(self):
        return names[self._t.i.item(self._k, col)]

    def put(self, v) -> None:
        self._t.i[self._k, col] = code[v]

    return property(get, put, doc=doc)


STATE_CODE = {s: k for k, s in enumerate(STATES)}
