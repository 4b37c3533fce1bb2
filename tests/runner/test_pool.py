"""Tests of running a study: worker counts, killed workers, errors, Ctrl-C, resume and Dask.

The runs are synthetic (a pure function of the seed, see synthetic_runs.py) so that each
pool test takes about a second; test_real_runs.py does the same with the simulation.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from synthetic_runs import SyntheticReplications, synthetic_result

from khasan_sim.rng import replication_seed
from khasan_sim.runner.batch import run_study, study_tasks
from khasan_sim.runner.study import StudyFile, StudySpec

SPEC = StudySpec(
    scenario="tiny",
    scenario_digest="a" * 64,
    variant=None,
    study_seed=11,
    runs=24,
    code_version="0.1.0",
    params_digest="b" * 64,
)


def stored(path) -> list[tuple[int, int, str, str | None]]:
    """Return (index, seed, status, result JSON) of every stored run."""
    with StudyFile.open(path, readonly=True) as study:
        return [(r.index, r.seed, r.status, r.result_json) for r in study.records()]


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    """The study run in one go with one worker: the reference."""
    path = tmp_path_factory.mktemp("ref") / "ref.sqlite"
    with StudyFile.create(path, SPEC) as study:
        session = run_study(study, SyntheticReplications(seconds=0.002), workers=1)
    assert session.complete and session.ok == SPEC.runs and session.errors == 0
    return stored(path)


def test_each_replication_has_the_seed_derived_from_the_study_seed(uninterrupted):
    assert [(i, s) for i, s, _, _ in uninterrupted] == [(i, replication_seed(11, i)) for i in range(24)]
    assert study_tasks(11, [3, 5]) == [(3, replication_seed(11, 3)), (5, replication_seed(11, 5))]
    # the stored result is the run of that seed
    import json

    for _, seed, _, text in uninterrupted[:3]:
        assert json.loads(text) == synthetic_result(seed)


def test_results_do_not_depend_on_the_worker_count(tmp_path, uninterrupted):
    path = tmp_path / "two.sqlite"
    with StudyFile.create(path, SPEC) as study:
        session = run_study(study, SyntheticReplications(seconds=0.002), workers=2, commit_every=5)
    assert session.workers == 2 and session.backend == "local"
    assert stored(path) == uninterrupted


def test_a_killed_worker_stops_the_study_and_resume_gives_the_same_results(tmp_path, uninterrupted):
    path = tmp_path / "killed.sqlite"
    victim = replication_seed(11, 9)
    source = SyntheticReplications(kill_seed=victim, kill_marker=tmp_path / "killed-once", seconds=0.01)
    with StudyFile.create(path, SPEC) as study:
        session = run_study(study, source, workers=2)
    assert session.lost is not None
    assert "worker process died" in str(session.lost)
    assert 9 in session.lost.unfinished
    assert not session.complete
    partial = stored(path)
    assert 0 < len(partial) < SPEC.runs
    assert all(row in uninterrupted for row in partial)  # what was stored is right

    with StudyFile.open_or_create(path, SPEC, resume=True) as study:
        session = run_study(study, source, workers=2)
    assert session.lost is None and session.complete
    assert session.ok == SPEC.runs - len(partial)  # no run done twice
    assert stored(path) == uninterrupted


def test_a_worker_that_raises_records_the_error_and_the_study_goes_on(tmp_path, uninterrupted):
    path = tmp_path / "errors.sqlite"
    bad = {replication_seed(11, 2), replication_seed(11, 17)}
    with StudyFile.create(path, SPEC) as study:
        session = run_study(study, SyntheticReplications(fail_seeds=bad), workers=2)
        assert session.complete
        assert (session.ok, session.errors) == (22, 2)
        assert sorted(r.index for r in session.new_errors) == [2, 17]
        errors = study.errors()
        assert [e.index for e in errors] == [2, 17]
        assert "ValueError: synthetic failure for seed" in errors[0].error
        assert "Traceback" in errors[0].error
        assert errors[0].worker
    rows = stored(path)
    assert [r for r in rows if r[2] == "ok"] == [r for r in uninterrupted if r[0] not in (2, 17)]

    # Retrying the errors (they now pass) completes the study as if they never failed.
    with StudyFile.open_or_create(path, SPEC, resume=True) as study:
        assert study.forget_errors() == 2
        session = run_study(study, SyntheticReplications(), workers=1)
        assert session.ok == 2
    assert stored(path) == uninterrupted


class InterruptAfter:
    """A progress receiver that raises KeyboardInterrupt (as Ctrl-C does) after some runs."""

    def __init__(self, runs: int) -> None:
        self.runs = runs
        self.seen = 0
        self.stopped = False

    def start(self, total: int, already: int) -> None:
        self.total = total

    def advance(self, ok: int, errors: int) -> None:
        self.seen += ok + errors
        if self.seen == self.runs:
            raise KeyboardInterrupt

    def stop(self) -> None:
        self.stopped = True


def test_ctrl_c_keeps_the_finished_runs_and_resume_finishes_the_rest(tmp_path, uninterrupted):
    path = tmp_path / "ctrl-c.sqlite"
    progress = InterruptAfter(7)
    with StudyFile.create(path, SPEC) as study:
        session = run_study(study, SyntheticReplications(seconds=0.01), workers=2, progress=progress, commit_every=3)
    assert session.interrupted and progress.stopped
    partial = stored(path)
    assert len(partial) == 7  # every run received was stored, none half-way
    assert all(row in uninterrupted for row in partial)
    with StudyFile.open_or_create(path, SPEC, resume=True) as study:
        session = run_study(study, SyntheticReplications(), workers=2)
    assert session.ok == SPEC.runs - 7
    assert stored(path) == uninterrupted


def test_an_extended_study_keeps_its_first_runs(tmp_path, uninterrupted):
    path = tmp_path / "grow.sqlite"
    small = replace(SPEC, runs=10)
    with StudyFile.create(path, small) as study:
        run_study(study, SyntheticReplications(), workers=1)
    with StudyFile.open_or_create(path, SPEC, resume=True) as study:
        session = run_study(study, SyntheticReplications(), workers=2)
    assert session.ok == 14
    assert stored(path) == uninterrupted


def test_nothing_to_do_is_quick_and_harmless(tmp_path, uninterrupted):
    path = tmp_path / "done.sqlite"
    with StudyFile.create(path, replace(SPEC, runs=0)) as study:
        session = run_study(study, SyntheticReplications(), workers=2)
    assert session.complete and session.ok == 0 and session.asked == 0


def test_dask_cluster_gives_the_same_results_and_resumes(tmp_path, uninterrupted):
    distributed = pytest.importorskip("distributed")
    path = tmp_path / "dask.sqlite"
    # Half the study locally, interrupted ...
    with StudyFile.create(path, SPEC) as study:
        session = run_study(study, SyntheticReplications(), workers=1, progress=InterruptAfter(10))
    assert session.interrupted
    # ... and the rest on a cluster of two worker processes, resumed.
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with StudyFile.open_or_create(path, SPEC, resume=True) as study:
            session = run_study(study, SyntheticReplications(fail_seeds={replication_seed(11, 20)}), scheduler=cluster.scheduler_address)
        assert session.backend == "dask" and session.workers == 2
        assert (session.ok, session.errors) == (13, 1)
        with StudyFile.open_or_create(path, SPEC, resume=True) as study:
            study.forget_errors()
            session = run_study(study, SyntheticReplications(), scheduler=cluster.scheduler_address)
        assert session.ok == 1
    rows = stored(path)
    assert rows == uninterrupted
    with StudyFile.open(path, readonly=True) as study:
        assert len({r.worker for r in study.records()}) >= 2


def test_an_unreachable_scheduler_is_a_clear_error(tmp_path):
    pytest.importorskip("distributed")
    from khasan_sim.runner.pool import SchedulerError, dask_client

    with pytest.raises(SchedulerError, match=r"cannot reach the Dask scheduler at tcp://127.0.0.1:9 within 1 s"):
        dask_client("tcp://127.0.0.1:9", timeout=1.0)
