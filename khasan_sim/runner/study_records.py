"""The records of a study file: its header (:class:`StudySpec`), a run (:class:`RunRecord`), its counts."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from khasan_sim.errors import SaveFileError
from khasan_sim.results import RunResult

RunStatus = Literal["ok", "error"]


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
        branch: For a branch study, where its runs branch from (the JSON text of a
            :class:`khasan_sim.runner.branches.BranchOrigin`); None for a plain study.
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
    branch: str | None = None

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
        if self.branch != other.branch:
            out.extend(_branch_mismatch(self.branch, other.branch))
        for name, mine, theirs in checks:
            if mine != theirs:
                shown = [_short(mine), _short(theirs)]
                out.append(f"{name} {shown[0]} in the file, {shown[1]} asked for")
        return out


def _branch_mismatch(mine: str | None, theirs: str | None) -> list[str]:
    """Return how two studies' branch origins differ, in words (none if only the save moved)."""
    from khasan_sim.runner.branches import BranchOrigin

    def words(text: str | None) -> str:
        return "none (a plain study)" if text is None else BranchOrigin.from_text(text).describe()

    try:
        if mine is not None and theirs is not None and BranchOrigin.from_text(mine).same_study() == BranchOrigin.from_text(theirs).same_study():
            return []
        return [f"branch origin {words(mine)} in the file, {words(theirs)} asked for"]
    except (ValueError, TypeError):
        return ["branch origin damaged in the file"]


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
