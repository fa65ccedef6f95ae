"""A new, empty study: ``hbomkb init DIR --title … --regions "Amsterdam" "Groningen" …``.

:func:`init_study` writes everything a researcher fills in, in the layout of
``docs/data-model.md``: ``study.yaml`` (region slugs derived from the names, safe as file
names), an empty ``codebook.xlsx`` with its sheets, dropdowns and Dutch instructions, one empty
workshop workbook per region (the template of :mod:`hbomkb.demo.template`) and ``survey/`` with
a README saying what goes there. ``hbomkb validate`` on the new study lists what is still to be
filled in, per file (:mod:`hbomkb.inputs.checklist`).
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

import yaml
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from hbomkb.config import KINDS
from hbomkb.demo.template import MAX_ROWS, instructions_sheet, write_template
from hbomkb.files import save_workbook, write_text_atomic
from hbomkb.inputs.codebook import CLUSTER_COLUMNS, MAPPING_COLUMNS

CODEBOOK_INSTRUCTIONS = [
    "Codeboek: de landelijke clusters en de codering van elk regionaal cluster",
    "",
    "Tabblad clusters: één regel per landelijk cluster. kind = outcome_hbo (gewenste "
    "resultaten hbo), outcome_mkb (gewenste resultaten mkb) of form (samenwerkingsvorm); code = "
    "letters en cijfers, beginnend met een letter (bijvoorbeeld H01, M01, F01), elke code één "
    "keer; label_nl en label_en = het label in rapporten; explore = explore (nieuwe producten, "
    "diensten, markten) of exploit (bestaande verbeteren); term = short (kortlopend) of long "
    "(langdurig); theme (optioneel) = een thema dat hbo- en mkb-resultaten met hetzelfde doel "
    "delen.",
    "Tabblad mapping: één regel per regionaal cluster van elke workshop. region = de regiocode "
    "uit study.yaml; kind = als hierboven; cluster = het label precies zoals op het "
    "clustertabblad van de workshop; code = de landelijke code waar het onder valt; "
    "code_coder2 (optioneel) = de code van een tweede codeur.",
    "",
    "Controleer het codeboek met: hbomkb validate --study <studiemap>",
]

SURVEY_README = """\
# survey/

The validation survey of this study goes here, as two files exported from LimeSurvey:

- `survey.lss`: the survey structure. `hbomkb survey lss --study <study> --out
  <study>/survey/survey.lss` builds it from the codebook; import it in LimeSurvey (or use
  `hbomkb survey push`).
- `responses.csv`: the response export (Responses > Export: CSV, question codes, answer codes),
  or `hbomkb survey pull`.

Without these two files the study is still valid: the reports then have an empty survey part.
See docs/survey.md.
"""


def default_settings() -> dict:
    """The settings of a new study.yaml after its regions: the original study's answer scale,
    ODI thresholds, smallest group shown and survey files (docs/data-model.md)."""
    return {
        "scale": {"min": 1, "max": 5, "top_box": 4},
        "thresholds": {"underserved": 10, "high": 12, "extreme": 15},
        "min_group_size": 3,
        "survey": {"structure": "survey/survey.lss", "responses": "survey/responses.csv",
                   "include_partial": False},
    }


def slugify(name: str) -> str:
    """A region slug from its name: lower case ASCII letters, digits and hyphens
    (``'Zuid-Holland (Den Haag)'`` → ``'zuid-holland-den-haag'``), safe as a file name."""
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if not slug:
        raise ValueError(f"region name '{name}' has no letters or digits; expected a name such "
                         "as 'Groningen'")
    return slug


def region_pairs(names: list[str]) -> list[tuple[str, str]]:
    """``(slug, name)`` for every region name; raises ValueError when two names give one slug."""
    pairs = [(slugify(n), str(n).strip()) for n in names]
    seen: dict[str, str] = {}
    for slug, name in pairs:
        if slug in seen:
            raise ValueError(f"regions '{seen[slug]}' and '{name}' would share the file name "
                             f"'{slug}.xlsx'; expected names that differ in letters or digits")
        seen[slug] = name
    return pairs


def existing(paths: list[Path]) -> list[Path]:
    """Those of ``paths`` that exist already (what a command would overwrite)."""
    return [p for p in paths if p.exists()]


def study_files(root: Path, slugs: list[str]) -> list[Path]:
    """The files :func:`init_study` writes into ``root``."""
    return [root / "study.yaml", root / "codebook.xlsx", root / "survey" / "README.md",
            *(root / "workshops" / f"{s}.xlsx" for s in slugs)]


def init_study(out: str | os.PathLike, title: str, regions: list[str], language: str = "nl",
               force: bool = False) -> Path:
    """Write a complete, empty study to folder ``out`` and return it.

    Refuses (FileExistsError) to overwrite any file of an existing study unless ``force``.
    """
    if language not in ("nl", "en"):
        raise ValueError(f"language '{language}'; expected nl or en")
    if not regions:
        raise ValueError("no regions; expected at least one region name")
    root = Path(out)
    pairs = region_pairs(regions)
    clash = existing(study_files(root, [s for s, _ in pairs]))
    if clash and not force:
        raise FileExistsError(f"{clash[0]} exists; expected a new folder (use --force to "
                              "overwrite the study's files)")
    (root / "workshops").mkdir(parents=True, exist_ok=True)
    (root / "survey").mkdir(parents=True, exist_ok=True)
    doc = {
        "name": root.name,
        "title": title,
        "language": language,
        "synthetic": False,
        "regions": [{"slug": s, "name": n} for s, n in pairs],
        **default_settings(),
    }
    head = "# Study settings; see docs/data-model.md. Written by `hbomkb init`.\n"
    write_text_atomic(root / "study.yaml",
                      head + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
    write_codebook_template(root / "codebook.xlsx", [s for s, _ in pairs])
    for slug, _name in pairs:
        write_template(root / "workshops" / f"{slug}.xlsx")
    write_text_atomic(root / "survey" / "README.md", SURVEY_README)
    return root


def write_codebook_template(out: Path, region_slugs: list[str]) -> Path:
    """An empty codebook: instructions, sheet ``clusters`` and sheet ``mapping`` with their
    headers and dropdowns (kinds, axes, the study's regions, codes typed on ``clusters``)."""
    wb = Workbook()
    instructions_sheet(wb, CODEBOOK_INSTRUCTIONS)
    headers = {"clusters": [*CLUSTER_COLUMNS, "theme"], "mapping": [*MAPPING_COLUMNS,
                                                                    "code_coder2"]}
    letter = {}
    for name, header in headers.items():
        ws = wb.create_sheet(name)
        ws.append(header)
        for i, col in enumerate(header, start=1):
            cell = ws.cell(row=1, column=i)
            cell.font = Font(bold=True)
            ws.column_dimensions[cell.column_letter].width = 40 if col in (
                "label_nl", "label_en", "cluster") else 16
            letter[name, col] = cell.column_letter
        ws.freeze_panes = "A2"
    code_col = letter["clusters", "code"]
    lists = {
        ("clusters", "kind"): '"' + ",".join(KINDS) + '"',
        ("clusters", "explore"): '"explore,exploit"',
        ("clusters", "term"): '"short,long"',
        ("mapping", "kind"): '"' + ",".join(KINDS) + '"',
        ("mapping", "region"): '"' + ",".join(region_slugs) + '"',
        ("mapping", "code"): f"clusters!${code_col}$2:${code_col}${MAX_ROWS}",
        ("mapping", "code_coder2"): f"clusters!${code_col}$2:${code_col}${MAX_ROWS}",
    }
    for (sheet, col), formula in lists.items():
        if len(formula) > 255:  # Excel's limit on a list typed into the rule
            continue
        dv = DataValidation(type="list", formula1=formula, allow_blank=True,
                            showErrorMessage=True, errorStyle="stop",
                            error="Kies een waarde uit de lijst.", errorTitle="Ongeldige waarde")
        col_letter = letter[sheet, col]
        dv.add(f"{col_letter}2:{col_letter}{MAX_ROWS}")
        wb[sheet].add_data_validation(dv)
    return save_workbook(wb, out)
