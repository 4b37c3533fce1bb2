"""Tests of the study file: header, runs, resume checks, consistency after a kill."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import textwrap
from dataclasses import replace

import pytest

from khasan_sim.errors import KhasanSimError, SaveFileError, StudyMismatchError
from khasan_sim.runner.study import RunRecord, StudyFile, StudySpec, first_line

SPEC = StudySpec(
    scenario="tiny",
    scenario_digest="a" * 64,
    variant=None,
    study_seed=7,
    runs=5,
    code_version="0.1.0",
    params_digest="b" * 64,
    snapshot_at=("1938-08-06T18:00",),
    scenario_path="/somewhere/tiny.yaml",
)


def ok(index: int, seed: int | None = None, value: int = 1) -> RunRecord:
    seed = index * 10 if seed is None else seed
    doc = {"scenario": "tiny", "seed": seed, "variant": None, "snapshots": {"1938-08-06T22:00": {"x": value}}, "events": 3, "events_digest": "0" * 64}
    return RunRecord(index, seed, "ok", json.dumps(doc), None, 0.5, "host:1")


def err(index: int) -> RunRecord:
    return RunRecord(index, index * 10, "error", None, "Traceback ...\nValueError: boom", 0.1, "host:2")


def test_create_and_reopen_keep_the_header(tmp_path):
    path = tmp_path / "s.sqlite"
    with StudyFile.create(path, SPEC) as study:
        assert study.spec.created.endswith("Z")
        created = study.spec
    with StudyFile.open(path, readonly=True) as study:
        assert study.spec == created
        assert study.spec.snapshot_at == ("1938-08-06T18:00",)
        assert study.missing_indices() == [0, 1, 2, 3, 4]


def test_the_file_is_plain_sqlite_in_wal_mode_while_open_and_one_file_after(tmp_path):
    path = tmp_path / "s.sqlite"
    with StudyFile.create(path, SPEC) as study:
        study.record_runs([ok(0), err(1)])
        # while it is written, readers (a progress view, the game) read beside the writer
        reader = sqlite3.connect(path)
        assert reader.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        reader.close()
    # closed, and read again as compare and the reports read it: nothing is left beside it
    with StudyFile.open(path, readonly=True) as study:
        assert len(study.results()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.sqlite"]
    conn = sqlite3.connect(path)
    rows = conn.execute("SELECT run_index, seed, status, json_extract(result, '$.seed'), error FROM runs ORDER BY run_index").fetchall()
    assert rows == [(0, 0, "ok", 0, None), (1, 10, "error", None, "Traceback ...\nValueError: boom")]
    cols = [r[1] for r in conn.execute("PRAGMA table_info(study)")]
    for name in ("scenario", "scenario_digest", "variant", "study_seed", "runs_requested", "code_version", "params_digest", "snapshot_at", "created"):
        assert name in cols


def test_a_run_is_never_counted_twice(tmp_path):
    with StudyFile.create(tmp_path / "s.sqlite", SPEC) as study:
        study.record_runs([ok(0, value=1), err(1)])
        # a second ok for index 0 does not replace the first; an ok replaces an error
        study.record_runs([ok(0, value=99), ok(1, value=5)])
        # an error never replaces an ok
        study.record_runs([err(0)])
        recs = {r.index: r for r in study.records()}
        assert recs[0].result["snapshots"]["1938-08-06T22:00"]["x"] == 1
        assert recs[1].status == "ok"
        counts = study.counts()
        assert (counts.ok, counts.errors, counts.missing) == (2, 0, 3)
        assert study.missing_indices() == [2, 3, 4]


def test_errors_are_kept_and_can_be_forgotten(tmp_path):
    with StudyFile.create(tmp_path / "s.sqlite", SPEC) as study:
        study.record_runs([ok(0), err(1), err(2)])
        assert [r.index for r in study.errors()] == [1, 2]
        assert first_line(study.errors()[0].error) == "ValueError: boom"
        assert study.missing_indices() == [3, 4]
        assert study.forget_errors() == 2
        assert study.missing_indices() == [1, 2, 3, 4]


def test_results_come_back_as_run_results(tmp_path):
    with StudyFile.create(tmp_path / "s.sqlite", SPEC) as study:
        study.record_runs([ok(1), err(0)])
        results = study.results()
        assert [r.seed for r in results] == [10]
        with pytest.raises(SaveFileError, match="raised ValueError: boom"):
            study.errors()[0].run_result()


def test_existing_file_without_resume_is_refused(tmp_path):
    path = tmp_path / "s.sqlite"
    StudyFile.create(path, SPEC).close()
    with pytest.raises(KhasanSimError, match=r"already exists.*--resume"):
        StudyFile.open_or_create(path, SPEC, resume=False)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"scenario": "other"}, "scenario 'tiny' in the file, 'other' asked for"),
        ({"study_seed": 8}, "study seed 7 in the file, 8 asked for"),
        ({"variant": "elite"}, "variant none in the file, 'elite' asked for"),
        ({"scenario_digest": "c" * 64}, "scenario digest aaaaaaaaaaaa… in the file, cccccccccccc… asked for"),
        ({"params_digest": "d" * 64}, "parameters digest"),
        ({"code_version": "9.9"}, "code version"),
        ({"snapshot_at": ()}, "snapshot times"),
    ],
)
def test_mismatched_resume_is_refused_with_a_clear_message(tmp_path, change, words):
    path = tmp_path / "s.sqlite"
    StudyFile.create(path, SPEC).close()
    with pytest.raises(StudyMismatchError) as info:
        StudyFile.open_or_create(path, replace(SPEC, **change), resume=True)
    message = str(info.value)
    assert message.startswith(f"{path}: holds another study (")
    assert words in message
    assert "\n" not in message


def test_resume_may_grow_a_study_but_not_shrink_it(tmp_path):
    path = tmp_path / "s.sqlite"
    StudyFile.create(path, SPEC).close()
    with StudyFile.open_or_create(path, replace(SPEC, runs=8, scenario_path="/elsewhere/tiny.yaml"), resume=True) as study:
        assert study.spec.runs == 8
        assert study.missing_indices() == list(range(8))
    with pytest.raises(StudyMismatchError, match="would shrink it"):
        StudyFile.open_or_create(path, replace(SPEC, runs=3), resume=True)


def test_resume_of_an_absent_file_creates_it(tmp_path):
    with StudyFile.open_or_create(tmp_path / "new.sqlite", SPEC, resume=True) as study:
        assert study.counts().missing == 5


def test_files_that_are_not_studies_are_refused(tmp_path):
    with pytest.raises(SaveFileError, match="no such study file"):
        StudyFile.open(tmp_path / "absent.sqlite")
    text = tmp_path / "notes.sqlite"
    text.write_text("not a database at all, just some words " * 20)
    with pytest.raises(SaveFileError, match="not a khasan-sim study file"):
        StudyFile.open(text)
    other = tmp_path / "other.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    with pytest.raises(SaveFileError, match="an SQLite database of another program"):
        StudyFile.open(other)


def test_a_process_killed_inside_a_transaction_leaves_the_file_consistent(tmp_path):
    """The writer dies (SIGKILL) after inserting but before committing: the batch is absent, not half there."""
    path = tmp_path / "s.sqlite"
    with StudyFile.create(path, SPEC) as study:
        study.record_runs([ok(0)])
    script = textwrap.dedent(
        f"""
        import os, signal, sqlite3
        conn = sqlite3.connect({str(path)!r})
        conn.execute("BEGIN")
        conn.execute("INSERT INTO runs (run_index, seed, status, result, elapsed) VALUES (1, 10, 'ok', '{{}}', 0.1)")
        conn.execute("INSERT INTO runs (run_index, seed, status, result, elapsed) VALUES (2, 20, 'ok', '{{}}', 0.1)")
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], check=False)
    assert proc.returncode != 0
    with StudyFile.open(path) as study:
        assert study.done_indices() == {0}
        assert study.missing_indices() == [1, 2, 3, 4]
        assert study._conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_run_record_checks_its_status():
    with pytest.raises(ValueError, match="expected 'ok' or 'error'"):
        RunRecord(0, 1, "fine", "{}")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="an ok run needs a result"):
        RunRecord(0, 1, "ok", None)
