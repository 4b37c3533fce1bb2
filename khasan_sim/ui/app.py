"""The desktop game: map, counters, orders, turns, log, replay, compare, save/load, help.

One :class:`App` owns the window, a :class:`~khasan_sim.ui.session.GameSession` and the
pygame_gui widgets. :meth:`App.step` handles the queued input and draws one frame, so
tests drive it with ``pygame.event.post`` and a few steps under SDL_VIDEODRIVER=dummy.

Here are the window's setup and layout, turns, replay and the main loop; the rest comes
from mixins by responsibility: :mod:`~khasan_sim.ui.app_input` (mouse, keys, buttons),
:mod:`~khasan_sim.ui.app_orders` (orders and the route preview), :mod:`~khasan_sim.ui.app_saves`
(save and load), :mod:`~khasan_sim.ui.app_draw` (the map), :mod:`~khasan_sim.ui.app_panel`
(the side panel) and :mod:`~khasan_sim.ui.app_overlays` (briefing, help, compare).
"""

from __future__ import annotations

import bisect
import gc
import threading
import time
from pathlib import Path
from typing import Any

import pygame
import pygame_gui
from pygame_gui.elements import UIButton, UITextBox

from khasan_sim.ui import theme
from khasan_sim.ui.app_draw import DrawMixin
from khasan_sim.ui.app_input import InputMixin
from khasan_sim.ui.app_orders import ORDER_MODES as ORDER_MODES
from khasan_sim.ui.app_orders import OrdersMixin
from khasan_sim.ui.app_overlays import HELP as HELP
from khasan_sim.ui.app_overlays import OverlaysMixin
from khasan_sim.ui.app_panel import PanelMixin
from khasan_sim.ui.app_saves import SavesMixin
from khasan_sim.ui.app_saves import _reattach_exercise as _reattach_exercise
from khasan_sim.ui.app_sources import SourcesMixin
from khasan_sim.ui.fogview import FogView
from khasan_sim.ui.forecast import ForecastMixin
from khasan_sim.ui.frames import Frame
from khasan_sim.ui.logview import LogView
from khasan_sim.ui.mapview import Camera, MapRenderer
from khasan_sim.ui.menu import Menu
from khasan_sim.ui.session import GameSession
from khasan_sim.ui.settings import Settings

PANEL_W = 372
"""The side panel's width at UI scale 1 (1280 x 800)."""


def gui_theme(scale: float) -> dict[str, Any]:
    """Return the pygame_gui theme with its fonts sized for a UI *scale*."""
    def size(pt: int) -> str:
        return str(theme.scaled(pt, scale))

    return {
        "defaults": {
            "colours": {
                "normal_bg": "#3c4334", "hovered_bg": "#55603f", "disabled_bg": "#2a2e26", "selected_bg": "#7a6a2a",
                "active_bg": "#7a6a2a", "dark_bg": "#1f231c", "normal_text": "#e6e2c8", "hovered_text": "#ffffff",
                "selected_text": "#ffffff", "disabled_text": "#7a7a6a", "normal_border": "#6b7456", "hovered_border": "#c8b45a",
                "active_border": "#ecc454", "selected_border": "#ecc454",
            },
            "font": {"name": "noto_sans", "size": size(13)},
        },
        "button": {"font": {"name": "noto_sans", "size": size(12)}, "misc": {"shape": "rounded_rectangle", "shape_corner_radius": "3", "border_width": "1", "shadow_width": "0", "text_horiz_alignment_padding": "1"}},
        "text_box": {"colours": {"dark_bg": "#262a22"}, "font": {"name": "noto_sans", "size": size(13)}},
        "selection_list": {"colours": {"dark_bg": "#262a22"}},
        "selection_list.@selection_list_item": {"font": {"name": "noto_sans", "size": size(12)}, "misc": {"text_horiz_alignment": "left", "border_width": "0"}},
        "tool_tip": {"font": {"name": "noto_sans", "size": size(12)}},
        "label": {"font": {"name": "noto_sans", "size": size(13)}},
    }


GUI_THEME = gui_theme(1.0)


class App(InputMixin, OrdersMixin, SavesMixin, DrawMixin, PanelMixin, OverlaysMixin, SourcesMixin, ForecastMixin):
    """The game window.

    Args:
        session: The game.
        settings: Remembered settings (not written when *remember* is False).
        size: Window size; default from the settings.
        remember: Write the settings back on change and exit.
        save_dir: Where quick saves go (default: the user data folder).
    """

    def __init__(
        self,
        session: GameSession,
        *,
        settings: Settings | None = None,
        size: tuple[int, int] | None = None,
        remember: bool = True,
        save_dir: Path | None = None,
        replay_mode: bool = False,
        study: str | Path | None = None,
    ) -> None:
        self.settings = settings or Settings()
        self.study_path = study
        self._study_cells: Any = None
        self.remember = remember
        pygame.display.init()
        pygame.font.init()
        pygame.display.set_caption("Lake Khasan 1938 - khasan-sim")
        w, h = size or (self.settings.width, self.settings.height)
        flags = pygame.FULLSCREEN if self.settings.fullscreen and size is None else pygame.RESIZABLE
        self.screen = pygame.display.set_mode((w, h), flags)
        self.clock = pygame.time.Clock()
        self.session = session
        self.save_dir = save_dir
        self.message = ""
        self.message_until = 0.0
        self.overlay: str | None = None  # help | compare | briefing | menu | model
        self.selected: str | None = None
        self.mode = "auto"
        self.deployed = False  # a tank unit's attack orders go in deployed (L), not in column
        self.waypoints: list[tuple[float, float]] = []
        self.preview: Any = None
        self.preview_target: tuple[float, float] | None = None
        self._preview_at = 0.0
        self._preview_asked = False
        self.planned: dict[str, list[tuple[float, float]]] = {}
        self.drag_from: tuple[int, int] | None = None
        self.dragging = False
        self.running_turn = False
        self.replay_t: float | None = None
        self.replay_playing = False
        self.replay_speed = 30.0
        self.scrubbing = False
        self.loading: threading.Thread | None = None
        self.loaded: Any = None
        self.unit_rects: list[tuple[pygame.Rect, str]] = []
        self.label_rects: list[tuple[pygame.Rect, str | None, bool]] = []  # the map labels drawn: (where, unit, kept)
        self.frame_times: list[float] = []
        self.frames_drawn = 0  # every frame since the window opened (frame_times keeps the last few hundred)
        self._compare_cache: Any = None
        self._log_len = -1
        self._ev_times: list[int] = []
        self._details_key: Any = None
        self.quit = False
        self.fps = 0.0
        self.menu = Menu(self)
        self._setup(session, replay_mode)

    # ------------------------------------------------------------------ setup

    def _setup(self, session: GameSession, replay_mode: bool = False) -> None:
        self.session = session
        session.set_speed(self.settings.speed)
        self.fog = self.settings.fog and len(session.player_sides) >= 1  # hot seat: each player's view behind the hand-over screen
        session.fog_sides = session.player_sides if self.fog else ()
        session.refresh()
        self.order_sides = list(session.player_sides)
        self.side_idx = 0
        self.phase = "orders" if self.order_sides else "watch"
        if len(self.order_sides) > 1:
            self.phase = "handover"
        if getattr(session, "briefing", None):
            self.overlay = "briefing"  # an exercise: its briefing first (B shows it again)
        self._ev_times = []
        self._log_len = -1
        self.planned.clear()
        self.selected = None
        self.replay_t = None
        self._layout()
        if replay_mode:
            self.enter_replay(autorun=True)

    def _layout(self) -> None:
        W, H = self.screen.get_size()  # noqa: N806
        scale = self.ui_scale
        px = self.px
        pw = px(PANEL_W)
        self.panel = pygame.Rect(W - pw, 0, pw, H)
        map_rect = pygame.Rect(0, 0, W - pw, H)
        terrain = self.session.sim.terrain
        if getattr(self, "map", None) is None or self.map.terrain is not terrain:
            self.map = MapRenderer(terrain, self.session.zones())
        self.map.ui_scale = scale
        self.map.defer_names = True  # placed among the counters (app_draw), not under them
        old = getattr(self, "cam", None)
        self.cam = Camera(map_rect, terrain.grid.width_m, terrain.grid.height_m)
        if old is not None and old.width_m == self.cam.width_m:
            self.cam.cx, self.cam.cy, self.cam.scale = old.cx, old.cy, old.scale
            self.cam.clamp()
        elif terrain.grid.width_m > 10000:
            self.cam.battle_view()
        if getattr(self, "gui", None) is None or getattr(self, "_gui_scale", None) != scale:
            # the theme's font sizes follow the UI scale: a new manager when it changes
            self.gui = pygame_gui.UIManager((W, H), gui_theme(scale))
            self._gui_scale = scale
            wanted = {(theme.scaled(13, scale), "bold"), (theme.scaled(13, scale), "italic"), (theme.scaled(12, scale), "bold")}
            self.gui.preload_fonts([{"name": "noto_sans", "point_size": pt, "style": st} for pt, st in sorted(wanted)])
        else:
            self.gui.clear_and_reset()
            self.gui.set_window_resolution((W, H))
        x0 = self.panel.x + px(10)
        inner = pw - 2 * px(10)
        gap = px(4)
        bw = (inner - 4 * gap) // 5
        y = px(104)
        self.btn: dict[str, UIButton] = {}
        self.btn["menu"] = UIButton(pygame.Rect(self.panel.right - px(10) - px(64), px(8), px(64), px(24)), "Menu", self.gui,
                                    tool_tip_text="Exercises, new game, class results (F2)")
        for i, (key, label, tip) in enumerate((("end", "End turn", "Enter"), ("undo", "Undo", "Backspace"), ("pause", "Pause", "Space"), ("slower", "Slower", "["), ("faster", "Faster", "]"))):
            self.btn[key] = UIButton(pygame.Rect(x0 + i * (bw + gap), y, bw, px(30)), label, self.gui, tool_tip_text=tip)
        y += px(36)
        g3 = px(3)
        mw = (inner - 5 * g3) // 6
        for i, (key, label) in enumerate(ORDER_MODES):
            self.btn["mode-" + key] = UIButton(pygame.Rect(x0 + i * (mw + g3), y, mw, px(26)), label, self.gui, tool_tip_text="order mode (right click on the map)")
        y += px(30)
        dw = (inner - gap) // 2
        self.btn["defend"] = UIButton(pygame.Rect(x0, y, dw, px(26)), "Defend here (D)", self.gui)
        self.btn["dig"] = UIButton(pygame.Rect(x0 + dw + gap, y, dw, px(26)), "Dig in (G)", self.gui)
        y += px(32)
        details_h = max(px(170), int((self.panel.h - y) * 0.42))
        self.details = UITextBox("", pygame.Rect(x0, y, inner, details_h), self.gui)
        y += details_h + px(6)
        sw = (inner - 5 * g3) // 6
        for i, (key, label, tip) in enumerate((("save", "Save", "F5 / Ctrl+S"), ("load", "Load", "F9 / Ctrl+O"), ("compare", "Compare", "C"), ("replay", "Replay", "R"), ("fog", "Fog", "V"), ("help", "Help", "H"))):
            self.btn[key] = UIButton(pygame.Rect(x0 + i * (sw + g3), y, sw, px(28)), label, self.gui, tool_tip_text=tip)
        y += px(34)
        self.log_top = y
        self.log = LogView(pygame.Rect(x0, y + px(18), inner, self.panel.h - y - px(26)), self.fs(12))
        self._log_len = -1
        self._details_key = None
        self.file_dialog: Any = None

    # ------------------------------------------------------------------ helpers

    @property
    def ui_scale(self) -> float:
        """Return the size of text, widgets and counters: the window's (:func:`theme.window_scale`) times the setting."""
        w, h = self.screen.get_size()
        return round(theme.window_scale(w, h) * self.settings.ui_scale, 2)

    def px(self, v: float) -> int:
        """Return *v* pixels at UI scale 1 in pixels now."""
        return max(1, round(v * self.ui_scale))

    def fs(self, pt: int) -> int:
        """Return a font size of *pt* pixels at UI scale 1 in pixels now."""
        return theme.scaled(pt, self.ui_scale)

    def set_ui_scale(self, value: float) -> None:
        """Set the user's UI scale (a multiplier of the window's, 0.75 to 2) and lay the window out again."""
        self.settings.ui_scale = round(min(max(value, 0.75), 2.0), 2)
        self._layout()
        self._store_settings()
        self.say(f"Text and panel size: {100 * self.settings.ui_scale:.0f}% (Ctrl + and Ctrl - change it)")

    def say(self, text: str, seconds: float = 4.0) -> None:
        """Show a message over the map for a few seconds."""
        self.message = text
        self.message_until = time.perf_counter() + seconds

    @property
    def viewer(self) -> str | None:
        """Return the side whose eyes the map shows with fog of war, or None."""
        if not self.fog:
            return None
        if self.phase == "orders" and self.order_sides:
            return self.order_sides[self.side_idx]
        return self.order_sides[0] if len(self.order_sides) == 1 else None

    @property
    def ordering_side(self) -> str | None:
        """Return the side giving orders now, or None (none while replaying)."""
        return self.order_sides[self.side_idx] if self.phase == "orders" and self.order_sides and self.replay_t is None else None

    def current_frame(self) -> Frame:
        """Return the frame to draw (the replay's when replaying)."""
        if self.replay_t is not None:
            f = self.session.tape.at(self.replay_t)
            if f is not None:
                return f
        return self.session.frame()

    def _visible(self, f: Frame) -> set[str] | None:
        """Return the units the viewer may see (own ones included), or None without fog.

        In hot seat with fog, while no side gives orders (the turn runs, the battle is
        over) both players look: only what every player side sees is shown.
        """
        if not self.fog or self.replay_t is not None:
            return None
        sides = [self.viewer] if self.viewer is not None else self.order_sides
        views = [f.visible.get(s) for s in sides]
        if not views:
            return None
        if any(v is None for v in views):
            return set()  # no view worked out yet: show nothing rather than everything
        return set.intersection(*(set(v) for v in views))

    def fog_view(self, f: Frame) -> FogView:
        """Return how the viewer may read the event log of frame *f*."""
        def place(x: float, y: float) -> str | None:
            z = self.zone_at(x, y)
            return z.name.split(",")[0].split(" (")[0] if z is not None else None

        return FogView(self.viewer, self._visible(f), {u.id: u.side for u in f.units}, {t.id: t.unit for t in f.tanks}, place)

    def _sync_events(self) -> None:
        evs = self.session.events(len(self._ev_times))
        self._ev_times.extend(e.t_s for e in evs)

    def _events_between(self, t0_min: float, t1_min: float) -> list[Any]:
        i0 = bisect.bisect_left(self._ev_times, round(t0_min * 60))
        i1 = bisect.bisect_right(self._ev_times, round(t1_min * 60))
        if i1 - i0 > 400:
            i0 = i1 - 400
        return self.session.events(i0)[: i1 - i0]

    # ------------------------------------------------------------------ turns

    def end_turn(self) -> None:
        """Finish this side's orders: hand over, or run to the next boundary."""
        if self.phase != "orders" or self.replay_t is not None:
            return
        self.waypoints.clear()
        self.preview = None
        if self.side_idx + 1 < len(self.order_sides):
            self.side_idx += 1
            self.phase = "handover"
            self.selected = None
            return
        self.start_run()

    def start_run(self) -> None:
        """Let the simulation run to the next turn boundary in the worker."""
        s = self.session
        if s.sim.finished:
            self.phase = "finished"
            return
        self.phase = "running"
        self.session.start(s.next_boundary())

    def _after_run(self) -> None:
        s = self.session
        self.planned.clear()
        if s.error is not None:
            self.say(f"the simulation stopped: {s.error}", 10)
        if s.sim.finished:
            self.phase = "finished"
            self._compare_cache = None
            if getattr(s, "exercise", None):
                self.open_menu("placement")  # an exercise: where this game falls among its runs
                self.say("Ceasefire. This game among the exercise's runs; C compares it with the record, R replays it.", 10)
                return
            self.overlay = "compare"
            self.say("Ceasefire. The battle is over: compare it with what happened (C), or replay it (R).", 10)
            return
        if not self.order_sides:
            self.phase = "watch"
            if self.autoplay:
                self.start_run()
            return
        self.side_idx = 0
        self.phase = "handover" if len(self.order_sides) > 1 else "orders"
        if self.selected:
            self.session.sim  # noqa: B018 - keep the selection
    autoplay = True

    # ------------------------------------------------------------------ replay

    def enter_replay(self, autorun: bool = False) -> None:
        """Scrub through the run so far (or the whole run once computed)."""
        if self.session.busy and not autorun:
            self.say("Wait for the turn to finish, then replay")
            return
        if self.fog and not self.session.sim.finished:
            self.say("The replay shows every unit: with fog of war on it opens at the ceasefire", 6)
            return
        self.replay_t = 0.0
        self.replay_playing = autorun
        self.overlay = None
        if autorun and not self.session.sim.finished:
            self.session.set_speed(1e9)
            self.session.start(self.session.end_min, paced=False, max_events=400)
            self.say("Replaying what happened: the run is computed as you watch; drag the timeline", 6)
        else:
            self.say("Replay: drag the timeline, Space to play/pause, Esc to go back", 5)

    def exit_replay(self) -> None:
        """Back to the game."""
        self.replay_t = None
        self.replay_playing = False

    def timeline_rect(self) -> pygame.Rect:
        """Return the replay timeline's rectangle."""
        r = self.cam.rect
        px = self.px
        return pygame.Rect(r.x + px(150), r.bottom - px(46), r.w - px(180), px(26))

    def _scrub_to(self, sx: int) -> None:
        tl = self.timeline_rect()
        frac = min(max((sx - tl.x) / tl.w, 0.0), 1.0)
        self.replay_t = min(frac * self.session.end_min, self.session.tape.end_min)

    flash: Any = None
    mouse_seen = False
    _fx_layer: pygame.Surface | None = None
    _fx_dirty: pygame.Rect | None = None
    _night: pygame.Surface | None = None

    # ------------------------------------------------------------------ loop

    def step(self, dt: float = 1 / 60) -> None:
        """Handle pending input, advance what runs, draw one frame."""
        t0 = time.perf_counter()
        self.session.poll()
        self.menu.poll()
        for ev in pygame.event.get():
            self.handle(ev)
        self._finish_loading()
        if self.phase == "running" and not self.session.busy:
            self._after_run()
        if self.replay_t is not None and self.replay_playing and not self.scrubbing:
            self.replay_t = min(self.replay_t + dt * self.replay_speed, self.session.tape.end_min)
            if self.replay_t >= self.session.end_min - 1e-9:
                self.replay_playing = False
        self._sync_events()
        self._freeze_old_objects()
        self._update_preview()
        self.gui.update(dt)
        self.draw()
        self.frame_times.append(time.perf_counter() - t0)
        self.frames_drawn += 1
        if len(self.frame_times) > 600:
            del self.frame_times[:300]

    _frozen_events = -1

    def _freeze_old_objects(self) -> None:
        """Keep the garbage collector's full passes short: what the game keeps for good is frozen.

        The event log's copy and the replay tape only grow (hundreds of thousands of small
        objects over a battle); a full collection walking them all took 100 ms in one frame.
        Frozen after every 1,000 new events, they are no longer walked.
        """
        n = len(self._ev_times)
        if n - self._frozen_events >= 1000 or self._frozen_events < 0:
            gc.freeze()
            self._frozen_events = n

    def run(self) -> None:
        """The main loop, until the window closes."""
        try:
            while not self.quit:
                dt = self.clock.tick(60) / 1000.0
                self.fps = self.clock.get_fps()
                self.step(dt)
                pygame.display.flip()
        finally:  # end the simulation's, the menu's and the forecast's processes, whatever happened
            self.quit = True
            self.close_forecast()
            self.menu.close()
            self.session.close()
            if isinstance(self.loaded, GameSession):  # a game loaded in the background, never shown
                self.loaded.close()
        self._store_settings()
        pygame.quit()

    def screenshot(self, path: str | Path) -> Path:
        """Save the current screen to a PNG (atomically)."""
        import io as _io

        from khasan_sim.io import atomic_write_bytes

        buf = _io.BytesIO()
        pygame.image.save(self.screen, buf, "png")
        return atomic_write_bytes(path, buf.getvalue())
