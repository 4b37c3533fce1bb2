"""Where the packaged data (``scenarios/``, ``assets/``) lives, and where caches go."""

from __future__ import annotations

import os
from pathlib import Path


def data_root() -> Path:
    """Return the folder holding ``scenarios/`` and ``assets/``.

    In a source checkout or an editable install that is the repository root; in an
    installed wheel the two folders are carried inside the package as ``_data/``.
    """
    here = Path(__file__).resolve().parent.parent
    packaged = here / "_data"
    if (packaged / "scenarios").is_dir():
        return packaged
    return here.parent


def cache_dir() -> Path:
    """Return (and create) the cache folder: ``$KHASAN_CACHE`` or the user cache dir."""
    env = os.environ.get("KHASAN_CACHE")
    if env:
        p = Path(env)
    else:
        try:
            from platformdirs import user_cache_dir

            p = Path(user_cache_dir("khasan-sim"))
        except ImportError:  # pragma: no cover
            p = Path.home() / ".cache" / "khasan-sim"
    p.mkdir(parents=True, exist_ok=True)
    return p


def display_path(path: str | os.PathLike[str]) -> str:
    """Return *path* as messages show it: relative to the working folder when inside it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # pragma: no cover - another drive on Windows
        return str(path)
    return str(path) if rel.startswith("..") else rel
