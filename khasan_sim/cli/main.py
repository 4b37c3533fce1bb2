"""`khasan-sim`: the command line entry point.

Each subcommand lives in its own ``cmd_<name>.py`` module exposing
``register(subparsers)``; heavy imports happen inside the command, so ``--help`` is fast.
A :class:`~khasan_sim.errors.KhasanSimError` becomes one line on stderr and exit
status 2 (``--debug`` shows the traceback).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.markup import escape

from khasan_sim.errors import KhasanSimError

COMMANDS: tuple[str, ...] = ("run", "scenario", "map", "batch", "export", "compare", "play", "calibrate", "exercise")


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="khasan-sim",
        description=(
            "Lake Khasan, 6-11 August 1938: a tactical combat simulation. Without a command it plays the "
            "historical scenario: in a window on a desktop, or headless with the summary printed."
        ),
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    parser.add_argument("--commands", dest="help_only", action="store_true", help="list the commands (plain `khasan-sim` plays the historical scenario)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        module = importlib.import_module(f"khasan_sim.cli.cmd_{name}")
        module.register(sub)
    return parser


PIPED_WIDTH = 132
"""Columns for tables written to a file or a pipe (a terminal gives its own width)."""


def _piped_width(stream: Any) -> int | None:
    """Return the width for output that is not a terminal, unless COLUMNS sets one.

    Rich assumes 80 columns off a terminal, which folds the compare and calibrate tables
    into unreadable slivers in a log file or a CI job.
    """
    isatty = getattr(stream, "isatty", None)
    if (isatty is not None and isatty()) or os.environ.get("COLUMNS"):
        return None
    return PIPED_WIDTH


def main(argv: Sequence[str] | None = None, console: Console | None = None) -> int:
    """Run the command line and return its exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    out = console or Console(width=_piped_width(sys.stdout))
    err = Console(stderr=True, width=_piped_width(sys.stderr)) if console is None else console
    if not getattr(args, "handler", None):
        if args.command is None and not args.help_only:
            args = _default_job(parser, out)
        else:
            parser.print_help()
            return 0
    try:
        return int(args.handler(args, out) or 0)
    except KhasanSimError as exc:
        if args.debug:
            raise
        err.print(f"[red]error:[/red] {escape(str(exc))}", markup=True, highlight=False, soft_wrap=True)
        return 2
    except FileNotFoundError as exc:
        if args.debug:
            raise
        err.print(f"[red]error:[/red] {escape(str(exc.filename))}: no such file", markup=True, highlight=False, soft_wrap=True)
        return 2
    except KeyboardInterrupt:
        err.print("interrupted")
        return 130


def display_available() -> bool:
    """Return True if a window can be opened (a desktop session, not a headless machine)."""
    import os

    if os.environ.get("SDL_VIDEODRIVER", "").lower() in ("dummy", "offscreen"):
        return False
    if sys.platform.startswith(("win", "darwin")):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _default_job(parser: argparse.ArgumentParser, out: Console) -> argparse.Namespace:
    """``khasan-sim`` alone: play the historical scenario on a desktop, else run it headless.

    On a machine with a display and pygame installed this opens the game as the Soviet
    commander; elsewhere it plays one seeded run and prints the summary beside the record.
    """
    from khasan_sim.scenario.builtin import historical_scenario

    scenario = str(historical_scenario())
    if display_available():
        try:
            import pygame  # noqa: F401
        except ImportError:
            pass
        else:
            return parser.parse_args(["play", scenario])
    out.print("[dim]No display here: playing the historical scenario headless (seed 1). "
              "`khasan-sim play` opens the game on a desktop; `khasan-sim --help` lists every command.[/dim]")
    return parser.parse_args(["run", scenario, "--seed", "1"])


def entry() -> None:
    """Console-script entry point."""
    sys.exit(main())
