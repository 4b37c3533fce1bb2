"""The study file: one SQLite database holding a Monte Carlo study and every run's result.

A study is N replications of one scenario (or one what-if variant), replication ``i``
run with the seed :func:`khasan_sim.rng.replication_seed` ``(study_seed, i)``. The file
holds two tables::

    study  (one row)  scenario id and digest, variant, study seed, runs requested,
                      code version, parameters digest, extra snapshot times, created
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

import json
import os
import sqlite3
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from khasan_sim.errors import KhasanSimError, SaveFileError, StudyMismatchError
from khasan_sim.results import RunResult

#: Marks a SQLite file as a khasan-sim study (``PRAGMA application_id``; "KhSt").
APPLICATION_ID = 0x4B685374
#: The layout version of the study file (``PRAGMA user_version``).
FORMAT_VERSION = 1

RunStatus = Literal["ok", "error"]

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
    created         TEXT    NOT NULL    -- UTC, ISO 8601
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


@dataclass(frozen=True)
class StudySpec:
    """What a study is: the header row of the study file.

    Attributes:
        scenario: The scenario id.
        scenario_digest: The loaded scenario's digest (document, parameters, terrain).
        variant: The variant id, or None for the base scenario.
        study_seed: The seed the replication seeds are derived from.
        runs: The number of replications asked for.
        code_version: The khasan-sim version that runs them.
        params_digest: sha256 of the model parameters in force.
        snapshot_at: Extra snapshot labels every run takes (beyond day ends and the end).
        scenario_path: The scenario file the study was started from (for resuming).
        variant_path: The variant file, or None.
        created: When the study file was created (UTC, ISO 8601), or "" before.
    """

    scenario: str
    scenario_digest: str
    variant: str | None
    study_seed: int
    runs: int
    code_version: str
    params_digest: str
    snapshot_at: tuple[str, ...] = ()
    scenario_path: str = ""
    variant_path: str | None = None
    created: str = ""

    def mismatches(self, other: StudySpec) -> list[str]:
        """Return what makes *other* a different study than this one, in words.

        The runs requested, the file paths and the creation time may differ: a study
        can be extended and resumed from another folder.
        """
        out = []
        checks: list[tuple[str, Any, Any]] = [
            ("scenario", self.scenario, other.scenario),
            ("variant", self.variant, other.variant),
            ("study seed", self.study_seed, other.study_seed),
            ("scenario digest", self.scenario_digest, other.scenario_digest),
            ("parameters digest", self.params_digest, other.params_digest),
            ("code version", self.code_version, other.code_version),
            ("snapshot times", list(self.snapshot_at), list(other.snapshot_at)),
        ]
        for name, mine, theirs in checks:
            if mine != theirs:
                shown = [_short(mine), _short(theirs)]
                out.append(f"{name} {shown[0]} in the file, {shown[1]} asked for")
        return out


def _short(value: object) -> str:
    """Return *value* for a message: digests cut to 12 characters, None as 'none'."""
    if value is None:
        return "none"
    if isinstance(value, str) and len(value) == 64 and all(c in "0123456789abcdef" for c in value):
        return value[:12] + "…"
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]" if value else "none"
    return repr(value) if isinstance(value, str) else str(value)


@dataclass(frozen=True)
class RunRecord:
    """One finished replication, as stored in the ``runs`` table.

    Attributes:
        index: The replication index (0-based).
        seed: Its run seed.
        status: ``ok`` or ``error``.
        result_json: The run's result as JSON text (METRICS.md form) when ok, else None.
        error: The error text (exception and traceback) when the run raised, else None.
        elapsed: Seconds the run took in its worker.
        worker: Where it ran (``host:pid``), or "".
    """

    index: int
    seed: int
    status: RunStatus
    result_json: str | None = None
    error: str | None = None
    elapsed: float = 0.0
    worker: str = ""

    def __post_init__(self) -> None:
        if self.status not in ("ok", "error"):
            msg = f"RunRecord.status: expected 'ok' or 'error', got {self.status!r}"
            raise ValueError(msg)
        if (self.status == "ok") != (self.result_json is not None):
            msg = f"RunRecord {self.index}: an ok run needs a result and an error run none"
            raise ValueError(msg)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> RunRecord:
        """Build a record from the plain dict a worker returns (see :func:`khasan_sim.runner.replication.run_replication`)."""
        return cls(
            index=int(d["index"]),
            seed=int(d["seed"]),
            status=d["status"],
            result_json=d.get("result_json"),
            error=d.get("error"),
            elapsed=float(d.get("elapsed", 0.0)),
            worker=str(d.get("worker", "")),
        )

    @property
    def result(self) -> dict[str, Any] | None:
        """The decoded result JSON, or None for a run that raised.

        Raises:
            SaveFileError: The stored JSON is damaged.
        """
        if self.result_json is None:
            return None
        try:
            doc = json.loads(self.result_json)
        except json.JSONDecodeError as exc:
            msg = f"run {self.index}: damaged result JSON ({exc.msg})"
            raise SaveFileError(msg) from None
        if not isinstance(doc, dict):
            msg = f"run {self.index}: damaged result JSON (expected an object, got {type(doc).__name__})"
            raise SaveFileError(msg)
        return doc

    def run_result(self, where: str = "study") -> RunResult:
        """Return the result as a :class:`RunResult`.

        Raises:
            SaveFileError: The run is an error, or its stored JSON is damaged.
        """
        if self.result_json is None:
            msg = f"{where}: run {self.index} (seed {self.seed}) has no result: it raised {first_line(self.error)}"
            raise SaveFileError(msg)
        try:
            doc = self.result
        except SaveFileError as exc:
            raise SaveFileError(f"{where}: {exc}") from None
        return RunResult.from_json(doc, where=f"{where}: run {self.index}")


def first_line(text: str | None) -> str:
    """Return the last non-empty line of an error text (the exception), or ''."""
    if not text:
        return ""
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    return lines[-1] if lines else ""


@dataclass
class StudyCounts:
    """How far a study has got.

    Attributes:
        requested: Replications asked for.
        ok: Runs stored with a result.
        errors: Runs stored with an error.
    """

    requested: int
    ok: int
    errors: int

    @property
    def done(self) -> int:
        """Runs stored (ok or error)."""
        return self.ok + self.errors

    @property
    def missing(self) -> int:
        """Runs not yet stored."""
        return max(0, self.requested - self.done)


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

    # ------------------------------------------------------------ opening

    @classmethod
    def create(cls, path: str | os.PathLike[str], spec: StudySpec) -> StudyFile:
        """Create a new study file for *spec*.

        Raises:
            KhasanSimError: The file already exists or cannot be created.
        """
        p = Path(path)
        if p.exists():
            msg = f"{p}: the study file already exists (add --resume to finish it, or choose another --out)"
            raise KhasanSimError(msg)
        p.parent.mkdir(parents=True, exist_ok=True)
        created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        spec = replace(spec, created=created)
        try:
            conn = _connect(p)
            with conn:
                conn.executescript(f"PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {FORMAT_VERSION};")
            with conn:
                conn.executescript(_SCHEMA)
                conn.execute(
                    "INSERT INTO study (id, scenario, scenario_digest, variant, study_seed, runs_requested, "
                    "code_version, params_digest, snapshot_at, scenario_path, variant_path, created) "
                    "VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                    ),
                )
        except sqlite3.Error as exc:
            msg = f"{p}: cannot create the study file ({exc})"
            raise KhasanSimError(msg) from None
        return cls(p, spec, conn)

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
        if not p.is_file():
            msg = f"{p}: no such study file"
            raise SaveFileError(msg)
        try:
            conn = _connect(p, readonly=readonly)
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            msg = f"{p}: not a khasan-sim study file (expected an SQLite database: {exc})"
            raise SaveFileError(msg) from None
        if app_id != APPLICATION_ID:
            conn.close()
            msg = f"{p}: not a khasan-sim study file (an SQLite database of another program)"
            raise SaveFileError(msg)
        if version != FORMAT_VERSION:
            conn.close()
            msg = f"{p}: study file format {version} (expected {FORMAT_VERSION}; written by another khasan-sim version)"
            raise SaveFileError(msg)
        try:
            row = conn.execute(
                "SELECT scenario, scenario_digest, variant, study_seed, runs_requested, code_version, "
                "params_digest, snapshot_at, scenario_path, variant_path, created FROM study WHERE id = 1"
            ).fetchone()
        except sqlite3.DatabaseError as exc:
            conn.close()
            msg = f"{p}: damaged study file ({exc})"
            raise SaveFileError(msg) from None
        if row is None:
            conn.close()
            msg = f"{p}: damaged study file (the study row is missing)"
            raise SaveFileError(msg)
        spec = StudySpec(
            scenario=row[0],
            scenario_digest=row[1],
            variant=row[2],
            study_seed=int(row[3]),
            runs=int(row[4]),
            code_version=row[5],
            params_digest=row[6],
            snapshot_at=tuple(json.loads(row[7])),
            scenario_path=row[8],
            variant_path=row[9],
            created=row[10],
        )
        return cls(p, spec, conn)

    @classmethod
    def open_or_create(cls, path: str | os.PathLike[str], spec: StudySpec, *, resume: bool) -> StudyFile:
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
        try:
            self._conn.execute("PRAGMA journal_mode = DELETE")
        except sqlite3.Error:
            pass  # read-only, or another process has it open: it stays in WAL mode
        self._conn.close()

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
        return {row[0] for row in self._conn.execute("SELECT run_index FROM runs")}

    def missing_indices(self) -> list[int]:
        """Return the indices below the runs requested that have no stored run, ascending."""
        done = self.done_indices()
        return [i for i in range(self.spec.runs) if i not in done]

    def counts(self) -> StudyCounts:
        """Return how many runs are stored, ok and error (within the runs requested)."""
        ok = errors = 0
        for status, n in self._conn.execute(
            "SELECT status, count(*) FROM runs WHERE run_index < ? GROUP BY status", (self.spec.runs,)
        ):
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
        for index, seed, st, result, error, elapsed, worker in self._conn.execute(sql, args):
            yield RunRecord(index, seed, st, result, error, elapsed, worker)

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
        return [row[0] for row in self._conn.execute("SELECT elapsed FROM runs ORDER BY run_index")]


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

