"""Named random streams derived from one run seed.

Every random draw in a run comes from a numpy Generator keyed by a stable name such
as ``("bog", "2mb-3tb-t07")``. The key is hashed with blake2b (never Python's
``hash()``, which changes between processes) into a SeedSequence spawn key, so
adding a stream or drawing more from one never shifts the draws of another: two
variants on the same seed share common random numbers wherever they have not
diverged.

A run makes a few hundred streams; numpy's SeedSequence and PCG64 cost about 35
microseconds to make one, so the SeedSequence's state is worked out by a compiled copy
of its algorithm (:func:`seed_sequence_state`, numpy's ``bit_generator.pyx``: the same
words, tested against numpy), and the PCG64 is seeded with those words directly: the
same Generator, its draws bit for bit, in a tenth of the time.
"""

from __future__ import annotations

import functools
import hashlib
from typing import Any

import numpy as np
from numba import njit


@functools.lru_cache(maxsize=65536)
def _word(name: str) -> int:
    """Return a stable 32-bit word for *name* (SeedSequence spawn keys take 32-bit words)."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=4).digest(), "little")


# numpy.random.SeedSequence's constants (numpy/random/bit_generator.pyx)
_U32 = np.uint64(0xFFFFFFFF)
_INIT_A = np.uint64(0x43B0D7E5)
_MULT_A = np.uint64(0x931E8875)
_INIT_B = np.uint64(0x8B51F9DD)
_MULT_B = np.uint64(0x58F38DED)
_MIX_MULT_L = np.uint64(0xCA01F9DD)
_MIX_MULT_R = np.uint64(0x4973F715)
_XSHIFT = np.uint64(16)
_POOL = 4


@njit(cache=True)
def _hashmix(value, hash_const):
    value = (value ^ hash_const[0]) & _U32
    hash_const[0] = (hash_const[0] * _MULT_A) & _U32
    value = (value * hash_const[0]) & _U32
    return value ^ (value >> _XSHIFT)


@njit(cache=True)
def _mix(x, y):
    r = ((_MIX_MULT_L * x) - (_MIX_MULT_R * y)) & _U32
    return r ^ (r >> _XSHIFT)


@njit(cache=True)
def _mixed_pool(entropy, mixer, hash_const):
    """Mix the 32-bit words *entropy* into *mixer* (pool of 4) as SeedSequence does: the first
    4 words (0 for those missing) hashed in and mixed across, then each further word mixed
    into every pool word. *hash_const* (1 word) is carried over from one call to the next."""
    hash_const[0] = _INIT_A
    n = entropy.size
    for i in range(_POOL):
        mixer[i] = _hashmix(entropy[i] if i < n else np.uint64(0), hash_const)
    for i_src in range(_POOL):
        for i_dst in range(_POOL):
            if i_src != i_dst:
                mixer[i_dst] = _mix(mixer[i_dst], _hashmix(mixer[i_src], hash_const))
    for i_src in range(_POOL, n):
        for i_dst in range(_POOL):
            mixer[i_dst] = _mix(mixer[i_dst], _hashmix(entropy[i_src], hash_const))


@njit(cache=True)
def _state_of_pool(mixer):
    """Return SeedSequence's ``generate_state(4, uint64)`` of the mixed pool *mixer*."""
    words = np.empty(2 * _POOL, dtype=np.uint64)
    h = _INIT_B
    for i in range(2 * _POOL):
        v = (mixer[i % _POOL] ^ h) & _U32
        h = (h * _MULT_B) & _U32
        v = (v * h) & _U32
        words[i] = v ^ (v >> _XSHIFT)
    out = np.empty(_POOL, dtype=np.uint64)
    for i in range(_POOL):
        out[i] = words[2 * i] | (words[2 * i + 1] << np.uint64(32))
    return out


@njit(cache=True)
def seed_sequence_state(entropy):
    """Return ``SeedSequence.generate_state(4, uint64)`` of a SeedSequence (pool of 4 words)
    whose assembled entropy is the 32-bit words *entropy* (uint64 array, each below 2**32):
    the run entropy's words padded to the pool size, then the spawn key's."""
    mixer = np.zeros(_POOL, dtype=np.uint64)
    hash_const = np.empty(1, dtype=np.uint64)
    _mixed_pool(entropy, mixer, hash_const)
    return _state_of_pool(mixer)


@njit(cache=True)
def run_pool(run_words):
    """Return the pool of a run's seed: its words (padded to the pool size) mixed as
    :func:`seed_sequence_state` mixes them, then the hash constant, as 5 words. Every
    stream's seed state goes on from there (:func:`stream_state`): a run's streams share it."""
    pool = np.empty(_POOL + 1, dtype=np.uint64)
    hash_const = np.empty(1, dtype=np.uint64)
    _mixed_pool(run_words, pool[:_POOL], hash_const)
    pool[_POOL] = hash_const[0]
    return pool


@njit(cache=True)
def stream_state(pool, key_words):
    """Return :func:`seed_sequence_state` of the run's words then *key_words*, from the run's
    :func:`run_pool` (the same words: the key's mixed in after the run's, as one pass does)."""
    mixer = pool[:_POOL].copy()
    hash_const = pool[_POOL:].copy()
    for i_src in range(key_words.size):
        for i_dst in range(_POOL):
            mixer[i_dst] = _mix(mixer[i_dst], _hashmix(key_words[i_src], hash_const))
    return _state_of_pool(mixer)


@njit(cache=True)
def stream_states(pool, key_words, starts):
    """Return :func:`stream_state` of each of many keys at once, a row each: key ``i``'s
    words are ``key_words[starts[i]:starts[i + 1]]``."""
    n = starts.size - 1
    out = np.empty((n, _POOL), dtype=np.uint64)
    for i in range(n):
        out[i] = stream_state(pool, key_words[starts[i] : starts[i + 1]])
    return out


def _words32(n: int) -> list[int]:
    """Return the 32-bit words of a whole number >= 0, least significant first ([0] for 0)."""
    if n == 0:
        return [0]
    out = []
    while n > 0:
        out.append(n & 0xFFFFFFFF)
        n >>= 32
    return out


class _State(np.random.bit_generator.ISeedSequence):
    """A seed sequence that hands out the state already worked out (for PCG64's seeding)."""

    __slots__ = ("state",)

    def __init__(self, state: np.ndarray) -> None:
        self.state = state

    def generate_state(self, n_words: int, dtype: type = np.uint32) -> np.ndarray:
        if n_words != _POOL or (dtype is not np.uint64 and np.dtype(dtype) != np.uint64):  # PCG64 asks for np.uint64
            msg = f"this seed state holds {_POOL} uint64 words (asked for {n_words} {np.dtype(dtype).name})"
            raise ValueError(msg)
        return self.state


def check_seed(seed: object) -> int:
    """Return *seed* as an int, or raise ValueError with a clear message."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        msg = f"seed must be a non-negative integer (got {seed!r})"
        raise ValueError(msg)
    if seed < 0:
        msg = f"seed must be a non-negative integer (got {seed})"
        raise ValueError(msg)
    return int(seed)


# a stream key -> its spawn key's words (uint64 array): the same few hundred keys recur in
# every run of a process; a bounded table, emptied when full
_KEY_WORDS: dict[tuple[str, ...], np.ndarray] = {}
_KEY_WORDS_LIMIT = 65536

# the stream keys the runs of this process have made, in the order first made; and the
# last batch of them (_key_batch): a run works out the seed states of all these keys in one
# compiled call when it makes its first stream
_SEEN_KEYS: dict[tuple[str, ...], None] = {}
_BATCH: list[Any] = [None]  # [(the keys' rows, their words, the starts of each key's words)]


def _key_words(key: tuple[str, ...]) -> np.ndarray:
    """Return the spawn key's words of stream *key* (kept per process, see :data:`_KEY_WORDS`)."""
    words = _KEY_WORDS.get(key)
    if words is None:
        if len(_KEY_WORDS) >= _KEY_WORDS_LIMIT:
            _KEY_WORDS.clear()
        words = _KEY_WORDS[key] = np.array([_word(k) for k in key], dtype=np.uint64)
    return words


def _key_batch() -> tuple[dict[tuple[str, ...], int], np.ndarray, np.ndarray]:
    """Return the keys the runs of this process have made as ``(row of each key, words,
    starts)`` for :func:`stream_states`: made again when keys were added since the last
    (a batch, once made, never changes: a run keeps the one it took)."""
    batch = _BATCH[0]
    if batch is None or len(batch[0]) != len(_SEEN_KEYS):
        if len(_SEEN_KEYS) >= _KEY_WORDS_LIMIT:
            _SEEN_KEYS.clear()
        rows = {key: i for i, key in enumerate(_SEEN_KEYS)}
        words = [_key_words(key) for key in rows]
        starts = np.zeros(len(words) + 1, dtype=np.int64)
        starts[1:] = np.cumsum([w.size for w in words])
        flat = np.concatenate(words) if words else np.zeros(0, dtype=np.uint64)
        batch = _BATCH[0] = (rows, flat, starts)
    return batch


def _run_pool(seed: int) -> np.ndarray:
    """Return :func:`run_pool` of *seed*'s words, padded to the pool (as SeedSequence pads
    the run entropy before a spawn key)."""
    words = _words32(seed)
    return run_pool(np.array(words + [0] * max(0, _POOL - len(words)), dtype=np.uint64))


class RngStreams:
    """A family of numpy Generators, one per named purpose, from one run seed."""

    def __init__(self, seed: int) -> None:
        self.seed = check_seed(seed)
        self._streams: dict[tuple[str, ...], np.random.Generator] = {}
        self._pool = _run_pool(self.seed)
        # the seed states of the keys earlier runs of the process made (a row each, by
        # _key_batch's rows), worked out at the first stream made: one compiled call
        # instead of one per stream
        self._rows: dict[tuple[str, ...], int] | None = None
        self._states: np.ndarray | None = None

    def reseed(self, seed: int) -> None:
        """Derive every stream from *seed* from now on, those already made included.

        A branch of a run (:mod:`khasan_sim.branching`) calls this at its moment, with
        :func:`branch_seed`: each Generator already handed out is given, in place, the
        state it would have had fresh under *seed* (the engine's processes keep their
        references to it), and the streams made later derive from *seed* too. What was
        drawn before stays drawn: the history up to the moment is the run's.
        """
        self.seed = check_seed(seed)
        self._pool = _run_pool(self.seed)
        self._rows = self._states = None  # the old seed's
        for key, gen in self._streams.items():
            gen.bit_generator.state = self._fresh(key).state

    def _fresh(self, key: tuple[str, ...]) -> np.random.PCG64:
        """Return the PCG64 of stream *key*, fresh: seeded as from
        ``SeedSequence(seed, spawn_key=(word(k) for k in key))``."""
        rows = self._rows
        if rows is None:
            rows, words, starts = _key_batch()
            self._rows, self._states = rows, stream_states(self._pool, words, starts)
        row = rows.get(key)
        if row is None:  # a key new to the process: made alone, and batched in later runs
            _SEEN_KEYS[key] = None
            return np.random.PCG64(_State(stream_state(self._pool, _key_words(key))))
        return np.random.PCG64(_State(self._states[row]))

    def get(self, *key: str) -> np.random.Generator:
        """Return the Generator for *key*, creating it on first use: the Generator of
        ``PCG64(SeedSequence(seed, spawn_key=(word(k) for k in key)))``."""
        gen = self._streams.get(key)
        if gen is None:
            gen = np.random.Generator(self._fresh(key))
            self._streams[key] = gen
        return gen


def replication_seed(study_seed: int, index: int) -> int:
    """Return the seed of replication *index* of a study: a pure function of both."""
    seq = np.random.SeedSequence(check_seed(study_seed), spawn_key=(check_seed(index),))
    return int(seq.generate_state(1, np.uint64)[0] >> np.uint64(1))


def branch_seed(run_seed: int, moment_min: float, branch: int) -> int:
    """Return the seed of branch *branch* of the run with *run_seed* from the moment
    *moment_min* (minutes since the start, taken to the second): a pure function of the
    three, so a branch is the same in any process, and two forecasts from one moment (the
    orders as given, and with one order changed) draw the same numbers branch by branch."""
    seconds = round(float(moment_min) * 60.0)
    if seconds < 0:
        msg = f"a branch moment lies at or after the start (got {moment_min} min)"
        raise ValueError(msg)
    seq = np.random.SeedSequence(check_seed(run_seed), spawn_key=(_word("branch"), seconds, check_seed(branch)))
    return int(seq.generate_state(1, np.uint64)[0] >> np.uint64(1))
