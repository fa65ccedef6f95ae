"""Every figure of the demo study, as a report shows it: legends name every class drawn and sit
outside the panels, no text is seen under 8 pt, and numbers carry the study's decimal mark."""

from __future__ import annotations

import dataclasses
import inspect
import re

import matplotlib.colors
import matplotlib.text
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.container import BarContainer, ErrorbarContainer
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from hbomkb.analysis import cluster, score, survey_scores
from hbomkb.config import RAW_DIR, load_study
from hbomkb.inputs import build, survey
from hbomkb.present import figure_style, plots

# savefig's margin around the tight box (inches, each side), as plots.save writes the PNG
PAD_IN = 0.1


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo study and its processed tables (data/raw/demo, or generated when absent)."""
    root = RAW_DIR / "demo"
    if not (root / "study.yaml").exists():
        from hbomkb.demo.generator import generate

        root = generate(tmp_path_factory.mktemp("demo") / "demo")
    st = load_study(root)
    return st, build.load_tables(st)


def demo_figures(st, t, variants: bool = True) -> dict[str, Figure]:
    """Each figure function of plots.py on the demo, as the reports call it, laid out at the
    PNG's resolution; with ``variants`` also the landscape of one region's workshop and of the
    survey, and the comparison of one region (the national landscape has both sides)."""
    cb = t["codebook_clusters"]
    answers = survey.analysable(t, st)
    scores, rankings = answers["scores"], answers["rankings"]
    region = st.region_slugs[0]
    ratings = t["outcome_ratings"]
    common = cluster.common_ground(t)
    figs = {
        "opportunity_landscape": plots.opportunity_landscape(
            score.odi(ratings, st, scope="national", n_boot=0), st, codebook=cb),
        "top3_bars": plots.top3_bars(score.top3(t), st),
        "region_heatmap": plots.region_heatmap(cluster.cluster_counts(t), "form", study=st,
                                               codebook=cb),
        "quadrant_bubbles": plots.quadrant_bubbles(score.quadrants(t, "form", study=st), st,
                                                   cb),
        "side_comparison": plots.side_comparison(common, st),
        "ranking_plot": plots.ranking_plot(survey_scores.ranking_consensus(rankings, st), st,
                                           cb),
        "form_heatmaps": plots.form_heatmaps(survey_scores.form_scores(scores), "hbo", st, cb),
        "form_fit_plot": plots.form_fit_plot(survey_scores.form_fit(scores, rankings, st), st,
                                             cb),
    }
    if variants:
        figs |= {
            "opportunity_landscape region": plots.opportunity_landscape(
                score.odi(ratings[ratings["region"] == region], st, n_boot=0), st,
                point_label="cluster"),
            "opportunity_landscape survey": plots.opportunity_landscape(
                survey_scores.survey_landscape(scores, rankings, st), st, cb),
            "side_comparison region": plots.side_comparison(
                common[common["region"] == region], st, region=region),
        }
    for fig in figs.values():  # laid out, ticks chosen and written; no pixels needed
        FigureCanvasAgg(fig)
        fig.set_dpi(figure_style.DPI)
        fig.draw_without_rendering()
    return figs


@pytest.fixture(scope="module")
def dutch(demo):
    st, t = demo
    return demo_figures(st, t)


@pytest.fixture(scope="module")
def english(demo):
    st, t = demo
    return demo_figures(dataclasses.replace(st, language="en"), t, variants=False)


def test_every_figure_function_is_rendered_here(dutch):
    made = {name.split()[0] for name in dutch}
    functions = {name for name, f in inspect.getmembers(plots, inspect.isfunction)
                 if f.__module__ == plots.__name__ and not name.startswith("_")
                 and inspect.signature(f).return_annotation in (Figure, "Figure")}
    assert functions and functions == made


# ---------------------------------------------------------------------------------------------
# Legends


def _rgb(colour) -> tuple[float, ...]:
    return tuple(np.round(matplotlib.colors.to_rgb(colour), 3))


def drawn_colours(ax) -> set[tuple[float, ...]]:
    """The colours of the marks that stand for data on ``ax``: scatter points, bars and the
    points of point-and-interval plots (not grids, reference lines, interval caps or coloured
    cells)."""
    caps = {id(cap) for c in ax.containers if isinstance(c, ErrorbarContainer) for cap in c[1]}
    out = set()
    for c in ax.collections:
        if isinstance(c, PathCollection) and len(c.get_offsets()):
            out |= {_rgb(f) for f in c.get_facecolors()}
    for container in ax.containers:
        if isinstance(container, BarContainer):
            out |= {_rgb(p.get_facecolor()) for p in container.patches}
    for line in ax.get_lines():
        if (line.get_marker() not in (None, "", "None", " ") and len(line.get_xdata())
                and id(line) not in caps):
            out.add(_rgb(line.get_markerfacecolor()))
    return out


def handle_colours(legend) -> set[tuple[float, ...]]:
    out = set()
    for h in legend.legend_handles:
        if isinstance(h, PathCollection):
            out |= {_rgb(f) for f in h.get_facecolors()}
        elif isinstance(h, Rectangle):
            out.add(_rgb(h.get_facecolor()))
        elif isinstance(h, Line2D):
            out |= {_rgb(h.get_color()), _rgb(h.get_markerfacecolor())}
        elif isinstance(h, LineCollection):  # a point with its interval
            out |= {_rgb(c) for c in h.get_colors()}
    return out


def legends(fig) -> list:
    return list(fig.legends) + [ax.get_legend() for ax in fig.axes if ax.get_legend()]


def test_legends_list_every_class_drawn_in_any_panel(dutch):
    for name, fig in dutch.items():
        found = legends(fig)
        texts = {t.get_text() for leg in found for t in leg.get_texts()}
        colours = set().union(*(handle_colours(leg) for leg in found))
        for ax in fig.axes:
            labelled = set(ax.get_legend_handles_labels()[1])
            assert labelled <= texts, (name, ax.get_title(), labelled - texts)
            drawn = drawn_colours(ax)
            if found:
                assert drawn <= colours, (name, ax.get_title(), drawn - colours)
            else:  # without a legend, a panel shows one class, named by its title
                assert len(drawn) <= 1, (name, ax.get_title(), drawn)


def test_the_landscape_legend_holds_the_classes_of_both_sides(dutch):
    # the demo's first region: hbo has no overserved cluster, mkb has
    fig = dutch["opportunity_landscape region"]
    hbo, mkb = ([c.get_label() for c in ax.collections if isinstance(c, PathCollection)]
                for ax in fig.axes)
    assert "overbediend" not in hbo and "overbediend" in mkb
    assert len(fig.legends) == 1 and all(ax.get_legend() is None for ax in fig.axes)
    texts = [t.get_text() for t in fig.legends[0].get_texts()]
    assert set(texts) == set(hbo) | set(mkb) | {"S = I", "O = 10", "O = 12", "O = 15"}
    # classes in their natural order
    assert texts[:3] == ["onderbediend", "goed bediend", "overbediend"]


def test_legends_sit_outside_every_panel(dutch):
    for name, fig in dutch.items():
        renderer = fig.canvas.get_renderer()
        for leg in legends(fig):
            box = leg.get_window_extent(renderer)
            for ax in fig.axes:
                assert not box.overlaps(ax.get_window_extent(renderer)), (name, ax.get_title())


# ---------------------------------------------------------------------------------------------
# Text size as shown in a report


def shown_pt(fig) -> list[tuple[float, str]]:
    """(size seen in a report in points, text) of every visible text of ``fig``.

    The PNG is the figure's tight box plus savefig's margin at 200 dpi; the report shows it no
    wider than 1000 CSS px, so text of s points is seen at s * 200/72 px times
    min(1, 1000 / PNG width), and 96 CSS px make an inch of 72 points.
    """
    renderer = fig.canvas.get_renderer()
    png_px = (fig.get_tightbbox(renderer).width + 2 * PAD_IN) * figure_style.DPI
    scale = min(1.0, figure_style.DISPLAY_WIDTH_PX / png_px)
    out = []
    for t in fig.findobj(matplotlib.text.Text):
        if t.get_visible() and t.get_text().strip():
            css_px = t.get_fontsize() * figure_style.DPI / 72 * scale
            out.append((css_px * 72 / 96, t.get_text()))
    return out


def test_no_text_is_seen_under_8_points(dutch):
    for name, fig in dutch.items():
        sizes = shown_pt(fig)
        assert sizes, name
        small = [(round(s, 2), text) for s, text in sizes if s < 8.0]
        assert not small, (name, small[:5])


def test_titles_are_seen_at_one_size_below_the_report_headings(dutch):
    # a report's body text is 14 px, a section heading (h3) 1.44 times that: 15.1 pt
    seen = set()
    for name, fig in dutch.items():
        width = fig.get_figwidth()
        titles = [fig._suptitle] if fig._suptitle else []
        titles += [ax.title for ax in fig.axes] + [ax._left_title for ax in fig.axes]
        for t in titles:
            if t.get_text():
                seen.add(round(figure_style.displayed_pt(t.get_fontsize(), width), 2))
                assert t.get_fontsize() == pytest.approx(
                    figure_style.figure_pt(figure_style.TITLE_PT, width)), (name, t.get_text())
    assert len(seen) == 1 and seen.pop() < 1.44 * 14 * 72 / 96


# ---------------------------------------------------------------------------------------------
# Decimal marks

NUMBER = re.compile(r"^[−-]?\d+(?:[.,]\d+)?$")


def numbers_shown(fig) -> list[str]:
    """The numbers of ``fig`` as written: tick labels of every axis (colour bars too) and
    numbers in cells or at points."""
    out = []
    for ax in fig.axes:
        for t in ax.get_xticklabels() + ax.get_yticklabels():
            out.append(t.get_text())
        out += [t.get_text() for t in ax.texts]
    return [s.strip() for s in out if NUMBER.match(s.strip())]


@pytest.mark.parametrize(("language", "mark", "other"), [("nl", ",", "."), ("en", ".", ",")])
def test_numbers_use_the_study_decimal_mark(request, language, mark, other):
    figs = request.getfixturevalue("dutch" if language == "nl" else "english")
    fractions = 0
    for name, fig in figs.items():
        for text in numbers_shown(fig):
            assert other not in text, (name, text)
            fractions += mark in text
    # the demo's figures do show fractions (mean ranks, colour bars, gaps in cells)
    assert fractions > 10


def test_english_figures_speak_english(english):
    titles = " ".join(t.get_text() for fig in english.values()
                      for t in fig.findobj(matplotlib.text.Text))
    for dutch_word in ("Kansenlandschap", "huidige situatie", "notities", "respondenten",
                       "onderbediend", "gelijke stand", "tevredenheid"):
        assert dutch_word not in titles, dutch_word
    assert "Opportunity landscape" in titles and "current situation" in titles
