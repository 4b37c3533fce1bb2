"""Compiled kernels (numba) for the loops every combat pulse runs.

Each kernel is a plain function over numpy arrays, compiled with ``@njit(cache=True)``
(numba's on-disk cache: a process after the first loads the machine code instead of
compiling it). The mechanics they apply are the same as the scalar functions of
:mod:`khasan_sim.model`, which stay the reference: every kernel has a test that it
agrees with them on random inputs. Random draws come from the run's named numpy
Generators, passed in (numba draws from a numpy Generator exactly as numpy does).
"""
