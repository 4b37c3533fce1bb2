"""The class report: each student's saved game placed in the exercise's distributions.

A folder of save files (``*.json`` from the front end: scenario, variant, seed and the
orders given, :mod:`khasan_sim.saves`) is read file by file. For each save:

* which study it belongs to: the historical baseline (no variant) or one of the
  exercise's variants, recognised by the variant's id (read from the variant file, or
  its file name when the file is not on this machine); a save of another variant or
  another scenario is listed as such;
* its outcome: the game is replayed from its orders (the core is deterministic, and the
  event digest is checked), then played on to the ceasefire if it was saved earlier
  (units keep their last orders; those never ordered follow the recorded orders of
  1938), and its metrics read like a study's run;
* where that outcome falls among the runs of its study: a percentile for counts, the
  share of runs that took a height later for times, the share of runs with the same
  holder for holders.

A file that is not a save, is damaged, or no longer replays is listed with the reason,
never a crash.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from khasan_sim.analysis.compare import midrank_percentile
from khasan_sim.errors import KhasanSimError
from khasan_sim.exercises.figures import ExerciseFigures, MetricFigures, fmt
from khasan_sim.exercises.format import Exercise
from khasan_sim.exercises.studies import BASELINE
from khasan_sim.results import RunResult


@dataclass
class Game:
    """One file of the class folder.

    Attributes:
        name: The file name (the student's game).
        status: ``ok``; ``foreign`` (not a save of this exercise's scenario or
            variants); ``damaged`` (not readable, or it no longer replays).
        played: What the game played, in words (the variant's label, or why not).
        study: The study key it is placed in (``baseline`` or a variant id), or None.
        note: How the outcome was obtained, or what is wrong.
        result: The game's result, or None.
        values: The game's value of each metric (by metric id).
        places: Where each value falls in its study, in words.
    """

    name: str
    status: str
    played: str
    study: str | None = None
    note: str = ""
    result: RunResult | None = None
    values: dict[str, Any] = field(default_factory=dict)
    places: dict[str, str] = field(default_factory=dict)

    @property
    def summary(self) -> str:
        """One line on the game's outcome."""
        if self.status != "ok" or not self.values:
            return self.note
        return "; ".join(f"{k} {_short(v)} ({self.places.get(k, '')})" for k, v in self.values.items())


def _short(value: Any) -> str:
    if value is None:
        return "never/nobody"
    if isinstance(value, float):
        return f"{value:,.1f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def variant_key(exercise: Exercise, variant: str | None) -> tuple[str | None, str | None]:
    """Return (study key, variant id) of a save's variant path, or (None, id) for another variant."""
    if not variant:
        return BASELINE, None
    vid = None
    p = Path(variant)
    if p.is_file():
        from khasan_sim.scenario.yamlsrc import load_yaml

        try:
            data = load_yaml(p)
            vid = data["variant"]["id"] if isinstance(data, dict) and isinstance(data.get("variant"), dict) else None
        except (KhasanSimError, KeyError, TypeError):
            vid = None
    vid = vid if isinstance(vid, str) else p.stem
    if vid in exercise.variant_ids:
        return vid, vid
    for known, path in zip(exercise.variant_ids, exercise.variant_paths, strict=True):
        if path.stem == p.stem:
            return known, known
    return None, vid


def play_out(scenario: str, variant: str | None, save: Any, where: str) -> tuple[dict[str, Any], str]:
    """Replay a save and play it on to the end; return (the result's JSON, how).

    Raises:
        SaveFileError: The save's orders no longer replay, or its run differs.
    """
    from khasan_sim.saves import replay

    sim = replay(save, scenario=scenario, variant=variant, where=where)
    saved_at = sim.now
    if not sim.finished:
        _advance_to_end(sim)
        how = f"saved at {saved_at.day} {saved_at:%b %H:%M}; played on to the ceasefire (units keep their last orders, those never ordered follow 1938's)"
    else:
        how = "played to the ceasefire"
    return sim.result().to_json(), how


def _advance_to_end(sim: Any) -> None:
    """Play a replayed game on to its end, in the slices a game's run loop takes."""
    while sim.advance(5000):
        pass


def _outcome(args: tuple[str, str | None, Any, str]) -> tuple[dict[str, Any] | None, str, str | None]:
    """Worker wrapper of :func:`play_out`: (result JSON, how, error) without raising."""
    try:
        doc, how = play_out(*args)
    except KhasanSimError as exc:
        return None, "", str(exc)
    except Exception as exc:  # a save that breaks the replay is reported, not fatal
        return None, "", f"{args[3]}: the game could not be replayed ({type(exc).__name__}: {exc})"
    return doc, how, None


def read_games(exercise: Exercise, folder: Path, *, workers: int = 1, say: Callable[[str], None] | None = None) -> list[Game]:
    """Read every save file in *folder*, identify its study and play it out."""
    from khasan_sim.errors import SaveFileError
    from khasan_sim.saves import read_save

    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    games: list[Game] = []
    jobs: list[tuple[Game, tuple[str, str | None, Any, str]]] = []
    for f in files:
        try:
            save = read_save(f)
        except SaveFileError as exc:
            reason = str(exc).split(": ", 1)[-1]
            status = "foreign" if "not a khasan-sim save" in reason or f.suffix.lower() != ".json" else "damaged"
            if f.suffix.lower() != ".json" and "not a khasan-sim save" not in reason:
                reason = "not a save file"
            games.append(Game(f.name, status, "not a game of this exercise" if status == "foreign" else "damaged save file", note=reason))
            continue
        key, vid = variant_key(exercise, save.variant)
        tag = save.settings.get("exercise") if isinstance(save.settings, dict) else None
        scen = Path(save.scenario).name
        if scen != exercise.scenario_path.name:
            games.append(Game(f.name, "foreign", f"another scenario ({scen})", note="not the scenario of this exercise"))
            continue
        if key is None:
            games.append(Game(f.name, "foreign", f"variant {vid} (not one of this exercise's)", note="another what-if: not placed"))
            continue
        played = exercise.label_of(vid)
        if tag and tag != exercise.id:
            played += f" (saved from exercise {tag})"
        variant_path = None if vid is None else str(exercise.variant_paths[exercise.variant_ids.index(vid)])
        game = Game(f.name, "ok", played, study=key)
        games.append(game)
        jobs.append((game, (str(exercise.scenario_path), variant_path, save, f.name)))
    if say is not None and jobs:
        say(f"replaying {len(jobs)} game(s) to the ceasefire ({'in parallel on ' + str(workers) + ' workers' if workers > 1 else 'one by one'}) ...")
    if workers > 1 and len(jobs) > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=workers) as pool:
            outcomes = list(pool.map(_outcome, [a for _, a in jobs]))
    else:
        outcomes = [_outcome(a) for _, a in jobs]
    for (game, _), (doc, how, error) in zip(jobs, outcomes, strict=True):
        if error is not None:
            game.status, game.played, game.note, game.study = "damaged", game.played + " — does not replay", error.split(": ", 1)[-1], None
            continue
        game.result = RunResult.from_json(doc, where=game.name)
        game.note = how
    return games


def place(mf: MetricFigures, dist_values: list[Any], value: Any) -> str:
    """Return where *value* falls among a study's values of a metric, in words."""
    kind = mf.entry.kind
    if not dist_values:
        return "no runs to compare"
    if kind == "count":
        if not isinstance(value, (int, float)):
            return "not reached"
        x = np.asarray(dist_values, dtype=float)
        p = midrank_percentile(x, float(value))
        if p >= 100.0:
            return "above every run"
        if p <= 0.0:
            return "below every run"
        return f"{p:.0f}th percentile of its study's runs"
    if kind == "time":
        h = np.array([math.inf if v is None else float(v) for v in dist_values])
        if value is None:
            never = float(np.mean(~np.isfinite(h)))
            return "never, as in every run of its study" if never == 1.0 else (
                "never, though every run of its study did" if never == 0.0 else f"never, as in {100 * never:.0f}% of its study's runs"
            )
        later = float(np.mean(h > float(value)))
        earlier = float(np.mean(h < float(value)))
        if earlier == 1.0:
            return "later than every run of its study"
        if later == 1.0:
            return "earlier than every run of its study"
        return f"earlier than {100 * later:.0f}% of its study's runs, later than {100 * earlier:.0f}%"
    names = ["contested" if v is None else str(v) for v in dist_values]
    same = "contested" if value is None else str(value)
    return f"as in {100 * names.count(same) / len(names):.0f}% of its study's runs"


def place_games(figs: ExerciseFigures, games: list[Game]) -> None:
    """Fill each game's values and places from the figures of its study."""
    from khasan_sim.record import simulated_value

    for g in games:
        if g.result is None or g.study is None:
            continue
        for mf in figs.metrics:
            try:
                value = simulated_value(mf.entry, g.result)
            except (KeyError, ValueError):
                g.values[mf.metric.id] = None
                g.places[mf.metric.id] = "not reached"
                continue
            g.values[mf.metric.id] = value
            dist = mf.baseline if g.study == BASELINE else next((v.dist for v in mf.variants if v.key == g.study), None)
            g.places[mf.metric.id] = place(mf, dist.values if dist is not None else [], value)


def _value_text(mf: MetricFigures, value: Any) -> str:
    kind = mf.entry.kind
    if kind == "holder":
        return "nobody" if value is None else str(value)
    return fmt(value, kind) if value is not None or kind == "time" else "–"


def render_class_html(figs: ExerciseFigures, games: list[Game], *, start: Any, folder: Path) -> str:
    """Return the class report as HTML."""
    from khasan_sim.exercises.report import (
        CSS,
        briefing_html,
        e,
        facts_html,
        metric_plot,
        metric_table,
        teacher_html,
    )

    ex = figs.exercise
    ok = [g for g in games if g.status == "ok"]
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{e(ex.title)} — the class</title><style>{CSS}</style></head><body>",
        f"<h1>{e(ex.title)} — the class</h1>",
        f"<p class='facts'>Exercise <b>{e(ex.id)}</b> · {len(games)} file(s) in {e(folder.name)}: {len(ok)} game(s) placed"
        + (f", {len(games) - len(ok)} not placed" if len(games) > len(ok) else "")
        + f" · {len(figs.baseline.runs)} simulated runs per study</p>",
    ]
    parts.append("<h2>The games</h2>")
    head = "<tr><th>save file</th><th>played</th>" + "".join(f"<th>{e(mf.metric.label)}</th>" for mf in figs.metrics) + "</tr>"
    rows = []
    for g in games:
        if g.status != "ok":
            cls = "bad"
            rows.append(f"<tr><td>{e(g.name)}</td><td class='{cls}'><b>{e(g.played)}</b><br><span class='note'>{e(g.note)}</span></td>"
                        f"<td colspan='{len(figs.metrics)}' class='note'>not placed</td></tr>")
            continue
        cells = "".join(
            f"<td class='num'><b>{e(_value_text(mf, g.values.get(mf.metric.id)))}</b><br><span class='note'>{e(g.places.get(mf.metric.id, ''))}</span></td>"
            for mf in figs.metrics
        )
        rows.append(f"<tr><td>{e(g.name)}</td><td><b>{e(g.played)}</b><br><span class='note'>{e(g.note)}</span></td>{cells}</tr>")
    parts.append(f"<table>{head}{''.join(rows)}</table>")
    parts.append(
        "<p class='note'>Each game is one draw: its place among the model's runs of the same orders of battle (“its study”: the "
        "historical orders, or the variant it played) says whether it is unusual. A game beyond the 5th or 95th percentile is "
        "unusual for the plan of that study; one in the middle is not evidence that the students' plan was better or worse.</p>"
    )
    from khasan_sim.exercises.story import class_story_html

    parts += class_story_html(figs, games)
    parts.append("<h2>The games among the runs</h2>")
    start_label = start.strftime("%d %b %H:%M")
    for mf in figs.metrics:
        marks = [(Path(g.name).stem, g.values.get(mf.metric.id)) for g in ok]
        parts.append(f"<img alt='{e(mf.metric.label)}' src='{metric_plot(mf, start_label, marks)}'>")
    parts.append("<h2>The studies (the model's runs)</h2>")
    for i, q in enumerate(ex.doc.questions, 1):
        parts.append(f"<h3>Question {i}. {e(q.text)}</h3>")
        parts.append(metric_table(figs, q.metrics))
    parts += briefing_html(figs)
    parts += teacher_html(figs)
    parts += facts_html(figs)
    parts.append("</body></html>\n")
    return "\n".join(parts)


def class_report(
    exercise: Exercise,
    folder: Path,
    studies: Path,
    record: Any,
    *,
    workers: int = 1,
    say: Callable[[str], None] | None = None,
) -> tuple[str, list[Game]]:
    """Read the class folder, place every game, and return (the HTML, the games).

    Raises:
        KhasanSimError: The exercise's studies are missing in *studies*.
    """
    from khasan_sim.exercises.report import load_figures, scenario_times

    figs = load_figures(exercise, studies, record)
    games = read_games(exercise, folder, workers=workers, say=say)
    place_games(figs, games)
    start, _ = scenario_times(exercise)
    return render_class_html(figs, games, start=start, folder=folder), games
