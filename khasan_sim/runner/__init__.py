"""Monte Carlo studies: many seeded replications of a scenario, run in parallel and stored.

* :mod:`khasan_sim.runner.study` - the SQLite study file (header, runs, resume checks);
* :mod:`khasan_sim.runner.replication` - what a worker runs for one seed;
* :mod:`khasan_sim.runner.pool` - the local process pool and the Dask cluster path;
* :mod:`khasan_sim.runner.batch` - :func:`run_study`, which ties them together;
* :mod:`khasan_sim.runner.progress` - the progress bar or plain progress lines.
"""

from __future__ import annotations

from khasan_sim.runner.batch import StudySession, run_study, study_spec, study_tasks
from khasan_sim.runner.replication import Replications, ReplicationSource, run_replication
from khasan_sim.runner.study import RunRecord, StudyCounts, StudyFile, StudySpec, read_study

__all__ = [
    "ReplicationSource",
    "Replications",
    "RunRecord",
    "StudyCounts",
    "StudyFile",
    "StudySession",
    "StudySpec",
    "read_study",
    "run_replication",
    "run_study",
    "study_spec",
    "study_tasks",
]
