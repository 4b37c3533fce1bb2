"""The direct-fire kernel's arguments held in one compiled structure, made once and kept.

A pulse of direct fire takes 42 arguments (those of :func:`direct_fire.direct_fire` and
the arrays the results are written into): the world tables, the weapon and vehicle
figures, the rasters, the sight lines' cache and the random state. Numba unboxes each
argument of a call from Python, and an array costs about 0.1 µs with the processor's
caches cold (as they are after the rest of a pulse): 5 µs a call, a quarter of the
pulse's direct fire. The arguments are the same objects from pulse to pulse (only their
contents change), so the engine puts them once into a :class:`DirectFireArgs` (a numba
StructRef, a pointer numba unboxes as one argument) and hands the kernel that:
:func:`direct_fire.direct_fire_pulse`.

The structure is made by :func:`direct_fire_args`, compiled and kept in numba's cache
(its Python constructor would be compiled anew in each process, about a second).
"""

from __future__ import annotations

from numba import njit, types
from numba.experimental import structref

# the fields: direct_fire's arguments, in their order, then the arrays of the results
FIELDS = (
    "uf", "ui", "n_units", "unit_rank", "tf", "ti", "n_tanks", "tank_rank",
    "kill_counts", "kill_per_min", "kill_range", "at_counts", "at_kills", "at_range",
    "veh_range", "veh_kills", "veh_exposure", "veh_gun_kills", "accuracy", "entrench_exposure", "fire_factor", "pulse",
    "elev", "ground_exposure", "cell_m", "nrows", "ncols",
    "s_keys", "s_state", "width", "ground32", "surface32", "sight_cell_m", "observer_h", "target_h", "order", "by_x",
    "g", "hits_i", "hits_f", "knocks_i", "knocks_f",
)


@structref.register
class DirectFireArgsType(types.StructRef):
    """The numba type of :class:`DirectFireArgs` (its fields' types are those of the
    arrays and numbers it was made of)."""

    def preprocess_fields(self, fields):
        return tuple((name, types.unliteral(typ)) for name, typ in fields)


class DirectFireArgs(structref.StructRefProxy):
    """The arguments of one run's direct-fire kernel (:data:`FIELDS`); made by
    :func:`direct_fire_args`."""


structref.define_proxy(DirectFireArgs, DirectFireArgsType, list(FIELDS))


@njit(cache=True)
def direct_fire_args(
    uf, ui, n_units, unit_rank, tf, ti, n_tanks, tank_rank,
    kill_counts, kill_per_min, kill_range, at_counts, at_kills, at_range,
    veh_range, veh_kills, veh_exposure, veh_gun_kills, accuracy, entrench_exposure, fire_factor, pulse,
    elev, ground_exposure, cell_m, nrows, ncols,
    s_keys, s_state, width, ground32, surface32, sight_cell_m, observer_h, target_h, order, by_x,
    g, hits_i, hits_f, knocks_i, knocks_f,
):
    """Return the arguments of :func:`direct_fire.direct_fire_pulse` as one
    :class:`DirectFireArgs` (the arrays held, not copied): those of
    :func:`direct_fire.direct_fire`, then the arrays the results are written into."""
    return DirectFireArgs(
        uf, ui, n_units, unit_rank, tf, ti, n_tanks, tank_rank,
        kill_counts, kill_per_min, kill_range, at_counts, at_kills, at_range,
        veh_range, veh_kills, veh_exposure, veh_gun_kills, accuracy, entrench_exposure, fire_factor, pulse,
        elev, ground_exposure, cell_m, nrows, ncols,
        s_keys, s_state, width, ground32, surface32, sight_cell_m, observer_h, target_h, order, by_x,
        g, hits_i, hits_f, knocks_i, knocks_f,
    )
