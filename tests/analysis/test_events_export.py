"""`khasan-sim run --events` and `khasan-sim export --events`: one row per event, with the
schema's header, version and columns; a study's runs replayed and checked by digest."""

from __future__ import annotations

import io
import json
import sqlite3
import sys
from pathlib import Path

import pytest
from rich.console import Console

from khasan_sim.analysis import event_schema
from khasan_sim.analysis.events_export import column_types
from khasan_sim.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "tests" / "data" / "tiny" / "tiny.yaml"


def cli(*argv: str) -> tuple[int, str]:
    buf = io.StringIO()
    code = main(list(argv), console=Console(file=buf, width=200, force_terminal=False, color_system=None))
    return code, buf.getvalue()


def _lines(path: Path) -> tuple[dict, list[dict]]:
    head, *rows = (json.loads(x) for x in path.read_text(encoding="utf-8").splitlines())
    return head, rows


@pytest.fixture(scope="module")
def study(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("events") / "tiny.sqlite"
    code, out = cli("batch", str(TINY), "--runs", "2", "--seed", "5", "--workers", "1", "--out", str(path))
    assert code == 0, out
    return path


def test_run_writes_every_event_described_by_the_schema(tmp_path):
    out = tmp_path / "events.jsonl"
    code, text = cli("run", str(TINY), "--seed", "3", "--events", str(out), "--json", str(tmp_path / "r.json"), "--quiet")
    assert code == 0, text
    head, rows = _lines(out)
    assert head["schema"] == "khasan_sim.events" and head["version"] == event_schema.SCHEMA_VERSION
    result = json.loads((tmp_path / "r.json").read_text())
    assert head["events_digest"] == result["events_digest"] and head["seed"] == 3
    assert [r["seq"] for r in rows] == list(range(len(rows))) and rows
    assert f"{len(rows):,} logged events" in text
    for r in rows:
        fields = {k: v for k, v in r.items() if k not in event_schema.ROW_FIELDS}
        assert event_schema.problems(r["kind"], fields) == []
        assert r["seed"] == 3 and r["time"].startswith("1938-08-")


def test_run_events_as_parquet_have_the_schema_columns(tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "events.parquet"
    code, text = cli("run", str(TINY), "--seed", "3", "--events", str(out), "--quiet")
    assert code == 0, text
    table = pq.read_table(out)
    assert table.column_names == list(column_types())
    assert table.schema.metadata[b"khasan_sim.events_schema"] == str(event_schema.SCHEMA_VERSION).encode()
    jl = tmp_path / "events.jsonl"
    cli("run", str(TINY), "--seed", "3", "--events", str(jl), "--quiet")
    _, rows = _lines(jl)
    assert table.num_rows == len(rows)
    assert table.column("kind").to_pylist() == [r["kind"] for r in rows]


def test_run_refuses_events_to_standard_output(tmp_path):
    code, text = cli("run", str(TINY), "--events", "-", "--quiet")
    assert code == 2 and "--events -" in text


def test_export_replays_the_study_runs_from_their_seeds(tmp_path, study):
    out = tmp_path / "all.jsonl"
    code, text = cli("export", str(study), "--events", "--format", "jsonl", "--out", str(out))
    assert code == 0, text
    head, rows = _lines(out)
    assert head["study_seed"] == 5 and "replayed" in head
    assert sorted({r["run_index"] for r in rows}) == [0, 1]
    # each run's rows are those `run --events` writes for its seed
    seed0 = rows[0]["seed"]
    single = tmp_path / "one.jsonl"
    assert cli("run", str(TINY), "--seed", str(seed0), "--events", str(single), "--quiet")[0] == 0
    _, one = _lines(single)
    assert [{k: v for k, v in r.items() if k != "run_index"} for r in rows if r["run_index"] == 0] == one
    # one run only
    code, text = cli("export", str(study), "--events", "--format", "jsonl", "--out", str(tmp_path / "r1.jsonl"), "--run", "1")
    assert code == 0 and "1 run(s)" in text
    assert {r["run_index"] for r in _lines(tmp_path / "r1.jsonl")[1]} == {1}


def test_export_refuses_a_study_whose_runs_replay_otherwise(tmp_path, study):
    changed = tmp_path / "changed.sqlite"
    changed.write_bytes(study.read_bytes())
    with sqlite3.connect(changed) as db:
        db.execute("update runs set result = json_set(result, '$.events_digest', 'ab' || substr(json_extract(result, '$.events_digest'), 3)) where run_index = 1")
    out = tmp_path / "x.jsonl"
    code, text = cli("export", str(changed), "--events", "--format", "jsonl", "--out", str(out))
    assert code == 2 and "run 1" in text and "changed since the study" in text
    assert not out.exists() and not list(tmp_path.glob(".x.jsonl*"))  # nothing written, no temporary file left


def test_export_events_bad_requests_exit_2_and_write_nothing(tmp_path, study, monkeypatch):
    out = tmp_path / "x.csv"
    code, text = cli("export", str(study), "--events", "--format", "csv", "--out", str(out))
    assert code == 2 and "jsonl or parquet" in text and not out.exists()
    code, text = cli("export", str(study), "--events", "--format", "jsonl", "--out", str(tmp_path / "y.jsonl"), "--run", "7")
    assert code == 2 and "no ok run with index 7" in text and not (tmp_path / "y.jsonl").exists()
    code, text = cli("export", str(study), "--format", "jsonl", "--out", str(tmp_path / "z.jsonl"), "--run", "0")
    assert code == 2 and "only with --events" in text
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    code, text = cli("export", str(study), "--events", "--format", "parquet", "--out", str(tmp_path / "e.parquet"))
    assert code == 2 and "pip install pyarrow" in text and not (tmp_path / "e.parquet").exists()
