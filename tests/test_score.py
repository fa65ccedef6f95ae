"""Workshop scores (ODI, top 3s, quadrants) against hand-worked cases."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hbomkb.analysis import score
from hbomkb.config import Study, Thresholds


def make_study(**kw) -> Study:
    return Study(root=Path("/tmp/hbomkb-test-study"), name="t", title="t", **kw)


def ratings_frame(groups: dict[str, tuple[list, list]], role="hbo", region="noord"):
    """outcome_ratings rows: one per rater of each cluster (cluster == code here)."""
    rows = []
    for code, (imp, sat) in groups.items():
        for i, (a, b) in enumerate(zip(imp, sat, strict=True)):
            rows.append({"region": region, "role": role, "participant": f"HBO-{'ABCDEF'[i]}",
                         "cluster": f"c-{code}", "code": code, "importance": a,
                         "satisfaction": b})
    df = pd.DataFrame(rows)
    df[["importance", "satisfaction"]] = df[["importance", "satisfaction"]].astype("Int64")
    return df


# ------------------------------------------------------------------------------ ODI


ODI_CASES = {
    # code: (importance ratings, satisfaction ratings) -> I, S, O, served, band
    "OVER": ([4, 5, 2, 1], [4, 5, 5, 3]),    # I 5, S 7.5 -> S > I
    "UNDER": ([5, 5, 4, 4], [1, 2, 3, 4]),   # I 10, S 2.5 -> O 17.5 extreme
    "AT10": ([5, 4, 1, 1], [1, 1, 1, 1]),    # I 5, S 0 -> O exactly 10: properly served
    "EQUAL": ([5, 5, 5, 1], [4, 4, 4, 1]),   # S == I == 7.5 -> properly served, O = I
    "AT12": ([5, 5, 5, 5, 1], [5, 5, 1, 1, 1]),  # I 8, S 4 -> O 12: worth considering
    "AT15": ([5, 5, 5, 5, 5], [5, 5, 1, 2, 3]),  # I 10, S 4 -> O 16: extreme
    "THIRDS": ([5, 5, 1], [5, 1, 1]),        # I 20/3, S 10/3 -> O 10 (float noise): proper
}
ODI_EXPECTED = {
    "OVER": (5.0, 7.5, 5.0, "overserved", ""),
    "UNDER": (10.0, 2.5, 17.5, "underserved", "extreme"),
    "AT10": (5.0, 0.0, 10.0, "properly_served", ""),
    "EQUAL": (7.5, 7.5, 7.5, "properly_served", ""),
    "AT12": (8.0, 4.0, 12.0, "underserved", "worth_considering"),
    "AT15": (10.0, 4.0, 16.0, "underserved", "extreme"),
    "THIRDS": (20 / 3, 10 / 3, 10.0, "properly_served", ""),
}


def test_odi_hand_worked_classes_and_boundaries():
    out = score.odi(ratings_frame(ODI_CASES), make_study(), n_boot=0).set_index("code")
    for code, (i, s, o, served, band) in ODI_EXPECTED.items():
        row = out.loc[code]
        assert row["I"] == pytest.approx(i) and row["S"] == pytest.approx(s), code
        assert row["O"] == pytest.approx(o), code
        assert row["served"] == served, code
        assert row["band"] == band, code
    assert out.loc["AT12", "n"] == 5


def test_opportunity_band_boundaries_exactly_at_thresholds():
    got = score.opportunity([7.5, 10, 6, 10], [2.5, 5, 0, 8])  # O = 12.5, 15, 12, 12
    assert list(got["band"]) == ["high", "high", "worth_considering", "worth_considering"]
    assert list(got["served"]) == ["underserved"] * 4


def test_odi_thresholds_and_top_box_come_from_the_study():
    study = make_study(top_box=5, thresholds=Thresholds(underserved=4, high=6, extreme=8))
    out = score.odi(ratings_frame({"X": ([5, 5, 4, 4], [4, 4, 4, 4])}), study, n_boot=0)
    row = out.iloc[0]
    assert row["I"] == 5.0 and row["S"] == 0.0 and row["O"] == 10.0  # only 5s count now
    assert row["served"] == "underserved" and row["band"] == "extreme"


def test_odi_mean_variant_is_labelled():
    out = score.odi(ratings_frame({"X": ([5, 5, 1, 1], [3, 3, 3, 3])}), n_boot=0)
    assert out.loc[0, "I"] == 5.0 and out.loc[0, "S"] == 0.0  # no 3 is in the top two boxes
    assert out.loc[0, "method"] == "top2box"
    mean = score.odi(ratings_frame({"X": ([5, 5, 1, 1], [3, 3, 3, 3])}), method="mean",
                     n_boot=0)
    # means 3 and 3 on 1-5 -> 5.0 on 0-10 each
    assert mean.loc[0, "I"] == pytest.approx(5.0) and mean.loc[0, "S"] == pytest.approx(5.0)
    assert mean.loc[0, "method"].startswith("mean") and "not recommended" in mean.loc[0, "method"]


def test_odi_exact_intervals_with_a_conservative_o_and_empty_below_min_group_size():
    df = pd.concat([ratings_frame({"A": ([5, 5, 5, 5], [1, 1, 1, 1])}),
                    ratings_frame({"B": ([5, 4], [1, 1])})])
    out = score.odi(df, make_study()).set_index("code")
    a = out.loc["A"]
    # 4 of 4 raters: Clopper-Pearson 95% lower bound 0.025^(1/4); 0 of 4: upper 1 - 0.025^(1/4)
    assert a["I_low"] == pytest.approx(10 * 0.025 ** 0.25) and a["I_high"] == 10
    assert a["S_low"] == 0 and a["S_high"] == pytest.approx(10 * (1 - 0.025 ** 0.25))
    # O from the 97.5% bounds of I and S: I low 10 * 0.0125^(1/4) with S high above it
    assert a["O_low"] == pytest.approx(10 * 0.0125 ** 0.25) and a["O_high"] == 20
    assert a["O_low"] < a["O"] <= a["O_high"] and a["reason"] == ""
    assert a["interval"].startswith("Clopper-Pearson")
    b = out.loc["B"]
    assert np.isnan(b["O_low"]) and "min_group_size" in b["reason"]
    assert b["O"] == pytest.approx(20.0)  # the point estimate stays
    wilson = score.odi(df, make_study(), interval="wilson").set_index("code").loc["A"]
    assert wilson["I_low"] == pytest.approx(10 * 4 / (4 + 1.959964 ** 2), abs=1e-4)


def test_odi_bootstrap_only_from_thirty_raters_and_seeded():
    few = ratings_frame({"A": ([5, 5, 4, 2], [1, 2, 4, 5])})
    out = score.odi(few, make_study(), interval="bootstrap", n_boot=500, seed=1).iloc[0]
    assert np.isnan(out["O_low"]) and out["reason"] == "n < 30: no bootstrap interval"
    rng = np.random.default_rng(4)
    many = pd.concat([ratings_frame({"A": (list(rng.integers(1, 6, 6)),
                                           list(rng.integers(1, 6, 6)))}, region=f"r{k}")
                      for k in range(6)])  # 36 raters, six per region
    a = score.odi(many, scope="national", interval="bootstrap", n_boot=500, seed=1)
    b = score.odi(many, scope="national", interval="bootstrap", n_boot=500, seed=1)
    pd.testing.assert_frame_equal(a, b)
    row = a.iloc[0]
    assert row["n"] == 36 and row["interval"] == "percentile bootstrap over raters"
    assert row["O_low"] <= row["O"] <= row["O_high"] and row["O_high"] > row["O_low"]


def test_national_odi_counts_raters_not_rows():
    # HBO-A rated two noord clusters coded H01 (5 and 3: mean 4, top box); HBO-B rated them
    # 4 and 3 (mean 3.5: not); HBO-C once (5). oost's HBO-A is another person.
    rows = [("noord", "HBO-A", "a", 5, 1), ("noord", "HBO-A", "b", 3, 1),
            ("noord", "HBO-B", "a", 4, 5), ("noord", "HBO-B", "b", 3, 5),
            ("noord", "HBO-C", "a", 5, 2), ("oost", "HBO-A", "c", 2, 4)]
    df = pd.DataFrame([{"region": r, "role": "hbo", "participant": p, "cluster": c,
                        "code": "H01", "importance": i, "satisfaction": s}
                       for r, p, c, i, s in rows])
    df[["importance", "satisfaction"]] = df[["importance", "satisfaction"]].astype("Int64")
    out = score.odi(df, scope="national").iloc[0]
    assert out["n"] == 4 and out["n_importance"] == 4  # raters, not the 6 rows
    assert out["I"] == pytest.approx(10 * 2 / 4)  # HBO-A (mean 4) and HBO-C
    assert out["S"] == pytest.approx(10 * 2 / 4)  # HBO-B (mean 5) and oost's HBO-A
    values = score.rater_values(df, ["role", "code"])
    assert len(values) == 4 and values["imp"].tolist() == [1.0, 0.0, 1.0, 0.0]


def test_odi_never_pools_roles_and_national_scope_pools_regions():
    df = pd.concat([ratings_frame({"X": ([5, 5, 5, 5], [1, 1, 1, 1])}, role="hbo"),
                    ratings_frame({"X": ([1, 1, 1, 1], [5, 5, 5, 5])}, role="mkb"),
                    ratings_frame({"X": ([1, 1, 1, 1], [1, 1, 1, 1])}, role="hbo",
                                  region="oost")])
    nat = score.odi(df, scope="national", n_boot=0).set_index("role")
    assert nat.loc["hbo", "I"] == 5.0 and nat.loc["hbo", "n"] == 8
    assert nat.loc["mkb", "I"] == 0.0 and nat.loc["mkb", "served"] == "overserved"
    reg = score.odi(df, scope="region", n_boot=0)
    assert len(reg) == 3


# ------------------------------------------------------------------------------ workshop counts


def workshop_tables():
    clusters = pd.DataFrame({
        "region": ["noord"] * 4 + ["oost"] * 3,
        "role": ["hbo", "hbo", "hbo", "hbo", "hbo", "hbo", "mkb"],
        "cluster": ["a", "b", "c", "d", "e", "f", "g"],
        "top3": pd.array([2, 1, 3, pd.NA, 1, 2, 1], dtype="Int64"),
        "code": ["H01", "H02", "H03", "H04", "H02", "H01", "M01"],
    })
    notes = pd.DataFrame({"region": ["noord"] * 5 + ["oost"] * 2,
                          "role": ["hbo"] * 6 + ["mkb"],
                          "cluster": ["a", "a", "b", "d", "d", "e", "g"],
                          "code": ["H01", "H01", "H02", "H04", "H04", "H02", "M01"]})
    cb = pd.DataFrame({"kind": ["outcome_hbo"] * 4 + ["outcome_mkb"],
                       "code": ["H01", "H02", "H03", "H04", "M01"],
                       "explore": ["exploit", "explore", "explore", "exploit", "explore"],
                       "term": ["short", "long", "long", "long", "short"]})
    ratings = ratings_frame({"H01": ([5, 5, 4, 1], [1, 1, 1, 1]),
                             "H02": ([1, 1, 1, 5], [1, 1, 1, 1])})
    return {"outcome_clusters": clusters, "outcome_notes": notes, "codebook_clusters": cb,
            "outcome_ratings": ratings}


def test_top3_per_region_with_note_counts():
    out = score.top3(workshop_tables())
    noord = out[(out["region"] == "noord") & (out["role"] == "hbo")]
    assert list(noord["cluster"]) == ["b", "a", "c"]  # in rank order
    assert list(noord["n"]) == [1, 2, 0]
    assert "d" not in set(out["cluster"])  # not in the top 3


def test_top3_national_counts_groups_and_points():
    out = score.top3_national(workshop_tables())
    hbo = out[out["role"] == "hbo"].set_index("code")
    # H02: rank 1 in noord and oost -> n 2, points 6; H01: ranks 2 and 2 -> n 2, points 4
    assert hbo.loc["H02", "n"] == 2 and hbo.loc["H02", "points"] == 6
    assert hbo.loc["H01", "n"] == 2 and hbo.loc["H01", "points"] == 4
    assert list(hbo.index[:2]) == ["H02", "H01"]
    assert (hbo["groups"] == 2).all() and hbo.loc["H03", "share"] == 0.5
    assert (hbo["picks"] == hbo["n"]).all()


def test_top3_national_counts_a_group_once_when_two_of_its_clusters_share_a_code():
    t = workshop_tables()
    # oost's hbo group now has H01 twice in its top 3 (clusters e and f)
    t["outcome_clusters"].loc[t["outcome_clusters"]["cluster"] == "e", "code"] = "H01"
    hbo = score.top3_national(t).query("role == 'hbo'").set_index("code")
    assert hbo.loc["H01", "picks"] == 3 and hbo.loc["H01", "n"] == 2
    assert hbo.loc["H01", "points"] == 2 + 3 + 2 and hbo.loc["H01", "share"] == 1.0
    assert (hbo["share"] <= 1).all()


def test_top3_status_includes_ties_at_third_place_and_marks_them():
    counts = pd.DataFrame({"code": list("ABCDE"), "n": [5, 4, 4, 4, 3],
                           "points": [9, 8, 7, 7, 6], "picks": [5, 4, 6, 4, 3]})
    groups = score.top3_status(counts, "groups")
    assert groups["top3"].tolist() == ["yes", "tie", "tie", "tie", "no"]
    assert groups["place"].tolist() == [1, 2, 2, 2, 5]
    # points break the tie in groups between B and C/D, but C and D still tie on both
    points = score.top3_status(counts, "points")
    assert points["top3"].tolist() == ["yes", "yes", "tie", "tie", "no"]
    # picks instead of groups: C (6) and A (5) ahead, then B and D at 4
    picks = score.top3_status(counts, "picks")
    assert picks["top3"].tolist() == ["yes", "tie", "yes", "tie", "no"]
    # exactly three reach the cut: no tie; fewer than three codes: all in
    three = score.top3_status(counts.assign(n=[5, 4, 4, 3, 3]), "groups")
    assert three["top3"].tolist() == ["yes", "yes", "yes", "no", "no"]
    assert score.top3_status(counts.head(2))["top3"].tolist() == ["yes", "yes"]
    with pytest.raises(ValueError, match="rule 'votes'"):
        score.top3_status(counts, "votes")


def test_top3_national_applies_the_one_definition():
    hbo = score.top3_national(workshop_tables()).query("role == 'hbo'").set_index("code")
    # H02 and H01 in 2 groups each, H03 in 1: three codes, all in the national top 3
    assert hbo["top3"].tolist() == ["yes", "yes", "yes"]
    assert hbo.loc["H03", "place"] == 3


def test_quadrants_weights():
    t = workshop_tables()
    freq = score.quadrants(t, "outcome_hbo").set_index("code")
    assert freq.loc["H01", "weight"] == 2 and freq.loc["H04", "weight"] == 2
    assert freq.loc["H03", "weight"] == 0 and freq.loc["H03", "n"] == 0
    assert freq.loc["H02", "explore"] == "explore" and freq.loc["H02", "term"] == "long"
    top = score.quadrants(t, "outcome_hbo", weight="top3").set_index("code")
    assert top.loc["H02", "weight"] == 2 and top.loc["H04", "weight"] == 0
    imp = score.quadrants(t, "outcome_hbo", weight="importance").set_index("code")
    assert imp.loc["H01", "weight"] == 7.5 and imp.loc["H01", "n"] == 4
    assert imp.loc["H02", "weight"] == 2.5


# ------------------------------------------------------------------------------ on the demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo study and its processed tables (data/raw/demo, or generated when absent)."""
    from hbomkb.config import RAW_DIR, load_study
    from hbomkb.inputs import build as process

    root = RAW_DIR / "demo"
    if not (root / "study.yaml").exists():
        from hbomkb.demo.generator import generate

        root = generate(tmp_path_factory.mktemp("demo") / "demo")
    st = load_study(root)
    return st, process.load_tables(st)


def test_demo_workshop_odi_shows_every_served_class(demo):
    st, t = demo
    out = score.odi(t["outcome_ratings"], st)
    assert set(out["served"]) == set(score.SERVED_CLASSES)
    assert out["I"].between(0, 10).all() and out["O"].between(0, 20).all()
    ok = out["reason"] == ""
    assert ((out.loc[ok, "O_low"] <= out.loc[ok, "O"] + 1e-9)
            & (out.loc[ok, "O"] <= out.loc[ok, "O_high"] + 1e-9)).all()
    # no interval has zero width (a percentile bootstrap over four raters had 17 of 57)
    assert (out.loc[ok, "O_high"] > out.loc[ok, "O_low"]).all()
    nat = score.odi(t["outcome_ratings"], st, scope="national")
    raters = (t["outcome_ratings"].drop_duplicates(["role", "code", "region", "participant"])
              .groupby(["role", "code"]).size())
    assert (nat.set_index(["role", "code"])["n"] == raters.reindex(
        nat.set_index(["role", "code"]).index)).all()
    # segments never mix roles: each regional row's n is at most the group size of 4
    assert (out["n"] <= 4).all()
