"""The event log in words: every kind the game shows has its own sentence."""

from __future__ import annotations

from khasan_sim.engine.eventlog import LogEvent
from khasan_sim.ui.eventtext import IMPORTANT, SHOWN, describe


def _event(kind: str) -> LogEvent:
    fields = {"unit": "40rd-118rr", "order": "o-zao-attack-7", "tank": "2mb-3tb-t01", "zone": "zaozernaya"}
    return LogEvent(seq=1, t_s=60, kind=kind, fields=tuple(sorted(fields.items())))


def test_every_shown_kind_is_told_in_words_not_by_its_name():
    for kind in sorted(SHOWN):
        text = describe(_event(kind))
        assert text and not text.startswith(kind), kind


def test_important_kinds_are_shown():
    assert IMPORTANT <= SHOWN


def test_an_order_that_waits_for_a_rally_says_so():
    assert "waits until it rallies" in describe(_event("order_deferred"))
    assert "o-zao-attack-7" in describe(_event("order_resumed"))


def test_the_counter_attack_lines_are_short_enough_for_the_event_log():
    ev = LogEvent(seq=1, t_s=60, kind="counterattack", fields=(("side", "japanese"), ("unit", "j-76ir-2bn-group-13"), ("zone", "bezymyannaya")))
    assert describe(ev) == "j-76ir-2bn-group-13 counter-attacks bezymyannaya"
    off = LogEvent(seq=2, t_s=60, kind="counterattack_called_off", fields=(("unit", "j-76ir-2bn-group-13"), ("zone", "bezymyannaya")))
    back = LogEvent(seq=3, t_s=60, kind="rejoined", fields=(("parent", "j-76ir-2bn"), ("unit", "j-76ir-2bn-group-13")))
    # about 48 characters fit beside the time in the event log at 1280 x 800
    for e in (ev, off, back):
        assert len(describe(e)) <= 48, describe(e)
    assert "breaks off" in describe(off) and describe(back) == "j-76ir-2bn-group-13 rejoins j-76ir-2bn"


def test_the_crossing_lines_say_who_blocks_whom_in_a_line_of_the_event_log():
    f = (("crossing", "xing-1"), ("tank", "2mb-3tb-t19"), ("unit", "2mb-3tb"))
    blocked = LogEvent(seq=1, t_s=60, kind="crossing_blocked", fields=f)
    held = LogEvent(seq=2, t_s=60, kind="held_at_crossing", fields=(("by", "2mb-3tb-t19"), ("crossing", "xing-1"), ("tank", "2mb-3tb-t31"), ("unit", "2mb-3tb")))
    clear = LogEvent(seq=3, t_s=60, kind="crossing_cleared", fields=(*f, ("status", "operational")))
    assert describe(blocked) == "2mb-3tb-t19 blocks xing-1, bogged"
    assert describe(held) == "2mb-3tb-t31 held at xing-1 behind 2mb-3tb-t19"
    assert describe(clear) == "xing-1 clear again (2mb-3tb-t19 operational)"
    for e in (blocked, held, clear):
        assert len(describe(e)) <= 48, describe(e)


def test_every_kind_the_engine_writes_has_words_of_its_own():
    from khasan_sim.analysis.event_schema import KINDS

    for kind in sorted(KINDS):
        text = describe(_event(kind))
        assert text and not text.startswith(kind), kind


def test_ground_fire_on_a_strike_is_a_line_of_the_log():
    ev = LogEvent(seq=1, t_s=60, kind="aircraft_hit", fields=(("damaged", 2), ("lost", 0), ("sorties", 60), ("unit", "vvs-tb3")))
    assert describe(ev) == "vvs-tb3: 2 of 60 aircraft hit by ground fire, 0 lost"
    assert len(describe(ev)) <= 56
