"""Headless front-end tests: the dummy SDL video driver, a private settings folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

pygame = pytest.importorskip("pygame")
pytest.importorskip("pygame_gui")

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "tests" / "data" / "tiny" / "tiny.yaml"


@pytest.fixture(autouse=True)
def _config(tmp_path, monkeypatch):
    monkeypatch.setenv("KHASAN_UI_CONFIG", str(tmp_path / "config"))


@pytest.fixture
def tiny_app(tmp_path):
    from khasan_sim.ui.app import App
    from khasan_sim.ui.session import GameSession
    from khasan_sim.ui.settings import Settings

    session = GameSession(TINY, 1, player_sides=["soviet"], process=True)  # as the desktop game runs it
    app = App(session, settings=Settings(), size=(1280, 800), remember=False, save_dir=tmp_path / "saves")
    app.step()
    yield app
    app.session.close()
    if app.session is not session:
        session.close()


def click(app, pos, button=1, shift=False):
    """Post a synthetic click and let the app handle it."""
    pygame.key.set_mods(pygame.KMOD_SHIFT if shift else 0)
    try:
        pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=pos, button=button))
        pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=pos, button=button))
        app.step()
    finally:
        pygame.key.set_mods(0)


def key(app, k, mod=0):
    """Post a synthetic key press and let the app handle it."""
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=k, mod=mod, unicode="", scancode=0))
    pygame.event.post(pygame.event.Event(pygame.KEYUP, key=k, mod=mod, unicode="", scancode=0))
    app.step()


def step_until(app, cond, timeout=20.0):
    """Step frames until *cond()* holds (answers from the worker process come with later frames)."""
    import time

    t0 = time.perf_counter()
    while not cond() and time.perf_counter() - t0 < timeout:
        app.step()
        time.sleep(0.002)
    assert cond(), "timed out waiting"


def run_turn(app, timeout=30.0):
    """Wait for the running turn to finish, stepping frames."""
    import time

    t0 = time.perf_counter()
    while app.phase == "running" and time.perf_counter() - t0 < timeout:
        app.step()
        time.sleep(0.005)
    assert app.phase != "running", "the turn did not finish"
