"""The survey's responses read into tidy tables.

:func:`read_survey` reads the study's LimeSurvey structure and response export (see
:mod:`hbomkb.inputs.instrument` for the questions) into ``respondents``, ``rankings``,
``scores``, ``open_answers`` and the ``exclusions``: values as the respondents gave them, open
answers unredacted (processing, :mod:`hbomkb.inputs.build`, redacts them).
:func:`analysable` keeps the responses an analysis uses. See docs/survey.md and docs/tables.md.
"""

from __future__ import annotations

import ctypes
import mmap
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from hbomkb.config import ROLES, SCALES, Study
from hbomkb.inputs import limesurvey as ls
from hbomkb.inputs.instrument import (
    OPEN_Q,
    OUTCOME_KIND,
    RANK_Q,
    REGION_Q,
    ROLE_Q,
    SCORE_CODES,
    codes_of_kind,
    region_code,
)
from hbomkb.problems import ERROR, WARNING, InputError, Problem

TABLE_COLUMNS = {
    "respondents": ["respondent", "complete", "role", "region", "language", "started",
                    "submitted"],
    "rankings": ["respondent", "role", "code", "rank"],
    "scores": ["respondent", "role", "outcome", "form", "scale", "value", "dont_know"],
    "open_answers": ["respondent", "role", "text"],
    "exclusions": ["file", "sheet", "row", "table", "reason"],
}


def empty_tables() -> dict[str, pd.DataFrame]:
    """The survey tables with their columns and types and no rows."""
    t = {
        "respondents": pd.DataFrame({
            "respondent": pd.array([], dtype="Int64"), "complete": pd.array([], dtype=bool),
            "role": pd.Series([], dtype="string"), "region": pd.Series([], dtype="string"),
            "language": pd.Series([], dtype="string"),
            "started": pd.Series([], dtype="datetime64[us]"),
            "submitted": pd.Series([], dtype="datetime64[us]")}),
        "rankings": pd.DataFrame({"respondent": pd.array([], dtype="Int64"),
                                  "role": pd.Series([], dtype="string"),
                                  "code": pd.Series([], dtype="string"),
                                  "rank": pd.array([], dtype="Int64")}),
        "scores": pd.DataFrame({"respondent": pd.array([], dtype="Int32"),
                                "role": pd.Categorical([], categories=list(ROLES)),
                                "outcome": pd.Categorical([], categories=pd.Index([], dtype=str)),
                                "form": pd.Categorical([], categories=pd.Index([], dtype=str)),
                                "scale": pd.Categorical([], categories=list(SCALES)),
                                "value": pd.array([], dtype="Int8"),
                                "dont_know": pd.array([], dtype=bool)}),
        "open_answers": pd.DataFrame({"respondent": pd.array([], dtype="Int64"),
                                      "role": pd.Series([], dtype="string"),
                                      "text": pd.Series([], dtype="string")}),
        "exclusions": pd.DataFrame({c: pd.Series([], dtype="string") for c in
                                    TABLE_COLUMNS["exclusions"]}).astype({"row": "Int64"}),
    }
    return t


def _rel(study: Study, path: Path) -> str:
    try:
        return path.relative_to(study.root).as_posix()
    except ValueError:
        return str(path)


def _relabel(problems: list[Problem], study: Study) -> list[Problem]:
    """``problems`` with their files named relative to the study folder."""
    return [Problem(_rel(study, Path(p.file)), p.sheet, p.row, p.column, p.message, p.severity)
            for p in problems]


def read_survey(study: Study, codebook_clusters: pd.DataFrame
                ) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    """Tidy tables ``respondents``, ``rankings``, ``scores``, ``open_answers``, ``exclusions``.

    A study without survey files gets empty tables and no problem. Problems are returned, not
    raised: an unreadable export or a structure that is not the study's survey gives empty
    tables and the problems saying why. Open answers are the respondents' own words:
    processing (:func:`hbomkb.inputs.build.build`) redacts them.
    """
    tables = empty_tables()
    lss_path, csv_path = study.survey_structure_path, study.survey_responses_path
    if not lss_path.exists() and not csv_path.exists():
        return tables, []
    if not lss_path.exists() or not csv_path.exists():
        missing, other = (lss_path, csv_path) if not lss_path.exists() else (csv_path, lss_path)
        return tables, [Problem(_rel(study, missing), message=(
            f"file missing while {_rel(study, other)} exists; expected both the survey "
            "structure (.lss) and the response export (.csv)"))]
    try:
        structure = ls.read_lss(lss_path)
        _check_structure(lss_path, structure, codebook_clusters)
        df = ls.read_responses(csv_path, structure)
    except InputError as e:
        return tables, _relabel(e.problems, study)
    problems = _relabel(df.attrs.get("problems", []), study)
    gaps = missing_columns(df, structure, codebook_clusters, _rel(study, csv_path))
    if any(p.is_error for p in gaps):
        return tables, problems + gaps
    # The dual-scale columns go to the scores table only: kept apart from the frame, each is
    # let go once copied, and the frame itself before the (far larger) scores table is filled.
    score_columns = {c.name for c in ls.response_columns(structure) if c.qtype == "1"}
    cells = {c: df[c].array for c in df.columns if c in score_columns}
    df = df.drop(columns=list(cells))
    built, sides, more = _tidy(study, structure, codebook_clusters, df,
                               _rel(study, csv_path))
    del df
    if sides:
        built["scores"] = _scores(cells, codebook_clusters, sides)
    return built, problems + gaps + more


def _listed(names: list[str], limit: int = 6) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def missing_columns(df: pd.DataFrame, structure: ls.Structure, clusters: pd.DataFrame,
                    file: str) -> list[Problem]:
    """A problem for each column the study needs that the export lacks, saying what the
    analysis loses: without ``rol``, ``regio`` or ``submitdate`` nothing can be analysed
    (errors: processing stops); a missing ranking place, score column or open question loses
    that part (warnings). Located on the export's header (row 1)."""
    have = set(df.columns)
    out: list[Problem] = []

    def gap(column: str, message: str, severity: str = WARNING) -> None:
        out.append(Problem(file, row=1, column=column, severity=severity, message=message))

    advice = ("expected every column of the survey in the export (in LimeSurvey: Responses > "
              "Export > Export responses, all columns selected)")
    if ROLE_Q not in have:
        gap(ROLE_Q, f"column '{ROLE_Q}' (question {ROLE_Q}: hbo or mkb) is not in the export: "
            "without it no response belongs to a side, so nothing of the survey can be "
            f"analysed; {advice}", ERROR)
    if REGION_Q not in have:
        gap(REGION_Q, f"column '{REGION_Q}' (question {REGION_Q}: the respondent's region) is "
            "not in the export: without it no respondent counts in a region report; "
            f"{advice}", ERROR)
    if "submitdate" not in have:
        gap("submitdate", "column 'submitdate' (the date a response was submitted) is not in "
            "the export: without it complete and incomplete responses cannot be told apart, "
            f"and every respondent would be left out as incomplete; {advice}", ERROR)
    columns = ls.response_columns(structure)
    forms = codes_of_kind(clusters, "form")["code"].astype(str).tolist()
    for r in ROLES:
        places = [c.name for c in columns if c.question == RANK_Q[r]]
        lost = [c for c in places if c not in have]
        if lost and len(lost) == len(places):
            gap(RANK_Q[r], f"the ranking of {r} (question {RANK_Q[r]}, columns "
                f"{_listed(lost)}) is not in the export: no ranking consensus for {r}, and no "
                f"importance to weigh the {r} form fit or place the {r} survey landscape; "
                + advice)
        elif lost:
            kept = [c for c in places if c in have]
            gap(lost[0], f"ranking place(s) {_listed(lost)} of question {RANK_Q[r]} are not "
                f"in the export: the {r} ranking consensus and the importance built on it use "
                f"only {_listed(kept)}; " + advice)
        for o in codes_of_kind(clusters, OUTCOME_KIND[r])["code"].astype(str):
            cells = [f"{o}[{f}][{sc}]" for f in forms for sc in (1, 2)]
            lost = [c for c in cells if c not in have]
            if lost and len(lost) == len(cells):
                gap(o, f"the scores of outcome {o} (question {o}, {len(cells)} columns) are not "
                    f"in the export: {o} gets no form scores, no part in the {r} form fit and "
                    f"no place in the {r} survey landscape; " + advice)
            elif lost:
                gap(lost[0], f"{len(lost)} of the {len(cells)} score columns of outcome {o} are "
                    f"not in the export ({_listed(lost)}): those form scores of {o} count as "
                    "not answered; " + advice)
        if OPEN_Q[r] not in have:
            gap(OPEN_Q[r], f"column '{OPEN_Q[r]}' (the desired outcomes {r} respondents miss, "
                "open answers) is not in the export: those answers are lost; " + advice)
    return out


def _check_structure(path: Path, structure: ls.Structure, clusters: pd.DataFrame) -> None:
    """The structure must hold the study's question codes, else responses cannot be placed."""
    have = {q.code: q for q in structure.questions}
    needed = {ROLE_Q: "L", REGION_Q: "L", **{RANK_Q[r]: "R" for r in ROLES}}
    for r in ROLES:
        needed.update({str(c): "1" for c in codes_of_kind(clusters, OUTCOME_KIND[r])["code"]})
    missing = [f"{c} (type {t})" for c, t in needed.items()
               if c not in have or have[c].type != t]
    if missing:
        shown = ", ".join(missing[:15]) + (f" and {len(missing) - 15} more"
                                           if len(missing) > 15 else "")
        raise InputError([Problem(str(path), message=(
            f"not the study's survey: question(s) missing or of another type: {shown}; "
            "expected the structure written by `hbomkb survey lss` for this codebook"))])


def _tidy(study: Study, structure: ls.Structure, clusters: pd.DataFrame, df: pd.DataFrame,
          file: str) -> tuple[dict[str, pd.DataFrame], list, list[Problem]]:
    """The survey tables except ``scores``, and the ``sides`` to build it from: per role
    present, the role, its respondents' ids and the mask of their rows in the export."""
    problems: list[Problem] = []
    n = len(df)
    rows = np.arange(n) + 2  # record number in the file; the header is record 1
    ids = df["id"]
    role = df[ROLE_Q].astype("string") if ROLE_Q in df else pd.Series(pd.NA, index=df.index,
                                                                      dtype="string")
    reason = pd.Series("", index=df.index, dtype=object)
    reason[role.isna()] = f"no valid role: question {ROLE_Q} unanswered or not hbo/mkb"
    dup = ids.duplicated(keep="first")
    reason[dup & (reason == "")] = "response id appears earlier in the file"
    for r in np.flatnonzero(dup.to_numpy()):
        problems.append(Problem(file, row=int(rows[r]), column="id", severity=WARNING,
                                message=f"response id {ids.iloc[r]} appears twice; expected "
                                "unique ids (later copy left out)"))
    keep = (reason == "").to_numpy()
    excl = pd.DataFrame({"file": file, "sheet": "", "row": pd.array(rows[~keep], dtype="Int64"),
                         "table": "respondents", "reason": reason[~keep].to_numpy()})
    excl = excl.astype({"file": "string", "sheet": "string", "table": "string",
                        "reason": "string"})

    codes = region_code(study.region_slugs)
    to_slug = {v: k for k, v in codes.items()}
    region = (df[REGION_Q].astype("string").map(to_slug).astype("string")
              if REGION_Q in df else pd.Series(pd.NA, index=df.index, dtype="string"))
    unknown_region = (df[REGION_Q].notna() & region.isna()).to_numpy() if REGION_Q in df \
        else np.zeros(n, bool)
    for r in np.flatnonzero(unknown_region & keep):
        problems.append(Problem(file, row=int(rows[r]), column=REGION_Q, message=(
            f"region code '{df[REGION_Q].iloc[r]}' is not a region of this study; expected "
            f"one of {', '.join(codes.values())}")))

    meta = [c for c in ("id", "submitdate", "startlanguage", "startdate") if c in df]
    sub = df[meta][keep]  # the few columns needed: a mask over the wide frame would copy it
    complete = sub["submitdate"].notna().to_numpy() if "submitdate" in sub \
        else np.zeros(len(sub), bool)
    respondents = pd.DataFrame({
        "respondent": sub["id"].astype("Int64").to_numpy(),
        "complete": complete,
        "role": role[keep].to_numpy(),
        "region": region[keep].to_numpy(),
        "language": sub["startlanguage"].astype("string").to_numpy()
        if "startlanguage" in sub else pd.NA,
        "started": _dt(sub, "startdate"), "submitted": _dt(sub, "submitdate"),
    })
    respondents = respondents.astype({"respondent": "Int64", "role": "string",
                                      "region": "string", "language": "string"})

    rankings, opens, sides = [], [], []
    for r in ROLES:
        mask = keep & (role == r).fillna(False).to_numpy()
        if not mask.any():
            continue
        rid = df["id"].to_numpy(dtype="int64", na_value=0)[mask]
        rankings.append(_rankings(df, structure, r, rid, mask))
        opens.append(_open(df, r, rid, mask))
        sides.append((r, rid, mask))
    tables = empty_tables()
    tables["respondents"] = respondents
    if sides:
        tables["rankings"] = pd.concat(rankings, ignore_index=True)
        tables["open_answers"] = pd.concat(opens, ignore_index=True)
    tables["exclusions"] = excl.reset_index(drop=True)
    return tables, sides, problems


def _dt(df: pd.DataFrame, col: str) -> np.ndarray:
    if col not in df:
        return np.full(len(df), np.datetime64("NaT"), dtype="datetime64[us]")
    return df[col].astype("datetime64[us]").to_numpy()


def _rankings(df, structure, role, rid, mask) -> pd.DataFrame:
    q = structure.question(RANK_Q[role])
    cols = [c for c in (f"{q.code}[{k}]" for k in range(1, len(q.ranking_items) + 1))
            if c in df]
    if not cols:
        return pd.DataFrame(columns=TABLE_COLUMNS["rankings"])
    # Category codes of every place, on the categories of all places together: no Python
    # object per cell.
    cats = list(dict.fromkeys(c for col in cols for c in df[col].array.categories))
    pos = {c: i for i, c in enumerate(cats)}
    codes = np.empty((int(mask.sum()), len(cols)), dtype=np.int32)
    for k, col in enumerate(cols):
        cat = df[col].array
        lut = np.array([pos[c] for c in cat.categories] + [-1], dtype=np.int32)
        codes[:, k] = lut[cat.codes[mask]]
    rr, kk = np.nonzero(codes >= 0)
    return pd.DataFrame({
        "respondent": pd.array(rid[rr], dtype="Int64"),
        "role": _strings(np.zeros(len(rr), dtype=np.int32), [role]),
        "code": _strings(codes[rr, kk], [str(c) for c in cats]),
        "rank": pd.array(kk + 1, dtype="Int64"),
    })


def _strings(codes: np.ndarray, labels: list[str]):
    """A pandas string array of ``labels[code]`` per code, built in pyarrow (no Python
    string object per cell)."""
    picked = pa.DictionaryArray.from_arrays(pa.array(codes, type=pa.int32()),
                                            pa.array(labels, type=pa.string()))
    return pd.array(picked.cast(pa.large_string()), dtype="string")


def _scores(cells: dict[str, pd.Categorical], clusters, sides) -> pd.DataFrame:
    """Long table of dual-scale scores: one row per respondent × outcome × form × scale of
    the respondent's own side. This is the largest table by far (about 140 rows per
    respondent in the demo shape), so it is written column by column straight into its
    final, compact arrays (12 bytes a row), with no temporary of the table's length.
    ``cells`` are the dual-scale columns of the export (question-code heading ->
    categorical); each is taken out of it once copied, and their memory is handed back
    before the other columns are filled, so the two are never held together."""
    forms = codes_of_kind(clusters, "form")["code"].astype(str).tolist()
    outcomes = {r: codes_of_kind(clusters, OUTCOME_KIND[r])["code"].astype(str).tolist()
                for r, _, _ in sides}
    all_outcomes = [o for r, _, _ in sides for o in outcomes[r]]
    sizes = [len(rid) * len(outcomes[r]) * len(forms) * 2 for r, rid, _ in sides]
    bounds = np.cumsum([0, *sizes])
    total = int(bounds[-1])
    # LimeSurvey's response ids are 32-bit; an id beyond that (not LimeSurvey's) keeps 64 bits.
    wide = any(len(rid) and (rid.max() > np.iinfo(np.int32).max
                             or rid.min() < np.iinfo(np.int32).min) for _, rid, _ in sides)
    respondent = _blank(total, np.int64 if wide else np.int32)
    value, missing, dont_know = (_blank(total, t) for t in (np.int8, bool, bool))
    role_code = _blank(total, np.int8)
    outcome_code = _blank(total, np.int8 if len(all_outcomes) < 127 else np.int16)
    form_code = _blank(total, np.int8 if len(forms) < 127 else np.int16)
    scale_code = _blank(total, np.int8)
    lut_codes = {c: i + 1 for i, c in enumerate(SCORE_CODES)}  # 0 = empty, 6 = don't know
    for (r, rid, mask), lo, hi in zip(sides, bounds[:-1], bounds[1:], strict=True):
        v = value[lo:hi].reshape(len(rid), -1)  # a view: a row per respondent, a column per cell
        rows = np.flatnonzero(mask)
        j = 0
        for o in outcomes[r]:
            for f in forms:
                for sc in (1, 2):
                    cat = cells.pop(f"{o}[{f}][{sc}]", None)   # taken: its memory is free again
                    if cat is not None:
                        lut = np.array([lut_codes.get(str(c), 0) for c in cat.categories] + [0],
                                       dtype=np.int8)
                        v[:, j] = lut.take(cat.codes.take(rows))
                    else:
                        v[:, j] = 0
                    j += 1
    cells.clear()
    _release_memory()
    for (r, rid, _), lo, hi in zip(sides, bounds[:-1], bounds[1:], strict=True):
        sl, outs = slice(lo, hi), outcomes[r]
        np.equal(value[sl], 6, out=dont_know[sl])
        np.equal(value[sl], 0, out=missing[sl])
        np.logical_or(missing[sl], dont_know[sl], out=missing[sl])
        np.putmask(value[sl], missing[sl], 0)
        respondent[sl].reshape(len(rid), -1)[:] = rid[:, None]
        role_code[sl] = ROLES.index(r)
        first = all_outcomes.index(outs[0]) if outs else 0
        _fill_repeating(outcome_code[sl], np.repeat(np.arange(
            first, first + len(outs), dtype=outcome_code.dtype), len(forms) * 2))
        _fill_repeating(form_code[sl], np.repeat(np.arange(len(forms), dtype=form_code.dtype),
                                                 2))
        _fill_repeating(scale_code[sl], np.array([0, 1], dtype=np.int8))
    cat = pd.CategoricalDtype
    return pd.DataFrame({
        "respondent": pd.arrays.IntegerArray(respondent, _blank(total, bool)),
        "role": pd.Categorical.from_codes(role_code, dtype=cat(list(ROLES))),
        "outcome": pd.Categorical.from_codes(outcome_code, dtype=cat(all_outcomes)),
        "form": pd.Categorical.from_codes(form_code, dtype=cat(forms)),
        "scale": pd.Categorical.from_codes(scale_code, dtype=cat(list(SCALES))),
        "value": pd.arrays.IntegerArray(value, missing),
        "dont_know": dont_know,
    }, copy=False)


def _blank(n: int, dtype) -> np.ndarray:
    """A writable array of ``n`` zeros in memory mapped for it alone.

    The pages are taken from the system when first written and given back as soon as the
    array is freed. A large array from ``malloc`` may instead be carved out of the heap,
    where it is zeroed (made resident) at once and, once freed, stays with the process.
    """
    dt = np.dtype(dtype)
    if n == 0:
        return np.zeros(0, dtype=dt)
    return np.frombuffer(mmap.mmap(-1, n * dt.itemsize), dtype=dt)


def _release_memory() -> None:
    """Hand memory that was freed back to the system: pyarrow's pool, and on Linux the C
    heap (``malloc_trim``), where numpy's small arrays leave free pages between live ones.

    Called between building the wide answer frame and the scores table, so the resident
    set at the peak holds the data and not the pages its predecessors left.
    """
    pa.default_memory_pool().release_unused()
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None).malloc_trim(0)
        except (OSError, AttributeError):  # not glibc: nothing to trim this way
            pass


def _fill_repeating(out: np.ndarray, pattern: np.ndarray) -> None:
    """Fill ``out`` with ``pattern`` over and over (its length a multiple of the pattern's),
    by doubling copies within ``out``: fast, and no temporary as long as ``out``."""
    n, k = len(out), len(pattern)
    if not n:
        return
    out[:k] = pattern
    while k < n:
        step = min(k, n - k)
        out[k: k + step] = out[:step]
        k += step


def _open(df, role, rid, mask) -> pd.DataFrame:
    col = OPEN_Q[role]
    if col not in df:
        return pd.DataFrame(columns=TABLE_COLUMNS["open_answers"])
    text = df[col].astype("string")[mask]  # stays in pyarrow: no Python string per cell
    filled = (text.str.strip().fillna("") != "").to_numpy(dtype=bool)
    return pd.DataFrame({
        "respondent": pd.array(rid[filled], dtype="Int64"),
        "role": _strings(np.zeros(int(filled.sum()), dtype=np.int32), [role]),
        "text": text[filled].array,
    })


def analysable(tables: dict[str, pd.DataFrame], study: Study) -> dict[str, pd.DataFrame]:
    """The survey tables an analysis uses: complete responses only, unless the study's
    ``survey.include_partial`` is true. Other tables pass through unchanged."""
    out = dict(tables)
    if study.include_partial or "respondents" not in tables:
        return out
    resp = tables["respondents"]
    keep = resp[resp["complete"].astype(bool)]
    out["respondents"] = keep.reset_index(drop=True)
    ids = keep["respondent"].to_numpy(dtype="int64", na_value=-1)
    for name in ("rankings", "scores", "open_answers"):
        if name in tables:
            t = tables[name]
            out[name] = t[np.isin(t["respondent"].to_numpy(dtype="int64", na_value=-1), ids)
                          ].reset_index(drop=True)
    return out
