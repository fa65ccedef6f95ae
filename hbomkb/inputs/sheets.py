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

from hbomkb.problems import WARNING, Problem


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


# Bounds on what one workbook or CSV file may hold. A workshop sheet has tens of rows and under
# ten columns; these leave ample room while keeping time and memory bounded whatever a file
# declares (a 12 KB workbook can claim a million rows, or unpack to gigabytes).
MAX_ROWS = 20_000
MAX_COLUMNS = 50
MAX_UNPACKED = 200_000_000  # bytes a workbook may unpack to
MAX_CSV_BYTES = 50_000_000
_BINARY = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel's password-protected files, old .xls


def _column_letter(n: int) -> str:
    letters = ""
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(65 + r) + letters
    return letters


def _bounded_rows(rows, label: str, sheet: str, first_line: int = 1
                  ) -> tuple[list[list], list[Problem]]:
    """At most :data:`MAX_ROWS` rows of at most :data:`MAX_COLUMNS` cells from ``rows``; a
    problem when the sheet goes on beyond either. Reads no further than one row past."""
    out: list[list] = []
    for i, row in enumerate(rows):
        if i >= MAX_ROWS:
            return out, [Problem(label, sheet, first_line + i, "", f"sheet goes on past row "
                                 f"{MAX_ROWS}; expected at most {MAX_ROWS} rows (delete the "
                                 "empty rows below the data)")]
        row = list(row)
        if len(row) > MAX_COLUMNS:
            extra = next((j for j, v in enumerate(row[MAX_COLUMNS:], start=MAX_COLUMNS)
                          if v is not None and str(v).strip() != ""), None)
            if extra is not None:
                return out, [Problem(label, sheet, first_line + i, _column_letter(extra + 1),
                                     f"cell beyond column {_column_letter(MAX_COLUMNS)}; expected "
                                     f"at most {MAX_COLUMNS} columns")]
            row = row[:MAX_COLUMNS]
        out.append(row)
    return out, []


def _zip_problem(path: Path, label: str) -> Problem | None:
    """Why a file cannot be a workbook to open, seen from its bytes and zip directory alone."""
    def problem(message: str) -> Problem:
        return Problem(label, message=message)

    with open(path, "rb") as f:
        head = f.read(8)
    if head == _OLE_MAGIC:
        return problem("password-protected workbook or old Excel 97-2003 file; expected an "
                       ".xlsx file without a password (Excel: Save As > Excel Workbook)")
    try:
        with zipfile.ZipFile(path) as z:
            entries = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:
        return problem(f"not a readable Excel workbook ({type(e).__name__}); expected an .xlsx "
                       "file saved by Excel or LibreOffice")
    if any(e.flag_bits & 0x1 for e in entries):
        return problem("encrypted zip file; expected an .xlsx file without a password")
    unpacked = sum(e.file_size for e in entries)
    if unpacked > MAX_UNPACKED or len(entries) > 10_000:
        return problem(f"workbook unpacks to {unpacked / 1e6:.0f} MB in {len(entries)} parts; "
                       f"expected a workbook of at most {MAX_UNPACKED // 1_000_000} MB unpacked")
    return None


def _read_xlsx(path: Path, label: str) -> tuple[dict[str, list[list]], list[Problem]]:
    # Deferred: openpyxl takes about 0.3 s to import, and only processing reads workbooks,
    # while every report's kernel imports this module (through build.load_tables).
    from openpyxl import load_workbook

    try:
        if path.stat().st_size == 0:
            return {}, [Problem(label, message="file is empty; expected an Excel workbook "
                                "(.xlsx)")]
        problem = _zip_problem(path, label)
    except OSError as e:
        return {}, [Problem(label, message=f"cannot be read ({e.strerror}); expected an Excel "
                            "workbook (.xlsx)")]
    if problem:
        return {}, [problem]
    # openpyxl raises a wide range of types on malformed parts (ParseError, KeyError,
    # TypeError, zlib.error …): whatever it raises on this file is a file that will not do.
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # noqa: BLE001
        return {}, [Problem(label, message=f"not a readable Excel workbook ({type(e).__name__}); "
                            "expected an .xlsx file saved by Excel or LibreOffice")]
    sheets, problems = {}, []
    try:
        for ws in wb.worksheets:
            # the stored size (<dimension>) may be stale or absurd: read what is there instead
            ws.reset_dimensions()
            try:
                rows = ws.iter_rows(max_col=MAX_COLUMNS + 1, values_only=True)
                sheets[ws.title], more = _bounded_rows(rows, label, ws.title)
            except Exception as e:  # noqa: BLE001 - as above, for the sheet's own XML
                problems.append(Problem(label, ws.title, message=f"sheet cannot be read "
                                        f"({type(e).__name__}); expected a sheet saved by Excel "
                                        "or LibreOffice"))
                continue
            problems += more
        return sheets, problems
    finally:
        wb.close()


def decode(data: bytes) -> tuple[str | None, str]:
    """The text of a CSV file and how it was read: UTF-8 (with or without BOM), else what
    Excel's plain CSV writes (Windows-1252). None, with what is wrong, when it is neither:
    UTF-16, a workbook or other binary data, or bytes Windows-1252 does not have."""
    half = len(data) // 2
    # UTF-16 has a BOM, or a NUL beside nearly every character of Latin text
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or (half > 1 and max(
            data[0::2].count(0), data[1::2].count(0)) > 0.9 * half):
        return None, ("UTF-16 text; expected UTF-8 (Excel: Save As > CSV UTF-8 "
                      "(Comma delimited))")
    if data.startswith(b"PK\x03\x04") or data.startswith(_OLE_MAGIC):
        return None, ("an Excel workbook, not CSV text; expected a CSV file (or the workbook "
                      "saved as .xlsx beside the CSV folders)")
    try:
        text, encoding = data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        try:
            text, encoding = data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError as e:
            line = data[:e.start].count(b"\n") + 1
            return None, (f"line {line}: byte 0x{data[e.start]:02x} is neither UTF-8 nor "
                          "Windows-1252 text; expected a CSV file in UTF-8")
    binary = len(_BINARY.findall(text))
    if binary > max(3, len(text) // 100):
        return None, "binary data, not text; expected a CSV file in UTF-8"
    return text, encoding


def _read_csv(path: Path, label: str) -> tuple[list[list] | None, list[Problem]]:
    sheet = path.stem
    try:
        size = path.stat().st_size
        if size > MAX_CSV_BYTES:
            return None, [Problem(label, message=f"file is {size / 1e6:.0f} MB; expected a CSV "
                                  f"file of at most {MAX_CSV_BYTES // 1_000_000} MB")]
        data = path.read_bytes()
    except OSError as e:
        return None, [Problem(label, message=f"cannot be read ({e.strerror}); expected a CSV file")]
    text, encoding = decode(data)
    if text is None:
        return None, [Problem(label, message=encoding)]
    problems = []
    if encoding == "cp1252":
        problems.append(Problem(label, message="not UTF-8: read as Windows-1252, as Excel's "
                                "plain CSV is written; expected UTF-8 (check accented letters)",
                                severity=WARNING))
    if not text.strip():
        return None, [Problem(label, message="file is empty; expected a header row and data rows")]
    first = text.splitlines()[0]
    delimiter = max([",", ";", "\t"], key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records = _csv_records(reader, label, sheet, problems)
    rows, more = _bounded_rows(records, label, sheet)
    problems += more
    if any(p.is_error for p in problems):
        return None, problems
    return [[c if c.strip() != "" else None for c in r] for r in rows], problems


def _csv_records(reader, label: str, sheet: str, problems: list[Problem]):
    """The records of a CSV reader; a record that breaks the format ends them with a problem
    at the line it starts on. Row numbers stay those of the file when no field holds a line
    break (a quoted line break makes later rows one off, as in any spreadsheet)."""
    while True:
        start = reader.line_num + 1
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            text = str(e)
            if "field larger than field limit" in text:
                what = (f"a field is longer than {csv.field_size_limit()} characters; expected "
                        "notes and labels of ordinary length (an unclosed quote makes the rest "
                        "of the file one field)")
            elif "unexpected end of data" in text:
                what = ("a quote (\") opened here is never closed; expected every quoted field "
                        "to end with a quote")
            else:
                what = f"not valid CSV ({text}); expected a CSV file as Excel saves it"
            problems.append(Problem(label, sheet, start, "", what))
            return


def sheet_frame(
    sheets: dict[str, list[list]],
    label: str,
    sheet: str,
    required: list[str],
    optional: list[str] = (),
    aliases: dict[str, str] | None = None,
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """One named sheet as a frame of canonical columns plus ``row``; problems if it won't do.

    ``aliases`` maps a canonical sheet or column name to its other accepted name (the Dutch
    one); a sheet or header holding both names is a problem, never read one way silently.
    """
    aliases = aliases or {}
    for name in (sheet, aliases.get(sheet)):
        same = [k for k in sheets if name and norm_name(k) == norm_name(name)]
        if len(same) > 1:
            return None, [Problem(label, sheet, None, "", f"sheets {_both(same)} both read as "
                                  f"'{name}'; expected one sheet named '{name}'")]
    by_norm = {norm_name(k): k for k in sheets}
    names = [n for n in (sheet, aliases.get(sheet)) if n and norm_name(n) in by_norm]
    if len(names) == 2:
        return None, [Problem(label, sheet, None, "", f"sheet present twice, as "
                              f"'{by_norm[norm_name(names[0])]}' and "
                              f"'{by_norm[norm_name(names[1])]}'; expected one of them")]
    if not names:
        have = ", ".join(sorted(sheets)) or "none"
        return None, [Problem(label, sheet, None, "",
                              f"sheet missing (found: {have}); expected a sheet named '{sheet}'")]
    rows = sheets[by_norm[norm_name(names[0])]]
    header_idx = next((i for i, r in enumerate(rows) if any(_filled(c) for c in r)), None)
    if header_idx is None:
        return None, [Problem(label, sheet, None, "", "sheet is empty; expected a header row "
                              f"with {', '.join(required)}")]
    header = [norm_name(c) if _filled(c) else "" for c in rows[header_idx]]
    problems = []
    for col in [*required, *optional]:
        other = norm_name(aliases.get(col, col))
        if other == col or other not in header:
            continue
        if col in header:
            problems.append(Problem(label, sheet, header_idx + 1, col, f"column present "
                                    f"twice, as '{col}' and '{other}'; expected one of them"))
        else:
            header[header.index(other)] = col
    for col in required:
        if col not in header:
            problems.append(Problem(label, sheet, header_idx + 1, col,
                                    f"column missing; expected a column named '{col}'"))
    for col in [*required, *optional]:
        where = [_column_letter(j + 1) for j, h in enumerate(header) if h == col]
        if len(where) > 1:
            problems.append(Problem(label, sheet, header_idx + 1, col, f"column present "
                                    f"{len(where)} times (columns {', '.join(where)}); "
                                    "expected it once"))
    if problems:
        return None, problems
    wanted = [c for c in [*required, *optional] if c in header]
    idx = {c: header.index(c) for c in wanted}
    records = []
    for i, r in enumerate(rows[header_idx + 1:], start=header_idx + 2):
        if not any(_filled(c) for c in r):
            continue  # blank rows are layout, not data
        rec = {c: (r[j] if j < len(r) else None) for c, j in idx.items()}
        for c, v in rec.items():
            if isinstance(v, str) and _BINARY.search(v):
                codes = ", ".join(sorted({f"U+{ord(x):04X}" for x in _BINARY.findall(v)}))
                rec[c] = _BINARY.sub("", v)
                problems.append(Problem(label, sheet, i, c, f"control character(s) {codes} "
                                        "removed; expected plain text", WARNING))
        rec["row"] = i
        records.append(rec)
    # object columns keep each cell as typed; numeric inference would turn blanks into NaN
    frame = pd.DataFrame({c: pd.Series([rec[c] for rec in records], dtype=object)
                          for c in [*wanted, "row"]})
    for c in optional:
        if c not in frame:
            frame[c] = None
    return frame, problems


def _both(names: list[str]) -> str:
    quoted = [f"'{n}'" for n in names]
    return ", ".join(quoted[:-1]) + " and " + quoted[-1]


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
