"""The game window's input: mouse, keys, the panel's buttons, the file dialog, the menu's actions, the event log's clicks.

A mixin of :class:`~khasan_sim.ui.app.App`.
"""

from __future__ import annotations

import math
import threading
import time
from pathlib import Path
from typing import Any

import pygame
import pygame_gui

from khasan_sim.ui.app_orders import ORDER_MODES
from khasan_sim.ui.eventtext import where
from khasan_sim.ui.session import SPEEDS, speed_text


class InputMixin:
    """Input handling for :class:`~khasan_sim.ui.app.App`."""

    # ------------------------------------------------------------------ input

    def handle(self, ev: pygame.event.Event) -> None:
        """Handle one input event."""
        if ev.type in (pygame.QUIT, pygame.WINDOWCLOSE):  # a window manager's close: end, whatever is open or running
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
                self._log_len = -1  # the log as this player may read it
                self._details_key = None
            return
        if ev.type == pygame.KEYDOWN:
            self._key(ev)
            return
        if consumed:
            return
        if ev.type == pygame.MOUSEWHEEL:
            mx, my = pygame.mouse.get_pos()
            if self.overlay == "model":
                self.scroll_model(-3 * ev.y)
            elif self.log.rect.collidepoint(mx, my):
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
        if self.replay_t is not None:
            self.say("Replay: orders are given in the game (Esc or R goes back to it)")
            return
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
            elif self.forecast_shown:
                self.forecast_shown = False
            elif self.replay_t is not None:
                self.exit_replay()
            elif self.waypoints:
                self.waypoints.clear()
            else:
                self.selected = None
                self.mode = "auto"
            return
        if self.overlay == "model" and k in (pygame.K_UP, pygame.K_DOWN, pygame.K_PAGEUP, pygame.K_PAGEDOWN):
            self.scroll_model({pygame.K_UP: -1, pygame.K_DOWN: 1, pygame.K_PAGEUP: -20, pygame.K_PAGEDOWN: 20}[k])
            return
        if k == pygame.K_i:
            self.model_top = 0
            self.overlay = None if self.overlay == "model" else "model"
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
        elif k == pygame.K_p:
            self.forecast_key(paired=bool(mods & pygame.KMOD_SHIFT))
        elif k == pygame.K_d:
            self._quick_order("defend")
        elif k == pygame.K_g:
            self._quick_order("dig_in")
        elif k == pygame.K_l:
            self.deployed = not self.deployed
            self.say("Tank attacks: " + ("deployed in battle line, a third of a minute between tanks" if self.deployed else "in march column, a minute between tanks"))
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
        """Switch fog of war (with a player side; in hot seat each player sees their own side's view)."""
        if not self.order_sides:
            self.say("Fog of war needs a player side (play --side soviet, japanese or both)")
            return
        if self.session.busy:
            self.say("Wait for the turn to finish, then switch fog of war")
            return
        self.fog = not self.fog
        self.settings.fog = self.fog
        self._log_len = -1
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
