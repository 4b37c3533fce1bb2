"""Doctrine: the Japanese side's command each turn (hold the heights; counter-attack a height
just lost with a company detached from a battalion, one attack at a time on each), calling
off a counter-attack that has lost its share or found the height held in strength, and
bringing the groups back to rejoin their battalions.

Reads: ``command.counterattack_*`` (window, interval, least men and morale, range,
commit fraction, break-off loss), ``command.rejoin_distance_m``,
``morale.penetration_reference_ratio``.
"""

from __future__ import annotations

import math

import numpy as np

from khasan_sim.engine import world
from khasan_sim.engine.state import UnitState
from khasan_sim.engine.systems.common import _FALLING_BACK
from khasan_sim.model.morale import MoraleState

COUNTERATTACK_TYPES = ("rifle",)
_COUNTERATTACK_TYPE = np.array([t in COUNTERATTACK_TYPES for t in world.UNIT_TYPES])  # by type code


class DoctrineSystem:
    """Doctrine: the Japanese counter-attacks and the groups they detach."""

    def _command_turn(self) -> None:
        """The turn's command: the Japanese doctrine, when it commands the Japanese side."""
        if self.in_ceasefire() and not self._ceasefire_told:
            self._ceasefire_told = True
            self._emit("ceasefire_agreed", rule="each side keeps the positions it holds: no new attacks")
        if self.controllers.get("japanese") == "japanese-doctrine":
            self._bring_back_groups()
            if self.in_ceasefire():
                return  # the agreement: the positions are kept, no counter-attack goes in
            self._local_counterattacks()  # the troops in contact, at once
            self._japanese_doctrine()  # a company from a battalion, deliberately

    def _check_counterattacks(self, close: tuple[np.ndarray, np.ndarray] | None) -> int:
        """The pulse's look at the counter-attacks under way (*close*: :meth:`_close_quarters`);
        return how many it called off."""
        if self.counterattack_men:
            # an attack is called off as soon as it has lost its share, not at the turn
            # (None from the pulse: nobody that close anywhere, not asked again)
            return self._call_off_counterattacks(self.params.f("command.counterattack_break_off_loss"), close, close_known=True)
        return 0

    def _japanese_doctrine(self) -> None:
        """Hold the heights; counter-attack a height just lost with a company from the nearest
        battalion in good order that can spare one and still hold its own ground.

        One attack at a time on each height and from each battalion (it spares one company
        and holds its ground with the rest: a battalion whose company is still out, not yet
        rejoined, sends no other), and the next on a height no sooner than
        ``command.counterattack_interval_h`` after the last is over (called off, broken or
        arrived), and the next from a battalion no sooner than the interval after its last
        company rejoined it: the battalion learns how it went from the men who come back,
        and the next company has to be assembled (from them too), told its task and
        brought forward. The cycle on a height is then the attack's own length, which the
        fight decides, plus the interval; a battalion's is its company's way out and back
        plus the interval, and meanwhile the next attack on the height may come from
        another battalion within reach. An attack that has lost
        ``command.counterattack_break_off_loss`` of its men without carrying the ground, or
        that finds the height held in strength, is called off in the pulse it does
        (:meth:`_call_off_counterattacks`), and its group
        goes back to its battalion and rejoins it here, so that the battalion can attack
        again (the digest: the Japanese counter-attacked again and again).
        """
        p = self.params
        window = p.f("command.counterattack_window_h") * 60.0
        interval = p.f("command.counterattack_interval_h") * 60.0
        min_men = p.f("command.counterattack_min_men")
        min_morale = p.f("command.counterattack_min_morale")
        reach = p.f("command.counterattack_range_m")
        commit = p.f("command.counterattack_commit_fraction")
        # the Japanese units attacking as the turn began are those attacking now (nothing
        # here stops an attack) and those this turn sends (the battalions they came from
        # are busy with them too)
        launched: set[str] = set()
        now = self.now
        for z in self._height_ids():
            lost = self.lost_at.get((z, "japanese"))
            if lost is None or now - lost > window or self.holder[z] == "japanese":
                continue
            attacker = self.counterattack_on.get(z)
            if attacker is not None and (attacker in launched or self.units[attacker].activity == "attacking"):
                continue
            last = self.counterattack_ended.get(z) if attacker is not None else None
            if last is None:
                last = self.counterattack_started.get(z)  # over without a word (its men all lost)
            if last is not None and now - last < interval:
                continue
            cx, cy = self.zone_centre[z]
            cands = []
            held: int | None = None  # the other heights the Japanese hold, asked once
            # (each test reads the world and writes nothing: the dearest, whether it holds
            # another height, is asked last; the groups, which go back to their battalions
            # before they attack again, are left out of the list)
            for u in self._japanese_counterattackers():
                uid = u.id
                if u.activity == "attacking" or uid in launched:
                    continue
                out = self.company_out.get(uid)
                if out is not None and self.units[out].men > 0:
                    continue  # one company out at a time: the battalion waits for it to rejoin
                back = self.company_back.get(uid)
                if back is not None and now - back < interval:
                    continue  # the next company is assembled from the men who came back
                men = u.men
                if men < min_men or u.morale < min_morale or u.state is not MoraleState.STEADY:
                    continue
                if men - max(round(men * commit), int(min_men)) < min_men:
                    continue  # too weak to spare a company and still hold its own ground
                d = math.hypot(u.x - cx, u.y - cy)
                if d > reach:
                    continue
                if held is None:
                    held = self._held_heights("japanese", other_than=z)
                if self._on_held_height(u, held=held):
                    continue  # holding another height: the doctrine holds the heights
                cands.append((d, uid))
            if not cands:
                continue
            dist, uid = min(cands)
            parent_id = uid
            # the battalion sends a company-sized group and keeps its position, so it can
            # attack again and again
            u = self._detach(self.units[uid], commit, min_men)
            launched.add(uid)
            if u.id != uid:
                self.company_out[uid] = u.id
            uid = u.id
            self.counterattacks["japanese"] += 1
            self.counterattack_on[z] = uid
            self.counterattack_started[z] = now
            self.counterattack_ended.pop(z, None)
            self.counterattack_men[uid] = u.men
            launched.add(uid)
            self._emit(
                "counterattack", unit=uid, zone=z, side="japanese", rule="doctrine: retake a height just lost",
                parent=parent_id, distance_m=dist, men=u.men, lost_min_ago=now - lost,
            )
            u.objective = z
            u.activity = "attacking"
            self.start_move(u, self.zone_centre[z], [])

    def _japanese_counterattackers(self) -> list[UnitState]:
        """Return the Japanese ground units of a type that counter-attacks, in id order, but
        the groups detached from them (a group attacks with its battalion's plan, and goes
        back to it before it attacks again). Kept while the units that are not groups are
        as many: units are only ever added, a group never stops being one, and a unit's
        side and type never change, so a group formed (some 60 a run) leaves the list as
        it was."""
        ro = self._roster()
        groups = self.group_parent
        others = len(ro.units_by_row) - len(groups)
        kept = self._counterattackers_kept
        if kept is not None and kept[0] == others:
            return kept[1]
        rows = ro.ground_rows
        i = self.unit_table.i
        pick = (i[rows, world.U_SIDE] == world.SIDES.index("japanese")) & _COUNTERATTACK_TYPE[i[rows, world.U_TYPE]]
        units = [u for u in (ro.units_by_row[r] for r in rows[pick].tolist()) if u.id not in groups]
        self._counterattackers_kept = (others, units)
        return units

    def _call_off_counterattacks(
        self, break_off_loss: float, close: tuple[np.ndarray, np.ndarray] | None = None, close_known: bool = False,
    ) -> int:
        """Call off each counter-attack, short of its objective, that has lost *break_off_loss*
        of the men it set out with, or that has come within close-assault range of the
        enemy in such strength that the position would break it (the enemy's men in good
        order at ``morale.penetration_reference_ratio`` times its own or more: the ground is
        held, and the attack has found that out): its men go back where they came from.
        *close* is :meth:`_close_quarters`, when the caller has it already (with
        *close_known*, a None *close* is its answer, not a close quarters to work out).
        Return how many it called off (an attack over already is only forgotten: it moves
        nothing)."""
        too_strong = self.cp.penetration_reference_ratio
        called_off = 0
        if close is None and not close_known:
            close = self._close_quarters()
        enemy_near = close[1] if close is not None else None  # by unit row
        for uid in sorted(self.counterattack_men):
            u = self.units[uid]
            if u.activity != "attacking" or u.objective is None:
                del self.counterattack_men[uid]  # it arrived, or broke and fell back
                self._counterattack_over(uid)
                continue
            set_out = self.counterattack_men[uid]
            men = u.men
            if men <= set_out * (1.0 - break_off_loss):
                reason = "losses"
            elif enemy_near is not None and enemy_near.item(u.row) >= too_strong * men:
                reason = "held in strength"
            else:
                continue
            del self.counterattack_men[uid]
            self._counterattack_over(uid)
            zone = u.objective
            u.objective = None
            u.activity = "withdrawing"
            parent = self.units.get(self.group_parent.get(uid, ""))
            back = (parent.x, parent.y) if parent is not None and parent.men > 0 else (u.home_x, u.home_y)
            self._emit("counterattack_called_off", unit=uid, zone=zone, men=u.men, set_out=set_out, reason=reason)
            self.start_move(u, back, [])
            called_off += 1
        return called_off

    def _counterattack_over(self, uid: str) -> None:
        """Note the time the doctrine's attack *uid* ended, on the height it went for (the
        next one on that height is counted from here)."""
        for z, attacker in self.counterattack_on.items():
            if attacker == uid:
                self.counterattack_ended[z] = self.now

    def _height_ids(self) -> list[str]:
        """Return the zones that are heights, in zone order: the ground worth a company
        (valleys and villages follow them)."""
        return [z for z, _ in self._height_bits()]

    def _height_bits(self) -> list[tuple[str, int]]:
        """Return the scenario's heights, in zone order, with their bits in ``zone_bits``
        (made once: zones never change in a run)."""
        heights = self._heights
        if heights is None:
            heights = self._heights = [(z, 1 << k) for k, z in enumerate(self.zone_ids) if self.zones[z].kind == "height"]
        return heights

    def _held_heights(self, side: str, other_than: str | None = None) -> int:
        """Return the bits of the heights (other than *other_than*) *side* holds."""
        holder = self.holder
        held = 0
        for z, bit in self._height_bits():
            if z != other_than and holder[z] == side:
                held |= bit
        return held

    def _on_held_height(self, u: UnitState, other_than: str | None = None, held: int | None = None) -> bool:
        """Return True if *u* stands on a height (other than *other_than*) its side holds
        (*held*: :meth:`_held_heights` of its side, when the caller has it)."""
        if held is None:
            held = self._held_heights(u.side, other_than)
        if not held:
            return False
        x, y = u.x, u.y
        if not self.terrain.grid.contains(x, y):  # in_zone's test, for the unit's cell once
            return False
        return bool(self.zone_bits.item(self.cell(x, y)) & held)

    def _bring_back_groups(self) -> None:
        """Send each detached group that is done attacking back to its battalion, and merge
        the groups that are back with it (their men and weapons rejoin its ranks); the
        groups with men left are kept in id order (``_groups_out``: made again when a group
        is formed, those with none dropped)."""
        rejoin_m = self.params.f("command.rejoin_distance_m")
        done = self._groups_done
        groups = self.group_parent
        out = self._groups_out
        if out[0] != len(groups):  # a group formed since: the list made again
            out = self._groups_out = (len(groups), sorted(groups.keys() - done))
        held: dict[str, int] = {}  # each side's heights held (nothing here changes who holds one)
        finished = False
        for gid in out[1]:
            g = self.units[gid]
            if g.men <= 0:
                done.add(gid)  # rejoined or lost: a group's men never come back
                finished = True
                continue
            parent = self.units[groups[gid]]
            if parent.men <= 0 or g.activity == "attacking" or g.moving:
                continue
            if g.state in _FALLING_BACK or parent.state in _FALLING_BACK:
                continue
            side = g.side
            if side not in held:
                held[side] = self._held_heights(side)
            if self._on_held_height(g, held=held[side]):
                continue  # the group holds a height it took: it stays there
            if math.hypot(g.x - parent.x, g.y - parent.y) <= rejoin_m:
                self._rejoin(g, parent)
            else:
                g.objective = None
                g.activity = "withdrawing"
                self.start_move(g, (parent.x, parent.y), [])
        if finished:
            self._groups_out = (out[0], [gid for gid in out[1] if gid not in done])

    def _rejoin(self, g: UnitState, parent: UnitState) -> None:
        """Merge group *g*'s men and weapons back into *parent*.

        The group keeps its own dead and wounded (losses are counted where they fell), so
        it stays in the unit list with no men: ``men_start = men + killed + wounded +
        missing`` holds for both. The battalion's morale becomes the average of both, by men.
        """
        k = g.men
        q = k / g.men_start if g.men_start > 0 else 0.0
        for w, c in g.weapons_start.items():
            back = round(c * q)
            g.weapons_start[w] = c - back
            parent.weapons_start[w] = parent.weapons_start.get(w, 0) + back
        parent.morale = (parent.morale * parent.men + g.morale * k) / (parent.men + k)
        parent.men += k
        parent.men_start += k
        g.men = 0
        g.men_start -= k
        self.stop(g)
        g.activity = "rejoined"
        self._weapons_changed(g, parent)
        if self.company_out.get(parent.id) == g.id:
            self.company_back[parent.id] = self.now  # the battalion's next company from now on
        self._emit("rejoined", unit=g.id, parent=parent.id, men=k)

    def _detach(self, u: UnitState, fraction: float, min_men: float) -> UnitState:
        """Return a group of *u*'s men and weapons made a unit of its own (or *u* itself).

        The group takes *fraction* of the men present (at least *min_men*) with their
        share of the unit's weapons, its training, morale and state;
        it leaves the position (no entrenchment, no wire). When what would stay behind is
        smaller than *min_men*, the whole unit goes instead.
        """
        k = max(round(u.men * fraction), int(min_men))
        if u.men - k < min_men:
            return u
        # the group's weapons are its men's share of what the unit has now (weapons scale
        # with men present), and its establishment is its men: losses are then counted
        # where they fall, and men_start = men + killed + wounded + missing holds for both
        q = k / u.men_start
        n = self._groups_formed.get(u.id, 0) + 1
        self._groups_formed[u.id] = n
        weapons = {w: round(c * q) for w, c in u.weapons_start.items()}
        d = UnitState(
            self.unit_table,
            id=f"{u.id}-group-{n}", side=u.side, type=u.type, name=f"{u.name}, counter-attack group {n}",
            x=u.x, y=u.y, home_x=u.x, home_y=u.y, men_start=k, men=k,
            weapons_start=weapons, guns={}, aircraft={}, training=u.training, morale=u.morale,
            morale_start=u.morale_start, thresholds=u.thresholds, entrenchment="none", wire=False, ammunition=None,
        )
        d.state = u.state
        u.men -= k
        u.men_start -= d.men_start
        for w, c in weapons.items():
            u.weapons_start[w] -= c
        self.units[d.id] = d
        self.group_parent[d.id] = u.id
        # the id lists stay sorted; new lists, so what was made from the old ones is made again
        self.unit_ids = sorted([*self.unit_ids, d.id])
        self.ground_ids = sorted([*self.ground_ids, d.id])
        self._unit_added(d)
        self._weapons_changed(u)
        self._emit("detached", unit=d.id, parent=u.id, men=k)
        return d
