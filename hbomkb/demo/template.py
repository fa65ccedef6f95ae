"""An empty workshop workbook for researchers to type the notes of a workshop into.

The workbook has one sheet per table of ``docs/data-model.md`` with its header row, dropdowns
for the values that must come from a fixed list (roles, participant ids, top-3 places, rating
values, mixed groups, cluster labels already typed), and a first sheet with instructions in
Dutch. A filled-in template is a valid workshop file as it is.
"""

from __future__ import annotations

import os
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.datavalidation import DataValidation

from hbomkb.files import save_workbook
from hbomkb.inputs.workshops import SHEETS

MAX_ROWS = 500
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# Every id the validator accepts (docs/data-model.md): OND-A … OND-Z and HBO-A … HBO-Z.
IDS = [f"{p}-{c}" for p in ("OND", "HBO") for c in LETTERS]
LISTS = "lijsten"  # the hidden sheet the id dropdown reads (a list in a formula is too short)

INSTRUCTIONS = [
    "Werkblad voor één regionale workshop (hbo en mkb samen sterker)",
    "",
    "Sla dit bestand op als workshops/<regio>.xlsx in de studiemap, bijvoorbeeld "
    "workshops/noord.xlsx; de bestandsnaam is de regiocode (slug) uit study.yaml.",
    "Vul per tabblad één regel per gegeven in. Laat de kopregel (rij 1) staan; lege regels "
    "worden overgeslagen. De namen van tabbladen en kolommen zijn Engels, zoals hieronder; "
    "de Nederlandse namen uit docs/data-model.md worden ook gelezen (niet allebei tegelijk).",
    "",
    "participants: één regel per deelnemer, zoveel als er waren. participant = OND-A t/m OND-Z "
    "(ondernemers, mkb) of HBO-A t/m HBO-Z (hbo); role = mkb of hbo; mixed_group = het nummer "
    "van de gemengde groep in deel 3 (1, 2, 3, … zoveel groepen als er waren); sector en "
    "firm_size (aantal medewerkers) zijn optioneel. Geen namen invullen.",
    "outcome_notes (deel 1): één regel per geeltje met een gewenst resultaat (GR): wie het "
    "schreef, de tekst, en het cluster waarin de groep het plaatste.",
    "outcome_clusters (deel 1): één regel per cluster van de hbo-groep of de mkb-groep; top3 = "
    "1, 2 of 3 voor de drie gekozen clusters (kansen), anders leeg.",
    "outcome_ratings (deel 1): per deelnemer en per cluster van de eigen groep: importance "
    "(belang) en satisfaction (tevredenheid met de huidige situatie), van 1 (laag) tot 5 (hoog).",
    "form_notes (deel 3): één regel per geeltje met een samenwerkingsvorm (SV): wie, in welke "
    "gemengde groep, de tekst en het cluster.",
    "form_clusters (deel 3): één regel per cluster van samenwerkingsvormen per gemengde groep; "
    "top3 = 1, 2 of 3 voor de gekozen top 3.",
    "",
    "Schrijf geen namen, e-mailadressen of telefoonnummers over van de geeltjes; wat er toch "
    "in staat, wordt bij het verwerken vervangen door [naam], [e-mail] of [telefoon].",
    "Zet daarna elk cluster in codebook.xlsx (tabblad mapping) bij een landelijk cluster.",
    "Controleer het bestand met: hbomkb validate --study <studiemap>",
]


def instructions_sheet(wb: Workbook, lines: list[str]) -> None:
    """The workbook's first sheet, ``instructies``: ``lines`` one per row, the first as a
    heading, the rest wrapped to the sheet's width."""
    info = wb.active
    info.title = "instructies"
    for line in lines:
        info.append([line])
    info["A1"].font = Font(bold=True, size=14)
    info.column_dimensions["A"].width = 120
    for row in info.iter_rows(min_row=2):
        row[0].alignment = Alignment(wrap_text=True)


def write_template(out: str | os.PathLike) -> Path:
    """Write the empty workshop workbook to ``out`` (a name ending in ``.xlsx``)."""
    if Path(out).suffix.lower() != ".xlsx":
        raise ValueError(f"{out}: expected a file name ending in .xlsx (the template is an "
                         "Excel workbook)")
    wb = Workbook()
    instructions_sheet(wb, INSTRUCTIONS)

    columns = {}
    for sheet, (required, optional) in SHEETS.items():
        ws = wb.create_sheet(sheet)
        header = [*required, *optional]
        ws.append(header)
        for i, _ in enumerate(header):
            cell = ws.cell(row=1, column=i + 1)
            cell.font = Font(bold=True)
            ws.column_dimensions[cell.column_letter].width = 45 if i and header[i] in (
                "note", "cluster") else 16
        ws.freeze_panes = "A2"
        columns[sheet] = {c: ws.cell(row=1, column=i + 1).column_letter
                          for i, c in enumerate(header)}

    def ref(sheet, col):
        letter = columns[sheet][col]
        return f"{sheet}!${letter}$2:${letter}${MAX_ROWS}"

    ids = wb.create_sheet(LISTS)
    ids.append(["participant"])
    for pid in IDS:
        ids.append([pid])
    ids.sheet_state = "hidden"
    lists = {
        "participant": f"{LISTS}!$A$2:$A${len(IDS) + 1}",
        "role": '"hbo,mkb"',
        "top3": '"1,2,3"',
        "importance": '"1,2,3,4,5"',
        "satisfaction": '"1,2,3,4,5"',
    }
    refs = {
        "outcome_notes": {"participant": ref("participants", "participant"),
                          "cluster": ref("outcome_clusters", "cluster")},
        "outcome_ratings": {"participant": ref("participants", "participant"),
                            "cluster": ref("outcome_clusters", "cluster")},
        "form_notes": {"participant": ref("participants", "participant"),
                       "cluster": ref("form_clusters", "cluster")},
    }
    for sheet, cols in columns.items():
        ws = wb[sheet]
        for col, letter in cols.items():
            if col == "mixed_group":  # any number of mixed groups: a whole number from 1
                dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="1",
                                    allow_blank=True, showErrorMessage=True, errorStyle="stop",
                                    error="Vul het nummer van de gemengde groep in (1, 2, …).",
                                    errorTitle="Ongeldige waarde")
                dv.add(f"{letter}2:{letter}{MAX_ROWS}")
                ws.add_data_validation(dv)
                continue
            formula = refs.get(sheet, {}).get(col) or lists.get(col)
            if formula is None:
                continue
            # cluster lists only suggest (a new label may be typed); the rest must match
            strict = col != "cluster"
            dv = DataValidation(type="list", formula1=formula, allow_blank=True,
                                showErrorMessage=strict, errorStyle="stop",
                                error="Kies een waarde uit de lijst.",
                                errorTitle="Ongeldige waarde")
            dv.add(f"{letter}2:{letter}{MAX_ROWS}")
            ws.add_data_validation(dv)
    return save_workbook(wb, out)
