"""Salvage a damaged study: copy every intact run into a new study file.

A study file damaged on disk (bytes overwritten, a copy cut short) is refused by every
command that opens it. :func:`salvage_study` reads what it can of it, without trusting
it: the header row (without which the study's scenario and seeds are unknown and
nothing can be saved), then each replication by its index, one lookup at a time, so
that a damaged page loses the runs on it and not the rest. A run is kept when its row
reads back whole: its seed is the seed the study derives for its index, and an ``ok``
run's result is a METRICS.md document of this study's scenario. The runs kept go into a
new study with the same header; ``khasan-sim batch ... --out NEW --resume`` then runs
the ones lost.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from khasan_sim.errors import KhasanSimError, SaveFileError
from khasan_sim.runner.batch import study_tasks
from khasan_sim.runner.study import StudyFile
from khasan_sim.runner.study_checks import APPLICATION_ID
from khasan_sim.runner.study_records import RunRecord, StudySpec


@dataclass(frozen=True)
class Salvage:
    """What a salvage saved.

    Attributes:
        out: The new study file.
        requested: Replications the study asked for.
        saved_ok: Runs copied with a result.
        saved_errors: Runs copied that had raised (their errors kept).
        lost: Runs stored in the damaged file that could not be read back whole.
        missing: Replications with no run in the damaged file (never run, or lost unseen).
    """

    out: Path
    requested: int
    saved_ok: int
    saved_errors: int
    lost: int
    missing: int

    @property
    def saved(self) -> int:
        """Runs copied into the new study."""
        return self.saved_ok + self.saved_errors


def _read_spec(conn: sqlite3.Connection, path: Path) -> StudySpec:
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        row = conn.execute(
            "SELECT scenario, scenario_digest, variant, study_seed, runs_requested, code_version, "
            "params_digest, snapshot_at, scenario_path, variant_path, created FROM study WHERE id = 1"
        ).fetchone()
    except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
        msg = f"{path}: the study's header cannot be read ({exc}): its scenario and seeds are unknown, nothing can be salvaged"
        raise SaveFileError(msg) from None
    if app_id != APPLICATION_ID:
        raise SaveFileError(
            f"{path}: not a khasan-sim study file (an SQLite database of another program)"
        )
    if row is None:
        raise SaveFileError(
            f"{path}: the study's header row is lost: its scenario and seeds are unknown, nothing can be salvaged"
        )
    try:
        snapshot_at = tuple(json.loads(row[7]))
        spec = StudySpec(
            scenario=str(row[0]),
            scenario_digest=str(row[1]),
            variant=None if row[2] is None else str(row[2]),
            study_seed=int(row[3]),
            runs=int(row[4]),
            code_version=str(row[5]),
            params_digest=str(row[6]),
            snapshot_at=tuple(str(s) for s in snapshot_at),
            scenario_path=str(row[8]),
            variant_path=None if row[9] is None else str(row[9]),
            branch=_branch_text(conn),
        )
    except (TypeError, ValueError) as exc:
        raise SaveFileError(
            f"{path}: the study's header row is damaged ({exc}): nothing can be salvaged"
        ) from None
    if spec.study_seed < 0 or not 0 <= spec.runs <= 10_000_000:
        raise SaveFileError(
            f"{path}: the study's header row is damaged (seed {spec.study_seed}, runs {spec.runs}): nothing can be salvaged"
        )
    return spec


def _branch_text(conn: sqlite3.Connection) -> str | None:
    """Return the study's branch origin (None for a plain study, or one made before branch studies).

    Raises:
        ValueError: The branch origin is there but damaged (the runs' seeds are then unknown).
    """
    from khasan_sim.runner.branches import BranchOrigin

    try:
        row = conn.execute("SELECT branch FROM study WHERE id = 1").fetchone()
    except sqlite3.OperationalError:  # no branch column: a plain study of before
        return None
    except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
        raise ValueError(f"its branch origin cannot be read: {exc}") from None
    if row is None or row[0] is None:
        return None
    BranchOrigin.from_text(str(row[0]))
    return str(row[0])


def _intact(row: tuple[object, ...], spec: StudySpec) -> RunRecord | None:
    """Return the run of *row* if it reads back whole, else None."""
    index, seed, status, result, error, elapsed, worker = row
    try:
        if not isinstance(index, int) or seed != study_tasks(spec.study_seed, [index], spec.branch)[0][1]:
            return None
        if not isinstance(elapsed, (int, float)) or not isinstance(error, (str, type(None))):
            return None
        rec = RunRecord(index, int(seed), status, result, error, float(elapsed), str(worker or ""))  # type: ignore[arg-type]
        doc = rec.result
        # a branch's result carries the run's seed (the study seed); its own is the branch seed
        run_seed = seed if spec.branch is None else spec.study_seed
        if doc is not None and (doc.get("scenario") != spec.scenario or doc.get("seed") != run_seed):
            return None
    except (ValueError, TypeError, SaveFileError):
        return None
    return rec


def salvage_study(broken: str | os.PathLike[str], out: str | os.PathLike[str]) -> Salvage:
    """Copy every intact run of a damaged study into a new study file.

    Args:
        broken: The damaged study file (only read).
        out: The new study file (must not exist).

    Returns:
        What was saved and lost.

    Raises:
        SaveFileError: The file is not a study, or its header cannot be read.
        KhasanSimError: *out* exists or cannot be created.
    """
    src = Path(broken)
    if not src.is_file():
        raise SaveFileError(
            f"{src}: no such study file" if not src.exists() else f"{src}: not a regular file"
        )
    try:
        conn = sqlite3.connect(f"{src.resolve().as_uri()}?mode=ro", uri=True, timeout=5.0)
        conn.execute("PRAGMA query_only = ON")
    except sqlite3.Error as exc:
        raise SaveFileError(
            f"{src}: cannot be opened as an SQLite database ({exc}): nothing can be salvaged"
        ) from None
    kept: list[RunRecord] = []
    lost = 0
    try:
        spec = _read_spec(conn, src)
        for index in range(spec.runs):
            try:
                row = conn.execute(
                    "SELECT run_index, seed, status, result, error, elapsed, worker FROM runs WHERE run_index = ?",
                    (index,),
                ).fetchone()
            except (sqlite3.Error, UnicodeDecodeError):
                lost += 1
                continue
            if row is None:
                continue
            rec = _intact(tuple(row), spec)
            if rec is None:
                lost += 1
            else:
                kept.append(rec)
    finally:
        conn.close()
    if Path(out).exists():
        raise KhasanSimError(
            f"{out}: already exists (salvage writes a new study file: choose another --out)"
        )
    with StudyFile.create(out, spec) as new:
        new.record_runs(kept)
    ok = sum(1 for r in kept if r.status == "ok")
    return Salvage(Path(out), spec.runs, ok, len(kept) - ok, lost, spec.runs - len(kept) - lost)
