"""The survey's responses read back into the tidy tables."""

from __future__ import annotations

import csv
import io
import shutil

import pandas as pd
import pytest
from minisurvey import CODEBOOK, FIX, MAKE, make_study, rows

from hbomkb import cli, config
from hbomkb.config import load_study
from hbomkb.inputs import limesurvey as ls
from hbomkb.inputs import survey


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
    # the respondents' own words: processing redacts them (tests/test_process.py)
    assert rows(tables["open_answers"], ["respondent", "role", "text"]) == [
        (1, "hbo", 'Meer "echte" opdrachten;\nook langlopend'),
        (2, "mkb", "Mail info@voorbeeld.nl")]
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


def test_full_text_export_with_other_texts_names_the_export_option(tmp_path):
    """Question texts that are not the structure's (edited after the export, or bare question
    texts without their parts) cannot be placed: the problem lists them and names the export
    option that does not depend on texts."""
    study = make_study(tmp_path, "mini_tab.csv")
    s = ls.read_lss(FIX / "mini.lss")
    header = ["Response ID", "Date submitted"] + [s.text(q.texts) for q in s.questions]
    study.survey_responses_path.write_text(";".join(f'"{h}"' for h in header) + "\r\n",
                                           encoding="utf-8-sig")
    _, problems = survey.read_survey(study, CODEBOOK)
    assert "column(s) not in survey" in problems[0].message
    assert "the headings are question texts" in problems[0].message
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


def test_scores_table_behaves_as_any_table_when_changed_copied_and_saved(tmp_path):
    # its columns sit in memory mapped for them alone (survey._blank): a researcher can still
    # change a value, take a copy that stays apart, pickle it and save it
    tables, _ = survey.read_survey(make_study(tmp_path, "mini_null.csv"), CODEBOOK)
    sc = tables["scores"]
    before = sc.copy()
    first = sc.index[sc["value"].notna()][0]
    sc.loc[first, "value"] = 1
    sc.loc[first, "respondent"] = pd.NA
    assert sc.loc[first, "value"] == 1 and pd.isna(sc.loc[first, "respondent"])
    assert before["respondent"].notna().all()  # the copy did not change with it
    saved = tmp_path / "scores.parquet"
    before.to_parquet(saved)
    back = pd.read_parquet(saved)
    assert back["value"].sum() == before["value"].sum()
    assert back["dont_know"].sum() == before["dont_know"].sum() == 3
    pickled = tmp_path / "scores.pkl"
    before.to_pickle(pickled)
    pd.testing.assert_frame_equal(pd.read_pickle(pickled), before)


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


def _without(study, *columns: str) -> None:
    """The study's export with ``columns`` taken out, as a selective export would leave it."""
    path = study.survey_responses_path
    records = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline=""),
                              delimiter=";"))
    keep = [i for i, h in enumerate(records[0]) if h not in columns]
    assert len(keep) == len(records[0]) - len(columns)
    MAKE.write(path, [records[0][i] for i in keep], [[r[i] for i in keep] for r in records[1:]
                                                     if r])


@pytest.mark.parametrize("column,lost", [
    ("rol", "without it no response belongs to a side, so nothing of the survey can be "
            "analysed"),
    ("regio", "without it no respondent counts in a region report"),
    ("submitdate", "without it complete and incomplete responses cannot be told apart, and "
                   "every respondent would be left out as incomplete"),
])
def test_an_export_without_role_region_or_submitdate_stops_saying_what_is_lost(tmp_path,
                                                                                column, lost):
    study = make_study(tmp_path, "mini_semicolon_bom_crlf.csv")
    _without(study, column)
    tables, problems = survey.read_survey(study, CODEBOOK)
    assert [(p.file, p.row, p.column, p.is_error) for p in problems] == [
        ("survey/responses.csv", 1, column, True)]
    assert lost in problems[0].message
    assert problems[0].message.endswith("expected every column of the survey in the export (in "
                                        "LimeSurvey: Responses > Export > Export responses, "
                                        "all columns selected)")
    assert all(t.empty for t in tables.values())


def test_missing_ranking_places_scores_and_open_answers_are_warnings_saying_what_is_lost(
        tmp_path):
    study = make_study(tmp_path, "mini_semicolon_bom_crlf.csv")
    _without(study, "rankhbo[2]", "H01[F02][2]", "M02[F01][1]", "M02[F01][2]", "M02[F02][1]",
             "M02[F02][2]", "openmkb")
    tables, problems = survey.read_survey(study, CODEBOOK)
    assert [(p.row, p.column, p.is_error) for p in problems] == [
        (1, "rankhbo[2]", False), (1, "H01[F02][2]", False), (1, "M02", False),
        (1, "openmkb", False)]
    msgs = [p.message for p in problems]
    assert msgs[0].startswith("ranking place(s) rankhbo[2] of question rankhbo are not in the "
                              "export: the hbo ranking consensus and the importance built on "
                              "it use only rankhbo[1]")
    assert msgs[1].startswith("1 of the 4 score columns of outcome H01 are not in the export "
                              "(H01[F02][2]): those form scores of H01 count as not answered")
    assert msgs[2].startswith("the scores of outcome M02 (question M02, 4 columns) are not in "
                              "the export: M02 gets no form scores, no part in the mkb form fit "
                              "and no place in the mkb survey landscape")
    assert msgs[3].startswith("column 'openmkb' (the desired outcomes mkb respondents miss, "
                              "open answers) is not in the export: those answers are lost")
    # the rest is analysed: what is there is read, what is not counts as not answered
    assert tables["respondents"]["respondent"].tolist() == [1, 2, 3]
    assert rows(tables["rankings"], ["respondent", "code", "rank"]) == [
        (1, "H02", 1), (3, "H01", 1), (2, "M01", 1), (2, "M02", 2)]
    assert tables["open_answers"]["respondent"].tolist() == [1]


def test_validate_of_a_study_whose_export_lacks_submitdate_fails(tmp_path, capsys):
    """Before, every respondent counted as incomplete and the report showed 0 analysable
    respondents with exit 0; now the study does not validate."""
    root = tmp_path / "demo"
    shutil.copytree(config.RAW_DIR / "demo", root)
    study = load_study(root)
    path = study.survey_responses_path
    records = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline=""),
                              delimiter=";"))
    MAKE.write(path, records[0][:1] + records[0][2:], [r[:1] + r[2:] for r in records[1:] if r])
    assert cli.main(["validate", "--study", str(root)]) == 2
    err = capsys.readouterr().err
    assert "survey/responses.csv::1:submitdate: column 'submitdate' (the date a response was " \
        "submitted) is not in the export" in err


def test_a_folder_named_survey_lss_is_a_located_problem(tmp_path):
    study = make_study(tmp_path, "mini_tab.csv")
    study.survey_structure_path.unlink()
    study.survey_structure_path.mkdir()
    tables, problems = survey.read_survey(study, CODEBOOK)
    assert [str(p) for p in problems] == [
        "survey/survey.lss:::: is a folder; expected a LimeSurvey .lss survey structure file "
        "(Survey > Export > Survey structure (.lss))"]
    assert tables["respondents"].empty
