"""The schema of the event log: every kind of event a run writes, every field, its type and unit.

This is the one description of the events: ``docs/events.md`` is written from it
(``python -m khasan_sim.analysis.event_schema > docs/events.md``), the exports of
``khasan-sim run --events`` and ``khasan-sim export --events`` carry its
:data:`SCHEMA_VERSION`, and a test runs the historical scenario and checks that every
event is described here (kind, fields, types), so a new field or kind cannot go
unexplained.

Every exported row has the columns of :data:`ROW_FIELDS` first, then the event's fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: Raised when a field is added, removed or changes meaning (readers check it).
SCHEMA_VERSION = 2


@dataclass(frozen=True)
class Field:
    """One field of an event.

    Attributes:
        type: ``str``, ``int`` or ``float`` (``int`` flags are 0 or 1), or ``list`` (of
            ids) or ``dict`` (name: number), which Parquet holds as JSON text.
        unit: Its unit (``m``, ``men``, ``fraction``, ``min``...), or ``-``.
        text: What it is.
        optional: True if only some events of the kind carry it (see the text).
        nullable: True if it may be null (written ``-`` in the digest line).
        derived: How the export works it out from the event's other fields, if the log does
            not hold it (the log stays smaller and cheaper; :func:`derived_fields`).
    """

    type: str
    unit: str
    text: str
    optional: bool = False
    nullable: bool = False
    derived: str = ""


@dataclass(frozen=True)
class Kind:
    """One kind of event: what it means and its fields."""

    text: str
    fields: dict[str, Field]


def _f(type_: str, unit: str, text: str, **kw: Any) -> Field:
    return Field(type_, unit, text, **kw)


STR, INT, FLOAT, LIST, DICT = "str", "int", "float", "list", "dict"
_UNIT = _f(STR, "-", "the unit it happened to (its id)")
_TANK = _f(STR, "-", "the tank (its id)")
_TANK_UNIT = _f(STR, "-", "the tank's unit")
_X = _f(FLOAT, "m", "map x (east) of the place")
_Y = _f(FLOAT, "m", "map y (north) of the place")
_ORDER = _f(STR, "-", "the order's id (its kind when it has none)")

#: The columns every exported row has before the event's own fields.
#: The terms of a morale_state event's change, each a ``d_<term>`` field (and an exported
#: ``share_<term>``), in the order the engine sums them.
MORALE_TERMS: tuple[str, ...] = (
    "losses", "suppression", "leader_lost", "zone_lost", "neighbour_withdrew", "penetration", "night", "rest", "clip",
)

ROW_FIELDS: dict[str, Field] = {
    "run_index": _f(INT, "-", "the run's index in the study (study export only)", optional=True),
    "seed": _f(INT, "-", "the run's seed"),
    "seq": _f(INT, "-", "the event's place in the run's log, from 0"),
    "t_s": _f(INT, "s", "simulated seconds since the scenario's start"),
    "time": _f(STR, "-", "the battle time, ISO 8601 (local time of the scenario)"),
    "kind": _f(STR, "-", "the event's kind (below)"),
}

_CASUALTY_CAUSE = (
    "what hit it: `direct-fire`, `artillery:<battery>` or `air:<air unit>`"
)

KINDS: dict[str, Kind] = {
    # ------------------------------------------------------------------ losses
    "casualties": Kind(
        "A unit lost men to fire, with the fire's cause and the figures the draw used. The "
        "men hit are drawn from Binomial(men, p_hit), p_hit = 1 - exp(-expected / men). Direct "
        "fire on a unit in one pulse adds the fire of every firer that engaged it; `firer` is "
        "the one that added most, `firer_share` its part of `expected`.",
        {
            "unit": _UNIT,
            "killed": _f(INT, "men", "killed"),
            "wounded": _f(INT, "men", "wounded"),
            "missing": _f(INT, "men", "missing"),
            "cause": _f(STR, "-", _CASUALTY_CAUSE),
            "firer": _f(STR, "-", "the firing unit, tank (direct fire), battery or air unit"),
            "weapon": _f(STR, "-", "the firer's weapon that added most (a weapon id; a tank model for a tank's gun and machine guns; an aircraft type)"),
            "expected": _f(FLOAT, "men", "expected casualties of the fire (all firers of the pulse for direct fire)"),
            "p_hit": _f(FLOAT, "fraction", "the chance of each man being hit, as drawn"),
            "range_m": _f(FLOAT, "m", "range from the firer to the unit (direct fire, artillery)", optional=True),
            "cover": _f(FLOAT, "fraction", "direct fire: the cover of the ground the unit stands on (terrain)", optional=True),
            "exposure": _f(FLOAT, "fraction", "direct fire: the unit's exposure as used (ground cover and concealment x entrenchment x moving)", optional=True),
            "firer_suppression": _f(FLOAT, "fraction", "direct fire: the firer's suppression, which cut its fire by as much", optional=True),
            "firer_share": _f(FLOAT, "fraction", "direct fire: the firer's share of `expected`", optional=True),
            "firers": _f(INT, "units", "direct fire: how many firers added to `expected`", optional=True),
            "from_aim_m": _f(FLOAT, "m", "artillery, air: the unit's distance from the aiming point", optional=True),
            "rounds": _f(FLOAT, "rounds", "artillery: the volley's rounds falling on the unit's area", optional=True),
            "posture": _f(FLOAT, "factor", "artillery, air: the lethality factor of the unit's posture (entrenchment; times artillery.taking_cover.lethality_share when it was already under fire, at least 1 on the move; 0 when only strafed)", optional=True),
            "mission": _f(STR, "-", "artillery: the fire mission (`destruction`, `counter_battery`...)", optional=True),
            "bombs": _f(FLOAT, "bombs", "air: bombs falling on the unit's area", optional=True),
            "strafed": _f(INT, "flag", "air: 1 if the unit was strafed too", optional=True),
        },
    ),
    "tank_knocked_out": Kind(
        "A tank was put out of action by a hit: burnt out (written off) or immobilised or "
        "damaged (recoverable). The model has no separate armour penetration: the weapon's "
        "kill rate (weapons.<w>.tank_kills_per_min) is of hits that penetrate, and "
        "`p_knock_out` is the chance it gave in the pulse.",
        {
            "tank": _TANK,
            "unit": _TANK_UNIT,
            "burnt": _f(INT, "flag", "1 if it burnt out"),
            "was": _f(STR, "-", "its status before: `operational` or `bogged`"),
            "command": _f(INT, "flag", "1 if a command tank"),
            "cause": _f(STR, "-", "`<weapon>:<unit>` (anti-tank fire), `artillery:<battery>` or `observed-artillery:<battery>`"),
            "damage": _f(STR, "-", "`burnt_out`, `immobilised` or `damaged`"),
            "firer": _f(STR, "-", "the unit or battery that fired"),
            "range_m": _f(FLOAT, "m", "range from the firer to the tank"),
            "p_knock_out": _f(FLOAT, "fraction", "the chance of the knock-out, as drawn"),
            "weapon": _f(STR, "-", "anti-tank fire and volleys: the weapon", optional=True),
            "exposure": _f(FLOAT, "fraction", "anti-tank fire: the tank's exposure (model, bogged or moving)", optional=True),
            "rate_per_min": _f(FLOAT, "tanks/min", "anti-tank fire: the kill rate on this tank used for the chance", optional=True),
            "from_aim_m": _f(FLOAT, "m", "volleys: the tank's distance from the aiming point", optional=True),
            "rounds": _f(FLOAT, "rounds", "volleys: rounds falling on the tank's area", optional=True),
            "observer_m": _f(FLOAT, "m", "observed artillery: the distance from the nearest enemy post that saw the stuck tank", optional=True),
        },
    ),
    "crew_bailed_out": Kind(
        "The crew of a tank put out of action left it.",
        {"tank": _TANK, "unit": _TANK_UNIT, "crew": _f(INT, "men", "the crew"), "hit": _f(INT, "men", "of them, hit")},
    ),
    "command_lost": Kind(
        "A tank unit's control broke down: the last of its headquarters tanks, or most of its company commanders' tanks (more than half), were put out of action (only they carried radios): its tanks stop where they stand (a column's tail closes up on its stopped head first: closed_up), and its morale takes the leader-loss shock.",
        {
            "unit": _UNIT,
            "cause": _f(STR, "-", "the cause of the knock-out that broke the net"),
            "lost": _f(STR, "-", "what is gone: headquarters, company commanders, or command tanks (a unit whose command tanks are not split)"),
        },
    ),
    "guns_lost": Kind(
        "A battery (or an anti-aircraft or anti-tank unit) lost guns or mounts for good: to shells or bombs, an anti-tank unit to the fire of tanks, or left behind without crews when its unit fell back.",
        {
            "unit": _UNIT,
            "weapon": _f(STR, "-", "the gun or mount lost"),
            "n": _f(INT, "guns", "guns lost"),
            "by": _f(STR, "-", "the firing battery, air unit or tank (the unit itself when abandoned)"),
            "cause": _f(STR, "-", "`artillery:<battery>`, `air:<air unit>`, `tank-fire:<tank>`, or `abandoned`"),
            "chance": _f(FLOAT, "fraction", "the chance of each gun being lost, as drawn (5 decimals; 1 when abandoned)"),
            "fired": _f(STR, "-", "what hit it: the battery's weapon, `bomb-<kg>kg`, or the tank's model (`none` when abandoned)"),
            "fire": _f(STR, "-", "`area` fire, `adjusted` counter-battery fire on a located battery, `bombs`, `tank` fire, or `abandoned`"),
            "by_unit": _f(STR, "-", "tank fire: the firing tank's unit", optional=True),
            "expected_guns": _f(FLOAT, "guns", "tank fire: the guns the tanks' fire on the position was expected to hit in the pulse (5 decimals)", optional=True),
            "men": _f(INT, "men", "abandoned: the unit's men as it fell back", optional=True),
            "crew_per_gun": _f(FLOAT, "men", "abandoned: the unit's men a gun at the start", optional=True),
        },
    ),
    "aircraft_hit": Kind(
        "Anti-aircraft fire damaged aircraft of a strike.",
        {
            "unit": _UNIT,
            "aircraft": _f(STR, "-", "the aircraft type"),
            "sorties": _f(INT, "sorties", "sorties flown"),
            "damaged": _f(INT, "aircraft", "aircraft damaged"),
            "lost": _f(INT, "aircraft", "of them, lost"),
            "cause": _f(STR, "-", "`anti-aircraft`"),
            "by": _f(LIST, "-", "the anti-aircraft units that fired (ids)"),
            "weapons": _f(DICT, "aircraft", "the expected aircraft damaged by each anti-aircraft weapon"),
            "altitude_m": _f(FLOAT, "m", "the aircraft's altitude"),
            "chance_damaged": _f(FLOAT, "fraction", "the chance of each sortie being damaged"),
            "lost_share": _f(FLOAT, "fraction", "the share of the damaged that are lost"),
        },
    ),
    # ------------------------------------------------------------------ tanks moving
    "bogged": Kind(
        "A tank bogged on soft ground. The chance on a leg is 1 - (1 - p)^(soft_m / 100).",
        {
            "tank": _TANK,
            "unit": _TANK_UNIT,
            "x": _X,
            "y": _Y,
            "ground": _f(STR, "-", "the terrain class of the leg's soft ground with the highest chance (`swamp`, `open` (wet meadow)...)"),
            "soft_m": _f(FLOAT, "m", "metres of soft ground on the leg"),
            "p_bog_per_100m": _f(FLOAT, "fraction/100 m", "the chance per 100 m used (with ruts)"),
            "p_bog_unrutted_per_100m": _f(FLOAT, "fraction/100 m", "the ground's chance per 100 m before ruts (mobility class, ground)"),
            "earlier_passes": _f(INT, "vehicles", "vehicles that crossed the same ground before (each ruts it)"),
            "p_bog_leg": _f(FLOAT, "fraction", "the chance of bogging on the leg, as drawn"),
            "crossing": _f(STR, "-", "the crossing the leg enters, empty if none"),
        },
    ),
    "unbogged": Kind("A bogged tank's crew freed it.", {"tank": _TANK, "unit": _TANK_UNIT, "x": _X, "y": _Y}),
    "crossing_blocked": Kind(
        "A tank bogged on a crossing's lane (the bridge and its corduroy): it holds the crossing, the tanks behind it wait.",
        {"tank": _TANK, "unit": _TANK_UNIT, "crossing": _f(STR, "-", "the crossing"), "x": _X, "y": _Y},
    ),
    "crossing_cleared": Kind(
        "The tank that held a crossing is out of the bog (freed, or knocked out and pushed aside).",
        {"tank": _TANK, "unit": _TANK_UNIT, "crossing": _f(STR, "-", "the crossing"), "status": _f(STR, "-", "the tank's status now")},
    ),
    "closed_up": Kind(
        "With its unit's command lost, a tank of the column's tail closed up behind the tanks stopped ahead and stopped.",
        {"tank": _TANK, "unit": _TANK_UNIT, "behind": _f(STR, "-", "the stopped tank it closed up on"), "x": _X, "y": _Y},
    ),
    "held_at_crossing": Kind(
        "A tank found its crossing blocked by a tank bogged on the lane, and waits.",
        {"tank": _TANK, "unit": _TANK_UNIT, "crossing": _f(STR, "-", "the crossing"), "by": _f(STR, "-", "the bogged tank holding it"), "x": _X, "y": _Y},
    ),
    "queued": Kind(
        "A tank waited at a crossing.",
        {"tank": _TANK, "crossing": _f(STR, "-", "the crossing"), "wait_min": _f(FLOAT, "min", "the wait")},
    ),
    "tank_reached": Kind("A tank reached a zone for the first time.", {"tank": _TANK, "unit": _TANK_UNIT, "zone": _f(STR, "-", "the zone")}),
    "route_blocked": Kind(
        "No route to where a unit or tank was sent.",
        {"unit": _f(STR, "-", "the unit", optional=True), "tank": _f(STR, "-", "the tank", optional=True), "x": _X, "y": _Y},
    ),
    # ------------------------------------------------------------------ tank recovery
    "recovery_team_out": Kind(
        "A recovery team set out for a tank.",
        {"tank": _TANK, "unit": _TANK_UNIT, "status": _f(STR, "-", "the tank's status")},
    ),
    "recovered": Kind(
        "A team brought a tank back.",
        {"tank": _TANK, "unit": _TANK_UNIT, "x": _X, "y": _Y, "by": _f(STR, "-", "`team`"),
         "damage": _f(STR, "-", "the damage of a knocked-out tank towed back", optional=True)},
    ),
    "sent_to_factory": Kind("A recovered tank was beyond field repair.", {"tank": _TANK, "unit": _TANK_UNIT}),
    "repaired": Kind("A recovered tank was repaired and is back in service.", {"tank": _TANK, "unit": _TANK_UNIT}),
    "written_off": Kind("A tank was written off.", {"tank": _TANK, "unit": _TANK_UNIT, "reason": _f(STR, "-", "why")}),
    # ------------------------------------------------------------------ morale
    "morale_state": Kind(
        "A unit's morale state changed, with what made its morale this pulse. Each `d_*` is "
        "that term's change to the morale (negative: it fell); morale = morale_before + the "
        "sum of the `d_*`. The shocks are split by cause: a command tank lost "
        "(`leader_lost`), a zone lost nearby (`zone_lost`), a neighbour falling back "
        "(`neighbour_withdrew`) and the enemy in strength within close-assault range "
        "(`penetration`); `clip` keeps morale in [0, 1]. Each `share_*` is that term's "
        "part of all the change (absolute values): the log does not hold them, the export "
        "derives them from the `d_*`. The model has no isolation term.",
        {
            "unit": _UNIT,
            "state": _f(STR, "-", "the new state (`steady`, `pinned`, `shaken`, `retreating`, `routed`)"),
            "was": _f(STR, "-", "the state before"),
            "morale": _f(FLOAT, "fraction", "the new morale"),
            "morale_before": _f(FLOAT, "fraction", "the morale before the pulse", optional=True),
            **{f"d_{t}": _f(FLOAT, "morale", f"the change from {w}", optional=True) for t, w in (
                ("losses", "the pulse's losses"), ("suppression", "suppression"), ("leader_lost", "a leader lost"),
                ("zone_lost", "a zone lost"), ("neighbour_withdrew", "a neighbour falling back"),
                ("penetration", "the enemy in strength at close quarters"), ("night", "night"),
                ("rest", "rest (no fire for morale.rest_after_min)"), ("clip", "keeping morale in [0, 1]"))},
            **{f"share_{t}": _f(FLOAT, "fraction", f"the `d_{t}` term's share of the change", optional=True,
                                derived=f"abs(d_{t}) / the sum of abs(d_*) over the nine terms (0 when that sum is 0)")
               for t in MORALE_TERMS},
            "main_cause": _f(STR, "-", "the term that weighed most (`losses`, `suppression`, `penetration`...)", optional=True),
            "loss_share": _f(FLOAT, "fraction", "the pulse's men lost over the men before, times the training's loss sensitivity", optional=True),
            "suppression": _f(FLOAT, "fraction", "the unit's suppression", optional=True),
            "men_lost": _f(INT, "men", "men lost this pulse", optional=True),
            "night": _f(INT, "flag", "1 at night", optional=True),
        },
    ),
    "retreat": Kind(
        "A unit fell back.",
        {
            "unit": _UNIT,
            "x": _f(FLOAT, "m", "map x of where it falls back to"),
            "y": _f(FLOAT, "m", "map y of where it falls back to"),
            "state": _f(STR, "-", "its morale state"),
            "cause": _f(STR, "-", "`morale` (it broke: see its morale_state event) or `still under fire` (falling back further)"),
            "enemy_m": _f(FLOAT, "m", "still under fire: the nearest enemy's distance", optional=True),
        },
    ),
    "rallied": Kind(
        "A unit falling back rallied.",
        {"unit": _UNIT, "morale": _f(FLOAT, "fraction", "its morale"), "rested": _f(INT, "flag", "1 if rest raised its morale this pulse")},
    ),
    # ------------------------------------------------------------------ ground
    "zone_holder": Kind(
        "A zone changed hands: a side holds it with at least `hold_men_min` men in good "
        "order (holding types, not falling back) while the other has fewer; else nobody "
        "(`none`: contested or empty).",
        {
            "zone": _f(STR, "-", "the zone"),
            "holder": _f(STR, "-", "the new holder (`soviet`, `japanese`, `none`)"),
            "was": _f(STR, "-", "the holder before"),
            "soviet_men": _f(FLOAT, "men", "Soviet men holding ground in it now"),
            "japanese_men": _f(FLOAT, "men", "Japanese men holding ground in it now"),
            "hold_men_min": _f(FLOAT, "men", "the men needed to hold a zone (command.hold_men_min)"),
            "entered": _f(STR, "-", "the new holder's units holding ground in it, comma-separated"),
            "gave_way": _f(STR, "-", "the side that gave way (the one that held or contested it)"),
            "left": _f(STR, "-", "that side's units still in it but no longer holding ground, as `id:why` (`retreating`, `routed`, `no men`)"),
            "reason": _f(STR, "-", "why, in words"),
        },
    ),
    "dug_in": Kind("A unit dug in.", {"unit": _UNIT, "level": _f(STR, "-", "its entrenchment now")}),
    "left_position": Kind("A unit left its dug-in position.", {"unit": _UNIT, "was": _f(STR, "-", "the entrenchment left")}),
    "move_start": Kind("A unit set off.", {"unit": _UNIT, "length_m": _f(FLOAT, "m", "the route's length")}),
    "move_end": Kind("A unit arrived.", {"unit": _UNIT, "x": _X, "y": _Y}),
    # ------------------------------------------------------------------ command
    "order": Kind(
        "A unit was given an order.",
        {"unit": _UNIT, "order_kind": _f(STR, "-", "the order's kind"), "order": _f(STR, "-", "the order's id"),
         "source": _f(STR, "-", "who gave it: `player` (a person, or a program through the API), `commander-ai` (the commander AI) or `scenario` (the recorded orders)")},
    ),
    "tanks_sent": Kind(
        "Some of a tank unit's tanks were sent apart against an objective (an attack order with `tanks`); the rest keep the unit's order.",
        {"unit": _UNIT, "zone": _f(STR, "-", "the objective"), "order": _ORDER,
         "asked": _f(INT, "tanks", "the tanks the order asked for"), "n": _f(INT, "tanks", "the tanks sent (those that could move, nearest the objective first)"),
         "tanks": _f(STR, "-", "the tanks sent, comma-separated ids")},
    ),
    "order_refused": Kind("An order could not be carried out.", {"unit": _UNIT, "order": _ORDER, "reason": _f(STR, "-", "why")}),
    "order_deferred": Kind("An order waits for the unit to rally.", {"unit": _UNIT, "order": _ORDER, "reason": _f(STR, "-", "why")}),
    "order_resumed": Kind("A unit that rallied took up an order: one given while it fell back, or its order to take or hold a zone it was thrown off.", {"unit": _UNIT, "order": _ORDER}),
    "ceasefire_agreed": Kind(
        "The scenario's ceasefire is agreed (`rules.ceasefire`): from now each side keeps the positions it holds; the doctrine's counter-attacks and the commander AI's attacks stop (a player's orders still go).",
        {"rule": _f(STR, "-", "what the agreement means in the run")},
    ),
    "counterattack": Kind(
        "A counter-attack on ground the side just lost, with the rule that fired it.",
        {
            "unit": _f(STR, "-", "the attacking unit or group"),
            "zone": _f(STR, "-", "its objective"),
            "side": _f(STR, "-", "its side"),
            "rule": _f(STR, "-", "the rule: `doctrine: retake a height just lost` (a company from the nearest battalion in good order), `local: troops in contact strike back at once`, `order: attack ground its side just lost`, or `rallied: back for ground its side just lost` (a unit that rallied takes up its order to take or hold it)"),
            "by": _f(STR, "-", "local rule: `troops in contact`", optional=True),
            "parent": _f(STR, "-", "doctrine and local rules: the battalion the group came from", optional=True),
            "distance_m": _f(FLOAT, "m", "doctrine and local rules: the battalion's distance from the zone", optional=True),
            "men": _f(INT, "men", "doctrine and local rules: the group's men", optional=True),
            "lost_min_ago": _f(FLOAT, "min", "doctrine and local rules: minutes since the zone was lost", optional=True),
            "order": _f(STR, "-", "order and rallied rules: the order", optional=True),
            "source": _f(STR, "-", "order rule: who gave it", optional=True),
        },
    ),
    "counterattack_called_off": Kind(
        "A counter-attack was called off.",
        {"unit": _UNIT, "zone": _f(STR, "-", "its objective"), "men": _f(INT, "men", "men left"),
         "set_out": _f(INT, "men", "men it set out with"),
         "reason": _f(STR, "-", "`losses` (command.counterattack_break_off_loss reached) or `held in strength`")},
    ),
    "detached": Kind("A group was detached from a unit.", {"unit": _f(STR, "-", "the group"), "parent": _f(STR, "-", "its unit"), "men": _f(INT, "men", "its men")}),
    "rejoined": Kind("A group rejoined its unit.", {"unit": _f(STR, "-", "the group"), "parent": _f(STR, "-", "its unit"), "men": _f(INT, "men", "men back")}),
    # ------------------------------------------------------------------ artillery
    "mission_start": Kind(
        "A battery began a fire mission.",
        {"unit": _UNIT, "order": _f(STR, "-", "the order's id"), "mission": _f(STR, "-", "the mission"), "x": _X, "y": _Y},
    ),
    "mission_end": Kind("A fire mission ended.", {"unit": _UNIT, "order": _f(STR, "-", "the order's id"), "rounds": _f(INT, "rounds", "rounds fired")}),
    "mission_refused": Kind("A fire mission was refused.", {"unit": _UNIT, "order": _f(STR, "-", "the order's id"), "reason": _f(STR, "-", "why")}),
    "volley": Kind("A battery fired a volley.", {"unit": _UNIT, "rounds": _f(INT, "rounds", "rounds"), "x": _X, "y": _Y}),
    "out_of_ammunition": Kind("A battery ran out of rounds.", {"unit": _UNIT}),
    "battery_silenced": Kind("A battery stopped firing under suppression.", {"unit": _UNIT, "suppression": _f(FLOAT, "fraction", "its suppression")}),
    "battery_located": Kind("A battery was located by the enemy.", {"unit": _UNIT, "by": _f(STR, "-", "the side that located it")}),
    # ------------------------------------------------------------------ air
    "strike": Kind(
        "An air strike by one aircraft type.",
        {
            "unit": _UNIT,
            "aircraft": _f(STR, "-", "the aircraft type"),
            "sorties": _f(INT, "sorties", "sorties flown"),
            "bombs_t": _f(FLOAT, "t", "bombs dropped"),
            "damaged": _f(INT, "aircraft", "aircraft damaged by anti-aircraft fire"),
            "lost": _f(INT, "aircraft", "aircraft lost"),
            "x": _X,
            "y": _Y,
            "target": _f(STR, "-", "the target zone (`point` for a map point)"),
        },
    ),
    "strike_delayed": Kind("An air strike waits for fog to lift.", {"unit": _UNIT, "reason": _f(STR, "-", "why")}),
    "strike_cancelled": Kind("An air strike was cancelled.", {"unit": _UNIT, "reason": _f(STR, "-", "why")}),
    "strike_in_fog": Kind(
        "An air strike went in through fog.",
        {"unit": _UNIT, "visibility_m": _f(FLOAT, "m", "visibility"), "cep_factor": _f(FLOAT, "factor", "bombs' CEP multiplied by"),
         "strafe_seen": _f(FLOAT, "fraction", "share of the strafing that sees its target")},
    ),
    # ------------------------------------------------------------------ engineers
    "crossing_work_start": Kind(
        "Engineers began building crossings.",
        {"unit": _UNIT, "crossings": _f(STR, "-", "the crossings, comma-separated"), "effort_man_h": _f(FLOAT, "man-h", "work left")},
    ),
    "crossing_work_stopped": Kind("Engineers stopped work.", {"unit": _UNIT, "crossings": _f(STR, "-", "the crossings left")}),
    "crossing_built": Kind(
        "A crossing was built.",
        {"unit": _UNIT, "crossing": _f(STR, "-", "the crossing"), "x": _X, "y": _Y, "capacity": _f(INT, "vehicles", "vehicles at a time")},
    ),
}

_PY_TYPES = {"str": (str,), "int": (int,), "float": (float, int), "list": (list, tuple), "dict": (dict,)}


def derived_fields(kind: str, fields: dict[str, Any]) -> dict[str, Any]:
    """Return the fields of an event (*kind*, *fields* as the log holds them) that the log
    does not hold and the export derives (each :attr:`Field.derived` says how): a
    morale_state's ``share_*`` from its ``d_*`` terms. Empty for other events."""
    if kind != "morale_state" or "d_losses" not in fields:
        return {}
    d = [abs(fields[f"d_{t}"]) for t in MORALE_TERMS]
    total = sum(d)
    return {f"share_{t}": v / total if total > 0 else 0.0 for t, v in zip(MORALE_TERMS, d, strict=True)}


def problems(kind: str, fields: dict[str, Any]) -> list[str]:
    """Return what in an event (*kind*, *fields*) the schema does not describe: an unknown
    kind, a field not in it, a required field missing, a value of another type."""
    spec = KINDS.get(kind)
    if spec is None:
        return [f"kind {kind!r} is not described"]
    out = []
    for name, value in fields.items():
        f = spec.fields.get(name)
        if f is None:
            out.append(f"{kind}: field {name!r} is not described")
        elif value is None:
            if not f.nullable:
                out.append(f"{kind}: field {name!r} is null")
        elif not isinstance(value, _PY_TYPES[f.type]) or (f.type in ("int", "float") and isinstance(value, bool)):
            out.append(f"{kind}: field {name!r} is {type(value).__name__}, described as {f.type}")
    for name, f in spec.fields.items():
        if not f.optional and name not in fields:
            out.append(f"{kind}: field {name!r} is missing")
    return out


def _table(fields: dict[str, Field]) -> list[str]:
    lines = ["| field | type | unit | what |", "|---|---|---|---|"]
    for name, f in fields.items():
        kind = f.type + (" or null" if f.nullable else "") + (" (optional)" if f.optional else "")
        text = f.text + (f"; not in the log, the export derives it: {f.derived}" if f.derived else "")
        lines.append(f"| `{name}` | {kind} | {f.unit} | {text.replace('|', '/')} |")
    return lines


def markdown() -> str:
    """Return docs/events.md: the schema, written for readers."""
    out = [
        "# Events and their causes",
        "",
        "<!-- written by `python -m khasan_sim.analysis.event_schema > docs/events.md`; edit",
        "     khasan_sim/analysis/event_schema.py, not this file (a test checks they agree) -->",
        "",
        f"Schema version **{SCHEMA_VERSION}**.",
        "",
        "Every event that changes the state of a run carries its causes as data: a casualty names",
        "the firer, the weapon, the range, the target's cover and exposure and the chance drawn;",
        "a bogging its ground and chance; a morale change each term's part; a zone changing hands",
        "who came, who gave way and why; a counter-attack the rule that fired it.",
        "",
        "Write them with `khasan-sim run SCENARIO --seed S --events run-events.jsonl` (or",
        "`.parquet`), or for every run of a study with",
        "`khasan-sim export STUDY.sqlite --events --format jsonl|parquet --out PATH` (a study",
        "keeps no event logs: each run is replayed from its seed, and the replay's digest is",
        "checked against the one stored).",
        "",
        "One row per event. JSONL: one JSON object a line, the first line a header",
        '`{"schema": "khasan_sim.events", "version": N, ...}`. Parquet: the union of the',
        "fields as columns (null where an event has no such field), the schema version in the",
        "file's metadata (`khasan_sim.events_schema`). Floats are as the log holds them (3",
        "decimals in the digest line, full precision in the export).",
        "",
        "## Columns of every row",
        "",
        *_table(ROW_FIELDS),
        "",
        "## Kinds",
        "",
    ]
    for kind, spec in KINDS.items():
        out += [f"### `{kind}`", "", spec.text, "", *_table(spec.fields), ""]
    return "\n".join(out)


if __name__ == "__main__":  # pragma: no cover - writes the docs
    print(markdown(), end="")
