"""Local counter-attacks: the immediate counter-attack of the troops in contact, beside the
deliberate ones of the doctrine (:mod:`~khasan_sim.engine.systems.doctrine`).

Japanese doctrine of 1938 (the *Sento Koryo*, in force until November 1938) built the
defence around the return to the offensive: ground lost was to be taken back at once,
by the platoons and companies on the spot, before the attacker could consolidate it,
by day or by night; captured instructions call for "fierce counterattacks from time to
time" (model-anchors 4b.5). The deliberate counter-attack of a height by a company
brought from a battalion (the doctrine module) comes on top, hours later.

Each Japanese command turn, for every zone (a height, a line, a valley) the Japanese lost
within ``command.local_counterattack_window_h`` and do not hold now: the rifle unit of
theirs in good order nearest to it, within ``command.local_counterattack_range_m`` (in
contact with the lost ground), that has not made one within
``command.local_counterattack_rest_h``, sends a platoon-sized group
(``command.local_counterattack_men``) back at it, if it keeps at least as many men on
its own ground. One local attack at a time on each zone. The group is a counter-attack
like the others: counted in ``japanese.counterattacks``, called off at a loss or against
a position held in strength, and it rejoins its unit after.

Reads: ``command.local_counterattack_*``, ``command.counterattack_min_morale``.
"""

from __future__ import annotations

import math

from khasan_sim.model.morale import MoraleState


class LocalCounterattackSystem:
    """The immediate counter-attacks of the troops in contact with lost ground."""

    def _local_counterattacks(self) -> None:
        """Launch this turn's local counter-attacks (see the module's docstring)."""
        p = self.params
        window = p.f("command.local_counterattack_window_h") * 60.0
        if window <= 0:
            return
        reach = p.f("command.local_counterattack_range_m")
        group_men = int(p.f("command.local_counterattack_men"))
        rest = p.f("command.local_counterattack_rest_h") * 60.0
        min_morale = p.f("command.counterattack_min_morale")
        last = self._local_last
        on_zone = self._local_on
        now = self.now
        for z in self.zone_ids:
            lost = self.lost_at.get((z, "japanese"))
            if lost is None or now - lost > window or self.holder[z] == "japanese":
                continue
            going = on_zone.get(z)
            if going is not None and self.units[going].activity == "attacking":
                continue  # one local attack at a time on each zone
            cx, cy = self.zone_centre[z]
            best: tuple[float, str] | None = None
            # (the Japanese rifle units, in id order; a detached group attacks with its
            # battalion's plan, not on its own, and is not among them)
            for u in self._japanese_counterattackers():
                if u.activity == "attacking" or u.state is not MoraleState.STEADY or u.morale < min_morale:
                    continue
                if u.men < 2 * group_men:
                    continue  # it cannot spare a platoon and keep its own ground
                uid = u.id
                if now - last.get(uid, -math.inf) < rest:
                    continue
                d = math.hypot(u.x - cx, u.y - cy)
                if d <= reach and (best is None or (d, uid) < best):
                    best = (d, uid)
            if best is None:
                continue
            parent = self.units[best[1]]
            group = self._detach(parent, group_men / parent.men, group_men)
            last[parent.id] = now
            on_zone[z] = group.id
            self.counterattacks["japanese"] += 1
            self.counterattack_men[group.id] = group.men
            self._emit(
                "counterattack", unit=group.id, zone=z, side="japanese", by="troops in contact",
                rule="local: troops in contact strike back at once", parent=parent.id, distance_m=best[0],
                men=group.men, lost_min_ago=now - lost,
            )
            group.objective = z
            group.activity = "attacking"
            self.start_move(group, self.zone_centre[z], [])
