"""Small groups stay anonymous: a region side with fewer participants than min_group_size
shows no ratings per cluster, in tables, text or figures."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from openpyxl import load_workbook

from hbomkb.analysis import score
from hbomkb.cli import main
from hbomkb.config import load_study
from hbomkb.inputs.build import build
from hbomkb.present import narrative, plots
from hbomkb.present import tables as T


@pytest.fixture(scope="module")
def noord(small_study_master):
    study = load_study(small_study_master)
    tables = build(study).tables
    region = {name: T.only(tables[name], region="noord")
              for name in ("participants", "outcome_ratings")}
    return study, tables, region


def _without(df: pd.DataFrame, people: list[str]) -> pd.DataFrame:
    return df[~df["participant"].isin(people)].reset_index(drop=True)


def test_a_side_below_min_group_size_shows_no_ratings(noord):
    study, _, region = noord
    # one hbo participant left: today their own I, S and O per cluster would show
    people = _without(region["participants"], ["HBO-B", "HBO-C", "HBO-D"])
    ratings = _without(region["outcome_ratings"], ["HBO-B", "HBO-C", "HBO-D"])
    odi = score.odi(ratings, study)
    assert (odi["role"] == "hbo").any() and odi.loc[odi["role"] == "hbo", "n"].max() == 1
    assert T.small_sides(people, study) == ["hbo"]
    shown = T.shown_ratings(odi, people, study)
    assert set(shown["role"]) == {"mkb"}
    assert shown.equals(odi[odi["role"] == "mkb"].reset_index(drop=True))
    fig = plots.opportunity_landscape(shown, study, point_label="cluster")
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert len(titles) == 1 and " mkb " in titles[0] and "hbo" not in titles[0]
    drawn = " | ".join(" ".join(t.get_text().split()) for ax in fig.axes for t in ax.texts)
    assert any(c in drawn for c in shown["cluster"])  # points are labelled by cluster …
    assert not [c for c in odi.loc[odi["role"] == "hbo", "cluster"] if c in drawn]  # … of mkb


def test_a_cluster_rated_by_fewer_than_min_group_size_is_not_shown(noord):
    study, _, region = noord
    ratings = region["outcome_ratings"]
    first = ratings.loc[ratings["role"] == "mkb", "cluster"].iloc[0]
    raters = ratings.loc[(ratings["role"] == "mkb") & (ratings["cluster"] == first),
                         "participant"].tolist()
    thin = ratings[~((ratings["cluster"] == first) & ratings["participant"].isin(raters[2:]))]
    odi = score.odi(thin, study)
    assert odi.loc[odi["cluster"] == first, "n"].item() == 2
    shown = T.shown_ratings(odi, region["participants"], study)
    assert first not in set(shown["cluster"])
    assert len(shown) == len(odi) - 1


def test_the_summary_quotes_no_ratings_of_a_small_side(noord):
    study, tables, region = noord
    people = _without(region["participants"], ["HBO-C", "HBO-D"])
    ratings = _without(region["outcome_ratings"], ["HBO-C", "HBO-D"])
    odi = score.odi(ratings, study)
    top3 = T.only(score.top3(tables), region="noord")
    form_top3 = T.only(score.top3(tables, "form"), region="noord")
    common = pd.DataFrame(columns=["key", "hbo_codes", "mkb_codes", "common", "pairing"])
    text = str(narrative.region_summary(study, "noord", top3, odi, common, form_top3, people,
                                        {}))
    hbo, mkb = odi[odi["role"] == "hbo"], odi[odi["role"] == "mkb"]
    assert ("Van het hbo namen minder dan 3 mensen deel (min_group_size): hun beoordelingen per "
            "cluster worden in het regiorapport niet getoond, zodat niemand herkenbaar is.") in text
    assert "beoordeeld door 2 deelnemers" not in text
    assert f"Van de {len(mkb)} clusters van het mkb" in text
    assert "clusters van het hbo" not in text
    for cluster in hbo["cluster"]:
        # hbo clusters may be named for their top 3, never with an O, I or S of theirs
        assert not re.search(re.escape(cluster) + r"[^.]*O = ", text)


def test_a_region_report_of_a_small_side_shows_none_of_its_ratings(small_study, tmp_path,
                                                                  processed_root):
    """The whole way: ``hbomkb run`` on a study whose noord hbo side has two participants."""
    gone = {"HBO-C", "HBO-D"}
    wb = load_workbook(small_study / "workshops" / "noord.xlsx")
    for sheet in ("participants", "outcome_notes", "outcome_ratings", "form_notes"):
        ws = wb[sheet]
        for r in range(ws.max_row, 1, -1):
            if ws.cell(row=r, column=1).value in gone:
                ws.delete_rows(r)
    wb.save(small_study / "workshops" / "noord.xlsx")
    reports, figures = tmp_path / "reports", tmp_path / "figures"
    assert main(["run", "--study", str(small_study), "--regions", "noord", "--out",
                 str(reports), "--figures", str(figures), "--no-progress", "--jobs", "1"]) == 0
    tables = reports / "tables" / "region-noord"
    assert (tables / "landschap-mkb.csv").is_file()
    assert not (tables / "landschap-hbo.csv").exists()
    assert "hbo" not in set(pd.read_csv(tables / "landschap-mkb.csv").iloc[:, 0])
    html = (reports / "region-noord.html").read_text(encoding="utf-8")
    assert ("Van het hbo namen minder dan 3 mensen deel (min_group_size): hun beoordelingen per "
            "cluster worden in het regiorapport niet getoond, zodat niemand herkenbaar is.") in html
    assert "clusters van het hbo (beoordeeld door" not in html
