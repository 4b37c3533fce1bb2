"""The event log panel: long lines end in an ellipsis inside the panel."""

from __future__ import annotations

import pygame

from khasan_sim.ui import theme
from khasan_sim.ui.logview import LogView


def test_a_line_too_long_for_the_panel_ends_in_an_ellipsis_that_fits():
    pygame.init()
    view = LogView(pygame.Rect(0, 0, 300, 200), 13)
    f = theme.font(13)
    long = "7 Aug 06:45  j-76ir-2bn-group-13 counter-attacks machine-gun-hill"
    short = "7 Aug 06:45  j-mg-zao rallies"
    width = 220
    assert f.size(long)[0] > width >= f.size(short)[0]
    cut = view.fit(long, width)
    assert cut.endswith("\u2026") and long.startswith(cut[:-1].rstrip())
    assert f.size(cut)[0] <= width
    # as much as fits: one more character would not
    assert f.size(long[: len(cut[:-1]) + 1].rstrip() + "\u2026")[0] > width or len(cut) - 1 >= len(long)
    assert view.fit(short, width) == short
    # drawn, the panel shows the cut line (fitted to its inner width), not one running past its edge
    surface = pygame.Surface((300, 200))
    view.set_items([(1, long), (2, short)])
    view.draw(surface)
    inner_w = view.rect.inflate(-6, -4).w - 4
    assert view._fitted[(long, inner_w)].endswith("\u2026")
    assert view._fitted[(short, inner_w)] == short
