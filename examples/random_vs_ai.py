"""A random agent (the Soviet side) against the commander AI (the Japanese side), through PettingZoo.

    pip install ".[agents]"
    python examples/random_vs_ai.py [--seed 1] [--turns-per-step 2] [--level normal]

The agent trains nothing: each step it picks, for each of its units, one of the actions
its observation's ``action_mask`` allows, at random (from its own seeded stream). The
script prints the heights each side holds at the end, the losses and the agent's reward.
"""

from __future__ import annotations

import argparse

import numpy as np

from khasan_sim.agents import parallel_env
from khasan_sim.rng import RngStreams


def main() -> None:
    """Play one battle and print the result."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=1, help="the run seed (and the random agent's)")
    ap.add_argument("--turns-per-step", type=int, default=2, help="turns of 30 minutes per step (default 2)")
    ap.add_argument("--level", choices=["easy", "normal", "hard"], default="normal", help="the commander AI's level")
    args = ap.parse_args()

    env = parallel_env(sides=("soviet",), opponent="ai", level=args.level, reward="both", turns_per_step=args.turns_per_step)
    obs, _ = env.reset(seed=args.seed)
    rng = RngStreams(args.seed).get("agent", "random")  # the random agent's own named stream
    total = 0.0
    steps = 0
    while env.agents:
        actions = {}
        for agent in env.agents:
            masks = obs[agent]["action_mask"]
            actions[agent] = np.array([rng.choice(np.flatnonzero(m)) for m in masks])
        obs, rewards, _, _, _ = env.step(actions)
        total += sum(rewards.values())
        steps += 1
    m = env.sim.metrics()
    heights = [z for z in env.sim.engine.zone_ids if env.sim.engine.zones[z].kind == "height"]
    print(f"random Soviet agent vs commander AI ({args.level}) on seed {args.seed}: {steps} steps to {env.sim.now:%d %b %H:%M}")
    for z in heights:
        first = m.get(f"objective.{z}.first_soviet_hold")
        taken = f"first taken by the Soviets after {first:.1f} h" if first is not None else "never taken by the Soviets"
        print(f"  {z:18s} held by {m[f'objective.{z}.holder'] or 'no one'} at the end; {taken}")
    for side in ("soviet", "japanese"):
        print(f"  {side:9s} killed {m[f'{side}.killed']:5d}, wounded {m[f'{side}.wounded']:5d}")
    print(f"  the agent's total reward: {total:+.2f}")


if __name__ == "__main__":
    main()
