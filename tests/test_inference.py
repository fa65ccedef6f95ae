"""Inference that fits the n: intervals against reference values, the one top-3 rule and its
sensitivity on crafted studies, relative classes, paired differences, the ordinal model, and
on the demo: every number a sentence quotes is in the table row it names, no interval has zero
width and no class is shown without its n."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binomtest
from statsmodels.miscmodels.ordinal_model import OrderedModel
from statsmodels.tools.numdiff import approx_fprime

from hbomkb import labels
from hbomkb.analysis import cluster, intervals, ordinal, score, survey_scores, textmine
from hbomkb.config import RAW_DIR, load_study
from hbomkb.inputs import build, survey
from hbomkb.present import narrative, narrative_survey
from hbomkb.present import tables as display_tables
from hbomkb.present.sentences import Sentence, Text, capital

# ------------------------------------------------------------------------------ intervals


def test_clopper_pearson_matches_its_closed_form_and_scipys_exact_interval():
    lo, hi = intervals.share_interval(np.array([0, 4, 2, 7]), np.array([4, 4, 4, 10]))
    # closed form at the edges: 0 of n -> upper 1 - (alpha/2)^(1/n); n of n -> lower (alpha/2)^(1/n)
    assert lo[0] == 0 and hi[0] == pytest.approx(1 - 0.025 ** 0.25)
    assert lo[1] == pytest.approx(0.025 ** 0.25) and hi[1] == 1
    for i, (k, n) in enumerate([(0, 4), (4, 4), (2, 4), (7, 10)]):
        ref = binomtest(k, n).proportion_ci(confidence_level=0.95, method="exact")
        assert (lo[i], hi[i]) == pytest.approx((ref.low, ref.high))
    # 2 of 4 by hand from the beta quantiles: 0.0676 - 0.9324
    assert (lo[2], hi[2]) == pytest.approx((0.06759, 0.93241), abs=1e-5)


def test_wilson_matches_its_formula():
    z = 1.959963984540054
    for k, n in [(0, 4), (2, 4), (3, 20)]:
        p = k / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
        lo, hi = intervals.share_interval(np.array([k]), np.array([n]), method="wilson")
        assert (lo[0], hi[0]) == pytest.approx((centre - half, centre + half))
    lo, hi = intervals.share_interval(np.array([1]), np.array([0]))
    assert np.isnan(lo[0]) and np.isnan(hi[0])


def test_opportunity_interval_is_built_from_97_5_percent_bounds_and_covers_o():
    # I: 3 of 4 raters, S: 1 of 4. Bounds of I and S at 97.5 % each (Bonferroni: >= 95 %)
    lo, hi = intervals.opportunity_interval(np.array([3]), np.array([4]), np.array([1]),
                                            np.array([4]))
    i_lo, i_hi = (10 * v for v in intervals.share_interval(np.array([3]), np.array([4]), 0.975))
    s_lo, s_hi = (10 * v for v in intervals.share_interval(np.array([1]), np.array([4]), 0.975))
    assert lo[0] == pytest.approx(i_lo[0] + max(i_lo[0] - s_hi[0], 0))
    assert hi[0] == pytest.approx(i_hi[0] + max(i_hi[0] - s_lo[0], 0))
    o = 7.5 + (7.5 - 2.5)
    assert lo[0] < o < hi[0]


def test_opportunity_interval_covers_at_least_95_percent_at_four_raters():
    # every true I and S share on a grid, the exact probability that the interval covers O
    from scipy.stats import binom

    n = 4
    k = np.arange(n + 1)
    for p_i in (0.1, 0.5, 0.75, 0.95):
        for p_s in (0.05, 0.3, 0.6, 0.9):
            o = 10 * p_i + max(10 * (p_i - p_s), 0)
            ki, ks = np.meshgrid(k, k, indexing="ij")
            lo, hi = intervals.opportunity_interval(ki.ravel(), np.full(ki.size, n), ks.ravel(),
                                                    np.full(ks.size, n))
            weight = np.outer(binom.pmf(k, n, p_i), binom.pmf(k, n, p_s)).ravel()
            cover = weight[(lo <= o + 1e-9) & (o - 1e-9 <= hi)].sum()
            assert cover >= 0.95, (p_i, p_s, cover)


# ------------------------------------------------------------------------------ the top 3


def crafted_study() -> dict[str, pd.DataFrame]:
    """Five regions. hbo's top 3 is clear: H1 (5 groups), H2 (4), H3 (3). mkb: M1 in 4
    groups, then M2, M3, M4 and M5 tie at 2 groups for the last two places. M3 shares its
    theme (innovatie) with H2. Region d put two clusters coded M3 in its top 3 and region e two
    coded M4 (one group each, two places), so counting places lifts M3 and M4; points (3/2/1)
    lift M4 and M2 instead."""
    tops = {  # region -> (hbo ranks 1-3, mkb ranks 1-3)
        "a": (["H1", "H2", "H3"], ["M1", "M2", "M4"]),
        "b": (["H1", "H2", "H3"], ["M2", "M1", "M5"]),
        "c": (["H2", "H1", "H3"], ["M5", "M1", "M3"]),
        "d": (["H1", "H2", "H5"], ["M1", "M3", "M3"]),
        "e": (["H1", "H4", "H5"], ["M4", "M4", "M6"]),
    }
    rows = []
    for region, (hbo, mkb) in tops.items():
        for role, codes in (("hbo", hbo), ("mkb", mkb)):
            for rank, code in enumerate(codes, start=1):
                rows.append({"region": region, "role": role, "cluster": f"{code}-{rank}",
                             "top3": rank, "code": code})
    clusters = pd.DataFrame(rows).astype({"top3": "Int64"})
    theme = {"H1": "talent", "H2": "innovatie", "H3": "regio", "H4": "kennis", "H5": "netwerk",
             "M1": "proces", "M2": "markt", "M3": "innovatie", "M4": "kennis", "M5": "netwerk",
             "M6": "talent"}
    cb = pd.DataFrame({"kind": ["outcome_hbo" if c[0] == "H" else "outcome_mkb" for c in theme],
                       "code": list(theme), "theme": list(theme.values()),
                       "explore": "explore", "term": "long"})
    return {"outcome_clusters": clusters, "codebook_clusters": cb,
            "outcome_notes": clusters.assign(note_id=range(len(clusters)), text="x")}


def test_one_top3_definition_counts_groups_and_marks_ties():
    t = score.top3_national(crafted_study()).set_index(["role", "code"])
    assert t.loc[("mkb", "M1"), "n"] == 4 and t.loc[("mkb", "M1"), "top3"] == "yes"
    # four codes in 2 groups each compete for two places: all four are in, marked as tied
    assert [t.loc[("mkb", c), "n"] for c in ("M2", "M3", "M4", "M5")] == [2] * 4
    assert [t.loc[("mkb", c), "top3"] for c in ("M2", "M3", "M4", "M5")] == ["tie"] * 4
    assert t.loc[("mkb", "M4"), "picks"] == 3 and t.loc[("mkb", "M4"), "place"] == 2
    assert [t.loc[("hbo", c), "top3"] for c in ("H1", "H2", "H3")] == ["yes"] * 3
    assert t.loc[("hbo", "H4"), "top3"] == "no" and t.loc[("mkb", "M6"), "top3"] == "no"


def test_common_ground_uses_the_one_definition_and_flags_a_tie():
    cg = cluster.common_ground(crafted_study())
    nat = cg[cg["region"] == cluster.ALL].set_index("key")
    # innovatie: H2 (clearly in hbo's top 3) and M3 (in mkb's only through the tie)
    assert nat.loc["innovatie", "common"] and nat.loc["innovatie", "tie"]
    assert nat.loc["innovatie", "mkb_tied"] == "M3" and nat.loc["innovatie", "hbo_tied"] == ""
    # kennis and netwerk: only mkb's (tied) M4 and M5; hbo's H4 and H5 are not in its top 3
    assert not nat.loc["kennis", "common"] and not nat.loc["netwerk", "common"]
    assert set(nat.index[nat["common"]]) == {"innovatie"}
    # counts are groups (regions) and top-3 places, nationally over all regions
    assert nat.loc["kennis", "n_mkb"] == 2 and nat.loc["kennis", "picks_mkb"] == 3
    assert nat.loc["innovatie", "n_hbo"] == 4 and nat.loc["innovatie", "picks_mkb"] == 3
    assert (cg.loc[cg["region"] == cluster.ALL, "groups"] == 10).all()
    # regionally a top 3 has no ties: c and d share innovatie, e shares kennis and talent
    regional = cg[cg["common"] & (cg["region"] != cluster.ALL)]
    assert sorted(zip(regional["region"], regional["key"], strict=True)) == [
        ("c", "innovatie"), ("d", "innovatie"), ("e", "kennis"), ("e", "talent")]
    assert nat.loc["innovatie", "regions_common"] == 2
    shown = display_tables.common_ground_table(cg[cg["region"] == cluster.ALL], {"M3": "Nieuw"})
    row = shown.set_index("thema").loc["innovatie"]
    assert row["gemeenschappelijk"] == "ja, gelijke stand"
    assert row["mkb"] == "Nieuw (M3, gelijke stand)"
    assert shown.attrs["n"] == 10 and shown.attrs["n_unit"] == "groups"


def test_sensitivity_shows_whether_the_common_ground_survives_other_rules():
    sens = cluster.common_ground_sensitivity(crafted_study()).set_index("rule")
    assert sens.loc["groups", "common"] == "innovatie" and sens.loc["groups", "tie"]
    assert sens.loc["groups", "mkb_top3"] == "M1, M4=, M2=, M3=, M5="
    # points break the tie: M4 (1+3+2 = 6) and M2 (2+3 = 5) beat M3 (1+2+1 = 4)
    assert sens.loc["points", "mkb_top3"] == "M1, M4, M2"
    assert sens.loc["points", "common"] == "" and not sens.loc["points", "same"]
    # places instead of groups: M3 (c, d, d) and M4 (a, e, e) have 3 each, behind M1's 4
    assert sens.loc["picks", "mkb_top3"] == "M1, M4, M3"
    assert sens.loc["picks", "common"] == "innovatie" and sens.loc["picks", "same"]
    assert (sens["n"] == 10).all()
    sentence = narrative.sensitivity_sentence(sens.reset_index()).text
    assert sentence == ("Die conclusie hangt af van de telregel: breek je gelijke standen met "
                        "punten, dan is er geen gemeenschappelijke grond; tel je top-3-plaatsen "
                        "in plaats van groepen, dan is de gemeenschappelijke grond *innovatie*.")
    shown = display_tables.sensitivity_table(sens.reset_index(), {})
    assert shown["zelfde conclusie"].tolist() == ["ja", "nee", "ja"]


# ------------------------------------------------------------------------------ classes, places


def test_relative_classes_are_uncertain_where_the_place_interval_crosses_a_boundary():
    # k = 7: top third = places 1-2, bottom third = places 6-7
    rank = np.array([1, 2, 2, 4, 4, 6, 7, 5])
    low = np.array([1, 1, 2, 3, 2, 6, 6, np.nan])
    high = np.array([2, 3, 2, 5, 5, 7, 7, np.nan])
    got = intervals.relative_class(rank, low, high, 7)
    assert got.tolist() == ["top", "uncertain", "top", "middle", "uncertain", "bottom",
                            "bottom", "middle"]
    assert intervals.top_third(7) == 2 and intervals.top_third(3) == 1
    got = intervals.places(np.array([[3.0, 9.0, 9.0, np.nan]]))[0]
    assert got[:3].tolist() == [3.0, 1.5, 1.5] and np.isnan(got[3])


def test_fit_differences_are_paired_not_read_from_overlapping_intervals():
    # 60 respondents whose general level differs a lot, with F2 always about 0.3 below F1:
    # each form's own interval is wide and they overlap, the paired difference is clearly > 0
    rng = np.random.default_rng(8)
    rows, ranks = [], {}
    for r in range(1, 61):
        level = rng.integers(1, 5)
        for o in ("O1", "O2"):
            f1 = int(np.clip(level + rng.integers(0, 2), 1, 5))
            f2 = f1 - 1 if rng.random() < 0.3 else f1
            for scale, bump in (("current", 0), ("potential", 1)):
                rows += [(r, "hbo", o, "F1", scale, min(f1 + bump, 5)),
                         (r, "hbo", o, "F2", scale, min(f2 + bump, 5))]
        ranks[r] = {"O1": 1, "O2": 2}
    scores = pd.DataFrame(rows, columns=["respondent", "role", "outcome", "form", "scale",
                                         "value"]).astype({"value": "Int64"})
    rk = pd.DataFrame([{"respondent": r, "role": "hbo", "code": c, "rank": k}
                       for r, d in ranks.items() for c, k in d.items()])
    fit = survey_scores.form_fit(scores, rk, n_boot=1000, seed=3)
    cur = fit[fit["scale"] == "current"].set_index("form")
    assert cur.loc["F2", "ci_high"] > cur.loc["F1", "ci_low"]  # the intervals overlap
    diff = survey_scores.fit_differences(scores, rk, n_boot=1000, seed=3)
    lead = diff[(diff["comparison"] == "lead") & (diff["scale"] == "current")].iloc[0]
    assert lead["form"] == "F1" and lead["versus"] == "F2"
    assert lead["diff"] == pytest.approx(cur.loc["F1", "fit"] - cur.loc["F2", "fit"])
    assert lead["ci_low"] > 0 and lead["excludes_zero"]
    change = diff[diff["comparison"] == "change"].set_index("form")
    assert (change["ci_low"] > 0).all() and (change["versus"] == "current").all()


# ------------------------------------------------------------------------------ ordinal model


def ordinal_data(n: int = 150, seed: int = 11, proportional: bool = True) -> tuple:
    rng = np.random.default_rng(seed)
    resp = np.repeat(np.arange(1, n + 1), 20)
    scale = np.tile(np.repeat(["current", "potential"], 10), n)
    form = np.tile(["F1", "F2"] * 10, n)
    pot = scale == "potential"
    lat = 0.5 * (form == "F2") + rng.normal(size=n)[resp - 1] + rng.logistic(size=len(resp))
    if proportional:
        lat = lat + 1.2 * pot
        value = np.digitize(lat, [-1.5, -0.5, 0.5, 1.5]) + 1
    else:  # potential only lifts the top: many 4s become 5s, nothing else moves
        value = np.digitize(lat, [-1.5, -0.5, 0.5, 1.5]) + 1
        value = np.where(pot & (value == 4) & (rng.random(len(value)) < 0.8), 5, value)
    role = np.where(resp % 2 == 0, "mkb", "hbo")
    scores = pd.DataFrame({"respondent": resp, "role": role, "outcome": "O1", "form": form,
                           "scale": scale, "value": pd.array(value, dtype="Int64")})
    regions = np.where(np.arange(1, n + 1) % 3 == 0, "oost", "noord")
    return scores, pd.DataFrame({"respondent": np.arange(1, n + 1), "region": regions})


def test_analytic_score_equals_the_numerical_derivative_and_the_fit_equals_statsmodels():
    scores, resp = ordinal_data(n=40)
    s, X, _ = ordinal.design(scores, resp, terms=("scale", "form"))
    y = ordinal._outcome(s["value"], 1, 5)
    fast = ordinal.LogitOrderedModel(y.to_numpy(), X.to_numpy())
    params = fast.start_params + np.random.default_rng(1).normal(0, 0.2, len(fast.start_params))
    assert fast.score(params) == pytest.approx(
        approx_fprime(params, fast.loglike, centered=True), rel=1e-5, abs=1e-4)
    assert fast.score_obs(params).sum(axis=0) == pytest.approx(fast.score(params))
    mine = fast.fit(method="newton", disp=False)
    plain = OrderedModel(y.to_numpy(), X.to_numpy(), distr="logit").fit(method="bfgs",
                                                                        disp=False, maxiter=500)
    assert np.asarray(mine.params) == pytest.approx(np.asarray(plain.params), abs=1e-4)


def test_ordinal_model_recovers_direction_with_clustered_intervals():
    scores, resp = ordinal_data()
    out = ordinal.ordinal_model(scores, resp, terms=("scale", "form", "role", "region"))
    out = out.set_index("term")
    assert set(out.index) == {"scale[potential]", "form[F2]", "role[mkb]", "region[oost]"}
    row = out.loc["scale[potential]"]
    assert row["odds_ratio"] > 2 and row["ci_low"] > 1 and row["p"] < 0.001
    assert out.loc["role[mkb]", "ci_low"] < 1 < out.loc["role[mkb]", "ci_high"]
    assert row["n_respondents"] == 150 and row["n"] == len(scores)
    assert out.loc["form[F2]", "group"] == "form"
    bs = ordinal.ordinal_model(scores, resp, terms=("scale", "form"), method="bootstrap",
                               n_boot=6, seed=1).set_index("term")
    assert bs.loc["scale[potential]", "ci_low"] > 1
    with pytest.raises(ValueError, match="outcomes already say the side"):
        ordinal.ordinal_model(scores, resp, terms=("scale", "role", "outcome"))


def test_proportional_odds_check_tells_a_shift_from_a_lift_at_the_top():
    scores, resp = ordinal_data()
    ok = ordinal.proportional_odds_check(scores, resp, terms=("scale", "form"))
    assert ok["cut"].tolist() == ["> 1", "> 2", "> 3", "> 4"]
    assert ok["p"].iloc[0] > 0.01 and ok["df"].iloc[0] == 3
    assert ok["odds_ratio"].between(2, 6).all()
    scores, resp = ordinal_data(proportional=False)
    bad = ordinal.proportional_odds_check(scores, resp, terms=("scale", "form"))
    assert bad["p"].iloc[0] < 0.001
    by_cut = bad.set_index("cut")["odds_ratio"]
    assert by_cut["> 4"] > 1.5 and by_cut[["> 1", "> 2", "> 3"]].between(0.8, 1.2).all()


# ------------------------------------------------------------------------------ on the demo

CODE = re.compile(r"(?<![\w])[A-Z]{1,3}\d{1,3}(?![\w])")
NUMBER = re.compile(r"(?<![\w.,])-?\d+(?:,\d+)?")


def numbers_in(text: str) -> list[str]:
    """The numbers a text shows, Dutch style; national codes (H06) are names, not numbers."""
    return NUMBER.findall(CODE.sub(" ", text))


def cell_numbers(value: object) -> set[str]:
    """Every way a table cell's number can be quoted: 0-3 decimals, Dutch comma."""
    if isinstance(value, bool) or value is None:
        return set()
    if isinstance(value, int | float | np.integer | np.floating):
        if pd.isna(value):
            return set()
        v = float(value)
        out = {f"{v:.{d}f}".replace(".", ",") for d in range(4)}
        return out | ({str(int(v))} if v.is_integer() else set())
    return set(numbers_in(str(value)))


def check_sentence(sentence: Sentence, tables: Mapping[str, pd.DataFrame]) -> None:
    """Every source row exists, and every number the sentence quotes is in a row it names, in
    its table's caption (n, and what every row shares) or is the number of rows a source
    names; phrases in ``fixed`` quote settings."""
    allowed, counts = set(), set()
    for src in sentence.sources:
        assert src.table in tables, (src.table, sentence.text)
        df = tables[src.table]
        allowed |= {x for c in df.columns for x in numbers_in(str(c))}
        # the caption states the table's n and what all its rows share (a model's test)
        allowed |= set(numbers_in(str(df.attrs.get("n", ""))))
        for v in df.attrs.get("shared", {}).values():
            allowed |= cell_numbers(v)
        counts.add(str(len(src.rows)))
        for key in src.rows:
            mask = pd.Series(True, index=df.index)
            for col, val in key.items():
                assert col in df.columns, (src.table, col, sentence.text)
                mask &= df[col].astype(str) == str(val)
            assert mask.sum() == 1, (src.table, key, sentence.text)
            for v in df[mask].iloc[0]:
                allowed |= cell_numbers(v)
    text = sentence.text
    for phrase in sentence.fixed:
        text = text.replace(phrase, " ")
    for number in numbers_in(text):
        assert number in allowed or number in counts, (number, sentence.text)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = RAW_DIR / "demo"
    if not (root / "study.yaml").exists():
        from hbomkb.demo.generator import generate

        root = generate(tmp_path_factory.mktemp("demo") / "demo")
    st = load_study(root)
    tables = build.load_tables(st)
    return st, tables, survey.analysable(tables, st)


def region_report(st, t, region: str) -> tuple[Text, dict[str, pd.DataFrame]]:
    """The region report's summary and the tables it quotes, made as 10-region.ipynb makes
    them."""
    names = labels.code_labels(t["codebook_clusters"], st)
    participants = display_tables.only(t["participants"], region=region)
    odi = score.odi(display_tables.only(t["outcome_ratings"], region=region), st)
    top3 = display_tables.only(score.top3(t), region=region)
    common = display_tables.only(cluster.common_ground(t), region=region)
    forms = display_tables.only(score.top3(t, "form"), region=region)
    respondents = display_tables.respondent_counts(t["respondents"], st, region)
    shown = {
        "deelnemers": display_tables.participant_counts(participants),
        "top3-hbo-mkb": display_tables.top3_side_by_side(top3, names),
        "gemeenschappelijke-grond": display_tables.common_ground_table(common, names, st),
        "top3-vormen": display_tables.top3_side_by_side(forms, names, group="mixed_group"),
        "respondenten": respondents,
    }
    ratings = display_tables.shown_ratings(odi, participants, st)
    for side in ("hbo", "mkb"):
        shown[f"landschap-{side}"] = display_tables.odi_table(
            display_tables.only(ratings, role=side), names, language=st)
    text = narrative.region_summary(st, region, top3, odi, common, forms, participants, names,
                                    respondents=respondents)
    return text, shown


def national_report(st, t, a) -> tuple[list[Text], dict[str, pd.DataFrame]]:
    """The national report's generated texts and the tables they quote, made as
    20-national.ipynb makes them."""
    names = labels.code_labels(t["codebook_clusters"], st)
    top3 = score.top3_national(t)
    common = display_tables.only(cluster.common_ground(t), region=cluster.ALL)
    sensitivity = cluster.common_ground_sensitivity(t)
    consensus = survey_scores.ranking_consensus(a["rankings"], st)
    agreement = survey_scores.ranking_agreement(a["rankings"], st)
    fit = survey_scores.form_fit(a["scores"], a["rankings"], st)
    differences = survey_scores.fit_differences(a["scores"], a["rankings"], st)
    change = survey_scores.form_change_test(a["scores"], st)
    landscape = survey_scores.survey_landscape(a["scores"], a["rankings"], st)
    coverage = cluster.coverage_summary(t)
    coders = cluster.coder_agreement(t["codebook_mapping"])
    text_agreement = textmine.text_agreement(t)
    disagreement = textmine.text_disagreement(t)
    model = ordinal.ordinal_model(a["scores"], a["respondents"], st)
    check = ordinal.proportional_odds_check(a["scores"], a["respondents"], st)
    shown = {
        "hbo-mkb": display_tables.common_ground_table(common, names, st),
        "gevoeligheid-gemeenschappelijk": display_tables.sensitivity_table(sensitivity, names,
                                                                           st),
        "rangorde": display_tables.consensus_table(consensus, names),
        "overeenstemming": display_tables.survey_result(agreement, names, st),
        "fit": display_tables.survey_result(fit, names, st),
        "fit-verschillen": display_tables.fit_differences_table(differences, names, st),
        "potentieel-vs-huidig": display_tables.survey_result(change, names, st),
        "codering-dekking": display_tables.coverage_table(coverage, st),
        "codeurs": display_tables.coder_agreement_table(coders, st),
        "tekst-overeenstemming": display_tables.text_agreement_table(text_agreement, st),
        "tekst-verschillen": display_tables.text_disagreement_table(disagreement, names, st),
        "ordinaal-model": display_tables.ordinal_table(model, names, st),
        "proportionele-odds": display_tables.proportional_odds_table(check, st),
    }
    for side in ("hbo", "mkb"):
        shown[f"top3-{side}"] = display_tables.top3_frequency(
            display_tables.only(top3, role=side), names)
        shown[f"landschap-{side}"] = display_tables.odi_table(
            display_tables.only(landscape, role=side), names, regional=False)
    texts = [
        narrative.national_conclusions(st, names, top3, common, consensus, agreement, fit,
                                       change, landscape, len(st.regions), sensitivity,
                                       differences),
        narrative_survey.coding_quality(coverage, coders, text_agreement, disagreement, names,
                                        st),
        narrative_survey.ordinal_summary(model, check, st),
    ]
    return texts, shown


@pytest.fixture(scope="module")
def reports(demo):
    """Every demo report's generated text and shown tables: {report: (texts, tables)}."""
    st, t, a = demo
    out = {}
    for region in st.region_slugs:
        text, tables = region_report(st, t, region)
        out[f"region-{region}"] = ([text], tables)
    out["national"] = national_report(st, t, a)
    return out


def test_demo_sentences_quote_only_numbers_from_the_rows_they_name(reports):
    texts = []
    for name, (report_texts, tables) in reports.items():
        if name == "national":
            continue
        for text in report_texts:
            for s in text.sentences:
                check_sentence(s, tables)
            texts.append(text)
    national, shown = reports["national"]
    for text in national:
        for s in text.sentences:
            check_sentence(s, shown)
        texts.append(text)
    sentences = [s for text in texts for s in text.sentences]
    assert len(sentences) > 60
    for s in sentences:
        assert capital(s.text) == s.text, s.text
        assert "aantoonbaar" not in s.text and "duidelijk voor" not in s.text
    conclusions = national[0].text
    # the demo's mkb tie for "most chosen" and its common ground through a tie are named
    assert "M07) en Bedrijfsprocessen verbeteren (M04) het vaakst als kans, elk in 3" \
        in conclusions
    assert "alleen door gelijke stand op de derde plaats" in conclusions
    assert "Die conclusie hangt af van de telregel" in conclusions


def test_a_wrong_number_in_a_sentence_is_caught(demo):
    st, t, _ = demo
    text, tables = region_report(st, t, st.region_slugs[0])
    served = next(s for s in text.sentences if "onderbediend" in s.text and s.sources)
    wrong = Sentence(served.text.replace("O = 20,0", "O = 19,0"), served.sources, served.fixed)
    with pytest.raises(AssertionError):
        check_sentence(wrong, tables)


INTERVAL = re.compile(r"^(-?\d+(?:,\d+)?)–(-?\d+(?:,\d+)?)$")


def interval_cells(df: pd.DataFrame) -> list[tuple[str, str]]:
    """The intervals a table shows: "a–b" text cells, and lower/upper bound column pairs."""
    out = []
    for c in df.columns:
        for v in df[c]:
            m = INTERVAL.match(str(v))
            if m:
                out.append(m.groups())
    for lo_col in [c for c in df.columns if "ondergrens" in str(c)]:
        hi_col = str(lo_col).replace("ondergrens", "bovengrens")
        for lo, hi in zip(df[lo_col], df[hi_col], strict=True):
            if pd.notna(lo):
                out.append((f"{lo:.3f}", f"{hi:.3f}"))
    return out


def test_demo_tables_have_no_zero_width_interval_and_no_class_without_n(demo, reports):
    st, t, a = demo
    shown = {}
    for report, (_, tables) in reports.items():
        shown |= {f"{report}/{k}": v for k, v in tables.items()}
    names = labels.code_labels(t["codebook_clusters"], st)
    shown["rangorde-noord"] = display_tables.consensus_table(
        survey_scores.ranking_consensus(display_tables.survey_for_region(a, "noord")["rankings"],
                                        st), names)
    counted = 0
    for name, df in shown.items():
        for lo, hi in interval_cells(df):
            counted += 1
            assert lo != hi, (name, lo, hi)
        if {"bediening", "kansniveau", "klasse (relatief)"} & set(df.columns):
            assert "n" in df.columns and df["n"].notna().all(), name
            assert df.attrs.get("n_unit") in ("participants_indicative", "respondents"), name
    assert counted > 300
    # the region rankings have too few respondents for a bootstrap: no interval, not a fake one
    assert (shown["rangorde-noord"]["95%-interval"] == "").all()
    assert shown["national/landschap-hbo"]["O 95%-interval"].str.len().gt(0).all()


def test_demo_workshop_captions_and_figures_call_classes_indicative(demo, tmp_path):
    from hbomkb.notebook import n_caption
    from hbomkb.present import plots

    st, t, a = demo
    odi = score.odi(display_tables.only(t["outcome_ratings"], region="noord"), st)
    table = display_tables.odi_table(display_tables.only(odi, role="hbo"), {}, language=st)
    assert n_caption(table, st) == "n = 4 deelnemers; bediening en kansniveau indicatief"
    fig = plots.opportunity_landscape(odi, st, point_label="cluster")
    assert all("indicatief, n = " in ax.get_title() for ax in fig.axes)
    land = survey_scores.survey_landscape(a["scores"], a["rankings"], st)
    fig = plots.opportunity_landscape(land, st)
    # one legend for the whole figure, below its panels (figure_style.figure_legend)
    legend = {x.get_text() for lg in fig.legends for x in lg.get_texts()}
    assert "onzeker" in legend and "bovenste derde naar O" in legend
    assert "klassen relatief" in fig._suptitle.get_text()
    assert not any(line.get_label() == "O = 10" for ax in fig.axes for line in ax.get_lines())


def test_p_values_are_never_shown_as_zero():
    out = display_tables.present(pd.DataFrame({"p": [0.00002, 0.0123, np.nan],
                                               "p_holm": [0.0004, 1.0, np.nan]}), {})
    assert out["p"].tolist() == ["< 0,001", "0,012", ""]
    assert out["p (Holm)"].tolist() == ["< 0,001", "1,000", ""]
    assert display_tables.p_text(0.0004, "en") == "< 0.001"


def test_the_checker_reads_published_csv_files_too(demo, tmp_path):
    # the tables as the report writes them (CSV) carry the same numbers
    st, t, _ = demo
    text, tables = region_report(st, t, st.region_slugs[0])
    read = {}
    for name, df in tables.items():
        path = Path(tmp_path) / f"{name}.csv"
        df.to_csv(path, index=False)
        read[name] = pd.read_csv(path, keep_default_na=False, na_values=[""])
    for s in text.sentences:
        check_sentence(s, read)
