"""A map picture of the terrain (and optionally a scenario's zones and units) with matplotlib.

Shaded relief with contour lines and spot heights, the terrain classes in map colours,
the border line, the crossings and the named places; north up, a scale bar and the local
grid in kilometres. Used by ``khasan-sim map`` and by reports; pure matplotlib (Agg).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from khasan_sim.terrain.types import Terrain, TerrainClass

CLASS_COLOURS: dict[TerrainClass, tuple[float, float, float]] = {
    TerrainClass.OPEN: (0.86, 0.88, 0.72),
    TerrainClass.SCRUB: (0.62, 0.74, 0.52),
    TerrainClass.SWAMP: (0.62, 0.78, 0.74),
    TerrainClass.WATER: (0.45, 0.66, 0.86),
    TerrainClass.RIVER: (0.40, 0.60, 0.84),
    TerrainClass.VILLAGE: (0.80, 0.55, 0.45),
    TerrainClass.ROAD: (0.55, 0.42, 0.30),
    TerrainClass.ROCK: (0.62, 0.60, 0.58),
    TerrainClass.STREAM: (0.35, 0.55, 0.85),
}
SIDE_COLOURS = {"soviet": "#c0392b", "japanese": "#1f4e9c"}


def class_rgb(terrain: Terrain) -> np.ndarray:
    """Return an (nrows, ncols, 3) picture of the terrain classes."""
    table = np.array([CLASS_COLOURS[TerrainClass(i)] for i in range(len(TerrainClass))])
    return table[terrain.terrain_class]


def shaded_rgb(terrain: Terrain) -> np.ndarray:
    """Return the terrain classes shaded by the relief (light from the north-west)."""
    from matplotlib.colors import LightSource

    ls = LightSource(azdeg=315, altdeg=40)
    rgb = class_rgb(terrain)
    # rows run south to north; hillshade assumes image rows top-down, so flip for it
    shade = ls.hillshade(terrain.elevation_m[::-1].astype(float), vert_exag=3.0, dx=terrain.grid.cell_m, dy=terrain.grid.cell_m)[::-1]
    return np.clip(rgb * (0.55 + 0.55 * shade[..., None]), 0.0, 1.0)


def draw_map(
    terrain: Terrain,
    out: str | Path,
    *,
    zones: Iterable[Any] = (),
    units: Iterable[Any] = (),
    title: str | None = None,
    extent_m: Sequence[float] | None = None,
    size_in: float = 10.0,
    dpi: int = 110,
    marks: Iterable[tuple[float, float, str]] = (),
    unit_size: float = 4.0,
) -> Path:
    """Draw the map to a PNG file (written atomically) and return its path.

    Args:
        terrain: The terrain.
        out: The PNG path.
        zones: Objects with ``id``, ``name`` and ``polygon`` (scenario zones) to outline.
        units: Objects with ``id``, ``side``, ``x``/``y`` or ``position`` to mark.
        title: Title above the map.
        extent_m: (xmin, xmax, ymin, ymax) to show, metres; the whole map by default.
        size_in: Figure width in inches.
        dpi: Resolution.
        marks: ``(x, y, text)`` of places to point out (a star and its text), e.g. where
            a report's key moment happened.
        unit_size: The units' marker size, points.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Polygon

    from khasan_sim.io import atomic_write_bytes

    g = terrain.grid
    ext = [0.0, g.width_m, 0.0, g.height_m]
    fig, ax = plt.subplots(figsize=(size_in, size_in), dpi=dpi)
    ax.imshow(shaded_rgb(terrain), origin="lower", extent=ext, interpolation="bilinear")
    xs = (np.arange(g.ncols) + 0.5) * g.cell_m
    ys = (np.arange(g.nrows) + 0.5) * g.cell_m
    levels = np.arange(10, float(terrain.elevation_m.max()) + 10, 10)
    ax.contour(xs, ys, terrain.elevation_m, levels=levels, colors="#7a5a3a", linewidths=0.35, alpha=0.7)
    major = [lv for lv in levels if lv % 50 == 0]
    if major:
        ax.contour(xs, ys, terrain.elevation_m, levels=major, colors="#6a4a2a", linewidths=0.8, alpha=0.8)
    b = terrain.border
    ax.plot(b[:, 0], b[:, 1], color="#8e1b6e", lw=2.0, ls=(0, (6, 2, 1, 2)), label="border (1886 protocol, Soviet reading)")
    for c in terrain.crossings:
        ax.plot([c.x_m], [c.y_m], marker="s", ms=5, color="#3b2a1a")
        ax.annotate(c.id, (c.x_m, c.y_m), xytext=(4, -10), textcoords="offset points", fontsize=7, color="#3b2a1a")
    crossing_ids = {c.id for c in terrain.crossings}
    for z in zones:
        if z.id in crossing_ids:
            continue
        poly = np.asarray(z.polygon, dtype=float)
        ax.add_patch(Polygon(poly, closed=True, fill=False, ec="#222222", lw=1.0, ls="--"))
        cx, cy = poly.mean(axis=0)
        ax.annotate(z.id, (cx, cy), fontsize=7, ha="center", va="center", color="#111111",
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.6})
    for u in units:
        pos = (u.x, u.y) if hasattr(u, "x") else getattr(u, "position", None)
        if pos is None:  # aircraft have no ground position
            continue
        x, y = pos
        ax.plot([x], [y], marker="o" if getattr(u, "side", "") == "soviet" else "D", ms=unit_size,
                color=SIDE_COLOURS.get(getattr(u, "side", ""), "k"), mec="white", mew=0.5)
    for mx, my, text in marks:
        ax.plot([mx], [my], marker="*", ms=16, color="#f5c400", mec="black", mew=1.0, zorder=5)
        ax.annotate(text, (mx, my), xytext=(8, -14), textcoords="offset points", fontsize=9, weight="bold", zorder=5,
                    bbox={"boxstyle": "round,pad=0.2", "fc": "#fff7c0", "ec": "black", "lw": 0.6})
    for lab in terrain.labels:
        text = lab.name if lab.elevation_m is None else f"{lab.name}\n{lab.elevation_m:.0f} m"
        style = "italic" if lab.kind == "water" else "normal"
        colour = "#1a3d6b" if lab.kind == "water" else "#1a1a1a"
        if lab.kind == "height":
            ax.plot([lab.x_m], [lab.y_m], marker="^", ms=5, color="#3a2a1a")
        ax.annotate(text, (lab.x_m, lab.y_m), xytext=(5, 4), textcoords="offset points", fontsize=8, style=style, color=colour)
    ticks = np.arange(0, g.width_m + 1, 1000)
    ax.set_xticks(ticks, [f"{t / 1000:.0f}" for t in ticks], fontsize=7)
    ax.set_yticks(ticks, [f"{t / 1000:.0f}" for t in ticks], fontsize=7)
    if extent_m is not None:
        ax.set_xlim(extent_m[0], extent_m[1])
        ax.set_ylim(extent_m[2], extent_m[3])
    ax.set_xlabel("km east (local grid, origin 42.39 N 130.55 E)", fontsize=8)
    ax.set_ylabel("km north", fontsize=8)
    x0 = (extent_m[0] if extent_m else 0) + 400
    y0 = (extent_m[2] if extent_m else 0) + 400
    ax.plot([x0, x0 + 1000], [y0, y0], color="k", lw=3)
    ax.annotate("1 km", (x0 + 500, y0), xytext=(0, 5), textcoords="offset points", ha="center", fontsize=8)
    ax.annotate("N", (x0, y0 + 900), xytext=(x0, y0 + 400), ha="center", fontsize=10, weight="bold",
                arrowprops={"arrowstyle": "-|>", "color": "k"})
    ax.legend(loc="upper right", fontsize=7, framealpha=0.8)
    ax.set_title(title or str(terrain.extras.get("name", "Terrain")), fontsize=11)
    fig.tight_layout()
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    path = Path(out)
    atomic_write_bytes(path, buf.getvalue())
    return path
