"""The map: shaded relief with contours, water, swamp, scrub, villages, border and zones.

The relief is drawn once into a large base picture (4 pixels per 25 m cell) from the
terrain layers; each frame crops and scales it to the view. Everything that must stay
readable at any zoom (names, heights, zones, the border, the scale bar and the compass)
is drawn on top in screen pixels.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pygame

from khasan_sim.ui import theme

BASE_PX_PER_CELL = 4


def in_poly(x: float, y: float, poly: Any) -> bool:
    """Return True if (x, y) lies inside the polygon (even-odd rule)."""
    inside = False
    n = len(poly)
    for i in range(n):
        x1, y1 = poly[i]
        x2, y2 = poly[(i + 1) % n]
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1 + 1e-12) + x1:
            inside = not inside
    return inside


class Camera:
    """Where the view looks: the map point at the view's centre and pixels per metre."""

    def __init__(self, rect: pygame.Rect, width_m: float, height_m: float) -> None:
        self.rect = pygame.Rect(rect)
        self.width_m = width_m
        self.height_m = height_m
        self.cx = width_m / 2
        self.cy = height_m / 2
        self.scale = 0.1
        self.fit()

    @property
    def min_scale(self) -> float:
        """Return the zoom that shows the whole map."""
        return min(self.rect.w / self.width_m, self.rect.h / self.height_m) * 0.95

    max_scale = 0.9

    def fit(self) -> None:
        """Show the whole map."""
        self.scale = self.min_scale
        self.cx, self.cy = self.width_m / 2, self.height_m / 2

    def battle_view(self) -> None:
        """Show the battlefield: the lake, the heights and the Soviet approaches."""
        self.scale = min(max(self.rect.w / 7600.0, self.min_scale), self.max_scale)
        self.centre_on(6100.0, 6600.0)

    def to_screen(self, x: float, y: float) -> tuple[float, float]:
        """Return the screen pixel of a map point."""
        return (self.rect.x + self.rect.w / 2 + (x - self.cx) * self.scale, self.rect.y + self.rect.h / 2 - (y - self.cy) * self.scale)

    def to_map(self, sx: float, sy: float) -> tuple[float, float]:
        """Return the map point under a screen pixel."""
        return (self.cx + (sx - self.rect.x - self.rect.w / 2) / self.scale, self.cy - (sy - self.rect.y - self.rect.h / 2) / self.scale)

    def pan_px(self, dx: float, dy: float) -> None:
        """Move the view by screen pixels."""
        self.cx -= dx / self.scale
        self.cy += dy / self.scale
        self.clamp()

    def zoom_at(self, factor: float, sx: float | None = None, sy: float | None = None) -> None:
        """Zoom by *factor* keeping the map point under (sx, sy) in place."""
        if sx is None or sy is None:
            sx, sy = self.rect.center
        mx, my = self.to_map(sx, sy)
        self.scale = min(max(self.scale * factor, self.min_scale), self.max_scale)
        nx, ny = self.to_map(sx, sy)
        self.cx += mx - nx
        self.cy += my - ny
        self.clamp()

    def centre_on(self, x: float, y: float) -> None:
        """Put a map point at the centre of the view."""
        self.cx, self.cy = x, y
        self.clamp()

    def clamp(self) -> None:
        """Keep the view over the map."""
        half_w = self.rect.w / 2 / self.scale
        half_h = self.rect.h / 2 / self.scale
        self.cx = min(max(self.cx, min(half_w, self.width_m / 2)), max(self.width_m - half_w, self.width_m / 2))
        self.cy = min(max(self.cy, min(half_h, self.height_m / 2)), max(self.height_m - half_h, self.height_m / 2))

    def key(self) -> tuple[float, ...]:
        """Return a hashable summary of the view (for caching)."""
        return (round(self.cx, 2), round(self.cy, 2), round(self.scale, 6), *self.rect)


def _dashed(surface: pygame.Surface, colour: tuple[int, ...], pts: list[tuple[float, float]], width: int, dash: float, gap: float) -> None:
    on = True
    left = dash
    for (x0, y0), (x1, y1) in itertools.pairwise(pts):
        seg = math.hypot(x1 - x0, y1 - y0)
        pos = 0.0
        while pos < seg - 1e-6:
            step = min(left, seg - pos)
            a = pos / seg
            b = (pos + step) / seg
            if on:
                pygame.draw.line(surface, colour, (x0 + (x1 - x0) * a, y0 + (y1 - y0) * a), (x0 + (x1 - x0) * b, y0 + (y1 - y0) * b), width)
            pos += step
            left -= step
            if left <= 1e-6:
                on = not on
                left = dash if on else gap


def dashed_line(surface: pygame.Surface, colour: tuple[int, ...], pts: list[tuple[float, float]], width: int = 2, dash: float = 10, gap: float = 6) -> None:
    """Draw a dashed polyline."""
    if len(pts) >= 2:
        _dashed(surface, colour, pts, width, dash, gap)


def build_base(terrain: Any) -> pygame.Surface:
    """Return the base picture of the terrain (north up), BASE_PX_PER_CELL pixels per cell."""
    from matplotlib.colors import LightSource
    from skimage import measure

    from khasan_sim.render.mapimage import class_rgb
    from khasan_sim.terrain.types import TerrainClass

    g = terrain.grid
    k = BASE_PX_PER_CELL
    # the matplotlib map's colours, a hypsometric tint on dry ground and a stronger hillshade
    elev_n = terrain.elevation_m.astype(float)
    elev_n = (elev_n - elev_n.min()) / max(float(np.ptp(elev_n)), 1.0)
    rgb = class_rgb(terrain)
    dry = np.isin(terrain.terrain_class, [TerrainClass.OPEN, TerrainClass.SCRUB, TerrainClass.ROCK])[..., None]
    brown = np.array([0.74, 0.60, 0.42])
    a = (0.55 * elev_n**0.8)[..., None]
    rgb = np.where(dry, rgb * (1 - a) + brown * a, rgb)
    ls = LightSource(azdeg=315, altdeg=35)
    shade = ls.hillshade(terrain.elevation_m[::-1].astype(float), vert_exag=4.0, dx=g.cell_m, dy=g.cell_m)[::-1]
    rgb = np.clip(rgb * (0.42 + 0.72 * shade[..., None]), 0.0, 1.0)[::-1]  # north up
    arr = (np.clip(rgb, 0, 1) * 255).astype(np.uint8)
    small = pygame.surfarray.make_surface(np.ascontiguousarray(arr.transpose(1, 0, 2)))
    base = pygame.transform.smoothscale(small, (g.ncols * k, g.nrows * k))
    tc = terrain.terrain_class[::-1]

    # swamp: tufts of reeds; scrub: small rings; villages: house blocks
    rng = np.random.default_rng(1938)  # fixed: the map looks the same each time
    swamp = np.argwhere(tc == TerrainClass.SWAMP)
    for r, c in swamp[rng.random(len(swamp)) < 0.16]:
        x, y = c * k + 2, r * k + 2
        pygame.draw.line(base, (40, 110, 130), (x - 4, y + 2), (x + 4, y + 2), 1)
        pygame.draw.line(base, (40, 110, 130), (x - 1, y + 2), (x - 3, y - 2), 1)
        pygame.draw.line(base, (40, 110, 130), (x + 1, y + 2), (x + 3, y - 2), 1)
        pygame.draw.line(base, (40, 110, 130), (x, y + 2), (x, y - 3), 1)
    scrub = np.argwhere(tc == TerrainClass.SCRUB)
    for r, c in scrub[rng.random(len(scrub)) < 0.07]:
        pygame.draw.circle(base, (70, 120, 55), (c * k + 2, r * k + 2), 2, 1)
    village = np.argwhere(tc == TerrainClass.VILLAGE)
    for r, c in village[rng.random(len(village)) < 0.25]:
        pygame.draw.rect(base, (110, 50, 40), (c * k, r * k, 4, 4))

    # contours every 10 m, index contours every 50 m
    elev = terrain.elevation_m[::-1].astype(float)
    top = float(elev.max())
    for level in np.arange(10.0, top, 10.0):
        major = level % 50 == 0
        colour = (110, 78, 46) if major else (150, 112, 74)
        for line in measure.find_contours(elev, level):
            pts = [(float(c) * k + k / 2, float(r) * k + k / 2) for r, c in line[:: 2 if len(line) > 40 else 1]]
            if len(pts) > 1:
                if major:
                    pygame.draw.lines(base, colour, False, pts, 2)
                else:
                    pygame.draw.aalines(base, colour, False, pts)
    # water edges
    water = (tc == TerrainClass.WATER) | (tc == TerrainClass.RIVER)
    for line in measure.find_contours(water.astype(float), 0.5):
        pts = [(float(c) * k + k / 2, float(r) * k + k / 2) for r, c in line]
        if len(pts) > 1:
            pygame.draw.aalines(base, (30, 70, 140), False, pts)
    return base.convert() if pygame.display.get_surface() is not None else base


class MapRenderer:
    """Draws the map for a camera: the cached relief and the vector overlay."""

    def __init__(self, terrain: Any, zones: list[Any]) -> None:
        self.terrain = terrain
        self.zones = [z for z in zones if not z.id.startswith("xing-")]
        self.base = build_base(terrain)
        self.k = BASE_PX_PER_CELL / terrain.grid.cell_m  # base px per metre
        self._cache_key: tuple[float, ...] | None = None
        self._cache: pygame.Surface | None = None
        self.show_zones = True
        self.ui_scale = 1.0  # the App's UI scale: the size of the map's labels
        self.defer_names = False  # True: the names are left to the caller (placed among the counters, see names())
        self._composed_key: tuple[object, ...] | None = None
        self._composed: pygame.Surface | None = None
        self._last_view: tuple[float, ...] | None = None
        self._moved_at = 0.0
        self._labelled = {z.id for z in self.zones if any(in_poly(lab.x_m, lab.y_m, z.polygon) for lab in terrain.labels)}

    def fs(self, pt: int) -> int:
        """Return a label size of *pt* pixels at UI scale 1 at the current UI scale."""
        return theme.scaled(pt, self.ui_scale)

    def _relief(self, cam: Camera, fast: bool) -> pygame.Surface:
        import time

        now = time.perf_counter()
        view = cam.key()
        if view != self._last_view:
            self._last_view = view
            self._moved_at = now
        fast = fast or now - self._moved_at < 0.2  # moving: quick scaling; still: smooth
        key = (*view, fast)
        if self._cache_key == key and self._cache is not None:
            return self._cache
        r = cam.rect
        x0, y1 = cam.to_map(r.x, r.y)
        # source rect in base pixels (base y grows southwards from the north edge)
        h_m = self.terrain.grid.height_m
        sx, sy = x0 * self.k, (h_m - y1) * self.k
        sw, sh = r.w / cam.scale * self.k, r.h / cam.scale * self.k
        bw, bh = self.base.get_size()
        ix0, iy0 = max(math.floor(sx), 0), max(math.floor(sy), 0)
        ix1, iy1 = min(math.ceil(sx + sw), bw), min(math.ceil(sy + sh), bh)
        out = pygame.Surface(r.size)
        out.fill((70, 80, 70))
        if ix1 > ix0 and iy1 > iy0:
            sub = self.base.subsurface((ix0, iy0, ix1 - ix0, iy1 - iy0))
            f = cam.scale / self.k  # screen px per base px
            tw, th = max(1, round((ix1 - ix0) * f)), max(1, round((iy1 - iy0) * f))
            scaled = pygame.transform.scale(sub, (tw, th)) if fast else pygame.transform.smoothscale(sub, (tw, th))
            out.blit(scaled, (round((ix0 - sx) * f), round((iy0 - sy) * f)))
        self._cache_key, self._cache = key, out
        return out

    def draw(self, surface: pygame.Surface, cam: Camera, *, fast: bool = False, holders: dict[str, str | None] | None = None) -> None:
        """Draw relief and overlay into the camera's rect.

        The overlay (zones, border, crossings, names) is drawn onto a copy of the relief
        once per view, holders and UI scale, so a still view costs one blit a frame; while
        the view moves it is drawn straight onto the screen.
        """
        relief = self._relief(cam, fast)
        if self._cache_key is not None and self._cache_key[-1]:  # moving: the view changes every frame, nothing to keep
            surface.blit(relief, cam.rect.topleft)
            clip = surface.get_clip()
            surface.set_clip(cam.rect)
            self._overlay(surface, cam, holders or {})
            surface.set_clip(clip)
            return
        key = (id(relief), self._cache_key, tuple(sorted((k, v or "") for k, v in (holders or {}).items())), self.ui_scale, self.show_zones)
        if key != self._composed_key or self._composed is None:
            comp = relief.copy()
            self._overlay(comp, cam, holders or {}, origin=cam.rect.topleft)
            self._composed_key, self._composed = key, comp
        surface.blit(self._composed, cam.rect.topleft)

    def _overlay(self, surface: pygame.Surface, cam: Camera, holders: dict[str, str | None], origin: tuple[int, int] = (0, 0)) -> None:
        t = self.terrain
        ox, oy = origin

        def ts(x: float, y: float) -> tuple[float, float]:
            sx, sy = cam.to_screen(x, y)
            return sx - ox, sy - oy

        # zones
        if self.show_zones:
            for z in self.zones:
                pts = [ts(x, y) for x, y in z.polygon]
                holder = holders.get(z.id)
                colour = theme.SIDE_DARK.get(holder or "", theme.ZONE_COLOUR)
                dashed_line(surface, colour, [*pts, pts[0]], 2 if z.kind == "height" else 1, 7, 5)
        if not self.defer_names:
            for img, (x, y), _, _ in self._names(cam, holders, ts):
                surface.blit(img, (x, y))
        # border
        b = t.border
        dashed_line(surface, (255, 255, 255), [ts(float(x), float(y)) for x, y in b], 5, 16, 6)
        dashed_line(surface, theme.BORDER_COLOUR, [ts(float(x), float(y)) for x, y in b], 3, 16, 6)
        # crossings
        for c in t.crossings:
            x, y = ts(c.x_m, c.y_m)
            pygame.draw.rect(surface, (60, 40, 25), (x - 4, y - 4, 8, 8))
            pygame.draw.rect(surface, (240, 230, 200), (x - 4, y - 4, 8, 8), 1)
            if cam.scale > 0.12:
                surface.blit(theme.halo_text(c.id, self.fs(10), (60, 40, 25)), (x + 6, y - 6))
        # names and spot heights
        for lab in t.labels:
            x, y = ts(lab.x_m, lab.y_m)
            if lab.kind == "height":
                pygame.draw.polygon(surface, (60, 40, 25), [(x, y - 5), (x - 5, y + 4), (x + 5, y + 4)])
            elif lab.kind == "water":
                img = theme.halo_text(lab.name, self.fs(14), (20, 50, 110), halo=(200, 225, 245))
                surface.blit(img, (x - img.get_width() / 2, y - img.get_height() / 2))
            else:
                pygame.draw.rect(surface, (30, 30, 30), (x - 3, y - 3, 6, 6), 1)

    def _names(self, cam: Camera, holders: dict[str, str | None], ts: Any) -> list[tuple[pygame.Surface, tuple[float, float], bool, tuple[float, float] | None]]:
        """Return the map's names (zones, spot heights, places; not waters) with their top-left
        corners through *ts* (map to surface), each with True for a height's name and the
        point a spot height's name names (its summit; None for the others)."""
        out = []
        if self.show_zones:
            for z in self.zones:
                if z.id in self._labelled or not (z.kind in ("height", "line") or cam.scale > 0.12):
                    continue
                pts = [ts(x, y) for x, y in z.polygon]
                cx, cy = sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts)
                name = z.name.split(",")[0].split(" (")[0]
                if len(name) > 30:
                    name = name[:28].rsplit(" ", 1)[0] + " ..."
                colour = theme.SIDE_DARK.get(holders.get(z.id) or "", theme.ZONE_COLOUR)
                img = theme.halo_text(name, self.fs(12 if z.kind == "height" else 11), colour, bold=z.kind == "height")
                out.append((img, (cx - img.get_width() / 2, cy - img.get_height() / 2 + (10 if z.kind == "height" else 0)), z.kind == "height", None))
        for lab in self.terrain.labels:
            x, y = ts(lab.x_m, lab.y_m)
            if lab.kind == "height":
                s = f"{lab.name} {lab.elevation_m:.0f}" if lab.elevation_m is not None and not any(ch.isdigit() for ch in lab.name) else lab.name
                out.append((theme.halo_text(s, self.fs(12), (40, 28, 16), bold=True), (x + 7, y - 14), True, (x, y)))
            elif lab.kind != "water":
                out.append((theme.halo_text(lab.name, self.fs(11), (30, 30, 30)), (x + 6, y - 8), False, None))
        return out

    def names(self, cam: Camera, holders: dict[str, str | None] | None = None) -> list[tuple[pygame.Surface, tuple[float, float], bool, tuple[float, float] | None]]:
        """Return the map's names on the screen (see :meth:`_names`), for the caller to place
        among the counters when :attr:`defer_names` is set."""
        return self._names(cam, holders or {}, cam.to_screen)

    def draw_scale_and_compass(self, surface: pygame.Surface, cam: Camera, lift: int = 0) -> None:
        """Draw the scale bar (bottom left) and the north arrow (top left) of the view."""
        r = cam.rect
        k = self.ui_scale

        def q(v: float) -> int:
            return round(v * k)

        target_px = q(140)
        metres = target_px / cam.scale
        nice = max(v for v in (100, 200, 250, 500, 1000, 2000, 2500, 5000) if v <= max(metres, 100))
        px = nice * cam.scale
        label = f"{nice / 1000:g} km" if nice >= 1000 else f"{nice} m"
        lab = theme.text(label, self.fs(11), (20, 20, 20), bold=True)
        x0, y0 = r.x + q(16), r.bottom - q(24) - lift
        box = pygame.Surface((px + lab.get_width() + q(24), q(34)), pygame.SRCALPHA)
        box.fill((250, 248, 235, 190))
        surface.blit(box, (x0 - q(8), y0 - q(20)))
        for i in range(4):
            seg = px / 4
            pygame.draw.rect(surface, (20, 20, 20) if i % 2 == 0 else (250, 250, 250), (x0 + i * seg, y0, seg, q(6)))
        pygame.draw.rect(surface, (20, 20, 20), (x0, y0, px, q(6)), 1)
        surface.blit(theme.text("0", self.fs(11), (20, 20, 20)), (x0 - q(3), y0 - q(17)))
        surface.blit(lab, (x0 + px - lab.get_width() // 2, y0 - q(17)))
        # compass
        cx, cy = r.x + q(34), r.y + q(70)
        pygame.draw.circle(surface, (250, 248, 235), (cx, cy), q(22))
        pygame.draw.circle(surface, (40, 40, 40), (cx, cy), q(22), 1)
        pygame.draw.polygon(surface, (170, 30, 30), [(cx, cy - q(18)), (cx - q(6), cy), (cx + q(6), cy)])
        pygame.draw.polygon(surface, (40, 40, 40), [(cx, cy + q(18)), (cx - q(6), cy), (cx + q(6), cy)])
        n = theme.text("N", self.fs(13), (20, 20, 20), bold=True)
        surface.blit(n, (cx - n.get_width() / 2, cy - q(44)))
