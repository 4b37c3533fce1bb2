"""The hostile-input suite's tools: run the CLI in-process, build a workspace, judge the outcome.

Every case is run as a user would run it (``khasan-sim ...`` through :func:`main`, in
this process for speed) in a workspace of copies, and judged by :func:`assert_refused`:
exit status 2, one line on stderr that names the file or option at fault, no
traceback, no crash report, and every file of the workspace byte for byte as before.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest

from khasan_sim.cli.main import main
from khasan_sim.rng import replication_seed
from khasan_sim.runner.study import RunRecord, StudyFile, StudySpec

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "tests" / "data" / "tiny" / "tiny.yaml"
PARAMS = ROOT / "scenarios" / "params"
TERRAIN = ROOT / "assets" / "terrain" / "khasan.yaml"


@dataclass
class Outcome:
    """What a command did: its exit status and what it printed."""

    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return [ln for ln in self.err.splitlines() if ln.strip()]


def fingerprint(folder: Path) -> dict[str, str]:
    """Return {relative path: sha256} of every file under *folder*."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


@pytest.fixture
def cli(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Callable[..., Outcome]:
    """Run ``khasan-sim ARGS`` in-process (in *tmp_path*); return its Outcome."""
    monkeypatch.setenv("COLUMNS", "200")

    def run(*argv: str | Path) -> Outcome:
        capsys.readouterr()
        try:
            code = main([str(a) for a in argv])
        except SystemExit as exc:  # argparse
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return Outcome(code, captured.out, captured.err)

    return run


def assert_refused(
    outcome: Outcome, *names: str, before: dict[str, str] | None = None, folder: Path | None = None
) -> None:
    """Assert a clean refusal: status 2, one line naming each of *names*, no traceback, nothing changed."""
    text = outcome.err + outcome.out
    assert "Traceback" not in text, text
    assert "failed unexpectedly" not in text, text
    assert outcome.code == 2, f"exit {outcome.code}: {text}"
    lines = outcome.err_lines
    assert len(lines) == 1, f"expected one line on stderr, got {len(lines)}:\n{outcome.err}"
    for name in names:
        assert name in lines[0], f"{name!r} not in: {lines[0]}"
    if before is not None and folder is not None:
        after = fingerprint(folder)
        changed = {k for k in before if before.get(k) != after.get(k)}
        assert not changed, f"changed or removed: {sorted(changed)}"


# ------------------------------------------------------------------ a workspace


@dataclass
class Workspace:
    """Copies a case may break: the tiny scenario, the parameter files, the terrain."""

    root: Path
    scenario: Path
    params: Path
    terrain: Path

    def param_file(self, name: str) -> Path:
        return self.params / name

    def edit(self, path: Path, old: str, new: str) -> None:
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {path.name}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    def fingerprint(self) -> dict[str, str]:
        return fingerprint(self.root)


def make_workspace(root: Path, *, own_terrain: bool = False) -> Workspace:
    """Copy the tiny scenario and the parameter files (and the terrain) into *root*."""
    params = root / "params"
    shutil.copytree(PARAMS, params)
    terrain = root / "terrain.yaml"
    shutil.copyfile(TERRAIN, terrain)
    text = TINY.read_text(encoding="utf-8")
    files = ", ".join(json.dumps(str(p)) for p in sorted(params.glob("*.yaml")))
    map_path = terrain if own_terrain else TERRAIN
    text = text.replace(
        "  map: assets/terrain/khasan.yaml\n",
        f"  map: {json.dumps(str(map_path))}\n  params: [{files}]\n",
        1,
    )
    scenario = root / "scenario.yaml"
    scenario.write_text(text, encoding="utf-8")
    return Workspace(root, scenario, params, terrain)


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    return make_workspace(tmp_path)


# ------------------------------------------------------------------ a study


SPEC = StudySpec(
    scenario="tiny",
    scenario_digest="d" * 64,
    variant=None,
    study_seed=7,
    runs=12,
    code_version="test",
    params_digest="p" * 64,
    snapshot_at=(),
    scenario_path=str(TINY),
)


def run_result(i: int, seed: int) -> dict:
    return {
        "scenario": "tiny",
        "seed": seed,
        "variant": None,
        "snapshots": {"1938-08-06T22:00": {"soviet.killed": 10 + i, "japanese.killed": 5 + i}},
        "events": 100 + i,
        "events_digest": f"{seed:064x}"[-64:],
        "meta": {"code_version": "test", "scenario_digest": "d" * 64},
    }


def make_study(path: Path, runs: Iterable[int] = range(12), spec: StudySpec = SPEC) -> Path:
    """Write a small study file with known runs (run 3 raised)."""
    records = []
    for i in runs:
        seed = replication_seed(spec.study_seed, i)
        if i == 3:
            records.append(
                RunRecord(i, seed, "error", None, "Traceback...\nValueError: boom", 0.1, "w")
            )
        else:
            records.append(
                RunRecord(i, seed, "ok", json.dumps(run_result(i, seed)), None, 0.1, "w")
            )
    with StudyFile.create(path, spec) as study:
        study.record_runs(records)
    return path
