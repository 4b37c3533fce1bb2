"""The scenario file format, as pydantic models (the file boundary).

Every model forbids unknown keys, so a misspelt field is an error that names it.
Coordinates are metres on the local grid of ``assets/terrain/khasan.yaml``
(x east, y north, origin at 42.39 N 130.55 E; see ../shared/history/geography.md).
Times are local battle time, ISO 8601 without zone (``1938-08-06T16:55``).

The JSON Schema for editors is exported by ``khasan-sim scenario schema``.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

Side = Literal["soviet", "japanese"]
SIDES: tuple[str, str] = ("soviet", "japanese")
Id = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9.-]*$", min_length=1, max_length=64)]
Point = tuple[float, float]


def _no_zone(t: datetime) -> datetime:
    if t.tzinfo is not None:
        msg = f"a time of the battle is local time, without a time zone (write {t.replace(tzinfo=None).isoformat(timespec='minutes')})"
        raise ValueError(msg)
    return t


#: A time of the battle: local time, as the sources give it, without a time zone (a zone
#: would make one file's times incomparable with another's).
BattleTime = Annotated[datetime, AfterValidator(_no_zone)]


class Strict(BaseModel):
    """Base: unknown keys are errors; values are immutable once loaded."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class UnitType(str, Enum):  # noqa: UP042 (StrEnum would change how its members format)
    """What a unit is, which decides its map symbol and its mobility class."""

    RIFLE = "rifle"
    BORDER_GUARD = "border-guard"
    MACHINE_GUN = "machine-gun"
    TANK = "tank"
    ARTILLERY = "artillery"
    ANTI_TANK = "anti-tank"
    ANTI_AIRCRAFT = "anti-aircraft"
    ENGINEER = "engineer"
    HEADQUARTERS = "headquarters"
    AIR = "air"


class Training(str, Enum):  # noqa: UP042 (StrEnum would change how its members format)
    """Training level; morale thresholds and fire effectiveness depend on it."""

    POOR = "poor"
    FAIR = "fair"
    GOOD = "good"
    ELITE = "elite"


class Entrenchment(str, Enum):  # noqa: UP042 (StrEnum would change how its members format)
    """How well a unit is dug in at the start."""

    NONE = "none"
    HASTY = "hasty"
    TRENCHES = "trenches"
    FORTIFIED = "fortified"


class TankGroup(Strict):
    """A group of tanks of one model; expanded into individual vehicles on load.

    ``command`` of them carry the conspicuous handrail radio antenna of command
    tanks (history digest: the battalion and company commanders' tanks); the first
    ``headquarters`` of those are the unit's own headquarters' (a battalion's commander,
    commissar and chief of staff), the others lead its companies. A unit's control breaks
    down when every headquarters tank, or most company commanders' tanks, are out of
    action (engine/systems/tank_losses.py). ``ids`` may name the vehicles one by one; otherwise
    they are numbered.
    """

    model: Id
    count: int = Field(ge=1, le=500)
    command: int = Field(default=0, ge=0)
    headquarters: int = Field(default=0, ge=0)
    ids: list[Id] | None = None
    source: str | None = None

    @model_validator(mode="after")
    def _check(self) -> TankGroup:
        if self.command > self.count:
            msg = f"command ({self.command}) cannot exceed count ({self.count})"
            raise ValueError(msg)
        if self.headquarters > self.command:
            msg = f"headquarters ({self.headquarters}) cannot exceed command ({self.command}): headquarters tanks are command tanks"
            raise ValueError(msg)
        if self.ids is not None and len(self.ids) != self.count:
            msg = f"ids lists {len(self.ids)} vehicles but count is {self.count}"
            raise ValueError(msg)
        return self


class Unit(Strict):
    """One unit of the order of battle (company, battalion, regiment, battery, air group)."""

    id: Id
    side: Side
    name: str
    type: UnitType
    parent: Id | None = None
    position: Point | None = None
    men: int = Field(ge=0, le=50_000)
    weapons: dict[Id, int] = Field(default_factory=dict)
    tanks: list[TankGroup] = Field(default_factory=list)
    aircraft: dict[Id, int] = Field(default_factory=dict)
    ammunition_rounds: int | None = Field(default=None, ge=0)
    training: Training = Training.FAIR
    morale: float = Field(default=0.7, ge=0.0, le=1.0)
    entrenchment: Entrenchment = Entrenchment.NONE
    wire: bool = False
    source: str | None = None

    @field_validator("weapons", "aircraft")
    @classmethod
    def _non_negative(cls, v: dict[str, int]) -> dict[str, int]:
        for k, n in v.items():
            if n < 0:
                msg = f"count of '{k}' must be >= 0 (got {n})"
                raise ValueError(msg)
        return v

    @model_validator(mode="after")
    def _check(self) -> Unit:
        if self.type is not UnitType.AIR and self.position is None:
            msg = "position is required for every unit except air units"
            raise ValueError(msg)
        if self.type is UnitType.AIR and not self.aircraft:
            msg = "an air unit needs aircraft: {type: count}"
            raise ValueError(msg)
        return self

    @property
    def tank_count(self) -> int:
        """Return the number of tanks in the unit."""
        return sum(g.count for g in self.tanks)


class Zone(Strict):
    """An objective or named area: a polygon on the local grid."""

    id: Id
    name: str
    kind: Literal["height", "line", "village", "area"] = "area"
    polygon: list[Point] = Field(min_length=3)
    source: str | None = None


class SideSpec(Strict):
    """One side: its name, nation and the controller that gives its orders.

    ``commander-ai`` (``commander-ai-easy``, ``commander-ai-hard``): the computer commander
    of :mod:`khasan_sim.ai` at its normal (easy, hard) level gives the side's orders
    through the public API; the recorded orders are not played.
    """

    name: str
    controller: Literal[
        "historical-orders", "japanese-doctrine", "player", "idle", "commander-ai", "commander-ai-easy", "commander-ai-hard"
    ]


class WeatherSpell(Strict):
    """A spell of weather: fog limits visibility (and grounds aircraft)."""

    start: BattleTime = Field(alias="from")
    end: BattleTime = Field(alias="to")
    fog: bool = False
    visibility_m: float = Field(default=5000.0, gt=0)
    source: str | None = None


class Daylight(Strict):
    """Local times of dawn and dusk (civil twilight); night lies between dusk and dawn."""

    dawn: str = Field(pattern=r"^\d{2}:\d{2}$")
    dusk: str = Field(pattern=r"^\d{2}:\d{2}$")
    source: str | None = None


class ArtilleryExclusion(Strict):
    """A side's artillery may not fire within *distance_m* of the border."""

    side: Side
    distance_m: float = Field(ge=0)
    source: str | None = None


class Ceasefire(Strict):
    """The ceasefire agreed at *agreed*: from then each side keeps the positions it holds.

    No side's own command launches a new attack after it: the Japanese doctrine's
    counter-attacks (local and deliberate) stop, and the commander AI gives no attack
    order. A player's orders still go: a player may break the agreement.
    """

    agreed: BattleTime
    source: str | None = None


class Rules(Strict):
    """The rules in force. A variant lifts one by replacing it."""

    no_border_crossing: list[Side] = Field(default_factory=list)
    artillery_exclusion: list[ArtilleryExclusion] = Field(default_factory=list)
    weather: list[WeatherSpell] = Field(default_factory=list)
    daylight: Daylight | None = None
    ceasefire: Ceasefire | None = None


Target = Id | Point


class _OrderBase(Strict):
    id: Id | None = None
    at: BattleTime
    unit: Id | None = None
    units: list[Id] | None = None
    note: str | None = None
    source: str | None = None

    @model_validator(mode="after")
    def _one_unit(self) -> _OrderBase:
        if (self.unit is None) == (self.units is None):
            msg = "give exactly one of unit (one id) or units (a list of ids)"
            raise ValueError(msg)
        return self

    @property
    def unit_ids(self) -> list[str]:
        """Return the ids of the units this order is for."""
        return [self.unit] if self.unit is not None else list(self.units or [])


class MoveOrder(_OrderBase):
    """Move to a zone or point, through optional waypoints (a route)."""

    kind: Literal["move"]
    to: Target
    route: list[Point] = Field(default_factory=list)


Formation = Literal["column", "deployed"]


class AttackOrder(_OrderBase):
    """Move to contact and assault a zone (the objective), through optional waypoints.

    With ``tanks: N`` (a tank unit only) the order sends N of the unit's tanks that can
    move, those nearest the objective, and the rest of the unit keeps its own order (a
    commander sending some of his tanks against another target). ``formation`` (a tank
    unit only): ``column``, the tanks setting off one after another at the march
    column's interval (``engine.tank_spacing_min``), or ``deployed``, in battle order at
    the deployed interval (``engine.deployed_spacing_min``)."""

    kind: Literal["attack"]
    objective: Id
    route: list[Point] = Field(default_factory=list)
    tanks: int | None = Field(default=None, ge=1)
    formation: Formation = "column"


class DefendOrder(_OrderBase):
    """Hold where the unit stands or in a zone."""

    kind: Literal["defend"]
    zone: Id | None = None


class WithdrawOrder(_OrderBase):
    """Fall back to a zone or point."""

    kind: Literal["withdraw"]
    to: Target
    route: list[Point] = Field(default_factory=list)


class DigInOrder(_OrderBase):
    """Stop and improve the position."""

    kind: Literal["dig_in"]


class FireMissionOrder(_OrderBase):
    """Artillery fire on an area for a duration."""

    kind: Literal["fire_mission"]
    mission: Literal["preparation", "barrage", "support", "counter_battery"]
    target: Target
    radius_m: float = Field(default=250.0, gt=0, le=3000)
    duration_min: float = Field(gt=0, le=24 * 60)
    rounds: int | None = Field(default=None, ge=1)


class AirStrikeOrder(_OrderBase):
    """A strike by an air unit's aircraft on an area.

    ``in_fog``: ``wait`` (up to three hours) for the visibility the aircraft need, or
    ``press_on`` at the ordered time, when the bombs scatter wider and the strafing
    finds less the poorer the visibility.
    """

    kind: Literal["air_strike"]
    target: Target
    radius_m: float = Field(default=400.0, gt=0, le=5000)
    sorties: dict[Id, int] | None = None
    strafing: bool = True
    in_fog: Literal["wait", "press_on"] = "wait"


class CrossingSite(Strict):
    """Where sappers are to make a crossing over the stream: its id, point and capacity."""

    id: Id
    at: Point
    capacity: int = Field(default=1, ge=1, le=4)


class BuildCrossingOrder(_OrderBase):
    """Engineers go to the sites and make crossings over the stream, all at once.

    Each crossing takes ``engineering.crossing_effort_man_h`` (varying from site to
    site); the unit's men are shared between the sites. Once a crossing stands,
    vehicles ordered to move after that can route over it and queue at it like the
    terrain's own crossings. A new order to the unit stops the work.
    """

    kind: Literal["build_crossing"]
    sites: list[CrossingSite] = Field(min_length=1, max_length=4)

    @model_validator(mode="after")
    def _distinct(self) -> BuildCrossingOrder:
        ids = [s.id for s in self.sites]
        if len(set(ids)) != len(ids):
            msg = f"site ids must be distinct (got {', '.join(ids)})"
            raise ValueError(msg)
        return self


Order = Annotated[
    MoveOrder
    | AttackOrder
    | DefendOrder
    | WithdrawOrder
    | DigInOrder
    | FireMissionOrder
    | AirStrikeOrder
    | BuildCrossingOrder,
    Field(discriminator="kind"),
]


class Meta(Strict):
    """What the scenario is, where it plays, when it starts and ends."""

    id: Id
    title: str
    description: str = ""
    map: str
    start: BattleTime
    end: BattleTime
    turn_minutes: int = Field(default=30, ge=5, le=24 * 60)
    params: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _times(self) -> Meta:
        if self.end <= self.start:
            msg = f"end ({self.end.isoformat()}) must be after start ({self.start.isoformat()})"
            raise ValueError(msg)
        return self


class ScenarioDoc(Strict):
    """A whole scenario file."""

    scenario: Meta
    sides: dict[Side, SideSpec]
    units: list[Unit] = Field(min_length=1)
    zones: list[Zone] = Field(default_factory=list)
    rules: Rules = Field(default_factory=Rules)
    orders: list[Order] = Field(default_factory=list)


class VariantChange(Strict):
    """One change: a path into the base document and, for replace/add, the new value.

    Paths use dots for keys and ``[id]`` or ``[index]`` for list items, e.g.
    ``units[2mb-3tb].training``, ``rules.no_border_crossing``, ``orders[o-3tb-attack].route``.
    """

    path: str
    value: object = None


class VariantMeta(Strict):
    """What the variant is and which scenario it changes."""

    id: Id
    title: str
    description: str = ""
    base: str


class VariantDoc(Strict):
    """A what-if: a base scenario and the changes made to it, applied in order."""

    variant: VariantMeta
    replace: list[VariantChange] = Field(default_factory=list)
    remove: list[str] = Field(default_factory=list)
    add: list[VariantChange] = Field(default_factory=list)
