"""The study's figures, in one house style.

Every function takes the tidy output of :mod:`hbomkb.analysis.score`,
:mod:`hbomkb.analysis.survey_scores` or :mod:`hbomkb.analysis.cluster`, returns a matplotlib
Figure laid out by matplotlib's constrained layout and, given ``path``, saves it as PNG (200 dpi)
and SVG. Words come from :mod:`hbomkb.labels` in the study's language; every title states n.
Figures are built on ``matplotlib.figure.Figure`` directly, not through pyplot: no global state,
no backend is forced (a notebook's inline backend shows the returned figure), and nothing
accumulates in memory.
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import text_to_path

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
# The survey landscape's relative classes (survey_scores.survey_landscape): the top third by O
# in the colour of "underserved", the bottom third in that of "overserved", uncertain grey.
RELATIVE_ORDER = ("top", "middle", "bottom", "uncertain")
RELATIVE_COLOURS = {"top": colours(4)[3], "middle": colours(4)[2], "bottom": colours(4)[0],
                    "uncertain": (0.6, 0.6, 0.6)}
SCALE_COLOURS = {"current": colours(5)[4], "potential": colours(5)[2]}


@contextmanager
def house_style() -> Iterator[None]:
    """Seaborn whitegrid look and readable sizes, for the duration of a block only."""
    # Titles at a fixed height: left to itself (axes.titley None), matplotlib measures every
    # tick label on each draw to keep titles clear of labels on top, and no figure puts any there.
    # Labels are text from data: "$5 of $10" is not a formula (no mathtext, no TeX).
    rc = {"text.parse_math": False, "text.usetex": False,
          "svg.fonttype": "none", "axes.titley": 1.0, "axes.titlesize": 11,
          "axes.titleweight": "bold", "figure.titlesize": 12, "figure.titleweight": "bold",
          "font.size": 9}
    with sns.axes_style("whitegrid"), sns.plotting_context("notebook", font_scale=0.85), \
            mpl.rc_context(rc):
        yield


DPI = 200
# Saved files depend on the figure only: SVG ids are hashed with a fixed salt and neither format
# records the date or the software that wrote it, so the same figure gives the same bytes.
SAVE_RC = {"svg.hashsalt": "hbomkb", "svg.fonttype": "none"}
PNG_METADATA = {"Software": None}
SVG_METADATA = {"Date": None, "Creator": None}


def save(fig: Figure, path: str | os.PathLike) -> list[Path]:
    """Save ``fig`` as <path>.png (200 dpi) and <path>.svg; a .png/.svg suffix is ignored.

    Both files show the figure's tight bounding box (all that is drawn, plus a small margin),
    text stays text in the SVG, and the same figure always gives the same bytes.
    """
    p = Path(path)
    if p.suffix.lower() in (".png", ".svg"):
        p = p.with_suffix("")
    p.parent.mkdir(parents=True, exist_ok=True)
    png, svg = p.parent / f"{p.name}.png", p.parent / f"{p.name}.svg"
    with mpl.rc_context(SAVE_RC):
        fig.savefig(png, dpi=DPI, bbox_inches="tight", metadata=PNG_METADATA)
        fig.savefig(svg, bbox_inches="tight", metadata=SVG_METADATA)
    return [png, svg]


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
    return "\n".join(textwrap.wrap(str(text), width, break_long_words=False)) or str(text)


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
                # inside its cell: nothing the layout or the tight box must make room for
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
    :func:`hbomkb.analysis.survey_scores.survey_landscape` for one region or nationally; with
    both roles in it, hbo and mkb get a panel each, side by side on the same scales (never
    pooled). Points are labelled with ``point_label`` (a column; codes are shown as codebook
    labels when ``codebook`` is given).

    A workshop result is coloured by served class, and its titles call the classes indicative
    with their n. A survey landscape (it has a ``class`` column) is coloured by its relative
    class, "uncertain" included, draws the 95% intervals of I and S, and leaves out the
    diagonal and the iso-opportunity lines: its classes are read from places, not from them.
    """
    th = getattr(study, "thresholds", None) or Thresholds()
    names = _names(codebook, study)
    d = odi.dropna(subset=["I", "S"])
    relative = "class" in d
    roles = list(dict.fromkeys(d["role"])) if "role" in d and len(d) else [None]

    def n_part(n: pd.Series) -> str:
        text = n_text(n, label("per_point", study))
        return text if relative else label("indicative", study, n=text)

    with house_style():
        # square panels (aspect equal) of about 5.3 in, with the titles above them: two lines
        # (figure and panel) over side-by-side panels, one over a single panel
        k = len(roles)
        fig = Figure(figsize=(6.0, 6.05) if k == 1 else (0.6 + 5.55 * k, 6.45),
                     layout="constrained")
        axes = np.atleast_1d(fig.subplots(1, k, squeeze=False)[0])
        panels = []
        for k, (ax, role) in enumerate(zip(axes, roles, strict=True)):
            part = d if role is None else d[d["role"] == role]
            panels.append(_landscape_panel(ax, part, th, names, point_label, study,
                                           legend=k == 0))
            if k > 0:
                ax.set_ylabel("")
            if len(roles) > 1:
                ax.set_title(f"{label(role, study)} ({n_part(part['n'])})")
        where = ""
        if "region" in d and len(d) and d["region"].nunique() == 1:
            region = str(d["region"].iloc[0])
            where = region_labels(study).get(region, label(region, study))
        if relative:
            where = " - ".join(x for x in (where, label("relative", study)) if x)
        if len(roles) > 1:
            fig.suptitle(title or " - ".join(
                x for x in (label("title_landscape", study), where) if x))
        else:
            seg = " - ".join(x for x in (label(roles[0], study) if roles[0] else "", where) if x)
            head = title or f"{label('title_landscape', study)}{' - ' + seg if seg else ''}"
            axes[0].set_title(f"{head} ({n_part(d['n'])})")
        # the point labels are placed in points, so the panels' final size must be known
        fig.get_layout_engine().execute(fig)
        for ax, labels in zip(axes, panels, strict=True):
            _label_points(ax, labels, 7)
    return _finish(fig, path)


def _landscape_panel(ax, d: pd.DataFrame, th: Thresholds, names: dict[str, str],
                     point_label: str, study: object | None, legend: bool
                     ) -> dict[tuple[float, float], str]:
    """One role's landscape on ``ax``: reference lines (served classes) or intervals
    (relative classes), and points by class.

    Returns the points' labels, (I, S) -> text, to be placed once the layout is settled.
    """
    relative = "class" in d
    if relative:
        for c, (lo, hi) in (("I", ("I_low", "I_high")), ("S", ("S_low", "S_high"))):
            if lo not in d or d[lo].isna().all():
                continue
            err = np.vstack([d[c] - d[lo], d[hi] - d[c]])
            ax.errorbar(d["I"], d["S"], xerr=np.nan_to_num(err) if c == "I" else None,
                        yerr=np.nan_to_num(err) if c == "S" else None, fmt="none",
                        ecolor="0.55", elinewidth=0.8, capsize=2, zorder=2)
        order, colour = RELATIVE_ORDER, RELATIVE_COLOURS
    else:
        x = np.linspace(0, 10, 101)
        ax.plot(x, x, color="0.3", lw=1, label=label("diagonal", study))
        for o, ls in ((th.underserved, "--"), (th.high, "-."), (th.extreme, ":")):
            ax.plot(x, 2 * x - o, color="0.5", lw=0.9, ls=ls,
                    label=label("iso_line", study, o=f"{o:g}"))
        order, colour = SERVED_ORDER, SERVED_COLOURS
    column = "class" if relative else "served"
    for cls in order:
        sub = d[d[column] == cls]
        if len(sub):
            ax.scatter(sub["I"], sub["S"], s=60, color=colour[cls],
                       edgecolor="white", zorder=3, label=label(cls, study), clip_on=False)
    ax.set(xlim=(0, 10), ylim=(0, 10), aspect="equal", xlabel=label("importance", study),
           ylabel=label("satisfaction", study))
    if legend:
        ax.legend(loc="upper left", fontsize=7, frameon=True)
    # one label per position: clusters with the same I and S share it
    text = d[point_label] if point_label in d else d["code"]
    text = text.astype(str).map(lambda c: names.get(c, c) if point_label == "code" else c)
    spots = pd.DataFrame({"I": d["I"].round(6), "S": d["S"].round(6), "t": text})
    return {(i, s): "\n".join(_wrap(t, 26) for t in g["t"])
            for (i, s), g in spots.groupby(["I", "S"])}


def _label_points(ax, labels: dict[tuple[float, float], str], size: float) -> None:
    """Write each point's label beside it, with a leader line when it had to move away."""
    for (i, s), (dx, dy, ha, va) in _place_labels(ax, labels, size).items():
        leader = {"arrowprops": {"arrowstyle": "-", "lw": 0.5, "color": "0.5",
                                 "shrinkA": 0, "shrinkB": 4}} if abs(dy) > 4 else {}
        ax.annotate(labels[(i, s)], (i, s), xytext=(dx, dy), textcoords="offset points",
                    ha=ha, va=va, fontsize=size, annotation_clip=False, **leader)


def _place_labels(ax, labels: dict[tuple[float, float], str], size: float) -> dict:
    """Where each point's label goes so that labels do not cover each other or other points.

    ``labels`` maps (x, y) in data units to its text. Each label tries the four corners beside
    its point (the side towards the middle of the axes first) and takes the first free one;
    when none is free, the one overlapping least. Label sizes come from the font, positions
    from the axes' place in the laid-out figure. Returns (x, y) -> (dx, dy in points,
    horizontal and vertical alignment).
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
    font = FontProperties(size=size)
    limit = (x0 * scale, y0 * scale, x1 * scale, y1 * scale)

    def overlap(a, b) -> float:
        w = min(a[2], b[2]) - max(a[0], b[0])
        h = min(a[3], b[3]) - max(a[1], b[1])
        return w * h if w > 0 and h > 0 else 0.0

    placed = {}
    for xy in sorted(labels, key=lambda p: (-p[1], p[0])):
        lines = labels[xy].split("\n")
        w = max(text_to_path.get_text_width_height_descent(line, font, ismath=False)[0]
                for line in lines)
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
        fig = Figure(figsize=(9.65, 2.2 * max(1, len(regions)) + 0.35), layout="constrained")
        axes = np.atleast_1d(fig.subplots(len(regions) or 1, 1, squeeze=False,
                                          sharex=True)[:, 0])
        for ax, region in zip(axes, regions, strict=False):
            d = top3[top3["region"] == region].sort_values(["role", "rank"], ascending=[False,
                                                                                         False])
            ylab = [f"{label(r, study)} {int(k)}. {_wrap(c, 45)}" for r, k, c in
                    zip(d["role"], d["rank"], d["cluster"], strict=True)]
            ax.barh(range(len(d)), d["n"].astype(float),
                    color=[ROLE_COLOURS.get(r, "0.5") for r in d["role"]])
            ax.set_yticks(range(len(d)), ylab, fontsize=7)
            ax.set_title(rnames.get(region, region), loc="left", fontsize=9)
        axes[-1].set_xlabel(label("notes", study))
        axes[-1].xaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True))
        fig.suptitle(f"{title or label('title_top3', study)} "
                     f"({n_text(top3['n'].sum())} {label('notes_short', study)})")
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
        # cells of about 0.7 x 0.5 in, and room for the region names, the cluster names
        # (18 characters wide, turned 45 degrees), the title and the colour bar
        rows, cols = table.shape
        fig = Figure(figsize=(2.0 + 0.68 * cols, 1.6 + 0.5 * rows), layout="constrained")
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
        fig = Figure(figsize=(7.15, 6.15), layout="constrained")
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
    """hbo (left) and mkb (right) per shared theme or quadrant; common ground marked "*", and
    "(gelijke stand)" where it rests on a tie at third place of the national top 3.

    Nationally the bars count groups (a side in a region) whose top 3 holds the theme, the
    count that decides the national top 3; in one region, where each side is one group, they
    count the side's top-3 places with the theme. The axis says which.

    ``common`` is :func:`hbomkb.analysis.cluster.common_ground`; ``region`` selects a region
    or "all".
    """
    d = common[common["region"] == region].sort_values("key")
    pairing = d["pairing"].iloc[0] if len(d) else "theme"
    with house_style():
        fig = Figure(figsize=(6.8, 0.5 * max(len(d), 2) + 1.25), layout="constrained")
        ax = fig.subplots()
        y = np.arange(len(d))
        what = "n" if region == "all" or "picks_hbo" not in d else "picks"
        d = d.assign(n_hbo=d[f"{what}_hbo"], n_mkb=d[f"{what}_mkb"])
        ax.barh(y, -d["n_hbo"].astype(float), color=ROLE_COLOURS["hbo"], label=label("hbo", study))
        ax.barh(y, d["n_mkb"].astype(float), color=ROLE_COLOURS["mkb"], label=label("mkb", study))
        tie = d["tie"] if "tie" in d else pd.Series(False, index=d.index)
        word = label("tie_note", study)
        ticks = [f"{'* ' if c else ''}{k}{f'{chr(10)}({word})' if c and t else ''}"
                 for k, c, t in zip(d["key"], d["common"], tie, strict=True)]
        ax.set_yticks(y, ticks)
        ax.axvline(0, color="0.3", lw=1)
        lim = max(1.0, float(np.nanmax(np.r_[d["n_hbo"], d["n_mkb"]].astype(float))) if len(d)
                  else 1.0)
        ax.set_xlim(-lim * 1.1, lim * 1.1)
        ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True))  # groups are counted
        ax.xaxis.set_major_formatter(mpl.ticker.FuncFormatter(lambda v, _: f"{abs(v):g}"))
        ax.set_xlabel(label("groups_in_top3" if what == "n" else "picks_in_top3", study))
        ax.set_ylabel(label(pairing, study))
        ax.legend(loc="lower right", fontsize=7)
        n = (int(d["groups"].max()) if "groups" in d and len(d) else
             int(d["n_hbo"].sum() + d["n_mkb"].sum()))
        where = label("national", study) if region == "all" else region_labels(study).get(
            region, region)
        ax.set_title(f"{title or label('title_comparison', study)} - {where} ({n_text(n)}; "
                     f"* = {label('common_ground', study)})")
    return _finish(fig, path)


def ranking_plot(consensus: pd.DataFrame, study: object | None = None,
                 codebook: pd.DataFrame | None = None, title: str | None = None,
                 path: str | os.PathLike | None = None) -> Figure:
    """Mean rank per outcome with its bootstrap interval, one panel per role.

    ``consensus`` is :func:`hbomkb.analysis.survey_scores.ranking_consensus`.
    """
    names = _names(codebook, study)
    roles = list(dict.fromkeys(consensus["role"]))
    with house_style():
        rows = consensus.groupby("role").size().max() if len(consensus) else 3
        fig = Figure(figsize=(5.85 * max(1, len(roles)), 0.45 * rows + 1.7),
                     layout="constrained")
        axes = np.atleast_1d(fig.subplots(1, max(1, len(roles)), squeeze=False)[0])
        for ax, role in zip(axes, roles, strict=False):
            d = consensus[consensus["role"] == role].sort_values("mean_rank", ascending=False)
            y = np.arange(len(d))
            err = np.vstack([d["mean_rank"] - d["ci_low"], d["ci_high"] - d["mean_rank"]])
            ax.errorbar(d["mean_rank"], y, xerr=np.nan_to_num(err), fmt="o",
                        color=ROLE_COLOURS.get(role, "0.3"), capsize=3)
            ax.set_yticks(y, [_wrap(names.get(c, c), 34) for c in d["code"]], fontsize=7)
            ax.set_xlabel(label("mean_rank", study))
            ax.invert_xaxis()
            ax.set_title(f"{label(role, study)} ({n_text(d['n'])})")
        fig.suptitle(f"{title or label('title_ranking', study)} ({label('interval', study)})")
    return _finish(fig, path)


def form_heatmaps(scores: pd.DataFrame, role: str, study: object | None = None,
                  codebook: pd.DataFrame | None = None, title: str | None = None,
                  path: str | os.PathLike | None = None) -> Figure:
    """Forms x outcomes of one role: mean current, mean potential and their gap.

    ``scores`` is :func:`hbomkb.analysis.survey_scores.form_scores`. Current and potential share
    one colour scale (the study's answer scale); the gap panel is centred on 0 and carries the
    numbers (every mean is also in the table reports show beside the figure).
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
        # rows of about 0.45 in, and room below for the outcome names (16 characters wide,
        # turned 60 degrees) and above for the titles
        fig = Figure(figsize=(16.8, 2.0 + 0.45 * len(forms)), layout="constrained")
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

    ``fit`` is :func:`hbomkb.analysis.survey_scores.form_fit`; one panel per role, forms sorted
    by potential fit.
    """
    names = _names(codebook, study)
    roles = list(dict.fromkeys(fit["role"]))
    with house_style():
        fig = Figure(figsize=(6.4 * max(1, len(roles)), 0.45 * fit["form"].nunique() + 1.8),
                     layout="constrained")
        axes = np.atleast_1d(fig.subplots(1, max(1, len(roles)), squeeze=False)[0])
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
            ax.set_yticks(range(len(order)), [_wrap(names.get(f, f), 34) for f in order],
                          fontsize=7)
            ax.set_xlim(getattr(study, "scale_min", 1), getattr(study, "scale_max", 5))
            ax.set_xlabel(label("fit", study))
            ax.set_title(f"{label(role, study)} ({n_text(d['n'], label('per_form', study))})")
            ax.legend(loc="lower right", fontsize=7)
        fig.suptitle(f"{title or label('title_form_fit', study)} ({label('interval', study)})")
    return _finish(fig, path)
