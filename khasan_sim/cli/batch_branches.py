"""`khasan-sim batch --from SAVE` and `batch SCENARIO --at TIME`: branch studies.

The branch point (a saved game, or the scenario's run with ``--seed`` up to ``--at``) is
checked and played once here, before any file is written: a save of another scenario,
a time outside the scenario, or orders that no longer replay are one clear message
(exit 2). The study's header then records where its runs branch from
(:class:`~khasan_sim.runner.branches.BranchOrigin`).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from khasan_sim.errors import KhasanSimError


@dataclass(frozen=True)
class BranchPlan:
    """A checked branch study, ready to run.

    Attributes:
        scenario: The loaded scenario the branches play.
        seed: The run's seed (the study seed).
        point: The branch point (a :class:`~khasan_sim.saves.SaveGame`).
        origin: Where the runs branch from, for the study's header.
    """

    scenario: Any
    seed: int
    point: Any
    origin: Any

    def source(self, snapshot_at: Any) -> Any:
        """Return the worker-side source of the study's runs."""
        from khasan_sim.runner.branches import BranchReplications

        sc = self.scenario
        return BranchReplications(
            self.point.to_json(),
            str(Path(sc.path).resolve()),
            None if sc.variant_path is None else str(Path(sc.variant_path).resolve()),
            snapshot_at,
            sc.digest,
        )


def wants_branches(args: argparse.Namespace) -> bool:
    """Return True if the command asks for a branch study."""
    return args.from_save is not None or args.at is not None


def branch_plan(args: argparse.Namespace, load_scenario: Any, default_seed: int) -> BranchPlan:
    """Check the branch point the arguments name and play its history once.

    Raises:
        KhasanSimError: The arguments do not fit together, the save is unreadable or of
            another scenario, the moment lies outside the scenario, or the orders do not
            replay.
    """
    from khasan_sim.branching import check_moment, orders_digest, point_of_run
    from khasan_sim.clock import Clock, format_time
    from khasan_sim.runner.branches import BranchOrigin
    from khasan_sim.saves import read_save, replay

    if args.from_save is not None and args.at is not None:
        msg = "--at: not with --from (a saved game branches from its own moment)"
        raise KhasanSimError(msg)
    if args.from_save is None and args.scenario is None:
        msg = "--at: give the SCENARIO whose run branches (khasan-sim batch SCENARIO --seed S --at TIME ...)"
        raise KhasanSimError(msg)
    if args.from_save is not None:
        where = str(args.from_save)
        save = read_save(args.from_save)
        if args.seed is not None and args.seed != save.seed:
            msg = f"--seed {args.seed}: {where} is a game with seed {save.seed}; its branches keep its seed (omit --seed)"
            raise KhasanSimError(msg)
        own = _save_scenario(save, where, load_scenario)
        if args.scenario is not None:
            scenario = load_scenario(args.scenario, variant=args.variant)
            if own is not None and (own.id, own.variant_id) != (scenario.id, scenario.variant_id):
                msg = (
                    f"{where}: a save of scenario {_name(own)}, not of {args.scenario} ({_name(scenario)}); "
                    "branch it without SCENARIO, or from a save of that scenario"
                )
                raise KhasanSimError(msg)
        elif own is None:
            msg = f"{where}: its scenario {save.scenario} cannot be found here; give the scenario file: khasan-sim batch SCENARIO --from {where} ..."
            raise KhasanSimError(msg)
        else:
            scenario = own
        point, source = save, "save"
    else:
        scenario = load_scenario(args.scenario, variant=args.variant)
        seed = args.seed if args.seed is not None else default_seed
        clock = Clock(scenario.start, scenario.end)
        moment = clock.to_minutes(args.at)
        check_moment(moment, clock.end_min, f"--at {format_time(args.at)}")
        point = point_of_run(
            str(Path(scenario.path).resolve()), seed, moment,
            None if scenario.variant_path is None else str(Path(scenario.variant_path).resolve()),
        )
        where, source = f"the run with seed {seed}", "seed"
    clock = Clock(scenario.start, scenario.end)
    if source == "save":
        check_moment(point.now_min, clock.end_min, f"{where}: its moment {clock.label(point.now_min)}")
    sim = replay(point, scenario=scenario, where=where)
    origin = BranchOrigin(
        source=source,
        moment=clock.label(point.now_min),
        moment_min=float(point.now_min),
        orders_digest=orders_digest(point),
        prefix_digest=sim.events_digest(),
        save=None if args.from_save is None else str(Path(args.from_save).resolve()),
    )
    return BranchPlan(scenario, point.seed, point, origin)


def _save_scenario(save: Any, where: str, load_scenario: Any) -> Any:
    """Return the scenario a save names, loaded, or None if its file is not here."""
    path = Path(save.scenario)
    if not path.is_file():
        return None
    try:
        return load_scenario(save.scenario, variant=save.variant)
    except KhasanSimError as exc:
        msg = f"{where}: its scenario {save.scenario} does not load ({exc})"
        raise KhasanSimError(msg) from None


def _name(scenario: Any) -> str:
    return f"'{scenario.id}'" + (f" variant '{scenario.variant_id}'" if scenario.variant_id else "")
