"""The game window's save and load (a save's orders are played again in the background).

A mixin of :class:`~khasan_sim.ui.app.App`.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from khasan_sim.ui.session import GameSession


def _reattach_exercise(session: GameSession, name: str) -> None:
    """Mark a loaded save as a game of exercise *name* again (a save of an exercise no longer in the pack stays a plain game)."""
    from khasan_sim.errors import ScenarioError
    from khasan_sim.exercises.play import exercise_setup
    from khasan_sim.ui.exercises import attach_exercise

    try:
        attach_exercise(session, exercise_setup(name)[0])
    except ScenarioError:
        return



class SavesMixin:
    """Save and load for :class:`~khasan_sim.ui.app.App`."""

    # ------------------------------------------------------------------ save/load

    def _default_save_dir(self) -> Path:
        if self.save_dir is not None:
            return self.save_dir
        import platformdirs

        return Path(platformdirs.user_data_dir("khasan-sim", appauthor=False)) / "saves"

    def save(self, path: Path | None = None) -> Path | None:
        """Save the game (between runs)."""
        from khasan_sim.ui.saves import write_save

        if self.session.busy:
            self.say("Saving waits for the end of the turn")
            return None
        path = path or self._default_save_dir() / "quicksave.json"
        try:
            out = write_save(self.session, path)
        except OSError as exc:
            self.say(f"Could not save: {exc}", 8)
            return None
        self.settings.last_save = str(out)
        self._store_settings()
        self.say(f"Saved {self.session.sim.now:%d %b %H:%M} to {out}", 5)
        return out

    def load(self, path: Path | None = None) -> None:
        """Load a save: its orders are played again in the background."""
        from khasan_sim.errors import SaveFileError
        from khasan_sim.ui.saves import read_save, restore

        path = path or (Path(self.settings.last_save) if self.settings.last_save else self._default_save_dir() / "quicksave.json")
        try:
            sv = read_save(path)
        except SaveFileError as exc:
            self.say(f"Cannot load: {exc}. The game goes on.", 10)
            return
        if self.session.busy:
            self.session.stop()
        in_process = self.session.in_process

        def factory(*args: Any, **kwargs: Any) -> GameSession:
            return GameSession(*args, process=in_process, **kwargs)

        def work() -> None:
            try:
                session = restore(sv, where=str(path), session_factory=factory)
                name = sv.settings.get("exercise") if isinstance(sv.settings, dict) else None
                if name:
                    _reattach_exercise(session, str(name))
                self.loaded = session
            except SaveFileError as exc:
                self.loaded = exc
            except Exception as exc:
                self.loaded = SaveFileError(f"{path}: {exc}")

        self.loaded = None
        self.loading = threading.Thread(target=work, daemon=True)
        self.loading.start()
        self.say(f"Loading {path} ...", 30)

    def _finish_loading(self) -> None:
        from khasan_sim.errors import SaveFileError

        if self.loading is None or self.loading.is_alive():
            return
        self.loading = None
        res = self.loaded
        self.loaded = None
        if isinstance(res, SaveFileError) or res is None:
            self.say(f"Cannot load: {res}. The game goes on.", 10)
            return
        old, self.session = self.session, res
        old.close()
        self._setup(res)
        self.say(f"Ready: {res.sim.now:%d %b %Y %H:%M}" + (f", exercise {res.exercise}" if getattr(res, "exercise", None) else ""), 5)

    def _store_settings(self) -> None:
        if self.remember:
            self.settings.save()
