"""Hostile save files and scenario-like documents: one line naming the file and the field."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from khasan_sim.errors import SaveFileError
from khasan_sim.saves import FORMAT, read_save
from tests.boundary.conftest import TINY, assert_refused, fingerprint

GOOD = {
    "format": FORMAT,
    "version": 1,
    "scenario": str(TINY),
    "variant": None,
    "seed": 3,
    "player_sides": ["soviet"],
    "now_min": 30.0,
    "label": "1938-08-06T16:30",
    "orders": [{"at_min": 0.0, "order": {"kind": "defend", "unit": "2mb-3tb"}}],
    "pending": [],
    "events_digest": "",
    "settings": {"fog": False},
    "followers": ["2mb-3tb"],
}

# (case id, field, bad value; None deletes the field)
SAVE_CASES = [
    ("followers-dicts", "followers", [{"a": 1}]),
    ("followers-a-number", "followers", 5),
    ("seed-a-word", "seed", "abc"),
    ("seed-negative", "seed", -1),
    ("seed-a-float", "seed", 1.5),
    ("seed-bool", "seed", True),
    ("seed-huge", "seed", 2**70),
    ("seed-missing", "seed", None),
    ("scenario-a-number", "scenario", 5),
    ("scenario-empty", "scenario", ""),
    ("scenario-missing", "scenario", None),
    ("variant-a-list", "variant", ["a"]),
    ("sides-unknown", "player_sides", ["french"]),
    ("sides-a-dict", "player_sides", {"soviet": 1}),
    ("sides-dicts", "player_sides", [{"a": 1}]),
    ("now-a-word", "now_min", "noon"),
    ("now-negative", "now_min", -30),
    ("now-missing", "now_min", None),
    ("orders-a-dict", "orders", {"a": 1}),
    ("orders-numbers", "orders", [1, 2]),
    ("order-not-a-dict", "orders", [{"at_min": 0, "order": "attack"}]),
    ("order-time-a-word", "orders", [{"at_min": "soon", "order": {}}]),
    ("order-time-negative", "orders", [{"at_min": -5, "order": {}}]),
    ("order-extra-field", "orders", [{"at_min": 0, "order": {}, "when": 1}]),
    ("pending-numbers", "pending", [1]),
    ("settings-a-list", "settings", [1, 2]),
    ("label-a-dict", "label", {"a": 1}),
    ("digest-a-number", "events_digest", 12),
    ("unknown-field", "cheat", True),
]


@pytest.mark.parametrize(
    ("field", "value"), [c[1:] for c in SAVE_CASES], ids=[c[0] for c in SAVE_CASES]
)
def test_a_save_with_a_wrong_field_is_refused_naming_it(cli, tmp_path, field, value):
    doc = copy.deepcopy(GOOD)
    if value is None:
        del doc[field]
    else:
        doc[field] = value
    path = tmp_path / "game.json"
    path.write_text(json.dumps(doc))
    before = fingerprint(tmp_path)
    with pytest.raises(SaveFileError, match=field):
        read_save(path)
    assert_refused(
        cli("play", "--load", path, "--turns", "0"),
        "game.json",
        field,
        before=before,
        folder=tmp_path,
    )


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "not valid JSON"),
        (b"\x00\x01\x02\xff", "binary"),
        (b"[1, 2, 3]", "not a khasan-sim save"),
        (b'{"format": "something-else"}', "not a khasan-sim save"),
        (b'{"format": "khasan-sim-save", "version": 9}', "version"),
        (b'{"format": "khasan-sim-save", "version": 1, "now_min": NaN}', "NaN"),
        (b'{"format": "khasan-sim-save", "version": 1, "now_min": Infinity}', "Infinity"),
        (b"[" * 100_000 + b"]" * 100_000, "save"),
        (json.dumps(GOOD).encode()[:50], "not valid JSON"),
    ],
    ids=[
        "empty",
        "binary",
        "a-list",
        "another-format",
        "another-version",
        "nan",
        "infinity",
        "deep",
        "truncated",
    ],
)
def test_a_save_that_is_not_one_is_refused(cli, tmp_path, content, words):
    path = tmp_path / "game.json"
    path.write_bytes(content)
    assert_refused(cli("play", "--load", path, "--turns", "0"), "game.json", words)


def test_a_good_save_reads(tmp_path):
    path = tmp_path / "game.json"
    path.write_text(json.dumps(GOOD))
    save = read_save(path)
    assert (save.seed, save.followers, save.orders[0]["at_min"]) == (3, ["2mb-3tb"], 0.0)


def test_a_save_folder_or_device_is_refused(cli, tmp_path):
    assert_refused(cli("play", "--load", tmp_path, "--turns", "0"), "folder")
    assert_refused(cli("play", "--load", "/dev/zero", "--turns", "0"), "/dev/zero")


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    field=st.sampled_from(sorted(GOOD)),
    value=st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False),
        st.text(max_size=10),
        st.lists(st.integers(), max_size=3),
        st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    ),
)
def test_any_value_in_any_field_of_a_save_reads_or_is_refused_in_one_line(
    tmp_path_factory, field, value
):
    doc = copy.deepcopy(GOOD)
    doc[field] = value
    path = tmp_path_factory.mktemp("save") / "game.json"
    path.write_text(json.dumps(doc))
    try:
        read_save(path)
    except SaveFileError as exc:
        assert str(exc).startswith(str(path)) and "\n" not in str(exc)


# ------------------------------------------------------------------ scenario-like documents


def test_a_scenario_that_is_a_pipe_is_refused_without_blocking(cli, tmp_path):
    fifo = tmp_path / "scenario.yaml"
    os.mkfifo(fifo)
    assert_refused(
        cli("scenario", "check", fifo, "--no-terrain"), "scenario.yaml", "not a regular file"
    )


def test_a_scenario_over_the_size_limit_is_refused(cli, tmp_path):
    big = tmp_path / "big.yaml"
    with big.open("wb") as fh:
        fh.write(b"# padding\n" * 2_200_000)
    assert_refused(cli("scenario", "check", big, "--no-terrain"), "big.yaml", "MB")


def test_a_scenario_nested_too_deep_is_refused(cli, tmp_path):
    deep = tmp_path / "deep.yaml"
    deep.write_text("scenario: " + "[" * 5000 + "]" * 5000 + "\n")
    assert_refused(cli("scenario", "check", deep, "--no-terrain"), "deep.yaml", "nested")


def test_a_variant_with_a_nul_byte_is_refused(cli, tmp_path):
    bad = tmp_path / "variant.yaml"
    bad.write_bytes(b"variant:\n  id: x\x00\n")
    assert_refused(cli("scenario", "check", TINY, "--variant", bad, "--no-terrain"), "variant.yaml")


def test_a_crash_is_one_line_with_the_traceback_in_a_file(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("KHASAN_CACHE", str(tmp_path))

    def explode(args, console):
        raise ZeroDivisionError("a bug")

    import khasan_sim.cli.cmd_study as cmd

    monkeypatch.setattr(cmd, "run", explode)
    outcome = cli("study", "check", tmp_path / "x.sqlite")
    assert outcome.code == 70
    assert len(outcome.err_lines) == 1 and "ZeroDivisionError: a bug" in outcome.err
    crash = next((tmp_path / "crashes").glob("crash-*.txt"))
    assert str(crash) in outcome.err
    assert "Traceback" in crash.read_text() and "ZeroDivisionError" in crash.read_text()


def test_a_path_given_for_a_scenario_is_named(cli, tmp_path):
    assert_refused(
        cli("scenario", "check", Path(tmp_path, "missing.yaml")), "missing.yaml", "no such file"
    )
