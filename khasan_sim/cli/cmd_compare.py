"""`khasan-sim compare`: a study beside the record, with a calibration score.

::

    khasan-sim compare STUDY.sqlite [--record FILE] [--story FILE] [--against OTHER.sqlite]
                       [--json PATH|-] [--html PATH] [--bootstrap-seed N] [--resamples N]

For each entry of the record (default ../shared/record/khasan-1938.yaml) the simulated
distribution (median, central 90% interval, the recorded value's percentile) and whether
the record is covered; then the calibration score (share of entries covered, mean
relative CRPS of the counts); then the story checks (``--story``, default
scenarios/record/story.yaml): the share of runs in which each holds. ``--against`` adds the differences between this study and
another (a variant against the baseline) with bootstrap confidence intervals.
``--json`` writes it all as JSON; ``--html`` writes a report with plots.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from khasan_sim.cli.argtypes import add_force, resamples
from khasan_sim.cli.argtypes import seed as _seed
from khasan_sim.errors import KhasanSimError


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``compare`` command to the command line."""
    p = subparsers.add_parser(
        "compare",
        help="set a study beside the record (and another study), with a calibration score",
        description=(
            "For each recorded outcome, the study's simulated distribution (median, central 90% "
            "interval, the record's percentile) and whether the record is covered; the share "
            "covered and the mean relative CRPS; with --against, the differences between two "
            "studies with bootstrap confidence intervals."
        ),
    )
    p.add_argument("study", metavar="STUDY.sqlite", help="the study file (from `khasan-sim batch`)")
    p.add_argument(
        "--record",
        metavar="FILE",
        default=None,
        help="recorded outcomes (default ../shared/record/khasan-1938.yaml)",
    )
    p.add_argument(
        "--story",
        metavar="FILE",
        default=None,
        help="story checks (default scenarios/record/story.yaml)",
    )
    p.add_argument(
        "--against",
        metavar="OTHER.sqlite",
        default=None,
        help="another study to compare with (e.g. the baseline of a variant)",
    )
    p.add_argument(
        "--json",
        metavar="PATH|-",
        default=None,
        help="write the comparison as JSON; '-' prints only the JSON",
    )
    p.add_argument("--html", metavar="PATH", default=None, help="write an HTML report with plots")
    p.add_argument(
        "--bootstrap-seed",
        dest="bootstrap_seed",
        type=_seed,
        default=0,
        metavar="N",
        help="seed of the bootstrap (default 0)",
    )
    p.add_argument(
        "--resamples",
        type=resamples,
        default=2000,
        metavar="N",
        help="bootstrap resamples (default 2000, at most 100,000)",
    )
    add_force(p)
    p.set_defaults(handler=run)


def _mark(covered: bool | None) -> Text:
    if covered is None:
        return Text("?", style="dim")
    return Text("✓", style="green") if covered else Text("✗", style="red")


def _entries_table(comparison: Any) -> Table:
    from khasan_sim.analysis.report import position_text, short_times, simulated_text

    crps = comparison.crps_relative_mean
    caption = (
        f"{comparison.covered} of {len(comparison.entries)} recorded outcomes covered "
        f"({100 * comparison.covered_share:.0f}%); mean relative CRPS of the counts "
        f"{'–' if crps is None else f'{crps:.3f}'} (0 is perfect). "
        f"{comparison.runs_ok:,} runs"
        + (f", {comparison.runs_failed} failed" if comparison.runs_failed else "")
        + (f", {comparison.runs_missing} missing" if comparison.runs_missing else "")
        + "."
    )
    table = Table(
        title="The record beside the study",
        title_justify="left",
        caption=caption,
        caption_justify="left",
    )
    table.add_column("recorded outcome", no_wrap=True)
    table.add_column("read at")
    table.add_column("recorded", justify="right")
    table.add_column("simulated median (5%–95%)", justify="right")
    table.add_column("record's place")
    table.add_column("", justify="center")
    for c in comparison.entries:
        table.add_row(
            c.id,
            short_times(c.when),
            short_times(c.recorded),
            simulated_text(c),
            position_text(c),
            _mark(c.covered),
        )
    return table


def _difference_table(diff: Any) -> Table:
    from khasan_sim.analysis.report import stat_text, worth_attention_text

    table = Table(
        title=f"This study minus {diff.other}",
        title_justify="left",
        caption=(
            f"{int(100 * diff.confidence)}% bootstrap intervals, {diff.resamples:,} resamples; * the interval excludes 0; "
            "worth attention: at least the metric's practical size (scenarios/reports/practical-size.yaml)"
        ),
        caption_justify="left",
    )
    for name, justify in (
        ("outcome", "left"),
        ("statistic", "left"),
        ("this", "right"),
        ("other", "right"),
        ("difference", "right"),
        ("interval", "right"),
        ("worth attention", "left"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for d in diff.differences:
        star = " *" if d.significant else ""
        table.add_row(
            d.name,
            d.statistic,
            stat_text(d.this, d.statistic),
            stat_text(d.other, d.statistic),
            f"{stat_text(d.difference, d.statistic, True)}{star}",
            f"{stat_text(d.low, d.statistic, True)} … {stat_text(d.high, d.statistic, True)}",
            worth_attention_text(d),
        )
    return table


def _story_difference_table(diffs: list[Any]) -> Table:
    from khasan_sim.analysis.story_against import percent_text as pct
    from khasan_sim.analysis.story_against import size_points

    table = Table(
        title="The story checks, this study against the other: share of runs holding",
        caption="difference in percentage points, this minus the other, with its 95% bootstrap interval; "
        f"it matters at {size_points(diffs)} points or more with the interval off 0, or when the check holds in one "
        "study only",
        caption_justify="left",
    )
    table.add_column("check")
    table.add_column("this", justify="right")
    table.add_column("other", justify="right")
    table.add_column("difference", justify="right")
    table.add_column("95% interval", justify="right")
    table.add_column("matters")
    for d in diffs:
        if d.this is None and d.other is None:
            continue
        interval = "–" if d.low is None else f"{pct(d.low, True)} … {pct(d.high, True)}"
        table.add_row(d.check, pct(d.this), pct(d.other), pct(d.difference, True), interval,
                      Text(d.why(), style="bold" if d.matters else ""))
    return table


def check_outputs(args: argparse.Namespace) -> None:
    """Check --json and --html before any work: never over an input, nor over each other.

    Raises:
        OutputError: An output is an input, a folder, under a file, or another kind of file.
    """
    from khasan_sim.boundary.outputs import check_output, same_file
    from khasan_sim.io import OutputError
    from khasan_sim.scenario.builtin import record_path

    record = args.record if args.record is not None else record_path()
    inputs = [("study file", args.study), ("study file", args.against), ("record", record), ("story checks", args.story)]
    check_output(args.json, kind="json", inputs=inputs, force=args.force, option="--json")
    check_output(args.html, kind="html", inputs=inputs, force=args.force, option="--html")
    if args.json and args.html and args.json != "-" and same_file(Path(args.json), Path(args.html)):
        msg = f"--json {args.json} and --html {args.html}: the same file (give each its own path)"
        raise OutputError(msg)


def run(args: argparse.Namespace, console: Console) -> int:
    """Compare the study with the record; return the exit status (0).

    Raises:
        KhasanSimError: A study or record file is missing or malformed.
    """
    from khasan_sim.analysis.compare import compare_studies, compare_study, load_study
    from khasan_sim.analysis.story import study_story
    from khasan_sim.cli.story_tables import print_study_story
    from khasan_sim.io import atomic_write_text
    from khasan_sim.record import load_record
    from khasan_sim.runner.study import check_study

    check_outputs(args)
    check_study(args.study)
    if args.against is not None:
        check_study(args.against)
    record = load_record(args.record)
    study = load_study(args.study)
    if not study.runs:
        msg = f"{args.study}: no run with a result to compare (run `khasan-sim batch` first, or see the errors in the file)"
        raise KhasanSimError(msg)
    comparison = compare_study(study, record)
    story, story_note = study_story(study, args.story)
    from khasan_sim.analysis.trust_report import study_trust

    trust, trust_note = study_trust(study, comparison, story)
    other = other_comparison = difference = None
    story_diffs: list[Any] = []
    if args.against is not None:
        other = load_study(args.against)
        if not other.runs:
            msg = f"{args.against}: no run with a result to compare against"
            raise KhasanSimError(msg)
        other_comparison = compare_study(other, record)
        difference = compare_studies(
            study, other, record, seed=args.bootstrap_seed, resamples=args.resamples
        )
        if story is not None:
            from khasan_sim.analysis.story_against import story_against
            from khasan_sim.story.spec import load_story

            story_diffs = story_against(
                load_story(args.story), study, other, paired=difference.paired,
                seed=args.bootstrap_seed, resamples=args.resamples,
            )

    doc: dict[str, Any] = comparison.to_json()
    if difference is not None:
        doc["against"] = difference.to_json()
        if story_diffs:
            doc["against"]["story"] = [d.to_json() for d in story_diffs]
    if story is not None:
        doc["story"] = story.to_json()
    doc["trust"] = trust.to_json() if trust is not None else {"note": trust_note}
    if args.json == "-":
        console.file.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
        console.file.flush()
    elif args.json:
        atomic_write_text(args.json, json.dumps(doc, indent=2, ensure_ascii=False) + "\n")

    if args.html:
        from khasan_sim.analysis.report import render_html

        atomic_write_text(
            args.html,
            render_html(
                comparison,
                study,
                record,
                difference=difference,
                other=other,
                other_comparison=other_comparison,
                story=story,
                trust=trust,
                story_against=story_diffs,
            ),
        )
    if args.json == "-":
        return 0

    console.print(_entries_table(comparison))
    for note in comparison.notes:
        console.print(f"  note: {note}", style="dim", highlight=False, markup=False, soft_wrap=True)
    print_study_story(console, story, story_note)
    console.print()
    console.print("How far to trust it", style="bold", highlight=False, markup=False)
    for line in trust.lines() if trust is not None else [f"no figures: {trust_note}"]:
        console.print(f"  {line}", highlight=False, markup=False, soft_wrap=True)
    if difference is not None:
        console.print()
        console.print(
            f"Runs compared {difference.pairing_text()}.",
            style=None if difference.paired else "bold yellow",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
        console.print(_difference_table(difference))
        if story_diffs:
            console.print(_story_difference_table(story_diffs))
    for label, path in (("JSON", args.json), ("report", args.html)):
        if path:
            console.print(
                f"{label} written to {path}", highlight=False, markup=False, soft_wrap=True
            )
    return 0
