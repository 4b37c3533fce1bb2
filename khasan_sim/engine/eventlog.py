"""The ordered event log and its sha256 digest.

Each event is (seq, time in whole seconds, kind, sorted fields). Fields hold ints,
strings and floats rounded to 3 decimals, so the canonical line, and so the digest,
is the same in any process on any platform.

Appending is cheap: an event is kept as it was given (time, kind, the fields dict) with
the format of its shape (its field names and their values' types; made once a shape),
and its LogEvent and canonical line are made only when read. ``events`` builds the LogEvents
not yet built; ``digest()`` hashes the lines of the events not yet hashed. The digest is
the sha256 of every event's canonical line, each followed by a newline, as it always was.
The digest's lines are written with a mark for each number (the words' part of a line is
kept per shape, kind and words), and the numbers are written into the marks by a compiled
kernel (:mod:`khasan_sim.engine.kernels.event_text`), the same text as Python's formatting.
"""

from __future__ import annotations

import hashlib
import operator
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

import numpy as np

from khasan_sim.engine.kernels import event_text


def _canon(v: Any) -> str:
    if type(v) is str or type(v) is int:  # the common cases first (bool is an int, written by str() too)
        return str(v)
    if isinstance(v, float):
        return f"{v:.3f}"
    if isinstance(v, (list, tuple)):
        return "[" + ",".join(_canon(x) for x in v) + "]"
    if v is None:
        return "-"
    return str(v)


@dataclass(frozen=True, slots=True)
class LogEvent:
    """One thing that happened: when, what kind, and its fields (with causes)."""

    seq: int
    t_s: int
    kind: str
    fields: tuple[tuple[str, Any], ...]

    @property
    def t_min(self) -> float:
        """Return the time in simulated minutes since the start."""
        return self.t_s / 60.0

    def get(self, key: str, default: Any = None) -> Any:
        """Return field *key*."""
        for k, v in self.fields:
            if k == key:
                return v
        return default

    def as_dict(self) -> dict[str, Any]:
        """Return the event as a plain dict (for JSON export)."""
        return {"seq": self.seq, "t_s": self.t_s, "kind": self.kind, **dict(self.fields)}

    def canonical(self) -> str:
        """Return the canonical one-line text hashed into the digest."""
        return _line(self.seq, self.t_s, self.kind, [f"{k}={_canon(v)}" for k, v in self.fields])


class EventView:
    """A raw event read as a :class:`LogEvent` reads (``seq``, ``t_s``, ``kind``, ``get``),
    without building one: for readers that scan many events of a few kinds."""

    __slots__ = ("_fields", "kind", "seq", "t_s")

    def __init__(self, seq: int, t_min: float, kind: str, fields: dict[str, Any]) -> None:
        self.seq = seq
        self.t_s = round(t_min * 60.0)
        self.kind = kind
        self._fields = fields

    @property
    def t_min(self) -> float:
        """Return the time in simulated minutes since the start."""
        return self.t_s / 60.0

    def get(self, key: str, default: Any = None) -> Any:
        """Return field *key* as the LogEvent has it (floats to the millimetre's 3 decimals)."""
        v = self._fields.get(key, default)
        return round(v, 3) if isinstance(v, float) else v


def _line(seq: int, t_s: int, kind: str, body: list[str]) -> str:
    """Return an event's canonical line from its fields already written as ``k=v``."""
    return f"{seq}|{t_s}|{kind}|{';'.join(body)}"


# the marks of the numbers in a line written for event_text.fill_numbers
_SEQ_MARK, _TIME_MARK = chr(event_text.SEQ_MARK), chr(event_text.TIME_MARK)
_FLOAT_MARK, _INT_MARK = chr(event_text.FLOAT_MARK), chr(event_text.INT_MARK)

# the times the kernel writes as round(t_min * 60.0) does (the engine's are simpy's now)
_TIME_TYPES = frozenset({float, int})

# field values whose canonical text cannot change after the append: kept as given
_PLAIN = frozenset({str, int, float, bool, type(None)})


def _getter(names: tuple[str, ...]) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """Return a function giving a fields dict's values in the order of *names*, as a tuple."""
    if len(names) > 1:
        return operator.itemgetter(*names)
    if names:
        k = names[0]
        return lambda d: (d[k],)
    return lambda d: ()


def _template(names: tuple[str, ...], types: tuple[type, ...]) -> tuple[str, Callable[[dict[str, Any]], tuple[Any, ...]]]:
    """Return ``(template, values)`` writing an event's canonical line and a newline as
    ``template % (seq, t_s, kind, *values(fields))``, for a fields dict whose values in
    the order of *names* (sorted) are of exactly these *types*, all of str, int, float,
    bool or None (*values* gives those that are not None, in that order).

    A float is written as ``%.3f``: the same text as ``round(v, 3)`` written so (both
    round the exact binary value to 3 decimals, and the rounded double is the one
    nearest that text), and as ``format(v, ".3f")`` writes it (the same conversion of the
    double); str, int and bool as ``%s``, as str() writes them; None as ``-``. One
    ``%`` of a compiled template is about a quarter faster than an f-string of as many
    formatted values. A ``%`` in a field name is doubled, so that it is written as it is.
    """
    parts = []
    for k, t in zip(names, types, strict=True):
        name = k.replace("%", "%%")
        if t is float:
            parts.append(f"{name}=%.3f")
        elif t is type(None):
            parts.append(f"{name}=-")
        else:  # str, int, bool: as str() writes them
            parts.append(f"{name}=%s")
    present = tuple(k for k, t in zip(names, types, strict=True) if t is not type(None))
    return "%s|%s|%s|" + ";".join(parts) + "\n", _getter(present)


def _marked(names: tuple[str, ...], types: tuple[type, ...]) -> tuple[str, Callable[..., tuple[Any, ...]], Callable[..., tuple[Any, ...]] | None]:
    """Return ``(template, words, numbers)`` writing the canonical line of the same fields
    as :func:`_template` does, with a mark where each number goes (:mod:`.kernels.event_text`
    writes the numbers there): ``template % (kind, *words(fields))`` is the line with the
    sequence number, the time and the ints and floats marked, and *numbers* gives the
    fields' ints and floats in the order of their marks (None for a shape without any).
    Strings and bools are written by ``%s``, as str() writes them; None as ``-``.
    """
    parts, words, numbers = [], [], []
    for k, t in zip(names, types, strict=True):
        name = k.replace("%", "%%")
        if t is float or t is int:
            parts.append(f"{name}={_FLOAT_MARK if t is float else _INT_MARK}")
            numbers.append(k)
        elif t is type(None):
            parts.append(f"{name}=-")
        else:  # str, bool: as str() writes them
            parts.append(f"{name}=%s")
            words.append(k)
    line = f"{_SEQ_MARK}|{_TIME_MARK}|%s|" + ";".join(parts) + "\n"
    return line, _getter(tuple(words)), _getter(tuple(numbers)) if numbers else None


class _Format:
    """How the events of one shape are read and written: a shape is the field names as
    given followed by their values' types, in that order (the key of :data:`_FORMATS`).

    ``names`` are the names sorted and ``values`` gives a fields dict's values in that
    order; ``line`` and ``present`` are the :func:`_template` of the shape, and ``marked``,
    ``words`` and ``numbers`` its :func:`_marked`, or all None when a value is not of the
    plain types (a list: its text is written at the append).
    """

    __slots__ = ("line", "marked", "names", "numbers", "present", "values", "words")

    def __init__(self, shape: tuple[Any, ...]) -> None:
        n = len(shape) // 2
        given, types = shape[:n], shape[n:]
        by_name = dict(zip(given, types, strict=True))
        self.names: tuple[str, ...] = tuple(sorted(given))
        self.values = _getter(self.names)
        self.line: str | None = None
        self.present: Callable[[dict[str, Any]], tuple[Any, ...]] | None = None
        self.marked: str | None = None
        self.words: Callable[[dict[str, Any]], tuple[Any, ...]] | None = None
        self.numbers: Callable[[dict[str, Any]], tuple[Any, ...]] | None = None
        if _PLAIN.issuperset(types):
            sorted_types = tuple(by_name[k] for k in self.names)
            self.line, self.present = _template(self.names, sorted_types)
            self.marked, self.words, self.numbers = _marked(self.names, sorted_types)


# an event's shape (its field names as given, then their values' types) -> its _Format:
# shared by the logs of a process (a pure function of the shape, and the runs of a batch
# write the same few dozen)
_FORMATS: dict[tuple[Any, ...], _Format] = {}

# (format, kind, words) -> the line marked for its numbers (``format.marked % (kind, *words)``):
# the same few thousand recur in a run (the casualties of one unit from one weapon) and in
# the runs of a batch worker; a bounded table, emptied when full
_MARKED_LINES: dict[tuple[Any, ...], str] = {}
_MARKED_LINES_LIMIT = 50_000


class EventLog:
    """Append-only log of events with a digest, formatted only when read."""

    def __init__(self) -> None:
        # (t_min, kind, fields, format, canonical body or None): the body is written at the
        # append only for fields whose text could change later (lists, other objects)
        self._raw: list[tuple[float, str, dict[str, Any], _Format, list[str] | None]] = []
        self._events: list[LogEvent] = []
        self._built = 0  # events of _raw made into LogEvents
        self._hash = hashlib.sha256()
        self._hashed = 0  # events of _raw hashed

    def append(self, t_min: float, kind: str, **fields: Any) -> int:
        """Append an event at *t_min*; return its sequence number.

        The fields are kept as given (the dict is this call's own); ints, strings, floats,
        bools and None are written when the log is read, other values (lists) now, so a
        list changed later does not change the digest.
        """
        return self.add(t_min, kind, fields)

    def add(self, t_min: float, kind: str, fields: dict[str, Any]) -> int:
        """Append an event whose *fields* dict is handed over (the log keeps it: the caller
        must not change it after); return its sequence number. As :meth:`append`, without
        packing the fields into a dict again (the engine's ``_emit`` gives its own).

        The event's shape is looked up once here (the digest and the readers use its
        format as it was at the append)."""
        fmt = _FORMATS.get(shape := (*fields, *map(type, fields.values())))
        if fmt is None:
            fmt = self._format(shape)
        raw = self._raw
        raw.append((t_min, kind, fields, fmt, None if fmt.line is not None else self._body(fmt, fields)))
        return len(raw) - 1

    def add_as(self, t_min: float, kind: str, fields: dict[str, Any], fmt: _Format) -> int:
        """As :meth:`add`, for an event of a shape whose format *fmt* the caller looked up
        (:meth:`format_of`) for a fields dict with the same names in the same order and
        values of the same types: for a caller that writes many events of one shape by
        construction (the lookup costs about half an append)."""
        raw = self._raw
        raw.append((t_min, kind, fields, fmt, None if fmt.line is not None else self._body(fmt, fields)))
        return len(raw) - 1

    def format_of(self, fields: dict[str, Any]) -> _Format:
        """Return the format of the shape of *fields* (its names as given and its values'
        types), as :meth:`add` looks it up."""
        fmt = _FORMATS.get(shape := (*fields, *map(type, fields.values())))
        return fmt if fmt is not None else self._format(shape)

    @staticmethod
    def _format(shape: tuple[Any, ...]) -> _Format:
        """Return the format of an event shape not yet seen (kept in :data:`_FORMATS`)."""
        if len(_FORMATS) > 10_000:  # never in practice: the engine writes a few dozen
            _FORMATS.clear()
        fmt = _FORMATS[shape] = _Format(shape)
        return fmt

    @staticmethod
    def _body(fmt: _Format, fields: dict[str, Any]) -> list[str]:
        """Return the fields' canonical ``k=v`` texts, sorted by name."""
        out = []
        for k in fmt.names:
            v = fields[k]
            if isinstance(v, float):
                v = round(v, 3)
            out.append(f"{k}={_canon(v)}")
        return out

    def _event(self, seq: int) -> LogEvent:
        """Return the LogEvent of raw event *seq*."""
        t_min, kind, fields, fmt, body = self._raw[seq]
        vals = fmt.values(fields)
        if body is None:  # values of the plain types only: a float is exactly one
            if float in map(type, vals):
                vals = [round(v, 3) if type(v) is float else v for v in vals]
        else:
            vals = [round(v, 3) if isinstance(v, float) else v for v in vals]
        return LogEvent(seq, round(t_min * 60.0), kind, tuple(zip(fmt.names, vals, strict=True)))

    @property
    def events(self) -> list[LogEvent]:
        """Return the events so far (LogEvents, built once; the list is the log's own)."""
        n = len(self._raw)
        if self._built < n:
            self._events.extend(self._event(seq) for seq in range(self._built, n))
            self._built = n
        return self._events

    def raw_by_kind(self, kinds: Collection[str]) -> dict[str, list[tuple[int, float, dict[str, Any]]]]:
        """Return the raw events so far of the given kinds, ``(seq, t_min, fields)`` by kind,
        in order (for :class:`EventView`; the fields are the log's own: read, never write)."""
        out: dict[str, list[tuple[int, float, dict[str, Any]]]] = {k: [] for k in kinds}
        for seq, r in enumerate(self._raw):
            got = out.get(r[1])
            if got is not None:
                got.append((seq, r[0], r[2]))
        return out

    def rows(self, since: int = 0) -> list[tuple[int, int, str, dict[str, Any]]]:
        """Return the events from *since* on as ``(seq, t_s, kind, fields)``, the fields in
        name order at full precision (the digest's lines round floats to 3 decimals; an
        export keeps a chance of 0.0004 as it was). The dicts are new: the caller's own."""
        out = []
        for seq in range(since, len(self._raw)):
            t_min, kind, fields, fmt, _ = self._raw[seq]
            out.append((seq, round(t_min * 60.0), kind, dict(zip(fmt.names, fmt.values(fields), strict=True))))
        return out

    def digest(self) -> str:
        """Return the sha256 hex digest of the log so far (its canonical lines)."""
        n = len(self._raw)
        if self._hashed < n:
            self._hash.update(self._marked_text(self._hashed, n))
            self._hashed = n
        return self._hash.hexdigest()

    def _marked_text(self, first: int, n: int) -> Any:
        """Return the canonical lines of events *first* to *n* (excluded), encoded: written
        with their numbers marked and the numbers written into the marks by the compiled
        :func:`.kernels.event_text.fill_numbers` (the same text: about half the time of
        Python's formatting of some 20,000 floats a run). Text that kernel does not write
        exactly (a mark byte in a string, an int of 2**53 or more...) is :meth:`_text`'s."""
        lines: list[str] = []
        add = lines.append
        numbers: list[Any] = []
        more = numbers.extend
        if len(_MARKED_LINES) > _MARKED_LINES_LIMIT:
            _MARKED_LINES.clear()
        written, write = _MARKED_LINES.get, _MARKED_LINES.setdefault
        chunk = self._raw[first:n]
        for _t_min, kind, fields, fmt, body in chunk:
            if body is None:
                key = (fmt, kind, *fmt.words(fields))
                line = written(key)
                add(line if line is not None else write(key, fmt.marked % key[1:]))
                if fmt.numbers is not None:
                    more(fmt.numbers(fields))
            else:
                add(f"{_SEQ_MARK}|{_TIME_MARK}|{kind}|{';'.join(body)}\n")
        text = np.frombuffer("".join(lines).encode(), dtype=np.uint8)
        times = [r[0] for r in chunk]
        if not _TIME_TYPES.issuperset(map(type, times)):  # round(t_min * 60.0) of another type: Python's
            return self._text(first, n)
        try:
            t_min = np.fromiter(times, dtype=np.float64, count=len(times))
            values = np.fromiter(numbers, dtype=np.float64, count=len(numbers))  # ints and floats
        except OverflowError:  # an int beyond the floats: written by Python
            return self._text(first, n)
        out = np.empty(text.size + event_text.NUMBER_WIDTH * (2 * t_min.size + values.size), dtype=np.uint8)
        size = event_text.fill_numbers(text, first, t_min, values, out)
        if size < 0:
            return self._text(first, n)
        return out[:size]

    def _text(self, first: int, n: int) -> bytes:
        """Return the canonical lines of events *first* to *n* (excluded), encoded, written
        by Python's formatting alone."""
        raw = self._raw
        lines = []
        add = lines.append
        for seq in range(first, n):
            t_min, kind, fields, fmt, body = raw[seq]
            if body is None:
                add(fmt.line % (seq, round(t_min * 60.0), kind, *fmt.present(fields)))
            else:
                add(_line(seq, round(t_min * 60.0), kind, body) + "\n")
        return "".join(lines).encode()

    def __len__(self) -> int:
        return len(self._raw)
