"""Tank fire on gun positions: a tank whose target is an anti-tank position fires its gun
at the gun pits it sees, so the tanks that reach an anti-tank position destroy its guns.

The digest: the 2nd tank battalion "reached the Japanese forward line and destroyed
infantry and anti-tank positions". Model-anchors 4b.2 (Khalkhin Gol, 1939): Soviet tank
losses fell once guns moving with the tanks fired directly at the Japanese anti-tank
guns. The direct-fire kernel adds up, for each anti-tank unit the tanks fire on, the guns
their fire is expected to hit in the pulse: each tank's ``vehicles.<model>.gun_kills_per_min``
(a halted tank's gun on a gun pit it sees, at close range, in the open) times the same
range, height, training, suppression, light and exposure factors as its fire on the
men (so a gun in a fortified pit is hit about an eighth as often as one in the open, and
tanks at close-assault range, over the pit, hit it far more). A tank fires first at an
anti-tank gun that gave itself away by firing (``fire.anti_tank_revealed_min``). Here the
expected hits E are spread over the unit's G guns left: each is put out of action for
good with chance ``1 - exp(-E / G)``. A gun out of action no longer fires at tanks
(direct_fire: a unit's anti-tank weapons are the guns it has left). Draws from the run's
stream ``("tank-fire-on-guns", unit id)``.

Reads ``vehicles.<model>.gun_kills_per_min`` (through the direct-fire tables).
"""

from __future__ import annotations

import math
from typing import Any

from khasan_sim.engine.state import TankState, UnitState


class TankFireOnGunsSystem:
    """Tank fire on anti-tank positions: guns destroyed with their crews."""

    def _tank_fire_on_guns(self, v: UnitState, tank: TankState, expected_guns: float) -> None:
        """The tanks' fire on anti-tank unit *v* in this pulse was expected to hit
        *expected_guns* of its guns (*tank* gave the most of it): each gun it has left is
        lost with chance ``1 - exp(-expected_guns / guns left)``."""
        if v.type != "anti-tank" or expected_guns <= 0.0:
            return
        left = sum(n for n in v.guns.values() if n > 0)
        if left <= 0:
            return
        p_gun = -math.expm1(-expected_guns / left)
        g = self.rng.get("tank-fire-on-guns", v.id)
        self._guns_hit(
            v, p_gun, g, tank.id, f"tank-fire:{tank.id}", fired=tank.model, fire="tank", by_unit=tank.unit,
            expected_guns=round(expected_guns, 5),
        )

    def _guns_left_of(self, u: UnitState, weapon: str, start: float) -> float:
        """Return the weapons *u* can fire of *weapon*: its guns left when the weapon is
        a gun that can be lost, else its weapons at the start."""
        left: Any = u.guns.get(weapon)
        return start if left is None else min(start, float(left))
