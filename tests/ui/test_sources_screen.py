"""The model's sources in play: tooltips over a counter and the route preview, the Model screen,
and the compare screen's "how lucky was I"."""

from __future__ import annotations

import pygame

from khasan_sim.api import parameter_sources
from tests.ui.conftest import key, step_until


def test_model_screen_lists_every_parameter_with_its_source(tiny_app):
    app = tiny_app
    key(app, pygame.K_i)
    assert app.overlay == "model"
    lines = app.model_lines()
    params = app.session.sim.scenario.params
    keys = [text.split(" = ")[0] for style, text in lines if style == "param"]
    assert keys == sorted(params)
    fitted = [text for style, text in lines if style == "param" and text.endswith("FITTED")]
    assert len(fitted) == sum(1 for s in parameter_sources(params) if s.fitted) > 0
    assert all(text.endswith(")") for style, text in lines if style == "source")  # each with its file:line
    app.step()
    pygame.event.post(pygame.event.Event(pygame.MOUSEWHEEL, x=0, y=-2, flipped=False, precise_x=0.0, precise_y=-2.0))
    app.step()
    assert app.model_top == 6
    key(app, pygame.K_PAGEDOWN)
    assert app.model_top == 26
    key(app, pygame.K_i)
    assert app.overlay is None
    assert any(k == "I" for k, _ in __import__("khasan_sim.ui.app_overlays", fromlist=["HELP"]).HELP)


def test_a_counter_tells_its_morale_and_the_morale_parameters(tiny_app):
    app = tiny_app
    rect, uid = next((r, u) for r, u in app.unit_rects if u == "2mb-3tb")
    tip = app.hover_tip(rect.center)
    assert tip is not None
    text = "\n".join(t for _, t in tip)
    u = app.current_frame().unit(uid)
    assert f"morale {u.morale:.2f}" in text
    assert "morale.loss_rate_weight = " in text and "FITTED" in text
    assert "combat.yaml:" in text  # the source line


def test_a_route_preview_tells_movement_and_bog_sources(tiny_app, monkeypatch):
    from tests.ui.conftest import click
    from tests.ui.test_play import screen_of

    app = tiny_app
    click(app, screen_of(app, "2mb-3tb"))
    tx, ty = app.cam.to_screen(7000.0, 7500.0)
    monkeypatch.setattr(pygame.mouse, "get_pos", lambda: (int(tx), int(ty)))
    step_until(app, lambda: not app._preview_asked)
    app.preview, app._preview_at, app.preview_target = None, 0.0, None
    app._update_preview()
    step_until(app, lambda: app.preview is not None)
    end = app.cam.to_screen(*map(float, app.preview.points_m[-1]))
    tip = app.hover_tip((int(end[0]), int(end[1])))
    keys = [t.split(" = ")[0] for style, t in tip if style == "param"]
    assert "mobility.speed_kmh.bt.open" in keys and not any(".foot." in k for k in keys)
    assert tip[0] == ("title", "The model: movement")


def test_compare_screen_says_where_the_game_falls_among_the_study(tmp_path):
    from khasan_sim.analysis.compare import EntryComparison
    from khasan_sim.ui.comparing import Row, StudyCell

    c = EntryComparison(id="soviet-killed", metric="soviet.killed", kind="count", when="", recorded="", runs=4, unjudged=0, values=[100, 200, 300, 400])
    cell = StudyCell("250 (100-400)", 100, 400, c)
    row = Row("soviet killed", "250", "", True, simulated=250, entry_id="soviet-killed")
    assert cell.luck(row) == "this game: 50th percentile of 4 runs"
    assert cell.luck(Row("soviet killed", "not yet", "", None, entry_id="soviet-killed")) == ""


def test_a_fire_exchange_and_a_bogging_in_the_log_tell_their_mechanism():
    from khasan_sim.engine.eventlog import LogEvent
    from khasan_sim.scenario.params_file import default_param_files, load_params
    from khasan_sim.ui.sourcetext import event_tip

    params = load_params(default_param_files())
    fire = LogEvent(7, 600, "casualties", (("unit", "2mb-3tb"), ("killed", 3), ("wounded", 5), ("cause", "direct-fire"), ("weapon", "hmg"), ("range_m", 640.0)))
    tip = event_tip("6 Aug 16:10  2mb-3tb: 3 killed", [("weapon", "hmg"), ("range m", "640.0")], params, fire)
    keys = [t.split(" = ")[0] for style, t in tip if style == "param"]
    assert ("title", "The model: direct fire") in tip
    assert any(k.startswith("weapons.hmg.") for k in keys) and not any(k.startswith("weapons.lmg.") for k in keys)
    assert ("text", "weapon: hmg") in tip  # whatever cause fields the event carries
    bog = LogEvent(8, 660, "bogged", (("tank", "t1"), ("p_bog_per_100m", 0.075)))
    tip = event_tip("6 Aug 16:11  t1 bogged (8%/100 m)", [("p bog per 100m", "0.075")], params, bog)
    assert ("title", "The model: bogging") in tip
    assert any(t.startswith("mobility.p_bog_per_100m.") for style, t in tip if style == "param")
    # under fog the enemy's events tell no mechanism (nothing of the enemy's figures)
    assert not any(style == "param" for style, _ in event_tip("x", [], params, fire, show_model=False))


def test_shellfire_in_the_log_tells_the_artillery_mechanism_with_taking_cover():
    from khasan_sim.engine.eventlog import LogEvent
    from khasan_sim.scenario.params_file import default_param_files, load_params
    from khasan_sim.ui.sourcetext import event_tip

    params = load_params(default_param_files())
    shells = LogEvent(9, 700, "casualties", (("unit", "j-75ir-1bn"), ("killed", 2), ("cause", "artillery:39rc-cap-107"), ("posture", 0.027)))
    tip = event_tip("6 Aug 17:40  j-75ir-1bn: 2 killed", [("posture", "0.027")], params, shells)
    assert ("title", "The model: artillery and air") in tip
    keys = [t.split(" = ")[0] for style, t in tip if style == "param"]
    assert any(k.startswith("artillery.") for k in keys)
