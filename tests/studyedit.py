"""Editing a study's workbooks the way a researcher does in Excel, for tests."""

from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import load_workbook


def edit(path: Path, sheet: str, fn) -> None:
    """Open a workbook, let ``fn(ws)`` change one sheet, save it."""
    wb = load_workbook(path)
    fn(wb[sheet])
    wb.save(path)


def header_col(ws, name: str) -> int:
    for cell in ws[1]:
        if str(cell.value).strip().lower() == name:
            return cell.column
    raise KeyError(name)


def set_cell(path: Path, sheet: str, row: int, column: str, value) -> None:
    def change(ws):
        # ws.cell(..., value=None) would leave the old value: assign explicitly
        ws.cell(row=row, column=header_col(ws, column)).value = value
    edit(path, sheet, change)


def get_cell(path: Path, sheet: str, row: int, column: str):
    wb = load_workbook(path, read_only=True)
    ws = wb[sheet]
    col = [str(c.value).strip().lower() for c in next(ws.iter_rows(max_row=1))].index(column)
    value = list(ws.iter_rows(min_row=row, max_row=row, values_only=True))[0][col]
    wb.close()
    return value


def rows(path: Path, sheet: str) -> list[dict]:
    wb = load_workbook(path, read_only=True)
    data = list(wb[sheet].iter_rows(values_only=True))
    wb.close()
    header = [str(h).strip().lower() for h in data[0]]
    return [dict(zip(header, r, strict=False), row=i) for i, r in enumerate(data[1:], start=2)]


def to_csv_folder(xlsx: Path, encoding: str = "utf-8-sig", delimiter: str = ",") -> Path:
    """Replace a workbook by a folder of CSV files with the same sheet names."""
    folder = xlsx.with_suffix("")
    folder.mkdir()
    wb = load_workbook(xlsx, read_only=True)
    for ws in wb.worksheets:
        with open(folder / f"{ws.title}.csv", "w", newline="", encoding=encoding) as f:
            w = csv.writer(f, delimiter=delimiter)
            for r in ws.iter_rows(values_only=True):
                w.writerow(["" if v is None else v for v in r])
    wb.close()
    xlsx.unlink()
    return folder
