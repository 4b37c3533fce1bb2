"""The path searches kept on disk, so that a new process starts with those of earlier ones.

A route's cells come from an A* search over the cost raster (terrain/pathfind.py), a pure
function of the planner (the terrain's route layers, the mobility class, the forbidden
mask), the two end cells and whether the leg keeps to its axis. terrain/routes.py keeps
the paths it searched, per process; a batch worker searches some 25 new ones a run after
20 runs (a twelfth of the run's time) and fewer as it goes on, but every new process (a
study's workers, ``khasan-sim run``, the game's futures) starts with none. This module
keeps them in the cache folder (``$KHASAN_CACHE/paths/<version>/``) between processes:

* :func:`load_known_paths` reads every file there once a process and hands the paths to
  routes.py (those of planners never used here are kept for when one is);
* :func:`save_new_paths` writes the paths searched here since the last save as a new
  file, written atomically (a temporary file, then a rename), so processes never write
  the same file; when the folder holds many files the saver merges them into one.

The folder's name is a digest of the search's code (terrain/pathfind.py and
terrain/routes.py as they are now): a change to either starts a new store, so a stored
path is always the one the search would give. Same event logs with and without it
(tested). A damaged or foreign file is skipped; a read-only cache costs only the searches.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import json
import os
import threading
import time
from pathlib import Path

import numpy as np

from khasan_sim.terrain import routes

MERGE_ABOVE = 32
"""Files in the store above which a save merges them into one."""

KEEP_PER_PLANNER = routes.PATHS_KEPT * 3 // 4
"""Most paths a merged file keeps for one planner (the newest files' first): room left in
a process's table for its own searches."""

_lock = threading.Lock()
_loaded: set[str] = set()  # the store's files read by this process
_last_save = 0.0  # time.monotonic() of this process's last save


@functools.cache
def store_version() -> str:
    """Return the digest of the search's code that names the store's folder (read once a
    process: the code does not change under a running process)."""
    h = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for name in ("pathfind.py", "routes.py"):
        h.update((here / name).read_bytes())
    return h.hexdigest()[:16]


def store_dir() -> Path:
    """Return the store's folder (not created)."""
    from khasan_sim.boundary.paths import cache_dir

    return cache_dir() / "paths" / store_version()


def _encode(paths: dict[str, dict[tuple[tuple[int, int], tuple[int, int], bool], np.ndarray]]) -> bytes:
    """Return the bytes of an .npz holding *paths* (by planner key)."""
    arrays: dict[str, np.ndarray] = {}
    keys = sorted(paths)
    for i, key in enumerate(keys):
        items = sorted(paths[key].items())
        ends = np.array([[a[0], a[1], b[0], b[1], int(axis)] for (a, b, axis), _ in items], dtype=np.int32).reshape(-1, 5)
        sizes = np.array([len(c) for _, c in items], dtype=np.int64)
        arrays[f"ends{i}"] = ends
        arrays[f"offsets{i}"] = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
        arrays[f"cells{i}"] = (np.concatenate([c for _, c in items]) if items else np.zeros((0, 2))).astype(np.int16)
    arrays["planners"] = np.frombuffer(json.dumps(keys).encode(), dtype=np.uint8)
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def _decode(path: Path) -> dict[str, dict[tuple[tuple[int, int], tuple[int, int], bool], np.ndarray]]:
    """Return the paths of a store file by planner key ({} for a damaged or foreign one)."""
    try:
        with np.load(path, allow_pickle=False) as z:
            keys = json.loads(z["planners"].tobytes().decode())
            out = {}
            for i, key in enumerate(keys):
                ends, offsets, cells = z[f"ends{i}"], z[f"offsets{i}"], z[f"cells{i}"]
                if cells.dtype != np.int16 or cells.ndim != 2 or cells.shape[1] != 2 or len(offsets) != len(ends) + 1:
                    return {}
                table = {}
                for (r0, c0, r1, c1, axis), a, b in zip(ends.tolist(), offsets[:-1].tolist(), offsets[1:].tolist(), strict=True):
                    table[((r0, c0), (r1, c1), bool(axis))] = cells[a:b].copy()
                out[str(key)] = table
            return out
    except (OSError, ValueError, KeyError, EOFError, json.JSONDecodeError, UnicodeDecodeError):
        return {}


def load_known_paths() -> int:
    """Read the store's files not read yet by this process into routes.py's tables;
    return the paths added."""
    with _lock:
        folder = store_dir()
        try:
            files = sorted(folder.glob("*.npz"))
        except OSError:
            return 0
        added = 0
        for f in files:
            if f.name in _loaded:
                continue
            _loaded.add(f.name)
            for key, table in _decode(f).items():
                added += routes.add_known_paths(key, table)
        return added


def save_new_paths(min_new: int = 1, min_interval_s: float = 0.0) -> int:
    """Write the paths searched in this process since the last save as a new store file,
    if there are at least *min_new* and *min_interval_s* seconds have passed since the
    last save (else keep them for the next); return how many were written. Merges the
    store's files into one when there are more than :data:`MERGE_ABOVE`."""
    from khasan_sim.io import atomic_write_bytes

    global _last_save
    with _lock:
        if time.monotonic() - _last_save < min_interval_s:
            return 0
        pending = routes.pending_new_paths()
        if pending < max(min_new, 1):
            return 0
        new = routes.take_new_paths()
        n = sum(len(t) for t in new.values())
        if not n:
            return 0
        folder = store_dir()
        name = f"{time.time_ns():x}-{os.getpid()}.npz"
        try:
            atomic_write_bytes(folder / name, _encode(new))
        except OSError:
            return 0  # a read-only cache: the searches are made again next time
        _loaded.add(name)
        _last_save = time.monotonic()
        with contextlib.suppress(OSError):
            _merge(folder)
            _drop_old_versions(folder)
        return n


def _drop_old_versions(folder: Path, keep: int = 3) -> None:
    """Remove the stores of the search's older code but the *keep* newest (by the time
    they were last written): a store of code no longer run is never read again."""
    import shutil

    others = sorted((d for d in folder.parent.iterdir() if d.is_dir() and d != folder), key=lambda d: d.stat().st_mtime, reverse=True)
    for d in others[max(keep - 1, 0):]:
        shutil.rmtree(d, ignore_errors=True)


def _merge(folder: Path) -> None:
    """Merge the store's files into one when there are more than MERGE_ABOVE (the newest
    first, at most KEEP_PER_PLANNER paths a planner); remove those merged."""
    from khasan_sim.io import atomic_write_bytes

    files = sorted(folder.glob("*.npz"), reverse=True)
    if len(files) <= MERGE_ABOVE:
        return
    merged: dict[str, dict[tuple[tuple[int, int], tuple[int, int], bool], np.ndarray]] = {}
    for f in files:
        for key, table in _decode(f).items():
            into = merged.setdefault(key, {})
            for k, cells in table.items():
                if len(into) < KEEP_PER_PLANNER:
                    into.setdefault(k, cells)
    name = f"{time.time_ns():x}-{os.getpid()}-merged.npz"
    atomic_write_bytes(folder / name, _encode(merged))
    _loaded.add(name)
    for f in files:
        with contextlib.suppress(OSError):
            f.unlink()
