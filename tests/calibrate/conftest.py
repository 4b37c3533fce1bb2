"""Shared pieces of the calibration tests: the tiny scenario with its own copies of the parameter files."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "tests" / "data" / "tiny" / "tiny.yaml"
DATA = ROOT / "tests" / "data" / "calibrate"
PARAMS = ROOT / "scenarios" / "params"


_FITTED = re.compile(r", fitted: \{[^{}]*\}")


@pytest.fixture
def tiny_copy(tmp_path: Path) -> Path:
    """A copy of the tiny scenario that reads copies of the parameter files (under
    tmp_path/params), without the ``fitted:`` notes of the historical calibration: the
    tiny record's four entries allow two fitted parameters, and the tests fit their own."""
    params = tmp_path / "params"
    params.mkdir()
    names = []
    for f in sorted(PARAMS.glob("*.yaml")):
        text = _FITTED.sub("", f.read_text(encoding="utf-8"))
        (params / f.name).write_text(text, encoding="utf-8")
        names.append(f"params/{f.name}")
    text = TINY.read_text(encoding="utf-8")
    listed = "  params: [" + ", ".join(names) + "]\n"
    text = text.replace("  turn_minutes: 30\n", "  turn_minutes: 30\n" + listed, 1)
    assert listed in text
    path = tmp_path / "tiny.yaml"
    path.write_text(text, encoding="utf-8")
    shutil.copy(DATA / "tiny-record.yaml", tmp_path / "tiny-record.yaml")
    shutil.copy(DATA / "tiny-calibration.yaml", tmp_path / "tiny-calibration.yaml")
    return path
