"""What is still to be filled in: the checklist ``hbomkb validate`` shows for a new study.

A study made by ``hbomkb init`` has every file, but the sheets are empty. Row-by-row problems
would say little there ("no hbo participants", one per workbook, or one per uncoded cluster);
:func:`checklist` says per file which sheets are still empty, and :func:`consequences` picks out
the problems that only repeat what the checklist says, so validate can leave them out.
"""

from __future__ import annotations

from dataclasses import dataclass

from hbomkb.config import KINDS, Study
from hbomkb.inputs.codebook import CLUSTER_COLUMNS, MAPPING_COLUMNS
from hbomkb.inputs.sheets import Source, norm_name, read_source
from hbomkb.inputs.workshops import DUTCH_NAMES, SHEETS, find_sources
from hbomkb.problems import Problem, errors

WHAT = {
    "participants": "one row per participant (participant OND-A…/HBO-A…, role, mixed_group)",
    "outcome_notes": "one row per note with a desired outcome (participant, note, cluster)",
    "outcome_clusters": "the clusters of the hbo and the mkb group (role, cluster, top3)",
    "outcome_ratings": "each participant's importance and satisfaction per cluster of their "
                       "group",
    "form_notes": "one row per note with a collaboration form (participant, mixed_group, note, "
                  "cluster)",
    "form_clusters": "the clusters of each mixed group (mixed_group, cluster, top3)",
    "clusters": f"one row per national cluster ({', '.join(CLUSTER_COLUMNS)})",
    "mapping": f"one row per regional cluster of every workshop ({', '.join(MAPPING_COLUMNS)})",
}


@dataclass(frozen=True)
class Item:
    """One thing still to fill in: the file, the sheet, and what goes there."""

    file: str
    sheet: str
    what: str

    def __str__(self) -> str:
        return f"{self.file}: sheet {self.sheet}: empty; fill in {self.what}"


def by_file(items: list[Item]) -> list[str]:
    """The checklist as one line per file (a file with one empty sheet says what goes there;
    one with more names them and points to its instructions sheet)."""
    files: dict[str, list[Item]] = {}
    for item in items:
        files.setdefault(item.file, []).append(item)
    lines = []
    for file, its in files.items():
        if len(its) == 1:
            lines.append(str(its[0]))
        else:
            sheets = list(dict.fromkeys(i.sheet for i in its))
            lines.append(f"{file}: sheets {', '.join(sheets)} are empty; fill them in as its "
                         "sheet instructies says")
    return lines


def _rows(sheets: dict[str, list[list]], sheet: str) -> int | None:
    """Data rows (after the header) of ``sheet`` or its Dutch name; None when it is missing."""
    names = {norm_name(sheet), norm_name(DUTCH_NAMES.get(sheet, sheet))}
    for key, rows in sheets.items():
        if norm_name(key) in names:
            filled = [r for r in rows if any(c is not None and str(c).strip() for c in r)]
            return max(len(filled) - 1, 0)
    return None


def checklist(study: Study) -> list[Item]:
    """Every sheet of the codebook and the workshops that has a header but no rows yet."""
    items: list[Item] = []
    if study.codebook_path.is_file():
        sheets, problems = read_source(Source(study.codebook_path, "codebook.xlsx"))
        if not errors(problems):  # a warning still leaves the sheets readable
            for sheet in ("clusters", "mapping"):
                if _rows(sheets, sheet) == 0:
                    items.append(Item("codebook.xlsx", sheet, WHAT[sheet]))
            if _rows(sheets, "clusters"):
                kinds = {norm_name(r[0]) for r in sheets.get("clusters", [])[1:] if r and r[0]}
                missing = [k for k in KINDS if k not in kinds]
                if missing:
                    items.append(Item("codebook.xlsx", "clusters", "national clusters of kind "
                                      + ", ".join(missing)))
    sources, _ = find_sources(study)
    for slug in study.region_slugs:
        source = sources.get(slug)
        if source is None:
            continue
        sheets, problems = read_source(source)
        if errors(problems):
            continue
        for sheet in SHEETS:
            if _rows(sheets, sheet) == 0:
                items.append(Item(source.label, sheet, WHAT[sheet]))
    return items


def consequences(problems: list[Problem], items: list[Item]) -> list[Problem]:
    """The problems that only follow from the empty sheets of ``items``: a group without
    participants on an empty participants sheet, a cluster uncoded while the mapping is empty,
    anything about the codebook while it is still empty."""
    empty = {(i.file, i.sheet) for i in items}
    mapping_empty = ("codebook.xlsx", "mapping") in empty or ("codebook.xlsx",
                                                              "clusters") in empty
    out = []
    for p in problems:
        if (p.file, p.sheet) in empty:
            out.append(p)
        elif p.file == "codebook.xlsx" and mapping_empty:
            out.append(p)
        elif mapping_empty and p.sheet in ("outcome_clusters", "form_clusters") \
                and p.column == "cluster" and "codebook mapping" in p.message:
            out.append(p)
    return out


def survey_note(study: Study) -> str | None:
    """A line saying the survey part of the reports will be empty, when the study has no
    survey files yet; None when it has them."""
    if study.survey_structure_path.exists() or study.survey_responses_path.exists():
        return None
    return (f"{study.survey_structure} and {study.survey_responses} not there yet: the study is "
            "valid without them, but the survey part of the reports will be empty")
