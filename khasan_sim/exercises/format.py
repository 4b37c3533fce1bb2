"""The exercise file: a classroom what-if, validated like a scenario.

An exercise (``scenarios/exercises/<name>.yaml``) says what students are told, what
they are asked, which what-if variants of the historical scenario answer it, which
metrics (METRICS.md names) carry the answer, and what the teacher should know::

    exercise:
      id: round-the-swamp
      title: "The tanks and the swamp"
      lesson: terrain                       # the digest lesson it is built on
    briefing:
      situation: >- ...                     # what the students are told
      question: "Would the 3rd tank battalion have reached the Japanese line ..."
      constraints: ["...", "..."]
      task: >- ...                          # optional: what to do in class
    scenario: ../khasan_1938/historical.yaml
    variants:                               # zero or more what-ifs (none: own orders)
      - file: ../khasan_1938/variants/round-the-swamp.yaml
        label: "Round the stream valley"
    play: {side: soviet, own_orders: false}  # how the front end starts it
    questions:
      - text: "How many tanks reached the Japanese forward line on 6 August?"
        metrics: [tanks-3tb-reached]
    metrics:
      - id: tanks-3tb-reached
        record: tanks-3tb-reached-forward-line   # a record entry: metric, time, figure
        label: "3rd tank battalion: tanks at the Japanese forward line, 6 Aug"
      - id: killed
        metric: soviet.killed                    # or a metric of its own
        at: 1938-08-11T12:00                     # count and holder: when (default: the end)
        label: "Soviet killed"
    teacher:
      what_happened: >- ...
      evidence: >- ...
      discussion: ["...", "..."]
      sources: ["digest, The offensive: ...", "..."]

Errors name the file, line and field (the scenario loader's :func:`validate_model`
over :mod:`khasan_sim.scenario.yamlsrc`), e.g.
``round-the-swamp.yaml:31: metrics[0].kind: expected one of 'count', 'time', 'holder'``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from khasan_sim.errors import ScenarioError

Id = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9.-]*$", min_length=1, max_length=64)]
Text = Annotated[str, Field(min_length=1)]
_METRIC = re.compile(r"^[a-z][a-z0-9_-]*(\.[A-Za-z0-9_-]+)+$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Head(_Strict):
    """The exercise's name and the lesson it is built on."""

    id: Id
    title: Text
    lesson: Literal["terrain", "preparation", "training", "doctrine", "border", "command", "own-orders"]
    minutes: int = Field(default=45, ge=5, le=600)


class Briefing(_Strict):
    """What the students are told."""

    situation: Text
    question: Text
    constraints: list[Text] = Field(min_length=1)
    task: str = ""


class VariantRef(_Strict):
    """One what-if variant the exercise compares with the historical baseline."""

    file: Text
    label: Text


class Play(_Strict):
    """How the front end starts the exercise."""

    side: Literal["soviet", "japanese", "both", "none"] = "soviet"
    own_orders: bool = False
    variant: int | None = Field(default=None, ge=0)


class Question(_Strict):
    """A question to the students and the metrics (ids) that answer it."""

    text: Text
    metrics: list[Id] = Field(min_length=1)


class Metric(_Strict):
    """One figure that answers a question: a record entry, or a metric read at a time."""

    id: Id
    label: Text
    record: Id | None = None
    metric: str | None = None
    kind: Literal["count", "time", "holder"] | None = None
    at: datetime | None = None
    by: datetime | None = None
    side: Literal["soviet", "japanese"] = "soviet"
    better: Literal["higher", "lower", "none"] = "none"

    @model_validator(mode="after")
    def _one_source(self) -> Metric:
        if (self.record is None) == (self.metric is None):
            msg = "a metric needs exactly one of record: (a record entry id) or metric: (a METRICS.md name)"
            raise ValueError(msg)
        if self.metric is not None and not _METRIC.match(self.metric):
            msg = f"metric expected a METRICS.md name like soviet.killed or unit.2mb-3tb.tanks_reached.japanese-forward-line (got {self.metric!r})"
            raise ValueError(msg)
        return self

    @property
    def resolved_kind(self) -> str:
        """Return the kind: given, or from the metric's name."""
        if self.kind is not None:
            return self.kind
        name = self.metric or ""
        if name.endswith(".holder"):
            return "holder"
        if name.endswith(".first_soviet_hold"):
            return "time"
        return "count"


class Teacher(_Strict):
    """Notes for the teacher."""

    what_happened: Text
    evidence: Text
    sources: list[Text] = Field(min_length=1)
    discussion: list[Text] = Field(default_factory=list)


class ExerciseDoc(_Strict):
    """A whole exercise file."""

    exercise: Head
    briefing: Briefing
    scenario: Text = "../khasan_1938/historical.yaml"
    variants: list[VariantRef] = Field(default_factory=list)
    play: Play = Play()
    questions: list[Question] = Field(min_length=1)
    metrics: list[Metric] = Field(min_length=1)
    teacher: Teacher


@dataclass(frozen=True)
class Exercise:
    """A loaded exercise.

    Attributes:
        doc: The validated document.
        path: The exercise file.
        scenario_path: The base scenario, resolved.
        variant_paths: The variant files, resolved, in the order of ``doc.variants``.
        variant_ids: The variants' ids (``variant.id`` in each file).
    """

    doc: ExerciseDoc
    path: Path
    scenario_path: Path
    variant_paths: tuple[Path, ...]
    variant_ids: tuple[str, ...]

    @property
    def id(self) -> str:
        """Return the exercise id."""
        return self.doc.exercise.id

    @property
    def title(self) -> str:
        """Return the title."""
        return self.doc.exercise.title

    def metric(self, metric_id: str) -> Metric:
        """Return the metric with this id."""
        for m in self.doc.metrics:
            if m.id == metric_id:
                return m
        raise KeyError(metric_id)

    def label_of(self, variant_id: str | None) -> str:
        """Return the label of a variant id (None: the historical baseline)."""
        if variant_id is None:
            return "historical (baseline)"
        for vid, ref in zip(self.variant_ids, self.doc.variants, strict=True):
            if vid == variant_id:
                return ref.label
        return f"variant {variant_id} (not one of this exercise's)"


def _display(path: Path) -> str:
    import os

    try:
        rel = os.path.relpath(path)
    except ValueError:  # pragma: no cover
        return str(path)
    return str(path) if rel.startswith("..") else rel


def load_exercise(path: str | Path, *, record: Any = None, check_variants: bool = True) -> Exercise:
    """Read, validate and cross-check an exercise file.

    Args:
        path: The exercise file.
        record: The record (:class:`khasan_sim.record.Record`) that ``record:`` metrics
            name; default: the record file if one is found (not checked without one).
        check_variants: Read each variant with the scenario loader (document only, no
            terrain) so that a broken variant is reported with its own file and line.

    Raises:
        ScenarioError: The first problem, with the file, line and field.
    """
    from khasan_sim.scenario.builtin import resolve
    from khasan_sim.scenario.load import load_document, validate_model
    from khasan_sim.scenario.yamlsrc import SourceMap, load_yaml

    p = Path(path)
    name = _display(p)
    data = load_yaml(p, name)
    if not isinstance(data, dict):
        raise ScenarioError(name, 1, "", "an exercise file is a mapping with exercise:, briefing:, variants:, metrics:, teacher:")
    smap = SourceMap(data, name)
    doc = validate_model(ExerciseDoc, data, smap)
    here = p.resolve().parent

    ids = [m.id for m in doc.metrics]
    for i, m in enumerate(doc.metrics):
        if ids.index(m.id) != i:
            raise smap.error(("metrics", i, "id"), f"repeated metric id '{m.id}' (expected unique ids)")
    for i, q in enumerate(doc.questions):
        for j, mid in enumerate(q.metrics):
            if mid not in ids:
                raise smap.error(("questions", i, "metrics", j), f"no metric '{mid}' in metrics: (ids: {', '.join(ids)})")
    if doc.play.variant is not None and doc.play.variant >= len(doc.variants):
        raise smap.error(("play", "variant"), f"play.variant {doc.play.variant}: the exercise has {len(doc.variants)} variant(s) (0-based index)")

    if record is None:
        from khasan_sim.record import RecordError, load_record

        try:
            record = load_record()
        except RecordError:
            record = None
    if record is not None:
        known = [e.id for e in record.entries]
        for i, m in enumerate(doc.metrics):
            if m.record is not None and m.record not in known:
                raise smap.error(("metrics", i, "record"), f"no record entry '{m.record}' (entries: {', '.join(known)})")
            if m.at is not None and not record.start <= m.at <= record.end:
                raise smap.error(("metrics", i, "at"), f"outside the battle (expected {record.start:%Y-%m-%dT%H:%M} .. {record.end:%Y-%m-%dT%H:%M})")

    def find(name: str) -> Path:
        # beside the exercise; else as from the pack's folder (a copied exercise still finds the pack's files)
        got = resolve(name, here)
        return got if got.is_file() else resolve(name, exercises_dir())

    scenario_path = find(doc.scenario)
    if not scenario_path.is_file():
        raise smap.error(("scenario",), f"scenario file '{doc.scenario}' not found (looked beside the exercise and in the pack)")
    variant_paths: list[Path] = []
    variant_ids: list[str] = []
    for i, ref in enumerate(doc.variants):
        vp = find(ref.file)
        if not vp.is_file():
            raise smap.error(("variants", i, "file"), f"variant file '{ref.file}' not found (looked beside the exercise and in the pack)")
        vdata = load_yaml(vp, _display(vp))
        vid = vdata.get("variant", {}).get("id") if isinstance(vdata, dict) and isinstance(vdata.get("variant"), dict) else None
        if not isinstance(vid, str):
            raise smap.error(("variants", i, "file"), f"'{ref.file}' is not a variant file (expected a top-level variant: with an id)")
        if vid in variant_ids:
            raise smap.error(("variants", i, "file"), f"variant '{vid}' is listed twice")
        if check_variants:
            load_document(scenario_path, vp)
        variant_paths.append(vp)
        variant_ids.append(vid)
    return Exercise(doc, p, scenario_path, tuple(variant_paths), tuple(variant_ids))


def exercises_dir() -> Path:
    """Return the folder of the exercise pack (``scenarios/exercises``)."""
    from khasan_sim.scenario.builtin import data_root

    return data_root() / "scenarios" / "exercises"


def pack(folder: Path | None = None) -> list[Path]:
    """Return the exercise files of the pack, in the order of their numbers (exercise 10
    after 9, not after 1), then by name."""
    folder = folder or exercises_dir()
    if not folder.is_dir():
        return []

    def order(f: Path) -> tuple[int, str]:
        head = f.name.split("-", 1)[0]
        return (int(head) if head.isdigit() else 10**6, f.name)

    return sorted(folder.glob("*.yaml"), key=order)


def find_exercise(name: str, folder: Path | None = None) -> Path:
    """Return the file of the exercise *name* (an id, a file name, or a path).

    Raises:
        ScenarioError: No such exercise; the message lists the pack.
    """
    p = Path(name)
    if p.suffix in (".yaml", ".yml") and p.is_file():
        return p
    for f in pack(folder):
        if f.stem == name:
            return f
    names = ", ".join(f.stem for f in pack(folder)) or "none"
    import difflib

    close = difflib.get_close_matches(name, [f.stem for f in pack(folder)], n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    raise ScenarioError(name, None, "", f"no such exercise ({hint}the pack has: {names}; `khasan-sim exercise list` shows them)")
