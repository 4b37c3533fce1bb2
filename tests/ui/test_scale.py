"""Readable at full HD as at 1280 x 800: the UI scale follows the window, times the user's setting."""

from __future__ import annotations

import pygame
import pytest

from khasan_sim.ui import theme
from tests.ui.conftest import TINY


@pytest.mark.parametrize(
    ("size", "scale"),
    [((1280, 800), 1.0), ((1920, 1080), 1.35), ((1920, 1200), 1.5), ((3840, 2160), 2.5), ((960, 600), 0.85), ((2560, 800), 1.0)],
)
def test_window_scale(size, scale):
    assert theme.window_scale(*size) == pytest.approx(scale)


def test_wrap_fits_the_width():
    pygame.font.init()
    text = "The 3rd tank battalion goes round the swamp by the northern track, under the eyes of the Japanese posts."
    lines = theme.wrap(text, 14, 200)
    assert len(lines) > 1 and " ".join(lines) == text
    assert all(theme.font(14).size(line)[0] <= 200 for line in lines)


def _app(size, ui_scale=1.0):
    from khasan_sim.ui.app import App
    from khasan_sim.ui.session import GameSession
    from khasan_sim.ui.settings import Settings

    app = App(GameSession(TINY, 1, player_sides=["soviet"]), settings=Settings(ui_scale=ui_scale), size=size, remember=False)
    app.step()
    return app


def _measures(app):
    text_box = app.gui.get_theme().get_font(["text_box"]).point_size  # the pygame_gui theme's text sizes
    return app.ui_scale, app.fs(13), app.panel.w, app.btn["end"].rect.h, app.log.line_h, app.map.ui_scale, text_box, app.btn["end"].font.point_size


def test_full_hd_scales_text_and_widgets():
    small = _measures(_app((1280, 800)))  # one window per process: measure, then open the next
    big = _measures(_app((1920, 1080)))
    assert small == (1.0, 13, 372, 30, round(12 * 1.45), 1.0, 13, 12)
    assert big == (1.35, 18, round(372 * 1.35), round(30 * 1.35), round(16 * 1.45), 1.35, 18, 16)
    # the user's setting multiplies the window's scale
    assert _app((1280, 800), ui_scale=1.2).ui_scale == pytest.approx(1.2)


def test_resizing_the_window_rescales():
    app = _app((1280, 800))
    pygame.event.post(pygame.event.Event(pygame.VIDEORESIZE, w=1920, h=1080, size=(1920, 1080)))
    app.step()
    assert app.screen.get_size() == (1920, 1080)
    assert app.ui_scale == pytest.approx(1.35) and app.panel.w == round(372 * 1.35)
    assert app.btn["end"].rect.h == round(30 * 1.35)


def test_log_line_click_centres_the_map():
    app = _app((1280, 800))
    app.session.run_blocking(120)
    app._log_len = -1
    app.step()
    assert app.log.items, "the log shows what happened"
    seq, _ = app.log.items[0]
    y = app.log.rect.y + 2 + app.log.line_h // 2
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=(app.log.rect.x + 20, y), button=1))
    app.step()
    assert app.log.selected == seq
    ev = app.session.events(seq)[0]
    uid = ev.get("unit")
    if isinstance(uid, str):
        assert app.selected == uid


def test_ctrl_plus_and_minus_change_the_users_scale():
    from tests.ui.conftest import key

    app = _app((1280, 800))
    key(app, pygame.K_EQUALS, pygame.KMOD_CTRL)
    assert app.settings.ui_scale == pytest.approx(1.1) and app.ui_scale == pytest.approx(1.1)
    assert app.panel.w == round(372 * 1.1) and app.fs(13) == 14
    for _ in range(12):
        key(app, pygame.K_MINUS, pygame.KMOD_CTRL)
    assert app.settings.ui_scale == pytest.approx(0.75)  # bounded
    key(app, pygame.K_MINUS)  # without Ctrl: the map zooms, the scale stays
    assert app.settings.ui_scale == pytest.approx(0.75)
