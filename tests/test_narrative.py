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
