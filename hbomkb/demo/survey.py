"""Synthetic survey responses for a synthetic study, agreeing with its workshops.

:func:`write_demo_survey` writes the study's survey structure and a response export as
LimeSurvey 6.14's RemoteControl API writes one (the dialect of
/work/shared/limesurvey/ls6.14/results-survey206848_code_short.csv);
:func:`synthetic_responses` makes the responses (also used by the survey benchmark). The same
seed gives the same bytes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from hbomkb.config import ROLES, Study
from hbomkb.inputs import limesurvey as ls
from hbomkb.inputs.codebook import apply_codebook
from hbomkb.inputs.instrument import (
    OPEN_Q,
    OUTCOME_KIND,
    RANK_Q,
    REGION_Q,
    ROLE_Q,
    SCORE_CODES,
    build_structure,
    codes_of_kind,
    region_code,
)

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


def _coded(tables: dict[str, pd.DataFrame], name: str) -> pd.DataFrame | None:
    """A workshop table with its national ``code``: as given, or coded through the
    ``codebook_mapping`` table. None when the table is missing, empty or cannot be coded."""
    t = tables.get(name)
    if t is None or not len(t):
        return None
    if "code" in t:
        return t
    mapping = tables.get("codebook_mapping")
    needed = {"region", "cluster"} | ({"role"} if name.startswith("outcome") else set())
    if mapping is None or not needed <= set(t.columns):
        return None
    return apply_codebook(t, name, mapping)


def _workshop_weights(clusters: pd.DataFrame, tables: dict[str, pd.DataFrame]):
    """Outcome utilities per side and form effects, from how the workshops chose them:
    points for top-3 places (3 for first … 1 for third) and the share of importance ratings
    of 4 or 5, each standardised; a table that cannot be coded adds nothing."""
    utilities = {}
    oc = _coded(tables, "outcome_clusters")
    ratings = _coded(tables, "outcome_ratings")
    for r in ROLES:
        codes = codes_of_kind(clusters, OUTCOME_KIND[r])["code"].astype(str)
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
    forms = codes_of_kind(clusters, "form")
    codes = forms["code"].astype(str)
    effect = pd.Series(0.0, index=codes)
    fc = _coded(tables, "form_clusters")
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
    """Responses as LimeSurvey exports them (question-code headings, answer codes, all text;
    None where LimeSurvey has NULL: a question never shown, a page not reached).

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

    def fmt(t):  # LimeSurvey's "2018-06-04 09:00:00", with a space
        return np.char.replace(np.datetime_as_string(t, unit="s"), "T", " ").astype(object)

    out: dict[str, np.ndarray] = {
        "id": np.arange(1, total + 1).astype(str).astype(object),
        "submitdate": np.where(incomplete, None, fmt(end)).astype(object),
        "lastpage": np.where(incomplete, stop - 1, 3).astype(str).astype(object),
        "startlanguage": np.full(total, structure.language, dtype=object),
        "seed": rng.integers(10**8, 2 * 10**9, size=total).astype(str).astype(object),
        "startdate": fmt(start),
        "datestamp": fmt(np.where(incomplete, start + duration // 3, end)),
        ROLE_Q: roles.copy(),
        REGION_Q: region,
    }
    # NULL (None) wherever LimeSurvey stores it: the other side's questions (never shown) and
    # pages not reached; "" for a question shown and left empty.
    null = np.full(total, None, dtype=object)
    score_codes = np.array([None, *SCORE_CODES], dtype=object)
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
            col = null.copy()
            col[mine] = np.where(reached_rank, ranked[:, k], None)
            out[f"{RANK_Q[r]}[{k + 1}]"] = col
        col = null.copy()
        col[np.flatnonzero(mine)[reached_rank]] = ""   # shown: empty unless they wrote one
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
                    col = null.copy()
                    col[mine] = score_codes[v]
                    out[f"{o}[{f}][{s}]"] = col
    # Other side's questions, never shown, stay NULL; every column in export order.
    names = list(ls.META_COLUMNS[:5]) + ["startdate", "datestamp"] + \
        [c.name for c in ls.response_columns(structure)]
    return pd.DataFrame({c: out.get(c, null) for c in names})


def _field(values: np.ndarray) -> np.ndarray:
    """Each value as LimeSurvey writes it: in double quotes with ``"`` doubled, a line break as
    LF; NULL (None) as nothing at all."""
    isnull = pd.isna(values)
    text = np.where(isnull, "", values).astype(str)
    text = np.char.replace(np.char.replace(text, "\r\n", "\n"), '"', '""')
    return np.where(isnull, "", np.char.add(np.char.add('"', text), '"')).astype(object)


def write_responses_csv(responses: pd.DataFrame, path) -> Path:
    """Write responses as LimeSurvey 6.14's RemoteControl API exports them: UTF-8 with BOM,
    ``;`` between fields, every heading and value in double quotes, NULL (None) as an empty
    unquoted field, records ending in CRLF, one extra empty CRLF line at the end."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fields = [_field(responses[c].to_numpy(dtype=object)) for c in responses.columns]
    header = ";".join(_field(np.array(list(map(str, responses.columns)), dtype=object)))
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        f.write(header + "\r\n")
        for start in range(0, len(responses), 5000):   # a block of records at a time
            block = [col[start:start + 5000] for col in fields]
            f.writelines(";".join(rec) + "\r\n" for rec in zip(*block, strict=True))
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
