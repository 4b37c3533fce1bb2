"""Hand-built studies of exercise 1 with known answers, and fast stand-ins for the real runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from khasan_sim.rng import replication_seed
from khasan_sim.runner.study import RunRecord, StudyFile, StudySpec

DAY1, END = "1938-08-07T00:00", "1938-08-11T12:00"
EXERCISE = "1-tanks-and-the-swamp"


def known_result(i: int, seed: int, variant: str | None, killed: int = 500) -> dict[str, Any]:
    """Run *i*: the variant gets 10 more tanks to the line, the same killed (*killed* + i at
    the end), Bezymyannaya 2 h later."""
    shift = 10 if variant else 0
    hold = 20.0 + i + (2.0 if variant else 0.0)
    day1 = {
        "unit.2mb-3tb.tanks_reached.japanese-forward-line": 5 + i % 5 + shift,
        "unit.2mb-3tb.tanks_knocked_out": 3 + (i % 3),
        "soviet.killed": 100 + i,
        "soviet.wounded": 300 + i,
        "japanese.killed": 50 + i,
        "japanese.wounded": 90 + i,
        "objective.bezymyannaya.holder": "japanese",
        "objective.bezymyannaya.first_soviet_hold": None,
    }
    end = {**day1, "soviet.killed": killed + i, "objective.bezymyannaya.holder": "soviet", "objective.bezymyannaya.first_soviet_hold": hold}
    return {
        "scenario": "khasan-1938-historical",
        "seed": seed,
        "variant": variant,
        "snapshots": {DAY1: day1, END: end},
        "events": 100 + i,
        "events_digest": f"{i:064x}",
        "meta": {"code_version": "test", "scenario_digest": "a" * 64},
    }


def write_known_study(path: Path, variant: str | None, runs: int = 40, study_seed: int = 1938, killed: int = 500) -> Path:
    """Write a known study of exercise 1 (baseline when *variant* is None)."""
    spec = StudySpec("khasan-1938-historical", "a" * 64, variant, study_seed, runs, "test", "b" * 64)
    records = []
    for i in range(runs):
        seed = replication_seed(study_seed, i)
        records.append(RunRecord(i, seed, "ok", json.dumps(known_result(i, seed, variant, killed)), None, 0.1, "w"))
    with StudyFile.create(path, spec) as study:
        study.record_runs(records)
    return path


@pytest.fixture
def known_studies(tmp_path) -> Path:
    """A folder with exercise 1's baseline and round-the-swamp studies (40 runs each)."""
    out = tmp_path / "ex1"
    out.mkdir()
    write_known_study(out / "baseline.sqlite", None)
    write_known_study(out / "round-the-swamp.sqlite", "round-the-swamp")
    return out


@pytest.fixture
def exercise1():
    """Exercise 1 of the pack."""
    from khasan_sim.exercises.format import find_exercise, load_exercise

    return load_exercise(find_exercise(EXERCISE), check_variants=False)
