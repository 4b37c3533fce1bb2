"""A study file read for analysis: :func:`load_study` and :class:`LoadedStudy`.

Re-exported by :mod:`khasan_sim.analysis.compare`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from khasan_sim.results import RunResult
from khasan_sim.runner.study import RunRecord, StudyFile, StudySpec


@dataclass
class LoadedStudy:
    """A study file read for analysis.

    Attributes:
        path: The study file.
        spec: Its header.
        runs: ``(run index, result)`` of the runs with a result, in index order.
        failed: The runs that raised.
    """

    path: Path
    spec: StudySpec
    runs: list[tuple[int, RunResult]]
    failed: list[RunRecord] = field(default_factory=list)

    @property
    def results(self) -> list[RunResult]:
        """The results, in index order."""
        return [r for _, r in self.runs]

    @property
    def missing(self) -> int:
        """Replications requested and not stored."""
        return max(0, self.spec.runs - len(self.runs) - len(self.failed))


def load_study(path: str | Path) -> LoadedStudy:
    """Read a study file for analysis.

    Raises:
        SaveFileError: The file is missing, not a study, or damaged.
    """
    with StudyFile.open(path, readonly=True) as study:
        runs = [(rec.index, rec.run_result(str(study.path))) for rec in study.records("ok")]
        return LoadedStudy(Path(path), study.spec, runs, study.errors())
