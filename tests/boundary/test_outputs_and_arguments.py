"""Outputs never over an input or another kind of file; arguments that make no sense refused first."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.boundary.conftest import ROOT, TINY, Workspace, assert_refused, fingerprint, make_study

RECORD = ROOT / "tests" / "data" / "record" / "tiny-record.yaml"


@pytest.fixture
def files(tmp_path: Path, workspace: Workspace) -> dict[str, Path]:
    """A study, the scenario workspace, a file and a folder to aim outputs at."""
    study = make_study(tmp_path / "study.sqlite")
    (tmp_path / "a-file.txt").write_text("notes\n")
    (tmp_path / "folder").mkdir()
    (tmp_path / "picture.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 32)
    os.link(study, tmp_path / "hard-link.sqlite")
    (tmp_path / "sym-link.sqlite").symlink_to(study)
    return {
        "study": study,
        "scenario": workspace.scenario,
        "params": workspace.params / "combat.yaml",
    }


def _onto_inputs(f: dict[str, Path], tmp: Path) -> list[tuple[str, list[str | Path], str]]:
    s, sc, par = f["study"], f["scenario"], f["params"]
    return [
        ("export-onto-study", ["export", s, "--format", "jsonl", "--out", s], "--out"),
        (
            "export-onto-study-dot-path",
            ["export", s, "--format", "csv", "--out", tmp / "." / "study.sqlite"],
            "--out",
        ),
        (
            "export-onto-hard-link",
            ["export", s, "--format", "jsonl", "--out", tmp / "hard-link.sqlite"],
            "--out",
        ),
        (
            "export-onto-symlink",
            ["export", s, "--format", "jsonl", "--out", tmp / "sym-link.sqlite"],
            "--out",
        ),
        (
            "export-onto-wal",
            ["export", s, "--format", "jsonl", "--out", Path(str(s) + "-wal")],
            "--out",
        ),
        ("export-parquet-onto-study", ["export", s, "--format", "parquet", "--out", s], "--out"),
        ("compare-json-onto-study", ["compare", s, "--record", RECORD, "--json", s], "--json"),
        ("compare-html-onto-study", ["compare", s, "--record", RECORD, "--html", s], "--html"),
        (
            "compare-json-onto-record",
            ["compare", s, "--record", RECORD, "--json", RECORD],
            "--json",
        ),
        (
            "compare-json-and-html-one-file",
            ["compare", s, "--record", RECORD, "--json", tmp / "o.json", "--html", tmp / "o.json"],
            "the same file",
        ),
        (
            "compare-force-still-not-onto-study",
            ["compare", s, "--record", RECORD, "--json", s, "--force"],
            "--json",
        ),
        ("run-json-onto-scenario", ["run", sc, "--json", sc], "--json"),
        ("run-json-onto-params", ["run", sc, "--json", par], "--json"),
        ("run-json-onto-record", ["run", sc, "--json", RECORD, "--record", RECORD], "--json"),
        ("map-png-onto-scenario", ["map", sc, "--png", sc], "--png"),
        ("map-png-onto-params", ["map", sc, "--png", par], "--png"),
        (
            "play-screenshot-onto-scenario",
            ["play", sc, "--turns", "0", "--screenshot", sc],
            "--screenshot",
        ),
        (
            "play-screenshot-onto-study",
            ["play", sc, "--turns", "0", "--study", s, "--screenshot", s],
            "--screenshot",
        ),
        ("salvage-onto-study", ["study", "salvage", s, "--out", s], "--out"),
    ]


CASE_IDS = [
    c[0] for c in _onto_inputs({"study": Path(), "scenario": Path(), "params": Path()}, Path())
]


@pytest.mark.parametrize("case", CASE_IDS)
def test_no_command_writes_over_one_of_its_inputs(cli, tmp_path, files, case):
    _, argv, words = next(c for c in _onto_inputs(files, tmp_path) if c[0] == case)
    before = fingerprint(tmp_path)
    assert_refused(cli(*argv), words, before=before, folder=tmp_path)


def _other_kinds(f: dict[str, Path], tmp: Path) -> list[tuple[str, list[str | Path]]]:
    s = f["study"]
    other = tmp / "other.sqlite"
    if not other.exists():
        make_study(other)
    return [
        ("export-jsonl-over-a-study", ["export", s, "--format", "jsonl", "--out", other]),
        (
            "export-csv-over-a-picture",
            ["export", s, "--format", "csv", "--out", tmp / "picture.png"],
        ),
        (
            "compare-json-over-a-text-file",
            ["compare", s, "--record", RECORD, "--json", tmp / "a-file.txt"],
        ),
        ("compare-html-over-a-study", ["compare", s, "--record", RECORD, "--html", other]),
        (
            "schema-over-a-yaml-file",
            ["scenario", "schema", "--out", f["params"].parent / "weapons.yaml"],
        ),
        ("run-json-over-a-study", ["run", f["scenario"], "--json", other]),
    ]


KIND_IDS = [
    c[0]
    for c in _other_kinds(
        {"study": Path(), "scenario": Path(), "params": Path("x/y")}, Path("/nonexistent")
    )
]


@pytest.mark.parametrize("case", KIND_IDS)
def test_another_kind_of_file_is_not_replaced_without_force(cli, tmp_path, files, case):
    _, argv = next(c for c in _other_kinds(files, tmp_path) if c[0] == case)
    before = fingerprint(tmp_path)
    assert_refused(cli(*argv), "--force", before=before, folder=tmp_path)


def test_force_replaces_another_kind_of_file(cli, tmp_path, files):
    target = tmp_path / "a-file.txt"
    outcome = cli("export", files["study"], "--format", "jsonl", "--out", target, "--force")
    assert outcome.code == 0, outcome.err
    assert json.loads(target.read_text().splitlines()[0])["scenario"] == "tiny"


def test_a_file_of_the_same_kind_is_replaced_as_before(cli, tmp_path, files):
    target = tmp_path / "runs.jsonl"
    target.write_text('{"old": 1}\n')
    assert cli("export", files["study"], "--format", "jsonl", "--out", target).code == 0
    assert "old" not in target.read_text()


@pytest.mark.parametrize("where", ["folder", "under-a-file", "deep-under-a-file"])
def test_an_output_that_cannot_be_a_file_names_the_path_given(cli, tmp_path, files, where):
    target = {
        "folder": tmp_path / "folder",
        "under-a-file": tmp_path / "a-file.txt" / "x.json",
        "deep-under-a-file": tmp_path / "a-file.txt" / "a" / "b.json",
    }[where]
    for argv, option in (
        (["export", files["study"], "--format", "jsonl", "--out", target], "--out"),
        (["compare", files["study"], "--record", RECORD, "--json", target], "--json"),
        (["scenario", "schema", "--out", target], "--out"),
        (["run", files["scenario"], "--json", target], "--json"),
        (["batch", TINY, "--runs", "1", "--out", target], str(target)),
    ):
        before = fingerprint(tmp_path)
        outcome = cli(*argv)
        assert_refused(outcome, str(target), option, before=before, folder=tmp_path)
        assert ".tmp" not in outcome.err


# ------------------------------------------------------------------ arguments


def _arguments(f: dict[str, Path], tmp: Path) -> list[tuple[str, list[str | Path], str]]:
    s, sc = f["study"], f["scenario"]
    return [
        ("play-turns-negative", ["play", sc, "--turns", "-3"], "--turns"),
        ("play-turns-word", ["play", sc, "--turns", "many"], "--turns"),
        ("play-turns-huge", ["play", sc, "--turns", "99999999"], "--turns"),
        ("play-size-0x-5", ["play", sc, "--turns", "0", "--size", "0x-5"], "--size"),
        ("play-size-word", ["play", sc, "--turns", "0", "--size", "big"], "--size"),
        ("play-size-huge", ["play", sc, "--turns", "0", "--size", "100000x100000"], "--size"),
        ("play-seed-negative", ["play", sc, "--seed", "-1"], "--seed"),
        ("play-seed-2**64", ["play", sc, "--seed", str(2**64)], "--seed"),
        ("play-zoom-nan", ["play", sc, "--turns", "0", "--zoom", "nan,1,400"], "--zoom"),
        ("play-zoom-two-numbers", ["play", sc, "--turns", "0", "--zoom", "1,2"], "--zoom"),
        ("play-zoom-zero-scale", ["play", sc, "--turns", "0", "--zoom", "1,2,0"], "--zoom"),
        ("play-select-without-screenshot", ["play", sc, "--select", "2mb-3tb"], "--select"),
        (
            "play-missing-save",
            ["play", "--load", tmp / "nothing.json", "--turns", "0"],
            "nothing.json",
        ),
        ("play-side-unknown", ["play", sc, "--side", "french"], "--side"),
        (
            "play-unknown-exercise",
            ["play", "--exercise", "no-such-exercise", "--turns", "0"],
            "no-such-exercise",
        ),
        ("run-seed-negative", ["run", sc, "--seed", "-5"], "--seed"),
        ("run-seed-word", ["run", sc, "--seed", "one"], "--seed"),
        ("run-seed-2**63", ["run", sc, "--seed", str(2**63)], "--seed"),
        ("run-snapshot-garbage", ["run", sc, "--snapshot-at", "yesterday"], "--snapshot-at"),
        ("run-snapshot-outside", ["run", sc, "--snapshot-at", "1938-09-01T00:00"], "--snapshot-at"),
        ("run-missing-scenario", ["run", tmp / "nothing.yaml"], "nothing.yaml"),
        ("run-scenario-a-folder", ["run", tmp / "folder"], "folder"),
        ("run-scenario-a-device", ["run", "/dev/zero"], "/dev/zero"),
        ("batch-runs-zero", ["batch", sc, "--runs", "0", "--out", tmp / "b.sqlite"], "--runs"),
        ("batch-runs-negative", ["batch", sc, "--runs", "-1", "--out", tmp / "b.sqlite"], "--runs"),
        (
            "batch-runs-a-billion",
            ["batch", sc, "--runs", "1000000000", "--out", tmp / "b.sqlite"],
            "--runs",
        ),
        (
            "batch-workers-zero",
            ["batch", sc, "--runs", "2", "--workers", "0", "--out", tmp / "b.sqlite"],
            "--workers",
        ),
        (
            "batch-seed-huge",
            ["batch", sc, "--runs", "2", "--seed", str(2**70), "--out", tmp / "b.sqlite"],
            "--seed",
        ),
        ("batch-no-runs", ["batch", sc, "--out", tmp / "b.sqlite"], "--runs"),
        (
            "batch-retry-without-resume",
            ["batch", sc, "--runs", "2", "--retry-errors", "--out", tmp / "b.sqlite"],
            "--retry-errors",
        ),
        ("batch-exists-without-resume", ["batch", sc, "--runs", "2", "--out", s], "already exists"),
        (
            "batch-resume-a-scenario",
            ["batch", sc, "--out", sc, "--resume"],
            "not a khasan-sim study",
        ),
        ("compare-resamples-zero", ["compare", s, "--resamples", "0"], "--resamples"),
        ("compare-resamples-huge", ["compare", s, "--resamples", "10000000"], "--resamples"),
        (
            "compare-bootstrap-seed-negative",
            ["compare", s, "--bootstrap-seed", "-2"],
            "--bootstrap-seed",
        ),
        (
            "compare-missing-record",
            ["compare", s, "--record", tmp / "no-record.yaml"],
            "no-record.yaml",
        ),
        (
            "compare-against-missing",
            ["compare", s, "--record", RECORD, "--against", tmp / "none.sqlite"],
            "none.sqlite",
        ),
        (
            "export-unknown-format",
            ["export", s, "--format", "xml", "--out", tmp / "x.xml"],
            "--format",
        ),
        ("export-parquet-to-stdout", ["export", s, "--format", "parquet", "--out", "-"], "parquet"),
        (
            "map-extent-three-numbers",
            ["map", sc, "--png", tmp / "m.png", "--extent", "1,2,3"],
            "--extent",
        ),
        (
            "map-extent-nan",
            ["map", sc, "--png", tmp / "m.png", "--extent", "nan,1,2,3"],
            "--extent",
        ),
        (
            "map-extent-reversed",
            ["map", sc, "--png", tmp / "m.png", "--extent", "5000,1000,0,10"],
            "--extent",
        ),
        (
            "map-extent-off-the-map",
            ["map", sc, "--png", tmp / "m.png", "--extent", "1e9,2e9,1e9,2e9"],
            "--extent",
        ),
        ("exercise-unknown", ["exercise", "show", "no-such-exercise"], "no-such-exercise"),
        (
            "exercise-runs-zero",
            ["exercise", "run", "1-tanks-and-the-swamp", "--runs", "0"],
            "--runs",
        ),
        (
            "exercise-class-no-folder",
            ["exercise", "class", "1-tanks-and-the-swamp", tmp / "no-folder"],
            "no-folder",
        ),
        ("calibrate-runs-zero", ["calibrate", sc, "--runs", "0", "--params", "x.yaml"], "--runs"),
        ("unknown-command", ["fly"], "fly"),
    ]


ARG_IDS = [c[0] for c in _arguments({"study": Path(), "scenario": Path()}, Path())]


@pytest.mark.parametrize("case", ARG_IDS)
def test_an_argument_that_makes_no_sense_is_refused(cli, tmp_path, files, case):
    _, argv, words = next(c for c in _arguments(files, tmp_path) if c[0] == case)
    before = fingerprint(tmp_path)
    assert_refused(cli(*argv), words, before=before, folder=tmp_path)
    assert not (tmp_path / "b.sqlite").exists()


def test_workers_beyond_the_machine_are_clamped_and_the_true_number_said(cli, tmp_path, files):
    from khasan_sim.cli.argtypes import max_workers, usable_workers

    said: list[str] = []
    assert usable_workers(1000, 4, said.append) == min(4, max_workers())
    assert "--workers 1000" in said[0] and f"at most {max_workers()}" in said[0]
    assert usable_workers(3, 1, said.append) == 1
    assert usable_workers(None, 5, said.append) is None


def test_select_of_an_unknown_unit_is_refused(cli, tmp_path, files):
    pytest.importorskip("pygame")
    outcome = cli(
        "play", TINY, "--turns", "0", "--select", "no-such-unit", "--screenshot", tmp_path / "s.png"
    )
    assert_refused(outcome, "--select", "no-such-unit")
    assert not (tmp_path / "s.png").exists()
