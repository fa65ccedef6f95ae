"""The study's validation survey: built from the codebook, read back into tidy tables.

The survey (LimeSurvey) asks a respondent for their side (hbo or mkb) and region, lets them rank
the national desired-outcome clusters of their side, asks which desired outcomes are missing,
and, for every outcome of their side, scores every collaboration form twice (current and
potential situation) in one *array dual scale* question. Question codes come from the codebook:

- ``rol`` (list: ``hbo``, ``mkb``) and ``regio`` (list: a code per study region, see
  :func:`region_code`);
- ``rankhbo`` / ``rankmkb``: ranking over that side's outcome codes (``H01``…, ``M01``…);
- ``openhbo`` / ``openmkb``: long free text for missing desired outcomes;
- one dual-scale question per outcome, coded with the outcome code (``H01``), rows coded with
  the form codes (``F01``…); scale 1 current, scale 2 potential; answers ``1``-``5`` and
  ``WN`` (:data:`DONT_KNOW`, "weet niet").

Everything about one side is shown only to that side (relevance on ``rol``). See docs/survey.md.
"""

from __future__ import annotations

import csv
import re
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from hbomkb.config import ROLES, SCALES, Study
from hbomkb.inputs import limesurvey as ls
from hbomkb.problems import WARNING, InputError, Problem

ROLE_Q = "rol"
REGION_Q = "regio"
RANK_Q = {"hbo": "rankhbo", "mkb": "rankmkb"}
OPEN_Q = {"hbo": "openhbo", "mkb": "openmkb"}
OUTCOME_KIND = {"hbo": "outcome_hbo", "mkb": "outcome_mkb"}
DONT_KNOW = "WN"
SCORE_CODES = ("1", "2", "3", "4", "5", DONT_KNOW)
SCORE_LABELS = {
    "nl": ("zeer slecht", "slecht", "neutraal", "goed", "zeer goed", "weet niet"),
    "en": ("very poorly", "poorly", "neutral", "well", "very well", "don't know"),
}
CODE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")

TABLE_COLUMNS = {
    "respondents": ["respondent", "complete", "role", "region", "language", "started",
                    "submitted"],
    "rankings": ["respondent", "role", "code", "rank"],
    "scores": ["respondent", "role", "outcome", "form", "scale", "value", "dont_know"],
    "open_answers": ["respondent", "role", "text"],
    "exclusions": ["file", "sheet", "row", "table", "reason"],
}

TEXTS = {
    "title": {"nl": "Validatie: samenwerking hbo en mkb",
              "en": "Validation: collaboration between hbo and mkb"},
    "g_about": {"nl": "Over u", "en": "About you"},
    "g_outcomes": {"nl": "Gewenste resultaten", "en": "Desired outcomes"},
    "g_forms": {"nl": "Samenwerkingsvormen", "en": "Collaboration forms"},
    "role": {"nl": "Waar werkt u?", "en": "Where do you work?"},
    "role_hbo": {"nl": "In het hbo (hogeschool)", "en": "In hbo (university of applied sciences)"},
    "role_mkb": {"nl": "In het mkb (ondernemer of medewerker)", "en": "In an SME"},
    "region": {"nl": "In welke regio werkt u?", "en": "In which region do you work?"},
    "rank": {"nl": "Zet de gewenste resultaten van {side} in volgorde van belang "
                   "(1 = belangrijkst).",
             "en": "Rank the desired outcomes of {side} by importance (1 = most important)."},
    "open": {"nl": "Welke gewenste resultaten van {side} missen in deze lijst?",
             "en": "Which desired outcomes of {side} are missing from this list?"},
    "dual": {"nl": "Gewenst resultaat: <b>{label}</b><br/>Hoe goed draagt elke "
                   "samenwerkingsvorm hieraan bij?",
             "en": "Desired outcome: <b>{label}</b><br/>How well does each collaboration form "
                   "contribute to it?"},
    "current": {"nl": "huidige situatie", "en": "current situation"},
    "potential": {"nl": "potentiële situatie", "en": "potential situation"},
    "side_hbo": {"nl": "het hbo", "en": "hbo"},
    "side_mkb": {"nl": "het mkb", "en": "SMEs"},
}


# ---------------------------------------------------------------------------------------------
# Building the survey
# ---------------------------------------------------------------------------------------------

def survey_id(study: Study) -> int:
    """A stable six-digit LimeSurvey id derived from the study's name (its folder name when
    study.yaml gives none), so the same study always gets the same id."""
    return 100000 + zlib.crc32((study.name or study.slug).encode("utf-8")) % 900000


def region_code(slugs: list[str]) -> dict[str, str]:
    """Answer code per region slug: its letters and digits, at most 5 (LimeSurvey's limit)."""
    out: dict[str, str] = {}
    for slug in slugs:
        base = re.sub(r"[^A-Za-z0-9]", "", slug)[:5] or "R"
        if not base[0].isalpha():
            base = ("R" + base)[:5]
        code, k = base, 1
        while code in out.values():
            k += 1
            code = base[: 5 - len(str(k))] + str(k)
        out[slug] = code
    return out


def _codes(clusters: pd.DataFrame, kind: str) -> pd.DataFrame:
    sub = clusters[clusters["kind"].astype(str) == kind]
    return sub.sort_values("code", key=lambda s: s.astype(str)).reset_index(drop=True)


def _check_codebook(clusters: pd.DataFrame) -> None:
    problems = []
    for kind, limit in (("outcome_hbo", 5), ("outcome_mkb", 5), ("form", 20)):
        sub = _codes(clusters, kind)
        if sub.empty:
            problems.append(Problem("codebook_clusters", message=f"no codes of kind {kind}; "
                                    "expected at least one to build the survey"))
        for code in sub["code"].astype(str):
            if not CODE_RE.match(code) or len(code) > limit:
                problems.append(Problem("codebook_clusters", column="code", message=(
                    f"code '{code}' ({kind}) cannot be a LimeSurvey code; expected letters and "
                    f"digits starting with a letter, at most {limit} characters")))
    codes = clusters["code"].astype(str).str.lower()
    reserved = {ROLE_Q, REGION_Q, *RANK_Q.values(), *OPEN_Q.values()}
    for code in sorted(set(codes[codes.duplicated()]) | (set(codes) & reserved)):
        problems.append(Problem("codebook_clusters", column="code", message=(
            f"code '{code}' is used twice or is a reserved question code; expected unique "
            "codes")))
    if problems:
        raise InputError(problems)


def build_structure(study: Study, codebook_clusters: pd.DataFrame,
                    languages: tuple[str, ...] = ("nl",)) -> ls.Structure:
    """The study's survey as a LimeSurvey structure (see the module docstring)."""
    _check_codebook(codebook_clusters)
    langs = tuple(dict.fromkeys(languages))

    def tx(key, **kw):
        return {lang: TEXTS[key][lang].format(**{k: v[lang] if isinstance(v, dict) else v
                                                 for k, v in kw.items()}) for lang in langs}

    def labels(row):
        return {lang: str(row.get(f"label_{lang}") or row.get("label_nl") or row["code"])
                for lang in langs}

    qid = iter(range(1, 100000))
    groups = [ls.Group(gid=i + 1, order=i + 1, names=tx(k))
              for i, k in enumerate(("g_about", "g_outcomes", "g_forms"))]
    questions = []
    role = ls.Question(qid=next(qid), gid=1, type="L", code=ROLE_Q, order=1, mandatory="Y",
                       texts=tx("role"))
    role.answers = [ls.Answer(code=r, sortorder=i, texts=tx(f"role_{r}"))
                    for i, r in enumerate(ROLES)]
    region = ls.Question(qid=next(qid), gid=1, type="L", code=REGION_Q, order=2, mandatory="Y",
                         texts=tx("region"))
    codes = region_code(study.region_slugs)
    region.answers = [ls.Answer(code=codes[r.slug], sortorder=i,
                                texts={lang: r.name for lang in langs})
                      for i, r in enumerate(study.regions)]
    questions += [role, region]

    forms = _codes(codebook_clusters, "form")
    order = 0
    for r in ROLES:
        relevance = f'({ROLE_Q}.NAOK == "{r}")'
        side = TEXTS[f"side_{r}"]
        outcomes = _codes(codebook_clusters, OUTCOME_KIND[r])
        order += 1
        rank = ls.Question(qid=next(qid), gid=2, type="R", code=RANK_Q[r], order=order,
                           relevance=relevance, texts=tx("rank", side=side))
        rank.answers = [ls.Answer(code=str(o["code"]), sortorder=i, texts=labels(o))
                        for i, o in outcomes.iterrows()]
        order += 1
        opn = ls.Question(qid=next(qid), gid=2, type="T", code=OPEN_Q[r], order=order,
                          relevance=relevance, texts=tx("open", side=side))
        questions += [rank, opn]
    order = 0
    for r in ROLES:
        relevance = f'({ROLE_Q}.NAOK == "{r}")'
        for _, o in _codes(codebook_clusters, OUTCOME_KIND[r]).iterrows():
            order += 1
            q = ls.Question(qid=next(qid), gid=3, type="1", code=str(o["code"]), order=order,
                            relevance=relevance,
                            texts=tx("dual", label={k: v for k, v in labels(o).items()}))
            q.subquestions = [ls.Subquestion(qid=next(qid), code=str(f["code"]), order=i,
                                             texts=labels(f)) for i, f in forms.iterrows()]
            q.answers = [ls.Answer(code=c, scale_id=s, sortorder=i,
                                   texts={lang: SCORE_LABELS[lang][i] for lang in langs})
                         for s in (0, 1) for i, c in enumerate(SCORE_CODES)]
            q.l10n_attributes = {"dualscale_headerA": tx("current"),
                                 "dualscale_headerB": tx("potential")}
            questions.append(q)
    title = {lang: f"{TEXTS['title'][lang]} — {study.title}" for lang in langs}
    return ls.Structure(survey_id=survey_id(study), db_version=ls.WRITE_DBVERSION,
                        language=langs[0], languages=langs, groups=groups, questions=questions,
                        titles=title, settings={"anonymized": "Y", "ipaddr": "N", "refurl": "N",
                                                "datestamp": "Y", "savetimings": "N"})


def write_survey_lss(study: Study, codebook_clusters: pd.DataFrame, out_path,
                     languages: tuple[str, ...] = ("nl",)) -> Path:
    """Write the study's survey as a .lss file LimeSurvey 6 imports; return the path."""
    return ls.write_lss(build_structure(study, codebook_clusters, languages), out_path)


# ---------------------------------------------------------------------------------------------
# Reading responses into tidy tables
# ---------------------------------------------------------------------------------------------

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
    out = []
    for p in problems:
        f = p.file
        try:
            f = Path(f).relative_to(study.root).as_posix()
        except ValueError:
            pass
        out.append(Problem(f, p.sheet, p.row, p.column, p.message, p.severity))
    return out


def read_survey(study: Study, codebook_clusters: pd.DataFrame
                ) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    """Tidy tables ``respondents``, ``rankings``, ``scores``, ``open_answers``, ``exclusions``.

    A study without survey files gets empty tables and no problem. Problems are returned, not
    raised: an unreadable export or a structure that is not the study's survey gives empty
    tables and the problems saying why.
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
    built, more = _tidy(study, structure, codebook_clusters, df, _rel(study, csv_path))
    return built, problems + more


def _check_structure(path: Path, structure: ls.Structure, clusters: pd.DataFrame) -> None:
    """The structure must hold the study's question codes, else responses cannot be placed."""
    have = {q.code: q for q in structure.questions}
    needed = {ROLE_Q: "L", REGION_Q: "L", **{RANK_Q[r]: "R" for r in ROLES}}
    for r in ROLES:
        needed.update({str(c): "1" for c in _codes(clusters, OUTCOME_KIND[r])["code"]})
    missing = [f"{c} (type {t})" for c, t in needed.items()
               if c not in have or have[c].type != t]
    if missing:
        shown = ", ".join(missing[:15]) + (f" and {len(missing) - 15} more"
                                           if len(missing) > 15 else "")
        raise InputError([Problem(str(path), message=(
            f"not the study's survey: question(s) missing or of another type: {shown}; "
            "expected the structure written by `hbomkb survey lss` for this codebook"))])


def _tidy(study: Study, structure: ls.Structure, clusters: pd.DataFrame, df: pd.DataFrame,
          file: str) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
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
        tables["scores"] = _scores(df, clusters, sides)
        tables["open_answers"] = pd.concat(opens, ignore_index=True)
    tables["exclusions"] = excl.reset_index(drop=True)
    return tables, problems


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


def _scores(df, clusters, sides) -> pd.DataFrame:
    """Long table of dual-scale scores: one row per respondent × outcome × form × scale of
    the respondent's own side. This is the largest table by far (about 140 rows per
    respondent in the demo shape), so it is written column by column straight into its
    final, compact arrays (12 bytes a row), with no temporary of the table's length."""
    forms = _codes(clusters, "form")["code"].astype(str).tolist()
    outcomes = {r: _codes(clusters, OUTCOME_KIND[r])["code"].astype(str).tolist()
                for r, _, _ in sides}
    all_outcomes = [o for r, _, _ in sides for o in outcomes[r]]
    sizes = [len(rid) * len(outcomes[r]) * len(forms) * 2 for r, rid, _ in sides]
    total = sum(sizes)
    # LimeSurvey's response ids are 32-bit; an id beyond that (not LimeSurvey's) keeps 64 bits.
    wide = any(len(rid) and (rid.max() > np.iinfo(np.int32).max
                             or rid.min() < np.iinfo(np.int32).min) for _, rid, _ in sides)
    respondent = np.empty(total, dtype=np.int64 if wide else np.int32)
    value = np.empty(total, dtype=np.int8)
    missing = np.empty(total, dtype=bool)
    dont_know = np.empty(total, dtype=bool)
    role_code = np.empty(total, dtype=np.int8)
    outcome_code = np.empty(total, dtype=np.int8 if len(all_outcomes) < 127 else np.int16)
    form_code = np.empty(total, dtype=np.int8 if len(forms) < 127 else np.int16)
    scale_code = np.empty(total, dtype=np.int8)
    lut_codes = {c: i + 1 for i, c in enumerate(SCORE_CODES)}  # 0 = empty, 6 = don't know
    start = 0
    for (r, rid, mask), size in zip(sides, sizes, strict=True):
        m, outs = len(rid), outcomes[r]
        sl = slice(start, start + size)
        start += size
        rows = np.flatnonzero(mask)
        v = value[sl].reshape(m, -1)  # views: a row per respondent, a column per cell
        j = 0
        for o in outs:
            for f in forms:
                for sc in (1, 2):
                    col = f"{o}[{f}][{sc}]"
                    if col in df:
                        cat = df[col].array
                        lut = np.array([lut_codes.get(str(c), 0) for c in cat.categories] + [0],
                                       dtype=np.int8)
                        v[:, j] = lut.take(cat.codes.take(rows))
                    else:
                        v[:, j] = 0
                    j += 1
        np.equal(value[sl], 6, out=dont_know[sl])
        np.equal(value[sl], 0, out=missing[sl])
        np.logical_or(missing[sl], dont_know[sl], out=missing[sl])
        np.putmask(value[sl], missing[sl], 0)
        respondent[sl].reshape(m, -1)[:] = rid[:, None]
        role_code[sl] = ROLES.index(r)
        first = all_outcomes.index(outs[0]) if outs else 0
        _fill_repeating(outcome_code[sl], np.repeat(np.arange(
            first, first + len(outs), dtype=outcome_code.dtype), len(forms) * 2))
        _fill_repeating(form_code[sl], np.repeat(np.arange(len(forms), dtype=form_code.dtype),
                                                 2))
        _fill_repeating(scale_code[sl], np.array([0, 1], dtype=np.int8))
    cat = pd.CategoricalDtype
    return pd.DataFrame({
        "respondent": pd.arrays.IntegerArray(respondent, np.zeros(total, dtype=bool)),
        "role": pd.Categorical.from_codes(role_code, dtype=cat(list(ROLES))),
        "outcome": pd.Categorical.from_codes(outcome_code, dtype=cat(all_outcomes)),
        "form": pd.Categorical.from_codes(form_code, dtype=cat(forms)),
        "scale": pd.Categorical.from_codes(scale_code, dtype=cat(list(SCALES))),
        "value": pd.arrays.IntegerArray(value, missing),
        "dont_know": dont_know,
    }, copy=False)


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
    from hbomkb.inputs.redact import redact
    return pd.DataFrame({
        "respondent": pd.array(rid[filled], dtype="Int64"),
        "role": _strings(np.zeros(int(filled.sum()), dtype=np.int32), [role]),
        "text": redact(text[filled].reset_index(drop=True)).astype("string").array,
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


# ---------------------------------------------------------------------------------------------
# Demo responses
# ---------------------------------------------------------------------------------------------

MISSING_OUTCOMES = {
    "hbo": ["Meer gastdocenten uit het bedrijfsleven", "Betere afstemming van het curriculum "
            "op de regio", "Langdurige relaties met bedrijven in plaats van losse opdrachten",
            "Ruimte in de roosters voor praktijkopdrachten",
            "Contact via onze contactpersoon Jan de Vries loopt goed, meer van zulke mensen"],
    "mkb": ["Eén loket bij de hogeschool", "Snellere doorlooptijd van opdrachten",
            "Duidelijke afspraken over intellectueel eigendom",
            "Hulp bij het vinden van subsidies",
            "Mail mij gerust: info@voorbeeld-bv.nl voor een vervolg"],
}


def _z(x: pd.Series) -> pd.Series:
    x = x.astype(float)
    sd = x.std(ddof=0)
    return (x - x.mean()) / sd if sd and np.isfinite(sd) else x * 0.0


def _coded(tables: dict[str, pd.DataFrame], name: str, kind: str | None) -> pd.DataFrame | None:
    """A workshop table with its national ``code``; mapped through ``codebook_mapping`` when
    the table has only regional cluster labels. None when it cannot be coded."""
    t = tables.get(name)
    if t is None or not len(t):
        return None
    if "code" in t:
        return t
    mapping = tables.get("codebook_mapping")
    if mapping is None or not {"region", "cluster"} <= set(t.columns):
        return None
    m = mapping if kind is None else mapping[mapping["kind"].astype(str).str.startswith(kind)]
    m = m.drop_duplicates(["region", "cluster"])[["region", "cluster", "code"]]
    return t.merge(m, on=["region", "cluster"], how="left")


def _workshop_weights(clusters: pd.DataFrame, tables: dict[str, pd.DataFrame]):
    """Outcome utilities per side and form effects, from how the workshops chose them:
    points for top-3 places (3 for first … 1 for third) and the share of importance ratings
    of 4 or 5, each standardised; a table that cannot be coded adds nothing."""
    utilities = {}
    oc = _coded(tables, "outcome_clusters", "outcome")
    ratings = _coded(tables, "outcome_ratings", "outcome")
    for r in ROLES:
        codes = _codes(clusters, OUTCOME_KIND[r])["code"].astype(str)
        score = pd.Series(0.0, index=codes)
        if oc is not None and "role" in oc:
            o = oc[(oc["role"].astype(str) == r) & oc["top3"].notna()]
            top = (4 - o["top3"].astype(float)).groupby(o["code"].astype(str)).sum()
            score += _z(top.reindex(codes).fillna(0.0))
        if ratings is not None and "importance" in ratings:
            rr = ratings[ratings["code"].astype(str).isin(codes)]
            imp = (rr["importance"].astype(float) >= 4).groupby(rr["code"].astype(str)).mean()
            score += _z(imp.reindex(codes).fillna(imp.mean() if len(imp) else 0.0))
        utilities[r] = score
    forms = _codes(clusters, "form")
    codes = forms["code"].astype(str)
    effect = pd.Series(0.0, index=codes)
    fc = _coded(tables, "form_clusters", "form")
    if fc is not None:
        fc = fc[fc["top3"].notna()]
        top = (4 - fc["top3"].astype(float)).groupby(fc["code"].astype(str)).sum()
        effect += 0.5 * _z(top.reindex(codes).fillna(0.0))
    labels = forms["label_nl"].astype(str) + " " + forms.get("label_en", "").astype(str)
    project = labels.str.contains("project", case=False).to_numpy()
    effect[project] = effect.max() + 1.0
    return utilities, effect


def synthetic_responses(study: Study, codebook_clusters: pd.DataFrame,
                        tables: dict[str, pd.DataFrame], n: dict[str, int], seed: int,
                        structure: ls.Structure | None = None) -> pd.DataFrame:
    """Responses as LimeSurvey exports them (question-code headings, answer codes, all text).

    Opinions follow the workshops: outcomes that workshops put in their top 3 (and rated
    important) are ranked higher; forms chosen in workshop top 3s score higher, and higher still
    for outcomes of their own quadrant (explore/exploit, short/long); the form whose
    label mentions "project" scores best; potential exceeds current on average; with noise,
    some "weet niet" and some incomplete responses.
    """
    rng = np.random.default_rng(seed)
    structure = structure or build_structure(study, codebook_clusters)
    utilities, effect = _workshop_weights(codebook_clusters, tables)
    forms = effect.index.tolist()
    axes = codebook_clusters.astype(str).set_index("code")[["explore", "term"]]
    total = n["hbo"] + n["mkb"]
    roles = np.array(["hbo"] * n["hbo"] + ["mkb"] * n["mkb"], dtype=object)
    roles = roles[rng.permutation(total)]
    slugs = study.region_slugs
    rcodes = region_code(slugs)
    region = np.array([rcodes[s] for s in slugs], dtype=object)[
        rng.choice(len(slugs), size=total, p=rng.dirichlet(np.full(len(slugs), 25.0)))]
    incomplete = rng.random(total) < 0.1
    stop = np.where(incomplete, rng.integers(1, 4, size=total), 4)  # last page reached
    start = (np.datetime64("2018-06-04T09:00:00")
             + (rng.random(total) * 21 * 24 * 3600).astype("int64").astype("timedelta64[s]"))
    duration = (300 + rng.gamma(3.0, 200.0, size=total)).astype("int64").astype(
        "timedelta64[s]")
    end = start + duration

    def fmt(t):
        return np.datetime_as_string(t, unit="s").astype(object)

    out: dict[str, np.ndarray] = {
        "id": np.arange(1, total + 1).astype(str).astype(object),
        "submitdate": np.where(incomplete, "", fmt(end)).astype(object),
        "lastpage": np.where(incomplete, stop - 1, 3).astype(str).astype(object),
        "startlanguage": np.full(total, structure.language, dtype=object),
        "seed": rng.integers(10**8, 2 * 10**9, size=total).astype(str).astype(object),
        "startdate": fmt(start),
        "datestamp": fmt(np.where(incomplete, start + duration // 3, end)),
        ROLE_Q: roles.copy(),
        REGION_Q: region,
    }
    empty = np.full(total, "", dtype=object)
    score_codes = np.array(["", *SCORE_CODES], dtype=object)
    for r in ROLES:
        mine = roles == r
        m = int(mine.sum())
        util = utilities[r].to_numpy()
        items = utilities[r].index.to_numpy(dtype=object)
        # Plackett-Luce by Gumbel noise: sort utility + noise, best first.
        noisy = 1.2 * util[None, :] + rng.gumbel(size=(m, len(util)))
        order = np.argsort(-noisy, axis=1)
        ranked = items[order]
        reached_rank = stop[mine] >= 2
        for k in range(len(items)):
            col = empty.copy()
            col[mine] = np.where(reached_rank, ranked[:, k], "")
            out[f"{RANK_Q[r]}[{k + 1}]"] = col
        col = empty.copy()
        says = reached_rank & (rng.random(m) < 0.15)
        col[np.flatnonzero(mine)[says]] = np.array(MISSING_OUTCOMES[r], dtype=object)[
            rng.integers(len(MISSING_OUTCOMES[r]), size=int(says.sum()))]
        out[OPEN_Q[r]] = col
        reached_scores = stop[mine] >= 3
        person = rng.normal(0, 0.4, size=(m, 1))
        for oi, o in enumerate(items):
            relevance = 0.15 * util[oi]
            for f in forms:
                # a form serves an outcome of its own quadrant better (explore/exploit, term)
                match = (0.45 * (axes.at[o, "explore"] == axes.at[f, "explore"])
                         + 0.3 * (axes.at[o, "term"] == axes.at[f, "term"]) - 0.35)
                base = 2.5 + 0.55 * effect[f] + relevance + match + person
                cur = base + rng.normal(0, 0.8, size=(m, 1))
                pot = cur + 0.7 + 0.25 * max(effect[f], 0) + rng.normal(0, 0.6, size=(m, 1))
                for s, val in ((1, cur[:, 0]), (2, pot[:, 0])):
                    v = np.clip(np.rint(val), 1, 5).astype(np.int8)
                    v = np.where(rng.random(m) < 0.06, 6, v)       # weet niet
                    v = np.where(reached_scores, v, 0)
                    col = empty.copy()
                    col[mine] = score_codes[v]
                    out[f"{o}[{f}][{s}]"] = col
    # Other side's questions, never shown, stay empty; every column in export order.
    names = list(ls.META_COLUMNS[:5]) + ["startdate", "datestamp"] + \
        [c.name for c in ls.response_columns(structure)]
    return pd.DataFrame({c: out.get(c, empty) for c in names})


def write_responses_csv(responses: pd.DataFrame, path) -> Path:
    """Write responses as LimeSurvey 6 writes an export: UTF-8 with BOM, ``;``, every field
    quoted, records ending in CRLF, one extra empty CRLF line at the end."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        responses.to_csv(f, sep=";", index=False, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        f.write("\r\n")
    return path


def write_demo_survey(study: Study, codebook_clusters: pd.DataFrame,
                      tables: dict[str, pd.DataFrame], out_dir, seed: int) -> Path:
    """Write ``survey/survey.lss`` and ``survey/responses.csv`` of a synthetic study.

    About 60 hbo and 90 mkb respondents over the study's regions whose opinions agree with the
    workshop ``tables`` (see :func:`synthetic_responses`). Byte-identical for the same seed.
    """
    out = Path(out_dir) / "survey"
    structure = build_structure(study, codebook_clusters)
    ls.write_lss(structure, out / "survey.lss")
    rng = np.random.default_rng(seed)
    n = {"hbo": 55 + int(rng.integers(0, 11)), "mkb": 85 + int(rng.integers(0, 11))}
    responses = synthetic_responses(study, codebook_clusters, tables, n, seed + 1, structure)
    write_responses_csv(responses, out / "responses.csv")
    return out
