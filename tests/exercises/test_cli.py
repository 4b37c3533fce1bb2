"""`exercise list` and `exercise show` in a terminal; the front end's exercise entry."""

from __future__ import annotations

import io

from rich.console import Console

from khasan_sim.cli.main import main


def _run(argv):
    buf = io.StringIO()
    code = main(argv, console=Console(file=buf, width=140, force_terminal=False))
    return code, buf.getvalue()


def test_list_shows_every_exercise():
    code, out = _run(["exercise", "list"])
    assert code == 0
    for name in ("1-tanks-and-the-swamp", "2-the-border", "3-artillery-restriction", "4-the-air-strike", "5-trained-rifles",
                 "6-japanese-defence", "7-your-own-orders", "8-two-commanders"):
        assert name in out
    assert "both sides (hot seat)" in out


def test_show_prints_briefing_and_teacher_notes():
    code, out = _run(["exercise", "show", "6-japanese-defence"])
    assert code == 0
    assert "The question" in out and "Machine Gun Hill" in out and "For the teacher" in out and "Sources" in out
    code, out = _run(["exercise", "show", "6-japanese-defence", "--students"])
    assert code == 0 and "For the teacher" not in out


def test_unknown_exercise_is_one_line():
    code, out = _run(["exercise", "show", "9-nothing"])
    assert code == 2
    assert out.strip().startswith("error: 9-nothing: no such exercise") and len(out.strip().splitlines()) <= 2


def test_front_end_setup_and_saves_carry_the_exercise():
    from khasan_sim.exercises.play import briefing_lines, exercise_setup
    from khasan_sim.ui.saves import from_session

    ex, scenario, variant, side = exercise_setup("6-japanese-defence")
    assert side == "japanese" and variant is not None and variant.endswith("japanese-reinforce-heights.yaml")
    title, sections = briefing_lines(ex, variant)
    assert "Japanese defence" in title
    assert any("Japanese reserves dug in on the heights" in body for _, body in sections)
    _, _, variant, side = exercise_setup("8-two-commanders")
    assert variant is None and side == "both"
    _, _, variant, _ = exercise_setup("6-japanese-defence", variant="japanese-abandon-mgh")
    assert variant.endswith("japanese-abandon-mgh.yaml")

    class Sim:
        now_min = 30.0
        given_orders = ()
        pending_orders = ()

        def events_digest(self):
            return "d"

        class now:  # noqa: N801
            @staticmethod
            def strftime(fmt):
                return "1938-08-06T16:30"

    class Session:
        sim = Sim()
        scenario_path, seed, variant_path, player_sides, followers = str(scenario), 1, None, ("soviet",), set()
        exercise = "7-your-own-orders"

    assert from_session(Session()).settings["exercise"] == "7-your-own-orders"
