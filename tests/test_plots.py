"""Every figure saves as PNG and SVG, states n in its title and speaks the study's language."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib
import matplotlib.figure
import numpy as np
import pandas as pd
import pytest

from hbomkb.analysis import cluster, score
from hbomkb.config import RAW_DIR, Region, Study, load_study
from hbomkb.inputs import build
from hbomkb.present import plots


def study(language="nl") -> Study:
    return Study(root=Path("/tmp/hbomkb-plot-study"), name="t", title="t", language=language,
                 regions=(Region("noord", "Noord"), Region("oost", "Oost")))


CODEBOOK = pd.DataFrame({
    "kind": ["outcome_hbo", "outcome_hbo", "outcome_mkb", "outcome_mkb", "form", "form"],
    "code": ["H01", "H02", "M01", "M02", "F01", "F02"],
    "label_nl": ["Stageplekken", "Onderzoek", "Innovatie", "Talent", "Studentprojecten", "Labs"],
    "label_en": ["Internships", "Research", "Innovation", "Talent", "Student projects", "Labs"],
    "explore": ["exploit", "explore", "explore", "exploit", "exploit", "explore"],
    "term": ["short", "long", "long", "short", "short", "long"],
})

ODI = pd.DataFrame({"role": "hbo", "region": "noord", "cluster": ["a", "b", "c"],
                    "code": ["H01", "H02", "H01"], "n": [4, 4, 3], "I": [10, 5, 6.67],
                    "S": [2.5, 7.5, 6.67], "O": [17.5, 5, 6.67],
                    "served": ["underserved", "overserved", "properly_served"]})


def all_figures(st):
    top3 = pd.DataFrame({"region": ["noord"] * 2 + ["oost"], "role": ["hbo", "mkb", "hbo"],
                         "rank": [1, 1, 1], "cluster": ["a", "b", "c"],
                         "code": ["H01", "M01", "H02"], "n": [5, 3, 2]})
    counts = pd.DataFrame({"kind": "outcome_hbo", "region": ["noord", "oost", "all"],
                           "code": ["H01", "H02", "H01"], "measure": "notes", "n": [5, 2, 5],
                           "share": [1.0, 1.0, 0.7]})
    quads = pd.DataFrame({"kind": "form", "code": ["F01", "F02"], "explore": ["exploit",
                                                                             "explore"],
                          "term": ["short", "long"], "weight": [10.0, 4.0], "n": [10, 4],
                          "weight_type": "frequency"})
    common = pd.DataFrame({"region": "all", "pairing": "theme", "key": ["talent", "innovatie"],
                           "hbo_codes": ["H01", ""], "mkb_codes": ["M02", "M01"],
                           "hbo": [True, False], "mkb": [True, True], "common": [True, False],
                           "n_hbo": [3, 0], "n_mkb": [2, 4], "regions_common": [1, 0]})
    cons = pd.DataFrame({"role": ["hbo", "hbo", "mkb", "mkb"],
                         "code": ["H01", "H02", "M01", "M02"], "mean_rank": [1.4, 1.6, 1.2, 1.8],
                         "ci_low": [1.2, 1.4, 1.0, 1.6], "ci_high": [1.6, 1.8, 1.4, 2.0],
                         "n": [20, 20, 30, 30]})
    fs = pd.DataFrame({"role": "hbo", "form": ["F01", "F01", "F02", "F02"],
                       "outcome": ["H01", "H02", "H01", "H02"], "current": [2.0, 3, 2.5, 3.5],
                       "potential": [4.0, 4, 3, 3], "gap": [2.0, 1, 0.5, -0.5],
                       "n": [12, 12, 11, 12]})
    fit = pd.DataFrame({"role": "hbo", "form": ["F01", "F01", "F02", "F02"],
                        "scale": ["current", "potential"] * 2, "fit": [2.5, 4.0, 3.0, 3.2],
                        "ci_low": [2.2, 3.7, 2.7, np.nan], "ci_high": [2.8, 4.3, 3.3, np.nan],
                        "n": [12, 12, 12, 12]})
    return {
        "landscape": plots.opportunity_landscape(ODI, st, codebook=CODEBOOK),
        "top3": plots.top3_bars(top3, st),
        "heatmap": plots.region_heatmap(counts, "outcome_hbo", study=st, codebook=CODEBOOK),
        "quadrants": plots.quadrant_bubbles(quads, st, codebook=CODEBOOK),
        "comparison": plots.side_comparison(common, st),
        "ranking": plots.ranking_plot(cons, st, codebook=CODEBOOK),
        "forms": plots.form_heatmaps(fs, "hbo", st, codebook=CODEBOOK),
        "fit": plots.form_fit_plot(fit, st, codebook=CODEBOOK),
    }


def titles(fig) -> str:
    parts = [fig._suptitle.get_text() if fig._suptitle else ""]
    parts += [ax.get_title() for ax in fig.axes] + [ax.get_title("left") for ax in fig.axes]
    return " | ".join(parts)


def test_every_figure_states_n_in_its_title():
    figs = all_figures(study())
    for name, fig in figs.items():
        assert re.search(r"\bn = \d+", titles(fig)), name


def test_n_text_reports_a_range_when_n_differs():
    assert plots.n_text([4, 4]) == "n = 4"
    assert plots.n_text([3, 4], "per punt") == "n = 3-4 per punt"


def test_save_writes_png_at_200_dpi_and_svg(tmp_path):
    fig = plots.opportunity_landscape(ODI, study(), path=tmp_path / "sub" / "landscape.png")
    png, svg = tmp_path / "sub" / "landscape.png", tmp_path / "sub" / "landscape.svg"
    assert png.stat().st_size > 1000 and svg.read_text().lstrip().startswith("<?xml")
    from PIL import Image

    dpi = Image.open(png).info.get("dpi")
    assert dpi is not None and round(dpi[0]) == 200
    w_in = fig.get_size_inches()[0]
    assert Image.open(png).size[0] > 0.5 * w_in * 200  # tight bbox trims a little, not half
    # a path without suffix works too
    plots.top3_bars(pd.DataFrame({"region": ["noord"], "role": ["hbo"], "rank": [1],
                                  "cluster": ["a"], "code": ["H01"], "n": [2]}),
                    study(), path=tmp_path / "top3")
    assert (tmp_path / "top3.png").exists() and (tmp_path / "top3.svg").exists()


def test_landscape_draws_diagonal_and_iso_opportunity_lines():
    fig = plots.opportunity_landscape(ODI, study())
    ax = fig.axes[0]
    lines = {ln.get_label(): ln for ln in ax.get_lines()}
    assert set(lines) >= {"S = I", "O = 10", "O = 12", "O = 15"}
    x, y = lines["O = 12"].get_data()
    assert np.allclose(y, 2 * np.asarray(x) - 12)
    assert ax.get_xlim() == (0, 10) and ax.get_ylim() == (0, 10)
    # points coloured by served class, with the class names in Dutch, in one legend of the
    # figure outside the panel
    assert ax.get_legend() is None and len(fig.legends) == 1
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert {"onderbediend", "overbediend", "goed bediend"} <= set(legend)


def test_labels_follow_the_study_language():
    nl = all_figures(study("nl"))
    en = all_figures(study("en"))
    assert "Kansenlandschap" in titles(nl["landscape"])
    assert "Opportunity landscape" in titles(en["landscape"])
    ticks_en = [t.get_text() for t in en["ranking"].axes[0].get_yticklabels()]
    assert "Internships" in ticks_en
    ticks_nl = [t.get_text() for t in nl["ranking"].axes[0].get_yticklabels()]
    assert "Stageplekken" in ticks_nl


def test_no_global_state_is_left_behind():
    import matplotlib.pyplot as plt

    before = (matplotlib.get_backend(), plt.get_fignums(), dict(matplotlib.rcParams))
    all_figures(study())
    after = (matplotlib.get_backend(), plt.get_fignums(), dict(matplotlib.rcParams))
    assert before[0] == after[0] and before[1] == after[1]
    assert before[2] == after[2]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo study and its processed tables (data/raw/demo, or generated when absent)."""
    root = RAW_DIR / "demo"
    if not (root / "study.yaml").exists():
        from hbomkb.demo.generator import generate

        root = generate(tmp_path_factory.mktemp("demo") / "demo")
    st = load_study(root)
    return st, build.load_tables(st)


def test_demo_landscape_saves_with_the_segment_n(demo, tmp_path):
    st, t = demo
    odi = score.odi(t["outcome_ratings"], st, scope="national", n_boot=0)
    seg = odi[odi["role"] == "mkb"]
    fig = plots.opportunity_landscape(seg, st, codebook=t["codebook_clusters"],
                                      path=tmp_path / "landscape")
    assert (tmp_path / "landscape.png").exists() and (tmp_path / "landscape.svg").exists()
    assert plots.n_text(seg["n"], "per punt") in fig.axes[0].get_title()
    assert "mkb" in fig.axes[0].get_title()


# Pixel sizes of the demo's report figures as saved before the figures used constrained layout
# (laid out by hand then, and cropped by the package's own PNG writer); the comparison and the
# landscape have since grown by their legend, now below the panels instead of on the data.
DEMO_SIZES = {"top3": (1949, 2295), "heatmap": (1774, 841), "comparison": (1383, 923),
              "quadrants": (1446, 1251), "landscape": (2356, 1347)}


def test_demo_figures_keep_their_size(demo, tmp_path):
    st, t = demo
    cb = t["codebook_clusters"]
    noord = t["outcome_ratings"][t["outcome_ratings"]["region"] == "noord"]
    figures = {
        "top3": plots.top3_bars(score.top3(t), st),
        "heatmap": plots.region_heatmap(cluster.cluster_counts(t), "form", study=st,
                                        codebook=cb),
        "comparison": plots.side_comparison(cluster.common_ground(t), st),
        "quadrants": plots.quadrant_bubbles(score.quadrants(t, "form", study=st), st, cb),
        "landscape": plots.opportunity_landscape(score.odi(noord, st, n_boot=0), st,
                                                 point_label="cluster"),
    }
    for name, fig in figures.items():
        png, _ = plots.save(fig, tmp_path / name)
        got, before = _png_size(png), DEMO_SIZES[name]
        for now, then in zip(got, before, strict=True):
            assert abs(now / then - 1) < 0.04, (name, got, before)


def _texts_in_cells(ax) -> list[str]:
    return [t.get_text() for t in ax.texts]


def test_form_heatmaps_number_the_gap_and_share_one_scale_for_current_and_potential():
    fig = all_figures(study())["forms"]
    panels = {ax.get_title(): ax for ax in fig.axes if ax.get_title()}
    current, potential, gap = (panels[t] for t in ("huidige situatie", "potentiële situatie",
                                                   "verschil (potentieel - huidig)"))
    # the gap panel carries every mean gap (F01: 2.0, 1.0; F02: 0.5, -0.5), with a decimal
    # comma; the others none: their numbers are in the table shown beside the figure
    assert sorted(_texts_in_cells(gap)) == sorted(["2,0", "1,0", "0,5", "-0,5"])
    assert _texts_in_cells(current) == [] and _texts_in_cells(potential) == []
    # current and potential on one scale fitted to their means (2.0-4.0, within the answer
    # scale 1-5); the gap, of both signs, centred on 0 and reaching the largest gap
    for ax in (current, potential):
        norm = ax.collections[0].norm
        assert (norm.vmin, norm.vmax) == (2, 4)
    gap_norm = gap.collections[0].norm
    assert gap_norm.vmin == -gap_norm.vmax == -2.0
    # rows top to bottom in form order, columns in outcome order, with codebook labels
    assert [t.get_text() for t in current.get_yticklabels()] == ["Studentprojecten", "Labs"]
    assert [t.get_text() for t in gap.get_xticklabels()] == ["Stageplekken", "Onderzoek"]


def test_form_gap_scale_fits_gaps_of_one_sign():
    fs = pd.DataFrame({"role": "hbo", "form": ["F01", "F01", "F02", "F02"],
                       "outcome": ["H01", "H02", "H01", "H02"], "current": [2.0, 3, 2.5, 3.5],
                       "potential": [2.4, 4, 3.4, 4.2], "gap": [0.4, 1.0, 0.9, 0.7],
                       "n": [12, 12, 11, 12]})
    fig = plots.form_heatmaps(fs, "hbo", study(), codebook=CODEBOOK)
    gap = next(ax for ax in fig.axes if ax.get_title().startswith("verschil"))
    mesh = gap.collections[0]
    # all gaps positive (0.4-1.0): the scale runs from the smallest to the largest, not -1..1,
    # so the smallest and the largest gap get the two ends of the colour scale
    assert (mesh.norm.vmin, mesh.norm.vmax) == (0.4, 1.0)
    assert mesh.norm(0.4) == 0 and mesh.norm(1.0) == 1
    # and one gap below 0 makes it diverging again, centred on 0
    fs.loc[0, "gap"] = -0.2
    gap = next(ax for ax in plots.form_heatmaps(fs, "hbo", study()).axes
               if ax.get_title().startswith("verschil"))
    assert gap.collections[0].norm.vmin == -gap.collections[0].norm.vmax == -1.0


def test_heatmap_numbers_contrast_with_their_cell():
    counts = pd.DataFrame({"kind": "outcome_hbo", "region": ["noord", "oost", "noord"],
                           "code": ["H01", "H01", "H02"], "measure": "notes", "n": [9, 0, 4],
                           "share": 1.0})
    fig = plots.region_heatmap(counts, "outcome_hbo", study=study(), codebook=CODEBOOK)
    texts = fig.axes[0].texts
    # every cell numbered: noord 9 and 4 notes, oost none (an empty cell shows 0)
    assert sorted(t.get_text() for t in texts) == ["0", "0", "4", "9"]
    colour = {t.get_text(): matplotlib.colors.to_rgb(t.get_color()) for t in texts}
    # viridis: 0 is dark purple (light text), the maximum bright yellow (dark text)
    assert colour["0"] == (1.0, 1.0, 1.0)
    assert max(colour["9"]) < 0.3


def test_top3_panels_share_one_scale_of_notes():
    fig = all_figures(study())["top3"]
    limits = {ax.get_xlim() for ax in fig.axes}
    assert len(limits) == 1 and limits.pop()[1] >= 5  # the longest bar (5 notes) fits


def _png_size(path) -> tuple[int, int]:
    from PIL import Image

    with Image.open(path) as im:
        return im.size


def test_saved_figures_show_their_tight_box_at_200_dpi(tmp_path):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    for name, fig in all_figures(study()).items():
        png, svg = plots.save(fig, tmp_path / name)
        canvas = FigureCanvasAgg(fig)
        fig.set_dpi(200)  # measured as drawn for the PNG
        canvas.draw()
        box = fig.get_tightbbox(canvas.get_renderer())
        # everything drawn plus savefig's margin of 0.1 in, at 200 dpi; the SVG as large
        got = _png_size(png)
        assert abs(got[0] - 200 * (box.width + 0.2)) <= 2, (name, got, box)
        assert abs(got[1] - 200 * (box.height + 0.2)) <= 2, (name, got, box)
        svg_w = float(re.search(r'width="([\d.]+)pt"', svg.read_text()[:2000]).group(1))
        assert svg_w == pytest.approx(got[0] / 200 * 72, rel=0.03), name  # text at 72 dpi
        # constrained layout fills the figure up to its pads of 3 points on each side
        w, h = fig.get_size_inches()
        assert box.width > w - 0.15 and box.height > h - 0.15, (name, box.bounds, (w, h))
    fig = all_figures(study())["ranking"]
    plots.save(fig, tmp_path / "again")
    # saving leaves the figure as it was: same canvas, same dpi
    assert type(fig.canvas).__name__ == "FigureCanvasBase" and fig.dpi == 100


def test_nothing_is_cut_off_when_a_label_sticks_out(tmp_path):
    fig = matplotlib.figure.Figure(figsize=(3, 2))
    ax = fig.subplots()
    ax.set_yticks([0, 1], ["a label far longer than the figure is wide", "b"])
    png, _ = plots.save(fig, tmp_path / "outside")
    assert _png_size(png)[0] > 3 * 200  # the tight box reaches out to the label


def test_the_same_figure_saves_to_the_same_bytes(tmp_path):
    first = plots.save(all_figures(study())["landscape"], tmp_path / "a" / "landscape")
    second = plots.save(all_figures(study())["landscape"], tmp_path / "b" / "landscape")
    for one, two in zip(first, second, strict=True):
        assert one.read_bytes() == two.read_bytes(), one.name
    svg = first[1].read_text()
    assert "<dc:date>" not in svg and "Matplotlib v" not in svg
    from PIL import Image

    with Image.open(first[0]) as im:
        assert "Software" not in im.info and round(im.info["dpi"][0]) == 200


def test_landscape_title_names_the_region_not_its_slug():
    title = plots.opportunity_landscape(ODI, study()).axes[0].get_title()
    assert "Noord" in title and "noord" not in title


def test_count_axes_show_whole_numbers_only():
    common = pd.DataFrame({"region": "noord", "pairing": "theme", "key": ["talent", "kennis"],
                           "common": [False, False], "n_hbo": [1, 0], "n_mkb": [0, 2]})
    fig = plots.side_comparison(common, study(), region="noord")
    fig.canvas.draw()
    ticks = fig.axes[0].get_xticks()
    assert len(ticks) >= 3 and all(float(v).is_integer() for v in ticks)


def test_landscape_labels_do_not_cover_each_other_and_sides_get_a_panel_each():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text

    # five clusters crowded around one spot, and a second side
    crowd = pd.DataFrame({"role": "mkb", "region": "noord",
                          "cluster": [f"cluster met een lange naam {k}" for k in range(5)],
                          "code": [f"M0{k}" for k in range(5)],
                          "I": [0.0, 0.4, 0.8, 1.0, 1.2], "S": [1.2, 1.3, 1.6, 2.0, 1.7],
                          "O": 1.0, "served": "overserved", "n": 20})
    odi = pd.concat([ODI, crowd], ignore_index=True)
    fig = plots.opportunity_landscape(odi, study(), point_label="cluster")
    assert len(fig.axes) == 2
    assert fig.axes[0].get_xlim() == fig.axes[1].get_xlim() == (0, 10)
    assert [ax.get_title().split(" (")[0] for ax in fig.axes] == ["hbo", "mkb"]
    canvas = FigureCanvasAgg(fig)
    canvas.draw()  # lays the square panels out
    renderer = canvas.get_renderer()
    # the words only: an annotation's own extent also holds its leader line
    boxes = [Text.get_window_extent(t, renderer) for t in fig.axes[1].texts]
    assert len(boxes) == 5
    for a in range(len(boxes)):
        for b in range(a + 1, len(boxes)):
            assert not boxes[a].overlaps(boxes[b]), (fig.axes[1].texts[a].get_text(),
                                                     fig.axes[1].texts[b].get_text())
