"""Write a run's events, one row per event, as JSONL or Parquet (schema: :mod:`.event_schema`).

* **jsonl** - a header line ``{"schema": "khasan_sim.events", "version": N, ...}``, then
  one JSON object per event: the columns of :data:`event_schema.ROW_FIELDS`, then the
  event's own fields.
* **parquet** - the same rows as a table with one column per field of any kind (the union,
  typed from the schema; null where an event has no such field), one row group per run,
  the schema version in the file's metadata. Needs pyarrow.

A study keeps no event logs (a run's log is some 8,500 events: a 200-run study would
hold 1.7 million). :func:`export_study_events` replays each stored run from its seed
through the core, which is deterministic, and checks the replay's event digest against
the one the study stored: a mismatch (the code or the files changed since the study)
stops the export before anything is written, rather than export events the study's runs
did not have.

Files are written to a temporary file beside the target and renamed over it.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any, TextIO

from khasan_sim.analysis import event_schema
from khasan_sim.analysis.export import ExportError, ExportSummary, _atomic_file

EVENT_FORMATS: tuple[str, ...] = ("jsonl", "parquet")


def event_rows(sim: Any, run_index: int | None = None) -> Iterator[dict[str, Any]]:
    """Yield one export row per event of a :class:`~khasan_sim.api.Simulation`, its fields
    at full precision (:meth:`EventLog.rows`), with those the schema derives from them
    (:func:`event_schema.derived_fields`)."""
    head: dict[str, Any] = {} if run_index is None else {"run_index": run_index}
    seed, start = sim.seed, sim.start
    derived = event_schema.derived_fields
    for seq, t_s, kind, fields in sim.engine.log.rows():
        yield {**head, "seed": seed, "seq": seq, "t_s": t_s, "time": (start + timedelta(seconds=t_s)).isoformat(), "kind": kind,
               **fields, **derived(kind, fields)}


def header(**about: Any) -> dict[str, Any]:
    """Return the JSONL header line's object (the schema and version, and *about*)."""
    return {"schema": "khasan_sim.events", "version": event_schema.SCHEMA_VERSION, "docs": "docs/events.md", **about}


def write_jsonl(rows: Iterable[dict[str, Any]], out: TextIO, about: dict[str, Any]) -> int:
    """Write the header and the rows as JSON lines; return the rows written."""
    out.write(json.dumps(header(**about), ensure_ascii=False) + "\n")
    n = 0
    for row in rows:
        out.write(json.dumps(row, separators=(",", ":"), ensure_ascii=False, allow_nan=False))
        out.write("\n")
        n += 1
    return n


def column_types() -> dict[str, str]:
    """Return every column of the Parquet table and its type (``str``, ``int``, ``float``):
    the row columns, then the fields of all kinds, sorted. A field that is an int in one
    kind and a float in another is a float column; lists and dicts (and a field that is
    text in one kind and something else in another) are ``json``: text columns holding
    strings as they are and anything else as JSON."""
    types: dict[str, str] = {k: f.type for k, f in event_schema.ROW_FIELDS.items()}
    fields: dict[str, str] = {}
    for spec in event_schema.KINDS.values():
        for name, f in spec.fields.items():
            t = "json" if f.type in ("list", "dict") else f.type
            was = fields.get(name)
            if was is None or was == t:
                fields[name] = t
            elif {was, t} == {"int", "float"}:
                fields[name] = "float"
            else:
                fields[name] = "json"  # text: JSON for lists and dicts, a string's own text
    for name in sorted(fields):
        types.setdefault(name, fields[name])
    return types


def _pyarrow() -> Any:
    try:
        import pyarrow as pa
        import pyarrow.parquet  # the writer, used as pa.parquet
    except ImportError:
        msg = "parquet export needs pyarrow: pip install pyarrow (or choose --format jsonl)"
        raise ExportError(msg) from None
    return pa


def _text(value: Any) -> str:
    """Return a value for a text column: a string as it is, anything else as JSON."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


class _ParquetRows:
    """Rows written into a Parquet file, one row group per :meth:`write` call."""

    def __init__(self, fh: Any, about: dict[str, Any]) -> None:
        pa = _pyarrow()
        self.pa = pa
        self.types = column_types()
        arrow = {"str": pa.string(), "int": pa.int64(), "float": pa.float64(), "json": pa.string()}
        meta = {b"khasan_sim.events_schema": str(event_schema.SCHEMA_VERSION).encode()}
        meta.update({f"khasan_sim.{k}".encode(): str(v).encode() for k, v in about.items()})
        self.schema = pa.schema([(k, arrow[t]) for k, t in self.types.items()], metadata=meta)
        self.writer = pa.parquet.ParquetWriter(fh, self.schema, compression="zstd")
        self.rows = 0

    def write(self, rows: Sequence[dict[str, Any]]) -> None:
        cast: dict[str, Callable[[Any], Any]] = {"str": str, "int": int, "float": float, "json": _text}
        cols = {}
        for name, t in self.types.items():
            c = cast[t]
            cols[name] = [None if (v := r.get(name)) is None else c(v) for r in rows]
        self.writer.write_table(self.pa.table(cols, schema=self.schema))
        self.rows += len(rows)

    def close(self) -> None:
        self.writer.close()


def write_events(runs: Iterable[list[dict[str, Any]]], fmt: str, out_path: str | os.PathLike[str], about: dict[str, Any],
                 stdout: TextIO | None = None) -> int:
    """Write the rows of each run (an iterable of row lists) as *fmt* to *out_path* (``-``:
    standard output, JSONL only); return the rows written. Nothing is left at *out_path*
    if a run fails to come (the error is raised)."""
    if fmt not in EVENT_FORMATS:
        msg = f"unknown events format {fmt!r} (expected one of {', '.join(EVENT_FORMATS)})"
        raise ExportError(msg)
    if str(out_path) == "-":
        if fmt == "parquet":
            msg = "parquet cannot go to standard output: give a file"
            raise ExportError(msg)
        stream = stdout if stdout is not None else sys.stdout
        n = write_jsonl((r for rows in runs for r in rows), stream, about)
        stream.flush()
        return n
    path = Path(out_path)
    if fmt == "parquet":
        _pyarrow()  # say so before any run is replayed
        with _atomic_file(path, "wb") as fh:
            table = _ParquetRows(fh, about)
            try:
                for rows in runs:
                    if rows:
                        table.write(rows)
            finally:
                table.close()
        return table.rows
    with _atomic_file(path, "w", encoding="utf-8", newline="") as fh:
        return write_jsonl((r for rows in runs for r in rows), fh, about)


def events_format(path: str, fmt: str | None = None) -> str:
    """Return the events format for *path*: *fmt* if given, else from its suffix
    (``.parquet``: parquet, anything else: jsonl)."""
    if fmt is not None:
        return fmt
    return "parquet" if str(path).lower().endswith((".parquet", ".pq")) else "jsonl"


def check_events_output(path: str | None, inputs: Sequence[tuple[str, Any]], force: bool) -> None:
    """Check, before the run, that ``run --events PATH`` may write *path* (a file, not an
    input, not another kind of file unless *force*; see :func:`boundary.outputs.check_output`).

    Raises:
        OutputError: It may not.
    """
    from khasan_sim.boundary.outputs import OutputError, check_output

    if path is None:
        return
    if path == "-":
        raise OutputError("--events -: give a file (standard output is for --json -)")
    check_output(path, kind=events_format(path), inputs=inputs, force=force, option="--events")


def write_run_events(sim: Any, path: str | os.PathLike[str]) -> int:
    """Write the events of a finished :class:`~khasan_sim.api.Simulation` to *path*
    (Parquet for a ``.parquet`` file, else JSONL); return the rows written."""
    result = sim.result()
    about = {"scenario": result.scenario, "seed": result.seed, "variant": result.variant or "", "events_digest": result.events_digest}
    return write_events([list(event_rows(sim))], events_format(str(path)), path, about)


def export_study_events(
    study_path: str | os.PathLike[str],
    fmt: str,
    out_path: str | os.PathLike[str],
    run_indices: Sequence[int] = (),
    stdout: TextIO | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ExportSummary:
    """Replay the ok runs of a study (or those of *run_indices*) from their seeds and write
    their events (see the module's docstring).

    Raises:
        ExportError: A run asked for is not an ok run of the study, a replay's digest is
            not the one stored, the format is unknown, or pyarrow is missing for parquet.
        KhasanSimError: The study or its scenario cannot be loaded, or the scenario's
            digest is not the study's.
    """
    from khasan_sim.runner.replication import Replications
    from khasan_sim.runner.study import StudyFile

    with StudyFile.open(study_path, readonly=True) as study:
        spec = study.spec
        skipped = study.counts().errors
        records = [(r.index, r.seed, r.result) for r in study.records("ok")]
    if run_indices:
        have = {i for i, _, _ in records}
        missing = sorted(set(run_indices) - have)
        if missing:
            msg = f"{study_path}: no ok run with index {', '.join(map(str, missing))} (the study has {len(records)} ok run(s))"
            raise ExportError(msg)
        records = [r for r in records if r[0] in set(run_indices)]
    source = Replications(spec.scenario_path, spec.variant_path, spec.snapshot_at, spec.scenario_digest)
    about = {"study": str(study_path), "scenario": spec.scenario, "variant": spec.variant or "", "study_seed": spec.study_seed,
             "replayed": "each run replayed from its seed; its event digest checked against the study's"}

    def runs() -> Iterator[list[dict[str, Any]]]:
        for k, (index, seed, result) in enumerate(records):
            sim = source.simulate(seed)
            digest = sim.events_digest()
            stored = (result or {}).get("events_digest")
            if digest != stored:
                msg = (
                    f"{study_path}: run {index} (seed {seed}) replays with event digest {digest[:12]}…, "
                    f"not the study's {str(stored)[:12]}…: the code or its files changed since the study was run, "
                    "so these would not be its runs' events (run the study again with this version to export them)"
                )
                raise ExportError(msg)
            if progress is not None:
                progress(k + 1, len(records))
            yield list(event_rows(sim, run_index=index))

    n = write_events(runs(), fmt, out_path, about, stdout=stdout)
    return ExportSummary(Path(str(out_path)), fmt, len(records), n, skipped, len(column_types()) if fmt == "parquet" else 0)
