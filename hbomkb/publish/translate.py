"""The report notebooks' prose in the study's language.

The Markdown cells of ``notebooks/*.ipynb`` are Dutch prose, so they read as prose in JupyterLab.
Beside each notebook a sidecar ``<notebook stem>.<language>.md`` (``10-region.en.md``) holds
the same cells in another language: one section per Markdown cell, opened by a line
``<!-- cell: <cell id> of: <hash> -->`` and running to the next such line (text before the first
one is a comment for whoever edits the file). ``<hash>`` is :func:`source_hash` of the Dutch
text the section translates, so a Dutch cell edited after its translation shows as stale. For
a study in that language the run executes a copy of the notebook whose Markdown cells hold the
sidecar's text; code cells, ids and the committed notebook stay as they are. Dutch, the
default, needs no sidecar.
"""

from __future__ import annotations

import copy
import hashlib
import re
from pathlib import Path

from hbomkb.labels import language_of

# The language the notebooks' own Markdown cells are written in.
SOURCE_LANGUAGE = "nl"
# The line that opens one cell's section in a sidecar.
CELL_MARK = re.compile(r"^<!-- cell: (\S+)(?: of: ([0-9a-f]+))? -->[ \t]*$", re.MULTILINE)


def sidecar(notebook: Path, language: object) -> Path:
    """The sidecar with ``notebook``'s Markdown cells in ``language``: ``10-region.en.md``."""
    notebook = Path(notebook)
    return notebook.with_name(f"{notebook.stem}.{language_of(language)}.md")


def source_hash(text: str) -> str:
    """A short fingerprint of a cell's Dutch text: the first 8 hex digits of its SHA-256."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def translated_from(path: Path) -> dict[str, str | None]:
    """Cell id -> the :func:`source_hash` of the Dutch text its section translates (``None``
    where the section's line names none)."""
    text = Path(path).read_text(encoding="utf-8")
    return {m.group(1): m.group(2) for m in CELL_MARK.finditer(text)}


def read_sidecar(path: Path) -> dict[str, str]:
    """Cell id -> its Markdown text, as a sidecar file holds them (surrounding blank lines
    dropped). A cell id given twice is an error: which text is meant would be a guess."""
    text = Path(path).read_text(encoding="utf-8")
    marks = list(CELL_MARK.finditer(text))
    cells: dict[str, str] = {}
    for mark, following in zip(marks, [*marks[1:], None], strict=True):
        end = following.start() if following else len(text)
        cell_id = mark.group(1)
        if cell_id in cells:
            raise ValueError(f"{path}: cell {cell_id} is translated twice")
        cells[cell_id] = text[mark.end():end].strip("\n").rstrip()
    return cells


def markdown_ids(nb) -> list[str]:
    """The ids of a notebook's Markdown cells, in order."""
    return [c.get("id") for c in nb.cells if c.cell_type == "markdown"]


def translate_notebook(nb, translations: dict[str, str]):
    """A copy of notebook ``nb`` whose Markdown cells hold ``translations`` (cell id -> text).

    Every Markdown cell must have a translation, so a report never mixes two languages; a
    missing one raises ``ValueError`` naming the cell.
    """
    missing = [i for i in markdown_ids(nb) if i not in translations]
    if missing:
        raise ValueError(f"no translation of Markdown cell(s) {', '.join(map(str, missing))}")
    out = copy.deepcopy(nb)
    for cell in out.cells:
        if cell.cell_type == "markdown":
            cell.source = translations[cell.get("id")]
    return out


def notebook_source(notebook: Path, language: object, as_path=str):
    """What papermill executes for a study in ``language``: the notebook's path as
    ``as_path`` writes it for the source language (Dutch), otherwise the notebook read with
    its Markdown cells from the sidecar (:func:`sidecar`)."""
    notebook = Path(notebook)
    if language_of(language) == SOURCE_LANGUAGE:
        return as_path(notebook)
    # deferred: nbformat takes seconds to import; only the worker processes that execute a
    # notebook in another language need it
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    return translate_notebook(nb, read_sidecar(sidecar(notebook, language)))


def source_files(notebook: Path, language: object) -> list[Path]:
    """The files a report's notebook is made from in ``language``: the notebook, and for a
    language other than Dutch its sidecar, so that a changed translation re-runs the report."""
    notebook = Path(notebook)
    if language_of(language) == SOURCE_LANGUAGE:
        return [notebook]
    return [notebook, sidecar(notebook, language)]
