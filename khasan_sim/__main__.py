"""`python -m khasan_sim` runs the command line."""

from khasan_sim.cli.main import entry

entry()
