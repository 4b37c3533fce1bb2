"""Map labels placed by priority so they do not cover each other or the counters.

Labels are placed most important first (the selected unit's name, then the names of
the heights, then unit labels from the largest unit down). Each tries a few places
around its own; the first place that overlaps no label already placed and no counter
(but its own) is taken. A label that must stay (a height's name) goes to its own place
when no other is free; the others are left out: a crowd of counters shows the names
that fit, and zooming in shows the rest.

A height's name pushed off its place (by the counters standing on the height) is tied to
its summit by a leader line (:func:`leader_line`), so that "Zaozernaya 155", pushed east
by the battalions on the hill, is not read as a height across the lake.
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
        anchor: The point it names (a height's summit), for a leader line when it is
            placed away from *at*.
    """

    image: pygame.Surface
    at: tuple[float, float]
    priority: float
    keep: bool = False
    owner: str | None = None
    anchor: tuple[float, float] | None = None


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


def leader_line(label: MapLabel, spot: pygame.Rect) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """Return the leader line from a label placed at *spot* to the point it names: from
    the nearest point of its box to its anchor; None when it has no anchor or stands at
    its own place (``label.at``, beside the point)."""
    if label.anchor is None or (spot.x, spot.y) == (round(label.at[0]), round(label.at[1])):
        return None
    ax, ay = label.anchor
    nx = min(max(ax, spot.left), spot.right - 1)
    ny = min(max(ay, spot.top), spot.bottom - 1)
    if (nx - ax) ** 2 + (ny - ay) ** 2 < 9.0:  # the box reaches the point: nothing to tie
        return None
    return (nx, ny), (ax, ay)
