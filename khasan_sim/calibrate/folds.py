"""Judging a fit out of fold: k-fold cross-validation over the record's entries, the
degrees of freedom, and fitted values that sit on their bounds.

A fit scored on the entries it was fitted to flatters itself: with enough knobs any
model reproduces a dozen facts. :func:`cross_validate` splits the record's entries into
*k* folds (:func:`make_folds`, seeded); for each fold it runs the same search as the
fit itself (:func:`khasan_sim.calibrate.search.search`, same budget, same design seed)
scoring only the other folds' entries, then scores the values found on the fold held
out. Each entry is held out once, so the held-out scores pool into one **out-of-fold**
score over the whole record (:func:`khasan_sim.calibrate.score.pooled`), comparable
with the current values' score on the same replication seeds. A fitting procedure whose
out-of-fold score is worse than the current values' does not generalise: its fit is not
written (the command says so).

Candidates are run once: :class:`MemoEvaluate` keeps every candidate's score on the
whole record, and a fold's search reads it restricted to its training entries (the
current values and the Latin-hypercube design are the same points in every fold; only
the refinements differ).

:func:`on_bound` names fitted values at (or within 1% of the scale of) a bound of their
search range: the record pushes them as far as they may go, which is the mark of a
missing mechanism, not of a fitted value. :func:`fitted_keys` counts the parameters of
a parameter set that carry a ``fitted:`` note: the model's degrees of freedom against
the record, kept to at most half its entries.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from khasan_sim.calibrate.score import Score, better, pooled
from khasan_sim.calibrate.search import SearchResult, search
from khasan_sim.calibrate.space import Dim, Point, unit_of

Evaluate = Callable[[Sequence[Point], str], Sequence[Score]]

#: Default number of folds: fit on two thirds of the entries, score on the last third.
DEFAULT_FOLDS = 3

#: A fitted value this close to a bound (share of its search range, on its own scale)
#: counts as on the bound.
BOUND_MARGIN = 0.01


def make_folds(entry_ids: Sequence[str], k: int, seed: int) -> tuple[tuple[str, ...], ...]:
    """Split *entry_ids* into *k* folds of (nearly) equal size, shuffled by *seed*; each
    fold keeps the record's order.

    Raises:
        ValueError: Fewer than 2 folds, or more folds than entries, or repeated ids.
    """
    ids = list(entry_ids)
    if len(set(ids)) != len(ids):
        msg = "the record's entry ids must be distinct"
        raise ValueError(msg)
    if k < 2 or k > len(ids):
        msg = f"cross-validation needs 2 to {len(ids)} folds for {len(ids)} record entries (got {k})"
        raise ValueError(msg)
    rng = np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=(0xF01D,)))
    order = rng.permutation(len(ids))
    fold_of = {ids[int(j)]: n % k for n, j in enumerate(order)}
    return tuple(tuple(i for i in ids if fold_of[i] == f) for f in range(k))


class MemoEvaluate:
    """An evaluator that scores each distinct candidate once (on the whole record) and
    hands back the scores it already has; ``on(ids)`` is the same evaluator scoring
    only the entries *ids*."""

    def __init__(self, evaluate: Evaluate) -> None:
        self._evaluate = evaluate
        self.scores: dict[Point, Score] = {}

    def __call__(self, points: Sequence[Point], phase: str) -> list[Score]:
        fresh: list[Point] = []
        for p in points:
            if p not in self.scores and p not in fresh:
                fresh.append(p)
        if fresh:
            got = list(self._evaluate(fresh, phase))
            if len(got) != len(fresh):
                msg = f"the evaluator returned {len(got)} scores for {len(fresh)} candidates"
                raise RuntimeError(msg)
            self.scores.update(zip(fresh, got, strict=True))
        return [self.scores[p] for p in points]

    def on(self, ids: Sequence[str]) -> Evaluate:
        """Return an evaluator of the same candidates that scores the entries *ids* only."""
        kept = tuple(ids)

        def evaluate(points: Sequence[Point], phase: str) -> list[Score]:
            return [s.on(kept) for s in self(points, phase)]

        return evaluate


@dataclass(frozen=True)
class Fold:
    """One fold of a cross-validation.

    Attributes:
        held_out: The entries scored, not fitted to.
        fitted: The values the search on the other entries adopted (the current values
            when it found nothing better on them).
        improved: The search found values better than the current ones on its entries.
        train_before: The current values' score on the training entries.
        train_after: The adopted values' score on the training entries (in-sample).
        held_out_before: The current values' score on the held-out entries.
        held_out_after: The adopted values' score on the held-out entries (out of fold).
        candidates: Candidates the fold's search scored.
    """

    held_out: tuple[str, ...]
    fitted: Point
    improved: bool
    train_before: Score
    train_after: Score
    held_out_before: Score
    held_out_after: Score
    candidates: int


@dataclass(frozen=True)
class CrossValidation:
    """The out-of-fold judgement of a fitting procedure.

    Attributes:
        folds: The folds, in order.
        current: The current values' score on the whole record (the same replication seeds).
        out_of_fold: Each entry scored by the fit made without it, pooled over the folds.
    """

    folds: tuple[Fold, ...]
    current: Score
    out_of_fold: Score

    @property
    def generalises(self) -> bool:
        """True unless the fits score worse out of fold than the current values."""
        return not better(self.current, self.out_of_fold)

    @property
    def k(self) -> int:
        """The number of folds."""
        return len(self.folds)


def cross_validate(
    dims: Sequence[Dim],
    evaluate: MemoEvaluate,
    *,
    entry_ids: Sequence[str],
    k: int,
    budget: int,
    seed: int,
    current: Point,
) -> CrossValidation:
    """Judge the search out of fold (see the module doc).

    Args:
        dims: The fitted parameters.
        evaluate: Scores candidates on the whole record (memoised: a candidate already
            scored by the fit itself is not run again).
        entry_ids: The record's entry ids, in record order.
        k: Folds.
        budget: Candidates each fold's search may score besides the current values.
        seed: Seeds the folds and each fold's design (the fit's own seed).
        current: The values in force.

    Raises:
        ValueError: A bad number of folds.
    """
    folds = make_folds(entry_ids, k, seed)
    current_point = tuple(float(v) for v in current)
    out: list[Fold] = []
    for held in folds:
        held_set = set(held)
        train = tuple(i for i in entry_ids if i not in held_set)
        res: SearchResult = search(dims, evaluate.on(train), budget=budget, seed=seed, current=current_point)
        chosen = res.fitted.values
        whole_before = evaluate([current_point], "current")[0]
        whole_after = evaluate([chosen], "fold")[0]
        out.append(
            Fold(
                held_out=held,
                fitted=chosen,
                improved=res.improved,
                train_before=whole_before.on(train),
                train_after=whole_after.on(train),
                held_out_before=whole_before.on(held),
                held_out_after=whole_after.on(held),
                candidates=len(res.candidates),
            )
        )
    current_score = evaluate([current_point], "current")[0]
    # pooled in record order
    by_id = {i: f for f in out for i in f.held_out}
    ordered = [by_id[i].held_out_after.on((i,)) for i in entry_ids]
    return CrossValidation(tuple(out), current_score, pooled(ordered))


def on_bound(dims: Sequence[Dim], values: Point, margin: float = BOUND_MARGIN) -> list[tuple[str, str]]:
    """Return ``(key, 'low' | 'high')`` for each value within *margin* of a bound of its
    search range (measured on the parameter's own scale)."""
    out: list[tuple[str, str]] = []
    for d, u in zip(dims, unit_of(dims, values), strict=True):
        if u <= margin:
            out.append((d.key, "low"))
        elif u >= 1.0 - margin:
            out.append((d.key, "high"))
    return out


def fitted_keys(params: object) -> list[str]:
    """Return the keys of the parameters that carry a ``fitted:`` note, sorted."""
    from khasan_sim.analysis.trust import fitted_parameters

    return [f.key for f in fitted_parameters(params)]
