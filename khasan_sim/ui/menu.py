"""The game's menu: classroom exercises without the command line.

Pages:

* ``list``: the exercises of the pack; pick one;
* ``exercise``: its question, its studies (found, or run a small one in the background
  with a progress bar), and the buttons: play it, this game among its runs, a class's
  saves among its runs;
* ``placement``: where this game falls in its study's distributions (each metric: the
  game's value, the study's median and 90% interval as a strip of its runs, the place);
* ``class``: each save of a class folder, placed.

The slow parts run as :class:`~khasan_sim.ui.jobs.Job` processes; the menu only draws.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pygame

from khasan_sim.ui import theme
from khasan_sim.ui.exercises import (
    SMALL_STUDY_RUNS,
    ExerciseEntry,
    StudiesFound,
    find_studies,
    game_studies_dir,
    pack_entries,
    short_path,
)
from khasan_sim.ui.jobs import Job, class_results, placement, small_study


class Menu:
    """The menu overlay of an :class:`~khasan_sim.ui.app.App`.

    :meth:`handle` returns what the App must do for a click (``("play", id)``,
    ``("pick_folder", None)``, ``("compare", None)``, ``("close", None)``) or None.
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self.page = "list"
        self.entries: list[ExerciseEntry] | None = None
        self.current: ExerciseEntry | None = None
        self.found: StudiesFound | None = None
        self.study_job: Job | None = None
        self.place_job: Job | None = None
        self.class_job: Job | None = None
        self.placed: Any = None
        self.classed: Any = None
        self.message = ""
        self.buttons: list[tuple[pygame.Rect, str, Any]] = []

    # ------------------------------------------------------------------ state

    def _exercise(self, entry: ExerciseEntry) -> Any:
        from khasan_sim.exercises.format import load_exercise

        return load_exercise(entry.path, check_variants=False)

    def open(self, page: str | None = None) -> None:
        """Open the menu: the page asked for, else the current game's exercise, else the list."""
        if self.entries is None:
            self.entries = pack_entries()
        ex_id = self.game_exercise
        if ex_id and self.current is None:
            self.current = next((e for e in self.entries if e.id == ex_id), None)
        if page == "placement":
            self.show_placement()
            return
        self.page = page or ("exercise" if self.current is not None else "list")
        if self.page == "exercise":
            self.select(self.current)

    @property
    def game_exercise(self) -> str | None:
        """Return the id of the exercise the game plays, or None."""
        return getattr(self.app.session, "exercise", None)

    def select(self, entry: ExerciseEntry | None) -> None:
        """Show an exercise's page (its studies looked up again)."""
        if entry is None:
            self.page = "list"
            return
        if self.current is None or entry.id != self.current.id:
            self.placed = self.classed = None
        self.current = entry
        self.page = "exercise"
        self.found = find_studies(self._exercise(entry))

    def run_small_study(self) -> None:
        """Run the variant's and the baseline's studies in the background (into the game's own folder)."""
        if self.current is None or (self.study_job is not None and not self.study_job.finished):
            return
        out = game_studies_dir(self.current.id)
        self.study_job = Job.start(f"a small study of {self.current.id}", small_study, str(self.current.path), str(out), SMALL_STUDY_RUNS)
        self.message = f"Running {SMALL_STUDY_RUNS} runs of each study in the background: play on meanwhile."

    def show_placement(self) -> None:
        """Work out where this game falls (in the background) and show it."""
        self.page = "placement"
        ex_id = self.game_exercise
        if ex_id is None or self.entries is None:
            self.message = "This game is not an exercise: pick one in the menu and play it."
            return
        entry = next((e for e in self.entries if e.id == ex_id), None)
        if entry is None:
            self.message = f"Exercise {ex_id} is not in the pack."
            return
        self.current = entry
        self.found = find_studies(self._exercise(entry))
        self.placed = None
        if not self.found.usable:
            self.message = "No studies of this exercise yet: run a small one (below), then look again."
            return
        s = self.app.session
        if s.busy:
            self.message = "Wait for the turn to end, then look again."
            return
        result = s.sim.result().to_json()
        self.place_job = Job.start("placing this game", placement, str(entry.path), str(self.found.folder), result, s.variant_path, bool(s.sim.finished))
        self.message = "Reading the studies ..."

    def pick_class(self, folder: Path) -> None:
        """Play out and place a class folder's saves in the background."""
        if self.current is None:
            return
        if not folder.is_dir():
            self.message = f"{folder}: not a folder (pick the folder that holds the students' save files)"
            return
        self.found = find_studies(self._exercise(self.current))
        if not self.found.usable:
            self.message = "No studies of this exercise yet: run a small one first, then pick the class folder again."
            self.page = "exercise"
            return
        self.page = "class"
        self.classed = None
        self.class_job = Job.start(f"the class in {folder}", class_results, str(self.current.path), str(folder), str(self.found.folder))
        self.message = f"Replaying the games in {folder} to the ceasefire ..."

    @staticmethod
    def _just_done(job: Job | None) -> bool:
        """Take in a job's news; return True once, when it has finished."""
        if job is None or job.taken:
            return False
        job.poll()
        if job.finished:
            job.taken = True
            return True
        return False

    def poll(self) -> None:
        """Take in the background jobs' news."""
        job = self.study_job
        if self._just_done(job):
            if job.error is None and self.current is not None:
                self.found = find_studies(self._exercise(self.current))
                self.message = f"Studies ready: {', '.join(f'{k} {n} runs' for k, n in self.found.runs.items())}."
                if self.page == "placement":
                    self.show_placement()
            elif job.error is not None and str(job.error) != "cancelled":
                self.message = f"The study stopped: {job.error}"
        job = self.place_job
        if self._just_done(job):
            self.placed = job.result
            self.message = "" if job.error is None else f"Cannot place this game: {job.error}"
        job = self.class_job
        if self._just_done(job):
            self.classed = job.result
            self.message = f"Class report written to {job.result.report}" if job.error is None else f"Cannot place the class: {job.error}"

    def close(self) -> None:
        """End the background jobs (the window is closing)."""
        for job in (self.study_job, self.place_job, self.class_job):
            if job is not None:
                job.cancel()

    # ------------------------------------------------------------------ input

    def handle(self, ev: pygame.event.Event) -> tuple[str, Any] | None:
        """Handle a click or key on the menu."""
        if ev.type == pygame.KEYDOWN and ev.key == pygame.K_ESCAPE:
            if self.page in ("placement", "class") and self.current is not None:
                self.page = "exercise"
                return None
            if self.page == "exercise":
                self.page = "list"
                return None
            return ("close", None)
        if ev.type != pygame.MOUSEBUTTONDOWN or ev.button != 1:
            return None
        for rect, action, arg in self.buttons:
            if rect.collidepoint(ev.pos):
                return self.act(action, arg)
        return None

    def act(self, action: str, arg: Any = None) -> tuple[str, Any] | None:
        """Do a button's action (the App does those it returns)."""
        if action == "exercise":
            self.select(arg)
        elif action == "back":
            self.page = "list" if self.page == "exercise" else "exercise"
        elif action == "study":
            self.run_small_study()
        elif action == "cancel-study" and self.study_job is not None:
            self.study_job.cancel()
            self.message = "Study stopped: the runs done are kept, and a new start goes on from them."
        elif action == "placement":
            self.show_placement()
        else:
            return (action, arg)
        return None

    # ------------------------------------------------------------------ drawing

    def _button(self, rect: pygame.Rect, label: str, action: str, arg: Any = None, enabled: bool = True) -> None:
        scr = self.app.screen
        hover = enabled and rect.collidepoint(pygame.mouse.get_pos())
        pygame.draw.rect(scr, (85, 96, 63) if hover else (60, 67, 52) if enabled else (42, 46, 38), rect, border_radius=3)
        pygame.draw.rect(scr, (200, 180, 90) if hover else (107, 116, 86), rect, 1, border_radius=3)
        img = theme.text(label, self.app.fs(13), theme.PANEL_FG if enabled else (122, 122, 106), bold=True)
        scr.blit(img, (rect.x + (rect.w - img.get_width()) // 2, rect.y + (rect.h - img.get_height()) // 2))
        if enabled:
            self.buttons.append((rect, action, arg))

    def draw(self) -> None:
        """Draw the current page."""
        self.buttons = []
        app = self.app
        px, fs = app.px, app.fs
        box = app._overlay_box(px(1100), app.screen.get_height(), 245)
        self.box = box
        left, y = box.x + px(24), box.y + px(16)
        title = {"list": "Classroom exercises", "exercise": "", "placement": "This game among the exercise's runs", "class": "The class among the exercise's runs"}[self.page]
        if self.page == "exercise" and self.current is not None:
            title = self.current.title
        app.screen.blit(theme.text(title, fs(22), theme.ACCENT, bold=True), (left, y))
        y += round(fs(22) * 1.8)
        getattr(self, f"_draw_{self.page}")(box, left, y)
        bottom = box.bottom - px(46)
        if self.message:
            for line in theme.wrap(self.message, fs(13), box.w - px(300))[:2]:
                app.screen.blit(theme.text(line, fs(13), theme.ACCENT), (left, bottom - px(4)))
                bottom += round(fs(13) * 1.4)
        bh = px(32)
        self._button(pygame.Rect(box.right - px(24) - px(120), box.bottom - px(16) - bh, px(120), bh), "Close (Esc)" if self.page == "list" else "Back (Esc)",
                     "close" if self.page == "list" else "back")

    def _draw_list(self, box: pygame.Rect, left: int, y: int) -> None:
        app = self.app
        px, fs = app.px, app.fs
        app.screen.blit(theme.text("Pick an exercise: read its briefing, play it, then see where your game falls among the model's runs.", fs(14), theme.PANEL_FG), (left, y))
        y += round(fs(14) * 2.0)
        row = px(44)
        for e in self.entries or []:
            if y > box.bottom - px(70) - row:
                break
            r = pygame.Rect(left, y, box.w - px(48), row - px(6))
            self._button(r, "", "exercise", e)
            side = {"both": "both sides (hot seat)", "none": "watch"}.get(e.side, e.side)
            app.screen.blit(theme.text(e.title, fs(14), (255, 255, 240), bold=True), (r.x + px(12), r.y + px(3)))
            what = "; ".join(e.variants) or "your own orders"
            app.screen.blit(theme.text(f"{e.id}  ·  play as {side}  ·  {what}"[:140], fs(12), theme.PANEL_DIM), (r.x + px(12), r.y + px(3) + round(fs(14) * 1.3)))
            y += row
        if not self.entries:
            app.screen.blit(theme.text("No exercises found (scenarios/exercises/ is missing).", fs(14), theme.PANEL_FG), (left, y))

    def _study_status(self) -> str:
        f = self.found
        if f is None:
            return ""
        if f.usable:
            return f"Studies: {', '.join(f'{k} {n} runs' for k, n in f.runs.items())}  (in {short_path(f.folder)})"
        return f"Studies: none yet ({f.note})"

    def _progress(self, left: int, y: int, width: int) -> int:
        """Draw the running study's progress bars; return the y below them."""
        app = self.app
        px, fs = app.px, app.fs
        job = self.study_job
        if job is None or job.finished:
            return y
        app.screen.blit(theme.text(f"Running {job.title}: {100 * job.fraction:.0f}%", fs(13), (255, 255, 240), bold=True), (left, y))
        y += round(fs(13) * 1.6)
        for label, done, total in job.parts.values():
            app.screen.blit(theme.text(f"{label}: {done} of {total}", fs(12), theme.PANEL_DIM), (left, y))
            bar = pygame.Rect(left + px(320), y + px(3), width - px(320), px(10))
            pygame.draw.rect(app.screen, (50, 56, 46), bar)
            pygame.draw.rect(app.screen, (150, 200, 120), (bar.x, bar.y, bar.w * (done / total if total else 0), bar.h))
            y += round(fs(12) * 1.6)
        return y

    def _draw_exercise(self, box: pygame.Rect, left: int, y: int) -> None:
        app = self.app
        px, fs = app.px, app.fs
        e = self.current
        if e is None:
            return
        width = box.w - px(48)
        for line in theme.wrap(e.question, fs(15), width)[:4]:
            app.screen.blit(theme.text(line, fs(15), (255, 255, 240)), (left, y))
            y += round(fs(15) * 1.4)
        y += px(6)
        what = "; ".join(e.variants) or "your own orders against the historical baseline"
        app.screen.blit(theme.text(f"Compares: {what}"[:160], fs(13), theme.PANEL_DIM), (left, y))
        y += round(fs(13) * 1.8)
        for line in theme.wrap(self._study_status(), fs(13), width)[:2]:
            app.screen.blit(theme.text(line, fs(13), theme.PANEL_FG), (left, y))
            y += round(fs(13) * 1.4)
        y += px(8)
        y = self._progress(left, y, width)
        bh, gap = px(36), px(10)
        bw = (width - 3 * gap) // 4
        running = self.study_job is not None and not self.study_job.finished
        is_game = self.game_exercise == e.id
        self._button(pygame.Rect(left, y, bw, bh), "Play this exercise", "play", e.id)
        self._button(pygame.Rect(left + bw + gap, y, bw, bh), "This game among the runs", "placement", enabled=is_game)
        if running:
            self._button(pygame.Rect(left + 2 * (bw + gap), y, bw, bh), "Stop the study", "cancel-study")
        else:
            label = f"Run a small study ({SMALL_STUDY_RUNS} runs)" if not (self.found and self.found.usable) else f"More runs (+{SMALL_STUDY_RUNS})"
            self._button(pygame.Rect(left + 2 * (bw + gap), y, bw, bh), label, "study")
        self._button(pygame.Rect(left + 3 * (bw + gap), y, bw, bh), "A class's saves ...", "pick_folder")
        y += bh + px(14)
        notes = [
            "Play: the briefing comes first; units you do not order follow the orders of 1938. Save at the end (F5) and hand the file in.",
            "A small study is enough for a first look in class; `khasan-sim exercise run NAME --runs 100` gives firmer figures.",
        ]
        if not is_game:
            notes.insert(0, "'This game among the runs' needs a game of this exercise: play it first.")
        for n in notes:
            for line in theme.wrap(n, fs(12), width):
                app.screen.blit(theme.text(line, fs(12), theme.PANEL_DIM), (left, y))
                y += round(fs(12) * 1.4)

    def _draw_placement(self, box: pygame.Rect, left: int, y: int) -> None:
        app = self.app
        px, fs = app.px, app.fs
        p = self.placed
        if p is None:
            y = self._progress(left, y, box.w - px(48))
            if self.found is not None and not self.found.usable and self.current is not None:
                running = self.study_job is not None and not self.study_job.finished
                if not running:
                    self._button(pygame.Rect(left, y + px(8), px(320), px(36)), f"Run a small study ({SMALL_STUDY_RUNS} runs)", "study")
            return
        app.screen.blit(theme.text(f"Played: {p.played}  ·  its study: {p.runs} runs  ·  {short_path(p.folder)}", fs(13), theme.PANEL_DIM), (left, y))
        y += round(fs(13) * 1.6)
        if p.note:
            app.screen.blit(theme.text(p.note, fs(13), theme.ACCENT), (left, y))
            y += round(fs(13) * 1.6)
        width = box.w - px(48)
        cols = (left, left + int(width * 0.30), left + int(width * 0.42), left + int(width * 0.68))
        col_w = [b - a - px(12) for a, b in zip(cols, (*cols[1:], left + width + px(12)), strict=True)]
        for x, head in zip(cols, ("metric", "this game", "its study: median (90% of runs)", "where this game falls"), strict=True):
            app.screen.blit(theme.text(head, fs(12), theme.PANEL_DIM), (x, y))
        y += round(fs(12) * 1.7)
        line = round(fs(13) * 1.3)
        for m in p.metrics:
            if y > box.bottom - px(110):
                break
            self._lines(m.label, fs(13), theme.PANEL_FG, cols[0], y, col_w[0], 2)
            app.screen.blit(theme.text(m.game, fs(14), (255, 255, 240), bold=True), (cols[1], y))
            n = self._lines(m.study, fs(13), theme.PANEL_FG, cols[2], y, col_w[2], 2)
            if m.baseline != m.study:
                self._lines(f"baseline {m.baseline}", fs(11), theme.PANEL_DIM, cols[2], y + n * line, col_w[2], 2)
            self._lines(m.place, fs(13), (200, 220, 160), cols[3], y, col_w[3], 1)
            self._strip(pygame.Rect(cols[3], y + line + px(4), col_w[3], px(12)), m.values, m.game_value)
            y += round(fs(13) * 4.2)
        app.screen.blit(theme.text("Each tick is one run of the model with the same orders of battle; the yellow bar is this game.", fs(12), theme.PANEL_DIM), (left, y + px(4)))
        self._button(pygame.Rect(left, y + px(30), px(260), px(34)), "Compare with the record (C)", "compare")

    def _lines(self, text: str, size: int, colour: tuple[int, int, int], x: int, y: int, width: int, most: int) -> int:
        """Draw *text* wrapped to *width* in at most *most* lines; return the lines drawn."""
        lines = theme.wrap(text, size, width)
        if len(lines) > most:
            lines = [*lines[: most - 1], " ".join(lines[most - 1 :])]
            while len(lines[-1]) > 3 and theme.font(size).size(lines[-1] + " ...")[0] > width:
                lines[-1] = lines[-1][:-1]
            lines[-1] = lines[-1].rstrip() + " ..."
        for i, line in enumerate(lines):
            self.app.screen.blit(theme.text(line, size, colour), (x, y + i * round(size * 1.3)))
        return len(lines)

    def _strip(self, r: pygame.Rect, values: tuple[float, ...], game: float | None) -> None:
        """Draw the runs as ticks on a line, and the game as a yellow bar."""
        if not values:
            return
        scr = self.app.screen
        lo, hi = min(values), max(values)
        if game is not None:
            lo, hi = min(lo, game), max(hi, game)
        span = hi - lo or 1.0
        pygame.draw.line(scr, (90, 96, 74), (r.x, r.centery), (r.right, r.centery), 1)
        for v in values:
            x = r.x + r.w * (v - lo) / span
            pygame.draw.line(scr, (200, 200, 190), (x, r.y + 2), (x, r.bottom - 2), 1)
        if game is not None:
            x = r.x + r.w * (game - lo) / span
            pygame.draw.rect(scr, theme.ACCENT, (x - 2, r.y - 2, 4, r.h + 4))
        fs = self.app.fs(10)
        for v, right in ((lo, False), (hi, True)):
            img = theme.text(f"{v:,.0f}" if abs(v) >= 10 or float(v).is_integer() else f"{v:.1f}", fs, theme.PANEL_DIM)
            scr.blit(img, (r.right - img.get_width() if right else r.x, r.bottom + 1))

    def _draw_class(self, box: pygame.Rect, left: int, y: int) -> None:
        app = self.app
        px, fs = app.px, app.fs
        c = self.classed
        job = self.class_job
        if c is None:
            if job is not None and not job.finished:
                for line in job.lines[-6:]:
                    app.screen.blit(theme.text(line[:150], fs(13), theme.PANEL_FG), (left, y))
                    y += round(fs(13) * 1.5)
            return
        app.screen.blit(theme.text(f"{short_path(c.folder)}: {sum(r.status == 'ok' for r in c.rows)} of {len(c.rows)} file(s) placed", fs(13), theme.PANEL_DIM), (left, y))
        y += round(fs(13) * 1.7)
        n = max(1, len(c.metrics))
        col_w = (box.w - px(48) - px(300)) // n
        app.screen.blit(theme.text("save file, what it played", fs(12), theme.PANEL_DIM), (left, y))
        rows = max((self._lines(label, fs(12), theme.PANEL_DIM, left + px(300) + i * col_w, y, col_w - px(10), 3) for i, label in enumerate(c.metrics)), default=1)
        y += rows * round(fs(12) * 1.3) + px(8)
        for r in c.rows:
            if y > box.bottom - px(110):
                break
            app.screen.blit(theme.text(r.name[:34], fs(13), (255, 255, 240), bold=True), (left, y))
            app.screen.blit(theme.text(r.played[:40], fs(11), theme.PANEL_DIM), (left, y + round(fs(13) * 1.3)))
            if r.status != "ok":
                app.screen.blit(theme.text(f"not placed: {r.note}"[:90], fs(12), (230, 140, 110)), (left + px(300), y))
            for i, (value, place) in enumerate(r.cells):
                x = left + px(300) + i * col_w
                app.screen.blit(theme.text(value[:18], fs(13), theme.PANEL_FG, bold=True), (x, y))
                app.screen.blit(theme.text(place[:max(8, col_w // max(1, fs(11) // 2))], fs(11), (200, 220, 160)), (x, y + round(fs(13) * 1.3)))
            y += round(fs(13) * 3.0)
