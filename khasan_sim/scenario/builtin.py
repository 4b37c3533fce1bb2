"""Where the packaged scenarios/ and assets/ live, and where caches go."""

from __future__ import annotations

import os
from pathlib import Path

from khasan_sim.boundary.paths import cache_dir, data_root

__all__ = ["cache_dir", "data_root", "historical_scenario", "record_path", "resolve"]


def resolve(path: str | os.PathLike[str], relative_to: Path | None = None) -> Path:
    """Resolve a data path: absolute, relative to *relative_to*, the cwd, or the data root."""
    p = Path(path)
    if p.is_absolute():
        return p
    candidates = []
    if relative_to is not None:
        candidates.append(relative_to / p)
    candidates += [Path.cwd() / p, data_root() / p]
    for c in candidates:
        if c.exists():
            return c.resolve()
    return candidates[0]


def historical_scenario() -> Path:
    """Return the path of the built-in historical scenario."""
    return data_root() / "scenarios" / "khasan_1938" / "historical.yaml"


def record_path() -> Path | None:
    """Return the recorded outcomes file (../shared/record/khasan-1938.yaml), or None.

    ``$KHASAN_RECORD`` first; then the shared record beside the repository
    (``../shared/record``), which is the authority; then the verbatim copy shipped with
    the package (``scenarios/record/``, checked byte for byte against the shared one by
    the tests), so an installed copy can compare with the record anywhere.
    """
    env = os.environ.get("KHASAN_RECORD")
    if env:
        return Path(env)
    for base in (data_root(), Path.cwd()):
        for up in (base, *base.parents[:3]):
            cand = up / "shared" / "record" / "khasan-1938.yaml"
            if cand.is_file():
                return cand
            cand = up.parent / "shared" / "record" / "khasan-1938.yaml"
            if cand.is_file():
                return cand
    shipped = data_root() / "scenarios" / "record" / "khasan-1938.yaml"
    return shipped if shipped.is_file() else None
