"""The desktop game: map, counters, orders, turns, log, replay, compare, save/load, help.

One :class:`App` owns the window, a :class:`~khasan_sim.ui.session.GameSession` and the
pygame_gui widgets. :meth:`App.step` handles the queued input and draws one frame, so
tests drive it with ``pygame.event.post`` and a few steps under SDL_VIDEODRIVER=dummy.
"""

from __future__ import annotations

import bisect
import gc
import math
import threading
import time
from pathlib import Path
from typing import Any

import pygame
import pygame_gui
from pygame_gui.elements import UIButton, UITextBox

from khasan_sim.ui import counters, story_screen, theme
from khasan_sim.ui.eventtext import IMPORTANT, clock, describe, where
from khasan_sim.ui.frames import Frame
from khasan_sim.ui.logview import LogView
from khasan_sim.ui.mapview import Camera, MapRenderer, dashed_line, in_poly
from khasan_sim.ui.menu import Menu
from khasan_sim.ui.session import SPEEDS, GameSession, speed_text
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

ORDER_MODES = (("auto", "Auto"), ("move", "Move"), ("attack", "Attack"), ("withdraw", "Withdr."), ("fire", "Fire"), ("air", "Air"))
HELP = [
    ("Left click", "select a unit (click the map and drag to pan)"),
    ("Right click", "order the selected unit: move there, attack the zone, fire, strike"),
    ("Shift + right click", "add a waypoint to the route (e.g. round the swamp)"),
    ("M A W F S", "order mode: move, attack a zone, withdraw, fire mission, air strike"),
    ("D / G", "defend where it stands / dig in"),
    ("Backspace, Ctrl+Z", "undo the last order"),
    ("Enter", "end the turn (the simulation runs to the next boundary)"),
    ("Space", "pause / go on"),
    ("[ and ]", "slower / faster"),
    ("Wheel, + and -", "zoom;  arrows or drag: pan;  Home: whole map"),
    ("Ctrl + and Ctrl -", "larger / smaller text and panel (on top of the window's own scale)"),
    ("Tab / Shift+Tab", "next / previous unit of your side"),
    ("V", "fog of war on / off"),
    ("T", "show each tank when zoomed in (on / off)"),
    ("C", "compare with the record;  B: the exercise's briefing"),
    ("R", "replay the run so far: drag the timeline; Left/Right step"),
    ("F5 / F9", "quick save / quick load;  Ctrl+S / Ctrl+O: save as / open"),
    ("F11", "full screen"),
    ("F2, Menu", "classroom exercises: play one, run its studies, place a class's saves"),
    ("E", "this exercise game among the exercise's runs"),
    ("H or F1", "this help;  Esc closes it"),
]


def _reattach_exercise(session: GameSession, name: str) -> None:
    """Mark a loaded save as a game of exercise *name* again (a save of an exercise no longer in the pack stays a plain game)."""
    from khasan_sim.errors import ScenarioError
    from khasan_sim.exercises.play import exercise_setup
    from khasan_sim.ui.exercises import attach_exercise

    try:
        attach_exercise(session, exercise_setup(name)[0])
    except ScenarioError:
        return


class App:
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
        self.overlay: str | None = None  # help | compare
        self.selected: str | None = None
        self.mode = "auto"
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
        self.frame_times: list[float] = []
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
        self.fog = self.settings.fog and len(session.player_sides) == 1
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
        """Return the side giving orders now, or None."""
        return self.order_sides[self.side_idx] if self.phase == "orders" and self.order_sides else None

    def current_frame(self) -> Frame:
        """Return the frame to draw (the replay's when replaying)."""
        if self.replay_t is not None:
            f = self.session.tape.at(self.replay_t)
            if f is not None:
                return f
        return self.session.frame()

    def _visible(self, f: Frame) -> set[str] | None:
        side = self.viewer
        if side is None or self.replay_t is not None:
            return None
        vis = f.visible.get(side)
        return set(vis) if vis is not None else None

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
        if self.phase != "orders":
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

    # ------------------------------------------------------------------ orders

    def own(self, uid: str | None) -> bool:
        """Return True if the ordering side may command *uid*."""
        side = self.ordering_side
        if uid is None or side is None:
            return False
        u = self.current_frame().unit(uid)
        return u is not None and u.side == side

    def zone_at(self, x: float, y: float) -> Any | None:
        """Return the zone under a map point (smallest first)."""
        hits = [z for z in self.session.zones() if in_poly(x, y, z.polygon)]
        if not hits:
            return None

        def area(z: Any) -> float:
            p = z.polygon
            return abs(sum(p[i][0] * p[(i + 1) % len(p)][1] - p[(i + 1) % len(p)][0] * p[i][1] for i in range(len(p)))) / 2

        return min(hits, key=area)

    def order_for(self, uid: str, x: float, y: float) -> dict[str, Any]:
        """Return the order a right click at (x, y) gives *uid* in the current mode."""
        u = self.current_frame().unit(uid)
        assert u is not None
        mode = self.mode
        route = [[round(a, 1), round(b, 1)] for a, b in self.waypoints]
        if mode == "auto":
            if u.is_air:
                mode = "air"
            elif u.type == "artillery":
                mode = "fire"
            else:
                z = self.zone_at(x, y)
                holders = self.current_frame().holders
                mode = "attack" if z is not None and z.kind in ("height", "line") and holders.get(z.id) != u.side else "move"
        pt = [round(x, 1), round(y, 1)]
        if mode == "attack":
            z = self.zone_at(x, y)
            if z is None:
                return {"kind": "move", "unit": uid, "to": pt, "route": route}
            return {"kind": "attack", "unit": uid, "objective": z.id, "route": route}
        if mode == "withdraw":
            return {"kind": "withdraw", "unit": uid, "to": pt, "route": route}
        if mode == "fire":
            return {"kind": "fire_mission", "unit": uid, "mission": "support", "target": pt, "duration_min": 30, "radius_m": 250}
        if mode == "air":
            return {"kind": "air_strike", "unit": uid, "target": pt, "radius_m": 400}
        return {"kind": "move", "unit": uid, "to": pt, "route": route}

    def give(self, order: dict[str, Any]) -> bool:
        """Give an order; say why not if it is refused."""
        from khasan_sim.errors import KhasanSimError

        try:
            o = self.session.give(order)
        except (KhasanSimError, RuntimeError) as exc:
            self.say(f"Order refused: {exc}", 6)
            return False
        uid = order["unit"]
        u = self.current_frame().unit(uid)
        self.planned[uid] = []
        if u is not None and not u.is_air and order["kind"] in ("move", "attack", "withdraw"):
            goal = order.get("to")
            if goal is None:
                z = next(z for z in self.session.zones() if z.id == order["objective"])
                goal = (sum(p[0] for p in z.polygon) / len(z.polygon), sum(p[1] for p in z.polygon) / len(z.polygon))
            self.say(f"{uid}: {o.kind} ordered", 4)

            def planned(r: Any, err: BaseException | None, uid: str = uid, kind: str = o.kind) -> None:
                if err is not None or r is None or uid not in self.planned:
                    return
                self.planned[uid] = [(float(a), float(b)) for a, b in r.points_m]
                self.say(f"{uid}: {kind} ordered, about {r.time_min:.0f} min over {r.length_m / 1000:.1f} km", 4)

            # planned where the core plans (the worker process), so the frame does not wait for it
            self.session.plan_route(uid, tuple(goal), [tuple(p) for p in order.get("route", [])], planned)
        else:
            self.say(f"{uid}: {o.kind.replace('_', ' ')} ordered", 4)
            if order["kind"] in ("fire_mission", "air_strike") and isinstance(order.get("target"), list):
                self.planned[uid] = [(u.x, u.y) if u is not None and not u.is_air else tuple(order["target"]), tuple(order["target"])]
        self.waypoints.clear()
        self.preview = None
        return True

    def undo(self) -> None:
        """Take back the last order of this turn."""
        o = self.session.undo()
        if o is None:
            self.say("Nothing to undo this turn")
            return
        for uid in o.unit_ids:
            self.planned.pop(uid, None)
            for p in self.session.pending():
                if uid in p.unit_ids:
                    self.planned.setdefault(uid, [])
        self.say(f"Undone: {o.kind} for {', '.join(o.unit_ids)}")

    def _update_preview(self) -> None:
        if self.phase != "orders" or not self.own(self.selected) or self.overlay:
            self.preview = None
            return
        u = self.current_frame().unit(self.selected or "")
        if u is None or u.is_air or u.type == "artillery" or self.mode in ("fire", "air"):
            self.preview = None
            return
        mx, my = pygame.mouse.get_pos()
        if not self.mouse_seen or not self.cam.rect.collidepoint(mx, my):
            return
        now = time.perf_counter()
        x, y = self.cam.to_map(mx, my)
        if self.preview_target is not None and math.hypot(x - self.preview_target[0], y - self.preview_target[1]) * self.cam.scale < 6:
            return
        if now - self._preview_at < 0.12:
            return
        if self._preview_asked:
            return  # one request at a time: the next goes when this one is answered
        self._preview_at = now
        self.preview_target = (x, y)
        self._preview_asked = True
        uid = u.id

        def planned(r: Any, err: BaseException | None) -> None:
            self._preview_asked = False
            if self.selected == uid and self.phase == "orders":
                self.preview = None if err is not None else r

        self.session.plan_route(uid, (x, y), list(self.waypoints), planned)

    # ------------------------------------------------------------------ replay

    def enter_replay(self, autorun: bool = False) -> None:
        """Scrub through the run so far (or the whole run once computed)."""
        if self.session.busy and not autorun:
            self.say("Wait for the turn to finish, then replay")
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

    # ------------------------------------------------------------------ save/load

    def _default_save_dir(self) -> Path:
        if self.save_dir is not None:
            return self.save_dir
        import platformdirs

        return Path(platformdirs.user_data_dir("khasan-sim", appauthor=False)) / "saves"

    def save(self, path: Path | None = None) -> Path | None:
        """Save the game (between runs)."""
        from khasan_sim.ui.saves import write_save

        if self.session.busy:
            self.say("Saving waits for the end of the turn")
            return None
        path = path or self._default_save_dir() / "quicksave.json"
        try:
            out = write_save(self.session, path)
        except OSError as exc:
            self.say(f"Could not save: {exc}", 8)
            return None
        self.settings.last_save = str(out)
        self._store_settings()
        self.say(f"Saved {self.session.sim.now:%d %b %H:%M} to {out}", 5)
        return out

    def load(self, path: Path | None = None) -> None:
        """Load a save: its orders are played again in the background."""
        from khasan_sim.errors import SaveFileError
        from khasan_sim.ui.saves import read_save, restore

        path = path or (Path(self.settings.last_save) if self.settings.last_save else self._default_save_dir() / "quicksave.json")
        try:
            sv = read_save(path)
        except SaveFileError as exc:
            self.say(f"Cannot load: {exc}. The game goes on.", 10)
            return
        if self.session.busy:
            self.session.stop()
        in_process = self.session.in_process

        def factory(*args: Any, **kwargs: Any) -> GameSession:
            return GameSession(*args, process=in_process, **kwargs)

        def work() -> None:
            try:
                session = restore(sv, where=str(path), session_factory=factory)
                name = sv.settings.get("exercise") if isinstance(sv.settings, dict) else None
                if name:
                    _reattach_exercise(session, str(name))
                self.loaded = session
            except SaveFileError as exc:
                self.loaded = exc
            except Exception as exc:
                self.loaded = SaveFileError(f"{path}: {exc}")

        self.loaded = None
        self.loading = threading.Thread(target=work, daemon=True)
        self.loading.start()
        self.say(f"Loading {path} ...", 30)

    def _finish_loading(self) -> None:
        from khasan_sim.errors import SaveFileError

        if self.loading is None or self.loading.is_alive():
            return
        self.loading = None
        res = self.loaded
        self.loaded = None
        if isinstance(res, SaveFileError) or res is None:
            self.say(f"Cannot load: {res}. The game goes on.", 10)
            return
        old, self.session = self.session, res
        old.close()
        self._setup(res)
        self.say(f"Ready: {res.sim.now:%d %b %Y %H:%M}" + (f", exercise {res.exercise}" if getattr(res, "exercise", None) else ""), 5)

    def _store_settings(self) -> None:
        if self.remember:
            self.settings.save()

    # ------------------------------------------------------------------ input

    def handle(self, ev: pygame.event.Event) -> None:
        """Handle one input event."""
        if ev.type == pygame.QUIT:
            self.quit = True
            return
        if ev.type in (pygame.MOUSEMOTION, pygame.MOUSEBUTTONDOWN):
            self.mouse_seen = True
        if ev.type == pygame.VIDEORESIZE and not self.settings.fullscreen:
            self.screen = pygame.display.set_mode((max(ev.w, 960), max(ev.h, 600)), pygame.RESIZABLE)
            self.settings.width, self.settings.height = self.screen.get_size()
            self._layout()
            return
        consumed = self.gui.process_events(ev)
        if ev.type == pygame_gui.UI_BUTTON_PRESSED:
            self._button(ev.ui_element)
            return
        if ev.type == pygame_gui.UI_FILE_DIALOG_PATH_PICKED:
            path = Path(ev.text)
            purpose = getattr(self.file_dialog, "_purpose", "") if self.file_dialog is not None else ""
            if purpose == "save":
                self.save(path)
            elif purpose == "class":
                self.menu.pick_class(path if path.is_dir() else path.parent)
            else:
                self.load(path)
            self.file_dialog = None
            return
        if ev.type == pygame_gui.UI_WINDOW_CLOSE:
            self.file_dialog = None
            return
        if self.file_dialog is not None:
            return
        if self.overlay == "menu" and ev.type in (pygame.KEYDOWN, pygame.MOUSEBUTTONDOWN):
            if ev.type == pygame.KEYDOWN and ev.key == pygame.K_F2:
                self.overlay = None
                return
            if ev.type == pygame.KEYDOWN and ev.key == pygame.K_c:
                self._menu_action(("compare", None))
                return
            self._menu_action(self.menu.handle(ev))
            return
        if self.phase == "handover":
            if (ev.type == pygame.KEYDOWN and ev.key in (pygame.K_RETURN, pygame.K_KP_ENTER, pygame.K_SPACE)) or ev.type == pygame.MOUSEBUTTONUP:
                self.phase = "orders"
                self.session.fog_sides = (self.order_sides[self.side_idx],) if self.fog else ()
                self.session.refresh()
            return
        if ev.type == pygame.KEYDOWN:
            self._key(ev)
            return
        if consumed:
            return
        if ev.type == pygame.MOUSEWHEEL:
            mx, my = pygame.mouse.get_pos()
            if self.log.rect.collidepoint(mx, my):
                self.log.scroll(-3 * ev.y)
            elif self.cam.rect.collidepoint(mx, my):
                self.cam.zoom_at(1.2 ** ev.y, mx, my)
            return
        if ev.type == pygame.MOUSEBUTTONDOWN and ev.button == 1 and self.log.rect.collidepoint(ev.pos):
            seq = self.log.item_at(ev.pos)
            if seq is not None:
                self._log_clicked(seq)
            return
        if ev.type == pygame.MOUSEBUTTONDOWN and self.cam.rect.collidepoint(ev.pos):
            if self.overlay:
                if ev.button == 1:
                    self.overlay = None
                return
            if ev.button == 1:
                if self.replay_t is not None and self.timeline_rect().inflate(0, 16).collidepoint(ev.pos):
                    self.scrubbing = True
                    self._scrub_to(ev.pos[0])
                    return
                self.drag_from = ev.pos
                self.dragging = False
            elif ev.button == 3:
                self._right_click(ev.pos, shift=bool(pygame.key.get_mods() & pygame.KMOD_SHIFT))
            elif ev.button == 4:
                self.cam.zoom_at(1.2, *ev.pos)
            elif ev.button == 5:
                self.cam.zoom_at(1 / 1.2, *ev.pos)
            return
        if ev.type == pygame.MOUSEMOTION:
            if self.scrubbing:
                self._scrub_to(ev.pos[0])
            elif self.drag_from is not None and pygame.mouse.get_pressed()[0]:
                dx, dy = ev.rel
                if self.dragging or abs(ev.pos[0] - self.drag_from[0]) + abs(ev.pos[1] - self.drag_from[1]) > 4:
                    self.dragging = True
                    self.cam.pan_px(dx, dy)
            return
        if ev.type == pygame.MOUSEBUTTONUP and ev.button == 1:
            if self.scrubbing:
                self.scrubbing = False
                return
            if self.drag_from is not None and not self.dragging and self.cam.rect.collidepoint(ev.pos):
                self._left_click(ev.pos)
            self.drag_from = None
            self.dragging = False

    def _left_click(self, pos: tuple[int, int]) -> None:
        for rect, uid in reversed(self.unit_rects):
            if rect.collidepoint(pos):
                self.selected = uid
                self.waypoints.clear()
                self.preview = None
                self.preview_target = None
                return
        self.selected = None
        self.waypoints.clear()
        self.preview = None

    def _right_click(self, pos: tuple[int, int], shift: bool) -> None:
        if self.phase != "orders":
            self.say("Orders are given at the turn boundary: wait for the turn to end" if self.phase == "running" else "No orders to give now")
            return
        if not self.own(self.selected):
            self.say("Select one of your units first (left click)")
            return
        x, y = self.cam.to_map(*pos)
        if shift:
            self.waypoints.append((x, y))
            self.preview_target = None
            self.say(f"Waypoint {len(self.waypoints)} set: right click the destination")
            return
        assert self.selected is not None
        self.give(self.order_for(self.selected, x, y))

    def _cycle(self, step: int) -> None:
        side = self.ordering_side or (self.order_sides[0] if self.order_sides else None)
        units = [u for u in self.current_frame().units if (side is None or u.side == side) and u.men > 0]
        if not units:
            return
        ids = [u.id for u in units]
        i = ids.index(self.selected) if self.selected in ids else -1
        self.selected = ids[(i + step) % len(ids)]
        u = units[(i + step) % len(ids)]
        if not u.is_air:
            self.cam.centre_on(u.x, u.y)

    def _key(self, ev: pygame.event.Event) -> None:
        k = ev.key
        mods = ev.mod
        ctrl = bool(mods & pygame.KMOD_CTRL)
        if k == pygame.K_ESCAPE:
            if self.overlay:
                self.overlay = None
            elif self.replay_t is not None:
                self.exit_replay()
            elif self.waypoints:
                self.waypoints.clear()
            else:
                self.selected = None
                self.mode = "auto"
            return
        if k in (pygame.K_h, pygame.K_F1):
            self.overlay = None if self.overlay == "help" else "help"
        elif k == pygame.K_b and getattr(self.session, "briefing", None):
            self.overlay = None if self.overlay == "briefing" else "briefing"
        elif k == pygame.K_F2:
            self.open_menu()
        elif k == pygame.K_e and not ctrl:
            self.open_menu("placement" if getattr(self.session, "exercise", None) else None)
        elif k == pygame.K_c and not ctrl:
            self._compare_cache = None
            self.overlay = None if self.overlay == "compare" else "compare"
        elif k in (pygame.K_RETURN, pygame.K_KP_ENTER):
            self.end_turn()
        elif k == pygame.K_BACKSPACE or (ctrl and k == pygame.K_z):
            self.undo()
        elif k == pygame.K_SPACE:
            if self.replay_t is not None:
                self.replay_playing = not self.replay_playing
            else:
                self.session.paused = not self.session.paused
                self.say("Paused" if self.session.paused else "Running")
        elif k in (pygame.K_LEFTBRACKET, pygame.K_RIGHTBRACKET):
            self._speed(-1 if k == pygame.K_LEFTBRACKET else 1)
        elif ctrl and k in (pygame.K_PLUS, pygame.K_EQUALS, pygame.K_KP_PLUS, pygame.K_MINUS, pygame.K_KP_MINUS):
            self.set_ui_scale(self.settings.ui_scale + (-0.1 if k in (pygame.K_MINUS, pygame.K_KP_MINUS) else 0.1))
        elif k in (pygame.K_PLUS, pygame.K_EQUALS, pygame.K_KP_PLUS):
            self.cam.zoom_at(1.25)
        elif k in (pygame.K_MINUS, pygame.K_KP_MINUS):
            self.cam.zoom_at(1 / 1.25)
        elif k == pygame.K_HOME:
            self.cam.fit()
        elif k in (pygame.K_LEFT, pygame.K_RIGHT) and self.replay_t is not None:
            self.replay_t = min(max(self.replay_t + (-5 if k == pygame.K_LEFT else 5) * (6 if mods & pygame.KMOD_SHIFT else 1), 0.0), self.session.tape.end_min)
        elif k in (pygame.K_LEFT, pygame.K_RIGHT, pygame.K_UP, pygame.K_DOWN):
            d = 80
            self.cam.pan_px({pygame.K_LEFT: d, pygame.K_RIGHT: -d}.get(k, 0), {pygame.K_UP: d, pygame.K_DOWN: -d}.get(k, 0))
        elif k == pygame.K_TAB:
            self._cycle(-1 if mods & pygame.KMOD_SHIFT else 1)
        elif k == pygame.K_v:
            self.toggle_fog()
        elif k == pygame.K_t:
            self.settings.show_tanks = not self.settings.show_tanks
        elif k == pygame.K_r:
            if self.replay_t is None:
                self.enter_replay()
            else:
                self.exit_replay()
        elif k == pygame.K_F5 or (ctrl and k == pygame.K_s and not (mods & pygame.KMOD_SHIFT)):
            if ctrl:
                self._file_dialog("save")
            else:
                self.save()
        elif k == pygame.K_F9 or (ctrl and k == pygame.K_o):
            if ctrl:
                self._file_dialog("load")
            else:
                self.load()
        elif k == pygame.K_F11:
            self.settings.fullscreen = not self.settings.fullscreen
            pygame.display.toggle_fullscreen()
            self._store_settings()
        elif ctrl and k == pygame.K_q:
            self.quit = True
        elif k == pygame.K_d:
            self._quick_order("defend")
        elif k == pygame.K_g:
            self._quick_order("dig_in")
        elif k in (pygame.K_m, pygame.K_a, pygame.K_w, pygame.K_f, pygame.K_s):
            self.mode = {pygame.K_m: "move", pygame.K_a: "attack", pygame.K_w: "withdraw", pygame.K_f: "fire", pygame.K_s: "air"}[k]
            self.preview_target = None
            self.say(f"Order mode: {self.mode} (right click on the map)")

    def _quick_order(self, kind: str) -> None:
        if self.phase != "orders" or not self.own(self.selected):
            self.say("Select one of your units at the turn boundary first")
            return
        assert self.selected is not None
        order: dict[str, Any] = {"kind": kind, "unit": self.selected}
        if kind == "defend":
            u = self.current_frame().unit(self.selected)
            z = self.zone_at(u.x, u.y) if u is not None else None
            if z is not None:
                order["zone"] = z.id
        self.give(order)

    def _speed(self, step: int) -> None:
        speeds = list(SPEEDS)
        cur = min(range(len(speeds)), key=lambda i: abs(math.log(speeds[i]) - math.log(max(self.session.speed, 1e-3))))
        s = speeds[min(max(cur + step, 0), len(speeds) - 1)]
        if self.replay_t is not None:
            self.replay_speed = min(s, 600.0) if s < 1e8 else 600.0
        self.session.set_speed(s)
        self.settings.speed = s
        self._store_settings()
        self.say(f"Speed: {speed_text(s)}")

    def toggle_fog(self) -> None:
        """Switch fog of war (one player side only)."""
        if len(self.order_sides) != 1:
            self.say("Fog of war needs one player side (play --side soviet or japanese)" if not self.order_sides else "Hot seat: each side's orders are hidden by the hand-over screen")
            return
        self.fog = not self.fog
        self.settings.fog = self.fog
        self.session.fog_sides = tuple(self.order_sides) if self.fog else ()
        self.session.refresh()
        self._store_settings()
        self.say("Fog of war: enemy units shown only where your units see them" if self.fog else "Fog of war off: every unit shown")

    def _file_dialog(self, purpose: str) -> None:
        from pygame_gui.windows import UIFileDialog

        folder = self._default_save_dir()
        folder.mkdir(parents=True, exist_ok=True)
        r = pygame.Rect(0, 0, self.px(520), self.px(420))
        r.center = self.cam.rect.center
        if purpose == "class":
            self.file_dialog = UIFileDialog(r, self.gui, window_title="Pick the folder of the class's saved games",
                                            initial_file_path=str(folder), allow_picking_directories=True)
        else:
            self.file_dialog = UIFileDialog(r, self.gui, window_title="Save the game as" if purpose == "save" else "Open a saved game",
                                            initial_file_path=str(folder / ("game.json" if purpose == "save" else "")), allow_existing_files_only=purpose == "load")
        self.file_dialog._purpose = purpose

    def _button(self, el: Any) -> None:
        b = self.btn
        if el is b["menu"]:
            self.open_menu()
        elif el is b["end"]:
            self.end_turn()
        elif el is b["undo"]:
            self.undo()
        elif el is b["pause"]:
            if self.replay_t is not None:
                self.replay_playing = not self.replay_playing
            else:
                self.session.paused = not self.session.paused
        elif el is b["slower"]:
            self._speed(-1)
        elif el is b["faster"]:
            self._speed(1)
        elif el is b["defend"]:
            self._quick_order("defend")
        elif el is b["dig"]:
            self._quick_order("dig_in")
        elif el is b["save"]:
            self._file_dialog("save")
        elif el is b["load"]:
            self._file_dialog("load")
        elif el is b["compare"]:
            self._compare_cache = None
            self.overlay = None if self.overlay == "compare" else "compare"
        elif el is b["replay"]:
            if self.replay_t is None:
                self.enter_replay()
            else:
                self.exit_replay()
        elif el is b["fog"]:
            self.toggle_fog()
        elif el is b["help"]:
            self.overlay = None if self.overlay == "help" else "help"
        else:
            for key, _ in ORDER_MODES:
                if el is b["mode-" + key]:
                    self.mode = key
                    self.preview_target = None

    def open_menu(self, page: str | None = None) -> None:
        """Show the menu (exercises), at *page* or where it fits the game."""
        self.overlay = "menu"
        self.menu.open(page)

    def _menu_action(self, action: tuple[str, Any] | None) -> None:
        if action is None:
            return
        what, arg = action
        if what == "close":
            self.overlay = None
        elif what == "compare":
            self._compare_cache = None
            self.overlay = "compare"
        elif what == "pick_folder":
            self._file_dialog("class")
        elif what == "play":
            self.start_exercise(str(arg))

    def start_exercise(self, name: str) -> None:
        """Start a new game of exercise *name* (loaded in the background; the briefing comes first)."""
        from khasan_sim.ui.exercises import exercise_session

        if self.loading is not None:
            return
        if self.session.busy:
            self.session.stop()
        in_process = self.session.in_process

        def work() -> None:
            try:
                self.loaded = exercise_session(name, 1, process=in_process)
            except Exception as exc:
                from khasan_sim.errors import SaveFileError

                self.loaded = SaveFileError(f"exercise {name}: {exc}")

        self.loaded = None
        self.loading = threading.Thread(target=work, daemon=True)
        self.loading.start()
        self.overlay = None
        self.say(f"Loading exercise {name} ...", 30)

    def _log_clicked(self, seq: int) -> None:
        """Centre the map on what a log line tells of, and select its unit."""
        self.log.selected = seq
        ev = self.session.events(seq)[0]
        f = self.current_frame()
        pos = {u.id: (u.x, u.y) for u in f.units}
        pos.update({t.id: (t.x, t.y) for t in f.tanks})
        p = where(ev, pos)
        if p is not None:
            self.cam.centre_on(*p)
            if self.cam.scale < 0.12:
                self.cam.zoom_at(0.16 / self.cam.scale)
                self.cam.centre_on(*p)
            self.flash = (p, time.perf_counter())
        uid = ev.get("unit")
        if isinstance(uid, str) and f.unit(uid) is not None:
            self.selected = uid

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
        finally:  # end the simulation's and the menu's processes, whatever happened
            self.menu.close()
            self.session.close()
        self._store_settings()
        pygame.quit()

    def screenshot(self, path: str | Path) -> Path:
        """Save the current screen to a PNG (atomically)."""
        import io as _io

        from khasan_sim.io import atomic_write_bytes

        buf = _io.BytesIO()
        pygame.image.save(self.screen, buf, "png")
        return atomic_write_bytes(path, buf.getvalue())

    # ------------------------------------------------------------------ drawing

    def draw(self) -> None:
        """Draw the whole window."""
        scr = self.screen
        f = self.current_frame()
        if self.phase == "handover":
            self._draw_handover()
            return
        fast = self.dragging or bool(pygame.mouse.get_pressed()[0] and self.drag_from)
        self.map.draw(scr, self.cam, fast=fast, holders=f.holders)
        clip = scr.get_clip()
        scr.set_clip(self.cam.rect)
        if f.night:
            if self._night is None or self._night.get_size() != self.cam.rect.size:
                self._night = pygame.Surface(self.cam.rect.size, pygame.SRCALPHA)
                self._night.fill((10, 20, 60, 70))
            scr.blit(self._night, self.cam.rect.topleft)
        self._draw_routes(f)
        firing = self._draw_effects(f)
        self._draw_units(f, firing)
        self._draw_preview()
        if self.flash is not None:
            p, t = self.flash
            age = time.perf_counter() - t
            if age < 1.5:
                sx, sy = self.cam.to_screen(*p)
                pygame.draw.circle(scr, theme.ACCENT, (sx, sy), 14 + age * 30, 3)
            else:
                self.flash = None
        self.map.draw_scale_and_compass(scr, self.cam, lift=60 if self.replay_t is not None else 0)
        self._draw_air_strip(f)
        if self.replay_t is not None:
            self._draw_timeline()
        self._draw_message()
        if self.loading is not None:
            self._draw_banner("Loading: replaying the saved orders ...")
        scr.set_clip(clip)
        self._draw_panel(f)
        self.gui.draw_ui(scr)
        if self.overlay == "help":
            self._draw_help()
        elif self.overlay == "compare":
            self._draw_compare()
        elif self.overlay == "briefing":
            self._draw_briefing()
        elif self.overlay == "menu":
            self.menu.draw()

    def _counter_size(self) -> int:
        s = self.cam.scale
        base = 26 if s < 0.09 else 30 if s < 0.2 else 36
        return int(base * self.ui_scale)

    def _draw_units(self, f: Frame, firing: set[str]) -> None:
        scr = self.screen
        vis = self._visible(f)
        size = self._counter_size()
        self.unit_rects = []
        show_tanks = self.settings.show_tanks and self.cam.scale >= 0.25
        side_of = {u.id: u.side for u in f.units}
        if show_tanks:
            ts = max(10.0, min(16.0, 10 * self.cam.scale / 0.25)) * self.ui_scale
            groups: dict[tuple[int, int], list[Any]] = {}
            for t in f.tanks:
                side = side_of.get(t.unit, "")
                if vis is not None and side != self.viewer and t.unit not in vis:
                    continue
                groups.setdefault((round(t.x / 25), round(t.y / 25)), []).append((t, side))
            step = ts + 3
            for members in groups.values():
                t0 = members[0][0]
                sx, sy = self.cam.to_screen(t0.x, t0.y)
                if not self.cam.rect.inflate(80, 80).collidepoint(sx, sy):
                    continue
                cols = min(len(members), 6)
                rows = (len(members) + cols - 1) // cols
                for i, (t, side) in enumerate(members):  # a small column formation around the point
                    cx = sx + (i % cols - (cols - 1) / 2) * step
                    cy = sy + (i // cols - (rows - 1) / 2) * (ts * 0.6 + 4)
                    counters.draw_tank(scr, cx, cy, side, t.status, t.command, ts)
        placed: dict[tuple[int, int], int] = {}
        order = sorted((u for u in f.units if not u.is_air), key=lambda u: (u.id == self.selected, u.side, -u.men_start))
        for u in order:
            if u.men <= 0 and not u.tanks_ok and not u.tanks_bogged:
                continue
            if vis is not None and u.side != self.viewer and u.id not in vis:
                continue
            sx, sy = self.cam.to_screen(u.x, u.y)
            if not self.cam.rect.inflate(60, 60).collidepoint(sx, sy):
                continue
            cell = (int(sx // 22), int(sy // 16))
            n = placed.get(cell, 0)
            placed[cell] = n + 1
            img = counters.counter(u, size, u.id == self.selected, u.id in firing, ghost=show_tanks and u.tanks_start > 0)
            x = sx - img.get_width() / 2 + n * 5
            y = sy - img.get_height() / 2 - n * 5
            scr.blit(img, (x, y))
            rect = pygame.Rect(x + 6, y + 9, img.get_width() - 10, img.get_height() - 12)
            self.unit_rects.append((rect, u.id))
            if self.cam.scale >= 0.14 or u.id == self.selected:
                lab = theme.halo_text(u.id.removeprefix("j-"), self.fs(10), (20, 20, 20))
                scr.blit(lab, (sx - lab.get_width() / 2 + n * 5, y + img.get_height() - 2 - n * 0))

    def _draw_air_strip(self, f: Frame) -> None:
        air = [u for u in f.units if u.is_air]
        if not air:
            return
        if self.viewer is not None:
            air = [u for u in air if u.side == self.viewer]
        scr = self.screen
        px = self.px
        labels = [theme.halo_text(f"{u.id.split('-')[-1].upper()} {sum(v for _, v in u.aircraft)}", self.fs(10), (20, 20, 20)) for u in air]
        size = px(30)
        slot = [max(size, t.get_width()) + px(8) for t in labels]
        label = theme.halo_text("Air", self.fs(12), (20, 20, 20), bold=True)
        x = self.cam.rect.right - px(10) - sum(slot) - label.get_width() - px(6)
        y = self.cam.rect.y + px(8)
        scr.blit(label, (x, y + px(12)))
        x += label.get_width() + px(6)
        for u, t, w in zip(air, labels, slot, strict=True):
            img = counters.counter(u, size, u.id == self.selected, False)
            cx = x + w / 2
            scr.blit(img, (cx - img.get_width() / 2, y))
            scr.blit(t, (cx - t.get_width() / 2, y + img.get_height() - 2))
            self.unit_rects.append((pygame.Rect(cx - img.get_width() / 2, y, img.get_width(), img.get_height()), u.id))
            x += w

    def _draw_routes(self, f: Frame) -> None:
        scr = self.screen
        if self.phase != "orders":
            return
        for uid, pts in self.planned.items():
            u = f.unit(uid)
            if u is None or len(pts) < 2:
                continue
            if self.fog and self.viewer is not None and u.side != self.viewer:
                continue
            sp = [self.cam.to_screen(x, y) for x, y in pts]
            colour = (255, 250, 230)
            dashed_line(scr, (20, 20, 20), sp, 4, 12, 6)
            dashed_line(scr, colour, sp, 2, 12, 6)
            ex, ey = sp[-1]
            pygame.draw.circle(scr, colour, (ex, ey), 6, 2)

    def _draw_preview(self) -> None:
        scr = self.screen
        for i, (x, y) in enumerate(self.waypoints):
            sx, sy = self.cam.to_screen(x, y)
            pygame.draw.circle(scr, theme.ROUTE_OK, (sx, sy), 7, 2)
            scr.blit(theme.halo_text(str(i + 1), self.fs(11), (20, 20, 20), bold=True), (sx + 6, sy - 16))
        r = self.preview
        if r is None or not getattr(r, "reachable", True):
            return
        pts = [self.cam.to_screen(float(x), float(y)) for x, y in r.points_m]
        if len(pts) < 2:
            return
        for i in range(len(pts) - 1):
            soft = bool(r.seg_soft[i]) if i < len(r.seg_soft) else False
            pygame.draw.line(scr, (20, 20, 20), pts[i], pts[i + 1], 5)
            pygame.draw.line(scr, theme.ROUTE_SOFT if soft else theme.ROUTE_OK, pts[i], pts[i + 1], 3)
        soft_m = float(sum(l for l, s in zip(r.seg_length_m, r.seg_soft, strict=False) if s))
        u = self.current_frame().unit(self.selected or "")
        bog = ""
        if u is not None and u.tanks_start:
            keep = 1.0
            for ln, p in zip(r.seg_length_m, r.seg_p_bog_per_100m, strict=False):
                keep *= (1 - float(p)) ** (float(ln) / 100.0)
            bog = f"  each tank bogs: {100 * (1 - keep):.0f}%"
        txt = f"{r.length_m / 1000:.1f} km, ETA {r.time_min:.0f} min" + (f", soft ground {soft_m:.0f} m" if soft_m > 0 else "") + bog
        z = self.zone_at(*self.preview_target) if self.preview_target is not None and self.mode in ("auto", "attack") else None
        if z is not None:
            if z is not None and z.kind in ("height", "line") and self.current_frame().holders.get(z.id) != (u.side if u else None):
                txt = f"ATTACK {z.name.split(',')[0]}: " + txt
        img = theme.text(txt, self.fs(13), (255, 250, 220), bold=True)
        ex, ey = pts[-1]
        box = pygame.Surface((img.get_width() + 12, img.get_height() + 6), pygame.SRCALPHA)
        box.fill((20, 24, 18, 210))
        bx = min(ex + 12, self.cam.rect.right - box.get_width() - 4)
        scr.blit(box, (bx, ey + 10))
        scr.blit(img, (bx + 6, ey + 13))

    def _draw_effects(self, f: Frame) -> set[str]:
        scr = self.screen
        window = 6.0
        evs = self._events_between(f.t_min - window, f.t_min)
        pos = {u.id: (u.x, u.y, u.side) for u in f.units}
        tanks = {t.id: (t.x, t.y) for t in f.tanks}
        firing: set[str] = set()
        # one layer kept from frame to frame: only the part drawn on is cleared and blitted
        layer = self._fx_layer
        if layer is None or layer.get_size() != self.cam.rect.size:
            layer = self._fx_layer = pygame.Surface(self.cam.rect.size, pygame.SRCALPHA)
            self._fx_dirty = None
        if self._fx_dirty is not None:
            layer.fill((0, 0, 0, 0), self._fx_dirty)
        dirty: list[pygame.Rect] = []
        ox, oy = self.cam.rect.topleft
        for ev in evs:
            age = max(0.0, (f.t_min - ev.t_min) / window)
            a = int(230 * (1 - age))
            if a <= 10:
                continue
            k = ev.kind
            if k in ("volley", "strike"):
                x, y = ev.get("x"), ev.get("y")
                if x is None:
                    continue
                sx, sy = self.cam.to_screen(x, y)
                big = k == "strike"
                rad = max(6, (400 if big else 120) * self.cam.scale) * (0.6 + 0.6 * age)
                dirty.append(pygame.draw.circle(layer, (255, 140 if not big else 60, 20, a // 2), (sx - ox, sy - oy), rad))
                dirty.append(pygame.draw.circle(layer, (120, 20, 10, a), (sx - ox, sy - oy), rad, 2))
                firing.add(str(ev.get("unit")))
                if big:
                    dirty.append(pygame.draw.polygon(layer, (30, 30, 30, a), [(sx - ox, sy - oy - 10), (sx - ox - 9, sy - oy + 6), (sx - ox + 9, sy - oy + 6)], 2))
            elif k == "casualties" and ev.get("cause") == "direct-fire":
                v = pos.get(str(ev.get("unit")))
                if v is None:
                    continue
                best = None
                for uid, (x, y, side) in pos.items():
                    if side != v[2] and x >= 0:
                        d = math.hypot(x - v[0], y - v[1])
                        if d < 2500 and (best is None or d < best[0]):
                            best = (d, uid, x, y)
                tx, ty = self.cam.to_screen(v[0], v[1])
                if best is not None:
                    firing.add(best[1])
                    sx, sy = self.cam.to_screen(best[2], best[3])
                    dirty.append(pygame.draw.line(layer, (255, 230, 120, a), (sx - ox, sy - oy), (tx - ox, ty - oy), 2))
                dirty.append(pygame.draw.circle(layer, (255, 240, 150, a), (tx - ox, ty - oy), 5))
            elif k == "tank_knocked_out":
                p = tanks.get(str(ev.get("tank")))
                if p is None:
                    continue
                sx, sy = self.cam.to_screen(*p)
                pts = []
                for i in range(10):
                    ang = i * math.pi / 5
                    rr = 11 if i % 2 == 0 else 5
                    pts.append((sx - ox + rr * math.cos(ang), sy - oy + rr * math.sin(ang)))
                dirty.append(pygame.draw.polygon(layer, (255, 80, 20, a), pts))
                shooter = str(ev.get("cause", "")).split(":")[-1]
                sp = pos.get(shooter)
                if sp is not None and sp[0] >= 0:
                    qx, qy = self.cam.to_screen(sp[0], sp[1])
                    dirty.append(pygame.draw.line(layer, (255, 200, 80, a), (qx - ox, qy - oy), (sx - ox, sy - oy), 2))
                    firing.add(shooter)
            elif k == "bogged":
                x, y = ev.get("x"), ev.get("y")
                if x is not None:
                    sx, sy = self.cam.to_screen(x, y)
                    dirty.append(pygame.draw.circle(layer, (110, 70, 30, a), (sx - ox, sy - oy), 7, 2))
        self._fx_dirty = dirty[0].unionall(dirty[1:]).clip(layer.get_rect()) if dirty else None
        if self._fx_dirty is not None:
            scr.blit(layer, (ox + self._fx_dirty.x, oy + self._fx_dirty.y), self._fx_dirty)
        return firing

    def _draw_message(self) -> None:
        if not self.message or time.perf_counter() > self.message_until:
            return
        self._draw_banner(self.message, top=False)

    def _draw_banner(self, text_: str, top: bool = True) -> None:
        scr = self.screen
        r = self.cam.rect
        px = self.px
        img = theme.text(text_[:160], self.fs(15), (255, 255, 240), bold=True)
        box = pygame.Surface((min(img.get_width(), r.w - px(40)) + px(24), img.get_height() + px(12)), pygame.SRCALPHA)
        box.fill((20, 24, 18, 215))
        x = r.x + (r.w - box.get_width()) / 2
        y = r.y + px(12) if top else r.bottom - px(100 if self.replay_t is not None else 70)
        scr.blit(box, (x, y))
        scr.blit(img, (x + px(12), y + px(6)), pygame.Rect(0, 0, box.get_width() - px(24), img.get_height()))

    def _draw_timeline(self) -> None:
        scr = self.screen
        tl = self.timeline_rect()
        s = self.session
        px = self.px
        back = pygame.Surface((tl.w + px(140), tl.h + px(26)), pygame.SRCALPHA)
        back.fill((20, 24, 18, 215))
        scr.blit(back, (tl.x - px(130), tl.y - px(16)))
        pygame.draw.rect(scr, (60, 66, 54), tl)
        done = s.tape.end_min / max(s.end_min, 1)
        pygame.draw.rect(scr, (110, 120, 90), (tl.x, tl.y, tl.w * done, tl.h))
        # days
        start = s.sim.start
        day0 = start.replace(hour=0, minute=0)
        from datetime import timedelta

        d = day0 + timedelta(days=1)
        while (d - start).total_seconds() / 60 < s.end_min:
            fx = tl.x + tl.w * ((d - start).total_seconds() / 60) / s.end_min
            pygame.draw.line(scr, (230, 230, 210), (fx, tl.y - 4), (fx, tl.bottom), 1)
            scr.blit(theme.text(f"{d.day} Aug", self.fs(10), (230, 230, 210)), (fx + 3, tl.y - px(15)))
            d += timedelta(days=1)
        # event markers: heights changing hands
        for ev in self.session.events(0)[-4000:]:
            if ev.kind == "zone_holder":
                fx = tl.x + tl.w * ev.t_min / s.end_min
                colour = theme.SIDE_DARK.get(str(ev.get("holder")), (220, 220, 220))
                pygame.draw.line(scr, colour, (fx, tl.y + 2), (fx, tl.bottom - 2), 2)
        t = self.replay_t or 0.0
        cx = tl.x + tl.w * t / s.end_min
        pygame.draw.rect(scr, theme.ACCENT, (cx - 3, tl.y - 5, 6, tl.h + 10))
        label = ("> " if self.replay_playing else "|| ") + clock(start, t)
        scr.blit(theme.text(label, self.fs(14), (255, 255, 240), bold=True), (tl.x - px(122), tl.y + px(3)))

    def _draw_handover(self) -> None:
        scr = self.screen
        scr.fill((18, 20, 16))
        side = self.order_sides[self.side_idx]
        W, H = scr.get_size()
        lines = [
            (f"{theme.SIDE_NAME[side]} commander's turn", 34, theme.SIDE_FILL[side]),
            (f"{self.session.sim.now:%A %d %B %Y, %H:%M}", 20, theme.PANEL_FG),
            ("Hand the computer over. The other side's orders are hidden.", 18, theme.PANEL_DIM),
            ("Press Enter or click when ready", 18, theme.ACCENT),
        ]
        y = H / 2 - self.px(90)
        for s, size, colour in lines:
            img = theme.text(s, self.fs(size), colour, bold=size > 20)
            scr.blit(img, ((W - img.get_width()) / 2, y))
            y += img.get_height() + self.px(18)

    def _draw_panel(self, f: Frame) -> None:
        scr = self.screen
        p = self.panel
        pygame.draw.rect(scr, theme.PANEL_BG, p)
        pygame.draw.line(scr, (90, 96, 74), p.topleft, p.bottomleft, 2)
        s = self.session
        now = s.sim.start + __import__("datetime").timedelta(minutes=f.t_min)
        px = self.px
        x = p.x + px(12)
        scr.blit(theme.text("LAKE KHASAN 1938", self.fs(13), theme.ACCENT, bold=True), (x, px(8)))
        scr.blit(theme.text(f"{now:%a %d %b %Y}", self.fs(15), theme.PANEL_FG), (x, px(26)))
        scr.blit(theme.text(f"{now:%H:%M}", self.fs(30), (255, 255, 240), bold=True), (x + px(180), px(12)))
        turn = int(f.t_min // s.turn_min) + 1
        nturns = int(math.ceil(s.end_min / s.turn_min))
        scr.blit(theme.text(f"turn {turn} of {nturns}" + ("   night" if f.night else ""), self.fs(12), theme.PANEL_DIM), (x, px(48)))
        if self.replay_t is not None:
            phase = "REPLAY: drag the timeline"
            colour = theme.ACCENT
        elif self.phase == "orders":
            side = self.ordering_side or ""
            phase = f"{theme.SIDE_NAME.get(side, side)} orders: right click to order, Enter ends the turn"
            colour = theme.SIDE_FILL.get(side, theme.PANEL_FG)
        elif self.phase == "running":
            phase = ("PAUSED  " if s.paused else "Running to ") + clock(s.sim.start, s.next_boundary()) + f"  at {speed_text(s.speed)}"
            colour = (150, 220, 150)
        elif self.phase == "watch":
            phase = "Watching the recorded orders"
            colour = theme.PANEL_FG
        elif self.phase == "finished":
            phase = "Ceasefire: the battle is over (C compare, R replay)"
            colour = theme.ACCENT
        else:
            phase = self.phase
            colour = theme.PANEL_FG
        scr.blit(theme.text(phase, self.fs(12), colour, bold=True), (x, px(66)))
        info = f"mode: {self.mode}   fog: {'on' if self.fog else 'off'}   {len(s.pending())} order(s) this turn"
        if self.fps:
            info += f"   {self.fps:.0f} fps"
        scr.blit(theme.text(info, self.fs(11), theme.PANEL_DIM), (x, px(84)))
        # mode buttons highlight
        for key, _ in ORDER_MODES:
            btn = self.btn["mode-" + key]
            if (key == self.mode) != btn.is_selected:
                btn.select() if key == self.mode else btn.unselect()
        self.btn["pause"].set_text("Go on" if (s.paused or (self.replay_t is not None and not self.replay_playing)) else "Pause")
        self._update_details(f)
        self._update_log()
        scr.blit(theme.text("Event log (click to centre the map)", self.fs(11), theme.PANEL_DIM), (x, self.log_top + self.px(2)))
        self.log.draw(scr)

    def _update_details(self, f: Frame) -> None:
        u = f.unit(self.selected) if self.selected else None
        key = (u, self.phase, tuple(self.waypoints), len(self.session.pending()) if not self.session.busy else -1)
        if key == self._details_key:
            return
        if self._details_key is not None and time.perf_counter() - getattr(self, "_details_at", 0) < 0.25 and self.phase == "running":
            return
        self._details_key = key
        self._details_at = time.perf_counter()
        if u is None:
            side = self.ordering_side
            html = "<b>No unit selected.</b><br>Left click a counter (Tab cycles your units). "
            if side:
                html += f"You command the <b>{theme.SIDE_NAME[side]}</b> side.<br><br>"
            html += "Right click to order: on a height to <b>attack</b> it, elsewhere to <b>move</b>; artillery <b>fires</b>, air units <b>strike</b>. Shift + right click adds waypoints, e.g. to lead tanks round the swamp. H shows every shortcut."
            self.details.set_text(html)
            return
        vis = self._visible(f)
        if vis is not None and u.side != self.viewer and u.id not in vis:
            self.details.set_text(f"<b>{u.name}</b><br>Not in sight.")
            return
        colour = "#f0a090" if u.side == "soviet" else "#a0c0f0"
        lines = [f"<font color={colour}><b>{u.name}</b></font>", f"{u.id} - {u.type}, {u.training} training, {theme.SIDE_NAME[u.side]}"]
        if u.is_air:
            lines.append("Aircraft: " + ", ".join(f"{k} {v}" for k, v in u.aircraft))
        else:
            lines.append(f"<b>Men</b> {u.men:,} of {u.men_start:,}  (killed {u.killed}, wounded {u.wounded}, missing {u.missing})")
            if u.weapons:
                lines.append("<b>Weapons</b> " + ", ".join(f"{k} {v}" for k, v in u.weapons))
            if u.tanks_start:
                lines.append(f"<b>Tanks</b> {u.tanks_ok} fit, {u.tanks_bogged} bogged, {u.tanks_lost} lost of {u.tanks_start}")
            if u.ammunition is not None:
                lines.append(f"<b>Ammunition</b> {u.ammunition:,} rounds")
        lines.append(f"<b>Morale</b> {u.morale:.2f} (started {u.morale_start:.2f}) - <b>{u.state}</b>; suppression {u.suppression:.2f}")
        lines.append(f"<b>Doing</b> {u.activity}" + (f", dug in ({u.entrenchment})" if u.entrenchment != "none" else "") + (", wire" if u.wire else "") + (", under fire" if u.under_fire else ""))
        if u.order:
            lines.append(f"<b>Order</b> {u.order}")
        if u.side in self.session.player_sides and u.id in self.session.followers:
            lines.append("<i>Follows the recorded orders of 1938 until you order it.</i>")
        pend = [o for o in self.session.pending() if u.id in o.unit_ids] if not self.session.busy else []
        if pend:
            lines.append("<font color=#ecc454><b>This turn</b> " + "; ".join(o.kind.replace("_", " ") for o in pend) + "</font>")
        if self.phase == "orders" and self.own(u.id):
            legal = self.session.sim.legal_orders(u.id)
            ok = [k.replace("_", " ") for k, why in legal.items() if why is None]
            lines.append("<i>May: " + ", ".join(ok) + "</i>")
        if not u.is_air:
            lines.append(f"<i>at ({u.x / 1000:.2f}, {u.y / 1000:.2f}) km</i>")
        self.details.set_text("<br>".join(lines))

    def _update_log(self) -> None:
        n = (len(self._ev_times), None if self.replay_t is None else int(self.replay_t // 5))
        if n == self._log_len:
            return
        if self._log_len != -1 and time.perf_counter() - getattr(self, "_log_at", 0) < 0.5:
            return
        self._log_len = n
        self._log_at = time.perf_counter()
        evs = self.session.events(max(0, n[0] - 3000))
        t_now = self.current_frame().t_min
        vis = self._visible(self.current_frame())
        start = self.session.sim.start
        items: list[tuple[int, str]] = []
        for ev in reversed(evs):
            if ev.t_min > t_now + 1e-9:
                continue
            k = ev.kind
            if k == "order":
                if ev.get("source") != "player":
                    continue
            elif k == "casualties":
                if (ev.get("killed", 0) or 0) + (ev.get("wounded", 0) or 0) < 15:
                    continue
            elif k not in IMPORTANT:
                continue
            if vis is not None:
                uid = ev.get("unit")
                if isinstance(uid, str) and uid not in vis:
                    continue
            items.append((ev.seq, f"{clock(start, ev.t_min)}  {describe(ev)}"))
            if len(items) >= 120:
                break
        self.log.set_items(items)

    def _overlay_box(self, width: int, height: int, alpha: int = 235) -> pygame.Rect:
        """Draw the dark framed box of an overlay, centred and inside the window; return it."""
        scr = self.screen
        w_px, h_px = scr.get_size()
        m = self.px(20)
        box = pygame.Rect(0, 0, min(width, w_px - 2 * m), min(height, h_px - 2 * m))
        box.center = (w_px // 2, h_px // 2)
        s = pygame.Surface(box.size, pygame.SRCALPHA)
        s.fill((20, 24, 18, alpha))
        scr.blit(s, box.topleft)
        pygame.draw.rect(scr, theme.ACCENT, box, 2)
        return box

    def _draw_briefing(self) -> None:
        """Draw the exercise's briefing (``session.briefing``: a title and (heading, text) pairs)."""
        title, sections = self.session.briefing
        scr = self.screen
        px, fs = self.px, self.fs
        box = self._overlay_box(px(1000), scr.get_height(), 240)
        left = box.x + px(24)
        scr.blit(theme.text(title, fs(22), theme.ACCENT, bold=True), (left, box.y + px(16)))
        y = box.y + px(58)
        bottom = box.bottom - px(44)
        line_h = round(fs(14) * 1.4)
        for heading, body in sections:
            if y > bottom - line_h:
                break
            scr.blit(theme.text(heading, fs(15), (255, 255, 240), bold=True), (left, y))
            y += round(fs(15) * 1.6)
            for line in theme.wrap(body, fs(14), box.w - px(48)):
                if y > bottom - line_h:
                    break
                scr.blit(theme.text(line, fs(14), theme.PANEL_FG), (left, y))
                y += line_h
            y += px(10)
        scr.blit(theme.text("B: show the briefing again   Esc or click: close   H: keys", fs(13), theme.PANEL_DIM), (left, box.bottom - px(30)))

    def _draw_help(self) -> None:
        scr = self.screen
        px, fs = self.px, self.fs
        row = round(fs(14) * 1.85)
        box = self._overlay_box(px(860), px(110) + row * len(HELP))
        scr.blit(theme.text("Keyboard and mouse", fs(20), theme.ACCENT, bold=True), (box.x + px(24), box.y + px(16)))
        y = box.y + px(56)
        for k, v in HELP:
            scr.blit(theme.text(k, fs(14), (255, 255, 240), bold=True), (box.x + px(24), y))
            scr.blit(theme.text(v, fs(14), theme.PANEL_FG), (box.x + px(230), y))
            y += row
        note = "Units you have not ordered follow the recorded orders of 1938; an order of yours takes the unit over."
        scr.blit(theme.text(note, fs(13), theme.ACCENT), (box.x + px(24), y + px(8)))

    def _compare_data(self) -> Any:
        from khasan_sim.ui.comparing import now_rows, record_rows

        if self._compare_cache is not None:
            return self._compare_cache
        if self.session.busy:
            return None
        sim = self.session.sim
        result = sim.result()
        rows, note = record_rows(result)
        self._story_lines = story_screen.story_lines(result)
        if self.study_path is not None and self._study_cells is None:
            from khasan_sim.ui.comparing import study_cells

            self._study_cells = study_cells(self.study_path)
        if self._study_cells is not None:
            note = f"{note}   |   {self._study_cells[1]}"
        m = sim.metrics()
        self._compare_cache = (now_rows(m, self.session.zones(), sim.start), rows, note, sim.now, m)
        return self._compare_cache

    def _draw_compare(self) -> None:
        scr = self.screen
        W, H = scr.get_size()
        data = self._compare_data()
        px = self.px
        box = pygame.Rect(px(20), px(20), W - 2 * px(20), H - 2 * px(20))
        s = pygame.Surface(box.size, pygame.SRCALPHA)
        s.fill((24, 28, 22, 245))
        scr.blit(s, box.topleft)
        pygame.draw.rect(scr, theme.ACCENT, box, 2)
        if data is None:
            scr.blit(theme.text("Wait for the turn to end ...", self.fs(18), theme.PANEL_FG), (box.x + px(24), box.y + px(24)))
            return
        now_r, rec_r, note, when, metrics = data
        scr.blit(theme.text(f"This game beside the record  -  {when:%d %B %Y %H:%M}", self.fs(22), theme.ACCENT, bold=True), (box.x + px(24), box.y + px(14)))
        hint = "   E: this game among the exercise's runs" if getattr(self.session, "exercise", None) else ""
        scr.blit(theme.text(note + "   (click or Esc to close)" + hint, self.fs(12), theme.PANEL_DIM), (box.x + px(24), box.y + px(46)))
        # left: the game now, with small loss charts
        x, y = box.x + px(24), box.y + px(78)
        scr.blit(theme.text("The game now", self.fs(16), (255, 255, 240), bold=True), (x, y))
        y += px(28)
        for r in now_r:
            scr.blit(theme.text(r.label, self.fs(13), theme.PANEL_DIM), (x, y))
            scr.blit(theme.text(r.game, self.fs(13), theme.PANEL_FG, bold=True), (x + px(200), y))
            y += px(21)
        # losses chart: game vs recorded ranges
        y += px(14)
        title = "Killed and wounded: this game (bar), the recorded range (band)" + (", the study's 90% (white line)" if self._study_cells and self._study_cells[0] else "")
        scr.blit(theme.text(title, self.fs(13), (255, 255, 240), bold=True), (x, y))
        y += px(24)
        by_id = {r.label: r for r in rec_r}
        vmax = 1.0
        chart = []
        for lab in ("soviet killed", "soviet wounded", "japanese killed", "japanese wounded"):
            r = by_id.get(lab)
            if r is None:
                continue
            game_now = metrics.get(lab.replace(" ", "."))
            chart.append((lab, r, game_now))
            vmax = max(vmax, r.hi or 0, float(game_now or 0))
        cw = min(px(420), box.w // 2 - px(240))
        for lab, r, game_now in chart:
            scr.blit(theme.text(lab, self.fs(13), theme.PANEL_DIM), (x, y + px(2)))
            bx = x + px(140)
            pygame.draw.rect(scr, (50, 56, 46), (bx, y, cw, px(18)))
            if r.lo is not None and r.hi is not None:
                lo, hi = bx + cw * r.lo / vmax, bx + cw * r.hi / vmax
                pygame.draw.rect(scr, (200, 190, 120), (lo, y - px(2), max(3, hi - lo), px(22)), 0)
            cell = self._study_cells[0].get(lab.replace(" ", "-")) if self._study_cells else None
            if cell is not None and cell.low is not None and cell.high is not None:
                slo, shi = bx + cw * min(cell.low, vmax) / vmax, bx + cw * min(cell.high, vmax) / vmax
                pygame.draw.line(scr, (235, 235, 235), (slo, y + px(19)), (shi, y + px(19)), 3)
            if game_now is not None:
                side = lab.split()[0]
                pygame.draw.rect(scr, theme.SIDE_DARK[side], (bx, y + px(4), cw * float(game_now) / vmax, px(10)))
                scr.blit(theme.text(f"{game_now:,}", self.fs(12), theme.PANEL_FG), (bx + cw + 8, y + px(2)))
            y += px(28)
        story_screen.draw(self, pygame.Rect(x, y + px(10), box.w // 2 - px(40), box.bottom - y - px(20)), getattr(self, "_story_lines", None))
        # right: record entries
        x2 = box.x + box.w // 2 + px(10)
        y = box.y + px(78)
        scr.blit(theme.text("What happened (record)", self.fs(16), (255, 255, 240), bold=True), (x2, y))
        scr.blit(theme.text("this game", self.fs(13), theme.PANEL_DIM), (x2 + px(330), y + px(3)))
        cells = self._study_cells[0] if self._study_cells else {}
        if cells:
            scr.blit(theme.text("study", self.fs(13), theme.PANEL_DIM), (x2 + px(330), y + px(17)))
        y += px(28)
        for r in rec_r:
            mark, colour = ("yes", (120, 210, 120)) if r.inside else ("no", (230, 120, 100)) if r.inside is False else ("-", theme.PANEL_DIM)
            scr.blit(theme.text(r.label[:40], self.fs(13), theme.PANEL_FG), (x2, y))
            scr.blit(theme.text(r.recorded[:30], self.fs(12), theme.PANEL_DIM), (x2, y + px(16)))
            scr.blit(theme.text(r.game[:26], self.fs(13), theme.PANEL_FG, bold=True), (x2 + px(330), y))
            cell = cells.get(r.label.replace(" ", "-"))
            if cell is not None:
                scr.blit(theme.text(cell.text[:34], self.fs(12), (200, 200, 190)), (x2 + px(330), y + px(16)))
            scr.blit(theme.text(mark, self.fs(13), colour, bold=True), (x2 + px(520), y))
            y += px(38)
            if y > box.bottom - px(40):
                break
        scr.blit(theme.text("'yes': inside the recorded figure;  'no': outside;  '-': not reached yet", self.fs(12), theme.PANEL_DIM), (x2, box.bottom - px(26)))
