"""Tests of khasan_sim.record: reading the record and judging one run against it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from khasan_sim.errors import KhasanSimError
from khasan_sim.record import (
    RecordError,
    judge_run,
    judge_single,
    load_record,
    parse_record,
    record_missing,
    recorded_text,
    simulated_value,
)
from khasan_sim.results import RunResult
from khasan_sim.scenario.builtin import record_path

DATA = Path(__file__).parent / "data" / "record"
TINY = DATA / "tiny-record.yaml"


def run(**snaps: dict[str, object]) -> RunResult:
    """Return a result with snapshots given as keyword labels like d7_0000."""
    labels = {f"1938-08-0{k[1]}T{k[3:5]}:{k[5:7]}": v for k, v in snaps.items()}
    return RunResult("tiny", 1, None, labels, 10, "d")  # type: ignore[arg-type]


GOOD = run(
    d7_0000={"unit.t1.tanks_reached.line": 10, "blue.counterattacks": 3, "objective.hill.holder": None},
    d8_0000={"blue.counterattacks": 15},
    d8_1200={"red.killed": 450, "objective.hill.holder": "soviet", "objective.hill.first_soviet_hold": 6.0},
)
BAD = run(
    d7_0000={"unit.t1.tanks_reached.line": 11, "blue.counterattacks": 3},
    d8_0000={"blue.counterattacks": 18},
    d8_1200={"red.killed": 501, "objective.hill.holder": None, "objective.hill.first_soviet_hold": None},
)


def test_load_tiny_record() -> None:
    rec = load_record(TINY)
    assert rec.scenario == "tiny"
    assert rec.start == datetime(1938, 8, 6, 16, 0)
    assert [e.id for e in rec.entries] == ["reached", "red-killed", "attacks-7-aug", "hill-taken", "hill-held"]
    e = rec.entry("reached")
    assert (e.kind, e.at, e.value, e.of, e.range) == ("count", "1938-08-07T00:00", 10, 43, None)
    assert rec.entry("red-killed").range == (400, 500)
    assert rec.entry("red-killed").sources == ("test a", "test b")
    assert rec.entry("attacks-7-aug").between == ("1938-08-07T00:00", "1938-08-08T00:00")
    assert rec.entry("hill-taken").window_hours == (6.0, 32.0)
    assert rec.entry("hill-held").value == "soviet"
    assert [t.strftime("%d %H") for t in rec.snapshot_times()] == ["07 00", "08 00", "08 12"]


@pytest.mark.skipif(record_path() is None, reason="../shared/record/khasan-1938.yaml not present")
def test_the_shared_record_loads() -> None:
    rec = load_record()  # the default: ../shared/record/khasan-1938.yaml
    assert rec.scenario == "khasan-1938-historical"
    assert rec.entry("zaozernaya-taken").window_hours == (6.0, 56.0)


def test_simulated_value_for_each_kind() -> None:
    rec = load_record(TINY)
    assert simulated_value(rec.entry("reached"), GOOD) == 10
    assert simulated_value(rec.entry("red-killed"), GOOD) == 450
    assert simulated_value(rec.entry("attacks-7-aug"), GOOD) == 12  # 15 - 3
    assert simulated_value(rec.entry("hill-taken"), GOOD) == 6.0  # read at the last snapshot
    assert simulated_value(rec.entry("hill-taken"), BAD) is None
    assert simulated_value(rec.entry("hill-held"), GOOD) == "soviet"


def test_simulated_value_missing_snapshot_is_a_clear_key_error() -> None:
    rec = load_record(TINY)
    short = run(d8_1200={"red.killed": 1})
    with pytest.raises(KeyError, match="no snapshot at 1938-08-07T00:00"):
        simulated_value(rec.entry("attacks-7-aug"), short)


def test_judge_single_known_answers() -> None:
    rec = load_record(TINY)
    good = {j.entry_id: j.inside for j in judge_run(rec, GOOD)}
    bad = {j.entry_id: j.inside for j in judge_run(rec, BAD)}
    assert good == dict.fromkeys(good, True)
    assert bad == dict.fromkeys(bad, False)


@pytest.mark.parametrize(
    ("entry_id", "snaps", "inside"),
    [
        ("red-killed", {"d8_1200": {"red.killed": 400}}, True),  # range inclusive, low end
        ("red-killed", {"d8_1200": {"red.killed": 500}}, True),  # high end
        ("red-killed", {"d8_1200": {"red.killed": 399}}, False),
        ("reached", {"d7_0000": {"unit.t1.tanks_reached.line": 9}}, False),  # value exact
        ("hill-taken", {"d8_1200": {"objective.hill.first_soviet_hold": 32.0}}, True),  # window inclusive
        ("hill-taken", {"d8_1200": {"objective.hill.first_soviet_hold": 5.99}}, False),
        ("hill-held", {"d8_1200": {"objective.hill.holder": "japanese"}}, False),
    ],
)
def test_judge_single_edges(entry_id: str, snaps: dict[str, dict[str, object]], inside: bool) -> None:
    rec = load_record(TINY)
    assert judge_single(rec.entry(entry_id), run(**snaps)).inside is inside


def test_judge_single_without_the_metric_is_not_judged() -> None:
    rec = load_record(TINY)
    j = judge_single(rec.entry("red-killed"), run(d8_1200={"x": 1}))
    assert j.inside is None and j.simulated is None
    assert "red.killed" in j.note


def test_recorded_text() -> None:
    rec = load_record(TINY)
    assert recorded_text(rec.entry("reached")) == "10 of 43"
    assert recorded_text(rec.entry("red-killed")) == "400-500"
    assert recorded_text(rec.entry("hill-taken")) == "1938-08-06T22:00 .. 1938-08-08T00:00 (6.0-32.0 h)"
    assert recorded_text(rec.entry("hill-held")) == "soviet"


def test_missing_record_file(tmp_path: Path) -> None:
    with pytest.raises(RecordError) as info:
        load_record(tmp_path / "none.yaml")
    assert str(tmp_path / "none.yaml") in str(info.value)
    assert record_missing(info.value)
    assert isinstance(info.value, KhasanSimError)


def test_default_record_absent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("khasan_sim.scenario.builtin.record_path", lambda: None)
    with pytest.raises(RecordError) as info:
        load_record()
    assert record_missing(info.value)


@pytest.mark.parametrize(
    ("name", "fragment"),
    [("bad-kind.yaml", "entries[0](x).kind: unknown kind"), ("broken-yaml.yaml", "not valid YAML")],
)
def test_malformed_record_names_file_and_field(name: str, fragment: str) -> None:
    with pytest.raises(RecordError) as info:
        load_record(DATA / name)
    msg = str(info.value)
    assert msg.startswith(str(DATA / name))
    assert fragment in msg
    assert "\n" not in msg
    assert not record_missing(info.value)


BASE = {"scenario": "s", "start": "1938-08-06T16:00", "end": "1938-08-07T16:00"}


@pytest.mark.parametrize(
    ("entry", "fragment"),
    [
        ({"id": "a", "metric": "m", "kind": "count", "value": 1}, "exactly one of `at` or `between`"),
        ({"id": "a", "metric": "m", "kind": "count", "at": "1938-08-07T00:00"}, "exactly one of `value` or `range`"),
        ({"id": "a", "metric": "m", "kind": "count", "at": "1938-08-07T00:00", "range": [5, 1]}, "low above high"),
        ({"id": "a", "metric": "m", "kind": "time"}, "needs a `window"),
        ({"id": "a", "metric": "m", "kind": "holder", "at": "1938-08-07T00:00", "value": "red"}, "not a side"),
        ({"id": "a", "metric": "m", "kind": "holder", "at": "noon"}, "not a time"),
        ({"id": "a", "metric": "m", "kind": "holder", "at": "1938-08-07T00:00", "valeu": "soviet"}, "unknown key"),
    ],
)
def test_parse_record_rejects_bad_entries(entry: dict[str, object], fragment: str) -> None:
    with pytest.raises(RecordError, match=None) as info:
        parse_record({**BASE, "entries": [entry]}, "f.yaml")
    assert fragment in str(info.value)


def test_parse_record_rejects_repeated_ids() -> None:
    e = {"id": "a", "metric": "m", "kind": "holder", "at": "1938-08-07T00:00", "value": "soviet"}
    with pytest.raises(RecordError, match="repeated id"):
        parse_record({**BASE, "entries": [e, e]}, "f.yaml")


def test_the_shipped_copy_is_the_shared_record_unchanged() -> None:
    """scenarios/record/ is a verbatim copy of ../shared/record/ (the authority)."""
    root = Path(__file__).resolve().parents[1]
    shipped = root / "scenarios" / "record"
    assert (shipped / "khasan-1938.yaml").is_file() and (shipped / "METRICS.md").is_file()
    shared = root.parent / "shared" / "record"
    if not shared.is_dir():
        pytest.skip("../shared/record not beside this checkout")
    for name in ("khasan-1938.yaml", "METRICS.md"):
        assert (shipped / name).read_bytes() == (shared / name).read_bytes(), name
