"""The event log panel: a scrolling list of lines, newest first, drawn from cached text.

Replaces pygame_gui's selection list, which builds a button per visible line each time
the list changes (tens of milliseconds, so a frame over 50 ms every time the log grew
while a turn was computed). Here a line is a cached text surface and a new list costs
nothing until it is drawn.
"""

from __future__ import annotations

import pygame

from khasan_sim.ui import theme


class LogView:
    """Lines of (key, text) in a rectangle; the wheel scrolls, a click picks a line.

    Args:
        rect: Where it is drawn.
        font_px: The text size in pixels.
    """

    def __init__(self, rect: pygame.Rect, font_px: int) -> None:
        self.rect = pygame.Rect(rect)
        self.font_px = int(font_px)
        self.line_h = round(self.font_px * 1.45)
        self.items: list[tuple[int, str]] = []
        self.top = 0
        self.selected: int | None = None
        self._fitted: dict[tuple[str, int], str] = {}

    @property
    def rows(self) -> int:
        """Return how many lines fit."""
        return max(1, (self.rect.h - 4) // self.line_h)

    def set_items(self, items: list[tuple[int, str]]) -> None:
        """Show these (key, text) lines; the scroll position is kept where it can be."""
        self.items = list(items)
        self.top = min(self.top, max(0, len(self.items) - self.rows))

    def scroll(self, lines: int) -> None:
        """Scroll by *lines* (positive: towards older lines)."""
        self.top = min(max(self.top + lines, 0), max(0, len(self.items) - self.rows))

    def item_at(self, pos: tuple[int, int]) -> int | None:
        """Return the key of the line at a screen position, or None."""
        if not self.rect.collidepoint(pos):
            return None
        i = self.top + (pos[1] - self.rect.y - 2) // self.line_h
        return self.items[i][0] if 0 <= i < len(self.items) else None

    def fit(self, text: str, width: int) -> str:
        """Return *text*, or as much of it as fits in *width* pixels followed by an
        ellipsis: a long line ends visibly cut, not silently at the panel's edge (a
        click on it still centres the map on what it tells of). Kept per text and width."""
        key = (text, width)
        out = self._fitted.get(key)
        if out is not None:
            return out
        f = theme.font(self.font_px)
        out = text
        if f.size(text)[0] > width:
            lo, hi = 0, len(text)  # the longest prefix that fits with its ellipsis
            while lo < hi:
                mid = (lo + hi + 1) // 2
                if f.size(text[:mid].rstrip() + "\u2026")[0] <= width:
                    lo = mid
                else:
                    hi = mid - 1
            out = text[:lo].rstrip() + "\u2026"
        if len(self._fitted) > 4000:
            self._fitted.clear()
        self._fitted[key] = out
        return out

    def draw(self, surface: pygame.Surface) -> None:
        """Draw the box, the visible lines and a scroll bar."""
        pygame.draw.rect(surface, (38, 42, 34), self.rect)
        pygame.draw.rect(surface, (107, 116, 86), self.rect, 1)
        clip = surface.get_clip()
        inner = self.rect.inflate(-6, -4)
        surface.set_clip(inner)
        y = self.rect.y + 2
        for key, text in self.items[self.top : self.top + self.rows]:
            if key == self.selected:
                pygame.draw.rect(surface, (122, 106, 42), (self.rect.x + 1, y, self.rect.w - 2, self.line_h))
            img = theme.text(self.fit(text, inner.w - 4), self.font_px, theme.PANEL_FG)
            surface.blit(img, (inner.x + 2, y + (self.line_h - img.get_height()) // 2))
            y += self.line_h
        surface.set_clip(clip)
        n = len(self.items)
        if n > self.rows:
            bar_h = max(12, self.rect.h * self.rows // n)
            bar_y = self.rect.y + (self.rect.h - bar_h) * self.top // max(1, n - self.rows)
            pygame.draw.rect(surface, (140, 146, 120), (self.rect.right - 5, bar_y, 4, bar_h))
