"""The event log's numbers written into its canonical text, compiled.

The digest's text (:mod:`khasan_sim.engine.eventlog`) is written in two steps: Python
writes each line with the words (kinds, names, strings, bools) and a one-byte mark where
each number goes, and :func:`fill_numbers` writes the numbers in place of the marks, in
one pass over the whole text: the sequence numbers (counted on from the first), the times
in whole seconds (``round(t_min * 60.0)``) and the fields' ints and floats (taken in order).

The text is the one Python's formatting writes, byte for byte:

- an int as ``str()`` writes it (``-`` and its decimal digits);
- a time as ``round(t_min * 60.0)``: the product is the same double, and ``np.rint`` rounds
  it half to even as ``round`` does;
- a float as ``"%.3f"`` writes it: its exact binary value (an integer times a power of two)
  rounded to thousandths half to even, as Python's correctly rounded conversion does; the
  sign is that of the double (``-0.000`` for -0.0 and for -0.0001, as Python writes them).

What is not written exactly here is left to the caller's Python formatting: the function
returns -1 for a float of 2**52 or more in size, an int of 2**53 or more (a field's ints
come in a float64 array), a time that is not finite or not below 2**62 seconds, or marks
that do not match the numbers given (a mark byte in a string field).
"""

from __future__ import annotations

import numpy as np
from numba import njit

SEQ_MARK = 1  # where an event's sequence number goes
TIME_MARK = 2  # where its time in whole seconds goes
FLOAT_MARK = 3  # where a float field's value goes (the next of the numbers)
INT_MARK = 4  # where an int field's value goes (the next of the numbers)
NUMBER_WIDTH = 24  # the most bytes a number is written in (a sign, 20 digits, a point, 3 decimals)

_TWO_52 = 4503599627370496.0
_TWO_53 = 9007199254740992.0
_TWO_62 = 4611686018427387904.0
_MANTISSA = np.uint64((1 << 52) - 1)
_HIDDEN_BIT = np.uint64(1 << 52)
_ZERO = np.uint64(48)  # the digit 0


@njit(cache=True)
def _write_digits(out, j, u):
    """Write the decimal digits of *u* (a uint64) at ``out[j:]``; return the index after them."""
    n = 1
    rest = u // np.uint64(10)
    while rest > np.uint64(0):
        n += 1
        rest //= np.uint64(10)
    for i in range(n - 1, -1, -1):
        out[j + i] = np.uint8(_ZERO + u % np.uint64(10))
        u //= np.uint64(10)
    return j + n


@njit(cache=True)
def _write_int(out, j, v):
    """Write the int *v* (an int64) as ``str()`` does; return the index after it."""
    if v < 0:
        out[j] = 45  # "-"
        return _write_digits(out, j + 1, np.uint64(-v))
    return _write_digits(out, j, np.uint64(v))


@njit(cache=True)
def _thousandths(bits):
    """Return the size of the double with IEEE bits *bits* in thousandths, its exact value
    rounded half to even (the double is below 2**52 in size and finite)."""
    biased = (bits >> np.uint64(52)) & np.uint64(0x7FF)
    frac = bits & _MANTISSA
    if biased == np.uint64(0):  # zero or subnormal: below a thousandth's half
        return np.uint64(0)
    m = frac | _HIDDEN_BIT
    shift = np.int64(1075) - np.int64(biased)  # the value is m / 2**shift, shift >= 1 below 2**52
    if shift >= 64:  # m * 1000 < 2**63 <= half of 2**shift: rounds to 0
        return np.uint64(0)
    n = m * np.uint64(1000)  # < 2**53 * 1000 < 2**64
    q = n >> np.uint64(shift)
    rest = n & ((np.uint64(1) << np.uint64(shift)) - np.uint64(1))
    half = np.uint64(1) << np.uint64(shift - 1)
    if rest > half or (rest == half and (q & np.uint64(1)) == np.uint64(1)):
        q += np.uint64(1)
    return q


@njit(cache=True)
def _write_float(out, j, v, bits):
    """Write the float *v* (IEEE bits *bits*) as ``"%.3f"`` does; return the index after it."""
    if bits >> np.uint64(63):
        out[j] = 45  # "-"
        j += 1
    q = _thousandths(bits)
    j = _write_digits(out, j, q // np.uint64(1000))
    out[j] = 46  # "."
    f = q % np.uint64(1000)
    out[j + 1] = np.uint8(_ZERO + f // np.uint64(100))
    out[j + 2] = np.uint8(_ZERO + (f // np.uint64(10)) % np.uint64(10))
    out[j + 3] = np.uint8(_ZERO + f % np.uint64(10))
    return j + 4


@njit(cache=True)
def fill_numbers(text, first_seq, t_min, numbers, out):
    """Write *text* (uint8, UTF-8) into *out* with its marks replaced by the numbers; return
    the length written, or -1 if some number is not written exactly here or the marks do
    not match: a :data:`SEQ_MARK` per event (the events numbered on from *first_seq*), a
    :data:`TIME_MARK` per event (its time *t_min*, minutes), and a :data:`FLOAT_MARK` or
    :data:`INT_MARK` per value of *numbers* (float64, in order). *out* holds at least
    ``text.size + NUMBER_WIDTH * (2 * t_min.size + numbers.size)`` bytes."""
    bits = numbers.view(np.uint64)
    n_events = t_min.size
    i_seq = 0
    i_time = 0
    i_num = 0
    j = 0
    for i in range(text.size):
        b = text[i]
        if b > INT_MARK or b == 0:
            out[j] = b
            j += 1
        elif b == SEQ_MARK:
            if i_seq >= n_events:
                return -1
            j = _write_int(out, j, first_seq + i_seq)
            i_seq += 1
        elif b == TIME_MARK:
            if i_time >= n_events:
                return -1
            s = t_min[i_time] * 60.0
            if not (abs(s) < _TWO_62):  # not finite or too large: Python's round() says what
                return -1
            j = _write_int(out, j, np.int64(np.rint(s)))
            i_time += 1
        else:
            if i_num >= numbers.size:
                return -1
            v = numbers[i_num]
            if b == FLOAT_MARK:
                if not (abs(v) < _TWO_52):
                    return -1
                j = _write_float(out, j, v, bits[i_num])
            else:
                if not (abs(v) < _TWO_53):
                    return -1
                j = _write_int(out, j, np.int64(v))
            i_num += 1
    if i_seq != n_events or i_time != n_events or i_num != numbers.size:
        return -1
    return j
