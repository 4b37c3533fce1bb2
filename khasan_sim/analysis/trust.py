"""How far to trust the model: its degrees of freedom against the record, the fitted values
on a bound, how the fits were judged out of fold, the record covered, the story checks
held, and what the model cannot show yet.

A model fitted with more knobs than the facts it is fitted to reproduces those facts and
nothing else: the first line a reader needs is how many parameters were fitted (those
with a ``fitted:`` note in the parameter files) against how many record entries (at most
half, the project's rule). A fitted value on a bound of its defensible range says the
record pushed it as far as its sources allow: a missing mechanism. The out-of-fold
judgement is the one ``khasan-sim calibrate`` writes into the note of each value it fits
(its ``out_of_fold`` field); fits made before calibrate judged out of fold have none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

#: A fitted value this close to a bound (share of its range) counts as on the bound.
BOUND_MARGIN = 0.01


@dataclass(frozen=True)
class FittedParameter:
    """A parameter fitted to the record.

    Attributes:
        key: Its dotted key.
        value: Its value.
        unit: Its unit.
        bounds: The defensible range its parameter file gives (or the fit's), or None.
        on_bound: ``low`` or ``high`` when the value sits on that bound, else None.
        entries: The record entries that drove it.
        date: When it was fitted.
        out_of_fold: The fit's out-of-fold judgement, or None (fitted before calibrate
            judged fits out of fold).
    """

    key: str
    value: float
    unit: str
    bounds: tuple[float, float] | None
    on_bound: str | None
    entries: tuple[str, ...]
    date: str
    out_of_fold: str | None


def _on_bound(value: float, bounds: tuple[float, float] | None) -> str | None:
    if bounds is None:
        return None
    lo, hi = float(bounds[0]), float(bounds[1])
    if hi <= lo:
        return None
    u = (float(value) - lo) / (hi - lo)
    if u <= BOUND_MARGIN:
        return "low"
    if u >= 1.0 - BOUND_MARGIN:
        return "high"
    return None


def fitted_parameters(params: Any) -> list[FittedParameter]:
    """Return the parameters of a :class:`~khasan_sim.model.params.ParamSet` that carry a
    ``fitted:`` note, sorted by key."""
    out: list[FittedParameter] = []
    for key in params:
        p = params.param(key)
        note = p.fitted
        if not note:
            continue
        within = note.get("within") if isinstance(note, dict) else None
        bounds = p.bounds
        if bounds is None and isinstance(within, (list, tuple)) and len(within) == 2:
            bounds = (float(within[0]), float(within[1]))
        out.append(
            FittedParameter(
                key=key,
                value=p.value,
                unit=p.unit,
                bounds=bounds,
                on_bound=_on_bound(p.value, bounds),
                entries=tuple(note.get("entries", ()) if isinstance(note, dict) else ()),
                date=str(note.get("date", "")) if isinstance(note, dict) else "",
                out_of_fold=(str(note["out_of_fold"]) if isinstance(note, dict) and note.get("out_of_fold") else None),
            )
        )
    return out


@dataclass(frozen=True)
class Trust:
    """The figures of "how far to trust it".

    Attributes:
        record_entries: Entries of the record.
        fitted: The fitted parameters.
        covered: Record entries the study covers (None without a study).
        crps: The study's mean relative CRPS of the counts (None without one).
        runs: Runs of the study.
        story_held: Story checks holding in at least half the runs (None without them).
        story_total: Story checks.
        cannot_show: ``(check id, why)`` of the statements the model cannot show yet.
    """

    record_entries: int
    fitted: tuple[FittedParameter, ...]
    covered: int | None = None
    crps: float | None = None
    runs: int = 0
    story_held: int | None = None
    story_total: int = 0
    cannot_show: tuple[tuple[str, str], ...] = ()

    @property
    def limit(self) -> int:
        """The most fitted parameters the record allows: half its entries."""
        return self.record_entries // 2

    @property
    def story_showable(self) -> int:
        """The story checks a run of the model can show (those it cannot show yet left out)."""
        return self.story_total - len(self.cannot_show)

    @property
    def over_limit(self) -> bool:
        """True when more parameters are fitted than the record allows."""
        return len(self.fitted) > self.limit

    @property
    def on_bound(self) -> list[FittedParameter]:
        """The fitted values on a bound of their range."""
        return [f for f in self.fitted if f.on_bound]

    @property
    def judged_out_of_fold(self) -> list[FittedParameter]:
        """The fitted values whose fit was judged out of fold."""
        return [f for f in self.fitted if f.out_of_fold]

    def to_json(self) -> dict[str, Any]:
        """Return the figures as a JSON-able dict."""
        return {
            "record_entries": self.record_entries,
            "limit": self.limit,
            "fitted": [
                {"key": f.key, "value": f.value, "unit": f.unit, "bounds": None if f.bounds is None else list(f.bounds),
                 "on_bound": f.on_bound, "out_of_fold": f.out_of_fold, "entries": list(f.entries), "date": f.date}
                for f in self.fitted
            ],
            "covered": self.covered,
            "crps_relative_mean": self.crps,
            "runs": self.runs,
            "story_checks_held": self.story_held,
            "story_checks": self.story_total,
            "story_checks_showable": self.story_showable,
            "cannot_show": [{"check": c, "why": w} for c, w in self.cannot_show],
            "summary": self.lines(),
        }

    def lines(self) -> list[str]:
        """Return the figures as short sentences, most important first."""
        out = [
            f"Degrees of freedom: {len(self.fitted)} parameters fitted to the {self.record_entries} entries of the record "
            f"(the rule: at most {self.limit}, half the entries)" + (": over the limit." if self.over_limit else "."),
        ]
        if self.on_bound:
            keys = ", ".join(f"{f.key} ({f.on_bound})" for f in self.on_bound)
            out.append(f"On a bound of their range, the sign of a missing mechanism: {keys}.")
        n_oof = len(self.judged_out_of_fold)
        out.append(
            f"Judged out of fold: {n_oof} of the {len(self.fitted)} fitted values"
            + ("" if n_oof else " (they were fitted before calibrate judged fits out of fold)")
            + "."
        )
        if self.covered is not None:
            crps = "n/a" if self.crps is None else f"{self.crps:.2f}"
            out.append(f"In sample: this study of {self.runs} runs covers {self.covered} of the {self.record_entries} record entries (CRPS {crps}).")
        if self.story_held is not None:
            out.append(
                f"Story checks (never fitted): {self.story_held} of the {self.story_showable} a run can show hold in at least "
                "half the runs" + (f"; {len(self.cannot_show)} more the model cannot show yet." if self.cannot_show else ".")
            )
        return out


def trust_of(params: Any, record_entries: int, *, covered: int | None = None, crps: float | None = None, runs: int = 0,
             story_held: int | None = None, story_total: int = 0, cannot_show: Sequence[tuple[str, str]] = ()) -> Trust:
    """Return the trust figures of a parameter set, with a study's figures when given."""
    return Trust(record_entries, tuple(fitted_parameters(params)), covered, crps, runs, story_held, story_total, tuple(cannot_show))
