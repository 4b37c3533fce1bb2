"""The Monte Carlo studies behind an exercise: the historical baseline and each variant.

Every study of one exercise uses the same study seed, so replication ``i`` of the
variant and of the baseline share their seed (common random numbers) and the
differences are paired. The study files live in one folder (``--out``)::

    exercise-1-tanks-and-the-swamp/
        baseline.sqlite
        round-the-swamp.sqlite
        report.html

Running again with more runs extends the studies (the runs already stored are kept).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from khasan_sim.exercises.format import Exercise

BASELINE = "baseline"
DEFAULT_SEED = 1938


@dataclass(frozen=True)
class StudyPlan:
    """One study of an exercise.

    Attributes:
        key: ``baseline`` or the variant id (the study file's name).
        label: What it is, in words.
        variant_id: The variant id, or None for the baseline.
        variant_path: The variant file, or None.
        path: The study file.
    """

    key: str
    label: str
    variant_id: str | None
    variant_path: Path | None
    path: Path


def default_out(exercise: Exercise) -> Path:
    """Return the default folder of an exercise's studies and report."""
    return Path(f"exercise-{exercise.id}")


def study_plans(exercise: Exercise, out: Path) -> list[StudyPlan]:
    """Return the baseline's and each variant's study, in the exercise's order."""
    plans = [StudyPlan(BASELINE, "historical (baseline)", None, None, out / f"{BASELINE}.sqlite")]
    for vid, vpath, ref in zip(exercise.variant_ids, exercise.variant_paths, exercise.doc.variants, strict=True):
        plans.append(StudyPlan(vid, ref.label, vid, vpath, out / f"{vid}.sqlite"))
    return plans


def snapshot_labels(scenario: Any, exercise: Exercise, record: Any = None) -> list[str]:
    """Return the extra snapshot labels the studies take: metric times and record times off the day ends."""
    from khasan_sim.clock import Clock, format_time, parse_time

    start, end = parse_time(scenario.start), parse_time(scenario.end)
    clock = Clock(start, end)
    default = {clock.label(m) for m in clock.day_ends()} | {format_time(end)}
    wanted = {format_time(m.at) for m in exercise.doc.metrics if m.at is not None and start <= m.at <= end}
    if record is not None:
        wanted |= {format_time(t) for t in record.snapshot_times() if start <= t <= end}
    return sorted(wanted - default)


@dataclass
class StudyOutcome:
    """What running one study did."""

    plan: StudyPlan
    ok: int
    errors: int
    ran: int
    seconds: float


def run_studies(
    exercise: Exercise,
    out: Path,
    runs: int,
    *,
    seed: int = DEFAULT_SEED,
    workers: int | None = None,
    record: Any = None,
    progress: Callable[[StudyPlan], Any] | None = None,
    say: Callable[[str], None] | None = None,
    only: Sequence[str] | None = None,
) -> list[StudyOutcome]:
    """Run (or extend) the baseline's and each variant's study of *exercise* into *out*.

    Args:
        exercise: The exercise.
        out: The folder of the study files (created).
        runs: Replications per study.
        seed: The study seed shared by all the studies (paired comparisons).
        workers: Local worker processes (default: the machine's cores).
        record: The record, for the snapshot times it reads.
        progress: Returns a progress display for a study (default: none).
        say: Receives a line per study.
        only: Run only these study keys (default: all).

    Raises:
        KhasanSimError: A scenario or variant does not load, or a study file in *out*
            holds another study (another seed, scenario or code version).
    """
    from khasan_sim.runner.batch import run_study, study_spec
    from khasan_sim.runner.replication import Replications
    from khasan_sim.runner.study import StudyFile
    from khasan_sim.scenario.load import load_scenario

    out.mkdir(parents=True, exist_ok=True)
    done = []
    for plan in study_plans(exercise, out):
        if only is not None and plan.key not in only:
            continue
        scenario = load_scenario(exercise.scenario_path, plan.variant_path)
        labels = snapshot_labels(scenario, exercise, record)
        spec = study_spec(scenario, study_seed=seed, runs=runs, snapshot_at=labels)
        resume = plan.path.exists()
        if resume:
            with StudyFile.open(plan.path, readonly=True) as old:
                spec = study_spec(scenario, study_seed=seed, runs=max(runs, old.spec.runs), snapshot_at=labels)
        with StudyFile.open_or_create(plan.path, spec, resume=resume) as study:
            missing = study.counts().missing
            if say is not None:
                say(f"{plan.label}: {missing} of {study.spec.runs} runs to do -> {plan.path}")
            if missing:
                session = run_study(study, Replications(str(Path(scenario.path).resolve()), None if scenario.variant_path is None else str(Path(scenario.variant_path).resolve()), study.spec.snapshot_at, scenario.digest), workers=workers, progress=progress(plan) if progress else None)
                counts = session.counts or study.counts()
                if session.interrupted:
                    raise KeyboardInterrupt
                done.append(StudyOutcome(plan, counts.ok, counts.errors, session.ok + session.errors, session.wall_seconds))
            else:
                counts = study.counts()
                done.append(StudyOutcome(plan, counts.ok, counts.errors, 0, 0.0))
    return done
