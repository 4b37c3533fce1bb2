"""Export a study's runs: JSONL (one result per line), CSV or Parquet (one row per run and snapshot).

* **jsonl** - each run's result in the METRICS.md JSON form on one line, in run order,
  with two more keys for the study: ``run_index`` is added to ``meta``.
* **csv** - a header, then one row per run and snapshot time: ``run_index``, ``seed``,
  ``scenario``, ``variant``, ``snapshot``, ``events``, then one column per metric (the
  union of the metrics of every snapshot, sorted). A metric a snapshot lacks, and a
  ``null`` (nobody holds the zone; never reached), is an empty cell.
* **parquet** - the same table, typed: whole-number columns as int64, other numbers as
  float64, side names as strings, missing values as nulls. Needs pyarrow.

Runs that raised are not exported (they have no result); :class:`ExportSummary` says
how many were left out. Files are written to a temporary file beside the target and
renamed over it, so a reader never sees half a file.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from khasan_sim.errors import KhasanSimError
from khasan_sim.runner.study import StudyFile

FORMATS: tuple[str, ...] = ("jsonl", "csv", "parquet")
#: The columns before the metrics in CSV and Parquet.
ROW_COLUMNS: tuple[str, ...] = ("run_index", "seed", "scenario", "variant", "snapshot", "events")


class ExportError(KhasanSimError):
    """The export cannot be written (unknown format, pyarrow missing, unwritable path)."""


@dataclass(frozen=True)
class ExportSummary:
    """What an export wrote.

    Attributes:
        path: The file written.
        format: ``jsonl``, ``csv`` or ``parquet``.
        runs: Runs exported.
        rows: Lines or rows written (not counting a header).
        skipped_errors: Runs left out because they raised.
        columns: Columns of the table (CSV, Parquet), 0 for JSONL.
    """

    path: Path
    format: str
    runs: int
    rows: int
    skipped_errors: int
    columns: int = 0


@contextlib.contextmanager
def _atomic_file(path: Path, mode: str, **kwargs: Any) -> Iterator[Any]:
    """Open a temporary file beside *path*; on success rename it over *path*."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        with open(tmp, mode, **kwargs) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if os.name == "posix":  # the rename survives a crash (best effort)
        with contextlib.suppress(OSError):
            dfd = os.open(path.parent, os.O_RDONLY)
            try:
                os.fsync(dfd)
            finally:
                os.close(dfd)


def _runs(study: StudyFile) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(run index, result JSON)`` of the ok runs in index order."""
    for rec in study.records("ok"):
        doc = rec.result
        assert doc is not None
        yield rec.index, doc


def write_jsonl(study: StudyFile, out: TextIO) -> tuple[int, int]:
    """Write one result per line; return (runs, lines)."""
    n = 0
    for index, doc in _runs(study):
        doc = dict(doc)
        doc["meta"] = {**(doc.get("meta") or {}), "run_index": index}
        out.write(json.dumps(doc, separators=(",", ":"), ensure_ascii=False, allow_nan=False))
        out.write("\n")
        n += 1
    return n, n


def table_rows(study: StudyFile) -> tuple[list[str], list[dict[str, Any]]]:
    """Return (metric names, rows): one row per run and snapshot, in run then time order."""
    rows: list[dict[str, Any]] = []
    metrics: set[str] = set()
    for index, doc in _runs(study):
        for label, snap in doc["snapshots"].items():
            metrics.update(snap)
            rows.append(
                {
                    "run_index": index,
                    "seed": doc["seed"],
                    "scenario": doc["scenario"],
                    "variant": doc["variant"],
                    "snapshot": label,
                    "events": doc["events"],
                    **snap,
                }
            )
    return sorted(metrics), rows


def _cell(value: Any) -> Any:
    """Return a CSV cell: empty for None, the value otherwise."""
    return "" if value is None else value


def write_csv(study: StudyFile, out: TextIO) -> tuple[int, int, int]:
    """Write the table as CSV; return (runs, rows, columns)."""
    metrics, rows = table_rows(study)
    columns = [*ROW_COLUMNS, *metrics]
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return len({r["run_index"] for r in rows}), len(rows), len(columns)


def _column_type(values: list[Any]) -> str:
    """Return ``int64``, ``float64`` or ``string`` for a column's values (None ignored)."""
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return "int64"
    if present and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
        return "float64"
    if not present:
        return "float64"
    return "string"


def parquet_table(study: StudyFile) -> Any:
    """Return the table as a ``pyarrow.Table``.

    Raises:
        ExportError: pyarrow is not installed.
    """
    try:
        import pyarrow as pa
    except ImportError:
        msg = "parquet export needs pyarrow: pip install pyarrow (or choose --format csv or jsonl)"
        raise ExportError(msg) from None
    metrics, rows = table_rows(study)
    arrays = {}
    for name in [*ROW_COLUMNS, *metrics]:
        values = [r.get(name) for r in rows]
        kind = "string" if name in ("scenario", "variant", "snapshot") else _column_type(values)
        if kind == "string":
            values = [None if v is None else str(v) for v in values]
            arrays[name] = pa.array(values, type=pa.string())
        elif kind == "int64":
            arrays[name] = pa.array(values, type=pa.int64())
        else:
            arrays[name] = pa.array([None if v is None else float(v) for v in values], type=pa.float64())
    table = pa.table(arrays)
    meta = {
        b"khasan_sim.scenario": study.spec.scenario.encode(),
        b"khasan_sim.variant": (study.spec.variant or "").encode(),
        b"khasan_sim.study_seed": str(study.spec.study_seed).encode(),
        b"khasan_sim.scenario_digest": study.spec.scenario_digest.encode(),
    }
    return table.replace_schema_metadata({**(table.schema.metadata or {}), **meta})


def export_study(
    study_path: str | os.PathLike[str],
    fmt: str,
    out_path: str | os.PathLike[str],
    stdout: TextIO | None = None,
) -> ExportSummary:
    """Export the runs of a study file.

    Args:
        study_path: The study file.
        fmt: ``jsonl``, ``csv`` or ``parquet``.
        out_path: The file to write (``-`` writes JSONL or CSV to standard output).
        stdout: The stream used for ``-`` (default ``sys.stdout``).

    Returns:
        What was written.

    Raises:
        ExportError: Unknown format, pyarrow missing for parquet, or parquet to ``-``.
        SaveFileError: The study file is missing or damaged.
    """
    if fmt not in FORMATS:
        msg = f"unknown export format {fmt!r} (expected one of {', '.join(FORMATS)})"
        raise ExportError(msg)
    to_stdout = str(out_path) == "-"
    if to_stdout and fmt == "parquet":
        msg = "parquet cannot go to standard output: give --out FILE.parquet"
        raise ExportError(msg)
    with StudyFile.open(study_path, readonly=True) as study:
        skipped = study.counts().errors
        if fmt == "parquet":
            table = parquet_table(study)
            import pyarrow.parquet as pq

            out = Path(out_path)
            with _atomic_file(out, "wb") as fh:
                pq.write_table(table, fh, compression="zstd")
            runs = len(set(table.column("run_index").to_pylist()))
            return ExportSummary(out, fmt, runs, table.num_rows, skipped, table.num_columns)
        if to_stdout:
            stream = stdout if stdout is not None else sys.stdout
            counts = write_jsonl(study, stream) if fmt == "jsonl" else write_csv(study, stream)
            stream.flush()
            out = Path("-")
        else:
            out = Path(out_path)
            with _atomic_file(out, "w", encoding="utf-8", newline="") as fh:
                counts = write_jsonl(study, fh) if fmt == "jsonl" else write_csv(study, fh)
        columns = counts[2] if len(counts) == 3 else 0
        return ExportSummary(out, fmt, counts[0], counts[1], skipped, columns)
