"""The survey instrument: built from the codebook, written as a .lss LimeSurvey imports."""

from __future__ import annotations

import pytest
from minisurvey import CODEBOOK, make_study

from hbomkb.inputs import instrument
from hbomkb.inputs import limesurvey as ls
from hbomkb.problems import InputError


def test_survey_has_the_study_questions_with_codebook_codes(tmp_path):
    s = instrument.build_structure(make_study(tmp_path), CODEBOOK, languages=("nl", "en"))
    got = [(q.code, q.type, q.gid) for q in s.ordered_questions()]
    assert got == [("rol", "L", 1), ("regio", "L", 1), ("rankhbo", "R", 2), ("openhbo", "T", 2),
                   ("rankmkb", "R", 2), ("openmkb", "T", 2), ("H01", "1", 3), ("H02", "1", 3),
                   ("M01", "1", 3), ("M02", "1", 3)]
    assert [a.code for a in s.question("rol").answers] == ["hbo", "mkb"]
    assert [(a.code, a.texts["nl"]) for a in s.question("regio").answers] == [
        ("noord", "Noord"), ("zuidw", "Zuid-West")]
    assert [a.code for a in s.question("rankmkb").answers] == ["M01", "M02"]
    dual = s.question("H02")
    assert [sq.code for sq in dual.subs(0)] == ["F01", "F02"]
    for scale in (0, 1):
        assert [a.code for a in dual.answer_list(scale)] == ["1", "2", "3", "4", "5", "WN"]
    assert dual.answer_list(1)[5].texts == {"nl": "weet niet", "en": "don't know"}
    assert s.attribute(dual, "dualscale_headerA", "nl") == "huidige situatie"
    assert s.attribute(dual, "dualscale_headerB", "nl") == "potentiële situatie"
    assert "Stageplekken" in dual.texts["nl"] and "Placements" in dual.texts["en"]
    # each side's questions only for that side
    assert s.question("rankhbo").relevance == '(rol.NAOK == "hbo")'
    assert s.question("M01").relevance == '(rol.NAOK == "mkb")'
    assert (s.settings["anonymized"], s.settings["ipaddr"], s.settings["refurl"]) == (
        "Y", "N", "N")


def test_study_survey_round_trips_through_the_lss_file(tmp_path):
    study = make_study(tmp_path)
    path = instrument.write_survey_lss(study, CODEBOOK, tmp_path / "s.lss", languages=("nl", "en"))
    built = instrument.build_structure(study, CODEBOOK, languages=("nl", "en"))
    back = ls.read_lss(path)
    assert back.survey_id == instrument.survey_id(study) and back.languages == ("nl", "en")
    assert [c.name for c in ls.response_columns(back)] == \
        [c.name for c in ls.response_columns(built)]
    assert [(q.code, q.type, q.relevance, q.texts) for q in back.ordered_questions()] == \
        [(q.code, q.type, q.relevance, q.texts) for q in built.ordered_questions()]
    assert back.settings["anonymized"] == "Y" and back.settings["ipaddr"] == "N"


def test_codes_that_cannot_be_limesurvey_codes_are_refused(tmp_path):
    bad = CODEBOOK.copy()
    bad.loc[0, "code"] = "1H"
    bad.loc[2, "code"] = "MKB001"   # answer codes hold at most 5 characters
    with pytest.raises(InputError) as e:
        instrument.build_structure(make_study(tmp_path), bad)
    msg = str(e.value)
    assert "'1H'" in msg and "'MKB001'" in msg and "at most 5 characters" in msg


def test_region_codes_are_readable_and_unique():
    assert instrument.region_code(["noord", "zuid-west", "west-zuid", "west-noord", "oost"]) == {
        "noord": "noord", "zuid-west": "zuidw", "west-zuid": "westz", "west-noord": "westn",
        "oost": "oost"}
    assert instrument.region_code(["abcdef", "abcdeg", "1x"]) == {"abcdef": "abcde",
                                                               "abcdeg": "abcd2", "1x": "R1x"}
