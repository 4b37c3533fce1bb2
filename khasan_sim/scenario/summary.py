"""Forces by side, zones, rules and orders of a scenario, for ``khasan-sim scenario check``.

Pure data: the CLI draws the tables. Guns are the weapons whose parameters give a
gun ``category`` (``weapons.<type>.category``: field gun, howitzer, mountain gun,
anti-tank, anti-aircraft); when a weapon has no category the id decides
(``gun-*``, ``how-*``, ``at*``, ``mtn-*``, ``aa-*``), and machine guns never count.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from khasan_sim.model.params import ParamSet
from khasan_sim.scenario.schema import SIDES, ScenarioDoc

GUN_CATEGORIES: frozenset[str] = frozenset(
    {"artillery", "field-gun", "howitzer", "mountain-gun", "infantry-gun", "anti-tank", "anti-aircraft", "gun"}
)
GUN_PREFIXES: tuple[str, ...] = ("gun", "how", "at", "mtn", "aa")


def is_gun(weapon: str, params: ParamSet | None = None) -> bool:
    """Return True if *weapon* is an artillery, anti-tank or anti-aircraft gun.

    Args:
        weapon: The weapon type id (``how-122``, ``at45``, ``lmg``).
        params: Parameters holding ``weapons.<type>.category``, if available.
    """
    words = weapon.replace("_", "-").split("-")
    if "mg" in words or weapon.endswith("mg"):
        return False
    category = params.get(f"weapons.{weapon}.category") if params is not None else None
    if category is not None:
        return str(category).lower() in GUN_CATEGORIES
    return weapon.startswith(GUN_PREFIXES)


@dataclass
class SideForces:
    """What one side fields at the start.

    Attributes:
        side: ``soviet`` or ``japanese``.
        name: The side's name in the scenario.
        controller: Who gives the side's orders.
        units: Number of units.
        men: Men at the start.
        tanks: Tanks by model.
        command_tanks: Command tanks among them.
        guns: Guns by weapon type.
        aircraft: Aircraft by type.
        orders: Orders for the side's units.
    """

    side: str
    name: str = ""
    controller: str = ""
    units: int = 0
    men: int = 0
    tanks: Counter[str] = field(default_factory=Counter)
    command_tanks: int = 0
    guns: Counter[str] = field(default_factory=Counter)
    aircraft: Counter[str] = field(default_factory=Counter)
    orders: int = 0


@dataclass
class ScenarioSummary:
    """Everything ``scenario check`` prints.

    Attributes:
        id: Scenario id.
        title: Title (with the variant's).
        start: Start time.
        end: End time.
        sides: Forces per side, Soviet first.
        zones: (id, name, kind, vertices) per zone.
        rules: (rule, setting) lines for the rules in force.
        orders: Number of orders.
        first_order: Time of the earliest order, or None.
        last_order: Time of the latest order, or None.
        order_kinds: Orders by kind.
        digest: The scenario digest, if loaded.
    """

    id: str
    title: str
    start: datetime
    end: datetime
    sides: list[SideForces]
    zones: list[tuple[str, str, str, int]]
    rules: list[tuple[str, str]]
    orders: int
    first_order: datetime | None
    last_order: datetime | None
    order_kinds: Counter[str]
    digest: str = ""


def _hm(t: datetime) -> str:
    return t.isoformat(timespec="minutes")


def summarize(doc: ScenarioDoc, params: ParamSet | None = None, *, title: str | None = None, digest: str = "") -> ScenarioSummary:
    """Return the forces by side, zones, rules and orders of a validated scenario.

    Args:
        doc: The validated scenario document.
        params: Parameters, used to tell guns from other weapons.
        title: Title to show (defaults to the document's).
        digest: The scenario digest to show.
    """
    sides = {s: SideForces(s) for s in SIDES}
    for s, spec in doc.sides.items():
        sides[s].name = spec.name
        sides[s].controller = spec.controller
    side_of: dict[str, str] = {}
    for u in doc.units:
        f = sides[u.side]
        side_of[u.id] = u.side
        f.units += 1
        f.men += u.men
        for g in u.tanks:
            f.tanks[g.model] += g.count
            f.command_tanks += g.command
        for w, n in u.weapons.items():
            if is_gun(w, params) and n > 0:
                f.guns[w] += n
        for a, n in u.aircraft.items():
            if n > 0:
                f.aircraft[a] += n
    kinds: Counter[str] = Counter()
    for o in doc.orders:
        kinds[o.kind] += 1
        ids = o.unit_ids
        if ids and ids[0] in side_of:
            sides[side_of[ids[0]]].orders += 1
    rules: list[tuple[str, str]] = []
    r = doc.rules
    if r.no_border_crossing:
        rules.append(("no border crossing", ", ".join(r.no_border_crossing)))
    for ex in r.artillery_exclusion:
        rules.append(("artillery exclusion", f"{ex.side}: no fire within {ex.distance_m:.0f} m of the border"))
    for w in r.weather:
        what = f"fog, visibility {w.visibility_m:.0f} m" if w.fog else f"visibility {w.visibility_m:.0f} m"
        rules.append(("weather", f"{_hm(w.start)} to {_hm(w.end)}: {what}"))
    if r.ceasefire is not None:
        rules.append(("ceasefire", f"agreed {_hm(r.ceasefire.agreed)}: each side keeps its positions, no new attacks"))
    if r.daylight is not None:
        rules.append(("daylight", f"dawn {r.daylight.dawn}, dusk {r.daylight.dusk}"))
    times = [o.at for o in doc.orders]
    return ScenarioSummary(
        id=doc.scenario.id,
        title=title or doc.scenario.title,
        start=doc.scenario.start,
        end=doc.scenario.end,
        sides=[sides[s] for s in SIDES if sides[s].units or s in doc.sides],
        zones=[(z.id, z.name, z.kind, len(z.polygon)) for z in doc.zones],
        rules=rules,
        orders=len(doc.orders),
        first_order=min(times) if times else None,
        last_order=max(times) if times else None,
        order_kinds=kinds,
        digest=digest,
    )
