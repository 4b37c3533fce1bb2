"""The result of one run: metric snapshots at simulated times, as in METRICS.md.

A :class:`RunResult` is what :meth:`khasan_sim.api.Simulation.run_to_end` returns and
what ``khasan-sim run --json`` writes. Its JSON form is fixed by
``../shared/record/METRICS.md``::

    {"scenario": ..., "seed": ..., "variant": ..., "snapshots": {label: {metric: value}},
     "events": ..., "events_digest": ..., "meta": {...}, "story": {...}}

``story`` (null when no story checks apply to the scenario) holds what the story checks of
``scenarios/record/story.yaml`` observed in the run (:mod:`khasan_sim.story.watch`).

Snapshot labels are local battle times to the minute (``1938-08-07T00:00``); the
snapshots are kept sorted by time. A metric value is an int, a float, a side name or
``None``.
"""

from __future__ import annotations

import json
import math
import numbers
import os
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from khasan_sim.clock import format_time, parse_time
from khasan_sim.errors import SaveFileError
from khasan_sim.io import atomic_write_text

MetricValue = int | float | str | None
Snapshot = dict[str, MetricValue]

#: The top-level keys of a run result file, in the order they are written.
JSON_KEYS: tuple[str, ...] = ("scenario", "seed", "variant", "snapshots", "events", "events_digest", "meta", "story")
#: Keys of ``meta`` that the engine and the CLI fill in (others may be added freely).
META_CODE_VERSION = "code_version"
META_SCENARIO_DIGEST = "scenario_digest"

_REQUIRED_KEYS: tuple[str, ...] = ("scenario", "seed", "variant", "snapshots", "events", "events_digest")


def to_label(at: str | datetime) -> str:
    """Return the ISO minute label (``1938-08-07T00:00``) of a time or label.

    Args:
        at: A datetime or an ISO 8601 text (seconds allowed, dropped).

    Returns:
        The label used as a snapshot key.

    Raises:
        ValueError: *at* is not a time.
    """
    return format_time(parse_time(at))


def _clean_value(value: object, where: str) -> MetricValue:
    """Return *value* as a plain JSON-able metric value (numpy scalars become int/float)."""
    kind = type(value)
    if kind is int or kind is str or value is None:  # the common cases, before the slower ABC checks
        return value  # type: ignore[return-value]
    if kind is float and math.isfinite(value):  # type: ignore[arg-type]
        return value  # type: ignore[return-value]
    if isinstance(value, str):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        f = float(value)
        if not math.isfinite(f):
            msg = f"{where}: not a finite number (expected a number, a side name or null, got {f!r})"
            raise ValueError(msg)
        return f
    msg = f"{where}: not a metric value (expected a number, a side name or null, got {type(value).__name__})"
    raise ValueError(msg)


def _clean_snapshots(snapshots: Mapping[str, Mapping[str, object]]) -> dict[str, Snapshot]:
    """Normalise labels to the minute, sort by time and clean every value."""
    by_time: dict[datetime, tuple[str, Snapshot]] = {}
    for raw_label, metrics in snapshots.items():
        try:
            t = parse_time(raw_label).replace(second=0, microsecond=0)
        except ValueError as exc:
            msg = f"snapshots: bad label {raw_label!r} (expected a time like 1938-08-07T00:00): {exc}"
            raise ValueError(msg) from None
        label = format_time(t)
        if t in by_time:
            msg = f"snapshots: two snapshots at {label} (expected one per minute, got {by_time[t][0]!r} and {raw_label!r})"
            raise ValueError(msg)
        if not isinstance(metrics, Mapping):
            msg = f"snapshots[{label}]: not a mapping of metrics (expected an object, got {type(metrics).__name__})"
            raise ValueError(msg)
        clean: Snapshot = {}
        for key, value in metrics.items():
            if not isinstance(key, str):
                msg = f"snapshots[{label}]: metric name {key!r} (expected a string, got {type(key).__name__})"
                raise ValueError(msg)
            kind = type(value)
            if kind is int or kind is str or value is None or (kind is float and math.isfinite(value)):
                clean[key] = value  # as _clean_value: the common cases, without making its message's place
            else:
                clean[key] = _clean_value(value, f"snapshots[{label}][{key}]")
        by_time[t] = (str(raw_label), clean)
    return {format_time(t): by_time[t][1] for t in sorted(by_time)}


@dataclass(frozen=True)
class RunResult:
    """The outcome of one seeded run.

    Attributes:
        scenario: The scenario id.
        seed: The run seed.
        variant: The variant id, or None for the scenario as written.
        snapshots: Metrics by snapshot label (``1938-08-07T00:00``), sorted by time.
        events: The number of events the engine processed.
        events_digest: sha256 (hex) of the run's ordered event log.
        meta: Provenance: code version, scenario digest, and the like.
        story: What the story checks observed (:mod:`khasan_sim.story.watch`), or None.
    """

    scenario: str
    seed: int
    variant: str | None
    snapshots: dict[str, Snapshot]
    events: int
    events_digest: str
    meta: dict[str, Any] = field(default_factory=dict)
    story: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        """Check the types, sort the snapshots and turn numpy scalars into plain numbers."""
        if not isinstance(self.scenario, str) or not self.scenario:
            msg = f"RunResult.scenario: expected a scenario id, got {self.scenario!r}"
            raise ValueError(msg)
        if isinstance(self.seed, bool) or not isinstance(self.seed, numbers.Integral):
            msg = f"RunResult.seed: expected an integer, got {self.seed!r}"
            raise ValueError(msg)
        if self.variant is not None and not isinstance(self.variant, str):
            msg = f"RunResult.variant: expected a variant id or None, got {self.variant!r}"
            raise ValueError(msg)
        if isinstance(self.events, bool) or not isinstance(self.events, numbers.Integral) or self.events < 0:
            msg = f"RunResult.events: expected a non-negative integer, got {self.events!r}"
            raise ValueError(msg)
        if not isinstance(self.events_digest, str):
            msg = f"RunResult.events_digest: expected a hex string, got {self.events_digest!r}"
            raise ValueError(msg)
        if not isinstance(self.snapshots, Mapping):
            msg = f"RunResult.snapshots: expected a mapping of label to metrics, got {type(self.snapshots).__name__}"
            raise ValueError(msg)
        if not isinstance(self.meta, Mapping):
            msg = f"RunResult.meta: expected a mapping, got {type(self.meta).__name__}"
            raise ValueError(msg)
        if self.story is not None and not isinstance(self.story, Mapping):
            msg = f"RunResult.story: expected a mapping or None, got {type(self.story).__name__}"
            raise ValueError(msg)
        object.__setattr__(self, "seed", int(self.seed))
        object.__setattr__(self, "events", int(self.events))
        object.__setattr__(self, "snapshots", _clean_snapshots(self.snapshots))
        object.__setattr__(self, "meta", dict(self.meta))

    # ----------------------------------------------------------------- reading

    @property
    def labels(self) -> list[str]:
        """The snapshot labels, in time order."""
        return list(self.snapshots)

    @property
    def final_label(self) -> str:
        """The label of the last snapshot (the end of the run).

        Raises:
            KeyError: The result holds no snapshot.
        """
        if not self.snapshots:
            msg = f"run result of {self.scenario} seed {self.seed}: no snapshot was taken"
            raise KeyError(msg)
        return next(reversed(self.snapshots))

    @property
    def final(self) -> Snapshot:
        """The metrics of the last snapshot (see :attr:`final_label`)."""
        return self.snapshots[self.final_label]

    def snapshot(self, at: str | datetime) -> Snapshot:
        """Return the metrics of the snapshot at *at*.

        Args:
            at: A label or time; seconds are dropped.

        Raises:
            KeyError: No snapshot was taken at that minute.
        """
        label = to_label(at)
        try:
            return self.snapshots[label]
        except KeyError:
            taken = ", ".join(self.snapshots) or "none"
            msg = f"run result: no snapshot at {label} (taken: {taken}; ask for one with --snapshot-at {label})"
            raise KeyError(msg) from None

    def value(self, metric: str, at: str | datetime) -> MetricValue:
        """Return the value of *metric* in the snapshot at *at*.

        Args:
            metric: A metric key, e.g. ``soviet.killed``.
            at: A label or time of a snapshot that was taken.

        Returns:
            The value (a ``holder`` metric may be None).

        Raises:
            KeyError: The snapshot was not taken, or the metric is not in it (a metric
                that does not apply to the scenario is left out).
        """
        snap = self.snapshot(at)
        try:
            return snap[metric]
        except KeyError:
            msg = f"run result: snapshot {to_label(at)} has no metric {metric!r} (not in this scenario?)"
            raise KeyError(msg) from None

    # ------------------------------------------------------------ JSON forms

    def to_json(self) -> dict[str, Any]:
        """Return the METRICS.md JSON form (metric keys sorted inside each snapshot)."""
        return {
            "scenario": self.scenario,
            "seed": self.seed,
            "variant": self.variant,
            "snapshots": {label: dict(sorted(snap.items())) for label, snap in self.snapshots.items()},
            "events": self.events,
            "events_digest": self.events_digest,
            "meta": dict(self.meta),
            "story": self.story,
        }

    def to_json_text(self) -> str:
        """Return the JSON form as text (indented, UTF-8 safe, newline-terminated)."""
        return json.dumps(self.to_json(), indent=2, ensure_ascii=False, allow_nan=False) + "\n"

    @classmethod
    def from_json(cls, d: object, where: str = "run result") -> RunResult:
        """Build a result from its JSON form.

        Args:
            d: The decoded JSON document.
            where: Names the source in error messages (a file path).

        Raises:
            SaveFileError: The document is not a run result or is damaged.
        """
        if not isinstance(d, Mapping):
            msg = f"{where}: not a khasan-sim run result (expected a JSON object, got {type(d).__name__})"
            raise SaveFileError(msg)
        missing = [k for k in _REQUIRED_KEYS if k not in d]
        if missing:
            got = ", ".join(sorted(map(str, d))[:8]) or "none"
            msg = f"{where}: not a khasan-sim run result (missing {', '.join(missing)}; got keys {got})"
            raise SaveFileError(msg)
        meta = d.get("meta")
        try:
            return cls(
                scenario=d["scenario"],
                seed=d["seed"],
                variant=d["variant"],
                snapshots=d["snapshots"],
                events=d["events"],
                events_digest=d["events_digest"],
                meta={} if meta is None else meta,
                story=d.get("story"),
            )
        except ValueError as exc:
            msg = f"{where}: damaged run result: {exc}"
            raise SaveFileError(msg) from None

    # ------------------------------------------------------------------ files

    def write(self, path_or_dash: str | os.PathLike[str], stdout: TextIO | None = None) -> Path | None:
        """Write the JSON form to a file atomically, or to standard output for ``-``.

        Args:
            path_or_dash: The destination file, or ``"-"`` for standard output.
            stdout: The stream used for ``"-"`` (default ``sys.stdout``).

        Returns:
            The path written, or None for standard output.
        """
        text = self.to_json_text()
        if str(path_or_dash) == "-":
            out = stdout if stdout is not None else sys.stdout
            out.write(text)
            out.flush()
            return None
        return atomic_write_text(path_or_dash, text)

    @classmethod
    def read(cls, path: str | os.PathLike[str]) -> RunResult:
        """Read a result file written by :meth:`write`.

        Raises:
            SaveFileError: The file is missing, unreadable, not JSON, or not a run result.
        """
        where = str(path)
        try:
            raw = Path(path).read_bytes()
        except FileNotFoundError:
            msg = f"{where}: no such run result file"
            raise SaveFileError(msg) from None
        except OSError as exc:
            msg = f"{where}: cannot read the run result ({exc.strerror or exc})"
            raise SaveFileError(msg) from None
        try:
            doc = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            msg = f"{where}: not a khasan-sim run result (expected UTF-8 JSON, got binary data)"
            raise SaveFileError(msg) from None
        except json.JSONDecodeError as exc:
            msg = f"{where}:{exc.lineno}: damaged run result (expected JSON: {exc.msg} at column {exc.colno})"
            raise SaveFileError(msg) from None
        return cls.from_json(doc, where=where)


def metric_keys(snapshot: Mapping[str, object], prefix: str) -> list[str]:
    """Return the metric keys of *snapshot* that start with *prefix*, sorted.

    Args:
        snapshot: One snapshot's metrics.
        prefix: A key prefix such as ``"unit."``.
    """
    return sorted(k for k in snapshot if k.startswith(prefix))


def units_with(snapshots: Iterable[Mapping[str, object]], suffix: str) -> list[str]:
    """Return the unit ids having a ``unit.<id>.<suffix>`` metric in any snapshot, sorted.

    Args:
        snapshots: Snapshots to search.
        suffix: The metric name after the unit id, e.g. ``"tanks_start"``.
    """
    tail = "." + suffix
    ids: set[str] = set()
    for snap in snapshots:
        for key in snap:
            if key.startswith("unit.") and key.endswith(tail):
                unit = key[len("unit.") : -len(tail)]
                if unit:
                    ids.add(unit)
    return sorted(ids)
