"""The game window's model sources in play: tooltips over the log, counters and the route
preview (the mechanism, the values used, each parameter's source), and the Model screen
(every parameter with its source, and whether calibration fitted it).

A mixin of :class:`~khasan_sim.ui.app.App`. The words come from :mod:`khasan_sim.ui.sourcetext`.
"""

from __future__ import annotations

import time
from typing import Any

import pygame

from khasan_sim.api import parameter_sources
from khasan_sim.ui import theme
from khasan_sim.ui.eventtext import clock
from khasan_sim.ui.sourcetext import Tip, event_tip, mobility_of, morale_tip, route_tip

#: Seconds the pointer rests before a tooltip shows.
HOVER_S = 0.6

_STYLE = {
    "title": ((255, 255, 240), True),
    "text": (theme.PANEL_FG, False),
    "param": ((236, 196, 84), True),
    "source": ((190, 190, 170), False),
    "dim": (theme.PANEL_DIM, False),
}


class SourcesMixin:
    """Tooltips and the Model screen of :class:`~khasan_sim.ui.app.App`."""

    _hover_pos: tuple[int, int] | None = None
    _hover_since = 0.0
    _tip_cache: tuple[Any, Tip | None] | None = None
    model_top = 0

    @property
    def params(self) -> Any:
        """Return the parameters of the game's scenario (its variant applied)."""
        return self.session.sim.scenario.params

    # ------------------------------------------------------------------ tooltips

    def hover_tip(self, pos: tuple[int, int]) -> Tip | None:
        """Return the tooltip for the pointer at *pos*: a log line's event with its causes and
        the mechanism behind it, a counter's morale, or the route preview's movement and bog
        chance (each with the source of every parameter). None where there is nothing to tell."""
        if self.overlay is not None or self.phase == "handover":
            return None
        if self.log.rect.collidepoint(pos):
            seq = self.log.item_at(pos)
            return None if seq is None else self._cached(("event", seq, self.viewer, self.fog), lambda: self._event_tip(seq))
        if not self.cam.rect.collidepoint(pos):
            return None
        r = self.preview
        if r is not None and getattr(r, "reachable", False) and self.selected and len(r.points_m):
            ex, ey = self.cam.to_screen(float(r.points_m[-1][0]), float(r.points_m[-1][1]))
            if abs(ex - pos[0]) + abs(ey - pos[1]) < self.px(40):
                return self._cached(("route", id(r)), lambda: self._route_tip(r))
        for rect, uid in reversed(self.unit_rects):
            if rect.collidepoint(pos):
                return self._cached(("morale", uid, self.current_frame().t_min, self.fog), lambda uid=uid: self._morale_tip(uid))
        return None

    def _cached(self, key: Any, make: Any) -> Tip | None:
        if self._tip_cache is None or self._tip_cache[0] != key:
            self._tip_cache = (key, make())
        return self._tip_cache[1]

    def _event_tip(self, seq: int) -> Tip | None:
        evs = self.session.events(seq)
        if not evs:
            return None
        ev = evs[0]
        fog = self.fog_view(self.current_frame())
        line = fog.line(ev)
        if line is None:
            return None
        own = fog.visible is None or (fog.subject(ev) is not None and fog.is_own(str(fog.subject(ev))))
        return event_tip(f"{clock(self.session.sim.start, ev.t_min)}  {line}", fog.fields(ev), self.params, ev, show_model=own)

    def _morale_tip(self, uid: str) -> Tip | None:
        f = self.current_frame()
        u = f.unit(uid)
        if u is None or u.is_air:
            return None
        vis = self._visible(f)
        if vis is not None and u.side != self.viewer:  # an enemy's morale is not seen
            return None
        return morale_tip(self.params, u)

    def _route_tip(self, r: Any) -> Tip | None:
        u = self.current_frame().unit(self.selected or "")
        if u is None:
            return None
        return route_tip(self.params, r, mobility_of(self.session.sim.scenario, u.id, u.type), u.tanks_start)

    def _draw_hover_tip(self) -> None:
        """Draw the tooltip of where the pointer has rested (after :data:`HOVER_S`)."""
        pos = pygame.mouse.get_pos()
        now = time.perf_counter()
        if pos != self._hover_pos:
            self._hover_pos = pos
            self._hover_since = now
            return
        if now - self._hover_since < HOVER_S or not self.mouse_seen:
            return
        tip = self.hover_tip(pos)
        if tip:
            self.draw_tip(tip, pos)

    def draw_tip(self, tip: Tip, pos: tuple[int, int]) -> pygame.Rect:
        """Draw a tooltip near *pos*, wrapped and kept inside the window; return its box."""
        scr = self.screen
        px, fs = self.px, self.fs
        W, H = scr.get_size()  # noqa: N806
        width = min(px(560), W - px(40))
        imgs: list[pygame.Surface] = []
        for style, text in tip:
            colour, bold = _STYLE.get(style, _STYLE["text"])
            size = fs(13) if style == "title" else fs(12) if style != "source" else fs(11)
            indent = px(12) if style == "source" else 0
            for line in theme.wrap(text, size, width - indent, bold=bold):
                img = theme.text(line, size, colour, bold=bold)
                if indent:
                    wrapped = pygame.Surface((img.get_width() + indent, img.get_height()), pygame.SRCALPHA)
                    wrapped.blit(img, (indent, 0))
                    img = wrapped
                imgs.append(img)
        h_max = H - px(20)
        shown: list[pygame.Surface] = []
        total = px(12)
        for img in imgs:
            if total + img.get_height() > h_max - px(20):
                shown.append(theme.text("... (I: the Model screen lists every parameter)", fs(11), theme.PANEL_DIM))
                total += shown[-1].get_height()
                break
            shown.append(img)
            total += img.get_height()
        w = max(i.get_width() for i in shown) + px(16)
        box = pygame.Rect(0, 0, w, total)
        box.topleft = (pos[0] + px(16), pos[1] + px(16))
        if box.right > W - px(6):
            box.right = pos[0] - px(12)
        box.clamp_ip(pygame.Rect(px(6), px(6), W - px(12), H - px(12)))
        back = pygame.Surface(box.size, pygame.SRCALPHA)
        back.fill((16, 19, 14, 240))
        scr.blit(back, box.topleft)
        pygame.draw.rect(scr, theme.ACCENT, box, 1)
        y = box.y + px(6)
        for img in shown:
            scr.blit(img, (box.x + px(8), y))
            y += img.get_height()
        return box

    # ------------------------------------------------------------------ the Model screen

    def model_lines(self) -> Tip:
        """Return the Model screen's lines: every parameter, its value, source and whether it was fitted."""
        sources = parameter_sources(self.params)
        fitted = sum(1 for s in sources if s.fitted)
        lines: Tip = [("dim", f"{len(sources)} parameters from scenarios/params/, {fitted} fitted by calibration to the record "
                              "(FITTED); the rest come from the source or reason given. Wheel, arrows, PgUp/PgDn: scroll.  I or Esc: close")]
        group = ""
        for s in sources:
            head = s.key.split(".")[0]
            if head != group:
                group = head
                lines.append(("title", group))
            lines.append(("param", f"{s.key} = {s.value_text}" + ("   FITTED" if s.fitted else "")))
            lines.append(("source", f"{s.source}  ({s.where}{'; ' + s.fitted_note if s.fitted_note else ''})"))
        return lines

    def scroll_model(self, rows: int) -> None:
        """Scroll the Model screen by *rows* lines."""
        self.model_top = max(0, self.model_top + rows)

    def _draw_model(self) -> None:
        scr = self.screen
        px, fs = self.px, self.fs
        W, H = scr.get_size()  # noqa: N806
        box = self._overlay_box(W - 2 * px(20), H - 2 * px(20), 245)
        scr.blit(theme.text("The model: every parameter and where it comes from", fs(20), theme.ACCENT, bold=True), (box.x + px(24), box.y + px(14)))
        cache = getattr(self, "_model_cache", None)
        if cache is None or cache[0] is not self.params:
            cache = self._model_cache = (self.params, self.model_lines())
        lines = cache[1]
        width = box.w - px(48)
        y = box.y + px(50)
        bottom = box.bottom - px(12)
        self.model_top = min(self.model_top, max(0, len(lines) - 10))
        clip = scr.get_clip()
        scr.set_clip(box)
        for style, text in [lines[0], *lines[1 + self.model_top:]]:
            colour, bold = _STYLE.get(style, _STYLE["text"])
            size = fs(15) if style == "title" else fs(13) if style != "source" else fs(12)
            indent = px(18) if style == "source" else 0
            for line in theme.wrap(text, size, width - indent, bold=bold):
                img = theme.text(line, size, colour, bold=bold)
                scr.blit(img, (box.x + px(24) + indent, y))
                y += img.get_height()
            y += px(6) if style == "title" else 0
            if y > bottom:
                break
        scr.set_clip(clip)
