"""`python run_sim.py ...` does exactly what `khasan-sim ...` does."""

from khasan_sim.cli.main import entry

if __name__ == "__main__":
    entry()
