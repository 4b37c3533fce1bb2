"""Colours and fonts of the front end."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pygame

SIDE_FILL = {"soviet": (232, 150, 140), "japanese": (150, 190, 236)}
SIDE_EDGE = {"soviet": (140, 20, 20), "japanese": (20, 50, 130)}
SIDE_DARK = {"soviet": (170, 30, 30), "japanese": (30, 70, 160)}
SIDE_NAME = {"soviet": "Soviet", "japanese": "Japanese"}
PANEL_BG = (34, 38, 32)
PANEL_FG = (226, 222, 200)
PANEL_DIM = (160, 158, 140)
ACCENT = (236, 196, 84)
BORDER_COLOUR = (142, 27, 110)
ZONE_COLOUR = (40, 36, 30)
ROUTE_OK = (250, 240, 60)
ROUTE_SOFT = (255, 110, 40)
STATE_COLOURS = {
    "steady": (60, 160, 70),
    "pinned": (230, 190, 40),
    "shaken": (240, 140, 40),
    "retreating": (220, 70, 40),
    "routed": (150, 20, 20),
}


def _font_path(bold: bool) -> str | None:
    try:
        import pygame_gui

        p = Path(pygame_gui.__file__).parent / "data" / ("NotoSans-Bold.ttf" if bold else "NotoSans-Regular.ttf")
        return str(p) if p.exists() else None
    except ImportError:  # pragma: no cover - pygame_gui is a dependency of the ui extra
        return None


@lru_cache(maxsize=64)
def font(size: int, bold: bool = False) -> pygame.font.Font:
    """Return a font of *size* pixels (Noto Sans, as pygame_gui uses)."""
    return pygame.font.Font(_font_path(bold), max(6, int(size)))


_text_cache: dict[tuple[str, int, bool, tuple[int, ...]], pygame.Surface] = {}


def text(s: str, size: int, colour: tuple[int, ...] = PANEL_FG, bold: bool = False) -> pygame.Surface:
    """Return rendered text (cached)."""
    key = (s, size, bold, tuple(colour))
    surf = _text_cache.get(key)
    if surf is None:
        if len(_text_cache) > 4000:
            _text_cache.clear()
        surf = font(size, bold).render(s, True, colour)
        _text_cache[key] = surf
    return surf


def halo_text(s: str, size: int, colour: tuple[int, ...], halo: tuple[int, ...] = (250, 248, 235), bold: bool = False) -> pygame.Surface:
    """Return text with a light halo so it reads on the relief (cached)."""
    key = ("\x00halo" + s, size, bold, (*colour, *halo))
    surf = _text_cache.get(key)
    if surf is None:
        fg = font(size, bold).render(s, True, colour)
        bg = font(size, bold).render(s, True, halo)
        surf = pygame.Surface((fg.get_width() + 2, fg.get_height() + 2), pygame.SRCALPHA)
        for dx, dy in ((0, 1), (2, 1), (1, 0), (1, 2), (0, 0), (2, 2), (0, 2), (2, 0)):
            surf.blit(bg, (dx, dy))
        surf.blit(fg, (1, 1))
        _text_cache[key] = surf
    return surf


BASE_SIZE = (1280, 800)
"""The window the layout is drawn for at UI scale 1."""


def window_scale(width: int, height: int) -> float:
    """Return the UI scale a window of this size calls for: 1 at 1280 x 800, 1.35 at 1920 x 1080.

    The smaller of the width and height ratios to :data:`BASE_SIZE`, in steps of 0.05,
    between 0.85 and 2.5 (a 4K screen), so text keeps about the same share of the window.
    """
    r = min(width / BASE_SIZE[0], height / BASE_SIZE[1])
    return min(max(round(r * 20) / 20, 0.85), 2.5)


def scaled(size: int, scale: float) -> int:
    """Return a font size of *size* pixels at UI scale 1, at *scale* (never below 9 px)."""
    return max(9, round(size * scale))


def wrap(s: str, size: int, width_px: int, bold: bool = False) -> list[str]:
    """Return the lines of *s* broken at spaces to fit *width_px* at *size* (a word too long stays whole)."""
    f = font(size, bold)
    lines: list[str] = []
    for para in s.split("\n"):
        line = ""
        for word in para.split(" "):
            trial = f"{line} {word}" if line else word
            if line and f.size(trial)[0] > width_px:
                lines.append(line)
                line = word
            else:
                line = trial
        lines.append(line)
    return lines
