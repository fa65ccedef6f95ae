"""What a run publishes besides the reports: ``tables.xlsx``, ``index.html`` and the figures.

:func:`collect_tables` gathers every table the reports recorded into one workbook,
:func:`write_index` writes the page that links everything, and :func:`publish_report` puts one
report's pages, tables and figures in place, all or nothing.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Protocol

import jinja2
import numpy as np
import openpyxl
import pandas as pd
from markupsafe import Markup
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from hbomkb.config import Study
from hbomkb.files import read_table_csv, replace_together, save_workbook, write_text_atomic
from hbomkb.present.html import banner_html
from hbomkb.publish import provenance

TEMPLATES = Path(__file__).resolve().with_name("templates")
INDEX_TEMPLATE = "reports-index.html.j2"
CONTENTS_SHEET = "inhoud"
# How the index names the state of each report after a run.
# A report that failed in this run but has a good version published is never called failed:
# the index shows that version ("kept"), with its date.
STATUS_WORDS = {"ok": "bijgewerkt", "skipped": "ongewijzigd", "failed": "MISLUKT",
                "kept": "laatste goede versie getoond", "not_run": "niet in deze run"}


# ---------------------------------------------------------------------------------------------
# tables.xlsx
# ---------------------------------------------------------------------------------------------

def sheet_names(stems: list[str]) -> list[str]:
    """Excel sheet names (at most 31 characters, unique, never the contents sheet's name)."""
    out, used = [], set()
    for i, stem in enumerate(stems, start=1):
        name = stem[:31]
        if name.lower() in used or name.lower() == CONTENTS_SHEET:
            suffix = f"~{i}"
            name = stem[: 31 - len(suffix)] + suffix
        used.add(name.lower())
        out.append(name)
    return out


def _cell(ws, value):
    """A table value as a cell: missing as an empty cell, numpy scalars as Python numbers, and
    text always as text. openpyxl would store text that starts with ``=`` as a formula; here
    it stays the string it is (``=HYPERLINK(…)`` from a note shows as those characters), and a
    control character Excel cannot store shows as U+FFFD instead of breaking the workbook."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(ws, value=ILLEGAL_CHARACTERS_RE.sub("\ufffd", value))
    cell.data_type = "s"
    return cell


def _add_sheet(book, title: str, table: pd.DataFrame) -> None:
    ws = book.create_sheet(title)
    bold = Font(bold=True)
    header = [_cell(ws, str(c)) for c in table.columns]
    for cell in header:
        cell.font = bold
    ws.append(header)
    for row in table.itertuples(index=False, name=None):
        ws.append([_cell(ws, v) for v in row])


def collect_tables(reports_dir: str | os.PathLike) -> Path | None:
    """Gather every ``tables/<report>/<table>.csv`` into ``tables.xlsx``, with a contents sheet.

    The contents sheet ``inhoud`` comes first, then one sheet per table in the order of the
    reports and tables, named ``<report>.<table>`` (without ``region-``, cut to Excel's 31
    characters). An empty CSV field stays an empty cell; text stays text (never a formula),
    as it was before :func:`hbomkb.files.write_table_csv` neutralised it. Returns the workbook
    path, or None (and no workbook) when no table was recorded.
    """
    reports_dir = Path(reports_dir)
    csvs = sorted((reports_dir / "tables").glob("*/*.csv"))
    target = reports_dir / "tables.xlsx"
    if not csvs:
        target.unlink(missing_ok=True)
        return None
    names = sheet_names([f"{p.parent.name.removeprefix('region-')}.{p.stem}" for p in csvs])
    book = openpyxl.Workbook(write_only=True)
    _add_sheet(book, CONTENTS_SHEET, pd.DataFrame({
        "blad": names, "rapport": [p.parent.name for p in csvs],
        "tabel": [p.stem for p in csvs],
        "csv": [p.relative_to(reports_dir).as_posix() for p in csvs]}))
    for path, name in zip(csvs, names, strict=True):
        _add_sheet(book, name, read_table_csv(path))
    return save_workbook(book, target)


# ---------------------------------------------------------------------------------------------
# index.html
# ---------------------------------------------------------------------------------------------

class ReportStatus(Protocol):
    """What the index needs of a report's outcome in a run (:class:`hbomkb.publish.run.Outcome`)."""

    name: str
    status: str

    def describe(self) -> str: ...


_PAGES = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                            undefined=jinja2.StrictUndefined)


def write_index(study: Study, reports_dir: Path, figures_dir: Path,
                outcomes: Sequence[ReportStatus], entries: dict) -> Path:
    """Write ``index.html``: every report (full and review), the tables, the run's status.

    ``entries`` are the manifest's records of each report's last good run (``finished``).
    """
    reports = []
    for o in outcomes:
        region = o.name.removeprefix("region-")
        label = "Nationaal" if o.name == "national" else \
            "Regio " + study.region_names.get(region, o.name)
        links = []
        if (reports_dir / f"{o.name}.html").is_file():
            links = [(f"{o.name}.html", "rapport"), (f"{o.name}-review.html", "zonder code"),
                     (f"{o.name}.ipynb", "notebook")]
        status = "kept" if o.status == "failed" and links else o.status
        finished = entries.get(o.name, {}).get("finished", "")
        if links and not finished:  # a good version from before the manifest knew it
            finished = datetime.fromtimestamp((reports_dir / f"{o.name}.html").stat().st_mtime
                                              ).astimezone().isoformat(timespec="seconds")
        note = {"failed": o.describe(), "kept": f"deze run: {o.describe()}"}.get(status, "")
        reports.append({"label": label, "links": links, "status": STATUS_WORDS[status],
                        "finished": finished, "note": note})
    csvs = sorted((reports_dir / "tables").glob("*/*.csv"))
    try:
        figures = os.path.relpath(figures_dir, reports_dir)
    except ValueError:  # another drive on Windows
        figures = figures_dir.as_uri()
    page = _PAGES.get_template(INDEX_TEMPLATE).render(
        study=study, banner=Markup(banner_html(study)),
        version=provenance.package_version(),
        commit=provenance.git_commit() or "geen git-commit",
        reports=reports, workbook=(reports_dir / "tables.xlsx").is_file(),
        tables=[(p.relative_to(reports_dir).as_posix(), f"{p.parent.name} / {p.stem}")
                for p in csvs],
        figures=figures)
    return write_text_atomic(reports_dir / "index.html", page)


# ---------------------------------------------------------------------------------------------
# Publishing one report
# ---------------------------------------------------------------------------------------------

PUBLISHED = ".published"  # per report, the JSON list of the figure files it published


def publish_report(name: str, reports_dir: Path, figures_dir: Path, pages: dict[str, str],
                   staging: Path, staged_figures: Path) -> list[str]:
    """Publish one report all or nothing: its pages, its tables and its figures.

    ``pages`` maps file names (``region-noord.html``, ``…-review.html``, ``….ipynb``) to their
    text. Every file is first written into ``staging`` (a folder in ``reports_dir``); the
    tables the notebook recorded are in ``staging/tables/<name>/`` and its figures in
    ``staged_figures`` (a folder in ``figures_dir``, so figures on another file system publish
    too). Then one :func:`hbomkb.files.replace_together` puts everything in place and removes
    the figures this report made last time but no longer makes: either every file of the
    report is the new one, or — when anything fails, a full disk say — every file is the old
    one and the error is raised. Returns the names of the report's figures.
    """
    figures_dir.mkdir(parents=True, exist_ok=True)
    listing = reports_dir / PUBLISHED / f"{name}.json"
    new = sorted(f.name for f in staged_figures.iterdir() if f.is_file()) \
        if staged_figures.is_dir() else []
    try:
        old = json.loads(listing.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        old = []
    gone = sorted(set(old) - set(new)) if isinstance(old, list) else []
    moves = []
    for file_name, text in pages.items():
        write_text_atomic(staging / file_name, text)
        moves.append((staging / file_name, reports_dir / file_name))
    write_text_atomic(staging / PUBLISHED / f"{name}.json", json.dumps(new, indent=1))
    moves.append((staging / PUBLISHED / f"{name}.json", listing))
    tables, staged_tables = reports_dir / "tables" / name, staging / "tables" / name
    remove = []
    if staged_tables.is_dir():
        moves.append((staged_tables, tables))
    else:
        remove.append(tables)
    moves += [(staged_figures / f, figures_dir / f) for f in new]
    # only bare file names from the listing: it never removes anything outside the folder
    remove += [figures_dir / f for f in gone if isinstance(f, str) and Path(f).name == f]
    replace_together(moves, [r for r in remove if r.exists()])
    return new
