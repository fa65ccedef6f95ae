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
    assert any("OND-A" in f for f in formulas)
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
