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
