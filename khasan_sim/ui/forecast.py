"""The game window's Forecast: futures from here, in a panel of its own.

P runs :data:`~khasan_sim.ui.forecast_run.FORECAST_RUNS` branches of the game from its
moment (or, in replay, from the moment shown) in the worker pool, from a background thread,
the orders as given; the window keeps drawing. Shift+P does the same paired with one
changed order: the order a right click under the mouse would give the selected unit (the
order being drafted), branch by branch on the same seeds. The panel shows the chance that
each height is Soviet at the ceasefire and the spread of the losses (median and 90%
interval), and with a changed order the paired differences.

A mixin of :class:`~khasan_sim.ui.app.App`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pygame

from khasan_sim.ui import theme
from khasan_sim.ui.forecast_run import FORECAST_RUNS, ForecastRun, branch_point


def order_text(order: dict[str, Any]) -> str:
    """Return an order in a few words (``2mb-3tb: withdraw to (5,200, 8,000)``)."""
    target = order.get("objective") or order.get("to") or order.get("target")
    where = target if isinstance(target, str) else f"({target[0]:,.0f}, {target[1]:,.0f})" if target else ""
    return f"{order['unit']}: {order['kind'].replace('_', ' ')} {where}".strip()


def _signed(v: float) -> str:
    return f"{v:+,.0f}" if v else "0"


def forecast_lines(f: Any) -> list[tuple[str, str, str]]:
    """Return the panel's rows for a forecast: (label, as given, with the changed order)."""
    paired = f.changed is not None
    rows: list[tuple[str, str, str]] = [("Soviet at the ceasefire", "", "with the order" if paired else "")]
    for i, h in enumerate(f.heights):
        other = ""
        if paired:
            c = f.changed_heights[i]
            other = f"{c.soviet:.0%}  (+{c.gained} / -{c.lost} branches)"
        rows.append((h.name.split(",")[0].split(" (")[0], f"{h.soviet:.0%}", other))
    rows.append(("Losses at the ceasefire: median (90%)", "", "paired difference" if paired else ""))
    for i, s in enumerate(f.losses):
        other = ""
        if paired:
            d = f.differences[i]
            other = f"{_signed(d.median)}  ({_signed(d.low)} .. {_signed(d.high)})"
        rows.append((s.label, f"{s.median:,.0f}  ({s.low:,.0f} - {s.high:,.0f})", other))
    return rows


class ForecastMixin:
    """The Forecast of :class:`~khasan_sim.ui.app.App`."""

    forecast_task: ForecastRun | None = None
    forecast_shown = False

    def forecast_key(self, paired: bool) -> None:
        """Start a forecast from the moment shown (P), or paired with the drafted order (Shift+P)."""
        if self.forecast_task is not None and not self.forecast_task.finished:
            self.say("A forecast is running; its branches are on their way")
            self.forecast_shown = True
            return
        if self.session.busy:
            self.say("The forecast waits for the end of the turn")
            return
        at = self.replay_t if self.replay_t is not None else None
        point = branch_point(self.session, at)
        if point.now_min >= self.session.end_min - 1e-9:
            self.say("The battle is over: there is no future to forecast")
            return
        changed = self._drafted_order() if paired else None
        if paired and changed is None:
            self.say("Shift+P: select one of your units and point at where you would order it", 6)
            return
        text = None if changed is None else order_text(changed)
        self.forecast_task = ForecastRun(point, self.session.sim.scenario, FORECAST_RUNS, changed, text)
        self.forecast_shown = True
        self.say(f"Forecast: {FORECAST_RUNS} futures from here in the background" + (f", with {text}" if text else ""))

    def _drafted_order(self) -> dict[str, Any] | None:
        """Return the order a right click under the mouse would give the selected unit, if any."""
        if self.phase != "orders" or not self.own(self.selected) or self.replay_t is not None:
            return None
        mx, my = pygame.mouse.get_pos()
        if not self.cam.rect.collidepoint(mx, my):
            return None
        assert self.selected is not None
        return self.order_for(self.selected, *self.cam.to_map(mx, my))

    def close_forecast(self) -> None:
        """End a forecast still running (the window is closing)."""
        if self.forecast_task is not None:
            self.forecast_task.cancel()

    def draw_forecast(self) -> None:
        """Take in the forecast's news and draw its panel (when shown)."""
        job = self.forecast_task
        if job is None:
            return
        if not self.forecast_shown:
            return
        px, fs = self.px, self.fs
        scr = self.screen
        area = self.cam.rect
        paired = job.finished and job.result is not None and job.result.changed is not None
        box = pygame.Rect(area.x + px(12), area.y + px(12), min(px(820 if paired else 560), area.w - px(24)), px(60))
        if not job.finished:
            rows: list[tuple[str, str, str]] = []
            head = f"Forecast: {job.done} of {job.runs} futures run ..."
        elif job.error is not None:
            rows, head = [], f"Forecast failed: {job.error}"
        else:
            f = job.result
            rows = forecast_lines(f)
            head = f"Forecast from {datetime.fromisoformat(f.moment):%d %b %H:%M}: {f.runs} futures ({job.seconds:.0f} s), the orders as given"
            if f.failed:
                head += f" ({f.failed} raised, left out)"
        line = round(fs(13) * 1.45)
        box.h = px(64) + line * (len(rows) + (1 if paired else 0))
        s = pygame.Surface(box.size, pygame.SRCALPHA)
        s.fill((20, 24, 18, 235))
        scr.blit(s, box.topleft)
        pygame.draw.rect(scr, theme.ACCENT, box, 2)
        x, y = box.x + px(14), box.y + px(10)
        scr.blit(theme.text(head, fs(15), theme.ACCENT, bold=True), (x, y))
        y += px(26)
        if not job.finished:
            bar = pygame.Rect(x, y, box.w - px(28), px(10))
            pygame.draw.rect(scr, theme.PANEL_DIM, bar, 1)
            pygame.draw.rect(scr, theme.ACCENT, (bar.x, bar.y, round(bar.w * job.fraction), bar.h))
            return
        if paired:
            scr.blit(theme.text(f"Paired with: {job.result.changed} (same branch seeds)", fs(13), (255, 255, 240)), (x, y))
            y += line
        cols = (x, x + px(250), x + px(450))
        for label, given, other in rows:
            heading = not given and not label.startswith(" ")
            colour = (255, 255, 240) if heading else theme.PANEL_FG
            scr.blit(theme.text(label, fs(13), colour, bold=heading), (cols[0], y))
            scr.blit(theme.text(given, fs(13), theme.PANEL_FG, bold=True), (cols[1], y))
            if paired:
                scr.blit(theme.text(other, fs(13), theme.ACCENT if heading else theme.PANEL_FG), (cols[2], y))
            y += line
        scr.blit(theme.text("P: forecast again   Shift+P: paired with the order under the mouse   Esc: close", fs(11), theme.PANEL_DIM), (x, box.bottom - px(20)))
