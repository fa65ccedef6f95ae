"""Display tables: counts, overviews, translations, small groups hidden."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd

from hbomkb.config import Region, Study, Thresholds
from hbomkb.notebook import n_caption
from hbomkb.present import tables as rt
from hbomkb.present.html import table_html


def _study(root: Path, synthetic: bool = True) -> Study:
    return Study(root=root, name="t", title="Teststudie", synthetic=synthetic,
                 regions=(Region("noord", "Noord"), Region("oost", "Oost")),
                 thresholds=Thresholds(), min_group_size=3)


def test_participant_counts_by_side_and_group():
    p = pd.DataFrame({"region": "noord",
                      "participant": ["HBO-A", "HBO-B", "HBO-C", "OND-A", "OND-B", "OND-C"],
                      "role": ["hbo", "hbo", "hbo", "mkb", "mkb", "mkb"],
                      "mixed_group": pd.array([1, 2, 2, 1, 1, None], dtype="Int64")})
    out = rt.participant_counts(p)
    assert "participant" not in out.columns
    assert out.set_index("kant").to_dict("index") == {
        "hbo": {"MIX 1": 1, "MIX 2": 2, "geen groep": 0, "totaal": 3},
        "mkb": {"MIX 1": 2, "MIX 2": 0, "geen groep": 1, "totaal": 3},
        "totaal": {"MIX 1": 3, "MIX 2": 2, "geen groep": 1, "totaal": 6}}


def test_respondent_counts_hide_groups_below_min_group_size(tmp_path):
    st = _study(tmp_path)
    r = pd.DataFrame({"respondent": range(9), "region": ["noord"] * 7 + ["oost"] * 2,
                      "role": ["hbo"] * 5 + ["mkb"] * 2 + ["hbo"] * 2,
                      "complete": [True] * 4 + [False] + [True] * 2 + [True, False]})
    out = rt.respondent_counts(r, st).set_index(["regio", "kant"])
    assert out.loc[("noord", "hbo"), "volledig"] == 4
    assert out.loc[("noord", "hbo"), "gedeeltelijk"] == "< 3"
    assert out.loc[("noord", "mkb"), "volledig"] == "< 3"
    assert out.loc[("noord", "mkb"), "gedeeltelijk"] == 0
    assert out.loc[("oost", "hbo"), "volledig"] == "< 3"


def test_cluster_overview_counts_notes_and_keeps_top3():
    notes = pd.DataFrame({"role": "hbo", "participant": ["HBO-A", "HBO-B", "HBO-A"],
                          "note_id": ["GR1", "GR2", "GR3"], "text": ["a", "b", "c"],
                          "cluster": ["Stages", "Stages", "Loket"]})
    clusters = pd.DataFrame({"role": "hbo", "cluster": ["Stages", "Loket", "Leeg"],
                             "top3": pd.array([2, 1, None], dtype="Int64"),
                             "code": ["H02", "H07", "H01"]})
    out = rt.cluster_overview(notes, clusters, {"H02": "Stageplekken"})
    assert out["cluster"].tolist() == ["Loket", "Stages", "Leeg"]
    assert out["notities"].tolist() == [1, 2, 0]
    assert out.loc[1, "notities (tekst)"] == "a · b"
    assert out.loc[1, "landelijk cluster"] == "Stageplekken"
    assert "participant" not in out.columns


def test_top3_side_by_side():
    t = pd.DataFrame({"role": ["hbo", "hbo", "mkb"], "rank": [1, 2, 1],
                      "cluster": ["A", "B", "C"], "code": ["H01", None, "M01"], "n": [2, 1, 3]})
    out = rt.top3_side_by_side(t, {})
    assert out.to_dict("records") == [{"rang": 1, "hbo": "A (H01)", "mkb": "C (M01)"},
                                      {"rang": 2, "hbo": "B (–)", "mkb": "–"}]


def test_tables_of_an_english_study_have_english_headers_values_and_decimals(tmp_path):
    p = pd.DataFrame({"region": "noord", "participant": ["HBO-A", "OND-A", "OND-B"],
                      "role": ["hbo", "mkb", "mkb"],
                      "mixed_group": pd.array([1, 1, None], dtype="Int64")})
    out = rt.participant_counts(p, "en")
    assert list(out.columns) == ["side", "MIX 1", "no group", "total"]
    assert out["side"].tolist() == ["hbo", "mkb", "total"] and "en" not in out.attrs
    notes = pd.DataFrame({"role": "hbo", "text": ["a"], "cluster": ["Stages"]})
    clusters = pd.DataFrame({"role": "hbo", "cluster": ["Stages"], "top3": [1],
                             "code": ["H02"]})
    assert list(rt.cluster_overview(notes, clusters, {}, language="en").columns) == [
        "side", "cluster", "notes", "top 3", "code", "national cluster", "notes (text)"]
    mixed = rt.cluster_overview(notes.rename(columns={"role": "mixed_group"}),
                                clusters.rename(columns={"role": "mixed_group"}), {},
                                group="mixed_group", language="en")
    assert mixed.columns[0] == "group"
    t = pd.DataFrame({"role": ["hbo"], "rank": [1], "cluster": ["A"], "code": ["H01"],
                      "n": [2]})
    assert list(rt.top3_side_by_side(t, {}, language="en").columns) == ["rank", "hbo"]
    r = pd.DataFrame({"respondent": range(4), "region": "noord", "role": "hbo",
                      "complete": [True, True, True, False]})
    assert list(rt.respondent_counts(r, _study(tmp_path), language="en").columns) == [
        "region", "side", "complete", "partial"]
    consensus = pd.DataFrame({"role": ["hbo"], "code": ["H01"], "mean_rank": [1.5],
                              "ci_low": [1.25], "ci_high": [2.0], "borda": [3],
                              "top_third_share": [0.5], "n": [10]})
    out = rt.consensus_table(consensus, {}, "en")
    assert list(out.columns) == ["side", "code", "desired outcome", "mean rank",
                                 "95% interval", "Borda", "top-third share", "n"]
    assert out["95% interval"].tolist() == ["1.25–2.00"]
    counts = pd.DataFrame({"kind": "form", "measure": "notes", "code": "F01",
                           "region": ["noord", "all"], "n": [3, 3]})
    out = rt.region_by_code(counts, "form", {"F01": "Projecten"}, {"noord": "Noord"},
                            language="en")
    # never "name" alone: show_table refuses a column that names a person
    assert list(out.columns) == ["code", "cluster name", "Noord", "total"]


def test_region_tables_are_dutch_by_default_and_english_for_an_english_study():
    consensus = pd.DataFrame({"role": ["hbo", "mkb"], "code": ["H01", "M01"],
                              "mean_rank": [1.5, 2.0], "ci_low": [1.25, None],
                              "ci_high": [2.0, None], "borda": [3, 1],
                              "top_third_share": [0.5, 1.0], "n": [10, 7]})
    nl = rt.consensus_table(consensus, {"H01": "Kennis"})
    assert nl.columns[2] == "gewenst resultaat" and nl["95%-interval"][0] == "1,25–2,00"
    en = rt.consensus_table(consensus, {"H01": "Kennis"}, "en")
    assert "desired outcome" in en.columns and en.iloc[0, -1] == 10
    assert en.attrs == {"n": 17, "n_unit": "respondents"}
    p = pd.DataFrame({"region": "noord", "participant": ["A", "B"], "role": ["hbo", "mkb"],
                      "mixed_group": pd.array([1, None], dtype="Int64")})
    assert rt.participant_counts(p).columns[0] == "kant"
    assert rt.participant_counts(p, "en").columns[0] == "side"


def test_present_translates_columns_and_values_and_labels_codes():
    fit = pd.DataFrame({"role": ["hbo"], "form": ["F01"], "scale": ["potential"],
                        "fit": [4.2], "n": [30]})
    out = rt.present(fit, {"F01": "Studentprojecten"})
    assert list(out.columns) == ["kant", "vorm", "vorm (naam)", "schaal", "fit", "n"]
    assert out.iloc[0].tolist() == ["hbo", "F01", "Studentprojecten", "potentieel", 4.2, 30]


def test_open_answers_are_counted_per_side_without_respondents():
    answers = pd.DataFrame({"respondent": [1, 2, 3, 4], "role": ["mkb", "mkb", "mkb", "hbo"],
                            "text": ["Eén loket", " Eén loket", "Subsidies", None]})
    out = rt.open_answers_summary(answers)
    assert out.to_dict("records") == [
        {"kant": "mkb", "ontbrekend gewenst resultaat": "Eén loket", "aantal": 2},
        {"kant": "mkb", "ontbrekend gewenst resultaat": "Subsidies", "aantal": 1}]


def test_survey_for_region_keeps_only_that_regions_respondents():
    tables = {
        "respondents": pd.DataFrame({"respondent": pd.array([1, 2, 3], dtype="Int64"),
                                     "region": ["noord", "oost", "noord"]}),
        "rankings": pd.DataFrame({"respondent": pd.array([1, 2, 3, 3], dtype="Int64"),
                                  "code": ["H01", "H01", "H01", "H02"]}),
        "scores": pd.DataFrame({"respondent": pd.array([2], dtype="Int64")}),
        "open_answers": pd.DataFrame({"respondent": pd.array([], dtype="Int64")}),
    }
    out = rt.survey_for_region(tables, "noord")
    assert out["respondents"]["respondent"].tolist() == [1, 3]
    assert out["rankings"]["respondent"].tolist() == [1, 3, 3]
    assert out["scores"].empty


def test_odi_table_shows_intervals_and_calls_workshop_classes_indicative():
    odi = pd.DataFrame({"role": "hbo", "region": "noord", "cluster": ["A"], "code": ["H01"],
                        "I": [7.5], "I_low": [1.94], "I_high": [9.94], "S": [2.5],
                        "S_low": [0.06], "S_high": [8.06], "O": [12.5], "O_low": [1.26],
                        "O_high": [19.7], "served": ["underserved"], "band": ["high"],
                        "n": [4], "reason": [""]})
    out = rt.odi_table(odi, {"H01": "Stages"})
    row = out.iloc[0]
    assert row["I 95%-interval"] == "1,9–9,9" and row["S 95%-interval"] == "0,1–8,1"
    assert row["O 95%-interval (conservatief)"] == "1,3–19,7"
    assert row["bediening"] == "onderbediend" and row["kansniveau"] == "groot" and row["n"] == 4
    assert out.attrs == {"n": 4, "n_unit": "participants_indicative"}
    assert "opmerking" not in out.columns  # no empty remark column


def test_odi_table_of_a_survey_landscape_shows_places_and_relative_classes():
    land = pd.DataFrame({"role": "mkb", "code": ["M01", "M02"], "I": [8.0, 3.0],
                         "I_low": [7.5, 2.5], "I_high": [8.5, 3.5], "S": [2.0, 2.5],
                         "S_low": [1.5, 2.0], "S_high": [2.5, 3.0], "O": [14.0, 3.5],
                         "O_low": [13.0, 2.5], "O_high": [15.0, 4.5], "rank": [1.0, 2.0],
                         "rank_low": [1.0, 1.0], "rank_high": [1.0, 2.0],
                         "class": ["top", "uncertain"], "n": [85, 85], "reason": ["", ""]})
    out = rt.odi_table(land, {}, regional=False)
    assert out["plaats 95%-interval"].tolist() == ["1", "1–2"]  # never "1–1"
    assert out["klasse (relatief)"].tolist() == ["bovenste derde", "onzeker"]
    assert "bediening" not in out.columns and out.attrs["n_unit"] == "respondents"


def test_top3_frequency_says_it_counts_groups_and_marks_the_national_top3():
    t = pd.DataFrame({"role": "mkb", "code": ["M01", "M02"], "n": [3, 2], "picks": [3, 3],
                      "points": [7.0, 5.0], "regions": [3, 2], "groups": [5, 5],
                      "share": [0.6, 0.4], "place": [1, 2], "top3": ["yes", "tie"]})
    out = rt.top3_frequency(t, {})
    assert list(out.columns[:4]) == ["kant", "code", "naam", "gekozen door (groepen)"]
    assert out["in landelijke top 3"].tolist() == ["ja", "ja, gelijke stand"]
    assert "top-3-plaatsen" in out.columns and out.attrs["n"] == 5


def _quadrants(weight: str) -> pd.DataFrame:
    """What :func:`hbomkb.analysis.score.quadrants` returns for one kind and one weight."""
    w = [56.0, 16.0] if weight != "importance" else [7.5, 6.0]
    return pd.DataFrame({"kind": "form", "code": ["F01", "F08"],
                         "explore": ["exploit", "explore"], "term": ["short", "long"],
                         "weight": w, "n": pd.array([56, 16] if weight != "importance"
                                                    else [4, 4], dtype="Int64"),
                         "weight_type": weight})


def test_quadrant_table_shows_no_constant_or_repeated_columns():
    for weight, unit in (("frequency", "notes_short"), ("top3", "top3_picks")):
        out = rt.quadrant_table(_quadrants(weight), {"F01": "Studentprojecten"})
        assert list(out.columns) == ["code", "naam", "exploreren/exploiteren", "looptijd", "n"]
        assert out["n"].tolist() == [56, 16] and out.attrs == {"n": 72, "n_unit": unit}
        shown = table_html(out, "Kwadranten")
        assert "frequentie" not in shown and "soort" not in shown and "gewicht" not in shown
    # an importance weight is not a count: it stays, under its own name, beside the raters
    out = rt.quadrant_table(_quadrants("importance"), {})
    assert list(out.columns) == ["code", "naam", "exploreren/exploiteren", "looptijd",
                                 "belang (I, 0-10)", "n"]
    assert out.attrs == {"n": 4, "n_unit": "participants"}
    assert "soort gewicht" not in out.columns


def test_present_leaves_out_a_remark_column_without_remarks():
    result = pd.DataFrame({"role": ["hbo", "mkb"], "W": [0.6, 0.7], "p": [1e-9, 0.2],
                           "reason": ["", None]})
    assert "opmerking" not in rt.present(result, {}).columns
    out = rt.present(result.assign(reason=["", "n = 2 < 3"]), {})
    assert out["opmerking"].tolist() == ["", "n = 2 < 3"]


def test_survey_tables_read_as_published_whole_numbers_and_p_values():
    consensus = pd.DataFrame({"role": ["hbo"], "code": ["H02"], "mean_rank": [2.32],
                              "ci_low": [2.04], "ci_high": [2.62], "borda": [262.0],
                              "top_third_share": [0.64], "n": [56]})
    cells = _cells(table_html(rt.consensus_table(consensus, {"H02": "Stages"}), "t",
                              decimal=","))
    assert cells["Borda"] == "262" and cells["gem. rang"] == "2,32"
    assert cells["gewenst resultaat"] == "Stages" and cells["95%-interval"] == "2,04–2,62"
    agreement = pd.DataFrame({"role": ["hbo"], "n": [56], "k": [7], "W": [0.63],
                              "Q": [210.8], "ddof": [6.0], "p": [9.5e-43], "reason": [""]})
    cells = _cells(table_html(rt.survey_result(agreement, {}), "t", decimal=","))
    assert cells["vrijheidsgraden"] == "6" and cells["p"] == "< 0,001"
    assert "opmerking" not in cells


def test_ordinal_tables_state_their_respondents_in_the_caption_not_per_row():
    model = pd.DataFrame({"group": ["scale", "form"], "term": ["scale[potential]", "form[F02]"],
                          "odds_ratio": [3.4, 0.05], "ci_low": [3.3, 0.04],
                          "ci_high": [3.6, 0.06], "p": [1e-30, 0.0004], "n": [18585, 18585],
                          "n_respondents": [141, 141], "reason": ["", ""]})
    out = rt.ordinal_table(model, {"F02": "Stages"})
    assert "n respondenten" not in out.columns and out.attrs["n"] == 141
    check = pd.DataFrame({"term": ["scale[potential]"] * 2, "cut": ["> 1", "> 2"],
                          "odds_ratio": [2.6, 2.8], "n": [18585] * 2, "n_respondents": [141] * 2})
    out = rt.proportional_odds_table(check)
    assert "n respondenten" not in out.columns and out.attrs["n"] == 141


def test_what_every_row_of_a_model_table_shares_is_stated_once_in_the_caption(tmp_path):
    check = pd.DataFrame({"term": "scale[potential]", "cut": ["> 1", "> 2"],
                          "odds_ratio": [2.56, 2.83], "ci_low": [2.37, 2.67],
                          "ci_high": [2.76, 2.98], "chi2": [260.178] * 2, "df": [3.0] * 2,
                          "p": [1e-9] * 2, "n": [17288] * 2, "n_respondents": [300] * 2,
                          "reason": ["", ""]})
    out = rt.proportional_odds_table(check)
    assert list(out.columns) == ["drempel", "odds ratio", "95%-ondergrens", "95%-bovengrens"]
    st = Study(root=tmp_path, name="s", title="s")
    assert n_caption(out, st) == ("n = 300 respondenten; Wald χ² = 260,18; "
                                  "vrijheidsgraden = 3; p < 0,001; 17288 waarnemingen")
    # one row: the values are the table
    one = rt.proportional_odds_table(check.head(1))
    assert "Wald χ²" in one.columns and "note" not in one.attrs


def _cells(page: str) -> dict[str, str]:
    """The first body row of an HTML table as heading -> the text a reader sees."""
    heads = [re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<th[^>]*>(.*?)</th>", page)]
    row = re.search(r"<tbody>\s*<tr>(.*?)</tr>", page, re.S).group(1)
    cells = [html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row)]
    return dict(zip(heads, cells, strict=True))
