"""Fuzzing the boundary (hypothesis): the shipped scenario, variant, parameter, terrain and
save files mutated at random (keys deleted or renamed, values swapped for NaN, infinities,
huge and negative numbers, words, lists, nothing; the text truncated; random bytes), and
command lines with hostile values. Each case, run as a user would (in-process, under a time
limit): either it succeeds, or it ends with exit status 2 and one line on stderr naming
the file or option; never a traceback, a crash report, a hang or a changed input.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import signal
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from khasan_sim.cli.main import main

from .conftest import ROOT, fingerprint, make_workspace

VARIANTS = ROOT / "scenarios" / "khasan_1938" / "variants"
LIMIT_S = 60  # a case that takes longer hangs

HOSTILE_VALUES = [
    math.nan, math.inf, -math.inf, 1e300, -1e300, -5, 0, -0.5, 10**30, "word", "", [], {}, None, True,
    [1, 2, 3], {"value": "x"}, "1e999", "nan",
]


@contextlib.contextmanager
def time_limit(seconds: int):
    def boom(*_: Any) -> None:
        raise TimeoutError(f"the case took more than {seconds} s")

    old = signal.signal(signal.SIGALRM, boom)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def run_cli(*argv: str | Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), time_limit(LIMIT_S):
        try:
            code = main([str(a) for a in argv])
        except SystemExit as exc:
            code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


def judge(code: int, out: str, err: str, crashes: Path, *, names: tuple[str, ...] = ()) -> None:
    text = out + err
    assert "Traceback" not in text, text[-2000:]
    assert "failed unexpectedly" not in text, text[-2000:]
    assert not list(crashes.glob("*")), f"crash report written: {text[-1000:]}"
    assert code in (0, 2), f"exit {code}: {text[-2000:]}"
    if code == 2:
        lines = [ln for ln in err.splitlines() if ln.strip()]
        assert len(lines) == 1, f"expected one line on stderr:\n{err}"
        if names:
            assert any(n in lines[0] for n in names), f"none of {names} in: {lines[0]}"


# ------------------------------------------------------------------ mutations


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a node of a YAML document (dict keys, list indices)."""
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node[:20]):
            out += _paths(v, (*prefix, i))
    return out


def _mutated(doc: Any, data: st.DataObject) -> Any:
    paths = _paths(doc)
    if not paths:
        return data.draw(st.sampled_from(HOSTILE_VALUES))
    path = data.draw(st.sampled_from(paths))
    parent = doc
    for p in path[:-1]:
        parent = parent[p]
    last = path[-1]
    how = data.draw(st.sampled_from(["delete", "replace", "rename"]))
    if how == "delete":
        del parent[last]
    elif how == "rename" and isinstance(parent, dict):
        parent[f"{last}_unknown"] = parent.pop(last)
    else:
        parent[last] = data.draw(st.sampled_from(HOSTILE_VALUES))
    return doc


def mutate_text(text: str, data: st.DataObject) -> bytes:
    """Return the file's text mutated: a structural edit, a truncation or random bytes."""
    kind = data.draw(st.sampled_from(["structure", "structure", "structure", "truncate", "bytes"]))
    # where to cut or insert: a share of the text, so that the draws do not depend on its
    # length (the workspace's paths are in it)
    if kind == "truncate":
        raw = text.encode()
        return raw[: int(data.draw(st.floats(0.0, 1.0)) * len(raw))]
    if kind == "bytes":
        raw = bytearray(text.encode())
        at = int(data.draw(st.floats(0.0, 1.0)) * len(raw))
        raw[at:at] = data.draw(st.binary(min_size=1, max_size=16))
        return bytes(raw)
    doc = yaml.safe_load(text)
    return yaml.safe_dump(_mutated(doc, data), allow_unicode=True, sort_keys=False).encode()


FUZZ = settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture
def crashes(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("KHASAN_CACHE", str(cache))
    monkeypatch.setenv("COLUMNS", "200")
    return cache / "crashes"


def _workspace(tmp_path_factory: pytest.TempPathFactory, *, own_terrain: bool = False):
    return make_workspace(tmp_path_factory.mktemp("ws"), own_terrain=own_terrain)


@FUZZ
@given(data=st.data())
def test_a_mutated_scenario_is_checked_or_refused(tmp_path_factory, crashes, data):
    ws = _workspace(tmp_path_factory)
    ws.scenario.write_bytes(mutate_text(ws.scenario.read_text(encoding="utf-8"), data))
    before = fingerprint(ws.root)
    judge(*run_cli("scenario", "check", ws.scenario, "--no-terrain"), crashes, names=(".yaml",))
    assert fingerprint(ws.root) == before


@FUZZ
@given(data=st.data())
def test_a_mutated_parameter_file_is_checked_or_refused(tmp_path_factory, crashes, data):
    ws = _workspace(tmp_path_factory)
    files = sorted(ws.params.glob("*.yaml"))
    f = data.draw(st.sampled_from(files))
    f.write_bytes(mutate_text(f.read_text(encoding="utf-8"), data))
    before = fingerprint(ws.root)
    judge(*run_cli("scenario", "check", ws.scenario, "--no-terrain"), crashes, names=(".yaml",))
    assert fingerprint(ws.root) == before


@settings(FUZZ, max_examples=8)
@given(data=st.data())
def test_a_mutated_terrain_description_is_checked_or_refused(tmp_path_factory, crashes, data):
    ws = _workspace(tmp_path_factory, own_terrain=True)
    ws.terrain.write_bytes(mutate_text(ws.terrain.read_text(encoding="utf-8"), data))
    before = fingerprint(ws.root)
    judge(*run_cli("scenario", "check", ws.scenario), crashes, names=(".yaml",))
    assert fingerprint(ws.root) == before


@FUZZ
@given(data=st.data())
def test_a_mutated_variant_is_checked_or_refused(tmp_path_factory, crashes, data):
    folder = tmp_path_factory.mktemp("variant")
    src = data.draw(st.sampled_from(sorted(VARIANTS.glob("*.yaml"))))
    v = folder / src.name
    v.write_bytes(mutate_text(src.read_text(encoding="utf-8"), data))
    before = fingerprint(folder)
    scenario = ROOT / "scenarios" / "khasan_1938" / "historical.yaml"
    judge(*run_cli("scenario", "check", scenario, "--variant", v, "--no-terrain"), crashes, names=(".yaml",))
    assert fingerprint(folder) == before


@FUZZ
@given(data=st.data())
def test_a_mutated_save_is_read_or_refused(tmp_path_factory, data):
    from khasan_sim.errors import SaveFileError
    from khasan_sim.saves import read_save

    good = {
        "format": "khasan-sim-save", "version": 1, "scenario": "scenario.yaml", "seed": 3, "variant": None,
        "player_sides": ["soviet"], "now_min": 60.0,
        "orders": [{"at_min": 30.0, "order": {"kind": "move", "unit": "2mb-3tb", "to": [7000, 7000]}}],
        "pending": [], "events_digest": "0" * 64, "label": "", "settings": {}, "followers": None,
    }
    path = tmp_path_factory.mktemp("save") / "game.json"
    text = json.dumps(good)
    kind = data.draw(st.sampled_from(["structure", "structure", "truncate", "bytes"]))
    if kind == "structure":
        path.write_text(json.dumps(_mutated(json.loads(text), data), allow_nan=True), encoding="utf-8")
    else:
        path.write_bytes(mutate_text(text, data) if kind == "bytes" else text.encode()[: int(data.draw(st.floats(0.0, 1.0)) * len(text))])
    before = path.read_bytes()
    with time_limit(LIMIT_S):
        try:
            read_save(path)
        except SaveFileError as exc:
            assert "game.json" in str(exc) and "\n" not in str(exc)
    assert path.read_bytes() == before


HOSTILE_ARGS = ["-1", "0", "-0.5", "nan", "inf", "1e400", "", "abc", "99999999999999999999999", "1x", "0x-5", "../../x", "\x00"]


@FUZZ
@given(data=st.data())
def test_hostile_command_lines_are_refused_in_one_line(tmp_path_factory, crashes, data):
    ws = _workspace(tmp_path_factory)
    out = ws.root / "out"
    value = data.draw(st.sampled_from(HOSTILE_ARGS))
    commands = [
        ["run", ws.scenario, "--seed", value],
        ["batch", ws.scenario, "--runs", value, "--out", out / "s.sqlite", "--workers", "1"],
        ["batch", ws.scenario, "--runs", "2", "--workers", value, "--out", out / "s.sqlite"],
        ["batch", ws.scenario, "--runs", "2", "--seed", value, "--out", out / "s.sqlite", "--workers", "1"],
        ["map", ws.scenario, "--png", out / "m.png", "--extent", value],
        ["compare", value],
        ["export", value, "--format", "jsonl", "--out", out / "e.jsonl"],
        ["play", ws.scenario, "--turns", value],
        ["play", ws.scenario, "--size", value, "--turns", "0"],
        ["run", ws.scenario, "--snapshot-at", value],
        ["exercise", "show", value],
        ["scenario", "check", value],
    ]
    argv = data.draw(st.sampled_from(commands))
    os.environ["SDL_VIDEODRIVER"] = "dummy"
    before = fingerprint(ws.root)
    code, o, e = run_cli(*argv)
    judge(code, o, e, crashes)
    after = fingerprint(ws.root)
    assert {k: v for k, v in after.items() if k in before} == before  # no input changed


EXERCISES = ROOT / "scenarios" / "exercises"


@FUZZ
@given(data=st.data())
def test_a_mutated_exercise_is_shown_or_refused(tmp_path_factory, crashes, data):
    root = tmp_path_factory.mktemp("exercise")
    (root / "exercises").mkdir()
    for name in ("khasan_1938", "record"):  # what an exercise's relative paths point to, read only
        (root / name).symlink_to(ROOT / "scenarios" / name, target_is_directory=True)
    src = data.draw(st.sampled_from(sorted(EXERCISES.glob("*.yaml"))))
    ex = root / "exercises" / src.name
    ex.write_bytes(mutate_text(src.read_text(encoding="utf-8"), data))
    before = fingerprint(root / "exercises")
    judge(*run_cli("exercise", "show", ex), crashes, names=(".yaml",))
    assert fingerprint(root / "exercises") == before


@pytest.mark.parametrize("value", ["", "\x00", "a\x00b"])
@pytest.mark.parametrize("command", ["scenario check {v}", "export {v} --format jsonl --out e.jsonl", "compare {v}", "run {tiny} --json {v}"])
def test_empty_paths_and_nul_bytes_are_refused_in_one_line(crashes, tmp_path, command, value):
    """Found by the fuzz suite: an empty study path and a NUL byte in a path crashed."""
    argv = [p.replace("{v}", value).replace("{tiny}", str(ROOT / "tests" / "data" / "tiny" / "tiny.yaml")) for p in command.split(" ")]
    code, out, err = run_cli(*argv)
    judge(code, out, err, crashes)
    assert code == 2
