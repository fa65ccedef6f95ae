"""What a run publishes besides the reports: ``tables.xlsx``, ``index.html`` and the figures.

:func:`collect_tables` gathers every table the reports recorded into one workbook,
:func:`write_index` writes the page that links everything, and :func:`publish_report` puts one
report's pages, tables and figures in place, all or nothing.
"""

from __future__ import annotations

import filecmp
import json
import os
import re
import shutil
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
from hbomkb.labels import label
from hbomkb.present.html import banner_html
from hbomkb.publish import provenance

TEMPLATES = Path(__file__).resolve().with_name("templates")
INDEX_TEMPLATE = "reports-index.html.j2"
# the contents sheet of tables.xlsx in either language; no table's sheet takes these names
CONTENTS_SHEETS = ("inhoud", "contents")
# The folder in reports/<study>/ that holds a copy of every figure the reports show, so the
# reports folder is complete on its own (the figures folder figures/<study>/ stays as well).
FIGURES = "figures"


# ---------------------------------------------------------------------------------------------
# tables.xlsx
# ---------------------------------------------------------------------------------------------

SHEET_MAX = 31  # Excel's longest sheet name
_NOT_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\\x00-\x1f\x7f]")
_WORDS = re.compile(r"([-_. ]+)")  # a name's words and what separates them


def _shortened(name: str, limit: int) -> str:
    """``name`` in at most ``limit`` characters, still readable: the report part (before the
    first ``.``) gives way first, down to 10 characters, then the longest word is cut a letter
    at a time (never below 3 letters), so ``west-noord.gemeenschappelijke-grond`` becomes
    ``west-noord.gemeenschappel-grond``; only a name of many short words is cut at the end."""
    report, dot, table = name.partition(".")
    if dot and table and len(name) > limit and len(report) > 10:
        name = _words_cut(report, max(limit - len(dot + table), 10)) + dot + table
    return _words_cut(name, limit)


def _words_cut(name: str, limit: int) -> str:
    parts = _WORDS.split(name)
    while len("".join(parts)) > limit:
        longest = max(range(0, len(parts), 2), key=lambda i: len(parts[i]))
        if len(parts[longest]) <= 3:
            break
        parts[longest] = parts[longest][:-1]
    return "".join(parts)[:limit].strip(" '") or "blad"


def sheet_names(stems: list[str]) -> list[str]:
    """Excel sheet names for tables named ``stems`` (``noord.top3-vormen``), in order.

    Each is the stem as far as Excel allows: none of ``[]:*?/\\`` (each becomes ``-``), no
    apostrophe at either end, at most 31 characters (a longer stem is shortened word by word,
    see :func:`_shortened`, so it stays readable without the contents sheet), unique without
    regard to case (a name already taken gets ``~2``, ``~3`` …) and never the contents sheet's
    name or Excel's reserved ``History``.
    """
    out: list[str] = []
    used = {*CONTENTS_SHEETS, "history"}
    for stem in stems:
        clean = _NOT_IN_SHEET_NAMES.sub("-", str(stem)).strip(" '")
        name, number = _shortened(clean, SHEET_MAX), 1
        while name.lower() in used:
            number += 1
            suffix = f"~{number}"
            name = _shortened(clean, SHEET_MAX - len(suffix)) + suffix
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


def collect_tables(reports_dir: str | os.PathLike, language: object = "nl") -> Path | None:
    """Gather every ``tables/<report>/<table>.csv`` into ``tables.xlsx``, with a contents sheet.

    The contents sheet (``inhoud``, in an English study ``contents``) comes first, then one
    sheet per table in the order of the reports and tables, named ``<report>.<table>``
    (without ``region-``; shortened word by word where Excel's 31 characters require it, see
    :func:`sheet_names`). An empty CSV field stays an empty cell; text stays text (never a
    formula), as it was before :func:`hbomkb.files.write_table_csv` neutralised it. Returns
    the workbook path, or None (and no workbook) when no table was recorded.
    """
    reports_dir = Path(reports_dir)
    csvs = sorted((reports_dir / "tables").glob("*/*.csv"))
    target = reports_dir / "tables.xlsx"
    if not csvs:
        target.unlink(missing_ok=True)
        return None
    names = sheet_names([f"{p.parent.name.removeprefix('region-')}.{p.stem}" for p in csvs])
    book = openpyxl.Workbook(write_only=True)
    _add_sheet(book, label("xlsx_contents", language), pd.DataFrame({
        label("xlsx_sheet", language): names,
        label("xlsx_report", language): [p.parent.name for p in csvs],
        label("xlsx_table", language): [p.stem for p in csvs],
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


def _built_at(iso: str, language: str) -> tuple[str, str]:
    """A build time from the manifest (ISO 8601) as the index shows it: (ISO, readable in the
    study's language, in the time zone it was recorded in)."""
    try:
        when = datetime.fromisoformat(iso)
    except ValueError:
        return iso, iso
    return iso, when.strftime(label("index_time_format", language))


def write_index(study: Study, reports_dir: Path, figures_dir: Path,
                outcomes: Sequence[ReportStatus], entries: dict) -> Path:
    """Write ``index.html``: every report (full and review), its status, the tables, the
    figures; every link points inside ``reports_dir``, so the folder can be zipped and sent.

    A report's status is the time of its last good build, whether this run built it or
    skipped it as unchanged: ``entries`` are the manifest's records of each report's last good
    run (``finished``); a page from before the manifest knew it shows its file's time. What
    this run did goes in the note, with a failure's message named without this machine's
    folders (:func:`hbomkb.publish.provenance.machine_path_hider`). Words come from
    :mod:`hbomkb.labels` in the study's language.
    """
    language = study.language
    hide = provenance.machine_path_hider({
        str(study.root): provenance.shown_path(study.root),
        str(reports_dir): provenance.shown_path(reports_dir),
        str(figures_dir): provenance.shown_path(figures_dir)})
    reports = []
    for o in outcomes:
        region = o.name.removeprefix("region-")
        name = label("index_national", language) if o.name == "national" else \
            label("index_region", language, name=study.region_names.get(region, o.name))
        links = []
        if (reports_dir / f"{o.name}.html").is_file():
            links = [(f"{o.name}.html", label("index_link_report", language)),
                     (f"{o.name}-review.html", label("index_link_review", language)),
                     (f"{o.name}.ipynb", label("index_link_notebook", language))]
        status = "kept" if o.status == "failed" and links else o.status
        finished = entries.get(o.name, {}).get("finished", "") if links else ""
        if links and not finished:  # a good version from before the manifest knew it
            finished = datetime.fromtimestamp((reports_dir / f"{o.name}.html").stat().st_mtime
                                              ).astimezone().isoformat(timespec="seconds")
        error = hide(o.describe())
        note = {"ok": label("index_ok", language), "skipped": label("index_skipped", language),
                "kept": label("index_kept", language, error=error),
                "failed": error, "not_run": label("index_not_run", language)}[status]
        reports.append({
            "label": name, "links": links, "note": note,
            "built": _built_at(finished, language) if finished else None,
            "status": label("index_failed" if status == "failed" else "index_never_built",
                            language)})
    csvs = sorted((reports_dir / "tables").glob("*/*.csv"))
    # the figures the reports folder holds (each as PNG and SVG), counted once
    figures = {f.stem for f in (reports_dir / FIGURES).glob("*.*")
               if f.is_file() and not f.name.startswith(".")}
    page = _PAGES.get_template(INDEX_TEMPLATE).render(
        study=study, banner=Markup(banner_html(study)), language=language,
        words=lambda key, **fmt: label(key, language, **fmt),
        version=provenance.package_version(),
        commit=provenance.git_commit() or label("index_no_commit", language),
        reports=reports, workbook=(reports_dir / "tables.xlsx").is_file(),
        tables=[(p.relative_to(reports_dir).as_posix(), f"{p.parent.name} / {p.stem}")
                for p in csvs],
        figures_folder=FIGURES, figures=len(figures))
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
    too). Each figure is also copied into ``reports_dir/figures/`` (:func:`_figure_copies`:
    only a figure whose bytes changed, as a hard link where the file system allows it), so
    the reports folder holds everything its pages link. Then one
    :func:`hbomkb.files.replace_together` puts everything in place and removes the figures
    (and their copies) this report made last time but no longer makes: either every file of
    the report is the new one, or — when anything fails, a full disk say — every file is the
    old one and the error is raised. Returns the names of the report's figures.
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
    copies = reports_dir / FIGURES
    same_folder = copies.resolve() == figures_dir.resolve()  # --figures reports/<s>/figures
    if not same_folder:
        moves += _figure_copies(staged_figures, new, copies, staging / FIGURES)
    moves += [(staged_figures / f, figures_dir / f) for f in new]
    # only bare file names from the listing: it never removes anything outside the folder
    for f in gone:
        if isinstance(f, str) and Path(f).name == f:
            remove += [figures_dir / f] + ([] if same_folder else [copies / f])
    replace_together(moves, [r for r in remove if r.exists()])
    return new


def _figure_copies(staged_figures: Path, names: list[str], copies: Path,
                   staging: Path) -> list[tuple[Path, Path]]:
    """Stage the copies in the reports folder of the figures ``names`` (in ``staged_figures``)
    whose bytes differ from the copy already there (or that have none), and return the
    ``(staged copy, copy)`` moves that put them in place. A staged copy is a hard link to the
    staged figure when both are on one file system (no bytes written), else a copy."""
    moves = []
    for name in names:
        src, dst = staged_figures / name, copies / name
        if dst.is_file() and filecmp.cmp(src, dst, shallow=False):
            continue  # unchanged: the copy in place stays
        staged = staging / name
        staged.parent.mkdir(parents=True, exist_ok=True)
        staged.unlink(missing_ok=True)
        try:
            os.link(src, staged)
        except OSError:  # another file system, or links not allowed: copy the bytes
            shutil.copyfile(src, staged)
        moves.append((staged, dst))
    return moves
