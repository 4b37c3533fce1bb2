"""How well a set of runs matches the record: the objective the calibration minimises.

Each record entry is judged with :func:`khasan_sim.analysis.compare.compare_entry`, as
``khasan-sim compare`` judges a study (central 90% interval for counts, at least half
of the runs for times and holders). From the entries:

* **covered**: the number of entries covered (an entry no run could be judged on is not);
* **CRPS**: the mean relative CRPS of the count entries (``compare``'s figure);
* **discrepancy** of each entry, on one scale for every kind: the relative CRPS for a
  count, and for a time or a holder the CRPS of the yes/no forecast "the recorded
  window / side", which is the Brier score ``(1 - p)^2`` with ``p`` the share of runs
  that match the record; an entry that could not be judged scores 1;
* **loss** = ``(1 - covered share) + mean discrepancy``: lower is better, 0 only when
  every entry is covered and every run hits the record exactly. The covered share
  rewards coverage, the discrepancy rewards being near and sharp (CRPS punishes spread
  as well as distance), and it moves smoothly where coverage moves by steps.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from khasan_sim.analysis.compare import EntryComparison, compare_entry
from khasan_sim.record import Record
from khasan_sim.results import RunResult


@dataclass(frozen=True)
class Score:
    """A candidate's score against the record.

    Attributes:
        loss: ``(1 - covered share) + mean discrepancy``; lower is better.
        covered: Entries covered.
        entries: Entries in the record.
        crps: Mean relative CRPS of the count entries (None if none could be judged).
        discrepancy: Mean discrepancy over all entries.
        runs: Runs scored.
        covered_ids: The ids of the covered entries, in record order.
        per_entry: ``(entry id, discrepancy)`` in record order.
        crps_ids: The ids of the count entries with a CRPS (their discrepancy is it).
    """

    loss: float
    covered: int
    entries: int
    crps: float | None
    discrepancy: float
    runs: int
    covered_ids: tuple[str, ...] = ()
    per_entry: tuple[tuple[str, float], ...] = ()
    crps_ids: tuple[str, ...] = ()

    @property
    def covered_share(self) -> float:
        """Share of the entries covered."""
        return self.covered / self.entries if self.entries else 0.0

    def text(self) -> str:
        """Return the score in words: ``covered 5/12, loss 0.812 (relative CRPS 0.31)``."""
        crps = "n/a" if self.crps is None else f"{self.crps:.3f}"
        return f"covered {self.covered}/{self.entries}, loss {self.loss:.3f} (relative CRPS {crps})"

    def on(self, ids: Sequence[str]) -> Score:
        """Return the score on the entries *ids* only (as if the record held just those):
        how a fit is judged on entries it was not fitted to.

        Raises:
            KeyError: An id is not among this score's entries.
        """
        known = dict(self.per_entry)
        missing = [i for i in ids if i not in known]
        if missing:
            msg = f"no such entries in the score: {', '.join(missing)}"
            raise KeyError(msg)
        wanted = set(ids)
        per_entry = tuple((i, d) for i, d in self.per_entry if i in wanted)
        covered_ids = tuple(i for i in self.covered_ids if i in wanted)
        crps_ids = tuple(i for i in self.crps_ids if i in wanted)
        return _score(per_entry, covered_ids, crps_ids, self.runs)


def discrepancy(cmp: EntryComparison) -> float:
    """Return an entry's discrepancy (see the module doc); 1 when it could not be judged."""
    if cmp.runs == 0:
        return 1.0
    if cmp.kind == "count":
        return float(cmp.crps_relative) if cmp.crps_relative is not None else 1.0
    share = cmp.share_inside if cmp.share_inside is not None else 0.0
    return (1.0 - float(share)) ** 2


def score_comparisons(comparisons: Sequence[EntryComparison], runs: int) -> Score:
    """Return the score of entry comparisons (one per record entry)."""
    covered_ids = tuple(c.id for c in comparisons if c.covered)
    per_entry = tuple((c.id, discrepancy(c)) for c in comparisons)
    crps_ids = tuple(c.id for c in comparisons if c.kind == "count" and c.crps_relative is not None and c.runs > 0)
    return _score(per_entry, covered_ids, crps_ids, runs)


def pooled(scores: Sequence[Score]) -> Score:
    """Return one score over the entries of several scores (each entry in one of them):
    the out-of-fold score of a cross-validation, from each fold's held-out entries."""
    per_entry = tuple(pe for s in scores for pe in s.per_entry)
    ids = [i for i, _ in per_entry]
    if len(set(ids)) != len(ids):
        msg = "pooled scores must not share entries"
        raise ValueError(msg)
    covered_ids = tuple(i for s in scores for i in s.covered_ids)
    crps_ids = tuple(i for s in scores for i in s.crps_ids)
    return _score(per_entry, covered_ids, crps_ids, min((s.runs for s in scores), default=0))


def _score(per_entry: tuple[tuple[str, float], ...], covered_ids: tuple[str, ...], crps_ids: tuple[str, ...], runs: int) -> Score:
    n = len(per_entry)
    crps_set = set(crps_ids)
    crps_values = [d for i, d in per_entry if i in crps_set]
    crps = sum(crps_values) / len(crps_values) if crps_values else None
    disc = sum(d for _, d in per_entry) / n if n else 0.0
    loss = (1.0 - (len(covered_ids) / n if n else 0.0)) + disc
    if not math.isfinite(loss):
        loss = math.inf
    return Score(loss, len(covered_ids), n, crps, disc, runs, covered_ids, per_entry, crps_ids)


def score_runs(record: Record, runs: Sequence[tuple[int, RunResult]]) -> Score:
    """Score the runs ``(index, result)`` against every entry of *record*."""
    return score_comparisons([compare_entry(e, runs) for e in record.entries], len(runs))


def better(a: Score, b: Score) -> bool:
    """Return True if *a* is strictly better than *b* (lower loss; then more entries covered)."""
    return (a.loss, -a.covered) < (b.loss, -b.covered)
