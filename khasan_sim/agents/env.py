"""A PettingZoo environment (the parallel API) of a khasan_sim scenario.

Each step is one turn (``turns_per_step`` turns): every live agent's action becomes the
orders of its units, given through the public API (:meth:`khasan_sim.api.Simulation.give`)
at the turn boundary, and the run advances. Agents are the sides (``agents="side"``: one
order per unit each step, a ``MultiDiscrete`` action) or the side's units
(``agents="unit"``: one agent per unit of the sides played, a ``Discrete`` action). A side
no agent plays is commanded by the commander AI (``opponent="ai"``) or by the scenario's
own controllers (``opponent="scenario"``: the recorded orders, the Japanese doctrine).

Observations are dicts ``{"observation": float32 vector, "action_mask": ...}``
(:mod:`khasan_sim.agents.encode`); the mask is an int8 array per unit (a tuple of them for
a side agent, as gymnasium's ``MultiDiscrete.sample(mask=...)`` takes it). An action that
is masked is not given (it counts as noop).

Rewards (``reward=``): ``objectives``, the change in the heights the side holds minus
those the enemy holds; ``losses``, the enemy's men lost minus the side's own, in
thousands; ``both``, their sum. The episode ends (terminations) at the ceasefire.
``reset(seed=S)`` starts the same run for the same S.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from gymnasium import spaces
from pettingzoo import ParallelEnv
from pydantic import TypeAdapter

from khasan_sim.agents.encode import Layout, layout_of, observation, order_for, unit_mask
from khasan_sim.ai.view import Memory, build_view
from khasan_sim.api import Simulation
from khasan_sim.scenario import schema

SIDES = ("soviet", "japanese")
REWARDS = ("objectives", "losses", "both")
_ORDER = TypeAdapter(schema.Order)


def _default_scenario() -> Path:
    from khasan_sim.boundary.paths import data_root

    return data_root() / "scenarios" / "khasan_1938" / "historical.yaml"


class KhasanParallelEnv(ParallelEnv):
    """The battle as a multi-agent environment.

    Args:
        scenario: A loaded scenario or a scenario file (default: the historical one).
        sides: The sides agents play.
        agents: ``side`` (one agent per side) or ``unit`` (one per unit of those sides).
        opponent: Who commands the other side: ``ai`` or ``scenario``.
        level: The commander AI's level for the opponent.
        reward: ``objectives``, ``losses`` or ``both``.
        turns_per_step: Turns (30 minutes each in the historical scenario) per step.
    """

    metadata: ClassVar[dict[str, Any]] = {"name": "khasan_sim_v0", "render_modes": []}

    def __init__(
        self,
        scenario: Any = None,
        *,
        sides: tuple[str, ...] = SIDES,
        agents: str = "side",
        opponent: str = "ai",
        level: str = "normal",
        reward: str = "both",
        turns_per_step: int = 1,
    ) -> None:
        if isinstance(scenario, (str, Path)) or scenario is None:
            from khasan_sim.scenario.load import load_scenario

            scenario = load_scenario(scenario or _default_scenario())
        bad = [s for s in sides if s not in SIDES]
        if bad or not sides:
            msg = f"sides: {bad or 'none'}: expected some of {', '.join(SIDES)}"
            raise ValueError(msg)
        if agents not in ("side", "unit") or opponent not in ("ai", "scenario") or reward not in REWARDS:
            msg = f"agents={agents!r}, opponent={opponent!r}, reward={reward!r}: expected side|unit, ai|scenario, {'|'.join(REWARDS)}"
            raise ValueError(msg)
        if turns_per_step < 1:
            msg = f"turns_per_step={turns_per_step}: expected 1 or more"
            raise ValueError(msg)
        self.scenario = scenario
        self.sides = tuple(s for s in SIDES if s in sides)
        self.per_unit = agents == "unit"
        self.opponent = opponent
        self.level = level
        self.reward_kind = reward
        self.turns_per_step = int(turns_per_step)
        self._seed = 0
        self._obs_cache: dict[str, Any] | None = None
        self._obs_at = -1.0
        self.sim: Simulation = self._new_sim(0)
        self.layouts: dict[str, Layout] = {s: layout_of(self.sim, s) for s in self.sides}
        self.possible_agents = [f"{s}:{uid}" for s in self.sides for uid in self.layouts[s].own] if self.per_unit else list(self.sides)
        self.agents: list[str] = []
        self._spaces = {a: self._make_spaces(a) for a in self.possible_agents}

    # ------------------------------------------------------------ spaces

    def _side_of(self, agent: str) -> str:
        return agent.split(":", 1)[0]

    def _make_spaces(self, agent: str) -> tuple[spaces.Space, spaces.Space]:
        lay = self.layouts[self._side_of(agent)]
        obs = spaces.Box(0.0, 10.0, shape=(lay.obs_size,), dtype=np.float32)
        mask: spaces.Space = spaces.MultiBinary(lay.n_actions)
        action: spaces.Space = spaces.Discrete(lay.n_actions)
        if not self.per_unit:
            mask = spaces.Tuple([spaces.MultiBinary(lay.n_actions) for _ in lay.own])
            action = spaces.MultiDiscrete([lay.n_actions] * len(lay.own))
        return spaces.Dict({"observation": obs, "action_mask": mask}), action

    def observation_space(self, agent: str) -> spaces.Space:
        """Return the agent's observation space (the same object every time)."""
        return self._spaces[agent][0]

    def action_space(self, agent: str) -> spaces.Space:
        """Return the agent's action space (the same object every time)."""
        return self._spaces[agent][1]

    # ------------------------------------------------------------ running

    def _new_sim(self, seed: int) -> Simulation:
        others = {s: self.level for s in SIDES if s not in self.sides} if self.opponent == "ai" else {}
        return Simulation(self.scenario, seed, player_sides=self.sides, commanders=others)

    def reset(self, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
        """Start the battle again with *seed* (the last seed when None): the same seed, the same run."""
        if seed is not None:
            self._seed = int(seed)
        self.sim = self._new_sim(self._seed)
        self._memory = {s: Memory() for s in self.sides}
        self.agents = list(self.possible_agents)
        self._score = self._scores()
        obs = self._observe()
        self._obs_cache, self._obs_at = obs, self.sim.now_min
        return obs, {a: {} for a in self.agents}

    def _views(self) -> dict[str, Any]:
        return {s: build_view(self.sim, s, self._memory[s], sight_share=1.0, memory_turns=0) for s in self.sides}

    def _observe(self) -> dict[str, Any]:
        self._last_views = views = self._views()
        out: dict[str, Any] = {}
        for s in self.sides:
            lay = self.layouts[s]
            vec = observation(views[s], lay, self.sim.engine.end_min)
            memo: dict[tuple[Any, ...], bool] = {}
            masks = [unit_mask(self.sim, views[s], lay, uid, self._parse, memo) if self.sim.unit(uid).men > 0 or self.sim.unit(uid).is_air
                     else _noop_mask(lay) for uid in lay.own]
            if self.per_unit:
                for uid, m in zip(lay.own, masks, strict=True):
                    if f"{s}:{uid}" in self.agents:
                        out[f"{s}:{uid}"] = {"observation": vec, "action_mask": m}
            elif s in self.agents:
                out[s] = {"observation": vec, "action_mask": tuple(masks)}
        return out

    def _parse(self, order: dict[str, Any]) -> Any:
        return _ORDER.validate_python({"at": self.sim.now, **order})

    def _scores(self) -> dict[str, tuple[float, float]]:
        """Return each side's (heights held minus the enemy's, enemy men lost minus own, thousands)."""
        holders = self.sim.holders()
        zones = self.sim.engine.zones
        lost = {s: sum(u.men_start - u.men for u in self.sim.units() if u.side == s and not u.is_air) for s in SIDES}
        out = {}
        for s in self.sides:
            mine = sum(1 for z, h in holders.items() if zones[z].kind == "height" and h == s)
            theirs = sum(1 for z, h in holders.items() if zones[z].kind == "height" and h not in (None, s))
            other = next(o for o in SIDES if o != s)
            out[s] = (float(mine - theirs), (lost[other] - lost[s]) / 1000.0)
        return out

    def _give(self, side: str, uid: str, action: int, mask: np.ndarray) -> None:
        if not 0 <= action < len(mask) or not mask[action]:
            return  # masked: not given
        u = self.sim.unit(uid)
        order = order_for(self.layouts[side], uid, u.type, u.is_air, (float(u.home_x), float(u.home_y)), action)
        if order is not None:
            self.sim.give(order)

    def step(self, actions: dict[str, Any]) -> tuple[dict[str, Any], ...]:
        """Give the agents' orders, advance ``turns_per_step`` turns, and return what PettingZoo expects."""
        masks = {a: o["action_mask"] for a, o in self._observe_cached().items()}
        for agent, action in sorted(actions.items()):
            if agent not in self.agents:
                continue
            side = self._side_of(agent)
            if self.per_unit:
                self._give(side, agent.split(":", 1)[1], int(action), masks[agent])
            else:
                for uid, a, m in zip(self.layouts[side].own, np.asarray(action).ravel(), masks[agent], strict=False):
                    self._give(side, uid, int(a), m)
        for _ in range(self.turns_per_step):
            if self.sim.finished:
                break
            self.sim.advance_turn()
        score = self._scores()
        rewards = {}
        for a in self.agents:
            s = self._side_of(a)
            d_obj = score[s][0] - self._score[s][0]
            d_loss = score[s][1] - self._score[s][1]
            rewards[a] = float({"objectives": d_obj, "losses": d_loss, "both": d_obj + d_loss}[self.reward_kind])
        self._score = score
        done = self.sim.finished
        obs = self._observe()
        live = list(self.agents)
        if self.per_unit and not done:  # a unit with no men left is out of the game
            gone = {a for a in live if self.sim.unit(a.split(":", 1)[1]).men <= 0 and not self.sim.unit(a.split(":", 1)[1]).is_air}
        else:
            gone = set(live) if done else set()
        terminations = {a: a in gone for a in live}
        truncations = dict.fromkeys(live, False)
        infos = {a: {"now": self.sim.now.isoformat()} for a in live}
        self.agents = [a for a in live if a not in gone]
        self._obs_cache, self._obs_at = obs, self.sim.now_min
        return obs, rewards, terminations, truncations, infos

    def _observe_cached(self) -> dict[str, Any]:
        """Return the observations the agents acted on (made again only if the run moved since)."""
        if self._obs_cache is None or self._obs_at != self.sim.now_min:
            self._obs_cache, self._obs_at = self._observe(), self.sim.now_min
        return self._obs_cache

    def result(self) -> Any:
        """Return the run's result so far (:class:`khasan_sim.results.RunResult`)."""
        return self.sim.result()


def _noop_mask(lay: Layout) -> np.ndarray:
    m = np.zeros(lay.n_actions, dtype=np.int8)
    m[0] = 1
    return m


def parallel_env(**kwargs: Any) -> KhasanParallelEnv:
    """Return the environment (PettingZoo's usual constructor name)."""
    return KhasanParallelEnv(**kwargs)
