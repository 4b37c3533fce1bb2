"""The commander AI: legal orders only, fog respected, deterministic, a plan of its own."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from khasan_sim.ai.driver import Pairing, ai_sides_of, with_pairing
from khasan_sim.api import Simulation
from khasan_sim.errors import KhasanSimError
from khasan_sim.model.morale import MoraleState


def _spy(sim):
    """Record every order given to *sim*, checking each against the public API's rules as it is given."""
    given_orders = []
    real = sim.give

    def give(order, **how):
        assert sim.check_order(order) is None, f"illegal order given: {order}"
        given_orders.append(order)
        return real(order, **how)

    sim.give = give
    return given_orders


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    side=st.sampled_from(["soviet", "japanese"]),
    level=st.sampled_from(["easy", "normal", "hard"]),
    seed=st.integers(0, 2**31),
    turns=st.integers(0, 10),
    shake=st.lists(st.tuples(st.integers(0, 60), st.sampled_from(list(MoraleState)), st.floats(0.05, 1.0)), max_size=12),
    shift=st.lists(st.tuples(st.integers(0, 60), st.floats(-1500, 1500), st.floats(-1500, 1500)), max_size=6),
)
def test_the_ai_never_issues_an_illegal_order(historical, side, level, seed, turns, shake, shift):
    """In random situations (units shaken, thinned, moved about), every order the AI gives is
    legal under the rules in force (the border rule included) and is for its own side's units."""
    sim = Simulation(historical, seed, commanders={side: level})
    for _ in range(turns):
        sim.advance_turn()
    units = [u for u in sim.units() if not u.is_air]
    for k, state, share in shake:
        u = units[k % len(units)]
        u.state = state
        u.men = max(1, int(u.men * share)) if u.men > 0 else 0
    g = sim.terrain.grid
    for k, dx, dy in shift:
        u = units[k % len(units)]
        x, y = u.x + dx, u.y + dy
        mask = sim.engine.forbidden.get(u.side)
        if g.contains(x, y) and (mask is None or not mask[g.cell(x, y)]):
            u.x, u.y = x, y
    orders = _spy(sim)
    commander = sim.command_post.commanders[side]
    commander.command(sim)
    for o in orders:
        assert all(sim.unit(uid).side == side for uid in o.unit_ids)
    for o, why in commander.refused:
        assert why  # what the API refused was never given
        assert o not in orders


def _view_after(historical, turns, move=None):
    sim = Simulation(historical, 4, commanders={"soviet": "normal"})
    for _ in range(turns):
        sim.advance_turn()
    if move is not None:
        move(sim)
    orders = _spy(sim)
    c = sim.command_post.commanders["soviet"]
    c.command(sim)
    return sim, c, orders


def test_the_ai_reads_only_the_enemies_its_side_sees(historical):
    """The view holds only enemies the side sees; moving an enemy it does not see changes no order."""
    sim, c, orders = _view_after(historical, 3)
    seen = {u.id for u in sim.observe("soviet") if u.side == "japanese"}
    assert {k.id for k in c.last_view.contacts} <= seen | set(c.memory.contacts)
    assert all(k.id in seen for k in c.last_view.contacts if k.seen_min == sim.now_min)
    unseen = sorted(u.id for u in sim.units() if u.side == "japanese" and not u.is_air and u.id not in seen)
    assert unseen, "the test needs an enemy the Soviet side does not see"

    def move_unseen(s):
        for uid in unseen:
            u = s.unit(uid)
            u.men = max(1, u.men // 3)  # weaker, and a little elsewhere where still out of sight
            u.x, u.y = u.x - 50.0, u.y - 50.0
            if uid in {v.id for v in s.observe("soviet")}:  # the step took it into view: it stays put
                u.x, u.y = u.x + 50.0, u.y + 50.0

    sim2, _, orders2 = _view_after(historical, 3, move_unseen)
    assert unseen[0] not in {u.id for u in sim2.observe("soviet")}
    assert [o.model_dump() for o in orders] == [o.model_dump() for o in orders2]


def test_the_ai_is_deterministic_for_a_seed(historical):
    """The same scenario, seed and level give the same orders and the same event log."""
    runs = []
    for _ in range(2):
        sim = Simulation(historical, 9, commanders={"soviet": "hard", "japanese": "normal"})
        sim.advance_to("1938-08-07T06:00")
        runs.append((sim.events_digest(), [(o.kind, o.unit_ids, o.at) for c in sim.command_post.commanders.values() for o in c.given]))
    assert runs[0] == runs[1]
    assert runs[0][1], "the commanders gave orders"


def test_slices_and_one_advance_give_the_same_run(historical):
    """The desktop advances in slices; the commanders act at the same boundaries, the log is the same."""
    a = Simulation(historical, 3, commanders={"soviet": "normal"})
    a.advance_to("1938-08-06T22:00")
    b = Simulation(historical, 3, commanders={"soviet": "normal"})
    while b.advance(max_events=97, until_min=a.now_min):
        pass
    assert a.events_digest() == b.events_digest()


@pytest.mark.parametrize(("soviet", "japanese"), [("ai", "doctrine"), ("historical", "ai"), ("ai", "ai")])
def test_a_whole_game_for_each_pairing(historical, soviet, japanese):
    """Each pairing plays to the ceasefire without error, and the AI side gives orders."""
    p = Pairing(soviet, japanese, "normal")
    sim = Simulation(historical, 2, commanders=p.ai_sides)
    result = sim.run_to_end()
    assert sim.finished and "1938-08-11T12:00" in result.snapshots
    for side in p.ai_sides:
        assert sim.command_post.commanders[side].given
    assert result.variant == f"base+{','.join(f'{s}=ai-normal' for s in sorted(p.ai_sides))}"


def test_the_soviet_ai_plans_prepares_and_assaults(historical):
    """Normal level: an attack is assembled, prepared by the guns and the air, then assaulted, and a height taken."""
    sim = Simulation(historical, 1, commanders={"soviet": "normal"})
    orders = _spy(sim)
    sim.advance_to("1938-08-07T12:00")
    c = sim.command_post.commanders["soviet"]
    phases = [(z, ph) for _, z, ph in c.log]
    first = phases[0][0]
    seq = [ph for z, ph in phases if z == first]
    assert seq[:3] == ["assemble", "prepare", "assault"]
    kinds = [(o.kind, getattr(o, "mission", None)) for o in orders]
    assert ("fire_mission", "preparation") in kinds and ("air_strike", None) in kinds
    first_prep = kinds.index(("fire_mission", "preparation"))
    first_attack = next(i for i, o in enumerate(orders) if o.kind == "attack")
    assert first_prep < first_attack
    assert any(h == "soviet" for z, h in sim.holders().items() if sim.engine.zones[z].kind == "height")


def test_easy_attacks_piecemeal_without_preparation(historical):
    """Easy level: one attack at a time, no preparation fire."""
    sim = Simulation(historical, 1, commanders={"soviet": "easy"})
    orders = _spy(sim)
    sim.advance_to("1938-08-06T22:00")
    c = sim.command_post.commanders["soviet"]
    assert not any(getattr(o, "mission", None) == "preparation" for o in orders)
    assert len({z for z, op in c.ops.items() if op.phase != "hold"}) <= 1
    assert any(o.kind == "attack" for o in orders)


def test_the_soviet_ai_pauses_when_its_units_are_shaken(historical):
    """An assault whose units are mostly shaken is paused: its units hold where they stand."""
    sim = Simulation(historical, 1, commanders={"soviet": "normal"})
    c = sim.command_post.commanders["soviet"]
    while not any(op.phase == "assault" for op in c.ops.values()):
        sim.advance_turn()
    op = next(op for op in c.ops.values() if op.phase == "assault")
    for uid in op.units:
        sim.unit(uid).state = MoraleState.SHAKEN
    orders = _spy(sim)
    c.command(sim)
    assert op.phase == "pause"
    assert {o.unit for o in orders if o.kind == "defend"} >= set(op.units)


def test_the_border_rule_keeps_objectives_on_the_own_side(historical):
    """With the border closed, no objective lies wholly beyond it, and no order crosses it."""
    sim = Simulation(historical, 1, commanders={"soviet": "normal"})
    orders = _spy(sim)
    sim.advance_to("1938-08-07T06:00")
    v = sim.command_post.commanders["soviet"].last_view
    forbidden = {o.id for o in v.objectives if o.forbidden}
    assert {"homoku", "zaozernaya-rear", "tumen-island"} <= forbidden
    assert not forbidden & set(sim.command_post.commanders["soviet"].ops)
    for o in orders:
        assert sim.check_order(o) is None or o.kind == "fire_mission"


def test_the_japanese_ai_withdraws_a_broken_unit_and_counter_attacks(historical):
    """A unit down to a tenth of its men is sent to the rear zone; a lost height is counter-attacked."""
    sim = Simulation(historical, 1, commanders={"japanese": "normal"})
    sim.advance_turn()
    c = sim.command_post.commanders["japanese"]
    broken = sim.unit("j-75ir-mgh")
    broken.men = max(1, broken.men // 10)
    c.holders["zaozernaya"] = "japanese"
    sim.engine.holder["zaozernaya"] = "soviet"  # the height has just been lost
    orders = _spy(sim)
    c.command(sim)
    withdraw = [o for o in orders if o.kind == "withdraw"]
    assert any(o.unit == "j-75ir-mgh" and o.to == "zaozernaya-rear" for o in withdraw)
    attacks = [o for o in orders if o.kind == "attack"]
    assert [o.objective for o in attacks] == ["zaozernaya"]
    u = sim.unit(attacks[0].unit)
    assert u.type == "rifle" and u.state is MoraleState.STEADY
    cx, cy = sim.engine.zone_centre["zaozernaya"]
    assert math.hypot(u.x - cx, u.y - cy) <= c.rules.f("counterattack_reach_m")


def test_the_japanese_ai_shifts_its_reserve_to_a_threatened_height(historical):
    """A held height with an enemy regiment in sight near it gets a reserve sent to defend it."""
    sim = Simulation(historical, 1, commanders={"japanese": "normal"})
    orders = _spy(sim)
    sim.advance_to("1938-08-06T20:00")
    c = sim.command_post.commanders["japanese"]
    reserves = [(z, uid) for _, what, uid, z in c.log if what == "reserve"]
    assert reserves
    z, uid = reserves[0]
    assert any(o.kind == "defend" and o.unit == uid and o.zone == z for o in orders)
    assert sim.engine.zones[z].kind == "height"


def test_pairings_are_checked_and_recorded(historical):
    with pytest.raises(KhasanSimError, match="--soviet"):
        Pairing("computer", "doctrine")
    with pytest.raises(KhasanSimError, match="level"):
        with_pairing(historical, {"soviet": "expert"})
    paired = with_pairing(historical, {"soviet": "hard"})
    assert ai_sides_of(paired) == {"soviet": "hard"}
    assert paired.digest != historical.digest
    assert paired.variant_id == "base+soviet=ai-hard"
    assert ai_sides_of(historical) == {}


def test_the_event_log_names_the_commander_ai_as_the_giver_of_its_orders(historical):
    """The AI's orders are logged as the commander AI's, not a player's; the recorded orders stay the scenario's."""
    sim = Simulation(historical, 9, commanders={"soviet": "normal"})
    sim.advance_to("1938-08-06T20:00")
    given = {o.unit_ids[0] for o in sim.command_post.commanders["soviet"].given}
    orders = [e for e in sim.events() if e.kind == "order"]
    assert given
    assert {e.get("source") for e in orders if e.get("unit") in given} >= {"commander-ai"}
    assert "player" not in {e.get("source") for e in orders}


def test_the_ai_gives_no_attack_order_once_the_ceasefire_is_agreed(historical):
    """After ``rules.ceasefire`` is agreed, the commander AI's attack orders are refused
    with the agreement as the reason; without it the same AI attacks within a few turns."""
    def attacks(agreed: bool) -> tuple[int, list[str]]:
        sim = Simulation(historical, 4, commanders={"soviet": "normal"})
        if agreed:
            sim.engine.ceasefire_min = sim.engine.now
        for _ in range(6):
            sim.advance_turn()
        c = sim.command_post.commanders["soviet"]
        return sum(o.kind == "attack" for o in c.given), [why for o, why in c.refused if o.kind == "attack"]

    given_before, _ = attacks(False)
    given_after, refused = attacks(True)
    assert given_before > 0
    assert given_after == 0 and refused and all("ceasefire" in why for why in refused)
