"""Calibration: fit a few model parameters, within defensible bounds, to the record.

``khasan-sim calibrate SCENARIO --runs N --params CALIBRATION.yaml`` fits the parameters
a calibration file lists (:mod:`khasan_sim.calibrate.spec`: each with its bounds, the
reason for them, and the record entries that drive it) to the recorded outcomes
(``../shared/record/khasan-1938.yaml``).

Method
------

1. **Objective** (:mod:`~khasan_sim.calibrate.score`). A candidate (one value per fitted
   parameter) is scored by running N replications of the scenario with those values
   and judging every record entry as ``khasan-sim compare`` does
   (:func:`khasan_sim.analysis.compare.compare_entry`). The loss is
   ``(1 - share of entries covered) + mean discrepancy``, where an entry's discrepancy
   is its relative CRPS (counts) or the Brier score of the recorded window or holder
   (times, holders: the CRPS of a yes/no forecast). Lower is better. Coverage is what
   the record asks for; the CRPS term rewards distributions that sit on the record and
   are sharp, so coverage is not bought with width.
2. **Common random numbers** (:mod:`~khasan_sim.calibrate.runs`). Replication ``r`` of
   every candidate runs with the seed ``replication_seed(S, r)`` (``S`` = ``--seed``):
   candidates are compared on the same draws, which removes most of the noise from
   their differences.
3. **Coarse search** (:mod:`~khasan_sim.calibrate.search`). The current values are
   scored first (the "before"). Then a seeded Latin-hypercube design over the bounds
   (about 60% of the ``--budget`` of candidates; log-scaled axes where the calibration
   file says so) is scored.
4. **Local refinement.** A coordinate (compass) search from the best few candidates:
   ``+/- step`` along one axis at a time, moving on improvement, halving the step
   after a full cycle without one; poll points are clipped to the bounds.
5. **Result.** The best candidate, if it beats the current values, is the fit. Every
   candidate value is rounded to three significant digits (whole numbers for integer
   parameters) and clipped into its bounds *before* it is scored, so the value
   written is the value scored, and always inside the bounds.
6. **Write-back** (:mod:`~khasan_sim.calibrate.writeback`). The fitted values are
   written into the parameter files they came from, editing only the ``value:`` text of
   each fitted leaf and adding a ``fitted:`` note (date, score before and after, method,
   the driving record entries, the bounds); every other line stays byte-identical
   (:mod:`~khasan_sim.calibrate.yamledit`). Or, with ``--out``, to a new override file.

7. **Out of fold** (:mod:`~khasan_sim.calibrate.folds`). The before/after figures are
   in-sample. The same search is run K times on two thirds of the record's entries (K
   folds, each held out once) and the values each adopts are scored on the entries held
   out: pooled, the out-of-fold loss. A fit whose out-of-fold loss is worse than the
   current values' is not written; nor a value on a bound of its range (a missing
   mechanism); nor a fit that would leave the model with more fitted parameters than
   half the record's entries.

Check a fit out of sample too, with a fresh study (``khasan-sim batch ... --seed``
another seed, then ``khasan-sim compare``).
"""

from __future__ import annotations

from khasan_sim.calibrate.score import Score, score_runs
from khasan_sim.calibrate.search import Candidate, SearchResult, search
from khasan_sim.calibrate.space import Dim, latin_hypercube
from khasan_sim.calibrate.spec import (
    CalibrationFileError,
    CalibrationSpec,
    FitParam,
    load_calibration,
)

__all__ = [
    "CalibrationFileError",
    "CalibrationSpec",
    "Candidate",
    "Dim",
    "FitParam",
    "Score",
    "SearchResult",
    "latin_hypercube",
    "load_calibration",
    "score_runs",
    "search",
]
