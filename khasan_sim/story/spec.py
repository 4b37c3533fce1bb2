"""The story checks file (``scenarios/record/story.yaml``), as pydantic models (the file boundary).

The history digest (``../shared/history/khasan-1938.md``) says things about 6-11 August
that no entry of the record counts: the reconnaissance tank company stopped in the swampy
valley, the command tanks were among the first hit, the Japanese counter-attacked many
times on 7 August. Each **check** of the file turns one such statement into something a
single run can show:

* ``who``, ``what``, ``when``: the statement in short;
* ``words``: the digest's own words, quoted;
* ``observable``: in words, the value the check reads (``share of the company's 19
  tanks standing still in the valley at 20:00``);
* ``observe``: what to watch in a run (an observation ``kind`` and its unit, zone, times),
  recorded while the run plays into the ``story`` section of its result;
* ``threshold``: the value the observation must reach for the run to show the statement
  (``at_least``, ``at_most``, ``more_than``, ``less_than``, ``equals``, ``between``, or
  for a time, hours after the start, ``by`` a time or ``within`` two), with the ``reason`` drawn from the words;
* or, for a statement the model has no mechanism for, ``model_lacks``: why it cannot
  show it yet (the check is kept and reported as such, never dropped).

The file is read with the safe YAML loader that keeps lines (``yaml.SafeLoader``,
:mod:`khasan_sim.scenario.yamlsrc`), so an
error names ``story.yaml:LINE: checks[3].threshold: ...`` as the scenario loader does.
Only the ``observe`` blocks decide what a run records (:attr:`StoryFile.observe_digest`):
a threshold or a reason may be changed without running a study again.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from khasan_sim.errors import ScenarioError
from khasan_sim.scenario import builtin
from khasan_sim.terrain.types import TerrainClass

Id = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9.-]*$", min_length=1, max_length=64)]
Side = Literal["soviet", "japanese"]
Share = Annotated[float, Field(ge=0.0, le=1.0)]
Text = Annotated[str, Field(min_length=1)]


class StoryError(ScenarioError):
    """The story checks file is missing or malformed (``file:line: path: problem``)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Window(_Strict):
    """A span of battle time, ``from`` (inclusive) to ``to`` (exclusive)."""

    from_: datetime = Field(alias="from")
    to: datetime

    @model_validator(mode="after")
    def _ordered(self) -> _Window:
        if self.to <= self.from_:
            msg = f"to: not after from (expected a time after {self.from_:%Y-%m-%dT%H:%M}, got {self.to:%Y-%m-%dT%H:%M})"
            raise ValueError(msg)
        return self

    @property
    def settled_at(self) -> datetime:
        """The time from which the observation no longer changes."""
        return self.to


class TanksStoppedInZone(_Strict):
    """The share of a tank unit's tanks standing still (bogged, halted or knocked out)
    in a zone, or within ``near_m`` of it, at one time."""

    kind: Literal["tanks_stopped_in_zone"]
    unit: Id
    zone: Id
    near_m: float = Field(default=0.0, ge=0.0, le=2000.0)
    at: datetime

    @property
    def settled_at(self) -> datetime:
        """The time from which the observation no longer changes."""
        return self.at


class TanksBogged(_Window):
    """The share of a tank unit's tanks bogged at least once in the window (optionally
    only those that bogged within ``near_m`` of one of ``near_zones``)."""

    kind: Literal["tanks_bogged"]
    unit: Id
    near_zones: list[Id] = Field(default_factory=list)
    near_m: float = Field(default=0.0, ge=0.0, le=2000.0)


class TanksReached(_Window):
    """The share of a tank unit's tanks that entered a zone in the window."""

    kind: Literal["tanks_reached"]
    unit: Id
    zone: Id


class TanksKnockedOut(_Window):
    """The share of a tank unit's tanks knocked out in the window, optionally only by a
    cause (``artillery`` takes observed artillery too; a weapon id such as ``at37``);
    ``share_of: knocked_out`` gives it as a share of the tanks knocked out by any cause."""

    kind: Literal["tanks_knocked_out"]
    unit: Id
    cause: Id | None = None
    share_of: Literal["tanks", "knocked_out"] = "tanks"


class StuckOrHit(_Window):
    """Of a tank unit's tanks that did not enter ``zone`` in the window, the share that
    bogged within ``near_m`` of one of ``near_zones`` (or, with ``held_up``, were held up
    there behind a tank bogged on a crossing's lane) or were knocked out in it."""

    kind: Literal["stuck_or_hit"]
    unit: Id
    zone: Id
    near_zones: list[Id] = Field(min_length=1)
    near_m: float = Field(default=0.0, ge=0.0, le=2000.0)
    held_up: bool = False


class CommandTanksFirstHit(_Window):
    """The share of a tank unit's command tanks that are among the first ``per_command``
    times as many of its tanks knocked out in the window."""

    kind: Literal["command_tanks_first_hit"]
    unit: Id
    per_command: float = Field(default=2.0, ge=1.0, le=10.0)


class CommandLost(_Window):
    """1 if the tank unit lost its command (all its headquarters tanks, or most of its company commanders' tanks, out) in the window, else 0."""

    kind: Literal["command_lost"]
    unit: Id


class TanksClimbed(_Window):
    """Of the tanks sent against a zone in the window (those of units given it as their
    objective, and those sent apart by an attack order with ``tanks``), how many got up
    it: entered it, or with ``ground``, stood on that ground within it at a turn (the
    watch looks every turn). Cannot show when no tank was sent against it."""

    kind: Literal["tanks_climbed"]
    zone: Id
    ground: Id | None = None

    @field_validator("ground")
    @classmethod
    def _a_ground(cls, v: str | None) -> str | None:
        names = sorted(c.name.lower() for c in TerrainClass)
        if v is not None and v not in names:
            msg = f"expected a ground class, one of {', '.join(names)} (got '{v}')"
            raise ValueError(msg)
        return v


class BatteriesFiring(_Window):
    """The share of a side's batteries (artillery units with guns) that fired at least
    one volley in the window."""

    kind: Literal["batteries_firing"]
    side: Side


class BatteriesSilenced(_Strict):
    """The share of a side's batteries standing in ``zone`` at the start that are out of
    the fight by ``by``: lost at least ``guns_lost_share`` of their guns, or fired no
    volley from ``by`` to ``quiet_until``."""

    kind: Literal["batteries_silenced"]
    side: Side
    zone: Id
    by: datetime
    quiet_until: datetime
    guns_lost_share: Share = 0.5

    @property
    def settled_at(self) -> datetime:
        """The time from which the observation no longer changes."""
        return self.quiet_until


class MenLost(_Strict):
    """The share of a side's men killed, wounded or missing by ``at`` (of its ground
    units, or only those dug in at the start: trenches or fortified)."""

    kind: Literal["men_lost"]
    side: Side
    at: datetime
    dug_in_only: bool = False

    @property
    def settled_at(self) -> datetime:
        """The time from which the observation no longer changes."""
        return self.at


class Counterattacks(_Window):
    """How many counter-attacks a side launched in the window."""

    kind: Literal["counterattacks"]
    side: Side


class ZonesPassedTo(_Window):
    """How many times one of the zones passed to ``side`` in the window."""

    kind: Literal["zones_passed_to"]
    side: Side
    zones: list[Id] = Field(min_length=1)


class GroundKept(_Window):
    """Hours from ``from``, without a break, during which ``side`` had at least
    ``min_men`` men on the other side's ground within ``within_m`` of a zone's centre
    (looked at every turn)."""

    kind: Literal["ground_kept"]
    side: Side
    zone: Id
    within_m: float = Field(gt=0.0, le=5000.0)
    min_men: int = Field(default=1, ge=1)


class HoldersKept(_Window):
    """How many of the zones had another holder at ``to`` than at ``from``."""

    kind: Literal["holders_kept"]
    zones: list[Id] = Field(min_length=1)


class Metric(_Strict):
    """A METRICS.md metric read at ``at`` (``objective.<zone>.first_soviet_hold`` is
    hours after the start, or null for never)."""

    kind: Literal["metric"]
    metric: Text
    at: datetime

    @property
    def settled_at(self) -> datetime:
        """The time from which the observation no longer changes."""
        return self.at


class LossesRatio(_Strict):
    """One side's men killed, wounded and missing divided by the other's, at ``at``."""

    kind: Literal["losses_ratio"]
    side: Side
    at: datetime

    @property
    def settled_at(self) -> datetime:
        """The time from which the observation no longer changes."""
        return self.at


class GunsLost(_Window):
    """How many guns of a side's units of one type were lost in the window; with
    ``by_unit``, only those destroyed by that (tank) unit's fire: wrecked by it, or left
    behind by a crew its fire had hit before (the guns abandoned as the unit fell back)."""

    kind: Literal["guns_lost"]
    side: Side
    unit_type: Id
    by_unit: Id | None = None


Observation = Annotated[
    TanksStoppedInZone
    | TanksBogged
    | TanksReached
    | TanksKnockedOut
    | StuckOrHit
    | CommandTanksFirstHit
    | CommandLost
    | TanksClimbed
    | BatteriesFiring
    | BatteriesSilenced
    | MenLost
    | Counterattacks
    | ZonesPassedTo
    | GroundKept
    | HoldersKept
    | Metric
    | LossesRatio
    | GunsLost,
    Field(discriminator="kind"),
]
OBSERVATION_KINDS: tuple[str, ...] = tuple(
    m.model_fields["kind"].annotation.__args__[0]  # type: ignore[union-attr]
    for m in (
        TanksStoppedInZone,
        TanksBogged,
        TanksReached,
        TanksKnockedOut,
        StuckOrHit,
        CommandTanksFirstHit,
        CommandLost,
        TanksClimbed,
        BatteriesFiring,
        BatteriesSilenced,
        MenLost,
        Counterattacks,
        ZonesPassedTo,
        GroundKept,
        HoldersKept,
        Metric,
        LossesRatio,
        GunsLost,
    )
)


class Threshold(_Strict):
    """What the observed value must be for the run to show the statement (one test)."""

    at_least: float | None = None
    at_most: float | None = None
    more_than: float | None = None
    less_than: float | None = None
    equals: float | str | None = None
    between: tuple[float, float] | None = None
    by: datetime | None = None
    within: tuple[datetime, datetime] | None = None

    @model_validator(mode="after")
    def _one(self) -> Threshold:
        given = [k for k, v in self.model_dump().items() if v is not None]
        if len(given) != 1:
            names = "at_least, at_most, more_than, less_than, equals, between, by, within"
            msg = f"expected exactly one of {names} (got {', '.join(given) or 'none'})"
            raise ValueError(msg)
        for name in ("between", "within"):
            pair = getattr(self, name)
            if pair is not None and pair[1] < pair[0]:
                msg = f"{name}: expected [low, high] with low <= high (got {list(pair)})"
                raise ValueError(msg)
        return self

    @property
    def test(self) -> str:
        """The name of the test given."""
        return next(k for k, v in self.model_dump().items() if v is not None)

    def text(self) -> str:
        """The threshold in words, e.g. ``at least 0.5``, ``by 9 August 00:00``."""
        name = self.test
        value = getattr(self, name)
        if name == "by":
            return f"by {_when(value)}"
        if name == "within":
            return f"from {_when(value[0])} to {_when(value[1])}"
        if name == "between":
            return f"from {value[0]:g} to {value[1]:g}"
        shown = f"{value:g}" if isinstance(value, float) else str(value)
        return f"{name.replace('_', ' ')} {shown}"


def _when(t: datetime) -> str:
    return f"{t.day} {t:%B %H:%M}"


#: Observation kinds whose value is a share (0 to 1), shown as a percentage.
SHARE_KINDS = frozenset(
    {
        "tanks_stopped_in_zone",
        "tanks_bogged",
        "tanks_reached",
        "tanks_knocked_out",
        "stuck_or_hit",
        "command_tanks_first_hit",
        "batteries_firing",
        "batteries_silenced",
        "men_lost",
    }
)


class Check(_Strict):
    """One statement of the digest as a check on a run."""

    id: Id
    who: Text
    what: Text
    when: Text
    words: Text
    observable: Text
    observe: Observation | None = None
    threshold: Threshold | None = None
    reason: Text
    model_lacks: str | None = None

    @property
    def is_share(self) -> bool:
        """True if the observed value is a share (0 to 1)."""
        return self.observe is not None and self.observe.kind in SHARE_KINDS

    def threshold_text(self) -> str:
        """The threshold in words, shares as percentages (``at least 50%``)."""
        if self.threshold is None:
            return "–"
        t = self.threshold
        if self.is_share and t.test in ("at_least", "at_most", "more_than", "less_than"):
            return f"{t.test.replace('_', ' ')} {100 * getattr(t, t.test):g}%"
        return t.text()

    @property
    def observe_key(self) -> str:
        """A short digest of what the check observes (a stored observation made with
        another ``observe`` block is not read)."""
        doc = None if self.observe is None else self.observe.model_dump(mode="json", by_alias=True)
        return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()[:12]

    @model_validator(mode="after")
    def _complete(self) -> Check:
        if self.model_lacks is None and (self.observe is None or self.threshold is None):
            msg = "observe and threshold are required (or model_lacks: why the model cannot show it yet)"
            raise ValueError(msg)
        if self.model_lacks is not None and self.observe is not None:
            msg = "model_lacks: a check the model cannot show observes nothing (drop observe)"
            raise ValueError(msg)
        return self


class StoryFile(_Strict):
    """The story checks of one scenario."""

    scenario: Id
    digest: Text
    checks: list[Check] = Field(min_length=1)

    file: str = ""

    @property
    def observe_digest(self) -> str:
        """sha256 of what the checks observe: a study recorded with another digest
        watched other things (its observations are not read)."""
        doc = [
            [c.id, None if c.observe is None else c.observe.model_dump(mode="json", by_alias=True)]
            for c in self.checks
        ]
        return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()

    def check(self, check_id: str) -> Check:
        """Return the check *check_id*.

        Raises:
            KeyError: No such check.
        """
        for c in self.checks:
            if c.id == check_id:
                return c
        msg = f"{self.file or 'story'}: no check {check_id!r}"
        raise KeyError(msg)


def story_path() -> Path | None:
    """Return the built-in story checks file (``scenarios/record/story.yaml``), or None."""
    path = builtin.data_root() / "scenarios" / "record" / "story.yaml"
    return path if path.is_file() else None


def parse_story(data: Any, file: str, smap: Any = None) -> StoryFile:
    """Validate a parsed story document.

    Args:
        data: The document (from :func:`khasan_sim.scenario.yamlsrc.parse_yaml`, or plain).
        file: The file name for messages.
        smap: Its source map (lines); made from *data* when None.

    Raises:
        StoryError: The document does not fit (file, line, field, problem).
    """
    from khasan_sim.scenario.load import validate_model
    from khasan_sim.scenario.yamlsrc import SourceMap

    smap = smap if smap is not None else SourceMap(data, file)
    if not isinstance(data, dict):
        raise StoryError(
            file,
            1,
            "",
            f"expected a mapping with scenario, digest and checks (got {type(data).__name__})",
        )
    try:
        story = validate_model(StoryFile, data, smap)
    except ScenarioError as exc:
        raise StoryError(exc.file, exc.line, exc.path, exc.problem) from None
    seen: dict[str, int] = {}
    for i, c in enumerate(story.checks):
        if c.id in seen:
            raise _error(
                smap,
                ("checks", i, "id"),
                f"duplicate check id '{c.id}' (first at line {smap.line(('checks', seen[c.id]))})",
            )
        seen[c.id] = i
    return story.model_copy(update={"file": file})


def _error(smap: Any, path: tuple[str | int, ...], problem: str) -> StoryError:
    e = smap.error(path, problem)
    return StoryError(e.file, e.line, e.path, problem)


_CACHE: dict[tuple[str, int, int], StoryFile] = {}


def load_story(path: str | os.PathLike[str] | None = None) -> StoryFile:
    """Read and validate a story checks file (kept per process while the file is unchanged).

    Args:
        path: The file; default :func:`story_path`.

    Raises:
        StoryError: The file is missing, not YAML, or malformed; the message names the
            file, the line and the field.
    """
    from khasan_sim.scenario.yamlsrc import SourceMap, parse_yaml

    if path is None:
        path = story_path()
        if path is None:
            raise StoryError(
                "story.yaml", None, "", "no such file (looked for scenarios/record/story.yaml)"
            )
    p = Path(path)
    name = str(path)
    try:
        st = p.stat()
        key = (str(p.resolve()), st.st_mtime_ns, st.st_size)
        hit = _CACHE.get(key)
        if hit is not None:
            return hit
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise StoryError(name, None, "", "no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise StoryError(
            name, None, "", f"cannot read file ({getattr(exc, 'strerror', None) or exc})"
        ) from None
    try:
        data = parse_yaml(text, name)
    except ScenarioError as exc:
        raise StoryError(exc.file, exc.line, exc.path, exc.problem) from None
    story = parse_story(data, name, SourceMap(data, name) if data is not None else None)
    _CACHE.clear()
    _CACHE[key] = story
    return story
