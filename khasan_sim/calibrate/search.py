"""The search: a seeded Latin-hypercube coarse search, then a coordinate search on the best.

:func:`search` is a pure function of the space, the budget, the seed and the evaluator
it is given (the evaluator runs the replications of a batch of candidates and scores
them; see :mod:`khasan_sim.calibrate.runs`). The same seed and the same evaluator give
the same candidates in the same order, so the same result.

1. **Current values.** The parameter values in force are scored first (they are the
   "before" of the report, scored on the same replication seeds as every candidate).
2. **Coarse search.** A Latin-hypercube design of ``n_lhs`` points of the unit cube
   (about 60% of the budget, at least ``d + 1``), from a numpy Generator seeded with the
   calibration seed; each point is mapped to parameter values (rounded, inside the
   bounds) and scored.
3. **Refinement.** A coordinate (compass) search from the best few distinct candidates
   so far (one start per ``4 d`` candidates of the remaining budget, at most three):
   each round polls every start at ``+/- step`` along one axis of the unit cube; a
   start moves to a poll point that scores better and polls the same axis again with
   twice the step (at most :data:`MAX_STEP`), else it turns to the next axis; after a
   full cycle of the axes without a move its step halves, and it stops when the step
   falls below :data:`MIN_STEP`. Poll points are clipped to the cube, so values stay in bounds.
   The first step is half the spacing of the coarse design (at most 0.25).
4. The best candidate overall (lowest loss, then most entries covered, then the
   earliest) is the fit, if it beats the current values.

Candidates with the same (rounded) values are scored once. The budget counts the
candidates scored besides the current values.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from khasan_sim.calibrate.score import Score, better
from khasan_sim.calibrate.space import Dim, Point, latin_hypercube, unit_of, values_at

#: Smallest step of the coordinate search, in unit-cube coordinates.
MIN_STEP = 0.02
#: Largest first step of the coordinate search.
MAX_FIRST_STEP = 0.25
#: Largest step of the coordinate search (after successes).
MAX_STEP = 0.5
#: Share of the budget given to the coarse search.
COARSE_SHARE = 0.6
#: Most refinement starts.
MAX_STARTS = 3

Evaluate = Callable[[Sequence[Point], str], Sequence[Score]]
"""Scores a batch of candidates; the second argument names the phase (for progress)."""


@dataclass(frozen=True)
class Candidate:
    """One scored candidate.

    Attributes:
        index: Order in which it was scored (0 is the current values).
        values: One value per Dim.
        phase: ``current``, ``coarse`` or ``refine``.
        score: Its score.
    """

    index: int
    values: Point
    phase: str
    score: Score


@dataclass
class SearchResult:
    """The outcome of a search.

    Attributes:
        dims: The fitted parameters.
        seed: The seed of the design.
        budget: Candidates allowed besides the current values.
        current: The current values and their score.
        candidates: Every candidate scored, in order (the current values first).
        best: The best candidate (may be the current values).
        coarse: Candidates of the coarse design (before de-duplication).
        starts: Refinement starts used.
    """

    dims: tuple[Dim, ...]
    seed: int
    budget: int
    current: Candidate
    candidates: list[Candidate] = field(default_factory=list)
    best: Candidate | None = None
    coarse: int = 0
    starts: int = 0

    @property
    def improved(self) -> bool:
        """True if the best candidate scores better than the current values."""
        return self.best is not None and self.best is not self.current and better(self.best.score, self.current.score)

    @property
    def fitted(self) -> Candidate:
        """The candidate to adopt: the best if it improved on the current values, else the current values."""
        return self.best if self.improved and self.best is not None else self.current


def plan(budget: int, d: int) -> tuple[int, int]:
    """Return ``(coarse, refine)``: candidates for the coarse search and for the refinement.

    Raises:
        ValueError: The budget is below 1 or there is no parameter.
    """
    if budget < 1:
        msg = f"the budget must be at least 1 candidate (got {budget})"
        raise ValueError(msg)
    if d < 1:
        msg = "nothing to fit: the calibration lists no parameter"
        raise ValueError(msg)
    coarse = min(budget, max(d + 1, math.ceil(COARSE_SHARE * budget)))
    return coarse, budget - coarse


@dataclass
class _Start:
    """A start of the coordinate search: where it is, its step, the axis polled next."""

    at: Candidate
    step: float
    axis: int = 0
    still: int = 0


def _rank(c: Candidate) -> tuple[float, int, int]:
    return (c.score.loss, -c.score.covered, c.index)


def search(
    dims: Sequence[Dim],
    evaluate: Evaluate,
    *,
    budget: int,
    seed: int,
    current: Point,
) -> SearchResult:
    """Search the bounds of *dims* for the values that best match the record.

    Args:
        dims: The fitted parameters.
        evaluate: Scores a batch of candidates (see :data:`Evaluate`).
        budget: Candidates to score besides the current values.
        seed: Seeds the coarse design.
        current: The values in force (scored first, as they are, even outside the bounds).

    Returns:
        Every candidate and the best.
    """
    dims = tuple(dims)
    d = len(dims)
    n_coarse, _ = plan(budget, d)
    seen: dict[Point, Candidate] = {}
    out: list[Candidate] = []

    def run_batch(points: Sequence[Point], phase: str) -> list[Candidate]:
        fresh: list[Point] = []
        for p in points:
            if p not in seen and p not in fresh:
                fresh.append(p)
        if fresh:
            scores = list(evaluate(fresh, phase))
            if len(scores) != len(fresh):
                msg = f"the evaluator returned {len(scores)} scores for {len(fresh)} candidates"
                raise RuntimeError(msg)
            for p, s in zip(fresh, scores, strict=True):
                c = Candidate(len(out), p, phase, s)
                out.append(c)
                seen[p] = c
        return [seen[p] for p in points]

    current_point = tuple(float(v) for v in current)
    cur = run_batch([current_point], "current")[0]
    result = SearchResult(dims, int(seed), int(budget), cur, out)

    # -- coarse: a Latin hypercube
    rng = np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=(0xCA11,)))
    design = latin_hypercube(n_coarse, d, rng)
    result.coarse = n_coarse
    run_batch([values_at(dims, row) for row in design], "coarse")

    # -- refine: coordinate search from the best few
    left = budget - (len(out) - 1)
    if left > 0:
        in_bounds = [c for c in out if all(dm.low <= v <= dm.high for dm, v in zip(dims, c.values, strict=True))]
        n_starts = max(1, min(MAX_STARTS, left // (4 * d)))
        starts = sorted(in_bounds, key=_rank)[:n_starts]
        result.starts = len(starts)
        first_step = min(MAX_FIRST_STEP, 0.5 * n_coarse ** (-1.0 / d))
        state = [_Start(s, first_step) for s in starts]
        guard = 0
        while left > 0 and state and guard < 10_000:
            guard += 1
            polls: list[tuple[int, Point]] = []
            for k, st in enumerate(state):
                u = unit_of(dims, st.at.values)
                for sign in (1.0, -1.0):
                    v = list(u)
                    v[st.axis] = min(1.0, max(0.0, v[st.axis] + sign * st.step))
                    p = values_at(dims, v)
                    if p != st.at.values:
                        polls.append((k, p))
            new_points: list[Point] = []
            for _, p in polls:
                if p not in seen and p not in new_points:
                    new_points.append(p)
            if len(new_points) > left:
                keep = set(new_points[:left])
                polls = [(k, p) for k, p in polls if p in seen or p in keep]
            scored = run_batch([p for _, p in polls], "refine")
            left = budget - (len(out) - 1)
            for k, st in enumerate(state):
                mine = [c for (kk, _), c in zip(polls, scored, strict=True) if kk == k]
                best_poll = min(mine, key=_rank) if mine else None
                if best_poll is not None and better(best_poll.score, st.at.score):
                    # success: go on along the same axis, with a longer step
                    st.at, st.still = best_poll, 0
                    st.step = min(MAX_STEP, 2.0 * st.step)
                else:
                    st.still += 1
                    st.axis = (st.axis + 1) % d
                if st.still >= d:  # a full cycle of the axes without a move
                    st.step, st.still = st.step / 2.0, 0
            # drop the starts whose step is spent, and the starts that met another
            kept: list[_Start] = []
            for st in state:
                if st.step >= MIN_STEP and not any(o.at is st.at for o in kept):
                    kept.append(st)
            state = kept

    result.best = min(out, key=_rank)
    return result
