"""`khasan-sim`: the command line entry point.

Each subcommand lives in its own ``cmd_<name>.py`` module exposing
``register(subparsers)``; heavy imports happen inside the command, so ``--help`` is fast.
A :class:`~khasan_sim.errors.KhasanSimError` becomes one line on stderr and exit
status 2 (``--debug`` shows the traceback).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape

from khasan_sim.errors import KhasanSimError

COMMANDS: tuple[str, ...] = ("run", "scenario", "map", "batch", "export", "compare", "play")


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="khasan-sim",
        description="Lake Khasan, 6-11 August 1938: a tactical combat simulation.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        module = importlib.import_module(f"khasan_sim.cli.cmd_{name}")
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None, console: Console | None = None) -> int:
    """Run the command line and return its exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    out = console or Console()
    err = Console(stderr=True) if console is None else console
    if not getattr(args, "handler", None):
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


def entry() -> None:
    """Console-script entry point."""
    sys.exit(main())
