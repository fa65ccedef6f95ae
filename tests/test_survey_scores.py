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
    # below 30 respondents no percentile bootstrap: the mean rank stays, the interval not
    few = survey_scores.ranking_consensus(rankings_frame(dict(list(rows.items())[:12])),
                                          n_boot=400, seed=5)
    assert few["ci_low"].isna().all() and few["mean_rank"].notna().all()
    assert few["reason"].str.contains("n = 12 < 30").all()


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


def test_form_fit_bootstrap_seeded_and_only_from_thirty_respondents():
    small = survey_scores.form_fit(FIT_SCORES, FIT_RANKS, n_boot=300, seed=2)
    assert small["ci_low"].isna().all()
    assert small["reason"].str.contains("no bootstrap interval").all()
    s = random_survey(n=80, seed=2)
    ranks = rankings_frame({r: {"O1": 1, "O2": 2, "O3": 3} if r % 3 else
                            {"O3": 1, "O1": 2, "O2": 3} for r in range(1, 81)})
    ranks["role"] = np.where(ranks["respondent"] % 2 == 1, "hbo", "mkb")
    a = survey_scores.form_fit(s, ranks, n_boot=300, seed=2)
    b = survey_scores.form_fit(s, ranks, n_boot=300, seed=2)
    pd.testing.assert_frame_equal(a, b)
    assert a["ci_low"].notna().all() and (a["reason"] == "").all()
    assert ((a["ci_low"] < a["fit"]) & (a["fit"] < a["ci_high"])).all()


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


def landscape_case(copies: int = 1):
    """Four respondents (each repeated ``copies`` times) who rank three outcomes and score
    their current situation with two forms."""
    ranks, rows = {}, []
    base = {1: {"O1": 1, "O2": 2, "O3": 3}, 2: {"O1": 1, "O3": 2, "O2": 3},
            3: {"O1": 1, "O2": 2, "O3": 3}, 4: {"O2": 1, "O1": 2, "O3": 3}}
    vals = {"O1": [1, 2, 4, 1, 2, 1, 1, 5], "O2": [5, 5, 4, 4, 1, 2, 3, 4],
            "O3": [3, 3, 3, 3, 3, 3, 3, 3]}
    for copy in range(copies):
        for r, ranking in base.items():
            ranks[copy * 4 + r] = ranking
        for o, v in vals.items():
            for i, x in enumerate(v):
                resp = copy * 4 + i % 4 + 1
                rows.append((resp, "hbo", o, f"F{i // 4 + 1}", "current", x))
                rows.append((resp, "hbo", o, f"F{i // 4 + 1}", "potential", 5))
    return scores_frame(rows), rankings_frame(ranks)


def test_survey_landscape_hand_worked():
    # mean ranks over k = 3: O1 (1+1+1+2)/4 = 1.25, O2 (2+3+2+1)/4 = 2, O3 (3+2+3+3)/4 = 2.75
    # -> I = 10 (3 - mean rank) / 2 = 8.75, 5, 1.25; S from the current scores >= 4
    scores, ranks = landscape_case()
    out = survey_scores.survey_landscape(scores, ranks).set_index("code")
    assert out.loc["O1", "I"] == 8.75 and out.loc["O1", "S"] == 2.5
    assert out.loc["O1", "O"] == 15.0  # 8.75 + (8.75 - 2.5)
    assert out.loc["O2", "I"] == 5.0 and out.loc["O2", "S"] == 6.25
    assert out.loc["O2", "O"] == 5.0  # S > I adds nothing
    assert out.loc["O3", "I"] == 1.25 and out.loc["O3", "S"] == 0
    assert out.loc["O3", "O"] == 2.5
    # I averages 5 over the outcomes whatever k is: it is not fixed low by k
    assert out["I"].mean() == pytest.approx(5.0)
    # places by O and the relative class (k = 3: the top and bottom third are one place each)
    assert out["rank"].tolist() == [1, 2, 3]
    assert out["class"].tolist() == ["top", "middle", "bottom"]
    assert (out["n_I"] == 4).all() and (out["n_S"] == 8).all()
    # four respondents: no bootstrap, and the row says why
    assert out["O_low"].isna().all() and out["reason"].str.contains("no bootstrap").all()


def test_survey_landscape_bootstraps_respondents_by_default():
    scores, ranks = landscape_case(copies=10)  # 40 respondents
    a = survey_scores.survey_landscape(scores, ranks, seed=1).set_index("code")
    b = survey_scores.survey_landscape(scores, ranks, seed=1).set_index("code")
    pd.testing.assert_frame_equal(a, b)
    for c in ("I", "S", "O"):
        assert (a[f"{c}_low"] <= a[c]).all() and (a[c] <= a[f"{c}_high"]).all()
        assert (a[f"{c}_high"] > a[f"{c}_low"]).all()
    assert a.loc["O1", "I"] == 8.75  # the same point estimates as the four respondents
    # O1 has the highest O in every resample: its place is 1 at both ends
    assert a.loc["O1", "rank_low"] == a.loc["O1", "rank_high"] == 1
    assert a.loc["O1", "class"] == "top"


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
    # I is relative: it averages 5 within each side, so classes cannot all fall on one side
    assert land.groupby("role")["I"].mean().tolist() == pytest.approx([5.0, 5.0])
    assert land["O_low"].notna().all()  # bootstrap by default
    assert set(land["class"]) <= {"top", "middle", "bottom", "uncertain"}
    assert set(land["n"]) <= set(resp.groupby("role").size())
    fs = survey_scores.form_scores(t["scores"])
    assert fs["n"].max() <= resp.groupby("role").size().max()
    ch = survey_scores.form_change_test(t["scores"], st)
    assert len(ch) == len(fs[["role", "form"]].drop_duplicates())
