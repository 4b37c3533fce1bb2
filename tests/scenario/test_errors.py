"""The loader's error corpus: every broken file fails with one clear line.

Each file in ``tests/data/broken`` starts with three comment lines::

    # expect: <fragment of the message>
    # path: <the path the error must name, empty for whole-file errors>
    # line: <the 1-based line the error must name>

The error must be a ScenarioError whose message is one line naming the file itself
(a variant's own errors name the variant, not its base), the line and the path.
"""

from __future__ import annotations

import importlib.util
from io import StringIO
from pathlib import Path

import pytest
from rich.console import Console

from khasan_sim.cli import main as cli_main
from khasan_sim.errors import ScenarioError
from khasan_sim.scenario.load import load_document, load_scenario

ROOT = Path(__file__).resolve().parents[2]
BROKEN = ROOT / "tests" / "data" / "broken"
FILES = sorted(BROKEN.glob("*.yaml"))


def _header(path: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines()[:3]:
        assert line.startswith("# "), f"{path.name}: header line {line!r} must start with '# '"
        key, _, value = line[2:].partition(":")
        out[key.strip()] = value.strip()
    assert {"expect", "path", "line"} <= set(out), f"{path.name}: needs # expect:, # path: and # line:"
    return out


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def test_corpus_is_large_enough() -> None:
    """The corpus covers at least 15 distinct broken files."""
    assert len(FILES) >= 15


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_broken_file_fails_with_one_line(path: Path) -> None:
    """Loading fails with a one-line ScenarioError naming the file, line and path."""
    want = _header(path)
    name = _rel(path)
    with pytest.raises(ScenarioError) as info:
        load_scenario(name, with_terrain=False)
    err = info.value
    text = str(err)
    assert "\n" not in text, text
    assert want["expect"] in text, text
    assert err.file == name, text
    assert err.line == int(want["line"]), text
    assert err.path == want["path"], text
    assert text.startswith(f"{name}:{want['line']}: "), text


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_load_document_reports_the_same_error(path: Path) -> None:
    """Validation alone stops at the same error, unless the error needs the map or params."""
    want = _header(path)
    if "off the map" in want["expect"] or "unknown tank model" in want["expect"] or "unknown weapon" in want["expect"]:
        load_document(_rel(path))  # these need the map extent or the parameters
        return
    with pytest.raises(ScenarioError, match=None) as info:
        load_document(_rel(path))
    assert want["expect"] in str(info.value)


def _others_missing() -> bool:
    return any(
        importlib.util.find_spec(f"khasan_sim.cli.cmd_{name}") is None
        for name in cli_main.COMMANDS
        if name != "scenario"
    )


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_cli_check_exits_2_without_traceback(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`khasan-sim scenario check FILE` prints the one-line error and returns 2."""
    if _others_missing():  # other commands are written in parallel; test ours alone meanwhile
        monkeypatch.setattr(cli_main, "COMMANDS", ("scenario",))
    want = _header(path)
    buf = StringIO()
    status = cli_main.main(["scenario", "check", _rel(path)], console=Console(file=buf, width=200))
    out = buf.getvalue()
    assert status == 2, out
    assert "Traceback" not in out
    assert want["expect"] in out, out
    assert out.strip().count("\n") == 0, out
