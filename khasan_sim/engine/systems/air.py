"""Air strikes: waiting out fog or striking in it, anti-aircraft fire on the sorties, bombs
and strafing on the enemy's men.

Reads: ``air.*`` (the fog's limit, how often a held strike looks again and how long it
waits, the strafing's reach beyond the bombed circle), ``aircraft.<type>.*`` (bomb load and size, CEP, strafing rounds),
``artillery.posture_lethality.<entrenchment>`` and ``artillery.taking_cover.*`` (men
already under fire have taken cover), ``artillery.gun_area_m2`` and
``artillery.gun_kill_given_hit`` (a bomb in a gun pit), ``fire.entrenchment_exposure``,
``engine.unit_frontage_m``; the anti-aircraft fire on each sortie is
systems/anti_aircraft.py's (it reads the aircraft's height, speed, span and passes and the
anti-aircraft weapons' figures).
"""

from __future__ import annotations

import math
from typing import Any

from khasan_sim.engine.state import UnitState
from khasan_sim.engine.systems import anti_aircraft
from khasan_sim.engine.systems.common import ProcessGen
from khasan_sim.model import air, artillery, morale


class AirSystem:
    """Air strikes."""

    def _air_strike(self, u: UnitState, o: Any) -> ProcessGen:
        p = self.params
        limit = p.f("air.fog_visibility_limit_m")
        check, wait_max = p.f("air.fog_check_min"), p.f("air.fog_wait_max_min")
        waited = 0.0
        while o.in_fog == "wait" and self.visibility_m() < limit:
            if waited == 0.0:
                self._emit("strike_delayed", unit=u.id, reason="fog")
            yield self.env.timeout(check)
            self._tick()
            waited += check
            if waited > wait_max:
                self._emit("strike_cancelled", unit=u.id, reason="fog")
                return
        tx, ty = self.target_point(o.target)
        vis = self.visibility_m()
        cep_factor = air.fog_cep_factor(vis, p.f("air.cep_clear_visibility_m"), p.f("air.cep_blind_factor"))
        strafe_seen = air.strafe_share_seen(vis, p.f("air.strafe_sight_m"))
        reach = p.f("air.strafe_reach_m")
        if vis < limit:
            self._emit("strike_in_fog", unit=u.id, visibility_m=vis, cep_factor=cep_factor, strafe_seen=strafe_seen)
        rng = self.rng.get("air", u.id)
        sorties = dict(o.sorties) if o.sorties else dict(u.aircraft)
        area = self.cp.unit_area_m2
        enemy = [self.units[v] for v in self.ground_ids if self.units[v].side != u.side]
        for atype in sorted(sorties):
            n = min(sorties[atype], u.aircraft.get(atype, 0))
            if n <= 0:
                continue
            losses = anti_aircraft.fire_on_sortie(self, u, atype, n, tx, ty, enemy, rng)
            damaged, lost = losses.damaged, losses.lost
            load_kg = p.f(f"aircraft.{atype}.bomb_load_kg") * n
            bomb_kg = p.f(f"aircraft.{atype}.bomb_kg")
            bombs = load_kg / bomb_kg if bomb_kg > 0 else 0.0
            cep = p.f(f"aircraft.{atype}.cep_m") * cep_factor
            strafe = p.f(f"aircraft.{atype}.strafe_rounds") * n
            tonnes = load_kg / 1000.0
            u.bombs_t += tonnes
            self.bombs_t[u.side] += tonnes
            self._emit("strike", unit=u.id, aircraft=atype, sorties=n, bombs_t=tonnes, damaged=damaged, lost=lost, x=tx, y=ty,
                       target=o.target if isinstance(o.target, str) else "point")
            for v in enemy:
                if v.men <= 0:
                    continue
                d = math.hypot(v.x - tx, v.y - ty)
                g = self.rng.get("casualties", v.id)
                exp = 0.0
                sup = 0.0
                on_v = 0.0
                posture = 0.0
                if bombs > 0:
                    on_v = air.bombs_on_unit(bombs, d, cep, area)
                    lethal = p.f("air.lethal_area_m2_per_100kg") * bomb_kg / 100.0
                    posture = artillery.taken_cover_factor(
                        p.f(f"artillery.posture_lethality.{v.entrenchment}"), v.moving, self.now - v.last_under_fire_min,
                        p.f("artillery.taking_cover.within_min"), p.f("artillery.taking_cover.lethality_share"),
                    )
                    exp += artillery.expected_area_casualties(on_v, lethal, posture, v.men, area)
                    sup += 1.0 - math.exp(-on_v * bomb_kg / 1000.0 * p.f("air.suppression_per_tonne") * 10.0)
                if strafe > 0 and d <= o.radius_m + reach and o.strafing:
                    ex = self.cp.entrench_exposure[v.entrenchment]
                    exp += strafe / 1000.0 * p.f("air.strafe_kills_per_1000_rounds") * ex * strafe_seen
                    sup += strafe / 1000.0 * p.f("air.strafe_suppression_per_1000_rounds") * strafe_seen
                if exp > 0 or sup > 0:
                    self._inflict(
                        v, exp, g, cause=f"air:{u.id}", firer=u.id, weapon=atype, from_aim_m=d, bombs=on_v, posture=posture,
                        strafed=int(bool(strafe > 0 and d <= o.radius_m + reach and o.strafing)),
                    )
                    v.suppression = morale.add_suppression(v.suppression, min(sup, 1.0))
                    v.last_under_fire_min = self.now
                if bombs > 0 and v.guns and on_v > 0:  # a bomb in a gun pit, as a shell in it
                    gun_area, gun_kill = self._gun_hit
                    p_gun = artillery.point_target_hit_chance(on_v, gun_area, area, gun_kill)
                    self._guns_hit(v, p_gun, g, u.id, f"air:{u.id}", fired=f"bomb-{bomb_kg:g}kg", fire="bombs")
        yield self.env.timeout(0)
        self._tick()
