"""The demo survey through a real LimeSurvey 6.14: every export it wrote reads to what was
entered (../shared/limesurvey/ls6.14: seven exports, LimeSurvey's own .lss, and the 30 responses
as entered in known_responses.json)."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import SHARED, require_shared

from hbomkb import config
from hbomkb.config import load_study
from hbomkb.inputs import limesurvey as ls
from hbomkb.inputs import survey
from hbomkb.inputs.codebook import read_codebook
from hbomkb.problems import InputError

LS614 = SHARED / "limesurvey" / "ls6.14"
CODE = "results-survey206848_code_short.csv"
GUI_CODE = "results-survey206848_gui_code_short_comma_maskeq_striphtml.csv"
GUI_DEFAULT = "results-survey206848_gui_default_full_long_comma_maskeq_striphtml.csv"
# file -> (separator, heading style, answers)
EXPORTS = {
    "results-survey206848_code_short.csv": (";", "code", "codes"),
    "results-survey206848_code_long.csv": (";", "code", "full"),
    "results-survey206848_full_short.csv": (";", "full", "codes"),
    "results-survey206848_emcode_short.csv": (";", "expression", "codes"),
    "results-survey206848_code_short_sep_pipe.csv": ("|", "code", "codes"),
    GUI_CODE: (",", "code", "codes"),
    GUI_DEFAULT: (",", "full", "full"),
}
STRUCTURES = {"limesurvey": LS614 / "survey_206848.lss",
              "study": config.RAW_DIR / "demo" / "survey" / "survey.lss"}


@pytest.fixture(scope="module")
def known() -> list[dict]:
    path = require_shared(LS614 / "known_responses.json")
    return json.loads(path.read_text(encoding="utf-8"))["responses"]


def _value(df: pd.DataFrame, row: int, column: str):
    if column not in df:
        return None
    v = df[column].iloc[row]
    return None if pd.isna(v) else v


def _as_entered(df: pd.DataFrame, row: int, structure: ls.Structure) -> dict:
    """One response of a read export in the shape of known_responses.json."""
    role = _value(df, row, "rol")
    outcomes = [q for q in structure.ordered_questions() if q.type == "1"]
    scores = {}
    for q in outcomes:
        for form in q.subs(0):
            for scale in (1, 2):
                v = _value(df, row, f"{q.code}[{form.code}][{scale}]")
                if v is not None:
                    scores[f"{q.code}|{form.code}|{scale}"] = v
    lastpage = _value(df, row, "lastpage")
    return {
        "id": int(df["id"].iloc[row]),
        "role": role,
        "region": _value(df, row, "regio"),
        "ranking": [v for side in ("hbo", "mkb") for k in range(1, 8)
                    if (v := _value(df, row, f"rank{side}[{k}]")) is not None],
        "open": _value(df, row, f"open{role}") if role else None,
        "complete": bool(pd.notna(df["submitdate"].iloc[row])),
        "lastpage": None if lastpage is None else int(lastpage),
        "submitdate": None if pd.isna(df["submitdate"].iloc[row])
        else df["submitdate"].iloc[row].strftime("%Y-%m-%d %H:%M:%S"),
        "scores": scores,
    }


def _entered(k: dict) -> dict:
    """What was entered, with LimeSurvey's own change allowed for: a line break typed as
    CRLF is exported as LF."""
    text = k["open"]
    return {"id": k["id"], "role": k["role"], "region": k["region"], "ranking": k["ranking"],
            "open": None if text is None else text.replace("\r\n", "\n"),
            "complete": k["complete"], "lastpage": k["lastpage"],
            "submitdate": k["submitdate"], "scores": k.get("scores", {})}


@pytest.mark.parametrize("structure", sorted(STRUCTURES))
@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_every_real_export_reads_to_the_responses_as_entered(known, name, structure):
    """All seven exports LimeSurvey 6.14 wrote, read with LimeSurvey's own .lss or with the
    study's: role, region code, ranking, open answer (NULL where the question was never shown,
    "" where it was left empty), completeness, last page and every score of every response.
    The admin screen's exports masked the equation (``'=SUM(A1:A2)…``): it reads as typed."""
    s = ls.read_lss(require_shared(STRUCTURES[structure]))
    df = ls.read_responses(LS614 / name, s)
    sep, headings, answers = EXPORTS[name]
    assert (df.attrs["separator"], df.attrs["headings"], df.attrs["answers"]) == (
        sep, headings, answers)
    assert df.attrs["problems"] == []
    assert len(df) == len(known) == 30
    for row, k in enumerate(known):
        assert _as_entered(df, row, s) == _entered(k), f"response {k['id']}"
    assert df["openmkb"].iloc[3] == "=SUM(A1:A2) is geen formule"


@pytest.mark.parametrize("line_end", ["crlf", "cr"])
@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_every_real_export_read_in_pieces_reads_as_in_one_parse(tmp_path, monkeypatch,
                                                                name, line_end):
    """A large export is parsed in pieces that end at record ends (``export.PIECE_BYTES``):
    each real export, cut into pieces of 5 kB (about four responses), reads to the same frame,
    attributes and problems as in one parse, also with bare-CR record ends."""
    from hbomkb.inputs.limesurvey import export
    raw = require_shared(LS614 / name).read_bytes()
    path = tmp_path / name
    path.write_bytes(raw if line_end == "crlf" else raw.replace(b"\r\n", b"\r"))
    s = ls.read_lss(LS614 / "survey_206848.lss")
    whole = ls.read_responses(path, s)
    monkeypatch.setattr(export, "PIECE_BYTES", 5000)
    newline = b"\r\n" if line_end == "crlf" else b"\r"
    pieces = export._pieces(path, newline[-1:])
    assert len(pieces) >= 3
    assert all(raw_end.endswith(newline) for raw_end in
               (path.read_bytes()[:end] for _, end in pieces[:-1]))
    got = ls.read_responses(path, s)
    pd.testing.assert_frame_equal(got, whole)
    assert got.attrs == whole.attrs


def _study_with(tmp_path: Path, export: Path):
    root = tmp_path / "demo"
    shutil.copytree(config.RAW_DIR / "demo", root)
    shutil.copy(export, root / "survey" / "responses.csv")
    study = load_study(root)
    return study, read_codebook(study)[0]["codebook_clusters"]


@pytest.mark.parametrize("name", [GUI_DEFAULT, "results-survey206848_full_short.csv"])
def test_the_admin_screen_default_export_reads_to_the_same_tables_as_the_code_export(
        tmp_path, name):
    """The export a researcher gets by clicking Export with LimeSurvey's defaults (Dutch
    question texts as headings, answer texts as values, comma) gives the study the same tidy
    tables as the question-code export beside it."""
    require_shared(LS614 / name)
    study, clusters = _study_with(tmp_path / "a", LS614 / name)
    got, problems = survey.read_survey(study, clusters)
    assert problems == []
    study, clusters = _study_with(tmp_path / "b", LS614 / GUI_CODE)
    want, problems = survey.read_survey(study, clusters)
    assert problems == []
    assert len(want["respondents"]) == 27 and len(want["exclusions"]) == 3  # no role: 25-27
    for table in want:
        pd.testing.assert_frame_equal(got[table], want[table], obj=table)


def _header_and_body(name: str) -> tuple[list[str], bytes]:
    raw = require_shared(LS614 / name).read_bytes()
    text = raw.decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(text, newline="")))
    return header, raw[raw.index(b"\r\n") + 2:]


def _quoted(fields: list[str]) -> bytes:
    return ("\ufeff" + ",".join('"' + f.replace('"', '""') + '"' for f in fields)
            + "\r\n").encode("utf-8")


def _abbreviate(heading: str, n: int) -> str:
    """A full heading as LimeSurvey abbreviates it to ``n`` characters: the question text
    and each bracketed part cut to ``n`` characters followed by ".. " when longer."""
    def cut(text):
        return text if len(text) <= n else text[:n] + ".. "
    question, _, rest = heading.partition(" [")
    parts = re.findall(r"\[([^\]]*)\]", "[" + rest) if rest else []
    return cut(question) + (" " + "".join(f"[{cut(p)}]" for p in parts) if parts else "")


def test_abbreviated_headings_read_when_they_tell_the_questions_apart(tmp_path, known):
    header, body = _header_and_body(GUI_DEFAULT)
    s = ls.read_lss(LS614 / "survey_206848.lss")
    long = tmp_path / "results-survey206848.csv"
    long.write_bytes(_quoted([_abbreviate(h, 40) for h in header]) + body)
    assert ls.export_dialect(long)["heading_style"] == "abbreviated"
    df = ls.read_responses(long, s)
    assert df.attrs["headings"] == "abbreviated"
    for row, k in enumerate(known):
        assert _as_entered(df, row, s) == _entered(k), f"response {k['id']}"


def test_abbreviated_headings_that_fit_two_questions_are_located_errors_naming_both(tmp_path):
    """Cut to LimeSurvey's default 15 characters, every outcome's heading begins
    "Gewenst resulta.." and every ranking's "Zet de gewenste..": the reader says which
    questions a heading could be, and which export option to choose."""
    header, body = _header_and_body(GUI_DEFAULT)
    short = tmp_path / "results-survey206848.csv"
    short.write_bytes(_quoted([_abbreviate(h, 15) for h in header]) + body)
    with pytest.raises(InputError) as e:
        ls.read_responses(short, ls.read_lss(LS614 / "survey_206848.lss"))
    first = e.value.problems[0]
    assert (first.file, first.row, first.column) == (
        str(short), 1, "Zet de gewenste..  [Rang 1]")
    assert first.message == (
        "headings 10 and 18 'Zet de gewenste..  [Rang 1]' match 2 questions, question rankhbo "
        "(column rankhbo[1]) and question rankmkb (column rankmkb[1]); expected a heading that "
        'names one question: export the responses again with "Headings: Question code" '
        "(Responses > Export > Export responses), which does not depend on the survey's texts")
    assert len(e.value.problems) == 6   # five headings shown, then a count of the rest
    assert re.match(r"\d+ more headings match more than one question; export the responses "
                    r'again with "Headings: Question code"', e.value.problems[-1].message)


def test_code_and_text_headings_read_the_same(tmp_path, known):
    codes, _ = _header_and_body(GUI_CODE)
    texts, body = _header_and_body(GUI_DEFAULT)
    s = ls.read_lss(LS614 / "survey_206848.lss")
    for sep in (". ", ""):
        path = tmp_path / f"results-survey206848-{len(sep)}.csv"
        path.write_bytes(_quoted([c + sep + t for c, t in zip(codes, texts, strict=True)])
                         + body)
        assert ls.export_dialect(path)["heading_style"] == "codetext"
        df = ls.read_responses(path, s)
        assert df.attrs["headings"] == "codetext"
        for row, k in enumerate(known):
            assert _as_entered(df, row, s) == _entered(k), f"response {k['id']}"


def test_cr_only_line_ends_read_the_same(tmp_path):
    """A file whose record ends became a bare CR (an old Mac tool) reads the same; line breaks
    inside answers stay LF."""
    raw = require_shared(LS614 / CODE).read_bytes()
    path = tmp_path / "results-survey206848.csv"
    path.write_bytes(raw.replace(b"\r\n", b"\r"))
    s = ls.read_lss(LS614 / "survey_206848.lss")
    assert ls.export_dialect(path)["line_ending"] == "\r"
    got, want = ls.read_responses(path, s), ls.read_responses(LS614 / CODE, s)
    pd.testing.assert_frame_equal(got, want)
    assert got["openmkb"].iloc[1] == "Regel één\nRegel twee, met komma"


def test_export_dialect_of_what_limesurvey_6_14_writes():
    """The API's exports and the admin screen's: separator, BOM, CRLF, every value quoted,
    NULL unquoted, dates with a space; the API adds an empty line at the end, the screen
    not."""
    for name, (sep, style, _) in EXPORTS.items():
        d = ls.export_dialect(require_shared(LS614 / name))
        assert (d["separator"], d["heading_style"], d["bom"], d["line_ending"], d["quoting"],
                d["null"], d["date_format"]) == (sep, style, True, "\r\n", "all", "unquoted",
                                                 "%Y-%m-%d %H:%M:%S"), name
        assert d["trailing_empty_line"] == (not name.startswith("results-survey206848_gui")), \
            name
