"""Generated Dutch text: numbers, lists, sentences that follow their inputs, name every tie and
say no more than their test."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from hbomkb.config import Region, Study, Thresholds
from hbomkb.present import narrative, narrative_survey
from hbomkb.present.sentences import capital


def _study(root: Path, synthetic: bool = True) -> Study:
    return Study(root=root, name="t", title="Teststudie", synthetic=synthetic,
                 regions=(Region("noord", "Noord"), Region("oost", "Oost")),
                 thresholds=Thresholds(), min_group_size=3)


def test_dutch_numbers_and_lists():
    assert narrative.nummer(7.25, 1) == "7,2"  # round half to even, as Python formats
    assert narrative.nummer(12) == "12,0"
    assert narrative.nummer(float("nan")) == "–"
    assert narrative.nummer(None) == "–"
    assert narrative.p_waarde(0.0004) == "p < 0,001"
    assert narrative.p_waarde(0.0123) == "p = 0,012"
    assert narrative.opsomming(["a"]) == "a"
    assert narrative.opsomming(["a", "b", "c"]) == "a, b en c"
    assert narrative.w_band(0.05) == "zeer zwak"
    assert narrative.w_band(0.55) == "matig"
    assert narrative.w_band(0.95) == "zeer sterk"
    assert capital("hbo en mkb") == "Hbo en mkb" and capital("*talent* telt") == "*Talent* telt"


def _odi_rows() -> pd.DataFrame:
    # I and S by hand: (10, 0) -> O 20 underserved; (7.5, 5) -> O 10 properly served;
    # (2.5, 10) -> O 2.5 overserved.
    return pd.DataFrame({
        "role": "hbo", "region": "noord", "cluster": ["Stages", "Kennis", "Loket"],
        "code": ["H02", "H04", "H07"], "I": [10.0, 7.5, 2.5], "S": [0.0, 5.0, 10.0],
        "O": [20.0, 10.0, 2.5], "served": ["underserved", "properly_served", "overserved"],
        "n": pd.array([4, 4, 4], dtype="Int64")})


def test_served_sentence_states_its_numbers_calls_classes_indicative_and_names_sources():
    labels = {"H02": "Stageplekken", "H04": "Docenten", "H07": "Zichtbaarheid"}
    s = narrative.served_sentence(_odi_rows(), labels, "hbo")
    assert s.text == ("Van de 3 clusters van het hbo is er 1 onderbediend (O > 10; indicatief, "
                      "n = 4); het sterkst, met O = 20,0: ‘Stages’ (H02) met I = 10,0 en "
                      "S = 0,0; overbediend (S > I): ‘Loket’ (H07).")
    tables = {src.table for src in s.sources}
    assert tables == {"landschap-hbo"}
    assert {"kant": "hbo", "code": "H02", "cluster": "Stages"} in s.sources[1].rows
    assert "O > 10" in s.fixed
    rows = _odi_rows().assign(served="properly_served")
    assert "is geen enkel cluster onderbediend" in narrative.served_sentence(rows, labels,
                                                                            "hbo").text


def test_served_sentence_names_every_cluster_tied_for_the_highest_o():
    rows = _odi_rows().assign(I=[10.0, 10.0, 6.0], S=[0.0, 0.0, 0.0], O=[20.0, 20.0, 12.0],
                              served="underserved")
    s = narrative.served_sentence(rows, {}, "hbo").text
    assert "zijn er 3 onderbediend" in s
    assert "het sterkst, met O = 20,0: ‘Stages’ (H02) en ‘Kennis’ (H04), elk met I = 10,0" in s
    # tied on O with different I and S: each with its own
    mixed = rows.assign(I=[10.0, 8.0, 6.0], S=[8.0, 4.0, 0.0], O=[12.0, 12.0, 12.0])
    s = narrative.served_sentence(mixed, {}, "hbo").text
    assert ("met O = 12,0: ‘Stages’ (H02): I = 10,0, S = 8,0; ‘Kennis’ (H04): I = 8,0, S = 4,0; "
            "‘Loket’ (H07): I = 6,0, S = 0,0") in s


def _respondents(hbo: object, mkb: object, language: str = "nl") -> pd.DataFrame:
    """The respondents table of a region as the region report shows it."""
    heads = {"nl": ["kant", "volledig", "gedeeltelijk"], "en": ["side", "complete", "partial"]}
    side, complete, partial = heads[language]
    return pd.DataFrame({side: ["hbo", "mkb"], complete: [hbo, mkb], partial: [0, 0]})


def test_region_summary_follows_its_inputs(tmp_path):
    st = _study(tmp_path)
    top3 = pd.DataFrame({"region": "noord", "role": ["hbo"] * 3 + ["mkb"] * 3,
                         "rank": [1, 2, 3, 1, 2, 3],
                         "cluster": ["Stages", "Kennis", "Loket", "Talent", "Proces", "Kosten"],
                         "code": ["H02", "H04", "H07", "M02", "M04", "M04"], "n": 3})
    common = pd.DataFrame({"region": "noord", "pairing": "theme", "key": ["talent", "proces"],
                           "hbo_codes": ["H02", ""], "mkb_codes": ["M02", "M04"],
                           "hbo": [True, False], "mkb": [True, True],
                           "common": [True, False]})
    forms = pd.DataFrame({"region": "noord", "mixed_group": [1, 1, 1, 2, 2, 2],
                          "rank": [1, 2, 3, 1, 2, 3],
                          "cluster": ["Cases", "Stage", "Lab", "Hub", "Projecten", "Afstuderen"],
                          "code": ["F01", "F02", "F04", "F05", "F01", "F02"], "n": 2})
    people = pd.DataFrame({"role": ["hbo"] * 4 + ["mkb"] * 4})
    labels = {"H02": "Stageplekken", "M02": "Toegang tot talent", "F01": "Studentprojecten",
              "F02": "Stages"}
    out = narrative.region_summary(st, "noord", top3, _odi_rows(), common, forms, people,
                                   labels, respondents=_respondents("< 3", 7))
    text = out.text
    assert text.startswith("**Samenvatting regio Noord.** Aan de workshop namen 4 "
                           "hbo-vertegenwoordigers en 4 ondernemers deel.")
    assert "1. ‘Stages’ (H02), 2. ‘Kennis’ (H04) en 3. ‘Loket’ (H07)" in text
    assert "*talent* (Stageplekken (H02); Toegang tot talent (M02))" in text
    assert "*proces*" not in text  # only the shared theme is common ground
    assert "MIX 1: 1. ‘Cases’ (F01)" in text and "MIX 2: 1. ‘Hub’ (F05)" in text
    assert "Beide groepen noemden Studentprojecten (F01) en Stages (F02)." in text
    assert "minder dan 3 hbo-respondenten en 7 mkb-respondenten" in text
    assert "synthetische" in text
    assert all(capital(s.text) == s.text for s in out.sentences)
    tables = {src.table for s in out.sentences for src in s.sources}
    assert tables == {"deelnemers", "top3-hbo-mkb", "gemeenschappelijke-grond", "landschap-hbo",
                      "top3-vormen", "respondenten"}
    real = narrative.region_summary(_study(tmp_path, synthetic=False), "noord", top3,
                                    _odi_rows(), common, forms, people, labels,
                                    respondents=_respondents(5, 6)).text
    assert "synthetische" not in real and "volledig mee: 5 hbo-respondenten" in real


def _fit(values=(4.0, 3.9)) -> pd.DataFrame:
    return pd.DataFrame({"role": "mkb", "form": ["F01", "F02"], "scale": "potential",
                         "fit": list(values), "ci_low": [3.8, 3.7], "ci_high": [4.2, 4.1],
                         "n": 40})


def _lead(low: float, high: float) -> pd.DataFrame:
    return pd.DataFrame({"role": ["mkb"], "comparison": ["lead"], "scale": ["potential"],
                         "form": ["F01"], "versus": ["F02"], "diff": [0.1], "ci_low": [low],
                         "ci_high": [high], "n": [40]})


def test_best_form_judged_by_the_interval_of_the_difference_not_by_overlap():
    labels = {"F01": "Studentprojecten", "F02": "Stages"}
    # the two fit intervals overlap, yet the paired difference is clearly above zero
    above = narrative_survey.fit_sentence(_fit(), _lead(0.04, 0.16), labels, "mkb",
                                          "potential")[0].text
    assert ("het verschil met de nummer twee, Stages (F02), is 0,10 (95%-interval 0,04–0,16) "
            "en ligt boven nul.") in above
    within = narrative_survey.fit_sentence(_fit(), _lead(-0.05, 0.25), labels, "mkb",
                                           "potential")[0].text
    assert "is niet van nul te onderscheiden" in within
    for text in (above, within):
        assert "duidelijk" not in text and "binnen de onzekerheid" not in text
    tied = narrative_survey.fit_sentence(_fit((4.0, 4.0)), None, labels, "mkb",
                                         "potential")[0].text
    assert ("scoren in de potentiële situatie Studentprojecten (F01; fit 4,00, 95%-interval "
            "3,80–4,20) en Stages (F02; fit 4,00, 95%-interval 3,70–4,10) gelijk het best") in tied


def test_methods_use_the_study_thresholds(tmp_path):
    st = Study(root=tmp_path, name="t", title="T", synthetic=False,
               regions=(Region("noord", "Noord"),),
               thresholds=Thresholds(underserved=9, high=11.5, extreme=14), min_group_size=5)
    text = narrative.methods(st, {"deelnemers": 8})
    assert "*onderbediend* als $O > 9$" in text
    assert "$S = 2I - 11,5$" in text and "$S = 2I - 14$" in text
    assert "vanaf n = 5" in text
    assert "| deelnemers | 8 |" in text
    assert "niets is\ngesimuleerd" in text or "niets is gesimuleerd" in text
    flat = text.replace("\n", " ")
    assert "Clopper-Pearson" in flat and "*conservatief*" in flat and "*indicatief*" in flat
    assert "$I = 10 \\cdot (k - \\text{gemiddelde rang})/(k - 1)$" in flat
    assert "**Beschrijvend en toetsend.**" in flat


def test_national_conclusions_before_the_survey_cover_workshops_only(tmp_path):
    top = pd.DataFrame({"role": ["hbo", "mkb", "mkb"], "code": ["H06", "M07", "M04"],
                        "n": [4, 3, 3], "regions": [4, 3, 3], "groups": [5, 5, 5]})
    common = pd.DataFrame({"region": "all", "pairing": "theme", "key": ["talent"],
                           "hbo_codes": ["H02"], "mkb_codes": ["M02"], "hbo": [True],
                           "mkb": [True], "common": [True]})
    out = narrative.national_conclusions(_study(tmp_path), {"H06": "Nieuwe onderwijsvormen"},
                                         top, common, n_regions=5)
    text = out.text
    assert text.startswith("**Conclusies** (uit 5 regionale workshops (nog zonder enquête))\n\n- ")
    assert "het hbo Nieuwe onderwijsvormen (H06) het vaakst als kans: in 4 van de 5 regio's" \
        in text
    # a tie for most chosen names both
    assert "het mkb M07 en M04 het vaakst als kans, elk in 3 van de 5 regio's" in text
    assert "geen antwoorden" in text and "Kendalls W" not in text


def test_w_band_words_come_from_the_word_table():
    assert [narrative.w_band(w) for w in (0.19, 0.2, 0.39, 0.6, 0.79, 0.8)] == [
        "zeer zwak", "zwak", "zwak", "sterk", "sterk", "zeer sterk"]
    assert narrative.w_band(0.5, "en") == "moderate"


def test_common_sentence_names_the_pairing_ties_and_says_when_nothing_is_shared():
    common = pd.DataFrame({"region": "noord", "pairing": "quadrant",
                           "key": ["exploreren/kortlopend"], "hbo_codes": ["H02"],
                           "mkb_codes": ["M02"], "common": [True]})
    labels = {"H02": "Stageplekken", "M02": "Toegang tot talent"}
    assert narrative.common_sentence(common, labels).text == (
        "Gemeenschappelijke grond (kwadrant in de top 3 van beide kanten): "
        "*exploreren/kortlopend* (Stageplekken (H02); Toegang tot talent (M02)).")
    apart = common.assign(pairing="theme", common=False)
    assert narrative.common_sentence(apart, labels).text == (
        "Het hbo en het mkb kozen geen kansen met hetzelfde thema: in de top 3 is geen "
        "gemeenschappelijke grond.")
    national = common.assign(region="all", pairing="theme", key="talent", mkb_tied="M02",
                             hbo_tied="", tie=True)
    text = narrative.common_sentence(national, labels).text
    assert "gelijke stand op de derde plaats meegeteld" in text
    assert "Toegang tot talent (M02), alleen door gelijke stand op de derde plaats" in text


def test_sensitivity_sentence_says_whether_the_conclusion_holds():
    rows = pd.DataFrame({"rule": ["groups", "points", "picks"],
                         "common": ["innovatie", "", "innovatie"], "same": [True, False, True]})
    text = narrative.sensitivity_sentence(rows).text
    assert text == ("Die conclusie hangt af van de telregel: breek je gelijke standen met "
                    "punten, dan is er geen gemeenschappelijke grond; tel je top-3-plaatsen in "
                    "plaats van groepen, dan is de gemeenschappelijke grond *innovatie*.")
    robust = rows.assign(common="innovatie", same=True)
    assert narrative.sensitivity_sentence(robust).text.startswith(
        "Die conclusie hangt niet af van de telregel: ook als je gelijke standen met punten "
        "breekt of top-3-plaatsen in plaats van groepen telt, is de gemeenschappelijke grond "
        "*innovatie*.")


def test_national_conclusions_with_the_survey_state_its_numbers(tmp_path):
    top = pd.DataFrame({"role": ["hbo"], "code": ["H06"], "n": [4], "groups": [5]})
    common = pd.DataFrame({"region": "all", "pairing": "theme", "key": ["talent"],
                           "hbo_codes": ["H02"], "mkb_codes": [""], "common": [False]})
    consensus = pd.DataFrame({"role": "mkb", "code": ["M02", "M04"], "mean_rank": [1.5, 2.25],
                              "ci_low": [1.25, 2.0], "ci_high": [1.75, 2.5], "n": [40, 40]})
    agreement = pd.DataFrame({"role": ["mkb"], "W": [0.55], "p": [0.0123]})
    change = pd.DataFrame({"role": "mkb", "form": ["F01", "F02"], "p_holm": [0.01, 0.2],
                           "current": [3.0, 3.0], "potential": [4.0, 3.5]})
    landscape = pd.DataFrame({"role": "mkb", "code": ["M02", "M04", "M05"],
                              "O": [12.5, 9.0, 6.0], "O_low": [11.0, 8.0, 5.0],
                              "O_high": [14.0, 10.5, 7.0], "rank": [1.0, 2.0, 3.0],
                              "rank_low": [1.0, 1.0, 3.0], "rank_high": [1.0, 2.0, 3.0],
                              "class": ["top", "uncertain", "bottom"], "n": 40})
    labels = {"M02": "Toegang tot talent", "F01": "Studentprojecten", "F02": "Stages"}
    out = narrative.national_conclusions(_study(tmp_path), labels, top, common, consensus,
                                         agreement, _fit((4.0, 3.0)), change, landscape,
                                         n_regions=5, differences=_lead(0.9, 1.1))
    text = out.text
    assert "(uit 5 regionale workshops en de validatie-enquête)" in text
    assert ("In de enquête staat bij het mkb Toegang tot talent (M02) bovenaan (gemiddelde rang "
            "1,50, 95%-interval 1,25–1,75; n = 40); de overeenstemming over de volgorde is matig "
            "(Kendalls W = 0,55, p = 0,012).") in text
    assert "scoort in de potentiële situatie Studentprojecten (F01) het best (fit 4,00" in text
    assert ("Bij 1 van de 2 samenwerkingsvormen scoort het mkb potentieel significant hoger dan "
            "huidig (Wilcoxon-rangtekentoets, Holm-gecorrigeerd p < 0,05).") in text
    assert "aantoonbaar" not in text
    assert ("behoort bij het mkb tot het bovenste derde naar kans: Toegang tot talent (M02; "
            "O = 12,5, 95%-interval 11,0–14,0; plaats 1 in minstens 95% van de trekkingen)") \
        in text
    assert "onzeker, want het interval van hun plaats overschrijdt een klassegrens: M04" in text
    assert "Het hbo en het mkb kozen geen kansen" in text
    assert all(capital(s.text) == s.text for s in out.sentences)


def test_ranking_sentence_names_outcomes_that_tie_at_the_top():
    consensus = pd.DataFrame({"role": "hbo", "code": ["H01", "H02", "H03"],
                              "mean_rank": [1.504, 1.496, 2.5], "ci_low": float("nan"),
                              "ci_high": float("nan"), "n": 12})
    text = narrative_survey.ranking_sentence(consensus, None, {}, "hbo")[0].text
    assert text == ("In de enquête staan bij het hbo H01 (gemiddelde rang 1,50) en H02 "
                    "(gemiddelde rang 1,50) gelijk bovenaan (n = 12).")


def test_methods_read_w_in_the_bands_of_the_word_table(tmp_path):
    text = narrative.methods(_study(tmp_path), {})
    assert "$W$ gelezen als < 0,2 zeer zwak, < 0,4 zwak, < 0,6 matig, < 0,8 sterk, anders zeer " \
        "sterk" in text.replace("\n", " ")
    assert "**Alle gegevens in dit rapport zijn synthetisch**" in text
