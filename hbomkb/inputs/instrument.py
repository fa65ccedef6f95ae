"""The study's validation survey as an instrument: built from the codebook, for LimeSurvey.

The survey asks a respondent for their side (hbo or mkb) and region, lets them rank the
national desired-outcome clusters of their side, asks which desired outcomes are missing,
and, for every outcome of their side, scores every collaboration form twice (current and
potential situation) in one *array dual scale* question. Question codes come from the codebook:

- ``rol`` (list: ``hbo``, ``mkb``) and ``regio`` (list: a code per study region, see
  :func:`region_code`);
- ``rankhbo`` / ``rankmkb``: ranking over that side's outcome codes (``H01``…, ``M01``…);
- ``openhbo`` / ``openmkb``: long free text for missing desired outcomes;
- one dual-scale question per outcome, coded with the outcome code (``H01``), rows coded with
  the form codes (``F01``…); scale 1 current, scale 2 potential; answers ``1``-``5`` and
  ``WN`` (:data:`DONT_KNOW`, "weet niet").

Everything about one side is shown only to that side (relevance on ``rol``). Reading the
responses back is :mod:`hbomkb.inputs.survey`. See docs/survey.md.
"""

from __future__ import annotations

import re
import zlib
from pathlib import Path

import pandas as pd

from hbomkb.config import ROLES, Study
from hbomkb.inputs import limesurvey as ls
from hbomkb.inputs.codebook import CODE_RE
from hbomkb.problems import InputError, Problem

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

# The question texts respondents read, per language.
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


def codes_of_kind(clusters: pd.DataFrame, kind: str) -> pd.DataFrame:
    """The codebook clusters of one kind, in code order: the order of the survey's items."""
    sub = clusters[clusters["kind"].astype(str) == kind]
    return sub.sort_values("code", key=lambda s: s.astype(str)).reset_index(drop=True)


def _check_codebook(clusters: pd.DataFrame) -> None:
    problems = []
    for kind, limit in (("outcome_hbo", 5), ("outcome_mkb", 5), ("form", 20)):
        sub = codes_of_kind(clusters, kind)
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

    forms = codes_of_kind(codebook_clusters, "form")
    order = 0
    for r in ROLES:
        relevance = f'({ROLE_Q}.NAOK == "{r}")'
        side = TEXTS[f"side_{r}"]
        outcomes = codes_of_kind(codebook_clusters, OUTCOME_KIND[r])
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
        for _, o in codes_of_kind(codebook_clusters, OUTCOME_KIND[r]).iterrows():
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
