"""The recorded outcomes of the battle, typed, and how one run compares with them.

The record file (``../shared/record/khasan-1938.yaml``; its header explains it) lists
entries, each naming a metric of a run's result (METRICS.md), when it is read, and the
recorded figure: a ``value`` or a ``range`` of published figures, or for a time a
``window``. This module reads it (``yaml.safe_load`` only) into :class:`Record` and
judges a single run against each entry.

A single run is one draw: :func:`judge_single` says whether that draw falls inside the
recorded figure. The study-level judgement (central 90% intervals, "in at least half
of the runs") belongs to the batch report.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import yaml

from khasan_sim.clock import format_time, parse_time
from khasan_sim.errors import KhasanSimError
from khasan_sim.results import MetricValue, RunResult
from khasan_sim.scenario import builtin

Kind = Literal["count", "time", "holder"]
KINDS: tuple[str, ...] = ("count", "time", "holder")
SIDES: tuple[str, ...] = ("soviet", "japanese")

_ENTRY_KEYS = frozenset(
    {"id", "metric", "kind", "at", "between", "window", "value", "range", "of", "sources", "note"}
)
_TOP_KEYS = frozenset({"scenario", "start", "end", "entries"})


class RecordError(KhasanSimError, ValueError):
    """The record file is missing or malformed.

    Attributes:
        file: The record file, or None when none was found.
        path: The field inside the file, e.g. ``entries[3].range``, or "".
        problem: What is wrong, in words.
    """

    def __init__(self, file: str | os.PathLike[str] | None, path: str, problem: str) -> None:
        self.file = None if file is None else str(file)
        self.path = path
        self.problem = problem
        where = self.file if self.file is not None else "record"
        msg = f"{where}: {path}: {problem}" if path else f"{where}: {problem}"
        super().__init__(msg)


@dataclass(frozen=True)
class RecordEntry:
    """One recorded outcome.

    Attributes:
        id: The entry id, unique in the record.
        metric: The metric key it reads (METRICS.md).
        kind: ``count``, ``time`` or ``holder``.
        at: The snapshot label it is read at (count, holder), or None.
        between: For a count over a period: the labels of its start and end snapshots.
        window: For a time: the earliest and latest labels of the recorded time.
        window_hours: The window in hours after the record's start (set on load).
        value: The recorded figure (a number, or a side name for a holder), or None.
        range: The low and high published figures, or None.
        of: The whole the figure is a part of (``10`` of ``43``), or None.
        sources: Where each figure comes from.
        note: A remark on the figure, or None.
    """

    id: str
    metric: str
    kind: Kind
    at: str | None = None
    between: tuple[str, str] | None = None
    window: tuple[str, str] | None = None
    window_hours: tuple[float, float] | None = None
    value: int | float | str | None = None
    range: tuple[float, float] | None = None
    of: int | float | None = None
    sources: tuple[str, ...] = ()
    note: str | None = None


@dataclass(frozen=True)
class Record:
    """The recorded outcomes of one scenario.

    Attributes:
        scenario: The scenario id the record is about.
        start: The scenario's start (time hours are counted from).
        end: The scenario's end.
        entries: The entries, in file order.
        file: The file it was read from, or None.
    """

    scenario: str
    start: datetime
    end: datetime
    entries: tuple[RecordEntry, ...]
    file: str | None = None

    def entry(self, entry_id: str) -> RecordEntry:
        """Return the entry with id *entry_id*.

        Raises:
            KeyError: No such entry.
        """
        for e in self.entries:
            if e.id == entry_id:
                return e
        known = ", ".join(e.id for e in self.entries)
        msg = f"record: no entry {entry_id!r} (expected one of {known})"
        raise KeyError(msg)

    def hours(self, at: str | datetime) -> float:
        """Return the hours from the record's start to *at*."""
        return _hours(self.start, at)

    def snapshot_times(self) -> list[datetime]:
        """Return every time an entry reads a snapshot at (``at`` and ``between`` ends), sorted."""
        times: set[datetime] = set()
        for e in self.entries:
            if e.at is not None:
                times.add(parse_time(e.at))
            if e.between is not None:
                times.update(parse_time(t) for t in e.between)
        return sorted(times)


@dataclass(frozen=True)
class SingleRunJudgement:
    """How one run compares with one record entry.

    Attributes:
        entry_id: The record entry's id.
        simulated: The run's value (a count, hours after the start, a side, or None).
        recorded_text: The recorded figure in words (``10 of 43``, ``408-970``, ...).
        inside: True if the run's value is inside the recorded figure, False if not,
            None if the run could not be judged (snapshot or metric missing).
        note: Why it could not be judged, or the entry's note; "" if none.
    """

    entry_id: str
    simulated: MetricValue
    recorded_text: str
    inside: bool | None
    note: str = ""


# ------------------------------------------------------------------ loading


def _hours(start: datetime, at: str | datetime) -> float:
    """Return the hours from *start* to *at*."""
    return (parse_time(at) - start).total_seconds() / 3600.0


def _label(value: object, file: str, path: str) -> str:
    """Return *value* (a YAML string or timestamp) as an ISO minute label."""
    if isinstance(value, (str, datetime)):
        try:
            return format_time(parse_time(value))
        except ValueError:
            pass
    problem = f"not a time (expected ISO 8601 like 1938-08-06T22:00, got {value!r})"
    raise RecordError(file, path, problem)


def _pair(value: object, file: str, path: str) -> tuple[Any, Any]:
    """Return *value* as a 2-item tuple, or raise."""
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        problem = f"expected a pair [first, second], got {value!r}"
        raise RecordError(file, path, problem)
    return value[0], value[1]


def _number(value: object, file: str, path: str) -> int | float:
    """Return *value* if it is a number (not a bool), or raise."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        problem = f"expected a number, got {value!r}"
        raise RecordError(file, path, problem)
    return value


def _parse_entry(raw: object, file: str, where: str, start: datetime) -> RecordEntry:
    """Build one :class:`RecordEntry` from its YAML mapping, checking it fits its kind."""
    if not isinstance(raw, dict):
        raise RecordError(file, where, f"expected a mapping, got {type(raw).__name__}")
    unknown = sorted(set(map(str, raw)) - _ENTRY_KEYS)
    if unknown:
        raise RecordError(file, f"{where}.{unknown[0]}", f"unknown key (expected one of {', '.join(sorted(_ENTRY_KEYS))})")
    for key in ("id", "metric", "kind"):
        if not isinstance(raw.get(key), str) or not raw[key]:
            raise RecordError(file, f"{where}.{key}", f"required text (got {raw.get(key)!r})")
    where = f"{where}({raw['id']})"
    kind = raw["kind"]
    if kind not in KINDS:
        raise RecordError(file, f"{where}.kind", f"unknown kind (expected one of {', '.join(KINDS)}, got {kind!r})")

    at = _label(raw["at"], file, f"{where}.at") if raw.get("at") is not None else None
    between = None
    if raw.get("between") is not None:
        a, b = _pair(raw["between"], file, f"{where}.between")
        between = (_label(a, file, f"{where}.between[0]"), _label(b, file, f"{where}.between[1]"))
        if parse_time(between[1]) <= parse_time(between[0]):
            raise RecordError(file, f"{where}.between", f"end before start (got {between[0]} .. {between[1]})")
    window = None
    if raw.get("window") is not None:
        a, b = _pair(raw["window"], file, f"{where}.window")
        window = (_label(a, file, f"{where}.window[0]"), _label(b, file, f"{where}.window[1]"))
        if parse_time(window[1]) < parse_time(window[0]):
            raise RecordError(file, f"{where}.window", f"end before start (got {window[0]} .. {window[1]})")
    rng = None
    if raw.get("range") is not None:
        lo, hi = _pair(raw["range"], file, f"{where}.range")
        lo = _number(lo, file, f"{where}.range[0]")
        hi = _number(hi, file, f"{where}.range[1]")
        if hi < lo:
            raise RecordError(file, f"{where}.range", f"low above high (got [{lo}, {hi}])")
        rng = (lo, hi)
    value = raw.get("value")
    of = raw.get("of")
    if of is not None:
        of = _number(of, file, f"{where}.of")

    if kind == "count":
        if (at is None) == (between is None):
            raise RecordError(file, where, "a count needs exactly one of `at` or `between`")
        if (value is None) == (rng is None):
            raise RecordError(file, where, "a count needs exactly one of `value` or `range`")
        if value is not None:
            value = _number(value, file, f"{where}.value")
        if window is not None:
            raise RecordError(file, f"{where}.window", "a count has no window (use `at` or `between`)")
    elif kind == "time":
        if window is None:
            raise RecordError(file, where, "a time needs a `window: [earliest, latest]`")
        if at is not None or between is not None or value is not None or rng is not None:
            raise RecordError(file, where, "a time has only a `window` (no at, between, value or range)")
    else:  # holder
        if at is None:
            raise RecordError(file, where, "a holder needs `at`")
        if value is not None and value not in SIDES:
            raise RecordError(file, f"{where}.value", f"not a side (expected {', '.join(SIDES)} or null, got {value!r})")
        if between is not None or window is not None or rng is not None:
            raise RecordError(file, where, "a holder has only `at` and `value`")

    sources = raw.get("sources") or []
    if isinstance(sources, str):
        sources = [sources]
    if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
        raise RecordError(file, f"{where}.sources", f"expected a list of texts, got {sources!r}")
    note = raw.get("note")
    if note is not None and not isinstance(note, str):
        raise RecordError(file, f"{where}.note", f"expected text, got {note!r}")
    return RecordEntry(
        id=raw["id"],
        metric=raw["metric"],
        kind=kind,
        at=at,
        between=between,
        window=window,
        window_hours=None if window is None else (_hours(start, window[0]), _hours(start, window[1])),
        value=value,
        range=rng,
        of=of,
        sources=tuple(sources),
        note=note,
    )


def parse_record(doc: object, file: str = "record") -> Record:
    """Build a :class:`Record` from the decoded YAML document.

    Args:
        doc: What ``yaml.safe_load`` returned.
        file: Names the source in error messages.

    Raises:
        RecordError: The document is not a valid record.
    """
    if not isinstance(doc, dict):
        raise RecordError(file, "", f"not a record (expected a mapping with scenario, start, end, entries; got {type(doc).__name__})")
    for key in ("scenario", "start", "end", "entries"):
        if key not in doc:
            raise RecordError(file, key, "missing (expected scenario, start, end and entries)")
    unknown = sorted(set(map(str, doc)) - _TOP_KEYS)
    if unknown:
        raise RecordError(file, unknown[0], f"unknown key (expected {', '.join(sorted(_TOP_KEYS))})")
    if not isinstance(doc["scenario"], str) or not doc["scenario"]:
        raise RecordError(file, "scenario", f"expected a scenario id, got {doc['scenario']!r}")
    start = parse_time(_label(doc["start"], file, "start"))
    end = parse_time(_label(doc["end"], file, "end"))
    if end <= start:
        raise RecordError(file, "end", f"not after start (expected after {format_time(start)}, got {format_time(end)})")
    raw_entries = doc["entries"]
    if not isinstance(raw_entries, list):
        raise RecordError(file, "entries", f"expected a list, got {type(raw_entries).__name__}")
    entries = []
    seen: set[str] = set()
    for i, raw in enumerate(raw_entries):
        entry = _parse_entry(raw, file, f"entries[{i}]", start)
        if entry.id in seen:
            raise RecordError(file, f"entries[{i}].id", f"repeated id {entry.id!r} (expected unique ids)")
        seen.add(entry.id)
        entries.append(entry)
    return Record(scenario=doc["scenario"], start=start, end=end, entries=tuple(entries), file=file)


def load_record(path: str | os.PathLike[str] | None = None) -> Record:
    """Read the record file.

    Args:
        path: The file; default :func:`khasan_sim.scenario.builtin.record_path`.

    Returns:
        The typed record.

    Raises:
        RecordError: No file was found, it cannot be read, or it is malformed. The
            message names the file. ``exc.problem`` starts with "no such file" when it
            is absent.
    """
    if path is None:
        path = builtin.record_path()
        if path is None:
            raise RecordError(None, "", "no such file (looked for ../shared/record/khasan-1938.yaml and $KHASAN_RECORD)")
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RecordError(file, "", "no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RecordError(file, "", f"cannot read the record ({exc})") from None
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else ""
        problem = " ".join(str(getattr(exc, "problem", None) or exc).split())
        raise RecordError(file, where, f"not valid YAML ({problem})") from None
    return parse_record(doc, file)


def record_missing(exc: RecordError) -> bool:
    """Return True if *exc* says the record file is absent (not malformed)."""
    return exc.problem.startswith("no such file")


# ----------------------------------------------------------------- judging


def simulated_value(entry: RecordEntry, result: RunResult) -> MetricValue:
    """Return the run's value for a record entry.

    * count with ``at``: the metric in the snapshot at ``at``;
    * count with ``between``: snapshot[end] - snapshot[start] (cumulative counters);
    * time: the metric in the run's last snapshot (hours after the start, or None for
      never);
    * holder: the metric in the snapshot at ``at``.

    Raises:
        KeyError: A snapshot the entry reads was not taken, or lacks the metric.
        ValueError: A ``between`` count reads a value that is not a number.
    """
    if entry.kind == "time":
        return result.value(entry.metric, result.final_label)
    if entry.between is not None:
        a = result.value(entry.metric, entry.between[0])
        b = result.value(entry.metric, entry.between[1])
        if isinstance(a, (str, type(None))) or isinstance(b, (str, type(None))):
            msg = f"record entry {entry.id}: {entry.metric} is not a number (expected a count, got {a!r} and {b!r})"
            raise ValueError(msg)
        return b - a
    if entry.at is None:  # pragma: no cover - parse_record forbids it
        msg = f"record entry {entry.id}: no `at` (expected a snapshot time)"
        raise ValueError(msg)
    return result.value(entry.metric, entry.at)


def _num_text(x: float) -> str:
    """Format a recorded number: integers without decimals, with thousands separators."""
    if float(x).is_integer():
        return f"{int(x):,}"
    return f"{x:,.1f}"


def recorded_text(entry: RecordEntry) -> str:
    """Return the recorded figure of *entry* in words (``10 of 43``, ``408-970``, ...)."""
    if entry.kind == "time":
        assert entry.window is not None
        text = f"{entry.window[0]} .. {entry.window[1]}"
        if entry.window_hours is not None:
            text += f" ({entry.window_hours[0]:.1f}-{entry.window_hours[1]:.1f} h)"
        return text
    if entry.kind == "holder":
        return str(entry.value) if entry.value is not None else "nobody (contested)"
    text = _num_text(entry.range[0]) + "-" + _num_text(entry.range[1]) if entry.range is not None else _num_text(float(entry.value))  # type: ignore[arg-type]
    if entry.of is not None:
        text += f" of {_num_text(entry.of)}"
    return text


def judge_single(entry: RecordEntry, result: RunResult) -> SingleRunJudgement:
    """Judge one run against one record entry.

    * count: inside if the value equals ``value``, or lies in ``range`` (inclusive);
    * time: inside if the hours lie in the window (inclusive), converted to hours after
      the record's start; never (None) is outside;
    * holder: inside if the side equals ``value``.

    Args:
        entry: The record entry (from :func:`load_record` or :func:`parse_record`).
        result: The run.

    Returns:
        The judgement; ``inside`` is None when the run lacks the snapshot or metric.

    Raises:
        ValueError: A time entry has no ``window_hours`` (built by hand without them).
    """
    text = recorded_text(entry)
    note = entry.note or ""
    try:
        sim = simulated_value(entry, result)
    except (KeyError, ValueError) as exc:
        why = exc.args[0] if exc.args else str(exc)
        return SingleRunJudgement(entry.id, None, text, None, str(why))

    inside: bool | None
    if entry.kind == "holder":
        inside = sim == entry.value
    elif entry.kind == "time":
        if entry.window_hours is None:
            msg = f"judge_single({entry.id}): a time entry needs window_hours (expected a pair of hours, got None)"
            raise ValueError(msg)
        if sim is None:
            inside = False
        elif isinstance(sim, str):
            return SingleRunJudgement(entry.id, sim, text, None, f"{entry.metric} is not a number of hours (got {sim!r})")
        else:
            lo, hi = entry.window_hours
            inside = lo <= sim <= hi
    else:
        if sim is None or isinstance(sim, str):
            return SingleRunJudgement(entry.id, sim, text, None, f"{entry.metric} is not a count (got {sim!r})")
        if entry.range is not None:
            inside = entry.range[0] <= sim <= entry.range[1]
        else:
            inside = sim == entry.value
    return SingleRunJudgement(entry.id, sim, text, inside, note)


def judge_run(record: Record, result: RunResult) -> list[SingleRunJudgement]:
    """Judge one run against every entry of *record*, in record order."""
    return [judge_single(e, result) for e in record.entries]
