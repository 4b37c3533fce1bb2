"""Tables written to a pipe or a file are not folded to 80 columns."""

from __future__ import annotations

import io

from khasan_sim.cli.main import PIPED_WIDTH, _piped_width


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_piped_output_gets_a_wide_table(monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)
    assert _piped_width(io.StringIO()) == PIPED_WIDTH


def test_a_terminal_or_columns_keeps_its_own_width(monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)
    assert _piped_width(_Tty()) is None
    monkeypatch.setenv("COLUMNS", "100")
    assert _piped_width(io.StringIO()) is None
