"""The story checks judged on hand-made observations, and the observations worked out
from hand-made events and samples (no simulation)."""

from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from khasan_sim.analysis.story import (
    CANNOT,
    FAILS,
    HOLDS,
    NOT_OBSERVED,
    NOT_YET,
    compare_story,
    judge_check,
    judge_run,
    meets,
)
from khasan_sim.engine.eventlog import LogEvent
from khasan_sim.results import RunResult
from khasan_sim.story import observe
from khasan_sim.story.spec import Check, Threshold, load_story
from khasan_sim.story.watch import StoryWatch, distance_to, inside

START = datetime(1938, 8, 6, 16, 0)
STORY = load_story()
SQUARE = [(0.0, 0.0), (100.0, 0.0), (100.0, 100.0), (0.0, 100.0)]


def hours(t: datetime) -> float:
    return (t - START).total_seconds() / 3600.0


def passing_and_failing(check: Check) -> tuple[Any, list[Any]]:
    """Return a value that meets the check's threshold and values that do not."""
    t = check.threshold
    step = 0.01 if check.is_share else 1
    if t.test == "at_least":
        return t.at_least, [t.at_least - step]
    if t.test == "at_most":
        return t.at_most, [t.at_most + step]
    if t.test == "more_than":
        return t.more_than + step, [t.more_than]
    if t.test == "less_than":
        return t.less_than - step, [t.less_than]
    if t.test == "equals":
        if isinstance(t.equals, str):
            return t.equals, ["soviet" if t.equals != "soviet" else "japanese", None]
        return t.equals, [t.equals + 1]
    if t.test == "between":
        return t.between[0], [t.between[0] - 1, t.between[1] + 1]
    if t.test == "by":
        return hours(t.by) - 1, [hours(t.by) + 1, None]
    lo, hi = t.within
    return hours(lo) + 1, [hours(lo) - 1, hours(hi), None]


JUDGED = [c for c in STORY.checks if c.threshold is not None]


@pytest.mark.parametrize("check", JUDGED, ids=[c.id for c in JUDGED])
def test_each_check_holds_and_fails_on_hand_made_observations(check):
    good, bads = passing_and_failing(check)
    ob = {"value": good, "settled": True, "observe_key": check.observe_key}
    assert judge_check(check, ob, START).verdict == HOLDS
    for bad in bads:
        assert judge_check(check, {**ob, "value": bad}, START).verdict == FAILS, bad


@pytest.mark.parametrize("check", JUDGED, ids=[c.id for c in JUDGED])
def test_each_check_cannot_show_not_yet_and_not_observed(check):
    key = check.observe_key
    assert (
        judge_check(check, {"value": None, "settled": True, "cannot_show": "why"}, START).verdict
        == CANNOT
    )
    good, _ = passing_and_failing(check)
    assert (
        judge_check(check, {"value": good, "settled": False, "observe_key": key}, START).verdict
        == NOT_YET
    )
    assert judge_check(check, None, START).verdict == NOT_OBSERVED
    stale = judge_check(check, {"value": good, "settled": True, "observe_key": "0" * 12}, START)
    assert stale.verdict == NOT_OBSERVED and "story.yaml changed" in stale.note


def test_a_check_the_model_lacks_is_reported_never_passed():
    lacking = [c for c in STORY.checks if c.model_lacks is not None]
    assert lacking
    for c in lacking:
        v = judge_check(c, None, START)
        assert v.verdict == CANNOT and v.note.startswith("the model cannot show this yet")


def test_thresholds():
    assert meets(Threshold(at_least=0.5), 0.5) and not meets(Threshold(at_least=0.5), None)
    assert meets(Threshold(between=(10, 14)), 14) and not meets(Threshold(between=(10, 14)), 15)
    assert meets(Threshold(equals="japanese"), "japanese") and not meets(
        Threshold(equals="japanese"), None
    )
    by = Threshold(by=datetime(1938, 8, 9))
    assert meets(by, 56.0, START) and not meets(by, 56.5, START) and not meets(by, None, START)
    within = Threshold(within=(datetime(1938, 8, 9), datetime(1938, 8, 10)))
    assert meets(within, 56.0, START) and not meets(within, 80.0, START)
    with pytest.raises(ValueError, match="start"):
        meets(by, 1.0)


def test_judge_run_and_a_study_share():
    check = STORY.check("soviets-lost-more-men")

    def result(ratio: float | None) -> RunResult:
        obs = (
            {}
            if ratio is None
            else {check.id: {"value": ratio, "settled": True, "observe_key": check.observe_key}}
        )
        story = None if ratio is None else {"start": "1938-08-06T16:00", "observations": obs}
        return RunResult(
            "khasan-1938-historical", 1, None, {"1938-08-11T12:00": {}}, 1, "0" * 64, story=story
        )

    verdicts = {v.check.id: v for v in judge_run(STORY, result(1.5))}
    assert verdicts[check.id].verdict == HOLDS and verdicts[check.id].observed == "1.50"
    comp = compare_story(STORY, [result(1.5), result(0.9), result(1.2), result(None)])
    row = next(c for c in comp.checks if c.check.id == check.id)
    assert (row.holds, row.runs, row.share) == (2, 4, 0.5) and row.status == HOLDS
    assert row.to_json()["verdicts"][FAILS] == 1 and row.to_json()["verdicts"][NOT_OBSERVED] == 1
    assert any("carry no story observations" in n for n in comp.notes)


# ------------------------------------------------------------------ the observations


def ev(seq: int, minute: float, kind: str, **fields: Any) -> LogEvent:
    return LogEvent(seq, round(minute * 60), kind, tuple(sorted(fields.items())))


def at(text: str) -> float:
    return (datetime.fromisoformat(text) - START).total_seconds() / 60.0


class FakeWatch:
    """What the observation functions read of a StoryWatch, made by hand."""

    minutes = StoryWatch.minutes
    label = StoryWatch.label

    def __init__(
        self, units: dict[str, dict[str, Any]], tanks: dict[str, list[str]] | None = None, **kw: Any
    ) -> None:
        self.start = START
        base = {
            "side": "soviet",
            "type": "tank",
            "air": False,
            "men": 100,
            "x": 0.0,
            "y": 0.0,
            "entrenchment": "none",
            "guns": 0,
            "tanks": 0,
            "command_tanks": 0,
        }
        self.units_at_start = {uid: {**base, **u} for uid, u in units.items()}
        self.engine = SimpleNamespace(
            units={
                uid: SimpleNamespace(tanks=[SimpleNamespace(id=t) for t in ids])
                for uid, ids in (tanks or {}).items()
            }
        )
        self.polygons = kw.get("polygons", {"valley": SQUARE, "xing": SQUARE})
        self.samples = kw.get("samples", {})
        self.kept = kw.get("kept", {})
        self.sent = kw.get("sent", {})
        self.on_ground = kw.get("on_ground", {})


def observed(
    check_id: str, watch: FakeWatch, events: list[LogEvent], now: float = 1e9
) -> dict[str, Any]:
    return observe.observe(watch, STORY.check(check_id), observe.EventIndex(events), now)


def test_geometry():
    assert inside(50, 50, SQUARE) and not inside(150, 50, SQUARE)
    assert distance_to(50, 50, SQUARE) == 0.0 and distance_to(130, 140, SQUARE) == pytest.approx(
        50.0
    )


def test_command_tanks_among_the_first_hit():
    tanks = [f"t{i:02d}" for i in range(45)]
    w = FakeWatch({"2mb-2tb": {"tanks": 45, "command_tanks": 6}}, {"2mb-2tb": tanks})
    t0 = at("1938-08-06T17:00")
    # 12 first hits (twice the 6 command tanks): 3 command tanks among them, a 4th later
    hits = [
        ev(
            i,
            t0 + i,
            "tank_knocked_out",
            unit="2mb-2tb",
            tank=tanks[i],
            command=int(i in (0, 4, 11, 12)),
            cause="at37:x",
        )
        for i in range(14)
    ]
    hits.append(
        ev(99, t0 + 1, "tank_knocked_out", unit="2mb-2tb", tank=tanks[0], command=1, cause="at37:x")
    )  # hit again: counted once
    got = observed("command-tanks-among-first-hit", w, hits)
    assert got["value"] == 0.5 and got["detail"]["command_among_first"] == 3
    fewer = [
        h
        if h.seq != 11
        else ev(
            11,
            t0 + 11,
            "tank_knocked_out",
            unit="2mb-2tb",
            tank=tanks[11],
            command=0,
            cause="at37:x",
        )
        for h in hits
    ]
    assert observed("command-tanks-among-first-hit", w, fewer)["value"] == pytest.approx(
        2 / 6, abs=1e-3
    )
    none = FakeWatch({"2mb-2tb": {"tanks": 45, "command_tanks": 0}}, {"2mb-2tb": tanks})
    with pytest.raises(observe.CannotShowError, match="the model cannot show this yet"):
        observed("command-tanks-among-first-hit", none, hits)


def test_bogging_counts_each_tank_once_inside_its_window():
    w = FakeWatch({"2mb-2tb": {"tanks": 4}})
    window = STORY.check("second-battalion-bogged-in-swamps").observe
    t0, t1 = w.minutes(window.from_), w.minutes(window.to)
    events = [
        ev(1, t0, "bogged", unit="2mb-2tb", tank="a", x=0.0, y=0.0),
        ev(2, t0 + 30, "bogged", unit="2mb-2tb", tank="a", x=0.0, y=0.0),
        ev(3, t1 - 1, "bogged", unit="2mb-2tb", tank="b", x=0.0, y=0.0),
        ev(4, t1, "bogged", unit="2mb-2tb", tank="c", x=0.0, y=0.0),  # at the window's end: out
        ev(5, t0 + 5, "bogged", unit="other", tank="d", x=0.0, y=0.0),
    ]
    got = observed("second-battalion-bogged-in-swamps", w, events)
    assert got["value"] == 0.5 and got["detail"] == {"bogged": 2, "of": 4}


def test_the_rest_stuck_at_the_crossings_or_hit():
    w = FakeWatch(
        {"2mb-3tb": {"tanks": 5}},
        {"2mb-3tb": ["a", "b", "c", "d", "e"]},
        polygons={
            "xing-1": SQUARE,
            "xing-2": [(5000, 5000), (5001, 5000), (5001, 5001)],
            "xing-3": [(9000, 9000), (9001, 9000), (9001, 9001)],
        },
    )
    t = at("1938-08-06T18:00")
    events = [
        ev(1, t, "tank_reached", unit="2mb-3tb", tank="a", zone="japanese-forward-line"),
        ev(
            2, t, "bogged", unit="2mb-3tb", tank="b", x=350.0, y=50.0
        ),  # 250 m from crossing 1: stuck there
        ev(3, t, "bogged", unit="2mb-3tb", tank="c", x=3000.0, y=50.0),  # far from any crossing
        ev(4, t, "tank_knocked_out", unit="2mb-3tb", tank="d", command=0, cause="artillery:x"),
    ]
    got = observed("third-battalion-rest-stuck-or-hit", w, events)
    assert got["detail"] == {"did_not_reach": 4, "stuck": 1, "hit": 1, "of": 5}
    assert got["value"] == 0.5


def test_tanks_knocked_out_by_cause_and_as_a_share_of_the_knocked_out():
    w = FakeWatch({"2mb-3tb": {"tanks": 43}, "2mb-2tb": {"tanks": 45}})
    t = at("1938-08-06T18:00")
    events = [
        ev(i, t, "tank_knocked_out", unit="2mb-3tb", tank=f"t{i}", command=0, cause=c)
        for i, c in enumerate(["artillery:a", "observed-artillery:b", "at37:c", "artillery:a"])
    ]
    assert observed("third-battalion-lost-tanks-to-artillery", w, events)["value"] == 0.75
    at37 = [
        ev(i, t, "tank_knocked_out", unit="2mb-2tb", tank=f"t{i}", command=0, cause="at37:j")
        for i in range(9)
    ]
    assert observed("second-battalion-hit-by-anti-tank-guns", w, at37)["value"] == pytest.approx(
        0.2
    )


def test_tanks_stopped_in_the_valley_from_the_sample():
    sample = {
        "at": "1938-08-06T20:00",
        "tanks": [
            ["bogged", False, True],
            ["operational", False, True],
            ["destroyed", False, True],
            ["operational", True, True],
            ["bogged", False, False],
        ],
    }
    w = FakeWatch(
        {"2mb-recon-tank-coy": {"tanks": 5}},
        polygons={"southern-valley": SQUARE},
        samples={"recon-company-stopped-in-valley": sample},
    )
    got = observed("recon-company-stopped-in-valley", w, [])
    assert (
        got["value"] == 0.6
        and got["detail"]["bogged"] == 1
        and got["detail"]["halted"] == 1
        and got["detail"]["knocked_out"] == 1
    )
    early = FakeWatch({"2mb-recon-tank-coy": {"tanks": 5}}, polygons={"southern-valley": SQUARE})
    assert observed("recon-company-stopped-in-valley", early, [], now=10.0)["settled"] is False


def test_tanks_sent_against_the_hill():
    w = FakeWatch({"2mb-2tb": {"tanks": 45}})
    with pytest.raises(observe.CannotShowError, match="no tank was sent against machine-gun-hill"):
        observed("tanks-could-not-climb-machine-gun-hill", w, [])
    assert observed("tanks-could-not-climb-machine-gun-hill", w, [], now=60.0)["settled"] is False
    # a unit given the hill as objective at 19:00: only what its tanks did after counts,
    # and only standing on the hill's rock (the watch's turn samples), not entering its zone
    t = at("1938-08-06T19:00")
    w.sent["tanks-could-not-climb-machine-gun-hill"] = {"2mb-2tb": t}
    w.on_ground["tanks-could-not-climb-machine-gun-hill"] = [(t - 30, "a", "2mb-2tb"), (t + 30, "b", "2mb-2tb")]
    entered = [ev(1, t + 10, "tank_reached", unit="2mb-2tb", tank="c", zone="machine-gun-hill")]
    got = observed("tanks-could-not-climb-machine-gun-hill", w, entered)
    assert got["value"] == 1 and got["detail"]["units_sent"] == ["2mb-2tb"]


def test_tanks_sent_apart_against_the_hill():
    """An attack order with tanks (some of a battalion's tanks sent apart) counts its tanks
    as sent, from the order on; the battalion's other tanks on the rock do not count."""
    w = FakeWatch({"2mb-2tb": {"tanks": 45}})
    t = at("1938-08-06T18:00")
    sent = [ev(1, t, "tanks_sent", unit="2mb-2tb", zone="machine-gun-hill", order="o", asked=2, n=2, tanks="t01,t02")]
    got = observed("tanks-could-not-climb-machine-gun-hill", w, sent)
    assert got["value"] == 0 and got["detail"]["tanks_sent"] == 2 and got["detail"]["units_sent"] == []
    w.on_ground["tanks-could-not-climb-machine-gun-hill"] = [
        (t - 30, "t01", "2mb-2tb"),  # before it was sent
        (t + 30, "t02", "2mb-2tb"),  # sent, on the rock
        (t + 30, "t03", "2mb-2tb"),  # not sent
    ]
    assert observed("tanks-could-not-climb-machine-gun-hill", w, sent)["value"] == 1


def test_a_ground_class_is_checked():
    from pydantic import ValidationError

    from khasan_sim.story.spec import TanksClimbed

    with pytest.raises(ValidationError, match="expected a ground class"):
        TanksClimbed.model_validate({"kind": "tanks_climbed", "zone": "z", "ground": "rocks", "from": "1938-08-06T16:00", "to": "1938-08-07T00:00"})


def test_batteries_firing_and_silenced():
    units = {
        "j-a": {"side": "japanese", "type": "artillery", "guns": 4, "x": 50.0, "y": 50.0},
        "j-b": {"side": "japanese", "type": "artillery", "guns": 4, "x": 60.0, "y": 50.0},
        "j-c": {"side": "japanese", "type": "artillery", "guns": 4, "x": 5000.0, "y": 50.0},
    }
    w = FakeWatch(units, polygons={"tumen-island": SQUARE})
    events = [
        ev(1, at("1938-08-06T17:00"), "volley", unit="j-a", rounds=4),
        ev(2, at("1938-08-06T17:30"), "volley", unit="j-c", rounds=4),
        ev(3, at("1938-08-09T10:00"), "guns_lost", unit="j-a", n=2, weapon="gun-75", by="s"),
        ev(4, at("1938-08-10T08:00"), "volley", unit="j-a", rounds=4),
        ev(5, at("1938-08-10T08:00"), "volley", unit="j-b", rounds=4),
    ]
    assert observed("preparation-did-not-suppress-artillery", w, events)["value"] == pytest.approx(
        2 / 3, abs=1e-3
    )
    got = observed("island-batteries-lost-duel-9-aug", w, events)
    assert got["value"] == 0.5 and got["detail"]["batteries"]["j-a"] == "lost 2 of 4 guns"
    quiet = [e for e in events if e.seq != 5]
    assert observed("island-batteries-lost-duel-9-aug", w, quiet)["value"] == 1.0


def test_counterattacks_and_heights_passed():
    w = FakeWatch({})
    d7 = at("1938-08-07T00:00")
    events = [
        ev(i, d7 + 60 * i, "counterattack", side="japanese", unit=f"g{i}", zone="zaozernaya")
        for i in range(7)
    ]
    events += [
        ev(10, d7 - 1, "counterattack", side="japanese", unit="g", zone="zaozernaya"),
        ev(11, d7 + 5, "counterattack", side="soviet", unit="s", zone="x"),
    ]
    assert observed("japanese-counterattacked-many-times-7-aug", w, events)["value"] == 7
    d10 = at("1938-08-10T00:00")
    passed = [
        ev(1, d10 + 100, "zone_holder", zone="zaozernaya", holder="japanese", was="soviet"),
        ev(2, d10 + 200, "zone_holder", zone="height-194", holder="japanese", was="soviet"),
    ]
    assert observed("attacks-10-aug-without-success", w, passed)["value"] == 1


def test_preparation_losses_of_the_dug_in():
    units = {
        "j-dug": {"side": "japanese", "type": "rifle", "men": 1000, "entrenchment": "trenches"},
        "j-open": {"side": "japanese", "type": "rifle", "men": 1000},
    }
    w = FakeWatch(units)
    events = [
        ev(1, 10, "casualties", unit="j-dug", killed=10, wounded=20, missing=0, cause="air:x"),
        ev(2, 20, "casualties", unit="j-open", killed=100, wounded=0, missing=0, cause="air:x"),
        ev(
            3,
            at("1938-08-06T16:55"),
            "casualties",
            unit="j-dug",
            killed=100,
            wounded=0,
            missing=0,
            cause="direct-fire",
        ),
    ]
    got = observed("preparation-low-effect-on-dug-in-defenders", w, events)
    assert got["value"] == 0.03 and got["detail"]["units"] == 1


def test_ground_kept_and_holders_kept():
    w = FakeWatch(
        {},
        kept={
            "japanese-kept-ground-near-zaozernaya": {
                "broken_at": at("1938-08-08T12:00"),
                "last": at("1938-08-08T12:00"),
                "men": [300, 0],
            }
        },
    )
    got = observed("japanese-kept-ground-near-zaozernaya", w, [], now=at("1938-08-08T12:00"))
    assert got["value"] == 36.0 and got["settled"] is True
    h = {
        "zaozernaya": "soviet",
        "bezymyannaya": "soviet",
        "machine-gun-hill": "japanese",
        "bogomolnaya": "japanese",
    }
    w = FakeWatch(
        {},
        samples={
            "ceasefire-on-the-positions-of-10-aug@from": {"holders": h},
            "ceasefire-on-the-positions-of-10-aug@to": {"holders": {**h, "zaozernaya": None}},
        },
    )
    assert observed("ceasefire-on-the-positions-of-10-aug", w, [])["value"] == 1


def test_an_observation_needs_its_unit():
    with pytest.raises(observe.CannotShowError, match="not in this scenario"):
        observed("second-battalion-bogged-in-swamps", FakeWatch({}), [])


def test_labels():
    w = FakeWatch({})
    assert w.label(at("1938-08-09T00:00")) == "1938-08-09T00:00"
    assert w.minutes(START + timedelta(hours=2)) == 120.0


def test_a_variants_story_checks_against_the_baseline():
    """``compare --against``: each check's share of runs holding in two studies, the
    difference with its interval, and whether it matters (10 points with the interval off
    zero, or the check holding in one study only); paired run by run on a shared seed."""
    from khasan_sim.analysis.story_against import section, story_against

    check = STORY.check("soviets-lost-more-men")

    def result(ratio: float) -> RunResult:
        obs = {check.id: {"value": ratio, "settled": True, "observe_key": check.observe_key}}
        return RunResult(
            "khasan-1938-historical", 1, None, {"1938-08-11T12:00": {}}, 1, "0" * 64,
            story={"start": "1938-08-06T16:00", "observations": obs},
        )

    def study(ratios: list[float]) -> Any:
        return SimpleNamespace(runs=[(i, result(r)) for i, r in enumerate(ratios)])

    baseline = study([1.5] * 30 + [0.9] * 10)  # holds in 75% of the runs
    variant = study([1.5] * 10 + [0.9] * 30)  # in 25%: the verdict changes
    same = study([1.5] * 30 + [0.9] * 10)
    diffs = {d.check: d for d in story_against(STORY, variant, baseline, paired=True, resamples=500)}
    d = diffs[check.id]
    assert (d.this, d.other, d.runs_this, d.runs_other) == (0.25, 0.75, 40, 40)
    assert d.difference == pytest.approx(-0.5)
    assert d.low < -0.3 and d.high < 0.0
    assert d.verdict_changed and d.matters and "this study" not in d.why() and "other study only" in d.why()
    again = {x.check: x for x in story_against(STORY, same, baseline, paired=True, resamples=500)}[check.id]
    assert again.difference == 0.0 and (again.low, again.high) == (0.0, 0.0) and not again.matters
    # a check no run could judge (observations missing): no shares, never "matters"
    other_check = next(x for x in diffs.values() if x.check != check.id)
    assert other_check.this is None and other_check.difference is None and not other_check.matters
    assert d.to_json()["matters"] is True and d.to_json()["statistic"] == "share of runs holding"
    html_text = section(list(diffs.values()), "base.sqlite")
    row = html_text.split(check.id)[1].split("</tr>")[0]
    assert "base.sqlite" in html_text and "<b>-50</b>" in row and "25%" in row and "75%" in row


def test_the_exercise_report_lists_the_digests_statements_a_variant_moves():
    """The exercise report's story section: for each variant, the statements whose share
    the change moves (here one that stops holding), in the digest's words; none for a
    study of another scenario."""
    from khasan_sim.exercises.story import story_changes, story_html

    check = STORY.check("soviets-lost-more-men")

    def study(ratios: list[float], scenario: str = "khasan-1938-historical") -> Any:
        def result(ratio: float) -> RunResult:
            obs = {check.id: {"value": ratio, "settled": True, "observe_key": check.observe_key}}
            return RunResult(scenario, 1, None, {"1938-08-11T12:00": {}}, 1, "0" * 64,
                             story={"start": "1938-08-06T16:00", "observations": obs})
        return SimpleNamespace(runs=[(i, result(r)) for i, r in enumerate(ratios)], spec=SimpleNamespace(scenario=scenario))

    base = study([1.5] * 30 + [0.9] * 10)
    figs = SimpleNamespace(baseline=base, paired=True, variants=[
        ("a", "Trained rifles", study([1.5] * 8 + [0.9] * 32)),  # stops holding
        ("b", "No change", study([1.5] * 30 + [0.9] * 10)),
    ])
    changes = dict(story_changes(figs, STORY))
    assert [c.id for c, _ in changes["Trained rifles"]] == [check.id]
    assert changes["No change"] == []
    text = "\n".join(story_html(figs, STORY))
    assert "lost more men than the defender" in text
    assert "still reads as recorded" in text  # the variant that moves nothing says so
    other = SimpleNamespace(baseline=study([1.5] * 4, "tiny"), paired=True, variants=[])
    assert story_changes(other, STORY) is None and story_html(other, STORY) == []


def test_the_class_report_says_where_each_game_went_otherwise_than_its_study():
    """The class report: each game's count of the digest's statements that held, and those
    on which it went the other way from most runs of its study (baseline or variant)."""
    from khasan_sim.exercises.story import class_story_html, game_story_rows

    check = STORY.check("soviets-lost-more-men")

    def result(ratio: float) -> RunResult:
        obs = {check.id: {"value": ratio, "settled": True, "observe_key": check.observe_key}}
        return RunResult("khasan-1938-historical", 1, None, {"1938-08-11T12:00": {}}, 1, "0" * 64,
                         story={"start": "1938-08-06T16:00", "observations": obs})

    def study(ratios: list[float]) -> Any:
        runs = [(i, result(r)) for i, r in enumerate(ratios)]
        return SimpleNamespace(runs=runs, results=[r for _, r in runs], spec=SimpleNamespace(scenario="khasan-1938-historical"))

    figs = SimpleNamespace(baseline=study([1.5] * 9 + [0.9]), variants=[("v", "Variant", study([0.9] * 9 + [1.5]))])
    games = [
        SimpleNamespace(name="anna.json", study="baseline", result=result(0.8)),  # fewer Soviet losses than most runs
        SimpleNamespace(name="boris.json", study="v", result=result(0.8)),  # as most of its variant's runs
        SimpleNamespace(name="clara.json", study=None, result=None),  # not placed
    ]
    rows = {g.name: (held, judged, unusual) for g, held, judged, unusual in game_story_rows(figs, games, STORY)}
    assert set(rows) == {"anna.json", "boris.json"}
    held, judged, unusual = rows["anna.json"]
    assert (held, judged) == (0, 1) and [(c.id, holds, share) for c, holds, share in unusual] == [(check.id, False, 0.9)]
    assert rows["boris.json"][2] == []
    text = "\n".join(class_story_html(figs, games, STORY))
    assert "anna.json" in text and "did not hold" in text and "90% of its study's runs" in text
    assert "as in most of its study's runs" in text  # boris
