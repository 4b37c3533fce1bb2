"""Studies of the tiny scenario with the real simulation: the runner changes nothing in a run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from synthetic_runs import KillingReplications

from khasan_sim.rng import replication_seed
from khasan_sim.runner.batch import run_study, study_spec
from khasan_sim.runner.replication import Replications, run_replication
from khasan_sim.runner.study import StudyFile

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny" / "tiny.yaml"
RUNS = 6
EXTRA = ("1938-08-06T19:00",)

pytest.importorskip("khasan_sim.terrain", reason="the terrain package is needed for real runs")


@pytest.fixture(scope="module")
def scenario():
    from khasan_sim.scenario.load import load_scenario

    return load_scenario(TINY)


@pytest.fixture(scope="module")
def spec(scenario):
    return study_spec(scenario, study_seed=3, runs=RUNS, snapshot_at=EXTRA)


def source_for(scenario) -> Replications:
    return Replications(str(scenario.path), None, EXTRA, scenario.digest)


def stored(path) -> list[tuple[int, int, str, str | None]]:
    with StudyFile.open(path, readonly=True) as study:
        return [(r.index, r.seed, r.status, r.result_json) for r in study.records()]


@pytest.fixture(scope="module")
def reference(tmp_path_factory, scenario, spec):
    """The study with one worker, in one go."""
    path = tmp_path_factory.mktemp("real") / "one.sqlite"
    with StudyFile.create(path, spec) as study:
        session = run_study(study, source_for(scenario), workers=1)
    assert session.complete and session.errors == 0, [r.error for r in session.new_errors]
    return stored(path)


def test_a_study_run_is_the_run_of_its_seed(scenario, reference):
    from khasan_sim.api import Simulation

    for index in (0, RUNS - 1):
        seed = replication_seed(3, index)
        direct = Simulation(scenario, seed).run_to_end(snapshot_at=EXTRA).to_json()
        row = reference[index]
        assert row[:3] == (index, seed, "ok")
        assert json.loads(row[3]) == direct
        assert "1938-08-06T19:00" in direct["snapshots"]
        assert direct["meta"]["scenario_digest"] == scenario.digest


def test_real_study_resumed_after_a_killed_worker_is_identical(tmp_path, scenario, spec, reference):
    """Two workers, one killed mid-study, then resumed: the same results as one worker in one go.

    (This also shows that real results do not depend on the worker count.)
    """
    path = tmp_path / "killed.sqlite"
    source = KillingReplications(
        str(scenario.path), None, EXTRA, scenario.digest, kill_seed=replication_seed(3, 2), kill_marker=tmp_path / "marker"
    )
    with StudyFile.create(path, spec) as study:
        session = run_study(study, source, workers=2, commit_every=2)
    assert session.lost is not None and not session.complete
    with StudyFile.open_or_create(path, spec, resume=True) as study:
        session = run_study(study, source, workers=2)
    assert session.complete and session.lost is None
    assert stored(path) == reference


def test_a_worker_with_other_scenario_files_fails_its_runs_clearly(scenario):
    source = Replications(str(scenario.path), None, (), "f" * 64)
    out = run_replication(source, 0, 5)
    assert out["status"] == "error"
    assert "this worker loaded a scenario with digest" in out["error"]
    assert "expected ffffffffffff" in out["error"]


def test_real_runs_on_a_dask_cluster_match(tmp_path, scenario, spec, reference):
    distributed = pytest.importorskip("distributed")
    path = tmp_path / "dask.sqlite"
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        StudyFile.create(path, spec) as study,
    ):
        session = run_study(study, source_for(scenario), scheduler=cluster.scheduler_address)
    assert session.backend == "dask" and session.complete
    assert stored(path) == reference
