"""The game window's overlays: the briefing, the help (keys) and the compare screen.

A mixin of :class:`~khasan_sim.ui.app.App`.
"""

from __future__ import annotations

from typing import Any

import pygame

from khasan_sim.ui import story_screen, theme

HELP = [
    ("Left click", "select a unit (click the map and drag to pan)"),
    ("Right click", "order the selected unit: move there, attack the zone, fire, strike"),
    ("Shift + right click", "add a waypoint to the route (e.g. round the swamp)"),
    ("M A W F S", "order mode: move, attack a zone, withdraw, fire mission, air strike"),
    ("D / G", "defend where it stands / dig in"),
    ("L", "tanks attack deployed in battle line / in march column (a tank unit's attack orders)"),
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
    ("P / Shift+P", "forecast: 40 futures from here (in replay: from the moment shown); Shift: paired with the order under the mouse"),
    ("F5 / F9", "quick save / quick load;  Ctrl+S / Ctrl+O: save as / open"),
    ("F11", "full screen"),
    ("I", "the Model screen: every parameter, its source or reason, fitted by calibration or not"),
    ("Rest the pointer", "on a log line, a counter or the route preview: the causes, the mechanism and its sources"),
    ("F2, Menu", "classroom exercises: play one, run its studies, place a class's saves"),
    ("E", "this exercise game among the exercise's runs"),
    ("H or F1", "this help;  Esc closes it"),
]



class OverlaysMixin:
    """Overlays of :class:`~khasan_sim.ui.app.App`."""

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
        width, height = scr.get_size()
        data = self._compare_data()
        px = self.px
        box = pygame.Rect(px(20), px(20), width - 2 * px(20), height - 2 * px(20))
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
            cell = cells.get(r.entry_id or r.label.replace(" ", "-"))
            if cell is not None:
                scr.blit(theme.text(cell.text[:34], self.fs(12), (200, 200, 190)), (x2 + px(330), y + px(16)))
                luck = cell.luck(r)  # how lucky was I: the game among the study's runs
                if luck:
                    scr.blit(theme.text(luck[:60], self.fs(12), (236, 196, 84)), (x2 + px(330), y + px(31)))
            scr.blit(theme.text(mark, self.fs(13), colour, bold=True), (x2 + px(520), y))
            y += px(50) if cells else px(38)
            if y > box.bottom - px(40):
                break
        scr.blit(theme.text("'yes': inside the recorded figure;  'no': outside;  '-': not reached yet", self.fs(12), theme.PANEL_DIM), (x2, box.bottom - px(26)))
