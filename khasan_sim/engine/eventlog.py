"""The ordered event log and its sha256 digest.

Each event is (seq, time in whole seconds, kind, sorted fields). Fields hold ints,
strings and floats rounded to 3 decimals, so the canonical line, and so the digest,
is the same in any process on any platform.

Appending is cheap: an event is kept as it was given (time, kind, the fields dict) with
the format of its shape (its field names and their values' types; made once a shape),
and its LogEvent and canonical line are made only when read. ``events`` builds the LogEvents
not yet built; ``digest()`` hashes the lines of the events not yet hashed. The digest is
the sha256 of every event's canonical line, each followed by a newline, as it always was.
"""

from __future__ import annotations

import hashlib
import operator
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any


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


class _Format:
    """How the events of one shape are read and written: a shape is the field names as
    given followed by their values' types, in that order (the key of :data:`_FORMATS`).

    ``names`` are the names sorted and ``values`` gives a fields dict's values in that
    order; ``line`` and ``present`` are the :func:`_template` of the shape, or None when
    a value is not of the plain types (a list: its text is written at the append).
    """

    __slots__ = ("line", "names", "present", "values")

    def __init__(self, shape: tuple[Any, ...]) -> None:
        n = len(shape) // 2
        given, types = shape[:n], shape[n:]
        by_name = dict(zip(given, types, strict=True))
        self.names: tuple[str, ...] = tuple(sorted(given))
        self.values = _getter(self.names)
        self.line: str | None = None
        self.present: Callable[[dict[str, Any]], tuple[Any, ...]] | None = None
        if _PLAIN.issuperset(types):
            self.line, self.present = _template(self.names, tuple(by_name[k] for k in self.names))


# an event's shape (its field names as given, then their values' types) -> its _Format:
# shared by the logs of a process (a pure function of the shape, and the runs of a batch
# write the same few dozen)
_FORMATS: dict[tuple[Any, ...], _Format] = {}


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
        raw = self._raw
        n = len(raw)
        if self._hashed < n:
            lines = []
            add = lines.append
            for seq in range(self._hashed, n):
                t_min, kind, fields, fmt, body = raw[seq]
                if body is None:
                    add(fmt.line % (seq, round(t_min * 60.0), kind, *fmt.present(fields)))
                else:
                    add(_line(seq, round(t_min * 60.0), kind, body) + "\n")
            self._hash.update("".join(lines).encode())
            self._hashed = n
        return self._hash.hexdigest()

    def __len__(self) -> int:
        return len(self._raw)
