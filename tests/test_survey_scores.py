"""Survey scores against hand-worked cases and libraries' documented examples."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import mannwhitneyu, wilcoxon
from statsmodels.stats.multitest import multipletests

from hbomkb.analysis import survey_scores
from hbomkb.config import Study


def make_study(**kw) -> Study:
    return Study(root=Path("/tmp/hbomkb-test-study"), name="t", title="t", **kw)


# ------------------------------------------------------------------------------ rankings


def rankings_frame(rows: dict[int, dict[str, int]], role="hbo"):
    out = pd.DataFrame([{"respondent": r, "role": role, "code": c, "rank": k}
                        for r, d in rows.items() for c, k in d.items()])
    out["respondent"] = out["respondent"].astype("Int64")
    out["rank"] = out["rank"].astype("Int64")
    return out


HAND_RANKING = {1: {"A": 1, "B": 2, "C": 3}, 2: {"A": 1, "C": 2, "B": 3},
                3: {"B": 1, "A": 2, "C": 3}}


def test_mean_rank_and_borda_hand_worked():
    out = survey_scores.ranking_consensus(rankings_frame(HAND_RANKING), n_boot=0).set_index("code")
    assert out.loc["A", "mean_rank"] == pytest.approx(4 / 3)
    assert out.loc["B", "mean_rank"] == pytest.approx(2.0)
    assert out.loc["C", "mean_rank"] == pytest.approx(8 / 3)
    assert list(out["borda"]) == [5, 3, 1]
    assert out["borda_share"].tolist() == pytest.approx([5 / 9, 3 / 9, 1 / 9])
    assert (out["n"] == 3).all()
    # top third of 3 outcomes = rank 1
    assert out.loc["A", "top_third_share"] == pytest.approx(2 / 3)


def test_partial_ranking_fills_unranked_with_mean_of_unused_ranks():
    rows = dict(HAND_RANKING)
    rows[4] = {"B": 1}
    out = survey_scores.ranking_consensus(rankings_frame(rows), n_boot=0).set_index("code")
    assert out.loc["A", "mean_rank"] == pytest.approx((1 + 1 + 2 + 2.5) / 4)
    assert out.loc["B", "n_ranked"] == 4 and out.loc["A", "n_ranked"] == 3


def test_ranking_bootstrap_interval_is_seeded_and_brackets_the_mean():
    rng = np.random.default_rng(3)
    perms = np.argsort(rng.random((40, 4)) + np.array([0, 0.3, 0.6, 0.9]), axis=1)
    rows = {i + 1: {"ABCD"[j]: int(np.flatnonzero(p == j)[0]) + 1 for j in range(4)}
            for i, p in enumerate(perms)}
    a = survey_scores.ranking_consensus(rankings_frame(rows), n_boot=400, seed=5)
    b = survey_scores.ranking_consensus(rankings_frame(rows), n_boot=400, seed=5)
    pd.testing.assert_frame_equal(a, b)
    assert ((a["ci_low"] <= a["mean_rank"]) & (a["mean_rank"] <= a["ci_high"])).all()


def test_friedman_and_kendall_w_match_pingouin_wine_example():
    # pingouin.friedman docstring: W = 0.083333, Q = 2.0, p = 0.367879
    white = [10, 8, 7, 9, 7, 4, 5, 6, 5, 10, 4, 7]
    red = [7, 5, 8, 6, 5, 7, 9, 6, 4, 6, 7, 3]
    rose = [8, 5, 6, 4, 7, 5, 3, 7, 6, 4, 4, 3]
    rows = {i + 1: {"white": w, "red": r, "rose": s}
            for i, (w, r, s) in enumerate(zip(white, red, rose, strict=True))}
    out = survey_scores.ranking_agreement(rankings_frame(rows)).iloc[0]
    assert out["W"] == pytest.approx(0.083333, abs=1e-6)
    assert out["Q"] == pytest.approx(2.0, abs=1e-9)
    assert out["p"] == pytest.approx(0.367879, abs=1e-6)
    assert out["n"] == 12 and out["k"] == 3 and out["ddof"] == 2


def test_ranking_agreement_empty_below_min_group_size():
    small = {1: {"A": 1, "B": 2}, 2: {"A": 2, "B": 1}}
    out = survey_scores.ranking_agreement(rankings_frame(small), make_study()).iloc[0]
    assert np.isnan(out["W"]) and "min_group_size" in out["reason"]


# ------------------------------------------------------------------------------ forms


def scores_frame(rows: list[tuple]) -> pd.DataFrame:
    """rows of (respondent, role, outcome, form, scale, value-or-None)."""
    df = pd.DataFrame(rows, columns=["respondent", "role", "outcome", "form", "scale", "value"])
    df["dont_know"] = df["value"].isna()
    df["value"] = df["value"].astype("Int64")
    df["respondent"] = df["respondent"].astype("Int64")
    return df


FIT_SCORES = scores_frame([
    (1, "hbo", "O1", "F1", "current", 4), (2, "hbo", "O1", "F1", "current", 2),
    (1, "hbo", "O2", "F1", "current", 5), (2, "hbo", "O2", "F1", "current", None),
    (1, "hbo", "O1", "F2", "current", 1), (2, "hbo", "O1", "F2", "current", 3),
    (1, "hbo", "O2", "F2", "current", 2), (3, "hbo", "O2", "F2", "current", 4),
    (1, "hbo", "O1", "F1", "potential", 5), (2, "hbo", "O1", "F1", "potential", 5),
    (1, "hbo", "O2", "F1", "potential", 3), (1, "hbo", "O1", "F2", "potential", 2),
    (1, "hbo", "O2", "F2", "potential", 2),
])
FIT_RANKS = rankings_frame({1: {"O1": 1, "O2": 2}, 2: {"O1": 1, "O2": 2},
                            3: {"O2": 1, "O1": 2}})


def test_form_scores_means_gap_and_n():
    out = survey_scores.form_scores(FIT_SCORES).set_index(["form", "outcome"])
    f1o1 = out.loc[("F1", "O1")]
    assert f1o1["current"] == 3.0 and f1o1["potential"] == 5.0 and f1o1["gap"] == 2.0
    assert f1o1["n_current"] == 2 and f1o1["n"] == 2
    f1o2 = out.loc[("F1", "O2")]  # respondent 2 said "weet niet": not a score
    assert f1o2["n_current"] == 1 and f1o2["current"] == 5.0


def test_form_fit_hand_worked_with_explicit_weights():
    w = pd.DataFrame({"role": "hbo", "code": ["O1", "O2"], "weight": [0.75, 0.25]})
    out = survey_scores.form_fit(FIT_SCORES, FIT_RANKS, weights=w, n_boot=0)
    got = out.set_index(["form", "scale"])["fit"]
    assert got[("F1", "current")] == pytest.approx(0.75 * 3 + 0.25 * 5)
    assert got[("F2", "current")] == pytest.approx(0.75 * 2 + 0.25 * 3)
    assert got[("F1", "potential")] == pytest.approx(0.75 * 5 + 0.25 * 3)
    # sorted best first within a scale
    cur = out[out["scale"] == "current"]
    assert list(cur["form"]) == ["F1", "F2"]


def test_form_fit_borda_weights_from_ranking_consensus():
    out = survey_scores.form_fit(FIT_SCORES, FIT_RANKS, n_boot=0).set_index(["form", "scale"])
    # Borda: O1 = 1 + 1 + 0 = 2, O2 = 0 + 0 + 1 = 1 -> weights 2/3, 1/3
    assert out.loc[("F1", "current"), "fit"] == pytest.approx(2 / 3 * 3 + 1 / 3 * 5)
    assert out.loc[("F2", "current"), "fit"] == pytest.approx(2 / 3 * 2 + 1 / 3 * 3)
    assert out.loc[("F2", "current"), "n"] == 3


def test_form_fit_bootstrap_seeded():
    a = survey_scores.form_fit(FIT_SCORES, FIT_RANKS, n_boot=300, seed=2)
    b = survey_scores.form_fit(FIT_SCORES, FIT_RANKS, n_boot=300, seed=2)
    pd.testing.assert_frame_equal(a, b)
    ok = a["ci_low"].notna()
    assert ok.any()
    assert (a.loc[ok, "ci_low"] <= a.loc[ok, "ci_high"]).all()


def random_survey(n=30, seed=0):
    rng = np.random.default_rng(seed)
    rows = []
    for r in range(1, n + 1):
        role = "hbo" if r % 2 else "mkb"
        lift = 1 if role == "hbo" else 0
        for o in ("O1", "O2", "O3"):
            for f in ("F1", "F2"):
                cur = int(np.clip(rng.integers(1, 5) + (f == "F2"), 1, 5))
                pot = int(np.clip(cur + rng.integers(0, 3) - (f == "F2") + lift, 1, 5))
                rows.append((r, role, o, f, "current", cur))
                rows.append((r, role, o, f, "potential", pot))
    return scores_frame(rows)


def test_wilcoxon_equals_scipy_on_respondent_means():
    s = random_survey()
    out = survey_scores.form_change_test(s).set_index(["role", "form"])
    m = survey_scores.respondent_form_means(s, paired=True)
    for (role, form), g in m.groupby(["role", "form"]):
        ref = wilcoxon(g["potential"], g["current"])
        row = out.loc[(role, form)]
        assert row["statistic"] == pytest.approx(ref.statistic)
        assert row["p"] == pytest.approx(ref.pvalue)
        assert row["n"] == len(g)
    # Holm: adjusted p >= raw p, and the smallest is multiplied by the number of forms
    hbo = out.loc["hbo"]
    assert (hbo["p_holm"] >= hbo["p"] - 1e-15).all()
    assert hbo["p_holm"].min() == pytest.approx(min(1.0, 2 * hbo["p"].min()))


def test_rank_biserial_hand_worked():
    # differences potential - current: +1, +2, -3, +4 -> ranks 1, 2, 3, 4 -> (7 - 3) / 10
    rows = []
    for r, (c, p) in enumerate([(2, 3), (2, 4), (5, 2), (1, 5)], start=1):
        rows += [(r, "hbo", "O1", "F1", "current", c), (r, "hbo", "O1", "F1", "potential", p)]
    out = survey_scores.form_change_test(scores_frame(rows)).iloc[0]
    assert out["r_rb"] == pytest.approx(0.4)


def test_mann_whitney_equals_scipy():
    s = random_survey()
    out = survey_scores.form_side_test(s).set_index(["form", "scale"])
    m = survey_scores.respondent_form_means(s)
    for (form, scale), row in out.iterrows():
        g = m[m["form"] == form]
        a = g.loc[g["role"] == "hbo", scale].dropna()
        b = g.loc[g["role"] == "mkb", scale].dropna()
        ref = mannwhitneyu(a, b, alternative="two-sided")
        assert row["U"] == pytest.approx(ref.statistic) and row["p"] == pytest.approx(ref.pvalue)
        assert row["r_rb"] == pytest.approx(2 * ref.statistic / (len(a) * len(b)) - 1)
        assert row["n_hbo"] == len(a) and row["n_mkb"] == len(b)


def test_tests_empty_below_min_group_size():
    s = random_survey(n=4)  # 2 hbo, 2 mkb
    ch = survey_scores.form_change_test(s, make_study())
    assert ch["p"].isna().all() and ch["reason"].str.contains("min_group_size").all()
    side = survey_scores.form_side_test(s, make_study())
    assert side["U"].isna().all() and side["reason"].str.contains("min_group_size").all()


def test_survey_landscape_hand_worked():
    # 3 outcomes -> top third is rank 1. O1 first for 3 of 4 respondents -> I = 7.5.
    ranks = rankings_frame({1: {"O1": 1, "O2": 2, "O3": 3}, 2: {"O1": 1, "O3": 2, "O2": 3},
                            3: {"O1": 1, "O2": 2, "O3": 3}, 4: {"O2": 1, "O1": 2, "O3": 3}})
    rows = []
    vals = {"O1": [1, 2, 4, 1, 2, 1, 1, 5], "O2": [5, 5, 4, 4, 1, 2, 3, 4],
            "O3": [3, 3, 3, 3, 3, 3, 3, 3]}
    for o, v in vals.items():
        for i, x in enumerate(v):
            rows.append((i % 4 + 1, "hbo", o, f"F{i // 4 + 1}", "current", x))
            rows.append((i % 4 + 1, "hbo", o, f"F{i // 4 + 1}", "potential", 5))
    out = survey_scores.survey_landscape(scores_frame(rows), ranks).set_index("code")
    assert out.loc["O1", "I"] == 7.5 and out.loc["O1", "S"] == 2.5
    assert out.loc["O1", "O"] == 12.5 and out.loc["O1", "served"] == "underserved"
    assert out.loc["O2", "I"] == 2.5 and out.loc["O2", "S"] == 6.25
    assert out.loc["O2", "served"] == "overserved"
    assert out.loc["O3", "I"] == 0 and out.loc["O3", "S"] == 0
    assert out.loc["O3", "served"] == "properly_served"
    assert (out["n_I"] == 4).all() and (out["n_S"] == 8).all()
    boot = survey_scores.survey_landscape(scores_frame(rows), ranks, n_boot=200, seed=1)
    assert boot["O_low"].notna().all()


def test_ordinal_model_recovers_direction_with_clustered_intervals():
    rng = np.random.default_rng(11)
    n = 120
    resp = np.repeat(np.arange(1, n + 1), 20)
    scale = np.tile(np.repeat(["current", "potential"], 10), n)
    role = np.where(resp % 2 == 0, "mkb", "hbo")
    lat = 1.2 * (scale == "potential") + rng.normal(size=n)[resp - 1] + rng.logistic(size=len(resp))
    value = np.digitize(lat, [-1.5, -0.5, 0.5, 1.5]) + 1
    s = pd.DataFrame({"respondent": resp, "role": role, "outcome": "O1", "form": "F1",
                      "scale": scale, "value": pd.array(value, dtype="Int64")})
    regions = np.where(np.arange(1, n + 1) % 3 == 0, "oost", "noord")
    resp_t = pd.DataFrame({"respondent": np.arange(1, n + 1), "region": regions})
    out = survey_scores.ordinal_model(s, resp_t).set_index("term")
    assert set(out.index) == {"scale[potential]", "role[mkb]", "region[oost]"}
    row = out.loc["scale[potential]"]
    assert row["odds_ratio"] > 2 and row["ci_low"] > 1 and row["p"] < 0.001
    assert out.loc["role[mkb]", "ci_low"] < 1 < out.loc["role[mkb]", "ci_high"]
    assert row["n_respondents"] == n and row["n"] == len(s)
    bs = survey_scores.ordinal_model(s, resp_t, method="bootstrap", n_boot=8,
                                     seed=1).set_index("term")
    assert bs.loc["scale[potential]", "odds_ratio"] == pytest.approx(row["odds_ratio"])
    assert bs.loc["scale[potential]", "ci_low"] > 1


def test_holm_matches_a_hand_worked_example():
    # by hand: sorted 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1 = 0.02, 0.03, 0.06, 0.04;
    # step-down keeps them monotone, so the last becomes 0.06; a missing p stays missing
    p = pd.Series([0.01, np.nan, 0.04, 0.03, 0.005], index=list("abcde"))
    got = survey_scores.holm(p)
    assert got.index.tolist() == list("abcde") and np.isnan(got["b"])
    assert got.drop("b").tolist() == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert survey_scores.holm(pd.Series([0.4, 0.6])).tolist() == [0.8, 0.8]  # no cap needed
    assert survey_scores.holm(pd.Series([0.7, 0.9])).tolist() == [1.0, 1.0]
    assert survey_scores.holm(pd.Series([np.nan, np.nan])).isna().all()


def test_holm_from_statsmodels_gives_the_textbook_values():
    # Holm (1979) written out: the i-th smallest of m becomes (m - i + 1) p, running maximum,
    # capped at 1; ties and values near the cap included
    rng = np.random.default_rng(3)
    values = np.r_[rng.uniform(0, 0.2, 25), 0.01, 0.01, 0.9]
    order = np.argsort(values, kind="stable")
    m = len(values)
    stepped = np.minimum(np.maximum.accumulate((m - np.arange(m)) * values[order]), 1.0)
    textbook = np.empty(m)
    textbook[order] = stepped
    assert survey_scores.holm(pd.Series(values)).to_numpy() == pytest.approx(textbook)


def test_form_tests_correct_p_with_holm_within_a_role_or_scale():
    s = random_survey(n=40, seed=4)
    change = survey_scores.form_change_test(s)
    for _, g in change.groupby("role"):
        assert g["p_holm"].to_numpy() == pytest.approx(
            multipletests(g["p"].to_numpy(), method="holm")[1])
    side = survey_scores.form_side_test(s)
    for _, g in side.groupby("scale"):
        assert g["p_holm"].to_numpy() == pytest.approx(
            multipletests(g["p"].to_numpy(), method="holm")[1])


# ------------------------------------------------------------------------------ on the demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo study's analysable tables (data/raw/demo, or generated when absent)."""
    from hbomkb.config import RAW_DIR, load_study
    from hbomkb.inputs import build as process
    from hbomkb.inputs import survey

    root = RAW_DIR / "demo"
    if not (root / "study.yaml").exists():
        from hbomkb.demo.generator import generate

        root = generate(tmp_path_factory.mktemp("demo") / "demo")
    st = load_study(root)
    return st, survey.analysable(process.load_tables(st), st)


def test_demo_survey_scores_are_consistent(demo):
    st, t = demo
    resp = t["respondents"]
    cons = survey_scores.ranking_consensus(t["rankings"], st, n_boot=200)
    ranked = t["rankings"].groupby("role")["respondent"].nunique()
    for role, g in cons.groupby("role"):
        assert (g["n"] == ranked[role]).all()
        assert g["borda_share"].sum() == pytest.approx(1.0)
        assert ((g["ci_low"] <= g["mean_rank"]) & (g["mean_rank"] <= g["ci_high"])).all()
    fit = survey_scores.form_fit(t["scores"], t["rankings"], st, n_boot=200)
    assert fit["fit"].between(st.scale_min, st.scale_max).all()
    assert len(fit) == 2 * 2 * t["scores"]["form"].nunique()
    land = survey_scores.survey_landscape(t["scores"], t["rankings"], st)
    assert land["I"].between(0, 10).all() and land["S"].between(0, 10).all()
    assert set(land["n"]) <= set(resp.groupby("role").size())
    fs = survey_scores.form_scores(t["scores"])
    assert fs["n"].max() <= resp.groupby("role").size().max()
    ch = survey_scores.form_change_test(t["scores"], st)
    assert len(ch) == len(fs[["role", "form"]].drop_duplicates())


def test_demo_ordinal_model_has_one_term_per_contrast(demo):
    st, t = demo
    out = survey_scores.ordinal_model(t["scores"], t["respondents"], st)
    regions = t["respondents"]["region"].dropna().nunique()
    assert len(out) == 2 + regions - 1
    assert (out["ci_low"] < out["odds_ratio"]).all() and (out["odds_ratio"] < out["ci_high"]).all()
    assert out["n_respondents"].iloc[0] == t["scores"]["respondent"].nunique()
