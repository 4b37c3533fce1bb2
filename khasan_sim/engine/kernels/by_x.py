"""The unit rows in the order of their x, and the strip of x within reach of a point: how
the pulse kernels find the units near a unit without looking at every unit.

The engine keeps an array of the unit rows from pulse to pulse (``Engine._units_by_x``);
a kernel that reads it sorts it first by the x of the moment (:func:`sort_by_x`, an
insertion sort: few units pass one another between two looks), so any order of the rows
is a right start. A row whose x is not a number sorts last.

A unit farther than :func:`strip_m` in x from a point is farther than the reach from it
whatever the rounding of the squared distances the kernels compare (the strip has a
margin): the kernels stop or start their search there, and test the units within the
strip as they tested every unit.
"""

from __future__ import annotations

import math

from numba import njit

from khasan_sim.engine import world as w


@njit(cache=True)
def _x_key(uf, r):
    x = uf[r, w.U_X]
    return x if x == x else math.inf  # an x that is not a number goes last


@njit(cache=True)
def sort_by_x(uf, by_x, n):
    """Sort the unit rows *by_x* [:n] by their x, those whose x is not a number last."""
    for k in range(1, n):
        r = by_x[k]
        x = _x_key(uf, r)
        j = k - 1
        while j >= 0 and _x_key(uf, by_x[j]) > x:
            by_x[j + 1] = by_x[j]
            j -= 1
        by_x[j + 1] = r


@njit(cache=True)
def strip_m(reach_m):
    """Return the half-width of the strip of x within *reach_m* of a point (a margin over
    the reach and over the square root of the margined squares the kernels compare)."""
    return (reach_m * (1.0 + 1e-9) + 1e-6) * (1.0 + 1e-9) + 1e-6


@njit(cache=True)
def first_at_least(xs, row, n, lo):
    """Return the first place in the ascending *xs* [row, :n] (those that are not numbers
    last) whose x is not below *lo* (n if none)."""
    a, b = 0, n
    while a < b:
        m = (a + b) // 2
        if xs[row, m] < lo:
            a = m + 1
        else:
            b = m
    return a
