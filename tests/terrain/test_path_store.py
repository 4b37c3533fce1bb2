"""The path searches kept on disk between processes (terrain/path_store.py)."""

from __future__ import annotations

import os

import numpy as np
import pytest

from khasan_sim.api import Simulation
from khasan_sim.scenario.builtin import historical_scenario
from khasan_sim.scenario.load import load_scenario
from khasan_sim.terrain import path_store, routes


@pytest.fixture
def empty_tables(tmp_path, monkeypatch):
    """A store in a temporary cache folder and this process's path tables emptied (put
    back after: the tables only spare searches)."""
    monkeypatch.setenv("KHASAN_CACHE", str(tmp_path))
    kept = {k: dict(v) for k, v in routes._planner_paths.items()}
    new = {k: list(v) for k, v in routes._new_paths.items()}
    for table in routes._planner_paths.values():
        table.clear()
    routes._new_paths.clear()
    routes.clear_route_memo()  # the routes asked before would spare the searches a run makes
    yield tmp_path
    for key, table in routes._planner_paths.items():
        table.clear()
        table.update(kept.get(key, {}))
    routes._new_paths.clear()
    routes._new_paths.update(new)


def test_a_file_gives_back_the_paths_it_was_written_with(tmp_path):
    paths = {
        "t:bt:-": {((1, 2), (3, 4), False): np.array([[1, 2], [2, 3], [3, 4]], dtype=np.int16),
                   ((5, 5), (5, 5), True): np.array([[5, 5]], dtype=np.int16)},
        "t:foot:m": {((0, 0), (0, 1), False): np.array([[0, 0], [0, 1]], dtype=np.int16)},
    }
    f = tmp_path / "a.npz"
    f.write_bytes(path_store._encode(paths))
    got = path_store._decode(f)
    assert set(got) == set(paths)
    for key, table in paths.items():
        assert set(got[key]) == set(table)
        for k, cells in table.items():
            assert got[key][k].dtype == np.int16 and np.array_equal(got[key][k], cells)


def test_a_damaged_file_is_skipped(tmp_path):
    f = tmp_path / "bad.npz"
    f.write_bytes(b"not an npz at all")
    assert path_store._decode(f) == {}


def test_a_new_process_with_the_store_plays_the_same_run_without_searching_again(empty_tables):
    sc = load_scenario(historical_scenario())
    first = Simulation(sc, seed=12).run_to_end()
    searched = routes.pending_new_paths()
    assert searched > 0
    assert path_store.save_new_paths() == searched
    assert list(path_store.store_dir().glob("*.npz"))
    # a new process: nothing searched in it yet, the store's files not read
    for table in routes._planner_paths.values():
        table.clear()
    routes.clear_route_memo()
    path_store._loaded.clear()
    assert path_store.load_known_paths() == searched
    again = Simulation(sc, seed=12).run_to_end()
    assert again.events_digest == first.events_digest
    assert routes.pending_new_paths() == 0  # every path came from the store


def test_many_files_are_merged_into_one(empty_tables, monkeypatch):
    monkeypatch.setattr(path_store, "MERGE_ABOVE", 3)
    folder = path_store.store_dir()
    for i in range(4):
        routes.add_known_paths("t:bt:-", {((i, 0), (i, 1), False): np.array([[i, 0], [i, 1]], dtype=np.int16)})
        routes._new_paths.setdefault("t:bt:-", []).append(((i, 0), (i, 1), False))
        assert path_store.save_new_paths() == 1
    files = list(folder.glob("*.npz"))
    assert len(files) == 1 and files[0].name.endswith("-merged.npz")
    assert len(path_store._decode(files[0])["t:bt:-"]) == 4


def test_the_stores_of_old_search_code_are_dropped_but_the_newest(empty_tables):
    root = path_store.store_dir().parent
    for i, name in enumerate(("old1", "old2", "old3", "old4")):
        d = root / name
        d.mkdir(parents=True)
        os.utime(d, (1_000_000 + i, 1_000_000 + i))
    routes.add_known_paths("t:bt:-", {((0, 0), (0, 1), False): np.array([[0, 0], [0, 1]], dtype=np.int16)})
    routes._new_paths.setdefault("t:bt:-", []).append(((0, 0), (0, 1), False))
    assert path_store.save_new_paths() == 1
    assert sorted(d.name for d in root.iterdir()) == sorted([path_store.store_version(), "old3", "old4"])


def test_a_full_table_lets_its_oldest_quarter_go_not_everything(empty_tables, monkeypatch):
    monkeypatch.setattr(routes, "PATHS_KEPT", 8)
    sc = load_scenario(historical_scenario())
    planner = routes._planner(sc.terrain, "foot", None)
    table = planner._paths
    table.clear()
    for i in range(8):
        table[((i, 0), (i, 1), False)] = np.array([[i, 0], [i, 1]], dtype=np.int16)
    planner.path_cells((100, 100), (101, 101))
    assert len(table) == 7 and ((0, 0), (0, 1), False) not in table and ((7, 0), (7, 1), False) in table
