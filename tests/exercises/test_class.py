"""A class folder of saves from different variants: each game placed in its own study, and named."""

from __future__ import annotations

import json

from khasan_sim.cli.main import main
from khasan_sim.exercises import classroom
from khasan_sim.exercises.classroom import class_report, variant_key
from khasan_sim.record import load_record

from .conftest import EXERCISE, known_result


def _save(path, variant, seed=1, exercise=None, scenario="scenarios/khasan_1938/historical.yaml"):
    doc = {
        "format": "khasan-sim-save", "version": 1, "scenario": scenario, "variant": variant, "seed": seed,
        "player_sides": ["soviet"], "now_min": 6840.0, "label": "1938-08-11T12:00", "orders": [], "pending": [],
        "events_digest": "", "settings": {"fog": False, **({"exercise": exercise} if exercise else {})}, "followers": [],
    }
    path.write_text(json.dumps(doc), encoding="utf-8")


def _fake_play_out(scenario, variant, save, where):
    """Stand-in for replaying the game: the baseline game gets 12 tanks to the line, the variant's 30."""
    i = 3 if variant is None else 4
    doc = known_result(i, save.seed, None if variant is None else "round-the-swamp")
    doc["snapshots"]["1938-08-07T00:00"]["unit.2mb-3tb.tanks_reached.japanese-forward-line"] = 12 if variant is None else 30
    return doc, "played to the ceasefire"


def _class_folder(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    _save(folder / "anna.json", None, exercise=EXERCISE)
    _save(folder / "boris.json", "/home/boris/khasan/scenarios/khasan_1938/variants/round-the-swamp.yaml")  # another machine's path
    _save(folder / "clara.json", "scenarios/khasan_1938/variants/border-open.yaml")  # another exercise's variant
    (folder / "dmitri.json").write_text('{"format": "khasan-sim-save", "version": 1, "seed": ', encoding="utf-8")  # cut short
    (folder / "notes.txt").write_text("bring the projector", encoding="utf-8")
    return folder


def test_variant_of_a_save(exercise1):
    assert variant_key(exercise1, None) == ("baseline", None)
    assert variant_key(exercise1, "scenarios/khasan_1938/variants/round-the-swamp.yaml") == ("round-the-swamp", "round-the-swamp")
    assert variant_key(exercise1, "C:/games/round-the-swamp.yaml") == ("round-the-swamp", "round-the-swamp")
    assert variant_key(exercise1, "scenarios/khasan_1938/variants/border-open.yaml") == (None, "border-open")


def test_class_report_says_which_variant_each_save_played(tmp_path, monkeypatch, known_studies, exercise1):
    monkeypatch.setattr(classroom, "play_out", _fake_play_out)
    html, games = class_report(exercise1, _class_folder(tmp_path), known_studies, load_record())
    by = {g.name: g for g in games}
    assert by["anna.json"].status == "ok" and by["anna.json"].study == "baseline" and by["anna.json"].played == "historical (baseline)"
    assert by["boris.json"].status == "ok" and by["boris.json"].study == "round-the-swamp" and by["boris.json"].played == "Round the stream valley"
    assert by["clara.json"].status == "foreign" and "border-open" in by["clara.json"].played
    assert by["dmitri.json"].status == "damaged"
    assert by["notes.txt"].status == "foreign"
    # placed in their own study: 12 tanks is above every baseline run (5..9); 30 above every variant run (15..19)
    assert by["anna.json"].values["tanks-3tb-reached"] == 12
    assert by["anna.json"].places["tanks-3tb-reached"] == "above every run"
    assert by["boris.json"].places["tanks-3tb-reached"] == "above every run"
    # killed 503 / 504 among 500..539 of their study
    assert by["anna.json"].places["soviet-killed"] == "9th percentile of its study's runs"
    # Bezymyannaya at 23 h (anna) among the baseline's 20..59 h: 36 of 40 runs later, 3 earlier
    assert by["anna.json"].places["bezymyannaya-taken"] == "earlier than 90% of its study's runs, later than 8%"
    for name in ("anna.json", "boris.json", "clara.json", "dmitri.json", "notes.txt"):
        assert name in html
    assert "historical (baseline)" in html and "Round the stream valley" in html and "damaged save file" in html
    assert "not one of this exercise" in html


def test_class_command(tmp_path, monkeypatch, known_studies):
    monkeypatch.setattr(classroom, "play_out", _fake_play_out)
    out = tmp_path / "class.html"
    assert main(["exercise", "class", EXERCISE, str(_class_folder(tmp_path)), "--studies", str(known_studies), "--out", str(out)]) == 0
    assert "anna.json" in out.read_text(encoding="utf-8")


def test_a_save_that_does_not_replay_is_listed_not_fatal(tmp_path, monkeypatch, known_studies, exercise1):
    from khasan_sim.errors import SaveFileError

    def broken(scenario, variant, save, where):
        raise SaveFileError(f"{where}: the replayed run differs from the saved one (the scenario or the program changed since it was saved)")

    monkeypatch.setattr(classroom, "play_out", broken)
    folder = tmp_path / "c"
    folder.mkdir()
    _save(folder / "old.json", None)
    _, games = class_report(exercise1, folder, known_studies, load_record())
    assert games[0].status == "damaged" and "replayed run differs" in games[0].note
