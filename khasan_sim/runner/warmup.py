"""The first run after an install: compile the kernels on two cores instead of one.

Numba compiles each kernel the first time it is called and keeps the machine code in its
cache (``__pycache__`` beside the kernel's module), so later processes only load it. The
first run after an install therefore spends most of its time compiling: about 25 s of
CPU (6 December), 8 s of them in one kernel, direct fire
(``engine/kernels/direct_fire.py``), and the rest in the others (the pulse's end, observed
fire, the beaten zone, the random streams, the tanks' steps, A*, morale, zones...).

:func:`warm_kernels` splits that work over two processes when the cache is cold. A
forked child builds a simulation of the scenario and calls one pulse of observed fire (on
a tank stuck for the purpose), one of direct fire and the event digest, which compiles
those kernels with the very argument types a run gives them and writes them to the
cache; meanwhile this process plays a throwaway run of the same scenario with the
direct-fire system left out, which reaches and compiles the other kernels (observed fire
and the digest only late in the run, by when the child has cached them: 17.3 s -> 14.8 s
for a cold ``khasan-sim run`` on 6 December). The child first works out a tank
battalion's position (``movement.middle_tank``, a second of compiling the throwaway run
reached only late): the two processes then take about as long, 15.1 s -> 14.4 s for a cold
``khasan-sim`` (three runs each, 6 December, eighth session). Then it waits for the
child. The real run that follows loads every kernel from the cache. Nothing of the
throwaway run is kept: it only fills numba's cache, so results are the same with and
without the warm-up (a kernel it did not reach is compiled by the real run, as before).

It does nothing when the direct-fire kernel is already in the cache (any run after the
first), on one core, or where processes cannot be forked (Windows: there the first run
compiles on one core, as before). Numba writes its cache files atomically (a temporary
file, then a rename), so two processes compiling the same small helper is safe.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from typing import Any

_CHILD_TIMEOUT_S = 120.0
"""How long to wait for the child: far above its ~9 s; past it the run goes on (and
compiles what the child did not)."""


def kernels_cached() -> bool:
    """Return True if numba's cache holds the direct-fire kernel, compiled from the
    source as it is now (the slowest kernel to compile: the others were compiled with it).

    Reads numba's own cache index (a private interface, so anything unexpected counts
    as cached: no warm-up, the run compiles as it always did).
    """
    from khasan_sim.engine.kernels import direct_fire

    try:
        return bool(direct_fire.direct_fire_pulse._cache._cache_file._load_index())
    except Exception:
        return True


def _compile_direct_fire(scenario: Any) -> None:
    """In the child: one pulse of observed fire on a tank stuck for the purpose, then one
    of direct fire, on the scenario's opening state (a throwaway engine).

    Observed fire comes first: the throwaway run here reaches it only when a tank first
    sticks, some 12 s into a cold start, by when the child has written it to the cache;
    the event digest's kernel comes last, as the throwaway run reaches it at its end.
    """
    from khasan_sim.api import Simulation
    from khasan_sim.engine.state import TANK_BOGGED

    engine = Simulation(scenario, seed=0).engine
    tanks = [t for u in engine.units.values() for t in u.tanks]
    if tanks:
        # first the tank battalions' positions (movement.middle_tank), which the throwaway
        # run reaches only some 11 s into a cold start, by when this is cached: its second
        # of compiling moves off the longer of the two processes
        engine._update_tank_unit_position(engine.units[tanks[0].unit])
        tanks[0].status = TANK_BOGGED  # observed fire asks its kernels only for a stuck tank
        engine._observed_fire(engine.cp.pulse_min)
    engine._direct_fire(engine.cp.pulse_min)
    engine.log.digest()  # the digest's number kernel, which the throwaway run reaches last


def _compile_the_rest(scenario: Any) -> None:
    """Here: a throwaway run with the direct-fire system left out (its pulses do nothing)."""
    from khasan_sim.api import Simulation

    sim = Simulation(scenario, seed=0)
    sim.engine._direct_fire = lambda dt: None  # this instance only
    sim.run_to_end()


def warm_kernels(scenario: Any) -> bool:
    """Compile the kernels on two cores if numba's cache is cold; return True if it did.

    Call it before the first :class:`~khasan_sim.api.Simulation` of a command, with
    the scenario it is going to run (the kernels compile for the argument types of its
    arrays). Costs nothing when the cache is warm.
    """
    if (os.cpu_count() or 1) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return False
    if kernels_cached():
        return False
    child = multiprocessing.get_context("fork").Process(
        target=_compile_direct_fire, args=(scenario,), name="khasan-sim kernel warm-up", daemon=True
    )
    child.start()
    try:
        _compile_the_rest(scenario)
    finally:
        child.join(_CHILD_TIMEOUT_S)
        if child.is_alive():
            child.terminate()
            child.join()
    return True


def warm_kernels_before(load: Callable[[], Any]) -> bool:
    """:func:`warm_kernels` for a caller that has not loaded its scenario yet: *load* is
    called only when the cache is cold, and a scenario that fails to load is left to the
    caller's own run to report (no warm-up then)."""
    if kernels_cached():
        return False
    try:
        scenario = load()
    except Exception:
        return False
    return warm_kernels(scenario)
