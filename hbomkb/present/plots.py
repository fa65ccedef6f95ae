"""The study's figures, in one house style.

Every function takes the tidy output of :mod:`hbomkb.analysis.score`,
:mod:`hbomkb.analysis.survey_scores` or :mod:`hbomkb.analysis.cluster`, returns a matplotlib
Figure laid out by matplotlib's constrained layout and, given ``path``, saves it as PNG (200 dpi)
and SVG. Words come from :mod:`hbomkb.labels` in the study's language, numbers carry its
decimal mark, and every title states n. Text sizes are set for the size at which a report shows
the figure, and legends sit outside the panels, one per figure
(:mod:`hbomkb.present.figure_style`).
Figures are built on ``matplotlib.figure.Figure`` directly, not through pyplot: no global state,
no backend is forced (a notebook's inline backend shows the returned figure), and nothing
accumulates in memory.
"""

from __future__ import annotations

import os
import textwrap
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
from hbomkb.present.figure_style import (
    DPI,
    decimal_sign,
    decimal_ticks,
    difference_cmap,
    figure_legend,
    fitted_norm,
    heatmap,
    house_style,
    small_size,
)

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

    # panels of about 5.3 in, square (the same scale across and up, as the diagonal S = I and
    # the iso-opportunity lines need), with the titles above them (two lines, figure and panel,
    # over side-by-side panels, one over a single panel) and one legend below. Constrained
    # layout fills the figure: with aspect fixed (aspect="equal") it would leave space and
    # settle on a slightly different layout at each draw.
    k = len(roles)
    size = (6.0, 6.3) if k == 1 else (0.6 + 5.55 * k, 6.65)
    with house_style(size[0]):
        fig = Figure(figsize=size, layout="constrained")
        axes = np.atleast_1d(fig.subplots(1, k, squeeze=False)[0])
        panels = []
        for k, (ax, role) in enumerate(zip(axes, roles, strict=True)):
            part = d if role is None else d[d["role"] == role]
            panels.append(_landscape_panel(ax, part, th, names, point_label, study))
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
        # every class of any panel, and the reference lines, in one legend below the panels
        classes = RELATIVE_ORDER if relative else SERVED_ORDER
        figure_legend(fig, [label(c, study) for c in classes])
        decimal_ticks(fig, study)
        # the point labels are placed in points, so the panels' final size must be known
        fig.get_layout_engine().execute(fig)
        for ax, labels in zip(axes, panels, strict=True):
            _label_points(ax, labels, small_size(fig))
    return _finish(fig, path)


def _landscape_panel(ax, d: pd.DataFrame, th: Thresholds, names: dict[str, str],
                     point_label: str, study: object | None
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
                    label=label("iso_line", study, o=f"{o:g}".replace(".", decimal_sign(study))))
        order, colour = SERVED_ORDER, SERVED_COLOURS
    column = "class" if relative else "served"
    for cls in order:
        sub = d[d[column] == cls]
        if len(sub):
            ax.scatter(sub["I"], sub["S"], s=60, color=colour[cls],
                       edgecolor="white", zorder=3, label=label(cls, study), clip_on=False)
    ax.set(xlim=(0, 10), ylim=(0, 10), xlabel=label("importance", study),
           ylabel=label("satisfaction", study))
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
    # data units -> points, across and up
    sx = box.width * fig.get_figwidth() / (x1 - x0) * 72
    sy = box.height * fig.get_figheight() / (y1 - y0) * 72
    points = {xy: (xy[0] * sx, xy[1] * sy) for xy in labels}
    dot = 5.0  # marker radius in points, with a little air
    taken = [(px - dot, py - dot, px + dot, py + dot) for px, py in points.values()]
    font = FontProperties(size=size)
    limit = (x0 * sx, y0 * sy, x1 * sx, y1 * sy)

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
    size = (9.65, 2.2 * max(1, len(regions)) + 0.6)  # and the roles' legend below
    with house_style(size[0]):
        fig = Figure(figsize=size, layout="constrained")
        axes = np.atleast_1d(fig.subplots(len(regions) or 1, 1, squeeze=False,
                                          sharex=True)[:, 0])
        for ax, region in zip(axes, regions, strict=False):
            d = top3[top3["region"] == region].sort_values(["role", "rank"], ascending=[False,
                                                                                         False])
            ylab = [f"{label(r, study)} {int(k)}. {_wrap(c, 45)}" for r, k, c in
                    zip(d["role"], d["rank"], d["cluster"], strict=True)]
            y = np.arange(len(d))
            for role in dict.fromkeys(d["role"]):  # one labelled set of bars per role
                mine = (d["role"] == role).to_numpy()
                ax.barh(y[mine], d["n"][mine].astype(float), label=label(role, study),
                        color=ROLE_COLOURS.get(role, "0.5"))
            ax.set_yticks(y, ylab, fontsize=small_size(fig))
            ax.set_title(rnames.get(region, region), loc="left")
        figure_legend(fig, [label(r, study) for r in ROLE_COLOURS])
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
    # cells of about 0.7 x 0.5 in, and room for the region names, the cluster names
    # (18 characters wide, turned 45 degrees), the title and the colour bar
    rows, cols = table.shape
    size = (2.0 + 0.68 * cols, 1.6 + 0.5 * rows)
    with house_style(size[0]):
        fig = Figure(figsize=size, layout="constrained")
        ax = fig.subplots()
        mesh = heatmap(ax, table.astype(float), "viridis", xlabels=xlabels, ylabels=ylabels,
                       annot=0, annot_size=mpl.rcParams["font.size"], study=study)
        ax.tick_params(axis="x", labelrotation=45, labelsize=small_size(fig))
        for t in ax.get_xticklabels():
            t.set_horizontalalignment("right")
        fig.colorbar(mesh, ax=ax, label=label(measure, study))
        ax.set_title(f"{title or label('title_heatmap', study)}: {label(kind, study)} "
                     f"({n_text(int(table.to_numpy().sum()))})")
        decimal_ticks(fig, study)
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
    with house_style(7.15):
        fig = Figure(figsize=(7.15, 6.15), layout="constrained")
        ax = fig.subplots()
        ax.axhline(1, color="0.3", lw=1)
        ax.axvline(1, color="0.3", lw=1)
        ax.scatter(d["x"], d["y"], s=80 + 2200 * d["weight"] / wmax, alpha=0.6,
                   color=colours(1)[0], edgecolor="white")
        for _, r in d.iterrows():
            ax.annotate(_wrap(names.get(r["code"], r["code"]), 18), (r["x"], r["y"]),
                        ha="center", va="center", fontsize=small_size(fig))
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
    size = (6.8, 0.5 * max(len(d), 2) + 1.5)  # with the legend below
    with house_style(size[0]):
        fig = Figure(figsize=size, layout="constrained")
        ax = fig.subplots()
        y = np.arange(len(d))
        what = "n" if region == "all" or "picks_hbo" not in d else "picks"
        d = d.assign(n_hbo=d[f"{what}_hbo"], n_mkb=d[f"{what}_mkb"])
        ax.barh(y, -d["n_hbo"].astype(float), color=ROLE_COLOURS["hbo"], label=label("hbo", study))
        ax.barh(y, d["n_mkb"].astype(float), color=ROLE_COLOURS["mkb"], label=label("mkb", study))
        tie = d["tie"] if "tie" in d else pd.Series(False, index=d.index)
        word = label("tie_note", study)
        # a theme is the codebook's own word; a quadrant ("explore/long") is named in words
        keys = [" / ".join(label(p, study) for p in str(k).split("/")) if pairing == "quadrant"
                else k for k in d["key"]]
        ticks = [f"{'* ' if c else ''}{k}{f'{chr(10)}({word})' if c and t else ''}"
                 for k, c, t in zip(keys, d["common"], tie, strict=True)]
        ax.set_yticks(y, ticks)
        ax.axvline(0, color="0.3", lw=1)
        lim = max(1.0, float(np.nanmax(np.r_[d["n_hbo"], d["n_mkb"]].astype(float))) if len(d)
                  else 1.0)
        ax.set_xlim(-lim * 1.1, lim * 1.1)
        ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True))  # groups are counted
        sign = decimal_sign(study)  # hbo to the left of 0, counted as a positive number
        ax.xaxis.set_major_formatter(mpl.ticker.FuncFormatter(
            lambda v, _: f"{abs(v):g}".replace(".", sign)))
        ax.set_xlabel(label("groups_in_top3" if what == "n" else "picks_in_top3", study))
        ax.set_ylabel(label(pairing, study))
        figure_legend(fig, [label(r, study) for r in ROLE_COLOURS])
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
    rows = consensus.groupby("role").size().max() if len(consensus) else 3
    size = (5.85 * max(1, len(roles)), 0.45 * rows + 1.7)
    with house_style(size[0]):
        fig = Figure(figsize=size, layout="constrained")
        axes = np.atleast_1d(fig.subplots(1, max(1, len(roles)), squeeze=False)[0])
        for ax, role in zip(axes, roles, strict=False):
            d = consensus[consensus["role"] == role].sort_values("mean_rank", ascending=False)
            y = np.arange(len(d))
            err = np.vstack([d["mean_rank"] - d["ci_low"], d["ci_high"] - d["mean_rank"]])
            ax.errorbar(d["mean_rank"], y, xerr=np.nan_to_num(err), fmt="o",
                        color=ROLE_COLOURS.get(role, "0.3"), capsize=3)
            ax.set_yticks(y, [_wrap(names.get(c, c), 34) for c in d["code"]],
                          fontsize=small_size(fig))
            ax.set_xlabel(label("mean_rank", study))
            ax.invert_xaxis()
            ax.set_title(f"{label(role, study)} ({n_text(d['n'])})")
        fig.suptitle(f"{title or label('title_ranking', study)} ({label('interval', study)})")
        decimal_ticks(fig, study)
    return _finish(fig, path)


def form_heatmaps(scores: pd.DataFrame, role: str, study: object | None = None,
                  codebook: pd.DataFrame | None = None, title: str | None = None,
                  path: str | os.PathLike | None = None) -> Figure:
    """Forms x outcomes of one role: mean current, mean potential and their gap, one panel
    above the other on the same columns.

    ``scores`` is :func:`hbomkb.analysis.survey_scores.form_scores`. Current and potential share
    one colour scale, fitted to their means (whole and half answer points around them, within
    the study's answer scale). The gap panel's scale is fitted to the gaps: centred on 0 when
    they have both signs, from the smallest to the largest otherwise. It carries the numbers
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
    means = np.r_[grids["current"].to_numpy(dtype=float).ravel(),
                  grids["potential"].to_numpy(dtype=float).ravel()]
    if np.isfinite(means).any():
        lo = max(lo, np.floor(np.nanmin(means) * 2) / 2)
        hi = min(hi, max(np.ceil(np.nanmax(means) * 2) / 2, lo + 0.5))
    gap_norm, gap_side = fitted_norm(grids["gap"].to_numpy(dtype=float))
    xlabels = [_wrap(names.get(c, c), 16) for c in outcomes]
    ylabels = [_wrap(names.get(f, f), 30) for f in forms]
    # cells of about 0.62 x 0.28 in, room left for the form names (30 characters wide), below
    # for the outcome names (16 characters wide, turned 45 degrees), right for the colour bars
    size = (3.8 + 0.62 * len(outcomes), 1.4 + 3 * (0.35 + 0.28 * len(forms)))
    with house_style(size[0]):
        fig = Figure(figsize=size, layout="constrained")
        axes = fig.subplots(3, 1, sharex=True)
        meshes = {}
        for ax, col in zip(axes, ("current", "potential", "gap"), strict=True):
            gap = col == "gap"
            meshes[col] = heatmap(
                ax, grids[col], difference_cmap(gap_side) if gap else "viridis",
                gap_norm if gap else mpl.colors.Normalize(lo, hi), xlabels=xlabels,
                ylabels=ylabels, annot=1 if gap else None, annot_size=small_size(fig),
                study=study)
            ax.set_title(label(col, study))
            ax.tick_params(axis="y", labelsize=small_size(fig))
        axes[-1].tick_params(axis="x", labelrotation=45, labelsize=small_size(fig))
        for t in axes[-1].get_xticklabels():
            t.set_horizontalalignment("right")
        fig.colorbar(meshes["current"], ax=list(axes[:2]), fraction=0.04, pad=0.02,
                     label=label("mean_score", study))
        fig.colorbar(meshes["gap"], ax=axes[2], fraction=0.04, pad=0.02)
        fig.suptitle(f"{title or label('title_form_scores', study)} - {label(role, study)} "
                     f"({label('respondents', study)}: {n_text(d['n'], label('per_cell', study))})")
        decimal_ticks(fig, study)
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
    # and one legend of the scales below the panels
    size = (6.4 * max(1, len(roles)), 0.45 * fit["form"].nunique() + 2.1)
    with house_style(size[0]):
        fig = Figure(figsize=size, layout="constrained")
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
                          fontsize=small_size(fig))
            ax.set_xlim(getattr(study, "scale_min", 1), getattr(study, "scale_max", 5))
            ax.set_xlabel(label("fit", study))
            ax.set_title(f"{label(role, study)} ({n_text(d['n'], label('per_form', study))})")
        figure_legend(fig, [label(s, study) for s in SCALE_COLOURS])
        fig.suptitle(f"{title or label('title_form_fit', study)} ({label('interval', study)})")
        decimal_ticks(fig, study)
    return _finish(fig, path)
