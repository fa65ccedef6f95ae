"""Generated Dutch text: numbers, lists, sentences that follow their inputs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from hbomkb.config import Region, Study, Thresholds
from hbomkb.present import narrative


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


def _odi_rows() -> pd.DataFrame:
    # I and S by hand: (10, 0) -> O 20 underserved; (7.5, 5) -> O 10 properly served;
    # (2.5, 10) -> O 2.5 overserved.
    return pd.DataFrame({
        "role": "hbo", "region": "noord", "cluster": ["Stages", "Kennis", "Loket"],
        "code": ["H02", "H04", "H07"], "I": [10.0, 7.5, 2.5], "S": [0.0, 5.0, 10.0],
        "O": [20.0, 10.0, 2.5], "served": ["underserved", "properly_served", "overserved"],
        "n": pd.array([4, 4, 4], dtype="Int64")})


def test_served_sentence_states_the_numbers_it_was_given():
    labels = {"H02": "Stageplekken", "H04": "Docenten", "H07": "Zichtbaarheid"}
    text = narrative.served_sentence(_odi_rows(), labels, "hbo")
    assert text.startswith("Van de 3 clusters van het hbo (beoordeeld door 4 deelnemers)")
    assert "is er 1 onderbediend" in text
    assert "‘Stages’ (H02) met O = 20,0 (I = 10,0, S = 0,0)" in text
    assert "overbediend (S > I): ‘Loket’ (H07)" in text
    rows = _odi_rows().assign(served="properly_served")
    assert "is geen enkel cluster onderbediend" in narrative.served_sentence(rows, labels, "hbo")


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
    text = narrative.region_summary(st, "noord", top3, _odi_rows(), common, forms, people,
                                    labels, n_respondents=2)
    assert "**Samenvatting regio Noord.**" in text
    assert "4 hbo-vertegenwoordigers en 4 ondernemers" in text
    assert "1. ‘Stages’ (H02), 2. ‘Kennis’ (H04) en 3. ‘Loket’ (H07)" in text
    assert "*talent* (Stageplekken (H02) en Toegang tot talent (M02))" in text
    assert "*proces*" not in text  # only the shared theme is common ground
    assert "Beide groepen noemden Studentprojecten (F01) en Stages (F02)." in text
    assert "minder dan 3 respondenten" in text
    assert "synthetische" in text
    real = narrative.region_summary(_study(tmp_path, synthetic=False), "noord", top3,
                                    _odi_rows(), common, forms, people, labels, 5)
    assert "synthetische" not in real and "deden 5 respondenten" in real


def test_national_best_form_says_when_the_lead_is_within_uncertainty(tmp_path):
    fit = pd.DataFrame({"role": "mkb", "form": ["F01", "F02"], "scale": "potential",
                        "fit": [4.0, 3.9], "ci_low": [3.8, 3.7], "ci_high": [4.2, 4.1]})
    labels = {"F01": "Studentprojecten", "F02": "Stages"}
    assert "valt binnen de onzekerheid" in narrative._best(fit, labels)
    apart = fit.assign(ci_low=[3.95, 3.0], ci_high=[4.1, 3.5])
    assert "duidelijk voor Stages (F02)" in narrative._best(apart, labels)


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


def test_national_conclusions_before_the_survey_cover_workshops_only(tmp_path):
    top = pd.DataFrame({"role": ["hbo", "mkb"], "code": ["H06", "M07"], "n": [4, 3],
                        "regions": [4, 3], "groups": [5, 5]})
    common = pd.DataFrame({"region": "all", "pairing": "theme", "key": ["talent"],
                           "hbo_codes": ["H02"], "mkb_codes": ["M02"], "hbo": [True],
                           "mkb": [True], "common": [True]})
    text = narrative.national_conclusions(_study(tmp_path), {"H06": "Nieuwe onderwijsvormen"},
                                          top, common, n_regions=5)
    assert "(uit 5 regionale workshops (nog zonder enquête))" in text
    assert "het hbo Nieuwe onderwijsvormen (H06) het vaakst als kans: in 4 van de 5 regio's" \
        in text
    assert "geen antwoorden" in text and "Kendalls W" not in text


def test_w_band_words_come_from_the_word_table():
    assert [narrative.w_band(w) for w in (0.19, 0.2, 0.39, 0.6, 0.79, 0.8)] == [
        "zeer zwak", "zwak", "zwak", "sterk", "sterk", "zeer sterk"]
    assert narrative.w_band(0.5, "en") == "moderate"


def test_common_sentence_names_the_pairing_and_says_when_nothing_is_shared():
    common = pd.DataFrame({"region": "all", "pairing": "quadrant",
                           "key": ["exploreren/kortlopend"], "hbo_codes": ["H02"],
                           "mkb_codes": ["M02"], "common": [True]})
    labels = {"H02": "Stageplekken", "M02": "Toegang tot talent"}
    assert narrative.common_sentence(common, labels) == (
        "Gemeenschappelijke grond (kwadrant in de top 3 van beide kanten): "
        "*exploreren/kortlopend* (Stageplekken (H02) en Toegang tot talent (M02)).")
    apart = common.assign(pairing="theme", common=False)
    assert narrative.common_sentence(apart, labels) == (
        "hbo en mkb kozen geen kansen met hetzelfde thema: er is in de top 3 geen "
        "gemeenschappelijke grond.")


def test_national_conclusions_with_the_survey_state_its_numbers(tmp_path):
    top = pd.DataFrame({"role": ["hbo"], "code": ["H06"], "n": [4], "groups": [5]})
    common = pd.DataFrame({"region": "all", "pairing": "theme", "key": ["talent"],
                           "hbo_codes": ["H02"], "mkb_codes": [""], "common": [False]})
    consensus = pd.DataFrame({"role": "mkb", "code": ["M02", "M04"], "mean_rank": [1.5, 2.25],
                              "ci_low": [1.25, 2.0], "ci_high": [1.75, 2.5], "n": [40, 40]})
    agreement = pd.DataFrame({"role": ["mkb"], "W": [0.55], "p": [0.0123]})
    fit = pd.DataFrame({"role": "mkb", "form": ["F01", "F02"], "scale": "potential",
                        "fit": [4.0, 3.0], "ci_low": [3.8, 2.8], "ci_high": [4.2, 3.2]})
    change = pd.DataFrame({"role": "mkb", "form": ["F01", "F02"], "p_holm": [0.01, 0.2],
                           "current": [3.0, 3.0], "potential": [4.0, 3.5]})
    landscape = pd.DataFrame({"role": "mkb", "code": ["M02", "M04"], "O": [12.5, 6.0],
                              "served": ["underserved", "overserved"]})
    labels = {"M02": "Toegang tot talent", "F01": "Studentprojecten", "F02": "Stages"}
    text = narrative.national_conclusions(_study(tmp_path), labels, top, common, consensus,
                                          agreement, fit, change, landscape, n_regions=5)
    assert "(uit 5 regionale workshops en de validatie-enquête)" in text
    assert ("In de enquête zet het mkb Toegang tot talent (M02) bovenaan (gemiddelde rang 1,50, "
            "95%-interval 1,25–1,75; n = 40); de overeenstemming over de volgorde is matig "
            "(Kendalls W = 0,55, p = 0,012).") in text
    assert "het best: Studentprojecten (F01) (score 4,00" in text
    assert "duidelijk voor Stages (F02)" in text
    assert "1 van de 2 samenwerkingsvormen kunnen volgens het mkb aantoonbaar meer" in text
    assert "Onderbediend voor het mkb (enquête, O > 10): Toegang tot talent (M02) (O = 12,5)." \
        in text
    assert "het hbo" in text and "geen gemeenschappelijke grond" in text


def test_methods_read_w_in_the_bands_of_the_word_table(tmp_path):
    text = narrative.methods(_study(tmp_path), {})
    assert "$W$ gelezen als < 0,2 zeer zwak, < 0,4 zwak, < 0,6 matig, < 0,8 sterk, anders zeer " \
        "sterk" in text.replace("\n", " ")
    assert "**Alle gegevens in dit rapport zijn synthetisch**" in text
