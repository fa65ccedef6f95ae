"""Survey scores: ranking consensus and agreement, forms x outcomes, form fit and its
differences, and the survey's served landscape (the ordinal model is in
:mod:`hbomkb.analysis.ordinal`).

Inputs are the survey's tidy tables (``rankings``, ``scores``, ``respondents``; docs/tables.md);
every function returns a tidy DataFrame with its ``n``. The conventions (``reason`` below
``min_group_size``, seeded vectorised bootstraps, roles never pooled) and the helpers that carry
them out are those of :mod:`hbomkb.analysis.score`. Definitions: docs/methods.md.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
from scipy.stats import mannwhitneyu, rankdata, wilcoxon
from statsmodels.stats.multitest import multipletests

from hbomkb.analysis.intervals import (
    BOOTSTRAP_MIN_N,
    exact_where_flat,
    places,
    relative_class,
    top_third,
)
from hbomkb.analysis.score import (
    _multinomial_chunks,
    _quantiles,
    _reason,
    _rng,
    _settings,
    _values,
)

# ---------------------------------------------------------------------------------------------
# rankings


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
                      seed: int | None = None, ci: float = 0.95) -> pd.DataFrame:
    """National consensus on the ranking of each role's outcomes.

    Per role x code: mean rank (1 = most important) with a bootstrap interval over respondents
    (given from BOOTSTRAP_MIN_N respondents on; ``reason`` says why it is empty),
    Borda score (k - rank summed over respondents) and its share of all points (``borda_share``,
    the weights form_fit uses), the share ranking the code in their top third, ``n`` =
    respondents with a ranking of that role.
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
        if n_boot and n >= max(min_n, BOOTSTRAP_MIN_N):
            boots = [w @ filled / n for w in _multinomial_chunks(rng, n, n_boot, k)]
            df["ci_low"], df["ci_high"] = _quantiles(np.vstack(boots), ci)
        df["reason"] = _boot_reason(n, min_n) if n_boot else _reason(np.full(k, n), min_n)
        frames.append(df)
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["role", "code", "mean_rank", "ci_low", "ci_high", "borda", "borda_share",
                 "top_third_share", "n", "n_ranked", "reason"])
    for c in ("n", "n_ranked"):
        out[c] = out[c].astype("Int64")
    return out.sort_values(["role", "mean_rank", "code"], ignore_index=True)


def ranking_agreement(rankings: pd.DataFrame, study: object | None = None) -> pd.DataFrame:
    """Kendall's W and the Friedman test per role (pingouin.friedman on the filled ranks).

    One row per role: n respondents, k outcomes, W, Q, ddof, p; empty below min_group_size.
    """
    # Deferred: pingouin takes about 0.3 s to import and only this function needs it, which
    # the region reports, importing this module for ranking_consensus, never call.
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


# ---------------------------------------------------------------------------------------------
# forms x outcomes


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
    from the smallest up and capped at 1 (Holm, 1979); computed by statsmodels'
    ``multipletests(method="holm")``.
    """
    out = pd.Series(np.nan, index=p.index, dtype=float)
    ok = p.notna().to_numpy()
    if ok.any():
        out[ok] = multipletests(p[ok].to_numpy(dtype=float), method="holm")[1]
    return out


def form_change_test(scores: pd.DataFrame, study: object | None = None) -> pd.DataFrame:
    """Does each form serve better in potential than now? Paired Wilcoxon per role x form.

    Pairing: per respondent, the mean over outcomes scored on both scales (current vs
    potential). Reports medians-free effect size as the matched-pairs rank-biserial correlation
    r = (R+ - R-) / (R+ + R-) over non-zero differences (positive: potential higher), the
    two-sided p and Holm-corrected p across the forms of one role. ``n`` = respondents paired.
    """
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


def _fit_parts(scores: pd.DataFrame, rankings: pd.DataFrame, study: object | None,
               weights: pd.DataFrame | None, n_boot: int, seed: int | None
               ) -> Iterator[tuple[str, list, np.ndarray, np.ndarray, int, np.ndarray | None]]:
    """Per role: (role, forms, point fit (forms x 2), respondents per form x scale, number of
    respondents, bootstrap fits (resamples x forms x 2) or None).

    The bootstrap resamples the role's respondents (only when there are at least
    BOOTSTRAP_MIN_N), recomputing cell means and (default) Borda weights from the same
    resample; scale index 0 = current, 1 = potential.
    """
    rng = _rng(seed, study)
    a = _score_codes(scores)
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
        n_fs = seen.reshape(len(resp), -1).sum(axis=0).reshape(nf, 2)
        boots = None
        if n_boot and len(resp) >= BOOTSTRAP_MIN_N:
            S, C = _respondent_cells(pc, ci_, val, len(resp), ncells)
            if R is not None:  # align ranking rows to scoring respondents (zeros if unranked)
                pos = pd.Index(ids).get_indexer(resp)
                Rr = np.where(pos[:, None] >= 0, R[np.clip(pos, 0, None)], 0.0)
            parts = []
            for w in _multinomial_chunks(rng, len(resp), n_boot, S.shape[1]):
                bw = w @ Rr if R is not None else np.broadcast_to(wvec, (len(w), no))
                parts.append(_fit_of(w @ S, w @ C, bw, nf, no))
            boots = np.concatenate(parts)
        yield role, forms, point, n_fs, len(resp), boots


def _boot_reason(n: int, min_n: int) -> str:
    """Why a bootstrap interval is empty: too few units for any inference, or for a bootstrap."""
    small = _reason(np.array([n]), min_n)[0]
    return small or (f"n = {n} < {BOOTSTRAP_MIN_N}: no bootstrap interval"
                     if n < BOOTSTRAP_MIN_N else "")


def form_fit(scores: pd.DataFrame, rankings: pd.DataFrame, study: object | None = None,
             weights: pd.DataFrame | None = None, n_boot: int = 2000, seed: int | None = None,
             ci: float = 0.95) -> pd.DataFrame:
    """How well each form serves a side's outcomes: importance-weighted mean score.

    fit(form, scale) = sum_o w_o mean(form, o, scale) / sum_o w_o over the outcomes o of the role
    with scores for that form. Weights default to the normalised Borda score of the role's
    ranking consensus; pass ``weights`` (role, code, weight) to override. The bootstrap
    resamples respondents of the role (at least BOOTSTRAP_MIN_N of them), recomputing cell
    means and (default) Borda weights from the same resample. Sorted best first within role
    and scale.
    """
    _, _, _, _, min_n, _ = _settings(study)
    frames = []
    for role, forms, point, n_fs, n_resp, boots in _fit_parts(scores, rankings, study, weights,
                                                             n_boot, seed):
        df = pd.DataFrame({"role": role, "form": np.repeat(forms, 2),
                           "scale": np.tile(["current", "potential"], len(forms)),
                           "fit": point.ravel(), "n": n_fs.ravel()})
        df["ci_low"], df["ci_high"] = np.nan, np.nan
        if boots is not None:
            df["ci_low"], df["ci_high"] = _quantiles(boots.reshape(len(boots), -1), ci)
        df["reason"] = _boot_reason(n_resp, min_n) if n_boot else ""
        frames.append(df)
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["role", "form", "scale", "fit", "n", "ci_low", "ci_high", "reason"])
    out["n"] = out["n"].astype("Int64")
    out = out.sort_values(["role", "scale", "fit"], ascending=[True, True, False],
                          ignore_index=True)
    return out[["role", "form", "scale", "fit", "ci_low", "ci_high", "n", "reason"]]


def fit_differences(scores: pd.DataFrame, rankings: pd.DataFrame, study: object | None = None,
                    weights: pd.DataFrame | None = None, n_boot: int = 2000,
                    seed: int | None = None, ci: float = 0.95) -> pd.DataFrame:
    """Differences in form fit, bootstrapped as differences (the same resample on both sides).

    comparison="lead": per role and scale, the best-fitting form (``form``) against every other
    form (``versus``): diff = fit(form) - fit(versus). comparison="change": per role and form,
    potential against current: diff = fit(potential) - fit(current). Two intervals that
    overlap say little about their difference, because both come from the same respondents;
    the interval of the difference does. ``excludes_zero`` = the interval lies above (or
    below) 0. ``n`` = respondents of the role. Same seed and resampling as :func:`form_fit`.
    """
    _, _, _, _, min_n, _ = _settings(study)
    rows = []
    for role, forms, point, _, n_resp, boots in _fit_parts(scores, rankings, study, weights,
                                                           n_boot, seed):
        reason = _boot_reason(n_resp, min_n) if n_boot else ""
        pairs = []
        for s, scale in enumerate(("current", "potential")):
            fit = point[:, s]
            if np.isnan(fit).all():
                continue
            best = int(np.nanargmax(fit))
            pairs += [("lead", scale, best, j, s, s) for j in range(len(forms)) if j != best
                      and not np.isnan(fit[j])]
        pairs += [("change", "potential", f, f, 1, 0) for f in range(len(forms))]
        for comp, scale, f, g, s1, s2 in pairs:
            diff = point[f, s1] - point[g, s2]
            lo = hi = np.nan
            if boots is not None:
                lo, hi = _quantiles((boots[:, f, s1] - boots[:, g, s2])[:, None], ci)
                lo, hi = float(lo[0]), float(hi[0])
            rows.append({"role": role, "comparison": comp, "scale": scale, "form": forms[f],
                         "versus": forms[g] if comp == "lead" else "current", "diff": diff,
                         "ci_low": lo, "ci_high": hi, "n": n_resp, "reason": reason})
    out = pd.DataFrame(rows, columns=["role", "comparison", "scale", "form", "versus", "diff",
                                      "ci_low", "ci_high", "n", "reason"])
    out["excludes_zero"] = (out["ci_low"] > 0) | (out["ci_high"] < 0)
    out["n"] = out["n"].astype("Int64")
    return out.sort_values(["role", "comparison", "scale", "diff"],
                           ascending=[True, False, True, True], ignore_index=True)


def survey_landscape(scores: pd.DataFrame, rankings: pd.DataFrame, study: object | None = None,
                     n_boot: int = 2000, seed: int | None = None,
                     ci: float = 0.95) -> pd.DataFrame:
    """The national served landscape of each side from the survey, read relative to the side's
    other outcomes.

    Per role x outcome: I = 10 (k - mean rank) / (k - 1), from the ranking of the role's k
    outcomes (10 = everyone put it first, 0 = everyone last; averages 5 over the k outcomes
    whatever k is); S = 10 x share of current scores of all forms for that outcome that are >=
    study.top_box; O = I + max(I - S, 0). ``rank`` = the outcome's place by O within its side
    (1 = highest O, ties averaged). ``class`` (the relative rule, :func:`relative_class`):
    "top" for the top third of places, "bottom" for the bottom third, "middle" between, and
    "uncertain" where the bootstrap interval of the place reaches into another class.

    Intervals (I, S, O and rank) come from a bootstrap over respondents (``n_boot``, default
    2000), given only with at least BOOTSTRAP_MIN_N respondents; without one the class is the
    point estimate's and ``reason`` says why. A share every resample agrees on gets an exact
    interval instead (:func:`hbomkb.analysis.intervals.exact_where_flat`). n_I = respondents
    ranking, n_S = current scores, n = respondents contributing to either.
    """
    _, top_box, _, _, min_n, _ = _settings(study)
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
        ranks = np.full((len(ids), len(outcomes)), np.nan)
        if k:
            ranks[:, [outcomes.index(c) for c in codes]] = filled
        oi = pd.Index(outcomes).get_indexer(a["outcome_values"])[oc]
        box = (val >= top_box).astype(float)
        s_top = np.bincount(oi, weights=box, minlength=len(outcomes))
        s_n = np.bincount(oi, minlength=len(outcomes)).astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            i_score = _relative_importance(ranks.mean(axis=0), k)
            s_score = 10 * s_top / s_n
        o_score = i_score + np.clip(i_score - s_score, 0, None)
        scorers = np.asarray(_present(pc, a["respondent_values"])) if len(pc) else np.array([])
        resp = np.union1d(ids, scorers)
        df = pd.DataFrame({"role": role, "code": outcomes, "I": i_score, "S": s_score,
                           "O": o_score, "rank": places(o_score[None, :])[0],
                           "n_I": len(ids), "n_S": s_n.astype(int), "n": len(resp)})
        for c in ("I", "S", "O", "rank"):
            df[f"{c}_low"], df[f"{c}_high"] = np.nan, np.nan
        if n_boot and len(resp) >= max(min_n, BOOTSTRAP_MIN_N) and k:
            pos = pd.Index(ids).get_indexer(resp)
            T = np.where(pos[:, None] >= 0, np.nan_to_num(ranks[np.clip(pos, 0, None)]), 0.0)
            has_rank = (pos >= 0).astype(float)
            ri = pd.Index(resp).get_indexer(a["respondent_values"])[pc]
            flat = ri * len(outcomes) + oi
            size = len(resp) * len(outcomes)
            B = np.bincount(flat, weights=box, minlength=size).reshape(len(resp), -1)
            N = np.bincount(flat, minlength=size).reshape(len(resp), -1).astype(float)
            unranked = ~np.isin(outcomes, codes)
            boots = {"I": [], "S": [], "O": [], "rank": []}
            for w in _multinomial_chunks(rng, len(resp), n_boot, 3 * len(outcomes)):
                with np.errstate(invalid="ignore", divide="ignore"):
                    bi = _relative_importance((w @ T) / (w @ has_rank)[:, None], k)
                    bs = 10 * (w @ B) / (w @ N)
                bi[:, unranked] = np.nan
                bo = bi + np.clip(bi - bs, 0, None)
                for c, v in (("I", bi), ("S", bs), ("O", bo), ("rank", places(bo))):
                    boots[c].append(v)
            for c, b in boots.items():
                b = np.vstack(b)
                if c == "rank":  # a place is discrete: the outer order statistics, not between
                    lo, hi = _quantiles(b, ci, "lower"), _quantiles(b, ci, "higher")
                    lo, hi = lo[0], hi[1]
                else:
                    lo, hi = _quantiles(b, ci)
                df[f"{c}_low"], df[f"{c}_high"] = lo, hi
            exact_where_flat(df, ci)
        df["class"] = relative_class(df["rank"], df["rank_low"], df["rank_high"], k)
        df["reason"] = _boot_reason(len(resp), min_n) if n_boot else ""
        frames.append(df)
    out = pd.concat(frames, ignore_index=True)
    for c in ("n_I", "n_S", "n"):
        out[c] = out[c].astype("Int64")
    cols = ["role", "code", "I", "I_low", "I_high", "S", "S_low", "S_high", "O", "O_low",
            "O_high", "rank", "rank_low", "rank_high", "class", "n_I", "n_S", "n", "reason"]
    return out[cols].sort_values(["role", "O"], ascending=[True, False], ignore_index=True)


def _relative_importance(mean_rank: np.ndarray, k: int) -> np.ndarray:
    """I = 10 (k - mean rank) / (k - 1): 10 = always ranked first, 0 = always last."""
    if k < 2:
        return np.full(np.shape(mean_rank), np.nan)
    return 10 * (k - np.asarray(mean_rank, dtype=float)) / (k - 1)
