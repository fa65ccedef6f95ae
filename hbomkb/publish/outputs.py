"""What a run publishes besides the reports: ``tables.xlsx``, ``index.html`` and the figures.

:func:`collect_tables` gathers every table the reports recorded into one workbook,
:func:`write_index` writes the page that links everything, and :func:`publish_figures` moves a
report's new figures into the figures folder and removes the ones it no longer makes.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import jinja2
import numpy as np
import openpyxl
import pandas as pd
from markupsafe import Markup
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from hbomkb.config import Study
from hbomkb.files import save_workbook, write_text_atomic
from hbomkb.present.html import banner_html
from hbomkb.publish import provenance

TEMPLATES = Path(__file__).resolve().with_name("templates")
INDEX_TEMPLATE = "reports-index.html.j2"
CONTENTS_SHEET = "inhoud"
# How the index names the state of each report after a run.
STATUS_WORDS = {"ok": "bijgewerkt", "skipped": "ongewijzigd", "failed": "MISLUKT",
                "not_run": "niet in deze run"}


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


def _cell(value):
    """A table value as openpyxl stores it: missing as an empty cell, numpy scalars as Python."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    return value.item() if isinstance(value, np.generic) else value


def _add_sheet(book, title: str, table: pd.DataFrame) -> None:
    ws = book.create_sheet(title)
    bold = Font(bold=True)
    header = [WriteOnlyCell(ws, value=str(c)) for c in table.columns]
    for cell in header:
        cell.font = bold
    ws.append(header)
    for row in table.itertuples(index=False, name=None):
        ws.append([_cell(v) for v in row])


def collect_tables(reports_dir: str | os.PathLike) -> Path | None:
    """Gather every ``tables/<report>/<table>.csv`` into ``tables.xlsx``, with a contents sheet.

    The contents sheet ``inhoud`` comes first, then one sheet per table in the order of the
    reports and tables, named ``<report>.<table>`` (without ``region-``, cut to Excel's 31
    characters). An empty CSV field stays an empty cell. Returns the workbook path, or None
    (and no workbook) when no table was recorded.
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
        _add_sheet(book, name, pd.read_csv(path, keep_default_na=False, na_values=[""]))
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
        note = o.describe() if o.status == "failed" else ""
        if o.status == "failed" and links:
            note += " (vorige geslaagde versie getoond)"
        reports.append({"label": label, "links": links, "status": STATUS_WORDS[o.status],
                        "finished": entries.get(o.name, {}).get("finished", ""), "note": note})
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
# Figures
# ---------------------------------------------------------------------------------------------

def publish_figures(staged: Path, figures_dir: Path, listing: Path) -> list[str]:
    """Move a report's new figures into ``figures_dir`` and remove the ones it made last time
    but no longer makes, so the folder holds what the reports show. ``listing`` records the
    file names a report published (JSON); returns the new names."""
    figures_dir.mkdir(parents=True, exist_ok=True)
    new = sorted(f.name for f in staged.iterdir() if f.is_file())
    try:
        old = json.loads(listing.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        old = []
    for name in new:
        os.replace(staged / name, figures_dir / name)
    gone = set(old) - set(new) if isinstance(old, list) else set()
    for name in gone:
        if isinstance(name, str) and Path(name).name == name:  # a bare file name, nothing else
            (figures_dir / name).unlink(missing_ok=True)
    write_text_atomic(listing, json.dumps(new, indent=1))
    return new
