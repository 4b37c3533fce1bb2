"""Check: how much does the combat pulse's length move the results? (the time-step error)

The combat pulse (``engine.pulse_min``, 5 minutes) is the model's time step: fire,
morale and the zones are resolved once a pulse, at the positions of that instant. This
runs the same study (same study seed, so the same run seeds) of the historical scenario
with the pulse at each of the given lengths, and prints, for each length:

1. the record's summary (entries covered, mean relative CRPS) and the story checks held;
2. each story check's share of runs in which it holds, and that share's difference from
   the finest pulse's with its 95% interval (paired by run, bootstrap: as ``compare
   --against``, khasan_sim/analysis/story_against.py);
   a difference "matters" where it is 5 points or more and its interval excludes zero,
   or where the check holds at one length and not at the other;
3. each record entry's relative CRPS (lower is closer to the record).

A pulse other than the parameter file's is run as a variant of the historical scenario
written into the output folder (the scenario's parameter files, then one that sets
``engine.pulse_min``), with ``khasan-sim batch``; studies already in the folder are
finished with ``--resume``, not run again. Run from the repository root::

    python bench/check_time_step.py --pulses 5 1.25 --runs 200 --seed 11 [--out-dir DIR]

A 200-run study takes about 20 s at 5 minutes and about a minute at 1.25 on two cores.
Not run by the tests. The README's "Story checks" gives what it printed.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from khasan_sim.analysis.compare import compare_study, load_study  # noqa: E402
from khasan_sim.analysis.story import study_story  # noqa: E402
from khasan_sim.analysis.story_against import story_against  # noqa: E402
from khasan_sim.record import load_record  # noqa: E402
from khasan_sim.scenario.load import load_scenario  # noqa: E402
from khasan_sim.scenario.params_file import default_param_files  # noqa: E402
from khasan_sim.story.spec import load_story  # noqa: E402

SCENARIO = ROOT / "scenarios" / "khasan_1938" / "historical.yaml"
MATTERS = 0.05  # a difference in a check's share of 5 points or more (with its interval off zero) matters


def _label(pulse: float) -> str:
    return f"{pulse:g} min"


def variant_for(pulse: float, folder: Path) -> Path:
    """Write the variant of the historical scenario with the pulse at *pulse* minutes into
    *folder* (its parameter files: the built-in ones, then one setting ``engine.pulse_min``)."""
    tag = f"{pulse:g}"
    params = folder / f"pulse-{tag}.params.yaml"
    params.write_text(
        "engine:\n"
        f"  pulse_min: {{value: {pulse!r}, unit: min, reason: \"time-step check (bench/check_time_step.py)\"}}\n",
        encoding="utf-8",
    )
    files = ", ".join(f'"{p.resolve()}"' for p in [*default_param_files(), params])
    variant = folder / f"pulse-{tag}.yaml"
    variant.write_text(
        "variant:\n"
        f"  id: time-step-{tag}\n"
        f"  title: \"the combat pulse at {pulse:g} minutes (a time-step check, not a what-if)\"\n"
        f"  base: \"{SCENARIO.resolve()}\"\n"
        "add:\n"
        f"  - {{path: scenario.params, value: [{files}]}}\n",
        encoding="utf-8",
    )
    return variant


def run_study(scenario: Path, out: Path, runs: int, seed: int, workers: int) -> None:
    """Run (or finish, with --resume) a study with the CLI's ``batch``."""
    cmd = [sys.executable, "-m", "khasan_sim", "batch", str(scenario), "--runs", str(runs), "--seed", str(seed),
           "--workers", str(workers), "--out", str(out), "--quiet"]
    if out.exists():
        cmd.append("--resume")
    subprocess.run(cmd, check=True, cwd=ROOT)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pulses", type=float, nargs="+", default=[5.0, 1.25], help="pulse lengths in minutes (the last finest is the reference)")
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--seed", type=int, default=11, help="study seed (the same for every pulse)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out-dir", type=Path, default=None, help="where the studies go (default: a new temporary folder)")
    args = ap.parse_args()
    if any(p <= 0 for p in args.pulses):
        ap.error("--pulses: each length must be above 0 minutes")
    folder = args.out_dir or Path(tempfile.mkdtemp(prefix="time-step-"))
    folder.mkdir(parents=True, exist_ok=True)
    console = Console(width=150)
    own = load_scenario(SCENARIO).params.f("engine.pulse_min")
    pulses = sorted(set(args.pulses), reverse=True)
    record = load_record(None)
    results = {}
    studies = {}
    for pulse in pulses:
        scenario = SCENARIO if pulse == own else variant_for(pulse, folder)
        out = folder / f"study-pulse-{pulse:g}-seed{args.seed}.sqlite"
        console.print(f"[dim]{_label(pulse)}: {out}[/dim]")
        run_study(scenario, out, args.runs, args.seed, args.workers)
        study = load_study(out)
        story, note = study_story(study, None)
        if story is None:
            raise SystemExit(f"no story checks: {note}")
        results[pulse] = (compare_study(study, record), story)
        studies[pulse] = study

    ref = pulses[-1]
    head = Table(title=f"The record and the story checks, study seed {args.seed}, {args.runs} runs a pulse length")
    head.add_column("pulse")
    head.add_column("record entries covered", justify="right")
    head.add_column("mean relative CRPS", justify="right")
    head.add_column("story checks holding", justify="right")
    for pulse in pulses:
        comp, story = results[pulse]
        j = story.to_json()
        head.add_row(_label(pulse), f"{comp.covered} of {len(comp.entries)}", f"{comp.crps_relative_mean:.3f}",
                     f"{j['checks_met']} of {len(j['checks'])}")
    console.print(head)

    checks = Table(title=f"Share of runs in which each story check holds; difference from {_label(ref)} (95% interval)")
    checks.add_column("check")
    for pulse in pulses:
        checks.add_column(_label(pulse), justify="right")
    for pulse in pulses[:-1]:
        checks.add_column(f"{_label(pulse)} - {_label(ref)}", justify="right")
    # the differences as compare --against works them out: paired run by run (the studies
    # share their seed), a percentile-bootstrap interval (analysis/story_against.py)
    story_file = load_story()
    diffs = {p: {d.check: d for d in story_against(story_file, studies[p], studies[ref], paired=True)} for p in pulses[:-1]}
    mattering = []
    for c in results[pulses[0]][1].to_json()["checks"]:
        if c["share_holds"] is None:
            continue
        row = [c["id"]]
        for pulse in pulses:
            cc = {x["id"]: x for x in results[pulse][1].to_json()["checks"]}[c["id"]]
            row.append(f"{cc['share_holds']:.2f}")
        for pulse in pulses[:-1]:
            d = diffs[pulse][c["id"]]
            if d.difference is None:
                row.append("-")
                continue
            matters = (abs(d.difference) >= MATTERS and (d.low > 0 or d.high < 0)) or d.verdict_changed
            if matters:
                mattering.append((c["id"], pulse, d.difference))
            text = f"{100 * d.difference:+.0f} ({100 * d.low:+.0f}, {100 * d.high:+.0f})"
            row.append(f"[bold]{text}[/bold]" if matters else text)
        checks.add_row(*row)
    console.print(checks)

    crps = Table(title="Relative CRPS of each record entry (lower: closer to the record)")
    crps.add_column("entry")
    for pulse in pulses:
        crps.add_column(_label(pulse), justify="right")
    by_pulse = {p: {e.id: e for e in results[p][0].entries} for p in pulses}
    for e in results[pulses[0]][0].entries:
        crps.add_row(e.id, *(
            "-" if by_pulse[p][e.id].crps_relative is None else f"{by_pulse[p][e.id].crps_relative:.3f}" for p in pulses
        ))
    console.print(crps)
    if mattering:
        console.print("Differences that matter (5 points or more, interval off zero, or a verdict changed): "
                      + "; ".join(f"{cid} at {_label(p)}: {100 * d:+.0f} points" for cid, p, d in mattering))
    else:
        console.print("No story check's share moves by 5 points or more with its interval off zero.")
    console.print(f"[dim]studies in {folder}[/dim]")


if __name__ == "__main__":
    main()
