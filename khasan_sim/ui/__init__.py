"""The desktop front end (``khasan-sim play``): pygame-ce and pygame_gui.

It drives the core only through :class:`khasan_sim.api.Simulation`. The modules that
need no display (``session``, ``saves``, ``settings``, ``comparing``) import no pygame,
so they can be tested and reused without one; ``app`` and the drawing modules do.
"""
