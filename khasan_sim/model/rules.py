"""Rules in force as pure predicates: night, fog, the border, the artillery exclusion band."""

from __future__ import annotations

from dataclasses import dataclass


def minutes_of_day(hhmm: str) -> int:
    """Return minutes after midnight of ``HH:MM``."""
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def is_night(minute_of_day: float, dawn_min: int, dusk_min: int) -> bool:
    """Return True between dusk and dawn (civil twilight)."""
    m = minute_of_day % 1440
    return m >= dusk_min or m < dawn_min


@dataclass(frozen=True, slots=True)
class FogSpell:
    """A spell of weather in simulated minutes since the start."""

    start_min: float
    end_min: float
    fog: bool
    visibility_m: float


def visibility_m(t_min: float, spells: tuple[FogSpell, ...], clear_m: float = 5000.0) -> float:
    """Return the visibility at *t_min*: the smallest of the spells in force, else *clear_m*."""
    v = clear_m
    for s in spells:
        if s.start_min <= t_min < s.end_min:
            v = min(v, s.visibility_m)
    return v


def fire_mission_allowed(target_border_distance_m: float, target_on_own_side: bool, exclusion_m: float | None) -> tuple[bool, str]:
    """Return whether a side bound by an exclusion band may fire on a target, and why not.

    Args:
        target_border_distance_m: Distance of the aim point from the border line.
        target_on_own_side: True if the aim point is on the firing side's side of the border.
        exclusion_m: The side's exclusion band, or None if no rule binds it.
    """
    if exclusion_m is None:
        return True, ""
    if not target_on_own_side and exclusion_m > 0:
        return False, "aim point lies across the border"
    if target_border_distance_m < exclusion_m:
        return False, f"aim point lies {target_border_distance_m:.0f} m from the border, inside the {exclusion_m:.0f} m exclusion band"
    return True, ""


def zone_holder(presence_soviet: float, presence_japanese: float, hold_min: float) -> str | None:
    """Return who holds a zone: the side present there with at least *hold_min* men while
    the other has fewer, else None (contested, or empty).

    A handful of the other side's men (stragglers, a gun crew in a corner) neither hold the
    zone nor contest it: the record counts Zaozernaya Soviet at the ceasefire though the
    Japanese kept a small piece of ground near it for days (history digest).
    """
    s = presence_soviet >= hold_min
    j = presence_japanese >= hold_min
    if s and not j:
        return "soviet"
    if j and not s:
        return "japanese"
    return None


# zone_holder by (the Soviets hold at least hold_min men there, the Japanese do)
_HOLDER = ((None, "japanese"), ("soviet", None))


def zone_holders(soviet_held: list[bool], japanese_held: list[bool]) -> list[str | None]:
    """Return :func:`zone_holder` of many zones at once, from whether each side has at
    least the men to hold each (``presence >= hold_min``, worked out by the caller)."""
    return [_HOLDER[s][j] for s, j in zip(soviet_held, japanese_held, strict=True)]
