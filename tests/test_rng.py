"""The named random streams: each is numpy's PCG64(SeedSequence(seed, spawn_key)), made
by a compiled copy of SeedSequence's algorithm; the same draws bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from khasan_sim.rng import RngStreams, _run_pool, _word, _words32, seed_sequence_state, stream_state

WORD = st.integers(0, 2**32 - 1)


@settings(max_examples=300, deadline=None)
@given(seed=st.one_of(st.integers(0, 300), st.integers(0, 2**64 - 1), st.integers(0, 2**140)), key=st.lists(WORD, min_size=1, max_size=6))
def test_the_compiled_seed_sequence_gives_numpys_state(seed, key):
    run = _words32(seed)
    run += [0] * max(0, 4 - len(run))
    got = seed_sequence_state(np.array(run + key, dtype=np.uint64))
    want = np.random.SeedSequence(seed, spawn_key=tuple(key)).generate_state(4, np.uint64)
    assert got.tolist() == want.tolist()


@settings(max_examples=300, deadline=None)
@given(seed=st.one_of(st.integers(0, 300), st.integers(0, 2**64 - 1), st.integers(0, 2**200)), key=st.lists(WORD, max_size=6))
def test_a_streams_state_from_the_runs_pool_is_the_state_of_all_its_words(seed, key):
    run = _words32(seed)
    run += [0] * max(0, 4 - len(run))
    got = stream_state(_run_pool(seed), np.array(key, dtype=np.uint64))
    assert got.tolist() == seed_sequence_state(np.array(run + key, dtype=np.uint64)).tolist()
    want = np.random.SeedSequence(seed, spawn_key=tuple(key)).generate_state(4, np.uint64)
    assert got.tolist() == want.tolist()


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**63 - 1), key=st.lists(st.text(min_size=0, max_size=12), min_size=1, max_size=3))
def test_a_stream_draws_what_numpys_generator_of_its_seed_sequence_draws(seed, key):
    g = RngStreams(seed).get(*key)
    ref = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=tuple(_word(k) for k in key))))
    assert g.integers(0, 2**62, size=8).tolist() == ref.integers(0, 2**62, size=8).tolist()
    assert g.random(4).tolist() == ref.random(4).tolist()
    assert g.binomial(100, 0.3, size=4).tolist() == ref.binomial(100, 0.3, size=4).tolist()


def test_a_stream_is_made_once_and_kept():
    r = RngStreams(7)
    assert r.get("bog", "t1") is r.get("bog", "t1")
    assert r.get("bog", "t1") is not r.get("bog", "t2")


def test_words_of_whole_numbers():
    assert _words32(0) == [0]
    assert _words32(2**32 + 5) == [5, 1]


def test_seed_state_refuses_other_shapes():
    from khasan_sim.rng import _State

    s = _State(np.zeros(4, dtype=np.uint64))
    with pytest.raises(ValueError, match="4 uint64 words"):
        s.generate_state(2, np.uint32)


def test_streams_of_keys_made_in_earlier_runs_draw_the_same():
    """A run works out the seed states of the keys earlier runs made in one batch: the
    same draws as a key new to the process, and as numpy's, before and after a reseed."""
    keys = [("bog", "t1"), ("casualties", "u7"), ("direct-fire",), ("a", "b", "c", "d", "e")]

    def ref(seed, key):
        return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=tuple(_word(k) for k in key))))

    for seed in (3, 2**70 + 1, 3):  # the first run makes the keys alone, the later ones batch them
        streams = RngStreams(seed)
        for key in keys:
            assert streams.get(*key).random(3).tolist() == ref(seed, key).random(3).tolist()
        streams.reseed(seed + 1)
        for key in [*keys, ("new", str(seed))]:
            assert streams.get(*key).random(3).tolist() == ref(seed + 1, key).random(3).tolist()
