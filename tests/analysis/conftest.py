"""Hand-built studies with known answers for the analysis tests."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from khasan_sim.record import Record, parse_record
from khasan_sim.rng import replication_seed
from khasan_sim.runner.study import RunRecord, StudyFile, StudySpec

DAY1, DAY2, END = "1938-08-07T00:00", "1938-08-08T00:00", "1938-08-08T12:00"
RUNS = 100

RECORD_DOC: dict[str, Any] = {
    "scenario": "tiny",
    "start": "1938-08-06T16:00",
    "end": "1938-08-08T12:00",
    "entries": [
        {"id": "count-value", "metric": "a.count", "at": DAY1, "value": 10, "of": 43, "kind": "count", "sources": ["test"]},
        {"id": "count-range", "metric": "a.count", "at": DAY1, "range": [96, 200], "kind": "count", "sources": ["test"]},
        {"id": "count-between", "metric": "b.attacks", "between": [DAY1, DAY2], "range": [10, 14], "kind": "count", "sources": ["test"]},
        {"id": "hill-taken", "metric": "objective.hill.first_soviet_hold", "window": ["1938-08-06T22:00", DAY2], "kind": "time", "sources": ["test"]},
        {"id": "hill-held", "metric": "objective.hill.holder", "at": END, "value": "soviet", "kind": "holder", "sources": ["test <b>bold</b>"]},
        {"id": "not-in-runs", "metric": "c.nothing", "at": END, "value": 1, "kind": "count", "sources": ["test"]},
    ],
}


def known_result(i: int, seed: int, shift: int = 0, variant: str | None = None) -> dict[str, Any]:
    """Run *i* of the known study: a.count = i + 1 (+ shift), 12 attacks on day 2, ...

    * the hill is never taken in runs 0-19, and taken at 0.4 i hours in runs 20-99;
    * at the end it is held by the Soviet side in runs 0-39, the Japanese in 40-79,
      nobody in 80-99.
    """
    hold = None if i < 20 else round(0.4 * i, 1)
    holder = "soviet" if i < 40 else ("japanese" if i < 80 else None)
    day1 = {
        "a.count": i + 1 + shift,
        "b.attacks": i % 5,
        "soviet.killed": 10 * i + shift,
        "soviet.wounded": 30 * i,
        "japanese.killed": 5 * i,
        "japanese.wounded": 9 * i,
        "objective.hill.holder": "japanese",
        "objective.hill.first_soviet_hold": hold if hold is not None and hold <= 8 else None,
    }
    day2 = {**day1, "b.attacks": i % 5 + 12, "soviet.killed": 20 * i + shift, "objective.hill.first_soviet_hold": hold if hold is not None and hold <= 32 else None}
    end = {**day2, "soviet.killed": 25 * i + shift, "objective.hill.holder": holder, "objective.hill.first_soviet_hold": hold}
    return {
        "scenario": "tiny",
        "seed": seed,
        "variant": variant,
        "snapshots": {DAY1: day1, DAY2: day2, END: end},
        "events": 100 + i,
        "events_digest": f"{i:064x}",
        "meta": {"code_version": "test", "scenario_digest": "a" * 64},
    }


def write_study(
    path: Path,
    study_seed: int = 1,
    shift: int = 0,
    variant: str | None = None,
    failing: Sequence[int] = (),
    runs: int = RUNS,
    stored: int | None = None,
) -> Path:
    """Write the known study to *path*: *runs* requested, the first *stored* stored."""
    spec = StudySpec("tiny", "a" * 64, variant, study_seed, runs, "test", "b" * 64)
    records = []
    for i in range(runs if stored is None else stored):
        seed = replication_seed(study_seed, i)
        if i in failing:
            records.append(RunRecord(i, seed, "error", None, f"Traceback\nRuntimeError: run {i} broke", 0.1, "w"))
        else:
            records.append(RunRecord(i, seed, "ok", json.dumps(known_result(i, seed, shift, variant)), None, 0.1, "w"))
    with StudyFile.create(path, spec) as study:
        study.record_runs(records)
    return path


@pytest.fixture
def record() -> Record:
    """The synthetic record of the known study."""
    return parse_record(RECORD_DOC, "known-record.yaml")


@pytest.fixture
def record_file(tmp_path) -> Path:
    """The synthetic record as a YAML file."""
    import yaml

    path = tmp_path / "known-record.yaml"
    path.write_text(yaml.safe_dump(RECORD_DOC, sort_keys=False))
    return path


@pytest.fixture
def known_study(tmp_path) -> Path:
    """The known study: 100 runs, study seed 1."""
    return write_study(tmp_path / "known.sqlite")
