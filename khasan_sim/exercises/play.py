"""Starting an exercise in the front end: its scenario, variant, side and briefing (no pygame)."""

from __future__ import annotations

from pathlib import Path

from khasan_sim.errors import ScenarioError
from khasan_sim.exercises.format import Exercise, find_exercise, load_exercise


def exercise_setup(name: str, *, variant: str | None = None) -> tuple[Exercise, Path, str | None, str]:
    """Return (exercise, scenario file, variant file or None, side) to play exercise *name*.

    The variant is ``--variant`` when given (it must be one of the exercise's, or a file),
    else the exercise's ``play.variant`` (none for the own-orders exercises).

    Raises:
        ScenarioError: No such exercise, or the variant is not one of its.
    """
    ex = load_exercise(find_exercise(name), check_variants=False)
    chosen: str | None = None
    if variant is not None:
        if variant in ex.variant_ids:
            chosen = str(ex.variant_paths[ex.variant_ids.index(variant)])
        elif Path(variant).is_file():
            chosen = variant
        else:
            known = ", ".join(ex.variant_ids) or "none"
            raise ScenarioError(str(ex.path), None, "variants", f"--variant {variant}: not one of this exercise's variants ({known})")
    elif ex.doc.play.variant is not None and not ex.doc.play.own_orders:
        chosen = str(ex.variant_paths[ex.doc.play.variant])
    return ex, ex.scenario_path, chosen, ex.doc.play.side


def briefing_lines(ex: Exercise, variant_path: str | None = None) -> tuple[str, list[tuple[str, str]]]:
    """Return the briefing screen of an exercise: its title and (heading, text) sections."""
    b = ex.doc.briefing
    playing = "the historical orders of battle (1938)"
    if variant_path is not None:
        stem = Path(variant_path).stem
        for vid, path, ref in zip(ex.variant_ids, ex.variant_paths, ex.doc.variants, strict=True):
            if path.stem == stem or vid == stem:
                playing = f"the what-if “{ref.label}”"
    sections = [
        ("Situation", b.situation),
        ("The question", b.question),
        ("Constraints", "\n".join(f"- {c}" for c in b.constraints)),
        ("You are playing", playing + (". " + b.task if b.task else "")),
        ("Afterwards", "Save the game at the end (F5, or Ctrl+S to choose the file) and hand the save file in: "
                       f"`khasan-sim exercise class {ex.id} FOLDER` places every game among the model's runs."),
    ]
    return f"Exercise: {ex.title}", sections

