"""LimeSurvey I/O against the real files in shared/limesurvey and small export variants."""

from __future__ import annotations

import collections
import csv
import io
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from conftest import SHARED as SHARED_ROOT
from conftest import require_shared

from hbomkb.inputs import limesurvey as ls
from hbomkb.inputs.limesurvey import export, headings
from hbomkb.problems import InputError

SHARED = SHARED_ROOT / "limesurvey"
FIX = Path(__file__).resolve().parent / "fixtures" / "limesurvey"


@pytest.fixture
def shared() -> Path:
    """The real LimeSurvey files in ../shared: a skip without them, a failure in CI."""
    return require_shared(SHARED)


needs_shared = pytest.mark.usefixtures("shared")

LS5 = SHARED / "ls5_sample_survey_multilingual_fr_de_en_it.lss"
EXPORTS = SHARED / "exports"


def raw_question_types(path: Path) -> collections.Counter:
    """Type letters of top-level questions counted straight from the XML, once per qid."""
    root = ET.parse(path).getroot()
    seen = {}
    for row in root.find("questions/rows"):
        rec = {c.tag: c.text for c in row}
        if rec.get("parent_qid") in (None, "0"):
            seen[rec["qid"]] = rec["type"]
    return collections.Counter(seen.values())


# Counts pinned from the files (checked with the raw XML count above).
LSS_FILES = {
    "ls5_sample_survey_multilingual_fr_de_en_it.lss": dict(
        sid=282267, db=495, base="en", langs={"fr", "it", "de-informal", "en"}, n=66, subs=124,
        types={"!": 3, "1": 2, "5": 1, ":": 3, ";": 1, "A": 1, "B": 1, "C": 3, "D": 2, "E": 1,
               "F": 1, "G": 1, "H": 1, "I": 1, "K": 3, "L": 3, "M": 7, "N": 1, "O": 1, "P": 1,
               "Q": 4, "R": 3, "S": 4, "T": 2, "U": 1, "X": 11, "Y": 3}),
    "ls205_sample_survey_english.lss": dict(
        sid=82556, db=177, base="en", langs={"en"}, n=114, subs=321,
        types={"!": 2, "*": 2, "1": 5, "5": 2, ":": 5, ";": 4, "A": 3, "B": 3, "C": 3, "D": 1,
               "E": 4, "F": 3, "G": 1, "H": 1, "I": 1, "K": 10, "L": 3, "M": 8, "N": 12,
               "O": 1, "P": 6, "Q": 3, "R": 4, "S": 7, "T": 2, "U": 2, "X": 11, "Y": 4,
               "|": 1}),
    "citric_examples_answers.lss": dict(sid=616667, db=638, base="en", langs={"en"}, n=2,
                                        subs=8, types={"F": 1, "M": 1}),
    "limesurvey_survey_583654_ranking_response_table.lss": dict(
        sid=583654, db=717, base="fr", langs={"fr"}, n=1, subs=2, types={"R": 1}),
}


@needs_shared
@pytest.mark.parametrize("name", sorted(LSS_FILES))
def test_every_real_lss_parses_with_its_questions(name):
    want = LSS_FILES[name]
    s = ls.read_lss(SHARED / name)
    assert (s.survey_id, s.db_version, s.language) == (want["sid"], want["db"], want["base"])
    assert set(s.languages) == want["langs"]
    assert len(s.questions) == want["n"]
    assert collections.Counter(q.type for q in s.questions) == want["types"]
    assert collections.Counter(q.type for q in s.questions) == raw_question_types(SHARED / name)
    assert sum(len(q.subquestions) for q in s.questions) == want["subs"]


@needs_shared
def test_legacy_inline_texts_and_ranking_items_as_answers():
    s = ls.read_lss(SHARED / "ls205_sample_survey_english.lss")
    q = s.question("qRanking")
    assert [(a.code, s.text(a.texts)) for a in q.ranking_items] == [
        ("1", "Sleeping"), ("2", "Programming"), ("3", "Watching Television"),
        ("4", "Time with Family")]
    dual = s.question("worries")
    assert [a.code for a in dual.answer_list(1)] == ["b1", "b2", "b3"]
    assert [a.code for a in dual.answer_list(0)] == ["s1", "s2", "s3"]
    assert s.attribute(dual, "dualscale_headerA") == "Severity"
    assert s.text(next(g for g in s.groups if g.gid == 3).names) == "Dynamic Math Display"


@needs_shared
def test_ranking_items_as_subquestions_in_the_7x_line():
    s = ls.read_lss(SHARED / "limesurvey_survey_583654_ranking_response_table.lss")
    q = s.question("Q00")
    assert q.answers == []
    assert [(i.code, s.text(i.texts)) for i in q.ranking_items] == [
        ("SQ001", "Option A"), ("SQ002", "Option B")]
    assert [c.name for c in ls.response_columns(s)] == ["Q00[1]", "Q00[2]"]


@needs_shared
def test_text_lookup_in_study_language_falls_back_to_base_language():
    s = ls.read_lss(LS5)
    q = s.question("dual")
    a = q.answer_list(0)[0]
    assert s.text(a.texts, "en") == "Some example answer option - scale 1"
    assert s.text(a.texts, "fr") != s.text(a.texts, "en")  # the French text exists
    assert s.text(a.texts, "nl") == s.text(a.texts, "en")  # no Dutch: the base language


@needs_shared
def test_response_columns_match_the_real_export_heading_for_heading():
    s = ls.read_lss(LS5)
    text = (EXPORTS / "results-survey282267_code_short.csv").read_text(encoding="utf-8-sig")
    header = next(csv.reader(io.StringIO(text), delimiter=";"))
    assert header[:7] == ["id", "submitdate", "lastpage", "startlanguage", "seed", "startdate",
                          "datestamp"]
    assert header[7:] == [c.name for c in ls.response_columns(s)]  # 215 columns, in order


def _value(df, row, col):
    v = df[col].iloc[row]
    return None if pd.isna(v) else v


@needs_shared
@pytest.mark.parametrize("variant", ["code_short", "code_long"])
def test_real_exports_read_back_to_the_values_they_hold(variant):
    s = ls.read_lss(LS5)
    df = ls.read_responses(EXPORTS / f"results-survey282267_{variant}.csv", s)
    assert df.attrs["answers"] == ("codes" if variant == "code_short" else "full")
    assert df.attrs["separator"] == ";" and df.attrs["problems"] == []
    assert len(df) == 3 and df["id"].tolist() == [1, 2, 3]
    assert df["startlanguage"].tolist() == ["en", "fr", "de-informal"]
    assert df["submitdate"].iloc[0] == pd.Timestamp("2024-03-01 10:11:12")
    assert pd.isna(df["submitdate"].iloc[2])  # incomplete
    assert _value(df, 0, "S") == 'Hello, "world"; semi'
    assert _value(df, 0, "T") == "line1\nline2\nline3"
    assert _value(df, 0, "H") == "Ünïcödé café — ok ✓"
    assert _value(df, 0, "Q[SQ01]") == "a;b" and _value(df, 0, "Q[SQ02]") == "tab\there"
    assert _value(df, 2, "S") == "partial only"
    assert _value(df, 0, "N") == 42.5 and _value(df, 0, "ANT[SQY01_SQX01]") == 5
    # answer codes, whichever answer mode the export used
    assert [_value(df, i, "Y") for i in range(3)] == ["Y", "N", None]
    assert _value(df, 0, "G") == "F" and _value(df, 1, "G") is None
    assert (_value(df, 0, "L"), _value(df, 0, "L[other]")) == ("-oth-", "my other")
    assert (_value(df, 0, "O"), _value(df, 0, "O[comment]")) == ("A1", "a comment")
    assert (_value(df, 0, "dual[SQ01][1]"), _value(df, 0, "dual[SQ01][2]")) == ("A11", "A21")
    assert (_value(df, 0, "R[1]"), _value(df, 0, "R[2]"), _value(df, 0, "R[3]")) == (
        "A1", "A3", None)
    assert (_value(df, 0, "E[SQ01]"), _value(df, 0, "C[SQ01]")) == ("I", "U")
    assert (_value(df, 0, "M[SQ01]"), _value(df, 0, "M[SQ02]")) == ("Y", None)
    assert (_value(df, 0, "K[SQ001]"), _value(df, 0, "K[SQ001comment]")) == ("Y", "cmt")
    assert _value(df, 0, "D") == pd.Timestamp("2024-01-15")
    assert _value(df, 1, "S") == "" and _value(df, 1, "N") is None  # French, mostly empty


@needs_shared
def test_full_answer_export_equals_the_answer_code_export():
    s = ls.read_lss(LS5)
    short = ls.read_responses(EXPORTS / "results-survey282267_code_short.csv", s)
    long = ls.read_responses(EXPORTS / "results-survey282267_code_long.csv", s)
    assert list(short.columns) == list(long.columns)
    for c in short.columns:
        a = short[c].astype(object).where(short[c].notna(), None).tolist()
        b = long[c].astype(object).where(long[c].notna(), None).tolist()
        assert a == b, c


@needs_shared
@pytest.mark.parametrize("variant", ["expression", "comma_lf_nobom", "tab_null"])
def test_real_export_rewritten_in_other_dialects_reads_the_same(variant, tmp_path):
    """The real 6.1.8 export, rewritten field for field: ExpressionScript headings; comma, LF,
    no BOM; tab with NULLs written as unquoted empty fields."""
    s = ls.read_lss(LS5)
    src = EXPORTS / "results-survey282267_code_short.csv"
    records = list(csv.reader(io.StringIO(src.read_text(encoding="utf-8-sig")), delimiter=";"))
    header, body = records[0], [r for r in records[1:] if r]
    sep, eol, bom = {"expression": (";", "\r\n", True), "comma_lf_nobom": (",", "\n", False),
                     "tab_null": ("\t", "\r\n", True)}[variant]
    if variant == "expression":
        em = {c.name: c.em for c in ls.response_columns(s)}
        header = [em.get(h, h) for h in header]
        assert "dual_SQ01_0" in header and "R_1" in header and "L_other" in header

    def field(v):
        if variant == "tab_null" and v == "":
            return ""
        return '"' + v.replace('"', '""') + '"'
    text = eol.join(sep.join(field(v) if i else '"' + v + '"' for i, v in enumerate(r))
                    for r in [header, *body]) + eol
    path = tmp_path / "results-survey282267.csv"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    got = ls.read_responses(path, s)
    want = ls.read_responses(src, s)
    assert got.attrs["headings"] == ("expression" if variant == "expression" else "code")
    assert list(got.columns) == list(want.columns)
    for c in want.columns:
        a = want[c].astype(object).where(want[c].notna(), None).tolist()
        b = got[c].astype(object).where(got[c].notna(), None).tolist()
        if variant == "tab_null" and want[c].dtype == "str":
            a = [None if v == "" else v for v in a]   # NULL written for every empty text
        assert a == b, c


@needs_shared
def test_full_text_headings_are_written_as_limesurvey_writes_them_for_every_type():
    """Every heading of LimeSurvey 6.1.8's own full-question-text export of its sample survey
    (nearly every question type: arrays, dual scale, ranking, other, comments, texts) is the
    heading built from the structure, column for column."""
    s = ls.read_lss(LS5)
    text = (EXPORTS / "results-survey282267_full_short.csv").read_text(encoding="utf-8-sig")
    header = next(csv.reader(io.StringIO(text), delimiter=";"))
    assert header[:7] == ["Response ID", "Date submitted", "Last page", "Start language",
                          "Seed", "Date started", "Date last action"]
    cols = ls.response_columns(s)
    assert len(header) == 7 + len(cols) == 222
    for c, h in zip(cols, header[7:], strict=True):
        assert headings.key(headings.full_heading(s, c, "en")) == headings.key(h), c.name
    assert ls.export_dialect(EXPORTS / "results-survey282267_full_short.csv")[
        "heading_style"] == "full"


@needs_shared
def test_a_heading_shared_by_two_questions_is_a_located_error_naming_both():
    """In the sample survey two questions have the same text ("This is displayed only if you
    select yes.", QCYes and QEMYes): its full-text export cannot say which column is which."""
    s = ls.read_lss(LS5)
    with pytest.raises(InputError) as e:
        ls.read_responses(EXPORTS / "results-survey282267_full_short.csv", s)
    probs = e.value.problems
    assert [(p.row, p.column) for p in probs] == [
        (1, "This is displayed only if you select yes."),
        (1, "This is displayed only if you select no."),
        (1, "This is displayed only if no answer is checked. (by default)")]
    assert probs[0].message.startswith(
        "headings 198 and 201 'This is displayed only if you select yes.' match 2 questions, "
        "question QCYes and question QEMYes; expected a heading that names one question: "
        'export the responses again with "Headings: Question code"')
    # Two image choices with no text ("[]" twice) are columns of one question, in order: no
    # problem; every other heading is placed.
    assert not any("M3" in p.message for p in probs)


@needs_shared
def test_an_export_of_another_survey_with_text_headings_says_so():
    path = SHARED / "limonaid_survey_998192_R_data_file.csv"
    d = ls.export_dialect(path)
    assert (d["separator"], d["bom"], d["line_ending"], d["heading_style"]) == (
        ",", True, "\n", "full")
    assert len(d["headings"]) == 71 and d["headings"][0] == "Response ID"
    with pytest.raises(InputError) as e:
        ls.read_responses(path, ls.read_lss(LS5))
    msg = str(e.value)
    assert "the file name says survey 998192 but the structure " in msg
    assert "column(s) not in survey 282267: " in msg and "the headings are question texts" in msg


# --- export variants (tests/fixtures/limesurvey, written by make_fixtures.py) ----------------

MINI = FIX / "mini.lss"
VARIANTS = ["mini_semicolon_bom_crlf.csv", "mini_comma_lf.csv", "mini_tab.csv",
            "mini_null.csv", "mini_expression.csv"]


@pytest.fixture(scope="module")
def mini():
    return ls.read_lss(MINI)


@pytest.mark.parametrize("name", VARIANTS)
def test_every_export_variant_reads_to_the_same_values(mini, name):
    df = ls.read_responses(FIX / name, mini)
    assert df.attrs["separator"] == {"mini_comma_lf.csv": ",", "mini_tab.csv": "\t"}.get(
        name, ";")
    assert df.attrs["headings"] == ("expression" if name == "mini_expression.csv" else "code")
    assert df["id"].tolist() == [1, 2, 3, 4]
    assert df["rol"].astype(object).where(df["rol"].notna(), None).tolist() == [
        "hbo", "mkb", "hbo", None]
    assert _value(df, 0, "openhbo") == 'Meer "echte" opdrachten;\nook langlopend'
    assert _value(df, 0, "H02[F02][1]") == "WN" and _value(df, 0, "H01[F01][2]") == "5"
    assert _value(df, 1, "startlanguage") == "en"
    assert pd.isna(df["submitdate"].iloc[2]) and df["lastpage"].iloc[2] == 2
    assert (_value(df, 2, "rankhbo[1]"), _value(df, 2, "H01[F01][1]")) == ("H01", None)


def test_null_and_empty_stay_apart_in_text_columns(mini):
    null = ls.read_responses(FIX / "mini_null.csv", mini)
    quoted = ls.read_responses(FIX / "mini_semicolon_bom_crlf.csv", mini)
    # hbo respondent 1 never saw the mkb open question: NULL in the newer export, "" in 6.1.8
    assert pd.isna(null["openmkb"].iloc[0])
    assert quoted["openmkb"].iloc[0] == ""
    # respondent 3 saw the hbo open question and left it empty: "" in both
    assert null["openhbo"].iloc[2] == "" and quoted["openhbo"].iloc[2] == ""


def test_other_answer_is_kept_as_oth_with_its_text():
    s = ls.read_lss(FIX / "other.lss")
    df = ls.read_responses(FIX / "other.csv", s)
    assert df["kleur"].astype(object).tolist() == ["-oth-", "A2"]
    assert df["kleur[other]"].tolist() == ["paars", ""]


# --- writer ----------------------------------------------------------------------------------

@needs_shared
def test_writer_writes_only_what_limesurvey_6_14_knows(mini, tmp_path):
    """The .lss imports into LimeSurvey 6.14 without warnings: its DBVersion is 6.14's own
    (630; 6.14 warned about three settings of the DBVersion 638 file written before), and
    every section and field it writes is one of LimeSurvey 6.14's own export, in that order."""
    real = ET.parse(SHARED / "ls6.14" / "survey_206848.lss").getroot()
    assert real.findtext("DBVersion") == "630"
    for path in (MINI, ls.write_lss(mini, tmp_path / "again.lss")):
        ours = ET.parse(path).getroot()
        assert ours.findtext("LimeSurveyDocType") == "Survey"
        assert ours.findtext("DBVersion") == "630" == str(ls.WRITE_DBVERSION)
        for section in ours:
            if section.tag in ("LimeSurveyDocType", "DBVersion", "languages"):
                continue
            theirs = [f.text for f in real.find(f"{section.tag}/fields")]
            fields = [f.text for f in section.find("fields")]
            assert fields == theirs, section.tag
            for row in section.find("rows"):
                assert {c.tag.lstrip("_") for c in row} <= set(theirs), section.tag
        settings = {c.tag for c in ours.find("surveys/rows/row")}
        assert not settings & {"showdatapolicybutton", "showlegalnoticebutton", "access_mode"}
    text = MINI.read_text(encoding="utf-8")
    assert "<anonymized><![CDATA[Y]]></anonymized>" in text
    assert "<ipaddr><![CDATA[N]]></ipaddr>" in text and "<refurl><![CDATA[N]]></refurl>" in text


def test_written_structure_reads_back_identically(mini, tmp_path):
    again = ls.read_lss(ls.write_lss(mini, tmp_path / "again.lss"))
    assert [(q.code, q.type, q.relevance, q.texts) for q in again.ordered_questions()] == \
        [(q.code, q.type, q.relevance, q.texts) for q in mini.ordered_questions()]
    for a, b in zip(again.ordered_questions(), mini.ordered_questions(), strict=True):
        assert [(s.code, s.scale_id, s.texts) for s in a.subs(0)] == \
            [(s.code, s.scale_id, s.texts) for s in b.subs(0)]
        assert [(x.code, x.scale_id, x.texts) for x in a.answers] == \
            [(x.code, x.scale_id, x.texts) for x in b.answers]
        assert a.l10n_attributes == b.l10n_attributes


def test_cdata_end_marker_in_a_text_survives(tmp_path):
    s = ls.read_lss(FIX / "other.lss")
    s.question("kleur").texts["nl"] = "a ]]> b <i>c</i> & d"
    back = ls.read_lss(ls.write_lss(s, tmp_path / "x.lss"))
    assert back.question("kleur").texts["nl"] == "a ]]> b <i>c</i> & d"


# --- bad input -------------------------------------------------------------------------------

def _write(path: Path, text: str, encoding="utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_unknown_columns_are_listed(mini, tmp_path):
    text = (FIX / "mini_semicolon_bom_crlf.csv").read_text(encoding="utf-8-sig")
    text = text.replace('"rol";"regio"', '"role";"Q9[SQ1]"', 1)
    with pytest.raises(InputError) as e:
        ls.read_responses(_write(tmp_path / "r.csv", text), mini)
    msg = str(e.value)
    assert "2 column(s) not in survey" in msg and "'role'" in msg and "'Q9[SQ1]'" in msg


def test_export_of_another_survey_by_file_name(mini, tmp_path):
    src = (FIX / "mini_semicolon_bom_crlf.csv").read_bytes()
    path = tmp_path / "results-survey123456.csv"
    path.write_bytes(src)
    with pytest.raises(InputError, match=f"survey 123456 but .* is survey {mini.survey_id}"):
        ls.read_responses(path, mini)


@needs_shared
def test_export_of_another_survey_by_name_and_columns_lists_every_mismatch():
    with pytest.raises(InputError) as e:
        ls.read_responses(EXPORTS / "results-survey282267_code_short.csv",
                          ls.read_lss(FIX / "other.lss"))
    msg = str(e.value)
    assert "the file name says survey 282267 but the structure other.lss is survey 111111" in msg
    assert "215 column(s) not in survey 111111: 'S', 'T', 'H'" in msg


def test_not_utf8(mini, tmp_path):
    path = _write(tmp_path / "r.csv", '"id";"rol"\r\n"1";"hbö"\r\n', encoding="latin-1")
    with pytest.raises(InputError, match="not UTF-8"):
        ls.read_responses(path, mini)


def test_ragged_rows(mini, tmp_path):
    path = _write(tmp_path / "r.csv", '"id";"rol"\r\n"1";"hbo";"extra"\r\n')
    with pytest.raises(InputError, match="same number of fields"):
        ls.read_responses(path, mini)


def test_value_that_is_no_answer_code_becomes_a_problem_row(mini, tmp_path):
    path = _write(tmp_path / "r.csv", '"id";"rol";"H01[F01][1]"\r\n"1";"hbo";"7"\r\n'
                  '"2";"student";"3"\r\n"3";"student";""\r\n')
    df = ls.read_responses(path, mini)
    probs = {(p.row, p.column): p.message for p in df.attrs["problems"]}
    assert "value '7' is not an answer code of question H01" in probs[(2, "H01[F01][1]")]
    assert "value 'student'" in probs[(3, "rol")] and "also in 1 more rows: 4" in probs[
        (3, "rol")]
    assert df["rol"].isna().tolist() == [False, True, True]


def test_missing_and_non_lss_files(tmp_path, mini):
    with pytest.raises(InputError, match="file not found"):
        ls.read_lss(tmp_path / "nope.lss")
    with pytest.raises(InputError, match="not readable as XML"):
        ls.read_lss(_write(tmp_path / "a.lss", "not xml"))
    with pytest.raises(InputError, match="not a LimeSurvey survey structure"):
        ls.read_lss(_write(tmp_path / "b.lss", "<document><LimeSurveyDocType>Group"
                                              "</LimeSurveyDocType></document>"))
    with pytest.raises(InputError, match="file not found"):
        ls.read_responses(tmp_path / "nope.csv", mini)
    with pytest.raises(InputError, match="empty file"):
        ls.read_responses(_write(tmp_path / "e.csv", ""), mini)


def test_personal_columns_are_never_read(mini, tmp_path):
    path = _write(tmp_path / "r.csv", '"id";"token";"ipaddr";"refurl";"rol"\r\n'
                  '"1";"abc123";"10.0.0.1";"https://x.nl/?mail=a@b.nl";"hbo"\r\n')
    df = ls.read_responses(path, mini)
    assert list(df.columns) == ["id", "rol"]


def _long_export(tmp_path: Path) -> Path:
    """800 responses of the mini survey: answers, NULLs, quoted line breaks and quotes in
    open answers, and a value that is no answer code (record 702)."""
    text = (FIX / "mini_null.csv").read_bytes().decode("utf-8-sig")   # CRLF kept
    header, *records = [r for r in text.split("\r\n") if r]
    body = []
    for k in range(200):
        for j, rec in enumerate(records):
            rid = 4 * k + j + 1
            rec = f'"{rid}";' + rec.split(";", 1)[1]
            if rid == 701:
                rec = rec.replace('"3";"5";"2"', '"7";"5";"2"')
            rec = rec.replace("\nook", "\n7;ook")
            body.append(rec)
    path = tmp_path / "long.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join([header, *body, ""]).encode("utf-8"))
    return path


def test_reading_block_by_block_gives_what_one_block_gives(mini, tmp_path, monkeypatch):
    """A long export parsed in small blocks (whose answer dictionaries differ from block to
    block, with NULLs, and a value that is no answer code in a late block) reads to the same
    frame and the same problem rows as when it is parsed in one block."""
    path = _long_export(tmp_path)
    monkeypatch.setattr(export, "BLOCK_SIZE", 1 << 24)
    whole = ls.read_responses(path, mini)
    monkeypatch.setattr(export, "BLOCK_SIZE", 2048)
    assert path.stat().st_size > 50 * 2048
    blocks = ls.read_responses(path, mini)
    pd.testing.assert_frame_equal(blocks, whole)
    assert blocks["id"].tolist() == list(range(1, 801))
    assert blocks["H01[F01][1]"].isna().sum() == 800 - 200 + 1   # 7 is no code: missing
    assert [(p.row, p.column) for p in blocks.attrs["problems"]] == [(702, "H01[F01][1]")]
    assert blocks.attrs["problems"] == whole.attrs["problems"]
    assert blocks["openhbo"].iloc[796] == 'Meer "echte" opdrachten;\n7;ook langlopend'


def test_a_large_export_read_in_pieces_gives_what_one_parse_gives(mini, tmp_path,
                                                                   monkeypatch):
    """An export above PIECE_BYTES is parsed in pieces ending at record ends (a quoted line
    break is no record end, a looked-for end may lie beyond the bytes scanned at once); the
    frame, its problems and their rows are those of one parse."""
    path = _long_export(tmp_path)
    whole = ls.read_responses(path, mini)
    monkeypatch.setattr(export, "PIECE_BYTES", 3000)
    monkeypatch.setattr(export, "SCAN_BYTES", 97)
    pieces = export._pieces(path, b"\n")
    assert len(pieces) > 20
    raw = path.read_bytes()
    assert all(raw[end - 2:end] == b"\r\n" and raw[:end].count(b'"') % 2 == 0
               for _, end in pieces)
    n = -(-len(raw) // 3000)
    naive = [raw.index(b"\n", len(raw) * k // n) + 1 for k in range(1, n)]
    assert naive != [end for _, end in pieces[:-1]]  # some line end inside quotes passed over
    got = ls.read_responses(path, mini)
    pd.testing.assert_frame_equal(got, whole)
    assert got.attrs == whole.attrs
    assert [(p.row, p.column) for p in got.attrs["problems"]] == [(702, "H01[F01][1]")]


def test_pieces_that_do_not_parse_on_their_own_fall_back_to_one_parse(mini, tmp_path,
                                                                      monkeypatch):
    read_columns = export._read_columns
    # a quote inside an unquoted value (no LimeSurvey export has one; pyarrow reads it as it
    # is) makes every later quote count odd, so pieces would end inside quoted values
    path = _long_export(tmp_path)
    path.write_bytes(path.read_bytes().replace(b'"zuidw";;;;"M01"', b'"zuidw";;;a"b;"M01"', 1))
    whole = ls.read_responses(path, mini)
    assert whole["openhbo"].iloc[1] == 'a"b'
    monkeypatch.setattr(export, "PIECE_BYTES", 3000)
    calls = []
    monkeypatch.setattr(export, "_read_columns", lambda *a: calls.append(len(a[-1])) or
                        read_columns(*a))
    got = ls.read_responses(path, mini)
    assert calls[0] > 20 and calls[1:] == [1]  # pieces tried, then the whole file
    pd.testing.assert_frame_equal(got, whole)


def _broken_export(tmp_path: Path) -> Path:
    """400 responses of the mini survey; record 352 has one field too many."""
    text = (FIX / "mini_semicolon_bom_crlf.csv").read_bytes().decode("utf-8-sig")
    header, *records = [r for r in text.split("\r\n") if r]
    body = [f'"{k + 1}";' + records[k % len(records)].split(";", 1)[1] for k in range(400)]
    body[350] += ';"extra"'
    path = _write(tmp_path / "r.csv", "\r\n".join([header, *body, ""]))
    return path


def test_a_broken_record_in_a_later_piece_is_reported_for_the_whole_file(mini, tmp_path,
                                                                         monkeypatch):
    path = _broken_export(tmp_path)
    with pytest.raises(InputError) as whole:
        ls.read_responses(path, mini)
    monkeypatch.setattr(export, "PIECE_BYTES", 4096)
    assert len(export._pieces(path, b"\n")) > 10
    with pytest.raises(InputError, match=r"same number of fields") as pieces:
        ls.read_responses(path, mini)
    assert pieces.value.problems == whole.value.problems


def test_dates_read_by_pyarrow_are_the_dates_pandas_reads(mini, tmp_path, monkeypatch):
    # LimeSurvey's dates are cast in pyarrow (the fast path); a zoned time, which that cast
    # refuses, is read by pandas as before
    path = _long_export(tmp_path)
    fast = ls.read_responses(path, mini)
    assert str(fast["submitdate"].dtype) == "datetime64[us]"
    assert fast["submitdate"].iloc[0] == pd.Timestamp("2018-06-04 10:12:00")
    monkeypatch.setattr(export, "_datetimes", lambda arr: None)
    pd.testing.assert_frame_equal(ls.read_responses(path, mini), fast)
    monkeypatch.undo()
    assert export._datetimes(pa.chunked_array([["2018-06-04 10:12:00+02:00"]])) is None


def test_a_record_longer_than_a_block_is_still_read(mini, monkeypatch):
    want = ls.read_responses(FIX / "mini_semicolon_bom_crlf.csv", mini)
    monkeypatch.setattr(export, "BLOCK_SIZE", 64)   # shorter than the header and every record
    got = ls.read_responses(FIX / "mini_semicolon_bom_crlf.csv", mini)
    pd.testing.assert_frame_equal(got, want)


def test_a_broken_record_in_a_later_block_is_reported_for_the_whole_file(mini, tmp_path,
                                                                          monkeypatch):
    path = _broken_export(tmp_path)
    monkeypatch.setattr(export, "BLOCK_SIZE", 4096)
    assert path.stat().st_size > 10 * 4096
    with pytest.raises(InputError, match="same number of fields"):
        ls.read_responses(path, mini)


def test_a_file_that_is_no_survey_export_says_so(mini, tmp_path):
    path = _write(tmp_path / "r.csv", "naam,leeftijd\r\nJan,42\r\n")
    with pytest.raises(InputError) as e:
        ls.read_responses(path, mini)
    assert [(p.row, p.message) for p in e.value.problems] == [(1, (
        f"not a LimeSurvey response export of survey {mini.survey_id}: none of its 2 headings "
        "('naam', 'leeftijd') is a column of the survey, by question code or by question "
        "text; expected the CSV of Responses > Export > Export responses in LimeSurvey"))]


def test_a_folder_where_a_survey_file_belongs_is_a_located_message(mini, tmp_path):
    (tmp_path / "survey.lss").mkdir()
    (tmp_path / "responses.csv").mkdir()
    with pytest.raises(InputError) as e:
        ls.read_lss(tmp_path / "survey.lss")
    assert str(e.value) == (f"{tmp_path / 'survey.lss'}:::: is a folder; expected a LimeSurvey "
                            ".lss survey structure file (Survey > Export > Survey structure "
                            "(.lss))")
    with pytest.raises(InputError, match=r"responses.csv:::: is a folder; expected a "
                                         r"LimeSurvey response export \(a CSV file\)"):
        ls.read_responses(tmp_path / "responses.csv", mini)


def test_a_masked_equation_is_restored_and_other_texts_are_not_touched(mini, tmp_path):
    """LimeSurvey's "Quote equations" writes '=… for a text starting with "=": read as typed."""
    path = _write(tmp_path / "r.csv", '"id";"rol";"openhbo";"openmkb"\r\n'
                  '"1";"hbo";"\'=1+1";"\'zo"\r\n"2";"mkb";"a \'=b";"=c"\r\n')
    df = ls.read_responses(path, mini)
    assert df["openhbo"].tolist() == ["=1+1", "a '=b"]
    assert df["openmkb"].tolist() == ["'zo", "=c"]


@pytest.mark.parametrize("name,want", [
    ("mini_semicolon_bom_crlf.csv", (";", True, "\r\n", "code", "all", "quoted", True)),
    ("mini_null.csv", (";", True, "\r\n", "code", "all", "unquoted", True)),
    ("mini_comma_lf.csv", (",", False, "\n", "code", "all", "quoted", False)),
    ("mini_tab.csv", ("\t", True, "\r\n", "code", "all", "quoted", True)),
    ("mini_expression.csv", (";", True, "\r\n", "expression", "all", "quoted", True)),
])
def test_export_dialect_of_the_fixture_variants(name, want):
    d = ls.export_dialect(FIX / name)
    assert (d["separator"], d["bom"], d["line_ending"], d["heading_style"], d["quoting"],
            d["null"], d["trailing_empty_line"]) == want
    assert d["date_format"] == "%Y-%m-%d %H:%M:%S"


# LimeSurvey's fixed words as its 6.14 translations write them, typed here as they appear in a
# full export: metadata headings, Yes, No, Female, Other, "Scale n", "Rank n".
LANGUAGE_WORDS = {
    "nl": (["Respons-id", "Datum verzonden", "Laatste pagina", "Begin taal", "Plaats",
            "Startdatum", "Datum laatste actie"], "Ja", "Nee", "Vrouw", "Overige", "Schaal",
           "Rang"),
    "en": (["Response ID", "Date submitted", "Last page", "Start language", "Seed",
            "Date started", "Date last action"], "Yes", "No", "Female", "Other", "Scale",
           "Rank"),
    "fr": (["ID de la réponse", "Date de soumission", "Dernière page", "Langue de départ",
            "Tête de série", "Date de lancement", "Date de la dernière action"], "Oui", "Non",
           "Féminin", "Autre", "Échelle", "Classement"),
    "de": (["Antwort ID", "Datum Abgeschickt", "Letzte Seite", "Start-Sprache",
            "Zufallsstartwert", "Datum gestartet", "Datum letzte Aktivität"], "Ja", "Nein",
           "weiblich", "Sonstiges", "Skala", "Rank"),
}


def _words_survey(language: str) -> ls.Structure:
    """A survey in one language with every kind of fixed word: yes/no, gender, a list with
    "other", a dual-scale array, a ranking, multiple choice with "other"."""
    def tx(text):
        return {language: text}
    s = ls.Structure(survey_id=333333, db_version=ls.WRITE_DBVERSION, language=language,
                     languages=(language,), groups=[ls.Group(gid=1, order=1, names=tx("G"))],
                     titles=tx("Woorden"))
    yn = ls.Question(qid=1, gid=1, type="Y", code="jn", order=1, texts=tx("<p>Akkoord?</p>"))
    gender = ls.Question(qid=2, gid=1, type="G", code="sexe", order=2, texts=tx("Geslacht?"))
    colour = ls.Question(qid=3, gid=1, type="L", code="kleur", order=3, other=True,
                         texts=tx("Kleur?"))
    colour.answers = [ls.Answer(code="A1", sortorder=1, texts=tx("Rood"))]
    dual = ls.Question(qid=4, gid=1, type="1", code="dual", order=4,
                       texts=tx("Hoe <b>goed</b><br/>is het?"))
    dual.subquestions = [ls.Subquestion(qid=5, code="R1", texts=tx("Rij één"))]
    dual.answers = [ls.Answer(code="A1", texts=tx("goed")),
                    ls.Answer(code="B2", scale_id=1, texts=tx("later"))]
    rank = ls.Question(qid=6, gid=1, type="R", code="rang", order=5, texts=tx("Rangschik"))
    rank.answers = [ls.Answer(code="X1", sortorder=1, texts=tx("Peer")),
                    ls.Answer(code="X2", sortorder=2, texts=tx("Appel"))]
    multi = ls.Question(qid=7, gid=1, type="M", code="kies", order=6, other=True,
                        texts=tx("Kies"))
    multi.subquestions = [ls.Subquestion(qid=8, code="S1", order=1, texts=tx("Een")),
                          ls.Subquestion(qid=9, code="S2", order=2, texts=tx("Twee"))]
    s.questions = [yn, gender, colour, dual, rank, multi]
    return s


@pytest.mark.parametrize("language", sorted(LANGUAGE_WORDS))
def test_full_text_export_with_full_answers_in_limesurveys_languages(language, tmp_path):
    """The admin screen's default export of a survey in Dutch, English, French or German:
    headings and fixed answers in LimeSurvey's words of that language read back to codes."""
    meta, yes, no, female, other, scale, rank = LANGUAGE_WORDS[language]
    structure = ls.read_lss(ls.write_lss(_words_survey(language), tmp_path / "s.lss"))
    header = meta + ["Akkoord?", "Geslacht?", "Kleur?", f"Kleur? [{other}]",
                     f"Hoe goedis het? [Rij één][{scale} 1]",
                     f"Hoe goedis het? [Rij één][{scale} 2]",
                     f"Rangschik [{rank} 1]", f"Rangschik [{rank} 2]",
                     "Kies [Een]", "Kies [Twee]", f"Kies [{other}]"]
    rows = [["1", "2026-03-01 09:10:30", "2", language, "", "2026-03-01 09:00:00",
             "2026-03-01 09:10:30", yes, female, other, "paars", "goed", "later", "Appel",
             "Peer", yes, no, "iets"],
            ["2", None, "1", language, "", "2026-03-02 09:00:00", "2026-03-02 09:01:00",
             no, "N/A", "Rood", "", "", "", None, None, "N/A", "N/A", ""]]
    text = "\r\n".join(",".join("" if v is None else '"' + v + '"' for v in r)
                       for r in [header, *rows]) + "\r\n"
    path = _write(tmp_path / "results-survey333333.csv", "\ufeff" + text)
    assert ls.export_dialect(path)["heading_style"] == "full"
    df = ls.read_responses(path, structure)
    assert (df.attrs["headings"], df.attrs["language"], df.attrs["answers"]) == (
        "full", language, "full")
    assert df.attrs["problems"] == []
    got = {c: [_value(df, i, c) for i in range(2)] for c in df.columns if c not in (
        "id", "submitdate", "startdate", "datestamp", "lastpage", "startlanguage", "seed")}
    assert got == {
        "jn": ["Y", "N"], "sexe": ["F", None], "kleur": ["-oth-", "A1"],
        "kleur[other]": ["paars", ""], "dual[R1][1]": ["A1", None],
        "dual[R1][2]": ["B2", None], "rang[1]": ["X2", None], "rang[2]": ["X1", None],
        "kies[S1]": ["Y", None], "kies[S2]": [None, None], "kies[other]": ["iets", ""]}
    assert df["lastpage"].tolist() == [2, 1] and pd.isna(df["submitdate"].iloc[1])
