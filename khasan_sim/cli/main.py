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
from pathlib import Path
from typing import Any, NoReturn

from rich.console import Console
from rich.markup import escape

from khasan_sim.errors import KhasanSimError

COMMANDS: tuple[str, ...] = (
    "run",
    "scenario",
    "map",
    "batch",
    "export",
    "compare",
    "play",
    "calibrate",
    "exercise",
    "study",
    "report",
)


EXIT_USAGE = 2
"""Bad input: a file, an argument or a study the command cannot use (one line on stderr)."""
EXIT_CRASH = 70
"""An unexpected failure (a bug): one line on stderr, the traceback in a crash file."""


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (and exit status 2), like every other error."""

    def error(self, message: str) -> NoReturn:
        """Print the problem on one line and exit with status 2."""
        self.exit(EXIT_USAGE, f"error: {self.prog}: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with every subcommand registered."""
    parser = Parser(
        prog="khasan-sim",
        description=(
            "Lake Khasan, 6-11 August 1938: a tactical combat simulation. Without a command it plays the "
            "historical scenario: in a window on a desktop, or headless with the summary printed."
        ),
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    parser.add_argument(
        "--commands",
        dest="help_only",
        action="store_true",
        help="list the commands (plain `khasan-sim` plays the historical scenario)",
    )
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


def _nul_argument(args: argparse.Namespace) -> str | None:
    """Return the option (or argument) of *args* whose text holds a NUL byte, or None."""
    for name, value in vars(args).items():
        values = value if isinstance(value, (list, tuple)) else [value]
        for v in values:
            if isinstance(v, (str, os.PathLike)) and "\x00" in os.fspath(v):
                return name if name in ("file", "scenario", "study", "name", "folder") else "--" + name.replace("_", "-")
    return None


_PATH_ARGS = ("file", "scenario", "study", "out", "json", "html", "png", "report", "variant", "load", "against", "record", "story", "params", "folder", "screenshot")


def _empty_path(args: argparse.Namespace) -> str | None:
    """Return the path argument of *args* given as an empty string, or None."""
    for name in _PATH_ARGS:
        v = getattr(args, name, None)
        if isinstance(v, str) and not v.strip():
            return name if name in ("file", "scenario", "study", "folder") else "--" + name
    return None


def main(argv: Sequence[str] | None = None, console: Console | None = None) -> int:
    """Run the command line and return its exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    out = console or Console(width=_piped_width(sys.stdout))
    err = Console(stderr=True, width=_piped_width(sys.stderr)) if console is None else console
    bad = _nul_argument(args)
    if bad is not None:  # no path, name or time holds a NUL byte: the system calls refuse them
        _say(err, f"{bad}: the argument holds a NUL byte (\\x00); no file name, unit or time can")
        return EXIT_USAGE
    empty = _empty_path(args)
    if empty is not None:
        _say(err, f"{empty}: an empty path (give a file name)")
        return EXIT_USAGE
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
        _say(err, one_line(str(exc)))
        return EXIT_USAGE
    except OSError as exc:
        if args.debug:
            raise
        _say(err, _os_error_text(exc))
        return EXIT_USAGE
    except KeyboardInterrupt:
        err.print("interrupted")
        return 130
    except MemoryError:
        if args.debug:
            raise
        _say(err, f"`khasan-sim {args.command}` ran out of memory")
        return EXIT_USAGE
    except Exception as exc:
        if args.debug:
            raise
        where = write_crash_report(exc, argv)
        what = f"{type(exc).__name__}: {one_line(str(exc))}" if str(exc) else type(exc).__name__
        tail = (
            f"the details are in {where}"
            if where is not None
            else "run again with --debug for the details"
        )
        _say(
            err,
            f"`khasan-sim {args.command or ''}` failed unexpectedly ({what}); {tail}, please report it",
        )
        return EXIT_CRASH


def _say(err: Console, text: str) -> None:
    err.print(f"[red]error:[/red] {escape(text)}", markup=True, highlight=False, soft_wrap=True)


def one_line(text: str) -> str:
    """Return *text* on one line (a message must never spill a traceback or a table)."""
    return " ".join(text.split())


def _os_error_text(exc: OSError) -> str:
    name = exc.filename if exc.filename is not None else ""
    reason = exc.strerror or str(exc)
    if isinstance(exc, FileNotFoundError):
        reason = "no such file"
    return one_line(f"{name}: {reason}" if name else reason)


def write_crash_report(exc: BaseException, argv: Sequence[str] | None) -> Path | None:
    """Write the traceback of an unexpected failure to a crash file in the user's cache folder.

    Returns:
        The file written, or None when it could not be written.
    """
    import time
    import traceback

    from khasan_sim import __version__
    from khasan_sim.boundary.paths import cache_dir

    stamp = time.strftime("%Y%m%d-%H%M%S")
    lines = [
        f"khasan-sim {__version__}, {stamp}, python {sys.version.split()[0]} on {sys.platform}",
        f"command: khasan-sim {' '.join(sys.argv[1:] if argv is None else argv)}",
        "",
        *traceback.format_exception(exc),
    ]
    try:
        folder = cache_dir() / "crashes"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"crash-{stamp}-{os.getpid()}.txt"
        path.write_text("\n".join(lines), encoding="utf-8")
    except OSError:
        return None
    return path


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
    out.print(
        "[dim]No display here: playing the historical scenario headless (seed 1). "
        "`khasan-sim play` opens the game on a desktop; `khasan-sim --help` lists every command.[/dim]"
    )
    return parser.parse_args(["run", scenario, "--seed", "1"])


def entry() -> None:
    """Console-script entry point."""
    sys.exit(main())
