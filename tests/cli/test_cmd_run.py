"""Tests of `khasan-sim run` with a fake scenario loader and simulation."""

from __future__ import annotations

import argparse
import io
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

import pytest
from rich.console import Console

from khasan_sim.cli import cmd_run
from khasan_sim.errors import KhasanSimError
from khasan_sim.results import RunResult

RECORD = Path(__file__).parent.parent / "data" / "record" / "tiny-record.yaml"
START = datetime(1938, 8, 6, 16, 0)
END = datetime(1938, 8, 8, 12, 0)


@dataclass
class FakeScenario:
    id: str = "tiny"
    title: str = "A tiny test battle"
    start: datetime = START
    end: datetime = END
    variant_id: str | None = None


def fake_result(seed: int = 1, variant: str | None = None, extra: dict[str, dict[str, Any]] | None = None) -> RunResult:
    """A hand-built run of the tiny scenario: two day ends and the end."""
    day1 = {
        "soviet.killed": 120,
        "soviet.wounded": 300,
        "japanese.killed": 40,
        "unit.t1.tanks_start": 43,
        "unit.t1.tanks_reached.line": 10,
        "unit.t1.tanks_reached.japanese-forward-line": 10,
        "unit.t1.tanks_knocked_out": 9,
        "unit.t1.tanks_bogged": 6,
        "unit.t1.tanks_operational": 28,
        "blue.counterattacks": 3,
        "japanese.counterattacks": 2,
        "soviet.artillery.rounds": 5000,
        "soviet.air.bombs_t": 61.5,
        "objective.hill.holder": None,
        "objective.zaozernaya.holder": "japanese",
    }
    day2 = {**day1, "blue.counterattacks": 15, "japanese.counterattacks": 9, "objective.zaozernaya.holder": "soviet"}
    end = {
        **day2,
        "soviet.killed": 450,
        "red.killed": 450,
        "soviet.wounded": 1200,
        "soviet.missing": 20,
        "soviet.men_present": 14000,
        "japanese.killed": 300,
        "japanese.wounded": 700,
        "japanese.missing": 4,
        "japanese.men_present": 6000,
        "soviet.tanks.knocked_out": 30,
        "unit.t1.tanks_destroyed": 7,
        "unit.t1.tanks_bogged": 2,
        "soviet.artillery.rounds": 9000,
        "objective.hill.holder": "soviet",
        "objective.hill.first_soviet_hold": 6.5,
        "objective.zaozernaya.first_soviet_hold": 30.25,
    }
    snaps = {"1938-08-07T00:00": day1, "1938-08-08T00:00": day2, "1938-08-08T12:00": end, **(extra or {})}
    return RunResult("tiny", seed, variant, snaps, 4321, "0123456789abcdef" * 4, {"scenario_digest": "ff"})


class FakeSimulation:
    """Records how it was called and returns :func:`fake_result`."""

    calls: ClassVar[list[dict[str, Any]]] = []

    def __init__(self, scenario: FakeScenario, seed: int = 1) -> None:
        self.scenario = scenario
        self.seed = seed

    def run_to_end(self, snapshot_at: list[datetime] | None = None) -> RunResult:
        FakeSimulation.calls.append({"seed": self.seed, "snapshot_at": list(snapshot_at or [])})
        extra = {t.strftime("%Y-%m-%dT%H:%M"): {"soviet.killed": 15, "objective.hill.holder": "soviet"} for t in snapshot_at or []}
        return fake_result(self.seed, self.scenario.variant_id, extra)


@pytest.fixture(autouse=True)
def fakes(monkeypatch: pytest.MonkeyPatch) -> None:
    FakeSimulation.calls = []

    def fake_load(path: str, variant: str | None = None) -> FakeScenario:
        return FakeScenario(variant_id="v1" if variant else None)

    monkeypatch.setattr(cmd_run, "load_scenario", fake_load)
    monkeypatch.setattr(cmd_run, "Simulation", FakeSimulation)


def invoke(*argv: str) -> tuple[int, str]:
    """Parse *argv* with the run parser and call the command into a 120-column console."""
    parser = argparse.ArgumentParser(prog="khasan-sim")
    cmd_run.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["run", *argv])
    buf = io.StringIO()
    console = Console(file=buf, width=120)
    status = args.handler(args, console)
    return status, buf.getvalue()


def test_summary_tables() -> None:
    status, out = invoke("tiny.yaml", "--seed", "5", "--record", str(RECORD))
    assert status == 0
    assert FakeSimulation.calls[0]["seed"] == 5
    for fragment in [
        "tiny — A tiny test battle",
        "6 Aug 16:00 → 8 Aug 12:00 (44.0 h)",
        "4,321 (digest 0123456789ab)",
        "Losses at the end (8 Aug 12:00)",
        "14,000",
        "Tanks by unit",
        "Objectives",
        "7 Aug 22:15 (+30.2 h)",  # zaozernaya first held 30.25 h after 16:00 on 6 Aug
        "6 Aug 22:30 (+6.5 h)",
        "Counterattacks, ammunition and bombs, by day",
        "Beside the record",
        "6 Aug 22:00 – 8 Aug 00:00 (+6.0–32.0 h)",
        "A single run is one draw",
        "khasan-sim batch",
    ]:
        assert fragment in out, fragment
    assert "✓" in out
    rows = {c[0]: c[1:] for c in (_cells(line) for line in out.splitlines()) if c}
    assert rows["at the start"] == ["43"]
    assert rows["reached the Japanese forward line"] == ["10"]
    assert rows["reached line"] == ["10"]
    assert rows["knocked out"] == ["9"]
    assert rows["destroyed"] == ["7"]
    assert rows["bogged at the end of 6 Aug"] == ["6"]
    assert rows["bogged"] == ["2"]
    assert rows["operational"] == ["28"]
    assert rows["killed"] == ["450", "300"]
    assert rows["men present"] == ["14,000", "6,000"]


def _cells(line: str) -> list[str]:
    """Return the cells of a table row, or [] for another line."""
    if not line.startswith("│"):
        return []
    return [c.strip() for c in line.strip().strip("│").split("│")]


def test_a_miss_is_marked(monkeypatch: pytest.MonkeyPatch) -> None:
    snaps = {k: dict(v) for k, v in fake_result().snapshots.items()}
    snaps["1938-08-08T12:00"]["red.killed"] = 999
    monkeypatch.setattr(FakeSimulation, "run_to_end", lambda self, snapshot_at=None: RunResult("tiny", 1, None, snaps, 1, "d"))
    _, out = invoke("tiny.yaml", "--record", str(RECORD))
    killed = next(line for line in out.splitlines() if line.startswith("│ red-killed "))
    assert "999" in killed and "✗" in killed
    assert "4 of 5 inside" in out


def test_record_rows_known_answers() -> None:
    _, out = invoke("tiny.yaml", "--record", str(RECORD))
    rows = {line.split("│")[1].strip(): line for line in out.splitlines() if line.count("│") >= 5}
    assert "✓" in rows["reached"]  # 10 of 43 reached: exactly the record
    assert "✓" in rows["red-killed"]  # 450 in 400-500
    assert "✓" in rows["attacks-7-aug"]  # 15 - 3 = 12 in 10-14
    assert "✓" in rows["hill-taken"]  # 6.5 h in 6-32 h
    assert "✓" in rows["hill-held"]
    assert "5 of 5 inside" in out


def test_per_day_counts_are_differences() -> None:
    _, out = invoke("tiny.yaml", "--record", str(RECORD))
    rows = {c[0]: c[1:] for c in (_cells(line) for line in out.splitlines()) if c}
    # columns: counterattacks, artillery rounds, bombs; each soviet / japanese
    assert rows["6 Aug"] == ["– / 2", "5,000 / –", "61.5 / –"]
    assert rows["7 Aug"] == ["– / 7", "0 / –", "0.0 / –"]
    assert rows["to 8 Aug 12:00"] == ["– / 0", "4,000 / –", "0.0 / –"]
    assert rows["total"] == ["– / 9", "9,000 / –", "61.5 / –"]


def test_json_dash_prints_only_json() -> None:
    status, out = invoke("tiny.yaml", "--json", "-", "--record", str(RECORD))
    assert status == 0
    doc = json.loads(out)
    assert doc["scenario"] == "tiny" and doc["events"] == 4321
    assert doc["meta"]["code_version"]
    assert RunResult.from_json(doc).labels[-1] == "1938-08-08T12:00"


def test_json_path_writes_the_file(tmp_path: Path) -> None:
    out_file = tmp_path / "run.json"
    status, out = invoke("tiny.yaml", "--json", str(out_file), "--record", str(RECORD))
    assert status == 0
    assert RunResult.read(out_file).seed == 1
    assert f"Result written to {out_file}" in out


def test_snapshot_at_is_passed_and_shown() -> None:
    _, out = invoke("tiny.yaml", "--snapshot-at", "1938-08-06T17:20", "--snapshot-at", "1938-08-07T06:00", "--record", str(RECORD))
    assert FakeSimulation.calls[0]["snapshot_at"] == [datetime(1938, 8, 6, 17, 20), datetime(1938, 8, 7, 6, 0)]
    assert "Snapshots asked for" in out
    assert "6 Aug 17:20" in out


def test_snapshot_at_outside_the_scenario_is_refused() -> None:
    with pytest.raises(KhasanSimError, match="outside the scenario"):
        invoke("tiny.yaml", "--snapshot-at", "1938-08-12T00:00", "--record", str(RECORD))
    assert FakeSimulation.calls == []


def test_bad_snapshot_time_is_a_usage_error() -> None:
    with pytest.raises(SystemExit):
        invoke("tiny.yaml", "--snapshot-at", "noon")


def test_default_record_absent_gives_a_note(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("khasan_sim.scenario.builtin.record_path", lambda: None)
    status, out = invoke("tiny.yaml")
    assert status == 0
    assert "Beside the record" not in out
    assert "record: not shown" in out
    assert "Losses at the end" in out


def test_record_of_another_scenario_is_not_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cmd_run, "load_scenario", lambda path, variant=None: FakeScenario(id="other"))
    _, out = invoke("tiny.yaml", "--record", str(RECORD))
    assert "Beside the record" not in out
    assert "it is for tiny; this run is other" in out


def test_named_record_missing_is_an_error_before_the_run(tmp_path: Path) -> None:
    with pytest.raises(KhasanSimError, match="no such file"):
        invoke("tiny.yaml", "--record", str(tmp_path / "none.yaml"))
    assert FakeSimulation.calls == []


def test_variant_is_said_in_the_caption() -> None:
    _, out = invoke("tiny.yaml", "--variant", "v1.yaml", "--record", str(RECORD))
    assert "variant 'v1'" in out


def test_quiet_prints_one_line(tmp_path: Path) -> None:
    _, out = invoke("tiny.yaml", "--quiet", "--record", str(RECORD), "--json", str(tmp_path / "r.json"))
    assert out.count("\n") == 1
    assert "tiny seed 1: 4,321 events" in out and "record: 5 of 5 inside" in out


def test_piped_output_has_no_escape_codes() -> None:
    _, out = invoke("tiny.yaml", "--record", str(RECORD))
    assert "\x1b[" not in out


def test_main_reports_errors_on_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from khasan_sim.cli import main as main_mod

    def only_run() -> argparse.ArgumentParser:
        parser = argparse.ArgumentParser(prog="khasan-sim")
        parser.add_argument("--debug", action="store_true")
        cmd_run.register(parser.add_subparsers(dest="command"))
        return parser

    monkeypatch.setattr(main_mod, "build_parser", only_run)  # other commands are written elsewhere
    buf = io.StringIO()
    status = main_mod.main(["run", "tiny.yaml", "--record", str(tmp_path / "none.yaml")], console=Console(file=buf, width=120))
    assert status == 2
    assert buf.getvalue().count("\n") == 1 and "no such file" in buf.getvalue()
