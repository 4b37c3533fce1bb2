"""The event log formats lazily: the same events and digest however and whenever it is read."""

from __future__ import annotations

import hashlib
from enum import IntEnum

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from khasan_sim.engine.eventlog import EventLog, LogEvent

_VALUE = st.one_of(
    st.floats(allow_nan=False), st.integers(-10**12, 10**12), st.booleans(), st.text(alphabet="ab{}=;|-", max_size=4), st.none(),
)
_EVENT = st.tuples(
    st.floats(0.0, 1e5), st.sampled_from(["volley", "move{}", "casualties", "a%s"]),
    st.dictionaries(st.sampled_from(["x", "y", "unit", "{k}", "men", "a.b-c:d@e/f", "k\\n", "p%s", "%"]), _VALUE, max_size=5),
)


def plain_digest(log: EventLog) -> str:
    return hashlib.sha256("".join(ev.canonical() + "\n" for ev in log.events).encode()).hexdigest()


@settings(max_examples=150, deadline=None)
@given(events=st.lists(_EVENT, max_size=30), reads=st.lists(st.integers(0, 30), max_size=4))
def test_reading_midway_changes_nothing(events, reads):
    """Digest and events read at any points give what one read at the end gives."""
    whole = EventLog()
    for t, kind, fields in events:
        whole.append(t, kind, **fields)
    read = EventLog()
    for i, (t, kind, fields) in enumerate(events):
        if i in reads:
            assert read.digest() == plain_digest(read)
            assert [e.seq for e in read.events] == list(range(i))
        assert read.append(t, kind, **fields) == i
    assert read.events == whole.events
    assert read.digest() == whole.digest() == plain_digest(whole)
    assert len(read) == len(events)


@settings(max_examples=500, deadline=None)
@given(st.floats(allow_nan=False))
def test_a_float_is_written_as_its_rounding_to_3_decimals_is(v):
    assert f"{v:.3f}" == f"{round(v, 3):.3f}"


def test_ties_and_edges_of_the_rounding():
    for v in (0.0625, -0.0625, 0.0005, 2.5e-4, -1e-4, -0.0, 1e300, -1e300, 2.0**44 + 0.5, 2.0**52 + 1, 1234.5675, float("inf")):
        assert f"{v:.3f}" == f"{round(v, 3):.3f}", v


class _Kind(IntEnum):
    A = 1


def test_other_value_types_are_written_as_before():
    log = EventLog()
    log.append(1.0, "k", a=np.float64(1.23456), b=_Kind.A, c=np.int64(7), d=[1.23456, "x"], e=(2, None))
    ev = log.events[0]
    assert ev.fields == (("a", 1.235), ("b", _Kind.A), ("c", 7), ("d", [1.23456, "x"]), ("e", (2, None)))
    assert ev.canonical() == f"0|60|k|a=1.235;b={_Kind.A};c=7;d=[1.235,x];e=[2,-]"  # str() writes an enum
    assert log.digest() == plain_digest(log)


def test_a_list_changed_after_the_append_does_not_change_the_digest():
    log, same = EventLog(), EventLog()
    xs = [1, 2]
    log.append(0.5, "k", xs=xs)
    same.append(0.5, "k", xs=[1, 2])
    xs.append(3)
    assert log.digest() == same.digest()


def test_events_are_built_once():
    log = EventLog()
    log.append(0.0, "a", x=1.0)
    first = log.events[0]
    log.append(1.0, "b")
    assert log.events[0] is first
    assert log.events[1] == LogEvent(1, 60, "b", ())


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.one_of(st.floats(), st.integers(-(2**70), 2**70), st.booleans(), st.none(), st.text(alphabet="a\x01\x02\x03\x04\x00;", max_size=3)), max_size=6),
    st.floats(0.0, 1e6),
)
def test_the_compiled_numbers_write_what_python_writes(values, t):
    """Any mix of values (huge ints, nan, inf, mark bytes in strings) gives the plain digest."""
    log = EventLog()
    log.append(t, "k", **{f"f{i}": v for i, v in enumerate(values)})
    log.append(t + 0.5, "k\x03", a=1.5)
    assert log.digest() == plain_digest(log)


def test_the_compiled_floats_round_as_python_does():
    rng = np.random.default_rng(7)
    values = np.concatenate([
        rng.standard_normal(20_000) * 10.0 ** rng.integers(-8, 15, 20_000),
        rng.integers(-(10**9), 10**9, 20_000) / 2.0 ** rng.integers(0, 20, 20_000),  # exact ties
        [0.0, -0.0, 0.0625, -0.0625, 0.0005, -1e-4, 5e-324, -5e-324, 0.9995, 999.9995, 2.0**52 - 0.5, 2.0**52],
    ])
    log = EventLog()
    for v in values.tolist():
        log.append(1.0, "v", x=v, n=int(v) if abs(v) < 2.0**60 else 0)
    assert log.digest() == plain_digest(log)


@settings(max_examples=100, deadline=None)
@given(events=st.lists(_EVENT, max_size=20))
def test_an_append_with_the_format_looked_up_before_is_the_same_append(events):
    """add_as with format_of of the fields (or of another dict of that shape) gives the
    log add gives: the same events, rows and digest."""
    by_add, by_format = EventLog(), EventLog()
    for t, kind, fields in events:
        by_add.add(t, kind, dict(fields))
        same_shape = dict(fields)  # another dict of the same names and types
        by_format.add_as(t, kind, dict(fields), by_format.format_of(same_shape))
    assert by_format.events == by_add.events
    assert by_format.rows() == by_add.rows()
    assert by_format.digest() == by_add.digest()


def test_a_list_changed_after_an_append_with_a_format_does_not_change_the_digest():
    log, same = EventLog(), EventLog()
    xs = [1, 2.0]
    log.add_as(0.5, "k", {"xs": xs}, log.format_of({"xs": xs}))
    same.append(0.5, "k", xs=[1, 2.0])
    xs.append(3)
    assert log.digest() == same.digest()
