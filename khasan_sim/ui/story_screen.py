"""The story checks on the game's compare screen: each statement of the history digest
(``scenarios/record/story.yaml``) judged on the game being played.

:func:`story_lines` (no pygame) judges the game's result so far
(``Simulation.result()``, whose ``story`` section the run's watch keeps); :func:`draw`
puts the lines in a rectangle of the compare screen: a mark (yes, no, not yet, cannot
show), the check in short, and what the game shows beside the threshold.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

HOLDS_COLOUR = (120, 210, 120)
FAILS_COLOUR = (230, 120, 100)


@dataclass(frozen=True)
class StoryLine:
    """One story check on the compare screen."""

    label: str
    verdict: str
    observed: str
    threshold: str
    words: str


_SYMBOLS = {"at_least": ">=", "at_most": "<=", "more_than": ">", "less_than": "<", "equals": "="}


def short_threshold(check: Any) -> str:
    """Return a check's threshold in a few characters (``>= 50%``, ``by 9 Aug 00:00``)."""
    t = check.threshold
    if t is None:
        return ""
    test = t.test
    if test in _SYMBOLS:
        v = getattr(t, test)
        shown = (
            f"{100 * v:g}%"
            if check.is_share and not isinstance(v, str)
            else (f"{v:g}" if isinstance(v, float) else str(v))
        )
        return f"{_SYMBOLS[test]} {shown}"
    if test == "between":
        return f"{t.between[0]:g}-{t.between[1]:g}"
    if test == "by":
        return f"by {t.by.day} {t.by:%b %H:%M}"
    lo, hi = t.within
    return (
        f"{lo.day} {lo:%b %H:%M}-{hi.day} {hi:%b %H:%M}"
        if lo.month != hi.month
        else f"{lo.day}-{hi.day} {hi:%b}"
    )


def _fit(s: str, size: int, width: int) -> str:
    """Return *s* cut (with an ellipsis) to fit *width* pixels in the panel's font."""
    from khasan_sim.ui import theme

    f = theme.font(size)
    if f.size(s)[0] <= width:
        return s
    while s and f.size(s + "…")[0] > width:
        s = s[:-1]
    return s + "…"


def story_lines(result: Any) -> tuple[list[StoryLine], str]:
    """Return the story checks judged on the game's result, and a one-line summary (or why none)."""
    from khasan_sim.analysis.story import CANNOT, FAILS, HOLDS, NOT_YET, judge_run
    from khasan_sim.story.spec import StoryError, load_story

    if getattr(result, "story", None) is None:
        return [], "story checks: none for this scenario"
    try:
        story = load_story()
    except StoryError as exc:
        return [], f"story checks: not shown ({exc})"
    if story.scenario != result.scenario:
        return [], f"story checks: none for {result.scenario}"
    lines = []
    for v in judge_run(story, result):
        observed = v.observed if v.verdict in (HOLDS, FAILS) else v.verdict
        lines.append(
            StoryLine(
                v.check.id.replace("-", " "),
                v.verdict,
                observed,
                short_threshold(v.check),
                " ".join(v.check.words.split()),
            )
        )
    n = {k: sum(1 for x in lines if x.verdict == k) for k in (HOLDS, FAILS, NOT_YET, CANNOT)}
    summary = (
        f"{n[HOLDS]} hold, {n[FAILS]} fail, {n[NOT_YET]} not yet, {n[CANNOT]} the model cannot show"
    )
    return lines, summary


def draw(app: Any, rect: Any, data: tuple[list[StoryLine], str] | None) -> None:
    """Draw the story checks of *data* (from :func:`story_lines`) in *rect* of the app's screen."""
    from khasan_sim.ui import theme

    if data is None or rect.h < app.px(40):
        return
    lines, summary = data
    scr, px, fs = app.screen, app.px, app.fs
    scr.blit(
        theme.text("The digest's story in this game", fs(16), (255, 255, 240), bold=True),
        (rect.x, rect.y),
    )
    scr.blit(theme.text(summary, fs(12), theme.PANEL_DIM), (rect.x, rect.y + px(22)))
    if not lines:
        return
    cols = 2 if rect.w >= px(560) else 1
    col_w = rect.w // cols
    row_h = px(17)
    top = rect.y + px(42)
    per_col = max(1, (rect.bottom - top) // row_h)
    shown = lines[: per_col * cols]
    value_w = px(100)
    label_w = col_w - px(30) - value_w - px(8)
    for i, line in enumerate(shown):
        x = rect.x + (i // per_col) * col_w
        y = top + (i % per_col) * row_h
        mark, colour = {"holds": ("yes", HOLDS_COLOUR), "fails": ("no", FAILS_COLOUR)}.get(
            line.verdict, ("-", theme.PANEL_DIM)
        )
        scr.blit(theme.text(mark, fs(12), colour, bold=True), (x, y))
        scr.blit(
            theme.text(_fit(line.label, fs(12), label_w), fs(12), theme.PANEL_FG), (x + px(30), y)
        )
        value = (
            line.observed
            if line.verdict not in ("holds", "fails")
            else f"{line.observed}  {line.threshold}"
        )
        scr.blit(
            theme.text(_fit(value, fs(11), value_w), fs(11), theme.PANEL_DIM),
            (x + col_w - value_w - px(4), y + px(1)),
        )
    if len(shown) < len(lines):
        more = f"... and {len(lines) - len(shown)} more (khasan-sim run shows them all)"
        scr.blit(theme.text(more, fs(11), theme.PANEL_DIM), (rect.x, rect.bottom - px(14)))
