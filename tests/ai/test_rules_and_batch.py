"""The AI's rules file at the boundary, the pairing in a study, and the AI's place in the architecture."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from khasan_sim.ai.rules import default_rules_path, load_rules
from khasan_sim.errors import ScenarioError
from khasan_sim.runner.replication import Replications

PKG = Path(__file__).resolve().parents[2] / "khasan_sim"


def test_every_rule_has_a_unit_and_a_reason():
    for side in ("soviet", "japanese"):
        for level in ("easy", "normal", "hard"):
            r = load_rules(side, level)
            assert r.lv("sight_share") > 0
    params = load_rules("soviet").params
    for key in params:
        p = params.param(key)
        assert p.unit and (p.source or p.reason), key


def test_a_bad_rules_file_is_refused_with_its_file_line_and_key(tmp_path):
    text = default_rules_path().read_text(encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("assault_superiority: {value: 3.0, unit: ratio,", "assault_superiority: {value: 3.0,"), encoding="utf-8")
    with pytest.raises(ScenarioError) as exc:
        load_rules("soviet", "normal", bad)
    assert "bad.yaml:" in str(exc.value) and "assault_superiority" in str(exc.value)
    missing = tmp_path / "missing.yaml"
    missing.write_text(text.replace("    memory_turns: {value: 0, unit: turns", "    memory_days: {value: 0, unit: turns"), encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"levels\.easy\.memory_turns"):
        load_rules("soviet", "easy", missing)


def test_a_study_replication_runs_its_pairing(tiny):
    """A worker's replications carry the pairing; the run's variant id records it."""
    from khasan_sim.ai.driver import with_pairing

    paired = with_pairing(tiny, {"soviet": "normal"})
    src = Replications(str(tiny.path), None, (), paired.digest, commanders={"soviet": "normal"})
    assert src.cache_key != Replications(str(tiny.path), None, (), tiny.digest).cache_key
    run = json.loads(src.run(5))
    assert run["variant"] == "base+soviet=ai-normal"
    wrong = Replications(str(tiny.path), None, (), tiny.digest, commanders={"soviet": "normal"})
    with pytest.raises(Exception, match="digest"):
        wrong.prepare()


def _imports(path: Path) -> set[str]:
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
    return out


@pytest.mark.parametrize("part", ["engine", "model", "terrain"])
def test_the_core_imports_neither_the_ai_nor_the_agents(part):
    for f in sorted((PKG / part).rglob("*.py")):
        bad = {m for m in _imports(f) if m.split(".")[:2] in (["khasan_sim", "ai"], ["khasan_sim", "agents"])}
        assert not bad, f"{f.relative_to(PKG)} imports {bad}"


@pytest.mark.parametrize("part", ["ai", "agents"])
def test_the_ai_and_the_agents_stay_off_the_front_end_and_yaml(part):
    for f in sorted((PKG / part).rglob("*.py")):
        bad = {m for m in _imports(f) if m.split(".")[0] in ("pygame", "pygame_gui", "yaml", "random") or m.startswith(("khasan_sim.ui", "khasan_sim.cli"))}
        assert not bad, f"{f.relative_to(PKG)} imports {bad}"


def test_the_variant_gives_the_soviet_side_to_the_ai(historical):
    """The shipped variant and Simulation(commanders=...) are the same run."""
    from khasan_sim.api import Simulation
    from khasan_sim.scenario.load import load_scenario

    root = Path(__file__).resolve().parents[2] / "scenarios" / "khasan_1938"
    variant = load_scenario(root / "historical.yaml", root / "variants" / "soviet-commander-ai.yaml")
    a = Simulation(variant, 6)
    b = Simulation(historical, 6, commanders={"soviet": "normal"})
    assert a.command_post is not None and set(a.command_post.commanders) == {"soviet"}
    a.advance_to("1938-08-06T21:00")
    b.advance_to("1938-08-06T21:00")
    assert a.events_digest() == b.events_digest()


def test_a_game_against_the_ai_saves_and_loads(tmp_path):
    """The save records the opponent, not its orders; loading replays the same run (its digest is checked)."""
    from khasan_sim.saves import read_save, replay
    from khasan_sim.ui.saves import restore, write_save
    from khasan_sim.ui.session import GameSession

    root = Path(__file__).resolve().parents[2]
    scenario = root / "scenarios" / "khasan_1938" / "historical.yaml"
    game = GameSession(scenario, 4, player_sides=("japanese",), commanders={"soviet": "normal"})
    game.run_blocking(game.next_boundary())
    game.sim.give({"kind": "dig_in", "unit": "j-75ir-3bn"})
    game.run_blocking(game.next_boundary())
    game.run_blocking(game.next_boundary())
    path = write_save(game, tmp_path / "vs-ai.json")
    save = read_save(path)
    assert save.settings["commanders"] == {"soviet": "normal"}
    assert [o["order"]["unit"] for o in save.orders] == ["j-75ir-3bn"]
    again = restore(save)
    assert again.commanders == {"soviet": "normal"}
    assert again.sim.events_digest() == game.sim.events_digest()
    assert replay(save).events_digest() == game.sim.events_digest()


def test_a_save_with_a_bad_opponent_is_refused_with_a_reason(tmp_path):
    from khasan_sim.errors import SaveFileError
    from khasan_sim.saves import SaveGame, replay

    root = Path(__file__).resolve().parents[2]
    save = SaveGame(
        scenario=str(root / "scenarios" / "khasan_1938" / "historical.yaml"), seed=1, variant=None, player_sides=["japanese"],
        now_min=0.0, orders=[], pending=[], events_digest="", label="", settings={"commanders": {"soviet": "expert"}}, followers=None,
    )
    with pytest.raises(SaveFileError, match="commanders"):
        replay(save)
