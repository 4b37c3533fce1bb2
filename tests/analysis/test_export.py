"""Exports of a study: JSONL in the METRICS.md form, CSV and Parquet with a row per run and snapshot."""

from __future__ import annotations

import csv
import io
import json
import sys

import pytest

from khasan_sim.analysis.export import ExportError, export_study
from khasan_sim.errors import SaveFileError
from khasan_sim.results import RunResult
from khasan_sim.rng import replication_seed
from tests.analysis.conftest import DAY1, END, RUNS, known_result, write_study


@pytest.fixture
def study_with_errors(tmp_path):
    return write_study(tmp_path / "s.sqlite", failing=(5,), runs=12)


def test_jsonl_is_one_metrics_result_per_line(tmp_path, study_with_errors):
    out = tmp_path / "runs.jsonl"
    summary = export_study(study_with_errors, "jsonl", out)
    assert (summary.runs, summary.rows, summary.skipped_errors) == (11, 11, 1)
    lines = out.read_text().splitlines()
    assert len(lines) == 11
    first = json.loads(lines[0])
    result = RunResult.from_json(first)  # the METRICS.md form
    assert result.seed == replication_seed(1, 0)
    assert first["meta"]["run_index"] == 0
    expected = known_result(0, result.seed)
    assert first["snapshots"] == expected["snapshots"]
    assert [json.loads(x)["meta"]["run_index"] for x in lines] == [i for i in range(12) if i != 5]


def test_csv_has_a_row_per_run_and_snapshot(tmp_path, study_with_errors):
    out = tmp_path / "runs.csv"
    summary = export_study(study_with_errors, "csv", out)
    rows = list(csv.DictReader(out.open(newline="")))
    assert summary.rows == len(rows) == 11 * 3
    assert list(rows[0])[:6] == ["run_index", "seed", "scenario", "variant", "snapshot", "events"]
    assert summary.columns == len(rows[0])
    assert [r["snapshot"] for r in rows[:3]] == [DAY1, "1938-08-08T00:00", END]
    end0 = rows[2]
    assert end0["run_index"] == "0" and end0["seed"] == str(replication_seed(1, 0))
    assert end0["objective.hill.holder"] == "soviet"
    assert end0["objective.hill.first_soviet_hold"] == ""  # never: an empty cell
    assert end0["variant"] == ""
    assert end0["a.count"] == "1"


def test_parquet_is_typed(tmp_path, study_with_errors):
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "runs.parquet"
    summary = export_study(study_with_errors, "parquet", out)
    table = pq.read_table(out)
    assert table.num_rows == summary.rows == 33
    schema = {f.name: str(f.type) for f in table.schema}
    assert schema["run_index"] == "int64"
    assert schema["a.count"] == "int64"
    assert schema["objective.hill.first_soviet_hold"] == "double"
    assert schema["objective.hill.holder"] == "string"
    assert table.schema.metadata[b"khasan_sim.study_seed"] == b"1"
    holders = table.column("objective.hill.holder").to_pylist()
    assert holders[2] == "soviet"
    assert table.column("objective.hill.first_soviet_hold").to_pylist()[2] is None


def test_parquet_without_pyarrow_says_how_to_get_it(tmp_path, study_with_errors, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(ExportError, match=r"pip install pyarrow"):
        export_study(study_with_errors, "parquet", tmp_path / "x.parquet")
    assert not (tmp_path / "x.parquet").exists()


def test_export_to_standard_output_and_bad_requests(tmp_path, study_with_errors):
    buf = io.StringIO()
    summary = export_study(study_with_errors, "csv", "-", stdout=buf)
    assert summary.rows == 33 and buf.getvalue().startswith("run_index,seed,")
    with pytest.raises(ExportError, match="unknown export format 'xlsx'"):
        export_study(study_with_errors, "xlsx", tmp_path / "x")
    with pytest.raises(ExportError, match="parquet cannot go to standard output"):
        export_study(study_with_errors, "parquet", "-")
    with pytest.raises(SaveFileError, match="no such study file"):
        export_study(tmp_path / "absent.sqlite", "csv", tmp_path / "x.csv")


def test_the_full_known_study_exports(tmp_path, known_study):
    summary = export_study(known_study, "jsonl", tmp_path / "all.jsonl")
    assert summary.runs == RUNS and summary.skipped_errors == 0
