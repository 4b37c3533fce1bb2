"""The game window's map drawing: units, tanks, air strip, routes, the route preview, fire effects, messages, the replay timeline, the hand-over screen.

A mixin of :class:`~khasan_sim.ui.app.App`.
"""

from __future__ import annotations

import math
import time
from typing import Any

import pygame

from khasan_sim.ui import counters, theme
from khasan_sim.ui.app_orders import RefusedOrder
from khasan_sim.ui.eventtext import clock
from khasan_sim.ui.frames import Frame
from khasan_sim.ui.labels import MapLabel, leader_line, place_labels
from khasan_sim.ui.mapview import dashed_line
from khasan_sim.ui.sourcetext import soft_ground_and_bog


class DrawMixin:
    """Map drawing for :class:`~khasan_sim.ui.app.App`."""

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
        self.draw_forecast()
        if self.overlay == "help":
            self._draw_help()
        elif self.overlay == "compare":
            self._draw_compare()
        elif self.overlay == "briefing":
            self._draw_briefing()
        elif self.overlay == "menu":
            self.menu.draw()
        elif self.overlay == "model":
            self._draw_model()
        self._draw_hover_tip()

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
        drawn: list[tuple[pygame.Rect, str]] = []
        labels: list[MapLabel] = []
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
            drawn.append((pygame.Rect(round(x) + 4, round(y) + 4, img.get_width() - 8, img.get_height() - 6), u.id))
            if self.cam.scale >= 0.14 or u.id == self.selected:
                lab = theme.halo_text(u.id.removeprefix("j-"), self.fs(10), (20, 20, 20))
                rank = -1e9 if u.id == self.selected else -u.men_start - 1000 * u.tanks_start
                labels.append(MapLabel(lab, (sx - lab.get_width() / 2 + n * 5, y + img.get_height() - 2), rank, keep=u.id == self.selected, owner=u.id))
        # the heights' names above the counters, then the units' names where they fit, then the other names
        labels.extend(MapLabel(img, at, -1e8 if height else 1.0, keep=height, anchor=anchor)
                      for img, at, height, anchor in self.map.names(self.cam, f.holders))
        self.label_rects = []
        for label, spot in place_labels(labels, drawn):
            line = leader_line(label, spot)
            if line is not None:  # a height's name pushed off its place: tied to its summit
                pygame.draw.line(scr, (40, 28, 16), line[0], line[1], max(1, self.px(1)))
                pygame.draw.circle(scr, (40, 28, 16), line[1], max(2, self.px(2.5)))
            scr.blit(label.image, spot.topleft)
            self.label_rects.append((spot, label.owner, label.keep))

    def _draw_air_strip(self, f: Frame) -> None:
        air = [u for u in f.units if u.is_air]
        vis = self._visible(f)
        if vis is not None:  # under fog only the viewer's own aircraft (none are seen in the air)
            air = [u for u in air if u.id in vis and u.side == self.viewer]
        if not air:
            return
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
        if isinstance(r, RefusedOrder):
            self._draw_refused(r)
            return
        if r is None or not getattr(r, "reachable", True):
            return
        pts = [self.cam.to_screen(float(x), float(y)) for x, y in r.points_m]
        if len(pts) < 2:
            return
        for i in range(len(pts) - 1):
            soft = bool(r.seg_soft[i]) if i < len(r.seg_soft) else False
            pygame.draw.line(scr, (20, 20, 20), pts[i], pts[i + 1], 5)
            pygame.draw.line(scr, theme.ROUTE_SOFT if soft else theme.ROUTE_OK, pts[i], pts[i + 1], 3)
        soft_m, _, chance = soft_ground_and_bog(r)
        u = self.current_frame().unit(self.selected or "")
        bog = f"  each tank bogs: {100 * chance:.0f}%" if u is not None and u.tanks_start else ""
        txt = f"{r.length_m / 1000:.1f} km, ETA {r.time_min:.0f} min" + (f", soft ground {soft_m:.0f} m" if soft_m > 0 else "") + bog
        z = self.zone_at(*self.preview_target) if self.preview_target is not None and self.mode in ("auto", "attack") else None
        if z is not None and z.kind in ("height", "line") and self.current_frame().holders.get(z.id) != (u.side if u else None):
            txt = f"ATTACK {z.name.split(',')[0]}: " + txt
        img = theme.text(txt, self.fs(13), (255, 250, 220), bold=True)
        ex, ey = pts[-1]
        box = pygame.Surface((img.get_width() + 12, img.get_height() + 6), pygame.SRCALPHA)
        box.fill((20, 24, 18, 210))
        bx = min(ex + 12, self.cam.rect.right - box.get_width() - 4)
        scr.blit(box, (bx, ey + 10))
        scr.blit(img, (bx + 6, ey + 13))

    def _draw_refused(self, r: RefusedOrder) -> None:
        """Draw an order a rule forbids: a red cross where it was asked for, and the rule in full."""
        scr = self.screen
        px = self.px
        ex, ey = self.cam.to_screen(*r.at)
        d = px(9)
        for a, b in (((ex - d, ey - d), (ex + d, ey + d)), ((ex - d, ey + d), (ex + d, ey - d))):
            pygame.draw.line(scr, (20, 20, 20), a, b, 6)
            pygame.draw.line(scr, (235, 80, 60), a, b, 3)
        lines = theme.wrap("Not allowed: " + r.reason, self.fs(13), px(380), bold=True)
        imgs = [theme.text(line, self.fs(13), (255, 200, 180), bold=True) for line in lines]
        w = max(i.get_width() for i in imgs) + px(12)
        h = sum(i.get_height() for i in imgs) + px(8)
        bx = min(ex + px(14), self.cam.rect.right - w - 4)
        by = min(ey + px(12), self.cam.rect.bottom - h - 4)
        box = pygame.Surface((w, h), pygame.SRCALPHA)
        box.fill((40, 16, 12, 225))
        scr.blit(box, (bx, by))
        y = by + px(4)
        for img in imgs:
            scr.blit(img, (bx + px(6), y))
            y += img.get_height()

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

    def _draw_banner(self, text_: str, top: bool = True) -> list[str]:
        scr = self.screen
        r = self.cam.rect
        px = self.px
        lines = theme.wrap(text_, self.fs(15), r.w - px(64), bold=True)[:4]  # a long message wraps, never cut at the edge
        imgs = [theme.text(line, self.fs(15), (255, 255, 240), bold=True) for line in lines]
        line_h = max(i.get_height() for i in imgs)
        box = pygame.Surface((max(i.get_width() for i in imgs) + px(24), line_h * len(imgs) + px(12)), pygame.SRCALPHA)
        box.fill((20, 24, 18, 215))
        x = r.x + (r.w - box.get_width()) / 2
        y = r.y + px(12) if top else r.bottom - px(100 if self.replay_t is not None else 70) - line_h * (len(imgs) - 1)
        scr.blit(box, (x, y))
        for i, img in enumerate(imgs):
            scr.blit(img, (x + px(12), y + px(6) + i * line_h))
        return lines

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
        width, height = scr.get_size()
        lines = [
            (f"{theme.SIDE_NAME[side]} commander's turn", 34, theme.SIDE_FILL[side]),
            (f"{self.session.sim.now:%A %d %B %Y, %H:%M}", 20, theme.PANEL_FG),
            ("Hand the computer over. The other side's orders are hidden.", 18, theme.PANEL_DIM),
            ("Press Enter or click when ready", 18, theme.ACCENT),
        ]
        y = height / 2 - self.px(90)
        for s, size, colour in lines:
            img = theme.text(s, self.fs(size), colour, bold=size > 20)
            scr.blit(img, ((width - img.get_width()) / 2, y))
            y += img.get_height() + self.px(18)
