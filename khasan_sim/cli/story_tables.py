"""The story checks in the terminal: one run (``khasan-sim run``) and a study (``compare``)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from khasan_sim.analysis.story import CANNOT, FAILS, HOLDS, NOT_OBSERVED, NOT_YET, StoryComparison

_MARKS = {
    HOLDS: ("✓", "green"),
    FAILS: ("✗", "red"),
    CANNOT: ("cannot show", "yellow"),
    NOT_YET: ("not yet", "dim"),
    NOT_OBSERVED: ("–", "dim"),
}


def _mark(verdict: str) -> Text:
    text, style = _MARKS.get(verdict, ("?", "dim"))
    return Text(text, style=style)


def _check_cell(check: Any) -> Text:
    cell = Text(check.id, style="bold")
    cell.append(f"\n“{' '.join(check.words.split())}”", style="italic dim")
    return cell


def _test_cell(check: Any) -> Text:
    cell = Text(check.observable)
    if check.threshold is not None:
        cell.append(f"\n→ {check.threshold_text()}", style="bold")
    return cell


def run_table(verdicts: list[Any]) -> Table:
    """Return the story checks judged on one run."""
    held = sum(1 for v in verdicts if v.verdict == HOLDS)
    judged = sum(1 for v in verdicts if v.verdict in (HOLDS, FAILS))
    cannot = sum(1 for v in verdicts if v.verdict == CANNOT)
    table = Table(
        title="The story of the digest, in this run",
        title_justify="left",
        caption=f"{held} of {judged} checks that the run could judge hold; {cannot} the run cannot show.",
        caption_justify="left",
    )
    table.add_column("check, in the digest's words", ratio=3, overflow="fold")
    table.add_column("observable → threshold", ratio=2)
    table.add_column("this run", justify="right")
    table.add_column("", justify="center")
    for v in verdicts:
        observed = Text(v.observed)
        if v.note and v.verdict in (CANNOT, NOT_YET, NOT_OBSERVED):
            observed = Text(v.note, style="dim")
        table.add_row(_check_cell(v.check), _test_cell(v.check), observed, _mark(v.verdict))
    return table


def study_table(comparison: StoryComparison) -> Table:
    """Return the story checks over a study: the share of runs in which each holds."""
    n = comparison.checks[0].runs if comparison.checks else 0
    table = Table(
        title="The story checks beside the study",
        title_justify="left",
        caption=(
            f"Share of the {n:,} runs in which each check holds; ✓ at least half of them (the goal). "
            f"{comparison.met} of the {len(comparison.checks) - comparison.cannot_show} checks a run can show met"
            + (f"; {comparison.cannot_show} more the model cannot show yet." if comparison.cannot_show else ".")
        ),
        caption_justify="left",
    )
    table.add_column("check, in the digest's words", ratio=3, overflow="fold")
    table.add_column("observable → threshold", ratio=2)
    table.add_column("share of runs holding", justify="right")
    table.add_column("", justify="center")
    for c in comparison.checks:
        share = c.share
        if c.status in (CANNOT, NOT_OBSERVED):
            cell = Text(c.status, style="yellow" if c.status == CANNOT else "dim")
        else:
            cell = Text(f"{100 * (share or 0.0):.0f}%  ({c.holds} of {c.runs})")
            if c.counts.get(CANNOT, 0):
                cell.append(f"\n{c.counts[CANNOT]} cannot show", style="dim")
        table.add_row(_check_cell(c.check), _test_cell(c.check), cell, _mark(c.status))
    return table


def print_run_story(console: Console, result: Any) -> None:
    """Print the story checks judged on one run (nothing when the run observed none)."""
    if getattr(result, "story", None) is None:
        return
    from khasan_sim.analysis.story import judge_run
    from khasan_sim.story.spec import StoryError, load_story

    try:
        story = load_story()
    except StoryError as exc:
        console.print(
            f"story checks: not shown ({exc})",
            style="dim",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
        return
    if story.scenario != result.scenario:
        return
    console.print()
    console.print(run_table(judge_run(story, result)))


def print_study_story(console: Console, comparison: StoryComparison | None, note: str = "") -> None:
    """Print the story checks over a study (or the note saying why they are not shown)."""
    if comparison is None:
        if note:
            console.print(note, style="dim", highlight=False, markup=False, soft_wrap=True)
        return
    console.print()
    console.print(study_table(comparison))
    for n in comparison.notes:
        console.print(f"  note: {n}", style="dim", highlight=False, markup=False, soft_wrap=True)
