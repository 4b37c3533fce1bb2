"""`khasan-sim play`: the desktop game (pygame-ce and pygame_gui, the ``ui`` extra).

Imports pygame only when the command runs, so ``khasan-sim --help`` stays fast and the
rest of the program works without it.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from rich.console import Console

from khasan_sim.cli.argtypes import add_force, finite_numbers
from khasan_sim.cli.argtypes import seed as _seed
from khasan_sim.cli.argtypes import turns as _turns

MIN_SIZE = (640, 480)
MAX_SIZE = (7680, 4320)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``play`` subcommand."""
    p = sub.add_parser(
        "play",
        help="play the battle on the desktop (map, orders, replay, compare with the record)",
        description=(
            "Play a scenario on the desktop as one side (or both, hot seat), watch the recorded orders, "
            "or replay a saved game. With --turns and --screenshot it plays N turns of the scenario's own "
            "orders without a person and saves a picture of the screen (works with SDL_VIDEODRIVER=dummy)."
        ),
    )
    p.add_argument(
        "scenario", nargs="?", default=None, help="scenario file (default: the historical scenario)"
    )
    p.add_argument("--variant", default=None, help="variant file applied to the scenario")
    p.add_argument("--seed", type=_seed, default=1, help="run seed (default 1)")
    p.add_argument(
        "--side",
        choices=["soviet", "japanese", "both", "none"],
        default=None,
        help="the side you command: soviet (default), japanese, both (hot seat) or none (watch the recorded orders)",
    )
    p.add_argument(
        "--opponent",
        choices=["historical", "ai"],
        default="historical",
        help="who commands the side you do not: the recorded orders and the Japanese doctrine (default) or the commander AI",
    )
    p.add_argument("--level", choices=["easy", "normal", "hard"], default="normal", help="the commander AI's level (default normal)")
    p.add_argument(
        "--exercise",
        default=None,
        metavar="NAME",
        help="play a classroom exercise (`khasan-sim exercise list`): its variant and side, its briefing on screen; saves carry its name",
    )
    p.add_argument(
        "--fog",
        action="store_true",
        help="fog of war: enemy units shown only where your units see them",
    )
    p.add_argument("--load", default=None, metavar="SAVE", help="open a saved game")
    p.add_argument(
        "--study",
        default=None,
        metavar="STUDY.sqlite",
        help="a Monte Carlo study of the same scenario (khasan-sim batch): the compare screen shows its distribution",
    )
    p.add_argument(
        "--replay",
        action="store_true",
        help="replay the run of the recorded orders (or of --load SAVE) on a timeline",
    )
    p.add_argument(
        "--turns",
        type=_turns,
        default=None,
        help="play N turns with the scenario's own orders, without a person",
    )
    p.add_argument(
        "--screenshot",
        default=None,
        metavar="PNG",
        help="with --turns: save a picture of the screen here and exit",
    )
    p.add_argument(
        "--size",
        default=None,
        metavar="WxH",
        help="window size, e.g. 1280x800 (default: as last time)",
    )
    p.add_argument(
        "--zoom",
        default=None,
        metavar="X,Y,PX_PER_KM",
        help="with --screenshot: centre and zoom of the view",
    )
    p.add_argument(
        "--overlay",
        choices=["help", "compare", "briefing", "menu", "placement"],
        default=None,
        help="with --screenshot: show this screen (menu: the exercises; placement: this exercise game among its runs)",
    )
    p.add_argument(
        "--select", default=None, metavar="UNIT", help="with --screenshot: select this unit"
    )
    add_force(p)
    p.set_defaults(handler=run)


def _size(text: str | None) -> tuple[int, int] | None:
    """Parse --size WxH: whole numbers from 640x480 to 7680x4320."""
    from khasan_sim.errors import KhasanSimError

    if not text:
        return None
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise KhasanSimError(
            f"--size '{text}': expected WIDTHxHEIGHT in pixels, e.g. 1280x800"
        ) from None
    (w0, h0), (w1, h1) = MIN_SIZE, MAX_SIZE
    if not (w0 <= w <= w1 and h0 <= h <= h1):
        msg = f"--size '{text}': expected a width from {w0} to {w1} and a height from {h0} to {h1} pixels, e.g. 1280x800"
        raise KhasanSimError(msg)
    return w, h


def _zoom(text: str | None) -> tuple[float, float, float] | None:
    """Parse --zoom X,Y,PX_PER_KM: a point in metres and a positive scale."""
    import argparse as _argparse

    from khasan_sim.errors import KhasanSimError

    if not text:
        return None
    try:
        x, y, pxkm = finite_numbers(text, 3, "--zoom", "6000,6000,400")
    except _argparse.ArgumentTypeError as exc:
        raise KhasanSimError(f"{exc} (X,Y in metres, PX_PER_KM pixels per km)") from None
    if not 1 <= pxkm <= 100_000:
        raise KhasanSimError(
            f"--zoom '{text}': expected PX_PER_KM from 1 to 100000 pixels per km (got {pxkm:g})"
        )
    return x, y, pxkm


def _check_arguments(
    args: argparse.Namespace,
) -> tuple[tuple[int, int] | None, tuple[float, float, float] | None]:
    """Check what can be checked before the window opens: sizes, files, outputs."""
    from khasan_sim.boundary.outputs import check_output
    from khasan_sim.errors import KhasanSimError

    headless_only = [
        name for name in ("screenshot", "zoom", "overlay", "select") if getattr(args, name)
    ]
    if headless_only and args.turns is None and not args.screenshot:
        raise KhasanSimError(
            f"--{headless_only[0]}: only with --turns N or --screenshot PNG (a picture without a person)"
        )
    size, zoom = _size(args.size), _zoom(args.zoom)
    given = [
        ("scenario", args.scenario),
        ("variant", args.variant),
        ("saved game", args.load),
        ("study file", args.study),
    ]
    check_output(args.screenshot, kind="png", inputs=given, force=args.force, option="--screenshot")
    if args.study:
        from khasan_sim.runner.study import check_study

        check_study(args.study)
    return size, zoom


def run(args: argparse.Namespace, console: Console) -> int:
    """Open the game window (or play N turns headless and save a screenshot)."""
    from khasan_sim.errors import KhasanSimError

    checked_size, zoom = _check_arguments(args)
    save = None
    if args.load:
        from khasan_sim.ui.saves import read_save

        save = read_save(args.load)
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    try:
        import pygame  # noqa: F401
        import pygame_gui  # noqa: F401
    except ImportError:
        raise KhasanSimError(
            "the desktop game needs pygame-ce and pygame_gui: pip install '.[ui]'"
        ) from None
    headless = args.turns is not None or args.screenshot is not None
    if headless and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

    from khasan_sim.scenario.builtin import historical_scenario
    from khasan_sim.ui.app import App
    from khasan_sim.ui.saves import restore
    from khasan_sim.ui.session import GameSession, player_sides
    from khasan_sim.ui.settings import Settings

    settings = Settings.load()
    if args.fog:
        settings.fog = True
    size = checked_size
    if headless:
        sides: tuple[str, ...] = ()
        size = size or (1280, 800)
    else:
        sides = player_sides(args.side or "soviet")
    exercise = None
    if args.exercise:
        from khasan_sim.exercises.play import exercise_setup

        exercise, ex_scenario, ex_variant, ex_side = exercise_setup(
            args.exercise, variant=args.variant
        )
        if args.side is None and not headless:
            sides = player_sides(ex_side)
    live = (
        not headless
    )  # the window's game runs its simulation in a worker process, so no frame waits for it

    # the commander AI takes every side no person commands (with --turns: every side but --side)
    people = set(sides) if not headless else ({args.side} if args.side in ("soviet", "japanese") else set())
    commanders = {s: args.level for s in ("soviet", "japanese") if s not in people} if args.opponent == "ai" else {}

    def new_session(*a: object, **kw: object) -> GameSession:
        kw.setdefault("commanders", commanders)  # a save against the AI brings its own
        return GameSession(*a, process=live, **kw)  # type: ignore[arg-type]

    if save is not None:
        session = restore(save, where=args.load, session_factory=new_session)
        if exercise is None and isinstance(save.settings, dict) and save.settings.get("exercise"):
            from khasan_sim.errors import ScenarioError
            from khasan_sim.exercises.play import exercise_setup

            try:
                exercise = exercise_setup(str(save.settings["exercise"]))[0]
            except ScenarioError:
                exercise = None
    elif exercise is not None:
        session = new_session(
            ex_scenario, args.seed, variant=ex_variant, player_sides=() if args.replay else sides
        )
    else:
        scenario = Path(args.scenario) if args.scenario else historical_scenario()
        session = new_session(
            scenario, args.seed, variant=args.variant, player_sides=() if args.replay else sides
        )
    if exercise is not None:
        from khasan_sim.ui.exercises import attach_exercise

        attach_exercise(session, exercise)  # its id goes into saves, its briefing is shown first
    app = App(
        session,
        settings=settings,
        size=size,
        remember=not headless,
        replay_mode=args.replay and not headless,
        study=args.study,
    )
    if not headless:
        app.run()
        return 0
    if args.select:
        known = sorted(u.id for u in session.frame().units)
        if args.select not in known:
            from khasan_sim.boundary.validate import unknown_name

            raise KhasanSimError(f"--select: {unknown_name('unit', args.select, known)}")
    n = args.turns or 0
    for _ in range(n):
        if session.sim.finished:
            break
        session.run_blocking(session.next_boundary())
    app.phase = "finished" if session.sim.finished else "watch"
    if zoom is not None:
        x, y, pxkm = zoom
        app.cam.scale = pxkm / 1000.0
        app.cam.centre_on(x, y)
    if args.select:
        app.selected = args.select
    app.overlay = args.overlay
    if args.overlay in ("menu", "placement"):
        app.open_menu("placement" if args.overlay == "placement" else None)
        if app.menu.place_job is not None:
            app.menu.place_job.wait(300)
    for _ in range(3):
        app.step(1 / 60)
    if args.screenshot:
        out = app.screenshot(args.screenshot)
        console.print(
            f"played {n} turn(s) to {session.sim.now:%Y-%m-%d %H:%M}; screenshot written to {out}"
        )
    else:
        console.print(f"played {n} turn(s) to {session.sim.now:%Y-%m-%d %H:%M}")
    return 0
