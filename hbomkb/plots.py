"""The study's figures, in one house style.

Every function takes the tidy output of :mod:`hbomkb.score` or :mod:`hbomkb.cluster`, returns a
matplotlib Figure and, given ``path``, saves it as PNG (200 dpi) and SVG. Words come from
:mod:`hbomkb.labels` in the study's language; every title states n. Figures are built on
``matplotlib.figure.Figure`` directly, not through pyplot: no global state, no backend is forced
(a notebook's inline backend shows the returned figure), and nothing accumulates in memory.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from .config import Thresholds
from .labels import code_labels, label, region_labels

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
    rc = {"svg.fonttype": "none", "axes.titlesize": 11, "axes.titleweight": "bold",
          "figure.titlesize": 12, "figure.titleweight": "bold", "font.size": 9,
          "savefig.bbox": "tight"}
    with sns.axes_style("whitegrid"), sns.plotting_context("notebook", font_scale=0.85), \
            mpl.rc_context(rc):
        yield


def save(fig: Figure, path: str | os.PathLike) -> list[Path]:
    """Save ``fig`` as <path>.png (200 dpi) and <path>.svg; a .png/.svg suffix is ignored."""
    p = Path(path)
    if p.suffix.lower() in (".png", ".svg"):
        p = p.with_suffix("")
    p.parent.mkdir(parents=True, exist_ok=True)
    out = [p.parent / f"{p.name}.png", p.parent / f"{p.name}.svg"]
    fig.savefig(out[0], dpi=200, bbox_inches="tight")
    fig.savefig(out[1], bbox_inches="tight")
    return out


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


# ---------------------------------------------------------------------------------------------


def opportunity_landscape(odi: pd.DataFrame, study: object | None = None,
                          codebook: pd.DataFrame | None = None, title: str | None = None,
                          point_label: str = "code", path: str | os.PathLike | None = None
                          ) -> Figure:
    """Importance (x) against satisfaction (y), 0-10, with S = I and iso-opportunity lines.

    ``odi`` is one segment of :func:`hbomkb.score.odi` or :func:`~hbomkb.score.survey_landscape`
    (one role, one region or national). Points are coloured by served class and labelled with
    ``point_label`` (a column; codes are shown as codebook labels when ``codebook`` is given).
    """
    th = getattr(study, "thresholds", None) or Thresholds()
    names = _names(codebook, study)
    d = odi.dropna(subset=["I", "S"])
    with house_style():
        fig = Figure(figsize=(7, 6.5))
        ax = fig.subplots()
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
        for (i, s), g in spots.groupby(["I", "S"]):
            right = i > 6.5
            ax.annotate("\n".join(_wrap(t, 26) for t in g["t"]), (i, s),
                        xytext=(-6 if right else 6, 4), textcoords="offset points",
                        ha="right" if right else "left", va="bottom" if s < 9 else "top",
                        fontsize=7, annotation_clip=False)
        ax.set(xlim=(0, 10), ylim=(0, 10), aspect="equal", xlabel=label("importance", study),
               ylabel=label("satisfaction", study))
        for c in ax.collections:
            c.set_clip_on(False)
        ax.legend(loc="upper left", fontsize=7, frameon=True)
        seg = " - ".join(label(str(d[c].iloc[0]), study) for c in ("role", "region")
                         if c in d and len(d) and d[c].nunique() == 1)
        head = title or f"{label('title_landscape', study)}{' - ' + seg if seg else ''}"
        ax.set_title(f"{head} ({n_text(d['n'], label('per_point', study))})")
    return _finish(fig, path)


def top3_bars(top3: pd.DataFrame, study: object | None = None, title: str | None = None,
              path: str | os.PathLike | None = None) -> Figure:
    """Each region's top-3 clusters (kansen) of hbo and mkb; bar length = notes in the cluster.

    ``top3`` is :func:`hbomkb.score.top3` with kind="outcome".
    """
    rnames = region_labels(study)
    regions = [r for r in rnames if r in set(top3["region"])] or list(
        dict.fromkeys(top3["region"]))
    with house_style():
        fig = Figure(figsize=(10, 2.2 * max(1, len(regions)) + 0.6))
        axes = np.atleast_1d(fig.subplots(len(regions) or 1, 1, squeeze=False)[:, 0])
        for ax, region in zip(axes, regions, strict=False):
            d = top3[top3["region"] == region].sort_values(["role", "rank"], ascending=[False,
                                                                                         False])
            ylab = [f"{label(r, study)} {int(k)}. {_wrap(c, 45)}" for r, k, c in
                    zip(d["role"], d["rank"], d["cluster"], strict=True)]
            ax.barh(range(len(d)), d["n"].astype(float),
                    color=[ROLE_COLOURS.get(r, "0.5") for r in d["role"]])
            ax.set_yticks(range(len(d)), ylab, fontsize=7)
            ax.set_title(rnames.get(region, region), loc="left", fontsize=9)
            ax.set_xlabel(label("notes", study))
        fig.suptitle(f"{title or label('title_top3', study)} "
                     f"({n_text(top3['n'].sum())} {label('notes_short', study)})")
        fig.tight_layout()
    return _finish(fig, path)


def region_heatmap(counts: pd.DataFrame, kind: str, measure: str = "notes",
                   study: object | None = None, codebook: pd.DataFrame | None = None,
                   title: str | None = None, path: str | os.PathLike | None = None) -> Figure:
    """Regions x national clusters of one kind, cell = notes (or top-3 picks).

    ``counts`` is :func:`hbomkb.cluster.cluster_counts`.
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
    with house_style():
        fig = Figure(figsize=(1.0 + 0.75 * table.shape[1], 1.6 + 0.5 * table.shape[0]))
        ax = fig.subplots()
        sns.heatmap(table.astype(float), annot=True, fmt=".0f", cmap="viridis", cbar=True,
                    ax=ax, linewidths=0.5, cbar_kws={"label": label(measure, study)})
        ax.set_xticklabels([_wrap(names.get(c, c), 18) for c in table.columns], rotation=45,
                           ha="right", fontsize=7)
        ax.set_yticklabels([rnames.get(r, r) for r in table.index], rotation=0)
        ax.set(xlabel="", ylabel="")
        ax.set_title(f"{title or label('title_heatmap', study)}: {label(kind, study)} "
                     f"({n_text(int(table.to_numpy().sum()))})")
    return _finish(fig, path)


def quadrant_bubbles(quadrants: pd.DataFrame, study: object | None = None,
                     codebook: pd.DataFrame | None = None, title: str | None = None,
                     path: str | os.PathLike | None = None) -> Figure:
    """National clusters in explore/exploit x short/long; bubble area = weight.

    ``quadrants`` is :func:`hbomkb.score.quadrants` (one kind).
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

    ``common`` is :func:`hbomkb.cluster.common_ground`; ``region`` selects a region or "all".
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
        ax.axvline(0, color="0.3", lw=1)
        lim = max(1.0, float(np.nanmax(np.r_[d["n_hbo"], d["n_mkb"]].astype(float))) if len(d)
                  else 1.0)
        ax.set_xlim(-lim * 1.1, lim * 1.1)
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

    ``consensus`` is :func:`hbomkb.score.ranking_consensus`.
    """
    names = _names(codebook, study)
    roles = list(dict.fromkeys(consensus["role"]))
    with house_style():
        fig = Figure(figsize=(6 * max(1, len(roles)), 0.45 * consensus.groupby("role").size()
                              .max() + 1.8 if len(consensus) else 3))
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
        fig.tight_layout()
    return _finish(fig, path)


def form_heatmaps(scores: pd.DataFrame, role: str, study: object | None = None,
                  codebook: pd.DataFrame | None = None, title: str | None = None,
                  path: str | os.PathLike | None = None) -> Figure:
    """Forms x outcomes of one role: mean current, mean potential and their gap.

    ``scores`` is :func:`hbomkb.score.form_scores`.
    """
    names = _names(codebook, study)
    d = scores[scores["role"] == role]
    with house_style():
        fig = Figure(figsize=(17, 0.45 * d["form"].nunique() + 3))
        axes = fig.subplots(1, 3, sharey=True)
        for ax, col in zip(axes, ("current", "potential", "gap"), strict=True):
            t = d.pivot_table(index="form", columns="outcome", values=col, aggfunc="mean")
            kw = ({"cmap": "vlag", "center": 0} if col == "gap" else
                  {"cmap": "viridis", "vmin": getattr(study, "scale_min", 1),
                   "vmax": getattr(study, "scale_max", 5)})
            sns.heatmap(t, annot=True, fmt=".1f", ax=ax, linewidths=0.5, annot_kws={"size": 7},
                        **kw)
            ax.set_title(label(col, study))
            ax.set_xticklabels([_wrap(names.get(c, c), 16) for c in t.columns], rotation=60,
                               ha="right", fontsize=7)
            ax.set_yticklabels([_wrap(names.get(f, f), 30) for f in t.index], rotation=0,
                               fontsize=7)
            ax.set(xlabel="", ylabel="")
        fig.suptitle(f"{title or label('title_form_scores', study)} - {label(role, study)} "
                     f"({label('respondents', study)}: {n_text(d['n'], label('per_cell', study))})")
        fig.tight_layout()
    return _finish(fig, path)


def form_fit_plot(fit: pd.DataFrame, study: object | None = None,
                  codebook: pd.DataFrame | None = None, title: str | None = None,
                  path: str | os.PathLike | None = None) -> Figure:
    """Each form's importance-weighted mean score, current and potential, with intervals.

    ``fit`` is :func:`hbomkb.score.form_fit`; one panel per role, forms sorted by potential fit.
    """
    names = _names(codebook, study)
    roles = list(dict.fromkeys(fit["role"]))
    with house_style():
        fig = Figure(figsize=(6.5 * max(1, len(roles)), 0.45 * fit["form"].nunique() + 2))
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
        fig.tight_layout()
    return _finish(fig, path)
