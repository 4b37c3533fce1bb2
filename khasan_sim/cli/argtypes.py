"""argparse types shared by the commands: seeds, counts and battle times, with plain messages."""

from __future__ import annotations

import argparse
from datetime import datetime

from khasan_sim.clock import parse_time


def _whole_number(text: str, minimum: int, what: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = minimum - 1
    if value < minimum:
        msg = f"not a {what}: {text!r} (expected {'a non-negative integer' if minimum == 0 else f'a whole number of at least {minimum}'})"
        raise argparse.ArgumentTypeError(msg)
    return value


def seed(text: str) -> int:
    """argparse type: a non-negative integer seed."""
    return _whole_number(text, 0, "seed")


def count(text: str) -> int:
    """argparse type: a whole number of at least 1 (runs, workers, resamples)."""
    return _whole_number(text, 1, "count")


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
