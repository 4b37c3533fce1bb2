"""Benchmark: does a study of this engine give the same distribution as the "before" engine's?

For every entry of the record (``../shared/record/khasan-1938.yaml``) it sets the values
of a baseline study (the before engine, kept in ``bench/baselines/``) beside those of an
"after" study, and prints one row per entry: the before and after medians with their
90% intervals, the median's shift with its 95% bootstrap interval, the KS (or, for who
holds a height, Fisher / chi-square) p-value, the effect size and the verdict; then the
tails (5th and 95th percentile shifts) and a one-line summary. The statistics and the
verdict's thresholds are those of :mod:`khasan_sim.analysis.equivalence`.

Run from the repository root::

    python bench/bench_equivalence.py --baseline bench/baselines/historical-c43a1cb-seed2026-200runs.jsonl \\
        --runs 200 --seed 2027 --workers 2 [--out after.sqlite]   # runs the after-study
    python bench/bench_equivalence.py --baseline FILE --study after.sqlite  # reads one
    python bench/bench_equivalence.py --baseline FILE --self-check          # the baseline's
        # even runs against its odd ones: what "the same engine" looks like

``--strict`` exits 1 when an entry differs (otherwise it prints and exits 0); ``--json
PATH`` writes every figure. A baseline is a study's ``khasan-sim export --format jsonl``,
gzipped (``gzip -9n``; ``.jsonl`` plain, ``.jsonl.gz`` or a ``.sqlite`` study are all
read); ``bench/baselines/README.md`` says how each was made. Not run by the tests.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from khasan_sim.analysis.compare import load_study  # noqa: E402
from khasan_sim.analysis.equivalence import (  # noqa: E402
    EntryEquivalence,
    Equivalence,
    Shift,
    Thresholds,
    check_equivalence,
    split_halves,
)
from khasan_sim.record import load_record  # noqa: E402
from khasan_sim.results import RunResult  # noqa: E402

SCENARIO = "scenarios/khasan_1938/historical.yaml"
Runs = list[tuple[int, RunResult]]


# ------------------------------------------------------------------ reading and writing runs


def read_runs(path: Path) -> tuple[Runs, str]:
    """Read runs from a study file (.sqlite) or a JSONL export (.jsonl, .jsonl.gz); return (runs, description)."""
    if path.suffix in (".sqlite", ".db"):
        study = load_study(path)
        spec = study.spec
        desc = f"{path} ({len(study.runs)} runs, study seed {spec.study_seed}, code {spec.code_version}, scenario digest {spec.scenario_digest[:12]})"
        return study.runs, desc
    runs: Runs = []
    with (gzip.open(path, "rt", encoding="utf-8") if path.suffix == ".gz" else path.open(encoding="utf-8")) as fh:
        for line_no, line in enumerate(fh, 1):
            if not line.strip():
                continue
            doc = json.loads(line)
            index = int((doc.get("meta") or {}).get("run_index", line_no - 1))
            runs.append((index, RunResult.from_json(doc, f"{path}:{line_no}")))
    runs.sort(key=lambda r: r[0])
    meta = runs[0][1].meta if runs else {}
    desc = f"{path} ({len(runs)} runs, code {meta.get('code_version', '?')}, scenario digest {str(meta.get('scenario_digest', '?'))[:12]})"
    return runs, desc


def run_after_study(out: Path, scenario: str, runs: int, seed: int, workers: int) -> None:
    """Run the after-study with this checkout's engine (the CLI's ``batch``), resuming *out*."""
    cmd = [sys.executable, "-m", "khasan_sim", "batch", scenario, "--runs", str(runs), "--seed", str(seed), "--workers", str(workers), "--out", str(out)]
    if out.exists():
        cmd.append("--resume")
    print("running:", " ".join(cmd[1:]), flush=True)
    subprocess.run(cmd, check=True, cwd=ROOT)


# ------------------------------------------------------------------ printing


def num(x: float | None, kind: str, never: float | None = None) -> str:
    """Format a count or a time (hours; "never" for the never-reached value)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    if kind == "time":
        if never is not None and x >= never:
            return "never"
        return f"{x:.1f} h"
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.1f}"


def signed(x: float, kind: str) -> str:
    """Format a shift with its sign."""
    if kind == "time":
        return f"{x:+.1f} h"
    return f"{x:+,.0f}" if float(x).is_integer() else f"{x:+,.1f}"


def distribution(e: EntryEquivalence, which: dict[str, float]) -> str:
    """Format a study's side of an entry: median [5th, 95th], or the holders' shares."""
    if not which:
        return "-"
    if e.kind == "holder":
        return " ".join(f"{side[:3]} {100 * share:.0f}%" for side, share in which.items() if share > 0 or side != "contested")
    three = (which["median"], which["p5"], which["p95"])
    if e.kind == "count" and not all(float(x).is_integer() for x in three):
        m, lo, hi = (f"{x:,.1f}" for x in three)
    else:
        m, lo, hi = (num(x, e.kind, e.never) for x in three)
    return f"{m} [{lo}, {hi}]"


def shift_text(s: Shift | None, kind: str) -> str:
    """Format a shift with its interval."""
    if s is None:
        return "-"
    if s.statistic.startswith("share"):
        return f"{s.statistic[6:9]} {100 * s.difference:+.1f} pp [{100 * s.low:+.1f}, {100 * s.high:+.1f}]"
    return f"{signed(s.difference, kind)} [{signed(s.low, kind)}, {signed(s.high, kind)}]"


def effect_text(e: EntryEquivalence, s: Shift | None = None) -> str:
    """Format the effect size: the shift as a share of the before study's 90% width, or pp."""
    if e.effect is None:
        return "-"
    if e.kind == "holder":
        return f"{100 * e.effect:+.1f} pp"
    value = e.effect if s is None else s.difference / (e.width or 1.0)
    return f"{100 * value:+.0f}% of width"


def print_report(console: Console, eq: Equivalence, before_desc: str, after_desc: str, title: str) -> None:
    """Print the two tables and the summary."""
    console.print(f"[bold]{title}[/bold]")
    console.print(f"before: {before_desc}")
    console.print(f"after:  {after_desc}")
    main = Table(title="Each record entry, before and after", show_lines=False)
    for col, just in (
        ("entry", "left"),
        ("runs b/a", "right"),
        ("before median [5th, 95th pct]", "right"),
        ("after median [5th, 95th pct]", "right"),
        ("median shift [95% CI]", "right"),
        ("test p (KS; holders: Fisher/chi2)", "right"),
        ("Holm p (over the entries)", "right"),
        ("effect (median shift / before 90% width; holders: pp)", "right"),
        ("verdict", "left"),
    ):
        main.add_column(col, justify=just)  # type: ignore[arg-type]
    for e in eq.entries:
        colour = {"same": "green", "differs": "red"}.get(e.verdict, "yellow")
        main.add_row(
            e.id,
            f"{e.runs_before}/{e.runs_after}",
            distribution(e, e.before),
            distribution(e, e.after),
            shift_text(e.shift("median") or (e.shifts[0] if e.shifts else None), e.kind),
            "-" if e.p_value is None else f"{e.p_value:.2g}",
            "-" if e.p_adjusted is None else f"{e.p_adjusted:.2g}",
            effect_text(e),
            f"[{colour}]{e.verdict}[/{colour}]",
        )
    console.print(main)
    tails = Table(title="Tails and shape (counts and times)")
    for col in (
        "entry",
        "5th pct shift [95% CI]",
        "(of width)",
        "95th pct shift [95% CI]",
        "(of width)",
        "KS D (largest CDF gap)",
        "before 90% width",
        "why",
    ):
        tails.add_column(col, justify="left" if col in ("entry", "why") else "right")
    for e in eq.entries:
        p5, p95 = e.shift("5th percentile"), e.shift("95th percentile")
        if e.kind == "holder":
            tails.add_row(e.id, "", "", "", "", "", "", e.reason)
            continue
        tails.add_row(
            e.id,
            shift_text(p5, e.kind),
            effect_text(e, p5) if p5 else "-",
            shift_text(p95, e.kind),
            effect_text(e, p95) if p95 else "-",
            "-" if e.test_statistic is None else f"{e.test_statistic:.3f}",
            "-" if e.width is None else signed(e.width, e.kind).lstrip("+"),
            e.reason,
        )
    console.print(tails)
    t = eq.thresholds
    differs = ", ".join(f"{e.id} ({e.reason})" for e in eq.differs)
    console.print(
        f"[bold]{eq.same} of {len(eq.entries)} entries the same[/bold]"
        + (f"; differs: {differs}" if differs else "")
        + f"  (differs = a shift whose 95% interval leaves out 0, with Holm p < {t.alpha:g}, of at least"
        f" {t.median_share:.0%} of the before 90% width for the median, {t.tail_share:.0%} for the 5th/95th"
        f" percentile, {100 * t.share_points:.0f} pp for a holder's share; bootstrap {eq.resamples} resamples, seed {eq.seed})"
    )


# ------------------------------------------------------------------ main


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--baseline", type=Path, help="the before study: a baseline JSONL (bench/baselines/) or a .sqlite study")
    p.add_argument("--study", type=Path, help="the after study (.sqlite or JSONL) to read instead of running one")
    p.add_argument("--runs", type=int, default=200, help="after-study replications to run (default 200)")
    p.add_argument("--seed", type=int, default=2027, help="after-study seed (default 2027; the baseline's is 2026)")
    p.add_argument("--workers", type=int, default=2, help="after-study worker processes (default 2)")
    p.add_argument("--scenario", default=SCENARIO, help=f"scenario of the after-study (default {SCENARIO})")
    p.add_argument("--out", type=Path, help="keep the after-study in this file (resumed if it exists)")
    p.add_argument("--self-check", action="store_true", help="compare the baseline's even runs with its odd runs (no after-study)")
    p.add_argument("--record", type=Path, help="the record file (default ../shared/record/khasan-1938.yaml)")
    p.add_argument("--boot-seed", type=int, default=0, help="bootstrap seed (default 0)")
    p.add_argument("--resamples", type=int, default=2000, help="bootstrap resamples (default 2000)")
    p.add_argument("--json", type=Path, help="write every figure as JSON to this file")
    p.add_argument("--strict", action="store_true", help="exit 1 if any entry differs")
    args = p.parse_args(argv)

    record = load_record(args.record)
    if not args.baseline:
        p.error("--baseline is required")

    before, before_desc = read_runs(args.baseline)
    if args.self_check:
        before, after = split_halves(before)
        title = "Self-check: the baseline's even runs (before) against its odd runs (after)"
        before_desc, after_desc = f"{before_desc}, even runs", "the same file, odd runs"
    else:
        if args.study:
            study_path = args.study
        else:
            study_path = args.out or Path(tempfile.mkdtemp(prefix="equiv-")) / "after.sqlite"
            run_after_study(study_path, args.scenario, args.runs, args.seed, args.workers)
        after, after_desc = read_runs(study_path)
        title = "Equivalence of the after-study with the baseline"

    eq = check_equivalence(record, before, after, seed=args.boot_seed, resamples=args.resamples, thresholds=Thresholds())
    console = Console(width=max(Console().width, 200))
    print_report(console, eq, before_desc, after_desc, title)
    same_seeds = {r.seed: r.events_digest for _, r in before}
    shared = [(r.events_digest, same_seeds[r.seed]) for _, r in after if r.seed in same_seeds]
    if shared:
        console.print(f"runs with a seed in both studies: {len(shared)}, identical event logs: {sum(a == b for a, b in shared)}")
    if args.json:
        doc = {"before": before_desc, "after": after_desc, **eq.to_json()}
        args.json.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    return 1 if args.strict and eq.differs else 0


if __name__ == "__main__":
    sys.exit(main())
