"""Synthetic survey responses: written as LimeSurvey writes them, agreeing with the workshops."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from conftest import SHARED, require_shared
from minisurvey import CODEBOOK, REGIONS

from hbomkb.config import Study
from hbomkb.demo import survey as demo_survey
from hbomkb.inputs import limesurvey as ls
from hbomkb.inputs import survey


def workshop_tables() -> dict[str, pd.DataFrame]:
    """Workshops where H02 and M01 win the outcome top 3s and F02 wins the form top 3s."""
    oc = pd.DataFrame({
        "region": ["noord"] * 4 + ["zuid-west"] * 4,
        "role": ["hbo", "hbo", "mkb", "mkb"] * 2,
        "cluster": ["a", "b", "c", "d"] * 2,
        "top3": pd.array([1, pd.NA, 1, 2] * 2, dtype="Int64"),
        "code": ["H02", "H01", "M01", "M02"] * 2})
    fc = pd.DataFrame({"region": ["noord", "noord", "zuid-west"], "mixed_group": [1, 1, 2],
                       "cluster": ["x", "y", "z"], "top3": pd.array([1, 2, 1], dtype="Int64"),
                       "code": ["F02", "F01", "F02"]})
    return {"outcome_clusters": oc, "form_clusters": fc}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo")
    study = Study(root=root, name="demo", title="Demo", regions=REGIONS)
    demo_survey.write_demo_survey(study, CODEBOOK, workshop_tables(), root, seed=11)
    return study


def test_demo_export_is_written_in_the_dialect_of_limesurvey_6_14(demo):
    """The demo export is written as LimeSurvey 6.14's RemoteControl API writes one (its real
    export of the demo survey): ``;``, BOM, CRLF, every heading and value quoted, NULL as an
    unquoted empty field, dates with a space, an empty line at the end."""
    real = ls.export_dialect(require_shared(SHARED / "limesurvey" / "ls6.14" /
                                            "results-survey206848_code_short.csv"))
    ours = ls.export_dialect(demo.survey_responses_path)
    for d in (real, ours):
        d.pop("headings")
    assert ours == real == {
        "separator": ";", "bom": True, "line_ending": "\r\n", "heading_style": "code",
        "quoting": "all", "null": "unquoted", "date_format": "%Y-%m-%d %H:%M:%S",
        "trailing_empty_line": True}
    raw = demo.survey_responses_path.read_bytes()
    assert raw.startswith(b'\xef\xbb\xbf"id";"submitdate";"lastpage";"startlanguage";"seed"')
    assert raw.endswith(b"\r\n\r\n") and b"T" not in re.findall(rb'"2018-[^"]*"', raw)[0]
    assert ls.read_lss(demo.survey_structure_path).question("H01").type == "1"


def test_demo_export_has_null_where_limesurvey_has_null(demo):
    """NULL for a question never shown (the other side's) or a page not reached; "" for an
    open question shown and left empty; an incomplete response has no submit date."""
    df = ls.read_responses(demo.survey_responses_path, ls.read_lss(demo.survey_structure_path))
    hbo = df["rol"] == "hbo"
    assert df.loc[hbo, "openmkb"].isna().all() and df.loc[~hbo, "openhbo"].isna().all()
    shown = hbo & df["rankhbo[1]"].notna()
    assert (df.loc[shown, "openhbo"].notna()).all() and (df.loc[shown, "openhbo"] == "").any()
    assert df.loc[hbo & df["rankhbo[1]"].isna(), "openhbo"].isna().all()
    assert df["submitdate"].isna().sum() == (df["lastpage"] < 3).sum() > 0


def test_demo_survey_is_byte_identical_for_the_same_seed(demo, tmp_path):
    again = Study(root=tmp_path, name="demo", title="Demo", regions=REGIONS)
    demo_survey.write_demo_survey(again, CODEBOOK, workshop_tables(), tmp_path, seed=11)
    for p in ("survey/survey.lss", "survey/responses.csv"):
        assert (tmp_path / p).read_bytes() == (demo.root / p).read_bytes()
    demo_survey.write_demo_survey(again, CODEBOOK, workshop_tables(), tmp_path, seed=12)
    assert (tmp_path / "survey/responses.csv").read_bytes() != \
        (demo.root / "survey/responses.csv").read_bytes()


def test_demo_respondents_agree_with_the_workshops(demo):
    tables, problems = survey.read_survey(demo, CODEBOOK)
    assert problems == []
    r = tables["respondents"]
    n = r["role"].value_counts()
    assert 55 <= n["hbo"] <= 65 and 85 <= n["mkb"] <= 95
    assert set(r["region"]) == {"noord", "zuid-west"}
    assert 0 < (~r["complete"]).sum() < 0.25 * len(r)
    sc = survey.analysable(tables, demo)["scores"]
    assert 0.02 < sc["dont_know"].mean() < 0.12
    mean = sc.groupby(["form", "scale"], observed=True)["value"].mean().unstack()
    assert (mean["potential"] > mean["current"]).all()
    # the student project form performs best, in both situations
    assert mean["current"].idxmax() == "F01" and mean["potential"].idxmax() == "F01"
    rank = tables["rankings"].groupby("code")["rank"].mean()
    assert rank["H02"] < rank["H01"] and rank["M01"] < rank["M02"]
    assert set(np.unique(sc["value"].dropna())) <= {1, 2, 3, 4, 5}


def test_workshops_coded_through_the_codebook_give_the_same_responses(demo, tmp_path):
    """Tables with regional labels only, coded through ``codebook_mapping`` (whose labels
    differ in case and spacing), weigh the workshops as the same tables with their codes do."""
    coded = workshop_tables()
    mapping = pd.concat([
        coded["outcome_clusters"].assign(kind="outcome_" + coded["outcome_clusters"]["role"],
                                         cluster=lambda d: " " + d["cluster"].str.upper()),
        coded["form_clusters"].assign(kind="form")])[["region", "kind", "cluster", "code"]]
    labels_only = {name: t.drop(columns="code") for name, t in coded.items()}
    labels_only["codebook_mapping"] = mapping.drop_duplicates().reset_index(drop=True)
    again = Study(root=tmp_path, name="demo", title="Demo", regions=REGIONS)
    demo_survey.write_demo_survey(again, CODEBOOK, labels_only, tmp_path, seed=11)
    assert (tmp_path / "survey/responses.csv").read_bytes() == \
        (demo.root / "survey/responses.csv").read_bytes()
    # without a mapping the workshops cannot be coded and weigh nothing: other opinions
    del labels_only["codebook_mapping"]
    demo_survey.write_demo_survey(again, CODEBOOK, labels_only, tmp_path, seed=11)
    assert (tmp_path / "survey/responses.csv").read_bytes() != \
        (demo.root / "survey/responses.csv").read_bytes()
