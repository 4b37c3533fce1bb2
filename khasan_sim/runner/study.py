"""The study file: one SQLite database holding a Monte Carlo study and every run's result.

A study is N replications of one scenario (or one what-if variant), replication ``i``
run with the seed :func:`khasan_sim.rng.replication_seed` ``(study_seed, i)``. The file
holds two tables::

    study  (one row)  scenario id and digest, variant, study seed, runs requested,
                      code version, parameters digest, extra snapshot times, created
                      and, for a branch study, where its runs branch from
    runs   (a row per finished replication)
                      run_index, seed, status ('ok' or 'error'), result (the run's
                      METRICS.md JSON), error (text), elapsed (s), worker

Runs are written as they finish, one transaction per batch, in WAL mode: a study that
is interrupted (Ctrl-C, a killed process, a crashed worker) leaves a consistent file
whose finished runs are all there and whose unfinished ones are simply absent.
Resuming runs only the missing indices; a run index is never stored twice (an ``ok``
result may replace an ``error`` one when errors are retried, never the reverse).

The file can be read with any SQLite client, e.g.
``sqlite3 study.sqlite "select run_index, json_extract(result, '$.events') from runs"``.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from khasan_sim.errors import KhasanSimError, SaveFileError, StudyMismatchError
from khasan_sim.results import RunResult
from khasan_sim.runner.study_checks import (
    APPLICATION_ID,
    FORMAT_VERSION,
    damaged,
    run_record,
    unlock,
    verified_spec,
    writer_lock,
)
from khasan_sim.runner.study_records import RunRecord, RunStatus, StudyCounts, StudySpec, first_line

__all__ = [
    "APPLICATION_ID",
    "FORMAT_VERSION",
    "RunRecord",
    "RunStatus",
    "StudyCounts",
    "StudyFile",
    "StudySpec",
    "check_study",
    "first_line",
    "read_study",
]

_SCHEMA = """
CREATE TABLE study (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    scenario        TEXT    NOT NULL,
    scenario_digest TEXT    NOT NULL,
    variant         TEXT,
    study_seed      INTEGER NOT NULL CHECK (study_seed >= 0),
    runs_requested  INTEGER NOT NULL CHECK (runs_requested >= 0),
    code_version    TEXT    NOT NULL,
    params_digest   TEXT    NOT NULL,
    snapshot_at     TEXT    NOT NULL,   -- JSON list of extra snapshot labels
    scenario_path   TEXT    NOT NULL,
    variant_path    TEXT,
    created         TEXT    NOT NULL,   -- UTC, ISO 8601
    branch          TEXT                -- branch studies: where the runs branch from (JSON)
);
CREATE TABLE runs (
    run_index INTEGER PRIMARY KEY CHECK (run_index >= 0),
    seed      INTEGER NOT NULL,
    status    TEXT    NOT NULL CHECK (status IN ('ok', 'error')),
    result    TEXT,                     -- the run's JSON (METRICS.md) when ok
    error     TEXT,                     -- the exception and traceback when error
    elapsed   REAL    NOT NULL,         -- seconds the run took in its worker
    worker    TEXT    NOT NULL DEFAULT '',
    CHECK ((status = 'ok') = (result IS NOT NULL))
);
"""


@dataclass
class StudyFile:
    """An open study file.

    Create one with :meth:`create`, open one with :meth:`open`, or do either with
    :meth:`open_or_create`. Use as a context manager, or call :meth:`close`.

    Attributes:
        path: The file.
        spec: The study's header.
    """

    path: Path
    spec: StudySpec
    _conn: sqlite3.Connection = field(repr=False)
    _lock: Any = field(default=None, repr=False)

    # ------------------------------------------------------------ opening

    @classmethod
    def create(cls, path: str | os.PathLike[str], spec: StudySpec) -> StudyFile:
        """Create a new study file for *spec*.

        Raises:
            KhasanSimError: The file already exists or cannot be created.
        """
        p = Path(path)
        if p.is_dir():
            msg = f"{p}: is a folder (expected the path of a study file, e.g. {p / 'study.sqlite'})"
            raise KhasanSimError(msg)
        if p.exists():
            msg = f"{p}: the study file already exists (add --resume to finish it, or choose another --out)"
            raise KhasanSimError(msg)
        from khasan_sim.io import OutputError, check_writable

        check_writable(p)
        try:
            p.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(
                f"{p}: cannot create the study file here ({exc.strerror or exc})"
            ) from None
        created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        spec = replace(spec, created=created)
        lock = None
        try:
            conn = _connect(p)
            lock = writer_lock(p)
            with conn:
                conn.executescript(
                    f"PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {FORMAT_VERSION};"
                )
            with conn:
                conn.executescript(_SCHEMA)
                conn.execute(
                    "INSERT INTO study (id, scenario, scenario_digest, variant, study_seed, runs_requested, "
                    "code_version, params_digest, snapshot_at, scenario_path, variant_path, created, branch) "
                    "VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        spec.scenario,
                        spec.scenario_digest,
                        spec.variant,
                        spec.study_seed,
                        spec.runs,
                        spec.code_version,
                        spec.params_digest,
                        json.dumps(list(spec.snapshot_at)),
                        spec.scenario_path,
                        spec.variant_path,
                        spec.created,
                        spec.branch,
                    ),
                )
        except sqlite3.Error as exc:
            unlock(lock)
            msg = f"{p}: cannot create the study file ({exc})"
            raise KhasanSimError(msg) from None
        return cls(p, spec, conn, lock)

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, readonly: bool = False) -> StudyFile:
        """Open an existing study file.

        Args:
            path: The file.
            readonly: Open for reading only (export, compare).

        Raises:
            SaveFileError: The file is missing, not SQLite, or not a khasan-sim study.
        """
        p = Path(path)
        if p.is_dir():
            msg = f"{p}: is a folder, not a study file"
            raise SaveFileError(msg)
        if not p.is_file():
            msg = (
                f"{p}: no such study file"
                if not p.exists()
                else f"{p}: not a regular file (a device or a pipe), not a study file"
            )
            raise SaveFileError(msg)
        lock = None if readonly else writer_lock(p)
        conn: sqlite3.Connection | None = None
        try:
            try:
                conn = _connect(p, readonly=readonly)
            except sqlite3.DatabaseError as exc:
                msg = f"{p}: not a khasan-sim study file (expected an SQLite database: {exc})"
                raise SaveFileError(msg) from None
            spec = verified_spec(conn, p)
        except BaseException:
            if conn is not None:
                conn.close()
            unlock(lock)
            raise
        return cls(p, spec, conn, lock)

    @classmethod
    def open_or_create(
        cls, path: str | os.PathLike[str], spec: StudySpec, *, resume: bool
    ) -> StudyFile:
        """Open the study file for *spec*, creating it if needed.

        Args:
            path: The file.
            spec: The study asked for.
            resume: Finish an existing file. Without it, an existing file is an error.

        Returns:
            The open file. When resuming with more runs than the file asked for, the
            study is extended to ``spec.runs``.

        Raises:
            KhasanSimError: The file exists and *resume* is False.
            StudyMismatchError: The file holds another study (scenario, variant, seed,
                digests, code version or snapshot times differ), or fewer runs are
                asked for than it already requested.
        """
        p = Path(path)
        if not p.exists() or not resume:
            return cls.create(p, spec)
        study = cls.open(p)
        try:
            study.check_resume(spec)
        except BaseException:
            study.close()
            raise
        if spec.runs > study.spec.runs:
            study.extend(spec.runs)
        return study

    def check_resume(self, spec: StudySpec) -> None:
        """Raise :class:`StudyMismatchError` unless *spec* is the study in this file."""
        problems = self.spec.mismatches(spec)
        if problems:
            msg = f"{self.path}: holds another study ({'; '.join(problems)}); start a new study with another --out"
            raise StudyMismatchError(msg)
        if spec.runs < self.spec.runs:
            msg = (
                f"{self.path}: the study asked for {self.spec.runs} runs; --runs {spec.runs} would shrink it "
                f"(omit --runs, or give at least {self.spec.runs})"
            )
            raise StudyMismatchError(msg)

    def extend(self, runs: int) -> None:
        """Raise the number of runs requested to *runs* (replications keep their seeds)."""
        if runs < self.spec.runs:
            msg = f"{self.path}: cannot shrink a study from {self.spec.runs} to {runs} runs"
            raise StudyMismatchError(msg)
        with self._conn:
            self._conn.execute("UPDATE study SET runs_requested = ? WHERE id = 1", (runs,))
        self.spec = replace(self.spec, runs=runs)

    def close(self) -> None:
        """Close the file: the WAL is checkpointed into the database and, when no one
        else has the file open, the file is left as one plain database (no -wal or -shm
        beside it for a reader to find, or for a user to wonder about)."""
        with contextlib.suppress(
            sqlite3.Error
        ):  # read-only, or another process has it open: it stays in WAL mode
            self._conn.execute("PRAGMA journal_mode = DELETE")
        self._conn.close()
        unlock(self._lock)
        self._lock = None

    def __enter__(self) -> StudyFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ writing

    def record_runs(self, records: Sequence[RunRecord]) -> int:
        """Store finished runs in one transaction.

        A run index already stored ``ok`` is left as it is (a run is never counted
        twice); an ``error`` row is replaced by a newer record of the same index.

        Returns:
            The number of rows written.
        """
        if not records:
            return 0
        rows = [
            (
                r.index,
                r.seed,
                r.status,
                r.result_json,
                r.error,
                float(r.elapsed),
                r.worker,
            )
            for r in records
        ]
        before = self._conn.total_changes
        with self._conn:
            self._conn.executemany(
                "INSERT INTO runs (run_index, seed, status, result, error, elapsed, worker) VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (run_index) DO UPDATE SET seed = excluded.seed, status = excluded.status, "
                "result = excluded.result, error = excluded.error, elapsed = excluded.elapsed, worker = excluded.worker "
                "WHERE runs.status = 'error'",
                rows,
            )
        return self._conn.total_changes - before

    def forget_errors(self) -> int:
        """Delete the runs that raised, so that a resume runs them again; return how many."""
        with self._conn:
            cur = self._conn.execute("DELETE FROM runs WHERE status = 'error'")
        return cur.rowcount

    # ------------------------------------------------------------ reading

    def done_indices(self) -> set[int]:
        """Return the indices of the runs stored (ok or error)."""
        try:
            return {row[0] for row in self._conn.execute("SELECT run_index FROM runs")}
        except (sqlite3.Error, UnicodeDecodeError) as exc:
            raise SaveFileError(damaged(self.path, str(exc))) from None

    def missing_indices(self) -> list[int]:
        """Return the indices below the runs requested that have no stored run, ascending."""
        done = self.done_indices()
        return [i for i in range(self.spec.runs) if i not in done]

    def counts(self) -> StudyCounts:
        """Return how many runs are stored, ok and error (within the runs requested)."""
        ok = errors = 0
        try:
            rows = self._conn.execute(
                "SELECT status, count(*) FROM runs WHERE run_index < ? GROUP BY status",
                (self.spec.runs,),
            ).fetchall()
        except (sqlite3.Error, UnicodeDecodeError) as exc:
            raise SaveFileError(damaged(self.path, str(exc))) from None
        for status, n in rows:
            if status == "ok":
                ok = n
            else:
                errors = n
        return StudyCounts(self.spec.runs, ok, errors)

    def records(self, status: RunStatus | None = None) -> Iterator[RunRecord]:
        """Yield the stored runs (within the runs requested) in index order.

        Args:
            status: Only runs with this status, or all.
        """
        sql = "SELECT run_index, seed, status, result, error, elapsed, worker FROM runs WHERE run_index < ?"
        args: tuple[Any, ...] = (self.spec.runs,)
        if status is not None:
            sql += " AND status = ?"
            args = (self.spec.runs, status)
        sql += " ORDER BY run_index"
        try:
            for row in self._conn.execute(sql, args):
                yield run_record(row, self.path)
        except (sqlite3.Error, UnicodeDecodeError) as exc:
            raise SaveFileError(damaged(self.path, str(exc))) from None

    def results(self) -> list[RunResult]:
        """Return the results of the ok runs, in index order.

        Raises:
            SaveFileError: A stored result is damaged.
        """
        return [r.run_result(str(self.path)) for r in self.records("ok")]

    def errors(self) -> list[RunRecord]:
        """Return the runs that raised, in index order."""
        return list(self.records("error"))

    def elapsed(self) -> list[float]:
        """Return the seconds each stored run took in its worker, in index order."""
        try:
            return [
                row[0] for row in self._conn.execute("SELECT elapsed FROM runs ORDER BY run_index")
            ]
        except (sqlite3.Error, UnicodeDecodeError) as exc:
            raise SaveFileError(damaged(self.path, str(exc))) from None


def check_study(path: str | os.PathLike[str]) -> StudySpec:
    """Open a study file read-only, check it (integrity, version, tables) and return its header.

    Raises:
        SaveFileError: The file is missing, not a study, damaged, or of another version.
    """
    with StudyFile.open(path, readonly=True) as study:
        return study.spec


def _connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    """Open an SQLite connection in WAL mode with the study file's settings."""
    if readonly:
        # Read-only: no journal-mode change (a write); the WAL is still read if present.
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30.0)
        conn.execute("PRAGMA query_only = ON")
        return conn
    conn = sqlite3.connect(path, timeout=30.0)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    return conn


def read_study(path: str | os.PathLike[str]) -> tuple[StudySpec, list[RunResult], list[RunRecord]]:
    """Read a study file: its header, the ok runs' results and the runs that raised.

    Raises:
        SaveFileError: The file is missing, not a study, or damaged.
    """
    with StudyFile.open(path, readonly=True) as study:
        return study.spec, study.results(), study.errors()
