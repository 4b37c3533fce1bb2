"""Tank fire on gun positions: a tank's gun that hits an anti-tank position hits the gun
with its crew, so the tanks that reach an anti-tank position destroy its guns.

The digest: the 2nd tank battalion "reached the Japanese forward line and destroyed
infantry and anti-tank positions". Model-anchors 4b.2 (Khalkhin Gol, 1939): Soviet tank
losses fell once guns moving with the tanks fired directly at the Japanese anti-tank
guns. In the model the tanks' aimed fire hits the men of the unit it falls on (the
direct-fire kernel); here, when that fire falls on an anti-tank unit, each of its guns is
put out of action for good with the chance that one of its men is hit by the tanks' fire
in that pulse (a 45 mm shell bursting in a gun pit wrecks the gun as it hits the crew; no
measured figure: the gun shares its crew's chance). Only the share of the fire that the
tanks gave is counted (the kernel names the firer that gave the most of it). A gun out
of action no longer fires at tanks (direct_fire: a unit's anti-tank weapons are the guns
it has left). Draws from the run's stream ``("tank-fire-on-guns", unit id)``.

Reads nothing from the parameter files.
"""

from __future__ import annotations

from typing import Any

from khasan_sim.engine.state import TankState, UnitState


class TankFireOnGunsSystem:
    """Tank fire on anti-tank positions: guns destroyed with their crews."""

    def _tank_fire_on_guns(self, v: UnitState, tank: TankState, p_man_hit: float, tank_share: float) -> None:
        """Tank *tank*'s fire (with the other tanks', *tank_share* of the fire that fell on
        *v* in the pulse) hit each man of anti-tank unit *v* with chance *p_man_hit*: each of
        *v*'s guns is lost with chance ``p_man_hit * tank_share``."""
        if v.type != "anti-tank" or not v.guns or p_man_hit <= 0.0 or tank_share <= 0.0:
            return
        p_gun = min(1.0, p_man_hit * tank_share)
        g = self.rng.get("tank-fire-on-guns", v.id)
        self._guns_hit(v, p_gun, g, tank.id, f"tank-fire:{tank.id}", fired=tank.model, fire="tank", by_unit=tank.unit)

    def _guns_left_of(self, u: UnitState, weapon: str, start: float) -> float:
        """Return the weapons *u* can fire of *weapon*: its guns left when the weapon is
        a gun that can be lost, else its weapons at the start."""
        left: Any = u.guns.get(weapon)
        return start if left is None else min(start, float(left))
