"""The desktop front end (``khasan-sim play``): pygame-ce and pygame_gui.

It drives the core only through :class:`khasan_sim.api.Simulation`, which the desktop
game runs in a worker process (``worker``, ``runloop``). The modules that need no display
(``session``, ``worker``, ``runloop``, ``jobs``, ``exercises``, ``saves``, ``settings``,
``comparing``) import no pygame, so they can be tested and reused without one; ``app``,
``menu`` and the drawing modules do.
"""
