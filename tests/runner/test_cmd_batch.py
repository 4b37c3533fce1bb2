"""`khasan-sim batch` from the command line: synthetic runs for the logic, the tiny scenario for real."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from rich.console import Console
from synthetic_runs import SyntheticReplications

from khasan_sim.cli import cmd_batch
from khasan_sim.cli.main import main
from khasan_sim.rng import replication_seed
from khasan_sim.runner.study import StudyFile

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny" / "tiny.yaml"


@dataclass
class FakeScenario:
    """What `batch` reads of a loaded scenario."""

    id: str = "tiny"
    digest: str = "e" * 64
    variant_id: str | None = None
    path: str = "/data/tiny.yaml"
    variant_path: str | None = None
    start: datetime = datetime(1938, 8, 6, 16, 0)
    end: datetime = datetime(1938, 8, 8, 12, 0)
    params: dict | None = None

    def __post_init__(self) -> None:
        self.params = {"combat.hit": 0.3}


def run_cli(argv: list[str]) -> tuple[int, str]:
    buf = io.StringIO()
    code = main(argv, console=Console(file=buf, width=200, force_terminal=False, color_system=None))
    return code, buf.getvalue()


@pytest.fixture
def fake(monkeypatch):
    """Replace the scenario loader and the replications by fast synthetic ones."""
    state = {"fail": set(), "variant": None}

    def load(path, variant=None):
        return FakeScenario(variant_id=state["variant"] or (Path(variant).stem if variant else None))

    def replications(scenario, snapshot_at):
        state["snapshot_at"] = tuple(snapshot_at)
        return SyntheticReplications(fail_seeds=state["fail"])

    monkeypatch.setattr(cmd_batch, "load_scenario", load)
    monkeypatch.setattr(cmd_batch, "replications_for", replications)
    monkeypatch.setattr(cmd_batch, "_record_times", lambda scenario_id: [])
    return state


def test_batch_runs_and_reports(tmp_path, fake):
    out = tmp_path / "s.sqlite"
    code, text = run_cli(["batch", "tiny.yaml", "--runs", "8", "--workers", "2", "--seed", "4", "--out", str(out)])
    assert code == 0, text
    assert "tiny: 8 of 8 replications to run on 2 local worker(s), study seed 4" in text
    assert "runs: 0/8 stored, 8 to run" in text  # plain progress lines when not a terminal
    assert "runs: 8/8" in text
    assert f"{out}: 8 of 8 replications stored;" in text
    with StudyFile.open(out, readonly=True) as study:
        assert study.spec.study_seed == 4 and study.spec.scenario_digest == "e" * 64
        assert [r.seed for r in study.records()] == [replication_seed(4, i) for i in range(8)]


def test_batch_refuses_to_overwrite_and_resumes(tmp_path, fake):
    out = tmp_path / "s.sqlite"
    assert run_cli(["batch", "tiny.yaml", "--runs", "4", "--workers", "1", "--out", str(out), "--quiet"])[0] == 0
    code, text = run_cli(["batch", "tiny.yaml", "--runs", "4", "--out", str(out)])
    assert code == 2 and "already exists (add --resume" in text
    code, text = run_cli(["batch", "tiny.yaml", "--out", str(out), "--resume"])
    assert code == 0 and "the study is complete, nothing to run" in text
    code, text = run_cli(["batch", "tiny.yaml", "--runs", "6", "--workers", "1", "--out", str(out), "--resume", "--quiet"])
    assert code == 0 and "6 of 6 replications stored; 2 run(s)" in text


def test_batch_rejects_a_mismatched_resume(tmp_path, fake):
    out = tmp_path / "s.sqlite"
    run_cli(["batch", "tiny.yaml", "--runs", "3", "--workers", "1", "--out", str(out), "--quiet"])
    code, text = run_cli(["batch", "tiny.yaml", "--runs", "3", "--seed", "9", "--out", str(out), "--resume"])
    assert code == 2
    assert f"error: {out}: holds another study (study seed 1 in the file, 9 asked for)" in text
    code, text = run_cli(["batch", "tiny.yaml", "--variant", "elite.yaml", "--out", str(out), "--resume"])
    assert code == 2 and "variant none in the file, 'elite' asked for" in text


def test_batch_records_errors_and_says_so(tmp_path, fake):
    out = tmp_path / "s.sqlite"
    fake["fail"] = {replication_seed(1, 1)}
    code, text = run_cli(["batch", "tiny.yaml", "--runs", "5", "--workers", "2", "--out", str(out), "--quiet"])
    assert code == 1
    assert "4 of 5 replications stored, 1 raised" in text
    assert f"run 1 (seed {replication_seed(1, 1)}) raised: ValueError: synthetic failure" in text
    fake["fail"] = set()
    code, text = run_cli(["batch", "tiny.yaml", "--out", str(out), "--resume", "--retry-errors", "--quiet"])
    assert code == 0 and "5 of 5 replications stored;" in text


def test_batch_argument_errors(tmp_path, fake):
    code, text = run_cli(["batch", "tiny.yaml", "--out", str(tmp_path / "s.sqlite")])
    assert code == 2 and "--runs N is required" in text
    code, text = run_cli(["batch", "tiny.yaml", "--runs", "2", "--out", str(tmp_path / "s.sqlite"), "--retry-errors"])
    assert code == 2 and "--retry-errors: only with --resume" in text
    code, text = run_cli(["batch", "tiny.yaml", "--runs", "2", "--out", str(tmp_path / "t.sqlite"), "--snapshot-at", "1938-08-20T00:00"])
    assert code == 2 and "--snapshot-at 1938-08-20T00:00: outside the scenario" in text
    with pytest.raises(SystemExit):
        run_cli(["batch", "tiny.yaml", "--runs", "0", "--out", "x.sqlite"])


def test_batch_keeps_extra_snapshot_times_in_the_study(tmp_path, fake):
    out = tmp_path / "s.sqlite"
    argv = ["batch", "tiny.yaml", "--runs", "2", "--workers", "1", "--out", str(out), "--quiet"]
    run_cli([*argv, "--snapshot-at", "1938-08-06T18:00", "--snapshot-at", "1938-08-07T00:00"])
    assert fake["snapshot_at"] == ("1938-08-06T18:00",)  # the day's end is taken anyway
    with StudyFile.open(out, readonly=True) as study:
        assert study.spec.snapshot_at == ("1938-08-06T18:00",)
    code, _ = run_cli([*argv, "--runs", "3", "--resume"])  # no --snapshot-at: the file's
    assert code == 0 and fake["snapshot_at"] == ("1938-08-06T18:00",)


@pytest.mark.skipif(not TINY.exists(), reason="tiny scenario missing")
def test_batch_of_the_tiny_scenario_then_compare_and_export(tmp_path):
    pytest.importorskip("khasan_sim.terrain")
    out = tmp_path / "tiny.sqlite"
    code, text = run_cli(["batch", str(TINY), "--runs", "4", "--workers", "2", "--out", str(out), "--quiet"])
    assert code == 0, text
    assert "4 of 4 replications stored" in text
    code, text = run_cli(["export", str(out), "--format", "csv", "--out", str(tmp_path / "tiny.csv")])
    assert code == 0 and "4 run(s)" in text
    record = Path(__file__).resolve().parents[1] / "data" / "record" / "tiny-record.yaml"
    code, text = run_cli(["compare", str(out), "--record", str(record), "--html", str(tmp_path / "r.html")])
    assert code == 0 and "recorded outcomes covered" in text
    assert (tmp_path / "r.html").stat().st_size > 1000
