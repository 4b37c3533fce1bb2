"""The import rules of the architecture: the core stays pure, the UI stays outside it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "khasan_sim"

FORBIDDEN = {
    "model": {"simpy", "pygame", "pygame_gui", "yaml", "pydantic", "rich", "sqlite3", "dask", "random", "khasan_sim.engine", "khasan_sim.scenario", "khasan_sim.api", "khasan_sim.cli", "khasan_sim.ui"},
    "terrain": {"simpy", "pygame", "pygame_gui", "rich", "sqlite3", "dask", "random", "khasan_sim.engine", "khasan_sim.api", "khasan_sim.cli", "khasan_sim.ui", "khasan_sim.scenario"},
    # the file boundary sits below every reader of the user's files
    "boundary": {"simpy", "pygame", "pygame_gui", "rich", "sqlite3", "dask", "random", "khasan_sim.engine", "khasan_sim.api", "khasan_sim.cli", "khasan_sim.ui", "khasan_sim.scenario", "khasan_sim.terrain", "khasan_sim.runner"},
    "saves.py": {"pygame", "pygame_gui", "khasan_sim.ui", "khasan_sim.cli"},
    "runner": {"pygame", "pygame_gui", "khasan_sim.ui", "khasan_sim.cli"},
    "engine": {"pygame", "pygame_gui", "yaml", "rich", "random", "khasan_sim.ui", "khasan_sim.cli", "khasan_sim.runner"},
    "api.py": {"pygame", "pygame_gui", "random", "khasan_sim.ui", "khasan_sim.cli", "khasan_sim.runner"},
    "render": {"pygame", "pygame_gui", "random", "khasan_sim.ui"},
}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
    return out


CASES = [
    (f, banned)
    for part, banned in FORBIDDEN.items()
    for f in ([PKG / part] if part.endswith(".py") else sorted((PKG / part).rglob("*.py")))
    if f.exists()
]


@pytest.mark.parametrize(("path", "banned"), CASES, ids=[str(c[0].relative_to(PKG)) for c in CASES])
def test_layer_imports(path, banned):
    for name in imports_of(path):
        for b in banned:
            assert not (name == b or name.startswith(b + ".")), f"{path.relative_to(PKG.parent)} imports {name}: that layer must stay free of {b}"


def test_engine_systems_do_not_shadow_each_other():
    """Engine inherits one mixin per mechanism (engine/systems/): a name defined twice would
    silently pick one of them by the inheritance order, so each is defined once."""
    where: dict[str, str] = {}
    for path in [PKG / "engine" / "kernel.py", *sorted((PKG / "engine" / "systems").glob("*.py"))]:
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ClassDef) and (node.name == "Engine" or node.name.endswith("System")):
                for item in node.body:
                    if isinstance(item, ast.FunctionDef):
                        here = f"{path.name}:{node.name}"
                        assert item.name not in where, f"{item.name} is defined in {where[item.name]} and {here}"
                        where[item.name] = here


# Everything but the front end and the command line sits below the front end: nothing there
# imports it (the classroom report replays saves with khasan_sim.saves.replay, not the UI).
BELOW_UI = sorted(
    f
    for f in PKG.rglob("*.py")
    if f.relative_to(PKG).parts[0] not in ("ui", "cli") and f.name not in ("__main__.py", "main.py")
)


@pytest.mark.parametrize("path", BELOW_UI, ids=[str(f.relative_to(PKG)) for f in BELOW_UI])
def test_nothing_below_the_front_end_imports_it(path):
    for name in imports_of(path):
        assert not (name == "khasan_sim.ui" or name.startswith("khasan_sim.ui.")), f"{path.relative_to(PKG.parent)} imports {name}"
