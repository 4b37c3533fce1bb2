"""Unit counters with military map symbols, in the sides' colours.

A counter is a framed symbol (infantry X, armour oval, artillery dot, anti-tank
inverted V, machine gun, anti-aircraft dome, engineer bridge, headquarters flag staff,
border guard), the size mark above it (I, II, III, X, XX, XXX), two bars below it
(strength: men or tanks; morale) and a badge for its state (moving, firing, pinned,
shaken, retreating, routed, bogged, dug in).
"""

from __future__ import annotations

import math

import pygame

from khasan_sim.ui import theme
from khasan_sim.ui.frames import UnitView


def echelon(u: UnitView) -> str:
    """Return the NATO size mark of a unit from its name and strength."""
    n = u.name.lower()
    if "corps" in n:
        return "XXX"
    if "division" in n and "headquarters" in n:
        return "XX"
    if "brigade" in n and "headquarters" in n:
        return "X"
    if "regiment" in n and "battalion" not in n:
        return "III"
    if "battalion" in n or "group" in n or u.men_start >= 400:
        return "II"
    return "I"


def draw_symbol(s: pygame.Surface, kind: str, rect: pygame.Rect, colour: tuple[int, int, int], side: str) -> None:
    """Draw the branch symbol of *kind* inside the frame *rect*."""
    x, y, w, h = rect
    lw = 2 if w >= 28 else 1
    if kind in ("rifle", "border-guard", "machine-gun"):  # infantry's crossed box
        pygame.draw.line(s, colour, (x, y), (x + w - 1, y + h - 1), lw)
        pygame.draw.line(s, colour, (x, y + h - 1), (x + w - 1, y), lw)
    if kind == "tank":
        pygame.draw.ellipse(s, colour, (x + w * 0.18, y + h * 0.22, w * 0.64, h * 0.56), lw)
    elif kind == "artillery":
        pygame.draw.circle(s, colour, (x + w / 2, y + h / 2), max(2, h * 0.2))
    elif kind == "anti-tank":
        pygame.draw.lines(s, colour, False, [(x, y + h - 1), (x + w / 2, y + 1), (x + w - 1, y + h - 1)], lw)
    elif kind == "anti-aircraft":
        pygame.draw.arc(s, colour, (x + w * 0.15, y + h * 0.35, w * 0.7, h * 1.1), 0, math.pi, lw)
        pygame.draw.circle(s, colour, (x + w / 2, y + h * 0.62), max(2, h * 0.13))
    elif kind == "engineer":
        bx0, bx1 = x + w * 0.2, x + w * 0.8
        by0, by1 = y + h * 0.3, y + h * 0.72
        pygame.draw.lines(s, colour, False, [(bx0, by1), (bx0, by0), (bx1, by0), (bx1, by1)], lw)
        pygame.draw.line(s, colour, ((bx0 + bx1) / 2, by0), ((bx0 + bx1) / 2, by1), lw)
    elif kind == "machine-gun":
        pygame.draw.line(s, colour, (x + w / 2, y + h * 0.2), (x + w / 2, y + h * 0.85), lw)
        pygame.draw.polygon(s, colour, [(x + w / 2, y + 1), (x + w / 2 - 3, y + 5), (x + w / 2 + 3, y + 5)])
    elif kind == "border-guard":
        pygame.draw.line(s, (30, 110, 50), (x + 1, y + h / 2), (x + w - 2, y + h / 2), lw + 1)
    elif kind == "headquarters":
        t = theme.text("HQ", max(8, int(h * 0.55)), colour, bold=True)
        s.blit(t, (x + (w - t.get_width()) / 2, y + (h - t.get_height()) / 2))
    elif kind == "air":
        cx, cy = x + w / 2, y + h / 2
        pygame.draw.polygon(s, colour, [(cx - w * 0.32, cy - h * 0.25), (cx, cy), (cx - w * 0.32, cy + h * 0.25)])
        pygame.draw.polygon(s, colour, [(cx + w * 0.32, cy - h * 0.25), (cx, cy), (cx + w * 0.32, cy + h * 0.25)])


BADGES = {
    "moving": ("M", (40, 110, 200)),
    "firing": ("F", (230, 120, 20)),
    "pinned": ("P", (220, 180, 30)),
    "shaken": ("S", (240, 140, 40)),
    "retreating": ("R", (220, 70, 40)),
    "routed": ("X", (140, 10, 10)),
    "bogged": ("B", (120, 80, 40)),
    "dug": ("D", (90, 90, 70)),
}


def badges(u: UnitView, firing: bool) -> list[str]:
    """Return the state badges of a unit, most important first."""
    out = []
    if u.state in ("pinned", "shaken", "retreating", "routed"):
        out.append(u.state)
    if u.moving:
        out.append("moving")
    if firing:
        out.append("firing")
    if u.tanks_bogged:
        out.append("bogged")
    return out[:3]


def bar_colour(v: float) -> tuple[int, int, int]:
    """Return green-to-red for a share from 1 to 0."""
    v = min(max(v, 0.0), 1.0)
    if v > 0.5:
        return (int(60 + (1 - v) * 2 * 170), 170, 60)
    return (230, int(60 + v * 2 * 110), 50)


_cache: dict[tuple, pygame.Surface] = {}


def counter(u: UnitView, size: int, selected: bool, firing: bool, ghost: bool = False) -> pygame.Surface:
    """Return the counter picture of a unit (cached by what it shows)."""
    key = (u.id, size, selected, firing, ghost, u.state, u.moving, u.tanks_bogged, round(u.strength, 2), round(u.morale, 2), u.entrenchment != "none")
    img = _cache.get(key)
    if img is not None:
        return img
    if len(_cache) > 3000:
        _cache.clear()
    w, h = size, int(size * 0.66)
    pad_top, pad_bottom = 11, 10
    img = pygame.Surface((w + 16, h + pad_top + pad_bottom + 2), pygame.SRCALPHA)
    fx, fy = 8, pad_top
    frame = pygame.Rect(fx, fy, w, h)
    fill = theme.SIDE_FILL.get(u.side, (200, 200, 200))
    edge = theme.SIDE_EDGE.get(u.side, (0, 0, 0))
    if selected:
        pygame.draw.rect(img, theme.ACCENT, frame.inflate(8, 8), border_radius=3)
    if u.entrenchment != "none":  # dug-in bracket
        pygame.draw.lines(img, (70, 55, 35), False, [(fx - 4, fy + h - 4), (fx - 4, fy + h + 3), (fx + w + 3, fy + h + 3), (fx + w + 3, fy + h - 4)], 2)
    pygame.draw.rect(img, (20, 20, 20, 90), frame.move(2, 2))
    pygame.draw.rect(img, fill, frame)
    draw_symbol(img, u.type, frame.inflate(-2, -2), (20, 20, 20), u.side)
    pygame.draw.rect(img, edge, frame, 2)
    if u.type == "headquarters":  # flag staff
        pygame.draw.line(img, edge, (fx, fy + h), (fx, fy + h + 8), 2)
    ech = theme.text(echelon(u), 9, (20, 20, 20), bold=True)
    img.blit(ech, (fx + (w - ech.get_width()) / 2, fy - ech.get_height() + 1))
    # bars: strength, morale
    by = fy + h + 3
    for i, v in enumerate((u.strength, u.morale)):
        pygame.draw.rect(img, (30, 30, 30), (fx, by + i * 4, w, 4))
        colour = bar_colour(v) if i == 0 else (70, 130, 220) if v >= 0.4 else (220, 120, 40)
        pygame.draw.rect(img, colour, (fx + 1, by + i * 4 + 1, max(0, round((w - 2) * min(v, 1.0))), 2))
    # state badges on the right edge
    for i, b in enumerate(badges(u, firing)):
        letter, colour = BADGES[b]
        cx, cy = fx + w + 3, fy + 3 + i * 9
        pygame.draw.circle(img, colour, (cx, cy), 5)
        pygame.draw.circle(img, (250, 250, 250), (cx, cy), 5, 1)
        t = theme.text(letter, 8, (255, 255, 255), bold=True)
        img.blit(t, (cx - t.get_width() / 2, cy - t.get_height() / 2))
    if ghost:
        img.set_alpha(110)
    _cache[key] = img
    return img


TANK_COLOURS = {"operational": None, "bogged": (160, 105, 40), "damaged": (240, 150, 30), "destroyed": (45, 45, 45)}


def draw_tank(s: pygame.Surface, x: float, y: float, side: str, status: str, command: bool, size: float) -> None:
    """Draw one tank as a small hull with a turret."""
    colour = TANK_COLOURS.get(status) or theme.SIDE_DARK.get(side, (80, 80, 80))
    w, h = max(5, size), max(3, size * 0.6)
    r = pygame.Rect(0, 0, w, h)
    r.center = (round(x), round(y))
    pygame.draw.rect(s, (15, 15, 15), r.inflate(2, 2), border_radius=2)
    pygame.draw.rect(s, colour, r, border_radius=2)
    pygame.draw.circle(s, (235, 230, 210) if status != "destroyed" else (90, 90, 90), r.center, max(2, h * 0.3))
    if status == "destroyed":
        pygame.draw.line(s, (240, 60, 30), r.topleft, r.bottomright, 2)
        pygame.draw.line(s, (240, 60, 30), r.bottomleft, r.topright, 2)
    elif command:
        pygame.draw.line(s, (20, 20, 20), (r.centerx, r.top), (r.centerx, r.top - 6), 2)  # the rail aerial
