"""The national codebook: the clusters every regional cluster is coded onto.

Sheet ``clusters`` lists the national clusters (kind, code, labels, the two quadrant axes and an
optional theme shared by hbo and mkb outcomes that express the same aim); sheet ``mapping``
maps each regional cluster label of each region and kind to a national code, optionally with a
second coder's code beside it.
"""

from __future__ import annotations

import re

import pandas as pd

from hbomkb.config import KINDS, Study
from hbomkb.inputs.sheets import Source, clean_str, read_source, sheet_frame
from hbomkb.problems import Problem, errors

CLUSTER_COLUMNS = ["kind", "code", "label_nl", "label_en", "explore", "term"]
MAPPING_COLUMNS = ["region", "kind", "cluster", "code"]
CODE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")


def label_key(label: object) -> str:
    """How cluster labels are compared: case and spacing do not matter."""
    return re.sub(r"\s+", " ", str(label)).strip().casefold()


def kind_of(frame: pd.DataFrame, table: str) -> pd.Series:
    """The codebook kind of each row: ``outcome_<role>`` for outcome tables, ``form`` else."""
    if table.startswith("outcome"):
        return "outcome_" + frame["role"].astype("string")
    return pd.Series("form", index=frame.index, dtype="string")


def apply_codebook(frame: pd.DataFrame, table: str, mapping: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with ``code`` set from the codebook mapping of (region, kind, cluster label).

    This is the one national coding of the package: workshops, analyses and the survey all
    code regional clusters through it. Labels match by :func:`label_key`; a row whose regional
    cluster has no mapping gets ``code`` NA.
    """
    m = mapping.assign(_k=mapping["cluster"].map(label_key))
    m = m.drop_duplicates(["region", "kind", "_k"]).set_index(["region", "kind", "_k"])["code"]
    idx = pd.MultiIndex.from_arrays([frame["region"].astype(object),
                                     kind_of(frame, table).astype(object),
                                     frame["cluster"].map(label_key).astype(object)])
    codes = m.reindex(idx).to_numpy()
    return frame.assign(code=pd.array(codes, dtype="string"))


def read_codebook(study: Study) -> tuple[dict[str, pd.DataFrame], list[Problem], pd.DataFrame]:
    """The codebook tables, every problem in them, and the rows left out with their reasons."""
    label = "codebook.xlsx"
    empty = _empty()
    if not study.codebook_path.exists():
        return empty, [Problem(label, message="file missing; expected the national codebook "
                               "codebook.xlsx in the study folder")], _no_exclusions()
    sheets, problems = read_source(Source(study.codebook_path, label))
    if errors(problems):
        return empty, problems, _no_exclusions()
    clusters, p1 = sheet_frame(sheets, label, "clusters", CLUSTER_COLUMNS, ["theme"])
    mapping, p2 = sheet_frame(sheets, label, "mapping", MAPPING_COLUMNS, ["code_coder2"])
    problems = problems + p1 + p2
    if clusters is None or mapping is None:
        return empty, problems, _no_exclusions()

    for c in [*CLUSTER_COLUMNS, "theme"]:
        clusters[c] = clusters[c].map(clean_str)
    for c in ["kind", "explore", "term"]:
        clusters[c] = clusters[c].str.lower()
    seen: dict[str, int] = {}
    for r in clusters.itertuples():
        where = (label, "clusters", r.row)
        for col in CLUSTER_COLUMNS:
            if getattr(r, col) is None:
                problems.append(Problem(*where, col, "empty; expected a value"))
        if r.kind is not None and r.kind not in KINDS:
            problems.append(Problem(*where, "kind", f"unknown kind '{r.kind}'; expected one of "
                                    f"{', '.join(KINDS)}"))
        if r.code is not None:
            if not CODE_RE.match(r.code):
                problems.append(Problem(*where, "code", f"code '{r.code}' has characters "
                                        "LimeSurvey does not allow; expected letters and digits "
                                        "starting with a letter"))
            if r.code in seen:
                problems.append(Problem(*where, "code", f"code '{r.code}' is listed twice (also "
                                        f"row {seen[r.code]}); expected each code once"))
            seen.setdefault(r.code, r.row)
        if r.explore is not None and r.explore not in ("explore", "exploit"):
            problems.append(Problem(*where, "explore", f"'{r.explore}'; expected explore or "
                                    "exploit"))
        if r.term is not None and r.term not in ("short", "long"):
            problems.append(Problem(*where, "term", f"'{r.term}'; expected short or long"))

    for c in [*MAPPING_COLUMNS, "code_coder2"]:
        mapping[c] = mapping[c].map(clean_str)
    mapping["kind"] = mapping["kind"].str.lower()
    mapping["region"] = mapping["region"].str.lower()
    kind_of = dict(zip(clusters["code"], clusters["kind"], strict=True))
    regions = set(study.region_slugs)
    mapped: dict[tuple, int] = {}
    # a region the study does not have is one problem (at its first row), not one per row: a
    # codebook taken over from another study would otherwise bury the rest
    strangers: dict[str, list[int]] = {}
    for r in mapping.itertuples():
        where = (label, "mapping", r.row)
        for col in MAPPING_COLUMNS:
            if getattr(r, col) is None:
                problems.append(Problem(*where, col, "empty; expected a value"))
        if r.region is not None and r.region not in regions:
            strangers.setdefault(r.region, []).append(r.row)
        if r.kind is not None and r.kind not in KINDS:
            problems.append(Problem(*where, "kind", f"unknown kind '{r.kind}'; expected one of "
                                    f"{', '.join(KINDS)}"))
        for col in ("code", "code_coder2"):
            code = getattr(r, col)
            if code is None:
                continue
            if code not in kind_of:
                problems.append(Problem(*where, col, f"national code '{code}' does not exist; "
                                        "expected a code from sheet clusters"))
            elif r.kind in KINDS and kind_of[code] != r.kind:
                problems.append(Problem(*where, col, f"code '{code}' is a {kind_of[code]} "
                                        f"cluster; expected a {r.kind} code"))
        key = (r.region, r.kind, label_key(r.cluster))
        if r.cluster is not None and key in mapped:
            problems.append(Problem(*where, "cluster", f"'{r.cluster}' is mapped twice for this "
                                    f"region and kind (also row {mapped[key]}); expected once"))
        mapped.setdefault(key, r.row)
    for region, rows in strangers.items():
        more = (f" (and {len(rows) - 1} more row{'s' if len(rows) > 2 else ''} up to row "
                f"{rows[-1]})" if len(rows) > 1 else "")
        problems.append(Problem(label, "mapping", rows[0], "region",
                                f"unknown region '{region}'{more}; expected one of "
                                f"{', '.join(study.region_slugs)}"))

    clusters = clusters.drop(columns="row").astype("string")
    mapping = mapping.drop(columns="row").astype("string")
    return {"codebook_clusters": clusters, "codebook_mapping": mapping}, problems, _no_exclusions()


def _empty() -> dict[str, pd.DataFrame]:
    return {
        "codebook_clusters": pd.DataFrame(columns=[*CLUSTER_COLUMNS, "theme"], dtype="string"),
        "codebook_mapping": pd.DataFrame(columns=[*MAPPING_COLUMNS, "code_coder2"],
                                         dtype="string"),
    }


def _no_exclusions() -> pd.DataFrame:
    return pd.DataFrame(columns=["file", "sheet", "row", "table", "reason"])
