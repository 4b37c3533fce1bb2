"""The compare screen beside a Monte Carlo study of the same scenario."""

from __future__ import annotations

import yaml

from khasan_sim.ui.comparing import study_cells


def test_study_cells_give_each_entrys_distribution(tmp_path, monkeypatch):
    from tests.analysis.conftest import RECORD_DOC, RUNS, write_study

    rec = tmp_path / "record.yaml"
    rec.write_text(yaml.safe_dump(RECORD_DOC, sort_keys=False), encoding="utf-8")
    monkeypatch.setenv("KHASAN_RECORD", str(rec))
    cells, note = study_cells(write_study(tmp_path / "study.sqlite"))
    assert f"{RUNS} runs" in note
    assert cells, note
    counts = [c for c in cells.values() if c.low is not None]
    assert counts and all(c.low <= c.high for c in counts)
    assert all("(" in c.text for c in counts)


def test_a_missing_study_is_a_note_not_a_crash(tmp_path):
    cells, note = study_cells(tmp_path / "nowhere.sqlite")
    assert cells == {} and note.startswith("study not shown")
