"""Settings remembered between sessions, in the user's config folder (platformdirs).

``$KHASAN_UI_CONFIG`` names another folder (tests use it).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from khasan_sim.io import atomic_write_text


def config_dir() -> Path:
    """Return the folder the settings live in."""
    env = os.environ.get("KHASAN_UI_CONFIG")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_config_dir("khasan-sim", appauthor=False))


@dataclass
class Settings:
    """What the front end remembers."""

    width: int = 1280
    height: int = 800
    fullscreen: bool = False
    ui_scale: float = 1.0
    speed: float = 10.0
    fog: bool = False
    show_tanks: bool = True
    last_save: str = ""

    @classmethod
    def load(cls, folder: Path | None = None) -> Settings:
        """Read the settings; a missing or damaged file gives the defaults."""
        path = (folder or config_dir()) / "settings.json"
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls()
        if not isinstance(doc, dict):
            return cls()
        out = cls()
        for f in fields(cls):
            v = doc.get(f.name)
            default = getattr(out, f.name)
            if v is None or isinstance(v, bool) != isinstance(default, bool):
                continue
            try:
                setattr(out, f.name, type(default)(v))
            except (TypeError, ValueError):
                continue
        out.width = min(max(out.width, 960), 7680)
        out.height = min(max(out.height, 600), 4320)
        out.ui_scale = min(max(out.ui_scale, 0.75), 2.0)
        return out

    def save(self, folder: Path | None = None) -> Path | None:
        """Write the settings atomically; return the path (None if the folder is not writable)."""
        path = (folder or config_dir()) / "settings.json"
        try:
            return atomic_write_text(path, json.dumps(asdict(self), indent=1) + "\n")
        except OSError:
            return None
