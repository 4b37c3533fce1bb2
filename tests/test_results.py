"""Tests of khasan_sim.results: the run result and its JSON file."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from khasan_sim.errors import KhasanSimError, SaveFileError
from khasan_sim.results import JSON_KEYS, RunResult, to_label, units_with


def make_result(**over: object) -> RunResult:
    """Return a small hand-built result (later snapshot given first on purpose)."""
    kw: dict[str, object] = {
        "scenario": "khasan-1938-historical",
        "seed": 7,
        "variant": None,
        "snapshots": {
            "1938-08-11T12:00": {"soviet.killed": 800, "objective.zaozernaya.holder": "soviet"},
            "1938-08-07T00:00": {
                "soviet.killed": 212,
                "unit.2mb-3tb.tanks_start": 43,
                "unit.2mb-3tb.tanks_reached.japanese-forward-line": 11,
                "objective.zaozernaya.holder": None,
                "soviet.air.bombs_t": 12.5,
            },
        },
        "events": 48210,
        "events_digest": "ab" * 32,
        "meta": {"code_version": "0.1.0"},
    }
    kw.update(over)
    return RunResult(**kw)  # type: ignore[arg-type]


def test_snapshots_are_sorted_by_time() -> None:
    r = make_result()
    assert r.labels == ["1938-08-07T00:00", "1938-08-11T12:00"]
    assert r.final_label == "1938-08-11T12:00"
    assert r.final["soviet.killed"] == 800


def test_to_json_has_the_metrics_md_keys_in_order() -> None:
    d = make_result().to_json()
    assert tuple(d) == JSON_KEYS
    assert d["variant"] is None
    assert d["snapshots"]["1938-08-07T00:00"]["unit.2mb-3tb.tanks_reached.japanese-forward-line"] == 11
    json.dumps(d, allow_nan=False)  # plain JSON


def test_json_round_trip_in_memory_and_through_a_file(tmp_path: Path) -> None:
    r = make_result(variant="no-border")
    assert RunResult.from_json(json.loads(json.dumps(r.to_json()))) == r
    out = tmp_path / "sub" / "run.json"
    assert r.write(out) == out
    assert RunResult.read(out) == r
    assert not [p for p in out.parent.iterdir() if p.name != "run.json"], "no temp file left behind"


def test_write_dash_goes_to_the_stream() -> None:
    buf = io.StringIO()
    assert make_result().write("-", stdout=buf) is None
    assert json.loads(buf.getvalue())["seed"] == 7


def test_write_replaces_an_existing_file(tmp_path: Path) -> None:
    out = tmp_path / "run.json"
    out.write_text("old")
    make_result(seed=9).write(out)
    assert RunResult.read(out).seed == 9


def test_numpy_scalars_become_plain_numbers() -> None:
    r = make_result(seed=np.int64(3), events=np.int64(5), snapshots={"1938-08-07T00:00": {"a": np.int64(2), "b": np.float64(0.5)}})
    snap = r.snapshots["1938-08-07T00:00"]
    assert type(snap["a"]) is int and type(snap["b"]) is float and type(r.seed) is int
    json.dumps(r.to_json())


def test_labels_are_normalised_to_the_minute() -> None:
    r = make_result(snapshots={"1938-08-07T00:00:00": {"a": 1}})
    assert r.labels == ["1938-08-07T00:00"]


@pytest.mark.parametrize(
    "over",
    [
        {"snapshots": {"yesterday": {}}},
        {"snapshots": {"1938-08-07T00:00": {"a": float("nan")}}},
        {"snapshots": {"1938-08-07T00:00": {"a": [1, 2]}}},
        {"snapshots": {"1938-08-07T00:00": {}, "1938-08-07T00:00:30": {}}},
        {"seed": "7"},
        {"events": -1},
    ],
)
def test_bad_values_are_refused(over: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        make_result(**over)


def test_value_and_its_errors() -> None:
    r = make_result()
    assert r.value("soviet.killed", "1938-08-07T00:00") == 212
    assert r.value("objective.zaozernaya.holder", "1938-08-07T00:00") is None
    with pytest.raises(KeyError, match=r"no snapshot at 1938-08-08T00:00"):
        r.value("soviet.killed", "1938-08-08T00:00")
    with pytest.raises(KeyError, match=r"no metric 'japanese.killed'"):
        r.value("japanese.killed", "1938-08-07T00:00")


def test_units_with_discovers_tank_units() -> None:
    assert units_with(make_result().snapshots.values(), "tanks_start") == ["2mb-3tb"]
    assert to_label("1938-08-06T17:20:59") == "1938-08-06T17:20"


def _one_line_save_error(path: Path) -> str:
    with pytest.raises(SaveFileError) as info:
        RunResult.read(path)
    msg = str(info.value)
    assert "\n" not in msg
    assert str(path) in msg
    assert isinstance(info.value, KhasanSimError)
    return msg


def test_damaged_json_is_one_line_save_error(tmp_path: Path) -> None:
    p = tmp_path / "run.json"
    text = make_result().to_json_text()
    p.write_text(text[: len(text) // 2])
    assert "damaged run result" in _one_line_save_error(p)


def test_binary_file_is_one_line_save_error(tmp_path: Path) -> None:
    p = tmp_path / "run.json"
    p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff\xfe")
    assert "not a khasan-sim run result" in _one_line_save_error(p)


@pytest.mark.parametrize(
    "doc",
    [
        [1, 2, 3],
        {"scenario": "x", "units": []},
        {"scenario": "x", "seed": 1, "variant": None, "snapshots": {"nope": {}}, "events": 1, "events_digest": "a"},
        {"scenario": "x", "seed": 1.5, "variant": None, "snapshots": {}, "events": 1, "events_digest": "a"},
    ],
)
def test_foreign_json_is_one_line_save_error(tmp_path: Path, doc: object) -> None:
    p = tmp_path / "run.json"
    p.write_text(json.dumps(doc))
    _one_line_save_error(p)


def test_missing_file_is_save_error(tmp_path: Path) -> None:
    assert "no such run result file" in _one_line_save_error(tmp_path / "absent.json")


values = st.one_of(
    st.none(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["soviet", "japanese"]),
)
minutes = st.integers(0, 5 * 24 * 60)


@given(
    st.dictionaries(minutes, st.dictionaries(st.text(min_size=1, max_size=20), values, max_size=5), max_size=5),
    st.integers(0, 2**63 - 1),
    st.one_of(st.none(), st.text(min_size=1, max_size=10)),
)
def test_round_trip_property(snaps: dict[int, dict[str, object]], seed: int, variant: str | None) -> None:
    from datetime import datetime, timedelta

    start = datetime(1938, 8, 6, 16, 0)
    labelled = {(start + timedelta(minutes=m)).strftime("%Y-%m-%dT%H:%M"): s for m, s in snaps.items()}
    r = RunResult("s", seed, variant, labelled, 3, "d")  # type: ignore[arg-type]
    back = RunResult.from_json(json.loads(r.to_json_text()))
    assert back == r
    assert back.labels == sorted(back.labels)
