"""Guns left behind: when a unit with guns or mounts in pits falls back, the ones its men
left cannot serve stay where they stood and are lost (anti-tank guns too: they are guns
that can be lost since tank fire on gun positions, :mod:`.tank_fire_on_guns`).

A gun needs its crew to be served, limbered and taken away. A battery or an anti-aircraft
unit that has lost men keeps serving the guns its remaining crews can man while it holds
its position (its fire already scales with its men); when it gives the position up, the
guns beyond its crews are left in their pits, on ground the enemy is about to hold, and
are lost, as a knocked-out tank left on ground the enemy holds is lost (model-anchors
4b.1: who holds the field decides what is written off). The crews it has left take their
guns with them.

For batteries, anti-aircraft and anti-tank units only, whose men are the crews. The crew of a gun
is the unit's men at the start over its guns at the start (no figure
beyond the unit's own establishment; the digest counts the Japanese losses in
"installations", anti-aircraft guns and machine-gun mounts alike). No draw: the guns are
taken in weapon order, the last names first, and logged as ``guns_lost`` with cause
``abandoned``.
"""

from __future__ import annotations

from khasan_sim.engine.state import UnitState

_GUN_UNITS = ("artillery", "anti-aircraft", "anti-tank")
"""Units whose men are the guns' crews. A rifle regiment's few regimental guns are served
by its gun company, not by its thousands of riflemen: its men at the start over its guns
would make a "crew" of hundreds, so the rule is not for it."""


class AbandonedGunsSystem:
    """Guns without crews, left behind when their unit falls back."""

    def _abandon_uncrewed_guns(self, u: UnitState) -> None:
        """Lose the guns of *u* beyond what its men can serve (it is falling back now)."""
        if u.type not in _GUN_UNITS:
            return
        have = sum(u.guns.values())
        if have <= 0 or u.men_start <= 0:
            return
        crew = u.men_start / (have + u.guns_lost)  # men a gun, at the start
        served = int(u.men / crew + 1e-9)
        excess = have - served
        for w in sorted(u.guns, reverse=True):
            if excess <= 0:
                break
            n = min(u.guns[w], excess)
            if n <= 0:
                continue
            u.guns[w] -= n
            u.guns_lost += n
            excess -= n
            self._gun_reach = None  # its reach is worked out again
            self._emit(
                "guns_lost", unit=u.id, weapon=w, n=n, by=u.id, cause="abandoned", chance=1.0,
                fired="none", fire="abandoned", men=u.men, crew_per_gun=round(crew, 3),
            )
