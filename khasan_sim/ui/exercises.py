"""Classroom exercises from the game's menu (no pygame): the pack, their studies, where a game falls.

What the menu needs and nothing the command line does not already have:

* the exercises of the pack (:mod:`khasan_sim.exercises.format`);
* the studies of an exercise: those ``khasan-sim exercise run NAME`` wrote (by default
  ``exercise-NAME/`` in the folder it ran in), else the ones the game ran itself in the
  user data folder (:func:`game_studies_dir`);
* where a game's outcome falls among its study's runs, read as the class report reads a
  student's save (:func:`khasan_sim.exercises.classroom.place_games`);
* background jobs for the slow parts (:mod:`khasan_sim.ui.jobs`): a small study of the
  variant and the baseline, a class folder's saves played out and placed.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SMALL_STUDY_RUNS = 20
"""Runs of the variant and of the baseline in a study the game runs itself."""


@dataclass(frozen=True)
class ExerciseEntry:
    """One exercise of the pack, as the menu lists it."""

    id: str
    title: str
    side: str
    variants: tuple[str, ...]
    question: str
    path: Path


def pack_entries(folder: Path | None = None) -> list[ExerciseEntry]:
    """Return the exercises of the pack, by name (a file that does not load is left out)."""
    from khasan_sim.errors import KhasanSimError
    from khasan_sim.exercises.format import load_exercise, pack

    out = []
    for f in pack(folder):
        try:
            ex = load_exercise(f, check_variants=False)
        except KhasanSimError:
            continue
        d = ex.doc
        out.append(ExerciseEntry(ex.id, d.exercise.title, d.play.side, tuple(v.label for v in d.variants), d.briefing.question, f))
    return out


def short_path(path: str | Path) -> str:
    """Return a path as a person reads it: relative to the current folder when inside it, ~ for the home folder."""
    p = Path(path)
    try:
        rel = os.path.relpath(p)
    except ValueError:  # another drive
        rel = str(p)
    if not rel.startswith(".."):
        return rel
    home = str(Path.home())
    return "~" + str(p)[len(home):] if str(p).startswith(home + os.sep) else str(p)


def game_data_dir() -> Path:
    """Return the game's own data folder (``$KHASAN_UI_DATA``, else the user data folder)."""
    env = os.environ.get("KHASAN_UI_DATA")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_data_dir("khasan-sim", appauthor=False))


def game_studies_dir(exercise_id: str) -> Path:
    """Return where the game runs its own studies of an exercise."""
    return game_data_dir() / "studies" / f"exercise-{exercise_id}"


def study_folders(exercise: Any, cwd: Path | None = None) -> list[Path]:
    """Return the folders the studies of *exercise* are looked for in, in order.

    ``exercise-NAME`` where ``khasan-sim exercise run`` writes it by default (the
    current folder), the same beside the pack, then the game's own.
    """
    from khasan_sim.exercises.studies import default_out

    here = (cwd or Path.cwd()) / default_out(exercise)
    pack_side = exercise.path.resolve().parent.parent.parent / default_out(exercise)
    out: list[Path] = []
    for p in (here, pack_side, game_studies_dir(exercise.id)):
        if p not in out:
            out.append(p)
    return out


@dataclass(frozen=True)
class StudiesFound:
    """The studies of an exercise: where, how many runs each, or why none are usable."""

    folder: Path | None
    runs: dict[str, int] = field(default_factory=dict)
    note: str = ""

    @property
    def usable(self) -> bool:
        """Return True when every study of the exercise is there with runs."""
        return self.folder is not None


def find_studies(exercise: Any, cwd: Path | None = None) -> StudiesFound:
    """Return the first folder holding every study of *exercise* with at least one run.

    A folder with some of them, or with a damaged file, is named in the note (never raised).
    """
    from khasan_sim.exercises.studies import study_plans
    from khasan_sim.runner.study import StudyFile

    notes = []
    for folder in study_folders(exercise, cwd):
        plans = study_plans(exercise, folder)
        present = [p for p in plans if p.path.is_file()]
        if not present:
            continue
        runs: dict[str, int] = {}
        try:
            for p in present:
                with StudyFile.open(p.path, readonly=True) as st:
                    runs[p.key] = st.counts().ok
        except Exception as exc:
            notes.append(f"{folder}: {exc}")
            continue
        missing = [p.label for p in plans if p.key not in runs or runs[p.key] == 0]
        if missing:
            notes.append(f"{folder}: no runs yet for {', '.join(missing)}")
            continue
        return StudiesFound(folder, runs, "")
    return StudiesFound(None, {}, "; ".join(notes) or "no studies of this exercise yet")


def attach_exercise(session: Any, exercise: Any) -> None:
    """Mark a game as an exercise: its id (written into saves) and briefing (shown first).

    Also asks the simulation for the snapshots the exercise's figures read (off the
    midnights), so the game's outcome reads as a study's run does.
    """
    from khasan_sim.exercises.play import briefing_lines
    from khasan_sim.exercises.studies import snapshot_labels
    from khasan_sim.record import RecordError, load_record

    session.exercise = exercise.id
    session.briefing = briefing_lines(exercise, session.variant_path)
    try:
        record = load_record()
    except RecordError:
        record = None
    now, end = (t.strftime("%Y-%m-%dT%H:%M") for t in (session.sim.now, session.sim.end))
    labels = [t for t in snapshot_labels(session.sim.scenario, exercise, record) if now <= t <= end]
    if labels:
        session.sim.snapshot_at(labels)


def exercise_session(name: str, seed: int = 1, *, process: bool = True, factory: Callable[..., Any] | None = None) -> Any:
    """Return a new game of exercise *name*: its scenario, variant and side, briefing first."""
    from khasan_sim.exercises.play import exercise_setup
    from khasan_sim.ui.session import GameSession, player_sides

    ex, scenario, variant, side = exercise_setup(name)
    sides = player_sides(side)
    make = factory or (lambda *a, **kw: GameSession(*a, process=process, **kw))
    session = make(scenario, seed, variant=variant, player_sides=sides)
    attach_exercise(session, ex)
    return session


# ------------------------------------------------------------------ placing a game


@dataclass(frozen=True)
class PlacedMetric:
    """One metric of the exercise for one game: its value and where it falls."""

    label: str
    game: str
    study: str
    baseline: str
    place: str
    values: tuple[float, ...] = ()
    game_value: float | None = None


@dataclass(frozen=True)
class Placement:
    """A game among the runs of its study (the variant it played, or the baseline)."""

    exercise: str
    played: str
    runs: int
    folder: str
    metrics: tuple[PlacedMetric, ...]
    note: str = ""


def _number(v: Any) -> float | None:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def place_result(exercise: Any, studies: Path, result_json: dict[str, Any], variant_path: str | None, *, record: Any = None, finished: bool = True) -> Placement:
    """Return where a game's result falls among its exercise study's runs.

    Reuses the class report's reading (:func:`~khasan_sim.exercises.classroom.place_games`):
    the same figures, the same words.

    Raises:
        KhasanSimError: The studies are missing or damaged, or the game played a variant
            that is not one of the exercise's.
    """
    from khasan_sim.errors import KhasanSimError
    from khasan_sim.exercises.classroom import Game, place_games, variant_key
    from khasan_sim.exercises.figures import dist_text
    from khasan_sim.exercises.report import load_figures
    from khasan_sim.results import RunResult

    if record is None:
        from khasan_sim.record import RecordError, load_record

        try:
            record = load_record()
        except RecordError:
            record = None
    key, vid = variant_key(exercise, variant_path)
    if key is None:
        raise KhasanSimError(f"this game played the variant {vid}, not one of exercise {exercise.id}'s: it has no study to be placed in")
    figs = load_figures(exercise, studies, record)
    game = Game("this game", "ok", exercise.label_of(vid), study=key, result=RunResult.from_json(result_json, where="this game"))
    place_games(figs, [game])
    rows = []
    for mf in figs.metrics:
        kind = mf.entry.kind
        dist = mf.baseline if key == "baseline" else next(v.dist for v in mf.variants if v.key == key)
        value = game.values.get(mf.metric.id)
        place = game.places.get(mf.metric.id, "")
        if not finished and value is None:
            place = "not reached yet (the game goes on)"
        rows.append(PlacedMetric(
            mf.metric.label,
            _game_text(kind, value),
            dist_text(dist, kind),
            dist_text(mf.baseline, kind),
            place,
            tuple(v for v in (_number(x) for x in dist.values) if v is not None) if kind in ("count", "time") else (),
            _number(value),
        ))
    runs = len(figs.baseline.runs) if key == "baseline" else len(next(s for k, _, s in figs.variants if k == key).runs)
    note = "" if finished else "The game is not over: its figures so far, against the studies' runs to the ceasefire."
    return Placement(exercise.id, game.played, runs, str(studies), tuple(rows), note)


def _game_text(kind: str, value: Any) -> str:
    from khasan_sim.exercises.figures import fmt

    if kind == "holder":
        return "nobody" if value is None else str(value)
    if value is None:
        return "never" if kind == "time" else "–"
    return fmt(float(value), kind)


@dataclass(frozen=True)
class ClassRow:
    """One save file of a class folder, placed (or why not)."""

    name: str
    status: str
    played: str
    note: str
    cells: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ClassPlacement:
    """A class folder's games among the exercise's runs."""

    exercise: str
    folder: str
    metrics: tuple[str, ...]
    rows: tuple[ClassRow, ...]
    report: str


def class_rows(figs_metrics: list[Any], games: list[Any]) -> tuple[ClassRow, ...]:
    """Return each game of a class as the menu shows it: (value, place) per metric."""
    from khasan_sim.exercises.classroom import _value_text

    rows = []
    for g in games:
        cells = tuple((_value_text(mf, g.values.get(mf.metric.id)), g.places.get(mf.metric.id, "")) for mf in figs_metrics) if g.status == "ok" else ()
        rows.append(ClassRow(g.name, g.status, g.played, g.note, cells))
    return tuple(rows)
