"""Agents' interface: a PettingZoo parallel environment of the battle (``pip install ".[agents]"``).

Example::

    from khasan_sim.agents import parallel_env
    env = parallel_env(sides=("soviet",), opponent="ai")
    obs, infos = env.reset(seed=1)
    while env.agents:
        actions = {a: env.action_space(a).sample(mask=obs[a]["action_mask"]) for a in env.agents}
        obs, rewards, terminations, truncations, infos = env.step(actions)
"""

from khasan_sim.agents.env import KhasanParallelEnv, parallel_env

__all__ = ["KhasanParallelEnv", "parallel_env"]
