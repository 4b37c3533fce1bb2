"""The ordered event log and its running sha256 digest.

Each event is (seq, time in whole seconds, kind, sorted fields). Fields hold ints,
strings and floats rounded to 3 decimals, so the canonical line, and so the digest,
is the same in any process on any platform.
"""

from __future__ import annotations

import hashlib
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


def _line(seq: int, t_s: int, kind: str, body: list[str]) -> str:
    """Return an event's canonical line from its fields already written as ``k=v``."""
    return f"{seq}|{t_s}|{kind}|{';'.join(body)}"


class EventLog:
    """Append-only list of LogEvents with a running digest."""

    def __init__(self) -> None:
        self.events: list[LogEvent] = []
        self._hash = hashlib.sha256()

    def append(self, t_min: float, kind: str, **fields: Any) -> LogEvent:
        """Append an event at *t_min* and fold it into the digest."""
        items = []
        body = []
        # the fields and their canonical text made in one pass (LogEvent.canonical's line)
        for k, v in sorted(fields.items()):
            if isinstance(v, float):
                v = round(v, 3)
            body.append(f"{k}={_canon(v)}")
            items.append((k, v))
        ev = LogEvent(len(self.events), round(t_min * 60.0), kind, tuple(items))
        self.events.append(ev)
        self._hash.update((_line(ev.seq, ev.t_s, kind, body) + "\n").encode())  # one update a line: the same digest
        return ev

    def digest(self) -> str:
        """Return the sha256 hex digest of the log so far."""
        return self._hash.hexdigest()

    def __len__(self) -> int:
        return len(self.events)
