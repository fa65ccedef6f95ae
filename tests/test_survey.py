"""The study's validation survey: built from the codebook, read back into the tidy tables."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hbomkb.config import Study
from hbomkb.inputs import limesurvey as ls
from hbomkb.inputs import survey

FIX = Path(__file__).resolve().parent / "fixtures" / "limesurvey"


def _fixture_script():
    """The script that wrote the export fixtures: its codebook is the tests' codebook."""
    spec = importlib.util.spec_from_file_location("make_fixtures", FIX / "make_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MAKE = _fixture_script()
CODEBOOK = MAKE.CODEBOOK
REGIONS = MAKE.REGIONS


def make_study(root: Path, csv_name: str | None = None, **kw) -> Study:
    if csv_name:
        (root / "survey").mkdir(parents=True, exist_ok=True)
        shutil.copy(FIX / "mini.lss", root / "survey" / "survey.lss")
        shutil.copy(FIX / csv_name, root / "survey" / "responses.csv")
    return Study(root=root, name="mini", title="Mini", regions=REGIONS, **kw)


def rows(df: pd.DataFrame, cols) -> list[tuple]:
    return [tuple(None if pd.isna(v) else v for v in r)
            for r in df[cols].astype(object).itertuples(index=False)]


# --- building ------------------------------------------------------------------------------

def test_survey_has_the_study_questions_with_codebook_codes(tmp_path):
    s = survey.build_structure(make_study(tmp_path), CODEBOOK, languages=("nl", "en"))
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
    path = survey.write_survey_lss(study, CODEBOOK, tmp_path / "s.lss", languages=("nl", "en"))
    built = survey.build_structure(study, CODEBOOK, languages=("nl", "en"))
    back = ls.read_lss(path)
    assert back.survey_id == survey.survey_id(study) and back.languages == ("nl", "en")
    assert [c.name for c in ls.response_columns(back)] == \
        [c.name for c in ls.response_columns(built)]
    assert [(q.code, q.type, q.relevance, q.texts) for q in back.ordered_questions()] == \
        [(q.code, q.type, q.relevance, q.texts) for q in built.ordered_questions()]
    assert back.settings["anonymized"] == "Y" and back.settings["ipaddr"] == "N"


def test_codes_that_cannot_be_limesurvey_codes_are_refused(tmp_path):
    bad = CODEBOOK.copy()
    bad.loc[0, "code"] = "1H"
    bad.loc[2, "code"] = "MKB001"   # answer codes hold at most 5 characters
    with pytest.raises(survey.InputError) as e:
        survey.build_structure(make_study(tmp_path), bad)
    msg = str(e.value)
    assert "'1H'" in msg and "'MKB001'" in msg and "at most 5 characters" in msg


def test_region_codes_are_readable_and_unique():
    assert survey.region_code(["noord", "zuid-west", "west-zuid", "west-noord", "oost"]) == {
        "noord": "noord", "zuid-west": "zuidw", "west-zuid": "westz", "west-noord": "westn",
        "oost": "oost"}
    assert survey.region_code(["abcdef", "abcdeg", "1x"]) == {"abcdef": "abcde",
                                                               "abcdeg": "abcd2", "1x": "R1x"}


# --- reading -------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["mini_semicolon_bom_crlf.csv", "mini_null.csv",
                                  "mini_expression.csv", "mini_comma_lf.csv"])
def test_fixture_export_gives_the_tidy_tables(tmp_path, name):
    tables, problems = survey.read_survey(make_study(tmp_path, name), CODEBOOK)
    assert problems == []
    r = tables["respondents"]
    assert list(r.columns) == survey.TABLE_COLUMNS["respondents"]
    assert rows(r, ["respondent", "complete", "role", "region", "language"]) == [
        (1, True, "hbo", "noord", "nl"), (2, True, "mkb", "zuid-west", "en"),
        (3, False, "hbo", "zuid-west", "nl")]
    assert r["submitted"].iloc[0] == pd.Timestamp("2018-06-04 10:12:00")
    assert pd.isna(r["submitted"].iloc[2])
    assert r["started"].iloc[2] == pd.Timestamp("2018-06-06 09:00:00")
    assert rows(tables["rankings"], survey.TABLE_COLUMNS["rankings"]) == [
        (1, "hbo", "H02", 1), (1, "hbo", "H01", 2), (3, "hbo", "H01", 1), (3, "hbo", "H02", 2),
        (2, "mkb", "M01", 1), (2, "mkb", "M02", 2)]
    sc = tables["scores"]
    assert list(sc.columns) == survey.TABLE_COLUMNS["scores"] and len(sc) == 24
    one = sc[sc["respondent"] == 1]
    assert rows(one, ["outcome", "form", "scale", "value", "dont_know"]) == [
        ("H01", "F01", "current", 3, False), ("H01", "F01", "potential", 5, False),
        ("H01", "F02", "current", 2, False), ("H01", "F02", "potential", 3, False),
        ("H02", "F01", "current", 4, False), ("H02", "F01", "potential", 5, False),
        ("H02", "F02", "current", None, True), ("H02", "F02", "potential", 4, False)]
    two = sc[sc["respondent"] == 2]
    assert two["value"].tolist()[:4] == [1, 2, pd.NA, pd.NA]
    assert two["dont_know"].sum() == 2 and set(two["role"]) == {"mkb"}
    three = sc[sc["respondent"] == 3]     # stopped before the scores: not shown
    assert len(three) == 8 and three["value"].isna().all() and not three["dont_know"].any()
    assert rows(tables["open_answers"], ["respondent", "role", "text"]) == [
        (1, "hbo", 'Meer "echte" opdrachten;\nook langlopend'), (2, "mkb", "Mail [e-mail]")]
    ex = tables["exclusions"]
    assert rows(ex, survey.TABLE_COLUMNS["exclusions"]) == [
        ("survey/responses.csv", "", 5, "respondents",
         "no valid role: question rol unanswered or not hbo/mkb")]


def test_every_response_row_is_a_respondent_or_an_exclusion(tmp_path):
    tables, _ = survey.read_survey(make_study(tmp_path, "mini_tab.csv"), CODEBOOK)
    assert len(tables["respondents"]) + len(tables["exclusions"]) == 4


def test_bad_role_and_unknown_region_are_problem_rows(tmp_path):
    study = make_study(tmp_path, "mini_semicolon_bom_crlf.csv")
    path = study.survey_responses_path
    text = path.read_text(encoding="utf-8-sig")
    text = text.replace('"hbo";"zuidw"', '"student";"zuidw"').replace(
        '"mkb";"zuidw"', '"mkb";"oost"')
    path.write_text(text, encoding="utf-8-sig", newline="")
    tables, problems = survey.read_survey(study, CODEBOOK)
    where = {(p.file, p.row, p.column): p.message for p in problems}
    assert "value 'student' is not an answer code of question rol; expected one of hbo, mkb" \
        in where[("survey/responses.csv", 4, "rol")]
    assert "value 'oost' is not an answer code of question regio" in where[
        ("survey/responses.csv", 3, "regio")]
    assert tables["respondents"]["respondent"].tolist() == [1, 2]
    assert pd.isna(tables["respondents"]["region"].iloc[1])
    assert tables["exclusions"]["row"].tolist() == [4, 5]


def test_study_without_a_survey_gets_empty_tables_and_no_problem(tmp_path):
    tables, problems = survey.read_survey(make_study(tmp_path), CODEBOOK)
    assert problems == []
    for name, cols in survey.TABLE_COLUMNS.items():
        assert list(tables[name].columns) == cols and tables[name].empty


def test_structure_without_responses_is_a_problem(tmp_path):
    study = make_study(tmp_path, "mini_tab.csv")
    study.survey_responses_path.unlink()
    tables, problems = survey.read_survey(study, CODEBOOK)
    assert tables["respondents"].empty
    assert [p.file for p in problems] == ["survey/responses.csv"]


def test_structure_of_another_survey_is_a_problem(tmp_path):
    study = make_study(tmp_path, "mini_tab.csv")
    shutil.copy(FIX / "other.lss", study.survey_structure_path)
    tables, problems = survey.read_survey(study, CODEBOOK)
    assert tables["scores"].empty
    assert "not the study's survey: question(s) missing or of another type: rol (type L)" \
        in problems[0].message


def test_full_text_export_is_a_problem_with_the_options_to_choose(tmp_path):
    study = make_study(tmp_path, "mini_tab.csv")
    s = ls.read_lss(FIX / "mini.lss")
    header = ["Response ID", "Date submitted"] + [s.text(q.texts) for q in s.questions]
    study.survey_responses_path.write_text(";".join(f'"{h}"' for h in header) + "\r\n",
                                           encoding="utf-8-sig")
    _, problems = survey.read_survey(study, CODEBOOK)
    assert '"Headings: Question code"' in problems[0].message


def test_analysable_keeps_complete_responses_unless_partial_ones_are_wanted(tmp_path):
    study = make_study(tmp_path, "mini_semicolon_bom_crlf.csv")
    tables, _ = survey.read_survey(study, CODEBOOK)
    kept = survey.analysable(tables, study)
    assert kept["respondents"]["respondent"].tolist() == [1, 2]
    assert set(kept["rankings"]["respondent"]) == {1, 2}
    assert set(kept["scores"]["respondent"]) == {1, 2}
    assert len(tables["rankings"]) == 6 and len(kept["rankings"]) == 4
    partial = make_study(tmp_path, None, include_partial=True)
    assert survey.analysable(tables, partial)["respondents"]["respondent"].tolist() == [1, 2, 3]


# --- demo responses ------------------------------------------------------------------------

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
    survey.write_demo_survey(study, CODEBOOK, workshop_tables(), root, seed=11)
    return study


def test_demo_export_is_written_as_limesurvey_6_writes_it(demo):
    raw = demo.survey_responses_path.read_bytes()
    assert raw.startswith(b'\xef\xbb\xbf"id";"submitdate";"lastpage";"startlanguage";"seed"')
    assert raw.endswith(b'"\r\n\r\n')
    lines = raw[3:].split(b"\r\n")[:-2]
    assert all(line.startswith(b'"') and line.endswith(b'"') for line in lines)
    assert all(b'";"' in line for line in lines)
    assert ls.read_lss(demo.survey_structure_path).question("H01").type == "1"


def test_demo_survey_is_byte_identical_for_the_same_seed(demo, tmp_path):
    again = Study(root=tmp_path, name="demo", title="Demo", regions=REGIONS)
    survey.write_demo_survey(again, CODEBOOK, workshop_tables(), tmp_path, seed=11)
    for p in ("survey/survey.lss", "survey/responses.csv"):
        assert (tmp_path / p).read_bytes() == (demo.root / p).read_bytes()
    survey.write_demo_survey(again, CODEBOOK, workshop_tables(), tmp_path, seed=12)
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


def test_scores_table_is_compact_and_keeps_na_for_dont_know(tmp_path):
    tables, _ = survey.read_survey(make_study(tmp_path, "mini_null.csv"), CODEBOOK)
    sc = tables["scores"]
    assert {c: str(t) for c, t in sc.dtypes.items()} == {
        "respondent": "Int32", "role": "category", "outcome": "category", "form": "category",
        "scale": "category", "value": "Int8", "dont_know": "bool"}
    assert list(sc["outcome"].cat.categories) == ["H01", "H02", "M01", "M02"]
    assert list(sc["scale"].cat.categories) == ["current", "potential"]
    wn = sc[sc["dont_know"]]
    assert len(wn) == 3 and wn["value"].isna().all()
    assert sc["value"].sum() == 3 + 5 + 2 + 3 + 4 + 5 + 4 + 1 + 2 + 5 + 5 + 3 + 4
    empty = survey.empty_tables()["scores"]   # a study without responses: the same types
    assert [str(t) for t in empty.dtypes] == [str(t) for t in sc.dtypes]


def test_response_id_beyond_32_bits_keeps_its_value(tmp_path):
    study = make_study(tmp_path, "mini_semicolon_bom_crlf.csv")
    path = study.survey_responses_path
    raw = path.read_bytes().replace(b'\r\n"1";', b'\r\n"3000000000";', 1)
    path.write_bytes(raw)
    tables, problems = survey.read_survey(study, CODEBOOK)
    assert problems == []
    sc = tables["scores"]
    assert str(sc["respondent"].dtype) == "Int64"
    assert (sc["respondent"] == 3000000000).sum() == 8
    assert tables["respondents"]["respondent"].tolist() == [3000000000, 2, 3]


def test_committed_fixtures_are_what_their_script_writes(tmp_path):
    # the tests read the committed files with the script's codebook: they must agree
    MAKE.main(tmp_path)
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == sorted(p.name for p in FIX.iterdir() if p.suffix in (".lss", ".csv"))
    for name in written:
        assert (tmp_path / name).read_bytes() == (FIX / name).read_bytes(), name
