"""Damaged study files: every command that opens one says so in one line; nothing writes into it."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from khasan_sim.errors import SaveFileError, StudyBusyError
from khasan_sim.runner.study import StudyFile, check_study
from tests.boundary.conftest import SPEC, TINY, assert_refused, fingerprint, make_study


def _sql(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path)
    with conn:
        for s in statements:
            conn.execute(s)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()


def _overwrite(path: Path, offset: int, data: bytes) -> None:
    with path.open("r+b") as fh:
        fh.seek(offset)
        fh.write(data)


def _bytes_in_the_middle(p: Path) -> None:
    size = p.stat().st_size
    _overwrite(p, size // 2, bytes(range(256)) * 8)


def _bytes_in_the_header(p: Path) -> None:
    _overwrite(p, 0, b"\xde\xad\xbe\xef" * 4)


def _bytes_in_the_schema_page(p: Path) -> None:
    _overwrite(p, 100, b"\xff" * 400)


def _truncate(n: int) -> Callable[[Path], None]:
    def cut(p: Path) -> None:
        with p.open("r+b") as fh:
            fh.truncate(n if n >= 0 else p.stat().st_size // 2)

    return cut


DAMAGES: dict[str, Callable[[Path], None]] = {
    "random-bytes-middle": _bytes_in_the_middle,
    "random-bytes-header": _bytes_in_the_header,
    "random-bytes-schema": _bytes_in_the_schema_page,
    "truncated-half": _truncate(-1),
    "truncated-100-bytes": _truncate(100),
    "empty": _truncate(0),
    "text-file": lambda p: p.write_text("scenario: not a study\n"),
    "runs-table-dropped": lambda p: _sql(p, "DROP TABLE runs"),
    "study-table-dropped": lambda p: _sql(p, "DROP TABLE study"),
    "study-row-deleted": lambda p: _sql(p, "DELETE FROM study"),
    "runs-column-missing": lambda p: _sql(p, "ALTER TABLE runs DROP COLUMN worker"),
    "other-program": lambda p: _sql(p, "PRAGMA application_id = 12345"),
    "future-version": lambda p: _sql(p, "PRAGMA user_version = 99"),
    "snapshot-list-damaged": lambda p: _sql(p, "UPDATE study SET snapshot_at = '{not json'"),
    "seed-a-word": lambda p: _sql(
        p, "PRAGMA ignore_check_constraints = ON", "UPDATE study SET study_seed = 'seven'"
    ),
    "result-json-damaged": lambda p: _sql(
        p, "UPDATE runs SET result = '{\"scenario\": ' WHERE run_index = 5"
    ),
    "result-not-an-object": lambda p: _sql(
        p, "UPDATE runs SET result = '[1, 2]' WHERE run_index = 6"
    ),
    "status-unknown": lambda p: _sql(
        p,
        "PRAGMA ignore_check_constraints = ON",
        "UPDATE runs SET status = 'maybe' WHERE run_index = 7",
    ),
}


def _damaged_study(tmp_path: Path, damage: str) -> Path:
    path = make_study(tmp_path / "study.sqlite")
    DAMAGES[damage](path)
    return path


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_compare_refuses_a_damaged_study(cli, tmp_path, damage):
    path = _damaged_study(tmp_path, damage)
    before = fingerprint(tmp_path)
    assert_refused(
        cli("compare", path, "--record", TINY.parent.parent / "record" / "tiny-record.yaml"),
        "study.sqlite",
        before=before,
        folder=tmp_path,
    )


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_export_refuses_a_damaged_study(cli, tmp_path, damage):
    path = _damaged_study(tmp_path, damage)
    before = fingerprint(tmp_path)
    outcome = cli("export", path, "--format", "jsonl", "--out", tmp_path / "runs.jsonl")
    assert_refused(outcome, "study.sqlite", before=before, folder=tmp_path)
    assert not (tmp_path / "runs.jsonl").exists()


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_resume_never_writes_into_a_damaged_study(cli, tmp_path, damage):
    path = _damaged_study(tmp_path, damage)
    before = fingerprint(tmp_path)
    outcome = cli("batch", TINY, "--out", path, "--resume", "--quiet", "--workers", "1")
    assert_refused(outcome, "study.sqlite", before=before, folder=tmp_path)
    assert "complete" not in outcome.err + outcome.out


@pytest.mark.parametrize(
    "damage", ["random-bytes-middle", "runs-table-dropped", "text-file", "truncated-half"]
)
def test_play_refuses_a_damaged_study_before_the_window(cli, tmp_path, damage):
    path = _damaged_study(tmp_path, damage)
    outcome = cli("play", TINY, "--study", path, "--turns", "0")
    assert_refused(outcome, "study.sqlite")


@pytest.mark.parametrize("damage", ["random-bytes-middle", "runs-table-dropped", "future-version"])
def test_study_check_says_what_is_wrong(cli, tmp_path, damage):
    assert_refused(cli("study", "check", _damaged_study(tmp_path, damage)), "study.sqlite")


def test_study_check_passes_an_intact_study(cli, tmp_path):
    outcome = cli("study", "check", make_study(tmp_path / "s.sqlite"))
    assert outcome.code == 0
    assert "11 of 12 runs stored, 1 raised" in outcome.out


@pytest.mark.parametrize("what", ["a-folder", "missing", "a-device"])
def test_a_study_path_that_is_not_a_file_is_refused(cli, tmp_path, what):
    path = {
        "a-folder": tmp_path,
        "missing": tmp_path / "nothing.sqlite",
        "a-device": Path("/dev/null"),
    }[what]
    assert_refused(cli("compare", path), str(path))
    assert_refused(cli("export", path, "--format", "csv", "--out", tmp_path / "x.csv"), str(path))


# ------------------------------------------------------------------ salvage


def test_salvage_copies_every_intact_run(cli, tmp_path):
    path = make_study(tmp_path / "broken.sqlite")
    _sql(path, "UPDATE runs SET result = '{\"scenario\": ' WHERE run_index = 5")
    before = fingerprint(tmp_path)
    outcome = cli("study", "salvage", path, "--out", tmp_path / "new.sqlite")
    assert outcome.code == 0, outcome.err
    assert "11 of 12 runs saved (10 with a result, 1 that raised), 1 lost" in outcome.out
    assert fingerprint(tmp_path)["broken.sqlite"] == before["broken.sqlite"]
    spec = check_study(tmp_path / "new.sqlite")
    assert (spec.scenario, spec.study_seed, spec.runs) == (
        SPEC.scenario,
        SPEC.study_seed,
        SPEC.runs,
    )
    with StudyFile.open(tmp_path / "new.sqlite", readonly=True) as new:
        assert new.missing_indices() == [5]


def test_salvage_of_a_study_with_a_damaged_page_keeps_the_rest(cli, tmp_path):
    path = make_study(tmp_path / "broken.sqlite", runs=range(12))
    _bytes_in_the_middle(path)
    outcome = cli("study", "salvage", path, "--out", tmp_path / "new.sqlite")
    if outcome.code == 0:
        assert "runs saved" in outcome.out
        check_study(tmp_path / "new.sqlite")
    else:
        assert_refused(outcome, "broken.sqlite")


@pytest.mark.parametrize(
    "damage", ["random-bytes-header", "study-table-dropped", "study-row-deleted", "text-file"]
)
def test_salvage_without_a_header_says_nothing_can_be_saved(cli, tmp_path, damage):
    path = _damaged_study(tmp_path, damage)
    assert_refused(cli("study", "salvage", path, "--out", tmp_path / "new.sqlite"), "study.sqlite")
    assert not (tmp_path / "new.sqlite").exists()


def test_salvage_never_writes_over_its_input(cli, tmp_path):
    path = make_study(tmp_path / "s.sqlite")
    before = fingerprint(tmp_path)
    assert_refused(
        cli("study", "salvage", path, "--out", path), "--out", before=before, folder=tmp_path
    )


# ------------------------------------------------------------------ one writer


def test_a_second_writer_is_refused_while_the_first_holds_the_study(cli, tmp_path):
    path = make_study(tmp_path / "s.sqlite", runs=range(4))
    with StudyFile.open(path) as first:
        with pytest.raises(StudyBusyError, match="another khasan-sim is writing this study"):
            StudyFile.open(path)
        outcome = cli("batch", TINY, "--out", path, "--resume", "--quiet", "--workers", "1")
        assert_refused(outcome, "s.sqlite", "another khasan-sim is writing")
        assert first.counts().done == 4
        with StudyFile.open(path, readonly=True) as reader:  # readers are not held up
            assert reader.counts().done == 4
    with StudyFile.open(path) as again:  # the lock goes with the writer
        assert again.counts().done == 4


# ------------------------------------------------------------------ any bytes


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(offset=st.integers(min_value=0, max_value=20_000), data=st.binary(min_size=1, max_size=512))
def test_random_bytes_anywhere_in_a_study_give_a_clear_error_or_a_good_read(
    tmp_path_factory, offset, data
):
    folder = tmp_path_factory.mktemp("fuzz")
    path = make_study(folder / "s.sqlite")
    size = path.stat().st_size
    _overwrite(path, offset % size, data)
    try:
        with StudyFile.open(path, readonly=True) as study:
            for rec in study.records():
                if rec.status == "ok":
                    rec.run_result(str(path))
    except SaveFileError as exc:
        assert str(exc).startswith(str(path)), exc
        assert "\n" not in str(exc)
