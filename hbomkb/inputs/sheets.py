"""Reading worksheets from Excel workbooks or folders of CSV files, without trusting them.

A sheet comes back as a DataFrame of raw cell values (strings, numbers or None) with its
columns renamed to the canonical names and a ``row`` column holding the row number a
researcher sees in Excel (the header is row 1) or the line number in a CSV file. Names of sheets
and columns are matched ignoring case, surrounding whitespace, and spaces versus underscores.
Whatever cannot be read becomes a :class:`~hbomkb.problems.Problem`; nothing here raises on
bad input, and nothing here opens a file for writing.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from hbomkb.problems import Problem


def norm_name(name: object) -> str:
    """A sheet or column name reduced to lower case words joined by underscores."""
    return re.sub(r"[\s_\-]+", "_", str(name).strip().lower()).strip("_")


@dataclass
class Source:
    """A workbook (.xlsx) or a folder holding one CSV file per sheet."""

    path: Path
    label: str  # the file name shown in problems, relative to the study folder

    @property
    def is_folder(self) -> bool:
        return self.path.is_dir()


def read_source(source: Source) -> tuple[dict[str, list[list]], list[Problem]]:
    """All sheets of a source as lists of rows (the first row is the header)."""
    if source.is_folder:
        sheets, problems = {}, []
        for f in sorted(source.path.glob("*.csv")):
            rows, probs = _read_csv(f, f"{source.label}/{f.name}")
            problems += probs
            if rows is not None:
                sheets[f.stem] = rows
        return sheets, problems
    return _read_xlsx(source.path, source.label)


def _read_xlsx(path: Path, label: str) -> tuple[dict[str, list[list]], list[Problem]]:
    # Deferred: openpyxl takes about 0.3 s to import, and only processing reads workbooks,
    # while every report's kernel imports this module (through build.load_tables).
    from openpyxl import load_workbook

    if path.stat().st_size == 0:
        return {}, [Problem(label, message="file is empty; expected an Excel workbook (.xlsx)")]
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as e:
        return {}, [Problem(label, message=f"not a readable Excel workbook ({type(e).__name__}); "
                            "expected an .xlsx file saved by Excel or LibreOffice")]
    try:
        sheets = {}
        for ws in wb.worksheets:
            sheets[ws.title] = [list(r) for r in ws.iter_rows(values_only=True)]
        return sheets, []
    finally:
        wb.close()


def decode(data: bytes) -> str:
    """Text of a CSV file written as UTF-8 (with or without BOM) or by Excel in cp1252."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _read_csv(path: Path, label: str) -> tuple[list[list] | None, list[Problem]]:
    try:
        data = path.read_bytes()
    except OSError as e:
        return None, [Problem(label, message=f"cannot be read ({e.strerror}); expected a CSV file")]
    text = decode(data)
    if not text.strip():
        return None, [Problem(label, message="file is empty; expected a header row and data rows")]
    first = text.splitlines()[0]
    delimiter = max([",", ";", "\t"], key=first.count)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    return [[c if c.strip() != "" else None for c in r] for r in rows], []


def sheet_frame(
    sheets: dict[str, list[list]],
    label: str,
    sheet: str,
    required: list[str],
    optional: list[str] = (),
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """One named sheet as a frame of canonical columns plus ``row``; problems if it won't do."""
    by_norm = {norm_name(k): k for k in sheets}
    key = by_norm.get(norm_name(sheet))
    if key is None:
        have = ", ".join(sorted(sheets)) or "none"
        return None, [Problem(label, sheet, None, "",
                              f"sheet missing (found: {have}); expected a sheet named '{sheet}'")]
    rows = sheets[key]
    header_idx = next((i for i, r in enumerate(rows) if any(_filled(c) for c in r)), None)
    if header_idx is None:
        return None, [Problem(label, sheet, None, "", "sheet is empty; expected a header row "
                              f"with {', '.join(required)}")]
    header = [norm_name(c) if _filled(c) else "" for c in rows[header_idx]]
    problems = []
    for col in required:
        if col not in header:
            problems.append(Problem(label, sheet, header_idx + 1, col,
                                    f"column missing; expected a column named '{col}'"))
    if problems:
        return None, problems
    wanted = [c for c in [*required, *optional] if c in header]
    idx = {c: header.index(c) for c in wanted}
    records = []
    for i, r in enumerate(rows[header_idx + 1:], start=header_idx + 2):
        if not any(_filled(c) for c in r):
            continue  # blank rows are layout, not data
        rec = {c: (r[j] if j < len(r) else None) for c, j in idx.items()}
        rec["row"] = i
        records.append(rec)
    # object columns keep each cell as typed; numeric inference would turn blanks into NaN
    frame = pd.DataFrame({c: pd.Series([rec[c] for rec in records], dtype=object)
                          for c in [*wanted, "row"]})
    for c in optional:
        if c not in frame:
            frame[c] = None
    return frame, []


def _filled(value: object) -> bool:
    if value is None or (isinstance(value, float) and value != value):
        return False
    return str(value).strip() != ""


def clean_str(value: object) -> str | None:
    """A cell as trimmed text with inner whitespace collapsed; None when empty."""
    if not _filled(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return re.sub(r"\s+", " ", str(value).strip())


def as_int(value: object) -> int | None | str:
    """A cell as a whole number; None when empty; the text itself when it is not a number."""
    if not _filled(value):
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else str(value)
    text = str(value).strip().replace(",", ".")
    try:
        f = float(text)
    except ValueError:
        return text
    return int(f) if f.is_integer() else text
