"""Tank losses: a tank knocked out, what the hit left of it (burnt out: written off;
immobilised or damaged: out of action until its side recovers and repairs it, see
:mod:`.tank_recovery`), its crew bailing out with their casualties, and the battalion's
loss of command when its headquarters tanks are all out or most of its company commanders'
tanks are (the tanks stop where they stand; a column's tail closes up on its stopped head first,
``command.close_up_m``).

Reads: ``fire.tank_burn_fraction``, ``fire.tank_crew_casualties``, ``fire.killed_fraction``,
``fire.burnt_out_killed_factor``, ``vehicles.<model>.crew``,
``damage.immobilised_share``, ``morale.leader_loss``, ``command.close_up_m``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from khasan_sim.engine.state import (
    TANK_DAMAGED,
    TANK_DESTROYED,
    TANK_FIRING,
    TankState,
)


def _within(x: float, y: float, points: list[tuple[float, float]], d: float) -> bool:
    """Return True if (*x*, *y*) lies within *d* of one of *points*."""
    return any((x - px) ** 2 + (y - py) ** 2 <= d * d for px, py in points)


def _control_broken(tanks: list[TankState]) -> str:
    """Return which part of a tank unit's control net is gone ("headquarters" when every
    tank of its headquarters is out of action, "company commanders" when most of its
    companies' commanders' tanks are, "command tanks" for a unit whose command tanks are
    not split), or "" while its control holds.

    Only the command tanks carried radios (the digest's handrail aerials); the line tanks
    followed their company commander by sight and flag. The headquarters reached the
    companies through their commanders' sets, so the net fails when its hub is gone (the
    commander and the deputies who would take over), or when most of its spokes are: a
    company whose commander's tank is out no longer hears the battalion, and a battalion
    that can reach fewer than half its companies cannot be led as one (the digest: the
    company commanders' tanks among the first hit, "so the battalion's control broke
    down"). A unit whose command tanks are not split into the two (a company, or a
    scenario that does not say) loses control when all of them are out.
    """
    headquarters = [x.status not in TANK_FIRING for x in tanks if x.command and x.headquarters]
    companies = [x.status not in TANK_FIRING for x in tanks if x.command and not x.headquarters]
    if headquarters and all(headquarters):
        return "headquarters"
    if not headquarters:
        return "command tanks" if companies and all(companies) else ""
    if companies and 2 * sum(companies) > len(companies):
        return "company commanders"
    return ""


class TankLossesSystem:
    """Tank losses: knocked out, burnt out, immobilised or damaged; the crew bails out."""

    def _knock_out(self, t: TankState, g: np.random.Generator, cause: str, **why: Any) -> None:
        """Put tank *t* out of action (burnt out, immobilised or damaged, its crew hit by
        draws from *g*); *why* are the hit's figures, written into the event with *cause*
        (docs/events.md: the firer, the weapon, the range, the chance)."""
        u = self.units[t.unit]
        was = t.status
        self._give_up_crossing_wait(t)
        t.knocked_out += 1
        t.moving = False
        t.token += 1
        burn = g.random() < self.cp.tank_burn_fraction
        if burn:
            # a burnt-out tank is written off where it stands
            t.status = TANK_DESTROYED
            t.written_off = True
            t.damage = "burnt_out"
        else:
            # out of action until its side recovers it (tank_recovery.py)
            t.status = TANK_DAMAGED
            t.damage = "immobilised" if g.random() < self.params.f("damage.immobilised_share") else "damaged"
        t.recovery = "on_field"
        t.enemy_since_min = -1.0
        n_crew = int(self.params.f(f"vehicles.{t.model}.crew"))
        crew = min(u.men, int(g.binomial(n_crew, min(1.0, self.cp.tank_crew_casualties / n_crew))))
        if crew:
            burnt_factor = self.params.f("fire.burnt_out_killed_factor") if burn else 1.0
            k = int(g.binomial(crew, self.cp.killed_fraction * burnt_factor))
            u.men -= crew
            u.killed += k
            u.wounded += crew - k
            u.pulse_loss += crew
        self._emit("tank_knocked_out", tank=t.id, unit=t.unit, burnt=int(burn), was=was, command=int(t.command), cause=cause, damage=t.damage, **why)
        # the crew bails out of a tank out of action (the hit ones among them counted above)
        self._emit("crew_bailed_out", tank=t.id, unit=t.unit, crew=n_crew, hit=crew)
        lost = _control_broken(u.tanks) if t.command and u.command_intact else ""
        if lost:
            u.command_intact = False
            self._shake(u, self.params.f("morale.leader_loss"), "leader_lost")
            self._emit("command_lost", unit=u.id, cause=cause, lost=lost)
            # Without its commanders the battalion stops and fires from where it stands; a
            # column's tail strung out behind its stopped head closes up on it first
            close_up = self.params.f("command.close_up_m")
            stopped = [(x.x, x.y) for x in u.tanks if not x.moving]
            for x in u.tanks:
                if x.moving and not _within(x.x, x.y, stopped, close_up):
                    # it drives on, on this move only, until it is behind the tanks stopped ahead
                    self._closing_up[x.id] = x.token  # (tank_movement.py: _closed_up)
                    continue
                x.token += 1
                x.moving = False
            u.moving = any(x.moving for x in u.tanks)
        self._update_tank_unit_position(u)
