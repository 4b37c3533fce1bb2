"""argparse types shared by the commands: seeds, counts and battle times, with plain messages."""

from __future__ import annotations

import argparse
import math
import os
from collections.abc import Callable
from datetime import datetime
from typing import Any

from khasan_sim.clock import parse_time

MAX_SEED = 2**63 - 1
"""The largest seed: a study stores its seed as a 64-bit SQLite integer."""
MAX_RUNS = 1_000_000
"""The most replications one study may ask for (1,000 take about 2 minutes on 2 cores)."""
MAX_COUNT = 1_000_000
"""The most of anything else counted on the command line (resamples, turns)."""


def _whole_number(text: str, minimum: int, what: str, maximum: int = MAX_COUNT) -> int:
    try:
        value = int(text.strip().replace("_", ""))
    except ValueError:
        msg = f"not a {what}: {text!r} (expected {_range_words(minimum, maximum)})"
        raise argparse.ArgumentTypeError(msg) from None
    if not minimum <= value <= maximum:
        msg = f"{what} {value} is out of range (expected {_range_words(minimum, maximum)})"
        raise argparse.ArgumentTypeError(msg)
    return value


def _range_words(minimum: int, maximum: int) -> str:
    return f"a whole number from {minimum:,} to {maximum:,}"


def seed(text: str) -> int:
    """argparse type: a seed, a whole number from 0 to 2**63 - 1."""
    return _whole_number(text, 0, "seed", MAX_SEED)


def count(text: str) -> int:
    """argparse type: a whole number of at least 1 (workers, resamples)."""
    return _whole_number(text, 1, "count")


def resamples(text: str) -> int:
    """argparse type: bootstrap resamples, 1 to 100,000."""
    return _whole_number(text, 1, "number of resamples", 100_000)


def runs(text: str) -> int:
    """argparse type: a number of replications, 1 to :data:`MAX_RUNS`."""
    return _whole_number(text, 1, "number of runs", MAX_RUNS)


def turns(text: str) -> int:
    """argparse type: a number of turns to play, 0 or more."""
    return _whole_number(text, 0, "number of turns", 10_000)


def finite_numbers(text: str, n: int, what: str, example: str) -> list[float]:
    """Return *n* comma-separated finite numbers, or raise ArgumentTypeError saying what was expected."""
    parts = [v.strip() for v in text.split(",")]
    try:
        values = [float(v) for v in parts]
    except ValueError:
        values = []
    if len(values) != n or not all(math.isfinite(v) for v in values):
        msg = f"{what} {text!r}: expected {n} finite numbers separated by commas, e.g. {example}"
        raise argparse.ArgumentTypeError(msg)
    return values


def battle_time(text: str) -> datetime:
    """argparse type: a battle time like 1938-08-06T17:20."""
    try:
        return parse_time(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_snapshot_at(parser: argparse.ArgumentParser) -> None:
    """Add the repeatable ``--snapshot-at TIME`` option (extra snapshot times of every run)."""
    parser.add_argument(
        "--snapshot-at",
        dest="snapshot_at",
        type=battle_time,
        action="append",
        default=[],
        metavar="TIME",
        help="also read the metrics at this battle time, e.g. 1938-08-06T17:20 (repeatable)",
    )


def usable_workers(
    asked: int | None, tasks: int, say: Callable[[str], None] | None = None
) -> int | None:
    """Return the worker processes to start: at most :func:`max_workers` and no more than *tasks*.

    ``None`` (not asked) stays None: the runner picks the machine's cores. When the number
    asked is more than the machine can use, *say* is told the number that will run.
    """
    if asked is None:
        return None
    limit = max_workers()
    used = max(1, min(asked, limit, max(tasks, 1)))
    if asked > limit and say is not None:
        cores = os.cpu_count() or 1
        say(
            f"--workers {asked}: this machine has {cores} core(s); at most {limit} worker processes are started ({used} here)"
        )
    return used


def max_workers() -> int:
    """Return the most worker processes a command starts: twice the machine's cores, at least 2."""
    return max(2, 2 * (os.cpu_count() or 1))


def add_force(parser: argparse.ArgumentParser) -> None:
    """Add ``--force``: replace an existing output file of another kind (never one of the inputs)."""
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace an existing output file even if it is another kind of file (an input is never replaced)",
    )


def scenario_inputs(scenario: Any) -> list[tuple[str, Any]]:
    """Return ``(what, path)`` of every file a loaded scenario was read from.

    The scenario and variant files, its parameter files and its map description: a
    command's output may be none of them.
    """
    out: list[tuple[str, Any]] = [
        ("scenario", getattr(scenario, "path", None)),
        ("variant", getattr(scenario, "variant_path", None)),
    ]
    params = getattr(scenario, "params", None)
    table = getattr(params, "params", None)
    if isinstance(table, dict):
        out += [("parameter file", f) for f in sorted({p.file for p in table.values() if p.file})]
    doc = getattr(scenario, "doc", None)
    map_name = getattr(getattr(doc, "scenario", None), "map", None)
    base = getattr(scenario, "path", None)
    if isinstance(map_name, str) and base is not None:
        from pathlib import Path

        from khasan_sim.scenario.builtin import resolve

        out.append(("map description", resolve(map_name, Path(base).resolve().parent)))
    return out
