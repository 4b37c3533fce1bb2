"""Fast synthetic replications for the runner tests: results are a pure function of the seed.

They stand in for the real simulation (which the tests also use, on the tiny scenario)
so that the study file, the pools and resume can be tested in a fraction of a second per
run. A synthetic run can also raise for chosen seeds, or kill its own worker process once
(a marker file remembers that it did), to test error recording and resume.
"""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from khasan_sim.runner.replication import Replications

LABELS = ("1938-08-07T00:00", "1938-08-08T00:00", "1938-08-08T12:00")


def synthetic_result(seed: int, scenario: str = "tiny", variant: str | None = None) -> dict:
    """Return a METRICS.md result whose numbers are drawn from a Generator seeded with *seed*."""
    rng = np.random.default_rng(seed)
    killed = 0
    attacks = 0
    snaps = {}
    hold = float(np.round(rng.uniform(4.0, 40.0), 2)) if rng.random() < 0.8 else None
    for i, label in enumerate(LABELS):
        killed += int(rng.integers(50, 250))
        attacks += int(rng.integers(0, 8))
        hours = (i + 1) * 16.0
        snaps[label] = {
            "red.killed": killed,
            "soviet.killed": killed,
            "soviet.wounded": 3 * killed,
            "japanese.killed": killed // 2,
            "japanese.wounded": killed,
            "blue.counterattacks": attacks,
            "unit.t1.tanks_reached.line": int(rng.binomial(43, 0.25)),
            "objective.hill.holder": ("soviet" if hold is not None and hold <= hours else "japanese"),
            "objective.hill.first_soviet_hold": hold if hold is not None and hold <= hours else None,
        }
    return {
        "scenario": scenario,
        "seed": seed,
        "variant": variant,
        "snapshots": snaps,
        "events": int(rng.integers(1000, 2000)),
        "events_digest": f"{seed:064x}"[-64:],
        "meta": {"code_version": "test", "scenario_digest": "synthetic"},
    }


class SyntheticReplications:
    """A :class:`~khasan_sim.runner.replication.ReplicationSource` of synthetic runs.

    Args:
        fail_seeds: Seeds whose run raises ValueError.
        kill_seed: A seed whose run kills its worker process (SIGKILL), once.
        kill_marker: The file that remembers the kill happened (required with kill_seed).
        seconds: Time each run sleeps (to keep runs in flight).
        scenario: The scenario id written into results.
    """

    def __init__(
        self,
        fail_seeds: Iterable[int] = (),
        kill_seed: int | None = None,
        kill_marker: str | os.PathLike[str] | None = None,
        seconds: float = 0.0,
        scenario: str = "tiny",
    ) -> None:
        self.fail_seeds = frozenset(fail_seeds)
        self.kill_seed = kill_seed
        self.kill_marker = None if kill_marker is None else str(kill_marker)
        self.seconds = seconds
        self.scenario = scenario
        self.cache_key = json.dumps(["synthetic", sorted(self.fail_seeds), kill_seed, self.kill_marker, seconds, scenario])
        self.prepared = False

    def prepare(self) -> None:
        """Nothing to load."""
        self.prepared = True

    def run(self, seed: int) -> str:
        """Return the synthetic result of *seed* as JSON text."""
        if self.seconds:
            time.sleep(self.seconds)
        if seed == self.kill_seed and self.kill_marker is not None and not Path(self.kill_marker).exists():
            Path(self.kill_marker).write_text("killed\n")
            os.kill(os.getpid(), signal.SIGKILL)
        if seed in self.fail_seeds:
            msg = f"synthetic failure for seed {seed}"
            raise ValueError(msg)
        return json.dumps(synthetic_result(seed, self.scenario), separators=(",", ":"))


class KillingReplications(Replications):
    """The real replications of a scenario, except that one seed kills its worker once.

    Args:
        kill_seed: The seed whose run kills its worker process (SIGKILL) the first time.
        kill_marker: The file that remembers the kill happened.
        *args, **kwargs: As for :class:`~khasan_sim.runner.replication.Replications`.
    """

    def __init__(self, *args: object, kill_seed: int, kill_marker: str | os.PathLike[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.kill_seed = kill_seed
        self.kill_marker = str(kill_marker)

    def run(self, seed: int) -> str:
        """Run the replication, or kill this worker if it is the chosen seed's first try."""
        if seed == self.kill_seed and not Path(self.kill_marker).exists():
            Path(self.kill_marker).write_text("killed\n")
            os.kill(os.getpid(), signal.SIGKILL)
        return super().run(seed)
