"""khasan_sim: the Soviet offensive at Lake Khasan, 6-11 August 1938, as a seeded discrete-event simulation."""

__version__ = "0.1.0"
