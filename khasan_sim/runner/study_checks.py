"""Opening a study file safely: its integrity, layout and header checked, one writer at a time.

A study file is checked when opened (:func:`verified_spec`): SQLite's ``quick_check``,
the application id and format version, both tables with their columns, and a header
row whose fields have their types. A damaged file gets one message that says what is
wrong and how to save its intact runs (``khasan-sim study salvage``). A writer (a
batch, a resume) holds an advisory lock on the file (:func:`writer_lock`), so a second
writer is refused at once instead of running the same replications again.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from khasan_sim.errors import SaveFileError, StudyBusyError
from khasan_sim.runner.study_records import RunRecord, StudySpec

#: Marks a SQLite file as a khasan-sim study (``PRAGMA application_id``; "KhSt").
APPLICATION_ID = 0x4B685374
#: The layout version of the study file (``PRAGMA user_version``).
FORMAT_VERSION = 1

_COLUMNS: dict[str, set[str]] = {
    "study": {
        "id",
        "scenario",
        "scenario_digest",
        "variant",
        "study_seed",
        "runs_requested",
        "code_version",
        "params_digest",
        "snapshot_at",
        "scenario_path",
        "variant_path",
        "created",
    },
    "runs": {"run_index", "seed", "status", "result", "error", "elapsed", "worker"},
}


_BAD_RUNS = """
SELECT run_index, CASE
    WHEN typeof(run_index) != 'integer' OR typeof(seed) != 'integer' THEN 'its index or seed is not a whole number'
    WHEN status NOT IN ('ok', 'error') THEN 'its status is neither ok nor error'
    WHEN (status = 'ok') != (result IS NOT NULL) THEN 'its status and its result disagree'
    WHEN typeof(elapsed) NOT IN ('real', 'integer') THEN 'its time is not a number'
    WHEN result IS NOT NULL AND (typeof(result) != 'text' OR NOT json_valid(result)) THEN 'its result is not valid JSON'
    WHEN result IS NOT NULL AND json_type(result) != 'object' THEN 'its result is not a JSON object'
    WHEN error IS NOT NULL AND typeof(error) != 'text' THEN 'its error is not text'
END AS problem
FROM runs
WHERE problem IS NOT NULL
ORDER BY run_index
LIMIT 1
"""
"""The first run row that is damaged, and how (checked in SQLite, without reading the results into Python)."""


def damaged(path: Path, why: str) -> str:
    """The message for a damaged study: what is wrong (on one line) and how to save its intact runs."""
    why = "; ".join(
        part.strip()
        for part in why.replace("*** in database main ***", "").splitlines()
        if part.strip()
    )
    return (
        f"{path}: damaged study file ({why}); `khasan-sim study salvage {path} --out NEW.sqlite` "
        "copies its intact runs into a new study"
    )


def verified_spec(conn: sqlite3.Connection, p: Path) -> StudySpec:
    """Check an open study file (SQLite, integrity, application, version, tables) and read its header.

    Raises:
        SaveFileError: The file is not a study, is damaged, or was written by another version.
    """
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        msg = f"{p}: not a khasan-sim study file (expected an SQLite database: {exc})"
        raise SaveFileError(msg) from None
    if app_id != APPLICATION_ID:
        msg = f"{p}: not a khasan-sim study file (an SQLite database of another program)"
        raise SaveFileError(msg)
    if version != FORMAT_VERSION:
        msg = f"{p}: study file format {version} (expected {FORMAT_VERSION}; written by another khasan-sim version)"
        raise SaveFileError(msg)
    try:
        problems = [r[0] for r in conn.execute("PRAGMA quick_check(3)").fetchall()]
    except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
        raise SaveFileError(damaged(p, str(exc))) from None
    if problems != ["ok"]:
        raise SaveFileError(
            damaged(p, "SQLite's integrity check: " + "; ".join(map(str, problems)))
        )
    study_columns: set[str] = set()
    try:
        for table, wanted in _COLUMNS.items():
            have = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
            if table == "study":
                study_columns = have
            if not have:
                raise SaveFileError(damaged(p, f"the {table} table is missing"))
            if wanted - have:
                raise SaveFileError(
                    damaged(
                        p, f"the {table} table has no column {', '.join(sorted(wanted - have))}"
                    )
                )
        row = conn.execute(
            "SELECT scenario, scenario_digest, variant, study_seed, runs_requested, code_version, "
            "params_digest, snapshot_at, scenario_path, variant_path, created, "
            # studies made before branch studies have no branch column: plain studies
            + ("branch" if "branch" in study_columns else "NULL")
            + " FROM study WHERE id = 1"
        ).fetchone()
        bad = conn.execute(_BAD_RUNS).fetchone()
    except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
        raise SaveFileError(damaged(p, str(exc))) from None
    if row is None:
        raise SaveFileError(damaged(p, "the study row is missing"))
    if bad is not None:
        raise SaveFileError(damaged(p, f"run {bad[0]!r} is damaged: {bad[1]}"))
    try:
        snapshot_at = json.loads(row[7])
        if not isinstance(snapshot_at, list) or not all(isinstance(s, str) for s in snapshot_at):
            raise ValueError("snapshot_at is not a list of times")
        texts = (row[0], row[1], row[5], row[6], row[8], row[10])
        if not all(isinstance(v, str) for v in texts) or not all(
            isinstance(v, (str, type(None))) for v in (row[2], row[9])
        ):
            raise ValueError("a text field holds another type")
        if not all(
            isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in (row[3], row[4])
        ):
            raise ValueError("the seed or the runs requested is not a whole number >= 0")
        if row[11] is not None:
            from khasan_sim.runner.branches import BranchOrigin

            if not isinstance(row[11], str):
                raise ValueError("the branch origin is not text")
            BranchOrigin.from_text(row[11])
    except (ValueError, TypeError) as exc:
        raise SaveFileError(damaged(p, f"the study row is damaged: {exc}")) from None
    return StudySpec(
        scenario=row[0],
        scenario_digest=row[1],
        variant=row[2],
        study_seed=int(row[3]),
        runs=int(row[4]),
        code_version=row[5],
        params_digest=row[6],
        snapshot_at=tuple(snapshot_at),
        scenario_path=row[8],
        variant_path=row[9],
        created=row[10],
        branch=row[11],
    )


def run_record(row: Sequence[Any], path: Path) -> RunRecord:
    """Build a RunRecord from a row of the runs table, refusing a damaged row."""
    index, seed, status, result, error, elapsed, worker = row
    try:
        if (
            not isinstance(index, int)
            or not isinstance(seed, int)
            or not isinstance(elapsed, (int, float))
        ):
            raise ValueError("a number field holds another type")
        if not isinstance(result, (str, type(None))) or not isinstance(error, (str, type(None))):
            raise ValueError("a text field holds another type")
        return RunRecord(index, seed, status, result, error, float(elapsed), str(worker or ""))
    except (ValueError, TypeError) as exc:
        raise SaveFileError(damaged(path, f"run {index!r} is damaged: {exc}")) from None


def writer_lock(path: Path) -> Any:
    """Take the one-writer lock of a study file; return the handle to release with :func:`_unlock`.

    The lock is an advisory ``flock`` on the database file itself (SQLite's own locks are
    byte-range locks, which do not interact with it), so nothing is left beside the study.
    A reader (compare, export) takes no lock.

    Raises:
        StudyBusyError: Another process is writing the study.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: SQLite's own locking only
        return None
    fh = open(path, "rb")  # noqa: SIM115 - held until the study is closed
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        fh.close()
        msg = (
            f"{path}: another khasan-sim is writing this study now (a batch or --resume still running); "
            "wait for it to finish, or stop it, then resume"
        )
        raise StudyBusyError(msg) from None
    return fh


def unlock(lock: Any) -> None:
    if lock is not None:
        lock.close()  # closing the file releases its flock
