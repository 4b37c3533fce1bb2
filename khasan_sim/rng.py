"""Named random streams derived from one run seed.

Every random draw in a run comes from a numpy Generator keyed by a stable name such
as ``("bog", "2mb-3tb-t07")``. The key is hashed with blake2b (never Python's
``hash()``, which changes between processes) into a SeedSequence spawn key, so
adding a stream or drawing more from one never shifts the draws of another: two
variants on the same seed share common random numbers wherever they have not
diverged.
"""

from __future__ import annotations

import hashlib

import numpy as np


def _word(name: str) -> int:
    """Return a stable 32-bit word for *name* (SeedSequence spawn keys take 32-bit words)."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=4).digest(), "little")


def check_seed(seed: object) -> int:
    """Return *seed* as an int, or raise ValueError with a clear message."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        msg = f"seed must be a non-negative integer (got {seed!r})"
        raise ValueError(msg)
    if seed < 0:
        msg = f"seed must be a non-negative integer (got {seed})"
        raise ValueError(msg)
    return int(seed)


class RngStreams:
    """A family of numpy Generators, one per named purpose, from one run seed."""

    def __init__(self, seed: int) -> None:
        self.seed = check_seed(seed)
        self._streams: dict[tuple[str, ...], np.random.Generator] = {}

    def get(self, *key: str) -> np.random.Generator:
        """Return the Generator for *key*, creating it on first use."""
        gen = self._streams.get(key)
        if gen is None:
            seq = np.random.SeedSequence(self.seed, spawn_key=tuple(_word(k) for k in key))
            gen = np.random.Generator(np.random.PCG64(seq))
            self._streams[key] = gen
        return gen


def replication_seed(study_seed: int, index: int) -> int:
    """Return the seed of replication *index* of a study: a pure function of both."""
    seq = np.random.SeedSequence(check_seed(study_seed), spawn_key=(check_seed(index),))
    return int(seq.generate_state(1, np.uint64)[0] >> np.uint64(1))
