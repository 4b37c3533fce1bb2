"""The game window's side panel: date and phase, the order buttons' state, the selected unit's details, the event log.

A mixin of :class:`~khasan_sim.ui.app.App`.
"""

from __future__ import annotations

import math
import time

import pygame

from khasan_sim.ui import theme
from khasan_sim.ui.app_orders import ORDER_MODES
from khasan_sim.ui.eventtext import IMPORTANT, clock
from khasan_sim.ui.frames import Frame
from khasan_sim.ui.session import speed_text


def watch_text(sim: object) -> str:
    """Return the panel's line while no side is the player's: who gives the orders."""
    post = getattr(sim, "command_post", None)
    if post is None or not post.commanders:
        return "Watching the recorded orders"
    ai_sides = sorted(post.commanders)
    if len(ai_sides) == 2:
        return "Watching: the commander AI plays both sides"
    if ai_sides == ["soviet"]:
        return "Watching: Soviet AI vs the Japanese doctrine"
    return "Watching: Japanese AI vs Soviet recorded orders"

class PanelMixin:
    """The side panel of :class:`~khasan_sim.ui.app.App`."""

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
        nturns = math.ceil(s.end_min / s.turn_min)
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
            phase = watch_text(s.sim)
            colour = theme.PANEL_FG
        elif self.phase == "finished":
            phase = "Ceasefire: the battle is over (C compare, R replay)"
            colour = theme.ACCENT
        else:
            phase = self.phase
            colour = theme.PANEL_FG
        scr.blit(theme.text(phase, self.fs(12), colour, bold=True), (x, px(66)))
        info = f"mode: {self.mode}   tanks: {'deployed' if self.deployed else 'column'}   fog: {'on' if self.fog else 'off'}   {len(s.pending())} order(s) this turn"
        if self.replay_t is not None:  # no orders in a replay
            info = f"replay at {speed_text(self.replay_speed)}   fog: {'on' if self.fog else 'off'}"
        if self.fps:
            info += f"   {self.fps:.0f} fps"
        scr.blit(theme.text(info, self.fs(11), theme.PANEL_DIM), (x, px(84)))
        self._show_order_buttons(self.replay_t is None)
        # mode buttons highlight
        for key, _ in ORDER_MODES:
            btn = self.btn["mode-" + key]
            if (key == self.mode) != btn.is_selected:
                btn.select() if key == self.mode else btn.unselect()
        self.btn["pause"].set_text("Go on" if (s.paused or (self.replay_t is not None and not self.replay_playing)) else "Pause")
        self._update_details(f)
        self._update_log()
        scr.blit(theme.text("Event log (click: centre the map; rest the pointer: the whole event)", self.fs(11), theme.PANEL_DIM), (x, self.log_top + self.px(2)))
        self.log.draw(scr)

    def _show_order_buttons(self, show: bool) -> None:
        """Show the order buttons (end turn, undo, order modes, defend, dig in), or hide them in a replay."""
        for key in ("end", "undo", "defend", "dig", *("mode-" + k for k, _ in ORDER_MODES)):
            b = self.btn[key]
            if bool(b.visible) != show:
                b.show() if show else b.hide()

    def _update_details(self, f: Frame) -> None:
        u = f.unit(self.selected) if self.selected else None
        key = (u, self.phase, self.ordering_side, self.replay_t is not None, self.fog, tuple(self.waypoints), len(self.session.pending()) if not self.session.busy else -1)
        if key == self._details_key:
            return
        if self._details_key is not None and time.perf_counter() - getattr(self, "_details_at", 0) < 0.25 and self.phase == "running":
            return
        self._details_key = key
        self._details_at = time.perf_counter()
        if u is None:
            self.details.set_text(self._no_selection_text())
            return
        vis = self._visible(f)
        if vis is not None and u.side != self.viewer and u.id not in vis:
            self.details.set_text(f"<b>{u.name}</b><br>Not in sight.")
            return
        if vis is not None and u.side != self.viewer:  # an enemy in sight: what can be seen from outside
            self.details.set_text(f"<b>{u.name}</b><br>{u.type}, {theme.SIDE_NAME[u.side]}; in sight<br><i>Its strength, morale and orders are hidden by the fog of war.</i>")
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
            if u.command:
                lines.append(f"<b>Control</b> {u.command}")
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

    def _no_selection_text(self) -> str:
        """Return the details box's text with no unit selected: what to do now."""
        if self.replay_t is not None:
            return ("<b>Replay.</b><br>Drag the timeline or use Left/Right to step, Space to play or pause, "
                    "[ and ] to change the speed. Click a counter to read it. Esc or R goes back to the game.")
        side = self.ordering_side
        if side is None:
            html = "<b>No unit selected.</b><br>Left click a counter to read it. "
            if self.phase == "running" and self.fog and len(self.order_sides) > 1:
                html += "Hot seat with fog of war: while the turn runs, the map shows only what both sides see."
            return html
        html = "<b>No unit selected.</b><br>Left click a counter (Tab cycles your units). "
        html += f"You command the <b>{theme.SIDE_NAME[side]}</b> side.<br><br>"
        for s, level in sorted(self.session.commanders.items()):
            html += f"Opponent: the <b>{theme.SIDE_NAME[s]}</b> side is the computer commander ({level}).<br><br>"
        html += "Right click to order: on a height to <b>attack</b> it, elsewhere to <b>move</b>; artillery <b>fires</b>, air units <b>strike</b>. Shift + right click adds waypoints, e.g. to lead tanks round the swamp. H shows every shortcut."
        return html

    def _update_log(self) -> None:
        n = (len(self._ev_times), None if self.replay_t is None else int(self.replay_t // 5), self.viewer, self.fog, self.phase == "handover")
        if n == self._log_len:
            return
        if self._log_len != -1 and time.perf_counter() - getattr(self, "_log_at", 0) < 0.5:
            return
        self._log_len = n
        self._log_at = time.perf_counter()
        evs = self.session.events(max(0, n[0] - 3000))
        f = self.current_frame()
        t_now = f.t_min
        fog = self.fog_view(f)
        if self.phase == "handover":  # the next player must not read the last one's log
            self.log.set_items([])
            return
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
            line = fog.line(ev)
            if line is None:
                continue
            items.append((ev.seq, f"{clock(start, ev.t_min)}  {line}"))
            if len(items) >= 120:
                break
        self.log.set_items(items)
