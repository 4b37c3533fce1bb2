"""The engine's systems: one mixin class a mechanism, which :class:`khasan_sim.engine.kernel.Engine`
inherits. They share the Engine's state (set up in its ``__init__``) and call each other
through it; the pulse and turn processes in :mod:`khasan_sim.engine.kernel` call them in order.
"""
