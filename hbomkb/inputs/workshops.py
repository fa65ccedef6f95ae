"""Workshop worksheets: one workbook (or CSV folder) per region, read into tidy tables.

Each workshop records Deel 1 (desired outcomes of the hbo group and the mkb group: notes, their
clusters, the top 3 of clusters, and every participant's rating of every cluster of their
group) and Deel 3 (collaboration forms of the two mixed groups: notes, clusters, top 3). The
sheets and their columns are documented in ``docs/data-model.md``.

:func:`collect` reads every workshop of a study and returns the tables together with every
problem found, the rows left out and where each row came from. The tables are as written on
the sheets: regional clusters are not yet coded (``code`` is empty) and notes are not yet
redacted; processing (:mod:`hbomkb.inputs.build`) does both, once, for every table.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from hbomkb.config import ROLES, Study
from hbomkb.inputs.codebook import label_key
from hbomkb.inputs.sheets import Source, as_int, clean_str, read_source, sheet_frame
from hbomkb.problems import WARNING, Problem, errors

SHEETS: dict[str, tuple[list[str], list[str]]] = {
    "participants": (["participant", "role", "mixed_group"], ["sector", "firm_size"]),
    "outcome_notes": (["participant", "note", "cluster"], []),
    "outcome_clusters": (["role", "cluster", "top3"], []),
    "outcome_ratings": (["participant", "cluster", "importance", "satisfaction"], []),
    "form_notes": (["participant", "mixed_group", "note", "cluster"], []),
    "form_clusters": (["mixed_group", "cluster", "top3"], []),
}

# The Dutch names of sheets and columns, accepted when reading beside the English ones that
# the template writes (docs/data-model.md); a workbook holding both names of one sheet or
# column is reported, not read one way.
DUTCH_NAMES: dict[str, str] = {
    "participants": "deelnemers", "outcome_notes": "notities_resultaten",
    "outcome_clusters": "clusters_resultaten", "outcome_ratings": "scores_resultaten",
    "form_notes": "notities_vormen", "form_clusters": "clusters_vormen",
    "participant": "deelnemer", "role": "kant", "mixed_group": "gemengde_groep",
    "firm_size": "bedrijfsgrootte", "note": "notitie", "importance": "belang",
    "satisfaction": "tevredenheid",
}

COLUMNS: dict[str, list[str]] = {
    "participants": ["region", "participant", "role", "mixed_group", "sector", "firm_size"],
    "outcome_notes": ["region", "role", "participant", "note_id", "text", "cluster", "code"],
    "outcome_clusters": ["region", "role", "cluster", "top3", "code"],
    "outcome_ratings": ["region", "role", "participant", "cluster", "code", "importance",
                        "satisfaction"],
    "form_notes": ["region", "mixed_group", "participant", "role", "note_id", "text", "cluster",
                   "code"],
    "form_clusters": ["region", "mixed_group", "cluster", "top3", "code"],
}
INT_COLUMNS = {"mixed_group", "top3", "importance", "satisfaction"}
EXCLUSION_COLUMNS = ["file", "sheet", "row", "table", "reason"]
ORIGIN_COLUMNS = ["file", "sheet", "row"]

PREFIX_ROLE = {"OND": "mkb", "HBO": "hbo"}
_ID_RE = re.compile(r"^(OND|HBO|MKB)[\s._\-]*([A-Z])\.?$", re.IGNORECASE)


def normalise_participant(value: object) -> str | None:
    """The canonical id (``OND-A``, ``HBO-C``) for loosely written ones; None if not an id."""
    text = clean_str(value)
    if text is None:
        return None
    m = _ID_RE.match(text.replace(".", " ").strip())
    if not m:
        return None
    prefix = m.group(1).upper()
    return f"{'OND' if prefix == 'MKB' else prefix}-{m.group(2).upper()}"


@dataclass
class _Log:
    """Problems and exclusions of one workbook, with its file label."""

    label: str
    problems: list[Problem] = field(default_factory=list)
    excluded: list[dict] = field(default_factory=list)

    def error(self, sheet, row, column, message):
        self.problems.append(Problem(self.label, sheet, row, column, message))

    def warn(self, sheet, row, column, message):
        self.problems.append(Problem(self.label, sheet, row, column, message, WARNING))

    def exclude(self, sheet, row, reason):
        self.excluded.append({"file": self.label, "sheet": sheet, "row": row, "table": sheet,
                              "reason": reason})


def find_sources(study: Study) -> tuple[dict[str, Source], list[Problem]]:
    """The workbook or CSV folder of every region, and problems with the workshops folder."""
    folder = study.workshops_dir
    problems: list[Problem] = []
    if not folder.is_dir():
        return {}, [Problem("workshops", message="folder missing; expected a folder workshops/ "
                            "with one workbook per region")]
    sources: dict[str, Source] = {}
    slugs = set(study.region_slugs)
    for p in sorted(folder.iterdir()):
        if p.name.startswith(("~$", ".")):
            continue  # Excel lock files and hidden files
        label = f"workshops/{p.name}"
        slug = p.stem.lower() if p.is_file() else p.name.lower()
        if p.is_file() and p.suffix.lower() in (".xls", ".ods", ".xlsm", ".csv"):
            problems.append(Problem(label, message=f"unsupported file type '{p.suffix}'; expected "
                                    "an .xlsx workbook (Excel: Save As > Excel Workbook) or a "
                                    "folder of CSV files"))
            continue
        if p.is_file() and p.suffix.lower() != ".xlsx":
            continue
        if slug not in slugs:
            problems.append(Problem(label, message=f"workbook for region '{slug}', which "
                                    "study.yaml does not list; expected one of "
                                    f"{', '.join(study.region_slugs)}"))
            continue
        if slug in sources:
            problems.append(Problem(label, message=f"second source for region '{slug}' (also "
                                    f"{sources[slug].label}); expected one per region"))
            continue
        sources[slug] = Source(p, label)
    for slug in study.region_slugs:
        if slug not in sources:
            problems.append(Problem(f"workshops/{slug}.xlsx", message="file missing; expected a "
                                    f"workbook for region '{slug}' (listed in study.yaml)"))
    return sources, problems


@dataclass
class Workshops:
    """What :func:`collect` read from every workshop of a study."""

    tables: dict[str, pd.DataFrame]  # the tidy tables, ``code`` still empty
    problems: list[Problem]
    exclusions: pd.DataFrame  # the rows left out, and why
    origin: dict[str, pd.DataFrame]  # per table, the file, sheet and row of each of its rows


def collect(study: Study) -> Workshops:
    """Every workshop of a study as tidy tables, with all problems and excluded rows."""
    sources, problems = find_sources(study)
    parts: dict[str, list[pd.DataFrame]] = {name: [] for name in COLUMNS}
    excluded: list[dict] = []
    for slug in study.region_slugs:
        if slug not in sources:
            continue
        tables, log = _read_region(study, slug, sources[slug])
        problems += log.problems
        excluded += log.excluded
        for name, df in tables.items():
            parts[name].append(df.assign(file=sources[slug].label))
    tables, origin = {}, {}
    for name, dfs in parts.items():
        df = (pd.concat(dfs, ignore_index=True) if dfs
              else pd.DataFrame(columns=[*COLUMNS[name], "row", "file"]))
        tables[name] = _typed(df, name)
        origin[name] = pd.DataFrame({"file": df["file"].astype("string"), "sheet": name,
                                     "row": df["row"].astype("Int64")}, columns=ORIGIN_COLUMNS)
    return Workshops(tables, problems, pd.DataFrame(excluded, columns=EXCLUSION_COLUMNS),
                     origin)


def _typed(df: pd.DataFrame, name: str) -> pd.DataFrame:
    df = df[COLUMNS[name]].copy()
    for c in df.columns:
        df[c] = df[c].astype("Int64") if c in INT_COLUMNS else df[c].astype("string")
    return df


def _read_region(study: Study, slug: str, source: Source):
    log = _Log(source.label)
    sheets, problems = read_source(source)
    log.problems += problems
    if errors(problems):
        return {}, log
    frames = {}
    for name, (required, optional) in SHEETS.items():
        frame, probs = sheet_frame(sheets, source.label, name, required, optional,
                                   aliases=DUTCH_NAMES)
        log.problems += probs
        frames[name] = frame
    if any(f is None for f in frames.values()):
        return {}, log

    reader = _RegionReader(study, slug, log)
    people = reader.participants(frames["participants"])
    out = {"participants": people}
    out["outcome_clusters"] = reader.clusters(frames["outcome_clusters"], "outcome_clusters")
    out["outcome_notes"] = reader.notes(frames["outcome_notes"], "outcome_notes")
    out["outcome_ratings"] = reader.ratings(frames["outcome_ratings"])
    rated = set(out["outcome_ratings"]["role"])
    for role in ROLES:
        if role not in rated and any(p["role"] == role for p in reader.people.values()):
            log.error("outcome_ratings", None, "importance", f"no ratings from the {role} group; "
                      f"expected each {role} participant's importance and satisfaction for the "
                      "clusters of the group")
    out["form_clusters"] = reader.clusters(frames["form_clusters"], "form_clusters")
    out["form_notes"] = reader.notes(frames["form_notes"], "form_notes")
    return out, log


class _RegionReader:
    """Checks and tidies the sheets of one workshop, in dependency order. Each table it
    returns has the sheet ``row`` of every record beside the :data:`COLUMNS`."""

    def __init__(self, study: Study, region: str, log: _Log):
        self.study, self.region, self.log = study, region, log
        self.people: dict[str, dict] = {}
        self.labels: dict[tuple, str] = {}  # (group, label_key) -> label as in clusters sheet

    # -- helpers -----------------------------------------------------------------------
    def _participant(self, sheet, row, value) -> str | None:
        raw = clean_str(value)
        if raw is None:
            self.log.error(sheet, row, "participant", "empty; expected a participant id such as "
                           "OND-A or HBO-C")
            return None
        pid = normalise_participant(raw)
        if pid is None:
            self.log.error(sheet, row, "participant", f"'{raw}' is not a participant id; "
                           "expected OND-A..OND-Z or HBO-A..HBO-Z")
            return None
        if pid != raw:
            self.log.warn(sheet, row, "participant", f"'{raw}' read as '{pid}'; expected ids "
                          "written as OND-A or HBO-C")
        return pid

    def _known(self, sheet, row, value) -> dict | None:
        pid = self._participant(sheet, row, value)
        if pid is None:
            return None
        person = self.people.get(pid)
        if person is None:
            self.log.error(sheet, row, "participant", f"participant '{pid}' does not exist; "
                           "expected an id from sheet participants")
        return person

    def _group(self, sheet, row, value) -> int | None:
        g = as_int(value)
        if g is None:
            self.log.error(sheet, row, "mixed_group", "empty; expected the mixed group number "
                           "(1, 2, ...)")
            return None
        if not isinstance(g, int) or g < 1:
            self.log.error(sheet, row, "mixed_group", f"'{g}' is not a group number; expected a "
                           "whole number such as 1 or 2")
            return None
        return g

    # -- sheets ------------------------------------------------------------------------
    def participants(self, df: pd.DataFrame) -> pd.DataFrame:
        sheet, rows, firstrow = "participants", [], {}
        for r in df.itertuples(index=False):
            pid = self._participant(sheet, r.row, r.participant)
            role = clean_str(r.role)
            role = role.lower() if role else None
            group = self._group(sheet, r.row, r.mixed_group)
            if role not in ROLES:
                self.log.error(sheet, r.row, "role", f"unknown role '{role or ''}'; expected hbo "
                               "or mkb")
                role = None
            if pid is None:
                continue
            if role and PREFIX_ROLE[pid[:3]] != role:
                self.log.error(sheet, r.row, "role", f"role '{role}' does not fit id '{pid}'; "
                               f"expected {PREFIX_ROLE[pid[:3]]} for {pid[:3]} participants")
            if pid in firstrow:
                self.log.error(sheet, r.row, "participant", f"duplicate id '{pid}' (also row "
                               f"{firstrow[pid]}); expected each participant once")
                continue
            firstrow[pid] = r.row
            person = {"region": self.region, "participant": pid, "role": role,
                      "mixed_group": group, "sector": clean_str(r.sector),
                      "firm_size": clean_str(r.firm_size), "row": r.row}
            self.people[pid] = person
            rows.append(person)
        for role in ROLES:
            n = sum(p["role"] == role for p in rows)
            if n == 0:
                self.log.error(sheet, None, "role", f"no {role} participants; expected the {role} "
                               "group of the workshop")
        return pd.DataFrame(rows, columns=[*COLUMNS["participants"], "row"])

    def clusters(self, df: pd.DataFrame, sheet: str) -> pd.DataFrame:
        outcome = sheet == "outcome_clusters"
        groups = ({p["role"] for p in self.people.values()} if outcome
                  else {p["mixed_group"] for p in self.people.values()})
        rows, places, seen = [], {}, {}
        for r in df.itertuples(index=False):
            if outcome:
                group = (clean_str(r.role) or "").lower()
                if group not in ROLES:
                    self.log.error(sheet, r.row, "role", f"unknown role '{group}'; expected hbo "
                                   "or mkb")
                    continue
            else:
                group = self._group(sheet, r.row, r.mixed_group)
                if group is None:
                    continue
                if group not in groups:
                    self.log.error(sheet, r.row, "mixed_group", f"mixed group {group} has no "
                                   "participants; expected a group from sheet participants")
            label = clean_str(r.cluster)
            if label is None:
                self.log.error(sheet, r.row, "cluster", "empty; expected the cluster label")
                continue
            key = (sheet, group, label_key(label))
            if key in seen:
                self.log.error(sheet, r.row, "cluster", f"cluster '{label}' is listed twice "
                               f"(also row {seen[key]}); expected each cluster once per group")
                continue
            seen[key] = r.row
            self.labels[key] = label
            top = as_int(r.top3)
            if top is not None and (not isinstance(top, int) or not 1 <= top <= 3):
                self.log.error(sheet, r.row, "top3", f"top-3 place '{top}' is outside 1-3; "
                               "expected 1, 2, 3 or empty")
                top = None
            if top is not None:
                places.setdefault(group, []).append((top, r.row))
            rows.append({"region": self.region, "role": group if outcome else None,
                         "mixed_group": None if outcome else group, "cluster": label,
                         "top3": top, "code": None, "row": r.row})
        what = "role" if outcome else "mixed group"
        for group, picks in places.items():
            counts = Counter(p for p, _ in picks)
            for place, n in sorted(counts.items()):
                if n > 1:
                    rows_ = ", ".join(str(row) for p, row in picks if p == place)
                    self.log.error(sheet, picks[-1][1], "top3", f"top-3 place {place} is given "
                                   f"{n} times in {what} {group} (rows {rows_}); expected each "
                                   "place once")
            if len(picks) > 3:
                self.log.error(sheet, picks[3][1], "top3", f"{len(picks)} top-3 places in {what} "
                               f"{group}; expected at most three")
        return pd.DataFrame(rows, columns=[*COLUMNS[sheet], "row"])

    def notes(self, df: pd.DataFrame, sheet: str) -> pd.DataFrame:
        outcome = sheet == "outcome_notes"
        prefix = "GR" if outcome else "SV"
        rows, counter = [], Counter()
        for r in df.itertuples(index=False):
            person = self._known(sheet, r.row, r.participant)
            label = clean_str(r.cluster)
            text = clean_str(r.note)
            group = None
            if not outcome:
                group = self._group(sheet, r.row, r.mixed_group)
                if person and group is not None and person["mixed_group"] != group:
                    self.log.error(sheet, r.row, "mixed_group", f"{person['participant']} is in "
                                   f"mixed group {person['mixed_group']} on sheet participants; "
                                   "expected the same group here")
            if label is None:
                self.log.error(sheet, r.row, "cluster", "note has no cluster; expected the label "
                               "of the cluster the group put it in")
            if text is None:
                self.log.warn(sheet, r.row, "note", "empty note left out; expected the text "
                              "on the note")
                self.log.exclude(sheet, r.row, "empty note text")
                continue
            if person is None or label is None:
                continue
            g = person["role"] if outcome else group
            key = (sheet.replace("notes", "clusters"), g, label_key(label))
            if key not in self.labels:
                where = f"the {g} group" if outcome else f"mixed group {g}"
                self.log.error(sheet, r.row, "cluster", f"cluster '{label}' is not on sheet "
                               f"{key[0]} for {where}; expected one of its cluster labels")
                continue
            label = self.labels[key]
            pid = person["participant"]
            counter[pid] += 1
            rows.append({"region": self.region, "role": person["role"], "mixed_group": group,
                         "participant": pid,
                         "note_id": f"{prefix}-{self.region}-{pid}-{counter[pid]:02d}",
                         "text": text, "cluster": label, "code": None, "row": r.row})
        return pd.DataFrame(rows, columns=[*COLUMNS[sheet], "row"])

    def ratings(self, df: pd.DataFrame) -> pd.DataFrame:
        sheet, rows, seen = "outcome_ratings", [], {}
        lo, hi = self.study.scale_min, self.study.scale_max
        for r in df.itertuples(index=False):
            person = self._known(sheet, r.row, r.participant)
            label = clean_str(r.cluster)
            values = {}
            for col in ("importance", "satisfaction"):
                v = as_int(getattr(r, col))
                if v is not None and (not isinstance(v, int) or not lo <= v <= hi):
                    self.log.error(sheet, r.row, col, f"rating '{v}' is off the scale; expected "
                                   f"a whole number from {lo} to {hi}")
                    v = None
                values[col] = v
            if label is None:
                self.log.error(sheet, r.row, "cluster", "empty; expected the cluster rated")
                continue
            if person is None:
                continue
            key = ("outcome_clusters", person["role"], label_key(label))
            if key not in self.labels:
                self.log.error(sheet, r.row, "cluster", f"rating of cluster '{label}', which is "
                               f"not a cluster of the {person['role']} group; expected a label "
                               "from sheet outcome_clusters")
                continue
            dup = (person["participant"], key)
            if dup in seen:
                self.log.error(sheet, r.row, "cluster", f"{person['participant']} rated "
                               f"'{label}' twice (also row {seen[dup]}); expected one rating row")
                continue
            seen[dup] = r.row
            if values["importance"] is None and values["satisfaction"] is None:
                raw = (as_int(r.importance), as_int(r.satisfaction))
                if raw == (None, None):
                    self.log.warn(sheet, r.row, "importance", "row without ratings left out; "
                                  "expected importance and satisfaction")
                    self.log.exclude(sheet, r.row, "no ratings")
                continue
            label = self.labels[key]
            rows.append({"region": self.region, "role": person["role"],
                         "participant": person["participant"], "cluster": label,
                         "code": None, **values, "row": r.row})
        return pd.DataFrame(rows, columns=[*COLUMNS[sheet], "row"])
