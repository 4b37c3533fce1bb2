"""The exercise report's story section: what the history digest says, with the change.

For each variant of an exercise, the statements of the digest (scenarios/record/story.yaml)
whose share of runs holding the change moves by a practical amount (10 percentage points
or more with the interval off zero, or the statement holding in one study only; see
:mod:`khasan_sim.analysis.story_against`), in the digest's own words, beside the
baseline's share. Students read the what-if as the story it changes: which recorded
events no longer happen, which ones start to.
"""

from __future__ import annotations

import html
from typing import Any

from khasan_sim.analysis.story import GOAL_SHARE
from khasan_sim.analysis.story_against import (
    StoryDifference,
    percent_text,
    size_points,
    story_against,
)


def _story_for(figs: Any, story: Any) -> Any:
    """Return *story* (default the built-in story checks) if it is about the scenario of
    the exercise's studies, else None (no story file, or one for another scenario)."""
    from khasan_sim.story.spec import StoryError, load_story

    if story is None:
        try:
            story = load_story()
        except StoryError:
            return None
    return story if story.scenario == figs.baseline.spec.scenario else None


def story_changes(figs: Any, story: Any = None) -> list[tuple[str, list[tuple[Any, StoryDifference]]]] | None:
    """Return, for each variant of the exercise, ``(label, [(check, difference), ...])``
    for the story checks whose difference matters; None when the checks do not apply (no
    story file, or one for another scenario than the exercise's studies)."""
    story = _story_for(figs, story)
    if story is None:
        return None
    checks = {c.id: c for c in story.checks}
    out = []
    for _, label, study in figs.variants:
        diffs = story_against(story, study, figs.baseline, paired=figs.paired)
        out.append((label, [(checks[d.check], d) for d in diffs if d.matters]))
    return out


def story_html(figs: Any, story: Any = None) -> list[str]:
    """Return the report's section on the story checks (empty when they do not apply)."""
    changes = story_changes(figs, story)
    if changes is None:
        return []
    points = size_points([d for _, rows in changes for _, d in rows])
    parts = [
        "<h2>What the digest says, with the change</h2>",
        "<p class='note'>The history digest's statements that the runs can show (the project's story checks): "
        "the share of runs in which each holds, with the historical orders and with the change. Only the statements "
        f"the change moves are listed: by {points} percentage points or more (with the 95% interval off zero), or from "
        "holding in at least half the runs to not, or back.</p>",
    ]
    for label, rows in changes:
        parts.append(f"<h3>{html.escape(label)}</h3>")
        if not rows:
            parts.append("<p>No statement of the digest moves: with this change the battle still reads as recorded.</p>")
            continue
        body = "".join(
            "<tr>"
            f"<td>“{html.escape(' '.join(c.words.split()))}”<br><span class='note'>{html.escape(c.who)}, {html.escape(c.when)}</span></td>"
            f"<td class='num'>{percent_text(d.other)}</td><td class='num'>{percent_text(d.this)}</td>"
            f"<td class='num'><b>{percent_text(d.difference, True)}</b><br><span class='note'>"
            f"{percent_text(d.low, True)} … {percent_text(d.high, True)}</span></td>"
            "</tr>"
            for c, d in rows
        )
        parts.append(
            "<table><tr><th>the digest says</th><th>historical orders</th><th>with the change</th>"
            f"<th>difference (points, 95% interval)</th></tr>{body}</table>"
        )
    return parts


def game_story_rows(figs: Any, games: list[Any], story: Any = None) -> list[tuple[Any, int, int, list[tuple[Any, bool, float]]]] | None:
    """Return, for each placed game of the class, ``(game, held, judged, unusual)``: how
    many of the digest's statements its run showed and could judge, and those on which it
    went the other way from most runs of its study, as ``(check, held in the game, share
    of the study's runs holding)``; None when the checks do not apply."""
    from khasan_sim.analysis.story import FAILS, HOLDS, compare_story, judge_run
    from khasan_sim.exercises.studies import BASELINE
    story = _story_for(figs, story)
    if story is None:
        return None
    studies = {BASELINE: figs.baseline, **{key: study for key, _, study in figs.variants}}
    shares: dict[str, dict[str, float | None]] = {}
    rows = []
    for g in games:
        if g.result is None or g.study not in studies:
            continue
        if g.study not in shares:
            comp = compare_story(story, studies[g.study].results)
            shares[g.study] = {c.check.id: (c.share if c.status in (HOLDS, FAILS) else None) for c in comp.checks}
        held = judged = 0
        unusual = []
        for v in judge_run(story, g.result):
            if v.verdict not in (HOLDS, FAILS):
                continue
            judged += 1
            holds = v.verdict == HOLDS
            held += holds
            share = shares[g.study].get(v.check.id)
            if share is not None and holds != (share >= GOAL_SHARE):
                unusual.append((v.check, holds, share))
        rows.append((g, held, judged, unusual))
    return rows


def class_story_html(figs: Any, games: list[Any], story: Any = None) -> list[str]:
    """Return the class report's section on the digest's statements in each game."""
    rows = game_story_rows(figs, games, story)
    if not rows:
        return []
    body = []
    for g, held, judged, unusual in rows:
        went = "; ".join(
            f"{'held' if holds else 'did not hold'}: “{html.escape(c.what)}” ({percent_text(share)} of its study's runs hold it)"
            for c, holds, share in unusual
        ) or "as in most of its study's runs"
        body.append(f"<tr><td>{html.escape(g.name)}</td><td class='num'>{held} of {judged}</td><td>{went}</td></tr>")
    return [
        "<h2>The games and the digest</h2>",
        "<p class='note'>The history digest's statements that a run can show (the story checks): how many each game "
        "reproduced, and where it went the other way from most of the model's runs of its study. Those are the places to "
        "ask what the students did differently, or what luck did.</p>",
        "<table><tr><th>save file</th><th>statements that held</th><th>where the game went otherwise</th></tr>"
        + "".join(body) + "</table>",
    ]
