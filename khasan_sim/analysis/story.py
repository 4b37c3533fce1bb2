"""The story checks judged: on one run, and over the runs of a study.

A run's result carries what the story checks observed (its ``story`` section, recorded
by :mod:`khasan_sim.story.watch`); the checks' thresholds are read from the story file
(``scenarios/record/story.yaml``) when judging, so a threshold can be changed without a
new study. Each check on one run is one of:

holds
    the observed value meets the threshold;
fails
    it does not (a time never reached fails a ``by`` or ``within`` threshold);
cannot show
    the run cannot show the statement: the model has no mechanism for it
    (``model_lacks``), or the run lacks what it needs (no tank sent against the hill,
    no command tanks); never counted as holding;
not yet
    its time or window is still to come (a game in progress);
not observed
    the run was recorded without this check, or with another ``observe`` block (the
    story file changed since the study ran: run it again).

Over a study, each check's **share of runs in which it holds** (of all the runs with a
result), beside the counts of each verdict.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from khasan_sim.results import RunResult
from khasan_sim.story.spec import Check, StoryFile, Threshold

HOLDS, FAILS, CANNOT, NOT_YET, NOT_OBSERVED = (
    "holds",
    "fails",
    "cannot show",
    "not yet",
    "not observed",
)
VERDICTS: tuple[str, ...] = (HOLDS, FAILS, CANNOT, NOT_YET, NOT_OBSERVED)
#: The share of runs in which every story check should hold (issue 16's goal).
GOAL_SHARE = 0.5


@dataclass(frozen=True)
class CheckVerdict:
    """One check judged on one run.

    Attributes:
        check: The check.
        verdict: One of :data:`VERDICTS`.
        value: The observed value (a number, a side, hours after the start, or None).
        observed: The observed value in words.
        note: Why it cannot show, or what is still to come.
        detail: What the observation was worked out from.
    """

    check: Check
    verdict: str
    value: Any
    observed: str
    note: str = ""
    detail: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """Return the verdict as a JSON-able dict."""
        return {
            "id": self.check.id,
            "verdict": self.verdict,
            "value": self.value,
            "observed": self.observed,
            "note": self.note,
            "detail": dict(self.detail),
        }


def _hours(start: datetime, t: datetime) -> float:
    return (t - start).total_seconds() / 3600.0


def _start(story_section: Mapping[str, Any] | None) -> datetime | None:
    text = None if story_section is None else story_section.get("start")
    try:
        return datetime.fromisoformat(str(text)) if text else None
    except ValueError:
        return None


def meets(threshold: Threshold, value: Any, start: datetime | None = None) -> bool:
    """Return True if *value* meets *threshold* (``by``/``within`` read it as hours after *start*).

    Raises:
        ValueError: A time threshold with no start to read the hours from.
    """
    test = threshold.test
    if test in ("by", "within"):
        if start is None:
            msg = "a time threshold needs the run's start"
            raise ValueError(msg)
        if value is None or isinstance(value, (str, bool)):
            return False  # never reached
        if test == "by":
            return float(value) <= _hours(start, threshold.by) + 1e-9  # type: ignore[arg-type]
        lo, hi = threshold.within  # type: ignore[misc]
        return _hours(start, lo) - 1e-9 <= float(value) < _hours(start, hi)
    if test == "equals":
        want = threshold.equals
        if isinstance(want, str) or isinstance(value, str) or value is None:
            return value == want
        return math.isclose(float(value), float(want), abs_tol=1e-9)  # type: ignore[arg-type]
    if value is None or isinstance(value, str):
        return False
    v = float(value)
    if test == "at_least":
        return v >= threshold.at_least - 1e-9  # type: ignore[operator]
    if test == "at_most":
        return v <= threshold.at_most + 1e-9  # type: ignore[operator]
    if test == "more_than":
        return v > threshold.more_than  # type: ignore[operator]
    if test == "less_than":
        return v < threshold.less_than  # type: ignore[operator]
    lo, hi = threshold.between  # type: ignore[misc]
    return lo - 1e-9 <= v <= hi + 1e-9


def value_text(check: Check, value: Any, start: datetime | None) -> str:
    """Return an observed value in words (a time for ``by``/``within`` checks)."""
    if value is None:
        if check.threshold is not None and check.threshold.test in ("by", "within"):
            return "never"
        return "none"
    if isinstance(value, str):
        return value
    if check.is_share:
        return f"{100 * float(value):.0f}%"
    if (
        check.threshold is not None
        and check.threshold.test in ("by", "within")
        and start is not None
    ):
        t = start + timedelta(hours=float(value))
        return f"{t.day} {t:%B %H:%M}"
    if isinstance(value, float) and not float(value).is_integer():
        return f"{value:.2f}"
    return f"{value:g}" if isinstance(value, float) else str(value)


def judge_check(
    check: Check, observation: Mapping[str, Any] | None, start: datetime | None
) -> CheckVerdict:
    """Judge one check on one run's observation of it (None: not observed)."""
    if check.model_lacks is not None:
        return CheckVerdict(
            check, CANNOT, None, "–", f"the model cannot show this yet: {check.model_lacks}"
        )
    stale = (
        observation is not None
        and "cannot_show" not in observation
        and observation.get("observe_key") != check.observe_key
    )
    if observation is None or stale:
        why = (
            "not recorded in this run"
            if observation is None
            else "recorded with another observe block (story.yaml changed): run it again"
        )
        return CheckVerdict(check, NOT_OBSERVED, None, "–", why)
    detail = observation.get("detail") or {}
    if observation.get("cannot_show"):
        return CheckVerdict(check, CANNOT, None, "–", str(observation["cannot_show"]), detail)
    value = observation.get("value")
    text = value_text(check, value, start)
    if not observation.get("settled", True):
        return CheckVerdict(check, NOT_YET, value, text, "its time is still to come", detail)
    assert check.threshold is not None
    ok = meets(check.threshold, value, start)
    return CheckVerdict(check, HOLDS if ok else FAILS, value, text, "", detail)


def judge_run(story: StoryFile, result: RunResult | Mapping[str, Any] | None) -> list[CheckVerdict]:
    """Judge every check of *story* on one run.

    Args:
        story: The story checks.
        result: The run's result, or its ``story`` section, or None (nothing observed).
    """
    section = result.story if isinstance(result, RunResult) else result
    start = _start(section)
    observations = (section or {}).get("observations") or {}
    return [judge_check(c, observations.get(c.id), start) for c in story.checks]


# ------------------------------------------------------------------ a study


@dataclass(frozen=True)
class CheckAcrossRuns:
    """One check over the runs of a study.

    Attributes:
        check: The check.
        runs: Runs with a result.
        counts: Runs by verdict.
        values: The observed values of the runs that were judged (holds or fails).
    """

    check: Check
    runs: int
    counts: Mapping[str, int]
    values: Sequence[Any] = ()

    @property
    def holds(self) -> int:
        """Runs in which the check holds."""
        return self.counts.get(HOLDS, 0)

    @property
    def share(self) -> float | None:
        """The share of the runs in which the check holds (None without runs)."""
        return None if self.runs == 0 else self.holds / self.runs

    @property
    def status(self) -> str:
        """``holds`` (in at least half the runs), ``fails``, or ``cannot show`` / ``not observed``
        when no run could be judged."""
        judged = self.counts.get(HOLDS, 0) + self.counts.get(FAILS, 0)
        if judged == 0:
            return CANNOT if self.counts.get(CANNOT, 0) else NOT_OBSERVED
        return HOLDS if (self.share or 0.0) >= GOAL_SHARE else FAILS

    def median_value(self) -> float | None:
        """The median of the numeric observed values (None if there are none)."""
        nums = [
            float(v) for v in self.values if isinstance(v, (int, float)) and not isinstance(v, bool)
        ]
        return float(np.median(nums)) if nums else None

    def to_json(self) -> dict[str, Any]:
        """Return the check's figures as a JSON-able dict (with its words and threshold)."""
        c = self.check
        return {
            "id": c.id,
            "who": c.who,
            "what": c.what,
            "when": c.when,
            "words": c.words,
            "observable": c.observable,
            "threshold": None if c.threshold is None else c.threshold_text(),
            "reason": c.reason,
            "model_lacks": c.model_lacks,
            "runs": self.runs,
            "verdicts": {v: self.counts.get(v, 0) for v in VERDICTS},
            "share_holds": self.share,
            "median_observed": self.median_value(),
            "status": self.status,
        }


@dataclass(frozen=True)
class StoryComparison:
    """The story checks over a study.

    Attributes:
        story_file: The story file judged with.
        checks: One per check, in the file's order.
        notes: What a reader should know (runs recorded without story observations ...).
    """

    story_file: str
    checks: list[CheckAcrossRuns]
    notes: list[str] = field(default_factory=list)

    @property
    def met(self) -> int:
        """Checks holding in at least half the runs."""
        return sum(1 for c in self.checks if c.status == HOLDS)

    @property
    def cannot_show(self) -> int:
        """Checks the model cannot show yet (the others are those a run can show)."""
        return sum(1 for c in self.checks if c.status == CANNOT)

    def to_json(self) -> dict[str, Any]:
        """Return the comparison as a JSON-able dict."""
        return {
            "story_file": self.story_file,
            "goal_share": GOAL_SHARE,
            "checks_met": self.met,
            "checks": [c.to_json() for c in self.checks],
            "notes": list(self.notes),
        }


def compare_story(story: StoryFile, results: Sequence[RunResult]) -> StoryComparison:
    """Judge every check on every run; return each check's share of runs in which it holds."""
    counts: list[dict[str, int]] = [{} for _ in story.checks]
    values: list[list[Any]] = [[] for _ in story.checks]
    without = 0
    for r in results:
        if r.story is None:
            without += 1
        for i, v in enumerate(judge_run(story, r)):
            counts[i][v.verdict] = counts[i].get(v.verdict, 0) + 1
            if v.verdict in (HOLDS, FAILS):
                values[i].append(v.value)
    notes = []
    if without:
        notes.append(
            f"{without} of {len(results)} runs carry no story observations (run before the story checks, or another scenario)"
        )
    stale = [
        c.id
        for c, cnt in zip(story.checks, counts, strict=True)
        if cnt.get(NOT_OBSERVED, 0) > without
    ]
    if stale:
        notes.append(
            f"runs recorded without (or with another observe block for) {', '.join(stale)}: run the study again to judge them"
        )
    checks = [
        CheckAcrossRuns(c, len(results), cnt, tuple(vals))
        for c, cnt, vals in zip(story.checks, counts, values, strict=True)
    ]
    return StoryComparison(story.file, checks, notes)


def study_story(study: Any, path: str | None = None) -> tuple[StoryComparison | None, str]:
    """Return the story checks over a loaded study, or None and why they are not shown.

    Args:
        study: A :class:`khasan_sim.analysis.compare.LoadedStudy`.
        path: The story file (default the built-in ``scenarios/record/story.yaml``).

    Raises:
        StoryError: *path* was given and is missing or malformed.
    """
    from khasan_sim.story.spec import StoryError, load_story

    try:
        story = load_story(path)
    except StoryError as exc:
        if path is not None:
            raise
        return None, f"story checks: not shown ({exc})"
    if story.scenario != study.spec.scenario:
        return (
            None,
            f"story checks: not shown (they are for {story.scenario}; this study is {study.spec.scenario})",
        )
    return compare_story(story, study.results), ""
