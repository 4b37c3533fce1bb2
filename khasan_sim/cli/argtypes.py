"""argparse types shared by the commands: seeds, counts and battle times, with plain messages."""

from __future__ import annotations

import argparse
from datetime import datetime

from khasan_sim.clock import parse_time


def seed(text: str) -> int:
    """argparse type: a non-negative integer seed."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        msg = f"not a seed: {text!r} (expected a non-negative integer)"
        raise argparse.ArgumentTypeError(msg)
    return value


def count(text: str) -> int:
    """argparse type: a whole number of at least 1 (runs, workers, resamples)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        msg = f"not a count: {text!r} (expected a whole number of at least 1)"
        raise argparse.ArgumentTypeError(msg)
    return value


def battle_time(text: str) -> datetime:
    """argparse type: a battle time like 1938-08-06T17:20."""
    try:
        return parse_time(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
