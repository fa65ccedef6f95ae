"""Workshop scores: opportunities (ODI), the regional top 3s and the quadrants.

All functions take tidy tables (docs/tables.md) and return tidy DataFrames with an ``n`` column
for whatever they count or average. Definitions and the reasons for them are in docs/methods.md;
the survey's scores are in :mod:`hbomkb.analysis.survey_scores`, which shares the helpers here.

Conventions shared by every score, workshop and survey alike:

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

from hbomkb.analysis.intervals import (
    BOOTSTRAP_MIN_N,
    SHARE_METHODS,
    opportunity_interval,
    share_interval,
)
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


def _quantiles(boot: np.ndarray, ci: float, method: str = "linear"
               ) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval along axis 0, ignoring resamples where the statistic is undefined.

    ``method`` is numpy's quantile method ("lower"/"higher" keep a discrete statistic on its
    own values)."""
    a = (1 - ci) / 2
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns give NaN, quietly
        lo, hi = np.nanquantile(boot, [a, 1 - a], axis=0, method=method)
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

    ``place`` and ``top3`` apply the one definition of the national top 3
    (:func:`top3_status`, rule "groups"): ``place`` is the competition rank by ``n`` (1, 1, 3
    …) and ``top3`` says "yes" (in the top 3), "tie" (in it only because it ties at third
    place with others) or "no".
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
    agg = agg.sort_values(order, ascending=asc, ignore_index=True)
    status = top3_status(agg, "groups", keys)
    agg["place"], agg["top3"] = status["place"].astype("Int64"), status["top3"]
    columns = [*keys, "code", "n", "picks", "points", "regions", "groups", "share", "place",
               "top3"]
    return agg[columns]


# The rules a national top 3 can be read by. "groups" is the definition every table, figure and
# sentence uses; the other two are the sensitivity check of the common-ground conclusion.
TOP3_RULES = {
    "groups": ("n",),           # groups that chose the code; ties at third place included
    "points": ("n", "points"),  # the same, ties in n broken by 3/2/1 points
    "picks": ("picks",),        # top-3 places instead of groups
}


def top3_status(counts: pd.DataFrame, rule: str = "groups", by: list[str] | None = None,
                size: int = 3) -> pd.DataFrame:
    """Which codes make the national top ``size`` under ``rule`` (:data:`TOP3_RULES`).

    ``counts`` has one row per code (and ``by`` group, e.g. role) with the columns the rule
    sorts on. A code is in the top 3 when its sort key is at least that of the third-placed
    code: ties at third place are all included, never cut arbitrarily. Returns, aligned with
    ``counts``: ``place`` (competition rank, 1 = most: 1, 1, 3 …) and ``top3`` = "yes", "tie"
    (in only through a tie at the cut: more than ``size`` codes reach it) or "no".
    """
    if rule not in TOP3_RULES:
        raise ValueError(f"rule '{rule}'; expected one of {', '.join(TOP3_RULES)}")
    cols = list(TOP3_RULES[rule])
    place = pd.Series(np.nan, index=counts.index)
    status = pd.Series("no", index=counts.index, dtype=object)
    groups = (counts.groupby(by if len(by) > 1 else by[0], sort=False).groups.values() if by
              else [counts.index])
    for idx in groups:
        part = counts.loc[idx, cols].astype(float)
        key = list(map(tuple, part.to_numpy()))
        # competition rank: 1 + the number of codes with a strictly larger key
        place.loc[idx] = [1 + sum(other > k for other in key) for k in key]
        if len(key) <= size:
            status.loc[idx] = "yes"
            continue
        cut = sorted(key, reverse=True)[size - 1]
        reach = sum(k >= cut for k in key)
        status.loc[idx] = ["yes" if k > cut or (k == cut and reach <= size) else
                           "tie" if k == cut else "no" for k in key]
    return pd.DataFrame({"place": place, "top3": status})


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


def rater_values(ratings: pd.DataFrame, keys: list[str], study: object | None = None,
                 method: str = "top2box") -> pd.DataFrame:
    """One value per rater and item: the rule that makes raters, not rating rows, count.

    A rater is a participant of one side in one region (participant ids repeat across
    regions). Nationally one rater may have rated two regional clusters that carry the same
    national code; their ratings of that code are averaged first, then the top-box rule is
    applied to the mean (mean >= study.top_box counts as top box), so each rater counts once.
    method="mean" rescales the rater's mean to 0-1 instead. Returns ``keys`` + ``rater`` with
    ``imp``/``sat`` (0/1 top box, or the rescaled mean; NaN where the rater gave no rating).
    """
    _, top_box, lo_s, hi_s, _, _ = _settings(study)
    r = ratings
    if "participant" in r:
        rater = (r["region"].astype(str) + "\0" if "region" in r else "") + \
            r["role"].astype(str) + "\0" + r["participant"].astype(str)
    else:  # no rater ids: every row is its own rater
        rater = pd.Series(np.arange(len(r)).astype(str), index=r.index)
    d = r[keys].assign(rater=rater.to_numpy(), imp=_values(r["importance"]),
                       sat=_values(r["satisfaction"]))
    g = d.groupby([*keys, "rater"], dropna=False, sort=True)[["imp", "sat"]].mean().reset_index()
    if method == "top2box":
        for c in ("imp", "sat"):
            v = g[c].to_numpy()
            g[c] = np.where(np.isnan(v), np.nan, (np.round(v, 9) >= top_box).astype(float))
    else:
        g[["imp", "sat"]] = (g[["imp", "sat"]] - lo_s) / (hi_s - lo_s)
    return g


def odi(ratings: pd.DataFrame, study: object | None = None, scope: str = "region",
        method: str = "top2box", interval: str = "exact", n_boot: int = 2000,
        seed: int | None = None, ci: float = 0.95) -> pd.DataFrame:
    """Importance, satisfaction and opportunity of each cluster, within one role (and region).

    ``ratings`` is the ``outcome_ratings`` table. scope="region": one row per role x region x
    regional cluster (segment = role in a region); scope="national": one row per role x national
    code, raters of one role pooled over regions (never across roles).

    Raters count, not rating rows (:func:`rater_values`): ``n`` is the number of raters,
    ``n_importance``/``n_satisfaction`` those who gave that rating. method="top2box" (the
    default, Ulwick's definition): I and S are the share of raters at or above study.top_box,
    times 10. method="mean" is the labelled, not-recommended variant that rescales the mean
    rating to 0-10.

    Intervals (columns I_low … O_high, and ``interval`` naming the method): interval="exact"
    (default) gives Clopper-Pearson intervals for I and S and O's conservative interval from
    their 97.5 % bounds (:func:`hbomkb.analysis.intervals.opportunity_interval`);
    interval="wilson" the same with Wilson score intervals; interval="bootstrap" a percentile
    bootstrap over raters (``n_boot`` resamples), given only where n >= BOOTSTRAP_MIN_N. The
    mean variant has bootstrap intervals only. Empty below min_group_size, with ``reason``.
    """
    thresholds, _, _, _, min_n, _ = _settings(study)
    if method not in ("top2box", "mean"):
        raise ValueError(f"method '{method}'; expected top2box or mean")
    if interval not in ("exact", "wilson", "bootstrap"):
        raise ValueError(f"interval '{interval}'; expected exact, wilson or bootstrap")
    if scope == "region":
        keys = ["role", "region", "cluster", "code"]
    elif scope == "national":
        keys = ["role", "code"]
    else:
        raise ValueError(f"scope '{scope}'; expected region or national")
    r = ratings.dropna(subset=[k for k in keys if k != "code"] + (
        ["code"] if scope == "national" else []))
    v = rater_values(r, keys, study, method)
    v = v[~(v["imp"].isna() & v["sat"].isna())].reset_index(drop=True)
    gid, uniq = pd.MultiIndex.from_frame(v[keys].astype(object).fillna("\0")).factorize()
    imp, sat = v["imp"].to_numpy(), v["sat"].to_numpy()
    ivalid, svalid = ~np.isnan(imp), ~np.isnan(sat)
    arrays = [np.where(ivalid, imp, 0.0), ivalid.astype(float),
              np.where(svalid, sat, 0.0), svalid.astype(float)]
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
    for c in ("I_low", "I_high", "S_low", "S_high", "O_low", "O_high"):
        out[c] = np.nan
    out["interval"] = ""
    out["reason"] = _reason(n, min_n)
    ok = n >= min_n
    if interval != "bootstrap" and method == "top2box":
        share = "beta" if interval == "exact" else "wilson"
        bounds = {}
        for col, j in (("I", 0), ("S", 2)):
            lo, hi = share_interval(sums[j], sums[j + 1], ci, share)
            bounds[f"{col}_low"], bounds[f"{col}_high"] = 10 * lo, 10 * hi
        bounds["O_low"], bounds["O_high"] = opportunity_interval(
            sums[0], sums[1], sums[2], sums[3], ci, share)
        for c, val in bounds.items():
            out.loc[ok, c] = val[ok]
        out.loc[ok, "interval"] = f"{SHARE_METHODS[share]} (O: conservative)"
    else:
        big = ok & (n >= BOOTSTRAP_MIN_N)
        small = ok & ~big
        out.loc[small, "reason"] = f"n < {BOOTSTRAP_MIN_N}: no bootstrap interval"
        if n_boot and big.any():
            order = np.argsort(gid, kind="stable")
            rng = _rng(seed, study)
            boots = {"I": [], "S": [], "O": []}
            for ch in _group_bootstrap(gid[order], [a[order] for a in arrays], n_boot, rng):
                with np.errstate(invalid="ignore", divide="ignore"):
                    bi, bs = 10 * ch[0] / ch[1], 10 * ch[2] / ch[3]
                boots["I"].append(bi)
                boots["S"].append(bs)
                boots["O"].append(bi + np.clip(bi - bs, 0, None))
            for col, b in boots.items():
                lo, hi = _quantiles(np.vstack(b), ci)
                out.loc[big, f"{col}_low"], out.loc[big, f"{col}_high"] = lo[big], hi[big]
            out.loc[big, "interval"] = "percentile bootstrap over raters"
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
