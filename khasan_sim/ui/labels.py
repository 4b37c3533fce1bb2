"""Map labels placed by priority so they do not cover each other or the counters.

Labels are placed most important first (the selected unit's name, then the names of
the heights, then unit labels from the largest unit down). Each tries a few places
around its own; the first place that overlaps no label already placed and no counter
(but its own) is taken. A label that must stay (a height's name) goes to its own place
when no other is free; the others are left out: a crowd of counters shows the names
that fit, and zooming in shows the rest.
"""

from __future__ import annotations

from dataclasses import dataclass

import pygame


@dataclass(frozen=True)
class MapLabel:
    """A label to place.

    Attributes:
        image: The rendered text.
        at: Its preferred top-left corner on the screen.
        priority: Lower goes first.
        keep: Drawn at its preferred place when no free place is found (else left out).
        owner: The unit whose counter it names (that counter does not block it).
    """

    image: pygame.Surface
    at: tuple[float, float]
    priority: float
    keep: bool = False
    owner: str | None = None


def _shifts(w: int, h: int) -> tuple[tuple[float, float], ...]:
    return ((0, 0), (0, h), (0, -h), (0.6 * w, 0), (-0.6 * w, 0), (0, 2 * h), (0, -2 * h), (0.6 * w, h), (-0.6 * w, h))


def place_labels(labels: list[MapLabel], counters: list[tuple[pygame.Rect, str]]) -> list[tuple[MapLabel, pygame.Rect]]:
    """Return the labels to draw and where, most important first (see the module doc).

    Args:
        labels: The labels.
        counters: The counters drawn, each with its unit id.
    """
    blocks = [r for r, _ in counters]
    owners = [uid for _, uid in counters]
    placed: list[pygame.Rect] = []
    out: list[tuple[MapLabel, pygame.Rect]] = []
    for lab in sorted(labels, key=lambda m: m.priority):
        w, h = lab.image.get_size()
        x0, y0 = lab.at
        spot = None
        for dx, dy in _shifts(w, h):
            r = pygame.Rect(round(x0 + dx), round(y0 + dy), w, h)
            if r.collidelist(placed) != -1:
                continue
            if any(owners[i] != lab.owner for i in r.collidelistall(blocks)):
                continue
            spot = r
            break
        if spot is None:
            if not lab.keep:
                continue
            spot = pygame.Rect(round(x0), round(y0), w, h)
        placed.append(spot)
        out.append((lab, spot))
    return out
