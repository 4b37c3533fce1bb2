"""Simulated minutes since the scenario's start <-> local battle time (ISO 8601, no zone)."""

from __future__ import annotations

from datetime import datetime, timedelta

ISO_MINUTE = "%Y-%m-%dT%H:%M"


def parse_time(text: str | datetime) -> datetime:
    """Parse ``1938-08-06T17:20`` (seconds optional) into a naive datetime."""
    if isinstance(text, datetime):
        return text.replace(tzinfo=None)
    try:
        return datetime.fromisoformat(str(text)).replace(tzinfo=None)
    except ValueError:
        msg = f"not a time: {text!r} (expected ISO 8601 like 1938-08-06T17:20)"
        raise ValueError(msg) from None


def format_time(t: datetime) -> str:
    """Format a datetime as ``1938-08-06T17:20``."""
    return t.strftime(ISO_MINUTE)


class Clock:
    """Converts between simulated minutes (the simpy clock) and battle time."""

    def __init__(self, start: datetime, end: datetime) -> None:
        self.start = start
        self.end = end
        self.end_min = (end - start).total_seconds() / 60.0

    def to_minutes(self, t: datetime | str) -> float:
        """Return minutes since the start for a battle time."""
        return (parse_time(t) - self.start).total_seconds() / 60.0

    def to_time(self, minutes: float) -> datetime:
        """Return the battle time at *minutes* since the start (rounded to the second)."""
        return self.start + timedelta(seconds=round(minutes * 60.0))

    def label(self, minutes: float) -> str:
        """Return the ISO minute label of *minutes* since the start."""
        return format_time(self.to_time(minutes))

    def day_ends(self) -> list[float]:
        """Return the minutes of every midnight strictly inside the run."""
        out = []
        t = self.start.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
        while t < self.end:
            out.append(self.to_minutes(t))
            t += timedelta(days=1)
        return out
