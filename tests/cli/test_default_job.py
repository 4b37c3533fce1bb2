"""Plain `khasan-sim`: the game on a desktop, the headless run of the historical scenario elsewhere."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from khasan_sim.cli import main as cli


@pytest.mark.parametrize(("display", "expected"), [(False, "run"), (True, "play")])
def test_plain_command_picks_the_job_by_display(monkeypatch, display, expected):
    calls = []
    import khasan_sim.cli.cmd_play as cmd_play
    import khasan_sim.cli.cmd_run as cmd_run

    monkeypatch.setattr(cmd_run, "run", lambda args, console: calls.append(("run", args.scenario, args.seed)) or 0)
    monkeypatch.setattr(cmd_play, "run", lambda args, console: calls.append(("play", args.scenario, None)) or 0)
    monkeypatch.setattr(cli, "display_available", lambda: display)
    out = Console(file=io.StringIO(), width=100)
    assert cli.main([], console=out) == 0
    assert len(calls) == 1 and calls[0][0] == expected
    assert calls[0][1].endswith("historical.yaml")
    if expected == "run":
        assert calls[0][2] == 1
        assert "No display here" in out.file.getvalue()


def test_commands_flag_lists_the_commands(capsys):
    out = Console(file=io.StringIO(), width=100)
    assert cli.main(["--commands"], console=out) == 0
    listed = capsys.readouterr().out
    assert all(name in listed for name in cli.COMMANDS)


def test_no_display_under_the_dummy_driver(monkeypatch):
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    assert cli.display_available() is False
