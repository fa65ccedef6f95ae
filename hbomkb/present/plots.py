"""The study's figures, in one house style.

Every function takes the tidy output of :mod:`hbomkb.analysis.score` or
:mod:`hbomkb.analysis.cluster`, returns a
matplotlib Figure and, given ``path``, saves it as PNG (200 dpi) and SVG. Words come from
:mod:`hbomkb.labels` in the study's language; every title states n. Figures are built on
``matplotlib.figure.Figure`` directly, not through pyplot: no global state, no backend is forced
(a notebook's inline backend shows the returned figure), and nothing accumulates in memory.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from hbomkb.config import Thresholds
from hbomkb.labels import code_labels, label, region_labels

PALETTE = "colorblind"
SERVED_ORDER = ("underserved", "properly_served", "overserved")


def colours(n: int) -> list:
    """The house colour-blind-safe palette (seaborn 'colorblind')."""
    return sns.color_palette(PALETTE, n)


ROLE_COLOURS = {"hbo": colours(3)[0], "mkb": colours(3)[1]}
SERVED_COLOURS = {"underserved": colours(4)[3], "properly_served": colours(4)[2],
                  "overserved": colours(4)[0]}
SCALE_COLOURS = {"current": colours(5)[4], "potential": colours(5)[2]}


@contextmanager
def house_style() -> Iterator[None]:
    """Seaborn whitegrid look and readable sizes, for the duration of a block only."""
    # A fixed title height: left to itself, matplotlib measures every tick label on each draw
    # to keep titles clear of labels on top, and no figure here puts any there.
    rc = {"svg.fonttype": "none", "axes.titley": 1.0, "axes.titlesize": 11,
          "axes.titleweight": "bold", "figure.titlesize": 12, "figure.titleweight": "bold",
          "font.size": 9, "savefig.bbox": "tight"}
    with sns.axes_style("whitegrid"), sns.plotting_context("notebook", font_scale=0.85), \
            mpl.rc_context(rc):
        yield


DPI = 200
# For the rare figure saved through savefig (labels beyond the figure's edge): zlib level 1
# encodes in about half the time of the default level 6, for files about a tenth larger.
PNG_OPTIONS = {"compress_level": 1}


def save(fig: Figure, path: str | os.PathLike) -> list[Path]:
    """Save ``fig`` as <path>.png (200 dpi) and <path>.svg; a .png/.svg suffix is ignored.

    Both files show the figure's tight bounding box: all that is drawn, plus a small margin.
    The figure is drawn once per format and measured only once: ``bbox_inches="tight"`` would
    draw it an extra time per format to find the box, and drawing text is what figures spend
    most on.
    """
    p = Path(path)
    if p.suffix.lower() in (".png", ".svg"):
        p = p.with_suffix("")
    p.parent.mkdir(parents=True, exist_ok=True)
    out = [p.parent / f"{p.name}.png", p.parent / f"{p.name}.svg"]
    engine = fig.get_layout_engine()
    if engine is not None:  # settle a constrained (or tight) layout before measuring it
        engine.execute(fig)
    written, box = _png_cropped(fig, out[0])
    if not written:
        fig.savefig(out[0], dpi=DPI, bbox_inches=box, pil_kwargs=PNG_OPTIONS)
    fig.savefig(out[1], bbox_inches=box)
    return out


def _png_cropped(fig: Figure, path: Path):
    """Draw ``fig`` at 200 dpi and measure its tight box with the same renderer.

    When everything drawn lies inside the figure, the PNG is that drawing cut to the box (the
    margin beyond the figure's edge filled with its background, as savefig does) and is written
    to ``path``. Otherwise (labels sticking out) nothing is written: the caller saves with the
    box, which draws once more on a canvas that reaches that far.
    Returns (written, box in inches).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas, dpi = fig.canvas, fig.dpi
    try:
        agg = FigureCanvasAgg(fig)
        fig.set_dpi(DPI)
        agg.draw()
        tight = fig.get_tightbbox(agg.get_renderer())
        box = tight.padded(mpl.rcParams["savefig.pad_inches"])
        w, h = fig.get_size_inches()
        inside = tight.x0 >= 0 and tight.y0 >= 0 and tight.x1 <= w and tight.y1 <= h
        if inside:
            drawn = np.asarray(agg.buffer_rgba())
            rows, cols = drawn.shape[:2]
            out = np.empty((int(box.height * DPI), int(box.width * DPI), 4), dtype=np.uint8)
            out[:] = np.round(np.array(mpl.colors.to_rgba(fig.get_facecolor())) * 255)
            left, top = round(box.x0 * DPI), round(rows - box.y1 * DPI)  # of out in drawn
            x0, y0 = max(left, 0), max(top, 0)
            x1, y1 = min(left + out.shape[1], cols), min(top + out.shape[0], rows)
            out[y0 - top:y1 - top, x0 - left:x1 - left] = drawn[y0:y1, x0:x1]
            write_png(path, out, DPI)
    finally:
        fig.set_dpi(dpi)
        fig.set_canvas(canvas)
    return inside, box


def write_png(path: str | os.PathLike, rgba: np.ndarray, dpi: float) -> Path:
    """Write an 8-bit RGBA image (rows top to bottom) as a PNG file with its resolution.

    An opaque image is stored as RGB. Every row uses PNG's "Up" filter (difference with the row
    above), which suits figures (long runs of one colour down a column) and lets zlib at level 3
    pack them smaller than Pillow's default and three times as fast. Nothing else goes into the
    file (no software name, no time), so the same pixels give the same bytes.
    """
    import struct
    import zlib

    path = Path(path)
    img = np.ascontiguousarray(rgba, dtype=np.uint8)
    if img.ndim != 3 or img.shape[2] != 4:
        raise ValueError(f"image of shape {img.shape}; expected rows x columns x 4 (RGBA)")
    if (img[..., 3] == 255).all():
        img = np.ascontiguousarray(img[..., :3])
    height, width, channels = img.shape
    rows = img.reshape(height, width * channels)
    lines = np.empty((height, rows.shape[1] + 1), dtype=np.uint8)
    lines[:, 0] = 2  # filter type Up
    lines[0, 1:] = rows[0]
    np.subtract(rows[1:], rows[:-1], out=lines[1:, 1:])  # wraps around modulo 256, as PNG wants

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    per_metre = round(dpi / 0.0254)
    header = struct.pack(">IIBBBBB", width, height, 8, 6 if channels == 4 else 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
                     + chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1))
                     + chunk(b"IDAT", zlib.compress(lines.tobytes(), 3)) + chunk(b"IEND", b""))
    return path


def _finish(fig: Figure, path: str | os.PathLike | None) -> Figure:
    if path is not None:
        save(fig, path)
    return fig


def n_text(n: pd.Series | np.ndarray | int, per: str = "") -> str:
    """'n = 12', or 'n = 3-5 per point' when the n behind the marks differs."""
    v = pd.Series(np.atleast_1d(n)).dropna().astype(int)
    if v.empty:
        return "n = 0"
    if v.min() == v.max():
        return f"n = {v.iloc[0]}"
    return f"n = {v.min()}-{v.max()}" + (f" {per}" if per else "")


def _names(codebook: pd.DataFrame | None, study: object | None) -> dict[str, str]:
    return code_labels(codebook, study) if codebook is not None else {}


def _wrap(text: str, width: int = 28) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(str(text), width, break_long_words=False)) or str(text)


def _text_extent(texts, size, rotation: float = 0.0) -> tuple[float, float]:
    """Largest width and height in inches among ``texts`` (lines split on newlines) at font
    ``size`` in the house font, each turned by ``rotation`` degrees as tick labels are."""
    from matplotlib.font_manager import FontProperties

    points = FontProperties(size=size).get_size_in_points()
    font = _font_key()
    turn = np.deg2rad(rotation)
    cos, sin = abs(np.cos(turn)), abs(np.sin(turn))
    wide = high = 0.0
    for text in texts:
        lines = str(text).split("\n")
        w = max(_line_width(line, points, font) for line in lines) / 72
        h = len(lines) * 1.2 * points / 72
        wide, high = max(wide, w * cos + h * sin), max(high, w * sin + h * cos)
    return wide, high


def _font_key() -> tuple:
    """The font text is set in now (family and sans-serif list), as a cache key."""
    return tuple(mpl.rcParams["font.family"]), tuple(mpl.rcParams["font.sans-serif"])


@lru_cache(maxsize=4096)
def _line_width(line: str, points: float, font: tuple) -> float:
    """Width in points of one line of text at ``points`` in ``font`` (family, sans-serif list,
    as in rcParams); the same labels come back in figure after figure, and measuring one asks
    FreeType to lay it out."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    with mpl.rc_context({"font.family": list(font[0]), "font.sans-serif": list(font[1])}):
        prop = FontProperties(size=points)
    return text_to_path.get_text_width_height_descent(line, prop, ismath=False)[0]


def _text_width(texts, size) -> float:
    """Width in inches of the widest line among ``texts`` at font ``size``."""
    return _text_extent(texts, size)[0]


def _fit_columns(fig: Figure, labels: list[list[str]], size: float) -> None:
    """Lay out side-by-side panels so each one's y tick labels fit left of it.

    This is what ``tight_layout`` would do, from the label widths alone: tight_layout draws
    the whole figure once more to measure it. Top and bottom leave room for a suptitle, the
    panel titles and the x axis label.
    """
    w, h = fig.get_figwidth(), fig.get_figheight()
    room = [_text_width(lab, size) + 0.3 for lab in labels]  # + tick pad and white space
    gap = max(room[1:], default=0.0)
    n = max(1, len(room))
    right = 0.25
    ax_w = max(0.5, (w - room[0] - right - (n - 1) * gap) / n)
    fig.subplots_adjust(left=room[0] / w, right=1 - right / w, top=1 - 0.8 / h,
                        bottom=0.6 / h, wspace=gap / ax_w)


def _luminance(rgba: np.ndarray) -> np.ndarray:
    """Relative luminance (WCAG) of RGBA colours: dark text on light cells, light on dark."""
    rgb = rgba[..., :3]
    rgb = np.where(rgb <= 0.03928, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return rgb @ np.array([0.2126, 0.7152, 0.0722])


def _heatmap(ax, table: pd.DataFrame, cmap, norm=None, xlabels=None, ylabels=None,
             annot: str | None = None, annot_size: float = 7):
    """``table`` as a grid of coloured cells, first row on top, like ``seaborn.heatmap``.

    ``annot`` is a format (".1f") to write each value in its cell. seaborn.heatmap draws the
    whole figure once more to check whether tick labels overlap; here the caller gives them.
    Returns the mesh (for a colour bar).
    """
    values = table.to_numpy(dtype=float)
    rows, cols = values.shape
    mesh = ax.pcolormesh(np.ma.masked_invalid(values), cmap=cmap, norm=norm,
                         edgecolors="white", linewidth=0.5)
    ax.set(xlim=(0, cols), ylim=(rows, 0))
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xticks(np.arange(cols) + 0.5, list(table.columns) if xlabels is None else xlabels)
    ax.set_yticks(np.arange(rows) + 0.5, list(table.index) if ylabels is None else ylabels)
    if annot:
        light = _luminance(mesh.cmap(mesh.norm(values))) <= 0.408
        for (i, j), v in np.ndenumerate(values):
            if np.isfinite(v):
                # inside its cell, so never part of the figure's outline: measuring it
                # for the tight box would be wasted work
                ax.text(j + 0.5, i + 0.5, format(v, annot), ha="center", va="center",
                        fontsize=annot_size, color="white" if light[i, j] else "0.15",
                        in_layout=False)
    return mesh


# ---------------------------------------------------------------------------------------------


def opportunity_landscape(odi: pd.DataFrame, study: object | None = None,
                          codebook: pd.DataFrame | None = None, title: str | None = None,
                          point_label: str = "code", path: str | os.PathLike | None = None
                          ) -> Figure:
    """Importance (x) against satisfaction (y), 0-10, with S = I and iso-opportunity lines.

    ``odi`` is :func:`hbomkb.analysis.score.odi` or
    :func:`~hbomkb.analysis.score.survey_landscape` for one region or nationally; with both
    roles in it, hbo and mkb get a panel each, side by side on the
    same scales (never pooled). Points are coloured by served class and labelled with
    ``point_label`` (a column; codes are shown as codebook labels when ``codebook`` is given).
    """
    th = getattr(study, "thresholds", None) or Thresholds()
    names = _names(codebook, study)
    d = odi.dropna(subset=["I", "S"])
    roles = list(dict.fromkeys(d["role"])) if "role" in d and len(d) else [None]
    with house_style():
        # square panels of 5.2 in (aspect equal), room left for the axis label, between the
        # panels for the tick labels, above for the titles
        k, side, gap, h = len(roles), 5.2, 0.6, 6.6
        w = 0.8 + k * side + (k - 1) * gap + 0.3
        fig = Figure(figsize=(w, h))
        axes = np.atleast_1d(fig.subplots(1, k, squeeze=False)[0])
        fig.subplots_adjust(left=0.8 / w, right=1 - 0.3 / w, bottom=0.6 / h,
                            top=(0.6 + side) / h, wspace=gap / side)
        for k, (ax, role) in enumerate(zip(axes, roles, strict=True)):
            part = d if role is None else d[d["role"] == role]
            _landscape_panel(ax, part, th, names, point_label, study, legend=k == 0)
            if k > 0:
                ax.set_ylabel("")
            if len(roles) > 1:
                n = n_text(part["n"], label("per_point", study))
                ax.set_title(f"{label(role, study)} ({n})")
        where = ""
        if "region" in d and len(d) and d["region"].nunique() == 1:
            region = str(d["region"].iloc[0])
            where = region_labels(study).get(region, label(region, study))
        if len(roles) > 1:
            fig.suptitle(title or " - ".join(
                x for x in (label("title_landscape", study), where) if x))
        else:
            seg = " - ".join(x for x in (label(roles[0], study) if roles[0] else "", where) if x)
            head = title or f"{label('title_landscape', study)}{' - ' + seg if seg else ''}"
            axes[0].set_title(f"{head} ({n_text(d['n'], label('per_point', study))})")
    return _finish(fig, path)


def _landscape_panel(ax, d: pd.DataFrame, th: Thresholds, names: dict[str, str],
                     point_label: str, study: object | None, legend: bool) -> None:
    """One role's landscape on ``ax``: reference lines, points by served class, labels."""
    x = np.linspace(0, 10, 101)
    ax.plot(x, x, color="0.3", lw=1, label=label("diagonal", study))
    for o, ls in ((th.underserved, "--"), (th.high, "-."), (th.extreme, ":")):
        ax.plot(x, 2 * x - o, color="0.5", lw=0.9, ls=ls,
                label=label("iso_line", study, o=f"{o:g}"))
    for cls in SERVED_ORDER:
        sub = d[d["served"] == cls]
        if len(sub):
            ax.scatter(sub["I"], sub["S"], s=60, color=SERVED_COLOURS[cls],
                       edgecolor="white", zorder=3, label=label(cls, study))
    # one label per position: clusters with the same I and S share it
    text = d[point_label] if point_label in d else d["code"]
    text = text.astype(str).map(lambda c: names.get(c, c) if point_label == "code" else c)
    spots = pd.DataFrame({"I": d["I"].round(6), "S": d["S"].round(6), "t": text})
    ax.set(xlim=(0, 10), ylim=(0, 10), aspect="equal", xlabel=label("importance", study),
           ylabel=label("satisfaction", study))
    labels = {(i, s): "\n".join(_wrap(t, 26) for t in g["t"])
              for (i, s), g in spots.groupby(["I", "S"])}
    for (i, s), (dx, dy, ha, va) in _place_labels(ax, labels, 7).items():
        leader = {"arrowprops": {"arrowstyle": "-", "lw": 0.5, "color": "0.5",
                                 "shrinkA": 0, "shrinkB": 4}} if abs(dy) > 4 else {}
        ax.annotate(labels[(i, s)], (i, s), xytext=(dx, dy), textcoords="offset points",
                    ha=ha, va=va, fontsize=7, annotation_clip=False, **leader)
    for c in ax.collections:
        c.set_clip_on(False)
    if legend:
        ax.legend(loc="upper left", fontsize=7, frameon=True)


def _place_labels(ax, labels: dict[tuple[float, float], str], size: float) -> dict:
    """Where each point's label goes so that labels do not cover each other or other points.

    ``labels`` maps (x, y) in data units to its text. Each label tries the four corners beside
    its point (the side towards the middle of the axes first) and takes the first free one;
    when none is free, the one overlapping least. Sizes come from the font, positions from
    the axes' size in the figure, so nothing has to be drawn first. Returns (x, y) -> (dx, dy
    in points, horizontal and vertical alignment).
    """
    fig = ax.get_figure()
    box = ax.get_position()  # figure fraction
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    # data units -> points; the axes are square in data (aspect equal), so take the smaller side
    scale = min(box.width * fig.get_figwidth() / (x1 - x0),
                box.height * fig.get_figheight() / (y1 - y0)) * 72
    points = {xy: (xy[0] * scale, xy[1] * scale) for xy in labels}
    dot = 5.0  # marker radius in points, with a little air
    taken = [(px - dot, py - dot, px + dot, py + dot) for px, py in points.values()]
    font = _font_key()
    limit = (x0 * scale, y0 * scale, x1 * scale, y1 * scale)

    def overlap(a, b) -> float:
        w = min(a[2], b[2]) - max(a[0], b[0])
        h = min(a[3], b[3]) - max(a[1], b[1])
        return w * h if w > 0 and h > 0 else 0.0

    placed = {}
    for xy in sorted(labels, key=lambda p: (-p[1], p[0])):
        lines = labels[xy].split("\n")
        w = max(_line_width(line, size, font) for line in lines)
        h = len(lines) * 1.2 * size
        px, py = points[xy]
        towards_left = xy[0] > (x0 + x1) / 2
        sides = [(-6, "right"), (6, "left")] if towards_left else [(6, "left"), (-6, "right")]
        # the four corners first, then further up or down (with a leader line)
        options = [(dx, sign * rise, ha, "bottom" if sign > 0 else "top")
                   for rise in [4 + h * k for k in range(7)] for sign in (1, -1)
                   for dx, ha in sides]
        best, best_cost = None, None
        for dx, dy, ha, va in options:
            left = px + dx - (w if ha == "right" else 0)
            bottom = py + dy - (h if va == "top" else 0)
            rect = (left, bottom, left + w, bottom + h)
            outside = (max(0.0, limit[0] - rect[0]) + max(0.0, rect[2] - limit[2])
                       + max(0.0, limit[1] - rect[1]) + max(0.0, rect[3] - limit[3]))
            cost = sum(overlap(rect, t) for t in taken
                       if t != (px - dot, py - dot, px + dot, py + dot)) + outside * h
            if best_cost is None or cost < best_cost:
                best, best_cost, best_rect = (dx, dy, ha, va), cost, rect
            if cost == 0:
                break
        placed[xy] = best
        taken.append(best_rect)
    return placed


def top3_bars(top3: pd.DataFrame, study: object | None = None, title: str | None = None,
              path: str | os.PathLike | None = None) -> Figure:
    """Each region's top-3 clusters (kansen) of hbo and mkb; bar length = notes in the cluster.

    ``top3`` is :func:`hbomkb.analysis.score.top3` with kind="outcome". One panel per region, on one
    shared scale of notes.
    """
    rnames = region_labels(study)
    regions = [r for r in rnames if r in set(top3["region"])] or list(
        dict.fromkeys(top3["region"]))
    with house_style():
        fig = Figure(figsize=(10, 2.2 * max(1, len(regions)) + 0.6))
        axes = np.atleast_1d(fig.subplots(len(regions) or 1, 1, squeeze=False,
                                          sharex=True)[:, 0])
        ticks = []
        for ax, region in zip(axes, regions, strict=False):
            d = top3[top3["region"] == region].sort_values(["role", "rank"], ascending=[False,
                                                                                         False])
            ylab = [f"{label(r, study)} {int(k)}. {_wrap(c, 45)}" for r, k, c in
                    zip(d["role"], d["rank"], d["cluster"], strict=True)]
            ticks += ylab
            ax.barh(range(len(d)), d["n"].astype(float),
                    color=[ROLE_COLOURS.get(r, "0.5") for r in d["role"]])
            ax.set_yticks(range(len(d)), ylab, fontsize=7)
            ax.set_title(rnames.get(region, region), loc="left", fontsize=9)
        axes[-1].set_xlabel(label("notes", study))
        axes[-1].xaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True))
        fig.suptitle(f"{title or label('title_top3', study)} "
                     f"({n_text(top3['n'].sum())} {label('notes_short', study)})")
        # room for the labels on the left and each region's title between the panels
        w, h, k = fig.get_figwidth(), fig.get_figheight(), len(axes)
        left, top, bottom, gap = _text_width(ticks, 7) + 0.3, 0.65, 0.55, 0.4
        ax_h = max(0.5, (h - top - bottom - (k - 1) * gap) / k)
        fig.subplots_adjust(left=left / w, right=1 - 0.25 / w, top=1 - top / h,
                            bottom=bottom / h, hspace=gap / ax_h)
    return _finish(fig, path)


def region_heatmap(counts: pd.DataFrame, kind: str, measure: str = "notes",
                   study: object | None = None, codebook: pd.DataFrame | None = None,
                   title: str | None = None, path: str | os.PathLike | None = None) -> Figure:
    """Regions x national clusters of one kind, cell = notes (or top-3 picks).

    ``counts`` is :func:`hbomkb.analysis.cluster.cluster_counts`.
    """
    names = _names(codebook, study)
    rnames = region_labels(study)
    d = counts[(counts["kind"] == kind) & (counts["measure"] == measure)
               & (counts["region"] != "all")]
    table = d.pivot_table(index="region", columns="code", values="n", aggfunc="sum",
                          fill_value=0)
    order = [r for r in getattr(study, "region_slugs", []) if r in table.index] or list(
        table.index)
    table = table.reindex(order)
    if codebook is not None:  # show unused national clusters as empty columns, in code order
        codes = sorted(codebook.loc[codebook["kind"] == kind, "code"].astype(str))
        table = table.reindex(columns=sorted(set(codes) | set(table.columns)), fill_value=0)
    xlabels = [_wrap(names.get(c, c), 18) for c in table.columns]
    ylabels = [rnames.get(r, r) for r in table.index]
    with house_style():
        # cells of 0.75 x 0.5 in; around them room for the labels, title and colour bar
        left = _text_width(ylabels, mpl.rcParams["ytick.labelsize"]) + 0.3
        bottom = _text_extent(xlabels, 7, 45)[1] + 0.3
        w, h = left + 0.75 * table.shape[1] + 1.0, bottom + 0.5 * table.shape[0] + 0.8
        fig = Figure(figsize=(w, h))
        fig.subplots_adjust(left=left / w, right=1 - 0.1 / w, bottom=bottom / h,
                            top=1 - 0.5 / h)
        ax = fig.subplots()
        mesh = _heatmap(ax, table.astype(float), "viridis", xlabels=xlabels, ylabels=ylabels,
                        annot=".0f", annot_size=mpl.rcParams["font.size"])
        ax.tick_params(axis="x", labelrotation=45, labelsize=7)
        for t in ax.get_xticklabels():
            t.set_horizontalalignment("right")
        fig.colorbar(mesh, ax=ax, label=label(measure, study))
        ax.set_title(f"{title or label('title_heatmap', study)}: {label(kind, study)} "
                     f"({n_text(int(table.to_numpy().sum()))})")
    return _finish(fig, path)


def quadrant_bubbles(quadrants: pd.DataFrame, study: object | None = None,
                     codebook: pd.DataFrame | None = None, title: str | None = None,
                     path: str | os.PathLike | None = None) -> Figure:
    """National clusters in explore/exploit x short/long; bubble area = weight.

    ``quadrants`` is :func:`hbomkb.analysis.score.quadrants` (one kind).
    """
    names = _names(codebook, study)
    d = quadrants.copy()
    qx = {"exploit": 0, "explore": 1}
    qy = {"short": 0, "long": 1}
    d = d[d["explore"].isin(qx) & d["term"].isin(qy)]
    d = d.sort_values(["explore", "term", "weight"], ascending=[True, True, False])
    d["slot"] = d.groupby(["explore", "term"]).cumcount()
    d["cnt"] = d.groupby(["explore", "term"])["code"].transform("size")
    cols = np.ceil(np.sqrt(d["cnt"].clip(lower=1))).astype(int)
    d["x"] = d["explore"].map(qx) + (d["slot"] % cols + 0.5) / cols
    d["y"] = d["term"].map(qy) + 1 - ((d["slot"] // cols) + 0.5) / np.ceil(d["cnt"] / cols)
    wmax = d["weight"].max() if len(d) and d["weight"].max() > 0 else 1.0
    with house_style():
        fig = Figure(figsize=(8, 7))
        ax = fig.subplots()
        ax.axhline(1, color="0.3", lw=1)
        ax.axvline(1, color="0.3", lw=1)
        ax.scatter(d["x"], d["y"], s=80 + 2200 * d["weight"] / wmax, alpha=0.6,
                   color=colours(1)[0], edgecolor="white")
        for _, r in d.iterrows():
            ax.annotate(_wrap(names.get(r["code"], r["code"]), 18), (r["x"], r["y"]),
                        ha="center", va="center", fontsize=7)
        ax.set(xlim=(0, 2), ylim=(0, 2))
        ax.set_xticks([0.5, 1.5], [label("exploit", study), label("explore", study)])
        ax.set_yticks([0.5, 1.5], [label("short", study), label("long", study)])
        ax.grid(False)
        kind = d["kind"].iloc[0] if len(d) else ""
        wt = d["weight_type"].iloc[0] if "weight_type" in d and len(d) else "weight"
        ax.set_title(f"{title or label('title_quadrants', study)}: {label(kind, study)}\n"
                     f"{label('weight', study)} = {label(wt, study)} "
                     f"({n_text(int(d['n'].sum()))})")
    return _finish(fig, path)


def side_comparison(common: pd.DataFrame, study: object | None = None,
                    region: str = "all", title: str | None = None,
                    path: str | os.PathLike | None = None) -> Figure:
    """hbo (left) and mkb (right) top-3 picks per shared theme or quadrant; common ground marked.

    ``common`` is :func:`hbomkb.analysis.cluster.common_ground`; ``region`` selects a region
    or "all".
    """
    d = common[common["region"] == region].sort_values("key")
    pairing = d["pairing"].iloc[0] if len(d) else "theme"
    with house_style():
        fig = Figure(figsize=(7, 0.5 * max(len(d), 2) + 1.5))
        ax = fig.subplots()
        y = np.arange(len(d))
        ax.barh(y, -d["n_hbo"].astype(float), color=ROLE_COLOURS["hbo"], label=label("hbo", study))
        ax.barh(y, d["n_mkb"].astype(float), color=ROLE_COLOURS["mkb"], label=label("mkb", study))
        ticks = [f"{'* ' if c else ''}{k}" for k, c in zip(d["key"], d["common"], strict=True)]
        ax.set_yticks(y, ticks)
        # room for the theme names and the axis labels inside the figure
        w, h = fig.get_figwidth(), fig.get_figheight()
        left = _text_width(ticks, mpl.rcParams["ytick.labelsize"]) + 0.55
        fig.subplots_adjust(left=left / w, right=1 - 0.3 / w, bottom=0.6 / h, top=1 - 0.4 / h)
        ax.axvline(0, color="0.3", lw=1)
        lim = max(1.0, float(np.nanmax(np.r_[d["n_hbo"], d["n_mkb"]].astype(float))) if len(d)
                  else 1.0)
        ax.set_xlim(-lim * 1.1, lim * 1.1)
        ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True))  # picks are counted
        ax.xaxis.set_major_formatter(mpl.ticker.FuncFormatter(lambda v, _: f"{abs(v):g}"))
        ax.set_xlabel(label("top3", study))
        ax.set_ylabel(label(pairing, study))
        ax.legend(loc="lower right", fontsize=7)
        n = int(d["n_hbo"].sum() + d["n_mkb"].sum())
        where = label("national", study) if region == "all" else region_labels(study).get(
            region, region)
        ax.set_title(f"{title or label('title_comparison', study)} - {where} ({n_text(n)}; "
                     f"* = {label('common_ground', study)})")
    return _finish(fig, path)


def ranking_plot(consensus: pd.DataFrame, study: object | None = None,
                 codebook: pd.DataFrame | None = None, title: str | None = None,
                 path: str | os.PathLike | None = None) -> Figure:
    """Mean rank per outcome with its bootstrap interval, one panel per role.

    ``consensus`` is :func:`hbomkb.analysis.score.ranking_consensus`.
    """
    names = _names(codebook, study)
    roles = list(dict.fromkeys(consensus["role"]))
    with house_style():
        fig = Figure(figsize=(6 * max(1, len(roles)), 0.45 * consensus.groupby("role").size()
                              .max() + 1.8 if len(consensus) else 3))
        axes = np.atleast_1d(fig.subplots(1, max(1, len(roles)), squeeze=False)[0])
        ticks = []
        for ax, role in zip(axes, roles, strict=False):
            d = consensus[consensus["role"] == role].sort_values("mean_rank", ascending=False)
            y = np.arange(len(d))
            err = np.vstack([d["mean_rank"] - d["ci_low"], d["ci_high"] - d["mean_rank"]])
            ax.errorbar(d["mean_rank"], y, xerr=np.nan_to_num(err), fmt="o",
                        color=ROLE_COLOURS.get(role, "0.3"), capsize=3)
            ticks.append([_wrap(names.get(c, c), 34) for c in d["code"]])
            ax.set_yticks(y, ticks[-1], fontsize=7)
            ax.set_xlabel(label("mean_rank", study))
            ax.invert_xaxis()
            ax.set_title(f"{label(role, study)} ({n_text(d['n'])})")
        fig.suptitle(f"{title or label('title_ranking', study)} ({label('interval', study)})")
        _fit_columns(fig, ticks or [[]], 7)
    return _finish(fig, path)


def form_heatmaps(scores: pd.DataFrame, role: str, study: object | None = None,
                  codebook: pd.DataFrame | None = None, title: str | None = None,
                  path: str | os.PathLike | None = None) -> Figure:
    """Forms x outcomes of one role: mean current, mean potential and their gap.

    ``scores`` is :func:`hbomkb.analysis.score.form_scores`. Current and potential share one colour
    scale (the study's answer scale); the gap panel is centred on 0 and carries the numbers
    (every mean is also in the table reports show beside the figure).
    """
    names = _names(codebook, study)
    d = scores[scores["role"] == role]
    grids = {col: d.pivot_table(index="form", columns="outcome", values=col, aggfunc="mean")
             for col in ("current", "potential", "gap")}
    forms = sorted(set().union(*(g.index for g in grids.values())))
    outcomes = sorted(set().union(*(g.columns for g in grids.values())))
    grids = {k: g.reindex(index=forms, columns=outcomes) for k, g in grids.items()}
    lo, hi = getattr(study, "scale_min", 1), getattr(study, "scale_max", 5)
    reach = float(np.nanmax(np.abs(grids["gap"].to_numpy(dtype=float)), initial=0)) or 1.0
    xlabels = [_wrap(names.get(c, c), 16) for c in outcomes]
    ylabels = [_wrap(names.get(f, f), 30) for f in forms]
    with house_style():
        # rows of 0.45 in; room for the form names left and the outcome names below
        left = _text_width(ylabels, 7) + 0.3
        bottom = _text_extent(xlabels, 7, 60)[1] + 0.3
        w, h = 17, bottom + 0.45 * len(forms) + 1.0
        fig = Figure(figsize=(w, h))
        fig.subplots_adjust(left=left / w, right=1 - 0.6 / w, bottom=bottom / h,
                            top=1 - 0.75 / h)
        axes = fig.subplots(1, 3, sharey=True)
        scale = mpl.colors.Normalize(lo, hi)
        meshes = {}
        for ax, col in zip(axes, ("current", "potential", "gap"), strict=True):
            gap = col == "gap"
            meshes[col] = _heatmap(
                ax, grids[col], sns.color_palette("vlag", as_cmap=True) if gap else "viridis",
                mpl.colors.Normalize(-reach, reach) if gap else scale, xlabels=xlabels,
                ylabels=ylabels, annot=".1f" if gap else None)
            ax.set_title(label(col, study))
            ax.tick_params(axis="x", labelrotation=60, labelsize=7)
            ax.tick_params(axis="y", labelsize=7)
            for t in ax.get_xticklabels():
                t.set_horizontalalignment("right")
        fig.colorbar(meshes["current"], ax=list(axes[:2]), fraction=0.03, pad=0.02)
        fig.colorbar(meshes["gap"], ax=axes[2], fraction=0.05, pad=0.03)
        fig.suptitle(f"{title or label('title_form_scores', study)} - {label(role, study)} "
                     f"({label('respondents', study)}: {n_text(d['n'], label('per_cell', study))})")
    return _finish(fig, path)


def form_fit_plot(fit: pd.DataFrame, study: object | None = None,
                  codebook: pd.DataFrame | None = None, title: str | None = None,
                  path: str | os.PathLike | None = None) -> Figure:
    """Each form's importance-weighted mean score, current and potential, with intervals.

    ``fit`` is :func:`hbomkb.analysis.score.form_fit`; one panel per role, forms sorted by
    potential fit.
    """
    names = _names(codebook, study)
    roles = list(dict.fromkeys(fit["role"]))
    with house_style():
        fig = Figure(figsize=(6.5 * max(1, len(roles)), 0.45 * fit["form"].nunique() + 2))
        axes = np.atleast_1d(fig.subplots(1, max(1, len(roles)), squeeze=False)[0])
        ticks = []
        for ax, role in zip(axes, roles, strict=False):
            d = fit[fit["role"] == role]
            order = (d[d["scale"] == "potential"].sort_values("fit")["form"].tolist()
                     or sorted(d["form"].unique()))
            pos = {f: i for i, f in enumerate(order)}
            for j, (scale, off) in enumerate((("current", -0.12), ("potential", 0.12))):
                s = d[d["scale"] == scale]
                y = s["form"].map(pos) + off
                err = np.vstack([s["fit"] - s["ci_low"], s["ci_high"] - s["fit"]])
                ax.errorbar(s["fit"], y, xerr=np.nan_to_num(err), fmt="o", capsize=2,
                            color=SCALE_COLOURS[scale], label=label(scale, study), zorder=3 + j)
            ticks.append([_wrap(names.get(f, f), 34) for f in order])
            ax.set_yticks(range(len(order)), ticks[-1], fontsize=7)
            ax.set_xlim(getattr(study, "scale_min", 1), getattr(study, "scale_max", 5))
            ax.set_xlabel(label("fit", study))
            ax.set_title(f"{label(role, study)} ({n_text(d['n'], label('per_form', study))})")
            ax.legend(loc="lower right", fontsize=7)
        fig.suptitle(f"{title or label('title_form_fit', study)} ({label('interval', study)})")
        _fit_columns(fig, ticks or [[]], 7)
    return _finish(fig, path)
