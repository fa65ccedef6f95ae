"""Scores behind every number in the reports: opportunities, served classes, rankings, forms.

All functions take tidy tables (docs/tables.md) and return tidy DataFrames with an ``n`` column
for whatever they count or average. Definitions and the reasons for them are in docs/methods.md.

Conventions shared by every function here:

- Inference (intervals, p-values) is left empty below ``min_group_size`` and a ``reason`` column
  says why; point estimates are still given, with their n.
- Bootstraps draw from ``numpy.random.default_rng(seed)``: the same input and seed give the same
  numbers. Resampling is vectorised (all resamples of a chunk at once), so the cost grows
  linearly with the number of resamples; nothing loops over respondents.
- hbo and mkb are never pooled into one opportunity score: every ODI number lives within one
  role (and region, where given).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import numpy as np
import pandas as pd

from hbomkb.config import Thresholds

DEFAULT_MIN_GROUP = 3
DEFAULT_TOP_BOX = 4
# Elements per bootstrap chunk (resamples x observations); bounds memory, not the result.
_CHUNK_CELLS = 4_000_000

SERVED_CLASSES = ("overserved", "underserved", "properly_served")
BANDS = ("extreme", "high", "worth_considering")


# ---------------------------------------------------------------------------------------------
# shared helpers


def _settings(study: object | None) -> tuple[Thresholds, int, int, int, int, int]:
    """(thresholds, top_box, scale_min, scale_max, min_group_size, seed); defaults if no Study."""
    if study is None:
        return Thresholds(), DEFAULT_TOP_BOX, 1, 5, DEFAULT_MIN_GROUP, 20180419
    return (study.thresholds, study.top_box, study.scale_min, study.scale_max,
            study.min_group_size, study.seed)


def _rng(seed: int | None, study: object | None) -> np.random.Generator:
    if seed is None:
        seed = _settings(study)[5]
    return np.random.default_rng(seed)


def _reason(n: np.ndarray | pd.Series, min_n: int) -> np.ndarray:
    """The ``reason`` column: empty where n allows inference, else why not."""
    n = np.asarray(n, dtype=float)
    out = np.full(n.shape, "", dtype=object)
    small = ~(n >= min_n)
    out[small] = [f"n = {int(v) if v == v else 0} < {min_n} (min_group_size)" for v in n[small]]
    return out


def _values(s: pd.Series) -> np.ndarray:
    """A nullable integer/float column as float with NaN for missing."""
    return pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _quantiles(boot: np.ndarray, ci: float) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval along axis 0, ignoring resamples where the statistic is undefined."""
    a = (1 - ci) / 2
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns give NaN, quietly
        lo, hi = np.nanquantile(boot, [a, 1 - a], axis=0)
    return lo, hi


def _multinomial_chunks(rng: np.random.Generator, n: int, n_boot: int,
                        width: int = 1) -> Iterator[np.ndarray]:
    """Bootstrap weights: chunks of (resamples x n) counts, each row a resample of n units."""
    per = max(1, _CHUNK_CELLS // max(1, n * max(width, 1)))
    p = np.full(n, 1.0 / n)
    done = 0
    while done < n_boot:
        b = min(per, n_boot - done)
        yield rng.multinomial(n, p, size=b).astype(float)
        done += b


def opportunity(importance: np.ndarray | pd.Series, satisfaction: np.ndarray | pd.Series,
                thresholds: Thresholds | None = None) -> pd.DataFrame:
    """O = I + max(I - S, 0), the served class and Ulwick's band for arrays of I and S (0-10).

    overserved where S > I; underserved where O > thresholds.underserved; properly served
    otherwise. Band: O > extreme -> "extreme", O > high -> "high", O > underserved ->
    "worth_considering", else empty. Comparisons use values rounded to 9 decimals so that
    shares like 2/3 x 10 land exactly on a boundary when they should.
    """
    th = thresholds or Thresholds()
    i = np.asarray(importance, dtype=float)
    s = np.asarray(satisfaction, dtype=float)
    o = i + np.clip(i - s, 0, None)
    ir, sr, orr = np.round(i, 9), np.round(s, 9), np.round(o, 9)
    defined = ~(np.isnan(i) | np.isnan(s))
    served = np.select([~defined, sr > ir, orr > th.underserved],
                       [None, "overserved", "underserved"], "properly_served").astype(object)
    band = np.select([~defined, orr > th.extreme, orr > th.high, orr > th.underserved],
                     [None, "extreme", "high", "worth_considering"], "").astype(object)
    return pd.DataFrame({"O": o, "served": served, "band": band})


# ---------------------------------------------------------------------------------------------
# workshop: top 3 and ODI


def top3(tables: dict[str, pd.DataFrame], kind: str = "outcome") -> pd.DataFrame:
    """The regional top-3 clusters (kansen) of each group, with how many notes each holds.

    kind="outcome": one row per region x role x rank; kind="form": per region x mixed group.
    ``n`` is the number of notes in the regional cluster.
    """
    if kind == "outcome":
        clusters, notes, group = tables["outcome_clusters"], tables["outcome_notes"], ["role"]
    elif kind == "form":
        clusters, notes, group = tables["form_clusters"], tables["form_notes"], ["mixed_group"]
    else:
        raise ValueError(f"kind '{kind}'; expected outcome or form")
    keys = ["region", *group, "cluster"]
    counts = notes.groupby(keys, observed=True, dropna=False).size().rename("n").reset_index()
    top = clusters[clusters["top3"].notna()].rename(columns={"top3": "rank"})
    out = top[[*keys, "rank", "code"]].merge(counts, on=keys, how="left")
    out["n"] = out["n"].fillna(0).astype("Int64")
    out["rank"] = out["rank"].astype("Int64")
    return out[["region", *group, "rank", "cluster", "code", "n"]].sort_values(
        ["region", *group, "rank"], ignore_index=True)


def top3_national(tables: dict[str, pd.DataFrame], kind: str = "outcome") -> pd.DataFrame:
    """How often each national cluster is chosen in a regional top 3, per role (or for forms).

    ``n`` = number of groups (a side in a region, or a mixed group) that have the code in
    their top 3; ``picks`` = top-3 places it holds, which is more than ``n`` when one group
    put two of its clusters with the same national code in its top 3; ``points`` gives 3/2/1
    points for each place at rank 1/2/3; ``regions`` = regions where it was chosen;
    ``groups`` = number of groups that made a top 3; ``share`` = n / groups (at most 1).
    """
    t = top3(tables, kind)
    side = "role" if kind == "outcome" else None
    keys = [side] if side else []
    gcols = ["region", side] if side else ["region", "mixed_group"]
    t = t.assign(points=4 - t["rank"].astype(float))
    groups = t.drop_duplicates(gcols).groupby(keys).size() if keys else len(
        t.drop_duplicates(gcols))
    coded = t.dropna(subset=["code"])
    agg = (coded.groupby([*keys, "code"])
           .agg(picks=("rank", "size"), points=("points", "sum"), regions=("region", "nunique"))
           .join(coded.drop_duplicates([*gcols, "code"]).groupby([*keys, "code"]).size()
                 .rename("n"))
           .reset_index())
    agg["groups"] = agg[side].map(groups) if side else groups
    agg["share"] = agg["n"] / agg["groups"]
    for c in ("n", "picks", "regions", "groups"):
        agg[c] = agg[c].astype("Int64")
    order = [*keys, "n", "points", "code"]
    asc = [True] * len(keys) + [False, False, True]
    columns = [*keys, "code", "n", "picks", "points", "regions", "groups", "share"]
    return agg[columns].sort_values(order, ascending=asc, ignore_index=True)


def _group_bootstrap(groups: np.ndarray, arrays: list[np.ndarray], n_boot: int,
                     rng: np.random.Generator) -> Iterator[list[np.ndarray]]:
    """Resample rows within each group (rows sorted by group); yields per-group sums per array.

    Each chunk yields, for every input array, a (resamples x groups) matrix of sums over the
    resampled rows. Cost is linear in rows x resamples.
    """
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    sizes = np.diff(np.r_[starts, len(groups)])
    row_start = np.repeat(starts, sizes)
    row_size = np.repeat(sizes, sizes)
    per = max(1, _CHUNK_CELLS // max(1, len(groups)))
    done = 0
    while done < n_boot:
        b = min(per, n_boot - done)
        idx = row_start + np.floor(rng.random((b, len(groups))) * row_size).astype(np.int64)
        yield [np.add.reduceat(a[idx], starts, axis=1) for a in arrays]
        done += b


def odi(ratings: pd.DataFrame, study: object | None = None, scope: str = "region",
        method: str = "top2box", n_boot: int = 2000, seed: int | None = None,
        ci: float = 0.95) -> pd.DataFrame:
    """Importance, satisfaction and opportunity of each cluster, within one role (and region).

    ``ratings`` is the ``outcome_ratings`` table. scope="region": one row per role x region x
    regional cluster (segment = role in a region); scope="national": one row per role x national
    code, ratings of one role pooled over regions (never across roles).

    method="top2box" (the default, Ulwick's definition): I and S are the share of ratings >=
    study.top_box, times 10. method="mean" is the labelled, not-recommended variant that rescales
    the mean rating to 0-10. The interval for O resamples raters (their I and S together) within
    each segment item; it is empty below min_group_size.
    """
    thresholds, top_box, lo_s, hi_s, min_n, _ = _settings(study)
    if method not in ("top2box", "mean"):
        raise ValueError(f"method '{method}'; expected top2box or mean")
    if scope == "region":
        keys = ["role", "region", "cluster", "code"]
    elif scope == "national":
        keys = ["role", "code"]
    else:
        raise ValueError(f"scope '{scope}'; expected region or national")
    r = ratings.dropna(subset=[k for k in keys if k != "code"] + (
        ["code"] if scope == "national" else []))
    imp, sat = _values(r["importance"]), _values(r["satisfaction"])
    keep = ~(np.isnan(imp) & np.isnan(sat))
    r, imp, sat = r.loc[keep, keys], imp[keep], sat[keep]
    gid, uniq = pd.MultiIndex.from_frame(r[keys].astype(object).fillna("\0")).factorize()
    order = np.argsort(gid, kind="stable")
    gid, imp, sat = gid[order], imp[order], sat[order]
    if method == "top2box":
        iv, sv = (imp >= top_box).astype(float), (sat >= top_box).astype(float)
    else:
        iv = (imp - lo_s) / (hi_s - lo_s)
        sv = (sat - lo_s) / (hi_s - lo_s)
    ivalid, svalid = ~np.isnan(imp), ~np.isnan(sat)
    arrays = [np.where(ivalid, iv, 0.0), ivalid.astype(float),
              np.where(svalid, sv, 0.0), svalid.astype(float)]
    g = len(uniq)
    sums = [np.bincount(gid, weights=a, minlength=g) for a in arrays]
    n = np.bincount(gid, minlength=g)
    with np.errstate(invalid="ignore", divide="ignore"):
        i_score = 10 * sums[0] / sums[1]
        s_score = 10 * sums[2] / sums[3]
    out = pd.DataFrame(list(uniq), columns=keys).replace("\0", pd.NA)
    out["n"] = pd.array(n, dtype="Int64")
    out["n_importance"] = pd.array(sums[1].astype(int), dtype="Int64")
    out["n_satisfaction"] = pd.array(sums[3].astype(int), dtype="Int64")
    out["I"], out["S"] = i_score, s_score
    out = pd.concat([out, opportunity(i_score, s_score, thresholds)], axis=1)
    out["O_low"], out["O_high"] = np.nan, np.nan
    out["reason"] = _reason(n, min_n)
    if n_boot and len(gid):
        rng = _rng(seed, study)
        boots = []
        for ch in _group_bootstrap(gid, arrays, n_boot, rng):
            with np.errstate(invalid="ignore", divide="ignore"):
                bi, bs = 10 * ch[0] / ch[1], 10 * ch[2] / ch[3]
            boots.append(bi + np.clip(bi - bs, 0, None))
        lo, hi = _quantiles(np.vstack(boots), ci)
        ok = n >= min_n
        out.loc[ok, "O_low"], out.loc[ok, "O_high"] = lo[ok], hi[ok]
    out["method"] = "top2box" if method == "top2box" else "mean (not recommended)"
    seg = [k for k in keys if k in ("role", "region")]
    return out.sort_values([*seg, "O"], ascending=[True] * len(seg) + [False],
                           ignore_index=True)


def quadrants(tables: dict[str, pd.DataFrame], kind: str, weight: str = "frequency",
              study: object | None = None) -> pd.DataFrame:
    """National clusters of one kind placed in explore/exploit x short/long, with a weight.

    weight="frequency": number of notes coded to the cluster (all regions); "top3": number of
    regional top-3 picks; "importance": national I (top-2-box x10) from the workshop ratings
    (outcomes only). ``n`` is what the weight is based on (notes, picks or raters).
    """
    cb = tables["codebook_clusters"]
    cb = cb[cb["kind"] == kind][["code", "explore", "term"]]
    if kind == "form":
        notes, role = tables["form_notes"], None
    elif kind in ("outcome_hbo", "outcome_mkb"):
        role = kind.split("_")[1]
        notes = tables["outcome_notes"]
        notes = notes[notes["role"] == role]
    else:
        raise ValueError(f"kind '{kind}'; expected outcome_hbo, outcome_mkb or form")
    if weight == "frequency":
        w = notes.dropna(subset=["code"]).groupby("code").size()
        n = w
    elif weight == "top3":
        t = top3_national(tables, "outcome" if role else "form")
        if role:
            t = t[t["role"] == role]
        w = t.set_index("code")["n"].astype(float)
        n = w
    elif weight == "importance":
        if role is None:
            raise ValueError("weight 'importance' exists for outcomes only")
        r = tables["outcome_ratings"]
        o = odi(r[r["role"] == role], study, scope="national", n_boot=0).set_index("code")
        w, n = o["I"], o["n"]
    else:
        raise ValueError(f"weight '{weight}'; expected frequency, top3 or importance")
    out = cb.assign(kind=kind, weight=cb["code"].map(w).astype(float).fillna(0.0),
                    n=cb["code"].map(n).fillna(0).astype("Int64"), weight_type=weight)
    return out[["kind", "code", "explore", "term", "weight", "n", "weight_type"]].sort_values(
        ["explore", "term", "weight"], ascending=[True, True, False], ignore_index=True)


# ---------------------------------------------------------------------------------------------
# survey: rankings


def _rank_matrix(rankings: pd.DataFrame, role: str) -> tuple[np.ndarray, list[str], np.ndarray,
                                                                np.ndarray]:
    """Respondents x codes rank matrix for one role, partial rankings filled.

    An outcome a respondent left unranked gets the mean of the ranks they did not use (the usual
    tie treatment), so a partial ranking still says "these come first". Returns (respondent ids,
    codes, filled ranks, mask of explicitly ranked cells). Respondents who ranked nothing are
    left out.
    """
    r = rankings[(rankings["role"] == role)].dropna(subset=["rank", "code"])
    wide = r.pivot_table(index="respondent", columns="code", values="rank", aggfunc="min")
    codes = [str(c) for c in wide.columns]
    raw = wide.to_numpy(dtype=float, na_value=np.nan)
    k = raw.shape[1]
    ranked = ~np.isnan(raw)
    m = ranked.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        fill = (k * (k + 1) / 2 - np.nansum(raw, axis=1)) / (k - m)
    filled = np.where(ranked, raw, fill[:, None])
    return wide.index.to_numpy(), codes, filled, ranked


def _borda(filled: np.ndarray) -> np.ndarray:
    """Borda points per respondent and item: k - rank (top of k items gets k - 1)."""
    return filled.shape[1] - filled


def ranking_consensus(rankings: pd.DataFrame, study: object | None = None, n_boot: int = 2000,
                      seed: int | None = None, ci: float = 0.95,
                      plackett_luce: bool = False) -> pd.DataFrame:
    """National consensus on the ranking of each role's outcomes.

    Per role x code: mean rank (1 = most important) with a bootstrap interval over respondents,
    Borda score (k - rank summed over respondents) and its share of all points (``borda_share``,
    the weights form_fit uses), the share ranking the code in their top third, ``n`` =
    respondents with a ranking of that role. plackett_luce=True adds Plackett-Luce worths
    (sum to 1 per role) fitted with Hunter's MM algorithm.
    """
    _, _, _, _, min_n, _ = _settings(study)
    rng = _rng(seed, study)
    frames = []
    for role in sorted(rankings["role"].dropna().unique()):
        _, codes, filled, ranked = _rank_matrix(rankings, role)
        n, k = filled.shape
        if n == 0:
            continue
        borda = _borda(filled).sum(axis=0)
        cut = top_third(k)
        df = pd.DataFrame({
            "role": role, "code": codes, "mean_rank": filled.mean(axis=0),
            "ci_low": np.nan, "ci_high": np.nan, "borda": borda,
            "borda_share": borda / borda.sum() if borda.sum() else np.nan,
            "top_third_share": (filled <= cut).mean(axis=0),
            "n": n, "n_ranked": ranked.sum(axis=0),
        })
        if n_boot and n >= min_n:
            boots = [w @ filled / n for w in _multinomial_chunks(rng, n, n_boot, k)]
            df["ci_low"], df["ci_high"] = _quantiles(np.vstack(boots), ci)
        df["reason"] = _reason(np.full(k, n), min_n)
        if plackett_luce:
            df["pl_worth"] = plackett_luce_worths(filled, ranked)
        frames.append(df)
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["role", "code", "mean_rank", "ci_low", "ci_high", "borda", "borda_share",
                 "top_third_share", "n", "n_ranked", "reason"])
    for c in ("n", "n_ranked"):
        out[c] = out[c].astype("Int64")
    return out.sort_values(["role", "mean_rank", "code"], ignore_index=True)


def top_third(k: int) -> int:
    """Highest rank that counts as 'top third' of k outcomes: round(k/3), at least 1."""
    return max(1, int(np.floor(k / 3 + 0.5)))


def ranking_agreement(rankings: pd.DataFrame, study: object | None = None) -> pd.DataFrame:
    """Kendall's W and the Friedman test per role (pingouin.friedman on the filled ranks).

    One row per role: n respondents, k outcomes, W, Q, ddof, p; empty below min_group_size.
    """
    import pingouin as pg

    _, _, _, _, min_n, _ = _settings(study)
    rows = []
    for role in sorted(rankings["role"].dropna().unique()):
        ids, codes, filled, _ = _rank_matrix(rankings, role)
        n, k = filled.shape
        row = {"role": role, "n": n, "k": k, "W": np.nan, "Q": np.nan, "ddof": np.nan,
               "p": np.nan, "reason": _reason(np.array([n]), min_n)[0]}
        if n >= min_n and k >= 2 and n >= 3:
            long = pd.DataFrame({"respondent": np.repeat(ids, k), "code": np.tile(codes, n),
                                 "rank": filled.ravel()})
            res = pg.friedman(data=long, dv="rank", within="code", subject="respondent")
            pcol = "p_unc" if "p_unc" in res else "p-unc"
            row.update(W=float(res["W"].iloc[0]), Q=float(res["Q"].iloc[0]),
                       ddof=float(res["ddof1"].iloc[0]), p=float(res[pcol].iloc[0]))
        elif not row["reason"]:
            row["reason"] = "fewer than 3 respondents or 2 outcomes"
        rows.append(row)
    out = pd.DataFrame(rows, columns=["role", "n", "k", "W", "Q", "ddof", "p", "reason"])
    out[["n", "k"]] = out[["n", "k"]].astype("Int64")
    return out


def plackett_luce_worths(filled: np.ndarray, ranked: np.ndarray | None = None,
                         max_iter: int = 10_000, tol: float = 1e-10) -> np.ndarray:
    """Plackett-Luce worths (summing to 1) by Hunter's (2004) MM algorithm, vectorised.

    ``filled`` is respondents x items ranks (1 = first); ``ranked`` marks explicitly ranked
    cells. A respondent's ranked items are the successive choices; unranked items stay in every
    choice set of that respondent (top-m partial ranking). Ties among ranked items are broken by
    column order.
    """
    filled = np.asarray(filled, dtype=float)
    n, k = filled.shape
    if ranked is None:
        ranked = np.ones_like(filled, dtype=bool)
    m = ranked.sum(axis=1)
    key = np.where(ranked, filled, np.inf)
    order = np.argsort(key, axis=1, kind="stable")  # item at each position
    # choice stages: position r is a choice if r < m and r < k - 1 (last of a full ranking isn't)
    pos = np.arange(k)[None, :]
    stage = (pos < m[:, None]) & (pos < k - 1)
    wins = np.bincount(order[stage], minlength=k).astype(float)
    gamma = np.full(k, 1.0 / k)
    for _ in range(max_iter):
        g = gamma[order]
        tail = np.cumsum(g[:, ::-1], axis=1)[:, ::-1]  # sum of worths still in the choice set
        with np.errstate(divide="ignore"):
            inv = np.where(stage, 1.0 / tail, 0.0)
        contrib = np.cumsum(inv, axis=1)  # item at position l is in the sets of stages <= l
        denom = np.bincount(order.ravel(), weights=contrib.ravel(), minlength=k)
        with np.errstate(divide="ignore", invalid="ignore"):
            new = np.where(denom > 0, wins / denom, 0.0)
        new = new / new.sum()
        if np.max(np.abs(new - gamma)) < tol:
            gamma = new
            break
        gamma = new
    return gamma


# ---------------------------------------------------------------------------------------------
# survey: forms x outcomes


def _scored(scores: pd.DataFrame, scale: str | None = None) -> pd.DataFrame:
    """Scores with a numeric value (dont_know and not-shown rows dropped), value as float.

    ``scale`` keeps one scale only (in the same pass, to spare a copy of a large table).
    """
    v = _values(scores["value"])
    keep = ~np.isnan(v)
    if scale is not None:
        keep &= (scores["scale"] == scale).to_numpy(dtype=bool)
    out = scores.loc[keep, ["respondent", "role", "outcome", "form", "scale"]]
    return out.assign(value=v[keep])


def _codes(col: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes and sorted unique values of a key column (hash-based, linear time)."""
    codes, uniq = pd.factorize(col, sort=True)
    return codes, np.asarray(uniq)


def _score_codes(scores: pd.DataFrame, scale: str | None = None) -> dict[str, np.ndarray]:
    """The score rows that are scores, as integer-coded numpy arrays (no table copy).

    Keys: role/form/outcome/respondent codes with their ``*_values``, ``potential`` (bool) and
    ``value`` (float). ``scale`` keeps one scale only.
    """
    out: dict[str, np.ndarray] = {}
    keep = ~np.isnan(v := _values(scores["value"]))
    for k in ("role", "form", "outcome", "respondent"):
        out[k], out[f"{k}_values"] = _codes(scores[k])
        keep &= out[k] >= 0
    pot = (scores["scale"] == "potential").to_numpy(dtype=bool)
    cur = (scores["scale"] == "current").to_numpy(dtype=bool)
    keep &= (pot | cur) if scale is None else (pot if scale == "potential" else cur)
    for k in ("role", "form", "outcome", "respondent"):
        out[k] = out[k][keep]
    out["potential"], out["value"] = pot[keep], v[keep]
    return out


def _present(codes: np.ndarray, values: np.ndarray) -> list:
    """The values whose code occurs in ``codes`` (bincount, not sort), in sorted order."""
    return list(values[np.bincount(codes, minlength=len(values)) > 0])


def form_scores(scores: pd.DataFrame) -> pd.DataFrame:
    """Per role x form x outcome: mean current, mean potential, gap = potential - current.

    ``n_current``/``n_potential`` count the scores behind each mean; ``n`` counts respondents
    who gave either. "Weet niet" and missing answers are not scores. Computed with integer
    codes and bincount, so time grows linearly with the number of score cells.
    """
    keys = ["role", "form", "outcome"]
    cols = ["role", "form", "outcome", "current", "potential", "gap", "n_current",
            "n_potential", "n"]
    # integer codes of the full columns, then one mask: no copy of the (large) table
    (rc, roles), (fc, forms), (oc, outs) = (_codes(scores[k]) for k in keys)
    v = _values(scores["value"])
    sc = (scores["scale"] == "potential").to_numpy(dtype=bool)
    keep = ~np.isnan(v) & (rc >= 0) & (fc >= 0) & (oc >= 0) & (
        sc | (scores["scale"] == "current").to_numpy(dtype=bool))
    if not keep.any():
        return pd.DataFrame(columns=cols)
    pc, _ = pd.factorize(scores["respondent"])
    rc, fc, oc, sc, v, pc = rc[keep], fc[keep], oc[keep], sc[keep], v[keep], pc[keep]
    nf, no = len(forms), len(outs)
    cell = (rc * nf + fc) * no + oc
    ncell = len(roles) * nf * no
    idx = cell * 2 + sc.astype(np.int64)
    tot = np.bincount(idx, weights=v, minlength=2 * ncell).reshape(ncell, 2)
    cnt = np.bincount(idx, minlength=2 * ncell).reshape(ncell, 2)
    # respondents per cell: distinct (respondent, cell) pairs; a respondent has one role, so
    # the pair key needs only form x outcome
    fo = fc * no + oc
    present = np.bincount(pc.astype(np.int64) * (nf * no) + fo,
                          minlength=(pc.max() + 1) * nf * no) > 0
    first = np.zeros(pc.max() + 1, dtype=np.int64)
    first[pc] = rc  # the respondent's role code
    per_resp = present.reshape(-1, nf * no)
    n = np.vstack([per_resp[first == r].sum(axis=0) for r in range(len(roles))]).ravel()
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = tot / cnt
    grid = np.stack(np.meshgrid(np.arange(len(roles)), np.arange(nf), np.arange(no),
                                indexing="ij"), -1).reshape(-1, 3)
    out = pd.DataFrame({"role": roles[grid[:, 0]], "form": forms[grid[:, 1]],
                        "outcome": outs[grid[:, 2]], "current": mean[:, 0],
                        "potential": mean[:, 1], "n_current": cnt[:, 0],
                        "n_potential": cnt[:, 1], "n": n})
    out["gap"] = out["potential"] - out["current"]
    out = out[(out["n_current"] + out["n_potential"]) > 0].reset_index(drop=True)
    for c in ("n_current", "n_potential", "n"):
        out[c] = out[c].astype("Int64")
    return out[cols]


def respondent_form_means(scores: pd.DataFrame, paired: bool = False) -> pd.DataFrame:
    """Per respondent x form: mean current and mean potential over the outcomes they scored.

    paired=True keeps only outcomes the respondent scored on both scales, so the two means
    describe the same cells (the pairing of the Wilcoxon test).
    """
    s = _scored(scores)
    wide = s.pivot_table(index=["respondent", "role", "form", "outcome"], columns="scale",
                         values="value", aggfunc="mean", observed=True)
    for sc in ("current", "potential"):
        if sc not in wide:
            wide[sc] = np.nan
    if paired:
        wide = wide.dropna(subset=["current", "potential"])
    out = wide.groupby(level=["respondent", "role", "form"], observed=True)[
        ["current", "potential"]].mean()
    out.columns.name = None
    return out.reset_index()


def holm(p: pd.Series) -> pd.Series:
    """Holm's step-down adjusted p-values over the non-missing values of ``p`` (missing stay).

    Sorted ascending, the i-th smallest of m p-values becomes (m - i + 1) p, made monotone
    from the smallest up and capped at 1 (Holm, 1979).
    """
    out = pd.Series(np.nan, index=p.index, dtype=float)
    ok = p.notna().to_numpy()
    values = p.to_numpy(dtype=float, na_value=np.nan)[ok]
    if len(values):
        order = np.argsort(values, kind="stable")
        m = len(values)
        stepped = np.maximum.accumulate((m - np.arange(m)) * values[order])
        adjusted = np.empty(m)
        adjusted[order] = np.minimum(stepped, 1.0)
        out[ok] = adjusted
    return out


def form_change_test(scores: pd.DataFrame, study: object | None = None) -> pd.DataFrame:
    """Does each form serve better in potential than now? Paired Wilcoxon per role x form.

    Pairing: per respondent, the mean over outcomes scored on both scales (current vs
    potential). Reports medians-free effect size as the matched-pairs rank-biserial correlation
    r = (R+ - R-) / (R+ + R-) over non-zero differences (positive: potential higher), the
    two-sided p and Holm-corrected p across the forms of one role. ``n`` = respondents paired.
    """
    from scipy.stats import rankdata, wilcoxon

    _, _, _, _, min_n, _ = _settings(study)
    m = respondent_form_means(scores, paired=True)
    rows = []
    for (role, form), g in m.groupby(["role", "form"], observed=True, sort=True):
        d = (g["potential"] - g["current"]).to_numpy()
        n = len(d)
        row = {"role": role, "form": form, "n": n, "current": g["current"].mean(),
               "potential": g["potential"].mean(), "statistic": np.nan, "p": np.nan,
               "r_rb": np.nan}
        nz = d[d != 0]
        if len(nz):
            rk = rankdata(np.abs(nz))
            rp, rm = rk[nz > 0].sum(), rk[nz < 0].sum()
            row["r_rb"] = (rp - rm) / (rp + rm)
        if n >= min_n and len(nz):
            res = wilcoxon(g["potential"].to_numpy(), g["current"].to_numpy())
            row["statistic"], row["p"] = float(res.statistic), float(res.pvalue)
        rows.append(row)
    out = pd.DataFrame(rows, columns=["role", "form", "n", "current", "potential", "statistic",
                                      "p", "r_rb"])
    out["p_holm"] = out.groupby("role")["p"].transform(holm) if len(out) else np.nan
    out["reason"] = _reason(out["n"], min_n)
    out.loc[(out["reason"] == "") & out["p"].isna(), "reason"] = "all differences are zero"
    out["n"] = out["n"].astype("Int64")
    return out


def form_side_test(scores: pd.DataFrame, study: object | None = None) -> pd.DataFrame:
    """hbo versus mkb per form and scale: Mann-Whitney U on respondents' mean form scores.

    Each respondent's score of a form is their mean over the outcomes of their own side (the two
    sides rate different outcomes, so this compares "how well does the form serve my side").
    r_rb = 2 U_hbo / (n_hbo n_mkb) - 1 (positive: hbo scores higher); Holm across forms per
    scale.
    """
    from scipy.stats import mannwhitneyu

    _, _, _, _, min_n, _ = _settings(study)
    m = respondent_form_means(scores).melt(
        id_vars=["respondent", "role", "form"], value_vars=["current", "potential"],
        var_name="scale", value_name="value").dropna(subset=["value"])
    rows = []
    for (form, scale), g in m.groupby(["form", "scale"], observed=True, sort=True):
        a = g.loc[g["role"] == "hbo", "value"].to_numpy()
        b = g.loc[g["role"] == "mkb", "value"].to_numpy()
        row = {"form": form, "scale": scale, "n_hbo": len(a), "n_mkb": len(b),
               "n": len(a) + len(b), "mean_hbo": a.mean() if len(a) else np.nan,
               "mean_mkb": b.mean() if len(b) else np.nan, "U": np.nan, "p": np.nan,
               "r_rb": np.nan}
        if min(len(a), len(b)) >= min_n:
            res = mannwhitneyu(a, b, alternative="two-sided")
            row["U"], row["p"] = float(res.statistic), float(res.pvalue)
            row["r_rb"] = 2 * row["U"] / (len(a) * len(b)) - 1
        rows.append(row)
    out = pd.DataFrame(rows, columns=["form", "scale", "n_hbo", "n_mkb", "n", "mean_hbo",
                                      "mean_mkb", "U", "p", "r_rb"])
    out["p_holm"] = out.groupby("scale")["p"].transform(holm) if len(out) else np.nan
    out["reason"] = _reason(np.minimum(out["n_hbo"], out["n_mkb"]), min_n)
    for c in ("n_hbo", "n_mkb", "n"):
        out[c] = out[c].astype("Int64")
    return out


def _respondent_cells(resp_code: np.ndarray, cell: np.ndarray, values: np.ndarray,
                      n_resp: int, n_cells: int) -> tuple[np.ndarray, np.ndarray]:
    """Respondent x cell matrices of score sums and counts, via bincount."""
    ok = cell >= 0
    flat = resp_code[ok].astype(np.int64) * n_cells + cell[ok]
    size = n_resp * n_cells
    sums = np.bincount(flat, weights=values[ok], minlength=size).reshape(n_resp, -1)
    cnt = np.bincount(flat, minlength=size).reshape(n_resp, -1).astype(float)
    return sums, cnt


def _fit_of(tot: np.ndarray, cnt: np.ndarray, w: np.ndarray, nf: int, no: int) -> np.ndarray:
    """Cell sums/counts (..., forms*outcomes*2) and weights (..., outcomes) -> fit (..., forms, 2).

    Outcomes without scores for a form drop out of that form's weighted mean.
    """
    shape = tot.shape[:-1] + (nf, no, 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = tot.reshape(shape) / cnt.reshape(shape)
        ww = np.broadcast_to(np.asarray(w, dtype=float)[..., None, :, None], shape)
        has = ~np.isnan(mean)
        return np.where(has, mean * ww, 0).sum(-2) / np.where(has, ww, 0).sum(-2)


def form_fit(scores: pd.DataFrame, rankings: pd.DataFrame, study: object | None = None,
             weights: pd.DataFrame | None = None, n_boot: int = 2000, seed: int | None = None,
             ci: float = 0.95) -> pd.DataFrame:
    """How well each form serves a side's outcomes: importance-weighted mean score.

    fit(form, scale) = sum_o w_o mean(form, o, scale) / sum_o w_o over the outcomes o of the role
    with scores for that form. Weights default to the normalised Borda score of the role's
    ranking consensus; pass ``weights`` (role, code, weight) to override. The bootstrap
    resamples respondents of the role, recomputing cell means and (default) Borda weights from
    the same resample. Sorted best first within role and scale.
    """
    _, _, _, _, min_n, _ = _settings(study)
    rng = _rng(seed, study)
    a = _score_codes(scores)
    frames = []
    for ri, role in enumerate(a["role_values"]):
        m = a["role"] == ri
        fc, oc, pc0, val = a["form"][m], a["outcome"][m], a["respondent"][m], a["value"][m]
        forms = _present(fc, a["form_values"])
        present = set(_present(oc, a["outcome_values"]))
        if weights is not None:
            wt = weights[weights["role"] == role].set_index("code")["weight"].astype(float)
            outcomes = sorted(present & set(wt.index))
            wvec, R = wt.reindex(outcomes).to_numpy(), None
        else:
            ids, codes, filled, _ = _rank_matrix(rankings, role)
            outcomes = sorted(present & set(codes))
            col = [codes.index(o) for o in outcomes]
            R = _borda(filled)[:, col]
            wvec = R.sum(axis=0)
        nf, no = len(forms), len(outcomes)
        ncells = nf * no * 2
        # local positions of this role's forms and outcomes (-1: not in the grid)
        fpos = pd.Index(forms).get_indexer(a["form_values"])[fc]
        opos = pd.Index(outcomes).get_indexer(a["outcome_values"])[oc]
        ok = (fpos >= 0) & (opos >= 0)
        ci_ = np.where(ok, (fpos * no + opos) * 2 + a["potential"][m], -1)
        # point estimate from cell sums (no respondent matrix needed)
        tot = np.bincount(ci_[ok], weights=val[ok], minlength=ncells)
        cnt = np.bincount(ci_[ok], minlength=ncells).astype(float)
        point = _fit_of(tot, cnt, wvec, nf, no)
        # respondents per form x scale: distinct (respondent, form, scale) via bincount
        pc, resp_idx = pd.factorize(pc0, sort=True)
        resp = a["respondent_values"][resp_idx]
        fs = (ci_ // (no * 2)) * 2 + ci_ % 2
        seen = np.bincount(pc[ok].astype(np.int64) * (nf * 2) + fs[ok],
                           minlength=len(resp) * nf * 2) > 0
        df = pd.DataFrame({"role": role, "form": np.repeat(forms, 2),
                           "scale": np.tile(["current", "potential"], nf),
                           "fit": point.ravel(),
                           "n": seen.reshape(len(resp), -1).sum(axis=0)})
        df["ci_low"], df["ci_high"] = np.nan, np.nan
        if n_boot and len(resp) >= min_n:
            S, C = _respondent_cells(pc, ci_, val, len(resp), ncells)
            if R is not None:  # align ranking rows to scoring respondents (zeros if unranked)
                pos = pd.Index(ids).get_indexer(resp)
                Rr = np.where(pos[:, None] >= 0, R[np.clip(pos, 0, None)], 0.0)
            boots = []
            for w in _multinomial_chunks(rng, len(resp), n_boot, S.shape[1]):
                bw = w @ Rr if R is not None else np.broadcast_to(wvec, (len(w), no))
                boots.append(_fit_of(w @ S, w @ C, bw, nf, no).reshape(len(w), -1))
            df["ci_low"], df["ci_high"] = _quantiles(np.vstack(boots), ci)
        df["reason"] = _reason(np.full(len(df), len(resp)), min_n)
        frames.append(df)
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["role", "form", "scale", "fit", "n", "ci_low", "ci_high", "reason"])
    out["n"] = out["n"].astype("Int64")
    out = out.sort_values(["role", "scale", "fit"], ascending=[True, True, False],
                          ignore_index=True)
    return out[["role", "form", "scale", "fit", "ci_low", "ci_high", "n", "reason"]]


def survey_landscape(scores: pd.DataFrame, rankings: pd.DataFrame, study: object | None = None,
                     n_boot: int = 0, seed: int | None = None, ci: float = 0.95) -> pd.DataFrame:
    """The national served landscape of each side from the survey.

    Per role x outcome: I = 10 x share of the role's respondents ranking the outcome in their top
    third (rank <= round(k/3)); S = 10 x share of current scores of all forms for that outcome
    that are >= study.top_box; then O, served class, band. n_I = respondents ranking, n_S =
    current scores, n = respondents contributing to either. n_boot > 0 adds a respondent
    bootstrap interval for O.
    """
    thresholds, top_box, _, _, min_n, _ = _settings(study)
    rng = _rng(seed, study)
    a = _score_codes(scores, scale="current")
    frames = []
    roles = sorted(set(rankings["role"].dropna().unique()) | set(a["role_values"]))
    role_index = {r: i for i, r in enumerate(a["role_values"])}
    for role in roles:
        ids, codes, filled, _ = _rank_matrix(rankings, role)
        m = a["role"] == role_index.get(role, -1)
        oc, pc, val = a["outcome"][m], a["respondent"][m], a["value"][m]
        outcomes = sorted(set(codes) | set(_present(oc, a["outcome_values"])))
        k = len(codes)
        cut = top_third(k) if k else 0
        top = np.zeros((len(ids), len(outcomes)))
        if k:
            top[:, [outcomes.index(c) for c in codes]] = filled <= cut
        oi = pd.Index(outcomes).get_indexer(a["outcome_values"])[oc]
        box = (val >= top_box).astype(float)
        s_top = np.bincount(oi, weights=box, minlength=len(outcomes))
        s_n = np.bincount(oi, minlength=len(outcomes)).astype(float)
        n_i = np.full(len(outcomes), float(len(ids)))
        with np.errstate(invalid="ignore", divide="ignore"):
            i_score = np.where(np.isin(outcomes, codes), 10 * top.sum(axis=0) / n_i, np.nan)
            s_score = 10 * s_top / s_n
        scorers = np.asarray(_present(pc, a["respondent_values"])) if len(pc) else np.array([])
        resp = np.union1d(ids, scorers)
        df = pd.DataFrame({"role": role, "code": outcomes, "I": i_score, "S": s_score,
                           "n_I": n_i.astype(int), "n_S": s_n.astype(int), "n": len(resp)})
        df = pd.concat([df, opportunity(i_score, s_score, thresholds)], axis=1)
        df["O_low"], df["O_high"] = np.nan, np.nan
        if n_boot and len(resp) >= min_n:
            pos = pd.Index(ids).get_indexer(resp)
            T = np.where(pos[:, None] >= 0, top[np.clip(pos, 0, None)], 0.0)
            has_rank = (pos >= 0).astype(float)
            ri = pd.Index(resp).get_indexer(a["respondent_values"])[pc]
            flat = ri * len(outcomes) + oi
            size = len(resp) * len(outcomes)
            B = np.bincount(flat, weights=box, minlength=size).reshape(len(resp), -1)
            N = np.bincount(flat, minlength=size).reshape(len(resp), -1).astype(float)
            boots = []
            for w in _multinomial_chunks(rng, len(resp), n_boot, 3 * len(outcomes)):
                with np.errstate(invalid="ignore", divide="ignore"):
                    bi = 10 * (w @ T) / (w @ has_rank)[:, None]
                    bs = 10 * (w @ B) / (w @ N)
                boots.append(bi + np.clip(bi - bs, 0, None))
            df["O_low"], df["O_high"] = _quantiles(np.vstack(boots), ci)
        df["reason"] = _reason(np.full(len(df), len(resp)), min_n)
        frames.append(df)
    out = pd.concat(frames, ignore_index=True)
    for c in ("n_I", "n_S", "n"):
        out[c] = out[c].astype("Int64")
    return out.sort_values(["role", "O"], ascending=[True, False], ignore_index=True)


# ---------------------------------------------------------------------------------------------
# survey: ordinal model


def ordinal_model(scores: pd.DataFrame, respondents: pd.DataFrame, study: object | None = None,
                  method: str = "cluster", n_boot: int = 49, seed: int | None = None,
                  ci: float = 0.95) -> pd.DataFrame:
    """Proportional-odds (ordered logit) model of scores on scale, side and region.

    value ~ scale (potential vs current) + role (mkb vs hbo) + region (vs the first region), with
    uncertainty that respects that one respondent gives many scores: method="cluster" uses the
    respondent-clustered sandwich covariance (fast, the default); method="bootstrap" refits on
    n_boot resamples of respondents (percentile intervals, no p). Reported as odds ratios:
    OR > 1 means higher scores are more likely. ``n`` = scores, ``n_respondents`` = clusters.
    """
    from scipy.stats import norm
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    _, _, lo_s, hi_s, min_n, _ = _settings(study)
    s = _scored(scores).merge(respondents[["respondent", "region"]].drop_duplicates("respondent"),
                              on="respondent", how="left").dropna(subset=["region", "role"])
    regions = list(getattr(study, "region_slugs", None) or sorted(s["region"].unique()))
    regions = [r for r in regions if r in set(s["region"].unique())]
    X = pd.DataFrame({"scale[potential]": (s["scale"] == "potential").astype(float),
                      "role[mkb]": (s["role"] == "mkb").astype(float)}, index=s.index)
    for r in regions[1:]:
        X[f"region[{r}]"] = (s["region"] == r).astype(float)
    X = X.loc[:, X.std() > 0]
    cols = ["term", "odds_ratio", "ci_low", "ci_high", "p", "n", "n_respondents", "method",
            "reason"]
    groups = pd.factorize(s["respondent"])[0]
    n_resp = int(groups.max() + 1) if len(groups) else 0
    if n_resp < max(min_n, 2) or X.shape[1] == 0:
        return pd.DataFrame([{"term": None, "n": len(s), "n_respondents": n_resp,
                              "method": method,
                              "reason": _reason(np.array([n_resp]), min_n)[0] or
                              "no variation in scale, side or region"}], columns=cols)
    y = pd.Series(pd.Categorical(s["value"].astype(int),
                                 categories=list(range(lo_s, hi_s + 1)), ordered=True),
                  index=s.index)
    y = y.cat.remove_unused_categories()
    Xv = X.to_numpy()
    model = OrderedModel(y.to_numpy(), Xv, distr="logit")
    start = None
    z = norm.ppf(1 - (1 - ci) / 2)
    if method == "cluster":
        res = model.fit(method="bfgs", disp=False, maxiter=500, cov_type="cluster",
                        cov_kwds={"groups": groups})
        beta = np.asarray(res.params)[: X.shape[1]]
        se = np.asarray(res.bse)[: X.shape[1]]
        lo, hi, p = beta - z * se, beta + z * se, np.asarray(res.pvalues)[: X.shape[1]]
    elif method == "bootstrap":
        res = model.fit(method="bfgs", disp=False, maxiter=500)
        beta = np.asarray(res.params)[: X.shape[1]]
        start = np.asarray(res.params)
        rng = _rng(seed, study)
        order = np.argsort(groups, kind="stable")
        sizes = np.bincount(groups)
        starts = np.r_[0, np.cumsum(sizes)[:-1]]
        draws = []
        for _ in range(n_boot):  # loop over resamples (few), not over respondents
            pick = rng.integers(0, n_resp, n_resp)
            rows = order[np.repeat(starts[pick], sizes[pick])
                         + _ragged_arange(sizes[pick])]
            yb = pd.Categorical(y.to_numpy()[rows], categories=y.cat.categories,
                                ordered=True)
            xb = Xv[rows]
            if (xb.std(axis=0) == 0).any() or len(pd.unique(yb.codes)) < len(y.cat.categories):
                continue
            rb = OrderedModel(yb, xb, distr="logit").fit(
                start_params=start, method="bfgs", disp=False, maxiter=200)
            draws.append(np.asarray(rb.params)[: X.shape[1]])
        lo, hi = _quantiles(np.array(draws), ci) if draws else (beta * np.nan, beta * np.nan)
        p = np.full(len(beta), np.nan)
    else:
        raise ValueError(f"method '{method}'; expected cluster or bootstrap")
    return pd.DataFrame({"term": list(X.columns), "odds_ratio": np.exp(beta),
                         "ci_low": np.exp(lo), "ci_high": np.exp(hi), "p": p, "n": len(s),
                         "n_respondents": n_resp, "method": method, "reason": ""},
                        columns=cols)


def _ragged_arange(sizes: np.ndarray) -> np.ndarray:
    """Concatenation of arange(s) for each s in sizes, without a Python loop."""
    sizes = np.asarray(sizes, dtype=np.int64)
    total = int(sizes.sum())
    starts = np.repeat(np.cumsum(sizes) - sizes, sizes)
    return np.arange(total) - starts
