"""Classroom exercises from the game's menu: pick, play, see where the game falls; run a small study; a class."""

from __future__ import annotations

import json
import textwrap

import pygame
import pytest

from khasan_sim.exercises.format import pack
from tests.exercises.conftest import DAY1, EXERCISE, known_result, write_known_study
from tests.ui.conftest import ROOT, TINY, key


@pytest.fixture(autouse=True)
def _data(tmp_path, monkeypatch):
    """The game's own studies go to a private folder; the current folder has no studies."""
    monkeypatch.setenv("KHASAN_UI_DATA", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def exercise1():
    from khasan_sim.exercises.format import find_exercise, load_exercise

    return load_exercise(find_exercise(EXERCISE), check_variants=False)


def _known(folder, runs=40):
    folder.mkdir(parents=True, exist_ok=True)
    write_known_study(folder / "baseline.sqlite", None, runs)
    write_known_study(folder / "round-the-swamp.sqlite", "round-the-swamp", runs)
    return folder


def _game_result(tanks_reached):
    doc = known_result(3, 1, "round-the-swamp")
    doc["snapshots"][DAY1]["unit.2mb-3tb.tanks_reached.japanese-forward-line"] = tanks_reached
    return doc


# ------------------------------------------------------------------ finding and placing


def test_studies_are_found_where_exercise_run_writes_them_then_in_the_games_own_folder(tmp_path, exercise1):
    from khasan_sim.ui.exercises import find_studies, game_studies_dir

    none = find_studies(exercise1)
    assert not none.usable and "no studies" in none.note
    own = _known(game_studies_dir(exercise1.id), runs=5)
    found = find_studies(exercise1)
    assert found.folder == own and found.runs == {"baseline": 5, "round-the-swamp": 5}
    # `khasan-sim exercise run NAME` writes exercise-NAME/ in the folder it runs in: that one comes first
    cli = _known(tmp_path / f"exercise-{exercise1.id}", runs=7)
    assert find_studies(exercise1).folder == cli
    # a folder missing the variant's study is passed over, and said
    (cli / "round-the-swamp.sqlite").unlink()
    half = find_studies(exercise1)
    assert half.folder == own and half.runs["baseline"] == 5
    (own / "baseline.sqlite").write_bytes(b"not a study")
    broken = find_studies(exercise1)
    assert not broken.usable and str(own) in broken.note


def test_a_game_is_placed_in_the_study_of_the_variant_it_played(tmp_path, exercise1):
    from khasan_sim.ui.exercises import place_result

    studies = _known(tmp_path / "studies")
    variant = str(ROOT / "scenarios" / "khasan_1938" / "variants" / "round-the-swamp.yaml")
    p = place_result(exercise1, studies, _game_result(30), variant)
    assert p.played == "Round the stream valley" and p.runs == 40
    by = {m.label.split(":")[0]: m for m in p.metrics}
    tanks = next(m for m in p.metrics if m.label.startswith("3rd tank battalion: tanks that reached"))
    assert tanks.game == "30" and tanks.place == "above every run"  # the variant's runs reach 15..19
    assert len(tanks.values) == 40 and min(tanks.values) == 15 and max(tanks.values) == 19 and tanks.game_value == 30
    assert tanks.study != tanks.baseline  # the variant's distribution, the baseline's beside it
    # in the middle of its study: 17 is the 50th percentile of 15..19
    mid = next(m for m in place_result(exercise1, studies, _game_result(17), variant).metrics if m.label == tanks.label)
    assert "percentile" in mid.place
    # the same game played without the variant is placed among the baseline's runs (5..9): above all
    base = next(m for m in place_result(exercise1, studies, _game_result(12), None).metrics if m.label == tanks.label)
    assert base.place == "above every run" and base.study == base.baseline
    assert len(by) >= 3


def test_a_game_not_over_says_so_and_a_foreign_variant_is_refused(tmp_path, exercise1):
    from khasan_sim.errors import KhasanSimError
    from khasan_sim.ui.exercises import place_result

    studies = _known(tmp_path / "studies")
    doc = _game_result(12)
    del doc["snapshots"]["1938-08-11T12:00"]
    p = place_result(exercise1, studies, doc, None, finished=False)
    assert "not over" in p.note
    killed = next(m for m in p.metrics if m.label.startswith("Soviet killed"))
    assert killed.place.startswith("not reached yet")
    with pytest.raises(KhasanSimError, match="border-open"):
        place_result(exercise1, studies, doc, "scenarios/khasan_1938/variants/border-open.yaml")


def test_class_rows_reuse_the_class_report(tmp_path, monkeypatch, exercise1):
    """The menu's class table is the class report's placing (classroom.place_games), row by row."""
    from khasan_sim.exercises import classroom
    from khasan_sim.exercises.report import load_figures
    from khasan_sim.record import load_record
    from khasan_sim.ui.exercises import class_rows
    from tests.exercises.test_class import _class_folder, _fake_play_out

    monkeypatch.setattr(classroom, "play_out", _fake_play_out)
    studies = _known(tmp_path / "studies")
    _html, games = classroom.class_report(exercise1, _class_folder(tmp_path), studies, load_record())
    figs = load_figures(exercise1, studies, load_record())
    rows = {r.name: r for r in class_rows(figs.metrics, games)}
    assert rows["anna.json"].status == "ok" and len(rows["anna.json"].cells) == len(figs.metrics)
    tanks = [mf.metric.id for mf in figs.metrics].index("tanks-3tb-reached")
    assert rows["anna.json"].cells[tanks] == ("12", "above every run")
    assert rows["dmitri.json"].status == "damaged" and rows["dmitri.json"].cells == ()


# ------------------------------------------------------------------ background jobs (real processes)


def _tiny_exercise(tmp_path):
    path = tmp_path / "tiny-exercise.yaml"
    path.write_text(textwrap.dedent(f"""\
        exercise: {{id: tiny-elite-tankers, title: "Tiny: elite tankers", lesson: training, minutes: 5}}
        briefing:
          situation: A tiny battle.
          question: Do elite tankers lose fewer men?
          constraints: ["none"]
        scenario: {TINY}
        variants:
          - file: {TINY.parent / "variants" / "elite.yaml"}
            label: Elite tankers
        play: {{side: soviet, variant: 0}}
        questions:
          - text: Soviet killed?
            metrics: [killed]
        metrics:
          - id: killed
            metric: soviet.killed
            label: Soviet killed by the end
        teacher:
          what_happened: nothing
          evidence: none
          sources: ["test"]
        """), encoding="utf-8")
    return path


def test_a_small_study_runs_in_the_background_with_progress_then_places_a_game(tmp_path):
    from khasan_sim.exercises.format import load_exercise
    from khasan_sim.ui.exercises import find_studies, place_result
    from khasan_sim.ui.jobs import Job, small_study
    from khasan_sim.ui.session import GameSession

    ex_path = _tiny_exercise(tmp_path)
    ex = load_exercise(ex_path, check_variants=False)
    out = tmp_path / "data" / "studies" / f"exercise-{ex.id}"
    job = Job.start("tiny", small_study, str(ex_path), str(out), 3)
    assert not job.finished  # the window goes on drawing meanwhile
    assert job.wait(240), "the study did not finish"
    assert job.error is None, job.error
    assert set(job.parts) == {"baseline", "tiny-elite"}
    assert all(done == total == 3 for _, done, total in job.parts.values()) and job.fraction == 1.0
    found = find_studies(ex)
    assert found.folder == out and found.runs == {"baseline": 3, "tiny-elite": 3}
    # a game of the baseline that nobody ordered is exactly the study's first run: placed among the 3
    s = GameSession(TINY, 1)
    s.run_blocking(s.end_min)
    p = place_result(ex, out, s.sim.result().to_json(), None)
    assert p.runs == 3 and p.metrics[0].label == "Soviet killed by the end"
    assert "percentile" in p.metrics[0].place or "every run" in p.metrics[0].place


def test_a_job_that_fails_says_why(tmp_path):
    from khasan_sim.ui.jobs import Job, placement

    job = Job.start("placing", placement, str(_tiny_exercise(tmp_path)), str(tmp_path / "nowhere"), {}, None, True)
    assert job.wait(120)
    assert job.result is None and job.error is not None and "no study" in str(job.error)


# ------------------------------------------------------------------ the menu in the window


def _app(tmp_path, **kw):
    from khasan_sim.ui.app import App
    from khasan_sim.ui.session import GameSession
    from khasan_sim.ui.settings import Settings

    app = App(GameSession(TINY, 1, player_sides=["soviet"], **kw), settings=Settings(), size=(1280, 800), remember=False, save_dir=tmp_path / "saves")
    app.step()
    return app


def _click_button(app, action, arg=None):
    rect = next(r for r, a, x in app.menu.buttons if a == action and (arg is None or x == arg))
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=rect.center, button=1))
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=rect.center, button=1))
    app.step()


def test_menu_lists_the_pack_and_opens_an_exercise(tmp_path):
    app = _app(tmp_path)
    key(app, pygame.K_F2)
    assert app.overlay == "menu" and app.menu.page == "list"
    ids = [e.id for e in app.menu.entries]
    # every exercise of the pack, in the pack's order
    assert ids == [path.stem for path in pack()]
    assert EXERCISE in ids
    shown = [x.id for _, a, x in app.menu.buttons if a == "exercise"]
    assert EXERCISE in shown
    _click_button(app, "exercise", next(e for e in app.menu.entries if e.id == EXERCISE))
    assert app.menu.page == "exercise" and app.menu.current.id == EXERCISE
    assert not app.menu.found.usable  # no studies anywhere yet: the menu offers to run one
    actions = {a for _, a, _ in app.menu.buttons}
    assert {"play", "study", "pick_folder", "back"} <= actions
    assert "placement" not in actions  # this game is not exercise 1
    key(app, pygame.K_ESCAPE)
    assert app.menu.page == "list"
    key(app, pygame.K_ESCAPE)
    assert app.overlay is None


def test_this_game_among_the_runs_from_the_compare_screen(tmp_path, exercise1, monkeypatch):
    """E opens the placement of an exercise game; the work runs in a job and the page shows its rows."""
    from khasan_sim.ui.exercises import game_studies_dir

    _known(game_studies_dir(exercise1.id))
    app = _app(tmp_path)
    app.session.exercise = exercise1.id  # as a game started from the menu is marked
    app.session.run_blocking(120)
    key(app, pygame.K_c)
    assert app.overlay == "compare"
    key(app, pygame.K_e)
    assert app.overlay == "menu" and app.menu.page == "placement"
    job = app.menu.place_job
    assert job is not None and job.wait(120) and job.error is None, job.error
    app.step()
    p = app.menu.placed
    assert p is not None and p.runs == 40 and p.played == "historical (baseline)"
    assert [m.label for m in p.metrics] == [m.label for m in exercise1.doc.metrics]
    assert "not over" in p.note  # two hours into the battle
    app.step()


def test_class_folder_that_is_not_a_folder_is_said(tmp_path, exercise1):
    app = _app(tmp_path)
    app.open_menu()
    app.menu.select(next(e for e in app.menu.entries if e.id == EXERCISE))
    app.menu.pick_class(tmp_path / "no-such-folder")
    assert "not a folder" in app.menu.message and app.menu.class_job is None


def test_play_an_exercise_from_the_menu(tmp_path, monkeypatch):
    """'Play this exercise' starts a game of it: its variant, its side, the briefing first, saves carry its name."""
    from khasan_sim.ui import exercises
    from khasan_sim.ui.saves import read_save

    made = {}

    def fake_session(name, seed=1, *, process=True, factory=None):
        # the historical scenario is too big for a quick test: the tiny one, set up the same way
        from khasan_sim.exercises.play import exercise_setup
        from khasan_sim.ui.session import GameSession

        ex, _scenario, variant, side = exercise_setup(name)
        made.update(variant=variant, side=side)
        s = GameSession(TINY, seed, player_sides=[side])
        exercises.attach_exercise(s, ex)
        return s

    monkeypatch.setattr(exercises, "exercise_session", fake_session)
    app = _app(tmp_path)
    app.open_menu()
    app.menu.select(next(e for e in app.menu.entries if e.id == EXERCISE))
    app.step()
    _click_button(app, "play", EXERCISE)
    app.loading.join(60)
    app.step()
    assert made["variant"].endswith("round-the-swamp.yaml") and made["side"] == "soviet"
    assert app.session.exercise == EXERCISE and app.overlay == "briefing"
    out = app.save(tmp_path / "anna.json")
    assert read_save(out).settings["exercise"] == EXERCISE
    assert json.loads(out.read_text())["settings"]["exercise"] == EXERCISE


def test_paths_are_shown_short(tmp_path):
    import os
    from pathlib import Path

    from khasan_sim.ui.exercises import short_path

    assert short_path(tmp_path / "exercise-1" / "baseline.sqlite") == os.path.join("exercise-1", "baseline.sqlite")  # the test runs in tmp_path
    inside_home = Path.home() / "khasan-class-folder-for-a-test"
    assert short_path(inside_home) in ("~" + os.sep + "khasan-class-folder-for-a-test", os.path.relpath(inside_home))
