"""A hostile-study corpus, input side: files made to break, bloat or mislead the readers.

Each case is the small study with one file crafted the way an attacker or a careless user
would, run through ``hbomkb validate`` as a researcher would. Every case asserts the exact
located message and the exit code, and where a file claims to be huge, the memory the
validation took in this process (``tracemalloc``): reading stays bounded whatever a file says.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
import sys
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from studyedit import edit, rows, to_csv_folder

from hbomkb import config
from hbomkb.cli import main
from hbomkb.config import load_study
from hbomkb.inputs import sheets
from hbomkb.inputs.build import build

MB = 1_000_000


def _noord(study: Path) -> Path:
    return study / "workshops" / "noord.xlsx"


def _rewrite(xlsx: Path, sheet: str, fn) -> None:
    """Change the XML of one sheet of a workbook as bytes, the rest of the zip as it was."""
    names = load_workbook(xlsx, read_only=True).sheetnames
    part = f"xl/worksheets/sheet{names.index(sheet) + 1}.xml"
    with zipfile.ZipFile(xlsx) as z:
        entries = [(i, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(xlsx, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in entries:
            z.writestr(info.filename, fn(data) if info.filename == part else data)


def _validate(study: Path, capsys) -> tuple[int, str, int]:
    """Exit code, standard error and the peak of memory allocated while validating."""
    tracemalloc.start()
    try:
        rc = main(["validate", "--study", str(study)])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return rc, err, peak


def _located(err: str, message: str) -> None:
    assert message in err.splitlines(), err


# -- bounded resources -------------------------------------------------------------------------
def test_a_sheet_declaring_a_million_rows_by_sixteen_thousand_columns_reads_what_is_there(
        small_study, capsys):
    _rewrite(_noord(small_study), "outcome_notes",
             lambda x: re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>',
                              x))
    assert _noord(small_study).stat().st_size < 20_000
    rc, err, peak = _validate(small_study, capsys)
    assert rc == 0, err
    assert peak < 60 * MB


def test_a_stale_dimension_loses_no_rows(small_study, capsys):
    notes = len(rows(_noord(small_study), "outcome_notes"))
    assert notes > 10
    _rewrite(_noord(small_study), "outcome_notes",
             lambda x: re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:C5"/>', x))
    rc, err, _ = _validate(small_study, capsys)
    assert rc == 0, err
    tables = build(load_study(small_study)).tables
    assert (tables["outcome_notes"]["region"] == "noord").sum() == notes


def test_a_row_far_below_the_data_stops_reading_with_a_message(small_study, capsys):
    far = (b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row>'
           b'</sheetData>')
    _rewrite(_noord(small_study), "outcome_notes", lambda x: x.replace(b"</sheetData>", far))
    rc, err, peak = _validate(small_study, capsys)
    assert rc == 2
    _located(err, "workshops/noord.xlsx:outcome_notes:20001:: sheet goes on past row 20000; "
                  "expected at most 20000 rows (delete the empty rows below the data)")
    assert peak < 60 * MB


def test_a_cell_far_to_the_right_is_reported(small_study, capsys):
    cell = b'<c r="AY2" t="inlineStr"><is><t>verstopt</t></is></c></row>'
    _rewrite(_noord(small_study), "outcome_notes", lambda x: x.replace(b"</row>", cell, 2)
             .replace(cell, b"</row>", 1))
    rc, err, _ = _validate(small_study, capsys)
    assert rc == 2
    _located(err, "workshops/noord.xlsx:outcome_notes:2:AY: cell beyond column AX; expected "
                  "at most 50 columns")


def test_a_workbook_that_unpacks_to_more_than_the_limit_is_not_opened(small_study, capsys,
                                                                       monkeypatch):
    monkeypatch.setattr(sheets, "MAX_UNPACKED", 2 * MB)
    padding = b"<!--" + b" " * (3 * MB) + b"-->"
    _rewrite(_noord(small_study), "info", lambda x: x + padding)
    assert _noord(small_study).stat().st_size < 100_000
    rc, err, peak = _validate(small_study, capsys)
    assert rc == 2
    assert re.search(r"^workshops/noord\.xlsx:::: workbook unpacks to 3 MB in 15 parts; "
                     r"expected a workbook of at most 2 MB unpacked$", err, re.M), err
    assert peak < 60 * MB


def test_a_second_sheet_whose_name_differs_only_in_case_and_spaces_is_reported(small_study,
                                                                               capsys):
    wb = load_workbook(_noord(small_study))
    wb.copy_worksheet(wb["outcome_notes"]).title = "Outcome Notes"
    wb.save(_noord(small_study))
    rc, err, _ = _validate(small_study, capsys)
    assert rc == 2
    _located(err, "workshops/noord.xlsx:outcome_notes::: sheets 'outcome_notes' and 'Outcome "
                  "Notes' both read as 'outcome_notes'; expected one sheet named 'outcome_notes'")


def test_a_column_written_twice_is_reported(small_study, capsys):
    def twice(ws):
        ws.cell(row=1, column=ws.max_column + 1).value = "Note"
    edit(_noord(small_study), "outcome_notes", twice)
    rc, err, _ = _validate(small_study, capsys)
    assert rc == 2
    _located(err, "workshops/noord.xlsx:outcome_notes:1:note: column present 2 times (columns "
                  "B, D); expected it once")


def test_a_csv_field_over_the_field_limit_is_a_message(small_study, capsys):
    folder = to_csv_folder(small_study / "workshops" / "oost.xlsx")
    notes = folder / "outcome_notes.csv"
    lines = notes.read_text(encoding="utf-8-sig").splitlines()
    lines[2] = lines[2].split(",")[0] + ',"' + "x" * 200_000 + '",' + lines[2].split(",")[-1]
    notes.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rc, err, _ = _validate(small_study, capsys)
    assert rc == 2
    _located(err, "workshops/oost/outcome_notes.csv:outcome_notes:3:: a field is longer than "
                  "131072 characters; expected notes and labels of ordinary length (an unclosed "
                  "quote makes the rest of the file one field)")


# -- the located message, never a traceback or a misleading one -------------------------------
def test_malformed_sheet_xml(small_study, capsys):
    _rewrite(_noord(small_study), "outcome_ratings", lambda x: x[: len(x) // 2])
    rc, err, _ = _validate(small_study, capsys)
    assert rc == 2
    _located(err, "workshops/noord.xlsx:outcome_ratings::: sheet cannot be read (ParseError); "
                  "expected a sheet saved by Excel or LibreOffice")


def _flag_encrypted(path: Path) -> None:
    """Set the 'encrypted' bit of every entry, in the local and the central headers."""
    data = bytearray(path.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        for m in re.finditer(re.escape(signature), bytes(data)):
            data[m.start() + offset] |= 0x1
    path.write_bytes(bytes(data))


def test_an_encrypted_zip(small_study, capsys):
    _flag_encrypted(small_study / "workshops" / "oost.xlsx")
    rc, err, _ = _validate(small_study, capsys)
    assert rc == 2
    _located(err, "workshops/oost.xlsx:::: encrypted zip file; expected an .xlsx file without "
                  "a password")


def test_a_password_protected_workbook(small_study, capsys):
    (small_study / "workshops" / "oost.xlsx").write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096))
    rc, err, _ = _validate(small_study, capsys)
    assert rc == 2
    _located(err, "workshops/oost.xlsx:::: password-protected workbook or old Excel 97-2003 "
                  "file; expected an .xlsx file without a password (Excel: Save As > Excel "
                  "Workbook)")


def test_a_zip_that_is_no_workbook(small_study, capsys):
    with zipfile.ZipFile(small_study / "workshops" / "oost.xlsx", "w") as z:
        z.writestr("hallo.txt", "geen werkmap")
    rc, err, _ = _validate(small_study, capsys)
    assert rc == 2
    _located(err, "workshops/oost.xlsx:::: not a readable Excel workbook (KeyError); expected "
                  "an .xlsx file saved by Excel or LibreOffice")


def _csv_notes(study: Path) -> Path:
    return to_csv_folder(study / "workshops" / "oost.xlsx") / "outcome_notes.csv"


def test_a_utf16_csv_says_so(small_study, capsys):
    notes = _csv_notes(small_study)
    notes.write_text(notes.read_text(encoding="utf-8-sig"), encoding="utf-16")
    rc, err, _ = _validate(small_study, capsys)
    assert rc == 2
    _located(err, "workshops/oost/outcome_notes.csv:::: UTF-16 text; expected UTF-8 (Excel: "
                  "Save As > CSV UTF-8 (Comma delimited))")
    assert "column missing" not in err


def test_a_utf16_csv_without_bom_says_so(small_study, capsys):
    notes = _csv_notes(small_study)
    notes.write_bytes(notes.read_text(encoding="utf-8-sig").encode("utf-16-le"))
    rc, err, _ = _validate(small_study, capsys)
    assert rc == 2
    _located(err, "workshops/oost/outcome_notes.csv:::: UTF-16 text; expected UTF-8 (Excel: "
                  "Save As > CSV UTF-8 (Comma delimited))")


def test_a_cp1252_csv_is_read_and_says_how(small_study, capsys):
    notes = _csv_notes(small_study)
    text = notes.read_text(encoding="utf-8-sig").replace("Meer", "Meer café-achtige", 1)
    notes.write_bytes(text.encode("cp1252"))
    rc, err, _ = _validate(small_study, capsys)
    assert rc == 0, err
    _located(err, "workshops/oost/outcome_notes.csv:::: not UTF-8: read as Windows-1252, as "
                  "Excel's plain CSV is written; expected UTF-8 (check accented letters) "
                  "[warning]")
    texts = build(load_study(small_study)).tables["outcome_notes"]["text"]
    assert texts.str.contains("café-achtige").any()


def test_random_bytes_in_a_csv_say_what_is_wrong_with_the_encoding(small_study, capsys):
    notes = _csv_notes(small_study)
    notes.write_bytes(random.Random(11).randbytes(3000).replace(b"\0", b"a"))
    rc, err, _ = _validate(small_study, capsys)
    assert rc == 2
    lines = [x for x in err.splitlines() if x.startswith("workshops/oost/outcome_notes.csv")]
    assert len(lines) == 1 and re.fullmatch(
        r"workshops/oost/outcome_notes\.csv:::: (line \d+: byte 0x[0-9a-f]{2} is neither UTF-8 "
        r"nor Windows-1252 text|binary data, not text); expected a CSV file in UTF-8",
        lines[0]), err
    assert "column missing" not in err


def test_a_workbook_renamed_to_csv_says_so(small_study, capsys):
    notes = _csv_notes(small_study)
    notes.write_bytes(_noord(small_study).read_bytes())
    rc, err, _ = _validate(small_study, capsys)
    assert rc == 2
    _located(err, "workshops/oost/outcome_notes.csv:::: an Excel workbook, not CSV text; "
                  "expected a CSV file (or the workbook saved as .xlsx beside the CSV folders)")


def test_an_unterminated_quote_says_so(small_study, capsys):
    notes = _csv_notes(small_study)
    lines = notes.read_text(encoding="utf-8-sig").splitlines()
    participant, note, cluster = lines[2].split(",", 2)
    lines[2] = f'{participant},"{note},{cluster}'
    notes.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rc, err, _ = _validate(small_study, capsys)
    assert rc == 2
    _located(err, 'workshops/oost/outcome_notes.csv:outcome_notes:3:: a quote (") opened here '
                  "is never closed; expected every quoted field to end with a quote")
    assert "note has no cluster" not in err


def test_a_region_without_ratings_is_a_validate_message(small_study, capsys):
    def drop_hbo(ws):
        for r in range(ws.max_row, 1, -1):
            if str(ws.cell(row=r, column=1).value or "").startswith("HBO"):
                ws.delete_rows(r)
    edit(_noord(small_study), "outcome_ratings", drop_hbo)
    rc, err, _ = _validate(small_study, capsys)
    assert rc == 2
    _located(err, "workshops/noord.xlsx:outcome_ratings::importance: no ratings from the hbo "
                  "group; expected each hbo participant's importance and satisfaction for the "
                  "clusters of the group")


# -- study.yaml, through the command --------------------------------------------------------
@pytest.mark.parametrize(("change", "message"), [
    (lambda t: t.replace("regions:\n- slug: noord", "regions: 5\nold:\n- slug: noord"),
     ":::regions: '5' is not a list; expected a list of regions, each a slug or "
     "{slug: ..., name: ...}"),
    (lambda t: t + "survey: 5\n",
     ":::survey: '5' is not a mapping; expected survey: with structure, responses and "
     "include_partial"),
    (lambda t: re.sub(r"scale:\n(  .*\n)+", "scale: 5\n", t),
     ":::scale: '5' is not a mapping; expected scale: with min, max and top_box"),
    (lambda t: t.replace("slug: oost", "slug: noord_"),
     ":regions:2:slug: slug 'noord_' is not a safe file name; expected lower-case letters a-z, "
     "digits, '-' or '_' (at most 40, starting and ending with a letter or digit)"),
    (lambda t: t.replace("slug: oost", "slug: nationaal"),
     ":regions:2:slug: slug 'nationaal' is a name the national report uses; expected another "
     "slug than national, nationaal, all"),
    (lambda t: t.replace("min_group_size: 3", "min_group_size: 0"),
     ":::min_group_size: '0'; expected a whole number of at least 2"),
    (lambda t: t.replace("synthetic: true", "synthetic: 'misschien'"),
     ":::synthetic: 'misschien' is not true or false; expected true or false"),
])
def test_a_study_yaml_that_will_not_do(small_study, capsys, change, message):
    yml = small_study / "study.yaml"
    yml.write_text(change(yml.read_text(encoding="utf-8")), encoding="utf-8")
    rc, err, _ = _validate(small_study, capsys)
    assert rc == 2
    _located(err, yml.resolve().as_posix() + message)


def test_synthetic_false_as_text_is_not_synthetic(small_study):
    yml = small_study / "study.yaml"
    yml.write_text(yml.read_text(encoding="utf-8").replace("synthetic: true",
                                                           "synthetic: 'false'"))
    assert load_study(small_study).synthetic is False


def test_braces_and_spaces_in_the_study_folder_name(small_study, tmp_path, capsys):
    odd = tmp_path / "studie {ace} %s $HOME"
    shutil.copytree(small_study, odd)
    rc, err, _ = _validate(odd, capsys)
    assert rc == 0, err


# -- faults ------------------------------------------------------------------------------------
@pytest.fixture
def tiny_disk(tmp_path):
    """A file system of 64 KB, where processing the small study runs out of space."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a small tmpfs needs root and mount(8)")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode:
        pytest.skip(f"mounting a small tmpfs is not allowed here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_disk_full_while_processing_is_one_message(small_study, tiny_disk):
    env = {**os.environ, "HBOMKB_DATA_DIR": str(tiny_disk / "data"),
           "HBOMKB_CACHE_DIR": str(config.CACHE_DIR)}
    done = subprocess.run([sys.executable, "-m", "hbomkb", "process", "--study",
                           str(small_study)], capture_output=True, text=True, env=env)
    assert done.returncode == 2
    target = tiny_disk / "data" / "processed" / "small"
    assert done.stderr.splitlines() == [
        f"hbomkb: [Errno 28] {target}: processed tables not written (No space left on device); "
        "the processed data from before is unchanged"]
    assert not any((tiny_disk / "data" / "processed").iterdir())  # no half-written folder
