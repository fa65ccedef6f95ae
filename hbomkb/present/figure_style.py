"""The house style of the study's figures: text sizes as readers see them, decimal marks,
figure-level legends and coloured grids.

A report shows each figure as a PNG of :data:`DPI` dots per inch, no wider than the content
area of :data:`DISPLAY_WIDTH_PX` CSS pixels (``max-width:100%``). A figure W inches wide is
therefore shown at min(1, 1000 / (W * 200)) of its pixel size, and text of s points in the
figure is seen at s * min(200, 1000 / W) / 96 points (CSS: 96 px to the inch). Sizes here are
those seen sizes (:data:`SMALL_PT`, :data:`TEXT_PT`, :data:`TITLE_PT`); :func:`house_style`
turns them into the point sizes of a figure of a given width, so that every figure reads alike
in a report whatever its size, and no text is seen smaller than :data:`MIN_DISPLAYED_PT`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import matplotlib as mpl
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import text_to_path
from matplotlib.ticker import ScalarFormatter

from hbomkb.labels import language_of
from hbomkb.present.sentences import nummer

DPI = 200  # dots per inch of the saved PNG
DISPLAY_WIDTH_PX = 1000  # width of a report's content area, CSS pixels
CSS_PX_PER_PT = 96 / 72
MIN_DISPLAYED_PT = 8.0  # no text of a figure is seen smaller in a report
# Seen sizes, in points: small text (point labels, cell numbers, legends, category names on
# an axis), other text (axis labels, numbers on an axis) and every title (panel and figure
# alike). Titles stay below the report's headings: its body text is 14 px (10.5 pt), a section
# heading (h3) 1.44 times that (15.1 pt).
SMALL_PT = 9.0
TEXT_PT = 10.0
TITLE_PT = 12.5


def shown_px_per_pt(width_in: float) -> float:
    """CSS pixels on screen per point of text in a figure ``width_in`` inches wide."""
    return min(DPI, DISPLAY_WIDTH_PX / width_in) / 72


def displayed_pt(size_pt: float, width_in: float) -> float:
    """The size (points) at which text of ``size_pt`` points in a figure ``width_in`` inches
    wide is seen in a report."""
    return size_pt * shown_px_per_pt(width_in) / CSS_PX_PER_PT


def figure_pt(seen_pt: float, width_in: float) -> float:
    """The point size in a figure ``width_in`` inches wide of text seen at ``seen_pt``."""
    return seen_pt * CSS_PX_PER_PT / shown_px_per_pt(width_in)


@contextmanager
def house_style(width: float | None = None) -> Iterator[None]:
    """Seaborn whitegrid look, for the duration of a block only, with text sizes for a figure
    ``width`` inches wide (matplotlib's default width when not given) that are seen in a report
    at :data:`SMALL_PT`, :data:`TEXT_PT` and :data:`TITLE_PT`."""
    w = width or mpl.rcParamsDefault["figure.figsize"][0]
    small, text, title = (figure_pt(s, w) for s in (SMALL_PT, TEXT_PT, TITLE_PT))
    # Titles at a fixed height: left to itself (axes.titley None), matplotlib measures every
    # tick label on each draw to keep titles clear of labels on top, and no figure puts any there.
    # Labels are text from data: "$5 of $10" is not a formula (no mathtext, no TeX).
    rc = {"text.parse_math": False, "text.usetex": False, "svg.fonttype": "none",
          "axes.titley": 1.0, "axes.titlesize": title, "axes.titleweight": "bold",
          "figure.titlesize": title, "figure.titleweight": "bold", "font.size": text,
          "axes.labelsize": text, "xtick.labelsize": text, "ytick.labelsize": text,
          "legend.fontsize": small, "legend.title_fontsize": small}
    with sns.axes_style("whitegrid"), mpl.rc_context(rc):
        yield


def small_size(fig: Figure) -> float:
    """The point size of small text (point labels, cell numbers) in ``fig``."""
    return figure_pt(SMALL_PT, fig.get_figwidth())


# ---------------------------------------------------------------------------------------------
# Numbers


def decimal_sign(study: object | None) -> str:
    """The study's decimal mark: a comma in Dutch, a point in English."""
    return "," if language_of(study) == "nl" else "."


def number(value: float, study: object | None, decimals: int = 1) -> str:
    """``value`` with ``decimals`` decimals and the study's decimal mark ("0,9" or "0.9"),
    written by :func:`hbomkb.present.sentences.nummer`."""
    return nummer(value, decimals).replace(",", decimal_sign(study))


class DecimalFormatter(ScalarFormatter):
    """Matplotlib's numbers on an axis (same ticks, same decimals), with the study's decimal
    mark."""

    def __init__(self, study: object | None):
        super().__init__(useOffset=False)
        self.sign = decimal_sign(study)

    def __call__(self, x, pos=None) -> str:
        return super().__call__(x, pos).replace(".", self.sign)


def decimal_ticks(fig: Figure, study: object | None) -> None:
    """Give every numeric axis of ``fig`` (colour bars included) the study's decimal mark.

    Axes with their own formatter (category names, counts without sign) keep it.
    """
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if type(axis.get_major_formatter()) is ScalarFormatter:
                axis.set_major_formatter(DecimalFormatter(study))


# ---------------------------------------------------------------------------------------------
# Legends


def figure_legend(fig: Figure, order: Iterable[str] = (), ncols: int | None = None,
                  **kwargs) -> mpl.legend.Legend | None:
    """One legend for the whole figure, outside every panel (below them), listing each
    labelled thing drawn in any panel once: the legend of every panel together.

    ``order`` lists labels that come first, in that order (classes in their natural order);
    the rest follow as drawn. Needs constrained layout, which makes room for it. Returns None
    when nothing drawn has a label.
    """
    found: dict[str, object] = {}
    for ax in fig.axes:
        for handle, text in zip(*ax.get_legend_handles_labels(), strict=True):
            found.setdefault(text, handle)
    if not found:
        return None
    first = [t for t in order if t in found]
    texts = first + [t for t in found if t not in first]
    return fig.legend([found[t] for t in texts], texts, loc="outside lower center",
                      ncols=ncols or _legend_columns(fig, texts), frameon=False, **kwargs)


def _legend_columns(fig: Figure, texts: list[str]) -> int:
    """As many columns as fit across the figure: all entries on one row when they fit, else the
    fewest rows that do (matplotlib fills the columns top to bottom)."""
    font = FontProperties(size=mpl.rcParams["legend.fontsize"])
    size = font.get_size_in_points()
    # each entry: its marker or line (2 em), the gap to its text (0.8 em), the text and the
    # space to the next entry (2 em), in points
    widths = [text_to_path.get_text_width_height_descent(t, font, ismath=False)[0]
              + 4.8 * size for t in texts]
    room = fig.get_figwidth() * 72 * 0.95
    for rows in range(1, len(texts) + 1):
        cols = -(-len(texts) // rows)
        if sum(sorted(widths, reverse=True)[:cols]) <= room:
            return cols
    return 1


# ---------------------------------------------------------------------------------------------
# Coloured grids


def luminance(rgba: np.ndarray) -> np.ndarray:
    """Relative luminance (WCAG) of RGBA colours: dark text on light cells, light on dark."""
    rgb = rgba[..., :3]
    rgb = np.where(rgb <= 0.03928, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return rgb @ np.array([0.2126, 0.7152, 0.0722])


def fitted_norm(values: np.ndarray) -> tuple[mpl.colors.Normalize, str]:
    """A colour scale for differences fitted to ``values``, and where it is anchored.

    With values of both signs, a diverging scale centred on 0 reaching the largest difference
    ("both"); with one sign only, a scale from the smallest to the largest value ("positive" or
    "negative"), so the colours spread over the differences there are.
    """
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return mpl.colors.Normalize(-1.0, 1.0), "both"
    lo, hi = float(v.min()), float(v.max())
    if lo < 0 < hi:
        reach = max(-lo, hi)
        return mpl.colors.Normalize(-reach, reach), "both"
    if lo == hi:  # one value: a scale around it
        lo, hi = lo - 0.5, hi + 0.5
    return mpl.colors.Normalize(lo, hi), "negative" if hi <= 0 else "positive"


def difference_cmap(side: str) -> mpl.colors.Colormap:
    """The colours of a difference scale: seaborn's diverging "vlag" (blue below 0, red above)
    for "both", its red half for "positive" and its blue half (darkest at the most negative)
    for "negative"."""
    vlag = sns.color_palette("vlag", as_cmap=True)
    if side == "both":
        return vlag
    if side == "positive":
        return sns.light_palette(vlag(1.0), as_cmap=True)
    return sns.light_palette(vlag(0.0), as_cmap=True).reversed()


def heatmap(ax, table: pd.DataFrame, cmap, norm=None, xlabels=None, ylabels=None,
            annot: int | None = None, annot_size: float = 7, study: object | None = None):
    """``table`` as a grid of coloured cells, first row on top, like ``seaborn.heatmap``.

    ``annot`` is a number of decimals to write each value in its cell with (in the study's
    decimal mark). seaborn.heatmap draws the whole figure once more to check whether tick labels
    overlap; here the caller gives them. Returns the mesh (for a colour bar).
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
    if annot is not None:
        light = luminance(mesh.cmap(mesh.norm(values))) <= 0.408
        for (i, j), v in np.ndenumerate(values):
            if np.isfinite(v):
                # inside its cell: nothing the layout or the tight box must make room for
                ax.text(j + 0.5, i + 0.5, number(v, study, annot), ha="center", va="center",
                        fontsize=annot_size, color="white" if light[i, j] else "0.15",
                        in_layout=False)
    return mesh
