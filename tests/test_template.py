"""The empty workshop workbook: dropdowns, Dutch instructions, and a filled one validates."""

from __future__ import annotations

import shutil

from openpyxl import load_workbook

from hbomkb.cli import main
from hbomkb.inputs.workshops import SHEETS


def test_template_has_every_sheet_with_headers_and_dropdowns(tmp_path, capsys):
    out = tmp_path / "leeg.xlsx"
    assert main(["template", "--out", str(out)]) == 0
    wb = load_workbook(out)
    assert wb.sheetnames[0] == "instructies"
    assert "Werkblad" in wb["instructies"]["A1"].value
    for sheet, (required, optional) in SHEETS.items():
        header = [c.value for c in wb[sheet][1]]
        assert header == [*required, *optional]
    formulas = {dv.formula1 for dv in wb["participants"].data_validations.dataValidation}
    assert '"hbo,mkb"' in formulas
    # the id dropdown reads a hidden list: every id the validator accepts, OND-A … HBO-Z
    ids_ref = next(f for f in formulas if f.startswith("lijsten!"))
    ids = [r[0] for r in wb["lijsten"].iter_rows(min_row=2, values_only=True)]
    assert ids_ref == f"lijsten!$A$2:$A${len(ids) + 1}"
    assert ids[0] == "OND-A" and ids[25] == "OND-Z" and ids[-1] == "HBO-Z" and len(ids) == 52
    assert wb["lijsten"].sheet_state == "hidden"
    # any number of mixed groups: a whole number from 1, not a list of four
    groups = [dv for dv in wb["participants"].data_validations.dataValidation
              if dv.type == "whole"]
    assert groups and groups[0].formula1 == "1" and groups[0].operator == "greaterThanOrEqual"
    text = " ".join(r[0] or "" for r in wb["instructies"].iter_rows(values_only=True))
    assert "OND-A t/m OND-Z" in text and "HBO-A t/m HBO-Z" in text and "OND-D" not in text
    rating = {dv.formula1 for dv in wb["outcome_ratings"].data_validations.dataValidation}
    assert '"1,2,3,4,5"' in rating
    top = {dv.formula1 for dv in wb["outcome_clusters"].data_validations.dataValidation}
    assert '"1,2,3"' in top


def test_template_is_deterministic(tmp_path):
    main(["template", "--out", str(tmp_path / "a.xlsx")])
    main(["template", "--out", str(tmp_path / "b.xlsx")])
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()


def test_filled_template_validates(small_study, tmp_path, capsys):
    """Copy one workshop into a fresh template, cell by cell, as a researcher would type it."""
    tpl = tmp_path / "tpl.xlsx"
    main(["template", "--out", str(tpl)])
    src = load_workbook(small_study / "workshops" / "noord.xlsx")
    wb = load_workbook(tpl)
    for sheet in SHEETS:
        for row in src[sheet].iter_rows(min_row=2, values_only=True):
            wb[sheet].append(list(row))
    target = small_study / "workshops" / "noord.xlsx"
    wb.save(target)
    shutil.rmtree(tmp_path / "unused", ignore_errors=True)
    assert main(["validate", "--study", str(small_study)]) == 0, capsys.readouterr().err


def test_template_wants_an_xlsx_name_and_never_overwrites(tmp_path, capsys):
    assert main(["template", "--out", str(tmp_path / "leeg.csv")]) == 2
    assert "expected a file name ending in .xlsx" in capsys.readouterr().err
    assert not (tmp_path / "leeg.csv").exists()
    out = tmp_path / "leeg.xlsx"
    out.write_bytes(b"mijn eigen werk")
    assert main(["template", "--out", str(out)]) == 2
    assert "exists" in capsys.readouterr().err and out.read_bytes() == b"mijn eigen werk"
    assert main(["template", "--out", str(out), "--force"]) == 0
    assert load_workbook(out).sheetnames[0] == "instructies"


def _rename(path, names: dict[str, str]) -> None:
    wb = load_workbook(path)
    for sheet in wb.worksheets:
        if sheet.title in names:
            sheet.title = names[sheet.title]
        for cell in sheet[1]:
            if cell.value in names:
                cell.value = names[cell.value]
    wb.save(path)


def test_dutch_sheet_and_column_names_are_read_too(small_study, capsys):
    from hbomkb.inputs.workshops import DUTCH_NAMES

    _rename(small_study / "workshops" / "noord.xlsx", DUTCH_NAMES)
    assert main(["validate", "--study", str(small_study)]) == 0, capsys.readouterr().err


def test_a_sheet_under_both_names_is_reported(small_study, capsys):
    path = small_study / "workshops" / "noord.xlsx"
    wb = load_workbook(path)
    copy = wb.copy_worksheet(wb["participants"])
    copy.title = "deelnemers"
    wb.save(path)
    assert main(["validate", "--study", str(small_study)]) == 2
    err = capsys.readouterr().err
    assert ("workshops/noord.xlsx:participants::: sheet present twice, as 'participants' and "
            "'deelnemers'; expected one of them") in err


def test_a_column_under_both_names_is_reported(small_study, capsys):
    path = small_study / "workshops" / "noord.xlsx"
    wb = load_workbook(path)
    ws = wb["participants"]
    ws.cell(row=1, column=ws.max_column + 1, value="kant")
    wb.save(path)
    assert main(["validate", "--study", str(small_study)]) == 2
    assert ("workshops/noord.xlsx:participants:1:role: column present twice, as 'role' and "
            "'kant'; expected one of them") in capsys.readouterr().err
